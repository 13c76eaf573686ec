"""Phase feedback ("how did this work for you?"): the rules called directly, then the API."""
import uuid

import pytest
from sqlalchemy import func, select

from workshop import feedback, gatherings, phases
from workshop.extensions import db
from workshop.models import Phase, PhaseFeedback
from workshop.problems import Problem
from workshop.workshops import close_workshop

from .conftest import API_HEADERS, ApiClient


def refused(call, *args) -> Problem:
    with pytest.raises(Problem) as caught:
        call(*args)
    return caught.value


def give(room, actor, phase="mapping", rating=4, feedback_uuid=None, **fields):
    data = {"uuid": feedback_uuid or str(uuid.uuid4()), "phase": phase, "rating": rating, **fields}
    return feedback.submit(room.workshop, actor, data)


def stored() -> int:
    return db.session.scalar(select(func.count()).select_from(PhaseFeedback))


def by_phase(room) -> dict:
    return {entry["phase"]: entry for entry in feedback.summary(room.workshop)}


# -- giving feedback -----------------------------------------------------------------------------


def test_feedback_is_stored_with_the_current_gathering(room):
    gathering = gatherings.create(room.workshop, room.staff, {"title": "Tiistai"})
    result = give(room, room.participant(), rating="5", way="drawing", comment="  Piirtäminen oli kivaa \n")
    assert result.created
    assert feedback.feedback_state(result.item) == {"uuid": result.item.uuid, "phase": "mapping", "rating": 5,
                                                    "way": "drawing", "comment": "Piirtäminen oli kivaa"}
    assert result.item.gathering_id == gathering.id


def test_the_same_feedback_sent_twice_is_stored_once(room):
    alice = room.participant()
    first = give(room, alice, feedback_uuid="0B0A2C3E-1111-4222-8333-444455556666", comment="Hyvä")
    again = give(room, alice, feedback_uuid="0b0a2c3e-1111-4222-8333-444455556666", comment="Hyvä")
    assert first.created and not again.created
    assert again.item.id == first.item.id and stored() == 1


@pytest.mark.parametrize("change", [{"rating": 2}, {"comment": "Toinen"}, {"way": "talking"}, {"phase": "collection"}])
def test_a_uuid_sent_again_with_other_content_is_a_conflict(room, change):
    phases.move_to(room.workshop, room.staff, Phase.COLLECTION)
    alice = room.participant()
    body = {"feedback_uuid": str(uuid.uuid4()), "phase": "mapping", "rating": 4, "comment": "Hyvä", "way": ""}
    give(room, alice, **body)
    problem = refused(lambda: give(room, alice, **{**body, **change}))
    assert (problem.status, problem.field) == (409, "uuid")
    assert stored() == 1


def test_another_participant_reusing_a_uuid_is_a_conflict(room):
    same = str(uuid.uuid4())
    give(room, room.participant(), feedback_uuid=same)
    assert refused(give, room, room.participant(), "mapping", 4, same).status == 409


def test_a_repeat_is_answered_after_the_workshop_moved_back_or_ended(room):
    phases.move_to(room.workshop, room.staff, Phase.COLLECTION)
    alice = room.participant()
    first = give(room, alice, "collection", 3)
    phases.move_to(room.workshop, room.staff, Phase.MAPPING)
    close_workshop(room.workshop)
    again = give(room, alice, "collection", 3, first.item.uuid)
    assert not again.created and again.item.id == first.item.id


def test_a_phase_not_reached_yet_is_refused(room):
    problem = refused(give, room, room.participant(), "collection")
    assert (problem.status, problem.field) == (422, "phase")
    assert refused(give, room, room.staff, "follow_up").status == 422  # staff too: nothing to evaluate yet
    assert stored() == 0


def test_earlier_phases_can_still_be_evaluated(room):
    phases.move_to(room.workshop, room.staff, Phase.COLLECTION)
    phases.move_to(room.workshop, room.staff, Phase.PUBLICATION)
    assert give(room, room.participant(), "mapping").created
    assert give(room, room.participant(), "publication").created


def test_an_ended_workshop_refuses_participants_but_not_staff(room):
    alice = room.participant()
    close_workshop(room.workshop)
    assert refused(give, room, alice).status == 410
    assert stored() == 0
    assert give(room, room.staff).created


@pytest.mark.parametrize("fields, field", [
    ({"uuid": "not-a-uuid"}, "uuid"),
    ({"uuid": None}, "uuid"),
    ({"phase": None}, "phase"),
    ({"phase": "Mapping"}, "phase"),
    ({"phase": "report"}, "phase"),
    ({"phase": ["mapping"]}, "phase"),
    ({"phase": 0}, "phase"),
    ({"rating": None}, "rating"),
    ({"rating": ""}, "rating"),
    ({"rating": 0}, "rating"),
    ({"rating": 6}, "rating"),
    ({"rating": -1}, "rating"),
    ({"rating": True}, "rating"),
    ({"rating": 4.0}, "rating"),
    ({"rating": "4.5"}, "rating"),
    ({"rating": "viisi"}, "rating"),
    ({"rating": 10**40}, "rating"),
    ({"rating": [4]}, "rating"),
    ({"way": "dancing"}, "way"),
    ({"way": ["notes"]}, "way"),
    ({"way": 1}, "way"),
    ({"comment": "x" * 301}, "comment"),
    ({"comment": {"text": "hi"}}, "comment"),
])
def test_bad_input_names_the_field_and_stores_nothing(room, fields, field):
    data = {"uuid": str(uuid.uuid4()), "phase": "mapping", "rating": 4, **fields}
    problem = refused(feedback.submit, room.workshop, room.participant(), data)
    assert (problem.status, problem.field) == (422, field)
    assert stored() == 0


