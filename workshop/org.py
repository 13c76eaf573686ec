"""The organisation of professionals' social reporting: sectors and units, areas, services,
and who handles what (issue 7).

Every report names its unit; the unit's supervisor and its sector's director get it
(`processing.py`). Areas are municipalities, some with areas inside them. Nothing here is
ever deleted once a report may refer to it: a retired choice is only left off the form.

This module holds the reading side used by the form and the summaries; the admin's
changes and the import (`flask --app workshop org import FILE`) are below it.
"""
from __future__ import annotations

import csv
import io
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field

import yaml
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from .accounts import accounts_with_role, create_account, username_key
from .database import begin_write
from .extensions import db
from .inputs import choice_field, int_field, is_id, require_mapping
from .models import Account, Area, Organisation, Role, Sector, Service, Unit, utcnow
from .problems import Problem

#: The form key's length in bytes of randomness (its URL-safe text is about 1.3 times as long).
FORM_KEY_BYTES = 24


def organisation() -> Organisation | None:
    """The organisation's settings row, or None before anything was set up."""
    return db.session.scalar(select(Organisation).order_by(Organisation.id).limit(1))


def ensure_organisation() -> Organisation:
    """The settings row, made (with a new form key) and committed if there was none."""
    found = organisation()
    if found is not None:
        return found
    begin_write()
    found = organisation()
    if found is None:
        found = Organisation(form_key=secrets.token_urlsafe(FORM_KEY_BYTES))
        db.session.add(found)
        db.session.commit()
    return found


def form_key_matches(key: str) -> bool:
    """Whether `key` is the organisation's form key (compared in constant time)."""
    found = organisation()
    return found is not None and isinstance(key, str) and secrets.compare_digest(key.encode(), found.form_key.encode())


def unit_choices(*, active_only: bool = True) -> list[tuple[str, list[tuple[int, str]]]]:
    """The units grouped by sector, both in their order: [(sector name, [(unit id, name)])]."""
    query = select(Sector).order_by(Sector.position, Sector.id)
    if active_only:
        query = query.where(Sector.active.is_(True))
    groups = []
    for sector in db.session.scalars(query):
        units = [(unit.id, unit.name) for unit in sector.units if unit.active or not active_only]
        if units:
            groups.append((sector.name, units))
    return groups


def area_choices(*, active_only: bool = True) -> list[tuple[int, str]]:
    """The areas, each municipality followed by the areas inside it: [(id, name)]."""
    query = select(Area).order_by(Area.position, Area.id)
    if active_only:
        query = query.where(Area.active.is_(True))
    areas = list(db.session.scalars(query))
    inside: dict[int, list[Area]] = {}
    for area in areas:
        if area.municipality_id is not None:
            inside.setdefault(area.municipality_id, []).append(area)
    ordered = []
    for area in areas:
        if area.municipality_id is None:
            ordered.append(area)
            ordered.extend(inside.pop(area.id, []))
    for orphans in inside.values():  # an area whose municipality was retired
        ordered.extend(orphans)
    return [(area.id, area.name) for area in ordered]


def service_choices(*, active_only: bool = True) -> list[tuple[int, str]]:
    """The services in their order: [(id, name)]."""
    query = select(Service).order_by(Service.position, Service.id)
    if active_only:
        query = query.where(Service.active.is_(True))
    return [(service.id, service.name) for service in db.session.scalars(query)]


def active_unit(unit_id: int) -> Unit | None:
    """The unit with this id if it is on the form now (it and its sector are active)."""
    unit = db.session.get(Unit, unit_id)
    if unit is None or not unit.active or not unit.sector.active:
        return None
    return unit


def active_area(area_id: int) -> Area | None:
    """The area with this id if it is on the form now."""
    area = db.session.get(Area, area_id)
    return area if area is not None and area.active else None


def active_service(service_id: int) -> Service | None:
    """The service with this id if it is on the form now."""
    service = db.session.get(Service, service_id)
    return service if service is not None and service.active else None


def municipality_of(area: Area) -> Area:
    """The municipality an area is in (itself, if it is one)."""
    return area.municipality if area.municipality is not None else area


# -- the admin's changes --------------------------------------------------------------------
#
# Every rule takes what a form (or a test) sends as a mapping, reads all of it before the
# first write, and raises a `Problem` naming the field at fault. Names are compared
# trimmed and case-insensitively ("pori" is "Pori"), inside runs of blanks made one space.

#: The longest name of a sector, unit, area or service (the columns hold this many).
NAME_MAX_LENGTH = 120
#: The longest name of the organisation.
ORGANISATION_NAME_MAX_LENGTH = 200
#: The roles the admin makes accounts for (facilitators and outreach workers are made on
#: the command line with `facilitator create`, as before).
SETTINGS_ROLES = (Role.HANDLER, Role.DIRECTOR, Role.WORKING_GROUP, Role.ADMIN)


def clean_name(value, field_name: str = "name", max_length: int = NAME_MAX_LENGTH) -> str:
    """A name as stored: text, trimmed, blanks inside made single spaces, not empty, not too long.

    :raise Problem: 422 not text, empty, or longer than `max_length` characters.
    """
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise Problem(_l("This must be text."), field=field_name, status=422)
    name = " ".join(value.replace("\x00", "").split())
    if not name:
        raise Problem(_l("Give a name."), field=field_name, status=422)
    if len(name) > max_length:
        raise Problem(_l("A name can have at most %(limit)s characters.", limit=max_length), field=field_name,
                      status=422)
    return name


