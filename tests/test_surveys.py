"""Short anonymous surveys: the rules called directly, then the HTTP API through the test client."""
import uuid

import pytest
from flask_babel import force_locale, get_locale
from sqlalchemy import func, select

from workshop import changes, gatherings, phases, surveys
from workshop.extensions import db
from workshop.models import Phase, Survey, SurveyAnswer, SurveyOption
from workshop.problems import Problem
from workshop.workshops import close_workshop, create_workshop

from .conftest import API_HEADERS, ApiClient, refusal


def refused(call, *args, **kwargs) -> Problem:
    with pytest.raises(Problem) as caught:
        call(*args, **kwargs)
    return caught.value


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def make(room, kind="choice", title="Mitä syöt aamulla?", options=("Puuroa", "Leipää", "En mitään"), **fields):
    """A survey made by the facilitator (the stored row)."""
    made = surveys.create_survey(room.workshop, room.staff,
                                 {"kind": kind, "title": title, "options": list(options), **fields})
    assert made.created
    return made.item


def reply(room, actor, survey, answer_uuid=None, **body):
    """Answer `survey` as `actor` with a fresh UUID unless one is given."""
    return surveys.answer(room.workshop, actor, survey.id, {"uuid": answer_uuid or str(uuid.uuid4()), **body})


def ids(survey) -> list[int]:
    return [option.id for option in survey.options]


def state(survey, audience=changes.STAFF) -> dict:
    return surveys.survey_state(survey, audience)


def counts(survey) -> list[int]:
    return [option["count"] for option in state(survey)["options"]]


@pytest.fixture
def choice(room):
    yield make(room)


@pytest.fixture
def multi(room):
    yield make(room, "multi", "Mitä palveluja käytät?", ("Ruoka", "Suihku", "Pyykki"))


@pytest.fixture
def scale(room):
    yield make(room, "scale", "Miltä tänään tuntuu?", ())


@pytest.fixture
def text(room):
    yield make(room, "text", "Yksi sana päivästä", ())


# -- making, opening and closing ---------------------------------------------------------------


def test_a_new_survey_is_open_in_the_workshops_phase_and_comes_last(room, choice):
    assert choice.is_open and choice.phase == Phase.MAPPING and choice.purpose == "general"
    assert [option.label for option in choice.options] == ["Puuroa", "Leipää", "En mitään"]
    assert [option.key for option in choice.options] == ["", "", ""]
    room.workshop.phase = Phase.COLLECTION
    db.session.commit()
    second = make(room, "scale", "Miten jaksat?", ())
    assert (second.position, second.phase) == (choice.position + 1, Phase.COLLECTION)
    assert [survey.id for survey in surveys.surveys_of(room.workshop)] == [choice.id, second.id]


def test_a_survey_state_has_the_contracts_shape(choice):
    assert state(choice) == {
        "type": "survey", "id": choice.id, "kind": "choice", "title": "Mitä syöt aamulla?", "purpose": "general",
        "open": True, "phase": "mapping", "position": choice.position, "respondents": 0,
        "options": [{"id": option.id, "label": option.label, "key": "", "count": 0} for option in choice.options],
        "scale": None, "texts": None}


def test_scale_and_text_questions_have_no_options(room):
    for kind in ("scale", "text"):
        survey = make(room, kind, "Kysymys", ["ohitetaan", "nämä"])
        assert survey.options == [] and state(survey)["options"] == []
    assert count(SurveyOption) == 0


def test_options_may_come_as_lines_and_blank_ones_are_skipped(room):
    survey = surveys.create_survey(room.workshop, room.staff, {
        "kind": "multi", "title": "Mitä käytät?", "options": "Ruoka\n\n  Suihku \r\n"}).item
    assert [option.label for option in survey.options] == ["Ruoka", "Suihku"]


