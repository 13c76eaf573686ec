"""Browser tests: Debian's Chromium driven by Playwright against a real server on port 0.

Every page is checked with axe-core (vendored in tests/vendor) under the app's real
Content-Security-Policy, and any CSP violation or script error on a page fails the test.
"""
from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from workshop.extensions import db

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-quic"]
AXE = (Path(__file__).resolve().parent.parent / "vendor" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
PHONE = {"viewport": {"width": 360, "height": 640}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True, "locale": "en-US"}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole run. Missing: a skip locally, a failure in CI."""
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        message = (f"Chromium not found at {CHROMIUM}: install Debian's package "
                   "(apt-get install chromium) to run the browser tests")
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):  # no request log in the test output
        pass


@pytest.fixture
def live_app(app_factory):
    """The app the live server serves; set up its data inside `live_app.app_context()`.

    Only this one app may exist in a browser test: Flask-SocketIO keeps one server per
    `SocketIO` object, and a second app would take it over from the one serving.
    """
    return app_factory()


@pytest.fixture
def live_server(live_app, monkeypatch):
    """The app served by a real HTTP server on a free port; yields its base URL.

    The facilitator uses it through "localhost", as on the laptop; the address that goes
    into the QR code is then the "LAN" address, which here is the loopback address, so
    the phone's traffic stays on this machine.
    """
    import workshop.facilitator.views as views

    monkeypatch.setattr(views, "lan_address", lambda: "127.0.0.1")
    app = live_app
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()


class PageProblems:
    """Collects what the browser itself reports as wrong: CSP violations, script errors,
    and any stylesheet, font, script or image that failed to load.

    A page answered with 4xx on purpose (a wrong code) is not a problem; the browser's
    console line about it is left out, and sub-resources are checked by their responses.
    """

    def __init__(self):
        self.problems: list[str] = []

    def _console(self, message):
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.problems.append(message.text)

    def _response(self, response):
        if response.request.resource_type != "document" and response.status >= 400:
            self.problems.append(f"{response.status} {response.url}")

    def watch(self, page):
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(str(error)))
        page.on("response", self._response)
        return page


@pytest.fixture
def problems():
    """Fails the test at the end if any page logged a console error or a CSP violation."""
    collected = PageProblems()
    yield collected
    assert collected.problems == []


@pytest.fixture
def new_page(browser, problems):
    """Open pages in fresh browser contexts: `new_page()` for a laptop, `new_page(**PHONE)`."""
    contexts = []

    def factory(**options):
        context = browser.new_context(**({"viewport": {"width": 1280, "height": 800}} | options))
        contexts.append(context)
        return problems.watch(context.new_page())

    yield factory
    for context in contexts:
        context.close()


def assert_accessible(page) -> None:
    """Run axe-core on the page as it is now and fail on any violation."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE)
    violations = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
             .map(v => `${v.id}: ${v.help} — ${v.nodes.map(n => n.target.join(' ')).join(', ')}`)"""
    )
    assert violations == [], f"axe on {page.url}:\n" + "\n".join(violations)


#: The password of the facilitator accounts the browser tests make.
PASSWORD = "correct horse battery"


def log_in(page, url: str, name: str = "anna") -> None:
    """Log `name` in through the login page (in Finnish, the default language)."""
    page.goto(f"{url}/facilitator/login")
    page.get_by_label("Käyttäjätunnus").fill(name)
    page.get_by_label("Salasana").fill(PASSWORD)
    page.get_by_role("button", name="Kirjaudu sisään").click()


def log_in_in_english(new_page, url: str, username: str = "anna"):
    """A laptop page with the facilitator logged in and the pages in English."""
    import re

    laptop = new_page()
    laptop.goto(f"{url}/facilitator/login")
    laptop.get_by_role("button", name="English").click()
    laptop.get_by_label("User name").fill(username)
    laptop.get_by_label("Password").fill(PASSWORD)
    laptop.get_by_role("button", name="Log in").click()
    laptop.wait_for_url(re.compile(r".*/facilitator/$"))
    return laptop


def scribble(page) -> None:
    """Draw one stroke across the drawing pad's canvas with real pointer input."""
    box = page.locator("canvas").bounding_box()
    page.mouse.move(box["x"] + 30, box["y"] + 40)
    page.mouse.down()
    for step in range(1, 20):
        page.mouse.move(box["x"] + 30 + step * 12, box["y"] + 40 + step * 6)
    page.mouse.up()
