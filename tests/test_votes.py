"""Dot voting, called directly: questions, each person's dots, moving and taking back."""
import uuid

import pytest
from sqlalchemy import func, select

from workshop import changes, votes
from workshop.extensions import db
from workshop.models import Dot
from workshop.problems import Problem
from workshop.workshops import close_workshop, create_workshop


def refused(call, *args) -> Problem:
    with pytest.raises(Problem) as caught:
        call(*args)
    return caught.value


@pytest.fixture
def question(room):
    """An open question with three options and three dots per person."""
    yield votes.create_question(room.workshop, room.staff, {
        "title": "Mistä puhutaan ensin?", "options": ["Ruoka", "Aukioloajat", "Asuminen"]})


def cast(room, actor, option, dot_uuid=None):
    return votes.cast(room.workshop, actor, {"uuid": dot_uuid or str(uuid.uuid4()), "option_id": option.id})


def counts(question) -> list[int]:
    state = changes.question_state(question, changes.dot_counts([question.id]))
    return [option["dots"] for option in state["options"]]


# -- questions -------------------------------------------------------------------------------


def test_a_question_is_made_from_lines_of_text(room):
    question = votes.create_question(room.workshop, room.staff, {
        "title": "  Mikä on tärkeintä? ", "options": "Ruoka\n\n  Aukioloajat \r\nAsuminen\n", "dots_per_person": "2"})
    assert question.title == "Mikä on tärkeintä?"
    assert [option.label for option in question.options] == ["Ruoka", "Aukioloajat", "Asuminen"]
    assert question.dots_per_person == 2 and question.is_open


def test_a_question_has_three_dots_by_default(question):
    assert question.dots_per_person == 3


@pytest.mark.parametrize("data, field", [
    ({"title": "", "options": ["A", "B"]}, "title"),
    ({"title": "Mitä?", "options": ["Vain yksi"]}, "options"),
    ({"title": "Mitä?", "options": [f"Vaihtoehto {n}" for n in range(21)]}, "options"),
    ({"title": "Mitä?", "options": {"A": 1, "B": 2}}, "options"),
    ({"title": "Mitä?", "options": ["A", 2]}, "options"),
    ({"title": "Mitä?", "options": ["A", "B" * 201]}, "options"),
    ({"title": "Mitä?", "options": ["A", "B"], "dots_per_person": 0}, "dots_per_person"),
    ({"title": "Mitä?", "options": ["A", "B"], "dots_per_person": 11}, "dots_per_person"),
])
def test_a_bad_question_names_the_field(room, data, field):
    problem = refused(votes.create_question, room.workshop, room.staff, data)
    assert (problem.status, problem.field) == (422, field)


def test_participants_cannot_start_or_close_votes(room, question):
    alice = room.participant()
    assert refused(votes.create_question, room.workshop, alice, {"title": "Mitä?", "options": ["A", "B"]}).status == 403
    assert refused(votes.set_open, room.workshop, alice, question.id, False).status == 403
    assert question.is_open


def test_closing_a_vote_twice_is_one_change(room, question):
    votes.set_open(room.workshop, room.staff, question.id, False)
    last_seq = room.workshop.last_seq
    votes.set_open(room.workshop, room.staff, question.id, False)
    assert room.workshop.last_seq == last_seq and not question.is_open


def test_a_question_of_another_workshop_is_not_found(room, question):
    other = create_workshop("Katutyö")
    assert refused(votes.set_open, other, room.staff, question.id, False).status == 404


# -- each person's dots -------------------------------------------------------------------------


def test_a_participant_has_three_dots_and_no_fourth(room, question):
    alice = room.participant()
    first = question.options[0]
    for _ in range(3):  # all three on one option is allowed
        assert cast(room, alice, first).created
    problem = refused(cast, room, alice, question.options[1])
    assert (problem.status, problem.field) == (422, "option_id")
    assert counts(question) == [3, 0, 0]
    assert cast(room, room.participant(), question.options[1]).created  # the next person has their own


def test_a_repeated_dot_counts_once(room, question):
    alice = room.participant()
    dot_uuid = str(uuid.uuid4())
    first = cast(room, alice, question.options[0], dot_uuid)
    again = cast(room, alice, question.options[0], dot_uuid)
    assert first.created and not again.created and again.item.id == first.item.id
    assert counts(question) == [1, 0, 0]
    problem = refused(cast, room, alice, question.options[1], dot_uuid)
    assert (problem.status, problem.field) == (409, "uuid")


def test_the_limit_is_per_question(room, question):
    alice = room.participant()
    other = votes.create_question(room.workshop, room.staff, {"title": "Entä?", "options": ["X", "Y"],
                                                              "dots_per_person": 1})
    for _ in range(3):
        cast(room, alice, question.options[2])
    assert cast(room, alice, other.options[0]).created
    assert refused(cast, room, alice, other.options[1]).status == 422


@pytest.mark.parametrize("option_id", [999999, "kolme"])
def test_a_dot_needs_a_real_option(room, question, option_id):
    body = {"uuid": str(uuid.uuid4()), "option_id": option_id}
    problem = refused(votes.cast, room.workshop, room.participant(), body)
    assert problem.field == "option_id" and problem.status in (404, 422)


