"""Short anonymous surveys (issue 4): one question, answered from the phones, charted live.

The facilitator makes a question of one of four kinds — pick one ("choice"), pick any
("multi"), a 1–5 smiley scale ("scale") or a few words ("text") — and opens and closes
it. Phase 1's "How would you like to take part?" is a survey too, with the purpose
"participation": a pick-any poll whose options are the model's ways of taking part.

Answers are anonymous and idempotent like everything a phone sends: the phone makes a UUID
per answer, the same UUID with the same answer is harmless (the offline outbox may
replay) and with a different answer is refused. A participant who answers again, with a
new UUID, changes their answer: only their latest answer counts, and the earlier rows stay
so that a late replay of one of them is still recognised and changes nothing. Staff may
answer on behalf of people in the room without phones; each of those answers counts.

Results are counts only, never who answered. The short texts are for the facilitator's
wall; the public wall and the phones see how many answered but not what they wrote.
"""
from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from . import changes, phases
from .actors import Actor
from .contributions import Submitted, repeat_of, require_open, store_once
from .database import begin_write
from .extensions import db
from .inputs import bool_field, choice_field, int_field, is_id, require_mapping, text_field, uuid_field
from .models import Survey, SurveyAnswer, SurveyKind, SurveyOption, Workshop, next_position
from .problems import Problem

TITLE_MAX_LENGTH = 200
OPTION_MAX_LENGTH = 200
MIN_OPTIONS = 2
#: More than a dozen options do not fit on a phone's screen or a chart on the wall.
MAX_OPTIONS = 12
#: A survey's text answer is a few words; the wall and the report cannot show essays.
TEXT_MAX_LENGTH = 300
SCALE_VALUES = (1, 2, 3, 4, 5)

GENERAL = "general"
PARTICIPATION = "participation"
PURPOSES = (GENERAL, PARTICIPATION)
KINDS = tuple(kind.value for kind in SurveyKind)
_WITH_OPTIONS = (SurveyKind.CHOICE, SurveyKind.MULTI)


def participation_title() -> str:
    """The participation poll's question in the current language."""
    return str(_l("How would you like to take part?"))


# -- making, opening and closing ------------------------------------------------------------


def create_survey(workshop: Workshop, actor: Actor, data: Mapping) -> Submitted:
    """Make an open survey question at the end of the workshop's list.

    `data` holds `kind` ("choice", "multi", "scale" or "text"), `title`, `options` (a list
    of labels, or text with one a line; choice and multi only: 2–12, all different; scale
    and text ignore them) and `purpose` ("general" by default). With the purpose
    "participation" everything else is ignored: the phase-1 poll "How would you like to
    take part?" is made, once per workshop; asking again returns the one there is
    (`created=False`). The survey remembers the phase the workshop is in.

    :raise Problem: (403) not staff; (422) no kind or title, a title or option too long,
        too few, too many or repeated options.
    """
    actor.require_staff()
    data = require_mapping(data)
    purpose = choice_field(data, "purpose", PURPOSES, default=GENERAL)
    if purpose == PARTICIPATION:
        return _participation_poll(workshop)
    if data.get("kind") is None or data.get("kind") == "":
        raise Problem(_l("This is missing."), field="kind", status=422)
    kind = SurveyKind(choice_field(data, "kind", KINDS))
    title = text_field(data, "title", TITLE_MAX_LENGTH, required=True,
                       empty_message=_l("Write the question first."))
    labels = _option_labels(data) if kind in _WITH_OPTIONS else []
    begin_write(workshop)
    survey = _add_survey(workshop, kind, title, GENERAL, [(label, "") for label in labels])
    changes.commit_and_publish()
    return Submitted(survey, created=True)


def update_survey(workshop: Workshop, actor: Actor, survey_id: int, data: Mapping) -> Survey:
    """Apply a facilitator's change to a survey: `open` (required) opens or closes it.

    :raise Problem: (403) not staff; (422) `open` missing or not yes/no; (404) no such survey.
    """
    actor.require_staff()
    data = require_mapping(data)
    # No default: a PATCH without "open" must not close the survey.
    return set_open(workshop, actor, survey_id, bool_field(data, "open", default=None))


