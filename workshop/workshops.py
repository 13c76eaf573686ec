"""Workshops and joining them: the rules, callable without a request or a server."""
from __future__ import annotations

import hashlib
import secrets

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from . import changes, joincodes, wall
from .database import begin_write
from .extensions import db
from .i18n import LANGUAGES
from .models import Account, Participant, Workshop, utcnow
from .problems import Problem

MAX_TITLE_LENGTH = 200
MAX_PLACE_LENGTH = 200
# Generating a taken code is rare (a handful of workshops among 86 million codes); a few
# tries make a collision practically impossible to hit twice.
_CODE_ATTEMPTS = 8


def _clean_title(title: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise Problem(_l("Give the workshop a name."), field="title")
    if len(title) > MAX_TITLE_LENGTH:
        raise Problem(_l("The name is too long."), field="title")
    return title


def _code_length() -> int:
    return current_app.config["JOIN_CODE_LENGTH"]


def create_workshop(title: str, place: str = "", language: str = "fi", created_by: Account | None = None) -> Workshop:
    """Create and commit a workshop with a fresh, unused join code.

    :raise Problem: the title is empty or too long, the place too long, or the language
        is not one the app speaks.
    """
    title = _clean_title(title)
    place = " ".join(place.split())
    if len(place) > MAX_PLACE_LENGTH:
        raise Problem(_l("The place is too long."), field="place")
    if language not in LANGUAGES:
        raise Problem(_l("Choose one of the languages."), field="language")
    for _ in range(_CODE_ATTEMPTS):
        begin_write()
        code = joincodes.generate(_code_length())
        if db.session.scalar(select(Workshop.id).where(Workshop.join_code == code)):
            continue
        workshop = Workshop(title=title, place=place, language=language, join_code=code, created_by=created_by)
        db.session.add(workshop)
        try:
            db.session.flush()
            changes.record(workshop, "workshop", workshop.id)
            wall.add_default_boards(workshop)
            changes.commit_and_publish()
        except IntegrityError:  # the same code was taken at the same moment
            db.session.rollback()
            continue
        return workshop
    raise RuntimeError("could not find a free join code")  # pragma: no cover - 86M codes


def rename_workshop(workshop: Workshop, title: str) -> Workshop:
    """Give the workshop a new name.

    :raise Problem: the title is empty or too long.
    """
    begin_write(workshop)
    workshop.title = _clean_title(title)
    changes.record(workshop, "workshop", workshop.id)
    changes.commit_and_publish()
    return workshop


def close_workshop(workshop: Workshop) -> Workshop:
    """Close the workshop: nobody can join any more, and its code says it has ended."""
    if workshop.closed_at is None:
        begin_write(workshop)
        workshop.closed_at = utcnow()
        changes.record(workshop, "workshop", workshop.id)
        changes.commit_and_publish()
    return workshop


def reopen_workshop(workshop: Workshop) -> Workshop:
    """Undo a close: the same code works again."""
    if workshop.closed_at is not None:
        begin_write(workshop)
        workshop.closed_at = None
        changes.record(workshop, "workshop", workshop.id)
        changes.commit_and_publish()
    return workshop


def list_workshops() -> list[Workshop]:
    """All workshops, open ones first, newest first within each group."""
    return list(
        db.session.scalars(
            select(Workshop).order_by(Workshop.closed_at.is_not(None), Workshop.created_at.desc(), Workshop.id.desc())
        )
    )


def find_by_code(typed: str) -> Workshop | None:
    """The workshop whose join code matches what was typed (forgiving about case and spaces)."""
    code = joincodes.normalise(typed)
    if not joincodes.is_well_formed(code, _code_length()):
        return None
    return db.session.scalar(select(Workshop).where(Workshop.join_code == code))


def new_device_token() -> str:
    """A fresh random device token for an anonymous participant's cookie (256 bits)."""
    return secrets.token_urlsafe(32)


def _token_hash(token: str) -> str:
    # The token is 256 random bits, so a fast hash is enough: nothing to brute-force.
    return hashlib.sha256(token.encode()).hexdigest()


def participant_for(workshop: Workshop, device_token: str | None) -> Participant | None:
    """The participant this device already is in this workshop, if any."""
    if not device_token:
        return None
    return db.session.scalar(
        select(Participant).where(
            Participant.workshop_id == workshop.id, Participant.token_hash == _token_hash(device_token)
        )
    )


def join(workshop: Workshop, device_token: str | None) -> tuple[Participant, str]:
    """Make this device an anonymous participant of an open workshop.

    Returns the participant and the device token the cookie should hold: the same token
    when the device already had one (joining twice is the same person), a new one if not.
    Nothing about the person or the device is stored beyond the token's hash.

    :raise Problem: (status 410) the workshop is closed.
    """
    if not workshop.is_open:
        raise Problem(_l("This workshop has ended."), status=410)
    token = device_token if device_token and len(device_token) <= 128 else new_device_token()
    existing = participant_for(workshop, token)
    if existing is not None:
        return existing, token
    participant = Participant(workshop=workshop, token_hash=_token_hash(token))
    db.session.add(participant)
    try:
        db.session.commit()
    except IntegrityError:  # the same device joined in a parallel request
        db.session.rollback()
        existing = participant_for(workshop, token)
        if existing is None:
            raise
        return existing, token
    return participant, token
