"""The API of the report's comment rounds: phones comment and +1, staff reply.

Thin, like `views.py`: find the actor, call a rule in `report_rounds.py`, answer. A comment
comes through the phone's offline outbox with its UUID: a resend answers 200 with the
stored comment instead of adding it twice.
"""
from __future__ import annotations

from .. import report_rounds
from ..inputs import bool_field
from ..report import require_report
from . import bp
from .common import body, context, ok


@bp.get("/report/comments")
def report_comments(code: str):
    """The comments of the open round and of the latest ended one, and the round's state."""
    workshop, actor = context(code)
    report = require_report(workshop)
    return ok(round=report_rounds.round_state(report), comments=report_rounds.comment_states(report, actor))


@bp.post("/report/comments")
def add_comment(code: str):
    """Comment on a section of the open round (`uuid`, `section_id`, `text`): 201, or 200 for a resend."""
    workshop, actor = context(code)
    submitted = report_rounds.add_comment(workshop, actor, body())
    return ok(201 if submitted.created else 200, comment=report_rounds.comment_state(submitted.item, actor))


@bp.put("/report/comments/<int:comment_id>/agree")
def agree(code: str, comment_id: int):
    """+1 to a comment (again: no change)."""
    workshop, actor = context(code)
    return ok(comment=report_rounds.comment_state(report_rounds.agree(workshop, actor, comment_id), actor))


@bp.delete("/report/comments/<int:comment_id>/agree")
def take_back_agreement(code: str, comment_id: int):
    """Take back one's +1 (again: no change)."""
    workshop, actor = context(code)
    comment = report_rounds.take_back_agreement(workshop, actor, comment_id)
    return ok(comment=report_rounds.comment_state(comment, actor))


@bp.post("/report/comments/<int:comment_id>/reply")
def reply(code: str, comment_id: int):
    """Staff: mark a comment `status` "addressed" or "not_taken" with a `reply`."""
    workshop, actor = context(code)
    return ok(comment=report_rounds.comment_state(report_rounds.reply(workshop, actor, comment_id, body()), actor))


@bp.post("/report/comments/<int:comment_id>/hide")
def hide(code: str, comment_id: int):
    """Staff: hide a comment (`hidden`, default true) or show it again (`hidden` false)."""
    workshop, actor = context(code)
    hidden = bool_field(body(), "hidden", default=True)
    comment = report_rounds.hide_comment(workshop, actor, comment_id, hidden)
    return ok(comment=report_rounds.comment_state(comment, actor))
