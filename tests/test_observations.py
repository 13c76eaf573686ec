"""The professional's reporting form, the report number and the tracking page (issue 7)."""
from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from flask_babel import force_locale
from sqlalchemy import inspect, select

from workshop import observations
from workshop.extensions import db
from workshop.models import (Account, ForwardedTo, Observation, ObservationEvent, ObservationStatus, Unit)
from workshop.problems import Problem

from .conftest import API_HEADERS, FORM_KEY, refusal

NUMBER_FORMAT = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")
API = f"/observe/{FORM_KEY}/reports"
FORM = f"/observe/{FORM_KEY}"


def report(organisation, **fields) -> dict:
    """A complete report as the script sends it, with a fresh UUID; `fields` override."""
    body = {
        "uuid": str(uuid.uuid4()),
        "written_at": datetime.now(timezone.utc).isoformat(),
        "unit": organisation.units["Aikuissosiaalityö"],
        "professional_group": "social_care",
        "by_team": True,
        "nature": "negative",
        "category": "own_resources",
        "description": "Asiakkaat jonottavat toimeentulotukeen viikkoja.",
        "proposal": "Lisää käsittelijöitä kevääksi.",
        "available": "yes",
        "area": organisation.areas["Pori, pohjoinen alue"],
        "area_detail": "Väinölä",
        "service": organisation.services["Työikäisten sosiaalipalvelut"],
        "service_detail": "",
        "observed_how": "own_work",
        "observed_detail": "Asiakastapaamisissa",
        "reporter_name": "Sari Sosiaalityöntekijä",
        "contact": "sari@example.fi",
    }
    body.update(fields)
    return body


@pytest.fixture
def client(app):
    """A browser that chose English: the tests read the English texts (the default is Finnish)."""
    return english(app.test_client())


def english(client):
    """`client` with English chosen on the language switch."""
    with client.session_transaction() as session:
        session["lang"] = "en"
    return client


def file(client, body, **kwargs):
    """POST a report to the API as the page's script does."""
    return client.post(API, json=body, headers=API_HEADERS, **kwargs)


def rows(app, model) -> list:
    with app.app_context():
        return list(db.session.scalars(select(model).order_by(model.id)))


# -- filing -----------------------------------------------------------------------------------


def test_a_complete_report_is_stored_with_its_first_log_entry(app, client, organisation):
    body = report(organisation)
    response = file(client, body)
    assert response.status_code == 201
    answer = response.get_json()
    assert answer["ok"] is True
    assert NUMBER_FORMAT.match(answer["report"]["number"])
    assert answer["report"]["status"] == "received"
    assert response.headers["Cache-Control"] == "no-store"
    with app.app_context():
        stored = db.session.scalar(select(Observation))
        assert stored.number == answer["report"]["number"]
        assert stored.uuid == body["uuid"]
        assert stored.unit.name == "Aikuissosiaalityö"
        assert stored.professional_group.value == "social_care"
        assert stored.by_team is True
        assert stored.nature.value == "negative" and stored.category.value == "own_resources"
        assert stored.description == body["description"] and stored.proposal == body["proposal"]
        assert stored.available is True
        assert stored.area.name == "Pori, pohjoinen alue" and stored.area_detail == "Väinölä"
        assert stored.service.name == "Työikäisten sosiaalipalvelut"
        assert stored.observed_how.value == "own_work" and stored.observed_detail == "Asiakastapaamisissa"
        assert stored.reporter_name == "Sari Sosiaalityöntekijä" and stored.contact == "sari@example.fi"
        assert stored.status == ObservationStatus.RECEIVED and stored.forwarded_to is None
        events = list(db.session.scalars(select(ObservationEvent)))
        assert [(event.observation_id, event.status, event.account_id) for event in events] == [
            (stored.id, ObservationStatus.RECEIVED, None)]


def test_only_the_required_fields_are_enough(app, client, organisation):
    body = {"uuid": str(uuid.uuid4()), "unit": organisation.units["Päihdeklinikka"], "nature": "positive",
            "description": "Vertaisryhmä toimii hyvin."}
    assert file(client, body).status_code == 201
    stored = rows(app, Observation)[0]
    assert stored.available is None and stored.category is None and stored.area_id is None
    assert stored.reporter_name == "" and stored.contact == "" and stored.by_team is False
    # No time from the device: the moment it arrived.
    assert abs(stored.written_at - datetime.now(timezone.utc)) < timedelta(minutes=1)


