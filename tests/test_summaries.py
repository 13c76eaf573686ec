"""The half-yearly summary (kooste): every count against a data set computed by hand, the
period and scope rules, and the summary page with its role rights.

The data set (`seeded`), on the `organisation` fixture's region (times are Helsinki time):

Professionals' reports (units: A = Aikuissosiaalityö and L = Lastensuojelu of the family
sector, P = Päihdeklinikka of the health sector; services: SP = Päihdepalvelut,
SL = Lastensuojelu, ST = Työikäisten sosiaalipalvelut; areas: "Pori N" and "Pori E" are
inside Pori):

| #  | written             | unit | nature   | category            | area    | service | needs                     | themes |
|----|---------------------|------|----------|---------------------|---------|---------|---------------------------|--------|
| 1  | 2025-01-10 10:00    | A    | negative | social_problems     | Pori N  | ST      | housing, financial        | T1     |
| 2  | 2025-02-03 09:00    | A    | negative | other_services      | Pori    | ST      | housing                   | T1     |
| 3  | 2025-03-15 12:00    | L    | positive | network_cooperation | Ulvila  | SL      | child_development         | T2     |
| 4  | 2025-04-02 08:00    | L    | negative | client_needs        | Pori E  | SL      | child_development, violence | T3, T5 |
| 5  | 2025-05-20 14:00    | P    | negative | social_problems     | Pori N  | SP      | substances_mental_health  | T1, T3 |
| 6  | 2025-06-11 10:00    | P    | positive | own_services        | —       | SP      | —                         | T2     |
| 7  | 2025-06-30 23:30    | A    | other    | —                   | Ulvila  | —       | —                         | T1     |
| 8  | 2025-01-01 00:10    | P    | positive | own_resources       | Pori    | SP      | substances_mental_health  | T4     |
| 9  | 2025-07-01 00:30    | L    | negative | client_needs        | Pori    | SL      | child_development         | T3     |
| 10 | 2025-08-15 12:00    | A    | positive | network_cooperation | Ulvila  | ST      | exclusion                 | T2     |
| 11 | 2025-11-05 12:00    | P    | negative | social_problems     | Pori E  | SP      | substances, housing       | T1, T3 |
| 12 | 2024-11-20 12:00    | A    | negative | social_problems     | Pori    | ST      | housing                   | T1     |

#7 is in the first half of 2025 (20:30 UTC), #8 too (22:10 UTC on 31 December 2024), #9 in
the second (21:30 UTC on 30 June).

Street notes (their area is text):

| #  | written          | nature   | category        | area                    | themes |
|----|------------------|----------|-----------------|-------------------------|--------|
| N1 | 2025-02-10 12:00 | negative | social_problems | "Pori, pohjoinen alue"  | T1     |
| N2 | 2025-04-20 12:00 | positive | client_work     | "Keskusta" (no org area)| T2     |
| N3 | 2025-05-05 12:00 | negative | social_problems | "ulvila" (Ulvila)       | T1, T5 |
| N4 | 2025-06-01 12:00 | other    | other_services  | ""                      | —      |
| N5 | 2025-09-01 12:00 | negative | social_problems | "Pori"                  | T3     |

Summary themes: T1 Asunnottomuus (followed), T2 Yhteistyö toimii, T3 Nuorten päihteet
(followed), T4 Vertaistuki, T5 Ahdistus.

A workshop "Päiväkeskus Kalliola" with themes Kahvi (items: 2 visible in H1, one hidden,
one taken back) and Säännöt (1 item in H1, 1 in H2), a removed theme (1 item) and an
item without a theme.
"""
from __future__ import annotations

import re
import uuid
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale

from workshop import periods, summaries
from workshop.extensions import db
from workshop.problems import Problem

HELSINKI = ZoneInfo("Europe/Helsinki")
H1 = periods.Period(date(2025, 1, 1), date(2025, 6, 30))
H2 = periods.Period(date(2025, 7, 1), date(2025, 12, 31))

