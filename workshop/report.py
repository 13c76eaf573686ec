"""The co-written social report: its draft, its sections and their versions, and suggestions.

Phase 3 of the model (julkistaminen): the group turns what it said into a report. "Create
the report draft" (`create_draft`) assembles it from the workshop — how it was made, one
section per theme with the participants' own words and pictures, the development ideas,
and empty places for management's answer and the follow-up. From then on the text is the
group's: Markdown, edited in the browser (`save_section`).

Several people edit at once (the facilitator's laptop, a tablet passed around), so a save
names the version it started from. A save from an older version is refused with both texts
(`VersionConflict`) for the person to merge: an edit is never silently overwritten. Every
saved version is kept (`SectionVersion`), and any can be restored.

Participants add to the text from their phones (`suggest`): "add a sentence" at the end of
a section, or "suggest a change" to one of its sentences. The facilitator accepts (the text
changes, as a new version) or declines with a reason the participant sees.

The report's announcements (published, management has answered, a comment round is open,
readers' feedback, follow-up) reach the walls and phones as the change entity "report".
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from . import changes, contributions, gatherings, phases
from .actors import Actor
from .database import begin_write
from .extensions import db
from .inputs import choice_field, int_field, is_id, require_mapping, text_field, uuid_field
from .models import (Item, ItemKind, Participant, Report, ReportSection, SectionKind, SectionVersion, Suggestion,
                     Theme, Workshop, utcnow)
from .problems import Problem
from .report_render import picture_reference

#: The longest section title.
TITLE_MAX_LENGTH = 200
#: The longest section text, in characters: a long section, not a book (the draft of a
#: theme with hundreds of notes fits).
BODY_MAX_LENGTH = 200_000
#: The longest sentence a participant adds or suggests from a phone.
SUGGESTION_MAX_LENGTH = 1000
#: The longest reason given when a suggestion is declined.
REASON_MAX_LENGTH = 300
SUGGESTION_KINDS = ("add", "change")


class VersionConflict(Problem):
    """A save based on an old version: `current` is the section as it is now."""

    def __init__(self, section: ReportSection, title: str, body: str):
        super().__init__(_l("Someone else saved this section while you were editing it. Both texts are shown: "
                            "combine them and save again."), status=409)
        self.current = section_state(section)
        self.yours = {"title": title, "body": body}


# -- Reading -----------------------------------------------------------------------------------

def report_of(workshop: Workshop) -> Report | None:
    """The workshop's report, or None before the draft is made."""
    return db.session.scalar(select(Report).where(Report.workshop_id == workshop.id))


def require_report(workshop: Workshop) -> Report:
    """:raise Problem: (404) the draft has not been made yet."""
    report = report_of(workshop)
    if report is None:
        raise Problem(_l("The report has not been started yet. The facilitator creates the draft first."), status=404)
    return report


def live_sections(report: Report) -> list[ReportSection]:
    """The report's sections (not removed), in order."""
    return list(db.session.scalars(select(ReportSection).where(
        ReportSection.report_id == report.id, ReportSection.removed_at.is_(None))
        .order_by(ReportSection.position, ReportSection.id)))


def section_state(section: ReportSection) -> dict:
    """A section as the editor and the API see it."""
    return {"id": section.id, "kind": section.kind.value, "title": section.title, "body": section.body,
            "version": section.version, "theme_id": section.theme_id,
            "updated_at": section.updated_at.isoformat()}


def versions_of(section: ReportSection) -> list[SectionVersion]:
    """Every saved version of a section, newest first."""
    return list(db.session.scalars(select(SectionVersion).where(SectionVersion.section_id == section.id)
                                   .order_by(SectionVersion.version.desc())))