@pytest.mark.parametrize("field", ["unit", "nature", "description", "uuid"])
def test_each_required_field_is_asked_for(client, organisation, field):
    body = report(organisation)
    del body[field]
    refusal(file(client, body), 422, field)


def test_every_field_at_fault_is_named_in_the_forms_order(client, organisation):
    body = report(organisation, nature="", description=" ", contact="not@an address", unit="")
    answer = refusal(file(client, body), 422, "unit")
    assert [error["field"] for error in answer["errors"]] == ["unit", "nature", "description", "contact"]


@pytest.mark.parametrize("changes, field", [
    ({"unit": 99999}, "unit"),
    ({"unit": "seven"}, "unit"),
    ({"nature": "great"}, "nature"),
    ({"category": "weather"}, "category"),
    ({"professional_group": "pilot"}, "professional_group"),
    ({"available": "maybe"}, "available"),
    ({"observed_how": "dream"}, "observed_how"),
    ({"area": 99999}, "area"),
    ({"service": 99999}, "service"),
    ({"description": "x" * 4001}, "description"),
    ({"proposal": "x" * 4001}, "proposal"),
    ({"reporter_name": "x" * 121}, "reporter_name"),
    ({"area_detail": "x" * 201}, "area_detail"),
    ({"contact": "sari@"}, "contact"),
    ({"contact": "soita minulle"}, "contact"),
    ({"written_at": "eilen"}, "written_at"),
])
def test_invalid_input_is_refused_beside_its_field(client, organisation, changes, field):
    refusal(file(client, report(organisation, **changes)), 422, field)


@pytest.mark.parametrize("contact", ["", "sari.s@pori.fi", "+358 40 123 4567", "040-1234567"])
def test_an_email_address_or_a_phone_number_is_taken(client, organisation, contact):
    assert file(client, report(organisation, contact=contact)).status_code == 201


def test_a_retired_unit_area_or_service_is_refused(app, client, organisation):
    with app.app_context():
        db.session.get(Unit, organisation.units["Lastensuojelu"]).active = False
        db.session.commit()
    refusal(file(client, report(organisation, unit=organisation.units["Lastensuojelu"])), 422, "unit")
    assert rows(app, Observation) == []


def test_a_wrong_form_key_is_not_found(client, organisation):
    refusal(client.post("/observe/wrong-key/reports", json=report(organisation), headers=API_HEADERS), 404)
    page = client.get("/observe/wrong-key")
    assert page.status_code == 404
    assert "This form was not found" in page.get_data(as_text=True)


def test_without_an_organisation_there_is_no_form(client):
    assert client.get(FORM).status_code == 404


def test_the_api_refuses_another_sites_request(client, organisation):
    refusal(client.post(API, json=report(organisation)), 403)
    refusal(client.post(API, json=report(organisation), headers={**API_HEADERS, "Origin": "https://evil.example"}),
            403)


def test_a_replay_returns_the_same_report(app, client, organisation):
    body = report(organisation)
    first = file(client, body)
    again = file(client, body)
    assert first.status_code == 201 and again.status_code == 200
    assert again.get_json()["report"] == first.get_json()["report"]
    assert len(rows(app, Observation)) == 1
    assert len(rows(app, ObservationEvent)) == 1


def test_the_same_uuid_with_other_content_is_refused(app, client, organisation):
    body = report(organisation)
    assert file(client, body).status_code == 201
    refusal(file(client, {**body, "description": "Jotain muuta"}), 409, "uuid")
    assert len(rows(app, Observation)) == 1


def test_the_devices_time_is_checked_but_a_late_replay_gets_its_report(app_context, organisation):
    now = datetime.now(timezone.utc)
    ahead = report(organisation, written_at=(now + timedelta(minutes=30)).isoformat())
    with pytest.raises(Problem) as refused:
        observations.file_observation(ahead, form_key=FORM_KEY, now=now)
    assert (refused.value.status, refused.value.field) == (422, "written_at")
    old = report(organisation, written_at=(now - timedelta(days=91)).isoformat())
    with pytest.raises(Problem) as refused:
        observations.file_observation(old, form_key=FORM_KEY, now=now)
    assert (refused.value.status, refused.value.field) == (422, "written_at")

    body = report(organisation, written_at=now.isoformat())
    filed = observations.file_observation(body, form_key=FORM_KEY, now=now)
    later = observations.file_observation(body, form_key=FORM_KEY, now=now + timedelta(days=120))
    assert filed.created and not later.created
    assert later.observation.number == filed.observation.number


