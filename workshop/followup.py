"""Follow-up (seuranta): did the development ideas happen? A tracker the facilitator keeps.

After publication the group wants to know whether anything changed (DOMAIN.md). Each row
of the tracker is a `DevelopmentTarget` with the columns used in practice (seed 003):
development target, partners, actions, responsible, schedule, indicator / how followed,
status and the date it was done. Rows are made from the workshop's development ideas
(prefilled from management's answer to each idea, when there is one) or typed by hand.
Every status change is logged as a `TargetUpdate` with a note that participants read.

Everything here is for staff; participants and readers see `public_states()`, which names
no account. The workshop's rules find a target through its workshop and nothing else
assumes that every row has one.

The regional tracker (issue 7) is the same table: rows without a workshop, which the
working group adds from a professional's report (`observation_id`), from a summary theme
(`summary_theme_id`) or types by hand, and follows with the same status log. Only
working-group members change them; a workshop's rows stay its facilitator's and are only
listed beside them (`all_targets()`, `target_sources()`). Nothing of a regional row is
pushed to any workshop's phones.

A change the participants should see ("has anything changed?") is recorded as a change of
the workshop's report, when there is one, so the phones and the wall reload the report's
state; without a report draft the tracker still works, and nothing is pushed.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_babel import to_user_timezone
from sqlalchemy import func, select

from . import changes, ideas
from .themes import require_working_group
from .actors import Actor
from .database import begin_write
from .extensions import db
from .inputs import int_field, is_id, require_mapping, text_field
from .models import (Account, DevelopmentTarget, Idea, IdeaAnswer, Observation, Report, SummaryTheme, TargetStatus,
                     TargetUpdate, Workshop, next_position, utcnow)
from .problems import Problem

#: The longest text of each column, as the table's columns hold them (see the model).
FIELD_LIMITS = {
    "target": 300,
    "partners": 300,
    "actions": 2000,
    "responsible": 200,
    "schedule": 200,
    "indicator": 300,
}
#: The longest note on a status change: a sentence or two participants can read.
NOTE_MAX_LENGTH = 500
STATUSES = tuple(status.value for status in TargetStatus)


def status_labels() -> list[tuple[str, str]]:
    """The four statuses in order, each with its name in the current language."""
    names = _status_names()
    return [(status.value, str(names[status])) for status in TargetStatus]


def status_label(status: TargetStatus) -> str:
    """One status's name in the current language."""
    return str(_status_names()[status])


def _status_names() -> dict:
    return {TargetStatus.PLANNED: _l("Planned"), TargetStatus.IN_PROGRESS: _l("In progress"),
            TargetStatus.DONE: _l("Done"), TargetStatus.NOT_DONE: _l("Will not be done")}


def targets_of(workshop: Workshop) -> list[DevelopmentTarget]:
    """The workshop's tracker rows in their order."""
    return list(db.session.scalars(select(DevelopmentTarget).where(DevelopmentTarget.workshop_id == workshop.id)
                                   .order_by(DevelopmentTarget.position, DevelopmentTarget.id)))


def create_from_ideas(workshop: Workshop, actor: Actor) -> list[DevelopmentTarget]:
    """Make a row for each current development idea that has none yet; return the new rows.

    The row's target is the idea's statement. When management answered the idea (an
    `IdeaAnswer` of the workshop's report), its action and schedule fill those columns.
    Running it again after new ideas were written adds only theirs.

    :raise Problem: 403 not staff.
    """
    actor.require_staff()
    begin_write(workshop)
    current = ideas.ideas_of(workshop)
    followed = set(db.session.scalars(select(DevelopmentTarget.idea_id).where(
        DevelopmentTarget.idea_id.in_([idea.id for idea in current])))) if current else set()
    new_ideas = [idea for idea in current if idea.id not in followed]
    if not new_ideas:
        db.session.commit()  # ends the write transaction; nothing was written
        return []
    answers = _answers_by_idea(workshop)
    position = next_position(DevelopmentTarget, workshop.id)
    made = []
    for offset, idea in enumerate(new_ideas):
        answer = answers.get(idea.id)
        made.append(DevelopmentTarget(
            workshop_id=workshop.id, idea_id=idea.id, target=_fit(idea.statement, "target"),
            actions=_fit(answer.action, "actions") if answer else "",
            schedule=_fit(answer.schedule, "schedule") if answer else "",
            position=position + offset))
    db.session.add_all(made)
    _record_report_change(workshop)
    changes.commit_and_publish()
    return made


