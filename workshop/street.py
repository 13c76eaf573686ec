"""Street notes (katuhavainnot): what outreach workers meet on the street, written on a phone.

A worker writes a note in a few seconds, one-handed, often with no connection: the phone
keeps it in its outbox for as long as weeks and sends it later. So, as for items on a wall,
each note carries a UUID made by the phone, and sending the same note again is harmless
(the same UUID and content returns the stored note; the same UUID with other content is
refused with 409). The note's time is `written_at`, the phone's clock when it was written;
the server only refuses a time that cannot be right (ahead of its own clock, or older than
the outbox could have kept it).

The fields follow the professional's social reporting form (DOMAIN.md): the nature of the
phenomenon and one of its ten categories. The place is one coarse area from the
deployment's list (`STREET_AREAS`), never coordinates, and nothing about the phone is kept;
a photo is re-encoded from its pixels, so its EXIF (GPS, camera) is gone.

Workers and facilitators file notes; a worker sees their own, facilitators see all of them
with filters and counts, and can put a note on a workshop's wall as material (an item
typed in by staff, made once however often it is pulled).
"""
from __future__ import annotations

import hashlib
import json
import uuid as uuid_module
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from . import contributions, images
from .actors import Actor
from .contributions import CAPTION_MAX_LENGTH, NOTE_MAX_LENGTH, Submitted, media_dir
from .database import begin_write
from .extensions import db
from .inputs import int_field, require_mapping, text_field, uuid_field
from .models import Role, StreetCategory, StreetNature, StreetNote, Workshop, utcnow
from .problems import Problem
from .serving import run_off_the_loop
from .wall import boards

#: The longest street note: a few sentences at most (a sticky note on a wall is 200).
TEXT_MAX_LENGTH = 500
TOPIC_MAX_LENGTH = 200
AREA_MAX_LENGTH = 80
#: How far a phone's clock may run ahead of the server's before its time is refused.
CLOCK_TOLERANCE = timedelta(minutes=10)
#: The oldest note taken: an outbox that could not send for longer has a wrong clock, or
#: the note is too stale to be material for the current half-year.
MAX_AGE = timedelta(days=90)
#: The most notes a list shows at once (the newest written).
LIST_LIMIT = 200

NATURES = tuple(nature.value for nature in StreetNature)
CATEGORIES = tuple(category.value for category in StreetCategory)
#: Who may file street notes: staff who meet clients. Participants never.
FILERS = frozenset({Role.WORKER, Role.FACILITATOR})
#: The colour a note gets on a wall, by its nature: the nature stays visible there.
WALL_COLOURS = {StreetNature.POSITIVE: "green", StreetNature.NEGATIVE: "pink", StreetNature.OTHER: "yellow"}


def nature_labels() -> list[tuple[str, str]]:
    """The natures with their names in the current language, in the form's order."""
    names = {"positive": _l("Positive"), "negative": _l("Negative"), "other": _l("Other important")}
    return [(nature, str(names[nature])) for nature in NATURES]


def category_labels() -> list[tuple[str, str]]:
    """The ten phenomenon categories with their names in the current language (DOMAIN.md)."""
    names = {
        "own_services": _l("Own services"),
        "other_services": _l("Other authorities' services"),
        "network_cooperation": _l("Network cooperation"),
        "own_resources": _l("Own resources"),
        "other_resources": _l("Other authorities' resources"),
        "internal_processes": _l("Internal processes"),
        "cross_sector_processes": _l("Cross-sector processes"),
        "client_work": _l("Client work"),
        "client_needs": _l("Needs produced by clients"),
        "social_problems": _l("Social problems"),
    }
    return [(category, str(names[category])) for category in CATEGORIES]


def areas() -> list[str]:
    """The deployment's coarse areas (setting `STREET_AREAS`), in its order."""
    return list(current_app.config.get("STREET_AREAS") or [])


# -- who may do what -------------------------------------------------------------------


def may_file(actor: Actor) -> bool:
    """Whether `actor` may write street notes: a worker or a facilitator."""
    return actor.account is not None and actor.account.role in FILERS


