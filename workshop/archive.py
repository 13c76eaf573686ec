"""A workshop's archive: one zip file with everything of it, to keep or to move to another machine.

`export_workshop` writes `manifest.json` (what the file is, the schema's migration, a SHA-256
of every member), `data.json` (every row that belongs to the workshop, found through the
foreign keys of the metadata, so a table added later is archived without touching this
module), `media/…` (the pictures the rows name) and `exports/…` (the published report's
files). `import_workshop` checks all of that, then inserts the rows with new ids in one
transaction, so a failure leaves nothing behind.

Ids do not survive a move (the other database has rows of its own): every foreign key is
mapped to the new ids, and so is every id kept where no foreign key says so (`REFERENCES`:
a section's `picture:ID`, the change log, a comment round's frozen text, …).

Rows that point at what is not the workshop's, above all staff accounts, are archived by
their unique name (an account's case-folded user name) and linked on import to the row with
that name, or to the importing `owner`, or left empty where the column allows.

The `body_hash` of a contribution is kept as it was, although some hash an id: a phone's
outbox replays the old body with the old ids, and the kept hash recognises it as a repeat.

A second copy on the same machine (`new_code`) never shares anything with the first: a
picture file name, the public page's key, a private link's hash or a street note's UUID
that is taken here is made anew. Both directions are written to the audit log (`lifecycle`).
"""
from __future__ import annotations

import base64
import contextlib
import enum
import hashlib
import json
import os
import re
import secrets
import tempfile
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from decimal import Decimal
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Table, UniqueConstraint, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.schema import sort_tables
from sqlalchemy.types import TypeDecorator

from . import changes, joincodes, lifecycle, report_export
from .accounts import username_key
from .contributions import media_dir
from .database import begin_write
from .extensions import db
from .images import STORED_NAME as STORED_PICTURE_NAME  # the rule that serves and deletes them, kept as one
from .images import write_durably
from .models import Account, Report, Workshop, utcnow
from .problems import Problem

#: The archive's own format; an archive of a newer one is refused, not half understood.
FORMAT_VERSION = 1
APP_NAME = "kuulluksi"
MANIFEST = "manifest.json"
DATA = "data.json"
MEDIA = "media/"
EXPORTS = "exports/"
#: Columns that name a stored picture file in the media folder.
PICTURE_COLUMNS = ("image_name", "thumb_name")
#: The id a reference gets when what it named is not in the archive (never a real row's).
MISSING = 0
# A report's export file: a plain name the exports module made (no folder, no leading dot).
_EXPORT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,200}")
# How a report text names a picture: `![caption](picture:12)`, or `src="picture:12"` in HTML.
_PICTURE_REFERENCE = re.compile(r"(?<![\w-])picture:(\d+)")
_PROJECTOR_VIEW = re.compile(r"(survey|question)-(\d+)")


# -- which tables and rows are the workshop's -----------------------------------------------


def owner_links() -> dict[Table, tuple | None]:
    """Every table whose rows belong to a workshop, with the foreign key that says whose.

    The workshop table maps to None; every other table to `(column, parent table)`: the
    shortest chain of foreign keys to `workshop`, a NOT NULL column preferred (an item is
    the workshop's through `workshop_id`, a section version through its section).
    """
    root = Workshop.__table__
    links: dict[Table, tuple | None] = {root: None}
    level = [root]
    while level:
        found: dict[Table, tuple] = {}
        for table in db.metadata.sorted_tables:
            if table in links:
                continue
            candidates = [(key.parent, key.column.table) for key in table.foreign_keys
                          if key.column.table in level and key.column.table is not table]
            if candidates:
                found[table] = min(candidates, key=lambda link: (link[0].nullable, link[1] is not root,
                                                                  link[0].name))
        links.update(found)
        level = list(found)
    return links


