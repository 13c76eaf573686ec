// Following a workshop live: the socket, the sequence numbers and catching up.
//
// The server numbers every change of a workshop (docs/api.md). This module keeps the
// last number applied and the current state of every entity. On (re)connecting it joins
// the workshop's room first and then asks for what changed after that number; live events
// that arrive meanwhile are held and applied after the catch-up, and any event numbered at
// or below what was applied is dropped. A gap (a lost event) triggers a catch-up over HTTP.
// So a Wi-Fi drop leaves no gap and no double on the wall.
//
// With `persist: true` (the participant's phone only) the last known state is also kept in
// localStorage, so that a page reloaded without a network (the service worker serves it)
// still knows the workshop's phase and boards and the person can go on writing; catching
// up then asks only for what changed after it. Staff walls never persist: their states
// hold hidden notes that must not be left in a laptop's storage.

import { request } from "./api.js";

const SAVE_DELAY_MS = 300;

export function follow(code, { onChange, onStatus = () => {}, persist = false }) {
  const base = `/api/w/${encodeURIComponent(code)}`;
  const storageKey = `kuulluksi-live-${code}`;
  const entities = new Map(); // "type:id" -> state
  let lastSeq = 0;
  let catchingUp = false;
  let held = [];
  let persisting = persist;
  let saveTimer = 0;

  /** Keep the state in localStorage, a moment after the last change (changes come in bursts). */
  function save() {
    if (!persisting) return;
    clearTimeout(saveTimer);
    saveTimer = setTimeout(saveNow, SAVE_DELAY_MS);
  }

  function saveNow() {
    clearTimeout(saveTimer);
    saveTimer = 0;
    if (!persisting) return;
    try {
      localStorage.setItem(storageKey, JSON.stringify({ lastSeq, entities: [...entities.values()] }));
    } catch (error) {
      // Full, or no storage at all (a private window): the snapshot is only a convenience,
      // the server's catch-up gives the same state once there is a connection.
    }
  }

  /** The state saved by an earlier page, if there is a usable one: true when restored. */
  function restore() {
    let snapshot = null;
    try {
      snapshot = JSON.parse(localStorage.getItem(storageKey));
    } catch (error) {
      snapshot = null; // unreadable: start empty, as without a snapshot
    }
    if (!snapshot || !Number.isSafeInteger(snapshot.lastSeq) || snapshot.lastSeq < 0
        || !Array.isArray(snapshot.entities)) return false;
    for (const state of snapshot.entities) if (state && state.type && state.id !== undefined) apply(state);
    lastSeq = snapshot.lastSeq;
    return true;
  }

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
    save();
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
    save();
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

  if (persist) {
    // Shown at once, before the socket connects (it may never, offline). A microtask later,
    // so the caller has its handle by then (`const live = follow(...)` is not assigned yet).
    if (restore()) queueMicrotask(() => onChange(entities));
    // A reload right after a change must not lose it to the debounce.
    window.addEventListener("pagehide", () => { if (saveTimer) saveNow(); });
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
      save();
      onChange(entities);
    },
    /** Stop keeping the state on this device and remove what was kept (the shared tablet's
     *  "Next person": the next person starts from the server's state, not the previous one's). */
    forget() {
      persisting = false;
      clearTimeout(saveTimer);
      saveTimer = 0;
      try {
        localStorage.removeItem(storageKey);
      } catch (error) {
        // No storage here: nothing was kept either.
      }
    },
  };
}

/** The entities of one type, sorted by position then id. */
export function listOf(entities, type) {
  const list = [];
  for (const state of entities.values()) if (state.type === type) list.push(state);
  return list.sort((a, b) => (a.position ?? 0) - (b.position ?? 0) || a.id - b.id);
}
