"""Phase 1's topic choice: proposals, the vote on them and the confirmed topic.

First the rules called directly (no HTTP), then the API, then the live push over the socket.
"""
import uuid

import pytest
from sqlalchemy import func, select

from workshop import changes, gatherings, phases, topics, votes
from workshop.changes import PUBLIC, STAFF, changes_since
from workshop.extensions import db
from workshop.models import Change, Phase, TopicProposal
from workshop.problems import Problem
from workshop.workshops import close_workshop, create_workshop

from .conftest import API_HEADERS, ApiClient, refusal


def refused(call, *args) -> Problem:
    with pytest.raises(Problem) as caught:
        call(*args)
    return caught.value


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def body(text="Asuminen", **fields) -> dict:
    return {"uuid": str(uuid.uuid4()), "text": text, **fields}


def propose(room, actor, text="Asuminen"):
    return topics.propose(room.workshop, actor, body(text)).item


def state_of(workshop, entity, entity_id, audience):
    """The entity's state in a full catch-up for `audience`."""
    [state] = [c for c in changes_since(workshop, 0, audience)["changes"]
               if c["type"] == entity and c["id"] == entity_id]
    return state


# -- proposing -----------------------------------------------------------------------------


def test_a_participant_proposes_a_topic_in_phase_one(room):
    alice = room.participant()
    gathering = gatherings.create(room.workshop, room.staff, {"title": "Maanantai"})
    result = topics.propose(room.workshop, alice, body("  Asuminen \n ja  asunnottomuus "))
    topic = result.item
    assert result.created
    assert topic.text == "Asuminen ja asunnottomuus"  # one line, blanks tidied
    assert (topic.participant_id, topic.account_id) == (alice.participant.id, None)
    assert topic.gathering_id == gathering.id
    assert state_of(room.workshop, "topic", topic.id, PUBLIC) == {"type": "topic", "id": topic.id,
                                                                  "text": "Asuminen ja asunnottomuus",
                                                                  "created_at": topic.created_at.isoformat()}
    own = topics.own_topic_state(topic)
    assert (own["uuid"], own["mine"], own["withdrawn"], own["hidden"]) == (topic.uuid, True, False, False)


def test_the_same_proposal_sent_twice_is_stored_once(room, pushed):
    alice = room.participant()
    data = body()
    first = topics.propose(room.workshop, alice, data)
    last_seq = room.workshop.last_seq
    again = topics.propose(room.workshop, alice, dict(data))
    assert first.created and not again.created and again.item.id == first.item.id
    assert count(TopicProposal) == 1 and count(Change, Change.entity == "topic") == 1
    assert room.workshop.last_seq == last_seq
    assert len(pushed) == 2  # the first send, once per audience; the repeat pushes nothing


def test_a_uuid_sent_again_with_other_text_or_by_someone_else_is_a_conflict(room):
    alice, bob = room.participant(), room.participant()
    data = body("Asuminen")
    topics.propose(room.workshop, alice, data)
    problem = refused(topics.propose, room.workshop, alice, {**data, "text": "Ruoka"})
    assert (problem.status, problem.field) == (409, "uuid")
    assert refused(topics.propose, room.workshop, bob, data).status == 409
    assert db.session.scalars(select(TopicProposal.text)).all() == ["Asuminen"]


def test_participants_propose_only_in_phase_one_and_staff_always(room):
    alice = room.participant()
    data = body()
    topics.propose(room.workshop, alice, data)
    phases.move_to(room.workshop, room.staff, Phase.COLLECTION)
    before = room.workshop.last_seq
    problem = refused(topics.propose, room.workshop, alice, body("Ruoka"))
    assert problem.status == 409 and "vaiheeseen" in str(problem.message)  # "moved on to another phase"
    assert room.workshop.last_seq == before
    # A replay of what was sent in phase 1 is still a harmless repeat, not an error.
    assert topics.propose(room.workshop, alice, data).created is False
    assert topics.propose(room.workshop, room.staff, body("Ruoka")).created


