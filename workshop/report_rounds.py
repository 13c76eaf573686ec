"""Comment rounds (kommenttikierros): the report's text frozen, commented on, answered.

The facilitator opens round N, optionally with a closing time; the report's text as it is
then is frozen into the round (`CommentRound.snapshot`), so everyone comments on the same
words while the facilitator goes on editing. Participants (anonymously, from phones or the
shared tablet), staff and invited readers (a private link, see `report_links`) comment per
section and agree with a comment (+1). The facilitator closes the round and marks each
comment addressed or not taken, with a short reply that the commenter, and the whole group,
sees. Two rounds' texts can be compared word by word (`round_diff`).

Who wrote a comment is never shown to anyone: a comment's state says only whether it is
the reader's own (`mine`).

Decisions:
- A participant may comment during an open round even when the workshop is closed to
  joining: the report phase often comes after the group's gatherings have ended, and the
  round itself (open or closed) is what decides.
- Nobody agrees with their own comment (it says so; the phone shows no +1 on one's own).
- Agreeing, and taking an agreement back, is for the open round only; replying and hiding
  may be done at any time, typically after the round closed.
"""
from __future__ import annotations

import difflib
import hashlib
import json
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from . import changes
from .actors import Actor
from .contributions import Submitted, store_once
from .database import begin_write
from .extensions import db
from .inputs import int_field, is_id, require_mapping, text_field, uuid_field
from .models import Comment, CommentAgreement, CommentRound, Report, ReportLink, Workshop, utcnow
from .problems import Problem
from .report import live_sections, require_report
from .report_render import plain_text

#: The longest comment: a few sentences (the report is commented on, not rewritten).
COMMENT_MAX_LENGTH = 1000
#: The longest reply to a comment.
REPLY_MAX_LENGTH = 500
#: How the facilitator marks a comment once it has been considered.
REPLY_STATUSES = ("addressed", "not_taken")
#: The kinds of a diff's segments.
SAME, ADDED, REMOVED = "same", "added", "removed"


# -- Rounds ------------------------------------------------------------------------------------

def open_round(workshop: Workshop, actor: Actor, data: Mapping) -> CommentRound:
    """Open the next comment round: the report's live sections are frozen as its text.

    `closes_at` (optional) is an ISO 8601 date-time or date, in the future; a time without
    an offset is the server's local time (`BABEL_DEFAULT_TIMEZONE`), a date alone means the
    end of that day.

    :raise Problem: 403 not staff; 404 no draft yet; 409 a round is open; 422 a bad closing time.
    """
    actor.require_staff()
    closes_at = _closes_at(require_mapping(data))
    begin_write(workshop)
    report = require_report(workshop)
    if current_round(report) is not None:
        raise Problem(_l("A comment round is open already. Close it before opening the next one."), status=409)
    previous = rounds_of(report)
    for ended in previous:
        if ended.closed_at is None:  # its closing time passed: it ended then
            ended.closed_at = ended.closes_at
    snapshot = [{"section_id": section.id, "kind": section.kind.value, "title": section.title, "body": section.body,
                 "version": section.version} for section in live_sections(report)]
    opened = CommentRound(report_id=report.id, number=(previous[-1].number if previous else 0) + 1,
                          snapshot=json.dumps(snapshot, ensure_ascii=False), closes_at=closes_at)
    db.session.add(opened)
    db.session.flush()
    changes.record(workshop, "report", report.id)
    changes.commit_and_publish()
    return opened


def close_round(workshop: Workshop, actor: Actor, round_id: int) -> CommentRound:
    """Close a comment round now (twice is fine; one whose closing time passed is closed).

    :raise Problem: 403 not staff; 404 no such round in this workshop's report.
    """
    actor.require_staff()
    begin_write(workshop)
    report = require_report(workshop)
    found = db.session.get(CommentRound, round_id) if is_id(round_id) else None
    if found is None or found.report_id != report.id:
        raise Problem(_l("This comment round was not found. Please reload the page."), status=404)
    if found.closed_at is None:
        now = utcnow()
        found.closed_at = found.closes_at if found.closes_at is not None and found.closes_at < now else now
        changes.record(workshop, "report", report.id)
    changes.commit_and_publish()
    return found