@pytest.mark.parametrize("data, field", [
    ({"title": "Mitä?", "options": ["A", "B"]}, "kind"),
    ({"kind": "poll", "title": "Mitä?", "options": ["A", "B"]}, "kind"),
    ({"kind": ["choice"], "title": "Mitä?", "options": ["A", "B"]}, "kind"),
    ({"kind": "choice", "title": "  ", "options": ["A", "B"]}, "title"),
    ({"kind": "scale", "title": "x" * 201}, "title"),
    ({"kind": "text", "title": 5}, "title"),
    ({"kind": "choice", "title": "Mitä?", "options": ["Vain yksi", ""]}, "options"),
    ({"kind": "multi", "title": "Mitä?", "options": [f"Vaihtoehto {n}" for n in range(13)]}, "options"),
    ({"kind": "multi", "title": "Mitä?", "options": ["x"] * 100_000}, "options"),
    ({"kind": "choice", "title": "Mitä?", "options": ["Ruoka", "ruoka "]}, "options"),
    ({"kind": "choice", "title": "Mitä?", "options": ["A", "B" * 201]}, "options"),
    ({"kind": "choice", "title": "Mitä?", "options": {"A": 1, "B": 2}}, "options"),
    ({"kind": "choice", "title": "Mitä?", "options": ["A", 2]}, "options"),
    ({"kind": "choice", "title": "Mitä?"}, "options"),
    ({"kind": "choice", "title": "Mitä?", "options": ["A", "B"], "purpose": "topics"}, "purpose"),
])
def test_a_bad_survey_names_the_field_and_stores_nothing(room, data, field):
    problem = refused(surveys.create_survey, room.workshop, room.staff, data)
    assert (problem.status, problem.field) == (422, field)
    assert count(Survey) == 0


def test_twelve_options_are_the_most(room):
    assert len(make(room, options=[f"Vaihtoehto {n}" for n in range(12)]).options) == 12


def test_participants_cannot_make_open_or_close_surveys(room, choice):
    alice = room.participant()
    assert refused(surveys.create_survey, room.workshop, alice, {"kind": "text", "title": "Mitä?"}).status == 403
    assert refused(surveys.create_survey, room.workshop, alice, {"purpose": "participation"}).status == 403
    assert refused(surveys.set_open, room.workshop, alice, choice.id, False).status == 403
    assert refused(surveys.update_survey, room.workshop, alice, choice.id, {"open": False}).status == 403
    assert choice.is_open and count(Survey) == 1


def test_closing_twice_is_one_change_and_opening_again_works(room, choice):
    surveys.set_open(room.workshop, room.staff, choice.id, False)
    last_seq = room.workshop.last_seq
    surveys.set_open(room.workshop, room.staff, choice.id, False)
    assert room.workshop.last_seq == last_seq and not choice.is_open
    assert surveys.update_survey(room.workshop, room.staff, choice.id, {"open": True}).is_open


def test_opening_needs_the_open_field(room, choice):
    assert refused(surveys.update_survey, room.workshop, room.staff, choice.id, {}).field == "open"
    assert choice.is_open


@pytest.mark.parametrize("survey_id", [999_999, 10**30, -1, True, "1"])
def test_an_unknown_survey_is_not_found(room, choice, survey_id):
    assert refused(surveys.set_open, room.workshop, room.staff, survey_id, False).status == 404
    body = {"uuid": str(uuid.uuid4()), "scale": 3}
    assert refused(surveys.answer, room.workshop, room.participant(), survey_id, body).status == 404


def test_a_survey_of_another_workshop_is_not_found(room, choice):
    other = create_workshop("Katutyö")
    assert refused(surveys.set_open, other, room.staff, choice.id, False).status == 404
    body = {"uuid": str(uuid.uuid4()), "choices": [choice.options[0].id]}
    assert refused(surveys.answer, other, room.staff, choice.id, body).status == 404
    assert count(SurveyAnswer) == 0


# -- the participation poll --------------------------------------------------------------------


def test_the_participation_poll_is_made_once_in_the_workshops_language(app_context, room):
    swedish = create_workshop("Dagcentret", "Kallio", "sv")
    with force_locale("en"):  # the facilitator's own screen is in English
        made = surveys.create_survey(swedish, room.staff, {"purpose": "participation", "kind": "text",
                                                           "title": "ignored", "options": ["x", "y"]})
    poll = made.item
    with force_locale("sv"):
        expected_title = surveys.participation_title()
        expected = phases.participation_way_labels()
    assert made.created
    assert (poll.kind.value, poll.purpose, poll.title, poll.is_open) == ("multi", "participation", expected_title,
                                                                         True)
    assert [(option.key, option.label) for option in poll.options] == expected
    assert [option.key for option in poll.options] == list(phases.PARTICIPATION_WAYS)
    assert len(poll.options) == 8
    last_seq = swedish.last_seq
    again = surveys.create_survey(swedish, room.staff, {"purpose": "participation"})
    assert not again.created and again.item.id == poll.id
    assert swedish.last_seq == last_seq and count(Survey, Survey.workshop_id == swedish.id) == 1
    # Each workshop has its own.
    assert surveys.create_survey(room.workshop, room.staff, {"purpose": "participation"}).created


