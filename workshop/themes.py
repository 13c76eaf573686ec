"""The working group's tags and themes for the half-yearly summary (issue 7).

A working-group member reads the professionals' reports of a period and tags each one
with the section-11 support needs it concerns (`ObservationNeed`, the ten kinds of the
Social Welfare Act) and with the group's own themes (`ObservationTheme`); street notes get
themes too (`StreetNoteTheme`), so both flow into the same summary. A theme can be
"followed" (a weak signal whose count per quarter the summary shows) and carries the
group's conclusion.

Only working-group members change anything here; directors read the same pages. What the
rules decided where the issue is silent:

- A theme's name is unique whatever its case ("Asunnottomuus" and "asunnottomuus" are one
  theme). Typing an existing name as a "new theme" on a tag form tags with that theme.
- A theme nothing refers to (no report, street note or development target) may be deleted.
  A theme in use is never deleted (its tags would vanish from past summaries): it is kept,
  or merged into another theme, which moves its tags and development targets there, keeps
  "followed" if either was, and adds its conclusion after the other's.
- A report is "untagged" while it has neither a support need nor a theme.
- A period is a span of whole days where the service is (BABEL_DEFAULT_TIMEZONE), counted
  by the day a report or note was written (`written_at`); the default is the current
  half-year (January–June or July–December).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, exists, func, insert, or_, select, update
from sqlalchemy.orm import selectinload

from .database import begin_write
from .extensions import db
from .inputs import is_id, require_mapping, text_field
from .models import (Account, DevelopmentTarget, Observation, ObservationNeed, ObservationTheme, Role, StreetNote,
                     StreetNoteTheme, SummaryTheme, SupportNeed)
from .periods import Period
from .problems import Problem

#: The longest theme name (the column's length).
NAME_MAX_LENGTH = 120
#: The longest conclusion: a few paragraphs for the summary.
CONCLUSION_MAX_LENGTH = 4000
#: The most reports or street notes a list shows at once; a longer period is cut.
LIST_LIMIT = 500
NEEDS = tuple(need.value for need in SupportNeed)

#: Who may change tags and themes; the summary's readers (directors) only read.
TAGGERS = frozenset({Role.WORKING_GROUP})
READERS = frozenset({Role.WORKING_GROUP, Role.DIRECTOR})


# -- who may ----------------------------------------------------------------------------


def is_working_group(account: Account | None) -> bool:
    """Whether `account` is a working-group member (who may tag and keep the themes)."""
    return account is not None and getattr(account, "role", None) in TAGGERS


def may_read(account: Account | None) -> bool:
    """Whether `account` may read the tags, themes and the regional tracker."""
    return account is not None and getattr(account, "role", None) in READERS


def require_working_group(account: Account | None) -> None:
    """:raise Problem: (403) `account` is not a working-group member."""
    if not is_working_group(account):
        raise Problem(_l("Only a member of the working group can do this."), status=403)


# -- themes -----------------------------------------------------------------------------


def all_themes() -> list[SummaryTheme]:
    """Every theme, in alphabetical order whatever the case."""
    return sorted(db.session.scalars(select(SummaryTheme)), key=lambda theme: (theme.name.casefold(), theme.id))


def theme_uses() -> dict[int, dict[str, int]]:
    """How many reports, street notes and development targets refer to each theme (all
    time), keyed by the theme's id: `{"reports": n, "notes": n, "targets": n}`."""
    uses: dict[int, dict[str, int]] = defaultdict(lambda: {"reports": 0, "notes": 0, "targets": 0})
    for key, column in (("reports", ObservationTheme.theme_id), ("notes", StreetNoteTheme.theme_id),
                        ("targets", DevelopmentTarget.summary_theme_id)):
        for theme_id, count in db.session.execute(select(column, func.count()).where(column.is_not(None))
                                                  .group_by(column)):
            uses[theme_id][key] = count
    return dict(uses)


def add_theme(account: Account | None, data: Mapping) -> SummaryTheme:
    """Add a theme named `name` (trimmed; unique whatever its case).

    :raise Problem: 403 not the working group; 422 no name, too long, or the name is taken.
    """
    require_working_group(account)
    name = _name(require_mapping(data))
    begin_write()
    _require_free(name)
    theme = SummaryTheme(name=name)
    db.session.add(theme)
    db.session.commit()
    return theme


def rename_theme(account: Account | None, theme_id: int, data: Mapping) -> SummaryTheme:
    """Give a theme a new `name` (its own name in another case is allowed).

    :raise Problem: 403 not the working group; 404 no such theme; 422 as for `add_theme`.
    """
    require_working_group(account)
    name = _name(require_mapping(data))
    begin_write()
    theme = _theme(theme_id)
    _require_free(name, but=theme)
    theme.name = name
    db.session.commit()
    return theme


