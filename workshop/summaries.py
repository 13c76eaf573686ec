"""The working group's half-yearly summary (kooste) of professionals' social reporting (issue 7).

For a period (a half-year by default) and a scope (the region, a municipality, a unit or a
service) the summary counts, side by side with their source shown:

- professionals' reports (`Observation`, by `written_at`),
- street notes (`StreetNote`, by `written_at`),
- the workshops' themes (`Theme`, with their visible items made in the period).

It breaks the reports down by nature, phenomenon category, service, municipality or area,
sector and unit, and the ten kinds of support need of section 11 of the Social Welfare Act
(DOMAIN.md "Processing", seed 004); ranks the summary themes as joys (ilonaiheet) and
concerns (harmin aiheet) by their mentions (seed 003); follows the `followed` themes per
quarter as weak signals; and lists the development-target tracker.

What each scope includes (`Scope.includes`):

- region: every report, every street note and the workshops' themes;
- municipality: the reports from the municipality or an area inside it, and the street
  notes whose area is named like one of those (street notes keep their area as text);
- unit or service: the reports of that unit or service only. Street notes and workshops
  have neither, so they are left out.

Nothing here needs a request: `build_summary(period, scope)` reads the tables in an app
context, and its labels are in the current language. Nothing in a summary names a reporter
or shows a report's number (the number is the reporter's key to the tracking page).
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from . import followup
from .extensions import db
from .models import (Area, DevelopmentTarget, Item, Observation, ObservationNeed, ObservationTheme, Sector, Service,
                     StreetCategory, StreetNature, StreetNote, StreetNoteTheme, SummaryTheme, SupportNeed, Theme, Unit,
                     Workshop)
from .observation_labels import category_labels, nature_labels, support_need_labels
from .periods import Period, deployment_zone, half_year_of
from .problems import Problem

#: The sources a summary puts side by side, in the order they are shown.
REPORTS = "reports"
STREET_NOTES = "street_notes"
WORKSHOPS = "workshops"
#: The column of a breakdown that adds up its other columns.
TOTAL = "total"
#: The row of reports (or notes) that did not say, e.g. no area or no category given.
NONE_KEY = "none"
#: The row of reports with no support need tagged yet.
UNTAGGED_KEY = "untagged"
#: How many quarters before the period's own the weak signals show (seed 003: "strengthens?").
QUARTERS_BEFORE = 3
#: The scope kinds, as `scope=` takes them.
SCOPE_KINDS = ("region", "municipality", "unit", "service")

TREND_STRONGER = "stronger"
TREND_WEAKER = "weaker"
TREND_SAME = "same"


# -- the period -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Quarter:
    """A calendar quarter (Q1 is January to March)."""

    year: int
    number: int

    @property
    def period(self) -> Period:
        """The quarter's days."""
        first_month = 3 * (self.number - 1) + 1
        start = date(self.year, first_month, 1)
        following = date(self.year + 1, 1, 1) if self.number == 4 else date(self.year, first_month + 3, 1)
        return Period(start, following - timedelta(days=1))

    @property
    def key(self) -> str:
        """The quarter as text for machines: "2025-Q1"."""
        return f"{self.year}-Q{self.number}"

    @property
    def label(self) -> str:
        """The quarter in words in the current language, e.g. "Q1 2025"."""
        return str(_l("Q%(number)s %(year)s", number=self.number, year=self.year))

    def previous(self) -> Quarter:
        """The quarter before this one."""
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)


def previous_half_year(period: Period) -> Period:
    """The half-year before the one `period` starts in."""
    return half_year_of(half_year_of(period.start).start - timedelta(days=1))


