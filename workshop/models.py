"""The data model. Every table is created by a migration in `migrations/`, never by create_all.

Boards, items (notes, drawings, photos), themes and dot votes hang off `Workshop`; an
item's or a dot's author is a `Participant` (anonymous) or an `Account` (staff). Every
change to what a wall shows is numbered in `Change`, per workshop, so a wall that lost its
connection can ask for what it missed.
"""
from __future__ import annotations

import enum
from datetime import date, datetime, timezone

from flask_login import UserMixin
from sqlalchemy import Date, DateTime, Enum, ForeignKey, String, Text, func, select
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
    """What a staff account may do."""

    FACILITATOR = "facilitator"
    # A street outreach worker: files street notes from a phone, and does nothing else.
    WORKER = "worker"
    # Professionals' social reporting (issue 7, `observations.py`): a unit's supervisor
    # handles the reports of the units they supervise, a director those of their sector.
    HANDLER = "handler"
    DIRECTOR = "director"
    # Tags reports with themes and support needs and writes the half-yearly summary.
    WORKING_GROUP = "working_group"
    # Keeps the organisation settings (sectors, units, areas, services) and the accounts.
    ADMIN = "admin"


class Phase(str, enum.Enum):
    """The phases of the co-reporting model (DOMAIN.md); the rules are in `phases.py`."""

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
    """A staff member who logs in: a facilitator or a street outreach worker (`Role`)."""

    __tablename__ = "account"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored as typed; looked up case-insensitively through `username_key`.
    username: Mapped[str] = mapped_column(String(64))
    username_key: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[Role] = mapped_column(_enum(Role, "role"), default=Role.FACILITATOR)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Part of the id kept in the session cookie: logging out raises it, so a copy of the
    # cookie taken before (a shared computer, a stolen cookie) no longer logs anyone in.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")

    @property
    def is_active(self) -> bool:  # Flask-Login: a deactivated account cannot log in
        return self.active

    def get_id(self) -> str:
        """Flask-Login: what the session cookie holds, "<id>.<session version>"."""
        return f"{self.id}.{self.session_version}"

    @property
    def is_facilitator(self) -> bool:
        """Facilitators run workshops; other accounts (an outreach worker) are not staff there."""
        return self.role == Role.FACILITATOR


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
    # The topic the group chose in phase 1, shown everywhere once confirmed.
    topic: Mapped[str] = mapped_column(String(200), default="")
    # The phase whose "how did this work for you?" the phones ask now (None: not asked).
    feedback_phase: Mapped[Phase | None] = mapped_column(_enum(Phase, "feedback_phase"))
    # What the projector shows: "wall", "explainer", "survey-<id>", "question-<id>", "ideas".
    projector: Mapped[str] = mapped_column(String(40), default="wall")
    # The gathering going on now: new contributions are counted to it (None: no gatherings).
    current_gathering_id: Mapped[int | None] = mapped_column(
        ForeignKey("gathering.id", ondelete="SET NULL", use_alter=True))
    # When the retention period deleted its raw contributions (`lifecycle.purge_expired`);
    # the report and what it shows stay.
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

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


class Gathering(db.Model):
    """One meeting of a workshop (tilaisuus): an afternoon at the day centre, a street round.

    Contributions remember the gathering that was current when they were made. The log is
    the facilitator's: what was done and how many took part — counts, never names.
    """

    __tablename__ = "gathering"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    place: Mapped[str] = mapped_column(String(200), default="")
    held_on: Mapped[date | None] = mapped_column(Date())
    position: Mapped[int] = mapped_column(default=0)
    log: Mapped[str] = mapped_column(String(2000), default="")
    participant_count: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


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
    # What the group says the theme is about, in a sentence or two (for the report).
    description: Mapped[str] = mapped_column(String(500), default="")
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
    phase: Mapped[Phase] = mapped_column(_enum(Phase, "item_phase"), default=Phase.COLLECTION)
    gathering_id: Mapped[int | None] = mapped_column(ForeignKey("gathering.id", ondelete="SET NULL"), index=True)

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
    # "general", "topics" (options are topic proposals) or "ideas" (development ideas).
    purpose: Mapped[str] = mapped_column(String(16), default="general")

    options: Mapped[list["Option"]] = relationship(order_by="Option.position", back_populates="question")