def set_followed(account: Account | None, theme_id: int, followed: bool) -> SummaryTheme:
    """Mark a theme followed (a weak signal, counted per quarter in the summary) or not.

    :raise Problem: 403 not the working group; 404 no such theme.
    """
    require_working_group(account)
    begin_write()
    theme = _theme(theme_id)
    theme.followed = bool(followed)
    db.session.commit()
    return theme


def set_conclusion(account: Account | None, theme_id: int, data: Mapping) -> SummaryTheme:
    """Write the group's `conclusion` of a theme (empty clears it).

    :raise Problem: 403 not the working group; 404 no such theme; 422 too long.
    """
    require_working_group(account)
    conclusion = text_field(require_mapping(data), "conclusion", CONCLUSION_MAX_LENGTH, required=False,
                            too_long_message=_l("A conclusion can have at most %(limit)s characters.",
                                                limit=CONCLUSION_MAX_LENGTH))
    begin_write()
    theme = _theme(theme_id)
    theme.conclusion = conclusion
    db.session.commit()
    return theme


def delete_theme(account: Account | None, theme_id: int) -> None:
    """Delete a theme that nothing refers to (a typo, a theme never used).

    :raise Problem: 403 not the working group; 404 no such theme; 409 a report, street
        note or development target refers to it (merge it into another theme instead).
    """
    require_working_group(account)
    begin_write()
    theme = _theme(theme_id)
    if _in_use(theme.id):
        raise Problem(_l("This theme is in use, so it cannot be deleted. You can merge it into another theme."),
                      status=409)
    db.session.delete(theme)
    db.session.commit()


def merge_theme(account: Account | None, theme_id: int, into_id: int) -> SummaryTheme:
    """Merge a theme into another: its tags and development targets move there, the other
    is followed if either was, and this one's conclusion is added after the other's. The
    merged theme is then deleted. Return the theme merged into.

    :raise Problem: 403 not the working group; 404 no such theme; 422 no other theme
        chosen, or the two conclusions together would be too long.
    """
    require_working_group(account)
    begin_write()
    theme = _theme(theme_id)
    if not is_id(into_id) or into_id == theme.id:
        raise Problem(_l("Choose another theme to merge this one into."), field="into", status=422)
    into = db.session.get(SummaryTheme, into_id)
    if into is None:
        raise Problem(_l("This theme was not found. Please reload the page."), field="into", status=422)
    conclusion = "\n\n".join(text for text in (into.conclusion.strip(), theme.conclusion.strip()) if text)
    if len(conclusion) > CONCLUSION_MAX_LENGTH:
        raise Problem(_l("The two conclusions together are too long: shorten them first (at most %(limit)s "
                         "characters).", limit=CONCLUSION_MAX_LENGTH), field="into", status=422)
    # A report or note tagged with both keeps one tag: move only the tags the other lacks.
    for model, owner in ((ObservationTheme, ObservationTheme.observation_id),
                         (StreetNoteTheme, StreetNoteTheme.street_note_id)):
        already = select(owner).where(model.theme_id == into.id)
        db.session.execute(update(model).where(model.theme_id == theme.id, owner.not_in(already))
                           .values(theme_id=into.id))
        db.session.execute(delete(model).where(model.theme_id == theme.id))
    db.session.execute(update(DevelopmentTarget).where(DevelopmentTarget.summary_theme_id == theme.id)
                       .values(summary_theme_id=into.id))
    into.followed = into.followed or theme.followed
    into.conclusion = conclusion
    db.session.delete(theme)
    db.session.commit()
    return into


def _name(data: Mapping, name: str = "name") -> str:
    return text_field(data, name, NAME_MAX_LENGTH, required=True, empty_message=_l("Write the theme's name."),
                      too_long_message=_l("A theme's name can have at most %(limit)s characters.",
                                          limit=NAME_MAX_LENGTH))


def _find_by_name(name: str) -> SummaryTheme | None:
    # Compared in Python: SQLite's lower() folds only ASCII, and Finnish names have ä and ö.
    key = name.casefold()
    return next((theme for theme in db.session.scalars(select(SummaryTheme)) if theme.name.casefold() == key), None)


def _require_free(name: str, but: SummaryTheme | None = None) -> None:
    found = _find_by_name(name)
    if found is not None and found is not but:
        raise Problem(_l("There is a theme with this name already."), field="name", status=422)


def _theme(theme_id: int) -> SummaryTheme:
    theme = db.session.get(SummaryTheme, theme_id) if is_id(theme_id) else None
    if theme is None:
        raise Problem(_l("This theme was not found. Please reload the page."), status=404)
    return theme