def name_key(name: str) -> str:
    """The form names are compared in: blanks collapsed and case-folded."""
    return " ".join(name.split()).casefold()


def all_sectors() -> list[Sector]:
    """Every sector in its order, retired ones too (each with its units in their order)."""
    return list(db.session.scalars(select(Sector).order_by(Sector.position, Sector.id)))


def all_units() -> list[Unit]:
    """Every unit, retired ones too, in the order of their sectors and then their own."""
    return [unit for sector in all_sectors() for unit in sector.units]


def area_tree() -> list[tuple[Area, list[Area]]]:
    """Every area, retired ones too: each municipality with the areas inside it, in order."""
    areas = list(db.session.scalars(select(Area).order_by(Area.position, Area.id)))
    inside: dict[int, list[Area]] = {}
    for area in areas:
        if area.municipality_id is not None:
            inside.setdefault(area.municipality_id, []).append(area)
    return [(area, inside.get(area.id, [])) for area in areas if area.municipality_id is None]


def all_services() -> list[Service]:
    """Every service in its order, retired ones too."""
    return list(db.session.scalars(select(Service).order_by(Service.position, Service.id)))


def set_organisation_name(data: Mapping) -> Organisation:
    """Set the organisation's `name` (shown on the form and the summaries).

    :raise Problem: 422 no name, or one longer than 200 characters.
    """
    data = require_mapping(data)
    name = clean_name(data.get("name"), max_length=ORGANISATION_NAME_MAX_LENGTH)
    found = ensure_organisation()
    begin_write()
    found.name = name
    found.updated_at = utcnow()
    db.session.commit()
    return found


def renew_form_key() -> Organisation:
    """Give the form a new key: the old address (and its QR code) stops working at once.

    For when the link has leaked outside the organisation.
    """
    found = ensure_organisation()
    begin_write()
    found.form_key = secrets.token_urlsafe(FORM_KEY_BYTES)
    found.updated_at = utcnow()
    db.session.commit()
    return found


def add_sector(data: Mapping) -> Sector:
    """Add a sector: `name` and its `director` (an active director's account id, or empty).

    :raise Problem: 422 no or a taken name, or the director is not an active director.
    """
    data = require_mapping(data)
    name = clean_name(data.get("name"))
    director = _account_with_role(data, "director", Role.DIRECTOR)
    begin_write()
    _refuse_taken(name, [(sector.id, sector.name) for sector in all_sectors()], None,
                  lambda other: _l("There is already a sector called %(name)s.", name=other))
    sector = Sector(name=name, director_id=director.id if director else None,
                    position=_next_position(Sector.position))
    db.session.add(sector)
    db.session.commit()
    return sector


def update_sector(sector_id: int, data: Mapping) -> Sector:
    """Rename a sector (`name`) and set its `director` (an active director's id, or empty).

    :raise Problem: 404 no such sector; 422 as for `add_sector`.
    """
    data = require_mapping(data)
    name = clean_name(data.get("name"))
    director = _account_with_role(data, "director", Role.DIRECTOR)
    begin_write()
    sector = _row(Sector, sector_id)
    _refuse_taken(name, [(other.id, other.name) for other in all_sectors()], sector.id,
                  lambda other: _l("There is already a sector called %(name)s.", name=other))
    sector.name = name
    sector.director_id = director.id if director else None
    db.session.commit()
    return sector


def add_unit(data: Mapping) -> Unit:
    """Add a work unit: its `sector` (id), `name` and `supervisor` (an active supervisor's
    account id, or empty). Names are unique within a sector.

    :raise Problem: 422 no such active sector, no or a taken name, or the supervisor is not
        an active supervisor.
    """
    data = require_mapping(data)
    name = clean_name(data.get("name"))
    supervisor = _account_with_role(data, "supervisor", Role.HANDLER)
    sector_id = int_field(data, "sector")
    begin_write()
    sector = _sector_for_unit(sector_id, None)
    _refuse_taken(name, [(unit.id, unit.name) for unit in sector.units], None,
                  lambda other: _l("The sector %(sector)s already has a unit called %(name)s.",
                                   sector=sector.name, name=other))
    unit = Unit(sector=sector, name=name, supervisor_id=supervisor.id if supervisor else None,
                position=_next_position(Unit.position, Unit.sector_id == sector.id))
    db.session.add(unit)
    db.session.commit()
    return unit


def update_unit(unit_id: int, data: Mapping) -> Unit:
    """Rename a unit, move it to another `sector` and set its `supervisor` (or none).

    Its reports move with it: they refer to the unit, so the new sector's director gets them.

    :raise Problem: 404 no such unit; 422 as for `add_unit`.
    """
    data = require_mapping(data)
    name = clean_name(data.get("name"))
    supervisor = _account_with_role(data, "supervisor", Role.HANDLER)
    sector_id = int_field(data, "sector")
    begin_write()
    unit = _row(Unit, unit_id)
    sector = _sector_for_unit(sector_id, unit)
    _refuse_taken(name, [(other.id, other.name) for other in sector.units], unit.id,
                  lambda other: _l("The sector %(sector)s already has a unit called %(name)s.",
                                   sector=sector.name, name=other))
    if unit.sector_id != sector.id:
        unit.position = _next_position(Unit.position, Unit.sector_id == sector.id)
        unit.sector = sector
    unit.name = name
    unit.supervisor_id = supervisor.id if supervisor else None
    db.session.commit()
    return unit