def test_nothing_about_the_device_or_its_network_is_stored(app, organisation):
    client = english(app.test_client())
    response = client.post(API, json=report(organisation), headers={**API_HEADERS, "User-Agent": "Agentti/9.9"},
                           environ_base={"REMOTE_ADDR": "10.20.30.40"})
    assert response.status_code == 201
    with app.app_context():
        for table in ("observation", "observation_event"):
            names = {column["name"] for column in inspect(db.engine).get_columns(table)}
            suspicious = re.compile(r"(^|_)(ip|addr|address|agent|device|remote|session)(_|$)")
            assert not {name for name in names if suspicious.search(name)}
            for row in db.session.execute(db.text(f"SELECT * FROM {table}")):
                text = " ".join(str(value) for value in row)
                assert "10.20.30.40" not in text and "Agentti" not in text


# -- who may reach it -------------------------------------------------------------------------


@pytest.mark.parametrize("address, allowed", [("10.1.2.3", True), ("192.168.1.5", False), ("::ffff:10.9.9.9", True),
                                              ("2001:db8::1", False)])
def test_the_form_is_only_open_inside_the_organisations_networks(app_factory, make_account, address, allowed):
    app = app_factory(OBSERVE_NETWORKS=["10.0.0.0/8"])
    with app.app_context():
        from workshop.models import Organisation, Sector
        db.session.add(Organisation(form_key=FORM_KEY))
        sector = Sector(name="Perhe- ja sosiaalipalvelut")
        db.session.add_all([sector, Unit(sector=sector, name="Aikuissosiaalityö")])
        db.session.commit()
        unit_id = db.session.scalar(select(Unit.id))
    client = english(app.test_client())
    environ = {"REMOTE_ADDR": address}
    page = client.get(FORM, environ_base=environ)
    api = client.post(API, json={"uuid": str(uuid.uuid4()), "unit": unit_id, "nature": "other", "description": "x"},
                      headers=API_HEADERS, environ_base=environ)
    track = client.get("/observe/track", environ_base=environ)
    if allowed:
        assert (page.status_code, api.status_code, track.status_code) == (200, 201, 200)
    else:
        assert (page.status_code, api.status_code, track.status_code) == (403, 403, 403)
        assert "only open inside the organisation" in page.get_data(as_text=True)
        assert api.get_json()["ok"] is False


