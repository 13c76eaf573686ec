"""The one write path for what participants put on the wall: notes, drawings and photos.

`submit()` is the only function that creates an item, whether the item came over HTTP,
over the socket, from the offline outbox or from the facilitator typing in a paper note.
The rules run first, then any picture is written to disk, then the row is committed and
only then is the change pushed. A caller answers 2xx only after `submit()` returned.

Sending the same item twice is harmless: the phone makes a UUID for each item, and the
same UUID with the same content returns the stored item (`created=False`, HTTP 200). The
same UUID with different content is refused (409), so a bug or a replay can never
overwrite what someone said.
"""
from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from . import changes, images, phases
from .actors import Actor
from .database import begin_write
from .extensions import db
from .inputs import bool_field, choice_field, int_field, require_mapping, text_field, uuid_field
from .models import Board, Item, ItemKind, Workshop, utcnow
from .problems import Problem
from .serving import run_off_the_loop

log = logging.getLogger(__name__)

#: The longest sticky note, in characters. Short on purpose: a note is a few words.
NOTE_MAX_LENGTH = 200
#: The longest caption of a drawing or photo (its alt text in the report).
CAPTION_MAX_LENGTH = 200
#: Sticky-note colours, as names the style sheet maps to colours (first is the default).
NOTE_COLOURS = ("yellow", "pink", "blue", "green", "orange")
KINDS = tuple(kind.value for kind in ItemKind)


def note_colour_labels() -> list[tuple[str, str]]:
    """The note colours with their names in the current language, for the colour choice."""
    names = {"yellow": _l("Yellow"), "pink": _l("Pink"), "blue": _l("Blue"), "green": _l("Green"),
             "orange": _l("Orange")}
    return [(colour, str(names[colour])) for colour in NOTE_COLOURS]


@dataclass(frozen=True)
class Submitted:
    """The stored item, and whether this call created it (False: it was a repeat)."""

    item: Item
    created: bool


def media_dir() -> Path:
    """Where pictures are stored (a directory on shared storage in a region)."""
    return Path(current_app.config["MEDIA_DIR"])


def require_open(workshop: Workshop, actor: Actor) -> None:
    """:raise Problem: (410) a participant acts in a workshop that has ended.

    Staff may still tidy the wall (themes, moderation) after the workshop has ended.
    """
    if not workshop.is_open and not actor.is_staff:
        raise Problem(_l("This workshop has ended. Thank you for taking part!"), status=410)


def submit(workshop: Workshop, actor: Actor, data: Mapping, image: bytes | None = None) -> Submitted:
    """Add a note, drawing or photo to a board, or return it if this UUID was sent before.

    `data` holds `uuid`, `kind` ("note", "drawing" or "photo"), `board_id`, `text` (the
    note, or the picture's caption), `colour` (notes) and, for staff, `from_paper`. A
    drawing or photo comes with its image bytes.

    :raise Problem: 410 the workshop has ended; 409 the UUID was used for something else;
        404 no such board; 423 the board is locked; 422 invalid input or a bad picture.
    """
    data = require_mapping(data)
    item_uuid = uuid_field(data)
    kind = choice_field(data, "kind", KINDS)
    board_id = int_field(data, "board_id")
    is_note = kind == ItemKind.NOTE.value
    text = text_field(
        data, "text", NOTE_MAX_LENGTH if is_note else CAPTION_MAX_LENGTH, required=is_note,
        empty_message=_l("Write something on the note first."),
        too_long_message=(_l("A note can have at most %(limit)s characters.", limit=NOTE_MAX_LENGTH) if is_note
                          else _l("A caption can have at most %(limit)s characters.", limit=CAPTION_MAX_LENGTH)))
    colour = choice_field(data, "colour", NOTE_COLOURS)
    from_paper = bool_field(data, "from_paper") and actor.is_staff
    if is_note and image is not None:
        raise Problem(_l("A note cannot carry a picture."), field="image", status=422)
    if not is_note and not image:
        raise Problem(_l("Choose a picture first."), field="image", status=422)
    body_hash = _body_hash(kind, board_id, text, colour, from_paper, image)

    # Decoding and re-encoding a picture takes a tenth of a second: it is done before the
    # write lock is taken (the view defers it), so other phones' notes are not held up, and
    # off the server's event loop, so no wall stops meanwhile.
    processed = run_off_the_loop(images.process_image, image) if image is not None else None

    # A repeat is answered before the other rules: the item was stored when the rules
    # allowed it, and a board locked since must not turn a replay into an error.
    begin_write(workshop)
    repeat = _repeat(workshop, actor, item_uuid, body_hash)
    if repeat is not None:
        return Submitted(repeat, created=False)
    require_open(workshop, actor)
    phases.require(workshop, actor, phases.NOTES)
    board = _open_board(workshop, board_id, actor)
    # The file is on disk before the row that points at it is committed.
    stored = images.store_image(processed, media_dir()) if processed is not None else None

    seq = changes.next_seq(workshop)  # the item's place on its board: it comes last
    item = Item(
        workshop_id=workshop.id, position=seq, uuid=item_uuid, body_hash=body_hash, kind=ItemKind(kind),
        board_id=board.id, text=text, colour=colour, from_paper=from_paper, **actor.author_ids(),
        revealed=not workshop.reveal_mode or actor.is_staff, phase=workshop.phase,
        gathering_id=workshop.current_gathering_id)
    if stored is not None:
        item.image_name, item.thumb_name = stored.name, stored.thumb_name
        item.image_width, item.image_height = stored.width, stored.height

    def forget_picture():  # no row, so no file either
        if stored is not None:
            images.delete_image(media_dir(), stored.name, stored.thumb_name)

    return store_once(workshop, actor, item, lambda: changes.record(workshop, "item", item.id, seq), forget_picture)


