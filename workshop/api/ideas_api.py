"""The API of phase 2's development ideas (staff only; participants get 403).

Thin, like `views.py`: find the actor, call a rule in `ideas.py`, answer.
"""
from __future__ import annotations

from .. import changes, ideas
from . import bp
from .common import body, context, ok


@bp.post("/ideas")
def add_idea(code: str):
    """Staff: write an idea (`statement`), linked to `theme_ids` and `item_ids`."""
    workshop, actor = context(code)
    return ok(201, idea=ideas.idea_state(ideas.create(workshop, actor, body()), changes.STAFF))


@bp.patch("/ideas/<int:idea_id>")
def update_idea(code: str, idea_id: int):
    """Staff: change an idea's statement or links."""
    workshop, actor = context(code)
    return ok(idea=ideas.idea_state(ideas.update(workshop, actor, idea_id, body()), changes.STAFF))


@bp.delete("/ideas/<int:idea_id>")
def remove_idea(code: str, idea_id: int):
    """Staff: remove an idea (twice is fine); its state becomes `gone`."""
    workshop, actor = context(code)
    return ok(idea=ideas.idea_state(ideas.remove(workshop, actor, idea_id), changes.STAFF))


@bp.post("/ideas/vote")
def start_idea_vote(code: str):
    """Staff: start a dot vote to rank the ideas (`dots_per_person`, optional `title`)."""
    workshop, actor = context(code)
    question = ideas.start_vote(workshop, actor, body())
    return ok(201, question=changes.question_state(question, changes.dot_counts([question.id])))