REPORTS = [
    # (written, unit, nature, category, area, service, needs, themes)
    ("2025-01-10 10:00", "A", "negative", "social_problems", "Pori N", "ST", ["housing", "financial"], ["T1"]),
    ("2025-02-03 09:00", "A", "negative", "other_services", "Pori", "ST", ["housing"], ["T1"]),
    ("2025-03-15 12:00", "L", "positive", "network_cooperation", "Ulvila", "SL", ["child_development"], ["T2"]),
    ("2025-04-02 08:00", "L", "negative", "client_needs", "Pori E", "SL", ["child_development", "violence"],
     ["T3", "T5"]),
    ("2025-05-20 14:00", "P", "negative", "social_problems", "Pori N", "SP", ["substances_mental_health"],
     ["T1", "T3"]),
    ("2025-06-11 10:00", "P", "positive", "own_services", None, "SP", [], ["T2"]),
    ("2025-06-30 23:30", "A", "other", None, "Ulvila", None, [], ["T1"]),
    ("2025-01-01 00:10", "P", "positive", "own_resources", "Pori", "SP", ["substances_mental_health"], ["T4"]),
    ("2025-07-01 00:30", "L", "negative", "client_needs", "Pori", "SL", ["child_development"], ["T3"]),
    ("2025-08-15 12:00", "A", "positive", "network_cooperation", "Ulvila", "ST", ["exclusion"], ["T2"]),
    ("2025-11-05 12:00", "P", "negative", "social_problems", "Pori E", "SP", ["substances_mental_health", "housing"],
     ["T1", "T3"]),
    ("2024-11-20 12:00", "A", "negative", "social_problems", "Pori", "ST", ["housing"], ["T1"]),
]
NOTES = [
    ("2025-02-10 12:00", "negative", "social_problems", "Pori, pohjoinen alue", ["T1"]),
    ("2025-04-20 12:00", "positive", "client_work", "Keskusta", ["T2"]),
    ("2025-05-05 12:00", "negative", "social_problems", "ulvila", ["T1", "T5"]),
    ("2025-06-01 12:00", "other", "other_services", "", []),
    ("2025-09-01 12:00", "negative", "social_problems", "Pori", ["T3"]),
]
THEMES = {"T1": ("Asunnottomuus", True), "T2": ("Yhteistyö toimii", False), "T3": ("Nuorten päihteet", True),
          "T4": ("Vertaistuki", False), "T5": ("Ahdistus", False)}


def helsinki(text: str) -> datetime:
    """A Helsinki wall-clock time as a UTC moment."""
    return datetime.fromisoformat(text).replace(tzinfo=HELSINKI).astimezone(timezone.utc)


class Seeded:
    """The ids of the seeded rows, by the names the docstring's tables use."""

    def __init__(self, organisation):
        self.org = organisation
        self.units = {"A": organisation.units["Aikuissosiaalityö"], "L": organisation.units["Lastensuojelu"],
                      "P": organisation.units["Päihdeklinikka"]}
        self.areas = {"Pori": organisation.areas["Pori"], "Pori N": organisation.areas["Pori, pohjoinen alue"],
                      "Pori E": organisation.areas["Pori, itäinen alue"], "Ulvila": organisation.areas["Ulvila"]}
        self.services = {"SP": organisation.services["Päihdepalvelut"], "SL": organisation.services["Lastensuojelu"],
                         "ST": organisation.services["Työikäisten sosiaalipalvelut"]}
        self.sectors = {"F": organisation.sectors["Perhe- ja sosiaalipalvelut"],
                        "T": organisation.sectors["Terveyspalvelut"]}
        self.themes: dict[str, int] = {}
        self.reports: list[int] = []
        self.workshop_themes: dict[str, int] = {}
        self.workshop_id = 0