def test_a_setting_that_names_no_network_lets_nobody_in(app_factory):
    app = app_factory(OBSERVE_NETWORKS=["intranet"])
    assert app.test_client().get("/observe/track", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 403


def test_filings_are_limited_per_network_and_replays_do_not_count(app_factory, organisation):
    app = app_factory(OBSERVE_FILINGS_PER_NETWORK="2 per hour")
    client = english(app.test_client())
    first = report(organisation)
    assert file(client, first).status_code == 201
    assert file(client, first).status_code == 200  # a replay: free
    assert file(client, report(organisation)).status_code == 201
    refusal(file(client, report(organisation)), 429)
    # The page shares the limit, and keeps what was typed.
    page = client.post(FORM, data=form_data(organisation, description="Kesken jäänyt teksti"))
    assert page.status_code == 429
    assert "Kesken jäänyt teksti" in page.get_data(as_text=True)
    # Another network is not affected.
    assert file(client, report(organisation), environ_base={"REMOTE_ADDR": "10.0.0.99"}).status_code == 201


# -- the report number ------------------------------------------------------------------------


def test_numbers_are_random_and_well_formed(app_context):
    numbers = [observations.new_number() for _ in range(200)]
    assert len(set(numbers)) == 200
    assert all(NUMBER_FORMAT.match(number) for number in numbers)


def _as_integer(number: str) -> int:
    """A report number read as a base-32 integer."""
    return sum(observations.NUMBER_ALPHABET.index(character) * 32 ** power
               for power, character in enumerate(reversed(number.replace("-", ""))))


def test_consecutive_reports_numbers_are_not_in_sequence(app, client, organisation):
    numbers = [file(client, report(organisation)).get_json()["report"]["number"] for _ in range(20)]
    for before, after in zip(numbers, numbers[1:]):
        assert before[:4] != after[:4]
        # Read as numbers, two consecutive ones are far apart (2⁴⁰ is a 2⁻²⁰ share of the space).
        assert abs(_as_integer(after) - _as_integer(before)) > 2 ** 40


@pytest.mark.parametrize("typed, number", [
    ("7K4M-9XQ2-HT3P", "7K4M-9XQ2-HT3P"),
    ("7k4m-9xq2-ht3p", "7K4M-9XQ2-HT3P"),
    ("7K4M9XQ2HT3P", "7K4M-9XQ2-HT3P"),
    ("  7K4M 9XQ2 HT3P ", "7K4M-9XQ2-HT3P"),
    ("7K4M–9XQ2—HT3P", "7K4M-9XQ2-HT3P"),
    ("OIL0-1234-5678", "0110-1234-5678"),
    ("oil0 1234 5678", "0110-1234-5678"),
    ("7K4M-9XQ2-HT3", None),
    ("7K4M-9XQ2-HT3PP", None),
    ("7K4M-9XQ2-HT3U", None),
    ("7K4M-9XQ2-HT3!", None),
    ("", None),
    (None, None),
    ("7" * 100, None),
])
def test_a_typed_number_is_forgiven_what_people_get_wrong(typed, number):
    assert observations.normalise_number(typed) == number


# -- the tracking page ------------------------------------------------------------------------


def _log(app, number: str, status: ObservationStatus, note: str, by: str | None, forwarded=None) -> None:
    """Add a progress-log entry straight in the database, as the handling page would."""
    from workshop.accounts import username_key

    with app.app_context():
        observation = db.session.scalar(select(Observation).where(Observation.number == number))
        account_id = (db.session.scalar(select(Account.id).where(Account.username_key == username_key(by)))
                      if by else None)
        db.session.add(ObservationEvent(observation_id=observation.id, status=status, forwarded_to=forwarded,
                                        note=note, account_id=account_id))
        observation.status, observation.forwarded_to = status, forwarded
        db.session.commit()


def test_the_tracking_page_shows_the_status_and_the_log_of_one_report_only(app, client, organisation):
    mine = file(client, report(organisation)).get_json()["report"]["number"]
    other_body = report(organisation, description="Toisen raportin kuvaus", reporter_name="Olli Toinen",
                        contact="olli@example.fi", unit=organisation.units["Päihdeklinikka"])
    other = file(client, other_body).get_json()["report"]["number"]
    _log(app, mine, ObservationStatus.CONSIDERING, "Käsitellään tiimipalaverissa.", "hanna")
    _log(app, mine, ObservationStatus.FORWARDED, "Viety poikkihallinnolliseen työryhmään.", "dora",
         ForwardedTo.CROSS_SECTOR)
    _log(app, other, ObservationStatus.CLOSED, "Toisen raportin sulkemisen syy.", "hilla")

    page = client.post("/observe/track", data={"number": mine.lower().replace("-", " ")})
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    text = page.get_data(as_text=True)
    assert mine in text
    assert "Käsitellään tiimipalaverissa." in text and "Viety poikkihallinnolliseen työryhmään." in text
    assert "Under consideration" in text and "Forwarded" in text and "A cross-sector group" in text
    assert "Supervisor" in text and "Director" in text and "The system" in text
    assert "Received" in text and "Negative" in text and "Own resources" in text
    # Never another report, what was written, who wrote it, or who handled it.
    assert other not in text and "Toisen raportin" not in text
    body = report(organisation)
    for secret in (body["description"], body["proposal"], body["reporter_name"], body["contact"], body["area_detail"],
                   "Aikuissosiaalityö", "hanna", "dora", "hilla"):
        assert secret not in text, secret
    # The number is never in an address.
    assert mine not in page.request.url


def test_the_tracking_state_holds_no_text_names_or_accounts(app, client, organisation):
    number = file(client, report(organisation)).get_json()["report"]["number"]
    _log(app, number, ObservationStatus.ACTION_DECIDED, "Päätetty lisätä resursseja.", "heikki")
    with app.test_request_context(), force_locale("en"):
        state = observations.tracking_state(observations.find_by_number(number))
    assert set(state) == {"number", "received_at", "nature", "nature_value", "category", "status", "status_value",
                          "forwarded_to", "log"}
    assert [(entry["status"], entry["by"], entry["note"]) for entry in state["log"]] == [
        ("Received", "The system", ""), ("Action decided", "Supervisor", "Päätetty lisätä resursseja.")]


def test_a_wrong_number_is_not_found_and_guessing_is_limited(app_factory, organisation):
    app = app_factory(TRACKING_FAILURES_PER_NETWORK="3 per hour")
    client = english(app.test_client())
    number = file(client, report(organisation)).get_json()["report"]["number"]
    # A mistyped shape is told as such and is no guess.
    for _ in range(4):
        mistyped = client.post("/observe/track", data={"number": "12345"})
        assert mistyped.status_code == 422
        assert "This is not a report number" in mistyped.get_data(as_text=True)
    assert client.post("/observe/track", data={"number": number}).status_code == 200
    for _ in range(3):
        missing = client.post("/observe/track", data={"number": "0000-0000-0000"})
        assert missing.status_code == 404
        text = missing.get_data(as_text=True)
        assert "There is no report with this number" in text and 'name="number"' in text
    limited = client.post("/observe/track", data={"number": number})
    assert limited.status_code == 429
    assert "Too many report numbers were tried" in limited.get_data(as_text=True)


def test_the_tracking_page_asks_for_the_number(client, organisation):
    page = client.get("/observe/track")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'method="post"' in text and "Report number" in text and "(required)" in text
    assert client.post("/observe/track", data={"number": "  "}).status_code == 422


# -- the form without JavaScript ----------------------------------------------------------------


def form_data(organisation, **fields) -> dict:
    """What the form POSTs without JavaScript (strings, no time, the page's own UUID)."""
    data = {"uuid": str(uuid.uuid4()), "unit": str(organisation.units["Lastensuojelu"]), "nature": "positive",
            "category": "network_cooperation", "description": "Koulun ja lastensuojelun yhteistyö sujuu.",
            "proposal": "Mallia voisi levittää muihin kouluihin.", "available": "no", "by_team": "1",
            "area": "", "service": "", "reporter_name": "", "contact": ""}
    data.update(fields)
    return data


def test_the_form_shows_the_organisations_choices(client, organisation):
    page = client.get(FORM)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert '<optgroup label="Perhe- ja sosiaalipalvelut">' in text and '<optgroup label="Terveyspalvelut">' in text
    for name in ("Aikuissosiaalityö", "Päihdeklinikka", "Pori, itäinen alue", "Ulvila", "Päihdepalvelut"):
        assert name in text
    assert text.count('class="observe-required"') == 3  # unit, nature, description
    assert "anonymous unless you write your name" in text
    assert re.search(r'<input type="hidden" name="uuid" value="[0-9a-f-]{36}">', text)
    assert 'role="radiogroup"' in text and "<legend" in text
    assert "/static/js/observe.js" in text


def test_the_form_without_javascript_end_to_end(app, client, organisation):
    refused = client.post(FORM, data=form_data(organisation, nature="", description="", contact="x@y"))
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "Choose the nature of the phenomenon." in text and "Describe the phenomenon first." in text
    assert "This e-mail address does not look right." in text
    assert "Mallia voisi levittää muihin kouluihin." in text and 'value="x@y"' in text  # what was typed is kept
    assert 'aria-invalid="true"' in text
    assert rows(app, Observation) == []

    data = form_data(organisation)
    sent = client.post(FORM, data=data)
    assert sent.status_code == 200
    assert "Location" not in sent.headers
    assert sent.headers["Cache-Control"] == "no-store"
    text = sent.get_data(as_text=True)
    number = rows(app, Observation)[0].number
    assert number in text
    assert "Thank you! Your report was received." in text and "What happens next" in text
    assert "supervisor of your work unit and to the director" in text
    assert f'href="{FORM}"' in text and "Make a new report" in text and 'href="/observe/track"' in text
    # Sent again (a reload of the thanks page): the same report, not a second one.
    again = client.post(FORM, data=data)
    assert again.status_code == 200 and number in again.get_data(as_text=True)
    stored = rows(app, Observation)
    assert len(stored) == 1 and stored[0].by_team is True and stored[0].available is False
    assert stored[0].unit_id == organisation.units["Lastensuojelu"]


def test_the_same_form_sent_with_changes_can_become_a_new_report(app, client, organisation):
    data = form_data(organisation)
    assert client.post(FORM, data=data).status_code == 200
    changed = client.post(FORM, data={**data, "description": "Muutettu teksti"})
    assert changed.status_code == 409
    text = changed.get_data(as_text=True)
    assert "Muutettu teksti" in text and data["uuid"] not in text
    assert len(rows(app, Observation)) == 1
