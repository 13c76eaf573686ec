"""Socket.IO through Flask-SocketIO's test client: following a wall live, rooms, catch-up."""
import json
import uuid

import pytest

from workshop import contributions
from workshop.extensions import db
from workshop.models import Workshop
from workshop.workshops import close_workshop


def watch(socket, code: str, since: int = 0) -> dict:
    ack = socket.emit("watch", {"code": code, "since": since}, callback=True)
    assert ack["ok"] is True, ack
    return ack


def pushed(socket) -> list[dict]:
    """The `change` messages the socket received since the last look."""
    return [message["args"][0] for message in socket.get_received() if message["name"] == "change"]


def note(board_id, text="Kahvi on hyvää", **fields) -> dict:
    return {"uuid": str(uuid.uuid4()), "kind": "note", "text": text, "board_id": board_id, **fields}


@pytest.fixture
def board(phone) -> int:
    yield phone().boards()[0]["id"]


# -- following a workshop ---------------------------------------------------------------------


def test_watch_answers_with_the_catch_up(phone, connect, workshop):
    ack = watch(connect(phone().client), workshop["code"])
    assert ack["last_seq"] == 4 and ack["reset"] is False
    assert [state["type"] for state in ack["changes"]] == ["workshop", "board", "board", "board"]


@pytest.mark.parametrize("payload, status, field", [
    ({"code": "ZZZZZZ"}, 404, None),
    ({"code": 123456}, 404, None),
    ({"code": "\ud800"}, 404, None),  # a lone surrogate cannot even be sent to the database
    ({"code": "K7M4PX\x00"}, 404, None),
    ({"code": "{code}", "since": True}, 422, "since"),
    (["{code}"], 400, None),
])
def test_watch_refuses_bad_requests(phone, connect, workshop, payload, status, field):
    if isinstance(payload, dict):
        payload = {key: value.format(code=workshop["code"]) if isinstance(value, str) else value
                   for key, value in payload.items()}
    ack = connect(phone().client).emit("watch", payload, callback=True)
    assert (ack["ok"], ack["status"]) == (False, status)
    assert ack["error"]
    if field:
        assert ack["errors"][0]["field"] == field


def test_a_device_that_has_not_joined_cannot_watch(app, connect, workshop):
    ack = connect(app.test_client()).emit("watch", {"code": workshop["code"]}, callback=True)
    assert (ack["ok"], ack["status"]) == (False, 403)


# -- rooms -------------------------------------------------------------------------------------


def test_a_note_reaches_its_own_workshop_only(phone, staff, connect, make_workshop, workshop, board):
    other = make_workshop(title="Katutyö")["code"]
    a_phone, a_wall = connect(phone().client), connect(staff.client)
    b_phone, b_wall = connect(phone(other).client), connect(staff.client)
    watch(a_phone, workshop["code"]), watch(a_wall, workshop["code"])
    watch(b_phone, other), watch(b_wall, other)
    item = phone().post("/items", json=note(board, "Kallion lappu")).get_json()["item"]
    [to_phone], [to_wall] = pushed(a_phone), pushed(a_wall)
    assert to_phone["seq"] == to_wall["seq"] == item["position"]
    assert to_phone["entity"]["text"] == to_wall["entity"]["text"] == "Kallion lappu"
    assert "hidden" not in to_phone["entity"] and to_wall["entity"]["hidden"] is False
    assert pushed(b_phone) == [] and pushed(b_wall) == []


def test_the_public_room_never_receives_hidden_or_waiting_text(phone, staff, connect, workshop, board):
    listener, wall = connect(phone().client), connect(staff.client)
    watch(listener, workshop["code"]), watch(wall, workshop["code"])
    staff.patch("", json={"reveal_mode": True})
    item = phone().post("/items", json=note(board, "Salainen asia")).get_json()["item"]
    staff.post("/reveal")
    staff.patch(f"/items/{item['id']}", json={"hidden": True})
    public = [message["entity"] for message in pushed(listener) if message["entity"]["type"] == "item"]
    staff_seen = [message["entity"] for message in pushed(wall) if message["entity"]["type"] == "item"]
    assert public[0] == {"type": "item", "id": item["id"], "board_id": board, "pending": True}
    assert public[-1] == {"type": "item", "id": item["id"], "gone": True}
    assert [(s["pending"], s["hidden"], s["text"]) for s in staff_seen] == [
        (True, False, "Salainen asia"), (False, False, "Salainen asia"), (False, True, "Salainen asia")]
    # Revealed, the note was public for a moment; before and after, no word of it went out.
    assert [bool(state.get("text")) for state in public] == [False, True, False]