def rounds_of(report: Report) -> list[CommentRound]:
    """The report's comment rounds, first to last."""
    return list(db.session.scalars(select(CommentRound).where(CommentRound.report_id == report.id)
                                   .order_by(CommentRound.number)))


def find_round(report: Report, number) -> CommentRound:
    """The report's round number `number`. :raise Problem: (404) there is none."""
    found = db.session.scalar(select(CommentRound).where(CommentRound.report_id == report.id,
                                                         CommentRound.number == number)) if is_id(number) else None
    if found is None:
        raise Problem(_l("This comment round was not found. Please reload the page."), status=404)
    return found


def is_open(comment_round: CommentRound) -> bool:
    """Whether a round takes comments now: not closed, and its closing time not passed."""
    return comment_round.closed_at is None and (comment_round.closes_at is None or comment_round.closes_at > utcnow())


def current_round(report: Report) -> CommentRound | None:
    """The round open now, if any (at most one is)."""
    latest = db.session.scalar(select(CommentRound).where(CommentRound.report_id == report.id)
                               .order_by(CommentRound.number.desc()).limit(1))
    return latest if latest is not None and is_open(latest) else None


def latest_closed_round(report: Report) -> CommentRound | None:
    """The last round that has ended (closed, or its closing time passed), if any."""
    for found in reversed(rounds_of(report)):
        if not is_open(found):
            return found
    return None


def snapshot_of(comment_round: CommentRound) -> list[dict]:
    """A round's frozen text: `[{section_id, kind, title, body, version}]`, in order."""
    return json.loads(comment_round.snapshot)


def round_state(report: Report) -> dict | None:
    """The latest round for walls and phones: `{number, closes_at, open}`, or None before the first."""
    latest = db.session.scalar(select(CommentRound).where(CommentRound.report_id == report.id)
                               .order_by(CommentRound.number.desc()).limit(1))
    if latest is None:
        return None
    return {"number": latest.number, "closes_at": latest.closes_at.isoformat() if latest.closes_at else None,
            "open": is_open(latest)}


# -- Comments ----------------------------------------------------------------------------------

def add_comment(workshop: Workshop, actor: Actor | None, data: Mapping, link: ReportLink | None = None) -> Submitted:
    """A comment (`text`, 1–1000 characters) on a section (`section_id`, one of the open
    round's frozen text) under the client's `uuid`, from a participant or staff (`actor`)
    or an invited reader (`link`, with `actor` None).

    The same UUID with the same content returns the stored comment (`created=False`).

    :raise Problem: 404 no draft; 409 the UUID was used for something else; 410 no round
        is open; 422 invalid input or a section not in the round's text.
    """
    data = require_mapping(data)
    comment_uuid = uuid_field(data)
    section_id = int_field(data, "section_id")
    text = text_field(data, "text", COMMENT_MAX_LENGTH, required=True,
                      empty_message=_l("Write your comment first."),
                      too_long_message=_l("A comment can have at most %(limit)s characters.",
                                          limit=COMMENT_MAX_LENGTH))
    body_hash = hashlib.sha256(json.dumps([section_id, text], ensure_ascii=False).encode()).hexdigest()
    author = actor or Actor()  # a reader's link has no actor: it owns nothing of anyone's
    begin_write(workshop)
    report = require_report(workshop)
    _require_reader_link(report, link)
    # A repeat is answered first: the comment was stored while the round was open, and a
    # round closed since must not turn the outbox's resend into an error.
    repeat = _repeat(workshop, author, link, comment_uuid, body_hash)
    if repeat is not None:
        return Submitted(repeat, created=False)
    open_now = _require_open_round(report)
    if section_id not in {section["section_id"] for section in snapshot_of(open_now)}:
        raise Problem(_l("This part of the report is not in this round's text. Please reload the page."),
                      field="section_id", status=422)
    row = Comment(workshop_id=workshop.id, uuid=comment_uuid, body_hash=body_hash, round_id=open_now.id,
                  section_id=section_id, text=text, link_id=link.id if link is not None else None,
                  **author.author_ids())
    return store_once(workshop, author, row, record=lambda: changes.record(workshop, "report", report.id))