def _ownership(table: Table, links: dict, workshop_id: int):
    """The WHERE clause that picks a table's rows of the workshop (a subquery per link)."""
    if links[table] is None:
        return table.c.id == workshop_id
    column, parent = links[table]
    if links[parent] is None:
        return column == workshop_id
    return column.in_(select(_single_key(parent)).where(_ownership(parent, links, workshop_id)))


def _single_key(table: Table):
    """The table's one-column primary key, or None for a link table keyed by its two ids."""
    keys = list(table.primary_key.columns)
    return keys[0] if len(keys) == 1 else None


def _natural_key(table: Table):
    """The column that names a row of `table` on any machine: its first unique one, if any."""
    singles = {list(constraint.columns)[0].name for constraint in table.constraints
               if isinstance(constraint, UniqueConstraint) and len(constraint.columns) == 1}
    for column in table.columns:
        if not column.primary_key and (column.unique or column.name in singles):
            return column
    return None


# -- references that are not foreign keys ----------------------------------------------------

Remap = Callable[[str, int], int]


def _pictures_in(text, remap: Remap):
    if not text:
        return text
    return _PICTURE_REFERENCE.sub(lambda match: f"picture:{remap('item', int(match.group(1)))}", text)


def _projector(view, importer: _Importer, row: dict):
    match = _PROJECTOR_VIEW.fullmatch(view or "")
    return f"{match.group(1)}-{importer.remap(match.group(1), int(match.group(2)))}" if match else view


def _change_entity(entity_id, importer: _Importer, row: dict):
    registered = changes._ENTITIES.get(row.get("entity"))
    return importer.remap(registered[0].__tablename__, entity_id) if registered else MISSING


def _survey_choices(choices, importer: _Importer, row: dict):
    parts = [part for part in (choices or "").split(",") if part]
    if not all(part.isdigit() for part in parts):
        return choices
    return ",".join(str(importer.remap("survey_option", int(part))) for part in parts)


def _snapshot(snapshot, importer: _Importer, row: dict):
    try:
        sections = json.loads(snapshot)
    except (TypeError, ValueError):
        return snapshot
    if not isinstance(sections, list):
        return snapshot
    for section in sections:
        if isinstance(section, dict):
            if isinstance(section.get("section_id"), int):
                section["section_id"] = importer.remap("report_section", section["section_id"])
            if isinstance(section.get("body"), str):
                section["body"] = _pictures_in(section["body"], importer.remap)
    # Written as `report_rounds.open_round` writes it, so an unchanged text stays byte-equal.
    return json.dumps(sections, ensure_ascii=False)


def _text_pictures(text, importer: _Importer, row: dict):
    return _pictures_in(text, importer.remap)


def _wall_uuid(item_uuid, importer: _Importer, row: dict):
    # A street note put on the wall became an item whose UUID is made from the note's UUID
    # and the workshop's id (`street.wall_item_uuid`): made anew, putting it there again
    # still finds that item.
    note = importer.notes_on_wall.get(item_uuid)
    if note is None:
        return item_uuid
    return street_wall_uuid(importer.note_uuids.get(note["uuid"], note["uuid"]), importer.workshop_id)


def street_wall_uuid(note_uuid: str, workshop_id: int) -> str:
    """What `street.wall_item_uuid` makes of a note's UUID on a workshop's wall."""
    return str(uuid.uuid5(uuid.UUID(note_uuid), f"workshop-{workshop_id}"))


@dataclass(frozen=True)
class Reference:
    """An id kept in a column that is not a foreign key: `rewrite(value, importer, row)`
    maps it to the new ids (with `importer.remap(table, old id)`)."""

    table: str
    column: str
    targets: tuple[str, ...]  # the tables whose ids it holds (inserted before it when possible)
    rewrite: Callable


