"""The one write path for notes, drawings and photos, called directly (no HTTP, no server)."""
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from workshop import changes, contributions, wall
from workshop.contributions import NOTE_MAX_LENGTH, submit, withdraw
from workshop.extensions import db
from workshop.models import Change, Item
from workshop.problems import Problem
from workshop.workshops import close_workshop, create_workshop


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def media_files(app) -> list[str]:
    return sorted(path.name for path in Path(app.config["MEDIA_DIR"]).iterdir())


def refused(call, *args, **kwargs) -> Problem:
    with pytest.raises(Problem) as caught:
        call(*args, **kwargs)
    return caught.value


def note_body(room, text="Kahvi on hyvää", **fields) -> dict:
    return {"uuid": str(uuid.uuid4()), "kind": "note", "text": text, "board_id": room.boards[0].id, **fields}


# -- sending the same thing twice ----------------------------------------------------------


def test_the_same_note_sent_twice_is_stored_once(room, pushed):
    alice = room.participant()
    body = note_body(room)
    first = submit(room.workshop, alice, body)
    last_seq = room.workshop.last_seq
    again = submit(room.workshop, alice, dict(body))
    assert first.created and not again.created
    assert again.item.id == first.item.id
    assert count(Item) == 1
    assert count(Change, Change.entity == "item") == 1
    assert room.workshop.last_seq == last_seq
    assert len(pushed) == 2  # the first send, once per audience; the repeat pushes nothing


def test_a_uuid_sent_again_with_other_text_is_a_conflict(room):
    alice = room.participant()
    body = note_body(room, "Kahvi on hyvää")
    submit(room.workshop, alice, body)
    problem = refused(submit, room.workshop, alice, {**body, "text": "Kahvi on pahaa"})
    assert (problem.status, problem.field) == (409, "uuid")
    assert db.session.scalar(select(Item.text)) == "Kahvi on hyvää"  # nothing overwritten


def test_another_participant_reusing_a_uuid_is_a_conflict(room):
    body = note_body(room)
    submit(room.workshop, room.participant(), body)
    problem = refused(submit, room.workshop, room.participant(), dict(body))
    assert (problem.status, problem.field) == (409, "uuid")
    assert count(Item) == 1


def test_a_repeat_is_answered_even_after_the_board_was_locked(room):
    alice = room.participant()
    body = note_body(room)
    first = submit(room.workshop, alice, body)
    wall.update_board(room.workshop, room.staff, room.boards[0].id, {"locked": True})
    again = submit(room.workshop, alice, dict(body))  # the outbox replays what was already stored
    assert again.item.id == first.item.id and not again.created


# -- what a note may hold ------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   \n\t \x00 "])
def test_an_empty_note_is_refused(room, text):
    problem = refused(room.note, room.participant(), text)
    assert (problem.status, problem.field) == (422, "text")
    assert count(Item) == 0


@pytest.mark.parametrize("length, accepted", [(NOTE_MAX_LENGTH, True), (NOTE_MAX_LENGTH + 1, False)])
def test_a_note_holds_at_most_200_characters(room, length, accepted):
    alice = room.participant()
    if accepted:
        assert room.note(alice, "ä" * length).item.text == "ä" * length
    else:
        problem = refused(room.note, alice, "ä" * length)
        assert (problem.status, problem.field) == (422, "text")


def test_nul_is_stripped_and_newlines_are_kept(room):
    item = room.note(room.participant(), "Kahvi\x00 on\r\nhyvää\nja lämmintä").item
    assert item.text == "Kahvi on\nhyvää\nja lämmintä"


def test_markup_is_stored_as_typed(room):
    text = '<script>alert("hei")</script> & <b>'
    item = room.note(room.participant(), text).item
    db.session.expire_all()
    assert db.session.get(Item, item.id).text == text


