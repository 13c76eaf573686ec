// The page's side of the installable app (issue 5; the worker is templates/pwa/sw.js).
//
// - Registers the service worker /sw.js on every page.
// - On the participant and street pages, asks the browser to keep this site's storage
//   (the outbox and the kept pages) even when the device runs short of space.
// - On the first visit, the page was loaded before the worker existed: asks the worker to
//   keep a copy of it, so that it opens without a network from then on.
// - When a new version of the app has been installed and waits, shows a polite banner
//   with a Reload button. Only that button takes the new version into use: an open page
//   keeps the files it started with until the person chooses.
// - Passes the worker's Background Sync wake-up ({type: "SYNC"}) to the outbox as the
//   window event "kuulluksi:sync".
//
// Its strings come from the script tag's data-strings (base.html renders them on every page).

const script = document.querySelector("script[data-pwa]");
const strings = script && script.dataset.strings ? JSON.parse(script.dataset.strings) : {};
const WORKER_URL = (script && script.dataset.worker) || "/sw.js";
/** The pages the worker keeps for offline use (the same list as KEPT_PAGES in sw.js). */
const KEPT_PAGE = /^\/j\/[^/]+$|^\/kiosk\/[^/]+$|^\/street\/$|^\/observe\/(?!track$)[^/]+$/;

let reloadAsked = false;
let banner = null;

function t(key) {
  return strings[key] ?? key;
}

// The offline page's "Try again".
for (const button of document.querySelectorAll("[data-pwa-retry]")) {
  button.addEventListener("click", () => window.location.reload());
}

if ("serviceWorker" in navigator) {
  start();
}

async function start() {
  const container = navigator.serviceWorker;
  let controlled = Boolean(container.controller);
  const firstVisit = !controlled;
  container.addEventListener("message", (event) => {
    if (event.data && event.data.type === "SYNC") {
      window.dispatchEvent(new CustomEvent("kuulluksi:sync"));
    }
  });
  container.addEventListener("controllerchange", () => {
    if (reloadAsked) {
      window.location.reload();
    } else if (controlled) {
      // Another tab took the new version into use: this page still runs the old one.
      showBanner(() => window.location.reload());
    }
    controlled = true;
  });
  container.startMessages();

  let registration;
  try {
    registration = await container.register(WORKER_URL, { scope: "/" });
  } catch (error) {
    // The pages work without the worker, only not offline.
    console.warn("Kuulluksi: the offline worker could not be registered:", error);
    return;
  }
  watchForUpdates(registration);
  if (KEPT_PAGE.test(window.location.pathname)) {
    askToPersist();
    if (firstVisit && answeredOk()) {
      const ready = await container.ready;
      ready.active.postMessage({ type: "KEEP_PAGE", url: window.location.href });
    }
  }
}

/** Whether this page came with 200 OK. Keeping it means loading it again, and a wrong
 *  code's 404 must not count twice against the join-guessing limit. Browsers that do
 *  not tell the status (responseStatus) are trusted: the worker keeps only a 200 anyway. */
function answeredOk() {
  const [navigation] = performance.getEntriesByType("navigation");
  return !navigation || navigation.responseStatus === undefined || navigation.responseStatus === 200;
}

/** Offer the reload when a new worker is installed and waits behind the one in use. */
function watchForUpdates(registration) {
  const offer = () => showBanner(() => takeNewVersion(registration));
  if (registration.waiting && navigator.serviceWorker.controller) {
    offer();
  }
  registration.addEventListener("updatefound", () => {
    const worker = registration.installing;
    if (!worker) {
      return;
    }
    worker.addEventListener("statechange", () => {
      // Without a controller this is the very first worker, not a new version.
      if (worker.state === "installed" && navigator.serviceWorker.controller) {
        offer();
      }
    });
  });
}

/** Let the waiting worker take over; the page reloads when it does (controllerchange). */
function takeNewVersion(registration) {
  const waiting = registration.waiting;
  if (!waiting) {
    window.location.reload();
    return;
  }
  reloadAsked = true;
  waiting.postMessage({ type: "SKIP_WAITING" });
}

function showBanner(onReload) {
  if (banner) {
    return;
  }
  const stylesheet = document.createElement("link");
  stylesheet.rel = "stylesheet";
  stylesheet.href = new URL("../css/pwa.css", import.meta.url).href;
  document.head.append(stylesheet);

  banner = document.createElement("div");
  banner.className = "alert alert--info update-banner";
  banner.dataset.updateBanner = "";
  const text = document.createElement("p");
  text.setAttribute("role", "status");
  const button = document.createElement("button");
  button.type = "button";
  button.className = "button";
  button.textContent = t("Reload");
  button.addEventListener("click", () => {
    button.disabled = true;
    onReload();
  });
  banner.append(text, button);
  // Inside <main>, so it is in a landmark; at its top, where the person looks first.
  (document.getElementById("main") || document.body).prepend(banner);
  // A live region announces changes, not its first content: fill it once it is in place.
  setTimeout(() => {
    text.textContent = t("A new version is available. Reload to use it.");
  }, 100);
}

/** Ask the browser not to clear this site's storage under pressure. Browsers decide
 *  themselves (Chromium by how the site is used, Firefox asks the person); a "no" only
 *  means the outbox and the kept pages may be cleared when the device is full. */
async function askToPersist() {
  if (!navigator.storage || !navigator.storage.persist) {
    return;
  }
  try {
    if (!(await navigator.storage.persisted())) {
      await navigator.storage.persist();
    }
  } catch (error) {
    console.warn("Kuulluksi: persistent storage could not be asked for:", error);
  }
}