def test_the_participation_labels_are_asked_for_in_the_workshops_language(room, monkeypatch):
    # The catalogs may not translate every way yet: check the locale the labels are made in.
    monkeypatch.setattr(phases, "participation_way_labels",
                        lambda: [(way, str(get_locale())) for way in phases.PARTICIPATION_WAYS])
    swedish = create_workshop("Dagcentret", "Kallio", "sv")
    poll = surveys.create_survey(swedish, room.staff, {"purpose": "participation"}).item
    assert {option.label for option in poll.options} == {"sv"}


def test_the_participation_poll_is_answered_like_any_multi_survey(room):
    poll = surveys.create_survey(room.workshop, room.staff, {"purpose": "participation"}).item
    by_key = {option.key: option.id for option in poll.options}
    reply(room, room.participant(), poll, choices=[by_key["drawing"], by_key["listening"]])
    reply(room, room.participant(), poll, choices=[by_key["listening"]])
    counted = {option["key"]: option["count"] for option in state(poll)["options"]}
    assert counted == {**{way: 0 for way in phases.PARTICIPATION_WAYS}, "drawing": 1, "listening": 2}


# -- answering: once per UUID, the latest counts ----------------------------------------------------


def test_the_same_answer_sent_twice_is_stored_once(room, multi, pushed):
    alice = room.participant()
    answer_uuid = str(uuid.uuid4())
    first = reply(room, alice, multi, answer_uuid, choices=[ids(multi)[2], ids(multi)[0]])
    last_seq = room.workshop.last_seq
    pushed.clear()
    # The same options in another order are the same answer.
    again = reply(room, alice, multi, answer_uuid, choices=[ids(multi)[0], ids(multi)[2]])
    assert first.created and not again.created and again.item.id == first.item.id
    assert surveys.answer_state(again.item)["choices"] == [ids(multi)[0], ids(multi)[2]]
    assert room.workshop.last_seq == last_seq and pushed == []
    assert count(SurveyAnswer) == 1 and counts(multi) == [1, 0, 1]


def test_a_uuid_sent_again_with_another_answer_is_a_conflict(room, choice):
    alice = room.participant()
    answer_uuid = str(uuid.uuid4())
    reply(room, alice, choice, answer_uuid, choices=[ids(choice)[0]])
    problem = refused(reply, room, alice, choice, answer_uuid, choices=[ids(choice)[1]])
    assert (problem.status, problem.field) == (409, "uuid")
    # Someone else reusing the UUID is a conflict too, even with the same answer.
    assert refused(reply, room, room.participant(), choice, answer_uuid, choices=[ids(choice)[0]]).status == 409
    assert counts(choice) == [1, 0, 0] and count(SurveyAnswer) == 1


def test_a_participants_latest_answer_counts_and_older_ones_stay(room, choice):
    alice, bob = room.participant(), room.participant()
    old = reply(room, alice, choice, choices=[ids(choice)[0]]).item
    reply(room, bob, choice, choices=[ids(choice)[0]])
    reply(room, alice, choice, choices=[ids(choice)[2]])
    assert counts(choice) == [1, 0, 1] and state(choice)["respondents"] == 2
    assert count(SurveyAnswer) == 3
    # The outbox replays the old answer late: recognised, and it changes nothing.
    replay = reply(room, alice, choice, old.uuid, choices=[ids(choice)[0]])
    assert not replay.created and counts(choice) == [1, 0, 1]
    assert surveys.own_answers(room.workshop, alice)[choice.id]["choices"] == [ids(choice)[2]]