def is_facilitator(actor: Actor) -> bool:
    """Whether `actor` sees every worker's notes and may put them on walls."""
    return actor.is_staff


def require_filer(actor: Actor) -> None:
    """:raise Problem: (403) not an outreach worker or a facilitator."""
    if not may_file(actor):
        raise Problem(_l("Only outreach workers and facilitators can write street notes."), status=403)


def require_facilitator(actor: Actor) -> None:
    """:raise Problem: (403) not a facilitator."""
    if not is_facilitator(actor):
        raise Problem(_l("Only the facilitator can do this."), status=403)


# -- filing a note ---------------------------------------------------------------------


@dataclass(frozen=True)
class Filed:
    """The stored note, and whether this call created it (False: it was a repeat)."""

    note: StreetNote
    created: bool


def file_note(actor: Actor, data: Mapping, image: bytes | None = None, now: datetime | None = None) -> Filed:
    """Store a street note, or return it if the phone sent this UUID before.

    `data` holds `uuid`, `text`, `nature`, `category`, `written_at` (ISO 8601 with an
    offset) and optionally `area`, `workshop_id` and `topic`; a photo comes as its bytes.

    A repeat is answered before the checks that depend on when it arrives (the time
    window, the deployment's areas, the workshop): the note was stored when they allowed
    it, and an outbox replaying it weeks later must get it back, not an error.

    :raise Problem: 403 not a worker or facilitator; 409 the UUID was used for other
        content; 422 invalid input, a time out of bounds or a bad picture.
    """
    require_filer(actor)
    data = require_mapping(data)
    note_uuid = uuid_field(data)
    text = text_field(data, "text", TEXT_MAX_LENGTH, required=True,
                      empty_message=_l("Write what you met first."),
                      too_long_message=_l("A street note can have at most %(limit)s characters.",
                                          limit=TEXT_MAX_LENGTH))
    nature = _required_choice(data, "nature", NATURES, _l("Choose the nature first."))
    category = _required_choice(data, "category", CATEGORIES, _l("Choose the category first."))
    area = text_field(data, "area", AREA_MAX_LENGTH, required=False)
    workshop_id = int_field(data, "workshop_id", required=False)
    topic = text_field(data, "topic", TOPIC_MAX_LENGTH, required=False)
    written_at = parse_written_at(data.get("written_at"))
    image = image or None  # an empty file part is no photo
    body_hash = _body_hash(text, nature, category, area, workshop_id, topic, written_at, image)

    # Decoding a photo takes a tenth of a second or more: before the write lock, and off
    # the server's event loop (see contributions.submit).
    processed = run_off_the_loop(images.process_image, image) if image is not None else None

    begin_write()
    repeat = _repeat(actor, note_uuid, body_hash)
    if repeat is not None:
        return Filed(repeat, created=False)
    _check_time(written_at, now or utcnow())
    if area and area not in areas():
        raise Problem(_l("Choose an area from the list."), field="area", status=422)
    if workshop_id is not None and db.session.get(Workshop, workshop_id) is None:
        raise Problem(_l("This workshop was not found. Please reload the page."), field="workshop_id", status=422)
    # The file is on disk before the row that points at it is committed.
    stored = images.store_image(processed, media_dir()) if processed is not None else None
    note = StreetNote(uuid=note_uuid, body_hash=body_hash, account_id=actor.account.id, text=text,
                      nature=StreetNature(nature), category=StreetCategory(category), area=area,
                      workshop_id=workshop_id, topic=topic, written_at=written_at)
    if stored is not None:
        note.image_name, note.thumb_name = stored.name, stored.thumb_name
        note.image_width, note.image_height = stored.width, stored.height
    db.session.add(note)
    try:
        db.session.commit()
    except BaseException as error:
        db.session.rollback()
        if stored is not None:  # no row, so no file either
            images.delete_image(media_dir(), stored.name, stored.thumb_name)
        # Two sends of one UUID at the same moment (two processes on PostgreSQL): the
        # unique constraint refused the second, which is then answered as the repeat it is.
        repeat = _repeat(actor, note_uuid, body_hash) if isinstance(error, IntegrityError) else None
        if repeat is None:
            raise
        return Filed(repeat, created=False)
    return Filed(note, created=True)


