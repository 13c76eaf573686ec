// The outbox: every write is kept on this device first, then sent, in order, when it can be.
//
// Participants sit on cheap phones on a drop-in centre's flaky Wi-Fi, and street outreach
// workers write outdoors. So nothing a person makes is sent straight from the form: it is
// put in IndexedDB ("kuulluksi-outbox", store "items", keyed by an auto-increment `seq`
// that keeps the order) with the UUID the client made for it, and then replayed through
// the same API as online use (docs/api.md), which is idempotent: the same UUID with the
// same body answers 200 with the stored thing, so sending again is always safe.
//
// The drain follows Workbox's background-sync queue (see /work/shared/STYLE.md):
// - one entry at a time, oldest first, never two at once: an in-memory lock in this tab
//   and a Web Lock (`navigator.locks`) across tabs;
// - an entry is deleted only after the server acknowledged it (a 2xx with `ok: true`);
// - a refusal that can never succeed (400, 403, 404, 409, 410, 413, 415, 422, 423 from our
//   API) marks it "failed" with the server's message: kept and shown, never dropped; the
//   drain goes on with the next one;
// - no network, a timeout, 408, 429, 5xx or an answer that is not our API's (a captive
//   portal's page) stops the drain; it is retried after 1 s, doubling to 60 s, jittered.
// It runs when this module loads, on `online`, when the page becomes visible, on the
// window event `kuulluksi:sync` (the service worker forwards Background Sync to it), every
// 30 s, when enqueueing, and whenever a caller asks (phone.js: the socket reconnected).
// Background Sync (Chromium only) is registered as a bonus, never relied upon.
//
// No imports and no page text: the callers give each entry its `label` (the words to show
// and to copy out) in the person's language. The drain itself needs no DOM.

const DB_NAME = "kuulluksi-outbox";
const STORE = "items";
const LOCK_NAME = "kuulluksi-outbox";
const CHANNEL_NAME = "kuulluksi-outbox";
const SYNC_TAG = "outbox";

const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 60 * 1000;
const TIMER_MS = 30 * 1000;
// A request that hangs on a dead Wi-Fi would hold the queue forever; the API being
// idempotent, giving up and sending again later is always safe. Pictures get longer.
const JSON_TIMEOUT_MS = 30 * 1000;
const FORM_TIMEOUT_MS = 2 * 60 * 1000;
// How long to wait for another tab to finish its drain before trying again later.
const LOCK_WAIT_MS = FORM_TIMEOUT_MS + 10 * 1000;

const METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);
// Worth another try later: no answer at all, a timeout, "too many", or a fault of ours.
const TRANSIENT = (status) => status === 0 || status === 408 || status === 429 || status >= 500;
// Refused even without our JSON error shape (a proxy in front may answer these itself).
const REFUSED_ANYWAY = new Set([413, 415]);

const listeners = new Set();
let channel = null;
let dbPromise = null;
let draining = null; // the drain in progress in this tab, if any
let again = false; // asked to drain while draining: go round once more
let retryTimer = 0; // the backed-off retry, when one is scheduled
let failures = 0; // transient failures in a row: the exponent of the back-off
let persistenceAsked = false;

// --- IndexedDB -----------------------------------------------------------------------------

function openDb() {
  if (!dbPromise) {
    dbPromise = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = () => {
        request.result.createObjectStore(STORE, { keyPath: "seq", autoIncrement: true });
      };
      request.onsuccess = () => {
        const db = request.result;
        db.onversionchange = () => { // a newer page wants to upgrade: let it
          db.close();
          dbPromise = null;
        };
        resolve(db);
      };
      request.onerror = () => reject(request.error);
    }).catch((error) => {
      dbPromise = null; // try again next time (private mode, storage full, …)
      throw error;
    });
  }
  return dbPromise;
}

/** Run `body(store, setResult)` in one transaction; resolve with the result once it is
 *  committed. Writes ask for strict durability: an entry must survive a flat battery. */
async function transact(mode, body) {
  const db = await openDb();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode, mode === "readwrite" ? { durability: "strict" } : undefined);
    let result;
    tx.oncomplete = () => resolve(result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new Error("outbox transaction aborted"));
    body(tx.objectStore(STORE), (value) => { result = value; });
  });
}

function getAll() {
  return transact("readonly", (store, done) => {
    const request = store.getAll(); // in key order: oldest first
    request.onsuccess = () => done(request.result);
  });
}

