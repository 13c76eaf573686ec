"""The data model. Every table is created by a migration in `migrations/`, never by create_all.

Boards, items (notes, drawings, photos), themes and dot votes hang off `Workshop`; an
item's or a dot's author is a `Participant` (anonymous) or an `Account` (staff). Every
change to what a wall shows is numbered in `Change`, per workshop, so a wall that lost its
connection can ask for what it missed.
"""
from __future__ import annotations

import enum
from datetime import datetime, timezone

from flask_login import UserMixin
from sqlalchemy import DateTime, Enum, ForeignKey, String, func, select
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
    # The number of the last change pushed to this workshop's walls (see `Change`).
    last_seq: Mapped[int] = mapped_column(default=0)
    # "Hide until revealed": new notes show on the wall only as a count until revealed.
    reveal_mode: Mapped[bool] = mapped_column(default=False)

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


def next_position(model, workshop_id: int) -> int:
    """The position after the last board, theme or question of a workshop (1 for the first)."""
    last = db.session.scalar(select(func.max(model.position)).where(model.workshop_id == workshop_id))
    return (last or 0) + 1


class ItemKind(str, enum.Enum):
    """What a participant can put on the wall."""

    NOTE = "note"
    DRAWING = "drawing"
    PHOTO = "photo"


class Board(db.Model):
    """A flip-chart column with a prompt, e.g. "What works", set by the facilitator."""

    __tablename__ = "board"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=0)
    # A locked board takes no new items and nothing on it can be taken back.
    locked: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Theme(db.Model):
    """A group of items the facilitator formed on the wall, with a name."""

    __tablename__ = "theme"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Removing a theme keeps its row (and so its place in the change log); its items go
    # back to their boards.
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Item(db.Model):
    """One contribution on the wall: a sticky note, a drawing or a photo.

    `uuid` is made by the sending phone; together with `body_hash` it makes sending the
    same thing twice harmless (the outbox may replay). Taking an item back erases its text
    and picture but keeps the row, so a late replay cannot bring it back.
    """

    __tablename__ = "item"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"), index=True)
    uuid: Mapped[str] = mapped_column(String(36))
    body_hash: Mapped[str] = mapped_column(String(64))
    kind: Mapped[ItemKind] = mapped_column(_enum(ItemKind, "item_kind"))
    board_id: Mapped[int] = mapped_column(ForeignKey("board.id"), index=True)
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("theme.id", ondelete="SET NULL"), index=True)
    # Order on the wall: the change number of the moment the item was put where it is.
    position: Mapped[int] = mapped_column(default=0)
    # A note's text, or a picture's caption (its alt text in the report). Stored as typed.
    text: Mapped[str] = mapped_column(String(1000), default="")
    colour: Mapped[str] = mapped_column(String(16), default="yellow")
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participant.id", ondelete="SET NULL"), index=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    # Typed in by the facilitator from a paper note.
    from_paper: Mapped[bool] = mapped_column(default=False)
    image_name: Mapped[str | None] = mapped_column(String(64))
    thumb_name: Mapped[str | None] = mapped_column(String(64))
    image_width: Mapped[int | None] = mapped_column()
    image_height: Mapped[int | None] = mapped_column()
    # False while the workshop hides new notes until the facilitator reveals them.
    revealed: Mapped[bool] = mapped_column(default=True)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    board: Mapped[Board] = relationship()

    __table_args__ = (db.UniqueConstraint("workshop_id", "uuid", name="uq_item_uuid"),)


class Question(db.Model):
    """A dot vote: each participant has `dots_per_person` dots to put on its options."""

    __tablename__ = "question"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    dots_per_person: Mapped[int] = mapped_column(default=3)
    is_open: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    options: Mapped[list["Option"]] = relationship(order_by="Option.position", back_populates="question")


class Option(db.Model):
    """One thing to vote for in a question: a topic now, a theme or an idea later."""

    __tablename__ = "option"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)

    question: Mapped[Question] = relationship(back_populates="options")


class Dot(db.Model):
    """One voting dot on an option, placed by a participant or by staff on someone's behalf."""

    __tablename__ = "dot"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"), index=True)
    uuid: Mapped[str] = mapped_column(String(36))
    body_hash: Mapped[str] = mapped_column(String(64))
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"), index=True)
    option_id: Mapped[int] = mapped_column(ForeignKey("option.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participant.id", ondelete="SET NULL"), index=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # A dot taken back stays as a tombstone: a late replay of its UUID (the offline outbox)
    # then finds it and cannot put it back on the option.
    taken_back_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (db.UniqueConstraint("workshop_id", "uuid", name="uq_dot_uuid"),)


class Change(db.Model):
    """A numbered change to something a wall shows: which entity changed, not how.

    A wall that reconnects asks for the entities changed after the last number it saw and
    gets their current state, so it ends up exactly where every other wall is.
    """

    __tablename__ = "change"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column()
    entity: Mapped[str] = mapped_column(String(16))
    entity_id: Mapped[int] = mapped_column()

    __table_args__ = (db.UniqueConstraint("workshop_id", "seq", name="uq_change_seq"),)


__all__ = ["Account", "Board", "Change", "Dot", "Item", "ItemKind", "Option", "Participant", "Phase", "Question",
           "Role", "Theme", "Workshop", "utcnow"]