#: Every id kept outside a foreign key. A feature that keeps another must add it here
#: (the round-trip test of tests/test_archive.py compares what a wall and the report show).
REFERENCES = (
    Reference("workshop", "projector", ("survey", "question"), _projector),
    Reference("change", "entity_id", ("item", "board", "theme", "workshop", "question", "gathering",
                                      "topic_proposal", "idea", "report", "survey"), _change_entity),
    Reference("survey_answer", "choices", ("survey_option",), _survey_choices),
    Reference("comment_round", "snapshot", ("report_section", "item"), _snapshot),
    Reference("report_section", "body", ("item",), _text_pictures),
    Reference("section_version", "body", ("item",), _text_pictures),
    Reference("report", "answer_text", ("item",), _text_pictures),
    Reference("suggestion", "quote", ("item",), _text_pictures),
    Reference("suggestion", "text", ("item",), _text_pictures),
    Reference("item", "uuid", ("street_note",), _wall_uuid),
)


# -- values as JSON ---------------------------------------------------------------------------


def to_json_value(value):
    """A column's value as JSON keeps it exactly: times in ISO 8601 with their offset."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime) and value.tzinfo is not None:
        # In UTC whatever the connection's time zone (PostgreSQL answers in its own).
        return value.astimezone(timezone.utc).isoformat()
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, Decimal):
        return str(value)
    return value


def _python_type(column):
    kind = column.type
    if isinstance(kind, TypeDecorator):  # UTCDateTime: a DateTime underneath
        kind = kind.impl_instance
    try:
        return kind.python_type
    except NotImplementedError:
        return None


def from_json_value(column, value):
    """A JSON value typed back by its column's type."""
    if value is None:
        return None
    kind = _python_type(column)
    if kind is datetime:
        parsed = datetime.fromisoformat(value)
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=timezone.utc)
    if kind is date:
        return date.fromisoformat(value)
    if kind is time:
        return time.fromisoformat(value)
    if kind is bytes:
        return base64.b64decode(value, validate=True)
    if kind is Decimal:
        return Decimal(value)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return kind(value)
    return value


# -- export -----------------------------------------------------------------------------------


@dataclass
class Exported:
    """A written archive: where, how many rows per table, and pictures that were not found."""

    path: Path
    counts: dict[str, int]
    pictures: int
    missing_pictures: list[str] = field(default_factory=list)


def database_revision() -> str | None:
    """The migration the database is at (alembic's revision id)."""
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def default_file_name(code: str, today: date | None = None) -> str:
    """`kuulluksi-<code>-<yyyymmdd>.zip`."""
    today = today or utcnow().date()
    return f"{APP_NAME}-{code}-{today:%Y%m%d}.zip"


def find_workshop(code: str) -> Workshop:
    """The workshop with the join code `code` (forgiving about case and spaces).

    :raise Problem: no workshop has that code.
    """
    typed = joincodes.normalise(code)
    workshop = db.session.scalar(select(Workshop).where(Workshop.join_code == typed))
    if workshop is None:
        raise Problem(_("No workshop has the code %(code)s.", code=code), status=404)
    return workshop


def workshop_data(workshop: Workshop) -> dict:
    """Every row of the workshop as JSON-ready `data.json`, references to others by name."""
    links = owner_links()
    tables: dict[str, list[dict]] = {}
    outside: dict[str, dict] = {}
    wanted: dict[Table, set[int]] = {}
    for table in sort_tables(links):
        order = [column for column in table.primary_key.columns]
        rows = db.session.execute(select(table).where(_ownership(table, links, workshop.id)).order_by(*order))
        tables[table.name] = [dict(row._mapping) for row in rows]
        for key in table.foreign_keys:
            if key.column.table not in links:
                natural = _natural_key(key.column.table)
                outside[f"{table.name}.{key.parent.name}"] = {
                    "table": key.column.table.name, "key": natural.name if natural is not None else None}
                wanted.setdefault(key.column.table, set()).update(
                    row[key.parent.name] for row in tables[table.name] if row[key.parent.name] is not None)
    names = _outside_names(wanted)
    for name, rows in tables.items():
        for row in rows:
            for column, value in row.items():
                reference = outside.get(f"{name}.{column}")
                if reference is not None and value is not None:
                    row[column] = names.get((reference["table"], value))
                else:
                    row[column] = to_json_value(value)
    return {"format": FORMAT_VERSION, "workshop_id": workshop.id, "outside": outside, "tables": tables}


