"""Processing professionals' reports (issue 7): routing and rights, the statuses and the
progress log, the inbox, and the handlers' pages."""
from __future__ import annotations

import re
import secrets
import uuid

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from flask_babel import force_locale, refresh
from sqlalchemy import func, select

from workshop import notices, processing
from workshop.accounts import username_key
from workshop.extensions import db
from workshop.models import (Account, ForwardedTo, Observation, ObservationEvent, ObservationStatus, StreetCategory,
                             StreetNature, Unit, utcnow)
from workshop.problems import Problem

UNIT = "Aikuissosiaalityö"


# -- helpers ---------------------------------------------------------------------------------


def make_report(unit_id: int, *, contact: str = "", description: str = "Asunnottomia nuoria on enemmän",
                **fields) -> int:
    """A report as the form files it: the row and its first log entry (received, by the system)."""
    observation = Observation(
        number=f"{secrets.randbelow(10**8):08d}{secrets.token_hex(2).upper()}", uuid=str(uuid.uuid4()),
        body_hash="hash", unit_id=unit_id, nature=fields.pop("nature", StreetNature.NEGATIVE),
        category=fields.pop("category", StreetCategory.SOCIAL_PROBLEMS), description=description,
        contact=contact, written_at=utcnow(), **fields)
    db.session.add(observation)
    db.session.flush()
    db.session.add(ObservationEvent(observation_id=observation.id, status=ObservationStatus.RECEIVED,
                                    account_id=None))
    db.session.commit()
    return observation.id


def account(name: str) -> Account:
    """The account with this user name."""
    return db.session.scalar(select(Account).where(Account.username_key == username_key(name)))


def report(observation_id: int) -> Observation:
    """The report as stored now."""
    db.session.expire_all()
    return db.session.get(Observation, observation_id)


def events(observation_id: int) -> list[tuple]:
    """The log as stored: (id, status, forwarded_to, note, account_id, notice), oldest first."""
    return [tuple(row) for row in db.session.execute(
        select(ObservationEvent.id, ObservationEvent.status, ObservationEvent.forwarded_to, ObservationEvent.note,
               ObservationEvent.account_id, ObservationEvent.notice)
        .where(ObservationEvent.observation_id == observation_id).order_by(ObservationEvent.id))]


def refused(action, status: int, field: str | None = None) -> Problem:
    """Run `action`, assert it is refused with `status` (and `field`), return the refusal."""
    with pytest.raises(Problem) as caught:
        action()
    assert caught.value.status == status
    if field is not None:
        assert caught.value.field == field
    return caught.value


