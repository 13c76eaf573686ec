"""The API of phase 1's topic choice: proposals, the vote on them and the confirmed topic.

Thin, like `views.py`: find the actor, call a rule in `topics.py`, answer.
"""
from __future__ import annotations

from .. import changes, topics
from . import bp
from .common import body, context, ok


@bp.post("/topics")
def propose_topic(code: str):
    """Propose a topic (`uuid`, `text`); 201 created, 200 a repeat of the same send."""
    workshop, actor = context(code)
    result = topics.propose(workshop, actor, body())
    return ok(201 if result.created else 200, topic=topics.own_topic_state(result.item))


@bp.delete("/topics/<topic_uuid>")
def withdraw_topic(code: str, topic_uuid: str):
    """Take back one's own proposal (twice is fine)."""
    workshop, actor = context(code)
    return ok(topic=topics.own_topic_state(topics.withdraw(workshop, actor, topic_uuid)))


@bp.patch("/topics/<int:topic_id>")
def moderate_topic(code: str, topic_id: int):
    """Staff: hide a proposal or show it again (`hidden`)."""
    workshop, actor = context(code)
    topic = topics.moderate(workshop, actor, topic_id, body())
    return ok(topic=topics.topic_state(topic, changes.STAFF))


@bp.post("/topics/vote")
def start_topic_vote(code: str):
    """Staff: start a dot vote on the proposals (`dots_per_person`, optional `title`)."""
    workshop, actor = context(code)
    question = topics.start_vote(workshop, actor, body())
    return ok(201, question=changes.question_state(question, changes.dot_counts([question.id])))


@bp.put("/topic")
def confirm_topic(code: str):
    """Staff: set the workshop's topic from a topic vote's option (`option_id`) or as typed
    (`text`; empty clears it)."""
    workshop, actor = context(code)
    return ok(workshop=changes.workshop_state(topics.confirm(workshop, actor, body())))