def _in_use(theme_id: int) -> bool:
    return bool(db.session.scalar(select(or_(
        exists().where(ObservationTheme.theme_id == theme_id),
        exists().where(StreetNoteTheme.theme_id == theme_id),
        exists().where(DevelopmentTarget.summary_theme_id == theme_id)))))


# -- tags -------------------------------------------------------------------------------


@dataclass
class Tags:
    """What a report or street note is tagged with: support needs (reports only) and themes."""

    needs: list[SupportNeed] = field(default_factory=list)
    themes: list[SummaryTheme] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """Whether nothing is tagged."""
        return not self.needs and not self.themes


def set_report_tags(account: Account | None, observation_id: int, needs: Iterable = (),
                    theme_ids: Iterable = (), new_theme: str = "") -> Tags:
    """Set a report's support needs and themes as a whole (what is not given is removed).

    `needs` are `SupportNeed` values, `theme_ids` the ids of existing themes (ints or
    digit strings, as a form sends them). `new_theme`, when not empty, is a theme's name
    added too: an existing theme of that name whatever its case, or a new one.

    :raise Problem: 403 not the working group; 404 no such report; 422 an unknown need or
        theme, or a new theme's name too long.
    """
    require_working_group(account)
    chosen_needs = _needs(needs)
    chosen_ids = _theme_ids(theme_ids)
    new_name = _name({"new_theme": new_theme}, "new_theme") if (new_theme or "").strip() else ""
    begin_write()
    observation = db.session.get(Observation, observation_id) if is_id(observation_id) else None
    if observation is None:
        raise Problem(_l("This report was not found. Please reload the page."), status=404)
    themes = _existing_themes(chosen_ids)
    if new_name:
        themes = _with_new_theme(themes, new_name)
    db.session.execute(delete(ObservationNeed).where(ObservationNeed.observation_id == observation.id))
    db.session.execute(delete(ObservationTheme).where(ObservationTheme.observation_id == observation.id))
    if chosen_needs:
        db.session.execute(insert(ObservationNeed), [{"observation_id": observation.id, "need": need}
                                                     for need in chosen_needs])
    if themes:
        db.session.execute(insert(ObservationTheme), [{"observation_id": observation.id, "theme_id": theme.id}
                                                      for theme in themes])
    db.session.commit()
    return report_tags([observation.id])[observation.id]


def set_street_note_themes(account: Account | None, street_note_id: int, theme_ids: Iterable = (),
                           new_theme: str = "") -> list[SummaryTheme]:
    """Set a street note's themes as a whole; `new_theme` as for `set_report_tags`.

    :raise Problem: 403 not the working group; 404 no such street note; 422 an unknown
        theme, or a new theme's name too long.
    """
    require_working_group(account)
    chosen_ids = _theme_ids(theme_ids)
    new_name = _name({"new_theme": new_theme}, "new_theme") if (new_theme or "").strip() else ""
    begin_write()
    note = db.session.get(StreetNote, street_note_id) if is_id(street_note_id) else None
    if note is None:
        raise Problem(_l("This street note was not found. Please reload the page."), status=404)
    themes = _existing_themes(chosen_ids)
    if new_name:
        themes = _with_new_theme(themes, new_name)
    db.session.execute(delete(StreetNoteTheme).where(StreetNoteTheme.street_note_id == note.id))
    if themes:
        db.session.execute(insert(StreetNoteTheme), [{"street_note_id": note.id, "theme_id": theme.id}
                                                     for theme in themes])
    db.session.commit()
    return street_note_themes([note.id])[note.id]


def report_tags(observation_ids: Iterable[int]) -> dict[int, Tags]:
    """The tags of each report, keyed by its id (every id given has an entry)."""
    ids = list(observation_ids)
    found = {observation_id: Tags() for observation_id in ids}
    if not ids:
        return found
    order = {need: position for position, need in enumerate(SupportNeed)}
    for observation_id, need in db.session.execute(select(ObservationNeed.observation_id, ObservationNeed.need)
                                                   .where(ObservationNeed.observation_id.in_(ids))):
        found[observation_id].needs.append(need)
    for tags in found.values():
        tags.needs.sort(key=order.__getitem__)
    for observation_id, theme in db.session.execute(
            select(ObservationTheme.observation_id, SummaryTheme)
            .join(SummaryTheme, SummaryTheme.id == ObservationTheme.theme_id)
            .where(ObservationTheme.observation_id.in_(ids))):
        found[observation_id].themes.append(theme)
    for tags in found.values():
        tags.themes.sort(key=lambda theme: theme.name.casefold())
    return found