def test_a_participant_socket_stays_in_the_public_room(phone, staff, connect, workshop, board):
    alice = phone()
    listener = connect(alice.client)
    watch(listener, workshop["code"])
    ack = listener.emit("watch", {"code": workshop["code"], "audience": "staff", "since": 0}, callback=True)
    assert ack["ok"] is True
    item = alice.post("/items", json=note(board, "Pois näkyvistä")).get_json()["item"]
    staff.patch(f"/items/{item['id']}", json={"hidden": True})
    assert pushed(listener)[-1]["entity"] == {"type": "item", "id": item["id"], "gone": True}


def test_a_socket_follows_one_workshop_at_a_time(phone, staff, connect, make_workshop, workshop, board):
    other = make_workshop(title="Katutyö")["code"]
    wall = connect(staff.client)
    watch(wall, workshop["code"])
    watch(wall, other)
    phone().post("/items", json=note(board))
    assert pushed(wall) == []
    other_phone = phone(other)
    other_phone.post("/items", json=note(other_phone.boards()[0]["id"]))
    assert len(pushed(wall)) == 1


# -- catching up after a reconnect ---------------------------------------------------------------


def test_catch_up_after_a_reconnect_brings_exactly_what_was_missed(phone, staff, connect, workshop, board):
    alice = phone()
    wall = connect(staff.client)
    last = watch(wall, workshop["code"])["last_seq"]
    alice.post("/items", json=note(board, "Ennen katkosta"))
    last = max(message["seq"] for message in pushed(wall))
    wall.disconnect()  # the Wi-Fi drops

    first = alice.post("/items", json=note(board, "Yksi")).get_json()["item"]
    second = alice.post("/items", json=note(board, "Kaksi")).get_json()["item"]
    third = alice.post("/items", json=note(board, "Kolme")).get_json()["item"]
    staff.patch(f"/items/{first['id']}", json={"hidden": True})
    staff.patch(f"/items/{second['id']}", json={"board_id": alice.boards()[1]["id"]})

    again = connect(staff.client)
    ack = watch(again, workshop["code"], since=last)
    assert ack["last_seq"] == last + 5 and ack["reset"] is False
    # Each missed entity once, in its current state, ordered by its latest change.
    assert [(c["id"], c["text"], c["hidden"], c["board_id"]) for c in ack["changes"]] == [
        (third["id"], "Kolme", False, board),
        (first["id"], "Yksi", True, board),
        (second["id"], "Kaksi", False, alice.boards()[1]["id"]),
    ]
    alice.post("/items", json=note(board, "Taas yhteys"))
    assert [message["seq"] for message in pushed(again)] == [ack["last_seq"] + 1]


def test_catch_up_from_a_number_the_server_never_gave_starts_afresh(phone, connect, workshop):
    ack = watch(connect(phone().client), workshop["code"], since=10_000)
    assert ack["reset"] is True and ack["last_seq"] == 4 and len(ack["changes"]) == 4


def test_a_phone_catches_up_only_on_what_it_may_see(phone, staff, connect, workshop, board):
    item = phone().post("/items", json=note(board, "Loukkaava")).get_json()["item"]
    staff.patch(f"/items/{item['id']}", json={"hidden": True})
    ack = watch(connect(phone().client), workshop["code"], since=4)
    assert ack["changes"] == [{"type": "item", "id": item["id"], "gone": True}]
    assert "Loukkaava" not in json.dumps(ack)


# -- writing over the socket ------------------------------------------------------------------------


