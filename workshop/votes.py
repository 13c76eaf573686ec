"""Dot voting: each participant has a few dots to put on the options of a question.

The limit is enforced here, on the server, per participant: a phone cannot exceed it by
sending more, and the shared tablet gives each person a fresh identity ("next person"),
so the limit applies per person there too. A dot can be moved to another option or taken
back while the vote is open. Staff can cast dots on behalf of people in the room; those
have no limit and are counted like any other dot.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from . import changes
from .actors import Actor
from .contributions import Submitted, repeat_of, require_open, store_once
from .database import begin_write
from .extensions import db
from .inputs import int_field, is_id, require_mapping, text_field, uuid_field
from .models import Dot, Option, Question, Workshop, next_position, utcnow
from .problems import Problem

MAX_DOTS_PER_PERSON = 10
MAX_OPTIONS = 20
TITLE_MAX_LENGTH = 200
OPTION_MAX_LENGTH = 200


def create_question(workshop: Workshop, actor: Actor, data: Mapping) -> Question:
    """Start a dot vote with `title`, `options` (a list, or text with one option a line)
    and `dots_per_person` (1–10, default 3).

    :raise Problem: (403) not staff; (422) no title, fewer than two options, too many.
    """
    actor.require_staff()
    data = require_mapping(data)
    title = text_field(data, "title", TITLE_MAX_LENGTH, required=True,
                       empty_message=_l("Write the question first."))
    raw_options = data.get("options") or []
    if isinstance(raw_options, str):
        raw_options = raw_options.splitlines()
    if not isinstance(raw_options, list):
        raise Problem(_l("Write each option on its own line."), field="options", status=422)
    labels = []
    for option in raw_options:
        # Named "options": that is the field the person typed them in.
        label = text_field({"options": option}, "options", OPTION_MAX_LENGTH, required=False)
        if label:
            labels.append(label)
    if len(labels) < 2:
        raise Problem(_l("Give at least two options, each on its own line."), field="options", status=422)
    if len(labels) > MAX_OPTIONS:
        raise Problem(_l("At most %(limit)s options.", limit=MAX_OPTIONS), field="options", status=422)
    dots = int_field(data, "dots_per_person", required=False)
    if dots is None:
        dots = 3
    if not 1 <= dots <= MAX_DOTS_PER_PERSON:
        raise Problem(_l("Each person can have 1 to %(limit)s dots.", limit=MAX_DOTS_PER_PERSON),
                      field="dots_per_person", status=422)
    begin_write(workshop)
    position = next_position(Question, workshop.id)
    question = Question(workshop_id=workshop.id, title=title, dots_per_person=dots, position=position,
                        options=[Option(label=label, position=index) for index, label in enumerate(labels)])
    db.session.add(question)
    db.session.flush()
    changes.record(workshop, "question", question.id)
    changes.commit_and_publish()
    return question


def set_open(workshop: Workshop, actor: Actor, question_id: int, is_open: bool) -> Question:
    """Open or close a vote; a closed vote keeps its dots and takes no more.

    :raise Problem: (403) not staff; (404) no such question.
    """
    actor.require_staff()
    begin_write(workshop)
    question = _question(workshop, question_id)
    if question.is_open != is_open:
        question.is_open = is_open
        changes.record(workshop, "question", question.id)
        changes.commit_and_publish()
    return question


def cast(workshop: Workshop, actor: Actor, data: Mapping) -> Submitted:
    """Put a dot (`uuid`, `option_id`) on an option; a repeat of the same UUID is harmless.

    :raise Problem: 410 the workshop has ended; 404 no such option; 423 the vote is closed;
        422 all of this participant's dots are used (they can move one); 409 the UUID was
        used for another dot.
    """
    data = require_mapping(data)
    dot_uuid = uuid_field(data)
    option_id = int_field(data, "option_id")
    body_hash = hashlib.sha256(json.dumps({"option_id": option_id}).encode()).hexdigest()
    begin_write(workshop)
    repeat = _repeat(workshop, actor, dot_uuid, body_hash)
    if repeat is not None:
        return Submitted(repeat, created=False)
    require_open(workshop, actor)
    option = _open_option(workshop, option_id)
    question = option.question
    if actor.participant is not None:
        used = db.session.scalar(select(func.count()).select_from(Dot).where(
            Dot.question_id == question.id, Dot.participant_id == actor.participant.id, Dot.taken_back_at.is_(None)))
        if used >= question.dots_per_person:
            raise Problem(_l("You have used all your %(count)s dots. You can move a dot to another option.",
                             count=question.dots_per_person), field="option_id", status=422)
    dot = Dot(workshop_id=workshop.id, uuid=dot_uuid, body_hash=body_hash, question_id=question.id,
              option_id=option.id, **actor.author_ids())
    return store_once(workshop, actor, dot, lambda: changes.record(workshop, "question", question.id))


def move(workshop: Workshop, actor: Actor, dot_uuid: str, data: Mapping) -> Dot:
    """Move one's own dot to another option of the same question (moving it again is fine).

    :raise Problem: 404 no such dot of this actor or option; 422 the option belongs to
        another question; 423 the vote is closed.
    """
    data = require_mapping(data)
    option_id = int_field(data, "option_id")
    begin_write(workshop)
    dot = _own_dot(workshop, actor, dot_uuid)
    require_open(workshop, actor)
    option = _open_option(workshop, option_id)
    if option.question_id != dot.question_id:
        raise Problem(_l("A dot can only move within its own question."), field="option_id", status=422)
    if dot.option_id != option.id:
        dot.option_id = option.id
        changes.record(workshop, "question", dot.question_id)
        changes.commit_and_publish()
    return dot


def take_back(workshop: Workshop, actor: Actor, dot_uuid: str) -> None:
    """Remove one's own dot (staff: also dots cast on someone's behalf). Twice is fine.

    :raise Problem: 423 the vote is closed; 410 the workshop has ended.
    """
    dot_uuid = uuid_field({"uuid": dot_uuid})
    begin_write(workshop)
    dot = db.session.scalar(select(Dot).where(Dot.workshop_id == workshop.id, Dot.uuid == dot_uuid))
    if dot is None or dot.taken_back_at is not None:
        return
    if not (actor.owns(dot.participant_id, dot.account_id) or (actor.is_staff and dot.participant_id is None)):
        raise Problem(_l("This dot was not found among your own."), status=404)
    require_open(workshop, actor)
    question = db.session.get(Question, dot.question_id)
    if not question.is_open:
        raise Problem(_l("This vote has been closed."), status=423)
    dot.taken_back_at = utcnow()
    changes.record(workshop, "question", question.id)
    changes.commit_and_publish()


def own_dots(workshop: Workshop, actor: Actor) -> list[Dot]:
    """The participant's own dots in this workshop (not those taken back)."""
    if actor.participant is None:
        return []
    return list(db.session.scalars(select(Dot).where(
        Dot.workshop_id == workshop.id, Dot.participant_id == actor.participant.id, Dot.taken_back_at.is_(None))
        .order_by(Dot.id)))


