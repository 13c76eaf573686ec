// One load-client process for bench/wall_latency.py: some of the simulated phones (and
// perhaps walls) on Node's socket.io-client, the same client library the phones run.
//
//   node client.js '{"listeners": [{"id": 0, "url": "http://127.0.0.1:5001", "code": "ABC123"}, ...],
//                    "quietMs": 1000}'
//
// Talks to the orchestrator in JSON lines: prints {"type":"ready"} once every listener has
// joined (GET <url>/j/<code>, keeping the device cookie), connected to its url over
// WebSocket and sent `watch`. Then, for every rate, reads
// {"go": "<start ns>", "notes": [[number, listener id, board id, offset ns], ...]}, posts each
// of those notes with `add_item` (with ack) from that listener at start + offset, and prints
// {"type":"result"} when every ack is in and nothing has arrived for quietMs. The
// connections stay open between rates. {"close": true} disconnects and exits.
//
// Times are process.hrtime.bigint(): CLOCK_MONOTONIC, the same clock in every process on
// the machine (Python's time.monotonic_ns()), so send and receive times compare directly.
// Big times travel as strings: a JSON number loses nanoseconds beyond 2^53.
"use strict";

const { io } = require("socket.io-client");
const readline = require("readline");
const crypto = require("crypto");

const setup = JSON.parse(process.argv[2]);
const { listeners, quietMs } = setup;
const now = () => process.hrtime.bigint();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const say = (message) => process.stdout.write(JSON.stringify(message) + "\n");

const lines = readline.createInterface({ input: process.stdin });
const waiting = [];
const queued = [];
lines.on("line", (line) => {
  const command = JSON.parse(line);
  if (waiting.length) waiting.shift()(command);
  else queued.push(command);
});
const nextCommand = () => new Promise((resolve) => {
  if (queued.length) resolve(queued.shift());
  else waiting.push(resolve);
});

async function join(url, code) {
  // The QR code's link; a 429 means the per-workshop join limit: wait and try again.
  let throttled = 0;
  for (;;) {
    const response = await fetch(`${url}/j/${code}`, { redirect: "manual" });
    await response.arrayBuffer();
    if (response.status === 429) {
      throttled += 1;
      await sleep(1000);
      continue;
    }
    if (response.status !== 200) throw new Error(`join answered ${response.status}`);
    const cookie = response.headers.getSetCookie().map((header) => header.split(";")[0]).join("; ");
    return { cookie, throttled };
  }
}

function connect(url, code, cookie, listener) {
  return new Promise((resolve, reject) => {
    const socket = io(url, {
      transports: ["websocket"], extraHeaders: { Cookie: cookie }, reconnection: false, forceNew: true,
    });
    socket.on("change", (data) => listener.log.push([now(), data]));
    socket.once("connect_error", reject);
    socket.once("connect", () => {
      socket.timeout(30000).emit("watch", { code, since: 0 }, (error, answer) => {
        if (error || !answer || !answer.ok) reject(new Error(`watch refused: ${JSON.stringify(answer || error)}`));
        else resolve(socket);
      });
    });
  });
}

// One rate: post this process's notes on the common schedule, then report what arrived.
async function run(state, go) {
  for (const listener of state.values()) listener.log.length = 0; // only the run's own changes
  const start = BigInt(go.go);
  const acks = {};
  const sent = [];
  let lagMs = 0;
  let acked = 0;
  for (const [number, id, board, offsetNs] of go.notes) {
    const target = start + BigInt(offsetNs);
    const delayMs = Number(target - now()) / 1e6;
    if (delayMs > 1) await sleep(delayMs);
    else if (delayMs < 0) lagMs = Math.max(lagMs, -delayMs);
    const sender = state.get(id);
    const sentAt = now();
    const item = { code: sender.code, uuid: crypto.randomUUID(), kind: "note", board_id: board, text: `n${number} ${sentAt}` };
    sender.socket.timeout(60000).emit("add_item", item, (error, answer) => {
      const ok = !error && answer && answer.ok && answer.status === 201;
      acks[number] = [Boolean(ok), Number(now() - sentAt), ok ? null : (answer || String(error))];
      acked += 1;
    });
    sent.push(number);
  }
  // Every ack, then quiet for quietMs (at most a minute in all).
  const deadline = Date.now() + 60000;
  while (acked < sent.length && Date.now() < deadline) await sleep(20);
  let count = -1;
  let stillSince = Date.now();
  while (Date.now() < deadline) {
    let total = 0;
    for (const listener of state.values()) total += listener.log.length;
    if (total !== count) {
      count = total;
      stillSince = Date.now();
    } else if (Date.now() - stillSince >= quietMs) break;
    await sleep(20);
  }

  const result = {};
  for (const [id, listener] of state) {
    const seqs = new Map();
    const notes = new Set();
    const latencies = [];
    let other = 0;
    let last = null;
    for (const [at, data] of listener.log) {
      seqs.set(data.seq, (seqs.get(data.seq) || 0) + 1);
      const entity = data.entity || {};
      const text = entity.text || "";
      if (entity.type !== "item" || !text.startsWith("n")) {
        other += 1;
        continue;
      }
      const [number, sentAt] = text.slice(1).split(" ");
      if (!notes.has(Number(number))) {
        notes.add(Number(number));
        latencies.push(Number(at - BigInt(sentAt)));
        last = at;
      }
    }
    let doubled = 0;
    for (const seen of seqs.values()) if (seen > 1) doubled += seen - 1;
    result[id] = {
      notes: [...notes].sort((a, b) => a - b), latencies_ns: latencies, other, doubled,
      connected: listener.socket.connected, last_ns: last === null ? null : String(last),
    };
  }
  return { type: "result", sent, acks, listeners: result, send_lag_ms: lagMs };
}

async function main() {
  const started = Date.now();
  const state = new Map(); // listener id -> {socket, code, log}
  let throttled = 0;
  for (const { id, url, code } of listeners) {
    const listener = { code, log: [] };
    const joined = await join(url, code);
    throttled += joined.throttled;
    listener.socket = await connect(url, code, joined.cookie, listener);
    state.set(id, listener);
  }
  say({ type: "ready", joined_s: (Date.now() - started) / 1000, throttled });

  for (;;) {
    const command = await nextCommand();
    if (command.close) break;
    say(await run(state, command));
  }
  for (const listener of state.values()) listener.socket.disconnect();
  say({ type: "closed" });
  lines.close();
  setTimeout(() => process.exit(0), 100);
}

main().catch((error) => {
  say({ type: "error", error: String(error && error.stack || error) });
  process.exit(1);
});
