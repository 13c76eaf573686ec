"""The facilitator's work on the wall and the catch-up after a reconnect, called directly."""
import inspect

import pytest

from workshop import wall
from workshop.changes import PUBLIC, STAFF, changes_since
from workshop.contributions import withdraw
from workshop.problems import Problem
from workshop.workshops import create_workshop


def refused(call, *args) -> Problem:
    with pytest.raises(Problem) as caught:
        call(*args)
    return caught.value


def state_of(room, entity, entity_id, audience):
    """The entity's state in a full catch-up for `audience`."""
    [state] = [c for c in changes_since(room.workshop, 0, audience)["changes"]
               if c["type"] == entity and c["id"] == entity_id]
    return state


#: Every rule that changes the wall, called by `actor` with arguments that suit staff.
MODERATION = {
    "create_board": lambda room, actor, item, theme: wall.create_board(room.workshop, actor, {"title": "Toiveet"}),
    "update_board": lambda room, actor, item, theme: wall.update_board(room.workshop, actor, room.boards[0].id,
                                                                       {"locked": True}),
    "update_item": lambda room, actor, item, theme: wall.update_item(room.workshop, actor, item.id, {"hidden": True}),
    "create_theme": lambda room, actor, item, theme: wall.create_theme(room.workshop, actor, {"name": "Ruoka"}),
    "update_theme": lambda room, actor, item, theme: wall.update_theme(room.workshop, actor, theme.id, {"name": "X"}),
    "remove_theme": lambda room, actor, item, theme: wall.remove_theme(room.workshop, actor, theme.id),
    "set_reveal_mode": lambda room, actor, item, theme: wall.set_reveal_mode(room.workshop, actor, True),
    "reveal_all": lambda room, actor, item, theme: wall.reveal_all(room.workshop, actor),
}


def test_the_rights_matrix_covers_every_rule_that_acts_for_someone():
    rules = {name for name, function in vars(wall).items()
             if inspect.isfunction(function) and function.__module__ == wall.__name__
             and "actor" in inspect.signature(function).parameters}
    assert rules == set(MODERATION)


@pytest.mark.parametrize("rule", sorted(MODERATION))
def test_participants_cannot_moderate(room, rule):
    alice = room.participant()
    item = room.note(alice).item
    theme = wall.create_theme(room.workshop, room.staff, {"name": "Ruoka"})
    before = room.workshop.last_seq
    assert refused(MODERATION[rule], room, alice, item, theme).status == 403
    assert room.workshop.last_seq == before


def test_staff_may_do_all_of_it(room):
    for rule in sorted(MODERATION):  # each on a fresh item and theme
        item = room.note(room.staff).item  # staff may write on the board locked on the way
        theme = wall.create_theme(room.workshop, room.staff, {"name": "Ruoka"})
        before = room.workshop.last_seq
        MODERATION[rule](room, room.staff, item, theme)
        assert room.workshop.last_seq > before or rule == "reveal_all", rule


# -- boards ------------------------------------------------------------------------------------


def test_a_board_is_added_at_the_end_with_its_title_tidied(room):
    board = wall.create_board(room.workshop, room.staff, {"title": "  Toiveet \n  ensi  vuodelle "})
    assert board.title == "Toiveet ensi vuodelle"
    assert [b.id for b in wall.boards(room.workshop)] == [b.id for b in room.boards] + [board.id]


def test_a_wall_holds_at_most_twelve_boards(room):
    for n in range(wall.MAX_BOARDS - len(room.boards)):
        wall.create_board(room.workshop, room.staff, {"title": f"Sarake {n}"})
    problem = refused(wall.create_board, room.workshop, room.staff, {"title": "Liikaa"})
    assert (problem.status, problem.field) == (422, "title")


def test_a_board_is_renamed_and_locked(room):
    board = wall.update_board(room.workshop, room.staff, room.boards[0].id, {"title": "Mikä toimii", "locked": True})
    assert (board.title, board.locked) == ("Mikä toimii", True)
    assert state_of(room, "board", board.id, PUBLIC)["locked"] is True
    assert refused(wall.update_board, room.workshop, room.staff, board.id, {"title": " "}).field == "title"


# -- moving ------------------------------------------------------------------------------------


def test_an_item_moves_to_another_board_and_goes_last(room):
    first = room.note(room.participant(), "Eka").item
    room.note(room.participant(), "Toka", board=room.boards[1])
    moved = wall.update_item(room.workshop, room.staff, first.id, {"board_id": room.boards[1].id})
    assert moved.board_id == room.boards[1].id
    assert moved.position == room.workshop.last_seq


