"""The data's lifecycle: deleting a workshop, the retention period, and the audit log.

A seeded workshop holds a row in every table a workshop can fill, a published report that
shows a drawing (in a theme section) and a photo (in management's answer), picture files,
an exported report's folder and a street note written for it.
"""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from workshop import lifecycle, report_export, votes, wall
from workshop import report as report_rules
from workshop.actors import Actor
from workshop.contributions import media_dir, submit
from workshop.extensions import db
from workshop.models import (Account, AuditEvent, Comment, CommentAgreement, CommentRound, DevelopmentTarget, Dot,
                             Gathering, Idea, IdeaAnswer, Item, ItemKind, Phase, PhaseFeedback, ReaderFeedback,
                             ReportSection, SectionKind, SectionVersion, StreetCategory, StreetNature,
                             StreetNote, Suggestion, Survey, SurveyAnswer, SurveyKind, TargetStatus, TargetUpdate,
                             TopicProposal, Workshop, utcnow)
from workshop.wall import boards
from workshop.workshops import close_workshop, create_workshop, reopen_workshop

from .conftest import Room, make_picture

RETENTION_DAYS = 30
KEPT_NOTE = "Aamupuuro loppuu kesken"
HIDDEN_NOTE = "Salainen huomautus jonka ohjaaja piilotti"
KEPT_CAPTION = "Penkki puistossa"
HIDDEN_CAPTION = "Piilotettu piirros"
PHOTO_CAPTION = "Ovi joka ei aukea"
#: The tables the retention period empties of a workshop's rows (idea_item: the links of
#: a development idea to notes, which go with the notes; comment_agreement with comments).
PURGED_TABLES = {"item", "dot", "topic_proposal", "survey_answer", "phase_feedback", "suggestion", "comment",
                 "comment_agreement", "participant", "change", "idea_item"}


@dataclass
class Seeded:
    """What the tests need of a seeded workshop, read while the seeding's context was open."""

    workshop_id: int
    code: str
    title: str
    public_key: str | None
    drawing: str  # the stored name of the drawing the report shows
    photo: str  # the photo management's answer shows
    pictures: list[str]  # every stored file of the workshop's items
    kept_pictures: list[str]  # the files of the two pictures the report shows
    export_dir: Path
    street_note_id: int
    report_versions: int


def contribute(room: Room, actor, kind: str, text: str, board: int = 0, colour=(30, 60, 200)) -> Item:
    """Put a note, drawing (a small PNG) or photo (a small JPEG) on the wall as `actor`."""
    data = {"uuid": str(uuid.uuid4()), "kind": kind, "text": text, "board_id": room.boards[board].id}
    image = {"note": None, "drawing": make_picture("PNG", (40, 30), colour),
             "photo": make_picture("JPEG", (40, 30), colour)}[kind]
    return submit(room.workshop, actor, data, image=image).item


def staff_room(title: str) -> Room:
    """A new workshop with its default boards, and the facilitator paula (made once)."""
    account = db.session.scalar(select(Account).where(Account.username_key == "paula"))
    if account is None:
        account = Account(username="paula", username_key="paula", password_hash="!")  # no login: no slow hash
        db.session.add(account)
        db.session.commit()
    workshop = create_workshop(title, "Kallio")
    return Room(workshop, boards(workshop), Actor(account=account))