def _outside_names(wanted: dict[Table, set[int]]) -> dict[tuple[str, int], str | None]:
    """The natural key (an account's user name, …) of every outside row the workshop points at."""
    names: dict[tuple[str, int], str | None] = {}
    for table, ids in wanted.items():
        natural, key = _natural_key(table), _single_key(table)
        ids = sorted(ids)
        for start in range(0, len(ids), 500):  # a bound list per query stays under any driver's limit
            chunk = ids[start:start + 500]
            if natural is not None:
                for row_id, name in db.session.execute(select(key, natural).where(key.in_(chunk))):
                    names[table.name, row_id] = to_json_value(name)
    return names


def _report_files(workshop: Workshop) -> list[Path]:
    report = db.session.scalar(select(Report).where(Report.workshop_id == workshop.id))
    return [exported.path for exported in report_export.exported_files(report)] if report is not None else []


def export_workshop(code: str, path: Path | None = None) -> Exported:
    """Write the archive of the workshop with join code `code` to `path` (by default
    `default_file_name` in the current folder). The file appears whole or not at all.

    :raise Problem: no workshop has that code.
    """
    if db.engine.dialect.name == "postgresql":
        # Every table read from one snapshot, though walls may be writing meanwhile (SQLite's
        # read transaction is one snapshot already).
        db.session.rollback()
        db.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    workshop = find_workshop(code)
    data = workshop_data(workshop)
    path = Path(path) if path is not None else Path.cwd() / default_file_name(workshop.join_code)
    members: list[tuple[str, bytes | Path]] = [
        (DATA, json.dumps(data, ensure_ascii=False, indent=1, sort_keys=False).encode("utf-8"))]
    pictures, missing = _picture_names(data), []
    for name in pictures:
        file = media_dir() / name
        if STORED_PICTURE_NAME.fullmatch(name) and file.is_file():
            members.append((MEDIA + name, file))
        else:
            missing.append(name)
    members += [(EXPORTS + file.name, file) for file in _report_files(workshop)]
    counts = {name: len(rows) for name, rows in data["tables"].items()}
    manifest = {
        "format": FORMAT_VERSION,
        "app": APP_NAME,
        "alembic_revision": database_revision(),
        "exported_at": utcnow().isoformat(),
        "workshop": {"code": workshop.join_code, "title": workshop.title},
        "counts": counts,
        "files": {},
    }
    _write_zip(path, manifest, members)
    begin_write(workshop)
    lifecycle.record(lifecycle.EXPORTED, lifecycle.workshop_subject(workshop), file=path.name,
                     items=counts.get("item", 0), participants=counts.get("participant", 0))
    db.session.commit()
    return Exported(path, counts, len(pictures) - len(missing), missing)


def _picture_names(data: dict) -> list[str]:
    names = {row[column] for rows in data["tables"].values() for row in rows
             for column in PICTURE_COLUMNS if row.get(column)}
    return sorted(names)


def _write_zip(path: Path, manifest: dict, members: list[tuple[str, bytes | Path]]) -> None:
    """Write the members, then the manifest with their checksums, beside `path`, then rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".part")
    try:
        with os.fdopen(descriptor, "wb") as file:
            with zipfile.ZipFile(file, "w") as archive:
                for name, content in members:
                    data = content if isinstance(content, bytes) else content.read_bytes()
                    manifest["files"][name] = hashlib.sha256(data).hexdigest()
                    # Pictures and PDFs are compressed already: deflating them again only costs time.
                    compression = zipfile.ZIP_DEFLATED if name.endswith((".json", ".html")) else zipfile.ZIP_STORED
                    archive.writestr(name, data, compress_type=compression)
                archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1),
                                 compress_type=zipfile.ZIP_DEFLATED)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


# -- reading an archive -----------------------------------------------------------------------


@dataclass
class Archive:
    """A checked archive: its manifest, its data and its members' bytes by name."""

    name: str
    manifest: dict
    data: dict
    files: dict[str, bytes]