def set_open(workshop: Workshop, actor: Actor, survey_id: int, is_open: bool) -> Survey:
    """Open or close a survey; a closed one keeps its answers and takes no more.

    :raise Problem: (403) not staff; (404) no such survey in this workshop.
    """
    actor.require_staff()
    begin_write(workshop)
    survey = _survey(workshop, survey_id)
    if survey.is_open != is_open:
        survey.is_open = is_open
        changes.record(workshop, "survey", survey.id)
        changes.commit_and_publish()
    return survey


def _participation_poll(workshop: Workshop) -> Submitted:
    """The workshop's "How would you like to take part?" poll, made now if there is none."""
    # Looked for under the write lock: two clicks at once must not make two polls.
    begin_write(workshop)
    existing = db.session.scalar(select(Survey).where(
        Survey.workshop_id == workshop.id, Survey.purpose == PARTICIPATION).order_by(Survey.id).limit(1))
    if existing is not None:
        return Submitted(existing, created=False)
    # In the room's language, whatever language the facilitator's own screen is in: the
    # poll is shown on the projector and the participants' phones.
    with force_locale(workshop.language):
        title = participation_title()
        options = [(label, way) for way, label in phases.participation_way_labels()]
    survey = _add_survey(workshop, SurveyKind.MULTI, title, PARTICIPATION, options)
    changes.commit_and_publish()
    return Submitted(survey, created=True)


def _add_survey(workshop: Workshop, kind: SurveyKind, title: str, purpose: str,
                options: list[tuple[str, str]]) -> Survey:
    """Add a survey with `(label, key)` options and record its change (caller commits)."""
    survey = Survey(workshop_id=workshop.id, kind=kind, title=title, purpose=purpose, is_open=True,
                    phase=workshop.phase, position=next_position(Survey, workshop.id),
                    options=[SurveyOption(label=label, key=key, position=index)
                             for index, (label, key) in enumerate(options)])
    db.session.add(survey)
    db.session.flush()
    changes.record(workshop, "survey", survey.id)
    return survey


def _option_labels(data: Mapping) -> list[str]:
    """The options of a choice or multi question. Blank lines are skipped: a text box
    leaves them, and they are not options anyone meant."""
    raw = data.get("options")
    if raw is None:
        raw = []
    if isinstance(raw, str):
        raw = raw.splitlines()
    if not isinstance(raw, list):
        raise Problem(_l("Write each option on its own line."), field="options", status=422)
    # Checked before reading them: a body of a million options is refused without work.
    if len(raw) > 4 * MAX_OPTIONS:
        raise Problem(_l("At most %(limit)s options.", limit=MAX_OPTIONS), field="options", status=422)
    labels, seen = [], set()
    for option in raw:
        # Named "options": that is the field the person typed them in.
        label = text_field({"options": option}, "options", OPTION_MAX_LENGTH, required=False)
        if not label:
            continue
        # "Ruoka" and "ruoka " would be two bars of one answer on the chart.
        same = " ".join(label.split()).casefold()
        if same in seen:
            raise Problem(_l("Each option must be different."), field="options", status=422)
        seen.add(same)
        labels.append(label)
    if len(labels) < MIN_OPTIONS:
        raise Problem(_l("Give at least two options, each on its own line."), field="options", status=422)
    if len(labels) > MAX_OPTIONS:
        raise Problem(_l("At most %(limit)s options.", limit=MAX_OPTIONS), field="options", status=422)
    return labels


# -- answering ----------------------------------------------------------------------------------