class Option(db.Model):
    """One thing to vote for in a question: a topic now, a theme or an idea later."""

    __tablename__ = "option"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)
    # What the option stands for in a topic or idea vote.
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("topic_proposal.id", ondelete="SET NULL"))
    idea_id: Mapped[int | None] = mapped_column(ForeignKey("idea.id", ondelete="SET NULL"))

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


class TopicProposal(db.Model):
    """A topic for the report proposed in phase 1, by a participant or the facilitator."""

    __tablename__ = "topic_proposal"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"), index=True)
    uuid: Mapped[str] = mapped_column(String(36))
    body_hash: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(String(200))
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participant.id", ondelete="SET NULL"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    gathering_id: Mapped[int | None] = mapped_column(ForeignKey("gathering.id", ondelete="SET NULL"))
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (db.UniqueConstraint("workshop_id", "uuid", name="uq_topic_proposal_uuid"),)


class SurveyKind(str, enum.Enum):
    """The kinds of short anonymous survey question."""

    CHOICE = "choice"  # pick one
    MULTI = "multi"  # pick any
    SCALE = "scale"  # 1–5 smileys
    TEXT = "text"  # a few words


class Survey(db.Model):
    """One short anonymous survey question the facilitator opens and closes."""

    __tablename__ = "survey"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"), index=True)
    kind: Mapped[SurveyKind] = mapped_column(_enum(SurveyKind, "survey_kind"))
    title: Mapped[str] = mapped_column(String(200))
    # "general", or "participation" for "How would you like to take part?"
    purpose: Mapped[str] = mapped_column(String(16), default="general")
    is_open: Mapped[bool] = mapped_column(default=True)
    phase: Mapped[Phase] = mapped_column(_enum(Phase, "survey_phase"), default=Phase.COLLECTION)
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    options: Mapped[list["SurveyOption"]] = relationship(order_by="SurveyOption.position")


class SurveyOption(db.Model):
    """A choice of a choice or multi survey question."""

    __tablename__ = "survey_option"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(200))
    # For the participation poll: which way of taking part (see `phases.PARTICIPATION_WAYS`).
    key: Mapped[str] = mapped_column(String(32), default="")
    position: Mapped[int] = mapped_column(default=0)


class SurveyAnswer(db.Model):
    """One anonymous answer. A participant who answers again changes their answer: the
    latest counts, and the earlier rows stay so that a replayed send stays harmless."""

    __tablename__ = "survey_answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"), index=True)
    uuid: Mapped[str] = mapped_column(String(36))
    body_hash: Mapped[str] = mapped_column(String(64))
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participant.id", ondelete="SET NULL"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    gathering_id: Mapped[int | None] = mapped_column(ForeignKey("gathering.id", ondelete="SET NULL"))
    # The chosen SurveyOption ids, comma-separated (choice: one, multi: any).
    choices: Mapped[str] = mapped_column(String(400), default="")
    scale: Mapped[int | None] = mapped_column()
    text: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (db.UniqueConstraint("workshop_id", "uuid", name="uq_survey_answer_uuid"),)


idea_theme = db.Table(
    "idea_theme",
    db.Column("idea_id", ForeignKey("idea.id", ondelete="CASCADE"), primary_key=True),
    db.Column("theme_id", ForeignKey("theme.id", ondelete="CASCADE"), primary_key=True),
)
idea_item = db.Table(
    "idea_item",
    db.Column("idea_id", ForeignKey("idea.id", ondelete="CASCADE"), primary_key=True),
    db.Column("item_id", ForeignKey("item.id", ondelete="CASCADE"), primary_key=True),
)


class Idea(db.Model):
    """A development idea (kehittämisidea) the group formed from its themes and notes."""

    __tablename__ = "idea"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"), index=True)
    statement: Mapped[str] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    themes: Mapped[list[Theme]] = relationship(secondary=idea_theme, order_by="Theme.position")
    items: Mapped[list[Item]] = relationship(secondary=idea_item, order_by="Item.id")


