"""The phase machine and gatherings: the rules without a server, then their API."""
import pytest

from workshop import gatherings, phases
from workshop.changes import PUBLIC, STAFF, changes_since
from workshop.models import Phase
from workshop.problems import Problem

MAPPING, COLLECTION, PUBLICATION, FOLLOW_UP = phases.ORDER


def refused(call, *args) -> Problem:
    with pytest.raises(Problem) as caught:
        call(*args)
    return caught.value


def workshop_state(room, audience=PUBLIC) -> dict:
    [state] = [c for c in changes_since(room.workshop, 0, audience)["changes"] if c["type"] == "workshop"]
    return state


# -- the phase machine -----------------------------------------------------------------------


@pytest.mark.parametrize("current, target, allowed", [
    (MAPPING, COLLECTION, True), (COLLECTION, MAPPING, True), (COLLECTION, PUBLICATION, True),
    (PUBLICATION, FOLLOW_UP, True), (FOLLOW_UP, PUBLICATION, True),
    (MAPPING, PUBLICATION, False), (MAPPING, FOLLOW_UP, False), (FOLLOW_UP, MAPPING, False),
    (COLLECTION, COLLECTION, False),
])
def test_a_workshop_moves_one_phase_at_a_time(current, target, allowed):
    assert phases.can_move(current, target) is allowed


@pytest.mark.parametrize("phase, activity, allowed", [
    (MAPPING, phases.TOPICS, True), (MAPPING, phases.NOTES, True), (MAPPING, phases.SURVEYS, True),
    (MAPPING, phases.VOTES, True), (MAPPING, phases.FEEDBACK, True),
    (COLLECTION, phases.TOPICS, False), (COLLECTION, phases.NOTES, True), (COLLECTION, phases.SURVEYS, True),
    (COLLECTION, phases.VOTES, True), (COLLECTION, phases.FEEDBACK, True),
    (PUBLICATION, phases.TOPICS, False), (PUBLICATION, phases.NOTES, False), (PUBLICATION, phases.SURVEYS, True),
    (PUBLICATION, phases.VOTES, True), (PUBLICATION, phases.FEEDBACK, True),
    (FOLLOW_UP, phases.TOPICS, False), (FOLLOW_UP, phases.NOTES, False), (FOLLOW_UP, phases.VOTES, False),
    (FOLLOW_UP, phases.SURVEYS, True), (FOLLOW_UP, phases.FEEDBACK, True),
])
def test_what_each_phase_lets_participants_do(phase, activity, allowed):
    assert phases.allows(phase, activity) is allowed
    assert (activity in phases.activities_by_phase()[phase.value]) is allowed


def test_a_new_workshop_starts_with_the_initial_mapping(room):
    assert room.workshop.phase == MAPPING
    assert workshop_state(room)["phase"] == "mapping"


def test_moving_forward_asks_about_the_phase_just_finished(room):
    phases.move_to(room.workshop, room.staff, COLLECTION)
    state = workshop_state(room)
    assert (state["phase"], state["feedback_phase"]) == ("collection", "mapping")
    phases.move_to(room.workshop, room.staff, MAPPING)  # back: stop asking
    state = workshop_state(room)
    assert (state["phase"], state["feedback_phase"]) == ("mapping", None)


def test_a_jump_is_refused_and_the_same_phase_changes_nothing(room):
    assert refused(phases.move_to, room.workshop, room.staff, PUBLICATION).status == 409
    before = room.workshop.last_seq
    phases.move_to(room.workshop, room.staff, MAPPING)
    assert room.workshop.last_seq == before and room.workshop.phase == MAPPING


def test_only_staff_move_the_phase_or_the_projector(room):
    alice = room.participant()
    assert refused(phases.move_to, room.workshop, alice, COLLECTION).status == 403
    assert refused(phases.ask_feedback, room.workshop, alice, MAPPING).status == 403
    assert refused(phases.show_on_projector, room.workshop, alice, "explainer").status == 403
    assert room.workshop.phase == MAPPING