def agree(workshop: Workshop, actor: Actor | None, comment_id: int, link: ReportLink | None = None) -> Comment:
    """+1 to a comment of the open round: once per participant, account or reader link
    (agreeing again changes nothing).

    :raise Problem: 404 no such comment (or hidden); 410 its round has ended; 422 one's own.
    """
    begin_write(workshop)
    report = require_report(workshop)
    _require_reader_link(report, link)
    comment = _comment(workshop, comment_id, visible_only=True)
    _require_round_of(comment)
    if _is_mine(comment, actor, link):
        raise Problem(_l("This is your own comment."), status=422)
    who = _agreement_owner(actor, link)
    if db.session.scalar(select(CommentAgreement.id).where(CommentAgreement.comment_id == comment.id,
                                                           *_owned_by(who))) is None:
        db.session.add(CommentAgreement(comment_id=comment.id, **who))
        try:
            db.session.flush()
        except IntegrityError:  # the same +1 at the same moment from another process: it is there
            db.session.rollback()
            return _comment(workshop, comment_id)
        changes.record(workshop, "report", report.id)
    changes.commit_and_publish()
    return comment


def take_back_agreement(workshop: Workshop, actor: Actor | None, comment_id: int,
                        link: ReportLink | None = None) -> Comment:
    """Take back one's +1 (twice is fine).

    :raise Problem: 404 no such comment (or hidden); 410 its round has ended.
    """
    begin_write(workshop)
    report = require_report(workshop)
    _require_reader_link(report, link)
    comment = _comment(workshop, comment_id, visible_only=True)
    _require_round_of(comment)
    mine = db.session.scalar(select(CommentAgreement).where(CommentAgreement.comment_id == comment.id,
                                                            *_owned_by(_agreement_owner(actor, link))))
    if mine is not None:
        db.session.delete(mine)
        changes.record(workshop, "report", report.id)
    changes.commit_and_publish()
    return comment


def reply(workshop: Workshop, actor: Actor, comment_id: int, data: Mapping) -> Comment:
    """Mark a comment `status` "addressed" or "not_taken" with a short `reply` (up to 500
    characters) that the commenter and the group see. May be done after the round closed;
    replying again replaces the reply.

    :raise Problem: 403 not staff; 404 no such comment; 422 a bad status or a reply too long.
    """
    actor.require_staff()
    data = require_mapping(data)
    status = data.get("status")
    if status not in REPLY_STATUSES:  # no default: the facilitator says which, every time
        raise Problem(_l("Choose whether the comment was taken into account."), field="status", status=422)
    answer = text_field(data, "reply", REPLY_MAX_LENGTH, required=False,
                        too_long_message=_l("A reply can have at most %(limit)s characters.", limit=REPLY_MAX_LENGTH))
    begin_write(workshop)
    report = require_report(workshop)
    comment = _comment(workshop, comment_id)
    comment.status, comment.reply, comment.replied_at = status, answer, utcnow()
    changes.record(workshop, "report", report.id)
    changes.commit_and_publish()
    return comment


def hide_comment(workshop: Workshop, actor: Actor, comment_id: int, hidden: bool = True) -> Comment:
    """Hide a comment from everyone but staff (moderation), or show it again.

    :raise Problem: 403 not staff; 404 no such comment.
    """
    actor.require_staff()
    begin_write(workshop)
    report = require_report(workshop)
    comment = _comment(workshop, comment_id)
    if (comment.hidden_at is not None) != hidden:
        comment.hidden_at = utcnow() if hidden else None
        changes.record(workshop, "report", report.id)
    changes.commit_and_publish()
    return comment


def comments_of(comment_round: CommentRound, *, hidden_too: bool = False) -> list[Comment]:
    """A round's comments, oldest first (hidden ones only when `hidden_too`)."""
    query = select(Comment).where(Comment.round_id == comment_round.id)
    if not hidden_too:
        query = query.where(Comment.hidden_at.is_(None))
    return list(db.session.scalars(query.order_by(Comment.id)))


def comment_states(report: Report, actor: Actor | None, link: ReportLink | None = None) -> list[dict]:
    """The comments a phone (or a reader's page) shows: those of the open round and of the
    latest ended round, oldest first. Hidden ones are left out except for staff, who see
    them marked `hidden`. Each is `{id, round, section_id, section_title, text,
    agree_count, agreed_by_me, mine, status, reply}`; never who wrote or agreed.
    """
    shown = [found for found in (latest_closed_round(report), current_round(report)) if found is not None]
    return [state for found in shown for state in round_comment_states(found, actor, link)]


