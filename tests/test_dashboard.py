"""The facilitator's dashboard: counts per phase and gathering, open polls, the timeline,
sockets connected now, and who may see it."""
import json
import uuid

import pytest

from workshop import contributions, dashboard, feedback, gatherings, phases, votes, wall
from workshop.extensions import db, socketio
from workshop.models import Idea, Phase, Survey, SurveyAnswer, SurveyKind, TopicProposal, utcnow
from workshop.workshops import create_workshop

from .conftest import ApiClient

ZERO = dict.fromkeys(dashboard.COUNT_KEYS, 0)


def row(phase, gathering_id, **counts) -> dict:
    return {"phase": phase, "gathering_id": gathering_id, **ZERO, **counts}


def give_feedback(room, actor, phase="mapping", rating=4):
    return feedback.submit(room.workshop, actor, {"uuid": str(uuid.uuid4()), "phase": phase, "rating": rating})


def survey(room, title="Miten haluat osallistua?", phase=Phase.MAPPING, is_open=True) -> Survey:
    made = Survey(workshop_id=room.workshop.id, kind=SurveyKind.SCALE, title=title, phase=phase, is_open=is_open)
    db.session.add(made)
    db.session.commit()
    return made


def answer(room, made: Survey, actor, scale=3) -> SurveyAnswer:
    # Stored directly: the surveys' rules are another issue's; the dashboard only counts.
    stored = SurveyAnswer(workshop_id=room.workshop.id, uuid=str(uuid.uuid4()), body_hash="x", survey_id=made.id,
                       participant_id=actor.participant.id if actor.participant else None,
                       account_id=actor.account.id if actor.account else None,
                       gathering_id=room.workshop.current_gathering_id, scale=scale)
    db.session.add(stored)
    db.session.commit()
    return stored


def topic(room, actor, text="Aukioloajat", **fields) -> TopicProposal:
    stored = TopicProposal(workshop_id=room.workshop.id, uuid=str(uuid.uuid4()), body_hash="x", text=text,
                           participant_id=actor.participant.id, gathering_id=room.workshop.current_gathering_id,
                           **fields)
    db.session.add(stored)
    db.session.commit()
    return stored


# -- counts per phase and gathering -------------------------------------------------------------------


def test_an_empty_workshop(room):
    overview = dashboard.overview(room.workshop, 0)
    assert overview["phase"] == "mapping" and overview["phase_name"] == "Alkukartoitus ja aiheen valinta"
    assert (overview["topic"], overview["connected"], overview["participants"]) == ("", 0, 0)
    assert overview["contributions"] == [] and overview["totals"] == ZERO
    assert overview["open_surveys"] == overview["open_votes"] == overview["gatherings"] == []
    assert [(event["kind"], event["text"]) for event in overview["timeline"]] == [
        ("workshop_created", "Päiväkeskus Kalliola")]


def test_notes_are_counted_per_phase_and_gathering(room):
    alice, bob = room.participant(), room.participant()
    room.note(alice, "Ennen tilaisuuksia")
    tuesday = gatherings.create(room.workshop, room.staff, {"title": "Tiistai"})
    room.note(alice, "Tiistain lappu")
    room.note(bob, "Toinen tiistain lappu")
    phases.move_to(room.workshop, room.staff, Phase.COLLECTION)
    room.note(bob, "Keruuvaiheessa tiistaina")
    friday = gatherings.create(room.workshop, room.staff, {"title": "Perjantai"})
    room.note(alice, "Perjantain lappu")
    room.note(room.staff, "Paperilta", from_paper=True)
    taken_back = room.note(alice, "Peruin tämän").item
    contributions.withdraw(room.workshop, alice, taken_back.uuid)
    hidden = room.note(bob, "Piilotettu").item
    wall.update_item(room.workshop, room.staff, hidden.id, {"hidden": True})

    overview = dashboard.overview(room.workshop, 3)
    assert overview["contributions"] == [
        row("mapping", tuesday.id, notes=2),
        row("mapping", None, notes=1),
        row("collection", tuesday.id, notes=1),
        row("collection", friday.id, notes=2),
    ]
    assert overview["totals"] == {**ZERO, "notes": 6}
    assert (overview["phase"], overview["connected"], overview["participants"]) == ("collection", 3, 2)


