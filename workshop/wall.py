"""The facilitator's work on the wall: boards, themes, moving, hiding and revealing items.

Every function here is for staff only (participants get a 403) and ends like every other
write: record the change, commit, push. Nothing is ever deleted: a hidden item can be
restored, a removed theme gives its items back to their boards.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from . import changes
from .actors import Actor
from .database import begin_write
from .extensions import db
from .inputs import bool_field, int_field, is_id, require_mapping, text_field
from .models import Board, Item, Theme, Workshop, next_position, utcnow
from .problems import Problem

BOARD_TITLE_MAX_LENGTH = 120
THEME_NAME_MAX_LENGTH = 120
#: A theme's description: a sentence or two for the report.
THEME_DESCRIPTION_MAX_LENGTH = 500
MAX_BOARDS = 12


def default_board_titles(language: str) -> list[str]:
    """The flip-chart columns a new workshop starts with, in the workshop's language."""
    with force_locale(language):
        return [_("What works?"), _("What does not work?"), _("Ideas")]


def add_default_boards(workshop: Workshop) -> None:
    """Give a new workshop its starting boards (inside the caller's transaction)."""
    for position, title in enumerate(default_board_titles(workshop.language), start=1):
        board = Board(workshop_id=workshop.id, title=title, position=position)
        db.session.add(board)
        db.session.flush()
        changes.record(workshop, "board", board.id)


def boards(workshop: Workshop) -> list[Board]:
    """The workshop's boards in their order on the wall."""
    return list(db.session.scalars(
        select(Board).where(Board.workshop_id == workshop.id).order_by(Board.position, Board.id)))


def create_board(workshop: Workshop, actor: Actor, data: Mapping) -> Board:
    """Add a board (a column) with a `title` at the end of the wall.

    :raise Problem: (403) not staff; (422) no title, or already the most boards a wall holds.
    """
    actor.require_staff()
    title = _board_title(require_mapping(data))
    begin_write(workshop)
    count = db.session.scalar(select(func.count()).select_from(Board).where(Board.workshop_id == workshop.id))
    if count >= MAX_BOARDS:
        raise Problem(_l("A wall can have at most %(limit)s boards.", limit=MAX_BOARDS), field="title", status=422)
    position = next_position(Board, workshop.id)
    board = Board(workshop_id=workshop.id, title=title, position=position)
    db.session.add(board)
    db.session.flush()
    changes.record(workshop, "board", board.id)
    changes.commit_and_publish()
    return board


def update_board(workshop: Workshop, actor: Actor, board_id: int, data: Mapping) -> Board:
    """Rename a board (`title`) and/or lock or unlock it (`locked`).

    :raise Problem: (403) not staff; (404) no such board; (422) an empty title.
    """
    actor.require_staff()
    data = require_mapping(data)
    # Every field is read before anything changes: a refusal leaves nothing half-done.
    title = _board_title(data) if "title" in data else None
    locked = bool_field(data, "locked") if "locked" in data else None
    begin_write(workshop)
    board = _board(workshop, board_id)
    if title is not None:
        board.title = title
    if locked is not None:
        board.locked = locked
    changes.record(workshop, "board", board.id)
    changes.commit_and_publish()
    return board


def update_item(workshop: Workshop, actor: Actor, item_id: int, data: Mapping) -> Item:
    """Move an item to another board (`board_id`), into or out of a theme (`theme_id`,
    null for none), or hide or restore it (`hidden`). Moving puts it last in its new place.

    :raise Problem: (403) not staff; (404) no such item, board or theme.
    """
    actor.require_staff()
    data = require_mapping(data)
    # Every field is read and checked before anything changes: a refusal leaves nothing half-done.
    board_id = int_field(data, "board_id") if "board_id" in data else None
    theme_id = int_field(data, "theme_id", required=False) if "theme_id" in data else None
    hidden = bool_field(data, "hidden") if "hidden" in data else None
    begin_write(workshop)
    item = db.session.get(Item, item_id) if is_id(item_id) else None
    if item is None or item.workshop_id != workshop.id or item.withdrawn_at is not None:
        raise Problem(_l("This note was not found. Please reload the page."), status=404)
    board = _board(workshop, board_id) if "board_id" in data else None
    if theme_id is not None:
        _theme(workshop, theme_id)
    moved = False
    if board is not None:
        moved = board.id != item.board_id
        item.board_id = board.id
    if "theme_id" in data:
        moved = moved or theme_id != item.theme_id
        item.theme_id = theme_id
    if hidden is not None:
        if hidden and item.hidden_at is None:
            item.hidden_at = utcnow()
        elif not hidden:
            item.hidden_at = None
    seq = changes.record(workshop, "item", item.id)
    if moved:
        item.position = seq
    changes.commit_and_publish()
    return item


