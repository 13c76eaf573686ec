"""The push path: every change a wall shows is numbered, committed, then sent to the room.

A rule that changes something calls `record()` for each entity it touched, inside its
transaction, and ends with `commit_and_publish()`. Each recorded change takes the
workshop's next sequence number. Only after the commit succeeded are the entities' new
states sent to the workshop's Socket.IO rooms, so nobody ever sees what was not stored.

What is sent is always an entity's *current state*, never a diff. A wall that reconnects
sends the last number it saw; `changes_since()` answers with the current state of every
entity changed after it, ordered by its latest change. Applying those in order brings the
wall to exactly the state of every other wall: nothing missing and nothing twice.

There are two audiences. Staff (the facilitator's wall) see hidden and not-yet-revealed
items so they can restore or reveal them; everyone else (phones, the public room) gets
hidden and taken-back items as `gone` and unrevealed ones as a bare `pending` marker.
"""
from __future__ import annotations

import threading
from collections import defaultdict
from typing import Callable, Iterable

from sqlalchemy import event, func, inspect, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key
from sqlalchemy.orm.attributes import set_committed_value

from .extensions import db, socketio
from .models import Board, Change, Dot, Item, Question, Theme, Workshop

STAFF = "staff"
PUBLIC = "public"
AUDIENCES = (STAFF, PUBLIC)
#: The Socket.IO event every change is pushed as.
CHANGE_EVENT = "change"

_PENDING_KEY = "kuulluksi.pending_changes"
# Commits and their broadcasts happen in the same order within a process, so a wall
# connected to this process sees the numbers arrive in order. (Across processes a wall may
# see a gap and fills it by asking `changes_since`.)
_publish_lock = threading.Lock()


def room(workshop_id: int, audience: str) -> str:
    """The Socket.IO room a workshop's changes go to for one audience."""
    return f"workshop-{workshop_id}-{audience}"


def next_seq(workshop: Workshop) -> int:
    """Take the workshop's next sequence number in this transaction.

    The counter is bumped with a single UPDATE … RETURNING, which row-locks the workshop on
    PostgreSQL and runs under SQLite's write lock, so two writers never share a number.
    Take it only once the change is certain to be made: a number taken and not recorded
    leaves a gap that every wall would try to fill.
    """
    table = Workshop.__table__
    # Core, not the ORM: this runs for every note, and the ORM's bookkeeping would double its cost.
    seq = db.session.connection().execute(
        update(table).where(table.c.id == workshop.id).values(last_seq=table.c.last_seq + 1)
        .returning(table.c.last_seq)).scalar_one()
    # Keep the loaded object in step without marking it changed (no second UPDATE).
    set_committed_value(workshop, "last_seq", seq)
    return seq


def record(workshop: Workshop, entity: str, entity_id: int, seq: int | None = None) -> int:
    """Log a change to `entity` in this transaction, for pushing after the commit.

    `seq` is a number taken with `next_seq()` (when the entity stores it, as an item's
    position does); by default the next number is taken here. Returns the number.
    """
    if seq is None:
        seq = next_seq(workshop)
    db.session.connection().execute(
        Change.__table__.insert(), {"workshop_id": workshop.id, "seq": seq, "entity": entity, "entity_id": entity_id})
    db.session.info.setdefault(_PENDING_KEY, []).append((workshop.id, workshop.join_code, seq, entity, entity_id))
    return seq


def commit_and_publish() -> None:
    """Commit the transaction, then push every recorded change to the rooms, in order.

    If the commit fails nothing is pushed, the pending changes are dropped and the error
    is raised for the caller to roll back and answer.

    What the session holds is not expired by this commit: it is exactly what was just
    committed, and the caller's answer (the stored item) is built from it without reading
    it back.
    """
    pending = db.session.info.pop(_PENDING_KEY, [])
    db.session.flush()
    messages = []
    for workshop_id, code, seq, entity, entity_id in pending:
        states = _load_states(code, [(entity, entity_id)])
        for audience in AUDIENCES:
            state = states[audience][0]
            messages.append((room(workshop_id, audience), {"seq": seq, "entity": state}))
    session = db.session()
    expire_on_commit, session.expire_on_commit = session.expire_on_commit, False
    try:
        with _publish_lock:
            session.commit()
            for to, message in messages:
                socketio.emit(CHANGE_EVENT, message, to=to)
    finally:
        session.expire_on_commit = expire_on_commit


