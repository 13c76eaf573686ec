"""Issue 5, the installable app, in the real Chromium under the app's real CSP.

Chromium itself judges installability (DevTools protocol, Page.getInstallabilityErrors);
the participant page opens with the network off after the first visit; a new version
of the app is offered with a banner and taken into use only by its Reload button.
"""
from __future__ import annotations

import re

import pytest

import workshop.pwa
from workshop.workshops import close_workshop, create_workshop, find_by_code

from .conftest import CHROMIUM, CHROMIUM_ARGS, PHONE, assert_accessible

#: Resolves when the page's service worker has finished activating; gives its state.
WORKER_READY = """async () => {
  const worker = (await navigator.serviceWorker.ready).active;  // ready: activating or activated
  if (worker.state !== "activated") {
    await new Promise((done) => worker.addEventListener("statechange", () => worker.state === "activated" && done()));
  }
  return worker.state;
}"""
#: The names of this origin's caches.
CACHE_NAMES = "async () => (await caches.keys()).sort()"


def wait_until(page, expression: str, timeout_ms: int = 10_000):
    """Poll an async JS expression in the page until it is truthy; return its value."""
    return page.evaluate(
        """async ([expression, timeout]) => {
             const check = new Function(`return (async () => (${expression}))()`);
             const end = Date.now() + timeout;
             for (;;) {
               const value = await check();
               if (value || Date.now() > end) return value;
               await new Promise((resolve) => setTimeout(resolve, 50));
             }
           }""",
        [expression, timeout_ms],
    )


@pytest.fixture
def workshop_url(live_server, live_app):
    """The join link of a Finnish workshop, as the QR code gives it to a phone."""
    with live_app.app_context():
        code = create_workshop("Päiväkeskus Kalliola", "Kallio", "fi").join_code
    return f"{live_server.replace('localhost', '127.0.0.1')}/j/{code}"


@pytest.fixture
def profile_page(browser, problems, tmp_path):
    """A page in a Chromium profile on disk, as a person's own browser has.

    Chromium never offers to install an app in an off-the-record profile ("in-incognito"),
    and the contexts of `new_page` are such: this one is launched persistent instead.
    """
    context = browser.browser_type.launch_persistent_context(
        tmp_path / "profile", executable_path=CHROMIUM, args=CHROMIUM_ARGS, viewport={"width": 1280, "height": 800})
    try:
        yield problems.watch(context.pages[0] if context.pages else context.new_page())
    finally:
        context.close()


def test_chromium_finds_the_app_installable(live_server, profile_page):
    page = profile_page
    page.goto(f"{live_server}/")
    assert page.evaluate(WORKER_READY) == "activated"
    cdp = page.context.new_cdp_session(page)
    assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["url"].endswith("/manifest.webmanifest")
    assert manifest["errors"] == []
    assert page.locator('meta[name="theme-color"]').get_attribute("content") == "#1d3557"
    # The worker is the one from the site's root, controlling the whole site.
    registration = page.evaluate(
        "async () => { const r = await navigator.serviceWorker.ready; return [r.scope, r.active.scriptURL]; }")
    assert registration == [f"{live_server}/", f"{live_server}/sw.js"]


def test_participant_page_opens_offline_after_the_first_visit(workshop_url, new_page):
    phone = new_page(**PHONE)
    phone.goto(workshop_url)
    phone.get_by_role("button", name="Kirjoita lappu").wait_for()
    assert phone.evaluate(WORKER_READY) == "activated"
    # The first visit was loaded before the worker existed: it keeps a copy all the same.
    assert wait_until(phone, "(await caches.match(location.href, {cacheName: 'kuulluksi-pages'})) !== undefined")
    names = phone.evaluate(CACHE_NAMES)
    assert names[0] == "kuulluksi-pages" and names[1].startswith("kuulluksi-shell-")

    # Later visits go through the worker, which keeps the newest copy of the page.
    phone.evaluate("async () => (await caches.open('kuulluksi-pages')).delete(location.href)")
    phone.reload()
    assert phone.evaluate("() => navigator.serviceWorker.controller !== null")
    assert wait_until(phone, "(await caches.match(location.href, {cacheName: 'kuulluksi-pages'})) !== undefined")

    phone.context.set_offline(True)
    loaded = []
    phone.on("response", lambda response: loaded.append(response))
    phone.reload()
    assert phone.evaluate("() => navigator.onLine") is False
    assert phone.get_by_role("heading", level=1).first.inner_text() == "Päiväkeskus Kalliola"
    assert phone.locator("[data-note-form] textarea[name=text]").count() == 1
    assert phone.locator(".drawing-pad canvas").count() == 1
    # Every script, stylesheet and font of the page came from the worker's cache.
    kinds = {"script", "stylesheet", "font"}
    assets = {r.url.split("/static/", 1)[1]: (r.status, r.from_service_worker)
              for r in loaded if r.request.resource_type in kinds}
    for name in ("js/phone.js", "js/drawing-pad.js", "js/pwa.js", "js/strings.js", "css/app.css",
                 "css/drawing-pad.css", "vendor/socket.io/socket.io.min.js"):
        assert assets.get(name) == (200, True), name
    assert all(answer == (200, True) for answer in assets.values()), assets
    assert phone.evaluate("() => getComputedStyle(document.documentElement).backgroundColor") == "rgb(255, 253, 245)"
    assert phone.evaluate(
        "async () => { await document.fonts.ready; return document.fonts.check('16px \"Atkinson Hyperlegible\"'); }")
    assert phone.get_by_role("heading", name="Kukaan ei tiedä, kuka olet").is_visible()
    assert_accessible(phone)

    # A page never opened on this phone: the translated offline page, not the browser's error.
    phone.goto(workshop_url.rsplit("/j/", 1)[0] + "/facilitator/")
    assert phone.get_by_role("heading", level=1).inner_text() == "Ei yhteyttä"
    assert phone.get_by_role("button", name="Yritä uudelleen").is_visible()
    assert_accessible(phone)