def seed_workshop(app, title: str = "Päiväkeskus Kalliola") -> Seeded:
    """A workshop with a row in every table of a workshop, its report published.

    Three participants: two notes, two drawings and a photo, one note and one drawing
    hidden by the facilitator. The report's theme section shows the kept drawing (the
    draft puts it there), management's answer the photo.
    """
    with app.app_context():
        room = staff_room(title)
        workshop = room.workshop
        alice, bob, carol = room.participant(), room.participant(), room.participant()
        kept_note = contribute(room, alice, "note", KEPT_NOTE)
        hidden_note = contribute(room, bob, "note", HIDDEN_NOTE)
        drawing = contribute(room, alice, "drawing", KEPT_CAPTION)
        hidden_drawing = contribute(room, bob, "drawing", HIDDEN_CAPTION, colour=(200, 30, 30))
        wall.create_theme(workshop, room.staff, {"name": "Ruoka", "item_ids": [
            kept_note.id, hidden_note.id, drawing.id, hidden_drawing.id]})
        for item in (hidden_note, hidden_drawing):
            wall.update_item(workshop, room.staff, item.id, {"hidden": True})
        report = report_rules.create_draft(workshop, room.staff)
        # Sent after the draft was made: only management's answer shows it.
        photo = contribute(room, carol, "photo", PHOTO_CAPTION, board=1)
        question = votes.create_question(workshop, room.staff, {"title": "Mikä ensin?", "options": ["Aamut", "Illat"]})
        section = next(part for part in report.sections if part.kind == SectionKind.THEME)
        idea = Idea(workshop_id=workshop.id, statement="Aamupala joka päivä", position=1, items=[kept_note])
        survey = Survey(workshop_id=workshop.id, kind=SurveyKind.SCALE, title="Miten meni?")
        comment_round = CommentRound(report_id=report.id, number=1, snapshot="[]")
        db.session.add_all([idea, survey, comment_round, Gathering(workshop_id=workshop.id, title="Ensimmäinen kerta")])
        db.session.flush()
        comment = Comment(workshop_id=workshop.id, uuid=str(uuid.uuid4()), body_hash="c", round_id=comment_round.id,
                          section_id=section.id, text="Hyvä kohta", participant_id=carol.participant.id)
        target = DevelopmentTarget(workshop_id=workshop.id, idea_id=idea.id, target="Aamupala", position=1,
                                   status=TargetStatus.IN_PROGRESS)
        db.session.add_all([
            comment, target,
            Dot(workshop_id=workshop.id, uuid=str(uuid.uuid4()), body_hash="d", question_id=question.id,
                option_id=question.options[0].id, participant_id=carol.participant.id),
            TopicProposal(workshop_id=workshop.id, uuid=str(uuid.uuid4()), body_hash="t", text="Aamut",
                          participant_id=carol.participant.id),
            SurveyAnswer(workshop_id=workshop.id, uuid=str(uuid.uuid4()), body_hash="s", survey_id=survey.id, scale=4,
                         participant_id=carol.participant.id),
            PhaseFeedback(workshop_id=workshop.id, uuid=str(uuid.uuid4()), body_hash="f", phase=Phase.COLLECTION,
                          rating=5, comment="Kiva", participant_id=carol.participant.id),
            Suggestion(workshop_id=workshop.id, uuid=str(uuid.uuid4()), body_hash="g", section_id=section.id,
                       kind="add", text="Lisää tämä", participant_id=carol.participant.id),
            IdeaAnswer(report_id=report.id, idea_id=idea.id, action="Aloitetaan syksyllä", schedule="2027"),
            ReaderFeedback(report_id=report.id, text="Hyvä raportti", status="approved", decided_at=utcnow()),
            StreetNote(uuid=str(uuid.uuid4()), body_hash="n", account_id=room.staff.account.id, text="Kadulla kylmä",
                       nature=StreetNature.NEGATIVE, category=StreetCategory.CLIENT_NEEDS, workshop_id=workshop.id,
                       written_at=utcnow()),
        ])
        db.session.flush()
        db.session.add_all([CommentAgreement(comment_id=comment.id, account_id=room.staff.account.id),
                            TargetUpdate(target_id=target.id, status=TargetStatus.IN_PROGRESS, note="Alkoi")])
        report.answer_by = "Palvelupäällikkö"
        report.answer_text = f"Korjaamme oven.\n\n![](picture:{photo.id})"
        report.answered_at = utcnow()
        db.session.commit()
        report_export.publish(workshop, room.staff)
        exports = report_export.export_dir(report)
        exports.mkdir(parents=True)
        (exports / "raportti.html").write_text("<p>raportti</p>", encoding="utf-8")
        names = sorted(name for item in db.session.scalars(select(Item).where(Item.workshop_id == workshop.id))
                       for name in (item.image_name, item.thumb_name) if name)
        street_note = db.session.scalar(select(StreetNote.id).where(StreetNote.workshop_id == workshop.id))
        versions = db.session.scalar(select(func.count()).select_from(SectionVersion).join(ReportSection).where(
            ReportSection.report_id == report.id))
        return Seeded(workshop.id, workshop.join_code, workshop.title, report.public_key, drawing.image_name,
                      photo.image_name, names, [drawing.image_name, drawing.thumb_name, photo.image_name,
                                                photo.thumb_name], exports, street_note, versions)