def find_section(workshop: Workshop, section_id, *, removed_too: bool = False) -> ReportSection:
    """:raise Problem: (404) no such section in this workshop's report."""
    section = db.session.get(ReportSection, section_id) if is_id(section_id) else None
    if section is None or section.report.workshop_id != workshop.id or (
            section.removed_at is not None and not removed_too):
        raise Problem(_l("This part of the report was not found. Please reload the page."), status=404)
    return section


# -- The draft ---------------------------------------------------------------------------------

def create_draft(workshop: Workshop, actor: Actor) -> Report:
    """Assemble the report draft from the workshop (see the module's docstring).

    Hidden and taken-back notes and pictures stay out. The texts are in the workshop's
    language, whatever language the facilitator's own screen uses.

    :raise Problem: 403 not staff; 409 the draft exists already.
    """
    actor.require_staff()
    begin_write(workshop)
    if report_of(workshop) is not None:
        raise Problem(_l("The report draft exists already."), status=409)
    with force_locale(workshop.language):
        parts = _draft_sections(workshop)
        report = Report(workshop_id=workshop.id, title=workshop.title)
    db.session.add(report)
    db.session.flush()
    for position, (kind, theme_id, title, body) in enumerate(parts):
        body = body.strip()
        section = ReportSection(report_id=report.id, kind=kind, theme_id=theme_id, position=position,
                                title=title[:TITLE_MAX_LENGTH], body=body)
        db.session.add(section)
        db.session.flush()
        db.session.add(SectionVersion(section_id=section.id, version=1, title=section.title, body=body,
                                      account_id=actor.account.id, note=str(_l("draft"))))
    changes.record(workshop, "report", report.id)
    changes.commit_and_publish()
    return report


def _draft_sections(workshop: Workshop) -> list[tuple[SectionKind, int | None, str, str]]:
    items = list(db.session.scalars(select(Item).where(
        Item.workshop_id == workshop.id, Item.hidden_at.is_(None), Item.withdrawn_at.is_(None))
        .order_by(Item.position, Item.id)))
    themes = list(db.session.scalars(select(Theme).where(Theme.workshop_id == workshop.id,
                                                         Theme.removed_at.is_(None))
                                      .order_by(Theme.position, Theme.id)))
    by_theme: dict[int | None, list[Item]] = {theme.id: [] for theme in themes}
    for item in items:
        by_theme.setdefault(item.theme_id if item.theme_id in by_theme else None, []).append(item)
    parts = [(SectionKind.METHOD, None, str(_l("How this report was made")), _method_text(workshop, items))]
    for theme in themes:
        parts.append((SectionKind.THEME, theme.id, theme.name, _theme_text(theme.description, by_theme[theme.id])))
    if by_theme.get(None):
        parts.append((SectionKind.OTHER, None, str(_l("Other things that were said")),
                      _theme_text("", by_theme[None])))
    parts.append((SectionKind.IDEAS, None, str(_l("Development ideas")), _ideas_text(workshop)))
    parts.append((SectionKind.ANSWER, None, str(_l("Management's answer")), ""))
    parts.append((SectionKind.FOLLOW_UP, None, str(_l("Follow-up")), ""))
    return parts