def parse_written_at(value) -> datetime:
    """The phone's time of writing, from ISO 8601 with an offset ("…Z" or "…+02:00"), in UTC.

    :raise Problem: (422, field "written_at") missing, not a time, or without an offset
        (a time without one could be off by hours).
    """
    if value is None or value == "":
        raise Problem(_l("The time the note was written is missing. Please reload the page."),
                      field="written_at", status=422)
    try:
        if not isinstance(value, str) or len(value) > 64:
            raise ValueError
        moment = datetime.fromisoformat(value.strip())
        if moment.utcoffset() is None:
            raise ValueError
        return moment.astimezone(timezone.utc)
    except (ValueError, OverflowError):  # OverflowError: year 1 with an offset east of UTC
        raise Problem(_l("The time the note was written is not valid. Please reload the page."),
                      field="written_at", status=422) from None


def _check_time(written_at: datetime, now: datetime) -> None:
    """:raise Problem: (422) the time is ahead of the server's clock or too old."""
    if written_at > now + CLOCK_TOLERANCE:
        raise Problem(_l("The note's time is in the future. Check the date and time of your phone."),
                      field="written_at", status=422)
    if written_at < now - MAX_AGE:
        raise Problem(_l("This note is more than %(days)s days old, so it can no longer be saved.",
                         days=MAX_AGE.days), field="written_at", status=422)


def _required_choice(data: Mapping, name: str, choices: tuple[str, ...], missing_message) -> str:
    value = data.get(name)
    if value is None or value == "":
        raise Problem(missing_message, field=name, status=422)
    if not isinstance(value, str) or value not in choices:
        raise Problem(_l("This is not a valid choice."), field=name, status=422)
    return value


def _body_hash(text: str, nature: str, category: str, area: str, workshop_id: int | None, topic: str,
               written_at: datetime, image: bytes | None) -> str:
    body = {"text": text, "nature": nature, "category": category, "area": area, "workshop_id": workshop_id,
            "topic": topic, "written_at": written_at.isoformat(),
            "image": hashlib.sha256(image).hexdigest() if image else None}
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def _repeat(actor: Actor, note_uuid: str, body_hash: str) -> StreetNote | None:
    """The actor's note with this UUID if this send repeats it, else None.

    :raise Problem: (409) the UUID was used for different content.
    """
    note = db.session.scalar(select(StreetNote).where(StreetNote.account_id == actor.account.id,
                                                      StreetNote.uuid == note_uuid))
    if note is None:
        return None
    if note.body_hash != body_hash:
        raise Problem(_l("This was already sent with different content."), field="uuid", status=409)
    return note


# -- reading notes ---------------------------------------------------------------------


def own_notes(actor: Actor, limit: int = LIST_LIMIT) -> list[StreetNote]:
    """The actor's own street notes, the newest written first."""
    require_filer(actor)
    return list(db.session.scalars(
        select(StreetNote).where(StreetNote.account_id == actor.account.id)
        .order_by(StreetNote.written_at.desc(), StreetNote.id.desc()).limit(limit)))


@dataclass(frozen=True)
class Filters:
    """What the facilitators' list shows: each filter None for "all"; dates are local days."""

    area: str | None = None
    category: str | None = None
    nature: str | None = None
    since: date | None = None
    until: date | None = None

    def as_args(self) -> dict[str, str]:
        """The filters as query arguments (those set only)."""
        values = {"area": self.area, "category": self.category, "nature": self.nature,
                  "since": self.since.isoformat() if self.since else None,
                  "until": self.until.isoformat() if self.until else None}
        return {name: value for name, value in values.items() if value is not None}