def seed(organisation, worker_name: str = "kalle") -> Seeded:
    """Write the data set of the module docstring (inside an app context)."""
    from workshop.accounts import username_key
    from workshop.models import (Account, Item, ItemKind, Observation, ObservationNeed, ObservationTheme,
                                 StreetCategory, StreetNature, StreetNote, StreetNoteTheme, SummaryTheme, SupportNeed,
                                 Theme)
    from workshop.wall import boards
    from workshop.workshops import create_workshop

    ids = Seeded(organisation)
    for key, (name, followed) in THEMES.items():
        theme = SummaryTheme(name=name, followed=followed, conclusion=f"Johtopäätös: {name}")
        db.session.add(theme)
        db.session.flush()
        ids.themes[key] = theme.id
    for number, (written, unit, nature, category, area, service, needs, themes) in enumerate(REPORTS, start=1):
        report = Observation(
            number=f"TEST-{number:04d}-{uuid.uuid4().hex[:8]}", uuid=str(uuid.uuid4()), body_hash="x" * 64,
            unit_id=ids.units[unit], nature=StreetNature(nature),
            category=StreetCategory(category) if category else None, description=f"Havainto {number}",
            area_id=ids.areas[area] if area else None, service_id=ids.services[service] if service else None,
            written_at=helsinki(written))
        db.session.add(report)
        db.session.flush()
        ids.reports.append(report.id)
        db.session.add_all([ObservationNeed(observation_id=report.id, need=SupportNeed(need)) for need in needs])
        db.session.add_all([ObservationTheme(observation_id=report.id, theme_id=ids.themes[theme])
                            for theme in themes])
    worker = Account(username=worker_name, username_key=username_key(worker_name), password_hash="!")
    db.session.add(worker)
    db.session.flush()
    for written, nature, category, area, themes in NOTES:
        note = StreetNote(uuid=str(uuid.uuid4()), body_hash="y" * 64, account_id=worker.id, text="Katuhavainto",
                          nature=StreetNature(nature), category=StreetCategory(category), area=area,
                          written_at=helsinki(written))
        db.session.add(note)
        db.session.flush()
        db.session.add_all([StreetNoteTheme(street_note_id=note.id, theme_id=ids.themes[theme]) for theme in themes])
    db.session.commit()

    workshop = create_workshop("Päiväkeskus Kalliola", "Kallio")
    ids.workshop_id = workshop.id
    board = boards(workshop)[0]
    coffee = Theme(workshop_id=workshop.id, name="Kahvi", position=1)
    rules = Theme(workshop_id=workshop.id, name="Säännöt", position=2)
    removed = Theme(workshop_id=workshop.id, name="Poistettu", position=3, removed_at=helsinki("2025-03-01 12:00"))
    db.session.add_all([coffee, rules, removed])
    db.session.flush()
    ids.workshop_themes = {"Kahvi": coffee.id, "Säännöt": rules.id}

    def item(theme, written, **fields):
        db.session.add(Item(workshop_id=workshop.id, uuid=str(uuid.uuid4()), body_hash="z" * 64, kind=ItemKind.NOTE,
                            board_id=board.id, theme_id=theme.id if theme else None, text="Lappu",
                            created_at=helsinki(written), **fields))

    item(coffee, "2025-02-01 12:00")
    item(coffee, "2025-03-01 12:00")
    item(coffee, "2025-03-02 12:00", hidden_at=helsinki("2025-03-03 12:00"))
    item(coffee, "2025-03-04 12:00", withdrawn_at=helsinki("2025-03-05 12:00"))
    item(rules, "2025-05-01 12:00")
    item(rules, "2025-08-01 12:00")
    item(removed, "2025-02-01 12:00")
    item(None, "2025-02-01 12:00")
    db.session.commit()
    return ids


@pytest.fixture
def seeded(app_context, organisation) -> Seeded:
    """The data set of the module docstring, in an app context speaking English."""
    ids = seed(organisation)
    with force_locale("en"):
        yield ids


def values(breakdown, column=summaries.TOTAL) -> dict[str, int]:
    """A breakdown's column as {row key: count}, in the row order."""
    return {key: breakdown.value(key, column) for key in breakdown.row_keys()}


def columns(breakdown) -> list[str]:
    return [column.key for column in breakdown.columns]


# -- the period -------------------------------------------------------------------------------


@pytest.mark.parametrize(("day", "start", "end"), [
    (date(2025, 1, 1), date(2025, 1, 1), date(2025, 6, 30)),
    (date(2025, 6, 30), date(2025, 1, 1), date(2025, 6, 30)),
    (date(2025, 7, 1), date(2025, 7, 1), date(2025, 12, 31)),
    (date(2024, 12, 31), date(2024, 7, 1), date(2024, 12, 31)),
])
def test_half_year_of_a_day(day, start, end):
    assert periods.half_year_of(day) == periods.Period(start, end)


def test_previous_half_year_and_quarters():
    assert summaries.previous_half_year(H1) == periods.Period(date(2024, 7, 1), date(2024, 12, 31))
    assert summaries.previous_half_year(H2) == H1
    assert [quarter.key for quarter in summaries.quarters(H1)] == ["2025-Q1", "2025-Q2"]
    assert [quarter.key for quarter in summaries.weak_signal_quarters(H1)] == [
        "2024-Q2", "2024-Q3", "2024-Q4", "2025-Q1", "2025-Q2"]
    odd = periods.Period(date(2025, 2, 15), date(2025, 8, 1))
    assert [quarter.key for quarter in summaries.quarters(odd)] == ["2025-Q1", "2025-Q2", "2025-Q3"]
    assert summaries.Quarter(2025, 4).period == periods.Period(date(2025, 10, 1), date(2025, 12, 31))


def test_period_bounds_are_helsinki_midnights(app_context):
    since, until = H1.bounds()
    assert since == datetime(2024, 12, 31, 22, 0, tzinfo=timezone.utc)
    assert until == datetime(2025, 6, 30, 21, 0, tzinfo=timezone.utc)  # summer time: UTC+3