class PhaseFeedback(db.Model):
    """"How did this work for you?" at the end of a phase: a smiley and an optional comment.

    Like survey answers, the latest answer of a participant for a phase counts.
    """

    __tablename__ = "phase_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"), index=True)
    uuid: Mapped[str] = mapped_column(String(36))
    body_hash: Mapped[str] = mapped_column(String(64))
    phase: Mapped[Phase] = mapped_column(_enum(Phase, "feedback_for_phase"))
    gathering_id: Mapped[int | None] = mapped_column(ForeignKey("gathering.id", ondelete="SET NULL"))
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participant.id", ondelete="SET NULL"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    rating: Mapped[int] = mapped_column()
    # Which way of taking part the comment is about (`phases.PARTICIPATION_WAYS`), or "".
    way: Mapped[str] = mapped_column(String(32), default="")
    comment: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (db.UniqueConstraint("workshop_id", "uuid", name="uq_phase_feedback_uuid"),)


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


class StreetNature(str, enum.Enum):
    """The nature of an observed phenomenon, as on the professional's form (DOMAIN.md)."""

    POSITIVE = "positive"
    NEGATIVE = "negative"
    OTHER = "other"  # "other important"


class StreetCategory(str, enum.Enum):
    """The ten phenomenon categories of the professional's form (DOMAIN.md, seed 002)."""

    OWN_SERVICES = "own_services"
    OTHER_SERVICES = "other_services"  # other authorities' services
    NETWORK_COOPERATION = "network_cooperation"
    OWN_RESOURCES = "own_resources"
    OTHER_RESOURCES = "other_resources"  # other authorities' resources
    INTERNAL_PROCESSES = "internal_processes"
    CROSS_SECTOR_PROCESSES = "cross_sector_processes"
    CLIENT_WORK = "client_work"
    CLIENT_NEEDS = "client_needs"  # needs produced by clients
    SOCIAL_PROBLEMS = "social_problems"


class StreetNote(db.Model):
    """A street note (katuhavainto): what an outreach worker met, written on the spot.

    Made on a phone that may be offline for weeks: `uuid` is the phone's, and together
    with `body_hash` it makes a replay by the outbox harmless, as for items. `written_at`
    is the phone's clock when the note was written, not when it reached the server. The
    place is only a coarse area from the deployment's list: never coordinates, and nothing
    about the phone.
    """

    __tablename__ = "street_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36))
    body_hash: Mapped[str] = mapped_column(String(64))
    # The worker who wrote it. No ondelete: an account with notes is deactivated, not deleted.
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    text: Mapped[str] = mapped_column(String(500))
    nature: Mapped[StreetNature] = mapped_column(_enum(StreetNature, "street_nature"))
    category: Mapped[StreetCategory] = mapped_column(_enum(StreetCategory, "street_category"))
    # "" or one of the deployment's STREET_AREAS (kept as written: the list may change).
    area: Mapped[str] = mapped_column(String(80), default="")
    # Which workshop or topic the note is material for, if the worker said.
    workshop_id: Mapped[int | None] = mapped_column(ForeignKey("workshop.id", ondelete="SET NULL"))
    topic: Mapped[str] = mapped_column(String(200), default="")
    image_name: Mapped[str | None] = mapped_column(String(64))
    thumb_name: Mapped[str | None] = mapped_column(String(64))
    image_width: Mapped[int | None] = mapped_column()
    image_height: Mapped[int | None] = mapped_column()
    written_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    account: Mapped[Account] = relationship()
    workshop: Mapped[Workshop | None] = relationship()

    __table_args__ = (db.UniqueConstraint("account_id", "uuid", name="uq_street_note_uuid"),)


class SectionKind(str, enum.Enum):
    """What a report section is about; the draft makes them in this order (`report.py`)."""

    METHOD = "method"  # how this report was made
    THEME = "theme"  # one per theme: the participants' own words and pictures
    IDEAS = "ideas"  # the development ideas
    ANSWER = "answer"  # management's answer (its text comes from `Report.answer_*`, `IdeaAnswer`)
    FOLLOW_UP = "follow_up"  # what happened since (its table comes from `DevelopmentTarget`)
    OTHER = "other"  # a section the facilitator added