def test_each_staff_answer_counts_on_someones_behalf(room, scale):
    for value in (5, 5, 1):  # three people in the room without a phone
        assert reply(room, room.staff, scale, scale=value).created
    reply(room, room.participant(), scale, scale=3)
    assert state(scale)["scale"] == {"1": 1, "2": 0, "3": 1, "4": 0, "5": 2}
    assert state(scale)["respondents"] == 4
    assert surveys.own_answers(room.workshop, room.staff) == {}


def test_an_answer_counts_to_the_current_gathering(room, text):
    gathering = gatherings.create(room.workshop, room.staff, {"title": "Tiistai"})
    row = reply(room, room.participant(), text, text="Hyvä päivä").item
    assert row.gathering_id == gathering.id == room.workshop.current_gathering_id


def test_a_closed_survey_keeps_its_answers_and_takes_no_more(room, choice):
    alice = room.participant()
    sent = reply(room, alice, choice, choices=[ids(choice)[1]]).item
    surveys.set_open(room.workshop, room.staff, choice.id, False)
    for actor in (alice, room.staff):
        assert refused(reply, room, actor, choice, choices=[ids(choice)[0]]).status == 423
    # A replay of what was sent before closing is still answered as stored.
    assert not reply(room, alice, choice, sent.uuid, choices=[ids(choice)[1]]).created
    assert counts(choice) == [0, 1, 0] and count(SurveyAnswer) == 1


def test_a_closed_workshop_takes_no_answers_from_participants(room, text):
    alice = room.participant()
    close_workshop(room.workshop)
    assert refused(reply, room, alice, text, text="Myöhässä").status == 410
    assert reply(room, room.staff, text, text="Paperilta").created


def test_answering_asks_the_phase_rules(room, text, monkeypatch):
    # Every phase offers surveys today; this checks the rule is asked, should that change.
    monkeypatch.setitem(phases._ALLOWED, Phase.MAPPING, frozenset({phases.NOTES}))
    problem = refused(reply, room, room.participant(), text, text="Moi")
    assert problem.status == 409
    assert reply(room, room.staff, text, text="Henkilökunta saa aina").created
    assert count(SurveyAnswer) == 1


@pytest.mark.parametrize("kind, body, field", [
    ("choice", {}, "choices"),
    ("choice", {"choices": []}, "choices"),
    ("choice", {"choices": [0, 1]}, "choices"),  # two ids (turned into the survey's own below)
    ("choice", {"choices": "1"}, "choices"),
    ("choice", {"choices": {"1": True}}, "choices"),
    ("choice", {"choices": [True]}, "choices"),
    ("choice", {"choices": [1.0]}, "choices"),
    ("choice", {"choices": [None]}, "choices"),
    ("choice", {"choices": [2**63]}, "choices"),
    ("choice", {"choices": [999_999]}, "choices"),
    ("choice", {"choices": list(range(10_000))}, "choices"),
    ("multi", {"choices": [0, 0]}, "choices"),
    ("multi", {"choices": []}, "choices"),
    ("multi", {"choices": ["kaksi"]}, "choices"),
    ("scale", {}, "scale"),
    ("scale", {"scale": 0}, "scale"),
    ("scale", {"scale": 6}, "scale"),
    ("scale", {"scale": True}, "scale"),
    ("scale", {"scale": 3.5}, "scale"),
    ("scale", {"scale": [3]}, "scale"),
    ("scale", {"scale": 10**40}, "scale"),
    ("text", {}, "text"),
    ("text", {"text": "   "}, "text"),
    ("text", {"text": "a" * 301}, "text"),
    ("text", {"text": ["a"]}, "text"),
    ("text", {"uuid": "not-a-uuid", "text": "Moi"}, "uuid"),
])
def test_a_bad_answer_names_the_field_and_stores_nothing(room, choice, multi, scale, text, kind, body, field):
    survey = {"choice": choice, "multi": multi, "scale": scale, "text": text}[kind]
    if body.get("choices") in ([0, 1], [0, 0]):
        body = {"choices": [ids(survey)[index] for index in body["choices"]]}
    problem = refused(surveys.answer, room.workshop, room.participant(), survey.id,
                      {"uuid": str(uuid.uuid4()), **body})
    assert (problem.status, problem.field) == (422, field)
    assert count(SurveyAnswer) == 0


