"""Readers' feedback on the published report, shown once the facilitator has read it.

Anyone with the public page may write (DOMAIN.md, phase 3: "collect readers' feedback
and relay it to participants"). Nothing about the reader is stored: no name field, no
address, no browser; the only row is the text and when it came. Feedback waits as
`pending` until the facilitator approves it (then the public page, the wall and the
phones show it) or rejects it (it is kept, and shown nowhere).
"""
from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from . import changes
from .actors import Actor
from .database import begin_write
from .extensions import db
from .inputs import is_id, require_mapping, text_field
from .models import ReaderFeedback, Report, Workshop, utcnow
from .problems import Problem

#: The longest feedback, in characters: a few paragraphs.
TEXT_MAX_LENGTH = 2000
PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"


def published_report(key: str) -> Report:
    """The published report whose public address has `key`.

    :raise Problem: (404) no report has this key, or it is not published (now).
    """
    from .report_export import published_report as find_published  # it reads this module's feedback

    found = find_published(key)
    if found is None:
        raise Problem(_l("This report was not found. It may not be published any more."), status=404)
    return found


def send(report: Report, data: Mapping) -> ReaderFeedback:
    """Store a reader's `text` (1–2000 characters) for the facilitator to read.

    :raise Problem: 404 the report is not published; 422 no text, or too long.
    """
    data = require_mapping(data)
    text = text_field(data, "text", TEXT_MAX_LENGTH, required=True,
                      empty_message=_l("Write your feedback first."),
                      too_long_message=_l("Feedback can have at most %(limit)s characters.", limit=TEXT_MAX_LENGTH))
    if report.published_at is None:
        raise Problem(_l("This report was not found. It may not be published any more."), status=404)
    begin_write()
    row = ReaderFeedback(report_id=report.id, text=text)
    db.session.add(row)
    # Nothing to push: feedback is shown nowhere until the facilitator approves it.
    db.session.commit()
    return row


def decide(workshop: Workshop, actor: Actor, feedback_id: int, approve: bool) -> ReaderFeedback:
    """Approve feedback (the public page, the wall and the phones show it) or reject it.

    A decision can be changed: rejecting approved feedback takes it off again.

    :raise Problem: 403 not staff; 404 no such feedback on this workshop's report.
    """
    actor.require_staff()
    begin_write(workshop)
    row = db.session.get(ReaderFeedback, feedback_id) if is_id(feedback_id) else None
    report = db.session.get(Report, row.report_id) if row is not None else None
    if report is None or report.workshop_id != workshop.id:
        raise Problem(_l("This feedback was not found. Please reload the page."), status=404)
    was_shown = row.status == APPROVED
    row.status = APPROVED if approve else REJECTED
    row.decided_at = utcnow()
    if was_shown or approve:
        # What participants see changed: the report's state is pushed again.
        changes.record(workshop, "report", report.id)
        changes.commit_and_publish()
    else:
        db.session.commit()
    return row


def pending(report: Report) -> list[ReaderFeedback]:
    """Feedback waiting for the facilitator, oldest first (the order it is read in)."""
    return _with_status(report, PENDING, newest_first=False)


def approved(report: Report) -> list[ReaderFeedback]:
    """Approved feedback, newest first."""
    return _with_status(report, APPROVED, newest_first=True)


def rejected(report: Report) -> list[ReaderFeedback]:
    """Rejected feedback, newest first (kept, so the facilitator can change their mind)."""
    return _with_status(report, REJECTED, newest_first=True)


def approved_states(report: Report) -> list[dict]:
    """Approved feedback as everyone may see it, newest first: `[{id, text, at}]`."""
    return [{"id": row.id, "text": row.text, "at": row.created_at.isoformat()} for row in approved(report)]


def _with_status(report: Report, status: str, *, newest_first: bool) -> list[ReaderFeedback]:
    order = (ReaderFeedback.created_at.desc(), ReaderFeedback.id.desc()) if newest_first else (
        ReaderFeedback.created_at, ReaderFeedback.id)
    return list(db.session.scalars(select(ReaderFeedback).where(
        ReaderFeedback.report_id == report.id, ReaderFeedback.status == status).order_by(*order)))