def test_an_ended_workshop_takes_no_proposals_from_participants(room):
    alice = room.participant()
    close_workshop(room.workshop)
    assert refused(topics.propose, room.workshop, alice, body()).status == 410
    assert topics.propose(room.workshop, room.staff, body()).created  # staff may still tidy up


@pytest.mark.parametrize("data, field", [
    ({"uuid": str(uuid.uuid4()), "text": ""}, "text"),
    ({"uuid": str(uuid.uuid4()), "text": "  \n "}, "text"),
    ({"uuid": str(uuid.uuid4()), "text": "a" * 121}, "text"),
    ({"uuid": str(uuid.uuid4()), "text": ["Asuminen"]}, "text"),
    ({"uuid": str(uuid.uuid4())}, "text"),
    ({"uuid": "not a uuid", "text": "Asuminen"}, "uuid"),
    ({"uuid": 12, "text": "Asuminen"}, "uuid"),
    ({"text": "Asuminen"}, "uuid"),
])
def test_a_bad_proposal_is_refused_and_stores_nothing(room, data, field):
    before = room.workshop.last_seq
    problem = refused(topics.propose, room.workshop, room.participant(), data)
    assert (problem.status, problem.field) == (422, field)
    assert count(TopicProposal) == 0 and room.workshop.last_seq == before


def test_a_proposal_of_exactly_120_characters_is_fine(room):
    assert len(propose(room, room.participant(), "a" * 120).text) == 120


# -- taking back ---------------------------------------------------------------------------


def test_taking_back_erases_the_text_and_leaves_a_tombstone(room, pushed):
    alice = room.participant()
    data = body("Asuminen")
    topic = topics.propose(room.workshop, alice, data).item
    pushed.clear()
    topics.withdraw(room.workshop, alice, topic.uuid)
    assert topic.text == "" and topic.withdrawn_at is not None
    for audience in (PUBLIC, STAFF):
        assert state_of(room.workshop, "topic", topic.id, audience) == {"type": "topic", "id": topic.id, "gone": True}
    assert [data["entity"] for _to, _event, data in pushed] == [{"type": "topic", "id": topic.id, "gone": True}] * 2
    pushed.clear()
    assert topics.withdraw(room.workshop, alice, topic.uuid).id == topic.id  # twice is fine
    assert pushed == []
    # A late replay of the outbox finds the tombstone and cannot bring the topic back.
    replay = topics.propose(room.workshop, alice, data)
    assert not replay.created and replay.item.withdrawn_at is not None
    assert topics.own_topics(room.workshop, alice) == []


def test_nobody_takes_back_someone_elses_proposal(room):
    alice, bob = room.participant(), room.participant()
    topic = propose(room, alice)
    assert refused(topics.withdraw, room.workshop, bob, topic.uuid).status == 404
    assert refused(topics.withdraw, room.workshop, room.staff, topic.uuid).status == 404  # staff hide instead
    assert refused(topics.withdraw, room.workshop, alice, str(uuid.uuid4())).status == 404
    assert refused(topics.withdraw, room.workshop, alice, "nonsense").status == 422
    assert topic.withdrawn_at is None


def test_taking_back_works_in_any_phase_but_not_after_the_end(room):
    alice = room.participant()
    first, second = propose(room, alice, "Asuminen"), propose(room, alice, "Ruoka")
    phases.move_to(room.workshop, room.staff, Phase.COLLECTION)
    topics.withdraw(room.workshop, alice, first.uuid)
    close_workshop(room.workshop)
    assert refused(topics.withdraw, room.workshop, alice, second.uuid).status == 410


# -- moderation ----------------------------------------------------------------------------


