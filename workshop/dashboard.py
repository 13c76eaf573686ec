"""The facilitator's dashboard: read-only summaries of one workshop (issue 4).

"For each workshop: the current phase, participants connected now (a count),
contributions per phase and gathering, open surveys and votes, a timeline." Everything
here only reads. Participants' contributions appear as counts, never listed and never
with who made them: the dashboard may be on a screen others can see.
"""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, or_, select

from . import changes, feedback, phases
from .extensions import db, socketio
from .gatherings import gatherings_of
from .models import (Dot, Gathering, Idea, Item, ItemKind, Participant, Phase, Question, Survey, SurveyAnswer,
                     TopicProposal, Workshop)

#: The counts of one row of `contributions`, in the order the dashboard shows them.
COUNT_KEYS = ("notes", "drawings", "photos", "topics", "answers", "dots", "feedback")
_KIND_KEYS = {ItemKind.NOTE: "notes", ItemKind.DRAWING: "drawings", ItemKind.PHOTO: "photos"}
#: The timeline shows the latest events only: a dashboard, not an archive.
TIMELINE_LENGTH = 50
#: A vote's timeline kind by its purpose; a general vote is a "question".
_VOTE_KINDS = {"topics": "topic_vote", "ideas": "idea_vote"}


def connected_count(workshop: Workshop) -> int:
    """How many sockets follow the workshop now: those in its staff room and its public room.

    This counts the sockets connected to this process only. That is all of them on the
    laptop set-up (one process); the regional set-up with several processes behind Redis
    comes in a later issue and will need the count from every process. Without a running
    Socket.IO server (a CLI command, a test without sockets) the count is 0.
    """
    server = getattr(socketio, "server", None)
    manager = getattr(server, "manager", None)
    if manager is None:
        return 0
    rooms = [changes.room(workshop.id, audience) for audience in (changes.STAFF, changes.PUBLIC)]
    # A set: a socket in both rooms (it cannot be now, but one watching changes rooms) is one.
    return len({sid for room in rooms for sid, _eio_sid in manager.get_participants("/", room)})


def overview(workshop: Workshop, connected: int) -> dict:
    """Everything the dashboard shows of `workshop`; `connected` comes from `connected_count`.

    `contributions` has one row per (phase, gathering) with anything in it, in the model's
    phase order and the gatherings' order (null last): items (notes, drawings, photos on
    the wall: neither taken back nor hidden) by their phase and gathering; topic proposals
    (phase 1, by gathering); survey answers (the survey's phase, the answer's gathering;
    a participant's latest answer per survey); feedback (its phase and gathering; the
    latest per participant per phase); dots (not taken back) have neither, so they are in
    the row with phase and gathering null. `totals` sums every row.
    """
    rows = _contributions(workshop)
    return {
        "phase": workshop.phase.value,
        "phase_name": phases.phase_names()[workshop.phase],
        "topic": workshop.topic,
        "connected": connected,
        "participants": db.session.scalar(select(func.count()).select_from(Participant)
                                          .where(Participant.workshop_id == workshop.id)),
        "contributions": rows,
        "totals": {key: sum(row[key] for row in rows) for key in COUNT_KEYS},
        "open_surveys": _open_surveys(workshop),
        "open_votes": _open_votes(workshop),
        "gatherings": [_gathering(gathering, workshop.current_gathering_id) for gathering in gatherings_of(workshop)],
        "timeline": timeline(workshop),
    }


def timeline(workshop: Workshop, limit: int = TIMELINE_LENGTH) -> list[dict]:
    """What happened in the workshop, newest first, at most `limit` events.

    Built from the creation times of what the facilitator made, so nothing a participant
    wrote appears here: `workshop_created` (the workshop's title), `workshop_ended`,
    `gathering`, `survey`, `question` / `topic_vote` / `idea_vote` (a dot vote by its
    purpose) and `idea` (a development idea, unless removed), each with its title as `text`.
    Phase moves are not dated in the data and do not appear.
    """
    events = [(workshop.created_at, "workshop_created", workshop.title)]
    if workshop.closed_at is not None:
        events.append((workshop.closed_at, "workshop_ended", workshop.title))

    def latest(model, *columns, where=()):
        # Each source is cut to `limit` in the database: more could never be shown.
        return db.session.execute(select(*columns).where(model.workshop_id == workshop.id, *where)
                                  .order_by(model.created_at.desc(), model.id.desc()).limit(limit)).all()

    events += [(at, "gathering", title) for at, title in latest(Gathering, Gathering.created_at, Gathering.title)]
    events += [(at, "survey", title) for at, title in latest(Survey, Survey.created_at, Survey.title)]
    events += [(at, _VOTE_KINDS.get(purpose, "question"), title)
               for at, title, purpose in latest(Question, Question.created_at, Question.title, Question.purpose)]
    events += [(at, "idea", statement)
               for at, statement in latest(Idea, Idea.created_at, Idea.statement, where=(Idea.removed_at.is_(None),))]
    # Sorted by time only (stable): events of the same moment keep the order above.
    events.sort(key=lambda event: event[0], reverse=True)
    return [{"at": at.isoformat(), "kind": kind, "text": text} for at, kind, text in events[:limit]]