def add_target(workshop: Workshop, actor: Actor, data: Mapping) -> DevelopmentTarget:
    """Add a row typed by hand: `target` (required) and any of the other columns
    (`partners`, `actions`, `responsible`, `schedule`, `indicator`, `done_on`).

    :raise Problem: 403 not staff; 422 no target, a text too long, or a bad date.
    """
    actor.require_staff()
    data = require_mapping(data)
    # Every field is read before the write begins: a refusal leaves nothing half-done.
    values = _columns(data, required=True)
    begin_write(workshop)
    target = DevelopmentTarget(workshop_id=workshop.id, position=next_position(DevelopmentTarget, workshop.id),
                               **values)
    db.session.add(target)
    db.session.flush()
    _record_report_change(workshop)
    changes.commit_and_publish()
    return target


def update_target(workshop: Workshop, actor: Actor, target_id: int, data: Mapping) -> DevelopmentTarget:
    """Change any of a row's columns given in `data` (`target`, `partners`, `actions`,
    `responsible`, `schedule`, `indicator`, `done_on` as an ISO date or empty).

    :raise Problem: 403 not staff; 404 no such row in this workshop; 422 as for `add_target`.
    """
    actor.require_staff()
    data = require_mapping(data)
    values = _columns(data, required=False)
    begin_write(workshop)
    target = _target(workshop, target_id)
    for name, value in values.items():
        setattr(target, name, value)
    target.updated_at = utcnow()
    _record_report_change(workshop)
    changes.commit_and_publish()
    return target


def set_status(workshop: Workshop, actor: Actor, target_id: int, data: Mapping) -> TargetUpdate:
    """Move a row to `status` with a `note` participants read; return the logged update.

    The note is required for "will not be done": the participants are owed the reason.
    Done sets the done date to today when none was given; leaving done clears it. The same
    status again is a progress note ("the meeting was held"), logged like any change.

    :raise Problem: 403 not staff; 404 no such row; 422 no or unknown status, a note too
        long, or no note for "will not be done".
    """
    actor.require_staff()
    status, note = _status_and_note(data, _l("Say why this will not be done: the participants want to know."))
    begin_write(workshop)
    target = _target(workshop, target_id)
    update = _change_status(target, status, note, actor.account.id if actor.account else None)
    _record_report_change(workshop)
    changes.commit_and_publish()
    return update


def _status_and_note(data: Mapping, not_done_message) -> tuple[TargetStatus, str]:
    """The new status and its note, checked (the note is required for "will not be done")."""
    data = require_mapping(data)
    status = data.get("status")
    if not isinstance(status, str) or status not in STATUSES:
        raise Problem(_l("Choose the status."), field="status", status=422)
    status = TargetStatus(status)
    note = text_field(data, "note", NOTE_MAX_LENGTH, required=status is TargetStatus.NOT_DONE,
                      empty_message=not_done_message,
                      too_long_message=_l("A note can have at most %(limit)s characters.", limit=NOTE_MAX_LENGTH))
    return status, note


def _change_status(target: DevelopmentTarget, status: TargetStatus, note: str,
                   account_id: int | None) -> TargetUpdate:
    """Move `target` to `status` and log it; the caller commits."""
    if status is TargetStatus.DONE and target.done_on is None:
        target.done_on = today()
    elif status is not TargetStatus.DONE and target.status is TargetStatus.DONE:
        target.done_on = None  # it was not done after all: no date may say it was
    target.status = status
    target.updated_at = utcnow()
    update = TargetUpdate(target_id=target.id, status=status, note=note, account_id=account_id)
    db.session.add(update)
    db.session.flush()
    return update


def today() -> date:
    """Today's date where the service is (the app's time zone), not UTC's."""
    return to_user_timezone(utcnow()).date()


def updates_of(targets: list[DevelopmentTarget]) -> dict[int, list[TargetUpdate]]:
    """Each row's status changes, newest first, keyed by the row's id (one query for all)."""
    found: dict[int, list[TargetUpdate]] = defaultdict(list)
    ids = [target.id for target in targets]
    if ids:
        for update in db.session.scalars(select(TargetUpdate).where(TargetUpdate.target_id.in_(ids))
                                         .order_by(TargetUpdate.created_at.desc(), TargetUpdate.id.desc())):
            found[update.target_id].append(update)
    return found