/** Change one entry in place; resolves with the entry as stored, or null if it is gone.
 *  `when(entry)` may veto the change (then the entry is returned unchanged). */
function update(seq, changes, when = () => true) {
  return transact("readwrite", (store, done) => {
    const request = store.get(seq);
    request.onsuccess = () => {
      const entry = request.result;
      if (!entry) return done(null);
      if (!when(entry)) return done(entry);
      const changed = { ...entry, ...changes };
      store.put(changed);
      done(changed);
    };
  });
}

// --- telling the page (and the other tabs) ---------------------------------------------------

function tell(event, { broadcast = true } = {}) {
  for (const listener of [...listeners]) {
    try {
      listener(event);
    } catch (error) {
      console.error(error);
    }
  }
  if (broadcast && channel) channel.postMessage(event);
}

/**
 * Call `callback(event)` on every change of the outbox, in this tab or another one.
 * `event.type` is "queued", "sending", "sent" (with the server's `answer`), "failed" (with
 * `error`), "waiting" (the drain stopped on this entry and will try again), "retry" or
 * "removed"; `event.seq` and `event.scope` say which entry. Returns a function that stops.
 */
export function onChange(callback) {
  listeners.add(callback);
  return () => listeners.delete(callback);
}

// --- the public operations ------------------------------------------------------------------

/** Copy the form's pictures into new Blobs: a camera's File may point at a temporary file
 *  that is gone by the time the Wi-Fi is back. */
async function copyForm(form) {
  const copy = [];
  for (const [name, value, filename] of form) {
    if (value instanceof Blob) {
      const blob = new Blob([await value.arrayBuffer()], { type: value.type });
      copy.push([String(name), blob, filename || value.name || "blob"]);
    } else {
      copy.push([String(name), String(value ?? "")]);
    }
  }
  return copy;
}

async function record(entry) {
  const method = String(entry.method || "POST").toUpperCase();
  if (!METHODS.has(method)) throw new TypeError(`outbox: ${method} is not a write`);
  if (typeof entry.path !== "string" || !entry.path.startsWith("/") || entry.path.startsWith("//")) {
    throw new TypeError("outbox: the path must be a path on this site");
  }
  const given = (entry.json !== undefined) + (entry.form !== undefined);
  if (given > 1 || (given === 0 && method !== "DELETE")) throw new TypeError("outbox: give either json or form");
  const stored = {
    scope: String(entry.scope ?? ""),
    method,
    path: entry.path,
    uuid: entry.uuid ?? null,
    label: String(entry.label ?? ""),
    kind: String(entry.kind ?? ""),
    createdAt: Date.now(),
    attempts: 0,
    state: "pending",
    error: null,
  };
  if (entry.json !== undefined) stored.json = entry.json;
  if (entry.form !== undefined) stored.form = await copyForm(entry.form);
  return stored;
}

/**
 * Keep `entry` ({scope, method, path, json | form, uuid, label, kind}) in the outbox and
 * start a drain. `form` is a list of [name, value-or-Blob, filename]. Resolves with the
 * stored entry (with its `seq`) once it is safely written; rejects if IndexedDB cannot
 * keep it (then nothing was stored: the caller must keep the person's text).
 */
export async function enqueue(entry) {
  const stored = await record(entry);
  stored.seq = await transact("readwrite", (store, done) => {
    const request = store.add(stored);
    request.onsuccess = () => done(request.result);
  });
  tell({ type: "queued", seq: stored.seq, scope: stored.scope });
  askForPersistence();
  registerSync();
  drain();
  return stored;
}

/** The entries of `scope` (every scope if none is given), oldest first. */
export async function list(scope) {
  const entries = await getAll();
  return scope === undefined ? entries : entries.filter((entry) => entry.scope === scope);
}

/** Remove an entry for good (the person chose to). Resolves false, and removes nothing,
 *  while it is being sent right now: it may already be on the server. */
export async function discard(seq) {
  let removed = true;
  const entry = await transact("readwrite", (store, done) => {
    const request = store.get(seq);
    request.onsuccess = () => {
      const found = request.result;
      if (found && found.state === "sending") removed = false;
      else if (found) store.delete(seq);
      done(found);
    };
  });
  if (entry && removed) tell({ type: "removed", seq, scope: entry.scope });
  return removed;
}

