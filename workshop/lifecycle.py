"""The end of a workshop's data: the audit log, deleting a workshop, and the retention period.

- `record` writes an `AuditEvent`: who did what to a workshop's data as a whole (deleted,
  purged, exported, imported). It names the workshop by its title and join code, never by
  anything a participant wrote, so the log can outlive the workshop.
- `delete_workshop` deletes a workshop and everything of it in one transaction (the
  database's ON DELETE CASCADE does the rows; street notes stay, no longer tied to it), then
  its picture files and its report's export folder.
- `purge_expired` deletes the raw contributions of workshops closed more than RETENTION_DAYS
  days ago: what participants sent (notes, drawings, photos, dots, topics, answers,
  feedback, suggestions, comments), who they were (the device tokens' hashes) and the wall's
  change log. The report stays exactly as it was, with the pictures it shows.

Files are removed only after the commit: a failed commit must never leave a row whose
picture is gone (the same order as `contributions.withdraw`). A file left behind by a crash
in between is removed by the start-up sweep (`startup.sweep_media`).
"""
from __future__ import annotations

import json
import logging
import shutil
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, or_, select

from . import joincodes, report_export
from .contributions import media_dir
from .database import begin_write
from .extensions import db
from .images import delete_image
from .models import (Account, AuditEvent, Change, Comment, Dot, Item, ItemKind, Participant, PhaseFeedback, Report,
                     ReportSection, SectionVersion, StreetNote, Suggestion, SurveyAnswer, TopicProposal, Workshop,
                     utcnow)
from .problems import Problem

logger = logging.getLogger(__name__)

#: The audit log's actions (other modules may record their own short dotted names).
DELETED = "workshop.deleted"
PURGED = "workshop.purged"
EXPORTED = "workshop.exported"
IMPORTED = "workshop.imported"
#: How much of a subject is kept (the column's length).
SUBJECT_MAX_LENGTH = 300
#: How many events the audit page shows, newest first.
AUDIT_PAGE_SIZE = 200

#: The raw contributions the retention period deletes, beside the items (which keep the
#: pictures the report shows): what participants sent, in the order that needs no cascade.
RAW_CONTRIBUTIONS = (("dots", Dot), ("topic_proposals", TopicProposal), ("survey_answers", SurveyAnswer),
                     ("phase_feedback", PhaseFeedback), ("suggestions", Suggestion), ("comments", Comment))


# -- the audit log ------------------------------------------------------------------------------


def record(action: str, subject: str, account: Account | None = None, **details) -> AuditEvent:
    """Add an audit event to the session; the caller commits it with what it records.

    `subject` names what was acted on (`workshop_subject`), `account` who did it (None: the
    system), `details` a few JSON-able facts such as counts. Nothing a participant wrote.
    """
    event = AuditEvent(at=utcnow(), account_id=account.id if account is not None else None,
                       account_name=account.username if account is not None else "", action=action[:40],
                       subject=subject[:SUBJECT_MAX_LENGTH],
                       details=json.dumps(details, ensure_ascii=False, sort_keys=True, default=str))
    db.session.add(event)
    return event


def workshop_subject(workshop: Workshop) -> str:
    """How the audit log names a workshop: its title and join code ("Kalliola (K7M 4PX)")."""
    code = f" ({joincodes.display(workshop.join_code)})"
    return workshop.title[:SUBJECT_MAX_LENGTH - len(code)] + code


def audit_events(limit: int = AUDIT_PAGE_SIZE) -> list[AuditEvent]:
    """The newest audit events first."""
    return list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
                                   .limit(limit)))


def event_details(event: AuditEvent) -> dict:
    """An event's details as a dict ({} if they cannot be read)."""
    try:
        details = json.loads(event.details or "{}")
    except ValueError:
        return {}
    return details if isinstance(details, dict) else {}


def action_label(action: str) -> str:
    """An action's name for people (the stored name itself for one this module does not know)."""
    labels = {
        DELETED: _l("Workshop deleted"),
        PURGED: _l("Raw contributions deleted after the retention period"),
        EXPORTED: _l("Workshop archive exported"),
        IMPORTED: _l("Workshop archive imported"),
    }
    return str(labels.get(action, action))


def detail_label(key: str) -> str:
    """A detail's name for people (the key itself for one this module does not know)."""
    labels = {
        "notes": _l("Notes"), "drawings": _l("Drawings"), "photos": _l("Photos"), "dots": _l("Dots"),
        "participants": _l("Participants"), "report_versions": _l("Report versions"),
        "report_published": _l("Report published"), "items": _l("Notes, drawings and photos"),
        "topic_proposals": _l("Topic proposals"), "survey_answers": _l("Survey answers"),
        "phase_feedback": _l("Feedback on the phases"), "suggestions": _l("Suggestions"),
        "comments": _l("Comments"), "changes": _l("Changes on the wall"),
        "kept_pictures": _l("Pictures kept for the report"),
    }
    return str(labels.get(key, key))