def test_an_item_cannot_move_to_another_workshops_board(room):
    item = room.note(room.participant()).item
    other = create_workshop("Katutyö")
    problem = refused(wall.update_item, room.workshop, room.staff, item.id, {"board_id": wall.boards(other)[0].id})
    assert (problem.status, problem.field) == (404, "board_id")
    assert item.board_id == room.boards[0].id


@pytest.mark.parametrize("item_id", [999999, 2**70, "1"])
def test_an_unknown_item_is_not_found(room, item_id):
    assert refused(wall.update_item, room.workshop, room.staff, item_id, {"hidden": True}).status == 404


def test_a_taken_back_item_cannot_be_moderated(room):
    alice = room.participant()
    item = room.note(alice).item
    withdraw(room.workshop, alice, item.uuid)
    assert refused(wall.update_item, room.workshop, room.staff, item.id, {"hidden": False}).status == 404


# -- themes --------------------------------------------------------------------------------------


def test_a_theme_groups_the_items_given(room, pushed):
    alice = room.participant()
    items = [room.note(alice, text).item for text in ("Kahvi", "Leipä", "Aukiolo")]
    pushed.clear()
    theme = wall.create_theme(room.workshop, room.staff, {"name": " Ruoka  ja juoma", "item_ids": [items[0].id,
                                                                                                   items[1].id]})
    assert theme.name == "Ruoka ja juoma"
    assert [item.theme_id for item in items] == [theme.id, theme.id, None]
    public = [data["entity"] for to, _event, data in pushed if to.endswith(PUBLIC)]
    assert [(state["type"], state["id"]) for state in public] == [
        ("theme", theme.id), ("item", items[0].id), ("item", items[1].id)]


def test_an_item_moves_into_and_out_of_a_theme(room):
    item = room.note(room.participant()).item
    theme = wall.create_theme(room.workshop, room.staff, {"name": "Ruoka"})
    assert wall.update_item(room.workshop, room.staff, item.id, {"theme_id": theme.id}).theme_id == theme.id
    assert wall.update_item(room.workshop, room.staff, item.id, {"theme_id": None}).theme_id is None


@pytest.mark.parametrize("item_ids", ["1", [True], [[1]], [2**70]])
def test_a_theme_needs_a_list_of_item_numbers(room, item_ids):
    problem = refused(wall.create_theme, room.workshop, room.staff, {"name": "Ruoka", "item_ids": item_ids})
    assert (problem.status, problem.field) == (422, "item_ids")


def test_a_theme_with_an_unknown_item_is_not_made_at_all(room):
    item = room.note(room.participant()).item
    before = room.workshop.last_seq
    problem = refused(wall.create_theme, room.workshop, room.staff, {"name": "Ruoka", "item_ids": [item.id, 999999]})
    assert (problem.status, problem.field) == (404, "item_ids")
    assert wall.themes(room.workshop) == [] and item.theme_id is None
    assert room.workshop.last_seq == before


def test_a_theme_is_renamed(room):
    theme = wall.create_theme(room.workshop, room.staff, {"name": "Ruoka"})
    wall.update_theme(room.workshop, room.staff, theme.id, {"name": "Ruoka ja kahvi"})
    assert state_of(room, "theme", theme.id, PUBLIC)["name"] == "Ruoka ja kahvi"
    assert refused(wall.update_theme, room.workshop, room.staff, theme.id, {"name": ""}).field == "name"


def test_a_theme_gets_a_description_for_the_report(room):
    theme = wall.create_theme(room.workshop, room.staff, {"name": "Ruoka"})
    wall.update_theme(room.workshop, room.staff, theme.id, {"description": "  Ruoka loppuu kesken viikon.  "})
    state = state_of(room, "theme", theme.id, PUBLIC)
    assert (state["name"], state["description"]) == ("Ruoka", "Ruoka loppuu kesken viikon.")
    too_long = {"description": "x" * (wall.THEME_DESCRIPTION_MAX_LENGTH + 1)}
    assert refused(wall.update_theme, room.workshop, room.staff, theme.id, too_long).field == "description"