def seed_small_workshop(app, title: str = "Pieni työpaja") -> Light:
    """A workshop with one participant's note and photo, and nothing else: quick to make."""
    with app.app_context():
        room = staff_room(title)
        alice = room.participant()
        contribute(room, alice, "note", KEPT_NOTE)
        photo = contribute(room, alice, "photo", PHOTO_CAPTION)
        return Light(room.workshop.id, room.workshop.join_code, [photo.image_name, photo.thumb_name])


@dataclass
class Light:
    """A small workshop (`seed_small_workshop`)."""

    workshop_id: int
    code: str
    pictures: list[str]


def row_counts(app) -> dict[str, int]:
    """How many rows every table of the schema holds."""
    with app.app_context():
        return {table.name: db.session.scalar(select(func.count()).select_from(table))
                for table in db.metadata.sorted_tables}


def rows_of_workshop(app, workshop_id: int) -> dict[str, int]:
    """Per table with a `workshop_id` column: its rows that name `workshop_id` (tables with none left out)."""
    with app.app_context():
        found = {table.name: db.session.scalar(select(func.count()).select_from(table).where(
            table.c.workshop_id == workshop_id)) for table in db.metadata.sorted_tables if "workshop_id" in table.c}
    return {name: count for name, count in found.items() if count}


def stored_files(app) -> set[str]:
    """The names of the files in the media folder."""
    with app.app_context():
        return {path.name for path in media_dir().iterdir()}


def in_english(client):
    """`client` having chosen English on the language switch (the messages these tests read)."""
    assert client.post("/language", data={"lang": "en"}).status_code == 303
    return client


@pytest.fixture
def seeded(app) -> Seeded:
    """A workshop with its report published."""
    yield seed_workshop(app)


@pytest.fixture
def anna(logged_in):
    """The logged-in facilitator's browser, in English."""
    yield in_english(logged_in)


def delete_url(seeded: Seeded) -> str:
    """The address of the workshop's delete page."""
    return f"/facilitator/workshops/{seeded.workshop_id}/delete"


# -- deleting a workshop --------------------------------------------------------------------------


def test_the_confirmation_page_says_what_will_be_lost(seeded, anna):
    page = anna.get(f"/facilitator/workshops/{seeded.workshop_id}").get_data(as_text=True)
    assert delete_url(seeded) in page  # the workshop's page links to it

    page = anna.get(delete_url(seeded)).get_data(as_text=True)

    for count in ("2 notes", "2 drawings", "1 photo", "1 dot in the votes", "3 participants",
                  f"{seeded.report_versions} saved versions of the report",
                  "The published report. Its public page disappears too.",
                  "Street notes written for this workshop are kept.",
                  f"flask --app workshop archive export {seeded.code}"):
        assert count in page
    assert 'name="code"' in page


def test_a_wrong_code_deletes_nothing(app, seeded, anna):
    before = row_counts(app)

    for typed, message in [("", "code to confirm."), ("AAAAAA", "This is not the code of this workshop."),
                           (seeded.code[:3], "Nothing was deleted.")]:
        response = anna.post(delete_url(seeded), data={"code": typed})
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)

    assert row_counts(app) == before
    assert set(seeded.pictures) <= stored_files(app)
    assert seeded.export_dir.is_dir()


