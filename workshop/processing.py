"""Processing professionals' reports (issue 7): who sees which report, the statuses, the
progress log and the inbox.

Routing. A report is routed by its unit: to the unit's supervisor (`Unit.supervisor_id`)
and to the director of the unit's sector (`Sector.director_id`). Routing is read at the
moment of asking, never stored: when a unit gets a new supervisor, the new one sees its
reports (old and new) and the old one no longer does. An account with a handling role
(handler or director) sees what it is routed to in either capacity, so an admin who names
a director as a unit's supervisor gets what the routing says. The working group sees every
report (it tags them and writes the summaries) but handles none; every other role, and a
deactivated account, sees nothing.

A report that an account may not see is "not found" (404), never "forbidden": a handler
must not learn that another unit's report number or id exists.

Statuses follow the usual course (`ObservationStatus`'s order):
received → under consideration → forwarded (to whom, required) → action decided → done,
or closed (with a reason, required) from any open status. The moves allowed:

- from an open status (received, under consideration, forwarded, action decided) to any
  later status, which includes done and closed; a forwarded report may be forwarded again
  to another place (the unit found it belongs to a cross-sector group);
- done and closed are final, but may be reopened to "under consideration" with a note
  saying why (the reporter reads it);
- nothing moves back among the open statuses, and nothing goes back to "received": that
  is the system's first entry when the report arrived.

Every change appends one `ObservationEvent` to the progress log (status, where forwarded,
the note the reporter reads on the tracking page, who, when) and updates the report's
status; a note alone (no new status) is also logged as an entry. Nothing is ever edited or
deleted. If the reporter left contact details, the new entry's notice is "pending", and
`notices.deliver_pending()` tells them (by e-mail) or lists it for the handler to do.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import false, func, or_, select
from sqlalchemy.orm import selectinload
from sqlalchemy.sql import Select

from .database import begin_write
from .extensions import db
from .inputs import is_id, require_mapping, text_field
from .models import (Account, ForwardedTo, Observation, ObservationEvent, ObservationStatus, Role, Sector, Unit,
                     utcnow)
from .observation_labels import label, status_labels
from .problems import Problem

#: The longest note of a log entry: the reporter reads it on the tracking page.
NOTE_MAX_LENGTH = 1000
#: The statuses a report is still being worked on in.
OPEN_STATUSES = (ObservationStatus.RECEIVED, ObservationStatus.CONSIDERING, ObservationStatus.FORWARDED,
                 ObservationStatus.ACTION_DECIDED)
#: The statuses that end the course (they may only be reopened).
FINAL_STATUSES = (ObservationStatus.DONE, ObservationStatus.CLOSED)
#: Where a final report goes back to when it is reopened.
REOPENED_STATUS = ObservationStatus.CONSIDERING
#: The inbox's filters besides one status: the open reports (the default) and all of them.
OPEN_FILTER = "open"
ALL_FILTER = "all"
#: The most reports the inbox lists at once (newest first); the counts are always complete.
INBOX_LIMIT = 300
#: Notice states that still ask someone to tell the reporter ("sending": being e-mailed now,
#: or a delivery that never came back; the handler may tell them by hand all the same).
UNTOLD_NOTICES = ("pending", "failed", "sending")

HANDLING_ROLES = (Role.HANDLER, Role.DIRECTOR)
_ORDER = list(ObservationStatus)


# -- routing and rights -------------------------------------------------------------------


def _routed_units(account: Account):
    """The ids of the units whose reports are routed to `account` (a subquery)."""
    return (select(Unit.id).join(Sector, Sector.id == Unit.sector_id)
            .where(or_(Unit.supervisor_id == account.id, Sector.director_id == account.id)))


def visible_reports(account: Account | None) -> Select:
    """A `select(Observation)` of the reports `account` may see (add order and limits to it)."""
    query = select(Observation)
    if account is None or not account.active:
        return query.where(false())
    if account.role is Role.WORKING_GROUP:
        return query
    if account.role in HANDLING_ROLES:
        return query.where(Observation.unit_id.in_(_routed_units(account)))
    return query.where(false())


def units_of(account: Account) -> list[Unit]:
    """The units whose reports come to `account` (as supervisor or director), in form order."""
    if not account.active or account.role not in HANDLING_ROLES:
        return []
    return list(db.session.scalars(
        select(Unit).join(Sector, Sector.id == Unit.sector_id).where(Unit.id.in_(_routed_units(account)))
        .options(selectinload(Unit.sector)).order_by(Sector.position, Sector.id, Unit.position, Unit.id)))


def _is_routed_to(account: Account, observation: Observation) -> bool:
    unit = observation.unit
    return account.id in (unit.supervisor_id, unit.sector.director_id)


def may_see(account: Account | None, observation: Observation) -> bool:
    """Whether `account` may read the report: its handler or director, or the working group."""
    if account is None or not account.active:
        return False
    if account.role is Role.WORKING_GROUP:
        return True
    return account.role in HANDLING_ROLES and _is_routed_to(account, observation)


def may_handle(account: Account | None, observation: Observation) -> bool:
    """Whether `account` may change the report's status and log notes: its supervisor or director."""
    if account is None or not account.active or account.role not in HANDLING_ROLES:
        return False
    return _is_routed_to(account, observation)


