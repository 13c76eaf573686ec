"""The API of phase feedback ("how did this work for you?") and the facilitator's dashboard.

Thin views: the rules are in `feedback.py`, the summaries in `dashboard.py`.
"""
from __future__ import annotations

from .. import dashboard, feedback
from . import bp
from .common import body, context, ok


@bp.post("/feedback")
def give_feedback(code: str):
    """A participant's smiley for a phase (staff: on someone's behalf): `uuid`, `phase`,
    `rating` 1–5, optional `way` and `comment`. 201 created, 200 a repeat."""
    workshop, actor = context(code)
    result = feedback.submit(workshop, actor, body())
    return ok(201 if result.created else 200, feedback=feedback.feedback_state(result.item))


@bp.get("/feedback")
def feedback_summary(code: str):
    """Staff: the feedback per phase and gathering (see `feedback.summary`)."""
    workshop, actor = context(code)
    actor.require_staff()
    return ok(phases=feedback.summary(workshop))


@bp.get("/dashboard")
def dashboard_overview(code: str):
    """Staff: the workshop at a glance (see `dashboard.overview`)."""
    workshop, actor = context(code)
    actor.require_staff()
    return ok(dashboard=dashboard.overview(workshop, dashboard.connected_count(workshop)))
