"""Management's answer (johdon vastaus): what those responsible will do, and when.

The facilitator sends the person responsible for the service a private link (see
`report_links`). Through it they read the report and answer: a general text (Markdown),
who answers (a role, never a requirement to give a name), and for each development idea
what will be done and when. Saving again updates the answer while the link works. The
answer goes into the report (its "Management's answer" section) and is announced on the
wall and the phones: the report's change entity carries `answer_state`.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping

from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select

from . import changes
from .database import begin_write
from .extensions import db
from .ideas import ideas_of
from .inputs import is_id, require_mapping, text_field
from .models import IdeaAnswer, Report, ReportLink, utcnow
from .problems import Problem
from .report_links import ANSWER, is_working
from .report_render import Picture, pictures_of, to_html

#: The longest general answer (Markdown): a page or two.
TEXT_MAX_LENGTH = 10_000
#: The longest "who answers" (a role, e.g. "Head of adult social services").
BY_MAX_LENGTH = 200
#: The longest "what will be done" about one idea, and "when".
ACTION_MAX_LENGTH = 2000
SCHEDULE_MAX_LENGTH = 200


def save_answer(report: Report, link: ReportLink, data: Mapping) -> Report:
    """Save management's answer given through `link`: `text` (Markdown), `by` (the
    answerer's role) and `ideas`, a list of `{idea_id, action, schedule}` for the current
    development ideas (ideas left out keep what they had). The first save sets
    `report.answered_at`; every save is announced.

    :raise Problem: 404 the link is not this report's working answer link; 422 no role, no
        answer at all, a text too long, or an idea that is not one of the report's.
    """
    data = require_mapping(data)
    # Every field is read before the write begins: a refusal leaves nothing half-done.
    by = text_field(data, "by", BY_MAX_LENGTH, required=True,
                    empty_message=_l("Write who answers, for example your role."),
                    too_long_message=_l("This can have at most %(limit)s characters.", limit=BY_MAX_LENGTH))
    text = text_field(data, "text", TEXT_MAX_LENGTH, required=False,
                      too_long_message=_l("The answer can have at most %(limit)s characters.",
                                          limit=TEXT_MAX_LENGTH))
    per_idea = _idea_answers(data.get("ideas"))
    if not text and not any(action or schedule for action, schedule in per_idea.values()):
        raise Problem(_l("Write your answer first: in general, or about the development ideas."), field="text",
                      status=422)
    begin_write()
    if link is None or link.report_id != report.id or link.purpose != ANSWER or not is_working(link):
        raise Problem(_l("This link does not work: it may have expired or been withdrawn. Ask the person who "
                         "sent it to you for a new link."), status=404)
    workshop = report.workshop
    current = {idea.id for idea in ideas_of(workshop)}
    unknown = [idea_id for idea_id in per_idea if idea_id not in current]
    if unknown:
        raise Problem(_l("This development idea was not found. Please reload the page."), field="ideas", status=422)
    stored = {row.idea_id: row for row in _idea_answer_rows(report)}
    now = utcnow()
    for idea_id, (action, schedule) in per_idea.items():
        row = stored.get(idea_id)
        if row is None:
            row = IdeaAnswer(report_id=report.id, idea_id=idea_id)
            db.session.add(row)
        if (row.action, row.schedule) != (action, schedule):
            row.action, row.schedule, row.updated_at = action, schedule, now
    report.answer_by, report.answer_text = by, text
    if report.answered_at is None:
        report.answered_at = now
    changes.record(workshop, "report", report.id)
    changes.commit_and_publish()
    return report


def answer_state(report: Report, picture_src: Callable[[Picture], str] | None = None) -> dict | None:
    """The answer as the report, the wall and the phones show it, or None before it is given:
    `{by, text_html, answered_at, ideas: [{idea_id, statement, action, schedule}]}`.

    `text_html` is the sanitised HTML of the text; its pictures' addresses come from
    `picture_src` (by default the workshop's media addresses, which phones and staff may load).
    Ideas removed since are left out; an idea without an answer has empty `action` and `schedule`.
    """
    if report.answered_at is None:
        return None
    workshop = report.workshop
    if picture_src is None:
        def picture_src(picture: Picture) -> str:
            return changes.media_url(workshop.join_code, picture.image_name)
    answers = {row.idea_id: row for row in _idea_answer_rows(report)}
    ideas = []
    for idea in ideas_of(workshop):
        row = answers.get(idea.id)
        ideas.append({"idea_id": idea.id, "statement": idea.statement, "action": row.action if row else "",
                      "schedule": row.schedule if row else ""})
    return {"by": report.answer_by, "text_html": str(answer_html(report, picture_src)),
            "answered_at": report.answered_at.isoformat(), "ideas": ideas}


def answer_html(report: Report, picture_src: Callable[[Picture], str]) -> Markup:
    """The general answer's text as sanitised HTML (headings from h3)."""
    return to_html(report.answer_text, pictures_of(report.workshop), picture_src)


def idea_answers(report: Report) -> dict[int, IdeaAnswer]:
    """The stored answers per development idea, by idea id (to fill in the form again)."""
    return {row.idea_id: row for row in _idea_answer_rows(report)}


def _idea_answer_rows(report: Report) -> list[IdeaAnswer]:
    return list(db.session.scalars(select(IdeaAnswer).where(IdeaAnswer.report_id == report.id)))


def _idea_answers(value) -> dict[int, tuple[str, str]]:
    """`ideas` as {idea_id: (action, schedule)}. :raise Problem: (422) not such a list."""
    if value is None:
        return {}
    if not isinstance(value, list) or len(value) > 500:
        raise Problem(_l("Something in the request was not right. Please try again."), field="ideas", status=422)
    found: dict[int, tuple[str, str]] = {}
    for entry in value:
        if not isinstance(entry, Mapping) or not is_id(entry.get("idea_id")):
            raise Problem(_l("This development idea was not found. Please reload the page."), field="ideas",
                          status=422)
        try:
            action = text_field(entry, "action", ACTION_MAX_LENGTH, required=False,
                                too_long_message=_l("What will be done can have at most %(limit)s characters.",
                                                    limit=ACTION_MAX_LENGTH))
            schedule = text_field(entry, "schedule", SCHEDULE_MAX_LENGTH, required=False,
                                  too_long_message=_l("The schedule can have at most %(limit)s characters.",
                                                      limit=SCHEDULE_MAX_LENGTH))
        except Problem as problem:
            # Named after the form's field for this idea ("action-12"), so the error shows beside it.
            problem.field = f"{problem.field}-{entry['idea_id']}"
            raise
        found[entry["idea_id"]] = (action, schedule)
    return found