def test_staff_hide_and_show_a_proposal(room, pushed):
    topic = propose(room, room.participant())
    pushed.clear()
    topics.moderate(room.workshop, room.staff, topic.id, {"hidden": True})
    by_room = {to: data["entity"] for to, _event, data in pushed}
    assert by_room[changes.room(room.workshop.id, PUBLIC)] == {"type": "topic", "id": topic.id, "gone": True}
    assert by_room[changes.room(room.workshop.id, STAFF)]["hidden"] is True
    assert by_room[changes.room(room.workshop.id, STAFF)]["text"] == "Asuminen"
    pushed.clear()
    topics.moderate(room.workshop, room.staff, topic.id, {"hidden": True})  # no change, nothing pushed
    assert pushed == []
    topics.moderate(room.workshop, room.staff, topic.id, {"hidden": False})
    assert state_of(room.workshop, "topic", topic.id, PUBLIC)["text"] == "Asuminen"
    assert state_of(room.workshop, "topic", topic.id, STAFF)["hidden"] is False


def test_only_staff_moderate(room):
    alice = room.participant()
    topic = propose(room, alice)
    assert refused(topics.moderate, room.workshop, alice, topic.id, {"hidden": True}).status == 403
    assert topic.hidden_at is None


@pytest.mark.parametrize("data", [{}, {"hidden": "perhaps"}, {"hidden": 1}, {"hidden": None}, ["hidden"]])
def test_moderation_needs_a_yes_or_no(room, data):
    topic = propose(room, room.participant())
    assert refused(topics.moderate, room.workshop, room.staff, topic.id, data).status in (400, 422)
    assert topic.hidden_at is None


def test_a_proposal_of_another_workshop_or_taken_back_cannot_be_moderated(room):
    alice = room.participant()
    taken_back = propose(room, alice)
    topics.withdraw(room.workshop, alice, taken_back.uuid)
    other = create_workshop("Katutyö")
    foreign = topics.propose(other, room.staff, body()).item
    for topic_id in (taken_back.id, foreign.id, 999999, 2**70, True):
        assert refused(topics.moderate, room.workshop, room.staff, topic_id, {"hidden": True}).status == 404
    assert foreign.hidden_at is None


def test_proposals_of_and_own_topics(room):
    alice, bob = room.participant(), room.participant()
    a1, b1, a2, s1 = (propose(room, alice, "A"), propose(room, bob, "B"), propose(room, alice, "C"),
                      propose(room, room.staff, "D"))
    topics.moderate(room.workshop, room.staff, b1.id, {"hidden": True})
    topics.withdraw(room.workshop, alice, a2.uuid)
    assert topics.proposals_of(room.workshop) == [a1, b1, s1]
    assert topics.proposals_of(room.workshop, visible_only=True) == [a1, s1]
    assert topics.own_topics(room.workshop, alice) == [a1]
    assert topics.own_topics(room.workshop, bob) == [b1]  # hidden, but still theirs
    assert topics.own_topics(room.workshop, room.staff) == [s1]


# -- the vote --------------------------------------------------------------------------------


def test_the_vote_merges_identical_proposals_and_leaves_out_hidden_and_taken_back(room, pushed):
    alice, bob = room.participant(), room.participant()
    housing = propose(room, alice, "Asuminen")
    propose(room, bob, "  ASUMINEN ")
    food = propose(room, bob, "Ruoka ja  juoma")
    propose(room, alice, "ruoka JA juoma")
    hidden = propose(room, bob, "Kiusaaminen")
    topics.moderate(room.workshop, room.staff, hidden.id, {"hidden": True})
    taken_back = propose(room, alice, "Aukioloajat")
    topics.withdraw(room.workshop, alice, taken_back.uuid)
    staff_topic = propose(room, room.staff, "Päihdepalvelut")
    pushed.clear()
    question = topics.start_vote(room.workshop, room.staff, {"dots_per_person": 2})
    assert question.purpose == "topics" and question.dots_per_person == 2 and question.is_open
    assert [(o.label, o.topic_id) for o in question.options] == [
        ("Asuminen", housing.id), ("Ruoka ja juoma", food.id), ("Päihdepalvelut", staff_topic.id)]
    assert [o.position for o in question.options] == [0, 1, 2]
    assert [data["entity"]["type"] for _to, _event, data in pushed] == ["question", "question"]