def street_note_themes(note_ids: Iterable[int]) -> dict[int, list[SummaryTheme]]:
    """The themes of each street note, keyed by its id (every id given has an entry)."""
    ids = list(note_ids)
    found: dict[int, list[SummaryTheme]] = {note_id: [] for note_id in ids}
    if ids:
        for note_id, theme in db.session.execute(
                select(StreetNoteTheme.street_note_id, SummaryTheme)
                .join(SummaryTheme, SummaryTheme.id == StreetNoteTheme.theme_id)
                .where(StreetNoteTheme.street_note_id.in_(ids))):
            found[note_id].append(theme)
    for themes in found.values():
        themes.sort(key=lambda theme: theme.name.casefold())
    return found


def _needs(values: Iterable) -> list[SupportNeed]:
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise Problem(_l("This is not a valid choice."), field="needs", status=422)
    chosen = []
    for value in values:
        if not isinstance(value, str) or value not in NEEDS:
            raise Problem(_l("This is not a valid choice."), field="needs", status=422)
        if SupportNeed(value) not in chosen:
            chosen.append(SupportNeed(value))
    return chosen


def _theme_ids(values: Iterable) -> list[int]:
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise Problem(_l("This is not a valid choice."), field="theme_ids", status=422)
    chosen = []
    for value in values:
        if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 16:
            value = int(value.strip())
        if not is_id(value):
            raise Problem(_l("This is not a valid choice."), field="theme_ids", status=422)
        if value not in chosen:
            chosen.append(value)
    return chosen


def _existing_themes(theme_ids: list[int]) -> list[SummaryTheme]:
    if not theme_ids:
        return []
    themes = list(db.session.scalars(select(SummaryTheme).where(SummaryTheme.id.in_(theme_ids))))
    if len(themes) != len(theme_ids):
        raise Problem(_l("A theme was not found: someone may have merged or deleted it. Please reload the page."),
                      field="theme_ids", status=422)
    return themes


def _with_new_theme(themes: list[SummaryTheme], name: str) -> list[SummaryTheme]:
    """`themes` plus the theme called `name`, made if there is none."""
    theme = _find_by_name(name)
    if theme is None:
        theme = SummaryTheme(name=name)
        db.session.add(theme)
        db.session.flush()
    return themes if theme in themes else [*themes, theme]


# -- the lists of the tagging pages -----------------------------------------------------


def _untagged():
    """A condition: the report has neither a support need nor a theme."""
    return ~exists().where(ObservationNeed.observation_id == Observation.id) & \
        ~exists().where(ObservationTheme.observation_id == Observation.id)


def reports_in(period: Period, *, untagged_only: bool = False, limit: int = LIST_LIMIT) -> list[Observation]:
    """The reports written in `period`: the untagged first, each group the earliest
    written first (the order they came in); only the untagged with `untagged_only`."""
    untagged = _untagged()
    query = select(Observation).where(Observation.written_at >= period.bounds()[0],
                                      Observation.written_at < period.bounds()[1])
    if untagged_only:
        query = query.where(untagged)
    # The list shows each report's unit: loaded with the reports, not one query a row.
    query = query.order_by(untagged.desc(), Observation.written_at, Observation.id).options(
        selectinload(Observation.unit))
    return list(db.session.scalars(query.limit(limit)))


def count_reports_in(period: Period) -> tuple[int, int]:
    """How many reports were written in `period`, and how many of them are untagged."""
    in_period = (Observation.written_at >= period.bounds()[0], Observation.written_at < period.bounds()[1])
    total = db.session.scalar(select(func.count()).select_from(Observation).where(*in_period))
    untagged = db.session.scalar(select(func.count()).select_from(Observation).where(*in_period, _untagged()))
    return total or 0, untagged or 0


def next_untagged(period: Period, but: int | None = None) -> Observation | None:
    """The first untagged report of `period` (other than `but`), to tag next."""
    query = select(Observation).where(Observation.written_at >= period.bounds()[0],
                                      Observation.written_at < period.bounds()[1], _untagged())
    if but is not None:
        query = query.where(Observation.id != but)
    return db.session.scalar(query.order_by(Observation.written_at, Observation.id).limit(1))


def street_notes_in(period: Period, limit: int = LIST_LIMIT) -> list[StreetNote]:
    """The street notes written in `period`, the newest written first."""
    return list(db.session.scalars(
        select(StreetNote).where(StreetNote.written_at >= period.bounds()[0], StreetNote.written_at < period.bounds()[1])
        .order_by(StreetNote.written_at.desc(), StreetNote.id.desc()).limit(limit)))


def shortened(text: str, limit: int = 120) -> str:
    """The first words of `text`, at most `limit` characters, ending in "…" if cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip() + "…"