def _method_text(workshop: Workshop, items: list[Item]) -> str:
    from . import feedback, surveys  # the report reads them; they do not need the report

    lines = []
    if workshop.topic:
        lines += [str(_l("Topic: %(topic)s", topic=escape_markdown(workshop.topic))), ""]
    lines += [str(_l("This report was written together with the people who use the service, following the "
                     "three phases of the co-reporting model: mapping the situation and choosing the topic, "
                     "collecting what people know, and publishing.")), ""]
    held = gatherings.gatherings_of(workshop)
    if held:
        lines += ["# " + str(_l("Gatherings")), ""]
        for gathering in held:
            parts = [gathering.held_on.strftime("%d.%m.%Y") if gathering.held_on else "",
                     escape_markdown(gathering.title), escape_markdown(gathering.place)]
            line = ", ".join(part for part in parts if part)
            if gathering.participant_count is not None:
                line += " — " + str(_l("%(count)s taking part", count=gathering.participant_count))
            lines.append(f"- {line}")
        lines.append("")
    joined = db.session.scalar(select(func.count()).select_from(Participant)
                               .where(Participant.workshop_id == workshop.id)) or 0
    notes = sum(1 for item in items if item.kind == ItemKind.NOTE)
    pictures = len(items) - notes
    lines += ["# " + str(_l("Who took part")), "",
              str(_l("%(joined)s devices joined anonymously. Together they wrote %(notes)s notes and made "
                     "%(pictures)s drawings and photos.", joined=joined, notes=notes, pictures=pictures)), ""]
    poll = next((survey for survey in surveys.surveys_of(workshop) if survey.purpose == surveys.PARTICIPATION), None)
    if poll is not None:
        state = surveys.results(poll)
        lines += ["# " + str(_l("Ways of taking part")), "",
                  str(_l("The ways offered, and how many chose each (%(count)s answered):",
                         count=state["respondents"])), ""]
        lines += [f"- {escape_markdown(option['label'])}: {option['count']}" for option in state["options"]]
        lines.append("")
    evaluated = [phase for phase in feedback.summary(workshop) if phase["answers"]]
    if evaluated:
        lines += ["# " + str(_l("How the phases went")), ""]
        for phase in evaluated:
            lines.append("- " + str(_l("%(phase)s: %(answers)s answers, on average %(average)s out of 5",
                                       phase=phase["name"], answers=phase["answers"],
                                       average=f"{phase['average']:.1f}")))
        lines.append("")
    return "\n".join(lines).strip() + "\n"


def _theme_text(description: str, items: list[Item]) -> str:
    lines = []
    if description:
        lines += [escape_markdown(description), ""]
    notes = [item for item in items if item.kind == ItemKind.NOTE and item.text.strip()]
    for note in notes:
        # Each note is a quote of its own: the participant's words, exactly as written.
        lines += [f"> {escape_markdown(' '.join(note.text.split()))}", ""]
    for picture in items:
        if picture.kind != ItemKind.NOTE and picture.image_name:
            lines += [picture_reference(picture), ""]
    return "\n".join(lines).strip() + "\n" if lines else ""


def _ideas_text(workshop: Workshop) -> str:
    from .ideas import ideas_of

    lines = []
    for number, idea in enumerate(ideas_of(workshop), start=1):
        line = f"{number}. {escape_markdown(' '.join(idea.statement.split()))}"
        heard = [theme.name for theme in idea.themes if theme.removed_at is None]
        if heard:
            line += " " + str(_l("(heard in: %(themes)s)", themes=escape_markdown(", ".join(heard))))
        lines.append(line)
    return "\n".join(lines) + "\n" if lines else ""


# The characters Python-Markdown lets a backslash escape that would change how words look
# inline; `<` needs nothing (raw HTML is off: it always shows as typed).
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]!])")
_LINE_START_MARK = re.compile(r"^(\s*)([#>+\-])")
_LINE_START_NUMBER = re.compile(r"^(\s*\d+)([.)])")


def escape_markdown(text: str) -> str:
    """`text` as Markdown that shows exactly these characters (a participant's own words)."""
    # An ampersand first: "&#106;" typed on a phone must show as typed, not as "j".
    text = _INLINE_SPECIAL.sub(r"\\\1", text.replace("&", "&amp;"))
    text = _LINE_START_MARK.sub(r"\1\\\2", text)
    return _LINE_START_NUMBER.sub(r"\1\\\2", text)


# -- Editing -----------------------------------------------------------------------------------