def test_an_option_of_another_survey_or_workshop_is_not_a_choice(room, choice, multi):
    other = create_workshop("Katutyö")
    foreign = surveys.create_survey(other, room.staff, {"kind": "choice", "title": "Mitä?",
                                                        "options": ["A", "B"]}).item
    for option_id in (ids(multi)[0], ids(foreign)[0]):
        problem = refused(reply, room, room.participant(), choice, choices=[option_id])
        assert (problem.status, problem.field) == (422, "choices")
    assert count(SurveyAnswer) == 0


def test_the_answer_in_text_is_kept_as_typed(room, text):
    row = reply(room, room.participant(), text, text="  Kahvi\r\nloppui \x00").item
    assert surveys.answer_state(row) == {"uuid": row.uuid, "survey_id": text.id, "choices": [], "scale": None,
                                         "text": "Kahvi\nloppui"}


# -- results ----------------------------------------------------------------------------------------


def test_results_of_a_choice_survey(room, choice):
    for index in (0, 0, 2):
        reply(room, room.participant(), choice, choices=[ids(choice)[index]])
    result = surveys.results(choice)
    assert result["respondents"] == 3 and counts(choice) == [2, 0, 1]
    assert (result["scale"], result["texts"]) == (None, None)


def test_results_of_a_multi_survey(room, multi):
    reply(room, room.participant(), multi, choices=ids(multi))
    reply(room, room.participant(), multi, choices=[ids(multi)[1]])
    reply(room, room.staff, multi, choices=[ids(multi)[1], ids(multi)[2]])
    result = surveys.results(multi)
    assert result["respondents"] == 3
    assert [option["count"] for option in result["options"]] == [1, 3, 2]


def test_results_of_a_scale_survey(room, scale):
    alice = room.participant()
    reply(room, alice, scale, scale=1)
    reply(room, alice, scale, scale="4")  # changed their mind; a form's "4" reads as 4
    reply(room, room.participant(), scale, scale=4)
    result = surveys.results(scale)
    assert result["scale"] == {"1": 0, "2": 0, "3": 0, "4": 2, "5": 0}
    assert (result["respondents"], result["options"], result["texts"]) == (2, [], None)


def test_results_of_a_text_survey_are_for_staff_only(room, text):
    alice = room.participant()
    reply(room, alice, text, text="Kylmä")
    reply(room, room.participant(), text, text="Lämmin")
    reply(room, alice, text, text="Kiireinen")
    assert surveys.results(text)["texts"] == ["Lämmin", "Kiireinen"]
    public = state(text, changes.PUBLIC)
    assert public["texts"] is None and public["respondents"] == 2


def test_results_never_say_who_answered(room, choice):
    reply(room, room.participant(), choice, choices=[ids(choice)[0]])
    for audience in changes.AUDIENCES:
        [found] = [c for c in changes.changes_since(room.workshop, 0, audience)["changes"] if c["type"] == "survey"]
        assert set(found) == {"type", "id", "kind", "title", "purpose", "open", "phase", "position", "respondents",
                              "options", "scale", "texts"}
        assert all(set(option) == {"id", "label", "key", "count"} for option in found["options"])


def test_own_answers_are_the_latest_of_each_survey(room, choice, scale):
    alice = room.participant()
    reply(room, alice, choice, choices=[ids(choice)[0]])
    latest = reply(room, alice, choice, choices=[ids(choice)[1]]).item
    reply(room, alice, scale, scale=2)
    reply(room, room.participant(), scale, scale=5)
    mine = surveys.own_answers(room.workshop, alice)
    assert set(mine) == {choice.id, scale.id}
    assert mine[choice.id] == {"uuid": latest.uuid, "survey_id": choice.id, "choices": [ids(choice)[1]],
                               "scale": None, "text": None}
    assert mine[scale.id]["scale"] == 2


# -- pushed live ---------------------------------------------------------------------------------------


def test_an_answer_is_pushed_to_both_walls_with_the_texts_for_staff_only(room, text, pushed):
    pushed.clear()
    reply(room, room.participant(), text, text="Hiljaista")
    by_room = {to: data["entity"] for to, event, data in pushed if event == changes.CHANGE_EVENT}
    staff_state = by_room[changes.room(room.workshop.id, changes.STAFF)]
    public_state = by_room[changes.room(room.workshop.id, changes.PUBLIC)]
    assert staff_state["texts"] == ["Hiljaista"] and public_state["texts"] is None
    assert staff_state["respondents"] == public_state["respondents"] == 1
    assert len(pushed) == 2


