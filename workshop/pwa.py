"""The installable web app (issue 5): the manifest, the service worker and its offline page.

The service worker keeps an *app shell* so that the participant page, the drawing pad and
the street-note form open without a network after the first visit. The shell is every
file under static/ that a page can load, found on the server at each request, so a file
another feature adds is cached without a change here. The shell's VERSION is a hash of
those files' contents: any changed file gives a new version, a new cache name and a
byte-different /sw.js, which the browser installs beside the old one; static/js/pwa.js
then offers the person a reload (see templates/pwa/sw.js for the caching strategy).
"""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from flask import Blueprint, Response, current_app, render_template, url_for

from .client_strings import SCRIPT_STRINGS
from .config import PROJECT_ROOT

bp = Blueprint("pwa", __name__)

#: The folders of static/ whose files pages load, and the kinds of file that count.
#: Licences and VERSION notes sit beside the vendored files but no page loads them.
SHELL_FOLDERS = ("js", "css", "fonts", "img", "vendor")
SHELL_SUFFIXES = frozenset({".js", ".mjs", ".css", ".woff2", ".woff", ".svg", ".png", ".webp", ".jpg", ".ico"})

#: Besides the static files, what the worker renders from the server goes into the
#: version too: its own code, and the offline page it keeps (template and catalogs).
TEMPLATES = PROJECT_ROOT / "templates"
RENDERED_SOURCES = (TEMPLATES / "pwa" / "sw.js", TEMPLATES / "pwa" / "offline.html", TEMPLATES / "base.html")
CATALOGS = Path(__file__).resolve().parent / "translations"

#: The manifest's icons (drawn by tools/make_icons.py from static/img/icon.svg).
ICONS = (
    ("img/icon-192.png", "192x192", "any"),
    ("img/icon-512.png", "512x512", "any"),
    ("img/icon-maskable-512.png", "512x512", "maskable"),
)

#: The strings static/js/pwa.js shows (their translations live in client_strings.py).
#: base.html hands them to the script on every page, not only on pages with a strings block.
PWA_STRINGS = ("A new version is available. Reload to use it.", "Reload")

#: Colours when app.css does not name them (it always should: a test checks).
FALLBACK_COLOURS = {"accent": "#1d3557", "paper": "#fffdf5"}


def shell_files() -> list[tuple[str, Path]]:
    """(URL, file) of every static file a page can load, in a stable order."""
    static = Path(current_app.static_folder)
    files = []
    for folder in SHELL_FOLDERS:
        for path in sorted((static / folder).rglob("*")):
            if path.is_file() and path.suffix.lower() in SHELL_SUFFIXES:
                files.append((url_for("static", filename=path.relative_to(static).as_posix()), path))
    return files


def shell_urls() -> list[str]:
    """Everything the worker caches at install: the static files, the offline page, the manifest."""
    return [url for url, _path in shell_files()] + [url_for("pwa.offline"), url_for("pwa.manifest")]


def shell_version() -> str:
    """A hash of the app shell: every URL and file content, and the worker's own sources.

    Reading and hashing the ~0.5 MB takes about 3 ms; the browser asks for /sw.js at most
    once a page load, so nothing is memoised (a memo keyed on modification times can miss
    a quick rewrite of the same size).
    """
    digest = hashlib.sha256()
    sources = list(shell_files())
    sources += [(path.relative_to(PROJECT_ROOT).as_posix(), path) for path in RENDERED_SOURCES]
    sources += [(path.relative_to(CATALOGS).as_posix(), path) for path in sorted(CATALOGS.glob("*/LC_MESSAGES/*.mo"))]
    for name, path in sources:
        digest.update(name.encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest() if path.exists() else b"missing")
    return digest.hexdigest()[:16]


def css_colours() -> dict[str, str]:
    """The colour tokens of static/css/app.css (`--accent: #1d3557;` → {"accent": "#1d3557"}).

    The manifest and the theme-color meta take their colours from the stylesheet, so the
    browser's title bar and splash screen change with the design.
    """
    css = Path(current_app.static_folder, "css", "app.css").read_text(encoding="utf-8")
    found = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{3,8})\b", css))
    return FALLBACK_COLOURS | found


def theme_colour() -> str:
    """The browser's title-bar colour: the accent of the buttons and the header."""
    return css_colours()["accent"]


def manifest_data() -> dict:
    """The web app manifest (https://www.w3.org/TR/appmanifest/), in Finnish as the product is."""
    colours = css_colours()
    return {
        "id": url_for("participant.front"),
        "name": "Kuulluksi",
        "short_name": "Kuulluksi",
        "description": "Sosiaalinen raportointi yhdessä: liity työpajaan ja kerro kokemuksesi lapulla, "
                       "piirroksella tai äänestämällä – nimettömästi.",
        "lang": "fi",
        "dir": "ltr",
        "start_url": url_for("participant.front"),
        "scope": url_for("participant.front"),
        "display": "standalone",
        "orientation": "any",
        "theme_color": colours["accent"],
        "background_color": colours["paper"],
        "icons": [
            {"src": url_for("static", filename=filename), "sizes": sizes, "type": "image/png", "purpose": purpose}
            for filename, sizes, purpose in ICONS
        ] + [{"src": url_for("static", filename="img/icon.svg"), "sizes": "any", "type": "image/svg+xml"}],
    }


@bp.get("/manifest.webmanifest")
def manifest():
    """The web app manifest that makes the site installable."""
    response = Response(json.dumps(manifest_data(), ensure_ascii=False, indent=2),
                        mimetype="application/manifest+json")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/sw.js")
def service_worker():
    """The service worker, from the site's root so that its scope is the whole site.

    `no-cache` makes every update check reach the server (browsers already bypass their
    HTTP cache for the worker's main script; this holds for any proxy on the way too).
    """
    text = render_template("pwa/sw.js", version=shell_version(), shell=shell_urls(),
                           offline_url=url_for("pwa.offline"))
    response = Response(text, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get("/offline")
def offline():
    """The page the worker shows for a page it has not kept when there is no network."""
    return render_template("pwa/offline.html")


@bp.app_context_processor
def _pwa_context() -> dict:
    # Functions, not values: only base.html calls them, once a page.
    return {
        "pwa_theme_colour": theme_colour,
        "pwa_strings": lambda: {key: str(SCRIPT_STRINGS[key]) for key in PWA_STRINGS},
    }
