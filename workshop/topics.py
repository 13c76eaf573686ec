"""Phase 1: topics for the report are proposed, dot-voted on, and one is confirmed.

Participants (only in phase 1, "initial mapping and topic choice") and staff (always)
propose topics. A proposal works like a sticky note: the phone makes a UUID for it, so a
replay of the offline outbox is harmless (same UUID and text: 200 with the stored one;
same UUID with other text: 409), and taking it back leaves a tombstone so that a late
replay cannot bring it back. The facilitator can hide a proposal and show it again.

The facilitator then starts a dot vote whose options are the proposals on the wall, with
the same text written twice merged into one option, and finally confirms the chosen topic
(from an option of such a vote, or typed in): it becomes `Workshop.topic`, shown on every
wall and phone. Dots are cast with `votes.cast` like in any other vote.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from . import changes, phases, votes
from .actors import Actor
from .contributions import Submitted, repeat_of, require_open, store_once
from .database import begin_write
from .extensions import db
from .inputs import bool_field, int_field, is_id, require_mapping, text_field, uuid_field
from .models import Option, Question, TopicProposal, Workshop, next_position, utcnow
from .problems import Problem

#: The longest topic proposal, in characters: a topic is a few words, like a headline.
PROPOSAL_MAX_LENGTH = 120
#: The longest confirmed topic (the column's size): an option label fits, so does a typed one.
CHOSEN_TOPIC_MAX_LENGTH = 200
#: The `Question.purpose` of a vote on the topic proposals.
PURPOSE = "topics"


def propose(workshop: Workshop, actor: Actor, data: Mapping) -> Submitted:
    """Propose a topic (`uuid`, `text`), or return the stored one if this UUID was sent before
    (`.item` is the proposal, `.created` whether this call made it).

    :raise Problem: 410 the workshop has ended; 409 the UUID was used for something else,
        or a participant proposes outside phase 1; 422 invalid input.
    """
    data = require_mapping(data)
    topic_uuid = uuid_field(data)
    # One line, blanks tidied: it is shown as a headline and compared with the others.
    text = " ".join(text_field(
        data, "text", PROPOSAL_MAX_LENGTH, required=True, empty_message=_l("Write the topic first."),
        too_long_message=_l("A topic can have at most %(limit)s characters.", limit=PROPOSAL_MAX_LENGTH)).split())
    body_hash = hashlib.sha256(json.dumps({"text": text}).encode()).hexdigest()

    # A repeat is answered before the other rules, as for notes: the proposal was stored
    # when they allowed it, and a phase moved on since must not turn a replay into an error.
    begin_write(workshop)
    repeat = repeat_of(TopicProposal, workshop, actor, topic_uuid, body_hash)
    if repeat is not None:
        return Submitted(repeat, created=False)
    require_open(workshop, actor)
    phases.require(workshop, actor, phases.TOPICS)
    topic = TopicProposal(
        workshop_id=workshop.id, uuid=topic_uuid, body_hash=body_hash, text=text, **actor.author_ids(),
        gathering_id=workshop.current_gathering_id)
    return store_once(workshop, actor, topic, lambda: changes.record(workshop, "topic", topic.id))


def withdraw(workshop: Workshop, actor: Actor, topic_uuid: str) -> TopicProposal:
    """Take back one's own proposal: its text is erased and it leaves every wall.

    Taking back twice is fine, and so is taking back in any phase: what a person said is
    theirs to take back. A vote already started keeps its option (people may have voted).

    :raise Problem: 422 not a UUID; 404 no such proposal of this actor; 410 the workshop
        has ended.
    """
    topic_uuid = uuid_field({"uuid": topic_uuid})
    begin_write(workshop)
    topic = db.session.scalar(select(TopicProposal).where(
        TopicProposal.workshop_id == workshop.id, TopicProposal.uuid == topic_uuid))
    if topic is None or not actor.owns(topic.participant_id, topic.account_id):
        raise Problem(_l("This topic was not found among your own."), status=404)
    if topic.withdrawn_at is not None:
        return topic
    require_open(workshop, actor)
    topic.withdrawn_at = utcnow()
    topic.text = ""
    changes.record(workshop, "topic", topic.id)
    changes.commit_and_publish()
    return topic


def moderate(workshop: Workshop, actor: Actor, topic_id: int, data: Mapping) -> TopicProposal:
    """Hide a proposal from the walls and phones, or show it again (`hidden`: true/false).

    :raise Problem: 403 not staff; 404 no such proposal (or taken back); 422 `hidden`
        missing or not a yes/no.
    """
    actor.require_staff()
    data = require_mapping(data)
    # No default: a PATCH without "hidden" must not show a hidden proposal again.
    hidden = bool_field(data, "hidden", default=None)
    begin_write(workshop)
    topic = db.session.get(TopicProposal, topic_id) if is_id(topic_id) else None
    if topic is None or topic.workshop_id != workshop.id or topic.withdrawn_at is not None:
        raise Problem(_l("This topic was not found. Please reload the page."), status=404)
    if hidden != (topic.hidden_at is not None):
        topic.hidden_at = utcnow() if hidden else None
        changes.record(workshop, "topic", topic.id)
        changes.commit_and_publish()
    return topic


def start_vote(workshop: Workshop, actor: Actor, data: Mapping) -> Question:
    """Start a dot vote on the proposals on the wall (`dots_per_person` 1–10, default 3;
    `title`, default "Which topic shall we report on?" in the workshop's language).

    Hidden and taken-back proposals are left out; the same text proposed twice (ignoring
    case and blanks) is one option, labelled and linked as its first proposal.

    :raise Problem: 403 not staff; 422 fewer than two different proposals, more than a
        vote holds, or invalid settings.
    """
    actor.require_staff()
    with force_locale(workshop.language):
        default_title = str(_l("Which topic shall we report on?"))
    title, dots = vote_settings(data, default_title)
    begin_write(workshop)
    distinct: dict[str, TopicProposal] = {}
    for topic in proposals_of(workshop, visible_only=True):
        distinct.setdefault(_merge_key(topic.text), topic)
    if len(distinct) < 2:
        raise Problem(_l("A vote needs at least two different topics. Propose more topics first."), status=422)
    if len(distinct) > votes.MAX_OPTIONS:
        raise Problem(_l("A vote can have at most %(limit)s options. Hide some proposals first.",
                         limit=votes.MAX_OPTIONS), status=422)
    options = [Option(label=topic.text, topic_id=topic.id) for topic in distinct.values()]
    return start_question(workshop, PURPOSE, title, dots, options)


def confirm(workshop: Workshop, actor: Actor, data: Mapping) -> Workshop:
    """Set the workshop's topic from an option of a topic vote (`option_id`) or as typed
    (`text`, up to 200 characters; empty clears the topic).

    :raise Problem: 403 not staff; 404 no such option in this workshop; 422 both or
        neither given, an option of another kind of vote, or a text too long.
    """
    actor.require_staff()
    data = require_mapping(data)
    has_option = data.get("option_id") is not None
    if has_option and "text" in data:
        raise Problem(_l("Give either the topic or the option it was chosen from, not both."),
                      field="option_id", status=422)
    if not has_option and "text" not in data:
        raise Problem(_l("This is missing."), field="text", status=422)
    text = " ".join(text_field(data, "text", CHOSEN_TOPIC_MAX_LENGTH, required=False).split()) if not has_option else ""
    option_id = int_field(data, "option_id") if has_option else None
    begin_write(workshop)
    if option_id is not None:
        option = db.session.get(Option, option_id)
        if option is None or option.question.workshop_id != workshop.id:
            raise Problem(_l("This option was not found. Please reload the page."), field="option_id", status=404)
        if option.question.purpose != PURPOSE:
            raise Problem(_l("This option is not from a vote on the topic."), field="option_id", status=422)
        text = option.label[:CHOSEN_TOPIC_MAX_LENGTH]
    if workshop.topic != text:
        workshop.topic = text
        changes.record(workshop, "workshop", workshop.id)
        changes.commit_and_publish()
    return workshop


def proposals_of(workshop: Workshop, *, visible_only: bool = False) -> list[TopicProposal]:
    """The workshop's proposals not taken back, oldest first; hidden ones too unless
    `visible_only` (the facilitator sees them, to show them again)."""
    query = select(TopicProposal).where(TopicProposal.workshop_id == workshop.id,
                                        TopicProposal.withdrawn_at.is_(None))
    if visible_only:
        query = query.where(TopicProposal.hidden_at.is_(None))
    return list(db.session.scalars(query.order_by(TopicProposal.id)))


def own_topics(workshop: Workshop, actor: Actor) -> list[TopicProposal]:
    """The actor's own proposals in this workshop that they have not taken back, oldest first."""
    if actor.participant is not None:
        author = TopicProposal.participant_id == actor.participant.id
    elif actor.account is not None:
        author = TopicProposal.account_id == actor.account.id
    else:
        return []
    return list(db.session.scalars(select(TopicProposal).where(
        TopicProposal.workshop_id == workshop.id, author, TopicProposal.withdrawn_at.is_(None))
        .order_by(TopicProposal.id)))


def topic_state(topic: TopicProposal, audience: str) -> dict:
    """A proposal as `audience` may see it: hidden ones are `gone` for the public and
    flagged `hidden` for staff; taken-back ones are `gone` for everyone."""
    if topic.withdrawn_at is not None or (audience == changes.PUBLIC and topic.hidden_at is not None):
        return {"type": "topic", "id": topic.id, "gone": True}
    state = {"type": "topic", "id": topic.id, "text": topic.text,
             "created_at": topic.created_at.isoformat() if topic.created_at else None}
    if audience == changes.STAFF:
        state["hidden"] = topic.hidden_at is not None
    return state


def own_topic_state(topic: TopicProposal) -> dict:
    """A proposal as its author sees it: with the UUID their phone made, and whether taken back."""
    state = topic_state(topic, changes.STAFF)
    state.update(uuid=topic.uuid, mine=True, withdrawn=topic.withdrawn_at is not None)
    return state


changes.register_entity("topic", TopicProposal,
                        lambda objects, audience, code: [topic_state(o, audience) for o in objects])


# -- votes on topics and ideas -------------------------------------------------------------
# Shared with `ideas.py`. They follow `votes.create_question`'s rules and limits; they live
# here because that function takes typed-in options, not options linked to proposals.


def vote_settings(data: Mapping, default_title: str) -> tuple[str, int]:
    """The `title` (or `default_title` when none is given) and `dots_per_person` (1–10,
    default 3) of a vote, checked as `votes.create_question` checks them.

    :raise Problem: 400 not an object; 422 a title too long or a number of dots out of range.
    """
    data = require_mapping(data)
    title = " ".join(text_field(data, "title", votes.TITLE_MAX_LENGTH, required=False).split()) or default_title
    dots = int_field(data, "dots_per_person", required=False)
    if dots is None:
        dots = 3
    if not 1 <= dots <= votes.MAX_DOTS_PER_PERSON:
        raise Problem(_l("Each person can have 1 to %(limit)s dots.", limit=votes.MAX_DOTS_PER_PERSON),
                      field="dots_per_person", status=422)
    return title, dots


def start_question(workshop: Workshop, purpose: str, title: str, dots: int, options: list[Option]) -> Question:
    """Store an open vote of `purpose` with these options (in this order), record it and
    commit. The caller has checked who is asking, the settings and the number of options."""
    for position, option in enumerate(options):
        option.position = position
        # A label is at most an option's length; a longer idea statement is cut, visibly.
        if len(option.label) > votes.OPTION_MAX_LENGTH:
            option.label = option.label[:votes.OPTION_MAX_LENGTH - 1] + "…"
    question = Question(workshop_id=workshop.id, title=title, dots_per_person=dots, purpose=purpose,
                        position=next_position(Question, workshop.id), options=options)
    db.session.add(question)
    db.session.flush()
    changes.record(workshop, "question", question.id)
    changes.commit_and_publish()
    return question


def _merge_key(text: str) -> str:
    # "Asuminen", "asuminen " and "ASUMINEN" are the same topic written three times.
    return " ".join(text.split()).casefold()