def test_every_kind_of_contribution_is_counted(room, picture):
    alice, bob = room.participant(), room.participant()
    gathering = gatherings.create(room.workshop, room.staff, {"title": "Tiistai"})
    topic(room, alice)
    topic(room, bob, "Ruoka")
    topic(room, bob, "Peruttu", withdrawn_at=utcnow())
    mapping_poll = survey(room)
    answer(room, mapping_poll, alice, 2)
    answer(room, mapping_poll, alice, 4)  # changed: the latest counts
    answer(room, mapping_poll, bob)
    answer(room, mapping_poll, room.staff)  # on someone's behalf
    question = votes.create_question(room.workshop, room.staff, {"title": "Aihe?", "options": ["A", "B"]})
    for actor in (alice, alice, bob):
        votes.cast(room.workshop, actor, {"uuid": str(uuid.uuid4()), "option_id": question.options[0].id})
    taken = votes.cast(room.workshop, bob, {"uuid": str(uuid.uuid4()), "option_id": question.options[1].id})
    votes.take_back(room.workshop, bob, taken.item.uuid)
    contributions.submit(room.workshop, alice, {"uuid": str(uuid.uuid4()), "kind": "drawing",
                                                "board_id": room.boards[0].id}, picture("PNG"))
    contributions.submit(room.workshop, bob, {"uuid": str(uuid.uuid4()), "kind": "photo",
                                              "board_id": room.boards[0].id}, picture("JPEG"))
    give_feedback(room, alice, rating=1)
    give_feedback(room, alice, rating=5)  # changed: one answer
    gatherings.update(room.workshop, room.staff, gathering.id, {"current": False})
    phases.move_to(room.workshop, room.staff, Phase.COLLECTION)
    collection_poll = survey(room, "Kuinka usein käyt?", Phase.COLLECTION)
    answer(room, collection_poll, bob)
    give_feedback(room, bob, "mapping", 3)

    overview = dashboard.overview(room.workshop, 0)
    assert overview["contributions"] == [
        row("mapping", gathering.id, drawings=1, photos=1, topics=2, answers=3, feedback=1),
        row("mapping", None, feedback=1),
        row("collection", None, answers=1),
        row(None, None, dots=3),
    ]
    assert overview["totals"] == {"notes": 0, "drawings": 1, "photos": 1, "topics": 2, "answers": 4, "dots": 3,
                                  "feedback": 2}


def test_open_surveys_and_votes(room):
    alice, bob = room.participant(), room.participant()
    poll = survey(room, "Miten haluat osallistua?")
    survey(room, "Suljettu kysely", is_open=False)
    answer(room, poll, alice), answer(room, poll, alice), answer(room, poll, bob)
    empty = votes.create_question(room.workshop, room.staff, {"title": "Tyhjä", "options": ["A", "B"]})
    question = votes.create_question(room.workshop, room.staff, {"title": "Aihe?", "options": ["A", "B"]})
    closed = votes.create_question(room.workshop, room.staff, {"title": "Suljettu", "options": ["A", "B"]})
    for actor, option in ((alice, 0), (alice, 1), (bob, 1)):
        votes.cast(room.workshop, actor, {"uuid": str(uuid.uuid4()), "option_id": question.options[option].id})
    taken = votes.cast(room.workshop, bob, {"uuid": str(uuid.uuid4()), "option_id": question.options[0].id})
    votes.take_back(room.workshop, bob, taken.item.uuid)
    votes.set_open(room.workshop, room.staff, closed.id, False)

    overview = dashboard.overview(room.workshop, 0)
    assert overview["open_surveys"] == [{"id": poll.id, "title": "Miten haluat osallistua?", "respondents": 2}]
    assert overview["open_votes"] == [{"id": empty.id, "title": "Tyhjä", "dots": 0},
                                      {"id": question.id, "title": "Aihe?", "dots": 3}]


def test_gatherings_with_their_logs(room):
    first = gatherings.create(room.workshop, room.staff, {"title": "Tiistai", "place": "Kalliola",
                                                          "held_on": "2025-03-04"})
    gatherings.update(room.workshop, room.staff, first.id, {"log": "Keskusteltiin aiheista", "participant_count": 9})
    second = gatherings.create(room.workshop, room.staff, {"title": "Katukierros"})
    assert dashboard.overview(room.workshop, 0)["gatherings"] == [
        {"id": first.id, "title": "Tiistai", "place": "Kalliola", "held_on": "2025-03-04", "current": False,
         "log": "Keskusteltiin aiheista", "participant_count": 9},
        {"id": second.id, "title": "Katukierros", "place": "", "held_on": None, "current": True, "log": "",
         "participant_count": None},
    ]


def test_the_timeline_is_newest_first_and_names_no_participant(room):
    alice = room.participant()
    room.note(alice, "Salainen lappu")
    topic(room, alice, "Salainen aihe")
    gatherings.create(room.workshop, room.staff, {"title": "Tiistai"})
    survey(room, "Miten haluat osallistua?")
    votes.create_question(room.workshop, room.staff, {"title": "Aihe?", "options": ["A", "B"]})
    topic_vote = votes.create_question(room.workshop, room.staff, {"title": "Mikä aihe?", "options": ["A", "B"]})
    topic_vote.purpose = "topics"
    db.session.add(Idea(workshop_id=room.workshop.id, statement="Pidemmät aukioloajat"))
    db.session.add(Idea(workshop_id=room.workshop.id, statement="Poistettu idea", removed_at=utcnow()))
    db.session.commit()

    timeline = dashboard.overview(room.workshop, 0)["timeline"]
    assert [(event["kind"], event["text"]) for event in timeline] == [
        ("idea", "Pidemmät aukioloajat"),
        ("topic_vote", "Mikä aihe?"),
        ("question", "Aihe?"),
        ("survey", "Miten haluat osallistua?"),
        ("gathering", "Tiistai"),
        ("workshop_created", "Päiväkeskus Kalliola"),
    ]
    assert all(event["at"].endswith("+00:00") for event in timeline)
    assert "Salainen" not in json.dumps(timeline)