def test_feedback_is_asked_only_about_a_phase_reached(room):
    problem = refused(phases.ask_feedback, room.workshop, room.staff, COLLECTION)
    assert (problem.status, problem.field) == (422, "feedback_phase")
    phases.ask_feedback(room.workshop, room.staff, MAPPING)
    assert workshop_state(room)["feedback_phase"] == "mapping"
    phases.ask_feedback(room.workshop, room.staff, None)
    assert workshop_state(room)["feedback_phase"] is None


@pytest.mark.parametrize("view", ["wall", "explainer", "topics", "ideas", "participation", "survey-3", "question-12"])
def test_the_projector_shows_one_of_the_views(room, view):
    phases.show_on_projector(room.workshop, room.staff, view)
    assert workshop_state(room)["projector"] == view


@pytest.mark.parametrize("view", ["", "board", "survey-", "survey-0", "survey-x", "question-1-2", "WALL", 7, None,
                                  "survey-" + "9" * 12, "<script>"])
def test_anything_else_on_the_projector_is_refused(room, view):
    problem = refused(phases.show_on_projector, room.workshop, room.staff, view)
    assert (problem.status, problem.field) == (422, "projector")


def test_a_participant_is_told_when_the_phase_does_not_offer_something(room):
    phases.move_to(room.workshop, room.staff, COLLECTION)
    phases.move_to(room.workshop, room.staff, PUBLICATION)
    problem = refused(room.note, room.participant())
    assert problem.status == 409
    assert room.note(room.staff, "Paperilappu").created  # staff may still type in a paper note


def test_phase_names_and_ways_are_in_the_language_of_the_page(app):
    from flask_babel import force_locale

    with app.test_request_context(), force_locale("sv"):
        assert phases.phase_names()[Phase.COLLECTION] == "Insamling av information"
        assert [way for way, _ in phases.participation_way_labels()] == list(phases.PARTICIPATION_WAYS)
        assert [value for value, _, _ in phases.smiley_labels()] == [1, 2, 3, 4, 5]


# -- gatherings ------------------------------------------------------------------------------


def test_a_new_gathering_becomes_the_current_one_and_contributions_remember_it(room):
    first = gatherings.create(room.workshop, room.staff, {"title": "Tiistai", "place": "Päiväkeskus",
                                                           "held_on": "2026-11-24"})
    early = room.note(room.participant(), "Ensimmäinen").item
    second = gatherings.create(room.workshop, room.staff, {"title": "Katukierros"})
    late = room.note(room.participant(), "Toinen").item
    assert (early.gathering_id, late.gathering_id) == (first.id, second.id)
    assert (early.phase, late.phase) == (MAPPING, MAPPING)
    states = {c["id"]: c for c in changes_since(room.workshop, 0, PUBLIC)["changes"] if c["type"] == "gathering"}
    assert (states[first.id]["current"], states[second.id]["current"]) == (False, True)
    assert states[first.id]["held_on"] == "2026-11-24"
    assert workshop_state(room)["current_gathering_id"] == second.id


def test_ending_the_current_gathering_counts_nothing_to_any(room):
    gathering = gatherings.create(room.workshop, room.staff, {"title": "Tiistai"})
    gatherings.update(room.workshop, room.staff, gathering.id, {"current": False})
    assert room.note(room.participant()).item.gathering_id is None
    gatherings.update(room.workshop, room.staff, gathering.id, {"current": True})
    assert room.note(room.participant()).item.gathering_id == gathering.id


def test_the_log_is_for_staff_and_counts_people_without_names(room):
    gathering = gatherings.create(room.workshop, room.staff, {"title": "Tiistai"})
    gatherings.update(room.workshop, room.staff, gathering.id,
                      {"log": "Alkukartoitus ja aiheen valinta", "participant_count": "12"})
    staff_state = [c for c in changes_since(room.workshop, 0, STAFF)["changes"] if c["type"] == "gathering"][0]
    public_state = [c for c in changes_since(room.workshop, 0, PUBLIC)["changes"] if c["type"] == "gathering"][0]
    assert (staff_state["log"], staff_state["participant_count"]) == ("Alkukartoitus ja aiheen valinta", 12)
    assert "log" not in public_state and "participant_count" not in public_state