def test_the_vote_title_is_in_the_workshops_language_unless_given(app_context):
    from workshop.actors import Actor
    from workshop.models import Account

    account = Account(username="paula", username_key="paula", password_hash="!")
    db.session.add(account)
    english = create_workshop("Street work", language="en")
    staff = Actor(account=account)
    for text in ("Housing", "Food"):
        topics.propose(english, staff, body(text))
    assert topics.start_vote(english, staff, {}).title == "Which topic shall we report on?"
    assert topics.start_vote(english, staff, {"title": "  Mistä  kirjoitamme? "}).title == "Mistä kirjoitamme?"


def test_the_vote_default_title_does_not_follow_the_request_language(app):
    from flask_babel import force_locale

    from workshop.actors import Actor
    from workshop.models import Account

    with app.test_request_context(headers={"Accept-Language": "sv"}), force_locale("sv"):
        account = Account(username="paula", username_key="paula", password_hash="!")
        db.session.add(account)
        workshop = create_workshop("Kalliola", language="fi")
        staff = Actor(account=account)
        for text in ("Asuminen", "Ruoka"):
            topics.propose(workshop, staff, body(text))
        title = topics.start_vote(workshop, staff, {}).title
        with force_locale("fi"):
            from flask_babel import gettext
            assert title == gettext("Which topic shall we report on?")


def test_a_vote_needs_two_different_proposals(room):
    alice = room.participant()
    assert refused(topics.start_vote, room.workshop, room.staff, {}).status == 422
    propose(room, alice, "Asuminen")
    propose(room, alice, "asuminen")
    before = room.workshop.last_seq
    assert refused(topics.start_vote, room.workshop, room.staff, {}).status == 422
    assert room.workshop.last_seq == before and votes.questions_of(room.workshop) == []


def test_a_vote_holds_at_most_twenty_options(room):
    for n in range(votes.MAX_OPTIONS + 1):
        propose(room, room.staff, f"Aihe {n}")
    assert refused(topics.start_vote, room.workshop, room.staff, {}).status == 422
    topics.moderate(room.workshop, room.staff, topics.proposals_of(room.workshop)[0].id, {"hidden": True})
    assert len(topics.start_vote(room.workshop, room.staff, {}).options) == votes.MAX_OPTIONS


@pytest.mark.parametrize("data, field", [
    ({"dots_per_person": 0}, "dots_per_person"),
    ({"dots_per_person": 11}, "dots_per_person"),
    ({"dots_per_person": True}, "dots_per_person"),
    ({"dots_per_person": 2.5}, "dots_per_person"),
    ({"dots_per_person": 2**80}, "dots_per_person"),
    ({"title": ["x"]}, "title"),
    ({"title": "x" * 201}, "title"),
])
def test_bad_vote_settings_are_refused(room, data, field):
    propose(room, room.staff, "Asuminen")
    propose(room, room.staff, "Ruoka")
    problem = refused(topics.start_vote, room.workshop, room.staff, data)
    assert (problem.status, problem.field) == (422, field)
    assert votes.questions_of(room.workshop) == []


def test_only_staff_start_the_vote_and_participants_vote_with_dots(room):
    alice = room.participant()
    propose(room, alice, "Asuminen")
    propose(room, alice, "Ruoka")
    assert refused(topics.start_vote, room.workshop, alice, {}).status == 403
    question = topics.start_vote(room.workshop, room.staff, {})
    votes.cast(room.workshop, alice, {"uuid": str(uuid.uuid4()), "option_id": question.options[1].id})
    state = changes.question_state(question, changes.dot_counts([question.id]))
    assert [option["dots"] for option in state["options"]] == [0, 1]


# -- confirming the topic ----------------------------------------------------------------------


@pytest.fixture
def topic_vote(room):
    """A vote on two proposals."""
    alice = room.participant()
    propose(room, alice, "Asuminen")
    propose(room, alice, "Ruoka")
    yield topics.start_vote(room.workshop, room.staff, {})


