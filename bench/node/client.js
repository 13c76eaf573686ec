// One load-client process for bench/wall_latency.py: some of the simulated phones (and
// perhaps the wall) on Node's socket.io-client, the same client library the phones run.
//
//   node client.js '<setup JSON>'
//
// Talks to the orchestrator in JSON lines: prints {"type":"ready"} once every listener has
// joined (GET /j/<code>, keeping the device cookie), connected over WebSocket and sent
// `watch`; reads {"go": <start ns>, "notes": n}; posts its share of the notes with
// `add_item` (with ack) on the common schedule; prints {"type":"result"} when every ack is in
// and nothing has arrived for quietMs; reads {"close": true}, disconnects and exits.
//
// Times are process.hrtime.bigint(): CLOCK_MONOTONIC, the same clock in every process on
// the machine (Python's time.monotonic_ns()), so send and receive times compare directly.
"use strict";

const { io } = require("socket.io-client");
const readline = require("readline");
const crypto = require("crypto");

const setup = JSON.parse(process.argv[2]);
const { url, code, boards, phones, listeners, intervalNs, quietMs } = setup;
const now = () => process.hrtime.bigint();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const say = (message) => process.stdout.write(JSON.stringify(message) + "\n");

const lines = readline.createInterface({ input: process.stdin });
const waiting = [];
lines.on("line", (line) => waiting.shift()(JSON.parse(line)));
const nextCommand = () => new Promise((resolve) => waiting.push(resolve));

async function join() {
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

function connect(cookie, listener) {
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

async function main() {
  const started = Date.now();
  const state = new Map(); // listener id -> {socket, log}
  let throttled = 0;
  for (const id of listeners) {
    const listener = { log: [] };
    const joined = await join();
    throttled += joined.throttled;
    listener.socket = await connect(joined.cookie, listener);
    state.set(id, listener);
  }
  say({ type: "ready", joined_s: (Date.now() - started) / 1000, throttled });

  const go = await nextCommand();
  for (const listener of state.values()) listener.log.length = 0; // only the run's own changes
  const start = BigInt(go.go);
  const mine = [];
  for (let i = 0; i < go.notes; i++) if (state.has(i % phones)) mine.push(i);
  const acks = {};
  const sent = [];
  let lagMs = 0;
  let acked = 0;
  for (const i of mine) {
    const target = start + BigInt(i) * BigInt(intervalNs);
    const delayMs = Number(target - now()) / 1e6;
    if (delayMs > 1) await sleep(delayMs);
    else if (delayMs < 0) lagMs = Math.max(lagMs, -delayMs);
    const sentAt = now();
    const item = {
      code, uuid: crypto.randomUUID(), kind: "note", board_id: boards[i % boards.length], text: `n${i} ${sentAt}`,
    };
    state.get(i % phones).socket.timeout(60000).emit("add_item", item, (error, answer) => {
      const ok = !error && answer && answer.ok && answer.status === 201;
      acks[i] = [Boolean(ok), Number(now() - sentAt), ok ? null : (answer || String(error))];
      acked += 1;
    });
    sent.push(i);
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
      }
    }
    let doubled = 0;
    for (const seen of seqs.values()) if (seen > 1) doubled += seen - 1;
    result[id] = {
      notes: [...notes].sort((a, b) => a - b), latencies_ns: latencies, other, doubled,
      connected: listener.socket.connected,
    };
  }
  say({ type: "result", sent, acks, listeners: result, send_lag_ms: lagMs });

  await nextCommand(); // close
  for (const listener of state.values()) listener.socket.disconnect();
  say({ type: "closed" });
  lines.close();
  setTimeout(() => process.exit(0), 100);
}

main().catch((error) => {
  say({ type: "error", error: String(error && error.stack || error) });
  process.exit(1);
});
