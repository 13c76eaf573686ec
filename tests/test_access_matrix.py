"""Who may open what: every endpoint × every kind of visitor, with the answer each must get.

One table (`EXPECTED`) names, for every route of the app and each of its methods, the answer
for each actor: nobody, a participant of this workshop, a participant of another workshop,
and a logged-in outreach worker, facilitator, handler (a unit's supervisor), director,
working-group member and admin. A route the table does not classify fails the test, and so
does a row for a route that is gone: a new view cannot slip through unclassified.

The world (two workshops with something of everything, an organisation with reports in two
sectors, street notes, a report with a round, links and a public page) is built once for
the module. Reads run on it as it is; every write starts from a copy of it made before the
first test, and a refused write must leave every table exactly as it was.

By design any facilitator is staff in every workshop (one centre's team shares the
workshops), so the facilitator's column reads "ok" for workshop A although A was made by
someone else's account.
"""
from __future__ import annotations

import contextlib
import re
import shutil
import sqlite3
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from workshop import create_app
from workshop.extensions import db, limiter

from .conftest import API_HEADERS, FORM_KEY, PASSWORD, POSTGRES_SERVER, SharedTemplateCache, make_config, make_picture

pytestmark = pytest.mark.skipif(bool(POSTGRES_SERVER), reason="copies the SQLite world between write tests")

# -- the answers ------------------------------------------------------------------------------

OK = "ok"              # 2xx, or a 3xx that is not the login wall: let in
NOOP = "no-op"         # 2xx, but nothing changed: e.g. taking back what is not one's own, as a repeat
LOGIN = "login"        # 401, or the login wall's redirect (302) to the login page
FORBIDDEN = "forbidden"  # 403
HIDDEN = "hidden"      # 404: the thing is not there for this visitor (or not at all)

ACTORS = ("none", "participant", "other_participant", "worker", "facilitator", "handler", "director",
          "working_group", "admin")


def row(*answers: str) -> dict[str, str]:
    """One line of the table: the answers in the order of `ACTORS`."""
    assert len(answers) == len(ACTORS)
    return dict(zip(ACTORS, answers))


L, F, H, O = LOGIN, FORBIDDEN, HIDDEN, OK

# The usual shapes, by who the pages are for.       none part other work facil handl direc wgrp admin
PUBLIC = row(O, O, O, O, O, O, O, O, O)
NOWHERE = row(H, H, H, H, H, H, H, H, H)                # an unknown key or token; the first run, done
FACILITATOR_PAGE = row(L, L, L, F, O, F, F, F, F)
FACILITATOR_ITEM = row(L, L, L, F, H, F, F, F, F)       # a page about something that is not there
WORKSHOP_API = row(F, O, F, F, O, F, F, F, F)           # this workshop's phones and staff
STAFF_API = row(F, F, F, F, O, F, F, F, F)              # this workshop's staff only
STAFF_API_404 = row(F, F, F, F, H, F, F, F, F)          # staff only, about something not there
NOBODY_API = row(F, F, F, F, F, F, F, F, F)             # e.g. the shared tablet's own button
STREET_PAGE = row(L, L, L, O, O, F, F, F, F)            # outreach workers and facilitators
STREET_FACILITATOR_PAGE = row(L, L, L, F, O, F, F, F, F)
STREET_API = row(L, F, F, O, O, F, F, F, F)             # 401 to nobody, 403 to a phone
STREET_FACILITATOR_API = row(L, F, F, F, O, F, F, F, F)
HANDLING = row(L, L, L, F, F, O, O, F, F)               # supervisors and directors
HANDLING_OWN = row(L, L, L, F, F, O, O, F, F)           # a report of the handler's unit (director's sector)
HANDLING_OTHER = row(L, L, L, F, F, H, H, F, F)         # a report of another sector's unit
SUMMARY_READ = row(L, L, L, F, F, F, O, O, F)           # the working group, directors read
SUMMARY_WRITE = row(L, L, L, F, F, F, F, O, F)          # only the working group writes
ORG = row(L, L, L, F, F, F, F, F, O)                    # the admin
LOGGED_IN = row(L, L, L, O, O, O, O, O, O)              # any account (logging out)

