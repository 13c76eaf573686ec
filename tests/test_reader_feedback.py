"""Readers' feedback on the published report (issue 6): sent from the public page, read by
the facilitator first, shown only once approved; nothing about the reader is kept."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import render_template
from sqlalchemy import func, select

from tests.conftest import requires_sqlite
from tests.xss_corpus import PAYLOADS, assert_harmless
from workshop import reader_feedback, report
from workshop.extensions import db
from workshop.models import Change, ReaderFeedback, Report, Workshop, utcnow
from workshop.problems import Problem

KEY = "k3y0fTheR3portForTests"
#: "Thank you — the facilitator reads feedback before it is shown." in Finnish, the workshop's language.
THANKS = "Kiitos – ohjaaja lukee palautteen ennen kuin se näytetään."


def publish(workshop, actor, key: str = KEY) -> Report:
    """Make the workshop's report draft and mark it published under `key` (the publishing
    itself is the export's business; here only its outcome matters)."""
    draft = report.create_draft(workshop, actor)
    draft.published_at, draft.public_key = utcnow(), key
    db.session.commit()
    return draft


@pytest.fixture
def published(room):
    """The room's report, published."""
    yield publish(room.workshop, room.staff)


def refused(action, status: int, field: str | None = None) -> Problem:
    with pytest.raises(Problem) as caught:
        action()
    assert caught.value.status == status
    if field is not None:
        assert caught.value.field == field
    return caught.value


def stored() -> list[ReaderFeedback]:
    return list(db.session.scalars(select(ReaderFeedback).order_by(ReaderFeedback.id)))


# -- the rules -------------------------------------------------------------------------------


def test_feedback_waits_until_the_facilitator_approves_it(room, published):
    first = reader_feedback.send(published, {"text": "  Good to read.\nThank you!  "})
    second = reader_feedback.send(published, {"text": "More pictures, please"})
    assert first.text == "Good to read.\nThank you!"
    assert reader_feedback.pending(published) == [first, second]  # oldest first: the reading order
    assert reader_feedback.approved_states(published) == []

    reader_feedback.decide(room.workshop, room.staff, first.id, True)
    reader_feedback.decide(room.workshop, room.staff, second.id, False)

    assert reader_feedback.pending(published) == []
    assert reader_feedback.approved_states(published) == [
        {"id": first.id, "text": "Good to read.\nThank you!", "at": first.created_at.isoformat()}]
    assert reader_feedback.rejected(published) == [second]


def test_approved_feedback_is_listed_newest_first_and_can_be_taken_off(room, published):
    rows = [reader_feedback.send(published, {"text": f"Feedback {n}"}) for n in range(3)]
    for row in rows:
        reader_feedback.decide(room.workshop, room.staff, row.id, True)
    assert [entry["text"] for entry in reader_feedback.approved_states(published)] == [
        "Feedback 2", "Feedback 1", "Feedback 0"]

    reader_feedback.decide(room.workshop, room.staff, rows[1].id, False)
    assert [entry["text"] for entry in reader_feedback.approved_states(published)] == ["Feedback 2", "Feedback 0"]


def test_feedback_is_only_for_a_published_report(room):
    draft = report.create_draft(room.workshop, room.staff)
    refused(lambda: reader_feedback.send(draft, {"text": "Hello"}), 404)
    draft.public_key = KEY  # published once, then unpublished: the key is kept
    db.session.commit()
    refused(lambda: reader_feedback.published_report(KEY), 404)
    refused(lambda: reader_feedback.published_report("no-such-key"), 404)
    refused(lambda: reader_feedback.published_report("x" * 200), 404)
    assert stored() == []


@pytest.mark.parametrize("data", [{}, {"text": ""}, {"text": "   \n "}, {"text": "x" * 2001}, {"text": ["list"]}])
def test_empty_or_too_long_feedback_is_refused(published, data):
    refused(lambda: reader_feedback.send(published, data), 422, "text")
    assert stored() == []


def test_a_full_page_of_feedback_fits(published):
    assert len(reader_feedback.send(published, {"text": "x" * 2000}).text) == 2000


def test_only_the_workshops_staff_decide(room, published):
    row = reader_feedback.send(published, {"text": "Hello"})
    refused(lambda: reader_feedback.decide(room.workshop, room.participant(), row.id, True), 403)

    from workshop.workshops import create_workshop

    other = create_workshop("Toinen", "Kallio")
    refused(lambda: reader_feedback.decide(other, room.staff, row.id, True), 404)
    refused(lambda: reader_feedback.decide(room.workshop, room.staff, 2**80, True), 404)
    assert row.status == "pending"