def test_the_topic_is_confirmed_from_an_option(room, topic_vote, pushed):
    pushed.clear()
    workshop = topics.confirm(room.workshop, room.staff, {"option_id": topic_vote.options[1].id})
    assert workshop.topic == "Ruoka"
    assert [(data["entity"]["type"], data["entity"]["topic"]) for _to, _event, data in pushed] == [
        ("workshop", "Ruoka")] * 2
    pushed.clear()
    topics.confirm(room.workshop, room.staff, {"option_id": str(topic_vote.options[1].id)})  # the same again
    assert pushed == []


def test_the_topic_is_typed_in_or_cleared(room):
    assert topics.confirm(room.workshop, room.staff, {"text": "  Asuminen  ja\n arki "}).topic == "Asuminen ja arki"
    assert state_of(room.workshop, "workshop", room.workshop.id, PUBLIC)["topic"] == "Asuminen ja arki"
    assert topics.confirm(room.workshop, room.staff, {"text": ""}).topic == ""
    assert topics.confirm(room.workshop, room.staff, {"text": "x" * 200}).topic == "x" * 200


def test_an_option_of_another_vote_or_workshop_is_refused(room, topic_vote):
    general = votes.create_question(room.workshop, room.staff, {"title": "Mitä?", "options": ["A", "B"]})
    other = create_workshop("Katutyö")
    for text in ("X", "Y"):
        topics.propose(other, room.staff, body(text))
    foreign = topics.start_vote(other, room.staff, {})
    problem = refused(topics.confirm, room.workshop, room.staff, {"option_id": general.options[0].id})
    assert (problem.status, problem.field) == (422, "option_id")
    problem = refused(topics.confirm, room.workshop, room.staff, {"option_id": foreign.options[0].id})
    assert (problem.status, problem.field) == (404, "option_id")
    assert room.workshop.topic == ""


@pytest.mark.parametrize("data, status, field", [
    ({}, 422, "text"),
    ({"option_id": None}, 422, "text"),
    ({"text": "Asuminen", "option_id": 1}, 422, "option_id"),
    ({"text": "x" * 201}, 422, "text"),
    ({"text": 5}, 422, "text"),
    ({"option_id": True}, 422, "option_id"),
    ({"option_id": "abc"}, 422, "option_id"),
    ({"option_id": -1}, 422, "option_id"),
    ({"option_id": 2**80}, 422, "option_id"),
    ({"option_id": 999999}, 404, "option_id"),
    ([1], 400, None),
])
def test_a_bad_topic_is_refused(room, topic_vote, data, status, field):
    problem = refused(topics.confirm, room.workshop, room.staff, data)
    assert (problem.status, problem.field) == (status, field)
    assert room.workshop.topic == ""


def test_only_staff_confirm_the_topic(room, topic_vote):
    alice = room.participant()
    assert refused(topics.confirm, room.workshop, alice, {"text": "Asuminen"}).status == 403
    assert refused(topics.confirm, room.workshop, alice, {"option_id": topic_vote.options[0].id}).status == 403
    assert room.workshop.topic == ""


# -- the API ---------------------------------------------------------------------------------


def test_proposing_over_the_api_is_201_then_200_then_409(alice):
    data = body("Asuminen")
    first = alice.post("/topics", json=data)
    assert first.status_code == 201 and first.get_json()["ok"] is True
    topic = first.get_json()["topic"]
    assert (topic["type"], topic["text"], topic["uuid"], topic["mine"]) == ("topic", "Asuminen", data["uuid"], True)
    again = alice.post("/topics", json=data)
    assert again.status_code == 200 and again.get_json()["topic"]["id"] == topic["id"]
    refusal(alice.post("/topics", json={**data, "text": "Ruoka"}), 409, "uuid")


def test_a_phone_proposes_only_in_phase_one(alice, staff):
    assert staff.patch("", json={"phase": "collection"}).status_code == 200
    answer = refusal(alice.post("/topics", json=body()), 409)
    assert answer["errors"] == []
    assert staff.post("/topics", json=body()).status_code == 201