#: (method, endpoint) or (method, endpoint, variant) → the answer for each actor.
#: A variant asks the same route about something else (another unit's report, another
#: workshop's thing under this workshop's code …); its URL is made in `_VARIANT_VALUES`.
EXPECTED: dict[tuple, dict[str, str]] = {
    # The participant's side and the always-open pages.
    ("GET", "static"): PUBLIC,
    ("GET", "participant.front"): PUBLIC,
    ("POST", "participant.join_typed"): PUBLIC,
    ("GET", "participant.join_link"): PUBLIC,           # anyone with the code joins workshop A
    ("GET", "participant.kiosk_link"): PUBLIC,          # the signed link makes a shared tablet
    ("POST", "language.switch"): PUBLIC,
    ("GET", "pwa.manifest"): PUBLIC,
    ("GET", "pwa.service_worker"): PUBLIC,
    ("GET", "pwa.offline"): PUBLIC,
    ("GET", "privacy.notice"): PUBLIC,
    # Logging in, out, and the first run.
    ("GET", "auth.login"): PUBLIC,                      # logged in: sent on to their home
    ("POST", "auth.login"): PUBLIC,
    ("POST", "auth.logout"): LOGGED_IN,
    ("GET", "auth.setup"): NOWHERE,                     # gone once the first account exists
    ("POST", "auth.setup"): NOWHERE,
    # The facilitator's pages (`facilitator.index` GET sends other accounts to their home).
    ("GET", "facilitator.index"): row(L, L, L, O, O, O, O, O, O),
    ("POST", "facilitator.index"): FACILITATOR_PAGE,
    ("POST", "facilitator.add_worker"): FACILITATOR_PAGE,
    ("GET", "facilitator.workshop"): FACILITATOR_PAGE,
    ("GET", "facilitator.workshop", "missing"): FACILITATOR_ITEM,
    ("POST", "facilitator.workshop"): FACILITATOR_PAGE,
    ("GET", "facilitator.close"): FACILITATOR_PAGE,
    ("POST", "facilitator.close"): FACILITATOR_PAGE,
    ("POST", "facilitator.reopen"): FACILITATOR_PAGE,
    ("GET", "facilitator.projector"): FACILITATOR_PAGE,
    ("GET", "facilitator.live_wall"): FACILITATOR_PAGE,
    ("GET", "facilitator.poster"): FACILITATOR_PAGE,
    ("GET", "facilitator.qr_code"): FACILITATOR_PAGE,
    ("GET", "facilitator.kiosk_qr_code"): FACILITATOR_PAGE,
    ("GET", "facilitator.run"): FACILITATOR_PAGE,
    ("POST", "facilitator.add_board"): FACILITATOR_PAGE,
    ("POST", "facilitator.lock_board"): FACILITATOR_PAGE,
    ("POST", "facilitator.add_question"): FACILITATOR_PAGE,
    ("POST", "facilitator.open_question"): FACILITATOR_PAGE,
    ("GET", "facilitator.delete"): FACILITATOR_PAGE,
    ("POST", "facilitator.delete"): FACILITATOR_PAGE,
    ("GET", "facilitator.audit"): FACILITATOR_PAGE,
    # The report's editor and its pages.
    ("GET", "report.editor"): FACILITATOR_PAGE,
    ("GET", "report.editor", "missing"): FACILITATOR_ITEM,
    ("POST", "report.create_draft"): FACILITATOR_PAGE,
    ("POST", "report.rename"): FACILITATOR_PAGE,
    ("GET", "report.section"): FACILITATOR_PAGE,
    ("POST", "report.section"): FACILITATOR_PAGE,
    ("GET", "report.section", "other workshop"): FACILITATOR_ITEM,  # B's section under A's id
    ("GET", "report.history"): FACILITATOR_PAGE,
    ("POST", "report.restore"): FACILITATOR_PAGE,
    ("POST", "report.add_section"): FACILITATOR_PAGE,
    ("POST", "report.remove_section"): FACILITATOR_PAGE,
    ("POST", "report.accept_suggestion"): FACILITATOR_PAGE,
    ("POST", "report.mark_suggestion"): FACILITATOR_PAGE,
    ("POST", "report.decline_suggestion"): FACILITATOR_PAGE,
    ("POST", "report.caption"): FACILITATOR_PAGE,
    ("GET", "report.export"): FACILITATOR_PAGE,
    ("POST", "report.write_files"): FACILITATOR_PAGE,
    ("GET", "report.download"): FACILITATOR_PAGE,
    ("POST", "report.publish"): FACILITATOR_PAGE,
    ("POST", "report.unpublish"): FACILITATOR_PAGE,
    ("GET", "report.public_qr"): FACILITATOR_PAGE,
    ("GET", "report.feedback"): FACILITATOR_PAGE,
    ("POST", "report.feedback"): FACILITATOR_PAGE,
    ("GET", "report.followup"): FACILITATOR_PAGE,
    ("POST", "report.followup"): FACILITATOR_PAGE,
    ("GET", "report.answer"): FACILITATOR_PAGE,
    ("POST", "report.answer"): FACILITATOR_PAGE,
    ("POST", "report.revoke_link"): FACILITATOR_PAGE,
    ("GET", "report.rounds"): FACILITATOR_PAGE,
    ("POST", "report.rounds"): FACILITATOR_PAGE,
    ("GET", "report.round"): FACILITATOR_PAGE,
    ("GET", "report.diff"): FACILITATOR_PAGE,
    ("POST", "report.reply_comment"): FACILITATOR_PAGE,
    ("POST", "report.hide_comment"): FACILITATOR_PAGE,
    # The report's public pages: the key or token in the address is the permission.
    ("GET", "published.report"): PUBLIC,
    ("GET", "published.report", "unknown key"): NOWHERE,
    ("GET", "published.picture"): PUBLIC,
    ("GET", "published.picture", "hidden picture"): NOWHERE,
    ("POST", "published.send_feedback"): PUBLIC,
    ("GET", "published.answer_page"): PUBLIC,
    ("GET", "published.answer_page", "unknown token"): NOWHERE,
    ("POST", "published.answer_page"): PUBLIC,
    ("GET", "published.answer_picture"): PUBLIC,
    ("GET", "published.reader_page"): PUBLIC,
    ("GET", "published.reader_page", "answer token"): NOWHERE,
    ("POST", "published.reader_page"): PUBLIC,
    ("GET", "published.reader_picture"): PUBLIC,
    # The workshop's JSON API (workshop A's code unless the variant says otherwise).
    ("GET", "api.changes_since"): WORKSHOP_API,
    ("GET", "api.changes_since", "unknown code"): NOWHERE,
    ("GET", "api.mine"): WORKSHOP_API,
    ("GET", "api.media"): WORKSHOP_API,
    ("GET", "api.media", "other workshop"): row(F, F, H, F, H, F, F, F, F),  # A's picture under B's code
    ("GET", "api.read_report"): WORKSHOP_API,
    ("GET", "api.report_comments"): WORKSHOP_API,
    ("GET", "api.follow_up"): WORKSHOP_API,
    ("GET", "api.feedback_summary"): STAFF_API,
    ("GET", "api.dashboard_overview"): STAFF_API,
    ("POST", "api.add_item"): WORKSHOP_API,
    ("DELETE", "api.withdraw_item"): row(F, O, F, F, H, F, F, F, F),   # one's own only
    ("DELETE", "api.withdraw_item", "other workshop"): row(F, F, H, F, H, F, F, F, F),
    ("PATCH", "api.update_item"): STAFF_API,
    ("PATCH", "api.update_item", "other workshop"): STAFF_API_404,
    ("POST", "api.add_board"): STAFF_API,
    ("PATCH", "api.update_board"): STAFF_API,
    ("PATCH", "api.update_board", "other workshop"): STAFF_API_404,
    ("POST", "api.add_theme"): STAFF_API,
    ("PATCH", "api.update_theme"): STAFF_API,
    ("DELETE", "api.remove_theme"): STAFF_API,
    ("PATCH", "api.update_workshop"): STAFF_API,
    ("POST", "api.reveal"): STAFF_API,
    ("POST", "api.add_question"): STAFF_API,
    ("PATCH", "api.update_question"): STAFF_API,
    ("POST", "api.cast_dot"): WORKSHOP_API,
    ("POST", "api.cast_dot", "other workshop"): row(F, F, H, F, H, F, F, F, F),  # A's option under B's code
    ("PATCH", "api.move_dot"): row(F, O, F, F, H, F, F, F, F),
    ("DELETE", "api.remove_dot"): row(F, O, F, F, H, F, F, F, F),
    # Taking back is idempotent for the outbox's replays: another's dot answers 200 and stays.
    ("DELETE", "api.remove_dot", "other workshop"): row(F, F, NOOP, F, NOOP, F, F, F, F),
    ("POST", "api.next_person"): NOBODY_API,
    ("POST", "api.give_feedback"): WORKSHOP_API,
    ("POST", "api.add_gathering"): STAFF_API,
    ("PATCH", "api.update_gathering"): STAFF_API,
    ("POST", "api.propose_topic"): WORKSHOP_API,
    ("DELETE", "api.withdraw_topic"): row(F, O, F, F, H, F, F, F, F),
    ("PATCH", "api.moderate_topic"): STAFF_API,
    ("POST", "api.start_topic_vote"): STAFF_API,
    ("PUT", "api.confirm_topic"): STAFF_API,
    ("POST", "api.add_idea"): STAFF_API,
    ("PATCH", "api.update_idea"): STAFF_API,
    ("DELETE", "api.remove_idea"): STAFF_API,
    ("POST", "api.start_idea_vote"): STAFF_API,
    ("POST", "api.add_survey"): STAFF_API,
    ("PATCH", "api.update_survey"): STAFF_API,
    ("POST", "api.answer_survey"): WORKSHOP_API,
    ("POST", "api.answer_survey", "other workshop"): row(F, F, H, F, H, F, F, F, F),
    ("POST", "api.suggest"): WORKSHOP_API,
    ("PATCH", "api.caption_picture"): row(F, O, F, F, O, F, F, F, F),  # staff any, a phone its own
    ("PUT", "api.save_section"): STAFF_API,
    ("POST", "api.preview"): STAFF_API,
    ("POST", "api.add_comment"): WORKSHOP_API,
    ("PUT", "api.agree"): WORKSHOP_API,
    ("PUT", "api.agree", "other workshop"): row(F, F, H, F, H, F, F, F, F),
    ("DELETE", "api.take_back_agreement"): WORKSHOP_API,
    ("POST", "api.reply"): STAFF_API,
    ("POST", "api.hide"): STAFF_API,
    # Street notes.
    ("GET", "street.index"): STREET_PAGE,
    ("GET", "street.notes_page"): STREET_FACILITATOR_PAGE,
    ("POST", "street.pull_to_wall"): STREET_FACILITATOR_PAGE,
    ("POST", "street.api.add_note"): STREET_API,
    ("GET", "street.api.list_notes"): STREET_API,
    ("POST", "street.api.pull_note"): STREET_FACILITATOR_API,
    ("GET", "street.api.media"): row(L, F, F, O, O, H, H, H, H),  # the author and facilitators
    # Professionals' social reporting: the form (its key is the permission) and tracking.
    ("GET", "observe.form"): PUBLIC,
    ("GET", "observe.form", "unknown key"): NOWHERE,
    ("POST", "observe.form"): PUBLIC,
    ("POST", "observe.api_file"): PUBLIC,
    ("GET", "observe.track"): PUBLIC,
    ("POST", "observe.track"): PUBLIC,
    # Handling: a report of the handler's own unit, and one of another sector.
    ("GET", "handling.inbox"): HANDLING,
    ("GET", "handling.report"): HANDLING_OWN,
    ("GET", "handling.report", "other unit"): HANDLING_OTHER,
    ("POST", "handling.report"): HANDLING_OWN,
    ("POST", "handling.report", "other unit"): HANDLING_OTHER,
    # The working group's summary (directors read it).
    ("GET", "summary.index"): SUMMARY_READ,
    ("GET", "summary.export_csv"): SUMMARY_READ,
    ("GET", "summary.export_html"): SUMMARY_READ,
    ("GET", "summary.export_pdf"): SUMMARY_READ,
    ("GET", "summary.reports"): SUMMARY_READ,
    ("GET", "summary.report"): SUMMARY_READ,
    ("POST", "summary.report"): SUMMARY_WRITE,
    ("GET", "summary.street_notes"): SUMMARY_READ,
    ("POST", "summary.street_notes"): SUMMARY_WRITE,
    ("GET", "summary.themes"): SUMMARY_READ,
    ("POST", "summary.themes"): SUMMARY_WRITE,
    ("GET", "summary.targets"): SUMMARY_READ,
    ("POST", "summary.targets"): SUMMARY_WRITE,
    # The organisation's settings and accounts.
    ("GET", "org.index"): ORG,
    ("POST", "org.index"): ORG,
    ("GET", "org.units"): ORG,
    ("POST", "org.units"): ORG,
    ("GET", "org.areas"): ORG,
    ("POST", "org.areas"): ORG,
    ("GET", "org.services"): ORG,
    ("POST", "org.services"): ORG,
    ("GET", "org.accounts"): ORG,
    ("POST", "org.accounts"): ORG,
}