@pytest.mark.parametrize("fields, field", [
    ({"uuid": "not-a-uuid"}, "uuid"),
    ({"kind": "video"}, "kind"),
    ({"colour": "purple"}, "colour"),
    ({"board_id": "first"}, "board_id"),
    ({"board_id": True}, "board_id"),
    ({"text": ["Kahvi"]}, "text"),
])
def test_wrong_values_name_the_field(room, fields, field):
    problem = refused(submit, room.workshop, room.participant(), note_body(room, **fields))
    assert (problem.status, problem.field) == (422, field)
    assert count(Item) == 0


def test_only_staff_type_in_paper_notes(room):
    assert room.note(room.participant(), from_paper=True).item.from_paper is False
    assert room.note(room.staff, from_paper=True).item.from_paper is True


# -- boards and the workshop ----------------------------------------------------------------


def test_an_unknown_board_is_not_found(room):
    problem = refused(submit, room.workshop, room.participant(), note_body(room, board_id=99999))
    assert (problem.status, problem.field) == (404, "board_id")


def test_a_board_of_another_workshop_is_not_found(room):
    other = create_workshop("Katutyö")
    problem = refused(room.note, room.participant(), board=wall.boards(other)[0])
    assert (problem.status, problem.field) == (404, "board_id")
    assert count(Item) == 0


def test_a_locked_board_refuses_participants_but_not_staff(room):
    wall.update_board(room.workshop, room.staff, room.boards[0].id, {"locked": True})
    problem = refused(room.note, room.participant())
    assert (problem.status, problem.field) == (423, "board_id")
    assert room.note(room.staff).created
    assert room.note(room.participant(), board=room.boards[1]).created  # other boards stay open


def test_a_closed_workshop_refuses_participants_but_not_staff(room):
    alice = room.participant()
    close_workshop(room.workshop)
    assert refused(room.note, alice).status == 410
    assert room.note(room.staff).created


# -- taking back ------------------------------------------------------------------------------


def test_a_participant_takes_back_their_own_note(room):
    alice = room.participant()
    item = room.note(alice, "Liian henkilökohtainen").item
    withdrawn = withdraw(room.workshop, alice, item.uuid)
    assert withdrawn.withdrawn_at is not None
    assert withdrawn.text == ""
    assert changes.item_state(withdrawn, changes.PUBLIC, room.workshop.join_code) == {
        "type": "item", "id": item.id, "gone": True}
    assert changes.item_state(withdrawn, changes.STAFF, room.workshop.join_code)["gone"] is True
    assert contributions.own_items(room.workshop, alice) == []


@pytest.mark.parametrize("who", ["another participant", "staff"])
def test_someone_elses_note_cannot_be_taken_back(room, who):
    item = room.note(room.participant()).item
    actor = room.participant() if who == "another participant" else room.staff
    assert refused(withdraw, room.workshop, actor, item.uuid).status == 404
    assert item.withdrawn_at is None


def test_taking_back_twice_is_fine(room, pushed):
    alice = room.participant()
    item = room.note(alice).item
    withdraw(room.workshop, alice, item.uuid)
    last_seq = room.workshop.last_seq
    assert withdraw(room.workshop, alice, item.uuid).withdrawn_at is not None
    assert room.workshop.last_seq == last_seq
    assert len(pushed) == 4  # the note and the taking back, each to both audiences


def test_a_note_on_a_locked_board_cannot_be_taken_back(room):
    alice = room.participant()
    item = room.note(alice).item
    wall.update_board(room.workshop, room.staff, room.boards[0].id, {"locked": True})
    assert refused(withdraw, room.workshop, alice, item.uuid).status == 423
    assert item.text == "Kahvi on hyvää"


def test_nothing_can_be_taken_back_after_the_workshop_ended(room):
    alice = room.participant()
    item = room.note(alice).item
    close_workshop(room.workshop)
    assert refused(withdraw, room.workshop, alice, item.uuid).status == 410


def test_taking_back_needs_a_real_uuid(room):
    problem = refused(withdraw, room.workshop, room.participant(), "12")
    assert (problem.status, problem.field) == (422, "uuid")