/** Put a failed entry back in the queue and drain. */
export async function retry(seq) {
  const entry = await update(seq, { state: "pending", error: null }, (found) => found.state === "failed");
  if (entry) tell({ type: "retry", seq, scope: entry.scope });
  return drain();
}

/**
 * Send everything that waits, one at a time, oldest first. Resolves when this drain is
 * over (everything sent or refused, or stopped until a retry). Calling it during a drain
 * returns the same promise and makes the drain look once more before it ends.
 */
export function drain() {
  if (draining) {
    again = true;
    return draining;
  }
  clearTimeout(retryTimer);
  retryTimer = 0;
  draining = (async () => {
    try {
      do {
        again = false;
        await withLock(drainOnce);
      } while (again && !retryTimer);
    } catch (error) {
      // IndexedDB unusable (e.g. private mode): nothing can have been kept, so nothing is lost.
      console.warn("outbox: cannot drain", error);
    } finally {
      draining = null;
    }
  })();
  return draining;
}

/** Only one tab sends at a time: wait for the others (up to a limit) through a Web Lock. */
async function withLock(work) {
  const locks = globalThis.navigator && navigator.locks;
  if (!locks) return work(); // no Web Locks: two tabs may send the same entry; the API is idempotent
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), LOCK_WAIT_MS);
  try {
    return await locks.request(LOCK_NAME, { signal: controller.signal }, () => {
      clearTimeout(timer);
      return work();
    });
  } catch (error) {
    if (error && error.name === "AbortError") return scheduleRetry(); // another tab is stuck sending
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

async function drainOnce() {
  for (;;) {
    const entries = await getAll();
    // "sending" here is a left-over of a tab that closed mid-send: we hold the lock now.
    const next = entries.find((entry) => entry.state !== "failed");
    if (!next) {
      failures = 0;
      return;
    }
    const entry = await update(next.seq, { state: "sending", attempts: (next.attempts || 0) + 1 },
      (found) => found.state !== "failed");
    if (!entry || entry.state !== "sending") continue; // removed or refused meanwhile
    tell({ type: "sending", seq: entry.seq, scope: entry.scope });
    const outcome = await send(entry);
    if (outcome.sent) {
      await transact("readwrite", (store) => store.delete(entry.seq));
      failures = 0;
      tell({ type: "sent", seq: entry.seq, scope: entry.scope, answer: outcome.answer });
    } else if (outcome.refused) {
      await update(entry.seq, { state: "failed", error: outcome.error });
      tell({ type: "failed", seq: entry.seq, scope: entry.scope, error: outcome.error });
    } else {
      await update(entry.seq, { state: "pending" });
      failures += 1;
      scheduleRetry();
      registerSync();
      tell({ type: "waiting", seq: entry.seq, scope: entry.scope, error: outcome.error });
      return;
    }
  }
}

function scheduleRetry() {
  clearTimeout(retryTimer);
  const ceiling = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.min(Math.max(failures - 1, 0), 16));
  const delay = ceiling / 2 + (Math.random() * ceiling) / 2; // jitter: phones do not all come back at once
  retryTimer = setTimeout(() => {
    retryTimer = 0;
    drain();
  }, delay);
}

// --- one request ----------------------------------------------------------------------------

function body(entry) {
  if (entry.json !== undefined) return JSON.stringify(entry.json);
  if (!entry.form) return undefined;
  const form = new FormData();
  for (const [name, value, filename] of entry.form) {
    if (value instanceof Blob) form.append(name, value, filename || "blob");
    else form.append(name, value);
  }
  return form;
}

/** Send one entry. Answers {sent, answer} | {refused, error} | {error} (try again later).
 *  Only an answer in our API's shape can mark an entry sent or refused: a captive portal's
 *  "200 OK" login page is neither. */
async function send(entry) {
  const headers = { "X-Requested-With": "kuulluksi", Accept: "application/json" };
  if (entry.json !== undefined) headers["Content-Type"] = "application/json";
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), entry.form ? FORM_TIMEOUT_MS : JSON_TIMEOUT_MS);
  let response;
  let payload = null;
  try {
    response = await fetch(entry.path, {
      method: entry.method, headers, body: body(entry), credentials: "same-origin", cache: "no-store",
      signal: controller.signal,
    });
    try {
      payload = await response.json();
    } catch (error) {
      payload = null;
    }
  } catch (error) {
    return { error: { status: 0, message: "", field: null } };
  } finally {
    clearTimeout(timer);
  }
  const ours = payload !== null && typeof payload === "object" && typeof payload.ok === "boolean";
  const error = {
    status: response.status,
    message: (ours && typeof payload.error === "string" && payload.error) || "",
    field: (ours && Array.isArray(payload.errors) && payload.errors.length && payload.errors[0].field) || null,
  };
  if (response.ok && ours && payload.ok) return { sent: true, answer: payload };
  const refusal = (ours && !payload.ok) || REFUSED_ANYWAY.has(response.status);
  if (response.status >= 400 && !TRANSIENT(response.status) && refusal) return { refused: true, error };
  return { error };
}