def read_archive(path: Path) -> Archive:
    """Open and check an archive: a zip with a manifest of this app, a format this version
    reads, every listed member present with its checksum, nothing else in it.

    :raise Problem: any of that is not so (the message says which).
    """
    name = Path(path).name
    try:
        with zipfile.ZipFile(path) as archive:
            members = {info.filename: info for info in archive.infolist() if not info.is_dir()}
            if MANIFEST not in members:
                raise Problem(_("%(file)s is not a Kuulluksi archive: it has no manifest.json.", file=name))
            manifest = _json(archive.read(MANIFEST), name)
            if not isinstance(manifest, dict) or manifest.get("app") != APP_NAME or not isinstance(
                    manifest.get("files"), dict):
                raise Problem(_("%(file)s is not a Kuulluksi archive.", file=name))
            version = manifest.get("format")
            if not isinstance(version, int) or version > FORMAT_VERSION:
                raise Problem(_("%(file)s was made by a newer version of Kuulluksi (archive format %(found)s; "
                                "this version reads up to %(known)d). Update Kuulluksi first.",
                                file=name, found=version, known=FORMAT_VERSION))
            files = {}
            for member, checksum in manifest["files"].items():
                if member not in members:
                    raise Problem(_("%(file)s is damaged: %(member)s is missing.", file=name, member=member))
                content = archive.read(member)
                if hashlib.sha256(content).hexdigest() != checksum:
                    raise Problem(_("%(file)s is damaged: the checksum of %(member)s does not match.",
                                    file=name, member=member))
                files[member] = content
            if DATA not in files:
                raise Problem(_("%(file)s is damaged: %(member)s is missing.", file=name, member=DATA))
            unlisted = sorted(set(members) - set(files) - {MANIFEST})
            if unlisted:
                raise Problem(_("%(file)s is damaged: %(member)s is not in its manifest.",
                                file=name, member=unlisted[0]))
            for member in files:
                if not _allowed_member(member):
                    raise Problem(_("%(file)s is damaged: %(member)s is not a name it may have.",
                                    file=name, member=member))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError):
        raise Problem(_("%(file)s is not a Kuulluksi archive (not a zip file).", file=name)) from None
    data = _json(files.pop(DATA), name)
    if not isinstance(data, dict) or not isinstance(data.get("tables"), dict) or not data["tables"].get("workshop"):
        raise Problem(_("%(file)s is not a Kuulluksi archive.", file=name))
    return Archive(name, manifest, data, files)


def _allowed_member(member: str) -> bool:
    """Only names an export writes: the data, server-made picture names, plain file names."""
    if member.startswith(MEDIA):
        return bool(STORED_PICTURE_NAME.fullmatch(member[len(MEDIA):]))
    if member.startswith(EXPORTS):
        return bool(_EXPORT_NAME.fullmatch(member[len(EXPORTS):]))
    return member == DATA


def _json(content: bytes, name: str):
    try:
        return json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise Problem(_("%(file)s is not a Kuulluksi archive.", file=name)) from None


# -- import -----------------------------------------------------------------------------------


@dataclass
class Imported:
    """An imported workshop: its new id and code, rows per table, pictures and warnings."""

    workshop_id: int
    code: str
    title: str
    counts: dict[str, int]
    pictures: int
    warnings: list[str] = field(default_factory=list)


class _Files:
    """Files written by an import, removed again if the import fails."""

    def __init__(self):
        self.written: list[Path] = []
        self.made_directories: list[Path] = []

    def write(self, path: Path, data: bytes) -> None:
        """Write `data` to `path` via a temporary file beside it (never half a file)."""
        if not path.parent.is_dir():
            path.parent.mkdir(parents=True)
            self.made_directories.append(path.parent)
        write_durably(path, data)
        self.written.append(path)

    def remove(self) -> None:
        """Remove every file written, and the folders made for them."""
        for path in reversed(self.written):
            with contextlib.suppress(OSError):
                path.unlink()
        for directory in reversed(self.made_directories):
            with contextlib.suppress(OSError):
                directory.rmdir()