def test_period_from_query_arguments(app_context):
    today = date(2025, 9, 10)
    assert periods.parse_period({}, today) == H2
    assert periods.parse_period({"from": "", "to": ""}, today) == H2
    assert periods.parse_period({"from": "2025-02-01", "to": "2025-03-31"}, today) == periods.Period(
        date(2025, 2, 1), date(2025, 3, 31))
    assert periods.parse_period({"from": "2025-02-01"}, today) == periods.Period(date(2025, 2, 1), H1.end)
    assert periods.parse_period({"to": "2025-08-31"}, today) == periods.Period(H2.start, date(2025, 8, 31))
    one_day = periods.parse_period({"from": "2025-06-30", "to": "2025-06-30"}, today)
    assert one_day.start == one_day.end


@pytest.mark.parametrize(("args", "field", "message"), [
    ({"from": "30.6.2025", "to": "2025-06-30"}, "from", "Give the date as year-month-day"),
    ({"from": "2025-02-30", "to": "2025-06-30"}, "from", "Give the date as year-month-day"),
    ({"from": "2025-01-01", "to": "tomorrow"}, "to", "Give the date as year-month-day"),
    ({"from": "2025-06-30", "to": "2025-01-01"}, "to", "The period ends before it starts."),
    ({"from": "2015-01-01", "to": "2025-01-01"}, "to", "Choose a period of at most five years."),
])
def test_bad_periods_are_refused_with_a_message(app_context, args, field, message):
    with force_locale("en"):
        with pytest.raises(Problem) as refused:
            periods.parse_period(args)
        assert refused.value.status == 422 and refused.value.field == field
        assert str(refused.value.message).startswith(message)


# -- the scope --------------------------------------------------------------------------------


def test_scope_from_query_argument(seeded):
    assert summaries.parse_scope(None) == summaries.REGION == summaries.parse_scope("region")
    pori = summaries.parse_scope(f"municipality:{seeded.areas['Pori']}")
    assert (pori.kind, pori.id, pori.name) == ("municipality", seeded.areas["Pori"], "Pori")
    unit = summaries.parse_scope(f"unit:{seeded.units['L']}")
    assert unit.name == "Lastensuojelu (Perhe- ja sosiaalipalvelut)" and unit.value == f"unit:{seeded.units['L']}"
    assert summaries.parse_scope(f"service:{seeded.services['SP']}").name == "Päihdepalvelut"
    assert "Street notes and workshops are not included" in unit.includes


@pytest.mark.parametrize("value", ["county", "unit:", "unit:abc", "unit:999999", "service:-1",
                                   "municipality:{inside}", "unit:1:2", "x" * 50])
def test_bad_scopes_are_refused(seeded, value):
    with pytest.raises(Problem) as refused:
        summaries.parse_scope(value.format(inside=seeded.areas["Pori N"]))
    assert refused.value.status == 422 and refused.value.field == "scope"


def test_scope_choices_list_municipalities_units_and_services(seeded):
    groups = dict(summaries.scope_choices())
    assert groups["Region"] == [("region", "The whole region")]
    assert groups["Municipalities"] == [(f"municipality:{seeded.areas['Pori']}", "Pori"),
                                        (f"municipality:{seeded.areas['Ulvila']}", "Ulvila")]
    assert [label for _value, label in groups["Work units"]] == [
        "Aikuissosiaalityö (Perhe- ja sosiaalipalvelut)", "Lastensuojelu (Perhe- ja sosiaalipalvelut)",
        "Päihdeklinikka (Terveyspalvelut)"]
    assert len(groups["Services"]) == 3


# -- the region, first half of 2025 -----------------------------------------------------------


def test_region_sources_and_natures(seeded):
    summary = summaries.build_summary(H1, summaries.REGION)
    assert [(source.key, source.count) for source in summary.sources] == [
        ("reports", 8), ("street_notes", 4), ("workshops", 2)]
    nature = summary.breakdown("nature")
    assert columns(nature) == ["reports", "street_notes", "total"]
    # Reports #1-#8: positive #3 #6 #8, negative #1 #2 #4 #5, other #7 (23:30 on 30 June).
    assert values(nature, "reports") == {"positive": 3, "negative": 4, "other": 1}
    assert values(nature, "street_notes") == {"positive": 1, "negative": 2, "other": 1}
    assert values(nature) == {"positive": 4, "negative": 6, "other": 2}