#: GETs that write (a phone joins, a tablet is marked): run like writes, on a fresh copy.
WRITING_GETS = {"participant.join_link", "participant.kiosk_link"}


# -- the world --------------------------------------------------------------------------------


def _quick_hash(password: str) -> str:
    from werkzeug.security import generate_password_hash

    return generate_password_hash(password, method="pbkdf2:sha256:1")


#: The staff actors' user names (the seeded organisation's, plus a facilitator and a worker).
STAFF_NAMES = {"worker": "ville", "facilitator": "anna", "handler": "hanna", "director": "dora",
               "working_group": "wilma", "admin": "aatu"}


@dataclass
class World:
    """The app, what is in it (ids, names, tokens by name) and each actor's cookies."""

    app: object
    values: dict
    cookies: dict[str, dict[str, str]] = field(default_factory=dict)
    #: Every table's rows as built (see `snapshot`), and whether a test may have changed them.
    pristine: dict[str, int] = field(default_factory=dict)
    dirty: bool = False
    restore: Callable[[], None] = lambda: None

    def client(self, actor: str):
        """A new browser with `actor`'s cookies (none for "none")."""
        client = self.app.test_client()
        for name, value in self.cookies[actor].items():
            client.set_cookie(name, value)
        return client


def _build(app) -> dict:
    """Fill the empty database: two workshops with one of everything, an organisation, street notes.

    Made through the rules themselves (not HTTP), as the staff and phones would make them.
    """
    from workshop import (contributions, followup, gatherings, ideas, kiosk, observations, reader_feedback, report,
                          report_export, report_links, report_rounds, street, surveys, themes, topics, votes, wall)
    from workshop.accounts import create_account
    from workshop.actors import Actor
    from workshop.models import (Area, Observation, ObservationEvent, ObservationStatus, Organisation, Role, Sector,
                                 Service, StreetCategory, StreetNature, Unit, utcnow)
    from workshop.workshops import create_workshop, join, new_device_token

    values: dict = {}
    with app.app_context():
        accounts = {name: create_account(name, PASSWORD, Role(role)) for name, role in [
            ("anna", "facilitator"), ("paula", "facilitator"), ("ville", "worker"), ("dora", "director"),
            ("teo", "director"), ("hanna", "handler"), ("hilla", "handler"), ("wilma", "working_group"),
            ("aatu", "admin")]}
        db.session.add(Organisation(name="Satakunnan hyvinvointialue", form_key=FORM_KEY))
        family = Sector(name="Perhe- ja sosiaalipalvelut", director_id=accounts["dora"].id, position=1)
        health = Sector(name="Terveyspalvelut", director_id=accounts["teo"].id, position=2)
        adults = Unit(sector=family, name="Aikuissosiaalityö", supervisor_id=accounts["hanna"].id, position=1)
        clinic = Unit(sector=health, name="Päihdeklinikka", supervisor_id=accounts["hilla"].id, position=1)
        db.session.add_all([family, health, adults, clinic, Area(name="Pori", position=1),
                            Service(name="Päihdepalvelut", position=1)])
        db.session.commit()

        # Workshop A, made by paula: anna is staff in it all the same (one centre's team).
        this = create_workshop("Päiväkeskus Kalliola", "Kallio", created_by=accounts["paula"])
        other = create_workshop("Asukastupa Toivo", "Toivola")
        staff = Actor(account=accounts["anna"])
        alice, alice_token = join(this, new_device_token())
        bob, bob_token = join(other, new_device_token())
        alice, bob = Actor(participant=alice), Actor(participant=bob)
        board = wall.boards(this)[0]
        note = contributions.submit(this, alice, {"uuid": str(uuid.uuid4()), "kind": "note", "text": "Kahvia",
                                                  "board_id": board.id}).item
        drawing = contributions.submit(this, alice, {"uuid": str(uuid.uuid4()), "kind": "drawing", "text": "Aurinko",
                                                     "board_id": board.id}, image=make_picture()).item
        hidden = contributions.submit(this, staff, {"uuid": str(uuid.uuid4()), "kind": "drawing", "text": "Piilo",
                                                    "board_id": board.id}, image=make_picture()).item
        theme = wall.create_theme(this, staff, {"name": "Asuminen"})
        question = votes.create_question(this, staff, {"title": "Aihe?", "options": ["A", "B"]})
        dot = votes.cast(this, alice, {"uuid": str(uuid.uuid4()), "option_id": question.options[0].id}).item
        topic = topics.propose(this, alice, {"uuid": str(uuid.uuid4()), "text": "Asuminen"}).item
        topics.propose(this, staff, {"uuid": str(uuid.uuid4()), "text": "Ruoka"})  # a vote needs two
        idea = ideas.create(this, staff, {"statement": "Lisää kahvia"})
        ideas.create(this, staff, {"statement": "Pidemmät aukioloajat"})
        survey = surveys.create_survey(this, staff, {"kind": "text", "title": "Mitä?"}).item
        gathering = gatherings.create(this, staff, {"title": "Tiistai"})
        target = followup.add_target(this, staff, {"target": "Vertaistuki"})
        drafted = report.create_draft(this, staff)
        section = report.live_sections(drafted)[0]
        section.body = f"Päiväkeskus on auki.\n\n![](picture:{drawing.id})\n\n![](picture:{hidden.id})\n"
        db.session.commit()
        wall.update_item(this, staff, hidden.id, {"hidden": True})
        suggestion = report.suggest(this, alice, {"uuid": str(uuid.uuid4()), "section_id": section.id,
                                                  "kind": "add", "text": "Lisää tähän."}).item
        report_rounds.open_round(this, staff, {})
        carol = Actor(participant=join(this, new_device_token())[0])  # alice may +1 only others' comments
        comment = report_rounds.add_comment(this, carol, {"uuid": str(uuid.uuid4()), "section_id": section.id,
                                                          "text": "Hyvä näin."}).item
        answer_link, answer_path = report_links.create_link(this, staff, "answer", "Johtaja", 10)
        _link, reader_path = report_links.create_link(this, staff, "reader", "Kumppani", 10)
        published = report_export.publish(this, staff)
        reader_feedback.send(published, {"text": "Hyvä raportti."})
        report_export.write_exports(published)

        other_board = wall.boards(other)[0]
        other_note = contributions.submit(other, bob, {"uuid": str(uuid.uuid4()), "kind": "note", "text": "Teetä",
                                                       "board_id": other_board.id}).item
        other_section = report.live_sections(report.create_draft(other, staff))[0]

        written = (datetime.now(timezone.utc) - timedelta(minutes=1)).isoformat()
        street_note = street.file_note(Actor(account=accounts["ville"]), {
            "uuid": str(uuid.uuid4()), "text": "Nuori kysyi yöpaikkaa", "nature": "negative",
            "category": "social_problems", "area": "Keskusta", "written_at": written},
            image=make_picture("JPEG")).note

        def observation(unit: Unit) -> Observation:
            filed = Observation(number=observations.new_number(), uuid=str(uuid.uuid4()), body_hash="hash",
                                unit_id=unit.id, nature=StreetNature.NEGATIVE, category=StreetCategory.SOCIAL_PROBLEMS,
                                description="Asunnottomia nuoria on enemmän", contact="", written_at=utcnow())
            db.session.add(filed)
            db.session.flush()
            db.session.add(ObservationEvent(observation_id=filed.id, status=ObservationStatus.RECEIVED))
            db.session.commit()
            return filed

        own, foreign = observation(adults), observation(clinic)
        summary_theme = themes.add_theme(accounts["wilma"], {"name": "Asunnottomuus"})

        values.update(
            code=this.join_code, other_code=other.join_code, workshop_id=this.id, other_workshop_id=other.id,
            alice_token=alice_token, bob_token=bob_token, kiosk_token=kiosk.token_for(this),
            board_id=board.id, other_board_id=other_board.id, item_id=drawing.id, note_id_in_a=note.id,
            item_uuid=note.uuid, other_item_id=other_note.id, picture=drawing.image_name,
            hidden_picture=hidden.image_name, theme_id=theme.id, question_id=question.id,
            option_ids=[option.id for option in question.options], dot_uuid=dot.uuid, topic_id=topic.id,
            topic_uuid=topic.uuid, idea_id=idea.id, survey_id=survey.id, gathering_id=gathering.id,
            target_id=target.id, section_id=section.id, section_version=section.version,
            other_section_id=other_section.id, suggestion_id=suggestion.id, comment_id=comment.id,
            link_id=answer_link.id, answer_token=answer_path.rsplit("/", 1)[1],
            reader_token=reader_path.rsplit("/", 1)[1], key=published.public_key, street_note_id=street_note.id,
            street_picture=street_note.image_name, observation_id=own.id, other_observation_id=foreign.id,
            observation_number=own.number, unit_id=adults.id, summary_theme_id=summary_theme.id,
            # What a wall that is up to date has seen: it then asks only for what is new.
            seen={this.join_code: this.last_seq, other.join_code: other.last_seq},
        )
    return values