// --- the wrapper the forms use ----------------------------------------------------------------

/**
 * Put a write in the outbox and wait a moment (`waitMs`, 3 s) for its first try.
 * Resolves {sent: true, entry, answer} when the server took it, {sent: false, entry,
 * failed: true, error} when it was refused (it is in the failed list now), or
 * {sent: false, entry} when it waits on this device for a connection.
 * If IndexedDB cannot keep it, it is sent once directly and `entry` is null: then a
 * failure means nothing is stored anywhere, and the caller must keep the person's text.
 */
export async function sendThroughOutbox(scope, write, { waitMs = 3000 } = {}) {
  const { method, path, json, form, uuid, label, kind } = write;
  const events = [];
  let wake = () => {};
  const stop = onChange((event) => {
    events.push(event);
    wake();
  });
  let entry;
  try {
    try {
      entry = await enqueue({ scope, method, path, json, form, uuid, label, kind });
    } catch (error) {
      if (error instanceof TypeError) throw error; // a mistake in the call, not the storage
      const direct = await send(await record({ scope, method, path, json, form, uuid, label, kind }));
      if (direct.sent) return { sent: true, entry: null, answer: direct.answer };
      return { sent: false, entry: null, failed: Boolean(direct.refused), error: direct.error };
    }
    return await new Promise((resolve) => {
      const timer = setTimeout(() => resolve({ sent: false, entry }), waitMs);
      const finish = (outcome) => {
        clearTimeout(timer);
        resolve({ entry, ...outcome });
      };
      wake = () => {
        for (const event of events.splice(0)) {
          if (event.type === "sent" && event.seq === entry.seq) return finish({ sent: true, answer: event.answer });
          if (event.type === "failed" && event.seq === entry.seq) {
            return finish({ sent: false, failed: true, error: event.error });
          }
          // The drain stopped on the oldest entry waiting, which is this one or one before it.
          if (event.type === "waiting" && event.seq <= entry.seq) return finish({ sent: false });
        }
        return undefined;
      };
      wake();
    });
  } finally {
    stop();
  }
}

// --- help from the browser ----------------------------------------------------------------------

/** Ask the browser not to clear the outbox under storage pressure. Chromium answers
 *  silently from how the site is used; Firefox asks the person, so it is asked only once
 *  something was actually kept. */
function askForPersistence() {
  const storage = globalThis.navigator && navigator.storage;
  if (persistenceAsked || !storage || !storage.persist) return;
  persistenceAsked = true;
  storage.persisted().then((already) => already || storage.persist()).catch(() => {});
}

/** Background Sync (Chromium only): the service worker gets a "sync" event when the
 *  connection is back, even with no page open, and forwards it as `kuulluksi:sync`. */
function registerSync() {
  const workers = globalThis.navigator && navigator.serviceWorker;
  if (!workers || typeof globalThis.SyncManager === "undefined") return;
  workers.getRegistration()
    .then((registration) => registration && registration.sync && registration.sync.register(SYNC_TAG))
    .catch(() => {});
}

// --- the triggers ---------------------------------------------------------------------------------

function install() {
  if (typeof BroadcastChannel === "function") {
    channel = new BroadcastChannel(CHANNEL_NAME);
    channel.onmessage = (message) => tell(message.data, { broadcast: false });
  }
  if (typeof window === "undefined" || typeof document === "undefined") return;
  window.addEventListener("online", () => drain());
  window.addEventListener("kuulluksi:sync", () => drain());
  window.addEventListener("pageshow", (event) => { if (event.persisted) drain(); }); // back from the bfcache
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") drain(); });
  setInterval(() => { if (!retryTimer) drain(); }, TIMER_MS);
  drain(); // on page load: whatever an earlier visit left
}

install();