def test_an_option_of_another_workshop_is_not_found(room, question):
    other = create_workshop("Katutyö")
    problem = refused(votes.cast, other, room.staff, {"uuid": str(uuid.uuid4()), "option_id": question.options[0].id})
    assert (problem.status, problem.field) == (404, "option_id")


def test_a_dot_moves_within_its_question(room, question):
    alice = room.participant()
    dot = cast(room, alice, question.options[0]).item
    votes.move(room.workshop, alice, dot.uuid, {"option_id": question.options[2].id})
    votes.move(room.workshop, alice, dot.uuid, {"option_id": question.options[2].id})  # again: no change
    assert counts(question) == [0, 0, 1]


def test_a_dot_cannot_move_to_another_question(room, question):
    alice = room.participant()
    other = votes.create_question(room.workshop, room.staff, {"title": "Entä?", "options": ["X", "Y"]})
    dot = cast(room, alice, question.options[0]).item
    problem = refused(votes.move, room.workshop, alice, dot.uuid, {"option_id": other.options[0].id})
    assert (problem.status, problem.field) == (422, "option_id")
    assert counts(question) == [1, 0, 0] and counts(other) == [0, 0]


def test_only_ones_own_dot_moves(room, question):
    dot = cast(room, room.participant(), question.options[0]).item
    problem = refused(votes.move, room.workshop, room.participant(), dot.uuid, {"option_id": question.options[1].id})
    assert problem.status == 404


def test_taking_a_dot_back_frees_it(room, question):
    alice = room.participant()
    dots = [cast(room, alice, question.options[0]).item for _ in range(3)]
    votes.take_back(room.workshop, alice, dots[0].uuid)
    votes.take_back(room.workshop, alice, dots[0].uuid)  # twice is fine
    assert counts(question) == [2, 0, 0]
    assert cast(room, alice, question.options[1]).created
    assert counts(question) == [2, 1, 0]


def test_a_dot_taken_back_stays_taken_back_when_its_send_is_replayed(room, question):
    # The offline outbox may send a dot again long after the participant took it back.
    alice = room.participant()
    dot = cast(room, alice, question.options[0]).item
    votes.take_back(room.workshop, alice, dot.uuid)
    replay = cast(room, alice, question.options[0], dot_uuid=dot.uuid)
    assert not replay.created and votes.dot_state(replay.item)["taken_back"] is True
    assert counts(question) == [0, 0, 0]
    assert votes.own_dots(room.workshop, alice) == []
    assert refused(votes.move, room.workshop, alice, dot.uuid, {"option_id": question.options[1].id}).status == 404


def test_someone_elses_dot_cannot_be_taken_back(room, question):
    dot = cast(room, room.participant(), question.options[0]).item
    assert refused(votes.take_back, room.workshop, room.participant(), dot.uuid).status == 404
    assert counts(question) == [1, 0, 0]


@pytest.mark.parametrize("action", ["cast", "move", "take back"])
def test_a_closed_vote_keeps_its_dots_and_takes_no_more(room, question, action):
    alice = room.participant()
    dot = cast(room, alice, question.options[0]).item
    votes.set_open(room.workshop, room.staff, question.id, False)
    calls = {
        "cast": lambda: cast(room, alice, question.options[1]),
        "move": lambda: votes.move(room.workshop, alice, dot.uuid, {"option_id": question.options[1].id}),
        "take back": lambda: votes.take_back(room.workshop, alice, dot.uuid),
    }
    assert refused(calls[action]).status == 423
    assert counts(question) == [1, 0, 0]


def test_a_closed_workshop_takes_no_dots_from_participants(room, question):
    alice = room.participant()
    close_workshop(room.workshop)
    assert refused(cast, room, alice, question.options[0]).status == 410


def test_staff_cast_dots_on_behalf_without_a_limit(room, question):
    for _ in range(5):  # five people in the room who do not use a phone
        assert cast(room, room.staff, question.options[1]).created
    assert counts(question) == [0, 5, 0]
    dot = db.session.scalars(select(Dot)).first()
    votes.take_back(room.workshop, room.staff, dot.uuid)
    assert counts(question) == [0, 4, 0]


def test_staff_cannot_take_back_a_participants_dot(room, question):
    dot = cast(room, room.participant(), question.options[0]).item
    assert refused(votes.take_back, room.workshop, room.staff, dot.uuid).status == 404


def test_counts_never_say_who_voted(room, question):
    alice, bob = room.participant(), room.participant()
    cast(room, alice, question.options[0])
    cast(room, bob, question.options[0])
    cast(room, bob, question.options[2])
    for audience in changes.AUDIENCES:
        [state] = [c for c in changes.changes_since(room.workshop, 0, audience)["changes"] if c["type"] == "question"]
        assert [option["dots"] for option in state["options"]] == [2, 0, 1]
        assert set(state) == {"type", "id", "title", "dots_per_person", "open", "purpose", "options"}
        assert all(set(option) == {"id", "label", "dots", "topic_id", "idea_id"} for option in state["options"])


def test_a_participant_sees_their_own_dots_only(room, question):
    alice, bob = room.participant(), room.participant()
    mine = cast(room, alice, question.options[0]).item
    cast(room, bob, question.options[1])
    assert [votes.dot_state(dot) for dot in votes.own_dots(room.workshop, alice)] == [
        {"uuid": mine.uuid, "question_id": question.id, "option_id": question.options[0].id, "taken_back": False}]
    assert db.session.scalar(select(func.count()).select_from(Dot)) == 2
