"""Evaluating each phase with the participants: "how did this work for you?" (issue 4).

At the end of a phase the phones offer a one-tap smiley (1–5), optionally the way of
taking part the answer is about (`phases.PARTICIPATION_WAYS`) and a short comment. The
facilitator sees the results per phase and per gathering, and the report's "how this
report was made" section keeps them (DOMAIN.md: "evaluate each phase with the
participants").

Like survey answers, a participant who answers again for the same phase changes their
answer: every send is stored (so a replay of an earlier one stays harmless), and the
latest per participant per phase counts. Feedback staff record on someone's behalf has no
participant, so each such row counts as one person's answer.

Feedback is not shown on the walls, so nothing is pushed: the facilitator's dashboard
reads it when it asks.
"""
from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from . import phases
from .actors import Actor
from .contributions import Submitted, repeat_of, require_open, store_once
from .database import begin_write
from .extensions import db
from .gatherings import gatherings_of
from .inputs import choice_field, require_mapping, text_field, uuid_field
from .models import Phase, PhaseFeedback, Workshop
from .problems import Problem

#: The smiley scale: 1 (did not work at all) to 5 (worked very well).
RATINGS = (1, 2, 3, 4, 5)
#: The longest comment, in characters: a sentence or two about the way of taking part.
COMMENT_MAX_LENGTH = 300
PHASE_VALUES = tuple(phase.value for phase in phases.ORDER)


def submit(workshop: Workshop, actor: Actor, data: Mapping) -> Submitted:
    """Store "how did this phase work for you?": `uuid`, `phase`, `rating` (1–5), and the
    optional `way` (one of `phases.PARTICIPATION_WAYS`, or "") and `comment`.

    The same UUID with the same content returns the stored row (`created=False`); the
    gathering going on now is recorded with it.

    :raise Problem: 409 the UUID was used for other content or by someone else;
        410 the workshop has ended (participants); 422 invalid input or a phase the
        workshop has not reached yet.
    """
    data = require_mapping(data)
    # Every field is read before the write lock is taken, so bad input writes nothing.
    feedback_uuid = uuid_field(data)
    phase = _phase_field(data)
    rating = _rating_field(data)
    way = choice_field(data, "way", phases.PARTICIPATION_WAYS, default="")
    comment = text_field(data, "comment", COMMENT_MAX_LENGTH, required=False)
    body_hash = _body_hash(phase, rating, way, comment)

    begin_write(workshop)
    # A repeat is answered before the other rules: it was stored when they allowed it, and
    # a workshop moved back a phase or ended since must not turn a replay into an error.
    repeat = repeat_of(PhaseFeedback, workshop, actor, feedback_uuid, body_hash)
    if repeat is not None:
        return Submitted(repeat, created=False)
    require_open(workshop, actor)
    phases.require(workshop, actor, phases.FEEDBACK)
    if phases.ORDER.index(phase) > phases.ORDER.index(workshop.phase):
        raise Problem(_l("This phase has not been reached yet."), field="phase", status=422)
    row = PhaseFeedback(
        workshop_id=workshop.id, uuid=feedback_uuid, body_hash=body_hash, phase=phase,
        gathering_id=workshop.current_gathering_id, rating=rating, way=way, comment=comment, **actor.author_ids())
    return store_once(workshop, actor, row)  # nothing to push: the dashboard reads feedback


def feedback_state(row: PhaseFeedback) -> dict:
    """Feedback as its giver sees it (and as POST /feedback answers): no ids, no time."""
    return {"uuid": row.uuid, "phase": row.phase.value, "rating": row.rating, "way": row.way,
            "comment": row.comment}


def own_feedback(workshop: Workshop, actor: Actor) -> dict[str, dict]:
    """The participant's latest feedback for each phase, keyed by the phase's API name.

    Staff have none of their own (what they record is on someone's behalf): `{}`.
    """
    if actor.participant is None:
        return {}
    rows = db.session.scalars(select(PhaseFeedback).where(
        PhaseFeedback.workshop_id == workshop.id, PhaseFeedback.participant_id == actor.participant.id)
        .order_by(PhaseFeedback.id))
    # Oldest first, so a later answer for the same phase replaces an earlier one.
    return {row.phase.value: feedback_state(row) for row in rows}


