"""The data model. Every table is created by a migration in `migrations/`, never by create_all.

Room is left for what comes next: boards, contributions and votes hang off `Workshop`;
a contribution's author is a `Participant` (anonymous) or an `Account` (staff).
"""
from __future__ import annotations

import enum
from datetime import datetime, timezone

from flask_login import UserMixin
from sqlalchemy import DateTime, Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from .extensions import db


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC (all stored times are UTC)."""
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware.

    SQLite keeps no time zone; without this a time read back would be naive and compare
    wrongly with `utcnow()`.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(timezone.utc)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


class Role(str, enum.Enum):
    """What a staff account may do. Later issues add worker, handler, director and admin."""

    FACILITATOR = "facilitator"


class Phase(str, enum.Enum):
    """The phases of the co-reporting model (DOMAIN.md); the rules come in a later issue."""

    MAPPING = "mapping"
    COLLECTION = "collection"
    PUBLICATION = "publication"
    FOLLOW_UP = "follow_up"


def _enum(enum_class: type[enum.Enum], name: str) -> Enum:
    # Stored as the value in a plain string column with a CHECK constraint: readable in a
    # database dump, and portable between SQLite and PostgreSQL without a native ENUM type.
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class Account(UserMixin, db.Model):
    """A staff member who logs in: for now, a facilitator."""

    __tablename__ = "account"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored as typed; looked up case-insensitively through `username_key`.
    username: Mapped[str] = mapped_column(String(64))
    username_key: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[Role] = mapped_column(_enum(Role, "role"), default=Role.FACILITATOR)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def is_active(self) -> bool:  # Flask-Login: a deactivated account cannot log in
        return self.active


class Workshop(db.Model):
    """One co-reporting workshop, possibly spanning several gatherings."""

    __tablename__ = "workshop"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    place: Mapped[str] = mapped_column(String(200), default="")
    language: Mapped[str] = mapped_column(String(8), default="fi")
    phase: Mapped[Phase] = mapped_column(_enum(Phase, "phase"), default=Phase.MAPPING)
    join_code: Mapped[str] = mapped_column(String(16), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("account.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    created_by: Mapped[Account | None] = relationship()

    @property
    def is_open(self) -> bool:
        """Whether participants can still join and take part."""
        return self.closed_at is None


class Participant(db.Model):
    """An anonymous participant of one workshop.

    Identified only by a random device token kept in a cookie on their phone or the
    shared tablet; the database keeps a hash of it. No name, IP address or user agent is
    stored, and nothing here may ever be added that would identify a person.
    """

    __tablename__ = "participant"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshop.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64))
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    workshop: Mapped[Workshop] = relationship()

    __table_args__ = (db.UniqueConstraint("workshop_id", "token_hash", name="uq_participant_device"),)


__all__ = ["Account", "Participant", "Phase", "Role", "Workshop", "utcnow"]