# -- what a workshop holds ----------------------------------------------------------------------


@dataclass(frozen=True)
class Contents:
    """What deleting a workshop loses, as counts to show before it is done."""

    notes: int
    drawings: int
    photos: int
    dots: int
    participants: int
    report_versions: int
    report_published: bool

    def as_details(self) -> dict:
        """The counts for the audit log."""
        return {"notes": self.notes, "drawings": self.drawings, "photos": self.photos, "dots": self.dots,
                "participants": self.participants, "report_versions": self.report_versions,
                "report_published": self.report_published}


def contents_of(workshop: Workshop) -> Contents:
    """Count what the workshop holds: contributions not taken back, dots on the options,
    participants, saved versions of the report's sections, and whether the report is public."""
    kinds = dict(db.session.execute(
        select(Item.kind, func.count()).where(Item.workshop_id == workshop.id, Item.withdrawn_at.is_(None))
        .group_by(Item.kind)).all())
    dots = db.session.scalar(select(func.count()).select_from(Dot).where(
        Dot.workshop_id == workshop.id, Dot.taken_back_at.is_(None)))
    participants = db.session.scalar(select(func.count()).select_from(Participant).where(
        Participant.workshop_id == workshop.id))
    versions = db.session.scalar(
        select(func.count()).select_from(SectionVersion)
        .join(ReportSection, ReportSection.id == SectionVersion.section_id)
        .join(Report, Report.id == ReportSection.report_id).where(Report.workshop_id == workshop.id))
    report = _report_of(workshop)
    return Contents(notes=kinds.get(ItemKind.NOTE, 0), drawings=kinds.get(ItemKind.DRAWING, 0),
                    photos=kinds.get(ItemKind.PHOTO, 0), dots=dots or 0, participants=participants or 0,
                    report_versions=versions or 0,
                    report_published=report is not None and report.published_at is not None)


def _report_of(workshop: Workshop) -> Report | None:
    return db.session.scalar(select(Report).where(Report.workshop_id == workshop.id))


def archive_command(workshop: Workshop) -> str:
    """The command that saves everything of the workshop in one file (`archive.py`), to
    suggest before deleting it."""
    return f"flask --app workshop archive export {workshop.join_code}"


# -- deleting a workshop ------------------------------------------------------------------------


def delete_workshop(workshop: Workshop, account: Account, typed_code: str) -> Contents:
    """Delete `workshop` and everything of it, if `typed_code` is its join code.

    One transaction deletes the workshop (every table that belongs to it follows by ON
    DELETE CASCADE; street notes stay, no longer tied to it) and writes the audit event.
    After the commit its pictures and its report's export folder are removed. Returns what
    was deleted.

    :raise Problem: 422 (field "code") the code typed is not the workshop's; nothing is deleted.
    """
    if joincodes.normalise(typed_code or "") != workshop.join_code:
        raise Problem(_l("This is not the code of this workshop. Nothing was deleted. Type the code shown "
                         "above."), field="code", status=422)
    begin_write(workshop)
    contents = contents_of(workshop)
    names = _picture_names(select(Item.image_name, Item.thumb_name).where(Item.workshop_id == workshop.id))
    report = _report_of(workshop)
    exports = report_export.export_dir(report) if report is not None else None
    record(DELETED, workshop_subject(workshop), account, **contents.as_details())
    # Core, not the ORM: the database's cascades delete the rows, which the ORM would
    # otherwise load one by one to delete them itself.
    db.session.execute(delete(Workshop).where(Workshop.id == workshop.id), execution_options={
        "synchronize_session": False})
    db.session.commit()
    _remove_files(names)
    if exports is not None:
        _remove_folder(exports)
    return contents


# -- the retention period -----------------------------------------------------------------------


@dataclass
class Purged:
    """What the retention period deleted from one workshop."""

    workshop_id: int
    subject: str
    counts: dict[str, int] = field(default_factory=dict)


def expired_workshops(now: datetime | None = None) -> list[Workshop]:
    """The workshops whose raw contributions are due: closed more than RETENTION_DAYS days
    before `now`, and not purged since they were last closed (a workshop opened again
    after a purge and closed again is due again). None when the setting is unset."""
    due = _due(now or utcnow())
    if due is None:
        return []
    return list(db.session.scalars(select(Workshop).where(*due).order_by(Workshop.id)))


def _due(now: datetime) -> list | None:
    """The conditions of a workshop whose retention period is over at `now` (None: no period)."""
    days = current_app.config.get("RETENTION_DAYS")
    if days is None or days < 0:
        return None
    cutoff = now - timedelta(days=days)
    return [Workshop.closed_at.is_not(None), Workshop.closed_at < cutoff,
            or_(Workshop.purged_at.is_(None), Workshop.purged_at < Workshop.closed_at)]