@event.listens_for(Session, "after_transaction_end")
def _forget_unpublished(session, transaction):
    # A transaction that ended without `commit_and_publish` (a rule refused half-way, a
    # rollback) must not leave its recorded changes to be pushed by the next commit.
    if transaction.parent is None:
        session.info.pop(_PENDING_KEY, None)


def changes_since(workshop: Workshop, since: int, audience: str) -> dict:
    """What a wall that saw everything up to `since` needs: `{"last_seq", "changes"}`.

    `changes` holds the current state of each entity changed after `since`, ordered by its
    latest change. A number from the future (the server's data was restored from an older
    backup) is answered with everything, flagged `reset`, so the wall starts afresh.
    """
    last_seq = db.session.scalar(select(Workshop.last_seq).where(Workshop.id == workshop.id)) or 0
    reset = since < 0 or since > last_seq
    if reset:
        since = 0
    latest = func.max(Change.seq).label("latest")
    rows = db.session.execute(
        select(Change.entity, Change.entity_id, latest)
        .where(Change.workshop_id == workshop.id, Change.seq > since)
        .group_by(Change.entity, Change.entity_id)
        .order_by(latest)
    ).all()
    states = _load_states(workshop.join_code, [(row.entity, row.entity_id) for row in rows])[audience]
    return {"last_seq": last_seq, "reset": reset, "changes": states}


def media_url(code: str, name: str) -> str:
    """The address a stored picture is served at (see the API's media endpoint)."""
    return f"/api/w/{code}/media/{name}"


def item_state(item: Item, audience: str, code: str) -> dict:
    """An item as `audience` may see it."""
    if item.withdrawn_at is not None or (audience == PUBLIC and item.hidden_at is not None):
        return {"type": "item", "id": item.id, "gone": True}
    if audience == PUBLIC and not item.revealed:
        return {"type": "item", "id": item.id, "board_id": item.board_id, "pending": True}
    state = {
        "type": "item",
        "id": item.id,
        "kind": item.kind.value,
        "board_id": item.board_id,
        "theme_id": item.theme_id,
        "position": item.position,
        "text": item.text,
        "colour": item.colour,
        "from_paper": item.from_paper,
        "phase": item.phase.value,
        "gathering_id": item.gathering_id,
        "image": None,
        "created_at": item.created_at.isoformat() if item.created_at else None,
    }
    if item.image_name:
        state["image"] = {
            "url": media_url(code, item.image_name),
            "thumb_url": media_url(code, item.thumb_name or item.image_name),
            "width": item.image_width,
            "height": item.image_height,
        }
    if audience == STAFF:
        state["hidden"] = item.hidden_at is not None
        state["pending"] = not item.revealed
    return state


def own_item_state(item: Item, code: str) -> dict:
    """An item as its author sees it: everything, and the id their phone made for it."""
    state = item_state(item, STAFF, code)
    state.update(uuid=item.uuid, mine=True, withdrawn=item.withdrawn_at is not None)
    return state


def board_state(board: Board) -> dict:
    """A board (flip-chart column); the same for every audience."""
    return {"type": "board", "id": board.id, "title": board.title, "position": board.position,
            "locked": board.locked}


def theme_state(theme: Theme) -> dict:
    """A theme; a removed one is `gone` and its items come back as changes of their own."""
    if theme.removed_at is not None:
        return {"type": "theme", "id": theme.id, "gone": True}
    return {"type": "theme", "id": theme.id, "name": theme.name, "position": theme.position,
            "description": theme.description}


