"""The phase machine of the co-reporting model (DOMAIN.md, seed 000), as plain rules.

A workshop is in one phase at a time: mapping (alkukartoitus ja aiheen valinta) →
collection (tiedonkeruu) → publication (julkistaminen) → follow-up (seuranta). The
facilitator moves it one step forward, or one step back when the group needs to, after a
confirmation on the page. What participants may do depends on the phase; staff may always
act (a paper note typed in late, a theme tidied after the phase). Moving forward asks the
phones "how did this phase work for you?" about the phase just finished.
"""
from __future__ import annotations

import re
from collections.abc import Mapping

from flask_babel import lazy_gettext as _l

from . import changes, wall
from .actors import Actor
from .database import begin_write
from .inputs import bool_field
from .models import Phase, Workshop
from .problems import Problem

ORDER = (Phase.MAPPING, Phase.COLLECTION, Phase.PUBLICATION, Phase.FOLLOW_UP)

# What a participant can do; each rules module asks `require()` for its own.
NOTES = "notes"  # sticky notes, drawings and photos on the boards
TOPICS = "topics"  # propose a topic for the report
SURVEYS = "surveys"  # answer an open survey question
VOTES = "votes"  # put dots on an open vote
FEEDBACK = "feedback"  # "how did this work for you?"

_ALLOWED: dict[Phase, frozenset[str]] = {
    # Initial mapping uses the flip chart too ("what is going on here?"), before the topic.
    Phase.MAPPING: frozenset({NOTES, TOPICS, SURVEYS, VOTES, FEEDBACK}),
    Phase.COLLECTION: frozenset({NOTES, SURVEYS, VOTES, FEEDBACK}),
    # Writing and commenting the report come with the report; a quick poll still helps.
    Phase.PUBLICATION: frozenset({SURVEYS, VOTES, FEEDBACK}),
    Phase.FOLLOW_UP: frozenset({SURVEYS, FEEDBACK}),
}

#: The ways of taking part the model names, asked in phase 1 ("How would you like to take part?").
PARTICIPATION_WAYS = ("talking", "notes", "drawing", "voting", "survey", "writing", "commenting", "listening")

_PROJECTOR_VIEWS = re.compile(r"^(wall|explainer|topics|ideas|participation|(survey|question)-[1-9][0-9]{0,8})$")


def phase_names() -> dict[Phase, str]:
    """Each phase's name in the current language, as the model names them."""
    return {Phase.MAPPING: str(_l("Initial mapping and topic choice")), Phase.COLLECTION: str(_l("Data collection")),
            Phase.PUBLICATION: str(_l("Publication")), Phase.FOLLOW_UP: str(_l("Follow-up"))}


def participation_way_labels() -> list[tuple[str, str]]:
    """The ways of taking part with their names in the current language, in the model's order."""
    names = {"talking": _l("Talking"), "notes": _l("Writing notes"), "drawing": _l("Drawing"),
             "voting": _l("Voting"), "survey": _l("Answering a short survey"),
             "writing": _l("Helping to write the report"), "commenting": _l("Commenting on the report"),
             "listening": _l("Just listening")}
    return [(way, str(names[way])) for way in PARTICIPATION_WAYS]


#: The 1–5 scale of feedback and scale questions, as faces (shown beside their words).
SMILEY_FACES = {1: "😞", 2: "🙁", 3: "😐", 4: "🙂", 5: "😀"}


def smiley_labels() -> list[tuple[int, str, str]]:
    """(value, face, words) for each step of the 1–5 smiley scale, in the current language."""
    words = {1: _l("Very bad"), 2: _l("Bad"), 3: _l("Okay"), 4: _l("Good"), 5: _l("Very good")}
    return [(value, SMILEY_FACES[value], str(words[value])) for value in range(1, 6)]


def allows(phase: Phase, activity: str) -> bool:
    """Whether a participant may do `activity` while the workshop is in `phase`."""
    return activity in _ALLOWED[phase]


def activities_by_phase() -> dict[str, list[str]]:
    """What participants may do in each phase, for the phone's page (it shows only those)."""
    return {phase.value: sorted(_ALLOWED[phase]) for phase in ORDER}


def require(workshop: Workshop, actor: Actor, activity: str) -> None:
    """:raise Problem: (409) a participant tries what the workshop's phase does not offer."""
    if not actor.is_staff and not allows(workshop.phase, activity):
        raise Problem(_l("The workshop has moved on to another phase, so this cannot be done now. "
                         "Look at the wall for what to do now."), status=409)