def test_region_by_category(seeded):
    category = summaries.build_summary(H1).breakdown("category")
    expected_reports = {"own_services": 1, "other_services": 1, "network_cooperation": 1, "own_resources": 1,
                        "other_resources": 0, "internal_processes": 0, "cross_sector_processes": 0, "client_work": 0,
                        "client_needs": 1, "social_problems": 2, "none": 1}
    expected_notes = {"own_services": 0, "other_services": 1, "network_cooperation": 0, "own_resources": 0,
                      "other_resources": 0, "internal_processes": 0, "cross_sector_processes": 0, "client_work": 1,
                      "client_needs": 0, "social_problems": 2, "none": 0}
    assert values(category, "reports") == expected_reports  # the ten in the form's order, then "no category"
    assert values(category, "street_notes") == expected_notes
    assert values(category)["social_problems"] == 4 and values(category)["other_services"] == 2


def test_region_by_municipality(seeded):
    area = summaries.build_summary(H1).breakdown("area")
    pori, ulvila = f"area:{seeded.areas['Pori']}", f"area:{seeded.areas['Ulvila']}"
    # Reports: Pori #2 #8, inside Pori #1 #4 #5; Ulvila #3 #7; none #6.
    # Notes: "Pori, pohjoinen alue" → Pori; "ulvila" → Ulvila; "Keskusta" as written; "" → none.
    assert area.row_keys() == [pori, ulvila, "name:Keskusta", "none"]
    assert values(area, "reports") == {pori: 5, ulvila: 2, "name:Keskusta": 0, "none": 1}
    assert values(area, "street_notes") == {pori: 1, ulvila: 1, "name:Keskusta": 1, "none": 1}
    assert values(area) == {pori: 6, ulvila: 3, "name:Keskusta": 1, "none": 2}
    assert [row.label for row in area.rows] == ["Pori", "Ulvila", "Keskusta", "No area given"]
    assert area.title == "By municipality"


def test_region_by_service_sector_and_unit(seeded):
    summary = summaries.build_summary(H1)
    service = summary.breakdown("service")
    assert columns(service) == ["positive", "negative", "other", "total"]
    sp, sl, st = (f"service:{seeded.services[key]}" for key in ("SP", "SL", "ST"))
    # The most first; SL and ST tie at 2 and go by name (Lastensuojelu < Työikäisten …); none last.
    assert service.row_keys() == [sp, sl, st, "none"]
    assert [service.rows[0].values, service.rows[1].values, service.rows[2].values, service.rows[3].values] == [
        (2, 1, 0, 3), (1, 1, 0, 2), (0, 2, 0, 2), (0, 0, 1, 1)]

    sector = summary.breakdown("sector")
    family, health = f"sector:{seeded.sectors['F']}", f"sector:{seeded.sectors['T']}"
    assert sector.row_keys() == [family, health]
    assert [row.values for row in sector.rows] == [(1, 3, 1, 5), (2, 1, 0, 3)]

    unit = summary.breakdown("unit")
    a, l, p = (f"unit:{seeded.units[key]}" for key in "ALP")
    assert unit.row_keys() == [a, p, l]  # A and P have 3 each: by name
    assert [row.values for row in unit.rows] == [(0, 2, 1, 3), (2, 1, 0, 3), (1, 1, 0, 2)]


def test_region_by_support_need(seeded):
    need = summaries.build_summary(H1).breakdown("support_need")
    assert need.row_keys()[:10] == ["care_and_livelihood", "housing", "financial", "exclusion", "violence", "crisis",
                                    "child_development", "substances_mental_health", "ageing", "functional_capacity"]
    assert need.row_keys()[10] == "untagged"
    expected = {"care_and_livelihood": (0, 0, 0, 0), "housing": (0, 2, 0, 2), "financial": (0, 1, 0, 1),
                "exclusion": (0, 0, 0, 0), "violence": (0, 1, 0, 1), "crisis": (0, 0, 0, 0),
                "child_development": (1, 1, 0, 2), "substances_mental_health": (1, 1, 0, 2), "ageing": (0, 0, 0, 0),
                "functional_capacity": (0, 0, 0, 0), "untagged": (1, 0, 1, 2)}
    assert {row.key: row.values for row in need.rows} == expected
    assert need.rows[0].label.startswith("1. ") and need.note


def test_region_joys_concerns_and_conclusions(seeded):
    summary = summaries.build_summary(H1)
    # Positive: T2 in #3 #6 and N2; T4 in #8.
    assert [(row.name, row.reports, row.street_notes, row.total) for row in summary.joys] == [
        ("Yhteistyö toimii", 2, 1, 3), ("Vertaistuki", 1, 0, 1)]
    # Negative: T1 in #1 #2 #5 and N1 N3; T5 in #4 and N3, T3 in #4 #5: a tie, by name.
    assert [(row.name, row.reports, row.street_notes, row.total) for row in summary.concerns] == [
        ("Asunnottomuus", 3, 2, 5), ("Ahdistus", 1, 1, 2), ("Nuorten päihteet", 2, 0, 2)]
    assert summary.concerns[0].conclusion == "Johtopäätös: Asunnottomuus"
    assert [(row.name, row.positive, row.negative, row.other, row.followed) for row in summary.conclusions] == [
        ("Asunnottomuus", 0, 5, 1, True), ("Yhteistyö toimii", 3, 0, 0, False), ("Ahdistus", 0, 2, 0, False),
        ("Nuorten päihteet", 0, 2, 0, True), ("Vertaistuki", 1, 0, 0, False)]