@pytest.mark.parametrize("data, field", [
    ({"title": ""}, "title"), ({"title": "x" * 121}, "title"), ({"title": 5}, "title"),
    ({"title": "Tiistai", "held_on": "24.11.2026"}, "held_on"), ({"title": "Tiistai", "held_on": "2026-13-40"}, "held_on"),
    ({"title": "Tiistai", "held_on": 20261124}, "held_on"), ({"title": "Tiistai", "place": "x" * 201}, "place"),
])
def test_a_gathering_needs_a_name_and_a_real_date(room, data, field):
    problem = refused(gatherings.create, room.workshop, room.staff, data)
    assert (problem.status, problem.field) == (422, field)
    assert gatherings.gatherings_of(room.workshop) == []


@pytest.mark.parametrize("count", [-1, 10_001, 2.5, True, "kaksitoista", [12]])
def test_the_number_who_took_part_is_a_whole_number(room, count):
    gathering = gatherings.create(room.workshop, room.staff, {"title": "Tiistai"})
    problem = refused(gatherings.update, room.workshop, room.staff, gathering.id, {"participant_count": count})
    assert (problem.status, problem.field) == (422, "participant_count")


def test_gatherings_are_for_staff_and_of_this_workshop(room, make_workshop):
    alice = room.participant()
    assert refused(gatherings.create, room.workshop, alice, {"title": "Tiistai"}).status == 403
    assert refused(gatherings.update, room.workshop, room.staff, 999, {"title": "X"}).status == 404


# -- over HTTP -------------------------------------------------------------------------------


def test_the_facilitator_moves_the_phase_over_the_api(staff, phone):
    alice = phone()
    assert alice.patch("", json={"phase": "collection"}).status_code == 403
    answer = staff.patch("", json={"phase": "collection"})
    assert answer.status_code == 200 and answer.get_json()["workshop"]["phase"] == "collection"
    assert staff.patch("", json={"phase": "follow_up"}).status_code == 409
    for bad in ("later", 3, None, ["collection"]):
        answer = staff.patch("", json={"phase": bad})
        assert answer.status_code == 422 and answer.get_json()["errors"][0]["field"] == "phase"
    answer = staff.patch("", json={"feedback_phase": None, "projector": "explainer"})
    assert answer.get_json()["workshop"]["projector"] == "explainer"
    assert staff.patch("", json={"projector": "<b>"}).status_code == 422


@pytest.mark.parametrize("settings, status, field", [
    ({"reveal_mode": True, "phase": "follow_up"}, 409, "phase"),
    ({"reveal_mode": True, "projector": "explainer", "phase": "later"}, 422, "phase"),
    ({"phase": "collection", "feedback_phase": "publication"}, 422, "feedback_phase"),
    ({"phase": "collection", "projector": ["wall"]}, 422, "projector"),
])
def test_settings_sent_together_are_applied_all_or_none(staff, settings, status, field):
    before = staff.get("/changes").get_json()
    answer = staff.patch("", json=settings)
    assert answer.status_code == status and answer.get_json()["errors"][0]["field"] == field
    assert staff.get("/changes").get_json() == before  # no setting changed, nothing pushed


def test_gatherings_over_the_api(staff, phone):
    answer = staff.post("/gatherings", json={"title": "Tiistai", "held_on": "2026-11-24"})
    assert answer.status_code == 201
    gathering = answer.get_json()["gathering"]
    assert gathering["current"] is True and gathering["log"] == ""
    answer = staff.patch(f"/gatherings/{gathering['id']}", json={"log": "Äänestettiin aiheesta", "participant_count": 9})
    assert answer.get_json()["gathering"]["participant_count"] == 9
    assert staff.patch("/gatherings/99999", json={"log": "x"}).status_code == 404
    assert staff.post("/gatherings", json=["Tiistai"]).status_code == 400
    assert phone().post("/gatherings", json={"title": "Tiistai"}).status_code == 403
    note = phone().note("Tiistain lappu").get_json()["item"]
    assert note["gathering_id"] == gathering["id"] and note["phase"] == "mapping"