def test_removing_a_theme_gives_its_items_back(room):
    items = [room.note(room.participant(), text).item for text in ("Kahvi", "Leipä")]
    theme = wall.create_theme(room.workshop, room.staff, {"name": "Ruoka", "item_ids": [i.id for i in items]})
    wall.remove_theme(room.workshop, room.staff, theme.id)
    assert [item.theme_id for item in items] == [None, None]
    assert [item.board_id for item in items] == [room.boards[0].id] * 2
    assert state_of(room, "theme", theme.id, PUBLIC) == {"type": "theme", "id": theme.id, "gone": True}
    assert wall.themes(room.workshop) == []
    assert refused(wall.update_theme, room.workshop, room.staff, theme.id, {"name": "Uusi"}).status == 404
    assert refused(wall.remove_theme, room.workshop, room.staff, theme.id).status == 404


# -- hiding ---------------------------------------------------------------------------------------


def test_a_hidden_item_is_gone_for_the_public_and_marked_for_staff(room):
    item = room.note(room.participant(), "Loukkaava").item
    wall.update_item(room.workshop, room.staff, item.id, {"hidden": True})
    assert state_of(room, "item", item.id, PUBLIC) == {"type": "item", "id": item.id, "gone": True}
    staff = state_of(room, "item", item.id, STAFF)
    assert staff["hidden"] is True and staff["text"] == "Loukkaava"


def test_a_restored_item_comes_back(room):
    item = room.note(room.participant(), "Ihan asiallinen").item
    wall.update_item(room.workshop, room.staff, item.id, {"hidden": True})
    wall.update_item(room.workshop, room.staff, item.id, {"hidden": False})
    assert state_of(room, "item", item.id, PUBLIC)["text"] == "Ihan asiallinen"
    assert state_of(room, "item", item.id, STAFF)["hidden"] is False


# -- catching up -----------------------------------------------------------------------------------


def test_catch_up_gives_current_states_once_ordered_by_latest_change(room):
    alice = room.participant()
    seen = room.workshop.last_seq
    first = room.note(alice, "Eka").item
    second = room.note(alice, "Toka").item
    wall.update_item(room.workshop, room.staff, first.id, {"board_id": room.boards[2].id})
    answer = changes_since(room.workshop, seen, PUBLIC)
    assert answer["last_seq"] == seen + 3 and answer["reset"] is False
    assert [(c["id"], c["board_id"]) for c in answer["changes"]] == [(second.id, room.boards[0].id),
                                                                     (first.id, room.boards[2].id)]


def test_catch_up_from_the_last_number_is_empty(room):
    room.note(room.participant())
    answer = changes_since(room.workshop, room.workshop.last_seq, STAFF)
    assert answer == {"last_seq": room.workshop.last_seq, "reset": False, "changes": []}


def test_a_fresh_wall_gets_the_workshop_and_its_boards(room):
    answer = changes_since(room.workshop, 0, PUBLIC)
    assert [c["type"] for c in answer["changes"]] == ["workshop", "board", "board", "board"]
    assert answer["reset"] is False


@pytest.mark.parametrize("since", [10_000, -1])
def test_a_number_the_server_never_gave_starts_afresh(room, since):
    room.note(room.participant())
    answer = changes_since(room.workshop, since, PUBLIC)
    assert answer["reset"] is True
    assert answer["changes"] == changes_since(room.workshop, 0, PUBLIC)["changes"]


def test_catch_up_shows_each_audience_what_it_may_see(room):
    wall.set_reveal_mode(room.workshop, room.staff, True)
    hidden = room.note(room.participant(), "Piilotettu").item
    wall.update_item(room.workshop, room.staff, hidden.id, {"hidden": True})
    waiting = room.note(room.participant(), "Odottaa").item
    public = {c["id"]: c for c in changes_since(room.workshop, 0, PUBLIC)["changes"] if c["type"] == "item"}
    staff = {c["id"]: c for c in changes_since(room.workshop, 0, STAFF)["changes"] if c["type"] == "item"}
    assert public[hidden.id] == {"type": "item", "id": hidden.id, "gone": True}
    assert public[waiting.id] == {"type": "item", "id": waiting.id, "board_id": room.boards[0].id, "pending": True}
    assert (staff[hidden.id]["text"], staff[hidden.id]["hidden"]) == ("Piilotettu", True)
    assert (staff[waiting.id]["text"], staff[waiting.id]["pending"]) == ("Odottaa", True)


def test_catch_up_stays_within_its_workshop(room):
    other = create_workshop("Katutyö")
    room.note(room.participant(), "Kallion lappu")
    answer = changes_since(other, 0, STAFF)
    assert all(c["type"] != "item" for c in answer["changes"])
    assert answer["last_seq"] == other.last_seq
