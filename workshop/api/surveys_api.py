"""Short anonymous surveys over HTTP (docs/api.md, "Surveys"). Thin: the rules are in `surveys`.

The facilitator makes, opens and closes survey questions; phones (and staff on someone's
behalf) answer them. The walls follow the results as `survey` changes on the socket.
"""
from __future__ import annotations

from .. import changes, surveys
from . import bp
from .common import body, context, ok


@bp.post("/surveys")
def add_survey(code: str):
    """Staff: make a survey question (201), or get the participation poll there is (200)."""
    workshop, actor = context(code)
    made = surveys.create_survey(workshop, actor, body())
    return ok(201 if made.created else 200, survey=surveys.survey_state(made.item, changes.STAFF))


@bp.patch("/surveys/<int:survey_id>")
def update_survey(code: str, survey_id: int):
    """Staff: open or close a survey (`{"open": bool}`)."""
    workshop, actor = context(code)
    survey = surveys.update_survey(workshop, actor, survey_id, body())
    return ok(survey=surveys.survey_state(survey, changes.STAFF))


@bp.post("/surveys/<int:survey_id>/answers")
def answer_survey(code: str, survey_id: int):
    """Answer a survey (staff: on behalf of someone in the room); 201 new, 200 a repeat."""
    workshop, actor = context(code)
    result = surveys.answer(workshop, actor, survey_id, body())
    return ok(201 if result.created else 200, answer=surveys.answer_state(result.item))