def import_workshop(path: Path, *, new_code: bool = False, owner: str | None = None) -> Imported:
    """Restore the workshop in the archive at `path` with new ids, in one transaction, and
    write its pictures and report files. A failure leaves neither rows nor files.

    Accounts are linked by user name; one this machine lacks becomes `owner`'s (an
    account name) or, if no owner is given, is left empty where the column allows.

    :raise Problem: the archive is not one (see `read_archive`), its migration is not this
        database's, a workshop here has its code already (unless `new_code`), the owner is
        unknown, or a row needs an account that is missing here and no owner was given.
    """
    archive = read_archive(path)
    theirs, ours = archive.manifest.get("alembic_revision"), database_revision()
    if theirs != ours:
        raise Problem(_("The archive was made by a database at migration %(theirs)s, but this database is at "
                        "%(ours)s. Import it with the same version of Kuulluksi.", theirs=theirs, ours=ours))
    owner_id = None
    if owner is not None:
        owner_id = db.session.scalar(select(Account.id).where(Account.username_key == username_key(owner)))
        if owner_id is None:
            raise Problem(_("There is no account called %(name)s.", name=owner))
    files = _Files()
    try:
        imported = _Importer(archive, new_code=new_code, owner_id=owner_id, files=files).run()
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        files.remove()
        raise Problem(_("The archive could not be imported: it conflicts with this database (%(detail)s). "
                        "Nothing was imported.", detail=str(error.orig).splitlines()[0])) from None
    except BaseException:
        db.session.rollback()
        files.remove()
        raise
    return imported