def test_the_right_code_deletes_everything_of_the_workshop_and_nothing_else(app, anna):
    other = seed_small_workshop(app, "Toinen työpaja")
    before = row_counts(app)
    others_rows = rows_of_workshop(app, other.workshop_id)
    seeded = seed_workshop(app)
    assert set(rows_of_workshop(app, seeded.workshop_id)) >= {"item", "dot", "participant", "report", "change"}

    # Typed as a person would: lower case, with the space of the projector's "K7M 4PX".
    typed = f"{seeded.code[:3].lower()} {seeded.code[3:].lower()}"
    response = anna.post(delete_url(seeded), data={"code": typed}, follow_redirects=True)

    assert response.request.path == "/facilitator/"
    assert f"The workshop “{seeded.title}” and everything in it were deleted." in response.get_data(as_text=True)
    assert rows_of_workshop(app, seeded.workshop_id) == {}
    after = row_counts(app)
    # Every table is as it was before the workshop was made, but for the audit log's new
    # event and the street note, which stays without its workshop.
    assert {name: count - before[name] for name, count in after.items() if count != before[name]} == {
        "audit_event": 1, "street_note": 1}
    with app.app_context():
        assert db.session.get(StreetNote, seeded.street_note_id).workshop_id is None
    assert rows_of_workshop(app, other.workshop_id) == others_rows
    files = stored_files(app)
    assert not set(seeded.pictures) & files
    assert set(other.pictures) <= files
    assert not seeded.export_dir.exists()
    assert anna.get(f"/r/{seeded.public_key}").status_code == 404
    assert anna.get(delete_url(seeded)).status_code == 404

    log = anna.get("/facilitator/audit").get_data(as_text=True)
    assert "Workshop deleted" in log and f"{seeded.title} ({seeded.code[:3]} {seeded.code[3:]})" in log
    assert "<td>anna</td>" in log and "Participants: 3" in log


def participant(app, seeded):
    """A participant's phone that joined the workshop (a device cookie, no login)."""
    client = app.test_client()
    assert client.get(f"/j/{seeded.code}").status_code == 200
    return client


def worker(app, seeded, make_account):
    """A browser logged in as an outreach worker: an account, but not a facilitator."""
    account = make_account("ville", "worker")
    client = app.test_client()
    assert account.login(client).status_code == 303
    return client


@pytest.fixture
def small(app) -> Light:
    """A small workshop."""
    yield seed_small_workshop(app)


@pytest.mark.parametrize("who, status", [("anonymous", 302), ("participant", 302), ("worker", 403)])
@pytest.mark.parametrize("method", ["get", "post"])
def test_only_a_facilitator_reaches_the_delete_page(app, small, make_account, who, status, method):
    seeded = small
    client = {"anonymous": lambda: app.test_client(), "participant": lambda: participant(app, seeded),
              "worker": lambda: worker(app, seeded, make_account)}[who]()

    response = getattr(client, method)(delete_url(seeded), data={"code": seeded.code} if method == "post" else None)

    assert response.status_code == status
    if status == 302:
        assert "/facilitator/login" in response.headers["Location"]
    assert client.get("/facilitator/audit").status_code == status
    with app.app_context():
        assert db.session.get(Workshop, seeded.workshop_id) is not None


# -- the retention period -------------------------------------------------------------------------


def without_tokens(response) -> str:
    """A page with its CSRF tokens blanked: they hold the second they were made in."""
    return re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token" value=""', response.get_data(as_text=True))


def fetch(client, url: str) -> bytes:
    """The body of a 200 answer to GET `url` (a sent file is closed again)."""
    with client.get(url) as response:
        assert response.status_code == 200
        return response.data


def close(app, seeded: Seeded | Light) -> None:
    """Close the seeded workshop now."""
    with app.app_context():
        close_workshop(db.session.get(Workshop, seeded.workshop_id))


def purge(app, days_later: float) -> list[lifecycle.Purged]:
    """Run the retention period as if `days_later` days had passed."""
    with app.app_context():
        return lifecycle.purge_expired(now=utcnow() + timedelta(days=days_later))


@pytest.mark.parametrize("retention, closed, days_later", [
    (None, True, 3650),  # no retention period set: kept until deleted
    (RETENTION_DAYS, True, RETENTION_DAYS - 1),  # the period is not over
    (RETENTION_DAYS, False, 3650),  # still open
], ids=["unset", "too-early", "open"])
def test_nothing_is_purged_before_the_period_is_over(app, small, retention, closed, days_later):
    seeded = small
    app.config["RETENTION_DAYS"] = retention
    if closed:
        close(app, seeded)
    before = row_counts(app)

    assert purge(app, days_later) == []

    assert row_counts(app) == before
    assert set(seeded.pictures) <= stored_files(app)