def test_a_body_that_is_not_an_object_is_refused(room):
    assert refused(feedback.submit, room.workshop, room.participant(), ["mapping", 4]).status == 400


def test_a_comment_of_300_characters_is_fine(room):
    assert give(room, room.participant(), comment="x" * 300).created


# -- the latest answer counts ------------------------------------------------------------------------


def test_answering_again_changes_ones_answer(room):
    phases.move_to(room.workshop, room.staff, Phase.COLLECTION)
    alice, bob = room.participant(), room.participant()
    give(room, alice, "mapping", 1, comment="Liian nopeaa")
    give(room, alice, "mapping", 5, comment="Nyt ymmärsin")
    give(room, alice, "collection", 3)
    give(room, bob, "mapping", 2)
    mapping = by_phase(room)["mapping"]
    assert (mapping["answers"], mapping["average"]) == (2, 3.5)
    assert mapping["ratings"] == {"1": 0, "2": 1, "3": 0, "4": 0, "5": 1}
    assert [comment["comment"] for comment in mapping["comments"]] == ["Nyt ymmärsin"]
    assert stored() == 4  # the earlier answer is kept, so its replay stays harmless
    own = feedback.own_feedback(room.workshop, alice)
    assert {phase: state["rating"] for phase, state in own.items()} == {"mapping": 5, "collection": 3}
    assert own["mapping"]["comment"] == "Nyt ymmärsin"


def test_own_feedback_is_ones_own_only(room):
    alice = room.participant()
    give(room, room.participant(), rating=2)
    give(room, room.staff, rating=3)
    assert feedback.own_feedback(room.workshop, alice) == {}
    assert feedback.own_feedback(room.workshop, room.staff) == {}


def test_feedback_staff_record_on_behalf_of_people_counts_per_row(room):
    give(room, room.staff, rating=2)
    give(room, room.staff, rating=4)
    assert by_phase(room)["mapping"]["answers"] == 2


# -- the summary ----------------------------------------------------------------------------------------


def test_the_summary_lists_the_phases_reached(room):
    assert [entry["phase"] for entry in feedback.summary(room.workshop)] == ["mapping"]
    phases.move_to(room.workshop, room.staff, Phase.COLLECTION)
    summary = feedback.summary(room.workshop)
    assert [entry["phase"] for entry in summary] == ["mapping", "collection"]
    assert summary[1] == {"phase": "collection", "name": "Tiedonkeruu", "answers": 0, "average": None,
                          "ratings": {"1": 0, "2": 0, "3": 0, "4": 0, "5": 0}, "by_gathering": [], "ways": {},
                          "comments": []}


def test_the_summary_keeps_a_later_phase_answered_before_moving_back(room):
    phases.move_to(room.workshop, room.staff, Phase.COLLECTION)
    give(room, room.participant(), "collection", 2)
    phases.move_to(room.workshop, room.staff, Phase.MAPPING)
    assert [(entry["phase"], entry["answers"]) for entry in feedback.summary(room.workshop)] == [
        ("mapping", 0), ("collection", 1)]


def test_the_summary_counts_per_gathering(room):
    give(room, room.participant(), rating=5, comment="Ennen tilaisuuksia")
    tuesday = gatherings.create(room.workshop, room.staff, {"title": "Tiistai"})
    give(room, room.participant(), rating=4, way="talking")
    give(room, room.participant(), rating=1, way="talking", comment="Liian äänekästä")
    street = gatherings.create(room.workshop, room.staff, {"title": "Katukierros"})
    give(room, room.participant(), rating=3, way="notes", comment="Lappuja oli helppo kirjoittaa")
    gatherings.create(room.workshop, room.staff, {"title": "Ei vastauksia"})
    mapping = by_phase(room)["mapping"]
    assert (mapping["answers"], mapping["average"]) == (4, 3.3)  # 13 / 4 = 3.25: half rounds up, as people do
    assert mapping["by_gathering"] == [
        {"gathering_id": tuesday.id, "title": "Tiistai", "answers": 2, "average": 2.5},
        {"gathering_id": street.id, "title": "Katukierros", "answers": 1, "average": 3.0},
        {"gathering_id": None, "title": "Ilman tilaisuutta", "answers": 1, "average": 5.0},
    ]
    assert mapping["ways"] == {"talking": 2, "notes": 1}
    assert mapping["comments"] == [
        {"rating": 3, "way": "notes", "comment": "Lappuja oli helppo kirjoittaa", "gathering_id": street.id},
        {"rating": 1, "way": "talking", "comment": "Liian äänekästä", "gathering_id": tuesday.id},
        {"rating": 5, "way": "", "comment": "Ennen tilaisuuksia", "gathering_id": None},
    ]