class _Importer:
    """One import's state: the new id of every old one, and what is left to fix up."""

    def __init__(self, archive: Archive, *, new_code: bool, owner_id: int | None, files: _Files):
        self.archive = archive
        self.new_code = new_code
        self.owner_id = owner_id
        self.files = files
        self.links = owner_links()
        self.by_name = {table.name: table for table in self.links}
        self.new_ids: dict[str, dict[int, int]] = {}
        self.inserted: set[str] = set()
        self.later: list[tuple[Table, int, str, Callable[[], object]]] = []
        self.outside_ids: dict[tuple[str, str], int | None] = {}
        self.renamed: dict[str, str] = {}  # picture files whose names were taken here
        self.workshop_id: int | None = None
        old_workshop = archive.data["tables"]["workshop"][0].get("id")
        # The items that street notes of the archive became on its wall (see `_wall_uuid`).
        self.notes_on_wall = {street_wall_uuid(note["uuid"], old_workshop): note
                              for note in archive.data["tables"].get("street_note", []) if _is_uuid(note.get("uuid"))}
        self.note_uuids: dict[str, str] = {}  # a street note's UUID that was taken here: its new one
        self.warnings: list[str] = []

    # the order: foreign keys first, then the tables a non-key reference needs
    def _order(self) -> list[Table]:
        extra = [(self.by_name[target], self.by_name[reference.table]) for reference in REFERENCES
                 for target in reference.targets
                 # The workshop comes first whatever it names: its projector view is filled in later.
                 if reference.table in self.by_name and target in self.by_name and reference.table != "workshop"]
        return sort_tables(self.links, extra_dependencies=extra)

    def remap(self, table: str, old_id) -> int:
        """The new id of `table`'s row `old_id`, or MISSING if the archive has no such row."""
        if not isinstance(old_id, int):
            return MISSING
        return self.new_ids.get(table, {}).get(old_id, MISSING)

    def run(self) -> Imported:
        data = self.archive.data
        tables = data["tables"]
        unknown = sorted(set(tables) - set(self.by_name))
        if unknown:
            raise Problem(_("The archive has a table this database does not: %(table)s.", table=unknown[0]))
        begin_write()
        workshop_row = tables["workshop"][0]
        self._check_code(workshop_row)
        self._write_pictures()
        counts = {}
        for table in self._order():
            rows = tables.get(table.name, [])
            counts[table.name] = self._insert(table, rows, data.get("outside", {}))
        for table, new_id, column, value in self.later:
            db.session.execute(update(table).where(_single_key(table) == new_id).values({column: value()}))
        workshop_id = self.new_ids["workshop"][workshop_row["id"]]
        workshop = db.session.get(Workshop, workshop_id)
        self._write_report_files(workshop)
        owner = db.session.get(Account, self.owner_id) if self.owner_id is not None else None
        lifecycle.record(lifecycle.IMPORTED, lifecycle.workshop_subject(workshop), owner,
                         file=self.archive.name, items=counts.get("item", 0),
                         participants=counts.get("participant", 0))
        return Imported(workshop_id, workshop.join_code, workshop.title, counts,
                        len([name for name in self.archive.files if name.startswith(MEDIA)]), self.warnings)

    def _check_code(self, row: dict) -> None:
        code = row.get("join_code")
        taken = db.session.scalar(select(Workshop.id).where(Workshop.join_code == code))
        if taken is None:
            return
        if not self.new_code:
            raise Problem(_("A workshop with the code %(code)s exists here already. Import it with --new-code "
                            "to give it a new join code.", code=code))
        length = current_app.config["JOIN_CODE_LENGTH"]
        while db.session.scalar(select(Workshop.id).where(Workshop.join_code == code)) is not None:
            code = joincodes.generate(length)
        row["join_code"] = code

    def _write_pictures(self) -> None:
        """Write every picture under its name, or a fresh one where that name is taken here."""
        directory = media_dir()
        stems: dict[str, str] = {}
        for member, content in self.archive.files.items():
            if not member.startswith(MEDIA):
                continue
            name = member[len(MEDIA):]  # a server-made name (`read_archive` checked it)
            stem, _dot, rest = name.partition(".")
            if (directory / name).exists() or stem in stems:
                # Two rows must never share a file: taking one picture back deletes it.
                stems.setdefault(stem, secrets.token_hex(16))
                self.renamed[name] = f"{stems[stem]}.{rest}"
            self.files.write(directory / self.renamed.get(name, name), content)

    def _write_report_files(self, workshop: Workshop) -> None:
        report = db.session.scalar(select(Report).where(Report.workshop_id == workshop.id))
        exports = [(member[len(EXPORTS):], content) for member, content in self.archive.files.items()
                   if member.startswith(EXPORTS)]
        if report is None or not exports:
            return
        directory = report_export.export_dir(report)
        for name, content in exports:
            self.files.write(directory / name, content)

    def _insert(self, table: Table, rows: list[dict], outside: dict) -> int:
        """Insert a table's rows in one statement; note their new ids and what to fill in later."""
        key = _single_key(table)
        prepared, old_ids, deferred = [], [], []
        for row in rows:
            made = self._values(table, row, outside)
            if made is None:
                continue
            values, later = made
            if later and key is None:  # pragma: no cover - a link table points only at tables made before it
                raise RuntimeError(f"{table.name} cannot be filled in later")
            prepared.append(values)
            old_ids.append(row.get(key.name) if key is not None else None)
            deferred.append(later)
        if prepared and key is not None:
            statement = insert(table).returning(key, sort_by_parameter_order=True)
            new_ids = db.session.execute(statement, prepared).scalars().all()
            self.new_ids[table.name] = dict(zip(old_ids, new_ids))
            if table.name == "workshop":
                self.workshop_id = new_ids[0]
            for new_id, later in zip(new_ids, deferred):
                self.later += [(table, new_id, column, value) for column, value in later]
        elif prepared:
            db.session.execute(insert(table), prepared)
        self.inserted.add(table.name)
        return len(prepared)

    def _values(self, table: Table, row: dict, outside: dict) -> tuple[dict, list] | None:
        """A row ready to insert (new foreign keys, outside rows by name, ids rewritten) and
        the columns to fill in once the rows they name are made; None: leave the row out."""
        key = _single_key(table)
        references = {reference.column: reference for reference in REFERENCES if reference.table == table.name}
        values, later = {}, []
        for column in table.columns:
            if column is key or column.name not in row:
                continue
            value = row[column.name]
            keys = list(column.foreign_keys)
            if keys and keys[0].column.table in self.links:
                parent = keys[0].column.table.name
                if value is not None and parent not in self.inserted:  # made later: filled in then
                    later.append((column.name, lambda parent=parent, value=value: self.remap(parent, value)))
                    value = None
                elif value is not None:
                    value = self.remap(parent, value)
                    if value == MISSING and column.nullable:
                        value = None
            elif keys:
                value = self._outside(column, value, outside.get(f"{table.name}.{column.name}"))
                if value is _LEAVE_OUT:
                    self.warnings.append(_("A row of %(table)s was left out: what it points at is not here.",
                                           table=table.name))
                    return None
            else:
                value = from_json_value(column, value)
                if column.name in PICTURE_COLUMNS and value:
                    value = self.renamed.get(value, value)
            reference = references.get(column.name)
            if reference is not None and value is not None:
                if all(target in self.inserted or target not in self.by_name for target in reference.targets):
                    value = reference.rewrite(value, self, row)
                else:
                    later.append((column.name, lambda reference=reference, value=value:
                                  reference.rewrite(value, self, row)))
            values[column.name] = value
        self._unique(table, values)
        return values, later

    def _outside(self, column, name, reference: dict | None):
        """The id here of an outside row the archive names (an account by its user name)."""
        if name is None:
            return None
        target = list(column.foreign_keys)[0].column.table
        natural = target.c[reference["key"]] if reference and reference.get("key") in target.c else None
        cache_key = (target.name, name)
        if cache_key not in self.outside_ids:
            found = None
            if natural is not None:
                found = db.session.scalar(select(_single_key(target)).where(natural == name))
            self.outside_ids[cache_key] = found
        found = self.outside_ids[cache_key]
        if found is None and target.name == "account":
            found = self.owner_id
            if found is None and not column.nullable:
                raise Problem(_("The archive needs the account %(name)s, which is not here. Give an account "
                                "to link it to with --owner NAME.", name=name))
        if found is None and not column.nullable:
            return _LEAVE_OUT
        return found

    def _unique(self, table: Table, values: dict) -> None:
        """Keep values that must be unique on the whole machine unique (a second import)."""
        if table.name == "report" and values.get("public_key"):
            if db.session.scalar(select(table.c.id).where(table.c.public_key == values["public_key"])):
                values["public_key"] = secrets.token_urlsafe(16)
                self.warnings.append(_("The published report got a new public address: the old one is in use "
                                       "here."))
        elif table.name == "report_link":
            if db.session.scalar(select(table.c.id).where(table.c.token_hash == values["token_hash"])):
                values["token_hash"] = hashlib.sha256(secrets.token_bytes(32)).hexdigest()
                self.warnings.append(_("A private link of the report no longer works: the same link is in use "
                                       "here. Make a new one."))
        elif table.name == "street_note" and values.get("account_id") is not None:
            if db.session.scalar(select(table.c.id).where(table.c.account_id == values["account_id"],
                                                          table.c.uuid == values["uuid"])):
                self.note_uuids[values["uuid"]] = str(uuid.uuid4())
                values["uuid"] = self.note_uuids[values["uuid"]]


def _is_uuid(value) -> bool:
    try:
        uuid.UUID(value)
    except (TypeError, ValueError, AttributeError):
        return False
    return True


#: What `_outside` answers for a row that cannot be made here.
_LEAVE_OUT = object()