def quarter_of(day: date) -> Quarter:
    """The calendar quarter `day` is in."""
    return Quarter(day.year, (day.month - 1) // 3 + 1)


def quarters(period: Period) -> list[Quarter]:
    """The whole calendar quarters the period touches, in order (a half-year has two)."""
    found = [quarter_of(period.start)]
    last = quarter_of(period.end)
    while found[-1] != last:
        following = found[-1]
        found.append(Quarter(following.year + 1, 1) if following.number == 4
                     else Quarter(following.year, following.number + 1))
    return found


def weak_signal_quarters(period: Period) -> list[Quarter]:
    """The period's quarters and the `QUARTERS_BEFORE` before them, oldest first."""
    own = quarters(period)
    before = [own[0].previous()]
    while len(before) < QUARTERS_BEFORE:
        before.append(before[-1].previous())
    return list(reversed(before)) + own


# -- the scope --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """What part of the organisation a summary covers: "region" (everything), or one
    "municipality" (an area without a municipality, with the areas inside it), "unit" or
    "service", by its id. `name` is the municipality's, unit's or service's name."""

    kind: str = "region"
    id: int | None = None
    name: str = ""

    @property
    def value(self) -> str:
        """The scope as the query argument `scope` takes it: "region", "unit:3", …"""
        return self.kind if self.id is None else f"{self.kind}:{self.id}"

    @property
    def label(self) -> str:
        """The scope in words in the current language."""
        names = {"region": _l("The whole region"), "municipality": _l("Municipality: %(name)s", name=self.name),
                 "unit": _l("Work unit: %(name)s", name=self.name), "service": _l("Service: %(name)s", name=self.name)}
        return str(names[self.kind])

    @property
    def includes(self) -> str:
        """What the scope includes, in words: the page says it above the numbers."""
        texts = {
            "region": _l("The whole region: every professional's report, every street note and the workshops' "
                         "themes."),
            "municipality": _l("Professionals' reports from %(name)s or an area inside it, and street notes whose "
                               "area has the name of %(name)s or of an area inside it. Workshops are not included: "
                               "they have no municipality.", name=self.name),
            "unit": _l("Professionals' reports of the work unit %(name)s only. Street notes and workshops are not "
                       "included: they have no unit.", name=self.name),
            "service": _l("Professionals' reports about the service %(name)s only. Street notes and workshops are "
                          "not included: they have no service.", name=self.name),
        }
        return str(texts[self.kind])

    @property
    def has_street_notes(self) -> bool:
        """Whether street notes are counted in this scope (they have an area, no unit or service)."""
        return self.kind in ("region", "municipality")

    @property
    def has_workshops(self) -> bool:
        """Whether the workshops' themes are shown (they belong to no part of the region)."""
        return self.kind == "region"


REGION = Scope()


def parse_scope(value) -> Scope:
    """The scope of the query argument `scope`: "region" (or nothing), "municipality:<id>",
    "unit:<id>" or "service:<id>". Retired ones can still be summarised.

    :raise Problem: (422) anything else, an unknown id, or an area inside a municipality.
    """
    if value is None or value == "" or value == "region":
        return REGION
    invalid = Problem(_l("Choose the region, a municipality, a unit or a service from the list."), field="scope",
                      status=422)
    if not isinstance(value, str) or len(value) > 40:
        raise invalid
    kind, _sep, number = value.partition(":")
    if kind not in SCOPE_KINDS[1:] or not number.isdigit() or len(number) > 12:
        raise invalid
    model = {"municipality": Area, "unit": Unit, "service": Service}[kind]
    row = db.session.get(model, int(number))
    if row is None or (kind == "municipality" and row.municipality_id is not None):
        raise invalid
    return Scope(kind, row.id, _unit_name(row) if kind == "unit" else row.name)


def scope_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The scopes to choose from, grouped for a select: [(group, [(value, label)])].

    Retired municipalities, units and services are included: a past period may have them.
    """
    areas = list(db.session.scalars(select(Area).where(Area.municipality_id.is_(None))
                                    .order_by(Area.position, Area.id)))
    sectors = list(db.session.scalars(select(Sector).order_by(Sector.position, Sector.id)))
    services = list(db.session.scalars(select(Service).order_by(Service.position, Service.id)))
    groups = [(str(_l("Region")), [(REGION.value, REGION.label)])]
    if areas:
        groups.append((str(_l("Municipalities")), [(f"municipality:{area.id}", area.name) for area in areas]))
    units = [(f"unit:{unit.id}", _unit_name(unit)) for sector in sectors for unit in sector.units]
    if units:
        groups.append((str(_l("Work units")), units))
    if services:
        groups.append((str(_l("Services")), [(f"service:{service.id}", service.name) for service in services]))
    return groups


def _unit_name(unit: Unit) -> str:
    # Unit names are unique within a sector only ("Lastensuojelu" may be in two).
    return f"{unit.name} ({unit.sector.name})"


# -- what a summary holds ---------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A column of a breakdown: a source ("reports", "street_notes"), a nature or "total"."""

    key: str
    label: str


@dataclass(frozen=True)
class Row:
    """A row of a breakdown, e.g. one category: its counts in the breakdown's column order."""

    key: str
    label: str
    values: tuple[int, ...]


@dataclass(frozen=True)
class Breakdown:
    """Counts of one kind (by nature, by category, …) as a table: rows × columns.

    The last column is the total of the others (when there is more than one). `note`
    says what a reader must know to read it right (e.g. a report may have several needs).
    """

    key: str
    title: str
    row_heading: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    note: str = ""

    def value(self, row_key: str, column_key: str = TOTAL) -> int:
        """One number; 0 for a row that is not there. :raise KeyError: no such column."""
        keys = [column.key for column in self.columns]
        if column_key not in keys:
            raise KeyError(column_key)
        row = next((row for row in self.rows if row.key == row_key), None)
        return row.values[keys.index(column_key)] if row is not None else 0

    def row_keys(self) -> list[str]:
        """The rows' keys in their order."""
        return [row.key for row in self.rows]

    @property
    def charted_columns(self) -> tuple[Column, ...]:
        """The columns a chart shows: all but the total (a bar for it would count twice)."""
        if len(self.columns) > 1 and self.columns[-1].key == TOTAL:
            return self.columns[:-1]
        return self.columns


@dataclass(frozen=True)
class SourceTotal:
    """How much one source brought in the period: `count` of `unit` ("reports", "notes", …)."""

    key: str
    label: str
    count: int
    unit: str


@dataclass(frozen=True)
class ThemeMentions:
    """A summary theme's mentions of one nature (joys: positive, concerns: negative)."""

    theme_id: int
    name: str
    reports: int
    street_notes: int
    conclusion: str

    @property
    def total(self) -> int:
        """Reports and street notes together."""
        return self.reports + self.street_notes


@dataclass(frozen=True)
class ThemeConclusion:
    """A theme mentioned in the period, with its mentions by nature and the group's conclusion."""

    theme_id: int
    name: str
    followed: bool
    positive: int
    negative: int
    other: int
    conclusion: str

    @property
    def total(self) -> int:
        """All its mentions in the period."""
        return self.positive + self.negative + self.other


@dataclass(frozen=True)
class WeakSignal:
    """A followed theme's mentions per quarter (`Summary.quarters`) and where it is going."""

    theme_id: int
    name: str
    counts: tuple[int, ...]
    trend: str
    trend_label: str
    conclusion: str


@dataclass(frozen=True)
class WorkshopTheme:
    """A theme of a workshop with its visible items made in the period (source: workshop)."""

    workshop_id: int
    workshop_title: str
    theme_id: int
    theme_name: str
    items: int


@dataclass(frozen=True)
class TargetRow:
    """A row of the development-target tracker, as the summary shows it."""

    id: int
    target: str
    partners: str
    actions: str
    responsible: str
    schedule: str
    indicator: str
    status_label: str
    done_on: date | None
    source_label: str


@dataclass(frozen=True)
class Summary:
    """Everything the summary page and its exports show, for one period and scope."""

    period: Period
    scope: Scope
    sources: tuple[SourceTotal, ...]
    breakdowns: tuple[Breakdown, ...]
    joys: tuple[ThemeMentions, ...]
    concerns: tuple[ThemeMentions, ...]
    conclusions: tuple[ThemeConclusion, ...]
    quarters: tuple[Quarter, ...]
    weak_signals: tuple[WeakSignal, ...]
    workshop_themes: tuple[WorkshopTheme, ...]
    targets: tuple[TargetRow, ...]
    source_labels: dict[str, str] = field(default_factory=dict)

    def breakdown(self, key: str) -> Breakdown:
        """The breakdown called `key` ("nature", "category", "area", "service", "sector",
        "unit", "support_need"). :raise KeyError: no such breakdown."""
        for breakdown in self.breakdowns:
            if breakdown.key == key:
                return breakdown
        raise KeyError(key)

    def source(self, key: str) -> SourceTotal | None:
        """The total of one source, or None when the scope leaves it out."""
        return next((source for source in self.sources if source.key == key), None)


def source_labels() -> dict[str, str]:
    """The sources' names in the current language."""
    return {REPORTS: str(_l("Professionals' reports")), STREET_NOTES: str(_l("Street notes")),
            WORKSHOPS: str(_l("Workshops"))}


def trend_labels() -> dict[str, str]:
    """The weak signals' trend words in the current language."""
    return {TREND_STRONGER: str(_l("Stronger")), TREND_WEAKER: str(_l("Weaker")), TREND_SAME: str(_l("The same"))}


# -- reading the tables -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Report:
    id: int
    nature: StreetNature
    category: StreetCategory | None
    unit_id: int
    area_id: int | None
    service_id: int | None
    written_at: datetime


@dataclass(frozen=True)
class _Note:
    id: int
    nature: StreetNature
    category: StreetCategory
    area: str
    written_at: datetime


class _Organisation:
    """The organisation's rows by id, read once per summary (retired ones too)."""

    def __init__(self):
        self.areas = {area.id: area for area in db.session.scalars(select(Area))}
        self.units = {unit.id: unit for unit in db.session.scalars(select(Unit))}
        self.sectors = {sector.id: sector for sector in db.session.scalars(select(Sector))}
        self.services = {service.id: service for service in db.session.scalars(select(Service))}
        self.areas_by_name = {_name_key(area.name): area for area in self.areas.values()}

    def municipality_id(self, area_id: int) -> int:
        """The municipality of an area (itself when it is one)."""
        area = self.areas[area_id]
        return area.municipality_id if area.municipality_id is not None else area.id

    def area_ids_of(self, municipality_id: int) -> set[int]:
        """The municipality and the areas inside it."""
        return {area.id for area in self.areas.values() if area.id == municipality_id
                or area.municipality_id == municipality_id}


def _name_key(name: str) -> str:
    return " ".join((name or "").split()).casefold()


def _report_conditions(scope: Scope, org: _Organisation) -> list:
    if scope.kind == "municipality":
        return [Observation.area_id.in_(sorted(org.area_ids_of(scope.id)))]
    if scope.kind == "unit":
        return [Observation.unit_id == scope.id]
    if scope.kind == "service":
        return [Observation.service_id == scope.id]
    return []


def _reports(since: datetime, until: datetime, scope: Scope, org: _Organisation) -> list[_Report]:
    query = (select(Observation.id, Observation.nature, Observation.category, Observation.unit_id,
                    Observation.area_id, Observation.service_id, Observation.written_at)
             .where(Observation.written_at >= since, Observation.written_at < until,
                    *_report_conditions(scope, org)))
    return [_Report(*row) for row in db.session.execute(query)]


def _notes(since: datetime, until: datetime, scope: Scope, org: _Organisation) -> list[_Note]:
    if not scope.has_street_notes:
        return []
    query = (select(StreetNote.id, StreetNote.nature, StreetNote.category, StreetNote.area, StreetNote.written_at)
             .where(StreetNote.written_at >= since, StreetNote.written_at < until))
    notes = [_Note(*row) for row in db.session.execute(query)]
    if scope.kind == "municipality":
        # A street note's area is text from the deployment's list, not an org area: it
        # belongs to the municipality when it is named like the municipality or an area in it.
        names = {_name_key(org.areas[area_id].name) for area_id in org.area_ids_of(scope.id)}
        notes = [note for note in notes if _name_key(note.area) in names]
    return notes


def _needs_of(reports: Sequence[_Report]) -> dict[int, set[SupportNeed]]:
    found: dict[int, set[SupportNeed]] = defaultdict(set)
    for chunk in _chunks([report.id for report in reports]):
        for report_id, need in db.session.execute(select(ObservationNeed.observation_id, ObservationNeed.need)
                                                  .where(ObservationNeed.observation_id.in_(chunk))):
            found[report_id].add(need)
    return found


def _report_themes(reports: Sequence[_Report]) -> dict[int, set[int]]:
    found: dict[int, set[int]] = defaultdict(set)
    for chunk in _chunks([report.id for report in reports]):
        for report_id, theme_id in db.session.execute(select(ObservationTheme.observation_id, ObservationTheme.theme_id)
                                                      .where(ObservationTheme.observation_id.in_(chunk))):
            found[report_id].add(theme_id)
    return found


def _note_themes(notes: Sequence[_Note]) -> dict[int, set[int]]:
    found: dict[int, set[int]] = defaultdict(set)
    for chunk in _chunks([note.id for note in notes]):
        for note_id, theme_id in db.session.execute(select(StreetNoteTheme.street_note_id, StreetNoteTheme.theme_id)
                                                    .where(StreetNoteTheme.street_note_id.in_(chunk))):
            found[note_id].add(theme_id)
    return found


def _chunks(ids: list[int], size: int = 500) -> Iterable[list[int]]:
    # Bound parameters per query stay well under SQLite's limit, however many reports.
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


# -- building the summary ---------------------------------------------------------------------


def build_summary(period: Period, scope: Scope = REGION) -> Summary:
    """The summary of `period` for `scope` (see the module docstring for what each includes)."""
    org = _Organisation()
    since, until = period.bounds()
    reports = _reports(since, until, scope, org)
    notes = _notes(since, until, scope, org)
    report_themes, note_themes = _report_themes(reports), _note_themes(notes)
    themes = {theme.id: theme for theme in db.session.scalars(select(SummaryTheme))}
    workshop_themes = _workshop_themes(period) if scope.has_workshops else []
    sources = source_labels()
    joys, concerns = (_ranked(nature, reports, notes, report_themes, note_themes, themes)
                      for nature in (StreetNature.POSITIVE, StreetNature.NEGATIVE))
    return Summary(
        period=period,
        scope=scope,
        sources=tuple(_source_totals(scope, reports, notes, workshop_themes, sources)),
        breakdowns=(
            _by_nature(scope, reports, notes, sources),
            _by_category(scope, reports, notes, sources),
            _by_area(scope, reports, notes, org, sources),
            _by_service(reports, org),
            _by_sector(reports, org),
            _by_unit(reports, org),
            _by_support_need(reports),
        ),
        joys=joys,
        concerns=concerns,
        conclusions=_conclusions(reports, notes, report_themes, note_themes, themes),
        quarters=tuple(weak_signal_quarters(period)),
        weak_signals=_weak_signals(period, scope, org, themes),
        workshop_themes=tuple(workshop_themes),
        targets=tuple(_target_rows()),
        source_labels=sources,
    )


def _source_totals(scope: Scope, reports, notes, workshop_themes, labels) -> list[SourceTotal]:
    totals = [SourceTotal(REPORTS, labels[REPORTS], len(reports), str(_l("reports")))]
    if scope.has_street_notes:
        totals.append(SourceTotal(STREET_NOTES, labels[STREET_NOTES], len(notes), str(_l("notes"))))
    if scope.has_workshops:
        totals.append(SourceTotal(WORKSHOPS, labels[WORKSHOPS], len(workshop_themes), str(_l("themes"))))
    return totals


def _source_columns(scope: Scope, labels: Mapping[str, str]) -> list[Column]:
    columns = [Column(REPORTS, labels[REPORTS])]
    if scope.has_street_notes:
        columns += [Column(STREET_NOTES, labels[STREET_NOTES]), Column(TOTAL, str(_l("Total")))]
    return columns


def _nature_columns() -> list[Column]:
    return [Column(key, name) for key, name in nature_labels()] + [Column(TOTAL, str(_l("Total")))]


def _by_source(key: str, title, row_heading, scope: Scope, labels, rows: list[tuple[str, str]],
               report_keys: Callable[[_Report], Iterable[str]], note_keys: Callable[[_Note], Iterable[str]],
               reports, notes, *, note="") -> Breakdown:
    """A breakdown whose columns are the sources (reports, street notes, total)."""
    report_counts = Counter(row_key for report in reports for row_key in report_keys(report))
    note_counts = Counter(row_key for note_row in notes for row_key in note_keys(note_row))
    columns = _source_columns(scope, labels)
    table = []
    for row_key, row_label in rows:
        values = [report_counts[row_key]]
        if scope.has_street_notes:
            values += [note_counts[row_key], report_counts[row_key] + note_counts[row_key]]
        table.append(Row(row_key, row_label, tuple(values)))
    return Breakdown(key, str(title), str(row_heading), tuple(columns), tuple(table), str(note))


def _by_nature_columns(key: str, title, row_heading, rows: list[tuple[str, str]],
                       report_keys: Callable[[_Report], Iterable[str]], reports, *, note="") -> Breakdown:
    """A breakdown of reports whose columns are the natures (positive, negative, other, total)."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for report in reports:
        for row_key in report_keys(report):
            counts[row_key][report.nature.value] += 1
    natures = [nature.value for nature in StreetNature]
    table = [Row(row_key, row_label, tuple(counts[row_key][nature] for nature in natures)
                 + (sum(counts[row_key].values()),)) for row_key, row_label in rows]
    return Breakdown(key, str(title), str(row_heading), tuple(_nature_columns()), tuple(table), str(note))


def _by_nature(scope: Scope, reports, notes, labels) -> Breakdown:
    return _by_source("nature", _l("By nature"), _l("Nature"), scope, labels, nature_labels(),
                      lambda report: [report.nature.value], lambda note: [note.nature.value], reports, notes)


def _by_category(scope: Scope, reports, notes, labels) -> Breakdown:
    rows = category_labels()
    if any(report.category is None for report in reports):
        rows.append((NONE_KEY, str(_l("No category given"))))
    return _by_source("category", _l("By phenomenon category"), _l("Category"), scope, labels, rows,
                      lambda report: [report.category.value if report.category else NONE_KEY],
                      lambda note: [note.category.value], reports, notes)


def _by_area(scope: Scope, reports, notes, org: _Organisation, labels) -> Breakdown:
    """By municipality (an area inside one counts for it); in a municipality's scope, by its areas.

    A street note's area text counts for the org area of the same name; a name that is no
    org area is listed under its own name.
    """
    inside = scope.kind == "municipality"

    def area_key(area_id: int | None) -> str:
        if area_id is None:
            return NONE_KEY
        return f"area:{area_id if inside else org.municipality_id(area_id)}"

    def note_key(note) -> str:
        name = " ".join(note.area.split())
        if not name:
            return NONE_KEY
        area = org.areas_by_name.get(_name_key(name))
        return area_key(area.id) if area is not None else f"name:{name}"

    keys = Counter([area_key(report.area_id) for report in reports] + [note_key(note) for note in notes])
    names = {f"area:{area.id}": area.name for area in org.areas.values()}
    names[NONE_KEY] = str(_l("No area given"))
    rows = [(key, names.get(key) or key.removeprefix("name:")) for key in keys]
    rows.sort(key=lambda row: (row[0] == NONE_KEY, -keys[row[0]], row[1].casefold()))
    if inside:
        title, heading = _l("By area in %(name)s", name=scope.name), _l("Area")
    else:
        title, heading = _l("By municipality"), _l("Municipality")
    notes_said = [str(_l("An area inside a municipality is counted for the municipality."))] if not inside else []
    if scope.has_street_notes:
        notes_said.append(str(_l("A street note is counted for the area with the same name; other area names "
                                 "are shown as they were written.")))
    note = " ".join(notes_said)
    return _by_source("area", title, heading, scope, labels, rows, lambda report: [area_key(report.area_id)],
                      lambda note_row: [note_key(note_row)], reports, notes, note=note)


def _ranked_rows(counts: Counter, names: Mapping[str, str]) -> list[tuple[str, str]]:
    """Rows with at least one report, the most first (ties by name); "none" last."""
    rows = [(key, names[key]) for key in counts if counts[key]]
    rows.sort(key=lambda row: (row[0] == NONE_KEY, -counts[row[0]], row[1].casefold()))
    return rows


def _by_service(reports, org: _Organisation) -> Breakdown:
    def keys(report):
        return [f"service:{report.service_id}" if report.service_id is not None else NONE_KEY]

    names = {f"service:{service.id}": service.name for service in org.services.values()}
    names[NONE_KEY] = str(_l("No service given"))
    rows = _ranked_rows(Counter(key for report in reports for key in keys(report)), names)
    return _by_nature_columns("service", _l("Professionals' reports by service"), _l("Service"), rows, keys,
                              reports)


def _by_sector(reports, org: _Organisation) -> Breakdown:
    def keys(report):
        return [f"sector:{org.units[report.unit_id].sector_id}"]

    names = {f"sector:{sector.id}": sector.name for sector in org.sectors.values()}
    rows = _ranked_rows(Counter(key for report in reports for key in keys(report)), names)
    return _by_nature_columns("sector", _l("Professionals' reports by sector"), _l("Sector"), rows, keys, reports)


def _by_unit(reports, org: _Organisation) -> Breakdown:
    def keys(report):
        return [f"unit:{report.unit_id}"]

    names = {f"unit:{unit.id}": _unit_name(unit) for unit in org.units.values()}
    rows = _ranked_rows(Counter(key for report in reports for key in keys(report)), names)
    return _by_nature_columns("unit", _l("Professionals' reports by work unit"), _l("Work unit"), rows, keys, reports)


def _by_support_need(reports) -> Breakdown:
    needs = _needs_of(reports)

    def keys(report):
        tagged = needs.get(report.id)
        return [need.value for need in tagged] if tagged else [UNTAGGED_KEY]

    rows = support_need_labels() + [(UNTAGGED_KEY, str(_l("Not tagged yet")))]
    return _by_nature_columns(
        "support_need", _l("Professionals' reports by kind of support need (Social Welfare Act, section 11)"),
        _l("Support need"), rows, keys, reports,
        note=_l("A report may be tagged with several kinds of support need, so the rows add up to more than the "
                "number of reports."))


def _ranked(nature: StreetNature, reports, notes, report_themes, note_themes,
            themes: Mapping[int, SummaryTheme]) -> tuple[ThemeMentions, ...]:
    """The themes mentioned in reports and notes of `nature`, the most mentions first (ties by name)."""
    from_reports = Counter(theme_id for report in reports if report.nature == nature
                           for theme_id in report_themes.get(report.id, ()))
    from_notes = Counter(theme_id for note in notes if note.nature == nature
                         for theme_id in note_themes.get(note.id, ()))
    mentions = [ThemeMentions(theme_id, themes[theme_id].name, from_reports[theme_id], from_notes[theme_id],
                              themes[theme_id].conclusion)
                for theme_id in set(from_reports) | set(from_notes)]
    mentions.sort(key=lambda row: (-row.total, row.name.casefold(), row.theme_id))
    return tuple(mentions)


def _conclusions(reports, notes, report_themes, note_themes, themes) -> tuple[ThemeConclusion, ...]:
    """Every theme mentioned in the period, the most mentioned first, with its conclusion."""
    counts: dict[int, Counter] = defaultdict(Counter)
    for report in reports:
        for theme_id in report_themes.get(report.id, ()):
            counts[theme_id][report.nature] += 1
    for note in notes:
        for theme_id in note_themes.get(note.id, ()):
            counts[theme_id][note.nature] += 1
    rows = [ThemeConclusion(theme_id, themes[theme_id].name, themes[theme_id].followed,
                            counts[theme_id][StreetNature.POSITIVE], counts[theme_id][StreetNature.NEGATIVE],
                            counts[theme_id][StreetNature.OTHER], themes[theme_id].conclusion)
            for theme_id in counts]
    rows.sort(key=lambda row: (-row.total, row.name.casefold(), row.theme_id))
    return tuple(rows)


def _weak_signals(period: Period, scope: Scope, org: _Organisation,
                  themes: Mapping[int, SummaryTheme]) -> tuple[WeakSignal, ...]:
    """Each followed theme's mentions (reports and notes of any nature) per quarter."""
    followed = sorted((theme for theme in themes.values() if theme.followed),
                      key=lambda theme: (theme.name.casefold(), theme.id))
    if not followed:
        return ()
    shown = weak_signal_quarters(period)
    since, until = shown[0].period.bounds()[0], shown[-1].period.bounds()[1]
    reports = _reports(since, until, scope, org)
    notes = _notes(since, until, scope, org)
    zone = deployment_zone()
    counts: dict[int, Counter] = defaultdict(Counter)
    report_themes, note_themes = _report_themes(reports), _note_themes(notes)
    for rows, tags in ((reports, report_themes), (notes, note_themes)):
        for row in rows:
            quarter = quarter_of(row.written_at.astimezone(zone).date())
            for theme_id in tags.get(row.id, ()):
                counts[theme_id][quarter] += 1
    words = trend_labels()
    signals = []
    for theme in followed:
        values = tuple(counts[theme.id][quarter] for quarter in shown)
        trend = (TREND_STRONGER if values[-1] > values[-2] else TREND_WEAKER if values[-1] < values[-2]
                 else TREND_SAME)
        signals.append(WeakSignal(theme.id, theme.name, values, trend, words[trend], theme.conclusion))
    return tuple(signals)


def _workshop_themes(period: Period) -> list[WorkshopTheme]:
    """The workshops' themes with items made in the period, not hidden and not taken back
    (as the report draft counts them), each workshop's in its order."""
    since, until = period.bounds()
    query = (select(Workshop.id, Workshop.title, Theme.id, Theme.name, func.count(Item.id))
             .join(Item, Item.theme_id == Theme.id).join(Workshop, Workshop.id == Theme.workshop_id)
             .where(Theme.removed_at.is_(None), Item.workshop_id == Theme.workshop_id, Item.hidden_at.is_(None),
                    Item.withdrawn_at.is_(None), Item.created_at >= since, Item.created_at < until)
             .group_by(Workshop.id, Workshop.title, Theme.id, Theme.name, Theme.position, Workshop.created_at)
             .order_by(Workshop.created_at, Workshop.id, Theme.position, Theme.id))
    return [WorkshopTheme(*row) for row in db.session.execute(query)]


# -- the development targets ------------------------------------------------------------------


def development_targets() -> list[DevelopmentTarget]:
    """Every row of the development-target tracker: the working group's, then the workshops'."""
    return followup.all_targets()


def _target_rows() -> list[TargetRow]:
    targets = development_targets()
    workshops = dict(db.session.execute(select(Workshop.id, Workshop.title).where(
        Workshop.id.in_({target.workshop_id for target in targets if target.workshop_id is not None})))
        .tuples().all()) if targets else {}
    themes = dict(db.session.execute(select(SummaryTheme.id, SummaryTheme.name)).tuples().all()) if targets else {}
    rows = []
    for target in targets:
        if target.workshop_id is not None:
            source = str(_l("Workshop: %(title)s", title=workshops.get(target.workshop_id, "")))
        elif target.summary_theme_id is not None:
            source = str(_l("Summary theme: %(name)s", name=themes.get(target.summary_theme_id, "")))
        elif target.observation_id is not None:
            # Never the report's number: it is the reporter's key to the tracking page.
            source = str(_l("A professional's report"))
        else:
            source = str(_l("The working group"))
        rows.append(TargetRow(target.id, target.target, target.partners, target.actions, target.responsible,
                              target.schedule, target.indicator, followup.status_label(target.status),
                              target.done_on, source))
    return rows