def test_the_summary_says_nothing_about_who_answered_or_when(room):
    alice = room.participant()
    result = give(room, alice, rating=2, way="voting", comment="Sopi minulle")
    text = repr(feedback.summary(room.workshop))
    for secret in (result.item.uuid, result.item.created_at.isoformat(), "participant", "account", "created"):
        assert secret not in text
    [comment] = feedback.summary(room.workshop)[0]["comments"]
    assert set(comment) == {"rating", "way", "comment", "gathering_id"}


def test_the_summary_is_per_workshop(room, app_context):
    from workshop.workshops import create_workshop

    other = create_workshop("Katutyö")
    give(room, room.participant(), rating=5)
    assert feedback.summary(other)[0]["answers"] == 0


# -- the API ---------------------------------------------------------------------------------------------


def body(**fields) -> dict:
    return {"uuid": str(uuid.uuid4()), "phase": "mapping", "rating": 4, **fields}


def test_a_phone_gives_feedback_and_a_repeat_is_200(phone):
    alice = phone()
    sent = body(way="listening", comment="Sain vain kuunnella")
    created = alice.post("/feedback", json=sent)
    assert created.status_code == 201
    assert created.get_json() == {"ok": True, "feedback": {
        "uuid": sent["uuid"], "phase": "mapping", "rating": 4, "way": "listening", "comment": "Sain vain kuunnella"}}
    again = alice.post("/feedback", json=sent)
    assert again.status_code == 200 and again.get_json() == created.get_json()
    conflict = alice.post("/feedback", json={**sent, "rating": 1})
    assert conflict.status_code == 409
    assert conflict.get_json()["errors"][0]["field"] == "uuid"


def test_a_form_post_works_too(phone):
    response = phone().post("/feedback", data={"uuid": str(uuid.uuid4()), "phase": "mapping", "rating": "3"})
    assert response.status_code == 201 and response.get_json()["feedback"]["rating"] == 3


def test_staff_give_feedback_on_someones_behalf(staff):
    assert staff.post("/feedback", json=body(rating=5)).status_code == 201
    assert staff.get("/feedback").get_json()["phases"][0]["answers"] == 1


@pytest.mark.parametrize("fields, status, field", [
    ({"phase": "collection"}, 422, "phase"),
    ({"phase": "nope"}, 422, "phase"),
    ({"rating": True}, 422, "rating"),
    ({"rating": 99999999999999999999999999}, 422, "rating"),
    ({"rating": "5; DROP TABLE"}, 422, "rating"),
    ({"way": "x" * 10_000}, 422, "way"),
    ({"comment": "x" * 10_000}, 422, "comment"),
    ({"uuid": 12}, 422, "uuid"),
])
def test_bad_input_is_a_friendly_4xx(phone, fields, status, field):
    response = phone().post("/feedback", json=body(**fields))
    assert response.status_code == status
    answer = response.get_json()
    assert answer["ok"] is False and answer["error"] and answer["errors"][0]["field"] == field


@pytest.mark.parametrize("raw", ["[1, 2]", "null", "\"mapping\"", "{not json"])
def test_a_body_that_is_not_an_object_is_a_400(phone, raw):
    alice = phone()
    response = alice.client.post(alice.url("/feedback"), data=raw, content_type="application/json",
                                 headers=API_HEADERS)
    assert response.status_code == 400 and response.get_json()["ok"] is False


def test_an_ended_workshop_refuses_a_phone(app, phone, workshop):
    alice = phone()
    with app.app_context():
        from workshop.api.access import find_workshop

        close_workshop(find_workshop(workshop["code"]))
    assert alice.post("/feedback", json=body()).status_code == 410


def test_only_staff_see_the_results(phone, staff):
    alice = phone()
    alice.post("/feedback", json=body(rating=2, comment="Vaikeaa"))
    assert alice.get("/feedback").status_code == 403
    answer = staff.get("/feedback").get_json()
    assert answer["ok"] is True
    assert [(entry["phase"], entry["answers"], entry["average"]) for entry in answer["phases"]] == [
        ("mapping", 1, 2.0)]


def test_a_phone_of_another_workshop_is_refused(phone, make_workshop):
    other = phone(make_workshop(title="Katutyö")["code"])
    # A phone that joined the other workshop, pointed at this one.
    stranger = ApiClient(other.client, phone().code)
    assert stranger.post("/feedback", json=body()).status_code == 403
    assert stranger.get("/feedback").status_code == 403


def test_a_write_without_the_api_header_is_refused(phone):
    alice = phone()
    response = alice.client.post(alice.url("/feedback"), json=body())
    assert response.status_code == 403