def save_section(workshop: Workshop, actor: Actor, section_id: int, data: Mapping) -> ReportSection:
    """Save a section's `title` and `body`, edited from version `base_version`.

    Saving what is there already changes nothing (no new version).

    :raise VersionConflict: (409) someone saved a newer version meanwhile.
    :raise Problem: 403 not staff; 404 no such section; 422 a field is missing or too long.
    """
    actor.require_staff()
    data = require_mapping(data)
    base_version = int_field(data, "base_version")
    title = _title(data)
    body = _body(data)
    begin_write(workshop)
    section = find_section(workshop, section_id)
    if section.version != base_version:
        raise VersionConflict(section, title, body)
    if (section.title, section.body) != (title, body):
        _new_version(workshop, section, actor, title, body, "")
    changes.commit_and_publish()
    return section


def restore(workshop: Workshop, actor: Actor, section_id: int, version: int) -> ReportSection:
    """Make an earlier version of a section its current text again (as a new version).

    :raise Problem: 403 not staff; 404 no such section or version.
    """
    actor.require_staff()
    begin_write(workshop)
    section = find_section(workshop, section_id)
    old = db.session.scalar(select(SectionVersion).where(SectionVersion.section_id == section.id,
                                                         SectionVersion.version == version)) if is_id(version) else None
    if old is None:
        raise Problem(_l("This version was not found. Please reload the page."), status=404)
    _new_version(workshop, section, actor, old.title, old.body, str(_l("restored version %(version)s",
                                                                        version=old.version)))
    changes.commit_and_publish()
    return section


def add_section(workshop: Workshop, actor: Actor, data: Mapping) -> ReportSection:
    """Add a section (`title`, optional `body`) just before management's answer.

    :raise Problem: 403 not staff; 404 no draft yet; 422 no title or too long.
    """
    actor.require_staff()
    data = require_mapping(data)
    title = _title(data)
    body = _body(data, required=False)
    begin_write(workshop)
    report = require_report(workshop)
    sections = live_sections(report)
    before = next((s for s in sections if s.kind in (SectionKind.ANSWER, SectionKind.FOLLOW_UP)), None)
    position = before.position if before is not None else (sections[-1].position + 1 if sections else 0)
    for later in sections:
        if later.position >= position:
            later.position += 1
    section = ReportSection(report_id=report.id, kind=SectionKind.OTHER, position=position, title=title, body=body)
    db.session.add(section)
    db.session.flush()
    db.session.add(SectionVersion(section_id=section.id, version=1, title=title, body=body,
                                  account_id=actor.account.id))
    changes.record(workshop, "report", report.id)
    changes.commit_and_publish()
    return section


def remove_section(workshop: Workshop, actor: Actor, section_id: int) -> ReportSection:
    """Take a theme's or an added section out of the report (its versions are kept).

    :raise Problem: 403 not staff; 404 no such section; 422 a section every report has.
    """
    actor.require_staff()
    begin_write(workshop)
    section = find_section(workshop, section_id)
    if section.kind not in (SectionKind.THEME, SectionKind.OTHER):
        raise Problem(_l("Every report has this section: leave its text empty instead."), status=422)
    section.removed_at = utcnow()
    changes.record(workshop, "report", section.report_id)
    changes.commit_and_publish()
    return section


def set_title(workshop: Workshop, actor: Actor, data: Mapping) -> Report:
    """Rename the report (`title`). :raise Problem: 403 not staff; 404 no draft; 422 bad title."""
    actor.require_staff()
    title = _title(require_mapping(data))
    begin_write(workshop)
    report = require_report(workshop)
    report.title = title
    changes.record(workshop, "report", report.id)
    changes.commit_and_publish()
    return report


def preview_text(data: Mapping) -> str:
    """The `body` of a preview request, checked like a save's. :raise Problem: (422) too long."""
    return _body(require_mapping(data), required=False)


def _new_version(workshop: Workshop, section: ReportSection, actor: Actor, title: str, body: str, note: str) -> None:
    section.version += 1
    section.title, section.body, section.updated_at = title, body, utcnow()
    db.session.add(SectionVersion(section_id=section.id, version=section.version, title=title, body=body,
                                  account_id=actor.account.id if actor.account else None, note=note))
    changes.record(workshop, "report", section.report_id)


