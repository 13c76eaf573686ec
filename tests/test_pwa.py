"""Issue 5, the installable app, on the server side: the manifest, /sw.js and its app shell.

How the browser uses them (installability, offline, the update banner) is tested in
tests/browser/test_pwa.py.
"""
from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path

import pytest
from PIL import Image

from workshop import pwa
from workshop.config import PROJECT_ROOT

STATIC = PROJECT_ROOT / "static"


def served_worker(client) -> tuple[str, list[str]]:
    """The VERSION and the app-shell list written into /sw.js."""
    text = client.get("/sw.js").get_data(as_text=True)
    version = re.search(r'^const VERSION = "([0-9a-f]+)";$', text, re.M).group(1)
    shell = json.loads(re.search(r"^const SHELL = (\[.*\]);$", text, re.M).group(1))
    return version, shell


def app_css_token(name: str) -> str:
    css = (STATIC / "css" / "app.css").read_text(encoding="utf-8")
    return re.search(rf"--{name}:\s*(#[0-9a-fA-F]+)", css).group(1)


def test_manifest(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    manifest = json.loads(response.get_data(as_text=True))
    assert manifest["name"] == "Kuulluksi"
    assert manifest["short_name"] == "Kuulluksi"
    assert manifest["lang"] == "fi"
    assert "työpaja" in manifest["description"]  # in Finnish
    assert manifest["start_url"] == "/" and manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    # The colours are the stylesheet's, not a second copy that drifts away from it.
    assert manifest["theme_color"] == app_css_token("accent") == "#1d3557"
    assert manifest["background_color"] == app_css_token("paper")


def test_manifest_icons_are_real_pngs_of_the_stated_sizes(client):
    icons = json.loads(client.get("/manifest.webmanifest").get_data(as_text=True))["icons"]
    pngs = [icon for icon in icons if icon["type"] == "image/png"]
    assert {(icon["sizes"], icon.get("purpose", "any")) for icon in pngs} == {
        ("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}
    for icon in icons:
        with client.get(icon["src"]) as response:
            assert response.status_code == 200, icon["src"]
            data = response.get_data()
        if icon["type"] != "image/png":
            continue
        image = Image.open(io.BytesIO(data), formats=["PNG"])
        width, height = (int(n) for n in icon["sizes"].split("x"))
        assert image.size == (width, height)
        corner = image.convert("RGBA").getpixel((0, 0))
        if icon["purpose"] == "maskable":
            assert corner == (0x1D, 0x35, 0x57, 255)  # full bleed: the launcher cuts the shape
        else:
            assert corner[3] == 0  # the rounded square of icon.svg


def test_service_worker_headers(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/javascript")
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["Service-Worker-Allowed"] == "/"
    policy = response.headers["Content-Security-Policy"]
    assert "worker-src 'self'" in policy and "manifest-src 'self'" in policy


def test_every_url_of_the_app_shell_answers(client):
    _version, shell = served_worker(client)
    assert "/offline" in shell and "/manifest.webmanifest" in shell
    for url in shell:
        with client.get(url) as response:
            assert response.status_code == 200, url


def test_the_shell_lists_every_file_pages_can_load(client):
    _version, shell = served_worker(client)
    on_disk = {
        "/static/" + path.relative_to(STATIC).as_posix()
        for folder in ("js", "css", "fonts", "img", "vendor")
        for path in (STATIC / folder).rglob("*")
        if path.is_file() and path.suffix in {".js", ".css", ".woff2", ".svg", ".png"}
    }
    assert on_disk <= set(shell)
    for url in ("/static/js/phone.js", "/static/js/drawing-pad.js", "/static/js/pwa.js", "/static/css/app.css",
                "/static/css/drawing-pad.css", "/static/vendor/socket.io/socket.io.min.js"):
        assert url in shell
    assert any(url.endswith(".woff2") for url in shell)
    # Licences and version notes are not loaded by any page.
    assert not [url for url in shell if re.search(r"(LICENSE|VERSION|\.txt)$", url)]


def test_the_version_is_stable_while_nothing_changes(client):
    assert served_worker(client)[0] == served_worker(client)[0]


@pytest.fixture
def static_copy(app, tmp_path):
    """The app serving a copy of static/ that a test may change."""
    copy = tmp_path / "static"
    shutil.copytree(STATIC, copy)
    app.static_folder = str(copy)
    return copy


def test_a_changed_static_file_gives_a_new_version(client, static_copy):
    before, _shell = served_worker(client)
    script = static_copy / "js" / "strings.js"
    script.write_text(script.read_text(encoding="utf-8") + "\n// changed\n", encoding="utf-8")
    after, _shell = served_worker(client)
    assert after != before
    # The worker's cache name follows the version, so the browser fetches the new file.
    assert "const SHELL_CACHE = SHELL_PREFIX + VERSION;" in client.get("/sw.js").get_data(as_text=True)


def test_a_new_static_file_is_cached_without_a_change_here(client, static_copy):
    before, shell = served_worker(client)
    assert "/static/js/new-feature.js" not in shell
    (static_copy / "js" / "new-feature.js").write_text("export {};\n", encoding="utf-8")
    after, shell = served_worker(client)
    assert "/static/js/new-feature.js" in shell
    assert after != before
    with client.get("/static/js/new-feature.js") as response:
        assert response.status_code == 200


def test_the_offline_page_is_translated(client):
    page = client.get("/offline").get_data(as_text=True)
    assert "<h1>Ei yhteyttä</h1>" in page
    assert "data-pwa-retry" in page and "Yritä uudelleen" in page
    client.post("/language", data={"lang": "sv", "next": "/offline"})
    assert "<h1>Ingen anslutning</h1>" in client.get("/offline").get_data(as_text=True)


@pytest.mark.parametrize("path", ["/", "/offline", "/facilitator/"])
def test_every_page_links_the_manifest_and_starts_the_worker(client, path):
    page = client.get(path, follow_redirects=True).get_data(as_text=True)
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert '<meta name="theme-color" content="#1d3557">' in page
    tag = re.search(r'<script type="module" src="/static/js/pwa.js"[^>]*>', page).group(0)
    assert 'data-worker="/sw.js"' in tag
    strings = json.loads(re.search(r'data-strings="([^"]*)"', tag).group(1).replace("&#34;", '"'))
    assert strings == {"A new version is available. Reload to use it.":
                       "Uusi versio on saatavilla. Lataa sivu uudelleen, niin otat sen käyttöön.",
                       "Reload": "Lataa uudelleen"}


def test_the_page_and_the_worker_keep_the_same_pages():
    """pwa.js asks the worker to keep the first visit of exactly the pages sw.js keeps."""
    worker = (PROJECT_ROOT / "templates" / "pwa" / "sw.js").read_text(encoding="utf-8")
    page = (STATIC / "js" / "pwa.js").read_text(encoding="utf-8")
    kept = re.search(r"const KEPT_PAGES = \[(.*)\];", worker).group(1)
    patterns = [p.strip()[1:-1] for p in kept.split(",")]
    assert re.search(r"const KEPT_PAGE = /(.*)/;", page).group(1) == "|".join(patterns)
    for path, is_kept in [("/j/ABC123", True), ("/kiosk/token", True), ("/street/", True), ("/observe/somekey", True),
                          ("/observe/track", False), ("/", False), ("/facilitator/", False), ("/api/w/ABC123/items", False), ("/j/ABC123/x", False)]:
        assert bool(re.search("|".join(patterns).replace("\\/", "/"), path)) is is_kept, path