def answer(workshop: Workshop, actor: Actor, survey_id: int, data: Mapping) -> Submitted:
    """Store an answer to a survey, or return it if this UUID was sent before.

    `data` holds `uuid` and, by the survey's kind, `choices` (a list of option ids:
    exactly one for choice, one or more, each once, for multi), `scale` (1–5) or `text`
    (1–300 characters). A participant's new answer replaces their earlier one in the
    results; a staff member's answer (on someone's behalf) counts on its own.

    :raise Problem: 404 no such survey in this workshop; 422 an invalid answer; 409 the
        UUID was used for another answer; 410 the workshop has ended (participants);
        409 the phase does not offer surveys (participants); 423 the survey is closed.
    """
    data = require_mapping(data)
    answer_uuid = uuid_field(data)
    begin_write(workshop)
    survey = _survey(workshop, survey_id)
    choices, scale, text = _parse_answer(survey, data)
    body_hash = hashlib.sha256(json.dumps(
        {"survey_id": survey.id, "choices": choices, "scale": scale, "text": text}, sort_keys=True
    ).encode()).hexdigest()
    # A repeat is answered before the other rules: the answer was stored when they allowed
    # it, and a survey closed since must not turn the outbox's replay into an error.
    repeat = _repeat(workshop, actor, answer_uuid, body_hash)
    if repeat is not None:
        return Submitted(repeat, created=False)
    require_open(workshop, actor)
    phases.require(workshop, actor, phases.SURVEYS)
    if not survey.is_open:
        raise Problem(_l("This survey has been closed."), status=423)
    row = SurveyAnswer(
        workshop_id=workshop.id, uuid=answer_uuid, body_hash=body_hash, survey_id=survey.id, **actor.author_ids(),
        gathering_id=workshop.current_gathering_id,
        choices=",".join(str(option_id) for option_id in choices), scale=scale, text=text or "")
    return store_once(workshop, actor, row, lambda: changes.record(workshop, "survey", survey.id))


def _parse_answer(survey: Survey, data: Mapping) -> tuple[list[int], int | None, str | None]:
    """The answer's `(choices, scale, text)` as the survey's kind reads it; the fields of
    other kinds are ignored. Choices come back in the options' order, so that the same
    options sent in another order are the same answer (and the same body for a repeat).

    :raise Problem: (422) the answer does not fit the survey.
    """
    if survey.kind == SurveyKind.SCALE:
        scale = int_field(data, "scale")
        if scale not in SCALE_VALUES:
            raise Problem(_l("Choose one of the five faces."), field="scale", status=422)
        return [], scale, None
    if survey.kind == SurveyKind.TEXT:
        return [], None, text_field(data, "text", TEXT_MAX_LENGTH, required=True)
    raw = data.get("choices")
    if raw is None:
        raw = []
    if not isinstance(raw, list) or len(raw) > MAX_OPTIONS:
        raise Problem(_l("This is not a valid choice."), field="choices", status=422)
    chosen = [int_field({"choices": value}, "choices") for value in raw]
    if not chosen:
        raise Problem(_l("Choose an option first."), field="choices", status=422)
    if len(set(chosen)) != len(chosen):
        raise Problem(_l("This is not a valid choice."), field="choices", status=422)
    if survey.kind == SurveyKind.CHOICE and len(chosen) > 1:
        raise Problem(_l("Choose only one option."), field="choices", status=422)
    own = [option.id for option in _options_of([survey.id]).get(survey.id, [])]
    # An id of another survey's option, or of another workshop's, is not an option here.
    if not set(chosen) <= set(own):
        raise Problem(_l("This option was not found. Please reload the page."), field="choices", status=422)
    return [option_id for option_id in own if option_id in chosen], None, None


def _repeat(workshop: Workshop, actor: Actor, answer_uuid: str, body_hash: str) -> SurveyAnswer | None:
    return repeat_of(SurveyAnswer, workshop, actor, answer_uuid, body_hash)


def answer_state(row: SurveyAnswer) -> dict:
    """An answer as the one who sent it sees it."""
    return {"uuid": row.uuid, "survey_id": row.survey_id, "choices": _split(row.choices), "scale": row.scale,
            "text": row.text or None}


def own_answers(workshop: Workshop, actor: Actor) -> dict[int, dict]:
    """The participant's current answer to each survey they answered: `{survey_id: answer}`.

    Staff get none: their answers were given on other people's behalf.
    """
    if actor.participant is None:
        return {}
    rows = db.session.scalars(select(SurveyAnswer).where(
        SurveyAnswer.workshop_id == workshop.id, SurveyAnswer.participant_id == actor.participant.id)
        .order_by(SurveyAnswer.id))
    # Oldest first, so each survey ends up with its latest answer.
    return {row.survey_id: answer_state(row) for row in rows}


# -- reading and results -----------------------------------------------------------------------