def report_for(account: Account | None, observation_id) -> Observation:
    """The report with this id if `account` may see it.

    :raise Problem: 404 when there is no such report or it is not the account's to see
        (the same answer, so nobody learns which reports exist).
    """
    observation = db.session.get(Observation, observation_id) if is_id(observation_id) else None
    if observation is None or not may_see(account, observation):
        raise Problem(_l("This report was not found."), status=404)
    return observation


# -- statuses -------------------------------------------------------------------------------


def allowed_statuses(current: ObservationStatus) -> list[ObservationStatus]:
    """The statuses a report in `current` may be moved to, in the course's order."""
    if current in FINAL_STATUSES:
        return [REOPENED_STATUS]
    later = [status for status in _ORDER if _ORDER.index(status) > _ORDER.index(current)]
    if current is ObservationStatus.FORWARDED:
        later.insert(0, ObservationStatus.FORWARDED)  # forwarded again, to another place
    return later


@dataclass(frozen=True)
class _Change:
    """A checked request for a log entry: a new status (None: a note alone), where, the note."""

    status: ObservationStatus | None
    forwarded_to: ForwardedTo | None
    note: str


def _read_change(data: Mapping) -> _Change:
    """The fields of a change, checked before anything is written."""
    data = require_mapping(data)
    status = _enum_field(data, "status", ObservationStatus, _l("Choose a status from the list."))
    forwarded_to = _enum_field(data, "forwarded_to", ForwardedTo, _l("Choose where the report is forwarded."))
    note = text_field(data, "note", NOTE_MAX_LENGTH, required=False,
                      too_long_message=_l("A note for the reporter can have at most %(limit)s characters.",
                                         limit=NOTE_MAX_LENGTH))
    return _Change(status, forwarded_to, note)


def _enum_field(data: Mapping, name: str, enum_class, message):
    value = data.get(name)
    if value is None or value == "":
        return None
    try:
        return enum_class(value)
    except ValueError:
        raise Problem(message, field=name, status=422) from None


def _check_move(observation: Observation, change: _Change) -> _Change:
    """The change as it will be logged: a note alone when it names no new status.

    :raise Problem: 422 with the field at fault.
    """
    current = observation.status
    status = change.status
    forwarded_again = (status is current is ObservationStatus.FORWARDED and change.forwarded_to is not None
                       and change.forwarded_to is not observation.forwarded_to)
    if status is current and not forwarded_again:
        if not change.note and current is ObservationStatus.FORWARDED and change.forwarded_to is not None:
            raise Problem(_l("The report is already forwarded there. Choose another place, or add a note only."),
                          field="forwarded_to", status=422)
        status = None  # the status it has already: a note for the log
    if status is None:
        if not change.note:
            raise Problem(_l("Write the note first, or choose a new status."), field="note", status=422)
        return _Change(None, None, change.note)
    if status not in allowed_statuses(current):
        names = dict(status_labels())
        if current in FINAL_STATUSES:
            message = _l("A report that is %(current)s can only be opened again: choose %(reopened)s and say why.",
                         current=names[current.value].lower(), reopened=names[REOPENED_STATUS.value])
        elif status is ObservationStatus.RECEIVED:
            message = _l("Received is only the first status of a report; it cannot be chosen again.")
        else:
            message = _l("A report that is %(current)s cannot go back to %(new)s: the status only moves forward, "
                         "or to Closed.", current=names[current.value].lower(), new=names[status.value].lower())
        raise Problem(message, field="status", status=422)
    if status is ObservationStatus.FORWARDED and change.forwarded_to is None:
        raise Problem(_l("Choose where the report is forwarded."), field="forwarded_to", status=422)
    if status is ObservationStatus.CLOSED and not change.note:
        raise Problem(_l("Say why the report is closed: the reporter reads this."), field="note", status=422)
    if current in FINAL_STATUSES and not change.note:
        raise Problem(_l("Say why the report is opened again: the reporter reads this."), field="note", status=422)
    return _Change(status, change.forwarded_to if status is ObservationStatus.FORWARDED else None, change.note)


