"""Publishing the report: the facilitator's export page and the public page `/r/<key>`.

Who may reach the export page, the files it makes and downloads, publishing and taking the
page down, and what a reader (anyone, no login) sees and cannot see.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from unittest import mock

import pytest
from werkzeug.security import generate_password_hash

from workshop import report_export
from workshop.accounts import create_account
from workshop.actors import Actor
from workshop.extensions import db
from workshop.models import Account, Report, Role, SectionKind
from workshop.wall import boards
from workshop.workshops import create_workshop

from .conftest import PASSWORD, Room
from .test_report_export import HIDDEN_CAPTION, HIDDEN_NOTE, KEPT_CAPTION, KEPT_NOTE, seed_report
from .xss_corpus import PAYLOADS, assert_harmless


def export_url(workshop_id: int, path: str = "") -> str:
    """An address of the export page (or of `path` under the report's pages)."""
    return f"/facilitator/workshops/{workshop_id}/report{path or '/export'}"


@dataclass
class Published:
    """What the tests need of a seeded report, read while the seeding's context was open."""

    workshop_id: int
    report_id: int
    drawing_name: str
    hidden_names: tuple[str, str]
    secrets: list[str]


def seed(app, **payloads) -> Published:
    """Seed a workshop with a report draft (see test_report_export.seed_report).

    In an app context of its own, closed again: requests must not share one with the
    test (they would share `g`, and with it the language of the first request).
    """
    with app.app_context():
        workshop = create_workshop("Päiväkeskus Kalliola", "Kallio")
        account = Account(username="paula", username_key="paula", password_hash="!")
        db.session.add(account)
        db.session.commit()
        seeded = seed_report(Room(workshop, boards(workshop), Actor(account=account)), **payloads)
        if payloads:
            ideas = next(part for part in seeded.report.sections if part.kind == SectionKind.IDEAS)
            ideas.body = "\n\n".join(PAYLOADS)
            db.session.commit()
        return Published(workshop.id, seeded.report.id, seeded.drawing.image_name,
                         (seeded.hidden_drawing.image_name, seeded.hidden_drawing.thumb_name), seeded.secrets)


@pytest.fixture
def seeded(app) -> Published:
    """A workshop with a report draft: a kept note and drawing, a hidden note and drawing."""
    yield seed(app)


def in_english(client):
    """`client` having chosen English on the language switch (the messages these tests read)."""
    assert client.post("/language", data={"lang": "en"}).status_code == 303
    return client


@pytest.fixture
def anna(logged_in):
    """The logged-in facilitator's browser, in English."""
    yield in_english(logged_in)


@pytest.fixture
def reader(app):
    """A reader's browser: no login, no cookies, in English."""
    yield in_english(app.test_client())


@pytest.fixture
def worker(app):
    """A browser logged in as an outreach worker: an account, but not a facilitator."""
    with app.app_context(), mock.patch("workshop.accounts.generate_password_hash",
                                       lambda password: generate_password_hash(password, method="pbkdf2:sha256:1")):
        create_account("ville", PASSWORD, role=Role.WORKER)
    client = app.test_client()
    assert client.post("/facilitator/login", data={"username": "ville", "password": PASSWORD}).status_code == 303
    yield client


def stored(app, seeded: Published) -> tuple[Report, list]:
    """The report as the last request left it, and the files exported so far."""
    with app.app_context():
        report = db.session.get(Report, seeded.report_id)
        return report, report_export.exported_files(report)


def public_path(app, seeded: Published) -> str:
    """The public page's path of the (published) report."""
    return f"/r/{stored(app, seeded)[0].public_key}"


def article(page: str) -> str:
    """The report itself on the public page (the page around it is the site's own)."""
    return re.search(r"<article\b.*?</article>", page, re.S).group(0)


# -- who may reach the export page --------------------------------------------------------------


@pytest.mark.parametrize("who, status", [("anonymous", 302), ("worker", 403), ("facilitator", 200)])
def test_the_export_page_is_for_facilitators(seeded, app, request, who, status):
    client = {"anonymous": app.test_client, "worker": lambda: request.getfixturevalue("worker"),
              "facilitator": lambda: request.getfixturevalue("anna")}[who]()
    response = client.get(export_url(seeded.workshop_id))
    assert response.status_code == status
    if status == 302:
        assert "/facilitator/login" in response.headers["Location"]


@pytest.mark.parametrize("method, path", [
    ("post", "/export"), ("get", "/export/html"), ("get", "/export/pdf"), ("get", "/export/zip"),
    ("post", "/publish"), ("post", "/unpublish"), ("get", "/export/qr.svg"),
])
@pytest.mark.parametrize("who, status", [("anonymous", 302), ("worker", 403)])
def test_nobody_else_exports_or_publishes(seeded, app, request, method, path, who, status):
    client = app.test_client() if who == "anonymous" else request.getfixturevalue("worker")
    response = getattr(client, method)(export_url(seeded.workshop_id, path))
    assert response.status_code == status
    report, files = stored(app, seeded)
    assert report.published_at is None and not files


def test_before_the_draft_the_page_says_so_and_links_to_the_editor(anna, make_workshop):
    workshop_id = make_workshop()["id"]
    page = anna.get(export_url(workshop_id)).get_data(as_text=True)
    assert "There is no report draft yet." in page
    assert f'href="/facilitator/workshops/{workshop_id}/report/"' in page
    assert anna.post(export_url(workshop_id, "/publish")).status_code == 303
    assert "has not been started yet" in anna.get(export_url(workshop_id)).get_data(as_text=True)


# -- the files ----------------------------------------------------------------------------------


def test_export_now_writes_the_files_and_lists_them_for_download(seeded, anna):
    url = export_url(seeded.workshop_id)
    assert "No files have been made yet." in anna.get(url).get_data(as_text=True)
    assert anna.get(f"{url}/pdf").status_code == 404  # nothing to download yet
    response = anna.post(url)
    assert response.status_code == 303
    page = anna.get(response.headers["Location"]).get_data(as_text=True)
    assert "The files were made." in page
    for format in ("html", "pdf", "zip"):
        assert f'href="{url}/{format}"' in page
        assert f"paivakeskus-kalliola.{format}, " in page
    with anna.get(f"{url}/pdf") as download:
        assert download.status_code == 200
        assert download.headers["Content-Type"] == "application/pdf"
        assert download.headers["Content-Disposition"] == "attachment; filename=paivakeskus-kalliola.pdf"
        assert download.data.startswith(b"%PDF-")
    with anna.get(f"{url}/html") as html:
        assert html.headers["Content-Disposition"] == "attachment; filename=paivakeskus-kalliola.html"
        assert KEPT_NOTE in html.get_data(as_text=True) and HIDDEN_NOTE not in html.get_data(as_text=True)
    assert anna.get(f"{url}/exe").status_code == 404
    assert anna.get(f"{url}/..%2F..%2Fsecret_key").status_code == 404


def test_a_form_without_its_csrf_token_is_refused(seeded, anna, app):
    app.config["WTF_CSRF_ENABLED"] = True
    for path in ("/export", "/publish"):
        anna.post(export_url(seeded.workshop_id, path))
    report, files = stored(app, seeded)
    assert report.published_at is None and not files


# -- publishing and the public page -------------------------------------------------------------


def test_the_public_page_exists_only_while_published(seeded, anna, reader, app):
    assert reader.get("/r/not-a-key").status_code == 404
    response = anna.post(export_url(seeded.workshop_id, "/publish"))
    assert response.status_code == 303
    path = public_path(app, seeded)
    assert len(path) > len("/r/") + 20  # an unguessable key
    page = reader.get(path)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "<h1>Päiväkeskus Kalliola</h1>" in text and KEPT_NOTE in text and KEPT_CAPTION in text
    export_page = anna.get(export_url(seeded.workshop_id)).get_data(as_text=True)
    assert f"{path}</a>" in export_page and "report/export/qr.svg" in export_page
    assert anna.get(export_url(seeded.workshop_id, "/export/qr.svg")).data.startswith(b"<svg")

    assert anna.post(export_url(seeded.workshop_id, "/unpublish")).status_code == 303
    gone = reader.get(path)
    assert gone.status_code == 404
    assert "This page was not found." in gone.get_data(as_text=True)  # the friendly error page

    anna.post(export_url(seeded.workshop_id, "/publish"))
    assert public_path(app, seeded) == path  # published again: the same address works again
    assert reader.get(path).status_code == 200


def test_publishing_is_announced_to_walls_and_phones(seeded, anna, pushed, app):
    anna.post(export_url(seeded.workshop_id, "/publish"))
    told = [data["entity"] for _, event, data in pushed if data["entity"]["type"] == "report"]
    assert told and told[-1]["published"] is True and told[-1]["public_path"] == public_path(app, seeded)
    anna.post(export_url(seeded.workshop_id, "/publish"))  # twice: nothing new to tell
    assert len([1 for _, _, data in pushed if data["entity"]["type"] == "report"]) == len(told)


def test_the_public_page_shows_nothing_hidden_or_identifying(seeded, anna, reader, app):
    anna.post(export_url(seeded.workshop_id, "/publish"))
    page = reader.get(public_path(app, seeded)).get_data(as_text=True)
    for secret in seeded.secrets:
        assert secret not in page
    assert HIDDEN_NOTE not in page and HIDDEN_CAPTION not in page


def test_the_public_page_serves_only_the_pictures_the_report_shows(seeded, anna, reader, app):
    anna.post(export_url(seeded.workshop_id, "/publish"))
    path = public_path(app, seeded)
    page = reader.get(path).get_data(as_text=True)
    shown = f"{path}/pictures/{seeded.drawing_name}"
    assert f'src="{shown}"' in page
    with reader.get(shown) as picture:
        assert picture.status_code == 200 and picture.data.startswith(b"\x89PNG")
    for name in (*seeded.hidden_names, "../kuulluksi.sqlite3", "0" * 32 + ".png"):
        assert reader.get(f"{path}/pictures/{name}").status_code == 404
    anna.post(export_url(seeded.workshop_id, "/unpublish"))
    assert reader.get(shown).status_code == 404


def test_the_public_page_works_under_the_sites_security_policy(seeded, anna, reader, app):
    anna.post(export_url(seeded.workshop_id, "/publish"))
    response = reader.get(public_path(app, seeded))
    assert "style-src 'self'" in response.headers["Content-Security-Policy"]
    page = response.get_data(as_text=True)
    # No inline style (the policy would block it): the document's sheet is linked.
    assert "<style" not in page and " style=" not in page
    assert 'href="/static/css/report-document.css"' in page
    assert re.search(r'<html lang="[a-z]{2}"', page) and '<article class="report-document" lang="fi">' in page


def test_payloads_are_harmless_on_the_public_page(app, anna, reader):
    seeded = seed(app, notes=tuple(PAYLOADS), captions=tuple(PAYLOADS[:5]))
    anna.post(export_url(seeded.workshop_id, "/publish"))
    page = reader.get(public_path(app, seeded)).get_data(as_text=True)
    assert_harmless(article(page))