def questions_of(workshop: Workshop) -> list[Question]:
    """The workshop's dot votes in the order they were made."""
    return list(db.session.scalars(select(Question).where(Question.workshop_id == workshop.id)
                                   .order_by(Question.position, Question.id)))


def dot_state(dot: Dot) -> dict:
    """A dot as its owner sees it; `taken_back` when a replay found one taken back since."""
    return {"uuid": dot.uuid, "question_id": dot.question_id, "option_id": dot.option_id,
            "taken_back": dot.taken_back_at is not None}


def _question(workshop: Workshop, question_id: int) -> Question:
    question = db.session.get(Question, question_id) if is_id(question_id) else None
    if question is None or question.workshop_id != workshop.id:
        raise Problem(_l("This vote was not found. Please reload the page."), status=404)
    return question


def _open_option(workshop: Workshop, option_id: int) -> Option:
    option = db.session.get(Option, option_id)
    if option is None or option.question.workshop_id != workshop.id:
        raise Problem(_l("This option was not found. Please reload the page."), field="option_id", status=404)
    if not option.question.is_open:
        raise Problem(_l("This vote has been closed."), field="option_id", status=423)
    return option


def _own_dot(workshop: Workshop, actor: Actor, dot_uuid: str) -> Dot:
    dot_uuid = uuid_field({"uuid": dot_uuid})
    dot = db.session.scalar(select(Dot).where(Dot.workshop_id == workshop.id, Dot.uuid == dot_uuid))
    if dot is None or dot.taken_back_at is not None or not actor.owns(dot.participant_id, dot.account_id):
        raise Problem(_l("This dot was not found among your own."), status=404)
    return dot


def _repeat(workshop: Workshop, actor: Actor, dot_uuid: str, body_hash: str) -> Dot | None:
    return repeat_of(Dot, workshop, actor, dot_uuid, body_hash)