def add_area(data: Mapping) -> Area:
    """Add an area: `name`, and the `municipality` (an area id) it is inside, or empty for a
    municipality. Areas go one level deep: a municipality cannot be inside another.

    :raise Problem: 422 no or a taken name, or a municipality that is not one.
    """
    data = require_mapping(data)
    name = clean_name(data.get("name"))
    municipality_id = int_field(data, "municipality", required=False)
    begin_write()
    _refuse_taken(name, _area_names(), None,
                  lambda other: _l("There is already an area called %(name)s.", name=other))
    municipality = _municipality_for(municipality_id, None)
    area = Area(name=name, municipality=municipality, position=_next_position(Area.position))
    db.session.add(area)
    db.session.commit()
    return area


def update_area(area_id: int, data: Mapping) -> Area:
    """Rename an area and set the `municipality` it is inside (empty: it is a municipality).

    :raise Problem: 404 no such area; 422 as for `add_area`, or it has areas inside it
        and would itself go inside one.
    """
    data = require_mapping(data)
    name = clean_name(data.get("name"))
    municipality_id = int_field(data, "municipality", required=False)
    begin_write()
    area = _row(Area, area_id)
    _refuse_taken(name, _area_names(), area.id,
                  lambda other: _l("There is already an area called %(name)s.", name=other))
    area.municipality = _municipality_for(municipality_id, area)
    area.name = name
    db.session.commit()
    return area


def add_service(data: Mapping) -> Service:
    """Add a service by its `name`.

    :raise Problem: 422 no or a taken name.
    """
    data = require_mapping(data)
    name = clean_name(data.get("name"))
    begin_write()
    _refuse_taken(name, [(service.id, service.name) for service in all_services()], None,
                  lambda other: _l("There is already a service called %(name)s.", name=other))
    service = Service(name=name, position=_next_position(Service.position))
    db.session.add(service)
    db.session.commit()
    return service


def update_service(service_id: int, data: Mapping) -> Service:
    """Rename a service (`name`).

    :raise Problem: 404 no such service; 422 no or a taken name.
    """
    data = require_mapping(data)
    name = clean_name(data.get("name"))
    begin_write()
    service = _row(Service, service_id)
    _refuse_taken(name, [(other.id, other.name) for other in all_services()], service.id,
                  lambda other: _l("There is already a service called %(name)s.", name=other))
    service.name = name
    db.session.commit()
    return service


def set_active(kind: str, row_id: int, active: bool) -> Sector | Unit | Area | Service:
    """Retire (`active=False`) or reactivate a sector, unit, area or service.

    Nothing is deleted: reports keep referring to a retired one, and the summaries still
    count them under its name; it is only left off the form. A retired sector takes its
    units off the form with it; a retired municipality leaves its areas on it.

    :raise Problem: 404 no such row (or an unknown kind).
    """
    model = {"sector": Sector, "unit": Unit, "area": Area, "service": Service}.get(kind)
    if model is None:
        raise Problem(_l("There is no such thing to change."), status=404)
    begin_write()
    row = _row(model, row_id)
    row.active = bool(active)
    db.session.commit()
    return row


def staff_accounts() -> list[tuple[Role, list[Account]]]:
    """The accounts of the reporting roles, by role in `SETTINGS_ROLES` order, each by name."""
    return [(role, accounts_with_role(role)) for role in SETTINGS_ROLES]


def create_staff_account(data: Mapping) -> Account:
    """Make an account: `username`, `password` (and `password_again`, when given, the same)
    and a `role` of `SETTINGS_ROLES` (by value: handler, director, working_group, admin).

    :raise Problem: 422 an unknown role, the passwords differ, or as `create_account`
        refuses (a name empty, too long or taken; a password too short).
    """
    data = require_mapping(data)
    role = choice_field(data, "role", tuple(role.value for role in SETTINGS_ROLES))
    username, password = data.get("username"), data.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        raise Problem(_l("Give a user name and a password."), field="username", status=422)
    again = data.get("password_again")
    if again is not None and again != password:
        raise Problem(_l("The two passwords are not the same."), field="password_again", status=422)
    try:
        return create_account(username, password, Role(role))
    except Problem as problem:
        problem.status = 422
        raise


def set_account_active(acting: Account, account_id: int, active: bool) -> Account:
    """Deactivate (`active=False`) or reactivate an account of a reporting role.

    A deactivated account cannot log in; everything it wrote stays. An admin cannot
    deactivate themselves (someone must be left to undo it), and a director or supervisor
    whom a sector or unit on the form routes its reports to is replaced there first, so
    that no report goes to an account nobody reads.

    :raise Problem: 404 no such account of these roles; 409 one's own account, or the
        account still receives reports.
    """
    begin_write()
    account = db.session.get(Account, account_id) if is_id(account_id) else None
    if account is None or account.role not in SETTINGS_ROLES:
        raise Problem(_l("There is no such account."), status=404)
    if not active:
        if account.id == acting.id:
            raise Problem(_l("You cannot deactivate your own account."), status=409)
        for sector in all_sectors():
            if sector.active and sector.director_id == account.id:
                raise Problem(_l("%(name)s is the director of %(sector)s. Choose another director for it first.",
                                 name=account.username, sector=sector.name), status=409)
        for unit in all_units():
            if unit.active and unit.sector.active and unit.supervisor_id == account.id:
                raise Problem(_l("%(name)s is the supervisor of %(unit)s. Choose another supervisor for it first.",
                                 name=account.username, unit=unit.name), status=409)
    account.active = bool(active)
    db.session.commit()
    return account


