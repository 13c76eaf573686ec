"""A professional's social-reporting report: filing it, its report number, and what the
reporter may see of it afterwards (issue 7).

The form needs no login: the organisation's intranet links to `/observe/<form key>`, and
`OBSERVE_NETWORKS` can keep it to the organisation's own networks. A report may come from a
phone's outbox hours later, so, as for street notes, each carries a UUID made by the phone,
and sending the same report again is harmless: the same UUID and content return the stored
report (and its number), the same UUID with other content is refused with 409. Its time is
`written_at`, the phone's clock when Save was first pressed; without one (the form sent
without JavaScript) it is the moment it arrives.

Nothing identifies the reporter except what they chose to type (their name, a contact):
no account, no network address, no user agent is stored.

The reporter follows the report with its **report number** alone: twelve random Crockford
base-32 characters (60 bits from `secrets`), never a sequence, so that one number tells
nothing about the others. What the number shows is `tracking_state`.
"""
from __future__ import annotations

import hashlib
import ipaddress
import json
import logging
import re
import secrets
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from . import org
from .database import begin_write
from .extensions import db
from .inputs import bool_field, int_field, require_mapping, text_field, uuid_field
from .models import (Observation, ObservationEvent, ObservationStatus, ObservedHow, ProfessionalGroup,
                     StreetCategory, StreetNature, utcnow)
from .observation_labels import (category_labels, forwarded_labels, label, nature_labels, role_labels,
                                 status_labels)
from .problems import Problem
from .street import CLOCK_TOLERANCE, MAX_AGE, parse_written_at

log = logging.getLogger(__name__)

DESCRIPTION_MAX_LENGTH = 4000
PROPOSAL_MAX_LENGTH = 4000
NAME_MAX_LENGTH = 120
CONTACT_MAX_LENGTH = 200
#: The free-text detail beside an area, a service or how it was observed.
DETAIL_MAX_LENGTH = 200

NATURES = tuple(member.value for member in StreetNature)
CATEGORIES = tuple(member.value for member in StreetCategory)
PROFESSIONAL_GROUPS = tuple(member.value for member in ProfessionalGroup)
OBSERVED_HOWS = tuple(member.value for member in ObservedHow)
#: "Are you available to help produce a solution?": the form's answers and what is stored.
AVAILABLE_ANSWERS = {"yes": True, "no": False, "": None}

#: The fields in the form's order: a refusal lists its messages in this order.
FIELDS = ("unit", "professional_group", "by_team", "nature", "category", "description", "proposal", "available",
          "area", "area_detail", "service", "service_detail", "observed_how", "observed_detail",
          "reporter_name", "contact", "uuid", "written_at")

#: Crockford's base 32: no I, L, O or U, so a number read aloud or copied by hand survives.
NUMBER_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
NUMBER_GROUPS = 3
NUMBER_GROUP_LENGTH = 4
#: How often a new number is drawn when it clashes with a stored one (one in 2⁶⁰ per report).
NUMBER_TRIES = 8
# What people type for the digits, and the separators they put between the groups
# (a phone's keyboard turns "-" into a dash of its own).
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015_.]+")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_PHONE = re.compile(r"^\+?[0-9][0-9 ()\-./]*$")
_PHONE_MIN_DIGITS = 5


class Refusals(Problem):
    """A form refused for one or more reasons: `problems` holds each, in the form's order.

    As a `Problem` it is the first of them (status 422), so it reads like any other refusal;
    the form page shows every message beside its field.
    """

    def __init__(self, problems: list[Problem]):
        problems = sorted(problems, key=lambda problem: FIELDS.index(problem.field)
                          if problem.field in FIELDS else len(FIELDS))
        first = problems[0]
        super().__init__(first.message, field=first.field, status=first.status)
        self.problems = problems

    def messages(self) -> dict[str, str]:
        """The first message for each field at fault (None: the whole form), in the form's order."""
        found: dict[str, str] = {}
        for problem in self.problems:
            found.setdefault(problem.field, str(problem.message))
        return found


@dataclass(frozen=True)
class Filed:
    """The stored report, and whether this call created it (False: it was a repeat)."""

    observation: Observation
    created: bool


@dataclass(frozen=True)
class _Fields:
    """A report's fields as read from the form, before anything was checked against the settings."""

    unit: int | None
    professional_group: str | None
    by_team: bool
    nature: str | None
    category: str | None
    description: str
    proposal: str
    available: bool | None
    area: int | None
    area_detail: str
    service: int | None
    service_detail: str
    observed_how: str | None
    observed_detail: str
    reporter_name: str
    contact: str
    uuid: str | None
    # As the phone sent it (None: not sent, the time of arrival is used and not hashed).
    written_at: datetime | None