def counted(workshop: Workshop) -> list[PhaseFeedback]:
    """The rows that count, oldest first: each participant's latest per phase, and every
    row recorded by staff on someone's behalf (those have no participant)."""
    latest = (select(func.max(PhaseFeedback.id))
              .where(PhaseFeedback.workshop_id == workshop.id, PhaseFeedback.participant_id.is_not(None))
              .group_by(PhaseFeedback.participant_id, PhaseFeedback.phase))
    return list(db.session.scalars(select(PhaseFeedback).where(
        PhaseFeedback.workshop_id == workshop.id,
        or_(PhaseFeedback.participant_id.is_(None), PhaseFeedback.id.in_(latest)))
        .order_by(PhaseFeedback.id)))


def summary(workshop: Workshop) -> list[dict]:
    """The results per phase, for the facilitator and the report's "how this report was made".

    One entry per phase reached, in the model's order up to the current phase (and any
    later phase that has answers: the group moved back after answering, and what they said
    is kept). Each holds `phase`, `name`, `answers`, `average` (one decimal, None without
    answers), `ratings` ("1"…"5" → count), `by_gathering` (gatherings with answers in their
    order, then `gathering_id: null` for answers given outside any gathering), `ways` (way →
    count, only ways that were named) and `comments` (non-empty ones, newest first).

    Counts and words only: nothing here says who answered or when.
    """
    rows = counted(workshop)
    by_phase: dict[Phase, list[PhaseFeedback]] = {phase: [] for phase in phases.ORDER}
    for row in rows:
        by_phase[row.phase].append(row)
    last = max([phases.ORDER.index(workshop.phase)]
               + [phases.ORDER.index(phase) for phase, answers in by_phase.items() if answers])
    names = phases.phase_names()
    gatherings = gatherings_of(workshop)
    return [_phase_summary(phase, names[phase], by_phase[phase], gatherings) for phase in phases.ORDER[:last + 1]]


def average(ratings: list[int]) -> float | None:
    """The mean rating to one decimal, halves rounded up (3.25 is 3.3, as a reader of the
    report would round it; Python's `round` gives 3.2), or None when nobody answered."""
    if not ratings:
        return None
    mean = Decimal(sum(ratings)) / Decimal(len(ratings))
    return float(mean.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _phase_summary(phase: Phase, name: str, rows: list[PhaseFeedback], gatherings: list) -> dict:
    ratings = Counter(row.rating for row in rows)
    by_gathering = []
    for gathering_id, title in [(g.id, g.title) for g in gatherings] + [(None, str(_l("Without a gathering")))]:
        given = [row.rating for row in rows if row.gathering_id == gathering_id]
        if given:
            by_gathering.append({"gathering_id": gathering_id, "title": title, "answers": len(given),
                                 "average": average(given)})
    ways = Counter(row.way for row in rows if row.way)
    return {
        "phase": phase.value,
        "name": name,
        "answers": len(rows),
        "average": average([row.rating for row in rows]),
        "ratings": {str(rating): ratings[rating] for rating in RATINGS},
        "by_gathering": by_gathering,
        # In the model's order, so the report lists the ways the same way every time.
        "ways": {way: ways[way] for way in phases.PARTICIPATION_WAYS if ways[way]},
        "comments": [{"rating": row.rating, "way": row.way, "comment": row.comment, "gathering_id": row.gathering_id}
                     for row in reversed(rows) if row.comment],
    }


def _phase_field(data: Mapping) -> Phase:
    value = data.get("phase")
    # Checked as text first: an enum lookup with a list or a number is no answer to give.
    if not isinstance(value, str) or value not in PHASE_VALUES:
        raise Problem(_l("This is not a valid choice."), field="phase", status=422)
    return Phase(value)


def _rating_field(data: Mapping) -> int:
    value = data.get("rating")
    if value is None or value == "":
        raise Problem(_l("This is missing."), field="rating", status=422)
    if isinstance(value, str) and value.strip() in {str(rating) for rating in RATINGS}:
        value = int(value.strip())  # a form sends "4"
    # bool is an int in Python: true must not pass as a 1.
    if isinstance(value, bool) or not isinstance(value, int) or value not in RATINGS:
        raise Problem(_l("Choose one of the five faces."), field="rating", status=422)
    return value


def _body_hash(phase: Phase, rating: int, way: str, comment: str) -> str:
    body = {"phase": phase.value, "rating": rating, "way": way, "comment": comment}
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
