// Following a workshop live: the socket, the sequence numbers and catching up.
//
// The server numbers every change of a workshop (docs/api.md). This module keeps the
// last number applied and the current state of every entity. On (re)connecting it joins
// the workshop's room first and then asks for what changed after that number; live events
// that arrive meanwhile are held and applied after the catch-up, and any event numbered at
// or below what was applied is dropped. A gap (a lost event) triggers a catch-up over HTTP.
// So a Wi-Fi drop leaves no gap and no double on the wall.

import { request } from "./api.js";

export function follow(code, { onChange, onStatus = () => {} }) {
  const base = `/api/w/${encodeURIComponent(code)}`;
  const entities = new Map(); // "type:id" -> state
  let lastSeq = 0;
  let catchingUp = false;
  let held = [];

  function apply(state) {
    const key = `${state.type}:${state.id}`;
    if (state.gone) entities.delete(key);
    else entities.set(key, state);
  }

  function applyCatchUp(answer) {
    if (answer.reset) entities.clear();
    for (const state of answer.changes) apply(state);
    lastSeq = Math.max(answer.reset ? 0 : lastSeq, answer.last_seq);
    const waiting = held.sort((a, b) => a.seq - b.seq);
    held = [];
    for (const event of waiting) receive(event);
    onChange(entities);
  }

  function receive(event) {
    if (catchingUp) {
      held.push(event);
      return;
    }
    if (event.seq <= lastSeq) return; // already applied (it came in a catch-up too)
    if (event.seq > lastSeq + 1) {
      held.push(event);
      catchUpOverHttp();
      return;
    }
    apply(event.entity);
    lastSeq = event.seq;
    onChange(entities);
  }

  async function catchUpOverHttp() {
    if (catchingUp) return;
    catchingUp = true;
    try {
      const answer = await request(base, "GET", `/changes?since=${lastSeq}`);
      catchingUp = false;
      applyCatchUp(answer);
    } catch (error) {
      catchingUp = false;
      setTimeout(catchUpOverHttp, 2000);
    }
  }

  // The vendored socket.io client (static/vendor/socket.io) defines the global `io`.
  const socket = window.io({ reconnectionDelayMax: 5000 });
  socket.on("connect", () => {
    catchingUp = true;
    onStatus("online");
    socket.emit("watch", { code, since: lastSeq }, (answer) => {
      catchingUp = false;
      if (answer && answer.ok) applyCatchUp(answer);
      else onStatus("refused", answer);
    });
  });
  socket.on("disconnect", () => onStatus("offline"));
  socket.on("change", receive);

  return {
    entities,
    socket,
    get lastSeq() {
      return lastSeq;
    },
    /** Apply a state the server sent in an answer (e.g. one's own new note) right away. */
    applyOwn(state) {
      apply(state);
      onChange(entities);
    },
  };
}

/** The entities of one type, sorted by position then id. */
export function listOf(entities, type) {
  const list = [];
  for (const state of entities.values()) if (state.type === type) list.push(state);
  return list.sort((a, b) => (a.position ?? 0) - (b.position ?? 0) || a.id - b.id);
}