def test_a_replay_after_taking_back_returns_the_taken_back_item(room):
    alice = room.participant()
    body = note_body(room)
    item = submit(room.workshop, alice, body).item
    withdraw(room.workshop, alice, item.uuid)
    again = submit(room.workshop, alice, dict(body))  # the outbox had not heard of the withdrawal
    assert again.item.id == item.id and not again.created
    assert again.item.withdrawn_at is not None and again.item.text == ""
    assert count(Item) == 1


def test_taking_back_a_picture_deletes_its_files(app, room, picture):
    alice = room.participant()
    item = submit(room.workshop, alice, {**note_body(room, ""), "kind": "drawing"}, picture("PNG")).item
    assert media_files(app) == sorted([item.image_name, item.thumb_name])
    withdraw(room.workshop, alice, item.uuid)
    assert media_files(app) == []
    assert item.image_name is None and item.thumb_name is None


# -- hide until revealed --------------------------------------------------------------------


def test_in_reveal_mode_new_notes_wait_and_the_public_sees_no_text(room, pushed):
    wall.set_reveal_mode(room.workshop, room.staff, True)
    pushed.clear()
    item = room.note(room.participant(), "Salaisuus").item
    assert item.revealed is False
    by_room = {to: data["entity"] for to, _event, data in pushed}
    public = by_room[changes.room(room.workshop.id, changes.PUBLIC)]
    assert public == {"type": "item", "id": item.id, "board_id": room.boards[0].id, "pending": True}
    staff = by_room[changes.room(room.workshop.id, changes.STAFF)]
    assert staff["text"] == "Salaisuus" and staff["pending"] is True
    assert room.note(room.staff, from_paper=True).item.revealed is True  # staff notes show at once


def test_revealing_shows_every_waiting_note(room, pushed):
    wall.set_reveal_mode(room.workshop, room.staff, True)
    first, second = (room.note(room.participant(), text).item for text in ("Yksi", "Kaksi"))
    pushed.clear()
    assert wall.reveal_all(room.workshop, room.staff) == 2
    public = [data["entity"] for to, _event, data in pushed if to.endswith(changes.PUBLIC)]
    assert [(state["id"], state["text"]) for state in public] == [(first.id, "Yksi"), (second.id, "Kaksi")]
    assert wall.reveal_all(room.workshop, room.staff) == 0


def test_turning_reveal_mode_off_reveals_what_was_waiting(room):
    wall.set_reveal_mode(room.workshop, room.staff, True)
    item = room.note(room.participant()).item
    wall.set_reveal_mode(room.workshop, room.staff, False)
    assert item.revealed is True
    assert room.note(room.participant()).item.revealed is True


# -- order ---------------------------------------------------------------------------------------


def test_every_change_takes_the_next_number(room):
    start = room.workshop.last_seq
    alice = room.participant()
    items = [room.note(alice, f"Lappu {n}").item for n in range(4)]
    assert [item.position for item in items] == [start + 1, start + 2, start + 3, start + 4]
    seqs = db.session.scalars(select(Change.seq).where(Change.workshop_id == room.workshop.id).order_by(Change.seq))
    assert list(seqs) == list(range(1, start + 5))


def test_workshops_are_numbered_separately(room):
    other = create_workshop("Katutyö")
    before = other.last_seq
    room.note(room.participant())
    assert other.last_seq == before
    assert room.workshop.last_seq == before + 1  # both started with the same four changes


def test_a_refused_note_takes_no_number_and_pushes_nothing(room, pushed):
    alice = room.participant()
    start = room.workshop.last_seq
    refused(room.note, alice, "")
    wall.update_board(room.workshop, room.staff, room.boards[0].id, {"locked": True})
    refused(room.note, alice)
    pushed.clear()
    assert room.note(alice, board=room.boards[1]).item.position == start + 2  # +1 was the lock
    assert [data["seq"] for _to, _event, data in pushed] == [start + 2, start + 2]