class Report(db.Model):
    """A workshop's co-written social report (one per workshop), made of `ReportSection`s.

    Management's general answer is kept here; its answers per idea are `IdeaAnswer`s.
    `public_key` is the unguessable part of the public page's address, set when the report
    is published (and kept if it is unpublished and published again).
    """

    __tablename__ = "report"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    public_key: Mapped[str | None] = mapped_column(String(32), unique=True)
    # Management's answer: who answered (a role, e.g. "Head of adult social work"), the text.
    answer_by: Mapped[str] = mapped_column(String(200), default="")
    answer_text: Mapped[str] = mapped_column(Text(), default="")
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    workshop: Mapped[Workshop] = relationship()
    sections: Mapped[list["ReportSection"]] = relationship(order_by="ReportSection.position",
                                                           back_populates="report")


class ReportSection(db.Model):
    """One section of a report: a title and Markdown text, at a version (from 1).

    A save names the version it was based on; one based on an older version is refused
    (`report.save_section`), so nobody's edit is silently overwritten. Every saved version
    is kept as a `SectionVersion`.
    """

    __tablename__ = "report_section"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"), index=True)
    kind: Mapped[SectionKind] = mapped_column(_enum(SectionKind, "section_kind"))
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("theme.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text(), default="")
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    report: Mapped[Report] = relationship(back_populates="sections")


class SectionVersion(db.Model):
    """A saved version of a section, kept for the history and for restoring."""

    __tablename__ = "section_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("report_section.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column()
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text(), default="")
    # Who saved it: a staff account (a participant's words come in through a `Suggestion`).
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    # Why, in a few words the history shows ("draft", "restored version 2", "suggestion").
    note: Mapped[str] = mapped_column(String(200), default="")
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    account: Mapped[Account | None] = relationship()

    __table_args__ = (db.UniqueConstraint("section_id", "version", name="uq_section_version"),)


class Suggestion(db.Model):
    """A participant's "add a sentence" or "suggest a change" to a section.

    A change names the sentence (`quote`) it would replace with `text`. The facilitator
    accepts it (it goes into the section's text as a new version) or declines it with a
    `reason` the participant sees.
    """

    __tablename__ = "suggestion"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"), index=True)
    uuid: Mapped[str] = mapped_column(String(36))
    body_hash: Mapped[str] = mapped_column(String(64))
    section_id: Mapped[int] = mapped_column(ForeignKey("report_section.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # "add" or "change"
    quote: Mapped[str] = mapped_column(String(2000), default="")
    text: Mapped[str] = mapped_column(String(1000))
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participant.id", ondelete="SET NULL"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), default="open")  # open, accepted, declined
    reason: Mapped[str] = mapped_column(String(300), default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (db.UniqueConstraint("workshop_id", "uuid", name="uq_suggestion_uuid"),)


class CommentRound(db.Model):
    """A comment round (kommenttikierros): the report frozen as "round N version".

    `snapshot` is that frozen text as JSON (`[{section_id, kind, title, body, version}]`),
    which commenters read and which two rounds are compared by.
    """

    __tablename__ = "comment_round"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column()
    snapshot: Mapped[str] = mapped_column(Text())
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (db.UniqueConstraint("report_id", "number", name="uq_comment_round_number"),)


class ReportLink(db.Model):
    """A private link to a report: for management's answer or for an invited reader.

    Only the token's SHA-256 is stored; the link itself is shown once, when it is made.
    """

    __tablename__ = "report_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(16))  # "answer" or "reader"
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Whom it is for, as the facilitator wrote it (a role, e.g. "Service manager").
    label: Mapped[str] = mapped_column(String(120), default="")
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Comment(db.Model):
    """A comment on a section in a comment round, from a participant, staff or a reader link.

    The facilitator marks it `addressed` or `not_taken` with a `reply` the commenter sees.
    """

    __tablename__ = "comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"), index=True)
    uuid: Mapped[str] = mapped_column(String(36))
    body_hash: Mapped[str] = mapped_column(String(64))
    round_id: Mapped[int] = mapped_column(ForeignKey("comment_round.id", ondelete="CASCADE"), index=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("report_section.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(String(1000))
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participant.id", ondelete="SET NULL"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    link_id: Mapped[int | None] = mapped_column(ForeignKey("report_link.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), default="open")  # open, addressed, not_taken
    reply: Mapped[str] = mapped_column(String(500), default="")
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (db.UniqueConstraint("workshop_id", "uuid", name="uq_comment_uuid"),)


class CommentAgreement(db.Model):
    """One person's "+1" to a comment: at most one each (participant, account or link)."""

    __tablename__ = "comment_agreement"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"))
    link_id: Mapped[int | None] = mapped_column(ForeignKey("report_link.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        db.UniqueConstraint("comment_id", "participant_id", name="uq_agreement_participant"),
        db.UniqueConstraint("comment_id", "account_id", name="uq_agreement_account"),
        db.UniqueConstraint("comment_id", "link_id", name="uq_agreement_link"),
    )


class IdeaAnswer(db.Model):
    """Management's answer to one development idea: what will be done, and when."""

    __tablename__ = "idea_answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"), index=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(2000), default="")
    schedule: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (db.UniqueConstraint("report_id", "idea_id", name="uq_idea_answer"),)