def public_states(workshop: Workshop) -> list[dict]:
    """The tracker as participants and the published report see it, in order.

    Each row: `id`, the six text columns, `status`, `status_label` (current language),
    `done_on` (ISO date or None), `updated_at` (ISO) and `updates` (newest first, each
    `status`, `status_label`, `note`, `at`). Nothing says which account did what.
    """
    targets = targets_of(workshop)
    updates = updates_of(targets)
    names = _status_names()
    return [{
        "id": target.id,
        **{name: getattr(target, name) for name in FIELD_LIMITS},
        "status": target.status.value,
        "status_label": str(names[target.status]),
        "done_on": target.done_on.isoformat() if target.done_on else None,
        "updated_at": target.updated_at.isoformat(),
        "updates": [{"status": update.status.value, "status_label": str(names[update.status]), "note": update.note,
                     "at": update.created_at.isoformat()} for update in updates[target.id]],
    } for target in targets]


# -- the regional tracker (issue 7) -------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """Where a tracker row came from: `kind` is "report", "theme", "workshop" or "typed";
    `number` the report's number, `theme` the theme's name, `workshop` the workshop's
    title and `idea` the development idea's statement, where they apply."""

    kind: str
    number: str = ""
    theme: str = ""
    workshop: str = ""
    idea: str = ""


def all_targets() -> list[DevelopmentTarget]:
    """Every tracker row: the regional rows (no workshop) first in their order, then each
    workshop's rows, workshop by workshop in the order the workshops were made."""
    return list(db.session.scalars(select(DevelopmentTarget).order_by(
        DevelopmentTarget.workshop_id.is_not(None), DevelopmentTarget.workshop_id, DevelopmentTarget.position,
        DevelopmentTarget.id)))


def regional_targets() -> list[DevelopmentTarget]:
    """The rows without a workshop, which the working group keeps, in their order."""
    return list(db.session.scalars(select(DevelopmentTarget).where(DevelopmentTarget.workshop_id.is_(None))
                                   .order_by(DevelopmentTarget.position, DevelopmentTarget.id)))


def target_sources(targets: list[DevelopmentTarget]) -> dict[int, Source]:
    """Where each row came from, keyed by the row's id (a few queries for all)."""
    def names(model, ids, column):
        ids = {value for value in ids if value is not None}
        if not ids:
            return {}
        return dict(db.session.execute(select(model.id, column).where(model.id.in_(ids))).all())

    numbers = names(Observation, [target.observation_id for target in targets], Observation.number)
    themes = names(SummaryTheme, [target.summary_theme_id for target in targets], SummaryTheme.name)
    workshops = names(Workshop, [target.workshop_id for target in targets], Workshop.title)
    statements = names(Idea, [target.idea_id for target in targets], Idea.statement)
    sources = {}
    for target in targets:
        if target.workshop_id is not None:
            sources[target.id] = Source("workshop", workshop=workshops.get(target.workshop_id, ""),
                                        idea=statements.get(target.idea_id, ""))
        elif target.observation_id in numbers:
            sources[target.id] = Source("report", number=numbers[target.observation_id],
                                        theme=themes.get(target.summary_theme_id, ""))
        elif target.summary_theme_id in themes:
            sources[target.id] = Source("theme", theme=themes[target.summary_theme_id])
        else:
            sources[target.id] = Source("typed")
    return sources


def add_regional_target(account: Account | None, data: Mapping) -> DevelopmentTarget:
    """Add a regional row: the columns as for `add_target`, and where it came from, if
    anywhere: `observation_id` (a report) and/or `summary_theme_id` (a summary theme).

    :raise Problem: 403 not the working group; 422 no target, a text too long, a bad date,
        or an unknown report or theme.
    """
    require_working_group(account)
    data = require_mapping(data)
    values = _columns(data, required=True)
    observation_id = int_field(data, "observation_id", required=False)
    theme_id = int_field(data, "summary_theme_id", required=False)
    begin_write()
    if observation_id is not None and db.session.get(Observation, observation_id) is None:
        raise Problem(_l("This report was not found. Please reload the page."), field="observation_id", status=422)
    if theme_id is not None and db.session.get(SummaryTheme, theme_id) is None:
        raise Problem(_l("This theme was not found. Please reload the page."), field="summary_theme_id", status=422)
    last = db.session.scalar(select(func.max(DevelopmentTarget.position)).where(DevelopmentTarget.workshop_id.is_(None)))
    target = DevelopmentTarget(workshop_id=None, observation_id=observation_id, summary_theme_id=theme_id,
                               position=(last or 0) + 1, **values)
    db.session.add(target)
    db.session.commit()
    return target