def test_making_and_closing_a_survey_is_pushed(room, pushed):
    survey = make(room, "scale", "Miten menee?", ())
    surveys.set_open(room.workshop, room.staff, survey.id, False)
    entities = [data["entity"] for to, _event, data in pushed if to.endswith(changes.PUBLIC)]
    assert [(entity["type"], entity["id"], entity["open"]) for entity in entities] == [
        ("survey", survey.id, True), ("survey", survey.id, False)]


# -- over HTTP ---------------------------------------------------------------------------------------


@pytest.fixture
def made(staff) -> dict:
    """A choice survey made over the API: its staff state."""
    response = staff.post("/surveys", json={"kind": "choice", "title": "Mitä syöt?", "options": ["Puuroa", "Leipää"]})
    assert response.status_code == 201
    yield response.get_json()["survey"]


def test_a_survey_over_the_api(alice, staff, made):
    porridge, bread = (option["id"] for option in made["options"])
    assert (made["kind"], made["open"], made["respondents"], made["phase"]) == ("choice", True, 0, "mapping")
    sent = {"uuid": str(uuid.uuid4()), "choices": [porridge]}
    first = alice.post(f"/surveys/{made['id']}/answers", json=sent)
    assert first.status_code == 201
    assert first.get_json() == {"ok": True, "answer": {"uuid": sent["uuid"], "survey_id": made["id"],
                                                       "choices": [porridge], "scale": None, "text": None}}
    assert alice.post(f"/surveys/{made['id']}/answers", json=sent).status_code == 200
    refusal(alice.post(f"/surveys/{made['id']}/answers", json={**sent, "choices": [bread]}), 409, "uuid")
    assert alice.post(f"/surveys/{made['id']}/answers",
                      json={"uuid": str(uuid.uuid4()), "choices": [bread]}).status_code == 201
    closed = staff.patch(f"/surveys/{made['id']}", json={"open": False})
    assert closed.status_code == 200
    survey = closed.get_json()["survey"]
    assert survey["open"] is False and [o["count"] for o in survey["options"]] == [0, 1]
    assert survey["respondents"] == 1
    refusal(alice.post(f"/surveys/{made['id']}/answers", json={"uuid": str(uuid.uuid4()), "choices": [bread]}), 423)
    assert staff.patch(f"/surveys/{made['id']}", json={"open": "true"}).get_json()["survey"]["open"] is True


def test_scale_and_text_surveys_over_the_api(alice, staff):
    scale = staff.post("/surveys", json={"kind": "scale", "title": "Miltä tuntuu?"}).get_json()["survey"]
    text = staff.post("/surveys", json={"kind": "text", "title": "Sana päivästä", "options": []}).get_json()["survey"]
    assert (scale["scale"], scale["options"]) == ({str(n): 0 for n in range(1, 6)}, [])
    assert alice.post(f"/surveys/{scale['id']}/answers", json={"uuid": str(uuid.uuid4()), "scale": 5}
                      ).get_json()["answer"]["scale"] == 5
    assert alice.post(f"/surveys/{text['id']}/answers", json={"uuid": str(uuid.uuid4()), "text": "Aurinkoinen"}
                      ).status_code == 201
    everything = {c["id"]: c for c in staff.get("/changes").get_json()["changes"] if c["type"] == "survey"}
    public = {c["id"]: c for c in alice.get("/changes").get_json()["changes"] if c["type"] == "survey"}
    assert everything[scale["id"]]["scale"]["5"] == 1
    assert everything[text["id"]]["texts"] == ["Aurinkoinen"]
    assert public[text["id"]]["texts"] is None and public[text["id"]]["respondents"] == 1


def test_staff_answer_on_someones_behalf_over_the_api(staff, made):
    for _ in range(2):
        body = {"uuid": str(uuid.uuid4()), "choices": [made["options"][0]["id"]]}
        assert staff.post(f"/surveys/{made['id']}/answers", json=body).status_code == 201
    surveys_now = [c for c in staff.get("/changes").get_json()["changes"] if c["type"] == "survey"]
    assert surveys_now[-1]["respondents"] == 2