# -- who may reach the form --------------------------------------------------------------


def address_allowed(address: str | None) -> bool:
    """Whether a request from `address` may use the form (setting `OBSERVE_NETWORKS`).

    No networks set: any address (the form's key in its address is the only gate). A
    network that cannot be read is left out and logged; if none can be read, nobody is
    let in: a mistyped setting must not open the form to everyone.
    """
    configured = current_app.config.get("OBSERVE_NETWORKS") or []
    if not configured:
        return True
    networks = []
    for entry in configured:
        try:
            networks.append(ipaddress.ip_network(str(entry).strip(), strict=False))
        except ValueError:
            log.warning("OBSERVE_NETWORKS: %r is not a network; it is left out", entry)
    try:
        ip = ipaddress.ip_address((address or "").split("%")[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # an IPv4 client on a dual-stack socket
    return any(ip in network for network in networks)


def require_form_key(form_key: str) -> None:
    """:raise Problem: (404) `form_key` is not the organisation's form key."""
    if not org.form_key_matches(form_key):
        raise Problem(_l("This form was not found. Open it again from the link on your intranet."), status=404)


# -- filing a report ---------------------------------------------------------------------


def file_observation(data: Mapping, *, form_key: str, now: datetime | None = None) -> Filed:
    """Store a report from the form, or return it if this UUID was filed before.

    `data` holds the fields named in `FIELDS` (unit, nature, description and uuid are
    required); see docs/api.md. A repeat is answered before the checks that depend on
    when it arrives (the time window, which units, areas and services are on the form):
    the report was stored when they allowed it, and an outbox replaying it later must get
    its number back, not an error.

    :raise Problem: 404 the form key is wrong; 409 the UUID was used for other content;
        422 (a `Refusals`, listing every field at fault) invalid input.
    """
    require_form_key(form_key)
    data = require_mapping(data)
    fields, problems = _read(data)
    now = now or utcnow()
    begin_write()
    body_hash = _body_hash(fields)
    if not problems:
        repeat = _repeat(fields.uuid, body_hash)
        if repeat is not None:
            return Filed(repeat, created=False)
    unit, area, service = _check_current(fields, now, problems)
    if problems:
        raise Refusals(problems)
    observation = Observation(
        number=new_number(), uuid=fields.uuid, body_hash=body_hash, unit=unit,
        professional_group=ProfessionalGroup(fields.professional_group) if fields.professional_group else None,
        nature=StreetNature(fields.nature),
        category=StreetCategory(fields.category) if fields.category else None,
        description=fields.description, proposal=fields.proposal, available=fields.available,
        by_team=fields.by_team, reporter_name=fields.reporter_name, contact=fields.contact,
        area=area, area_detail=fields.area_detail, service=service, service_detail=fields.service_detail,
        observed_how=ObservedHow(fields.observed_how) if fields.observed_how else None,
        observed_detail=fields.observed_detail, status=ObservationStatus.RECEIVED, forwarded_to=None,
        written_at=fields.written_at or now, created_at=now, updated_at=now)
    db.session.add(observation)
    try:
        db.session.flush()  # its id, for the log entry
        # The first entry of the progress log: received, by the system (no account).
        db.session.add(ObservationEvent(observation_id=observation.id, status=ObservationStatus.RECEIVED,
                                        account_id=None, created_at=now))
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        # Two sends of one UUID at the same moment (two processes on PostgreSQL): the
        # unique constraint refused the second, which is then answered as the repeat it is.
        repeat = _repeat(fields.uuid, body_hash)
        if repeat is None:
            raise
        return Filed(repeat, created=False)
    return Filed(observation, created=True)


def _read(data: Mapping) -> tuple[_Fields, list[Problem]]:
    """Every field read and checked on its own; the problems of all of them, not only the first."""
    problems: list[Problem] = []

    def take(reader, *args, **kwargs):
        try:
            return reader(*args, **kwargs)
        except Problem as problem:
            problems.append(problem)
            return None

    def detail(name: str) -> str:
        return take(text_field, data, name, DETAIL_MAX_LENGTH, required=False) or ""

    unit = take(_required_id, data, "unit", _l("Choose your work unit."))
    professional_group = take(_optional_choice, data, "professional_group", PROFESSIONAL_GROUPS)
    by_team = take(bool_field, data, "by_team") or False
    nature = take(_required_choice, data, "nature", NATURES, _l("Choose the nature of the phenomenon."))
    category = take(_optional_choice, data, "category", CATEGORIES)
    description = take(text_field, data, "description", DESCRIPTION_MAX_LENGTH, required=True,
                       empty_message=_l("Describe the phenomenon first."),
                       too_long_message=_l("The description can have at most %(limit)s characters.",
                                           limit=DESCRIPTION_MAX_LENGTH)) or ""
    proposal = take(text_field, data, "proposal", PROPOSAL_MAX_LENGTH, required=False,
                    too_long_message=_l("This answer can have at most %(limit)s characters.",
                                        limit=PROPOSAL_MAX_LENGTH)) or ""
    available = take(_available, data)
    area = take(int_field, data, "area", required=False)
    area_detail = detail("area_detail")
    service = take(int_field, data, "service", required=False)
    service_detail = detail("service_detail")
    observed_how = take(_optional_choice, data, "observed_how", OBSERVED_HOWS)
    observed_detail = detail("observed_detail")
    reporter_name = take(text_field, data, "reporter_name", NAME_MAX_LENGTH, required=False) or ""
    contact = take(_contact, data)
    uuid = take(uuid_field, data)
    written_at = take(_optional_written_at, data)
    fields = _Fields(unit=unit, professional_group=professional_group, by_team=by_team, nature=nature,
                     category=category, description=description, proposal=proposal, available=available,
                     area=area, area_detail=area_detail, service=service, service_detail=service_detail,
                     observed_how=observed_how, observed_detail=observed_detail, reporter_name=reporter_name,
                     contact=contact or "", uuid=uuid, written_at=written_at)
    return fields, problems


def _check_current(fields: _Fields, now: datetime, problems: list[Problem]):
    """The unit, area and service the report names, if they are on the form now, and its
    time if it can be right; what is not is added to `problems`."""
    unit = area = service = None
    if fields.unit is not None:
        unit = org.active_unit(fields.unit)
        if unit is None:
            problems.append(Problem(_l("Choose your work unit from the list."), field="unit", status=422))
    if fields.area is not None:
        area = org.active_area(fields.area)
        if area is None:
            problems.append(Problem(_l("Choose the area from the list."), field="area", status=422))
    if fields.service is not None:
        service = org.active_service(fields.service)
        if service is None:
            problems.append(Problem(_l("Choose the service from the list."), field="service", status=422))
    if fields.written_at is not None:
        if fields.written_at > now + CLOCK_TOLERANCE:
            problems.append(Problem(_l("The report's time is in the future. Check the date and time of your "
                                       "device."), field="written_at", status=422))
        elif fields.written_at < now - MAX_AGE:
            problems.append(Problem(_l("This report is more than %(days)s days old, so it can no longer be sent.",
                                       days=MAX_AGE.days), field="written_at", status=422))
    return unit, area, service


def _required_id(data: Mapping, name: str, missing_message) -> int:
    value = data.get(name)
    if value is None or value == "":
        raise Problem(missing_message, field=name, status=422)
    return int_field(data, name)


def _required_choice(data: Mapping, name: str, choices: tuple[str, ...], missing_message) -> str:
    value = data.get(name)
    if value is None or value == "":
        raise Problem(missing_message, field=name, status=422)
    return _optional_choice(data, name, choices)


def _optional_choice(data: Mapping, name: str, choices: tuple[str, ...]) -> str | None:
    value = data.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or value not in choices:
        raise Problem(_l("This is not a valid choice."), field=name, status=422)
    return value


def _available(data: Mapping) -> bool | None:
    """"yes", "no" or unanswered ("" or missing); JSON true/false/null are taken too."""
    value = data.get("available")
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value in AVAILABLE_ANSWERS:
        return AVAILABLE_ANSWERS[value]
    raise Problem(_l("This is not a valid choice."), field="available", status=422)


def _contact(data: Mapping) -> str:
    """An e-mail address or a phone number, or nothing: whoever handles the report must be
    able to use it to tell the reporter what happened."""
    contact = text_field(data, "contact", CONTACT_MAX_LENGTH, required=False)
    if not contact:
        return ""
    if "@" in contact:
        if not _EMAIL.match(contact):
            raise Problem(_l("This e-mail address does not look right. Check it, or leave the field empty."),
                          field="contact", status=422)
    elif not _PHONE.match(contact) or sum(character.isdigit() for character in contact) < _PHONE_MIN_DIGITS:
        raise Problem(_l("Write an e-mail address or a phone number, or leave the field empty."),
                      field="contact", status=422)
    return contact


def _optional_written_at(data: Mapping) -> datetime | None:
    value = data.get("written_at")
    if value is None or value == "":
        return None
    try:
        return parse_written_at(value)
    except Problem:
        raise Problem(_l("The time the report was written is not valid. Please reload the page."),
                      field="written_at", status=422) from None


def _body_hash(fields: _Fields) -> str:
    body = asdict(fields)
    body.pop("uuid")
    body["written_at"] = fields.written_at.isoformat() if fields.written_at else None
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def _repeat(report_uuid: str, body_hash: str) -> Observation | None:
    """The report with this UUID if this send repeats it, else None.

    :raise Problem: (409) the UUID was used for different content.
    """
    observation = db.session.scalar(select(Observation).where(Observation.uuid == report_uuid))
    if observation is None:
        return None
    if observation.body_hash != body_hash:
        raise Problem(_l("This report was already sent with different content."), field="uuid", status=409)
    return observation


# -- the report number -------------------------------------------------------------------


def new_number() -> str:
    """A report number no report has: e.g. "7K4M-9XQ2-HT3P" (60 random bits)."""
    for _attempt in range(NUMBER_TRIES):
        characters = "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(NUMBER_GROUPS * NUMBER_GROUP_LENGTH))
        number = _grouped(characters)
        if db.session.scalar(select(Observation.id).where(Observation.number == number)) is None:
            return number
    raise RuntimeError("no free report number found")  # only with a broken random source


def normalise_number(text) -> str | None:
    """The report number as stored ("7K4M-9XQ2-HT3P"), from what a person typed, or None.

    Lower case, spaces, any dashes or none, and O, I or L typed for 0, 1 and 1 are all
    forgiven; anything else that is not twelve characters of the alphabet is no number.
    """
    if not isinstance(text, str) or len(text) > 64:
        return None
    characters = _SEPARATORS.sub("", text).upper().translate(_LOOKALIKES)
    if len(characters) != NUMBER_GROUPS * NUMBER_GROUP_LENGTH or any(c not in NUMBER_ALPHABET for c in characters):
        return None
    return _grouped(characters)


def _grouped(characters: str) -> str:
    return "-".join(characters[start:start + NUMBER_GROUP_LENGTH]
                    for start in range(0, len(characters), NUMBER_GROUP_LENGTH))


def find_by_number(text) -> Observation | None:
    """The report with the number `text` (typed in any of the forms `normalise_number` forgives)."""
    number = normalise_number(text)
    if number is None:
        return None
    return db.session.scalar(select(Observation).where(Observation.number == number))


# -- what the number shows ---------------------------------------------------------------


def tracking_state(observation: Observation) -> dict:
    """What the tracking page shows of a report to whoever has its number, and nothing more.

    The number is all it takes, so the page must not tell more than the reporter needs to
    follow the report: its number, when it was received, its nature and category, where
    it stands (and where it was forwarded), and the progress log: each entry's date,
    status, forwarded-to and the note written for the reporter, with WHO named only by
    role ("Supervisor", "Director"; the first entry by the system).

    Left out on purpose: the description and the proposal (the number may be seen over a
    shoulder or on a shared computer, and the text may tell who wrote it or whom it is
    about), the reporter's name and contact, the unit, area and service (with a small unit
    they point at a person), and every account's user name (the handlers act as their
    role, not as people the reporter could be pointed at).
    """
    statuses, forwarded = status_labels(), forwarded_labels()
    roles = dict(role_labels())
    events = db.session.scalars(select(ObservationEvent).where(ObservationEvent.observation_id == observation.id)
                                .order_by(ObservationEvent.created_at, ObservationEvent.id))
    return {
        "number": observation.number,
        "received_at": observation.created_at,
        "nature": label(nature_labels(), observation.nature),
        "nature_value": observation.nature.value,
        "category": label(category_labels(), observation.category),
        "status": label(statuses, observation.status),
        "status_value": observation.status.value,
        "forwarded_to": label(forwarded, observation.forwarded_to),
        "log": [{
            "at": event.created_at,
            "status": label(statuses, event.status),
            "forwarded_to": label(forwarded, event.forwarded_to),
            "note": event.note or "",
            "by": roles.get(event.account.role.value, "") if event.account is not None else str(_l("The system")),
        } for event in events],
    }