def test_approving_tells_the_wall_and_the_phones(room, published, pushed):
    def report_changes() -> int:
        return db.session.scalar(select(func.count()).select_from(Change).where(
            Change.workshop_id == room.workshop.id, Change.entity == "report"))

    before = report_changes()
    row = reader_feedback.send(published, {"text": "Well done"})
    reader_feedback.decide(room.workshop, room.staff, reader_feedback.send(published, {"text": "Meh"}).id, False)
    assert report_changes() == before and pushed == []  # nothing anyone sees changed

    reader_feedback.decide(room.workshop, room.staff, row.id, True)

    assert report_changes() == before + 1
    states = [data["entity"] for _to, _event, data in pushed if data["entity"]["type"] == "report"]
    assert [entry["text"] for entry in states[-1]["feedback"]] == ["Well done"]


def test_nothing_about_the_reader_is_stored():
    assert set(ReaderFeedback.__table__.columns.keys()) == {"id", "report_id", "text", "status", "decided_at",
                                                            "created_at"}


# -- the public form -------------------------------------------------------------------------


@pytest.fixture
def public(app, workshop):
    """The published report of `workshop` (made by a facilitator account with no login)."""
    from workshop.actors import Actor
    from workshop.models import Account

    with app.app_context():
        account = Account(username="paula", username_key="paula", password_hash="!")
        db.session.add(account)
        db.session.commit()
        publish(db.session.get(Workshop, workshop["id"]), Actor(account=account))
    yield f"/r/{KEY}/feedback"


def texts(app) -> list[tuple[str, str]]:
    with app.app_context():
        return [(row.text, row.status) for row in stored()]


def flashed(client) -> list[tuple[str, str]]:
    with client.session_transaction() as session:
        return session.get("_flashes", [])


def test_a_reader_sends_feedback_and_is_thanked(app, client, public):
    response = client.post(public, data={"text": "The pictures say a lot."})

    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/r/{KEY}#feedback")
    assert flashed(client) == [("message", THANKS)]
    assert texts(app) == [("The pictures say a lot.", "pending")]
    # The page opens at the feedback, and the thanks are there, where the reader looks.
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert THANKS in page[page.index('id="feedback"'):]
    assert "The pictures say a lot." not in page  # not before the facilitator has read it


def test_an_empty_send_is_explained_and_stores_nothing(app, client, public):
    response = client.post(public, data={"text": "  "})
    assert response.status_code == 303 and response.headers["Location"].endswith("#feedback")
    assert flashed(client)[0][0] == "error"
    assert texts(app) == []