def test_the_participation_poll_over_the_api_in_a_swedish_workshop(app, logged_in, make_workshop):
    swedish = ApiClient(logged_in, make_workshop(title="Dagcentret", language="sv")["code"])
    first = swedish.post("/surveys", json={"purpose": "participation"})
    assert first.status_code == 201
    poll = first.get_json()["survey"]
    with app.test_request_context(), force_locale("sv"):
        expected = [label for _way, label in phases.participation_way_labels()]
        title = surveys.participation_title()
    assert (poll["kind"], poll["purpose"], poll["title"]) == ("multi", "participation", title)
    assert [option["key"] for option in poll["options"]] == list(phases.PARTICIPATION_WAYS)
    assert [option["label"] for option in poll["options"]] == expected
    again = swedish.post("/surveys", json={"purpose": "participation", "kind": "text", "title": "Annat"})
    assert again.status_code == 200 and again.get_json()["survey"]["id"] == poll["id"]


def test_the_answer_is_pushed_live(alice, made, pushed):
    pushed.clear()
    alice.post(f"/surveys/{made['id']}/answers", json={"uuid": str(uuid.uuid4()),
                                                       "choices": [made["options"][1]["id"]]})
    states = [data["entity"] for _to, event, data in pushed if event == changes.CHANGE_EVENT]
    assert len(states) == 2
    assert all(s["id"] == made["id"] and [o["count"] for o in s["options"]] == [0, 1] for s in states)


# -- who may do what over HTTP ------------------------------------------------------------------------


@pytest.mark.parametrize("method, path, body", [
    ("post", "/surveys", {"kind": "text", "title": "Mitä?"}),
    ("post", "/surveys", {"purpose": "participation"}),
    ("patch", "/surveys/{id}", {"open": False}),
])
def test_participants_get_403_from_the_facilitators_survey_endpoints(alice, staff, made, method, path, body):
    before = staff.get("/changes").get_json()["last_seq"]
    refusal(getattr(alice, method)(path.format(id=made["id"]), json=body), 403)
    assert staff.get("/changes").get_json()["last_seq"] == before


def test_a_phone_of_another_workshop_cannot_answer(app, staff, made, make_workshop):
    other_code = make_workshop(title="Katutyö")["code"]
    outsider = ApiClient(app.test_client(), other_code)
    assert outsider.client.get(f"/j/{other_code}").status_code == 200
    body = {"uuid": str(uuid.uuid4()), "choices": [made["options"][0]["id"]]}
    # Under this workshop's address: not joined here. Under its own: no such survey there.
    refusal(outsider.client.post(f"/api/w/{staff.code}/surveys/{made['id']}/answers", json=body,
                                 headers=API_HEADERS), 403)
    refusal(outsider.post(f"/surveys/{made['id']}/answers", json=body), 404)
    refusal(ApiClient(app.test_client(), staff.code).post(f"/surveys/{made['id']}/answers", json=body), 403)
    assert staff.get("/changes").get_json()["changes"][-1]["respondents"] == 0


def test_a_closed_workshop_is_410_for_participants(alice, staff, made, logged_in, workshop):
    logged_in.post(f"/facilitator/workshops/{workshop['id']}/close")
    body = {"uuid": str(uuid.uuid4()), "choices": [made["options"][0]["id"]]}
    refusal(alice.post(f"/surveys/{made['id']}/answers", json=body), 410)
    assert staff.post(f"/surveys/{made['id']}/answers", json=body).status_code == 201


def test_unknown_surveys_are_404(alice, staff, made):
    body = {"uuid": str(uuid.uuid4()), "scale": 3}
    for survey_id in (made["id"] + 1, 10**30):
        refusal(alice.post(f"/surveys/{survey_id}/answers", json=body), 404)
        refusal(staff.patch(f"/surveys/{survey_id}", json={"open": False}), 404)
    refusal(staff.patch("/surveys/-1", json={"open": False}), 404)


# -- bad input over HTTP: a clear 4xx, nothing written ------------------------------------------------