def round_comment_states(comment_round: CommentRound, actor: Actor | None, link: ReportLink | None = None) -> list[dict]:
    """All of one round's comments as `actor` (or the reader of `link`) sees them, oldest
    first: for staff hidden ones too, marked `hidden` (the facilitator's round page)."""
    staff = actor is not None and actor.is_staff
    titles = {section["section_id"]: section["title"] for section in snapshot_of(comment_round)}
    return _states(comments_of(comment_round, hidden_too=staff), comment_round.number, titles, actor, link, staff)


def comment_state(comment: Comment, actor: Actor | None, link: ReportLink | None = None) -> dict:
    """One comment as `actor` (or the reader of `link`) sees it (see `comment_states`)."""
    found = db.session.get(CommentRound, comment.round_id)
    titles = {section["section_id"]: section["title"] for section in snapshot_of(found)}
    return _states([comment], found.number, titles, actor, link, actor is not None and actor.is_staff)[0]


def _states(comments: list[Comment], number: int, titles: dict[int, str], actor: Actor | None,
            link: ReportLink | None, staff: bool) -> list[dict]:
    ids = [comment.id for comment in comments]
    counts, mine = {}, set()
    if ids:
        # Two queries for a whole round, not two for each comment.
        counts = dict(db.session.execute(select(CommentAgreement.comment_id, func.count())
                                         .where(CommentAgreement.comment_id.in_(ids))
                                         .group_by(CommentAgreement.comment_id)).tuples().all())
        who = _agreement_owner(actor, link) if actor is not None or link is not None else None
        if who is not None:
            mine = set(db.session.scalars(select(CommentAgreement.comment_id).where(
                CommentAgreement.comment_id.in_(ids), *_owned_by(who))))
    states = []
    for comment in comments:
        state = {"id": comment.id, "round": number, "section_id": comment.section_id,
                 "section_title": titles.get(comment.section_id, ""), "text": comment.text,
                 "agree_count": counts.get(comment.id, 0), "agreed_by_me": comment.id in mine,
                 "mine": _is_mine(comment, actor, link), "status": comment.status, "reply": comment.reply}
        if staff:
            state["hidden"] = comment.hidden_at is not None
        states.append(state)
    return states


# -- Comparing two rounds ----------------------------------------------------------------------

def round_diff(report: Report, number_a: int, number_b: int) -> list[dict]:
    """What changed in the text from round `number_a` to round `number_b`, per section.

    Sections are matched by id and listed in round b's order, with those only in round a
    (removed since) after the section they followed. Each is `{section_id, title,
    old_title, change, segments}`: `change` is "same", "changed", "added" or "removed";
    `segments` is the word-level diff of the sections' plain text as `(kind, text)` pairs,
    kind "same", "added" or "removed".

    :raise Problem: (404) either round does not exist.
    """
    old = {section["section_id"]: section for section in snapshot_of(find_round(report, number_a))}
    new = snapshot_of(find_round(report, number_b))
    new_ids = {section["section_id"] for section in new}
    order: list[tuple[dict | None, dict | None]] = []
    placed = set()
    old_order = list(old)
    for section in new:
        order.append((old.get(section["section_id"]), section))
        placed.add(section["section_id"])
        # Sections removed since, that came right after this one in round a, follow it.
        if section["section_id"] in old:
            index = old_order.index(section["section_id"]) + 1
            while index < len(old_order) and old_order[index] not in new_ids:
                order.append((old[old_order[index]], None))
                placed.add(old_order[index])
                index += 1
    order[:0] = [(old[section_id], None) for section_id in old_order if section_id not in placed]
    return [_section_diff(before, after) for before, after in order]