def change_status(account: Account, observation_id, data: Mapping) -> ObservationEvent:
    """Log a new status of a report, or a note alone, and return the new log entry.

    `data`: `status` (a value of `ObservationStatus`; empty or the current one: a note
    alone), `forwarded_to` (a value of `ForwardedTo`, required for "forwarded") and `note`
    (at most 1000 characters, shown to the reporter; required to close, to reopen and for a
    note alone). One commit; the entry's notice is "pending" when the reporter left contact
    details (call `notices.deliver_pending()` after it).

    :raise Problem: 404 not the account's to see; 403 seen but not handled by it (the
        working group); 422 a move that is not allowed or a missing or bad field.
    """
    change = _read_change(data)
    begin_write()
    observation = report_for(account, observation_id)
    if not may_handle(account, observation):
        raise Problem(_l("Only the unit's supervisor and the director handle this report."), status=403)
    change = _check_move(observation, change)
    now = utcnow()
    if change.status is not None:
        observation.status = change.status
        if change.forwarded_to is not None:
            observation.forwarded_to = change.forwarded_to
    observation.updated_at = now
    event = ObservationEvent(
        observation_id=observation.id,
        # A note alone is logged under the status the report has (and where it was forwarded).
        status=observation.status,
        forwarded_to=(change.forwarded_to if change.status is not None
                      else observation.forwarded_to if observation.status is ObservationStatus.FORWARDED else None),
        note=change.note, account_id=account.id, created_at=now,
        notice="pending" if observation.contact.strip() else "")
    db.session.add(event)
    db.session.commit()
    return event


def add_note(account: Account, observation_id, note: str) -> ObservationEvent:
    """Log a note alone (the status stays); the reporter reads it. See `change_status`."""
    return change_status(account, observation_id, {"note": note})


# -- the progress log ----------------------------------------------------------------------


@dataclass
class LogEntry:
    """One entry of the progress log as the pages show it: the event and whether it
    changed the status (or where the report was forwarded) or only added a note."""

    event: ObservationEvent
    changed: bool


def log_of(observation: Observation) -> list[LogEntry]:
    """The report's progress log, oldest first (the order it happened in)."""
    events = list(db.session.scalars(
        select(ObservationEvent).where(ObservationEvent.observation_id == observation.id)
        .options(selectinload(ObservationEvent.account))
        .order_by(ObservationEvent.created_at, ObservationEvent.id)))
    entries, before = [], None
    for event in events:
        now = (event.status, event.forwarded_to)
        entries.append(LogEntry(event, changed=before is None or now != before))
        before = now
    return entries


def untold_events(observation: Observation) -> list[ObservationEvent]:
    """The log entries the reporter has not been told about yet, oldest first."""
    return list(db.session.scalars(
        select(ObservationEvent).where(ObservationEvent.observation_id == observation.id,
                                       ObservationEvent.notice.in_(UNTOLD_NOTICES))
        .order_by(ObservationEvent.created_at, ObservationEvent.id)))


# -- the inbox ---------------------------------------------------------------------------


@dataclass
class Inbox:
    """What the inbox page shows: the chosen filter, the reports newest first (at most
    `INBOX_LIMIT`), and the number of reports under each filter (`open`, `all`, and each
    status's value), for the tabs."""

    filter: str
    reports: list[Observation]
    counts: dict[str, int]
    untold: set[int] = field(default_factory=set)  # ids of reports whose reporter is still to be told
    limited: bool = False

    def is_untold(self, observation: Observation) -> bool:
        """Whether the reporter of this report is still to be told of a change."""
        return observation.id in self.untold


def inbox_filters() -> list[str]:
    """The inbox's filters in the tabs' order: open, every status, all."""
    return [OPEN_FILTER, *(status.value for status in ObservationStatus), ALL_FILTER]


def inbox(account: Account, status: str | None = None) -> Inbox:
    """The reports `account` may see under one filter (`status`: "open" (the default),
    "all" or a status's value), newest received first, with the counts for every filter.

    :raise Problem: 404 an unknown filter.
    """
    chosen = status or OPEN_FILTER
    if chosen not in inbox_filters():
        raise Problem(_l("There is no such list of reports."), status=404)
    visible = visible_reports(account)
    counted = db.session.execute(
        visible.with_only_columns(Observation.status, func.count()).group_by(Observation.status))
    counts = {status.value: 0 for status in ObservationStatus}
    for row_status, count in counted:
        counts[row_status.value] = count
    counts[ALL_FILTER] = sum(counts[status.value] for status in ObservationStatus)
    counts[OPEN_FILTER] = sum(counts[status.value] for status in OPEN_STATUSES)

    query = visible.options(selectinload(Observation.unit).selectinload(Unit.sector))
    if chosen == OPEN_FILTER:
        query = query.where(Observation.status.in_(OPEN_STATUSES))
    elif chosen != ALL_FILTER:
        query = query.where(Observation.status == ObservationStatus(chosen))
    reports = list(db.session.scalars(
        query.order_by(Observation.created_at.desc(), Observation.id.desc()).limit(INBOX_LIMIT + 1)))
    limited = len(reports) > INBOX_LIMIT
    reports = reports[:INBOX_LIMIT]
    untold = set()
    if reports:
        untold = set(db.session.scalars(
            select(ObservationEvent.observation_id).distinct()
            .where(ObservationEvent.observation_id.in_([report.id for report in reports]),
                   ObservationEvent.notice.in_(UNTOLD_NOTICES))))
    return Inbox(chosen, reports, counts, untold, limited)


def status_name(status: ObservationStatus | str | None) -> str:
    """A status's name in the current language."""
    return label(status_labels(), status)
