"""Gatherings (tilaisuus): the meetings a workshop runs over, and the facilitator's log of each.

A workshop may meet on two afternoons at the day centre and once on a street round. The
facilitator adds a gathering when one starts; it becomes the current one, and every
contribution made meanwhile remembers it, so the wall can show one gathering at a time and
the report can say what came from where. The log says what was done and how many took
part: a count, never a name.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from . import changes
from .actors import Actor
from .database import begin_write
from .extensions import db
from .inputs import bool_field, is_id, require_mapping, text_field
from .models import Gathering, Workshop, next_position
from .problems import Problem

TITLE_MAX_LENGTH = 120
PLACE_MAX_LENGTH = 200
LOG_MAX_LENGTH = 2000
#: More people than this at one gathering is a typing mistake.
MAX_COUNT = 10_000


def gatherings_of(workshop: Workshop) -> list[Gathering]:
    """The workshop's gatherings in the order they were added."""
    return list(db.session.scalars(select(Gathering).where(Gathering.workshop_id == workshop.id)
                                   .order_by(Gathering.position, Gathering.id)))


def create(workshop: Workshop, actor: Actor, data: Mapping) -> Gathering:
    """Add a gathering (`title`, optional `place`, `held_on` as YYYY-MM-DD); it becomes current.

    :raise Problem: 403 not staff; 422 invalid input.
    """
    actor.require_staff()
    data = require_mapping(data)
    title = text_field(data, "title", TITLE_MAX_LENGTH, required=True,
                       empty_message=_l("Give the gathering a name, e.g. the day and the place."))
    place = text_field(data, "place", PLACE_MAX_LENGTH, required=False)
    held_on = _date_field(data, "held_on")
    begin_write(workshop)
    gathering = Gathering(workshop_id=workshop.id, title=title, place=place, held_on=held_on,
                          position=next_position(Gathering, workshop.id))
    db.session.add(gathering)
    db.session.flush()
    changes.record(workshop, "gathering", gathering.id)
    _make_current(workshop, gathering.id)
    changes.commit_and_publish()
    return gathering


def update(workshop: Workshop, actor: Actor, gathering_id: int, data: Mapping) -> Gathering:
    """Change a gathering: any of `title`, `place`, `held_on`, `log`, `participant_count`
    (a whole number, or null), and `current` (true makes it the current one; false on the
    current one ends it, so nothing is counted to any gathering).

    :raise Problem: 403 not staff; 404 no such gathering; 422 invalid input.
    """
    actor.require_staff()
    data = require_mapping(data)
    begin_write(workshop)
    gathering = db.session.get(Gathering, gathering_id) if is_id(gathering_id) else None
    if gathering is None or gathering.workshop_id != workshop.id:
        raise Problem(_l("This gathering was not found. Please reload the page."), status=404)
    if "title" in data:
        gathering.title = text_field(data, "title", TITLE_MAX_LENGTH, required=True,
                                     empty_message=_l("Give the gathering a name, e.g. the day and the place."))
    if "place" in data:
        gathering.place = text_field(data, "place", PLACE_MAX_LENGTH, required=False)
    if "held_on" in data:
        gathering.held_on = _date_field(data, "held_on")
    if "log" in data:
        gathering.log = text_field(data, "log", LOG_MAX_LENGTH, required=False)
    if "participant_count" in data:
        gathering.participant_count = _count_field(data, "participant_count")
    changes.record(workshop, "gathering", gathering.id)
    if "current" in data:
        current = bool_field(data, "current")
        if current:
            _make_current(workshop, gathering.id)
        elif workshop.current_gathering_id == gathering.id:
            _make_current(workshop, None)
    changes.commit_and_publish()
    return gathering


def gathering_state(gathering: Gathering, audience: str, current_id: int | None) -> dict:
    """A gathering as `audience` sees it: the log and the count are for staff."""
    state = {"type": "gathering", "id": gathering.id, "title": gathering.title, "place": gathering.place,
             "held_on": gathering.held_on.isoformat() if gathering.held_on else None,
             "position": gathering.position, "current": gathering.id == current_id}
    if audience == changes.STAFF:
        state.update(log=gathering.log, participant_count=gathering.participant_count)
    return state


def _states(objects: list, audience: str, code: str) -> list[dict]:
    current = {workshop_id: current_id for workshop_id, current_id in db.session.execute(
        select(Workshop.id, Workshop.current_gathering_id).where(
            Workshop.id.in_({gathering.workshop_id for gathering in objects})))}
    return [gathering_state(gathering, audience, current.get(gathering.workshop_id)) for gathering in objects]


changes.register_entity("gathering", Gathering, _states)


def _make_current(workshop: Workshop, gathering_id: int | None) -> None:
    previous = workshop.current_gathering_id
    if previous == gathering_id:
        return
    workshop.current_gathering_id = gathering_id
    changes.record(workshop, "workshop", workshop.id)
    if previous is not None:  # its "current" flag changed too
        changes.record(workshop, "gathering", previous)


def _date_field(data: Mapping, name: str) -> date | None:
    value = data.get(name)
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else _bad_date(name)
    except ValueError:
        _bad_date(name)


def _bad_date(name: str):
    raise Problem(_l("Give the date as a day, month and year."), field=name, status=422)


def _count_field(data: Mapping, name: str) -> int | None:
    value = data.get(name)
    if value in (None, ""):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
        raise Problem(_l("Give the number of people as a whole number."), field=name, status=422)
    return value