@pytest.mark.parametrize("body, status, field", [
    ([{"kind": "text"}], 400, None),
    ({"kind": "choice", "title": "Mitä?", "options": ["A", "A"]}, 422, "options"),
    ({"kind": "choice", "title": "Mitä?", "options": "A"}, 422, "options"),
    ({"kind": "multi", "title": "Mitä?", "options": [["A"], ["B"]]}, 422, "options"),
    ({"kind": 1, "title": "Mitä?"}, 422, "kind"),
    ({"kind": "scale", "title": "a" * 1_000_000}, 422, "title"),
    ({"kind": "scale", "title": "Mitä?", "purpose": ["participation"]}, 422, "purpose"),
], ids=["list", "duplicates", "one-option", "nested-options", "number-kind", "1MB-title", "list-purpose"])
def test_a_bad_survey_over_the_api_is_a_clear_4xx(staff, body, status, field):
    before = staff.get("/changes").get_json()["last_seq"]
    refusal(staff.post("/surveys", json=body), status, field)
    assert staff.get("/changes").get_json()["last_seq"] == before


@pytest.mark.parametrize("body, status, field", [
    ("text", 400, None),
    ({"uuid": None, "choices": [1]}, 422, "uuid"),
    ({"uuid": 12345, "choices": [1]}, 422, "uuid"),
    ({"choices": 1}, 422, "choices"),
    ({"choices": [True]}, 422, "choices"),
    ({"choices": [2**80]}, 422, "choices"),
    ({"choices": ["first"]}, 422, "choices"),
    ({"choices": [[1]]}, 422, "choices"),
    ({"choices": [{"id": 1}]}, 422, "choices"),
], ids=["string", "no-uuid", "number-uuid", "number-choices", "bool", "huge", "word", "nested", "object"])
def test_a_bad_answer_over_the_api_is_a_clear_4xx(alice, staff, made, body, status, field):
    if isinstance(body, dict):
        body = {"uuid": str(uuid.uuid4()), **body}
    before = staff.get("/changes").get_json()["last_seq"]
    refusal(alice.post(f"/surveys/{made['id']}/answers", json=body), status, field)
    assert staff.get("/changes").get_json()["last_seq"] == before
    assert alice.get("/changes").get_json()["changes"][-1]["respondents"] == 0


def test_an_option_of_another_workshops_survey_is_422_over_the_api(app, alice, staff, made, make_workshop,
                                                                     logged_in):
    other = ApiClient(logged_in, make_workshop(title="Katutyö")["code"])
    foreign = other.post("/surveys", json={"kind": "choice", "title": "Mitä?", "options": ["X", "Y"]}
                         ).get_json()["survey"]
    body = {"uuid": str(uuid.uuid4()), "choices": [foreign["options"][0]["id"]]}
    refusal(alice.post(f"/surveys/{made['id']}/answers", json=body), 422, "choices")
    refusal(alice.post(f"/surveys/{foreign['id']}/answers", json=body), 404)


STRANGE_BODIES = [
    [1, 2, 3],
    "text",
    None,
    {},
    {"uuid": ["x"], "kind": {"a": 1}, "title": None, "options": 7, "purpose": 3, "open": [], "choices": "x",
     "scale": "many", "text": {"a": 1}},
    {"uuid": str(uuid.UUID(int=1)), "kind": "multi", "title": "\ud800", "options": ["\x00", "\x00"],
     "choices": [2**63, -1], "scale": 2**63, "text": "\x00" * 300, "open": "perhaps"},
    {"uuid": str(uuid.UUID(int=2)), "kind": "choice", "title": "x", "options": ["a"] * 13, "choices": [None] * 13,
     "scale": -5, "text": "a" * 10_000, "purpose": "participation"},
]


def test_no_500_from_the_survey_endpoints(alice, staff, made):
    checked = 0
    for actor in (alice, staff):
        for method, path in (("post", "/surveys"), ("patch", "/surveys/{id}"), ("post", "/surveys/{id}/answers")):
            for survey_id in (str(made["id"]), "1", str(10**25)):
                for body in STRANGE_BODIES:
                    response = getattr(actor, method)(path.format(id=survey_id), json=body)
                    assert response.status_code < 500, (method, path, body, response.get_json())
                    assert response.is_json
                    checked += 1
    assert checked >= 100