def test_the_timeline_holds_at_most_fifty_events(room):
    for number in range(60):
        db.session.add(Idea(workshop_id=room.workshop.id, statement=f"Idea {number}"))
    db.session.commit()
    timeline = dashboard.timeline(room.workshop)
    assert len(timeline) == 50 and timeline[0]["text"] == "Idea 59"


def test_the_overview_lists_no_contribution_or_who_made_it(room):
    alice = room.participant()
    note = room.note(alice, "Tämä on yksityistä").item
    give_feedback(room, alice)
    text = json.dumps(dashboard.overview(room.workshop, 1))
    for secret in ("Tämä on yksityistä", note.uuid, "participant_id", "account_id", "token"):
        assert secret not in text


def test_another_workshops_contributions_are_not_counted(room):
    other = create_workshop("Katutyö")
    room.note(room.participant())
    assert dashboard.overview(other, 0)["totals"] == ZERO


# -- sockets connected now ---------------------------------------------------------------------------


def watch(socket, code: str) -> None:
    assert socket.emit("watch", {"code": code, "since": 0}, callback=True)["ok"] is True


def connected(app, code: str) -> int:
    with app.app_context():
        from workshop.api.access import find_workshop

        return dashboard.connected_count(find_workshop(code))


def test_connected_counts_the_sockets_following_the_workshop(app, phone, staff, connect, make_workshop, workshop):
    code = workshop["code"]
    other = make_workshop(title="Katutyö")["code"]
    assert connected(app, code) == 0
    first, second, wall_socket = connect(phone().client), connect(phone().client), connect(staff.client)
    idle = connect(phone().client)  # connected, but not following anything yet
    assert connected(app, code) == 0
    watch(first, code), watch(second, code), watch(wall_socket, code)
    watch(connect(phone(other).client), other)
    assert connected(app, code) == 3 and connected(app, other) == 1
    watch(first, code)  # watching again is still one socket
    assert connected(app, code) == 3
    second.disconnect()
    watch(wall_socket, other)  # the wall moves to the other workshop
    assert connected(app, code) == 1 and connected(app, other) == 2
    assert idle.is_connected()
    assert staff.get("/dashboard").get_json()["dashboard"]["connected"] == 1


def test_connected_is_zero_without_a_socket_server(room, monkeypatch):
    monkeypatch.setattr(socketio, "server", None)
    assert dashboard.connected_count(room.workshop) == 0


# -- the API -------------------------------------------------------------------------------------------


def test_staff_get_the_dashboard(phone, staff):
    phone().note("Lappu")
    answer = staff.get("/dashboard")
    assert answer.status_code == 200
    overview = answer.get_json()["dashboard"]
    assert answer.get_json()["ok"] is True
    assert overview["totals"]["notes"] == 1 and overview["participants"] == 1 and overview["connected"] == 0
    assert overview["contributions"] == [row("mapping", None, notes=1)]


@pytest.mark.parametrize("path", ["/dashboard", "/feedback"])
def test_participants_cannot_see_the_dashboard_or_feedback(phone, make_workshop, path):
    alice = phone()
    refused = alice.get(path)
    assert refused.status_code == 403
    assert refused.get_json()["ok"] is False and refused.get_json()["error"]
    stranger = ApiClient(phone(make_workshop(title="Katutyö")["code"]).client, alice.code)
    assert stranger.get(path).status_code == 403


@pytest.mark.parametrize("path", ["/dashboard", "/feedback"])
def test_an_unknown_workshop_is_a_404(logged_in, path):
    for code in ("ZZZZZZ", "X" * 5000):
        response = ApiClient(logged_in, code).get(path)
        assert response.status_code == 404 and response.get_json()["ok"] is False


@pytest.mark.parametrize("path", ["/dashboard", "/feedback"])
def test_the_dashboard_is_read_only(staff, path):
    assert staff.post(path, json={}).status_code in (400, 405, 422)
    assert staff.patch(path, json={}).status_code == 405


def test_the_timeline_says_when_the_workshop_ended(room):
    from workshop.workshops import close_workshop

    close_workshop(room.workshop)
    assert [event["kind"] for event in dashboard.timeline(room.workshop)] == ["workshop_ended", "workshop_created"]