def test_after_the_period_raw_contributions_go_and_the_published_report_stays(app, seeded, anna):
    app.config["RETENTION_DAYS"] = RETENTION_DAYS
    reader = app.test_client()
    report_page = f"/r/{seeded.public_key}"
    published = reader.get(report_page)
    assert published.status_code == 200
    shown = published.get_data(as_text=True)
    assert KEPT_NOTE in shown and f"/pictures/{seeded.drawing}" in shown and f"/pictures/{seeded.photo}" in shown
    pictures = {name: fetch(reader, f"{report_page}/pictures/{name}") for name in (seeded.drawing, seeded.photo)}
    assert all(pictures.values())
    close(app, seeded)
    before = row_counts(app)

    purged = purge(app, RETENTION_DAYS + 1)

    assert [entry.workshop_id for entry in purged] == [seeded.workshop_id]
    assert purged[0].counts["items"] == 3 and purged[0].counts["participants"] == 3
    after = row_counts(app)
    changed = {name for name in after if after[name] != before[name]}
    assert changed == PURGED_TABLES | {"audit_event"}
    remaining = rows_of_workshop(app, seeded.workshop_id)
    assert not set(remaining) & PURGED_TABLES - {"item"}
    with app.app_context():
        kept = db.session.execute(select(Item.kind, Item.text, Item.participant_id).where(
            Item.workshop_id == seeded.workshop_id).order_by(Item.id)).all()
        assert kept == [(ItemKind.DRAWING, KEPT_CAPTION, None), (ItemKind.PHOTO, PHOTO_CAPTION, None)]
        assert db.session.get(Workshop, seeded.workshop_id).purged_at is not None
        event = db.session.scalar(select(AuditEvent))
        assert (event.action, event.account_id) == (lifecycle.PURGED, None)
        assert lifecycle.event_details(event)["items"] == 3
    # The report reads exactly as before, its pictures are still there, and nothing else is.
    assert without_tokens(reader.get(report_page)) == without_tokens(published)
    for name, data in pictures.items():
        assert fetch(reader, f"{report_page}/pictures/{name}") == data
    files = stored_files(app)
    assert set(seeded.kept_pictures) <= files
    assert not (set(seeded.pictures) - set(seeded.kept_pictures)) & files
    assert seeded.export_dir.is_dir()
    page = anna.get(f"/facilitator/workshops/{seeded.workshop_id}").get_data(as_text=True)
    assert "Raw contributions were deleted on" in page and "the published report remains" in page
    log = anna.get("/facilitator/audit").get_data(as_text=True)
    assert "Raw contributions deleted after the retention period" in log and "The system" in log

    # A second run (tomorrow's) finds nothing left to do.
    assert purge(app, RETENTION_DAYS + 2) == []
    assert row_counts(app) == after


def test_a_workshop_opened_again_after_a_purge_is_purged_again_when_closed_again(app, small):
    app.config["RETENTION_DAYS"] = 0  # due as soon as it is closed
    close(app, small)
    assert [entry.counts["items"] for entry in purge(app, 0)] == [2]
    with app.app_context():
        workshop = db.session.get(Workshop, small.workshop_id)
        reopen_workshop(workshop)
        room = Room(workshop, boards(workshop), None)
        contribute(room, room.participant(), "note", "Vielä yksi asia")
    assert purge(app, 0) == []  # open again: not due

    close(app, small)

    assert [entry.counts["items"] for entry in purge(app, 0)] == [1]
    assert rows_of_workshop(app, small.workshop_id).keys() == {"board"}
    with app.app_context():
        assert [event.action for event in lifecycle.audit_events()] == [lifecycle.PURGED, lifecycle.PURGED]


def test_the_server_purges_what_is_due_when_it_starts(app, small):
    from workshop.startup import purge_expired as purge_at_start_up

    app.config["RETENTION_DAYS"] = 0  # due as soon as closed
    close(app, small)
    purge_at_start_up(app)
    assert not set(small.pictures) & stored_files(app), "the photo nobody's report shows is gone"
    with app.app_context():
        assert db.session.get(Workshop, small.workshop_id).purged_at is not None