def test_an_ended_workshop_is_not_kept(workshop_url, live_app, new_page):
    """Once the server says the workshop has ended (410), the kept copy is dropped: offline,
    the next person on a shared phone sees the offline page, not a workshop that is over."""
    phone = new_page(**PHONE)
    phone.goto(workshop_url)
    assert phone.evaluate(WORKER_READY) == "activated"
    assert wait_until(phone, "(await caches.match(location.href, {cacheName: 'kuulluksi-pages'})) !== undefined")
    with live_app.app_context():
        close_workshop(find_by_code(workshop_url.rsplit("/", 1)[1]))
    phone.reload()
    assert phone.get_by_role("heading", level=1).inner_text() == "Tämä työpaja on päättynyt. Kiitos osallistumisesta!"
    assert wait_until(phone, "(await caches.match(location.href, {cacheName: 'kuulluksi-pages'})) === undefined")
    phone.context.set_offline(True)
    phone.reload()
    assert phone.get_by_role("heading", level=1).inner_text() == "Ei yhteyttä"


def shell_caches(page) -> list[str]:
    """The app-shell caches of the page's origin, one a version."""
    return [name for name in page.evaluate(CACHE_NAMES) if name.startswith("kuulluksi-shell-")]


def test_a_new_version_is_offered_and_taken_into_use_by_reload(live_server, new_page, monkeypatch):
    page = new_page()
    page.goto(f"{live_server}/")
    assert page.evaluate(WORKER_READY) == "activated"
    assert wait_until(page, "navigator.serviceWorker.controller !== null")
    served = page.evaluate("async () => (await fetch('/sw.js')).text()")
    version = re.search(r'const VERSION = "(\w+)";', served).group(1)
    assert shell_caches(page) == [f"kuulluksi-shell-{version}"]
    banner = page.locator("[data-update-banner]")
    assert banner.count() == 0

    # A new version on the server: the browser's next update check installs it beside
    # the one in use, and the page offers it instead of switching under the person's hands.
    monkeypatch.setattr(workshop.pwa, "shell_version", lambda: "0123456789abcdef")
    page.evaluate("async () => { await (await navigator.serviceWorker.getRegistration()).update(); }")
    status = banner.get_by_role("status")
    status.filter(has_text="Uusi versio on saatavilla. Lataa sivu uudelleen, niin otat sen käyttöön.").wait_for()
    assert wait_until(page, "navigator.serviceWorker.getRegistration().then((r) => r.waiting !== null)")
    # Both versions' files are there while the new one waits: the open page keeps its own.
    assert set(shell_caches(page)) == {"kuulluksi-shell-0123456789abcdef", f"kuulluksi-shell-{version}"}
    assert page.evaluate(
        "async () => (await navigator.serviceWorker.getRegistration()).waiting.state") == "installed"
    assert_accessible(page)

    with page.expect_navigation():
        banner.get_by_role("button", name="Lataa uudelleen").click()
    assert page.evaluate(WORKER_READY) == "activated"
    assert wait_until(page, "navigator.serviceWorker.getRegistration().then((r) => r.waiting === null)")
    # The new worker is in use and removed the old version's cache; the kept pages stay.
    assert shell_caches(page) == ["kuulluksi-shell-0123456789abcdef"]
    assert page.evaluate("() => navigator.serviceWorker.controller !== null")
    assert banner.count() == 0


def test_background_sync_wakes_the_outbox(live_server, new_page):
    """The worker passes Background Sync's "outbox" event to the page as kuulluksi:sync."""
    page = new_page()
    page.goto(f"{live_server}/")
    assert page.evaluate(WORKER_READY) == "activated"
    page.evaluate("""() => {
      window.syncEvents = 0;
      window.addEventListener("kuulluksi:sync", () => { window.syncEvents += 1; });
    }""")
    cdp = page.context.new_cdp_session(page)
    registrations = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda event: registrations.extend(event["registrations"]))
    cdp.send("ServiceWorker.enable")
    for _ in range(100):  # the registration arrives as an event
        if registrations:
            break
        page.wait_for_timeout(50)
    registration_id = registrations[0]["registrationId"]

    def sync(tag: str) -> None:
        cdp.send("ServiceWorker.dispatchSyncEvent",
                 {"origin": live_server, "registrationId": registration_id, "tag": tag, "lastChance": False})

    sync("something-else")
    sync("outbox")
    assert wait_until(page, "window.syncEvents > 0")
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.syncEvents") == 1
