// Kuulluksi's service worker (issue 5). Rendered by workshop/pwa.py and served as /sw.js,
// so that its scope is the whole site. It holds no text of its own: the offline page is
// rendered and translated by the server.
//
// Caches:
//   kuulluksi-shell-<VERSION>  every static file pages load, the offline page and the
//                              manifest, fetched at install. VERSION hashes their contents:
//                              a changed file gives a new worker with a new cache.
//   kuulluksi-pages            the last copy of each participant page (/j/<code>, /kiosk/<token>),
//                              of the street-note form (/street/) and of the professional's
//                              reporting form (/observe/<form key>), kept when the network gave one.
//   kuulluksi-media            pictures on the wall (/api/w/<code>/media/<name>); a name is
//                              never reused for another picture, so a kept one stays right.
//
// Strategy: navigations to those pages go to the network first and fall back to the kept
// copy, then to the offline page; other navigations fall back to the offline page only.
// Static files come from the cache first. The API, Socket.IO, every POST and the staff
// pages other than /street/ are never cached: the worker does not touch them at all.
//
// A new version waits (no skipWaiting at install) until the page's "Reload" button asks
// for it with {type: "SKIP_WAITING"}: a page that is open keeps the files it started with.

const VERSION = {{ version | tojson }};
const SHELL_PREFIX = "kuulluksi-shell-";
const SHELL_CACHE = SHELL_PREFIX + VERSION;
const PAGES_CACHE = "kuulluksi-pages";
const MEDIA_CACHE = "kuulluksi-media";
const SHELL = {{ shell | tojson }};
const OFFLINE_URL = {{ offline_url | tojson }};
const STATIC_PREFIX = {{ url_for("static", filename="") | tojson }};

/** Pages kept for offline use: the participant's page, the shared tablet's link, the street form,
 *  the professional's reporting form (/observe/<form key>; never /observe/track, whose answers
 *  are POSTs and must not be kept). */
const KEPT_PAGES = [/^\/j\/[^/]+$/, /^\/kiosk\/[^/]+$/, /^\/street\/$/, /^\/observe\/(?!track$)[^/]+$/];
const MEDIA = /^\/api\/w\/[^/]+\/media\/[^/]+$/;
/** Shell files that are not static files: fresh from the network when there is one. */
const SHELL_PAGES = new Set(SHELL.filter((url) => !url.startsWith(STATIC_PREFIX)));

self.addEventListener("install", (event) => {
  event.waitUntil(cacheShell());
});

async function cacheShell() {
  const cache = await caches.open(SHELL_CACHE);
  // "reload": take every file from the server, not from the browser's HTTP cache, so that
  // the cache named after this version holds this version's files.
  await cache.addAll(SHELL.map((url) => new Request(url, { cache: "reload", credentials: "same-origin" })));
}

self.addEventListener("activate", (event) => {
  event.waitUntil(activate());
});

async function activate() {
  const names = await caches.keys();
  await Promise.all(
    names.filter((name) => name.startsWith(SHELL_PREFIX) && name !== SHELL_CACHE).map((name) => caches.delete(name)),
  );
  await self.clients.claim();
}

self.addEventListener("message", (event) => {
  const message = event.data || {};
  if (message.type === "SKIP_WAITING") {
    event.waitUntil(self.skipWaiting());
  } else if (message.type === "KEEP_PAGE" && typeof message.url === "string") {
    event.waitUntil(keepPage(message.url));
  }
});

/** Keep a page the person opened before this worker controlled it (their first visit). */
async function keepPage(address) {
  const url = new URL(address, self.location.origin);
  if (url.origin !== self.location.origin || !isKept(url.pathname)) {
    return;
  }
  try {
    const response = await fetch(url.href, { credentials: "same-origin", cache: "no-store" });
    await remember(url.href, response);
  } catch (error) {
    // No network just now: the next visit keeps the page.
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") {
    return;
  }
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(navigate(event, url));
  } else if (url.pathname.startsWith(STATIC_PREFIX)) {
    event.respondWith(cacheFirst(event, SHELL_CACHE));
  } else if (MEDIA.test(url.pathname)) {
    event.respondWith(cacheFirst(event, MEDIA_CACHE));
  } else if (SHELL_PAGES.has(url.pathname)) {
    event.respondWith(networkFirst(event));
  }
  // Anything else (the API, Socket.IO) goes to the network as if there were no worker.
});

function isKept(path) {
  return KEPT_PAGES.some((pattern) => pattern.test(path));
}

async function navigate(event, url) {
  const kept = isKept(url.pathname);
  try {
    const response = await fetch(event.request);
    if (kept) {
      event.waitUntil(remember(url.href, response.clone()));
    }
    return response;
  } catch (error) {
    const copy = kept ? await keptCopy(url.href) : undefined;
    return copy || (await caches.match(OFFLINE_URL, { cacheName: SHELL_CACHE })) || Response.error();
  }
}

/** The kept copy of a page, if there is one. A copy being written just then may be missed
 *  for a moment (seen in Chromium: a reload without a network right after the first visit's
 *  copy was kept got no match, and a match a moment later found it), so a miss is looked up
 *  again for up to a second before the person is shown the offline page. */
async function keptCopy(address) {
  for (let attempt = 0; attempt < 10; attempt++) {
    const copy = await caches.match(address, { cacheName: PAGES_CACHE });
    if (copy) {
      return copy;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return undefined;
}

/** Keep a successful page; forget the copy when the server answers otherwise.
 *  A redirect (to the login page, after logging out), a 404 or 410 (an ended workshop):
 *  the kept copy would show a page that is no longer there to the next person offline. */
async function remember(address, response) {
  const cache = await caches.open(PAGES_CACHE);
  if (response.ok && response.type === "basic" && !response.redirected) {
    await cache.put(address, response);
  } else if (response.type === "opaqueredirect" || (response.status >= 300 && response.status < 500)) {
    await cache.delete(address);
  }
}

async function cacheFirst(event, cacheName) {
  const cache = await caches.open(cacheName);
  const cached = await cache.match(event.request);
  if (cached) {
    return cached;
  }
  const response = await fetch(event.request);
  if (response.ok && response.type === "basic") {
    event.waitUntil(cache.put(event.request, response.clone()));
  }
  return response;
}

async function networkFirst(event) {
  try {
    const response = await fetch(event.request);
    if (response.ok) {
      const cache = await caches.open(SHELL_CACHE);
      event.waitUntil(cache.put(event.request, response.clone()));
    }
    return response;
  } catch (error) {
    return (await caches.match(event.request, { cacheName: SHELL_CACHE })) || Response.error();
  }
}

// Background Sync: the outbox (static/js/outbox.js) registers the tag "outbox" when a note
// could not be sent. The page holds the outbox and sends it; the worker only wakes it up.
self.addEventListener("sync", (event) => {
  if (event.tag === "outbox") {
    event.waitUntil(wakePages());
  }
});

async function wakePages() {
  const pages = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  if (pages.length === 0) {
    // Nobody to send it: fail, and the browser tries again later (the page also sends
    // its outbox whenever it opens).
    throw new Error("no open page to send the outbox");
  }
  for (const page of pages) {
    page.postMessage({ type: "SYNC" });
  }
}