def parse_filters(args: Mapping) -> Filters:
    """Filters from query arguments; an empty argument means "all".

    :raise Problem: (422) an unknown category or nature, a date that is not YYYY-MM-DD,
        or a period that ends before it starts.
    """
    def text(name: str, max_length: int) -> str | None:
        value = args.get(name)
        if value is None or value == "":
            return None
        if not isinstance(value, str) or len(value) > max_length:
            raise Problem(_l("This is not a valid choice."), field=name, status=422)
        return value

    def choice(name: str, choices: tuple[str, ...]) -> str | None:
        value = text(name, 32)
        if value is not None and value not in choices:
            raise Problem(_l("This is not a valid choice."), field=name, status=422)
        return value

    def day(name: str) -> date | None:
        value = text(name, 10)
        try:
            return date.fromisoformat(value) if value is not None else None
        except ValueError:
            raise Problem(_l("Give the date as a day, month and year."), field=name, status=422) from None

    filters = Filters(area=text("area", AREA_MAX_LENGTH), category=choice("category", CATEGORIES),
                      nature=choice("nature", NATURES), since=day("since"), until=day("until"))
    if filters.since and filters.until and filters.until < filters.since:
        raise Problem(_l("The period ends before it starts."), field="until", status=422)
    return filters


def all_notes(actor: Actor, filters: Filters, limit: int = LIST_LIMIT) -> list[StreetNote]:
    """Every worker's notes that pass `filters`, the newest written first (facilitators)."""
    require_facilitator(actor)
    query = select(StreetNote).where(*_conditions(filters))
    return list(db.session.scalars(query.order_by(StreetNote.written_at.desc(), StreetNote.id.desc()).limit(limit)))


def counts(actor: Actor, filters: Filters) -> dict:
    """How many notes there are per area, per category and per nature (facilitators).

    Each breakdown applies every filter but its own, so that choosing an area still shows
    how the period's notes spread over all the areas, and the same for the others.
    Returns `{"total", "area": [(area, n)], "category": [(key, n)], "nature": [(key, n)]}`:
    categories and natures all of them in the form's order, areas as found (most first;
    "" is no area).
    """
    require_facilitator(actor)

    def grouped(column, without: str) -> dict:
        conditions = _conditions(filters, without=without)
        rows = db.session.execute(select(column, func.count()).where(*conditions).group_by(column))
        return {(key.value if hasattr(key, "value") else key): number for key, number in rows.tuples()}

    by_area = grouped(StreetNote.area, "area")
    by_category = grouped(StreetNote.category, "category")
    by_nature = grouped(StreetNote.nature, "nature")
    total = db.session.scalar(select(func.count()).select_from(StreetNote).where(*_conditions(filters)))
    return {
        "total": total,
        "area": sorted(by_area.items(), key=lambda pair: (-pair[1], pair[0] == "", pair[0])),
        "category": [(key, by_category.get(key, 0)) for key in CATEGORIES],
        "nature": [(key, by_nature.get(key, 0)) for key in NATURES],
    }


def _conditions(filters: Filters, without: str | None = None) -> list:
    """The WHERE conditions of `filters`, leaving out the one named `without`."""
    conditions = []
    if filters.area is not None and without != "area":
        conditions.append(StreetNote.area == filters.area)
    if filters.category is not None and without != "category":
        conditions.append(StreetNote.category == StreetCategory(filters.category))
    if filters.nature is not None and without != "nature":
        conditions.append(StreetNote.nature == StreetNature(filters.nature))
    if filters.since is not None:
        conditions.append(StreetNote.written_at >= _local_midnight(filters.since))
    if filters.until is not None:
        conditions.append(StreetNote.written_at < _local_midnight(filters.until + timedelta(days=1)))
    return conditions


def _local_midnight(day: date) -> datetime:
    """The start of `day` where the deployment is (BABEL_DEFAULT_TIMEZONE), in UTC."""
    try:
        zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return datetime.combine(day, time(0, 0), tzinfo=zone).astimezone(timezone.utc)


