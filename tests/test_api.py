"""The HTTP JSON API through the test client: every endpoint, good and bad input, no 500."""
import io
import struct
import uuid
import zlib

import pytest

from .conftest import API_HEADERS, ApiClient, make_picture, refusal


def note(board_id, text="Kahvi on hyvää", **fields) -> dict:
    return {"uuid": str(uuid.uuid4()), "kind": "note", "text": text, "board_id": board_id, **fields}


def upload(board_id, image: bytes, kind="drawing", filename="piirros.png", **fields) -> dict:
    return {"uuid": str(uuid.uuid4()), "kind": kind, "board_id": str(board_id), "text": "Kahvikuppi",
            "image": (io.BytesIO(image), filename), **fields}


def png_claiming(width: int, height: int) -> bytes:
    """A few dozen bytes of PNG whose header claims a picture of width × height pixels."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0\0")) + chunk(b"IEND", b"")


@pytest.fixture
def board(alice) -> int:
    yield alice.boards()[0]["id"]


@pytest.fixture
def drawing(alice, board) -> dict:
    """A drawing alice uploaded: the item as the answer gave it."""
    response = alice.post("/items", data=upload(board, make_picture("PNG", (300, 200))))
    assert response.status_code == 201
    yield response.get_json()["item"]


# -- notes: stored once ---------------------------------------------------------------------


def test_a_note_is_created_then_repeated_then_refused_with_other_text(alice, board):
    body = note(board)
    first = alice.post("/items", json=body)
    assert first.status_code == 201 and first.get_json()["ok"] is True
    item = first.get_json()["item"]
    assert (item["text"], item["uuid"], item["mine"]) == ("Kahvi on hyvää", body["uuid"], True)
    assert item["withdrawn"] is False
    again = alice.post("/items", json=body)
    assert again.status_code == 200 and again.get_json()["item"]["id"] == item["id"]
    refusal(alice.post("/items", json={**body, "text": "Kahvi on pahaa"}), 409, "uuid")


def test_a_phone_sees_its_own_items_and_dots(alice, phone, board, staff):
    mine = alice.post("/items", json=note(board, "Minun")).get_json()["item"]
    phone().post("/items", json=note(board, "Jonkun muun"))
    question = staff.post("/questions", json={"title": "Mitä?", "options": ["A", "B"]}).get_json()["question"]
    dot = {"uuid": str(uuid.uuid4()), "option_id": question["options"][1]["id"]}
    assert alice.post("/dots", json=dot).status_code == 201
    answer = alice.get("/mine").get_json()
    assert [item["id"] for item in answer["items"]] == [mine["id"]]
    assert answer["dots"] == [{"uuid": dot["uuid"], "question_id": question["id"], "option_id": dot["option_id"],
                               "taken_back": False}]


def test_taking_back_over_the_api(alice, phone, board, staff):
    item = alice.post("/items", json=note(board)).get_json()["item"]
    refusal(phone().delete(f"/items/{item['uuid']}"), 404)
    answer = alice.delete(f"/items/{item['uuid']}")
    assert answer.status_code == 200 and answer.get_json()["item"]["withdrawn"] is True
    assert alice.delete(f"/items/{item['uuid']}").status_code == 200
    assert alice.get("/mine").get_json()["items"] == []
    wall = {c["id"]: c for c in staff.get("/changes").get_json()["changes"] if c["type"] == "item"}
    assert wall[item["id"]] == {"type": "item", "id": item["id"], "gone": True}
    refusal(alice.delete("/items/not-a-uuid"), 422, "uuid")


# -- wrong input --------------------------------------------------------------------------------


@pytest.mark.parametrize("body, status, field", [
    ([{"kind": "note"}], 400, None),
    ({"board_id": "first"}, 422, "board_id"),
    ({"board_id": True}, 422, "board_id"),
    ({"board_id": 2**80}, 422, "board_id"),
    ({"text": "a" * 1_000_000}, 422, "text"),
    ({"uuid": 12345}, 422, "uuid"),
], ids=["list", "string-board", "bool-board", "huge-board", "1MB-text", "number-uuid"])
def test_wrong_json_gets_a_clear_4xx(alice, board, body, status, field):
    if isinstance(body, dict):
        body = {**note(board), **body}
    refusal(alice.post("/items", json=body), status, field)
    assert alice.get("/mine").get_json()["items"] == []


def test_unreadable_json_is_a_400(alice):
    for raw in ('{"uuid": ', "null", "[" * 100_000 + "]" * 100_000):
        refusal(alice.client.post(alice.url("/items"), data=raw, content_type="application/json",
                                  headers=API_HEADERS), 400)


def test_a_form_posted_note_is_read_like_json(alice, board):
    response = alice.post("/items", data={**note(board), "board_id": str(board)})
    assert response.status_code == 201


@pytest.mark.parametrize("image, filename", [
    (b"MZ\x90\x00 this is a program", "kuva.png"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "kuva.svg"),
], ids=["exe", "svg"])
def test_bytes_that_are_not_a_picture_are_422(alice, board, image, filename):
    refusal(alice.post("/items", data=upload(board, image, filename=filename)), 422, "image")
    assert alice.get("/mine").get_json()["items"] == []


def test_a_decompression_bomb_is_422(alice, board):
    refusal(alice.post("/items", data=upload(board, png_claiming(100_000, 100_000))), 422, "image")


def test_a_20_mb_upload_is_413_in_the_json_shape(alice, board):
    # The body is built here: the test client's own builder spools it to a file it never closes.
    boundary = "kuulluksi-raja"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nphoto\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"valokuva.jpg\"\r\n"
            f"Content-Type: image/jpeg\r\n\r\n").encode() + b"\xff\xd8\xff" + b"\0" * (20 * 1024 * 1024) + \
        f"\r\n--{boundary}--\r\n".encode()
    response = alice.post("/items", data=body, content_type=f"multipart/form-data; boundary={boundary}")
    body = refusal(response, 413)
    assert body["error"] == "Tiedosto on liian suuri. Lähetä pienempi."
    assert body["errors"] == []


def test_a_note_cannot_carry_a_picture(alice, board):
    refusal(alice.post("/items", data=upload(board, make_picture(), kind="note")), 422, "image")


# -- who may do what -----------------------------------------------------------------------------


def test_an_unknown_workshop_is_404(alice, board):
    stranger = ApiClient(alice.client, "ZZZZZZ")
    refusal(stranger.get("/changes"), 404)
    refusal(stranger.post("/items", json=note(board)), 404)
    refusal(ApiClient(alice.client, "X" * 200).get("/changes"), 404)


def test_a_closed_workshop_is_410_for_participants(app, alice, board, staff, logged_in, workshop):
    question = staff.post("/questions", json={"title": "Mitä?", "options": ["A", "B"]}).get_json()["question"]
    item = alice.post("/items", json=note(board)).get_json()["item"]
    logged_in.post(f"/facilitator/workshops/{workshop['id']}/close")
    refusal(alice.post("/items", json=note(board)), 410)
    refusal(alice.post("/dots", json={"uuid": str(uuid.uuid4()), "option_id": question["options"][0]["id"]}), 410)
    refusal(alice.delete(f"/items/{item['uuid']}"), 410)
    assert alice.get("/changes").status_code == 200  # what was said can still be read
    assert staff.post("/items", json=note(board, from_paper=True)).status_code == 201


def test_a_write_without_the_api_header_is_403(alice, board):
    refusal(alice.client.post(alice.url("/items"), json=note(board)), 403)


@pytest.mark.parametrize("origin, status", [("https://evil.example", 403), ("null", 403), ("http://localhost", 201)])
def test_writes_from_another_site_are_403(alice, board, origin, status):
    response = alice.client.post(alice.url("/items"), json=note(board), headers={**API_HEADERS, "Origin": origin})
    assert response.status_code == status


def test_a_device_that_has_not_joined_is_403(client, workshop):
    refusal(ApiClient(client, workshop["code"]).get("/changes"), 403)


STAFF_ONLY = [
    ("patch", "/items/{item}", {"hidden": True}),
    ("post", "/boards", {"title": "Toiveet"}),
    ("patch", "/boards/{board}", {"locked": True}),
    ("post", "/themes", {"name": "Ruoka"}),
    ("patch", "/themes/{theme}", {"name": "Juoma"}),
    ("delete", "/themes/{theme}", None),
    ("patch", "", {"reveal_mode": True}),
    ("post", "/reveal", {}),
    ("post", "/questions", {"title": "Mitä?", "options": ["A", "B"]}),
    ("patch", "/questions/{question}", {"open": False}),
]


@pytest.mark.parametrize("method, path, body", STAFF_ONLY, ids=[f"{m} {p or '/'}" for m, p, _ in STAFF_ONLY])
def test_participants_get_403_from_staff_endpoints(alice, board, staff, method, path, body):
    ids = {
        "item": alice.post("/items", json=note(board)).get_json()["item"]["id"],
        "board": board,
        "theme": staff.post("/themes", json={"name": "Ruoka"}).get_json()["theme"]["id"],
        "question": staff.post("/questions", json={"title": "Mitä?", "options": ["A", "B"]}
                               ).get_json()["question"]["id"],
    }
    before = alice.get("/changes").get_json()["last_seq"]
    kwargs = {} if body is None else {"json": body}
    refusal(getattr(alice, method)(path.format(**ids), **kwargs), 403)
    assert alice.get("/changes").get_json()["last_seq"] == before


# -- the facilitator's endpoints -------------------------------------------------------------------


def test_staff_add_rename_and_lock_boards(alice, staff):
    added = staff.post("/boards", json={"title": "Toiveet"})
    assert added.status_code == 201
    board = added.get_json()["board"]
    changed = staff.patch(f"/boards/{board['id']}", json={"title": "Toiveet ensi vuodelle", "locked": True})
    assert changed.get_json()["board"] == {**board, "title": "Toiveet ensi vuodelle", "locked": True}
    refusal(alice.post("/items", json=note(board["id"])), 423, "board_id")
    refusal(staff.post("/boards", json={"title": ""}), 422, "title")
    refusal(staff.patch("/boards/999999", json={"locked": True}), 404)


def test_staff_group_move_and_hide_items(alice, phone, board, staff):
    first = alice.post("/items", json=note(board, "Kahvi")).get_json()["item"]
    second = alice.post("/items", json=note(board, "Leipä")).get_json()["item"]
    made = staff.post("/themes", json={"name": "Ruoka", "item_ids": [first["id"], second["id"]]})
    assert made.status_code == 201
    theme = made.get_json()["theme"]
    assert staff.patch(f"/themes/{theme['id']}", json={"name": "Ruoka ja juoma"}).get_json()["theme"]["name"] == \
        "Ruoka ja juoma"
    other_board = alice.boards()[1]["id"]
    moved = staff.patch(f"/items/{first['id']}", json={"board_id": other_board, "hidden": True}).get_json()["item"]
    assert (moved["board_id"], moved["hidden"], moved["theme_id"]) == (other_board, True, theme["id"])
    public = {c["id"]: c for c in phone().get("/changes").get_json()["changes"] if c["type"] == "item"}
    assert public[first["id"]] == {"type": "item", "id": first["id"], "gone": True}
    removed = staff.delete(f"/themes/{theme['id']}")
    assert removed.get_json()["theme"] == {"type": "theme", "id": theme["id"], "gone": True}
    refusal(staff.patch(f"/items/{first['id']}", json={"theme_id": theme["id"]}), 404, "theme_id")
    refusal(staff.post("/themes", json={"name": "X", "item_ids": "1"}), 422, "item_ids")


def test_reveal_mode_over_the_api(alice, phone, board, staff):
    switched = staff.patch("", json={"reveal_mode": True})
    assert switched.get_json()["workshop"]["reveal_mode"] is True
    item = alice.post("/items", json=note(board, "Odottaa")).get_json()["item"]
    assert item["pending"] is True and item["text"] == "Odottaa"  # the author sees their own
    public = {c["id"]: c for c in phone().get("/changes").get_json()["changes"] if c["type"] == "item"}
    assert public[item["id"]] == {"type": "item", "id": item["id"], "board_id": board, "pending": True}
    assert staff.post("/reveal").get_json() == {"ok": True, "revealed": 1}
    public = {c["id"]: c for c in phone().get("/changes").get_json()["changes"] if c["type"] == "item"}
    assert public[item["id"]]["text"] == "Odottaa"
    assert staff.patch("", json={}).status_code == 200  # nothing to change is fine


def test_a_dot_vote_over_the_api(alice, staff):
    made = staff.post("/questions", json={"title": "Mistä puhutaan?", "options": "Ruoka\nAsuminen",
                                          "dots_per_person": 2})
    assert made.status_code == 201
    question = made.get_json()["question"]
    food, housing = (option["id"] for option in question["options"])
    dot = {"uuid": str(uuid.uuid4()), "option_id": food}
    assert alice.post("/dots", json=dot).status_code == 201
    assert alice.post("/dots", json=dot).status_code == 200
    refusal(alice.post("/dots", json={**dot, "option_id": housing}), 409, "uuid")
    assert alice.post("/dots", json={"uuid": str(uuid.uuid4()), "option_id": food}).status_code == 201
    refusal(alice.post("/dots", json={"uuid": str(uuid.uuid4()), "option_id": housing}), 422, "option_id")
    assert alice.patch(f"/dots/{dot['uuid']}", json={"option_id": housing}).get_json()["dot"]["option_id"] == housing
    assert alice.delete(f"/dots/{dot['uuid']}").get_json() == {"ok": True}
    closed = staff.patch(f"/questions/{question['id']}", json={"open": False}).get_json()["question"]
    assert closed["open"] is False and [o["dots"] for o in closed["options"]] == [1, 0]
    refusal(alice.post("/dots", json={"uuid": str(uuid.uuid4()), "option_id": housing}), 423, "option_id")


def test_closing_a_vote_needs_the_open_field(staff):
    question = staff.post("/questions", json={"title": "Mitä?", "options": ["A", "B"]}).get_json()["question"]
    refusal(staff.patch(f"/questions/{question['id']}", json={}), 422, "open")
    assert staff.patch(f"/questions/{question['id']}", json={"open": "false"}).get_json()["question"]["open"] is False


def test_ids_too_large_for_the_database_are_404(staff):
    for path in ("/items/{n}", "/boards/{n}", "/themes/{n}", "/questions/{n}"):
        refusal(staff.patch(path.format(n=10**30), json={"name": "X", "title": "X", "open": True}), 404)
    refusal(staff.delete(f"/themes/{10**30}"), 404)


def test_changes_since_reads_the_number_forgivingly(alice, board):
    alice.post("/items", json=note(board))
    everything = alice.get("/changes").get_json()
    assert alice.get("/changes?since=abc").get_json() == everything
    assert alice.get(f"/changes?since={everything['last_seq']}").get_json()["changes"] == []
    assert alice.get("/changes?since=999999").get_json()["reset"] is True


# -- pictures -------------------------------------------------------------------------------------


def test_a_drawing_upload_answers_with_its_picture_addresses(alice, drawing):
    assert (drawing["kind"], drawing["text"]) == ("drawing", "Kahvikuppi")
    assert (drawing["image"]["width"], drawing["image"]["height"]) == (300, 200)
    for url in (drawing["image"]["url"], drawing["image"]["thumb_url"]):
        with alice.client.get(url) as response:
            assert response.status_code == 200
            assert response.mimetype == "image/png"
            assert response.headers["Cache-Control"] == "private, max-age=31536000, immutable"


def test_a_photo_upload_becomes_a_jpeg(alice, board):
    response = alice.post("/items", data=upload(board, make_picture("JPEG", (80, 60)), kind="photo",
                                                filename="valokuva.jpg"))
    assert response.status_code == 201
    with alice.client.get(response.get_json()["item"]["image"]["url"]) as picture:
        assert picture.mimetype == "image/jpeg"


def test_pictures_are_for_the_workshops_people_only(app, alice, drawing, make_workshop, staff):
    other_code = make_workshop(title="Katutyö")["code"]
    outsider = app.test_client()
    assert outsider.get(f"/j/{other_code}").status_code == 200
    # The other workshop's participant, asking under this workshop's address and their own.
    refusal(outsider.get(drawing["image"]["url"]), 403)
    refusal(outsider.get(drawing["image"]["url"].replace(alice.code, other_code)), 404)
    refusal(app.test_client().get(drawing["image"]["url"]), 403)
    with staff.client.get(drawing["image"]["url"]) as response:
        assert response.status_code == 200


@pytest.mark.parametrize("name", ["0" * 32 + ".png", "..%2Fkuulluksi.sqlite3"])
def test_unknown_picture_names_are_404(alice, drawing, name):
    refusal(alice.get(f"/media/{name}"), 404)


def test_a_hidden_or_waiting_picture_is_served_to_staff_and_its_author_only(alice, phone, board, drawing, staff):
    bob = phone()
    staff.patch(f"/items/{drawing['id']}", json={"hidden": True})
    refusal(bob.client.get(drawing["image"]["url"]), 404)
    for viewer in (alice, staff):
        with viewer.client.get(drawing["image"]["thumb_url"]) as response:
            assert response.status_code == 200
    staff.patch("", json={"reveal_mode": True})
    waiting = alice.post("/items", data=upload(board, make_picture("PNG"))).get_json()["item"]
    refusal(bob.client.get(waiting["image"]["url"]), 404)
    staff.post("/reveal")
    with bob.client.get(waiting["image"]["url"]) as response:
        assert response.status_code == 200


def test_a_taken_back_picture_is_no_longer_served(alice, drawing):
    alice.delete(f"/items/{drawing['uuid']}")
    refusal(alice.client.get(drawing["image"]["url"]), 404)


# -- the shared tablet --------------------------------------------------------------------------


def test_next_person_on_the_shared_tablet_is_a_new_participant(app, alice, board, workshop):
    from workshop import kiosk
    from workshop.extensions import db
    from workshop.models import Workshop

    refusal(alice.post("/next-person"), 403)  # a phone of its own is not the shared tablet
    tablet = ApiClient(app.test_client(), workshop["code"])
    with app.test_request_context():
        token = kiosk.token_for(db.session.get(Workshop, workshop["id"]))
    assert tablet.client.get(f"/kiosk/{token}", follow_redirects=True).status_code == 200
    tablet.post("/items", json=note(board, "Ensimmäinen ihminen"))
    assert len(tablet.get("/mine").get_json()["items"]) == 1
    assert tablet.post("/next-person").status_code == 201
    assert tablet.get("/mine").get_json()["items"] == []


# -- nothing answers 500 ---------------------------------------------------------------------------


ENDPOINTS = [
    ("get", "/changes"), ("get", "/mine"), ("post", "/items"), ("delete", "/items/{uuid}"),
    ("patch", "/items/{id}"), ("post", "/boards"), ("patch", "/boards/{id}"), ("post", "/themes"),
    ("patch", "/themes/{id}"), ("delete", "/themes/{id}"), ("patch", ""), ("post", "/reveal"),
    ("post", "/questions"), ("patch", "/questions/{id}"), ("post", "/dots"), ("patch", "/dots/{uuid}"),
    ("delete", "/dots/{uuid}"), ("post", "/next-person"), ("get", "/media/{uuid}"),
]
STRANGE_BODIES = [
    [1, 2, 3],
    "text",
    {},
    {"uuid": ["x"], "kind": {"a": 1}, "board_id": [1], "text": {"a": 1}, "colour": 5, "from_paper": [],
     "title": None, "options": 7, "dots_per_person": "many", "name": 1.5, "item_ids": [None], "theme_id": "x",
     "hidden": "perhaps", "locked": 3, "reveal_mode": {}, "open": [], "option_id": -1},
    {"uuid": str(uuid.UUID(int=1)), "kind": "photo", "board_id": 2**63, "option_id": 2**63, "item_ids": [2**63],
     "theme_id": 2**63, "text": "\x00" * 300, "title": "\ud800", "options": ["\x00", "\x00"], "name": "a" * 10_000},
]


def test_no_500_anywhere(alice, staff):
    ids = {"id": "1", "uuid": "x"}
    checked = 0
    for actor in (alice, staff):
        for method, path in ENDPOINTS:
            for path_ids in (ids, {"id": str(10**25), "uuid": str(uuid.UUID(int=1))}):
                for body in STRANGE_BODIES:
                    response = getattr(actor, method)(path.format(**path_ids), json=body) if method != "get" \
                        else actor.get(path.format(**path_ids))
                    assert response.status_code < 500, (method, path, body, response.get_json())
                    assert response.is_json
                    checked += 1
    assert checked >= 300


# -- the workshop's language ------------------------------------------------------------------


EMPTY_NOTE = {"fi": "Kirjoita ensin jotain lappuun.", "sv": "Skriv något på lappen först.",
              "en": "Write something on the note first."}


@pytest.mark.parametrize("language", ["en", "sv"])
def test_refusals_speak_the_workshops_language(phone, make_workshop, connect, language):
    tablet = phone(make_workshop(language=language)["code"])
    body = refusal(tablet.post("/items", json=note(tablet.boards()[0]["id"], text="  ")), 422, "text")
    assert body["error"] == body["errors"][0]["message"] == EMPTY_NOTE[language]
    # The socket's fast write path answers in the same language.
    answer = connect(tablet.client).emit("add_item", {**note(tablet.boards()[0]["id"], text=""), "code": tablet.code},
                                         callback=True)
    assert (answer["status"], answer["error"]) == (422, EMPTY_NOTE[language])


@pytest.mark.parametrize("language, chosen", [("en", "sv"), ("sv", "fi"), ("fi", "en")])
def test_a_language_chosen_with_the_switch_wins_over_the_workshops(phone, make_workshop, language, chosen):
    tablet = phone(make_workshop(language=language)["code"])
    assert tablet.client.post("/language", data={"lang": chosen, "next": f"/j/{tablet.code}"}).status_code == 303
    body = refusal(tablet.post("/items", json=note(tablet.boards()[0]["id"], text="")), 422, "text")
    assert body["error"] == EMPTY_NOTE[chosen]