def _title(data: Mapping) -> str:
    return text_field(data, "title", TITLE_MAX_LENGTH, required=True,
                      empty_message=_l("Write a title for the section."),
                      too_long_message=_l("A title can have at most %(limit)s characters.", limit=TITLE_MAX_LENGTH))


def _body(data: Mapping, *, required: bool = True) -> str:
    if required and "body" not in data:
        raise Problem(_l("The text of the section is missing. Please reload the page."), field="body", status=422)
    # Line breaks are the Markdown's own: kept as typed (text_field keeps them and strips the
    # blanks around the whole text, as every stored body is).
    return text_field(data, "body", BODY_MAX_LENGTH, required=False,
                      too_long_message=_l("A section can have at most %(limit)s characters. Split it in two.",
                                          limit=BODY_MAX_LENGTH))


# -- Suggestions from phones -------------------------------------------------------------------

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
_LINE_MARK = re.compile(r"^\s*(?:>\s*|[-*+]\s+|\d+[.)]\s+|#{1,6}\s+)")


def sentences_of(body: str) -> list[str]:
    """The sentences of a section a phone offers to change, each exactly as it is in `body`.

    Paragraphs and list items are split into sentences; quote and list marks are left out;
    a picture is not a sentence.
    """
    found = []
    for line in body.split("\n"):
        text = _LINE_MARK.sub("", line).strip()
        if not text or text.startswith("![") or text.startswith("|"):
            continue
        found += [part.strip() for part in _SENTENCE_END.split(text) if part.strip()]
    return list(dict.fromkeys(found))


def suggest(workshop: Workshop, actor: Actor, data: Mapping) -> contributions.Submitted:
    """A participant's "add a sentence" (`kind` "add") or "suggest a change" (`kind`
    "change", with `quote`, the sentence to change, as `sentences_of` gave it) to a
    section: `uuid`, `section_id`, `text`.

    :raise Problem: 404 no draft or no such section; 410 the workshop has ended; 422 bad input.
    """
    data = require_mapping(data)
    suggestion_uuid = uuid_field(data)
    kind = choice_field(data, "kind", SUGGESTION_KINDS, default="add")
    text = text_field(data, "text", SUGGESTION_MAX_LENGTH, required=True,
                      empty_message=_l("Write your sentence first."),
                      too_long_message=_l("A suggestion can have at most %(limit)s characters.",
                                          limit=SUGGESTION_MAX_LENGTH))
    quote = text_field(data, "quote", 2000, required=kind == "change",
                       empty_message=_l("Choose the sentence you want to change."))
    # A whole number before it is hashed: a lone surrogate (or any other text) in it could
    # not be encoded for the hash, and "12" and 12 must be the same suggestion.
    section_id = int_field(data, "section_id")
    body_hash = _hash(section_id, kind, quote, text)
    begin_write(workshop)
    contributions.require_open(workshop, actor)
    repeat = contributions.repeat_of(Suggestion, workshop, actor, suggestion_uuid, body_hash)
    if repeat is not None:
        return contributions.Submitted(repeat, created=False)
    section = find_section(workshop, section_id)
    row = Suggestion(workshop_id=workshop.id, uuid=suggestion_uuid, body_hash=body_hash, section_id=section.id,
                     kind=kind, quote=quote if kind == "change" else "", text=text, **actor.author_ids())
    return contributions.store_once(workshop, actor, row,
                                    record=lambda: changes.record(workshop, "report", section.report_id))