class TargetStatus(str, enum.Enum):
    """Where a development target stands (the follow-up's status column)."""

    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    NOT_DONE = "not_done"  # decided against, or given up: the note says why


class DevelopmentTarget(db.Model):
    """A row of the follow-up (seuranta) tracker: a development target and how it is followed.

    A workshop's development idea becomes one (`idea_id`); the working group adds rows
    without a workshop from professionals' reports (`observation_id`) or a summary theme
    (`summary_theme_id`), so both are followed in one table.
    """

    __tablename__ = "development_target"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int | None] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"), index=True)
    idea_id: Mapped[int | None] = mapped_column(ForeignKey("idea.id", ondelete="SET NULL"), unique=True)
    target: Mapped[str] = mapped_column(String(300))
    partners: Mapped[str] = mapped_column(String(300), default="")
    actions: Mapped[str] = mapped_column(String(2000), default="")
    responsible: Mapped[str] = mapped_column(String(200), default="")
    schedule: Mapped[str] = mapped_column(String(200), default="")
    indicator: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[TargetStatus] = mapped_column(_enum(TargetStatus, "target_status"), default=TargetStatus.PLANNED)
    done_on: Mapped[date | None] = mapped_column(Date())
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Where a row without a workshop came from (issue 7); both optional.
    observation_id: Mapped[int | None] = mapped_column(ForeignKey("observation.id", ondelete="SET NULL"), index=True)
    summary_theme_id: Mapped[int | None] = mapped_column(ForeignKey("summary_theme.id", ondelete="SET NULL"),
                                                         index=True)


class TargetUpdate(db.Model):
    """A status change of a development target, with a note participants read."""

    __tablename__ = "target_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("development_target.id", ondelete="CASCADE"), index=True)
    status: Mapped[TargetStatus] = mapped_column(_enum(TargetStatus, "update_status"))
    note: Mapped[str] = mapped_column(String(500), default="")
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ReaderFeedback(db.Model):
    """Feedback from a reader of the published report, shown once the facilitator approves it."""

    __tablename__ = "reader_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(String(2000))
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending, approved, rejected
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


# -- professionals' social reporting (issue 7) -------------------------------------------


class Organisation(db.Model):
    """The one row of organisation-wide settings for professionals' social reporting.

    `form_key` is the unguessable part of the form's address that the intranet links to
    (and its QR code): the form needs no login, and the key keeps it from strangers.
    """

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    form_key: Mapped[str] = mapped_column(String(64), unique=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Sector(db.Model):
    """A sector (toimiala), e.g. family and social services; its director gets its reports."""

    __tablename__ = "org_sector"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    director_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"), index=True)
    # Nothing that a report refers to is deleted: a retired one is only left off the form.
    active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)

    director: Mapped[Account | None] = relationship()
    units: Mapped[list[Unit]] = relationship(back_populates="sector", order_by="Unit.position, Unit.id")


class Unit(db.Model):
    """A work unit (työyksikkö) of a sector; its supervisor handles the unit's reports."""

    __tablename__ = "org_unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    sector_id: Mapped[int] = mapped_column(ForeignKey("org_sector.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)

    sector: Mapped[Sector] = relationship(back_populates="units")
    supervisor: Mapped[Account | None] = relationship()

    __table_args__ = (db.UniqueConstraint("sector_id", "name", name="uq_org_unit_name"),)


class Area(db.Model):
    """A municipality, or an area inside one (`municipality_id`), where something was observed."""

    __tablename__ = "org_area"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("org_area.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)

    municipality: Mapped[Area | None] = relationship(remote_side="Area.id")


class Service(db.Model):
    """A service the reporter works in (Satakunta's list: substance abuse services, …)."""

    __tablename__ = "org_service"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)