def _row(model, row_id):
    """:raise Problem: 404 no row of `model` with this id."""
    row = db.session.get(model, row_id) if is_id(row_id) else None
    if row is None:
        raise Problem(_l("There is no such thing to change. Someone may have changed the settings; reload the page."),
                      status=404)
    return row


def _next_position(column, *where) -> int:
    """The position after the last one (of the rows `where` selects)."""
    last = db.session.scalar(select(func.max(column)).where(*where))
    return (last or 0) + 1


def _refuse_taken(name: str, existing: list[tuple[int, str]], own_id: int | None, message) -> None:
    """:raise Problem: 422 another row of `existing` (id, name) has this name (in any case);
    `message(other's name)` says so."""
    key = name_key(name)
    for row_id, other in existing:
        if row_id != own_id and name_key(other) == key:
            raise Problem(message(other), field="name", status=422)


def _area_names() -> list[tuple[int, str]]:
    return list(db.session.execute(select(Area.id, Area.name)).tuples())


def _account_with_role(data: Mapping, field: str, role: Role) -> Account | None:
    """The account of id `data[field]`, which must be active and have `role`; None if empty.

    :raise Problem: 422 no such account, a deactivated one, or another role.
    """
    account_id = int_field(data, field, required=False)
    if account_id is None:
        return None
    account = db.session.get(Account, account_id)
    if account is None or account.role is not role:
        message = (_l("Choose a director: an account with the director's role.") if role is Role.DIRECTOR
                   else _l("Choose a supervisor: an account with the supervisor's role."))
        raise Problem(message, field=field, status=422)
    if not account.active:
        raise Problem(_l("The account %(name)s is deactivated. Reactivate it first, or choose another.",
                         name=account.username), field=field, status=422)
    return account


def _sector_for_unit(sector_id: int, unit: Unit | None) -> Sector:
    """The sector a unit is put in: it must exist, and be active unless the unit is in it already.

    :raise Problem: 422 no such sector, or a retired one.
    """
    sector = db.session.get(Sector, sector_id)
    if sector is None:
        raise Problem(_l("Choose the sector."), field="sector", status=422)
    if not sector.active and (unit is None or unit.sector_id != sector.id):
        raise Problem(_l("The sector %(name)s is retired. Reactivate it first.", name=sector.name),
                      field="sector", status=422)
    return sector


def _municipality_for(municipality_id: int | None, area: Area | None) -> Area | None:
    """The municipality an area is put inside (None: it is one), checked one level deep.

    :raise Problem: 422 no such area, the area itself, an area that is inside one, a
        retired one (unless the area is in it already), or the area has areas inside it.
    """
    if municipality_id is None:
        return None
    municipality = db.session.get(Area, municipality_id)
    if municipality is None:
        raise Problem(_l("Choose the municipality."), field="municipality", status=422)
    if area is not None and municipality.id == area.id:
        raise Problem(_l("An area cannot be inside itself."), field="municipality", status=422)
    if municipality.municipality_id is not None:
        raise Problem(_l("%(name)s is itself inside %(municipality)s. Areas go one level deep: choose a municipality.",
                         name=municipality.name, municipality=municipality.municipality.name),
                      field="municipality", status=422)
    if not municipality.active and (area is None or area.municipality_id != municipality.id):
        raise Problem(_l("The municipality %(name)s is retired. Reactivate it first.", name=municipality.name),
                      field="municipality", status=422)
    if area is not None:
        inner = db.session.scalar(select(Area.name).where(Area.municipality_id == area.id).order_by(Area.id).limit(1))
        if inner is not None:
            raise Problem(_l("%(name)s has areas inside it (such as %(inner)s), so it cannot be inside a municipality.",
                             name=area.name, inner=inner), field="municipality", status=422)
    return municipality


# -- the import: `flask --app workshop org import FILE` -----------------------------------
#
# A region keeps its organisation in a spreadsheet or a YAML file and loads it here. The
# file is merged by name: new rows are added, rows it names are set to what it says, and
# nothing is deleted (reports refer to it). The whole file is checked first and every
# error is reported with its line; only a file without errors is written, in one
# transaction. The formats are described, with examples, in docs/organisation.md.

#: The columns of an import CSV file; `kind` and `name` are required.
CSV_COLUMNS = ("kind", "name", "parent", "account", "active")
#: The kinds of line in an import CSV file.
IMPORT_KINDS = ("organisation", "sector", "unit", "area", "service")
#: How an import file may say yes or no in `active` (English, Finnish and Swedish).
_YES = frozenset({"yes", "true", "1", "on", "kyllä", "ja"})
_NO = frozenset({"no", "false", "0", "off", "ei", "nej"})