def surveys_of(workshop: Workshop) -> list[Survey]:
    """The workshop's surveys in the order they were made."""
    return list(db.session.scalars(select(Survey).where(Survey.workshop_id == workshop.id)
                                   .order_by(Survey.position, Survey.id)))


def results(survey: Survey) -> dict:
    """A survey's results for the report: its full state, with the short texts."""
    return survey_state(survey, changes.STAFF)


def survey_state(survey: Survey, audience: str) -> dict:
    """One survey as `audience` sees it (see `survey_states`)."""
    return survey_states([survey], audience)[0]


def survey_states(surveys: list[Survey], audience: str) -> list[dict]:
    """The surveys, in the order given, with their counts, as `audience` may see them.

    Counts take each participant's latest answer and every staff answer. Nobody sees who
    answered what; the texts are for staff only (the public state says how many answered).
    """
    ids = [survey.id for survey in surveys]
    options = _options_of(ids)
    tallies = _tallies(ids)
    states = []
    for survey in surveys:
        tally = tallies.get(survey.id) or _Tally()
        states.append({
            "type": "survey",
            "id": survey.id,
            "kind": survey.kind.value,
            "title": survey.title,
            "purpose": survey.purpose,
            "open": survey.is_open,
            "phase": survey.phase.value,
            "position": survey.position,
            "respondents": tally.respondents,
            "options": [{"id": option.id, "label": option.label, "key": option.key,
                         "count": tally.choices.get(option.id, 0)} for option in options.get(survey.id, [])],
            "scale": ({str(value): tally.scale.get(value, 0) for value in SCALE_VALUES}
                      if survey.kind == SurveyKind.SCALE else None),
            "texts": list(tally.texts) if survey.kind == SurveyKind.TEXT and audience == changes.STAFF else None,
        })
    return states


@dataclass
class _Tally:
    """What the answers that count add up to, for one survey."""

    respondents: int = 0
    choices: Counter = field(default_factory=Counter)
    scale: Counter = field(default_factory=Counter)
    texts: list[str] = field(default_factory=list)


def _tallies(survey_ids: Iterable[int]) -> dict[int, _Tally]:
    """Add up the answers that count for each survey, in one query for them all."""
    ids = list(survey_ids)
    if not ids:
        return {}
    latest = (select(func.max(SurveyAnswer.id))
              .where(SurveyAnswer.survey_id.in_(ids), SurveyAnswer.participant_id.is_not(None))
              .group_by(SurveyAnswer.survey_id, SurveyAnswer.participant_id))
    # Rows without a participant are staff answers on someone's behalf: each counts.
    rows = db.session.execute(
        select(SurveyAnswer.survey_id, SurveyAnswer.choices, SurveyAnswer.scale, SurveyAnswer.text)
        .where(SurveyAnswer.survey_id.in_(ids),
               or_(SurveyAnswer.participant_id.is_(None), SurveyAnswer.id.in_(latest)))
        .order_by(SurveyAnswer.id))
    tallies: dict[int, _Tally] = {}
    for survey_id, choices, scale, text in rows:
        tally = tallies.setdefault(survey_id, _Tally())
        tally.respondents += 1
        tally.choices.update(_split(choices))
        if scale is not None:
            tally.scale[scale] += 1
        if text:
            tally.texts.append(text)
    return tallies


def _options_of(survey_ids: list[int]) -> dict[int, list[SurveyOption]]:
    """The options of each survey in their order, in one query."""
    if not survey_ids:
        return {}
    found: dict[int, list[SurveyOption]] = {}
    for option in db.session.scalars(select(SurveyOption).where(SurveyOption.survey_id.in_(survey_ids))
                                     .order_by(SurveyOption.position, SurveyOption.id)):
        found.setdefault(option.survey_id, []).append(option)
    return found


def _split(choices: str) -> list[int]:
    return [int(part) for part in choices.split(",") if part]


def _survey(workshop: Workshop, survey_id: int) -> Survey:
    survey = db.session.get(Survey, survey_id) if is_id(survey_id) else None
    if survey is None or survey.workshop_id != workshop.id:
        raise Problem(_l("This survey was not found. Please reload the page."), status=404)
    return survey


# Surveys are pushed to the walls like any other entity; a catch-up counts them together.
changes.register_entity("survey", Survey, lambda objects, audience, code: survey_states(objects, audience))