def test_region_weak_signals_per_quarter(seeded):
    summary = summaries.build_summary(H1)
    assert [quarter.key for quarter in summary.quarters] == ["2024-Q2", "2024-Q3", "2024-Q4", "2025-Q1", "2025-Q2"]
    assert [quarter.label for quarter in summary.quarters][-1] == "Q2 2025"
    # T1: #12 in 2024-Q4; #1 #2 N1 in Q1; #5 #7 N3 in Q2. T3: #4 #5 in Q2 (#9 is July).
    assert [(signal.name, signal.counts, signal.trend) for signal in summary.weak_signals] == [
        ("Asunnottomuus", (0, 0, 1, 3, 3), "same"), ("Nuorten päihteet", (0, 0, 0, 0, 2), "stronger")]
    assert summary.weak_signals[1].trend_label == "Stronger"

    later = summaries.build_summary(H2)
    assert [quarter.key for quarter in later.quarters] == ["2024-Q4", "2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]
    # T1: #11 in Q4. T3: #4 #5 in Q2, #9 (00:30 on 1 July) and N5 in Q3, #11 in Q4.
    assert [(signal.name, signal.counts, signal.trend) for signal in later.weak_signals] == [
        ("Asunnottomuus", (1, 3, 3, 0, 1), "stronger"), ("Nuorten päihteet", (0, 0, 2, 2, 1), "weaker")]


def test_region_workshop_themes(seeded):
    summary = summaries.build_summary(H1)
    # Kahvi: 4 items, one hidden and one taken back; the removed theme and the loose item are left out.
    assert [(row.workshop_title, row.theme_name, row.items) for row in summary.workshop_themes] == [
        ("Päiväkeskus Kalliola", "Kahvi", 2), ("Päiväkeskus Kalliola", "Säännöt", 1)]
    assert [(row.theme_name, row.items) for row in summaries.build_summary(H2).workshop_themes] == [("Säännöt", 1)]


def test_period_edges_follow_helsinki_time(seeded):
    first, second = summaries.build_summary(H1), summaries.build_summary(H2)
    # #7 23:30 on 30 June and #8 00:10 on 1 January are in the first half; #9 00:30 on 1 July in the second.
    assert first.breakdown("nature").value("other", "reports") == 1
    assert first.breakdown("category").value("own_resources", "reports") == 1
    assert values(second.breakdown("nature"), "reports") == {"positive": 1, "negative": 2, "other": 0}
    assert values(second.breakdown("nature"), "street_notes") == {"positive": 0, "negative": 1, "other": 0}
    last_day = summaries.build_summary(periods.Period(date(2025, 6, 30), date(2025, 6, 30)))
    assert last_day.source("reports").count == 1
    new_year = summaries.build_summary(periods.Period(date(2024, 12, 31), date(2024, 12, 31)))
    assert new_year.source("reports").count == 0


# -- other scopes -----------------------------------------------------------------------------


def test_municipality_scope_counts_its_areas_and_matching_street_notes(seeded):
    scope = summaries.parse_scope(f"municipality:{seeded.areas['Pori']}")
    summary = summaries.build_summary(H1, scope)
    # Reports #1 #2 #4 #5 #8 (two of them in Pori N, one in Pori E); the note "Pori, pohjoinen alue".
    assert [(source.key, source.count) for source in summary.sources] == [("reports", 5), ("street_notes", 1)]
    assert values(summary.breakdown("nature"), "reports") == {"positive": 1, "negative": 4, "other": 0}
    assert values(summary.breakdown("nature"), "street_notes") == {"positive": 0, "negative": 1, "other": 0}
    area = summary.breakdown("area")
    assert area.title == "By area in Pori"
    north, east, pori = (f"area:{seeded.areas[key]}" for key in ("Pori N", "Pori E", "Pori"))
    assert area.row_keys() == [north, pori, east]
    assert [row.values for row in area.rows] == [(2, 1, 3), (2, 0, 2), (1, 0, 1)]
    assert values(summary.breakdown("support_need"))["housing"] == 2
    assert values(summary.breakdown("support_need"))["untagged"] == 0
    assert [(row.name, row.total) for row in summary.concerns] == [
        ("Asunnottomuus", 4), ("Nuorten päihteet", 2), ("Ahdistus", 1)]
    assert [(row.name, row.total) for row in summary.joys] == [("Vertaistuki", 1)]
    assert summary.workshop_themes == ()
    # T1: #12 in 2024-Q4; #1 #2 N1 in Q1; #5 in Q2 (#7 and N3 are Ulvila's). T3: #4 #5 in Q2.
    assert [signal.counts for signal in summary.weak_signals] == [(0, 0, 1, 3, 1), (0, 0, 0, 0, 2)]


def test_unit_scope_has_its_reports_only(seeded):
    summary = summaries.build_summary(H1, summaries.parse_scope(f"unit:{seeded.units['L']}"))
    assert [(source.key, source.count) for source in summary.sources] == [("reports", 2)]
    nature = summary.breakdown("nature")
    assert columns(nature) == ["reports"]  # no street notes in a unit's scope
    assert values(nature, "reports") == {"positive": 1, "negative": 1, "other": 0}
    assert {key: count for key, count in values(summary.breakdown("category"), "reports").items() if count} == {
        "network_cooperation": 1, "client_needs": 1}
    assert {row.key: row.values for row in summary.breakdown("support_need").rows if row.values[-1]} == {
        "violence": (0, 1, 0, 1), "child_development": (1, 1, 0, 2)}
    assert [(row.name, row.total) for row in summary.concerns] == [("Ahdistus", 1), ("Nuorten päihteet", 1)]
    assert [(signal.name, signal.counts, signal.trend) for signal in summary.weak_signals] == [
        ("Asunnottomuus", (0, 0, 0, 0, 0), "same"), ("Nuorten päihteet", (0, 0, 0, 0, 1), "stronger")]
    assert summary.workshop_themes == ()


def test_service_scope_has_its_reports_only(seeded):
    summary = summaries.build_summary(H1, summaries.parse_scope(f"service:{seeded.services['SP']}"))
    assert summary.source("reports").count == 3 and summary.source("street_notes") is None
    assert values(summary.breakdown("nature"), "reports") == {"positive": 2, "negative": 1, "other": 0}
    area = summary.breakdown("area")
    assert values(area, "reports") == {f"area:{seeded.areas['Pori']}": 2, "none": 1}
    assert values(summary.breakdown("unit")) == {f"unit:{seeded.units['P']}": 3}


def test_an_empty_period_has_zero_everywhere(seeded):
    summary = summaries.build_summary(periods.Period(date(2023, 1, 1), date(2023, 6, 30)))
    assert [source.count for source in summary.sources] == [0, 0, 0]
    assert values(summary.breakdown("nature")) == {"positive": 0, "negative": 0, "other": 0}
    assert summary.breakdown("service").rows == () and summary.joys == () and summary.conclusions == ()
    assert [signal.counts for signal in summary.weak_signals] == [(0, 0, 0, 0, 0), (0, 0, 0, 0, 0)]


def test_development_targets_from_every_source_without_report_numbers(seeded):
    from workshop.models import DevelopmentTarget, Observation, TargetStatus

    db.session.add_all([
        DevelopmentTarget(target="Asumisneuvonta", observation_id=seeded.reports[0], responsible="Johtaja",
                          status=TargetStatus.IN_PROGRESS, position=1),
        DevelopmentTarget(target="Nuorten ilta", summary_theme_id=seeded.themes["T3"], position=2),
        DevelopmentTarget(target="Kahvi", workshop_id=seeded.workshop_id, done_on=date(2025, 5, 1),
                          status=TargetStatus.DONE, position=1),
    ])
    db.session.commit()
    targets = summaries.build_summary(H1).targets
    assert [(row.target, row.source_label, row.status_label) for row in targets] == [
        ("Asumisneuvonta", "A professional's report", "In progress"),
        ("Nuorten ilta", "Summary theme: Nuorten päihteet", "Planned"),
        ("Kahvi", "Workshop: Päiväkeskus Kalliola", "Done")]
    number = db.session.get(Observation, seeded.reports[0]).number
    assert all(number not in str(row) for row in targets)


# -- the page ---------------------------------------------------------------------------------


@pytest.fixture
def english(client):
    """The test client speaking English."""
    with client.session_transaction() as session:
        session["lang"] = "en"
    return client


@pytest.fixture
def seeded_app(app, organisation):
    """The data set of the module docstring, written for the page tests."""
    with app.app_context():
        return seed(organisation)


@pytest.mark.parametrize(("name", "status"), [
    ("wilma", 200), ("dora", 200), ("teo", 200), ("hanna", 403), ("aatu", 403)])
def test_who_may_open_the_summary(english, organisation, name, status):
    organisation.accounts[name].login(english)
    assert english.get("/summary/").status_code == status


@pytest.mark.parametrize("role", ["facilitator", "worker"])
def test_facilitators_and_workers_may_not_open_the_summary(english, make_account, role):
    make_account("toinen", role).login(english)
    for path in ("/summary/", "/summary/summary.csv", "/summary/summary.html"):
        assert english.get(path).status_code == 403


def test_anonymous_is_sent_to_log_in(client):
    response = client.get("/summary/?from=2025-01-01&to=2025-06-30")
    assert response.status_code in (302, 303) and "login" in response.headers["Location"]
    assert client.get("/summary/summary.csv").status_code in (302, 303)


def test_the_page_shows_the_counts(english, seeded_app, organisation):
    organisation.accounts["wilma"].login(english)
    response = english.get("/summary/?from=2025-01-01&to=2025-06-30&scope=region")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Summary of social reporting" in page and "The whole region" in page
    compact = re.sub(r">\s+<", "><", page)
    # The nature table: reports, street notes, total; the support-need table: by nature and total.
    assert '<th scope="row">Negative</th><td class="number">4</td><td class="number">2</td>' \
           '<td class="number">6</td>' in compact
    assert '<th scope="row">2. Housing</th><td class="number">0</td><td class="number">2</td>' \
           '<td class="number">0</td><td class="number">2</td>' in compact
    assert "Themes of joy" in page and "Themes of concern" in page and "Johtopäätös: Asunnottomuus" in page
    assert "Weak signals" in page and "Q2 2025" in page and "Stronger" in page
    assert "Päiväkeskus Kalliola" in page and "Kahvi" in page
    assert page.count('<svg class="chart__svg" role="img"') >= 10
    assert page.count("<caption>") >= 10
    assert "summary.csv?from=2025-01-01&amp;to=2025-06-30&amp;scope=region" in page


def test_the_page_defaults_to_the_current_half_year(english, seeded_app, organisation):
    organisation.accounts["dora"].login(english)
    page = english.get("/summary/").get_data(as_text=True)
    current = periods.half_year_of(datetime.now(HELSINKI).date())
    assert f'value="{current.start.isoformat()}"' in page and f'value="{current.end.isoformat()}"' in page
    assert "This half-year" in page and "Last half-year" in page


def test_the_page_says_what_a_scope_includes(english, seeded_app, organisation):
    organisation.accounts["wilma"].login(english)
    page = english.get(f"/summary/?from=2025-01-01&to=2025-06-30&scope=unit:{seeded_app.units['L']}") \
        .get_data(as_text=True)
    assert "Work unit: Lastensuojelu (Perhe- ja sosiaalipalvelut)" in page
    assert "Street notes and workshops are not included" in page
    assert "The workshops&#39; themes" not in page and "The workshops' themes" not in page


@pytest.mark.parametrize(("query", "message", "field"), [
    ("from=2025-06-30&to=2025-01-01", "The period ends before it starts.", "to"),
    ("from=30.6.2025&to=2025-07-01", "Give the date as year-month-day, e.g. 2025-06-30.", "from"),
    ("from=2025-01-01&to=2025-06-30&scope=unit:999", "Choose the region, a municipality, a unit or a service", "scope"),
])
def test_bad_arguments_show_the_form_with_the_message(english, organisation, query, message, field):
    organisation.accounts["wilma"].login(english)
    response = english.get(f"/summary/?{query}")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert f'id="summary-{field}-error"' in page and 'aria-invalid="true"' in page
    assert "Themes of joy" not in page  # no numbers from a period that was not asked for


def test_bad_dates_refuse_the_exports(english, organisation):
    organisation.accounts["wilma"].login(english)
    response = english.get("/summary/summary.csv?from=2025-06-30&to=2025-01-01")
    assert response.status_code == 422
    assert "The period ends before it starts." in response.get_data(as_text=True)


@pytest.mark.parametrize(("lang", "words"), [("fi", "Pori"), ("sv", "Pori")])
def test_the_page_renders_in_every_language(client, seeded_app, organisation, lang, words):
    with client.session_transaction() as session:
        session["lang"] = lang
    organisation.accounts["wilma"].login(client)
    response = client.get(f"/summary/?from=2025-01-01&to=2025-06-30&scope=municipality:{seeded_app.areas['Pori']}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'<html lang="{lang}">' in page and words in page