def may_see_picture(actor: Actor, name: str) -> bool:
    """Whether `actor` may see a street note's stored picture: their own, or any for a facilitator."""
    note = db.session.scalar(select(StreetNote).where(or_(StreetNote.image_name == name,
                                                          StreetNote.thumb_name == name)))
    if note is None or not may_file(actor):
        return False
    return is_facilitator(actor) or note.account_id == actor.account.id


def media_url(name: str) -> str:
    """The address a street note's picture is served at."""
    return f"/api/street/media/{name}"


def note_state(note: StreetNote, actor: Actor) -> dict:
    """A street note as JSON, for its author or a facilitator."""
    state = {
        "id": note.id,
        "uuid": note.uuid,
        "text": note.text,
        "nature": note.nature.value,
        "category": note.category.value,
        "area": note.area,
        "workshop_id": note.workshop_id,
        "topic": note.topic,
        "written_at": note.written_at.isoformat(),
        "created_at": note.created_at.isoformat() if note.created_at else None,
        "image": None,
        "mine": actor.account is not None and note.account_id == actor.account.id,
    }
    if note.image_name:
        state["image"] = {"url": media_url(note.image_name), "thumb_url": media_url(note.thumb_name or note.image_name),
                          "width": note.image_width, "height": note.image_height}
    return state


# -- onto a workshop's wall ------------------------------------------------------------


def wall_item_uuid(note: StreetNote, workshop: Workshop) -> str:
    """The UUID of the item a note becomes on a workshop's wall: the same every time, so
    pulling a note twice onto one wall gives the item made the first time."""
    return str(uuid_module.uuid5(uuid_module.UUID(note.uuid), f"workshop-{workshop.id}"))


def put_on_wall(actor: Actor, note_id: int, data: Mapping) -> tuple[Workshop, Submitted]:
    """Put a street note on a board of a workshop's wall, as staff typing it in.

    A note becomes a sticky note in the colour of its nature; a note with a photo becomes
    a photo with the note's text as its caption. A text longer than a sticky note is
    shortened there (ending in "…"); the street note itself keeps all of it.

    :raise Problem: 403 not a facilitator; 404 no such note, workshop or board; 409 the
        note is on this wall already, on another board; 410 the note's photo is gone;
        422 invalid input.
    """
    require_facilitator(actor)
    data = require_mapping(data)
    workshop_id = int_field(data, "workshop_id")
    board_id = int_field(data, "board_id")
    note = db.session.get(StreetNote, note_id)
    if note is None:
        raise Problem(_l("This street note was not found. Please reload the page."), status=404)
    workshop = db.session.get(Workshop, workshop_id)
    if workshop is None:
        raise Problem(_l("This workshop was not found. Please reload the page."), field="workshop_id", status=404)
    item = {"uuid": wall_item_uuid(note, workshop), "board_id": board_id, "from_paper": True,
            "colour": WALL_COLOURS[note.nature]}
    image = None
    if note.image_name:
        path = images.media_path(media_dir(), note.image_name)
        if path is None:
            raise Problem(_l("The photo of this street note is no longer there."), status=410)
        image = path.read_bytes()
        item.update(kind="photo", text=_shortened(note.text, CAPTION_MAX_LENGTH))
    else:
        item.update(kind="note", text=_shortened(note.text, NOTE_MAX_LENGTH))
    try:
        return workshop, contributions.submit(workshop, actor, item, image)
    except Problem as problem:
        if problem.status == 409 and problem.field == "uuid":
            raise Problem(_l("This street note is already on this workshop's wall."), status=409) from None
        raise


def _shortened(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters at a word break, ending in "…" if cut."""
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip() + "…"


def wall_choices() -> list[tuple[Workshop, list]]:
    """The open workshops with their boards, for choosing where a note goes."""
    return [(workshop, boards(workshop)) for workshop in open_workshops()]


def open_workshops() -> list[Workshop]:
    """The open workshops a worker can say a note belongs to, newest first."""
    return list(db.session.scalars(select(Workshop).where(Workshop.closed_at.is_(None))
                                   .order_by(Workshop.created_at.desc(), Workshop.id.desc())))