def test_a_change_is_pushed_to_both_audiences_after_the_commit(room, monkeypatch):
    seen = []

    def emit(event, data, to=None, **_):
        db.session.expire_all()  # what another connection would read now
        seen.append((to, data["seq"], count(Item)))

    monkeypatch.setattr(changes.socketio, "emit", emit)
    item = room.note(room.participant()).item
    assert seen == [(changes.room(room.workshop.id, changes.STAFF), item.position, 1),
                    (changes.room(room.workshop.id, changes.PUBLIC), item.position, 1)]


# -- drawings and photos -----------------------------------------------------------------------


@pytest.mark.parametrize("kind, format, extension", [("drawing", "PNG", "png"), ("photo", "JPEG", "jpg")])
def test_a_picture_is_stored_with_a_thumbnail(app, room, picture, kind, format, extension):
    body = {**note_body(room, "Piirros kahvikupista"), "kind": kind}
    item = submit(room.workshop, room.participant(), body, picture(format, (640, 480))).item
    assert item.image_name.endswith("." + extension) and item.thumb_name.endswith(".thumb." + extension)
    assert (item.image_width, item.image_height) == (640, 480)
    assert media_files(app) == sorted([item.image_name, item.thumb_name])
    assert item.text == "Piirros kahvikupista"  # the caption


def test_a_repeated_picture_is_stored_once(app, room, picture):
    alice = room.participant()
    body = {**note_body(room, ""), "kind": "drawing"}
    image = picture("PNG")
    first = submit(room.workshop, alice, body, image)
    again = submit(room.workshop, alice, dict(body), image)
    assert again.item.id == first.item.id and not again.created
    assert len(media_files(app)) == 2


def test_a_different_picture_under_the_same_uuid_is_a_conflict(room, picture):
    alice = room.participant()
    body = {**note_body(room, ""), "kind": "drawing"}
    submit(room.workshop, alice, body, picture("PNG", colour=(0, 0, 0)))
    problem = refused(submit, room.workshop, alice, dict(body), picture("PNG", colour=(255, 255, 0)))
    assert (problem.status, problem.field) == (409, "uuid")


@pytest.mark.parametrize("raw", [
    b"not a picture at all",
    b"\x89PNG\r\n\x1a\n" + b"\x00" * 40,
], ids=["text", "broken-png"])
def test_a_bad_picture_leaves_no_row_and_no_file(app, room, raw):
    start = room.workshop.last_seq
    problem = refused(submit, room.workshop, room.participant(), {**note_body(room, ""), "kind": "photo"}, raw)
    assert (problem.status, problem.field) == (422, "image")
    assert count(Item) == 0 and media_files(app) == []
    assert room.workshop.last_seq == start


@pytest.mark.parametrize("kind, image, field", [("drawing", None, "image"), ("photo", b"", "image"),
                                                ("note", b"\x89PNG", "image")])
def test_a_picture_comes_with_drawings_and_photos_only(room, kind, image, field):
    problem = refused(submit, room.workshop, room.participant(), {**note_body(room), "kind": kind}, image)
    assert (problem.status, problem.field) == (422, field)


def test_a_picture_on_a_locked_board_leaves_no_file(app, room, picture):
    wall.update_board(room.workshop, room.staff, room.boards[0].id, {"locked": True})
    problem = refused(submit, room.workshop, room.participant(), {**note_body(room, ""), "kind": "drawing"},
                      picture("PNG"))
    assert problem.status == 423
    assert media_files(app) == []


def test_a_failed_commit_leaves_no_file(app, room, picture, monkeypatch):
    def fail():
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(changes, "commit_and_publish", fail)
    with pytest.raises(RuntimeError):
        submit(room.workshop, room.participant(), {**note_body(room, ""), "kind": "drawing"}, picture("PNG"))
    assert media_files(app) == []
    assert count(Item) == 0


def test_own_items_are_mine_only_and_not_taken_back(room):
    alice, bob = room.participant(), room.participant()
    kept = room.note(alice, "Pidän").item
    taken_back = room.note(alice, "Otan pois").item
    room.note(bob, "Bobin")
    withdraw(room.workshop, alice, taken_back.uuid)
    assert contributions.own_items(room.workshop, alice) == [kept]
    assert contributions.own_items(room.workshop, room.staff) == []