def accept(workshop: Workshop, actor: Actor, suggestion_id: int) -> Suggestion:
    """Put a suggestion into its section's text, as a new version.

    An added sentence goes at the end of the section; a change replaces its sentence.

    :raise Problem: 403 not staff; 404 no such suggestion; 409 it was decided already, or
        the sentence it changes is no longer in the text (edit the section by hand).
    """
    actor.require_staff()
    begin_write(workshop)
    suggestion = _open_suggestion(workshop, suggestion_id)
    section = find_section(workshop, suggestion.section_id)
    if suggestion.kind == "add":
        body = (section.body.strip() + "\n\n" + suggestion.text).strip()
    else:
        if section.body.count(suggestion.quote) != 1:
            raise Problem(_l("The sentence this suggestion changes has itself changed since. Edit the section by "
                             "hand, then mark the suggestion as accepted or declined."), status=409)
        body = section.body.replace(suggestion.quote, suggestion.text)
    _new_version(workshop, section, actor, section.title, body, str(_l("a participant's suggestion")))
    suggestion.status, suggestion.decided_at = "accepted", utcnow()
    changes.commit_and_publish()
    return suggestion


def mark_accepted(workshop: Workshop, actor: Actor, suggestion_id: int) -> Suggestion:
    """Mark a suggestion accepted without changing the text (it was worked in by hand).

    :raise Problem: 403 not staff; 404 no such suggestion; 409 decided already.
    """
    actor.require_staff()
    begin_write(workshop)
    suggestion = _open_suggestion(workshop, suggestion_id)
    suggestion.status, suggestion.decided_at = "accepted", utcnow()
    changes.record(workshop, "report", find_section(workshop, suggestion.section_id).report_id)
    changes.commit_and_publish()
    return suggestion


def decline(workshop: Workshop, actor: Actor, suggestion_id: int, data: Mapping) -> Suggestion:
    """Decline a suggestion with a `reason` the participant sees.

    :raise Problem: 403 not staff; 404 no such suggestion; 409 decided already; 422 no reason.
    """
    actor.require_staff()
    reason = text_field(require_mapping(data), "reason", REASON_MAX_LENGTH, required=True,
                        empty_message=_l("Say briefly why: the participant sees the reason."),
                        too_long_message=_l("A reason can have at most %(limit)s characters.",
                                            limit=REASON_MAX_LENGTH))
    begin_write(workshop)
    suggestion = _open_suggestion(workshop, suggestion_id)
    suggestion.status, suggestion.reason, suggestion.decided_at = "declined", reason, utcnow()
    changes.record(workshop, "report", find_section(workshop, suggestion.section_id).report_id)
    changes.commit_and_publish()
    return suggestion


def suggestions_of(report: Report, *, status: str | None = None) -> list[Suggestion]:
    """The report's suggestions (those with `status`, if given), oldest first."""
    query = select(Suggestion).join(ReportSection, ReportSection.id == Suggestion.section_id).where(
        ReportSection.report_id == report.id)
    if status is not None:
        query = query.where(Suggestion.status == status)
    return list(db.session.scalars(query.order_by(Suggestion.id)))


def own_suggestions(report: Report, actor: Actor) -> list[dict]:
    """What this participant suggested, with the answer: newest first."""
    rows = [row for row in suggestions_of(report) if actor.owns(row.participant_id, row.account_id)]
    return [suggestion_state(row) for row in reversed(rows)]


def suggestion_state(row: Suggestion) -> dict:
    """A suggestion as its author and the facilitator see it (never who made it)."""
    return {"id": row.id, "uuid": row.uuid, "section_id": row.section_id, "kind": row.kind, "quote": row.quote,
            "text": row.text, "status": row.status, "reason": row.reason}


def _open_suggestion(workshop: Workshop, suggestion_id) -> Suggestion:
    suggestion = db.session.get(Suggestion, suggestion_id) if is_id(suggestion_id) else None
    if suggestion is None or suggestion.workshop_id != workshop.id:
        raise Problem(_l("This suggestion was not found. Please reload the page."), status=404)
    if suggestion.status != "open":
        raise Problem(_l("This suggestion has been answered already."), status=409)
    return suggestion


def _hash(*parts) -> str:
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()


# -- Captions ----------------------------------------------------------------------------------