def create_theme(workshop: Workshop, actor: Actor, data: Mapping) -> Theme:
    """Form a theme named `name`, optionally grouping `item_ids` into it at once.

    :raise Problem: (403) not staff; (422) no name; (404) an item is not on this wall.
    """
    actor.require_staff()
    data = require_mapping(data)
    name = _theme_name(data)
    item_ids = data.get("item_ids") or []
    if not isinstance(item_ids, list) or not all(is_id(i) for i in item_ids):
        raise Problem(_l("This is not a valid choice."), field="item_ids", status=422)
    begin_write(workshop)
    items = _items(workshop, item_ids)  # before the theme exists: an unknown item makes no theme
    position = next_position(Theme, workshop.id)
    theme = Theme(workshop_id=workshop.id, name=name, position=position)
    db.session.add(theme)
    db.session.flush()
    changes.record(workshop, "theme", theme.id)
    for item in items:
        item.theme_id = theme.id
        item.position = changes.record(workshop, "item", item.id)
    changes.commit_and_publish()
    return theme


def update_theme(workshop: Workshop, actor: Actor, theme_id: int, data: Mapping) -> Theme:
    """Give a theme a new `name` and/or a short `description` of what it is about.

    :raise Problem: (403) not staff; (404); (422) an empty name or a text too long.
    """
    actor.require_staff()
    data = require_mapping(data)
    name = _theme_name(data) if "name" in data or "description" not in data else None
    description = (text_field(data, "description", THEME_DESCRIPTION_MAX_LENGTH, required=False)
                   if "description" in data else None)
    begin_write(workshop)
    theme = _theme(workshop, theme_id)
    if name is not None:
        theme.name = name
    if description is not None:
        theme.description = description
    changes.record(workshop, "theme", theme.id)
    changes.commit_and_publish()
    return theme


def remove_theme(workshop: Workshop, actor: Actor, theme_id: int) -> Theme:
    """Dissolve a theme: its items go back to their boards. :raise Problem: (403); (404)."""
    actor.require_staff()
    begin_write(workshop)
    theme = _theme(workshop, theme_id)
    for item in db.session.scalars(select(Item).where(Item.theme_id == theme.id)):
        item.theme_id = None
        item.position = changes.record(workshop, "item", item.id)
    theme.removed_at = utcnow()
    changes.record(workshop, "theme", theme.id)
    changes.commit_and_publish()
    return theme


def themes(workshop: Workshop) -> list[Theme]:
    """The workshop's current themes in order."""
    return list(db.session.scalars(select(Theme).where(
        Theme.workshop_id == workshop.id, Theme.removed_at.is_(None)).order_by(Theme.position, Theme.id)))


def set_reveal_mode(workshop: Workshop, actor: Actor, on: bool) -> Workshop:
    """Switch "hide until revealed" on or off; switching it off reveals what was waiting."""
    actor.require_staff()
    begin_write(workshop)
    if switch_reveal_mode(workshop, on):
        changes.commit_and_publish()
    return workshop


def switch_reveal_mode(workshop: Workshop, on: bool) -> bool:
    """`set_reveal_mode` inside the caller's write transaction, without committing (the
    caller commits it with its other changes); returns whether anything changed."""
    if workshop.reveal_mode == on:
        return False
    workshop.reveal_mode = on
    changes.record(workshop, "workshop", workshop.id)
    if not on:
        _reveal_waiting(workshop)
    return True


def reveal_all(workshop: Workshop, actor: Actor) -> int:
    """Show every waiting item on the wall; returns how many were revealed."""
    actor.require_staff()
    begin_write(workshop)
    count = _reveal_waiting(workshop)
    changes.commit_and_publish()
    return count


def _reveal_waiting(workshop: Workshop) -> int:
    waiting = list(db.session.scalars(select(Item).where(
        Item.workshop_id == workshop.id, Item.revealed.is_(False)).order_by(Item.id)))
    for item in waiting:
        item.revealed = True
        changes.record(workshop, "item", item.id)
    return len(waiting)


def _items(workshop: Workshop, item_ids: Iterable[int]) -> list[Item]:
    ids = list(dict.fromkeys(item_ids))
    found = list(db.session.scalars(select(Item).where(
        Item.workshop_id == workshop.id, Item.id.in_(ids), Item.withdrawn_at.is_(None)))) if ids else []
    if len(found) != len(ids):
        raise Problem(_l("This note was not found. Please reload the page."), field="item_ids", status=404)
    return found


def _board(workshop: Workshop, board_id: int | None) -> Board:
    board = db.session.get(Board, board_id) if is_id(board_id) else None
    if board is None or board.workshop_id != workshop.id:
        raise Problem(_l("This board was not found. Please reload the page."), field="board_id", status=404)
    return board


def _theme(workshop: Workshop, theme_id: int | None) -> Theme:
    theme = db.session.get(Theme, theme_id) if is_id(theme_id) else None
    if theme is None or theme.workshop_id != workshop.id or theme.removed_at is not None:
        raise Problem(_l("This theme was not found. Please reload the page."), field="theme_id", status=404)
    return theme


def _board_title(data: Mapping) -> str:
    return " ".join(text_field(data, "title", BOARD_TITLE_MAX_LENGTH, required=True,
                               empty_message=_l("Give the board a name.")).split())


def _theme_name(data: Mapping) -> str:
    return " ".join(text_field(data, "name", THEME_NAME_MAX_LENGTH, required=True,
                               empty_message=_l("Give the theme a name.")).split())