def purge_expired(now: datetime | None = None) -> list[Purged]:
    """Delete the raw contributions of every workshop whose retention period is over.

    With RETENTION_DAYS unset nothing is ever deleted. Each workshop is its own
    transaction; running it again deletes nothing more, also when several processes of a
    region run it at once. Returns what was deleted. Needs an app context.
    """
    now = now or utcnow()
    done = []
    for workshop_id in [workshop.id for workshop in expired_workshops(now)]:
        try:
            purged = _purge_if_still_due(workshop_id, now)
        except Exception:
            # One workshop that cannot be purged now must not stop the others, nor the
            # server's start-up; it is due again at the next run.
            db.session.rollback()
            logger.exception("retention: could not purge workshop %s", workshop_id)
            continue
        if purged is not None:
            done.append(purged)
    db.session.commit()  # ends the read transaction of the search (nothing to write)
    return done


def _purge_if_still_due(workshop_id: int, now: datetime) -> Purged | None:
    workshop = db.session.get(Workshop, workshop_id)
    if workshop is None:
        return None
    begin_write(workshop)
    # Read again under the write lock: another process may have purged it, or someone
    # opened it again, since the list was made.
    workshop = db.session.scalar(select(Workshop).where(Workshop.id == workshop_id, *(_due(now) or [False]))
                                 .execution_options(populate_existing=True))
    if workshop is None:
        db.session.rollback()
        return None
    return purge_workshop(workshop, now)


def purge_workshop(workshop: Workshop, now: datetime | None = None) -> Purged:
    """Delete the workshop's raw contributions, keeping its report as it is.

    Kept: the workshop, its boards, themes, questions, surveys, gatherings, ideas, the
    report with its versions, comment rounds, management's answer, the follow-up and the
    readers' feedback, and the drawings and photos the report shows (they lose the link
    to their participant). Deleted: every other item and its files, the dots, topic
    proposals, survey answers, phase feedback, suggestions, comments, the participants
    (their device tokens' hashes) and the change log. Sets `purged_at` and writes a
    "workshop.purged" audit event with the counts, in the same transaction.
    """
    now = now or utcnow()
    begin_write(workshop)
    report = _report_of(workshop)
    # The report's own rule of what it shows: kept whether or not it is published now
    # (a draft may be published later, and the kept pictures are the report's, not raw).
    kept = set(report_export.shown_pictures(report)) if report is not None else set()
    doomed = select(Item.image_name, Item.thumb_name).where(Item.workshop_id == workshop.id, Item.id.not_in(kept))
    names = _picture_names(doomed)
    counts = {"items": _delete(Item, workshop, Item.id.not_in(kept))}
    for name, model in RAW_CONTRIBUTIONS:
        counts[name] = _delete(model, workshop)
    counts["participants"] = _delete(Participant, workshop)
    counts["changes"] = _delete(Change, workshop)
    counts["kept_pictures"] = len(kept)
    workshop.purged_at = now
    subject = workshop_subject(workshop)
    record(PURGED, subject, None, **counts)
    db.session.commit()
    counts["files"] = _remove_files(names)
    logger.info("retention: raw contributions of workshop %s deleted: %s", workshop.id, counts)
    return Purged(workshop.id, subject, counts)


def _delete(model, workshop: Workshop, *where) -> int:
    result = db.session.execute(delete(model).where(model.workshop_id == workshop.id, *where),
                                execution_options={"synchronize_session": False})
    return result.rowcount or 0


# -- files --------------------------------------------------------------------------------------


def _picture_names(query) -> set[str]:
    return {name for row in db.session.execute(query) for name in row if name}


def _remove_files(names: set[str]) -> int:
    """Remove the stored pictures no remaining row names; returns how many names were removed."""
    if not names:
        return 0
    # A file another row still names stays (nothing shares one today, but a lost street
    # note's photo would be far worse than a file the start-up sweep removes later).
    still = set()
    for model in (Item, StreetNote):
        still |= _picture_names(select(model.image_name, model.thumb_name).where(
            or_(model.image_name.in_(names), model.thumb_name.in_(names))))
    db.session.commit()
    gone = sorted(names - still)
    try:
        delete_image(media_dir(), *gone)
    except (OSError, ValueError):
        # The rows are gone already; a file left over is removed by the start-up sweep.
        logger.exception("could not remove %d picture files", len(gone))
        return 0
    return len(gone)


def _remove_folder(path: Path) -> None:
    """Remove a report's export folder (only one inside EXPORTS_DIR)."""
    root = Path(current_app.config["EXPORTS_DIR"]).resolve()
    target = path.resolve()
    if target.parent != root or not target.is_dir():
        return
    try:
        shutil.rmtree(target)
    except OSError:
        logger.exception("could not remove the report's export folder %s", target)