def set_caption(workshop: Workshop, actor: Actor, item_id: int, data: Mapping) -> Item:
    """Change a drawing's or photo's caption (its alt text in the report).

    Staff may caption any picture; a participant their own.

    :raise Problem: 404 no such picture (or not theirs); 410 the workshop has ended; 422 too long.
    """
    caption = text_field(require_mapping(data), "caption", contributions.CAPTION_MAX_LENGTH, required=False,
                         too_long_message=_l("A caption can have at most %(limit)s characters.",
                                             limit=contributions.CAPTION_MAX_LENGTH))
    begin_write(workshop)
    contributions.require_open(workshop, actor)
    item = db.session.get(Item, item_id) if is_id(item_id) else None
    if (item is None or item.workshop_id != workshop.id or item.kind == ItemKind.NOTE or item.withdrawn_at is not None
            or not (actor.is_staff or actor.owns(item.participant_id, item.account_id))):
        raise Problem(_l("This picture was not found. Please reload the page."), status=404)
    if item.text != caption:
        item.text = caption
        changes.record(workshop, "item", item.id)
    changes.commit_and_publish()
    return item


# -- What walls and phones are told ------------------------------------------------------------

def report_state(report: Report) -> dict:
    """The report's news for walls and phones: the same for every audience (nothing in it
    is hidden from anyone). Phones fetch the text itself when this changes."""
    # Imported here: each of them records "report" changes through this module.
    from . import followup, reader_feedback, report_answer, report_rounds

    return {
        "type": "report",
        "id": report.id,
        "title": report.title,
        "published": report.published_at is not None,
        "public_path": f"/r/{report.public_key}" if report.published_at is not None and report.public_key else None,
        "round": report_rounds.round_state(report),
        "answer": report_answer.answer_state(report),
        "feedback": reader_feedback.approved_states(report)[:20],
        "follow_up": followup.public_states(report.workshop),
        "discussion": _discussion(report),
        "updated_at": max([section.updated_at for section in live_sections(report)] or [report.created_at])
        .isoformat(),
    }


def _discussion(report: Report) -> dict:
    # Counts only, so a phone showing the report knows to fetch the comments again when
    # someone comments, agrees or is answered (the states themselves are per person).
    from .models import Comment, CommentAgreement, CommentRound

    in_report = select(CommentRound.id).where(CommentRound.report_id == report.id)
    comments = db.session.execute(select(func.count(Comment.id), func.count(Comment.replied_at))
                                  .where(Comment.round_id.in_(in_report), Comment.hidden_at.is_(None))).one()
    agreements = db.session.scalar(select(func.count(CommentAgreement.id)).join(
        Comment, Comment.id == CommentAgreement.comment_id).where(Comment.round_id.in_(in_report)))
    suggestions = db.session.execute(select(func.count(Suggestion.id), func.count(Suggestion.decided_at))
                                     .join(ReportSection, ReportSection.id == Suggestion.section_id)
                                     .where(ReportSection.report_id == report.id)).one()
    return {"comments": comments[0], "replied": comments[1], "agreements": agreements or 0,
            "suggestions": suggestions[0], "answered_suggestions": suggestions[1]}


changes.register_entity("report", Report, lambda objects, audience, code: [report_state(o) for o in objects],
                        same_for_all=True)


def phase_allows_report(workshop: Workshop) -> bool:
    """Whether the phones show the report: in the publication and follow-up phases."""
    return phases.ORDER.index(workshop.phase) >= phases.ORDER.index(phases.Phase.PUBLICATION)


__all__ = ["VersionConflict", "accept", "add_section", "create_draft", "decline", "escape_markdown", "find_section",
           "live_sections", "mark_accepted", "own_suggestions", "remove_section", "report_of", "report_state",
           "require_report", "restore", "save_section", "section_state", "sentences_of", "set_caption", "set_title",
           "suggest", "suggestion_state", "suggestions_of", "versions_of"]