class ImportRefused(Exception):
    """The import file had errors; nothing was written. `errors` lists each one, in the
    order of the file, beginning with where it is ("line 7: ...")."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class ImportSummary:
    """What an import did: for each kind, how many rows were added, updated and unchanged."""

    counts: dict[str, dict[str, int]] = field(
        default_factory=lambda: {kind: {"added": 0, "updated": 0, "unchanged": 0} for kind in IMPORT_KINDS})

    def count(self, kind: str, outcome: str) -> None:
        """Count one row of `kind` as "added", "updated" or "unchanged"."""
        self.counts[kind][outcome] += 1

    @property
    def added(self) -> int:
        """Rows added, of every kind."""
        return sum(counts["added"] for counts in self.counts.values())

    @property
    def updated(self) -> int:
        """Rows changed, of every kind."""
        return sum(counts["updated"] for counts in self.counts.values())


@dataclass
class _Line:
    """One thing the file names, as read: the values are not checked yet."""

    where: str  # "line 7", or a YAML path when no line is known
    kind: str
    name: object
    parent: object = ""
    account: object = ""
    active: object = ""
    # Where a value is, when it is on a line of its own (YAML): its errors point there.
    wheres: dict[str, str] = field(default_factory=dict)

    def at(self, name: str) -> str:
        """Where the value `name` is."""
        return self.wheres.get(name, self.where)


def import_settings(content: bytes, filename: str, *, dry_run: bool = False) -> ImportSummary:
    """Merge the organisation in an import file (CSV or YAML, by `filename`'s ending) into
    the settings, in one transaction; with `dry_run`, check and count but write nothing.

    :raise ImportRefused: the file has errors, every one listed; nothing was written.
    """
    suffix = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    if suffix not in ("csv", "yaml", "yml"):
        raise ImportRefused([_("The file's name must end in .csv, .yaml or .yml.")])
    text = _decode(content)
    lines, errors = _read_csv(text) if suffix == "csv" else _read_yaml(text)
    if not lines and not errors:
        raise ImportRefused([_("The file names nothing to import.")])
    begin_write()  # checked under the write lock, so the file is written as it was checked
    try:
        plan = _Plan()
        errors = _check(lines, plan, errors)
        if errors:
            raise ImportRefused(sorted(errors, key=_error_order))
        summary = _apply(plan)
        if dry_run:
            db.session.rollback()
        else:
            db.session.commit()
        return summary
    except BaseException:
        db.session.rollback()
        raise


def _error_order(error: str) -> tuple[int, str]:
    """Errors in the order of the file: by their line number (those without one first)."""
    where = error.split(":", 1)[0]
    number = "".join(character for character in where if character.isdigit())
    return (int(number) if number else 0, error)


def _decode(content: bytes) -> str:
    """The file as text. :raise ImportRefused: not text, or not UTF-8."""
    if b"\x00" in content:
        raise ImportRefused([_("The file is not text. A spreadsheet must be saved as CSV (UTF-8) first.")])
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[:error.start].count(b"\n") + 1
        raise ImportRefused([_where(line) + ": " + _(
            "the file is not in UTF-8. Save it as CSV (UTF-8), or the YAML file in UTF-8.")]) from None


def _where(line: int) -> str:
    return _("line %(number)d", number=line)


# -- reading CSV --------------------------------------------------------------------------


def _read_csv(text: str) -> tuple[list[_Line], list[str]]:
    """The lines of a CSV file with a header of `CSV_COLUMNS` (comma or semicolon between).

    :raise ImportRefused: the header is wrong or the file is not CSV (no line can be read).
    """
    first = next((line for line in text.splitlines() if line.strip()), "")
    # A Finnish or Swedish spreadsheet saves CSV with semicolons (the comma is the decimal sign).
    delimiter = ";" if ";" in first and "," not in first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    columns: list[str] | None = None
    lines: list[_Line] = []
    errors: list[str] = []
    start = 1
    try:
        for row in reader:
            where, start = _where(start), reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            if columns is None:
                columns = _csv_columns(row, where)
                continue
            if len(row) > len(columns) and any(cell.strip() for cell in row[len(columns):]):
                errors.append(where + ": " + _("there are more values than columns."))
                continue
            values = dict(zip(columns, row))
            lines.append(_Line(where=where, kind=values.get("kind", "").strip().lower(), name=values.get("name", ""),
                               parent=values.get("parent", ""), account=values.get("account", ""),
                               active=values.get("active", "")))
    except csv.Error as error:
        errors.append(_where(reader.line_num) + ": " + _("this is not valid CSV (%(problem)s).", problem=str(error)))
    return lines, errors


def _csv_columns(row: list[str], where: str) -> list[str]:
    """The header's columns. :raise ImportRefused: an unknown, empty, repeated or missing column."""
    columns = [cell.strip().lower() for cell in row]
    errors = []
    known = ", ".join(CSV_COLUMNS)
    for number, column in enumerate(columns, start=1):
        if not column:
            errors.append(where + ": " + _("column %(number)d has no name (the columns are %(known)s).",
                                           number=number, known=known))
        elif column not in CSV_COLUMNS:
            errors.append(where + ": " + _("unknown column “%(column)s” (the columns are %(known)s).",
                                           column=row[number - 1].strip(), known=known))
        elif columns.index(column) != number - 1:
            errors.append(where + ": " + _("the column “%(column)s” is there twice.", column=column))
    for required in ("kind", "name"):
        if required not in columns:
            errors.append(where + ": " + _("the column “%(column)s” is missing (the first line must name the columns:"
                                           " %(known)s).", column=required, known=known))
    if errors:
        raise ImportRefused(errors)
    return columns


# -- reading YAML -------------------------------------------------------------------------


_YAML_NULL = "tag:yaml.org,2002:null"


def _read_yaml(text: str) -> tuple[list[_Line], list[str]]:
    """The lines of a YAML file: `organisation`, `sectors` (with `units`), `areas` (with
    `areas` inside), `services`. Only plain data is read (SafeLoader: no tags run code).

    :raise ImportRefused: not YAML, or not a mapping at the top.
    """
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = _where(mark.line + 1) + ": " if mark is not None else ""
        raise ImportRefused([where + _("this is not valid YAML (%(problem)s).",
                                       problem=error.problem or error.context or "")]) from None
    except yaml.YAMLError as error:
        raise ImportRefused([_("The file is not valid YAML (%(problem)s).", problem=str(error))]) from None
    if root is None:
        return [], []
    reader = _YamlReader()
    top = reader.mapping(root, "", ("organisation", "sectors", "areas", "services"))
    if top is None:
        raise ImportRefused(reader.errors)
    if "organisation" in top:
        node = top["organisation"]
        reader.lines.append(_Line(where=reader.where(node, "organisation"), kind="organisation",
                                  name=reader.scalar(node, "organisation")))
    for index, node in reader.items(top.get("sectors"), "sectors"):
        reader.sector(node, f"sectors[{index}]")
    for index, node in reader.items(top.get("areas"), "areas"):
        reader.area(node, f"areas[{index}]", municipality=None)
    for index, node in reader.items(top.get("services"), "services"):
        reader.simple(node, f"services[{index}]", "service")
    return reader.lines, reader.errors


class _Bad:
    """A value of the wrong shape (a list where text belongs); its error is reported already."""


class _YamlReader:
    """Walks the composed YAML nodes, keeping their lines, into `lines` and `errors`."""

    def __init__(self):
        self.lines: list[_Line] = []
        self.errors: list[str] = []

    def where(self, node, path: str) -> str:
        """The node's line, or its path when the node has none."""
        mark = getattr(node, "start_mark", None)
        return _where(mark.line + 1) if mark is not None else path

    def error(self, node, path: str, message: str) -> None:
        """Note an error at the node."""
        self.errors.append(self.where(node, path) + ": " + message)

    def mapping(self, node, path: str, keys: tuple[str, ...]) -> dict | None:
        """A mapping's values by key; an unknown or repeated key is an error (None: not a mapping)."""
        if not isinstance(node, yaml.MappingNode):
            self.error(node, path, _("expected keys here (%(known)s).", known=", ".join(keys)))
            return None
        found = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key not in keys:
                self.error(key_node, path, _("unknown key “%(key)s” (the keys here are %(known)s).",
                                             key=key if key is not None else "…", known=", ".join(keys)))
            elif key in found:
                self.error(key_node, path, _("the key “%(key)s” is given twice.", key=key))
            else:
                found[key] = value_node
        return found

    def items(self, node, path: str):
        """The (index, node) of a list; nothing (and an error) if it is not one; nothing if empty."""
        if node is None or (isinstance(node, yaml.ScalarNode) and node.tag == _YAML_NULL):
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.error(node, path, _("expected a list here (lines beginning with “- ”)."))
            return []
        return list(enumerate(node.value))

    def scalar(self, node, path: str):
        """A text value as written ("" for an empty one); `_Bad` (and an error) for a list or keys."""
        if node is None:
            return ""
        if not isinstance(node, yaml.ScalarNode):
            self.error(node, path, _("expected text here, not a list or keys."))
            return _Bad()
        return "" if node.tag == _YAML_NULL else node.value

    def _line(self, node, path: str, kind: str, values: dict, **fields) -> _Line:
        wheres = {name: self.where(values[key], path) for name, key in
                  (("name", "name"), ("account", "director"), ("account", "supervisor"), ("active", "active"))
                  if key in values}
        line = _Line(where=self.where(node, path), kind=kind, name=self.scalar(values.get("name"), path),
                     active=self.scalar(values.get("active"), path), wheres=wheres, **fields)
        self.lines.append(line)
        return line

    def sector(self, node, path: str) -> None:
        """A sector: its name, or keys name, director, units, active."""
        if isinstance(node, yaml.ScalarNode):
            self.lines.append(_Line(where=self.where(node, path), kind="sector", name=self.scalar(node, path)))
            return
        values = self.mapping(node, path, ("name", "director", "units", "active"))
        if values is None:
            return
        sector = self._line(node, path, "sector", values, account=self.scalar(values.get("director"), path))
        # Without a usable sector name its units have no parent; the sector's line says why.
        parent = sector.name if isinstance(sector.name, str) and sector.name.strip() else _Bad()
        for index, unit_node in self.items(values.get("units"), f"{path}.units"):
            unit_path = f"{path}.units[{index}]"
            if isinstance(unit_node, yaml.ScalarNode):
                self.lines.append(_Line(where=self.where(unit_node, unit_path), kind="unit",
                                        name=self.scalar(unit_node, unit_path), parent=parent))
                continue
            unit_values = self.mapping(unit_node, unit_path, ("name", "supervisor", "active"))
            if unit_values is not None:
                self._line(unit_node, unit_path, "unit", unit_values, parent=parent,
                           account=self.scalar(unit_values.get("supervisor"), unit_path))

    def area(self, node, path: str, municipality) -> None:
        """An area: its name, or keys name, areas (only in a municipality), active."""
        if isinstance(node, yaml.ScalarNode):
            self.lines.append(_Line(where=self.where(node, path), kind="area", name=self.scalar(node, path),
                                    parent=municipality if municipality is not None else ""))
            return
        if municipality is not None and isinstance(node, yaml.MappingNode) and any(
                isinstance(key, yaml.ScalarNode) and key.value == "areas" for key, _value in node.value):
            self.error(node, path, _("areas go one level deep: an area inside a municipality cannot have areas "
                                     "inside it."))
            return
        keys = ("name", "areas", "active") if municipality is None else ("name", "active")
        values = self.mapping(node, path, keys)
        if values is None:
            return
        area = self._line(node, path, "area", values, parent=municipality if municipality is not None else "")
        parent = area.name if isinstance(area.name, str) and area.name.strip() else _Bad()
        for index, inner in self.items(values.get("areas"), f"{path}.areas"):
            self.area(inner, f"{path}.areas[{index}]", municipality=parent)

    def simple(self, node, path: str, kind: str) -> None:
        """A service: its name, or keys name, active."""
        if isinstance(node, yaml.ScalarNode):
            self.lines.append(_Line(where=self.where(node, path), kind=kind, name=self.scalar(node, path)))
            return
        values = self.mapping(node, path, ("name", "active"))
        if values is not None:
            self._line(node, path, kind, values)


# -- checking -----------------------------------------------------------------------------


@dataclass
class _Plan:
    """The file's rows, checked, keyed by `name_key` (a unit's by its sector's key and its own)."""

    organisation: str | None = None
    sectors: dict[str, tuple[str, Account | None, bool]] = field(default_factory=dict)
    units: dict[tuple[str, str], tuple[str, Account | None, bool]] = field(default_factory=dict)
    areas: dict[str, tuple[str, str | None, bool]] = field(default_factory=dict)
    services: dict[str, tuple[str, bool]] = field(default_factory=dict)


def _check(lines: list[_Line], plan: _Plan, errors: list[str]) -> list[str]:
    """Check every line against the others and the settings; fill `plan`; return every error."""
    errors = list(errors)
    seen: dict[tuple, str] = {}  # each row's key → where it was first named
    unit_wheres: dict[tuple[str, str], _Line] = {}
    area_wheres: dict[str, _Line] = {}
    for line in lines:
        problems: list[str] = []

        def fail(where: str, message) -> None:
            problems.append(where + ": " + str(message))

        if line.kind not in IMPORT_KINDS:
            fail(line.where, _("unknown kind “%(kind)s” (the kinds are %(known)s).", kind=line.kind,
                               known=", ".join(IMPORT_KINDS)) if line.kind else
                 _("the kind is missing (%(known)s).", known=", ".join(IMPORT_KINDS)))
            errors.extend(problems)
            continue
        limit = ORGANISATION_NAME_MAX_LENGTH if line.kind == "organisation" else NAME_MAX_LENGTH
        # A value of the wrong shape (_Bad) was reported when the file was read: the line
        # fails (an empty problem) without a second message.
        name = None
        if isinstance(line.name, _Bad):
            problems.append("")
        else:
            name = _checked(lambda: clean_name(line.name, max_length=limit), line.at("name"), fail)
        active = _active(line, fail)
        parent = None
        if line.kind in ("unit", "area") and isinstance(line.parent, _Bad):
            problems.append("")  # its sector's or municipality's name is reported on its own line
        elif line.kind in ("unit", "area") and _given(line.parent):
            parent = _checked(lambda: clean_name(line.parent), line.where, fail)
        elif line.kind == "unit":
            fail(line.where, _("a unit needs its sector in the “parent” column."))
        elif _given(line.parent):
            fail(line.where, _("a %(kind)s has no parent: leave “parent” empty.", kind=line.kind))
        account = None
        if line.kind in ("sector", "unit"):
            account = _import_account(line, Role.DIRECTOR if line.kind == "sector" else Role.HANDLER, fail)
        elif _given(line.account):
            fail(line.at("account"), _("a %(kind)s has no account: leave “account” empty.", kind=line.kind))

        if name is not None and (line.kind not in ("unit",) or parent is not None):
            key = (line.kind, name_key(parent), name_key(name)) if line.kind == "unit" else (line.kind, name_key(name))
            if line.kind == "organisation":
                key = ("organisation",)
            if key in seen:
                fail(line.at("name"), _("“%(name)s” is already on %(where)s.", name=name, where=seen[key]))
            else:
                seen[key] = line.where
        if problems:
            errors.extend(problem for problem in problems if problem)
            continue
        if line.kind == "organisation":
            plan.organisation = name
        elif line.kind == "sector":
            plan.sectors[name_key(name)] = (name, account, active)
        elif line.kind == "unit":
            unit_key = (name_key(parent), name_key(name))
            plan.units[unit_key] = (name, account, active)
            unit_wheres[unit_key] = line
        elif line.kind == "area":
            plan.areas[name_key(name)] = (name, name_key(parent) if parent else None, active)
            area_wheres[name_key(name)] = line
        else:
            plan.services[name_key(name)] = (name, active)

    # A sector named on a line with errors is known too: its units need no error of their own.
    sectors_known = {key[1] for key in seen if key[0] == "sector"} | {name_key(sector.name) for sector in all_sectors()}
    for (sector_key, _unit_key), line in unit_wheres.items():
        if sector_key not in sectors_known:
            errors.append(line.where + ": " + _("there is no sector “%(sector)s” in the file or in the settings.",
                                                sector=" ".join(str(line.parent).split())))
    errors.extend(_check_area_levels(plan, area_wheres, {key[1] for key in seen if key[0] == "area"}))
    return errors


def _checked(read, where: str, fail):
    """`read()`'s value, or None after noting its `Problem` at `where`."""
    try:
        return read()
    except Problem as problem:
        fail(where, _lower_first(str(problem.message)))
        return None


def _lower_first(message: str) -> str:
    # "line 7: give a name." reads as one sentence after the line number.
    return message if message[1:2].isupper() else message[:1].lower() + message[1:]


def _given(value) -> bool:
    return isinstance(value, _Bad) or (value is not None and str(value).strip() != "")


def _active(line: _Line, fail) -> bool:
    """Whether the line's row is on the form: yes when not said (the file lists it)."""
    value = line.active
    if isinstance(value, _Bad):
        return True
    text = str(value or "").strip().casefold()
    if not text or text in _YES:
        return True
    if text in _NO:
        return False
    fail(line.at("active"), _("“active” must be yes or no, not “%(value)s”.", value=str(value).strip()))
    return True


def _import_account(line: _Line, role: Role, fail) -> Account | None:
    """The account a sector (its director) or a unit (its supervisor) names; None if empty."""
    value = line.account
    if isinstance(value, _Bad) or not _given(value):
        return None
    username = str(value).strip()
    account = db.session.scalar(select(Account).where(Account.username_key == username_key(username)))
    where = line.at("account")
    if account is None:
        fail(where, _("there is no account “%(name)s”.", name=username))
    elif account.role is not role:
        fail(where, _("the account “%(name)s” is not a director.", name=username) if role is Role.DIRECTOR else
             _("the account “%(name)s” is not a supervisor (its role must be handler).", name=username))
    elif not account.active:
        fail(where, _("the account “%(name)s” is deactivated.", name=username))
    else:
        return account
    return None


def _check_area_levels(plan: _Plan, area_wheres: dict[str, _Line], named: set[str]) -> list[str]:
    """Errors for areas whose municipality is missing, themselves, or inside one (one level only).

    `named`: every area the file names, with errors or not (those are not "missing")."""
    errors = []
    names = {name_key(area.name): area.name for area, _inner in area_tree()}
    final: dict[str, str | None] = {}
    for municipality, inner in area_tree():
        final[name_key(municipality.name)] = None
        for area in inner:
            final[name_key(area.name)] = name_key(municipality.name)
            names[name_key(area.name)] = area.name
    for key, (name, parent, _active_now) in plan.areas.items():
        final[key] = parent
        names[key] = name
    for key, (name, parent, _active_now) in list(plan.areas.items()):
        where = area_wheres[key].where
        if parent is None:
            continue
        if parent == key:
            errors.append(where + ": " + _("“%(name)s” cannot be inside itself.", name=name))
        elif parent not in final and parent not in named:
            errors.append(where + ": " + _("there is no area “%(municipality)s” in the file or in the settings.",
                                           municipality=" ".join(str(area_wheres[key].parent).split())))
        elif parent not in final:
            continue  # its municipality's own line has the error
        elif final[parent] is not None:
            errors.append(where + ": " + _(
                "“%(name)s” is inside “%(municipality)s”, which is itself inside “%(outer)s”: areas go one level "
                "deep.", name=name, municipality=names[parent], outer=names[final[parent]]))
        else:
            inner = sorted(names[other] for other, other_parent in final.items()
                           if other_parent == key and other not in plan.areas)
            if inner:
                errors.append(where + ": " + _(
                    "“%(name)s” has areas inside it in the settings (%(inner)s), so it cannot be inside "
                    "“%(municipality)s”.", name=name, inner=", ".join(inner), municipality=names[parent]))
    return errors


# -- writing ------------------------------------------------------------------------------


def _apply(plan: _Plan) -> ImportSummary:
    """Write the checked plan into the session (not committed); count what changed."""
    summary = ImportSummary()
    if plan.organisation is not None:
        found = organisation()
        if found is None:
            db.session.add(Organisation(name=plan.organisation, form_key=secrets.token_urlsafe(FORM_KEY_BYTES)))
            summary.count("organisation", "added")
        else:
            summary.count("organisation", _set(found, name=plan.organisation))

    sectors = {name_key(sector.name): sector for sector in all_sectors()}
    position = _next_position(Sector.position)
    for key, (name, director, active) in plan.sectors.items():
        director_id = director.id if director else None
        if key in sectors:
            summary.count("sector", _set(sectors[key], name=name, director_id=director_id, active=active))
        else:
            sectors[key] = Sector(name=name, director_id=director_id, active=active, position=position)
            position += 1
            db.session.add(sectors[key])
            summary.count("sector", "added")

    units = {(name_key(sector.name), name_key(unit.name)): unit for sector in sectors.values() for unit in sector.units}
    for (sector_key, key), (name, supervisor, active) in plan.units.items():
        supervisor_id = supervisor.id if supervisor else None
        if (sector_key, key) in units:
            summary.count("unit", _set(units[sector_key, key], name=name, supervisor_id=supervisor_id, active=active))
        else:
            sector = sectors[sector_key]
            place = max((unit.position for unit in sector.units), default=0) + 1
            db.session.add(Unit(sector=sector, name=name, supervisor_id=supervisor_id, active=active, position=place))
            summary.count("unit", "added")

    areas = {name_key(area.name): area for area in db.session.scalars(select(Area))}
    position = _next_position(Area.position)
    # Municipalities first, so that an area inside a new one finds it.
    for key, (name, parent, active) in sorted(plan.areas.items(), key=lambda item: item[1][1] is not None):
        municipality = areas[parent] if parent is not None else None
        if key in areas:
            summary.count("area", _set(areas[key], name=name, municipality=municipality, active=active))
        else:
            areas[key] = Area(name=name, municipality=municipality, active=active, position=position)
            position += 1
            db.session.add(areas[key])
            summary.count("area", "added")

    services = {name_key(service.name): service for service in all_services()}
    position = _next_position(Service.position)
    for key, (name, active) in plan.services.items():
        if key in services:
            summary.count("service", _set(services[key], name=name, active=active))
        else:
            db.session.add(Service(name=name, active=active, position=position))
            position += 1
            summary.count("service", "added")
    db.session.flush()
    return summary


def _set(row, **values) -> str:
    """Give `row` these values; "updated" if any was different, else "unchanged"."""
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return "updated" if changed else "unchanged"