def test_an_ended_workshop_is_410_for_phones(alice, staff, logged_in, workshop):
    mine = alice.post("/topics", json=body()).get_json()["topic"]
    logged_in.post(f"/facilitator/workshops/{workshop['id']}/close")
    refusal(alice.post("/topics", json=body("Ruoka")), 410)
    refusal(alice.delete(f"/topics/{mine['uuid']}"), 410)


def test_taking_back_over_the_api(alice, phone):
    mine = alice.post("/topics", json=body()).get_json()["topic"]
    theirs = phone().post("/topics", json=body("Ruoka")).get_json()["topic"]
    taken = alice.delete(f"/topics/{mine['uuid']}")
    assert taken.status_code == 200
    assert taken.get_json()["topic"] == {"type": "topic", "id": mine["id"], "gone": True, "uuid": mine["uuid"],
                                         "mine": True, "withdrawn": True}
    assert alice.delete(f"/topics/{mine['uuid']}").status_code == 200
    refusal(alice.delete(f"/topics/{theirs['uuid']}"), 404)
    refusal(alice.delete("/topics/nonsense"), 422)


def test_staff_hide_a_proposal_over_the_api(alice, staff):
    topic = alice.post("/topics", json=body()).get_json()["topic"]
    hidden = staff.patch(f"/topics/{topic['id']}", json={"hidden": True})
    assert hidden.status_code == 200 and hidden.get_json()["topic"]["hidden"] is True
    public = [c for c in alice.get("/changes").get_json()["changes"] if c["type"] == "topic"]
    assert public == [{"type": "topic", "id": topic["id"], "gone": True}]
    seen = [c for c in staff.get("/changes").get_json()["changes"] if c["type"] == "topic"]
    assert seen[0]["hidden"] is True and seen[0]["text"] == "Asuminen"
    refusal(staff.patch(f"/topics/{topic['id']}", json={}), 422, "hidden")
    refusal(staff.patch("/topics/999999", json={"hidden": True}), 404)
    refusal(staff.patch(f"/topics/{10**25}", json={"hidden": True}), 404)


def test_the_vote_and_the_topic_over_the_api(alice, phone, staff):
    for client, text in ((alice, "Asuminen"), (phone(), " asuminen"), (alice, "Ruoka")):
        client.post("/topics", json=body(text))
    started = staff.post("/topics/vote", json={"dots_per_person": 1})
    assert started.status_code == 201
    question = started.get_json()["question"]
    assert question["type"] == "question" and question["dots_per_person"] == 1 and question["open"] is True
    assert [option["label"] for option in question["options"]] == ["Asuminen", "Ruoka"]
    dot = {"uuid": str(uuid.uuid4()), "option_id": question["options"][1]["id"]}
    assert alice.post("/dots", json=dot).status_code == 201
    confirmed = staff.put("/topic", {"option_id": question["options"][1]["id"]})
    assert confirmed.status_code == 200
    assert confirmed.get_json()["workshop"]["topic"] == "Ruoka"
    [workshop] = [c for c in alice.get("/changes").get_json()["changes"] if c["type"] == "workshop"]
    assert workshop["topic"] == "Ruoka"
    assert staff.put("/topic", {"text": "Asuminen ja arki"}).get_json()["workshop"]["topic"] == "Asuminen ja arki"
    assert staff.put("/topic", {"text": ""}).get_json()["workshop"]["topic"] == ""


def test_a_vote_on_fewer_than_two_proposals_is_422(alice, staff):
    refusal(staff.post("/topics/vote", json={}), 422)
    alice.post("/topics", json=body("Asuminen"))
    refusal(staff.post("/topics/vote", json={}), 422)
    refusal(staff.post("/topics/vote", json={"dots_per_person": 99}), 422, "dots_per_person")


STAFF_ONLY = [
    ("patch", "/topics/{topic}", {"hidden": True}),
    ("post", "/topics/vote", {}),
    ("put", "/topic", {"text": "Asuminen"}),
]