class ProfessionalGroup(str, enum.Enum):
    """The reporter's professional group (seed 002)."""

    SOCIAL_CARE = "social_care"
    HEALTH_CARE = "health_care"
    OTHER = "other"


class ObservedHow(str, enum.Enum):
    """How the reporter came to observe it (seed 003)."""

    OWN_WORK = "own_work"
    TEAM_MEETING = "team_meeting"
    NETWORK = "network"  # in a multi-professional network
    OUTSIDE_WORK = "outside_work"  # in their own living environment
    OTHER_ROLE = "other_role"


class ObservationStatus(str, enum.Enum):
    """Where a professional's report stands; the order is the usual course (`processing.py`)."""

    RECEIVED = "received"
    CONSIDERING = "considering"  # under consideration
    FORWARDED = "forwarded"  # to whom: `ForwardedTo`
    ACTION_DECIDED = "action_decided"
    DONE = "done"
    CLOSED = "closed"  # closed with a reason (the log entry's note)


class ForwardedTo(str, enum.Enum):
    """Where the next level decided a report belongs (seed 002)."""

    UNIT = "unit"  # inside the unit
    CROSS_SECTOR = "cross_sector"  # a cross-sector group
    NATIONAL = "national"  # a national body
    LAW_CHANGE = "law_change"  # a proposal for a change in the law


class SupportNeed(str, enum.Enum):
    """The ten kinds of support need of section 11 of the Social Welfare Act (1301/2014)."""

    CARE_AND_LIVELIHOOD = "care_and_livelihood"  # 1 necessary care and livelihood
    HOUSING = "housing"  # 2
    FINANCIAL = "financial"  # 3
    EXCLUSION = "exclusion"  # 4 preventing social exclusion, promoting inclusion
    VIOLENCE = "violence"  # 5 domestic and other violence or abuse
    CRISIS = "crisis"  # 6 sudden crises
    CHILD_DEVELOPMENT = "child_development"  # 7 a child's balanced development and wellbeing
    SUBSTANCES_MENTAL_HEALTH = "substances_mental_health"  # 8 substance abuse, mental health, illness, disability
    AGEING = "ageing"  # 9
    FUNCTIONAL_CAPACITY = "functional_capacity"  # 10 physical, cognitive, mental or social capacity


class Observation(db.Model):
    """A professional's social-reporting report (sosiaalisen raportoinnin ilmoitus).

    Filed without a login through the organisation's form, possibly from a phone's outbox
    hours later: `uuid` is the phone's and with `body_hash` makes a replay harmless.
    `number` is the unguessable report number the reporter follows it with. The reporter's
    name and contact are optional and only for telling them what happened.
    """

    __tablename__ = "observation"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    body_hash: Mapped[str] = mapped_column(String(64))
    # No ondelete: units, areas and services are retired, never deleted.
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    professional_group: Mapped[ProfessionalGroup | None] = mapped_column(
        _enum(ProfessionalGroup, "professional_group"))
    nature: Mapped[StreetNature] = mapped_column(_enum(StreetNature, "observation_nature"))
    category: Mapped[StreetCategory | None] = mapped_column(_enum(StreetCategory, "observation_category"))
    description: Mapped[str] = mapped_column(Text)
    proposal: Mapped[str] = mapped_column(Text, default="")
    # Whether the reporter is available to help produce a solution; None: not answered.
    available: Mapped[bool | None] = mapped_column()
    by_team: Mapped[bool] = mapped_column(default=False)
    reporter_name: Mapped[str] = mapped_column(String(120), default="")
    contact: Mapped[str] = mapped_column(String(200), default="")
    area_id: Mapped[int | None] = mapped_column(ForeignKey("org_area.id"), index=True)
    area_detail: Mapped[str] = mapped_column(String(200), default="")
    service_id: Mapped[int | None] = mapped_column(ForeignKey("org_service.id"), index=True)
    service_detail: Mapped[str] = mapped_column(String(200), default="")
    observed_how: Mapped[ObservedHow | None] = mapped_column(_enum(ObservedHow, "observed_how"))
    observed_detail: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[ObservationStatus] = mapped_column(_enum(ObservationStatus, "observation_status"),
                                                      default=ObservationStatus.RECEIVED)
    forwarded_to: Mapped[ForwardedTo | None] = mapped_column(_enum(ForwardedTo, "forwarded_to"))
    # The phone's clock when Save was first pressed: summaries count by this date.
    written_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    unit: Mapped[Unit] = relationship()
    area: Mapped[Area | None] = relationship()
    service: Mapped[Service | None] = relationship()