def word_diff(old_text: str, new_text: str) -> list[tuple[str, str]]:
    """The word-level difference of two texts as `(kind, text)` segments, neighbours merged."""
    old_words, new_words = old_text.split(), new_text.split()
    segments: list[tuple[str, str]] = []

    def add(kind: str, words: list[str]) -> None:
        if words:
            segments.append((kind, " ".join(words)))

    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    for tag, a_start, a_end, b_start, b_end in matcher.get_opcodes():
        if tag == "equal":
            add(SAME, old_words[a_start:a_end])
        else:  # "replace" shows what went, then what came
            add(REMOVED, old_words[a_start:a_end])
            add(ADDED, new_words[b_start:b_end])
    return segments


def _section_diff(before: dict | None, after: dict | None) -> dict:
    old_text = plain_text(before["body"]) if before else ""
    new_text = plain_text(after["body"]) if after else ""
    if before is None:
        change = ADDED
    elif after is None:
        change = REMOVED
    else:
        change = SAME if (old_text, before["title"]) == (new_text, after["title"]) else "changed"
    shown = after or before
    return {"section_id": shown["section_id"], "title": shown["title"],
            "old_title": before["title"] if before else None, "change": change,
            "segments": word_diff(old_text, new_text)}


# -- Helpers -----------------------------------------------------------------------------------

def _closes_at(data: Mapping) -> datetime | None:
    value = data.get("closes_at")
    if value is None or value == "":
        return None
    try:
        if not isinstance(value, str) or len(value) > 40:
            raise ValueError
        value = value.strip()
        if len(value) == 10:  # a date alone: the round runs to the end of that day
            moment = datetime.combine(date.fromisoformat(value) + timedelta(days=1), time())
        else:
            moment = datetime.fromisoformat(value)
        if moment.utcoffset() is None:
            moment = moment.replace(tzinfo=_local_zone())
        moment = moment.astimezone(timezone.utc)
    except (ValueError, OverflowError):
        raise Problem(_l("This is not a valid date and time."), field="closes_at", status=422) from None
    if moment <= utcnow():
        raise Problem(_l("The closing time must be in the future."), field="closes_at", status=422)
    return moment


def _local_zone():
    try:
        return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return timezone.utc


def _require_open_round(report: Report) -> CommentRound:
    open_now = current_round(report)
    if open_now is None:
        raise Problem(_l("No comment round is open now. Thank you for wanting to comment!"), status=410)
    return open_now


def _require_round_of(comment: Comment) -> None:
    if not is_open(db.session.get(CommentRound, comment.round_id)):
        raise Problem(_l("This comment round has ended. Thank you for taking part!"), status=410)


def _require_reader_link(report: Report, link: ReportLink | None) -> None:
    # The views find the link by its token; this is the rule's own check that it fits.
    if link is not None and (link.report_id != report.id or link.purpose != "reader"):
        raise Problem(_l("This link does not work here."), status=404)


def _comment(workshop: Workshop, comment_id, *, visible_only: bool = False) -> Comment:
    comment = db.session.get(Comment, comment_id) if is_id(comment_id) else None
    if comment is None or comment.workshop_id != workshop.id or (visible_only and comment.hidden_at is not None):
        raise Problem(_l("This comment was not found. Please reload the page."), status=404)
    return comment


def _repeat(workshop: Workshop, author: Actor, link: ReportLink | None, comment_uuid: str,
            body_hash: str) -> Comment | None:
    row = db.session.scalar(select(Comment).where(Comment.workshop_id == workshop.id, Comment.uuid == comment_uuid))
    if row is None:
        return None
    if row.body_hash != body_hash or not _is_mine(row, author, link):
        raise Problem(_l("This was already sent with different content."), field="uuid", status=409)
    return row


def _is_mine(comment: Comment, actor: Actor | None, link: ReportLink | None) -> bool:
    if link is not None:
        return comment.link_id == link.id
    return actor is not None and actor.owns(comment.participant_id, comment.account_id)


def _agreement_owner(actor: Actor | None, link: ReportLink | None) -> dict[str, int]:
    if link is not None:
        return {"link_id": link.id}
    if actor is not None and actor.participant is not None:
        return {"participant_id": actor.participant.id}
    if actor is not None and actor.account is not None:
        return {"account_id": actor.account.id}
    raise Problem(_l("Join the workshop first: scan the QR code or type the code."), status=403)


def _owned_by(who: dict[str, int]) -> list:
    return [getattr(CommentAgreement, column) == value for column, value in who.items()]