def question_state(question: Question, counts: dict[int, int]) -> dict:
    """A dot-vote question with the number of dots on each option (never who placed them)."""
    return {
        "type": "question",
        "id": question.id,
        "title": question.title,
        "dots_per_person": question.dots_per_person,
        "open": question.is_open,
        "purpose": question.purpose,
        "options": [{"id": option.id, "label": option.label, "dots": counts.get(option.id, 0),
                     "topic_id": option.topic_id, "idea_id": option.idea_id}
                    for option in question.options],
    }


def workshop_state(workshop: Workshop) -> dict:
    """The workshop's own settings that walls and phones react to."""
    return {"type": "workshop", "id": workshop.id, "title": workshop.title, "open": workshop.is_open,
            "reveal_mode": workshop.reveal_mode, "phase": workshop.phase.value, "topic": workshop.topic,
            "feedback_phase": workshop.feedback_phase.value if workshop.feedback_phase else None,
            "projector": workshop.projector, "current_gathering_id": workshop.current_gathering_id}


def dot_counts(question_ids: Iterable[int]) -> dict[int, int]:
    """Dots per option for the given questions."""
    ids = list(question_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(Dot.option_id, func.count()).where(Dot.question_id.in_(ids), Dot.taken_back_at.is_(None))
        .group_by(Dot.option_id))
    return dict(rows.tuples().all())


#: What each kind of entity is: its model and how its states are made. Rules modules of
#: later features add theirs with `register_entity()` when they are imported.
_ENTITIES: dict[str, tuple[type, Callable[[list, str, str], list[dict]], bool]] = {}


def register_entity(entity: str, model: type, states: Callable[[list, str, str], list[dict]], *,
                    same_for_all: bool = False) -> None:
    """Make `entity` pushable: `states(objects, audience, code)` returns the state of each
    object (in the same order) as `audience` may see it. Called with all the objects of one
    kind a catch-up needs at once, so a state that needs a count can count them together.
    `same_for_all`: the states do not depend on the audience, so they are made once."""
    _ENTITIES[entity] = (model, states, same_for_all)


register_entity("item", Item, lambda objects, audience, code: [item_state(o, audience, code) for o in objects])
register_entity("board", Board, lambda objects, audience, code: [board_state(o) for o in objects])
register_entity("theme", Theme, lambda objects, audience, code: [theme_state(o) for o in objects])
register_entity("workshop", Workshop, lambda objects, audience, code: [workshop_state(o) for o in objects])


def _question_states(objects: list, audience: str, code: str) -> list[dict]:
    counts = dot_counts(question.id for question in objects)
    return [question_state(question, counts) for question in objects]


register_entity("question", Question, _question_states)


def _load_states(code: str, refs: list[tuple[str, int]]) -> dict[str, list[dict]]:
    """The states of the referenced entities for both audiences, in the order given."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for entity, entity_id in refs:
        wanted[entity].add(entity_id)
    found: dict[tuple[str, str, int], dict] = {}
    for entity, ids in wanted.items():
        model, states, same_for_all = _ENTITIES[entity]
        objects = _load(model, ids)
        made = states(objects, PUBLIC, code) if same_for_all else None
        for audience in AUDIENCES:
            for obj, state in zip(objects, made if same_for_all else states(objects, audience, code)):
                found[audience, entity, obj.id] = state
    # An entity whose row is gone (not done today; kept safe for the retention issue).
    return {audience: [found.get((audience, entity, entity_id)) or {"type": entity, "id": entity_id, "gone": True}
                       for entity, entity_id in refs]
            for audience in AUDIENCES}


def _load(model, ids: set[int]) -> list:
    """The rows of `model` with these ids. What this transaction just wrote is in the
    session already: it is taken from there instead of being read back."""
    objects, missing = [], []
    for entity_id in ids:
        obj = db.session.identity_map.get(identity_key(model, entity_id))
        if obj is not None and not inspect(obj).expired_attributes:
            objects.append(obj)
        else:
            missing.append(entity_id)
    if missing:
        objects += db.session.scalars(select(model).where(model.id.in_(missing)))
    return objects