class ObservationEvent(db.Model):
    """One entry of a report's progress log: who changed it to what, when, and the note the
    reporter reads on the tracking page. Entries are never changed or deleted."""

    __tablename__ = "observation_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    observation_id: Mapped[int] = mapped_column(ForeignKey("observation.id"), index=True)
    status: Mapped[ObservationStatus] = mapped_column(_enum(ObservationStatus, "event_status"))
    forwarded_to: Mapped[ForwardedTo | None] = mapped_column(_enum(ForwardedTo, "event_forwarded_to"))
    note: Mapped[str] = mapped_column(String(1000), default="")
    # None: the system (the report was received).
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Telling a reporter who left contact details: "" none to tell, "pending", "sent", "told"
    # (a handler told them by hand), "failed" (the mail server refused; the handler sees it).
    notice: Mapped[str] = mapped_column(String(16), default="")
    noticed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    account: Mapped[Account | None] = relationship()


class ObservationNeed(db.Model):
    """A section-11 support need a working-group member tagged a report with."""

    __tablename__ = "observation_need"

    observation_id: Mapped[int] = mapped_column(ForeignKey("observation.id"), primary_key=True)
    need: Mapped[SupportNeed] = mapped_column(_enum(SupportNeed, "support_need"), primary_key=True)


class SummaryTheme(db.Model):
    """A theme of the working group's summary: reports and street notes are tagged with it.

    A `followed` theme is a weak signal: its count per quarter shows whether it strengthens.
    `conclusion` is the group's text for the summary.
    """

    __tablename__ = "summary_theme"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    followed: Mapped[bool] = mapped_column(default=False)
    conclusion: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ObservationTheme(db.Model):
    """A professional's report tagged with a summary theme."""

    __tablename__ = "observation_theme"

    observation_id: Mapped[int] = mapped_column(ForeignKey("observation.id"), primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("summary_theme.id", ondelete="CASCADE"), primary_key=True)


class StreetNoteTheme(db.Model):
    """A street note tagged with a summary theme (street notes flow into the same summary)."""

    __tablename__ = "street_note_theme"

    street_note_id: Mapped[int] = mapped_column(ForeignKey("street_note.id", ondelete="CASCADE"), primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("summary_theme.id", ondelete="CASCADE"), primary_key=True)


# -- the data's lifecycle (issue 9) -------------------------------------------------------


class AuditEvent(db.Model):
    """Something done to a workshop's data as a whole: deleted, purged, exported, imported.

    Kept when the workshop is gone, so it names the workshop in `subject` (its title and
    join code) and the person in `account_name`; never anything a participant wrote.
    `details` is a small JSON object (e.g. how many rows were deleted).
    """

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # None: the system did it (the retention period), or the account was deleted since.
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"), index=True)
    account_name: Mapped[str] = mapped_column(String(64), default="")
    action: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(300), default="")
    details: Mapped[str] = mapped_column(Text(), default="{}")


__all__ = ["Account", "AuditEvent", "Board", "Change", "Comment", "CommentAgreement", "CommentRound", "DevelopmentTarget", "Dot",
           "Gathering", "Idea", "IdeaAnswer", "Item", "ItemKind", "Option", "Participant", "Phase", "PhaseFeedback",
           "Question", "ReaderFeedback", "Report", "ReportLink", "ReportSection", "SectionKind", "SectionVersion",
           "StreetCategory", "StreetNature", "StreetNote", "Suggestion", "Survey", "SurveyAnswer", "SurveyKind",
           "SurveyOption", "TargetStatus", "TargetUpdate", "TopicProposal", "Role", "Theme", "Workshop", "utcnow",
           "Area", "ForwardedTo", "Observation", "ObservationEvent", "ObservationNeed", "ObservationStatus",
           "ObservationTheme", "ObservedHow", "Organisation", "ProfessionalGroup", "Sector", "Service",
           "StreetNoteTheme", "SummaryTheme", "SupportNeed", "Unit"]