def test_a_note_over_the_socket_is_201_then_200_then_409(phone, connect, workshop, board):
    alice = phone()
    socket = connect(alice.client)
    watch(socket, workshop["code"])
    body = {"code": workshop["code"], **note(board, "Pistorasioita lisää")}
    first = socket.emit("add_item", body, callback=True)
    assert (first["ok"], first["status"], first["item"]["text"]) == (True, 201, "Pistorasioita lisää")
    again = socket.emit("add_item", body, callback=True)
    assert (again["status"], again["item"]["id"]) == (200, first["item"]["id"])
    conflict = socket.emit("add_item", {**body, "text": "Muuta"}, callback=True)
    assert (conflict["ok"], conflict["status"], conflict["errors"][0]["field"]) == (False, 409, "uuid")
    assert [message["seq"] for message in pushed(socket)] == [first["item"]["position"]]  # pushed once
    assert [item["id"] for item in alice.get("/mine").get_json()["items"]] == [first["item"]["id"]]


@pytest.mark.parametrize("case, status, field", [
    ("not joined", 403, None),
    ("closed", 410, None),
    ("empty", 422, "text"),
    ("drawing", 422, "kind"),
    ("no board", 404, "board_id"),
])
def test_a_refused_note_over_the_socket_says_why(app, phone, connect, workshop, board, case, status, field):
    body = {"code": workshop["code"], **note(board)}
    client = phone().client
    if case == "not joined":
        client = app.test_client()
    elif case == "closed":
        with app.app_context():
            close_workshop(db.session.get(Workshop, workshop["id"]))
    elif case == "empty":
        body["text"] = "   "
    elif case == "drawing":
        body["kind"] = "drawing"
    elif case == "no board":
        body["board_id"] = 999999
    ack = connect(client).emit("add_item", body, callback=True)
    assert (ack["ok"], ack["status"]) == (False, status)
    assert ack["error"]
    if field:
        assert ack["errors"][0]["field"] == field


def test_a_participant_cannot_type_in_paper_notes_over_the_socket(phone, staff, connect, workshop, board):
    from_phone = connect(phone().client).emit("add_item", {"code": workshop["code"], **note(board, from_paper=True)},
                                              callback=True)
    from_staff = connect(staff.client).emit("add_item", {"code": workshop["code"], **note(board, from_paper=True)},
                                            callback=True)
    assert from_phone["item"]["from_paper"] is False and from_staff["item"]["from_paper"] is True


def test_dots_over_the_socket(phone, staff, connect, workshop):
    question = staff.post("/questions", json={"title": "Mitä?", "options": ["A", "B"], "dots_per_person": 1}
                          ).get_json()["question"]
    option = question["options"][0]["id"]
    socket = connect(phone().client)
    watch(socket, workshop["code"])
    dot = {"code": workshop["code"], "uuid": str(uuid.uuid4()), "option_id": option}
    first = socket.emit("cast_dot", dot, callback=True)
    assert (first["ok"], first["status"], first["dot"]["option_id"]) == (True, 201, option)
    assert socket.emit("cast_dot", dot, callback=True)["status"] == 200
    over = socket.emit("cast_dot", {**dot, "uuid": str(uuid.uuid4())}, callback=True)
    assert (over["ok"], over["status"], over["errors"][0]["field"]) == (False, 422, "option_id")
    [change] = pushed(socket)
    assert [o["dots"] for o in change["entity"]["options"]] == [1, 0]


def test_a_failing_handler_still_answers(phone, connect, workshop, board, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(contributions, "submit", broken)
    ack = connect(phone().client).emit("add_item", {"code": workshop["code"], **note(board)}, callback=True)
    assert (ack["ok"], ack["status"]) == (False, 500)
    assert ack["error"] == "Meillä meni jotain vikaan. Se, minkä jo tallensit, on tallessa."


def test_socket_and_http_share_the_uuid(phone, connect, workshop, board):
    alice = phone()
    body = note(board)
    by_socket = connect(alice.client).emit("add_item", {"code": workshop["code"], **body}, callback=True)
    by_http = alice.post("/items", json=body)  # the outbox replays over HTTP what the socket sent
    assert by_http.status_code == 200
    assert by_http.get_json()["item"]["id"] == by_socket["item"]["id"]