def _listing(folder: Path) -> list[tuple[str, int]]:
    return sorted((str(path), path.stat().st_size) for path in folder.rglob("*") if path.is_file())


def _log_in(app, name: str) -> str:
    client = app.test_client()
    response = client.post("/facilitator/login", data={"username": name, "password": PASSWORD})
    assert response.status_code == 303, name
    return client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value


@pytest.fixture(scope="module")
def world(tmp_path_factory, migrated_database):
    """The module's world, built once; `world.restore()` puts it back as it was built."""
    from workshop import report_export, summary_export

    # Laying out a PDF takes WeasyPrint seconds; who may write or fetch the files does not
    # depend on what is in them (the PDFs have their own tests).
    patch = pytest.MonkeyPatch()
    patch.setattr(report_export, "export_pdf", lambda report: b"%PDF-1.4\n")
    patch.setattr(summary_export, "export_pdf", lambda summary: b"%PDF-1.4\n")
    patch.setattr("workshop.accounts.generate_password_hash", _quick_hash)  # accounts made by the tests
    directory = tmp_path_factory.mktemp("access")
    config = make_config(directory)
    sessions = Path(config["SESSIONS_DIR"])
    shutil.copyfile(migrated_database, config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
    app = create_app(config)
    app.jinja_env.bytecode_cache = _TEMPLATES
    values = _build(app)
    device = app.config["DEVICE_COOKIE_NAME"]
    built = World(app, values, {"none": {}, "participant": {device: values["alice_token"]},
                                "other_participant": {device: values["bob_token"]}})
    session_cookie = app.config["SESSION_COOKIE_NAME"]
    for actor, name in STAFF_NAMES.items():
        built.cookies[actor] = {session_cookie: _log_in(app, name)}
    with app.app_context():
        db.engine.dispose()
    database = Path(config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
    pristine = directory / "pristine"
    shutil.copytree(sessions, pristine)
    exports = Path(config["EXPORTS_DIR"])
    shutil.copytree(exports, directory / "pristine-exports")
    folders = {sessions: pristine, exports: directory / "pristine-exports"}
    listings = {folder: _listing(folder) for folder in folders}

    def restore():
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        for leftover in database.parent.glob(database.name + "-*"):  # a write-ahead log of the copy gone
            leftover.unlink()
        shutil.copyfile(pristine / database.relative_to(sessions), database)
        for folder, source in folders.items():  # pictures and exported files, when a write touched them
            if _listing(folder) != listings[folder]:
                shutil.rmtree(folder)
                shutil.copytree(source, folder)

    built.restore = restore
    built.pristine = snapshot(app)
    yield built
    patch.undo()
    with app.app_context():
        db.engine.dispose()
    limiter.reset()


_TEMPLATES = SharedTemplateCache()


# -- the requests -----------------------------------------------------------------------------


def _url_values(world: World, endpoint: str, variant: str | None) -> dict:
    """What fills each `<variable>` of the route, for this endpoint and variant."""
    v = world.values
    values = {
        "code": v["code"], "workshop_id": v["workshop_id"], "board_id": v["board_id"], "item_id": v["item_id"],
        "item_uuid": v["item_uuid"], "theme_id": v["theme_id"], "question_id": v["question_id"],
        "dot_uuid": v["dot_uuid"], "topic_id": v["topic_id"], "topic_uuid": v["topic_uuid"], "idea_id": v["idea_id"],
        "survey_id": v["survey_id"], "gathering_id": v["gathering_id"], "section_id": v["section_id"],
        "comment_id": v["comment_id"], "suggestion_id": v["suggestion_id"], "number": 1, "version": 1,
        "link_id": v["link_id"], "format": "html", "observation_id": v["observation_id"],
        "note_id": v["street_note_id"], "form_key": FORM_KEY, "key": v["key"], "name": v["picture"],
        "filename": "css/app.css",
        "token": {"participant.kiosk_link": v["kiosk_token"], "published.answer_page": v["answer_token"],
                  "published.answer_picture": v["answer_token"]}.get(endpoint, v["reader_token"]),
    }
    if endpoint == "street.api.media":
        values["name"] = v["street_picture"]
    values.update(_VARIANT_VALUES.get((endpoint, variant), lambda v: {})(v))
    return values


#: How each variant's address differs from the endpoint's usual one.
_VARIANT_VALUES = {
    ("facilitator.workshop", "missing"): lambda v: {"workshop_id": 99999},
    ("report.editor", "missing"): lambda v: {"workshop_id": 99999},
    ("report.section", "other workshop"): lambda v: {"section_id": v["other_section_id"]},
    ("published.report", "unknown key"): lambda v: {"key": "x" * 22},
    ("published.picture", "hidden picture"): lambda v: {"name": v["hidden_picture"]},
    ("published.answer_page", "unknown token"): lambda v: {"token": "A" * 43},
    ("published.reader_page", "answer token"): lambda v: {"token": v["answer_token"]},
    ("api.changes_since", "unknown code"): lambda v: {"code": "ZZZZZZ"},
    # Workshop B's code with workshop A's things: B's phone must not reach A's.
    ("api.media", "other workshop"): lambda v: {"code": v["other_code"]},
    ("api.withdraw_item", "other workshop"): lambda v: {"code": v["other_code"]},
    ("api.cast_dot", "other workshop"): lambda v: {"code": v["other_code"]},
    ("api.remove_dot", "other workshop"): lambda v: {"code": v["other_code"]},
    ("api.answer_survey", "other workshop"): lambda v: {"code": v["other_code"]},
    ("api.agree", "other workshop"): lambda v: {"code": v["other_code"]},
    # Workshop A's code with workshop B's things: staff of A reach only what is A's.
    ("api.update_item", "other workshop"): lambda v: {"item_id": v["other_item_id"]},
    ("api.update_board", "other workshop"): lambda v: {"board_id": v["other_board_id"]},
    ("handling.report", "other unit"): lambda v: {"observation_id": v["other_observation_id"]},
    ("observe.form", "unknown key"): lambda v: {"form_key": "not-the-key-0123456789abcdefghij"},
}


def _fresh_uuid(_v) -> str:
    return str(uuid.uuid4())


#: A minimal valid body for each write, as its page or script sends it (`json` for the API).
BODIES = {
    ("POST", "participant.join_typed"): lambda v: {"data": {"code": v["code"]}},
    ("POST", "language.switch"): lambda v: {"data": {"lang": "sv", "next": "/"}},
    ("POST", "auth.login"): lambda v: {"data": {"username": "anna", "password": PASSWORD}},
    ("POST", "auth.setup"): lambda v: {"data": {"username": "uusi", "password": PASSWORD, "confirm": PASSWORD}},
    ("POST", "facilitator.index"): lambda v: {"data": {"title": "Uusi paja", "place": "Kallio", "language": "fi"}},
    ("POST", "facilitator.add_worker"): lambda v: {"data": {"worker-username": "uusi", "worker-password": PASSWORD,
                                                            "worker-confirm": PASSWORD}},
    ("POST", "facilitator.workshop"): lambda v: {"data": {"title": "Uusi nimi"}},
    ("POST", "facilitator.add_board"): lambda v: {"data": {"title": "Uusi taulu"}},
    ("POST", "facilitator.lock_board"): lambda v: {"data": {"locked": "1"}},
    ("POST", "facilitator.add_question"): lambda v: {"data": {"title": "Mikä?", "options": "A\nB",
                                                              "dots_per_person": "1"}},
    ("POST", "facilitator.open_question"): lambda v: {"data": {"open": "0"}},
    ("POST", "facilitator.delete"): lambda v: {"data": {"code": v["code"]}},
    ("POST", "report.rename"): lambda v: {"data": {"title": "Raportti"}},
    ("POST", "report.section"): lambda v: {"data": {"title": "Alku", "body": "Uusi teksti.",
                                                    "base_version": str(v["section_version"])}},
    ("POST", "report.add_section"): lambda v: {"data": {"title": "Uusi osa"}},
    ("POST", "report.decline_suggestion"): lambda v: {"data": {"reason": "Ei nyt."}},
    ("POST", "report.caption"): lambda v: {"data": {"caption": "Aurinko paistaa"}},
    ("POST", "report.feedback"): lambda v: {"data": {"action": "approve", "feedback_id": "1"}},
    ("POST", "report.followup"): lambda v: {"data": {"action": "add", "new-target": "Ruokaa"}},
    ("POST", "report.answer"): lambda v: {"data": {"answer-label": "Johtaja", "answer-days": "7"}},
    ("POST", "report.rounds"): lambda v: {"data": {"action": "link", "link-label": "Kumppani", "link-days": "7"}},
    ("POST", "report.reply_comment"): lambda v: {"data": {"status": "addressed", "reply": "Kiitos."}},
    ("POST", "published.send_feedback"): lambda v: {"data": {"text": "Hyvä raportti."}},
    ("POST", "published.answer_page"): lambda v: {"data": {"by": "Johtaja", "text": "Vastaamme pian."}},
    ("POST", "published.reader_page"): lambda v: {"data": {"section_id": str(v["section_id"]), "text": "Hyvä."}},
    ("POST", "street.pull_to_wall"): lambda v: {"data": {"target": f"{v['workshop_id']}:{v['board_id']}"}},
    ("POST", "street.api.add_note"): lambda v: {"json": {
        "uuid": _fresh_uuid(v), "text": "Nuori kysyi yöpaikkaa", "nature": "negative", "category": "social_problems",
        "area": "Keskusta", "written_at": (datetime.now(timezone.utc) - timedelta(minutes=1)).isoformat()}},
    ("POST", "street.api.pull_note"): lambda v: {"json": {"workshop_id": v["workshop_id"], "board_id": v["board_id"]}},
    ("POST", "observe.form"): lambda v: {"data": _observation_body(v)},
    ("POST", "observe.api_file"): lambda v: {"json": _observation_body(v)},
    ("POST", "observe.track"): lambda v: {"data": {"number": v["observation_number"]}},
    ("POST", "handling.report"): lambda v: {"data": {"action": "status", "status": "considering", "note": "Selvitän."}},
    ("POST", "summary.report"): lambda v: {"data": {"needs": "housing"}},
    ("POST", "summary.street_notes"): lambda v: {"data": {"street_note_id": str(v["street_note_id"])}},
    ("POST", "summary.themes"): lambda v: {"data": {"action": "add", "new-name": "Päihteet"}},
    ("POST", "summary.targets"): lambda v: {"data": {"action": "add", "new-target": "Päihdestrategia"}},
    ("POST", "org.index"): lambda v: {"data": {"action": "organisation-name", "organisation-name": "Satakunta"}},
    ("POST", "org.units"): lambda v: {"data": {"action": "sector-add", "sector-add-name": "Ikääntyneet"}},
    ("POST", "org.areas"): lambda v: {"data": {"action": "area-add", "area-add-name": "Harjavalta"}},
    ("POST", "org.services"): lambda v: {"data": {"action": "service-add", "service-add-name": "Kotihoito"}},
    ("POST", "org.accounts"): lambda v: {"data": {"action": "account-add", "account-add-username": "uusi",
                                                  "account-add-role": "handler", "account-add-password": PASSWORD,
                                                  "account-add-password_again": PASSWORD}},
    # The workshop's API.
    ("POST", "api.add_item"): lambda v: {"json": {"uuid": _fresh_uuid(v), "kind": "note", "text": "Uusi",
                                                  "board_id": v["board_id"]}},
    ("PATCH", "api.update_item"): lambda v: {"json": {"hidden": True}},
    ("POST", "api.add_board"): lambda v: {"json": {"title": "Uusi"}},
    ("PATCH", "api.update_board"): lambda v: {"json": {"title": "Uusi nimi"}},
    ("POST", "api.add_theme"): lambda v: {"json": {"name": "Teema"}},
    ("PATCH", "api.update_theme"): lambda v: {"json": {"name": "Uusi nimi"}},
    ("PATCH", "api.update_workshop"): lambda v: {"json": {"reveal_mode": True}},
    ("POST", "api.add_question"): lambda v: {"json": {"title": "Mikä?", "options": ["A", "B"]}},
    ("PATCH", "api.update_question"): lambda v: {"json": {"open": False}},
    ("POST", "api.cast_dot"): lambda v: {"json": {"uuid": _fresh_uuid(v), "option_id": v["option_ids"][1]}},
    ("PATCH", "api.move_dot"): lambda v: {"json": {"option_id": v["option_ids"][1]}},
    ("POST", "api.give_feedback"): lambda v: {"json": {"uuid": _fresh_uuid(v), "phase": "mapping", "rating": 4}},
    ("POST", "api.add_gathering"): lambda v: {"json": {"title": "Torstai"}},
    ("PATCH", "api.update_gathering"): lambda v: {"json": {"title": "Keskiviikko"}},
    ("POST", "api.propose_topic"): lambda v: {"json": {"uuid": _fresh_uuid(v), "text": "Ruoka"}},
    ("PATCH", "api.moderate_topic"): lambda v: {"json": {"hidden": True}},
    ("POST", "api.start_topic_vote"): lambda v: {"json": {"dots_per_person": 1}},
    ("PUT", "api.confirm_topic"): lambda v: {"json": {"text": "Asuminen"}},
    ("POST", "api.add_idea"): lambda v: {"json": {"statement": "Lisää penkkejä"}},
    ("PATCH", "api.update_idea"): lambda v: {"json": {"statement": "Paljon kahvia"}},
    ("POST", "api.start_idea_vote"): lambda v: {"json": {"dots_per_person": 1}},
    ("POST", "api.add_survey"): lambda v: {"json": {"kind": "text", "title": "Miksi?"}},
    ("PATCH", "api.update_survey"): lambda v: {"json": {"open": False}},
    ("POST", "api.answer_survey"): lambda v: {"json": {"uuid": _fresh_uuid(v), "text": "Siksi"}},
    ("POST", "api.suggest"): lambda v: {"json": {"uuid": _fresh_uuid(v), "section_id": v["section_id"], "kind": "add",
                                                 "text": "Lisää."}},
    ("PATCH", "api.caption_picture"): lambda v: {"json": {"caption": "Aurinko paistaa"}},
    ("PUT", "api.save_section"): lambda v: {"json": {"base_version": v["section_version"], "title": "Alku",
                                                     "body": "Uusi teksti."}},
    ("POST", "api.preview"): lambda v: {"json": {"body": "Teksti."}},
    ("POST", "api.add_comment"): lambda v: {"json": {"uuid": _fresh_uuid(v), "section_id": v["section_id"],
                                                     "text": "Hyvä."}},
    ("POST", "api.reply"): lambda v: {"json": {"status": "addressed", "reply": "Kiitos."}},
    ("POST", "api.hide"): lambda v: {"json": {"hidden": True}},
}


def _observation_body(v) -> dict:
    return {"uuid": str(uuid.uuid4()), "written_at": datetime.now(timezone.utc).isoformat(), "unit": v["unit_id"],
            "professional_group": "social_care", "nature": "negative", "category": "own_resources",
            "description": "Asiakkaat jonottavat.", "observed_how": "own_work"}


def _is_write(method: str, endpoint: str) -> bool:
    return method != "GET" or endpoint in WRITING_GETS


def _request(world: World, actor: str, key: tuple):
    """Send the request of table row `key` as `actor`; return the response."""
    method, endpoint, variant = (*key, None)[:3]
    rule = next(rule for rule in world.app.url_map.iter_rules(endpoint) if method in rule.methods)
    values = _url_values(world, endpoint, variant)
    url = re.sub(r"<(?:\w+:)?(\w+)>", lambda match: str(values[match.group(1)]), rule.rule)
    kwargs = BODIES.get((method, endpoint), lambda v: {})(world.values)
    if endpoint.startswith(("api.", "street.api.", "observe.api")):
        kwargs["headers"] = API_HEADERS
    limiter.reset()  # every request starts with full budgets: limits have their own tests
    response = world.client(actor).open(url, method=method, **kwargs)
    response.get_data()
    response.close()  # a file's answer keeps it open until closed
    return response


def assert_no_data_in_a_refusal(response) -> None:
    """A refused API request gets the one error shape and nothing else: never data."""
    if response.status_code in (401, 403, 404) and response.is_json:
        body = response.get_json()
        assert body["ok"] is False and set(body) <= {"ok", "error", "errors"}, body


def _said(response) -> str:
    return f"{response.status_code} {response.headers.get('Location', '')} {response.get_data(as_text=True)[:300]}"


def answer_class(response) -> str:
    """The kind of answer a response is, in the table's words."""
    status = response.status_code
    # The login wall answers 302; a POST that worked answers 303, even one going to the login
    # page (logging out).
    if status == 401 or (status == 302 and "/facilitator/login" in response.headers.get("Location", "")):
        return LOGIN
    if status < 400:
        return OK
    if status == 403:
        return FORBIDDEN
    if status == 404:
        return HIDDEN
    return f"status {status}"


def table_answer(key: tuple, actor: str) -> str:
    """The expected answer, with NOOP read as the 2xx it is."""
    expected = EXPECTED[key][actor]
    return OK if expected == NOOP else expected


def snapshot(app) -> dict[str, int]:
    """Every row of every table (a hash of each table's rows), to compare before and after a
    refused write. Read with the sqlite3 module itself: ten times faster than through the ORM."""
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
        return {table.name: hash(tuple(connection.execute(f'SELECT * FROM "{table.name}" ORDER BY rowid')))
                for table in db.metadata.sorted_tables}


# -- the table covers the app -----------------------------------------------------------------


def _routes(app) -> set[tuple[str, str]]:
    return {(method, rule.endpoint) for rule in app.url_map.iter_rules()
            for method in rule.methods - {"HEAD", "OPTIONS"}}


def test_the_table_classifies_every_route_and_method(world):
    missing = _routes(world.app) - {key[:2] for key in EXPECTED}
    assert not missing, f"classify these in EXPECTED: {sorted(missing)}"


def test_the_table_names_only_routes_that_exist(world):
    gone = {key[:2] for key in EXPECTED} - _routes(world.app)
    assert not gone, f"these are gone from the app: {sorted(gone)}"


def test_every_variant_has_its_own_address(world):
    variants = {(key[1], key[2]) for key in EXPECTED if len(key) == 3}
    assert variants == set(_VARIANT_VALUES)


# -- the matrix -------------------------------------------------------------------------------

READS = [key for key in EXPECTED if not _is_write(*key[:2])]
WRITES = [key for key in EXPECTED if _is_write(*key[:2])]


def _ids(key: tuple) -> str:
    return " ".join(key[:2]) + (f" [{key[2]}]" if len(key) == 3 else "")


@pytest.fixture
def clean_world(world):
    """The world as built: put back if a write before changed it."""
    if world.dirty:
        world.restore()
        world.dirty = False
    return world


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("key", READS, ids=_ids)
def test_a_read_gets_the_expected_answer(clean_world, key, actor):
    response = _request(clean_world, actor, key)
    assert answer_class(response) == table_answer(key, actor), _said(response)
    assert_no_data_in_a_refusal(response)


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("key", WRITES, ids=_ids)
def test_a_write_gets_the_expected_answer_and_a_refusal_changes_nothing(clean_world, key, actor):
    expected = table_answer(key, actor)
    before = clean_world.pristine if EXPECTED[key][actor] != OK else None
    clean_world.dirty = True  # until shown otherwise
    response = _request(clean_world, actor, key)
    assert answer_class(response) == expected, _said(response)
    assert_no_data_in_a_refusal(response)
    if before is not None:
        after = snapshot(clean_world.app)
        changed = {name for name in before if before[name] != after[name]}
        assert not changed, f"{_ids(key)} as {actor} changed {sorted(changed)}"
        clean_world.dirty = False


# -- the socket -------------------------------------------------------------------------------

#: (event, variant) → the acknowledgement each actor gets; "other workshop" sends workshop B's
#: code with workshop A's board or option.
SOCKET_EXPECTED = {
    ("watch", None): WORKSHOP_API,
    ("add_item", None): WORKSHOP_API,
    ("add_item", "other workshop"): row(F, F, H, F, H, F, F, F, F),
    ("cast_dot", None): WORKSHOP_API,
    ("cast_dot", "other workshop"): row(F, F, H, F, H, F, F, F, F),
}


def _socket_data(world: World, event: str, variant: str | None) -> dict:
    v = world.values
    code = v["other_code"] if variant == "other workshop" else v["code"]
    return {"watch": {"code": code, "since": v["seen"][code]},
            "add_item": {"code": code, "uuid": str(uuid.uuid4()), "kind": "note", "text": "Uusi",
                         "board_id": v["board_id"]},
            "cast_dot": {"code": code, "uuid": str(uuid.uuid4()), "option_id": v["option_ids"][1]}}[event]


def ack_class(ack: dict) -> str:
    """The kind of answer an acknowledgement is, in the table's words."""
    if ack.get("ok"):
        return OK
    return {403: FORBIDDEN, 404: HIDDEN}.get(ack.get("status"), f"status {ack.get('status')}")


def test_the_socket_table_names_every_event(world):
    from workshop.extensions import socketio

    handled = {event for namespace in socketio.server.handlers.values() for event in namespace} - {"connect",
                                                                                                  "disconnect"}
    assert handled == {event for event, _variant in SOCKET_EXPECTED}


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("event, variant", list(SOCKET_EXPECTED),
                         ids=[event + (f" [{variant}]" if variant else "") for event, variant in SOCKET_EXPECTED])
def test_a_socket_event_gets_the_expected_answer_and_a_refusal_reaches_no_one(clean_world, event, variant, actor):
    from workshop.extensions import socketio

    world, v = clean_world, clean_world.values
    socketio.server.async_handlers = False  # the acknowledgement is there when emit() returns
    listeners = {name: socketio.test_client(world.app, flask_test_client=world.client(name))
                 for name in ("facilitator", "participant", "other_participant")}
    codes = {"facilitator": v["code"], "participant": v["code"], "other_participant": v["other_code"]}
    for name, listener in listeners.items():
        assert listener.emit("watch", {"code": codes[name], "since": v["seen"][codes[name]]}, callback=True)["ok"]
        listener.get_received()
    socket = socketio.test_client(world.app, flask_test_client=world.client(actor))
    expected = SOCKET_EXPECTED[(event, variant)][actor]
    before = world.pristine if expected != OK else None
    world.dirty = True
    try:
        ack = socket.emit(event, _socket_data(world, event, variant), callback=True)
        assert ack_class(ack) == expected, ack
        if before is None:
            return
        assert ack["error"]
        assert snapshot(world.app) == before
        assert {name: listener.get_received() for name, listener in listeners.items()} == {
            name: [] for name in listeners}
        # Refused, the socket follows nothing: what happens in workshop A next does not reach it.
        assert listeners["facilitator"].emit("add_item", _socket_data(world, "add_item", None), callback=True)["ok"]
        assert [message for message in socket.get_received() if message["name"] == "change"] == []
    finally:
        for connected in (socket, *listeners.values()):
            if connected.is_connected():
                connected.disconnect()


# -- sessions ---------------------------------------------------------------------------------


def test_a_session_cookie_from_before_login_is_not_logged_in(app, client, facilitator):
    # Someone plants a session cookie in a shared browser, waits for the facilitator to log
    # in, and uses the cookie they planted: it must not be the logged-in session.
    name = app.config["SESSION_COOKIE_NAME"]
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    planted = client.get_cookie(name).value
    assert facilitator.login(client).status_code == 303
    assert client.get_cookie(name).value != planted
    attacker = app.test_client()
    attacker.set_cookie(name, planted)
    assert answer_class(attacker.get("/facilitator/")) == LOGIN
    assert answer_class(client.get("/facilitator/")) == OK


def test_logging_out_ends_the_session_for_a_copy_of_its_cookie(app, client, facilitator):
    name = app.config["SESSION_COOKIE_NAME"]
    assert facilitator.login(client).status_code == 303
    copied = client.get_cookie(name).value
    assert client.post("/facilitator/logout").status_code == 303
    assert answer_class(client.get("/facilitator/")) == LOGIN
    replayed = app.test_client()
    replayed.set_cookie(name, copied)
    assert answer_class(replayed.get("/facilitator/")) == LOGIN