class FreshLocaleClient(FlaskClient):
    """A test client whose requests choose their language afresh.

    The tests call the rules inside an app context that each request then shares, and
    Flask-Babel keeps the chosen language in that context's `g`: without this, a label the
    test body made in the default language would fix the language of every later page.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            refresh()
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app):
    """A browser-like client (see `FreshLocaleClient`)."""
    app.test_client_class = FreshLocaleClient
    return app.test_client()


@pytest.fixture
def region(organisation, make_account, app_context):
    """The seeded organisation plus a facilitator and an outreach worker, in an app context."""
    organisation.accounts["fiona"] = make_account("fiona", "facilitator")
    organisation.accounts["walter"] = make_account("walter", "worker")
    return organisation


@pytest.fixture
def adult_report(region) -> int:
    """A report of Aikuissosiaalityö (sector Perhe- ja sosiaalipalvelut), no contact details."""
    return make_report(region.units[UNIT])


def login(region, client, name: str):
    """Log `client` in as `name`, with the pages in English (the words the tests look for)."""
    response = region.accounts[name].login(client)
    with client.session_transaction() as session:
        session["lang"] = "en"
    return response


def page(client, url: str) -> tuple[int, str]:
    response = client.get(url)
    return response.status_code, response.get_data(as_text=True)


# -- routing and rights ------------------------------------------------------------------------

#: Who may see and handle a report of Aikuissosiaalityö.
RIGHTS = [
    ("hanna", True, True),  # the unit's supervisor
    ("dora", True, True),  # the sector's director
    ("heikki", False, False),  # another unit's supervisor, same sector
    ("hilla", False, False),  # another sector's unit's supervisor
    ("teo", False, False),  # another sector's director
    ("wilma", True, False),  # the working group: reads everything, handles nothing
    ("aatu", False, False),  # the admin
    ("fiona", False, False),  # a facilitator
    ("walter", False, False),  # an outreach worker
]


@pytest.mark.parametrize("name, sees, handles", RIGHTS)
def test_who_sees_and_handles_a_report(region, adult_report, name, sees, handles):
    who = account(name)
    observation = report(adult_report)

    assert processing.may_see(who, observation) is sees
    assert processing.may_handle(who, observation) is handles
    listed = db.session.scalars(processing.visible_reports(who)).all()
    assert (adult_report in [row.id for row in listed]) is sees
    if sees:
        assert processing.report_for(who, adult_report).id == adult_report
    else:
        # Never "forbidden": that would tell that the report exists.
        refused(lambda: processing.report_for(who, adult_report), 404)


@pytest.mark.parametrize("name", ["hanna", "dora", "wilma"])
def test_a_deactivated_account_sees_nothing(region, adult_report, name):
    who = account(name)
    who.active = False
    db.session.commit()

    assert not processing.may_see(who, report(adult_report))
    assert db.session.scalars(processing.visible_reports(who)).all() == []
    refused(lambda: processing.report_for(who, adult_report), 404)


def test_anyone_asking_for_a_report_that_does_not_exist_gets_404(region):
    for value in (999_999, 2**70, -1, "1", None):
        refused(lambda: processing.report_for(account("hanna"), value), 404)


def test_routing_follows_a_change_of_supervisor(region, adult_report):
    hanna, heikki = account("hanna"), account("heikki")
    unit = db.session.get(Unit, region.units[UNIT])
    unit.supervisor_id = heikki.id
    db.session.commit()

    observation = report(adult_report)
    assert processing.may_handle(heikki, observation) and not processing.may_see(hanna, observation)
    assert [row.id for row in processing.inbox(heikki).reports] == [adult_report]
    assert processing.inbox(hanna).reports == []
    refused(lambda: processing.change_status(hanna, adult_report, {"note": "Vielä minä?"}), 404)
    # The director is routed by the sector, untouched by the unit's change.
    assert processing.may_handle(account("dora"), observation)


def test_the_working_group_sees_but_cannot_change_anything(region, adult_report):
    refused(lambda: processing.change_status(account("wilma"), adult_report, {"status": "considering"}), 403)
    refused(lambda: notices.mark_told(account("wilma"), adult_report, 1), 403)
    assert report(adult_report).status is ObservationStatus.RECEIVED


def test_each_handler_sees_only_the_reports_routed_to_them(region):
    adult = make_report(region.units[UNIT])
    child = make_report(region.units["Lastensuojelu"])
    clinic = make_report(region.units["Päihdeklinikka"])

    def ids(name):
        return {row.id for row in processing.inbox(account(name), "all").reports}

    assert ids("hanna") == {adult}
    assert ids("heikki") == {child}
    assert ids("hilla") == {clinic}
    assert ids("dora") == {adult, child}
    assert ids("teo") == {clinic}
    assert ids("wilma") == {adult, child, clinic}
    assert ids("aatu") == set() and ids("fiona") == set()


# -- statuses and the log ------------------------------------------------------------------


def test_the_usual_course_is_logged_entry_by_entry(region, adult_report):
    hanna, dora = account("hanna"), account("dora")
    steps = [
        (hanna, {"status": "considering", "note": "Otettu käsittelyyn."}),
        (dora, {"status": "forwarded", "forwarded_to": "cross_sector", "note": "Viety asunnottomuustyöryhmään."}),
        (dora, {"status": "action_decided", "note": "Nuorille avataan tukiasuntoja."}),
        (hanna, {"status": "done", "note": ""}),
    ]
    for number, (who, data) in enumerate(steps, start=2):
        event = processing.change_status(who, adult_report, data)
        assert event.account_id == who.id and event.note == data["note"] and event.notice == ""
        assert len(events(adult_report)) == number

    observation = report(adult_report)
    assert observation.status is ObservationStatus.DONE
    assert observation.forwarded_to is ForwardedTo.CROSS_SECTOR  # where it went stays known
    assert observation.updated_at > observation.created_at
    log = events(adult_report)
    assert [row[1] for row in log] == [ObservationStatus.RECEIVED, ObservationStatus.CONSIDERING,
                                       ObservationStatus.FORWARDED, ObservationStatus.ACTION_DECIDED,
                                       ObservationStatus.DONE]
    assert [row[2] for row in log] == [None, None, ForwardedTo.CROSS_SECTOR, None, None]
    assert log[0][4] is None  # received: the system


def test_log_entries_are_only_ever_appended(region, adult_report):
    hanna = account("hanna")
    processing.change_status(hanna, adult_report, {"status": "considering", "note": "Ensimmäinen"})
    before = events(adult_report)
    processing.change_status(hanna, adult_report, {"note": "Soitettu kumppanille."})
    processing.change_status(hanna, adult_report, {"status": "closed", "note": "Ei jatkotoimia."})
    refused(lambda: processing.change_status(hanna, adult_report, {"status": "done"}), 422)

    after = events(adult_report)
    assert after[:len(before)] == before
    assert len(after) == len(before) + 2


def test_a_note_alone_keeps_the_status(region, adult_report):
    hanna = account("hanna")
    processing.change_status(hanna, adult_report, {"status": "forwarded", "forwarded_to": "national", "note": ""})
    event = processing.add_note(hanna, adult_report, "Odotamme vastausta ministeriöstä.")
    same = processing.change_status(hanna, adult_report, {"status": "forwarded", "forwarded_to": "national",
                                                          "note": "Vastaus tulee kesällä."})

    assert (event.status, event.forwarded_to) == (ObservationStatus.FORWARDED, ForwardedTo.NATIONAL)
    assert (same.status, same.forwarded_to) == (ObservationStatus.FORWARDED, ForwardedTo.NATIONAL)
    entries = processing.log_of(report(adult_report))
    assert [entry.changed for entry in entries] == [True, True, False, False]
    assert report(adult_report).status is ObservationStatus.FORWARDED


@pytest.mark.parametrize("current, data, field, words", [
    # A note alone needs a note.
    ("received", {}, "note", "Write the note first"),
    ("received", {"status": "received"}, "note", "Write the note first"),
    # Forwarded needs to whom.
    ("received", {"status": "forwarded"}, "forwarded_to", "Choose where"),
    ("considering", {"status": "forwarded", "forwarded_to": ""}, "forwarded_to", "Choose where"),
    ("forwarded", {"status": "forwarded", "forwarded_to": "unit"}, "forwarded_to", "already forwarded there"),
    # Closed needs a reason.
    ("received", {"status": "closed"}, "note", "Say why the report is closed"),
    ("action_decided", {"status": "closed", "note": "   "}, "note", "Say why the report is closed"),
    # Nothing moves back among the open statuses, and nothing back to received.
    ("forwarded", {"status": "considering", "note": "Takaisin"}, "status", "cannot go back"),
    ("action_decided", {"status": "forwarded", "forwarded_to": "unit", "note": "x"}, "status", "cannot go back"),
    ("considering", {"status": "received", "note": "Alusta"}, "status", "first status"),
    # Done and closed are final: only reopened, with a reason.
    ("done", {"status": "closed", "note": "Suljetaan"}, "status", "can only be opened again"),
    ("closed", {"status": "action_decided", "note": "x"}, "status", "can only be opened again"),
    ("closed", {"status": "considering"}, "note", "Say why the report is opened again"),
    # Bad input.
    ("received", {"status": "lost"}, "status", "Choose a status"),
    ("received", {"status": "forwarded", "forwarded_to": "moon"}, "forwarded_to", "Choose where"),
    ("received", {"note": "x" * 1001}, "note", "at most 1000"),
])
def test_moves_that_are_refused_say_why(region, adult_report, current, data, field, words):
    observation = report(adult_report)
    observation.status = ObservationStatus(current)
    observation.forwarded_to = ForwardedTo.UNIT if current == "forwarded" else None
    db.session.commit()
    count = len(events(adult_report))

    problem = refused(lambda: processing.change_status(account("hanna"), adult_report, data), 422, field)

    with force_locale("en"):
        assert words in str(problem.message)
    assert len(events(adult_report)) == count and report(adult_report).status.value == current


@pytest.mark.parametrize("current, new, extra", [
    ("received", "considering", {}),
    ("received", "forwarded", {"forwarded_to": "law_change"}),
    ("received", "action_decided", {}),
    ("received", "done", {}),
    ("considering", "closed", {"note": "Ei kuulu meille."}),
    ("forwarded", "forwarded", {"forwarded_to": "national"}),  # forwarded again, elsewhere
    ("forwarded", "done", {}),
    ("action_decided", "done", {}),
    ("done", "considering", {"note": "Asia palasi."}),
    ("closed", "considering", {"note": "Uutta tietoa."}),
])
def test_moves_that_are_allowed(region, adult_report, current, new, extra):
    observation = report(adult_report)
    observation.status = ObservationStatus(current)
    observation.forwarded_to = ForwardedTo.UNIT if current == "forwarded" else None
    db.session.commit()

    event = processing.change_status(account("dora"), adult_report, {"status": new, **extra})

    assert event.status.value == new and report(adult_report).status.value == new
    assert ObservationStatus(new) in processing.allowed_statuses(ObservationStatus(current))


def test_the_allowed_moves_listed_for_the_form():
    status = ObservationStatus
    assert processing.allowed_statuses(status.RECEIVED) == [status.CONSIDERING, status.FORWARDED,
                                                            status.ACTION_DECIDED, status.DONE, status.CLOSED]
    assert processing.allowed_statuses(status.ACTION_DECIDED) == [status.DONE, status.CLOSED]
    assert processing.allowed_statuses(status.FORWARDED)[0] is status.FORWARDED
    assert processing.allowed_statuses(status.DONE) == processing.allowed_statuses(status.CLOSED) == [
        status.CONSIDERING]


def test_a_change_is_pending_for_the_reporter_only_with_contact_details(region):
    hanna = account("hanna")
    anonymous = make_report(region.units[UNIT])
    known = make_report(region.units[UNIT], contact="maija@example.fi")
    phone = make_report(region.units[UNIT], contact="040 123 4567")

    assert processing.change_status(hanna, anonymous, {"status": "considering"}).notice == ""
    assert processing.change_status(hanna, known, {"status": "considering"}).notice == "pending"
    assert processing.add_note(hanna, phone, "Soitan sinulle.").notice == "pending"
    assert [event.note for event in processing.untold_events(report(phone))] == ["Soitan sinulle."]


# -- the inbox -------------------------------------------------------------------------------


def test_the_inbox_lists_newest_first_with_counts_and_filters(region):
    hanna = account("hanna")
    first, second, third = (make_report(region.units[UNIT]) for _ in range(3))
    processing.change_status(hanna, first, {"status": "closed", "note": "Ei jatkoon."})
    processing.change_status(hanna, second, {"status": "forwarded", "forwarded_to": "unit"})

    found = processing.inbox(hanna)
    assert found.filter == "open"
    assert [row.id for row in found.reports] == [third, second]
    assert found.counts == {"open": 2, "all": 3, "received": 1, "considering": 0, "forwarded": 1,
                            "action_decided": 0, "done": 0, "closed": 1}
    assert [row.id for row in processing.inbox(hanna, "all").reports] == [third, second, first]
    assert [row.id for row in processing.inbox(hanna, "closed").reports] == [first]
    assert processing.inbox(hanna, "done").reports == []
    refused(lambda: processing.inbox(hanna, "secret"), 404)


def test_the_inbox_marks_reports_whose_reporter_is_still_to_be_told(region):
    hanna = account("hanna")
    quiet = make_report(region.units[UNIT])
    waiting = make_report(region.units[UNIT], contact="040 123 4567")
    processing.change_status(hanna, quiet, {"status": "considering"})
    event = processing.change_status(hanna, waiting, {"status": "considering"})

    assert processing.inbox(hanna).untold == {waiting}
    notices.mark_told(hanna, waiting, event.id)
    assert processing.inbox(hanna).untold == set()


# -- the pages ---------------------------------------------------------------------------------

#: (account, the inbox's status, the report page's status); None: not logged in.
PAGE_ACCESS = [
    ("hanna", 200, 200),
    ("dora", 200, 200),
    ("heikki", 200, 404),
    ("hilla", 200, 404),
    ("teo", 200, 404),
    ("wilma", 403, 403),
    ("aatu", 403, 403),
    ("fiona", 403, 403),
    ("walter", 403, 403),
]


@pytest.mark.parametrize("name, inbox_status, report_status", PAGE_ACCESS)
def test_who_may_open_the_pages(region, adult_report, client, name, inbox_status, report_status):
    number = report(adult_report).number
    assert login(region, client, name).status_code == 303

    status, html = page(client, "/handling/")
    assert status == inbox_status
    assert (number in html) is (report_status == 200)
    status, html = page(client, f"/handling/reports/{adult_report}")
    assert status == report_status
    assert (number in html) is (report_status == 200)
    # Nor can they change it.
    response = client.post(f"/handling/reports/{adult_report}", data={"action": "status", "status": "closed",
                                                                      "note": "Ei kuulu."})
    assert response.status_code == (303 if report_status == 200 else report_status)


def test_someone_not_logged_in_is_sent_to_the_login(region, adult_report, client):
    for url in ("/handling/", f"/handling/reports/{adult_report}"):
        response = client.get(url)
        assert response.status_code == 302 and "/facilitator/login" in response.headers["Location"]
    response = client.post(f"/handling/reports/{adult_report}", data={"action": "status", "status": "closed"})
    assert response.status_code == 302
    assert report(adult_report).status is ObservationStatus.RECEIVED


def test_an_unknown_report_is_not_found(region, client):
    login(region, client, "hanna")
    assert client.get("/handling/reports/999999").status_code == 404
    assert client.get("/handling/reports/99999999999999999999999").status_code == 404
    assert client.get("/handling/?status=nothing").status_code == 404


def test_the_inbox_page_shows_tabs_counts_and_marks(region, client):
    hanna = account("hanna")
    told = make_report(region.units[UNIT], contact="040 765 4321")
    make_report(region.units[UNIT])
    processing.change_status(hanna, told, {"status": "forwarded", "forwarded_to": "cross_sector"})
    login(region, client, "hanna")

    status, html = page(client, "/handling/")
    assert status == 200
    assert 'aria-current="page">Open <span class="handling-tabs__count">(2)</span>' in html
    assert "Closed <span class=\"handling-tabs__count\">(0)</span>" in html
    assert "Forwarded: A cross-sector group" in html
    assert html.count("Reporter not told yet") == 1
    assert "<caption" in html and 'scope="col"' in html

    status, html = page(client, "/handling/?status=done")
    assert status == 200 and "There are no reports with this status." in html


def test_an_empty_inbox_says_so(region, client):
    login(region, client, "heikki")
    status, html = page(client, "/handling/")
    assert status == 200 and "There are no open reports." in html
    assert "Lastensuojelu" in html  # the units that come to them


def test_the_report_page_shows_every_field_and_the_log(region, client):
    observation_id = make_report(
        region.units[UNIT], contact="maija@example.fi", reporter_name="Maija Meikäläinen", by_team=True,
        proposal="Lisää tukiasuntoja", available=True, area_id=region.areas["Pori, itäinen alue"],
        area_detail="Keskusta", service_id=region.services["Päihdepalvelut"], description="<b>Nuoria</b> kadulla")
    login(region, client, "hanna")

    status, html = page(client, f"/handling/reports/{observation_id}")

    assert status == 200
    for words in ("Maija Meikäläinen", "maija@example.fi", "Filed by a team", "Lisää tukiasuntoja",
                  "Pori, itäinen alue: Keskusta", "Päihdepalvelut", "Perhe- ja sosiaalipalvelut: Aikuissosiaalityö",
                  "Progress log", "The system", "The reporter sees this note on the tracking page",
                  "&lt;b&gt;Nuoria&lt;/b&gt; kadulla"):
        assert words in html, words
    assert "<b>Nuoria</b>" not in html


def test_an_anonymous_report_says_so(region, adult_report, client):
    login(region, client, "dora")
    status, html = page(client, f"/handling/reports/{adult_report}")
    assert status == 200 and "Not given: anonymous" in html and "Tell the reporter" not in html


def test_the_handler_changes_the_status_on_the_page(region, adult_report, client):
    login(region, client, "hanna")
    url = f"/handling/reports/{adult_report}"

    response = client.post(url, data={"action": "status", "status": "forwarded", "forwarded_to": "national",
                                      "note": "Viety STM:lle."})
    assert response.status_code == 303 and response.headers["Location"].endswith("#log-heading")
    status, html = page(client, url)
    assert "The status was changed." in html
    assert "Viety STM:lle." in html and "hanna (Supervisor)" in html and "A national body" in html
    assert report(adult_report).status is ObservationStatus.FORWARDED

    client.post(url, data={"action": "status", "status": "", "note": "Vastaus odottaa."})
    status, html = page(client, url)
    assert "The note was added to the log." in html and "(note only)" in html
    assert len(events(adult_report)) == 3


def test_a_refused_change_shows_the_message_beside_the_field(region, adult_report, client):
    login(region, client, "dora")
    url = f"/handling/reports/{adult_report}"

    response = client.post(url, data={"action": "status", "status": "forwarded", "note": "Eteenpäin"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="forwarded_to-error"' in html and "Choose where the report is forwarded." in html
    assert 'aria-invalid="true"' in html and "Eteenpäin" in html  # what was typed is kept

    response = client.post(url, data={"action": "status", "status": "closed"})
    assert response.status_code == 422 and "Say why the report is closed" in response.get_data(as_text=True)
    assert len(events(adult_report)) == 1


def test_a_post_without_a_known_action_changes_nothing(region, adult_report, client):
    login(region, client, "hanna")
    response = client.post(f"/handling/reports/{adult_report}", data={"action": "delete"})
    assert response.status_code == 303
    assert "Something in the request was not right" in page(client, f"/handling/reports/{adult_report}")[1]
    assert len(events(adult_report)) == 1


def test_a_final_report_offers_only_reopening(region, adult_report, client):
    processing.change_status(account("hanna"), adult_report, {"status": "closed", "note": "Ei toimia."})
    login(region, client, "hanna")
    status, html = page(client, f"/handling/reports/{adult_report}")
    assert "To work on it again, choose Under consideration and say why." in html
    assert '<option value="considering">' in html and '<option value="done">' not in html


def test_telling_a_reporter_by_hand(region, client):
    observation_id = make_report(region.units[UNIT], contact="040 123 4567 <i>iltaisin</i>")
    login(region, client, "hanna")
    url = f"/handling/reports/{observation_id}"

    client.post(url, data={"action": "status", "status": "considering", "note": "Katsotaan tätä."})
    status, html = page(client, url)
    assert "Please tell the reporter" in html
    assert "Tell the reporter: 040 123 4567 &lt;i&gt;iltaisin&lt;/i&gt;" in html and "Katsotaan tätä." in html
    assert "<i>iltaisin" not in html
    event_id = db.session.scalar(select(func.max(ObservationEvent.id)))

    response = client.post(url, data={"action": "told", "event_id": str(event_id)})
    assert response.status_code == 303
    status, html = page(client, url)
    assert "Marked as told." in html and "Tell the reporter:" not in html and "Told by the handler" in html
    db.session.expire_all()
    event = db.session.get(ObservationEvent, event_id)
    assert event.notice == "told" and event.noticed_at is not None
    # Twice (a double click): said, nothing changes.
    response = client.post(url, data={"action": "told", "event_id": str(event_id)})
    assert response.status_code == 303
    assert "already been told" in page(client, url)[1]


def test_telling_by_hand_only_for_entries_of_the_same_report(region, client):
    hanna = account("hanna")
    mine = make_report(region.units[UNIT], contact="040 1")
    other = make_report(region.units["Päihdeklinikka"], contact="040 2")
    other_event = processing.change_status(account("hilla"), other, {"status": "considering"}).id
    processing.change_status(hanna, mine, {"status": "considering"})

    refused(lambda: notices.mark_told(hanna, mine, other_event), 404)
    refused(lambda: notices.mark_told(hanna, other, other_event), 404)
    login(region, client, "hanna")
    response = client.post(f"/handling/reports/{mine}", data={"action": "told", "event_id": str(other_event)})
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(ObservationEvent, other_event).notice == "pending"




def test_the_forms_carry_their_csrf_tokens(region, app, client):
    observation_id = make_report(region.units[UNIT], contact="040 123 4567")
    login(region, client, "hanna")
    app.config["WTF_CSRF_ENABLED"] = True
    url = f"/handling/reports/{observation_id}"

    def token(html: str) -> str:
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)

    html = page(client, url)[1]
    assert client.post(url, data={"action": "status", "status": "considering"}).status_code == 400
    response = client.post(url, data={"action": "status", "status": "considering", "csrf_token": token(html)})
    assert response.status_code == 303
    html = page(client, url)[1]
    event_id = re.search(r'name="event_id" value="(\d+)"', html).group(1)
    response = client.post(url, data={"action": "told", "event_id": event_id, "csrf_token": token(html)})
    assert response.status_code == 303
    assert "Marked as told." in page(client, url)[1]