def update_regional_target(account: Account | None, target_id: int, data: Mapping) -> DevelopmentTarget:
    """Change any of a regional row's columns given in `data` (as for `update_target`).

    :raise Problem: 403 not the working group, or the row is a workshop's (its facilitator
        keeps it); 404 no such row; 422 as for `add_regional_target`.
    """
    require_working_group(account)
    values = _columns(require_mapping(data), required=False)
    begin_write()
    target = _regional_target(target_id)
    for name, value in values.items():
        setattr(target, name, value)
    target.updated_at = utcnow()
    db.session.commit()
    return target


def set_regional_status(account: Account | None, target_id: int, data: Mapping) -> TargetUpdate:
    """Move a regional row to `status` with a `note`, logged like a workshop row's change
    (the note is required for "will not be done"; done sets the done date).

    :raise Problem: 403 not the working group, or the row is a workshop's; 404 no such
        row; 422 no or unknown status, a note too long, or no note for "will not be done".
    """
    require_working_group(account)
    status, note = _status_and_note(data, _l("Say why this will not be done."))
    begin_write()
    target = _regional_target(target_id)
    update = _change_status(target, status, note, account.id)
    db.session.commit()
    return update


def _regional_target(target_id: int) -> DevelopmentTarget:
    target = db.session.get(DevelopmentTarget, target_id) if is_id(target_id) else None
    if target is None:
        raise Problem(_l("This row of the follow-up was not found. Please reload the page."), status=404)
    if target.workshop_id is not None:
        raise Problem(_l("This row belongs to a workshop: its facilitator keeps it on the workshop's follow-up page."),
                      status=403)
    return target


def _target(workshop: Workshop, target_id: int) -> DevelopmentTarget:
    target = db.session.get(DevelopmentTarget, target_id) if is_id(target_id) else None
    if target is None or target.workshop_id != workshop.id:
        raise Problem(_l("This row of the follow-up was not found. Please reload the page."), status=404)
    return target


def _columns(data: Mapping, *, required: bool) -> dict:
    """The columns given in `data`, checked; with `required`, `target` must be among them."""
    values = {}
    for name, limit in FIELD_LIMITS.items():
        if name in data or (name == "target" and required):
            values[name] = text_field(
                data, name, limit, required=name == "target",
                empty_message=_l("Write the development target first."),
                too_long_message=_l("This is too long: at most %(limit)s characters.", limit=limit))
    if "done_on" in data:
        values["done_on"] = _date(data, "done_on")
    return values


def _date(data: Mapping, name: str) -> date | None:
    """An ISO date (YYYY-MM-DD, as a date field sends it), or None when empty."""
    value = data.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        if not isinstance(value, str) or len(value.strip()) != 10:
            raise ValueError
        return date.fromisoformat(value.strip())
    except ValueError:
        raise Problem(_l("Give the date as year-month-day, for example 2027-05-31."), field=name,
                      status=422) from None


def _fit(text: str, name: str) -> str:
    """`text` cut to the column's length (management may have written more than it holds)."""
    limit = FIELD_LIMITS[name]
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _answers_by_idea(workshop: Workshop) -> dict[int, IdeaAnswer]:
    """Management's answers to the ideas, from the workshop's report (if there is one)."""
    return {answer.idea_id: answer for answer in db.session.scalars(
        select(IdeaAnswer).join(Report, Report.id == IdeaAnswer.report_id).where(Report.workshop_id == workshop.id))}


def _record_report_change(workshop: Workshop) -> None:
    """Tell the phones and the wall that the report's follow-up changed, if there is a report."""
    # Imported here: the report assembles its follow-up section from this module.
    from . import report

    found = report.report_of(workshop)
    if found is not None:
        changes.record(workshop, "report", found.id)