@pytest.mark.parametrize("key", ["unknown", "x" * 40])
def test_an_unknown_report_is_a_friendly_404(client, public, key):
    response = client.post(f"/r/{key}/feedback", data={"text": "Hello"}, headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert "Raporttia ei löytynyt." in response.get_data(as_text=True)  # "This report was not found."


def test_an_unpublished_report_takes_no_feedback(app, client, public):
    with app.app_context():
        db.session.scalar(select(Report)).published_at = None
        db.session.commit()
    assert client.post(public, data={"text": "Hello"}).status_code == 404
    assert texts(app) == []


@requires_sqlite
def test_the_address_and_browser_of_a_reader_are_not_kept(app, client, public, tmp_path):
    client.post(public, data={"text": "Hello"}, environ_base={"REMOTE_ADDR": "198.51.100.77"},
                headers={"User-Agent": "UniqueBrowser/9.9"})
    with app.app_context():
        db.engine.dispose()  # everything on disk, in the database or its write-ahead log
    contents = b"".join(path.read_bytes() for path in Path(tmp_path, "sessions").glob("kuulluksi.sqlite3*"))
    assert b"Hello" in contents
    assert b"198.51.100.77" not in contents and b"UniqueBrowser" not in contents


def test_the_form_needs_its_token(app_factory, make_workshop):
    app = app_factory(WTF_CSRF_ENABLED=True)
    workshop = make_workshop()
    from workshop.actors import Actor
    from workshop.models import Account

    with app.app_context():
        account = Account(username="paula", username_key="paula", password_hash="!")
        db.session.add(account)
        db.session.commit()
        publish(db.session.get(Workshop, workshop["id"]), Actor(account=account))
    response = app.test_client().post(f"/r/{KEY}/feedback", data={"text": "Hello"})
    assert response.status_code == 400
    assert texts(app) == []


def test_too_many_sends_from_one_network_get_a_friendly_429(app_factory, make_workshop):
    app = app_factory(READER_FEEDBACK_PER_NETWORK="2 per hour")
    workshop = make_workshop()
    from workshop.actors import Actor
    from workshop.models import Account

    with app.app_context():
        account = Account(username="paula", username_key="paula", password_hash="!")
        db.session.add(account)
        db.session.commit()
        publish(db.session.get(Workshop, workshop["id"]), Actor(account=account))
    client = app.test_client()
    url = f"/r/{KEY}/feedback"
    assert [client.post(url, data={"text": f"Note {n}"}).status_code for n in range(2)] == [303, 303]

    response = client.post(url, data={"text": "Third"})

    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert "Odota hetki ja lähetä palautteesi uudelleen." in page and "<h1>" in page  # "Please wait a while…"
    assert texts(app) == [("Note 0", "pending"), ("Note 1", "pending")]
    # Another network has its own budget.
    other = client.post(url, data={"text": "From elsewhere"}, environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert other.status_code == 303


# -- what is shown ---------------------------------------------------------------------------


def render_public_part(app, approved_feedback) -> str:
    with app.test_request_context():
        found = db.session.scalar(select(Report))
        return render_template("report/_reader_feedback.html", report=found, approved_feedback=approved_feedback)


def test_the_public_part_shows_approved_feedback_only_and_the_form(app, room, published):
    shown = reader_feedback.send(published, {"text": "Shown here\non two lines"})
    reader_feedback.send(published, {"text": "Still waiting"})
    reader_feedback.decide(room.workshop, room.staff, shown.id, True)

    html = render_public_part(app, reader_feedback.approved_states(published))

    assert 'id="feedback"' in html and "<h2" in html and "Lukijoiden palaute" in html  # "Readers' feedback"
    assert "Shown here<br>on two lines" in html and "Still waiting" not in html
    assert f'action="/r/{KEY}/feedback"' in html
    assert re.search(r'<label[^>]+for="reader-feedback-text"', html)
    assert 'name="text"' in html and 'name="csrf_token"' in html


def test_the_facilitator_approves_on_their_page(app, logged_in, workshop, public, client):
    client.post(public, data={"text": "Please read this aloud at the centre"})
    with app.app_context():
        (row,) = stored()
    url = f"/facilitator/workshops/{workshop['id']}/report/feedback"
    page = logged_in.get(url).get_data(as_text=True)
    waiting = page[page.index('id="pending-heading"'):page.index('id="approved-heading"')]
    assert "Please read this aloud at the centre" in waiting

    response = logged_in.post(url, data={"feedback_id": str(row.id), "decision": "approve"})
    assert response.status_code == 303

    page = logged_in.get(url).get_data(as_text=True)
    shown = page[page.index('id="approved-heading"'):]
    assert "Please read this aloud at the centre" in shown
    assert texts(app) == [("Please read this aloud at the centre", "approved")]
    # A bad decision changes nothing.
    for data in ({"feedback_id": str(row.id), "decision": "delete"}, {"feedback_id": "x", "decision": "reject"}):
        assert logged_in.post(url, data=data).status_code == 303
    assert texts(app) == [("Please read this aloud at the centre", "approved")]


def test_the_facilitators_page_before_there_is_a_report(logged_in, workshop):
    response = logged_in.get(f"/facilitator/workshops/{workshop['id']}/report/feedback")
    assert response.status_code == 200
    assert "Raporttia ei vielä ole." in response.get_data(as_text=True)  # "There is no report yet."


def test_hostile_feedback_is_shown_as_text(app, room, published, logged_in):
    for payload in PAYLOADS:
        row = reader_feedback.send(published, {"text": payload})
        if len(stored()) % 2:
            reader_feedback.decide(room.workshop, room.staff, row.id, True)

    html = render_public_part(app, reader_feedback.approved_states(published))
    assert "&lt;script&gt;" in html or "&lt;img" in html
    assert_harmless(html, trusted=(f'<form method="post" action="/r/{KEY}/feedback"',))

    page = logged_in.get(f"/facilitator/workshops/{room.workshop.id}/report/feedback").get_data(as_text=True)
    main = page[page.index("<main"):page.index("</main>")]
    assert "&lt;script&gt;" in main
    main = re.sub(r'<form method="post" action="/facilitator/[^"<>]*"[^<>]*>', "", main).replace("<details>", "")
    assert_harmless(main)
