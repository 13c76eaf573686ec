"""Phase 2 analysis: development ideas (kehittämisidea) formed from the themes and notes.

The group reads its themes together and writes what should change as short statements;
the facilitator types them in and links each to the themes and notes it came from, so
the report can show where an idea was heard. The ideas can be ranked with a dot vote.
Everything here is for staff only (participants get a 403). A removed idea keeps its row
(and so its place in the change log and any vote it was in) and leaves every wall.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from . import changes, votes
from .actors import Actor
from .database import begin_write
from .extensions import db
from .inputs import is_id, require_mapping, text_field
from .models import Idea, Item, Option, Question, Theme, Workshop, idea_item, idea_theme, next_position, utcnow
from .problems import Problem
from .topics import start_question, vote_settings

#: The longest statement: a sentence or two, like "The day centre opens at 8 on weekdays".
STATEMENT_MAX_LENGTH = 300
#: The most themes or notes one idea links to; more is a mistake (and a body too big to check).
MAX_LINKS = 500
#: The `Question.purpose` of a vote on the ideas.
PURPOSE = "ideas"


def create(workshop: Workshop, actor: Actor, data: Mapping) -> Idea:
    """Add an idea (`statement`) at the end, linked to `theme_ids` and `item_ids` (optional).

    :raise Problem: 403 not staff; 422 no statement, a text too long, or an id that is not
        a current theme or note of this workshop.
    """
    actor.require_staff()
    data = require_mapping(data)
    # Every field is read before the write begins: a refusal leaves nothing half-done.
    statement = _statement(data)
    theme_ids = _ids(data, "theme_ids")
    item_ids = _ids(data, "item_ids")
    begin_write(workshop)
    themes = _themes(workshop, theme_ids)
    items = _items(workshop, item_ids)
    idea = Idea(workshop_id=workshop.id, statement=statement, position=next_position(Idea, workshop.id),
                themes=themes, items=items)
    db.session.add(idea)
    db.session.flush()
    changes.record(workshop, "idea", idea.id)
    changes.commit_and_publish()
    return idea


def update(workshop: Workshop, actor: Actor, idea_id: int, data: Mapping) -> Idea:
    """Change any of an idea's `statement`, `theme_ids` and `item_ids` (the lists given
    replace the links). A vote already started keeps its option's label.

    :raise Problem: 403 not staff; 404 no such idea (or removed); 422 as for `create`.
    """
    actor.require_staff()
    data = require_mapping(data)
    statement = _statement(data) if "statement" in data else None
    theme_ids = _ids(data, "theme_ids") if "theme_ids" in data else None
    item_ids = _ids(data, "item_ids") if "item_ids" in data else None
    begin_write(workshop)
    idea = _idea(workshop, idea_id)
    themes = _themes(workshop, theme_ids) if theme_ids is not None else None
    items = _items(workshop, item_ids) if item_ids is not None else None
    if statement is not None:
        idea.statement = statement
    if themes is not None:
        idea.themes = themes
    if items is not None:
        idea.items = items
    changes.record(workshop, "idea", idea.id)
    changes.commit_and_publish()
    return idea


def remove(workshop: Workshop, actor: Actor, idea_id: int) -> Idea:
    """Remove an idea from every wall (its row stays as a tombstone). Twice is fine.

    :raise Problem: 403 not staff; 404 no such idea in this workshop.
    """
    actor.require_staff()
    begin_write(workshop)
    idea = _idea(workshop, idea_id, removed_too=True)
    if idea.removed_at is None:
        idea.removed_at = utcnow()
        changes.record(workshop, "idea", idea.id)
        changes.commit_and_publish()
    return idea


def start_vote(workshop: Workshop, actor: Actor, data: Mapping) -> Question:
    """Start a dot vote to rank the current ideas (`dots_per_person` 1–10, default 3;
    `title`, default "Which ideas matter most?" in the workshop's language).

    :raise Problem: 403 not staff; 422 fewer than two ideas, more than a vote holds, or
        invalid settings.
    """
    actor.require_staff()
    with force_locale(workshop.language):
        default_title = str(_l("Which ideas matter most?"))
    title, dots = vote_settings(data, default_title)
    begin_write(workshop)
    ideas = ideas_of(workshop)
    if len(ideas) < 2:
        raise Problem(_l("A vote needs at least two development ideas. Write more ideas first."), status=422)
    if len(ideas) > votes.MAX_OPTIONS:
        raise Problem(_l("A vote can have at most %(limit)s options. Remove some ideas first.",
                         limit=votes.MAX_OPTIONS), status=422)
    options = [Option(label=" ".join(idea.statement.split()), idea_id=idea.id) for idea in ideas]
    return start_question(workshop, PURPOSE, title, dots, options)


def ideas_of(workshop: Workshop) -> list[Idea]:
    """The workshop's current (not removed) ideas in their order."""
    return list(db.session.scalars(select(Idea).where(Idea.workshop_id == workshop.id, Idea.removed_at.is_(None))
                                   .order_by(Idea.position, Idea.id)))


def idea_state(idea: Idea, audience: str) -> dict:
    """An idea as `audience` may see it (see `idea_states`)."""
    return idea_states([idea], audience)[0]


def idea_states(ideas: list[Idea], audience: str) -> list[dict]:
    """The ideas as `audience` may see them, in the same order: a removed one is `gone`.

    Links to themes since dissolved and to notes since taken back are left out for
    everyone, and links to notes the facilitator hid are left out for the public: the
    link must not show what the wall does not.
    """
    live = [idea.id for idea in ideas if idea.removed_at is None]
    theme_ids: dict[int, list[int]] = defaultdict(list)
    item_ids: dict[int, list[int]] = defaultdict(list)
    if live:
        # Two queries for all the ideas of a catch-up, instead of two for each.
        for idea_id, theme_id in db.session.execute(
                select(idea_theme.c.idea_id, Theme.id).join(Theme, Theme.id == idea_theme.c.theme_id)
                .where(idea_theme.c.idea_id.in_(live), Theme.removed_at.is_(None))
                .order_by(Theme.position, Theme.id)):
            theme_ids[idea_id].append(theme_id)
        items = (select(idea_item.c.idea_id, Item.id).join(Item, Item.id == idea_item.c.item_id)
                 .where(idea_item.c.idea_id.in_(live), Item.withdrawn_at.is_(None)))
        if audience == changes.PUBLIC:
            items = items.where(Item.hidden_at.is_(None))
        for idea_id, item_id in db.session.execute(items.order_by(Item.id)):
            item_ids[idea_id].append(item_id)
    return [{"type": "idea", "id": idea.id, "gone": True} if idea.removed_at is not None else
            {"type": "idea", "id": idea.id, "statement": idea.statement, "position": idea.position,
             "theme_ids": theme_ids[idea.id], "item_ids": item_ids[idea.id]}
            for idea in ideas]


changes.register_entity("idea", Idea, lambda objects, audience, code: idea_states(objects, audience))


def _idea(workshop: Workshop, idea_id: int, *, removed_too: bool = False) -> Idea:
    idea = db.session.get(Idea, idea_id) if is_id(idea_id) else None
    if idea is None or idea.workshop_id != workshop.id or (idea.removed_at is not None and not removed_too):
        raise Problem(_l("This development idea was not found. Please reload the page."), status=404)
    return idea


def _statement(data: Mapping) -> str:
    return text_field(data, "statement", STATEMENT_MAX_LENGTH, required=True,
                      empty_message=_l("Write the development idea first."),
                      too_long_message=_l("A development idea can have at most %(limit)s characters.",
                                          limit=STATEMENT_MAX_LENGTH))


def _ids(data: Mapping, name: str) -> list[int]:
    """A list of row ids (missing or null: none), without repeats, in the order given."""
    value = data.get(name)
    if value is None:
        return []
    # is_id refuses booleans, fractions, strings and numbers past the database's integers.
    if not isinstance(value, list) or len(value) > MAX_LINKS or not all(is_id(i) for i in value):
        raise Problem(_l("This is not a valid choice."), field=name, status=422)
    return list(dict.fromkeys(value))


def _themes(workshop: Workshop, theme_ids: list[int]) -> list[Theme]:
    found = {theme.id: theme for theme in db.session.scalars(select(Theme).where(
        Theme.workshop_id == workshop.id, Theme.id.in_(theme_ids), Theme.removed_at.is_(None)))} if theme_ids else {}
    if len(found) != len(theme_ids):
        raise Problem(_l("This theme was not found. Please reload the page."), field="theme_ids", status=422)
    # In the relationship's order (the wall's), as the idea reads back after a reload.
    return sorted(found.values(), key=lambda theme: (theme.position, theme.id))


def _items(workshop: Workshop, item_ids: list[int]) -> list[Item]:
    # A hidden note may be linked (the facilitator sees it); a taken-back one is gone.
    found = {item.id: item for item in db.session.scalars(select(Item).where(
        Item.workshop_id == workshop.id, Item.id.in_(item_ids), Item.withdrawn_at.is_(None)))} if item_ids else {}
    if len(found) != len(item_ids):
        raise Problem(_l("This note was not found. Please reload the page."), field="item_ids", status=422)
    return sorted(found.values(), key=lambda item: item.id)