def _contributions(workshop: Workshop) -> list[dict]:
    counts: dict[tuple[str | None, int | None], dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNT_KEYS, 0))

    for phase, gathering_id, kind, count in db.session.execute(
            select(Item.phase, Item.gathering_id, Item.kind, func.count())
            .where(Item.workshop_id == workshop.id, Item.withdrawn_at.is_(None), Item.hidden_at.is_(None))
            .group_by(Item.phase, Item.gathering_id, Item.kind)):
        counts[(phase.value, gathering_id)][_KIND_KEYS[kind]] += count

    # Topics are proposed in phase 1 only; a proposal has no phase of its own.
    for gathering_id, count in db.session.execute(
            select(TopicProposal.gathering_id, func.count())
            .where(TopicProposal.workshop_id == workshop.id, TopicProposal.withdrawn_at.is_(None),
                   TopicProposal.hidden_at.is_(None))
            .group_by(TopicProposal.gathering_id)):
        counts[(Phase.MAPPING.value, gathering_id)]["topics"] += count

    for phase, gathering_id, count in db.session.execute(
            select(Survey.phase, SurveyAnswer.gathering_id, func.count())
            .join(Survey, Survey.id == SurveyAnswer.survey_id)
            .where(SurveyAnswer.id.in_(_counted_answers(workshop)))
            .group_by(Survey.phase, SurveyAnswer.gathering_id)):
        counts[(phase.value, gathering_id)]["answers"] += count

    dots = db.session.scalar(select(func.count()).select_from(Dot)
                             .where(Dot.workshop_id == workshop.id, Dot.taken_back_at.is_(None)))
    if dots:
        counts[(None, None)]["dots"] += dots

    for row in feedback.counted(workshop):
        counts[(row.phase.value, row.gathering_id)]["feedback"] += 1

    phase_order = {phase.value: index for index, phase in enumerate(phases.ORDER)}
    gathering_order = {gathering.id: index for index, gathering in enumerate(gatherings_of(workshop))}

    def order(key):
        phase, gathering_id = key
        return (phase_order.get(phase, len(phase_order)), gathering_order.get(gathering_id, len(gathering_order)))

    return [{"phase": phase, "gathering_id": gathering_id, **counts[(phase, gathering_id)]}
            for phase, gathering_id in sorted(counts, key=order)]


def _counted_answers(workshop: Workshop):
    """The ids of the survey answers that count: each participant's latest per survey, and
    every answer staff recorded on someone's behalf (those have no participant)."""
    latest = (select(func.max(SurveyAnswer.id))
              .where(SurveyAnswer.workshop_id == workshop.id, SurveyAnswer.participant_id.is_not(None))
              .group_by(SurveyAnswer.survey_id, SurveyAnswer.participant_id))
    return (select(SurveyAnswer.id)
            .where(SurveyAnswer.workshop_id == workshop.id,
                   or_(SurveyAnswer.participant_id.is_(None), SurveyAnswer.id.in_(latest))))


def _open_surveys(workshop: Workshop) -> list[dict]:
    surveys = list(db.session.scalars(select(Survey).where(Survey.workshop_id == workshop.id, Survey.is_open)
                                      .order_by(Survey.position, Survey.id)))
    respondents = dict(db.session.execute(
        select(SurveyAnswer.survey_id, func.count())
        .where(SurveyAnswer.id.in_(_counted_answers(workshop)))
        .group_by(SurveyAnswer.survey_id)).all())
    return [{"id": survey.id, "title": survey.title, "respondents": respondents.get(survey.id, 0)}
            for survey in surveys]


def _open_votes(workshop: Workshop) -> list[dict]:
    return [{"id": question_id, "title": title, "dots": dots} for question_id, title, dots in db.session.execute(
        select(Question.id, Question.title, func.count(Dot.id))
        .outerjoin(Dot, (Dot.question_id == Question.id) & Dot.taken_back_at.is_(None))
        .where(Question.workshop_id == workshop.id, Question.is_open)
        .group_by(Question.id, Question.title)
        .order_by(Question.position, Question.id))]


def _gathering(gathering: Gathering, current_id: int | None) -> dict:
    return {"id": gathering.id, "title": gathering.title, "place": gathering.place,
            "held_on": gathering.held_on.isoformat() if gathering.held_on else None,
            "current": gathering.id == current_id, "log": gathering.log,
            "participant_count": gathering.participant_count}