@pytest.mark.parametrize("method, path, data", STAFF_ONLY, ids=[f"{m} {p}" for m, p, _ in STAFF_ONLY])
def test_participants_get_403_from_staff_endpoints(alice, method, path, data):
    topic = alice.post("/topics", json=body("Asuminen")).get_json()["topic"]
    alice.post("/topics", json=body("Ruoka"))
    before = alice.get("/changes").get_json()["last_seq"]
    url = alice.url(path.format(topic=topic["id"]))
    response = alice.client.open(url, method=method.upper(), json=data, headers=API_HEADERS)
    refusal(response, 403)
    assert alice.get("/changes").get_json()["last_seq"] == before


def test_a_phone_of_another_workshop_is_403(phone, make_workshop, staff, workshop):
    other = make_workshop("Katutyö")
    stranger = phone(other["code"])
    mine = staff.post("/topics", json=body()).get_json()["topic"]
    as_stranger = ApiClient(stranger.client, workshop["code"])
    refusal(as_stranger.post("/topics", json=body()), 403)
    refusal(as_stranger.delete(f"/topics/{mine['uuid']}"), 403)
    refusal(as_stranger.patch(f"/topics/{mine['id']}", json={"hidden": True}), 403)


STRANGE_BODIES = [
    [1, 2, 3], "text", None, {},
    {"uuid": ["x"], "text": {"a": 1}, "hidden": "perhaps", "dots_per_person": "many", "title": 1.5,
     "option_id": -1},
    {"uuid": str(uuid.UUID(int=1)), "text": "\x00" * 300, "hidden": 3, "dots_per_person": 2**63, "title": "\ud800",
     "option_id": 2**63},
    {"uuid": str(uuid.UUID(int=2)), "text": "a" * 10_000, "dots_per_person": True, "option_id": [1], "title": None},
    {"text": True, "option_id": False},
]


def test_no_500_from_any_topic_endpoint(alice, staff):
    requests = [("post", "/topics"), ("delete", "/topics/{uuid}"), ("patch", "/topics/{id}"),
                ("post", "/topics/vote"), ("put", "/topic")]
    checked = 0
    for actor in (alice, staff):
        for method, path in requests:
            for ids in ({"id": "1", "uuid": "x"}, {"id": str(10**25), "uuid": str(uuid.UUID(int=1))}):
                for data in STRANGE_BODIES:
                    response = actor.client.open(actor.url(path.format(**ids)), method=method.upper(), json=data,
                                                 headers=API_HEADERS)
                    assert 400 <= response.status_code < 500, (method, path, data, response.get_json())
                    assert response.get_json()["ok"] is False
                    checked += 1
    assert checked == 2 * 5 * 2 * len(STRANGE_BODIES)


# -- live push over the socket -------------------------------------------------------------------


def watched(socket, code: str) -> None:
    assert socket.emit("watch", {"code": code, "since": 0}, callback=True)["ok"] is True
    socket.get_received()  # forget the catch-up


def topic_changes(socket) -> list[dict]:
    return [message["args"][0]["entity"] for message in socket.get_received()
            if message["name"] == "change" and message["args"][0]["entity"]["type"] == "topic"]


def test_proposals_reach_walls_and_phones_live_and_hidden_ones_only_staff(alice, phone, staff, connect, workshop):
    listener, wall = connect(phone().client), connect(staff.client)
    watched(listener, workshop["code"])
    watched(wall, workshop["code"])
    topic = alice.post("/topics", json=body("Asuminen")).get_json()["topic"]
    [to_phone], [to_wall] = topic_changes(listener), topic_changes(wall)
    assert to_phone == {"type": "topic", "id": topic["id"], "text": "Asuminen", "created_at": topic["created_at"]}
    assert to_wall == {**to_phone, "hidden": False}
    staff.patch(f"/topics/{topic['id']}", json={"hidden": True})
    assert topic_changes(listener) == [{"type": "topic", "id": topic["id"], "gone": True}]
    assert topic_changes(wall)[0]["hidden"] is True
    alice.delete(f"/topics/{topic['uuid']}")
    assert topic_changes(listener) == topic_changes(wall) == [{"type": "topic", "id": topic["id"], "gone": True}]