def can_move(current: Phase, target: Phase) -> bool:
    """Only one step at a time, forward or back: a skipped phase is a skipped conversation."""
    return abs(ORDER.index(target) - ORDER.index(current)) == 1


def parse_phase(value, field: str = "phase", *, allow_none: bool = False) -> Phase | None:
    """A phase from its API name. :raise Problem: (422) not a phase."""
    if value is None and allow_none:
        return None
    try:
        return Phase(value)
    except ValueError:
        raise Problem(_l("This is not a valid choice."), field=field, status=422) from None


def move_to(workshop: Workshop, actor: Actor, target: Phase) -> Workshop:
    """Move the workshop to the next or the previous phase.

    Moving forward asks the phones for feedback on the phase just finished; moving back
    stops asking. Moving to the phase it is in already changes nothing.

    :raise Problem: 403 not staff; 409 not the next or the previous phase.
    """
    actor.require_staff()
    begin_write(workshop)
    if _move(workshop, target):
        changes.commit_and_publish()
    return workshop


def _move(workshop: Workshop, target: Phase) -> bool:
    if workshop.phase == target:
        return False
    if not can_move(workshop.phase, target):
        raise Problem(_l("Move one phase at a time."), field="phase", status=409)
    forward = ORDER.index(target) > ORDER.index(workshop.phase)
    workshop.feedback_phase = workshop.phase if forward else None
    workshop.phase = target
    changes.record(workshop, "workshop", workshop.id)
    return True


def ask_feedback(workshop: Workshop, actor: Actor, phase: Phase | None) -> Workshop:
    """Ask the phones for feedback on `phase` (a phase reached already), or stop asking (None).

    :raise Problem: 403 not staff; 422 a phase the workshop has not reached.
    """
    actor.require_staff()
    begin_write(workshop)
    if _ask(workshop, phase):
        changes.commit_and_publish()
    return workshop


def _ask(workshop: Workshop, phase: Phase | None) -> bool:
    if phase is not None and ORDER.index(phase) > ORDER.index(workshop.phase):
        raise Problem(_l("This phase has not been reached yet."), field="feedback_phase", status=422)
    if workshop.feedback_phase == phase:
        return False
    workshop.feedback_phase = phase
    changes.record(workshop, "workshop", workshop.id)
    return True


def show_on_projector(workshop: Workshop, actor: Actor, view) -> Workshop:
    """Choose what the presenter wall shows: "wall", "explainer", "topics", "ideas",
    "participation", "survey-<id>" or "question-<id>".

    :raise Problem: 403 not staff; 422 not one of those.
    """
    actor.require_staff()
    begin_write(workshop)
    if _show(workshop, view):
        changes.commit_and_publish()
    return workshop


def _show(workshop: Workshop, view) -> bool:
    if not isinstance(view, str) or not _PROJECTOR_VIEWS.match(view):
        raise Problem(_l("This is not a valid choice."), field="projector", status=422)
    if workshop.projector == view:
        return False
    workshop.projector = view
    changes.record(workshop, "workshop", workshop.id)
    return True


def update_settings(workshop: Workshop, actor: Actor, data: Mapping) -> Workshop:
    """The live settings sent together (`PATCH /api/w/<code>`): any of `reveal_mode`,
    `phase` (one step), `feedback_phase` (a phase reached, after the step, or None) and
    `projector`, applied in that order in one transaction: when any is refused, none is
    applied (a phone or wall never sees half of what the facilitator chose).

    :raise Problem: 403 not staff; 409 a jump of phases; 422 an invalid value.
    """
    actor.require_staff()
    begin_write(workshop)
    changed = False
    if "reveal_mode" in data:
        changed |= wall.switch_reveal_mode(workshop, bool_field(data, "reveal_mode"))
    if "phase" in data:
        changed |= _move(workshop, parse_phase(data["phase"]))
    if "feedback_phase" in data:
        changed |= _ask(workshop, parse_phase(data["feedback_phase"], "feedback_phase", allow_none=True))
    if "projector" in data:
        changed |= _show(workshop, data["projector"])
    if changed:  # a refusal above raised before this: the caller's rollback undoes the rest
        changes.commit_and_publish()
    return workshop