def store_once(workshop: Workshop, actor: Actor, row, record: Callable[[], object] | None = None,
               forget: Callable[[], None] | None = None) -> Submitted:
    """Insert `row` (an item, dot, answer… made under a client's UUID), commit and push it.

    `record()` runs once the row has its id, to log the change the walls are sent. Two
    sends of one UUID at the same moment (two processes on PostgreSQL) both get past the
    repeat check; the unique constraint refuses the second insert, which is then answered
    as the repeat it is. When nothing was stored, `forget()` undoes what the caller did
    outside the database (a picture file written before the row).
    """
    client_uuid, body_hash = row.uuid, row.body_hash
    db.session.add(row)
    try:
        db.session.flush()
        if record is not None:
            record()
        changes.commit_and_publish()
    except IntegrityError:
        db.session.rollback()
        if forget is not None:
            forget()
        repeat = repeat_of(type(row), workshop, actor, client_uuid, body_hash)
        if repeat is None:
            raise
        return Submitted(repeat, created=False)
    except BaseException:
        db.session.rollback()
        if forget is not None:
            forget()
        raise
    return Submitted(row, created=True)


def withdraw(workshop: Workshop, actor: Actor, item_uuid: str) -> Item:
    """Take back one's own item: its text and picture are erased and it leaves every wall.

    Taking back twice is fine. Staff hide items instead (see `wall.hide_item`).

    :raise Problem: 404 no such item of this participant; 423 its board is locked;
        410 the workshop has ended.
    """
    item_uuid = uuid_field({"uuid": item_uuid})
    begin_write(workshop)
    item = db.session.scalar(select(Item).where(Item.workshop_id == workshop.id, Item.uuid == item_uuid))
    if item is None or not actor.owns(item.participant_id, item.account_id):
        raise Problem(_l("This was not found among your own notes."), status=404)
    if item.withdrawn_at is not None:
        return item
    require_open(workshop, actor)
    if item.board.locked:
        raise Problem(_l("The facilitator has locked this board, so it can no longer be changed."), status=423)
    files = [name for name in (item.image_name, item.thumb_name) if name]
    item.withdrawn_at = utcnow()
    item.text = ""
    item.image_name = item.thumb_name = None
    changes.record(workshop, "item", item.id)
    changes.commit_and_publish()
    # The row no longer points at the files; removing them after the commit means a
    # failed commit can never leave a row whose picture is gone.
    images.delete_image(media_dir(), *files)
    return item


def own_items(workshop: Workshop, actor: Actor) -> list[Item]:
    """The actor's own items in this workshop that they have not taken back, oldest first."""
    if actor.participant is None:
        return []
    return list(db.session.scalars(
        select(Item).where(Item.workshop_id == workshop.id, Item.participant_id == actor.participant.id,
                           Item.withdrawn_at.is_(None)).order_by(Item.id)))


def may_see_picture(workshop: Workshop, actor: Actor, name: str) -> bool:
    """Whether `actor` may see a stored picture: it belongs to an item of this workshop that
    still shows it (taken back, it has no picture), and, for a participant, one on the wall
    for them: their own, or neither hidden by the facilitator nor waiting to be revealed."""
    item = db.session.scalar(select(Item).where(
        Item.workshop_id == workshop.id, or_(Item.image_name == name, Item.thumb_name == name)))
    if item is None:
        return False
    if actor.is_staff or actor.owns(item.participant_id, item.account_id):
        return True
    return item.hidden_at is None and item.revealed


def _body_hash(kind: str, board_id: int, text: str, colour: str, from_paper: bool, image: bytes | None) -> str:
    body = {"kind": kind, "board_id": board_id, "text": text, "colour": colour, "from_paper": from_paper,
            "image": hashlib.sha256(image).hexdigest() if image else None}
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def repeat_of(model, workshop: Workshop, actor: Actor, client_uuid: str, body_hash: str):
    """The stored `model` row (an item or a dot) if this send repeats it, else None.

    :raise Problem: (409) the UUID was used for different content or by someone else.
    """
    row = db.session.scalar(select(model).where(model.workshop_id == workshop.id, model.uuid == client_uuid))
    if row is None:
        return None
    if row.body_hash != body_hash or not actor.owns(row.participant_id, row.account_id):
        raise Problem(_l("This was already sent with different content."), field="uuid", status=409)
    return row


def _repeat(workshop: Workshop, actor: Actor, item_uuid: str, body_hash: str) -> Item | None:
    return repeat_of(Item, workshop, actor, item_uuid, body_hash)


def _open_board(workshop: Workshop, board_id: int, actor: Actor) -> Board:
    board = db.session.get(Board, board_id)
    if board is None or board.workshop_id != workshop.id:
        raise Problem(_l("This board was not found. Please reload the page."), field="board_id", status=404)
    if board.locked and not actor.is_staff:
        raise Problem(_l("The facilitator has locked this board, so it can no longer be changed."),
                      field="board_id", status=423)
    return board
