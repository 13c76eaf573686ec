"""The working group's tags and themes (issue 7): the rules in `themes.py` and the pages in
`observe/tagging.py` (reports, one report, street notes, themes)."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone
from uuid import uuid4

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from workshop import periods, themes
from workshop.accounts import username_key
from workshop.extensions import db
from workshop.models import (Account, DevelopmentTarget, Observation, ObservationNeed, ObservationTheme, StreetNote,
                             StreetNoteTheme, SummaryTheme, SupportNeed)
from workshop.problems import Problem

# -- factories and helpers -------------------------------------------------------------------


def account(name: str) -> Account:
    """The account called `name` (made by `make_account` or the `organisation` fixture)."""
    return db.session.scalar(select(Account).where(Account.username_key == username_key(name)))


def make_report(unit_id: int, written_at: datetime, *, nature: str = "negative", description: str = "Asunnottomuus",
                proposal: str = "", **fields) -> Observation:
    """A professional's report made straight in the database."""
    report = Observation(number=fields.pop("number", uuid4().hex[:10].upper()), uuid=str(uuid4()), body_hash="x",
                         unit_id=unit_id, nature=nature, description=description, proposal=proposal,
                         written_at=written_at, **fields)
    db.session.add(report)
    db.session.commit()
    return report


def make_street_note(worker: Account, written_at: datetime, text: str = "Nuoria kadulla", *,
                     nature: str = "other", category: str = "own_services") -> StreetNote:
    """A street note made straight in the database."""
    note = StreetNote(uuid=str(uuid4()), body_hash="x", account_id=worker.id, text=text, nature=nature,
                      category=category, written_at=written_at)
    db.session.add(note)
    db.session.commit()
    return note


def make_theme(name: str, **fields) -> SummaryTheme:
    """A theme made straight in the database."""
    theme = SummaryTheme(name=name, **fields)
    db.session.add(theme)
    db.session.commit()
    return theme


def utc(*parts) -> datetime:
    """A moment in UTC."""
    return datetime(*parts, tzinfo=timezone.utc)


def refused(action, status: int, field: str | None = None) -> Problem:
    """Run `action`, assert it is refused with `status` (and `field`), return the refusal."""
    with pytest.raises(Problem) as caught:
        action()
    assert caught.value.status == status
    if field is not None:
        assert caught.value.field == field
    db.session.rollback()
    with force_locale("en"):  # outside a request the default language (Finnish) speaks
        caught.value.message = str(caught.value.message)
    return caught.value


def main_of(html: str) -> str:
    """The page's own content, without the layout."""
    return html[html.index("<main"):html.index("</main>")]


#: A moment in the first half of 2027 and one in the second (UTC).
SPRING = utc(2027, 3, 15, 10, 0)
AUTUMN = utc(2027, 9, 15, 10, 0)


@pytest.fixture
def region(app, organisation, make_account):
    """The seeded organisation with a worker (ville) too; inside an app context."""
    make_account("ville", "worker")
    with app.app_context():
        yield organisation


@pytest.fixture
def wilma(region):
    """The working-group member, as an account."""
    return account("wilma")


@pytest.fixture
def report(region):
    """A report of the adults' social work unit, written in the spring of 2027."""
    return make_report(region.units["Aikuissosiaalityö"], SPRING, number="R-SPRING-1",
                       description="Nuoret eivät saa asuntoa", proposal="Lisää tuettua asumista nuorille",
                       reporter_name="Maija Meikäläinen", contact="maija@example.org")


# -- who may change tags and themes ----------------------------------------------------------


@pytest.mark.parametrize("name", ["dora", "hanna", "aatu", "ville", None])
def test_only_the_working_group_may_change_tags_and_themes(region, report, name):
    who = account(name) if name else None
    theme = make_theme("Asunnottomuus")
    note = make_street_note(account("ville"), SPRING)
    for action in (lambda: themes.add_theme(who, {"name": "Yksinäisyys"}),
                   lambda: themes.rename_theme(who, theme.id, {"name": "Asunnot"}),
                   lambda: themes.set_followed(who, theme.id, True),
                   lambda: themes.set_conclusion(who, theme.id, {"conclusion": "Kasvaa"}),
                   lambda: themes.delete_theme(who, theme.id),
                   lambda: themes.merge_theme(who, theme.id, theme.id),
                   lambda: themes.set_report_tags(who, report.id, needs=["housing"], theme_ids=[theme.id]),
                   lambda: themes.set_street_note_themes(who, note.id, theme_ids=[theme.id])):
        refused(action, 403)
    assert db.session.scalar(select(func.count()).select_from(ObservationNeed)) == 0
    assert [theme.name for theme in themes.all_themes()] == ["Asunnottomuus"]


def test_directors_read_and_the_working_group_writes(region):
    assert themes.is_working_group(account("wilma")) and themes.may_read(account("wilma"))
    assert not themes.is_working_group(account("dora")) and themes.may_read(account("dora"))
    assert not themes.may_read(account("hanna")) and not themes.may_read(None)


# -- themes ----------------------------------------------------------------------------------


def test_a_theme_is_trimmed_and_unique_whatever_its_case(wilma):
    theme = themes.add_theme(wilma, {"name": "  Äitien jaksaminen \n"})
    assert theme.name == "Äitien jaksaminen"
    # SQLite's lower() would miss Ä/ä: the rule compares in Python.
    assert "already" in refused(lambda: themes.add_theme(wilma, {"name": "äitien JAKSAMINEN"}), 422, "name").message
    refused(lambda: themes.add_theme(wilma, {"name": "   "}), 422, "name")
    refused(lambda: themes.add_theme(wilma, {"name": "x" * 121}), 422, "name")
    assert themes.add_theme(wilma, {"name": "x" * 120}).name == "x" * 120
    themes.add_theme(wilma, {"name": "asunnot"})
    # Alphabetical whatever the case (by code point: the Finnish ä after x).
    assert [found.name for found in themes.all_themes()] == ["asunnot", "x" * 120, "Äitien jaksaminen"]


def test_a_theme_is_renamed_also_to_its_own_name_in_another_case(wilma):
    theme = themes.add_theme(wilma, {"name": "asunnottomuus"})
    themes.add_theme(wilma, {"name": "Yksinäisyys"})
    assert themes.rename_theme(wilma, theme.id, {"name": "Asunnottomuus"}).name == "Asunnottomuus"
    refused(lambda: themes.rename_theme(wilma, theme.id, {"name": "YKSINÄISYYS"}), 422, "name")
    refused(lambda: themes.rename_theme(wilma, 9999, {"name": "Uusi"}), 404)
    refused(lambda: themes.rename_theme(wilma, 2**70, {"name": "Uusi"}), 404)
    assert db.session.get(SummaryTheme, theme.id).name == "Asunnottomuus"


def test_a_theme_is_followed_and_unfollowed(wilma):
    theme = themes.add_theme(wilma, {"name": "Nuorten päihteet"})
    assert theme.followed is False
    assert themes.set_followed(wilma, theme.id, True).followed is True
    assert db.session.get(SummaryTheme, theme.id).followed is True
    assert themes.set_followed(wilma, theme.id, False).followed is False
    refused(lambda: themes.set_followed(wilma, 12345, True), 404)


def test_the_conclusion_is_written_cleared_and_limited(wilma):
    theme = themes.add_theme(wilma, {"name": "Yksinäisyys"})
    assert themes.set_conclusion(wilma, theme.id, {"conclusion": "  Yksinäisyys lisääntyy.\r\nSeurataan.  "}
                                 ).conclusion == "Yksinäisyys lisääntyy.\nSeurataan."
    refused(lambda: themes.set_conclusion(wilma, theme.id, {"conclusion": "x" * 4001}), 422, "conclusion")
    assert db.session.get(SummaryTheme, theme.id).conclusion == "Yksinäisyys lisääntyy.\nSeurataan."
    assert themes.set_conclusion(wilma, theme.id, {"conclusion": "x" * 4000}).conclusion == "x" * 4000
    assert themes.set_conclusion(wilma, theme.id, {"conclusion": ""}).conclusion == ""


def test_an_unused_theme_is_deleted_and_a_used_one_is_not(wilma, report):
    unused = themes.add_theme(wilma, {"name": "Kirjoitusvirhe"})
    used = themes.add_theme(wilma, {"name": "Asunnottomuus"})
    from_target = themes.add_theme(wilma, {"name": "Tavoitteen teema"})
    themes.set_report_tags(wilma, report.id, theme_ids=[used.id])
    db.session.add(DevelopmentTarget(target="Lisää asuntoja", summary_theme_id=from_target.id))
    db.session.commit()

    themes.delete_theme(wilma, unused.id)
    assert db.session.get(SummaryTheme, unused.id) is None
    for theme_id in (used.id, from_target.id):
        assert "merge" in refused(lambda: themes.delete_theme(wilma, theme_id), 409).message
    assert db.session.get(SummaryTheme, used.id) is not None
    assert themes.theme_uses()[used.id] == {"reports": 1, "notes": 0, "targets": 0}
    refused(lambda: themes.delete_theme(wilma, unused.id), 404)


def test_merging_moves_the_tags_and_targets_and_keeps_one_of_each(region, wilma, report):
    other = make_report(region.units["Lastensuojelu"], SPRING)
    note = make_street_note(account("ville"), SPRING)
    housing = themes.add_theme(wilma, {"name": "Asunnottomuus"})
    homes = themes.add_theme(wilma, {"name": "Asunnot"})
    themes.set_followed(wilma, homes.id, True)
    themes.set_conclusion(wilma, housing.id, {"conclusion": "Nuoret jäävät ilman asuntoa."})
    themes.set_conclusion(wilma, homes.id, {"conclusion": "Vuokrat nousevat."})
    themes.set_report_tags(wilma, report.id, theme_ids=[housing.id, homes.id])  # both: one tag after
    themes.set_report_tags(wilma, other.id, theme_ids=[homes.id])
    themes.set_street_note_themes(wilma, note.id, theme_ids=[homes.id])
    db.session.add(DevelopmentTarget(target="Tuettua asumista", summary_theme_id=homes.id))
    db.session.commit()

    into = themes.merge_theme(wilma, homes.id, housing.id)

    assert into.id == housing.id and into.followed is True
    assert into.conclusion == "Nuoret jäävät ilman asuntoa.\n\nVuokrat nousevat."
    assert db.session.get(SummaryTheme, homes.id) is None
    tags = themes.report_tags([report.id, other.id])
    assert [theme.name for theme in tags[report.id].themes] == ["Asunnottomuus"]
    assert [theme.name for theme in tags[other.id].themes] == ["Asunnottomuus"]
    assert [theme.name for theme in themes.street_note_themes([note.id])[note.id]] == ["Asunnottomuus"]
    assert db.session.scalar(select(DevelopmentTarget.summary_theme_id)) == housing.id
    assert themes.theme_uses()[housing.id] == {"reports": 2, "notes": 1, "targets": 1}


def test_a_merge_needs_another_theme_and_room_for_the_conclusions(wilma):
    first = themes.add_theme(wilma, {"name": "Yksi"})
    second = themes.add_theme(wilma, {"name": "Kaksi"})
    refused(lambda: themes.merge_theme(wilma, first.id, first.id), 422, "into")
    refused(lambda: themes.merge_theme(wilma, first.id, None), 422, "into")
    refused(lambda: themes.merge_theme(wilma, first.id, 9999), 422, "into")
    refused(lambda: themes.merge_theme(wilma, 9999, first.id), 404)
    themes.set_conclusion(wilma, first.id, {"conclusion": "x" * 3000})
    themes.set_conclusion(wilma, second.id, {"conclusion": "y" * 1000})
    refused(lambda: themes.merge_theme(wilma, first.id, second.id), 422, "into")
    assert {theme.name for theme in themes.all_themes()} == {"Yksi", "Kaksi"}


# -- tags ------------------------------------------------------------------------------------


def test_a_reports_tags_are_set_and_replaced_as_a_whole(wilma, report):
    housing = themes.add_theme(wilma, {"name": "Asunnottomuus"})
    youth = themes.add_theme(wilma, {"name": "Nuoret"})

    tags = themes.set_report_tags(wilma, report.id, needs=["housing", "financial", "housing"],
                                  theme_ids=[str(youth.id), housing.id])
    assert tags.needs == [SupportNeed.HOUSING, SupportNeed.FINANCIAL]
    assert [theme.name for theme in tags.themes] == ["Asunnottomuus", "Nuoret"]

    tags = themes.set_report_tags(wilma, report.id, needs=["exclusion"], theme_ids=[])
    assert tags.needs == [SupportNeed.EXCLUSION] and tags.themes == []
    assert db.session.scalar(select(func.count()).select_from(ObservationTheme)) == 0

    tags = themes.set_report_tags(wilma, report.id)
    assert tags.empty
    assert db.session.scalar(select(func.count()).select_from(ObservationNeed)) == 0


def test_every_one_of_the_ten_needs_can_be_tagged(wilma, report):
    every = [need.value for need in SupportNeed]
    assert len(every) == 10
    assert themes.set_report_tags(wilma, report.id, needs=every).needs == list(SupportNeed)


def test_unknown_needs_themes_and_reports_are_refused_and_nothing_changes(wilma, report):
    theme = themes.add_theme(wilma, {"name": "Asunnottomuus"})
    themes.set_report_tags(wilma, report.id, needs=["housing"], theme_ids=[theme.id])

    refused(lambda: themes.set_report_tags(wilma, report.id, needs=["flying"]), 422, "needs")
    refused(lambda: themes.set_report_tags(wilma, report.id, needs="housing"), 422, "needs")
    refused(lambda: themes.set_report_tags(wilma, report.id, needs=[None]), 422, "needs")
    refused(lambda: themes.set_report_tags(wilma, report.id, theme_ids=[theme.id + 1]), 422, "theme_ids")
    refused(lambda: themes.set_report_tags(wilma, report.id, theme_ids=["abc"]), 422, "theme_ids")
    refused(lambda: themes.set_report_tags(wilma, report.id, theme_ids=[True]), 422, "theme_ids")
    refused(lambda: themes.set_report_tags(wilma, report.id, new_theme="x" * 121), 422, "new_theme")
    refused(lambda: themes.set_report_tags(wilma, report.id + 100, needs=["housing"]), 404)

    tags = themes.report_tags([report.id])[report.id]
    assert tags.needs == [SupportNeed.HOUSING] and [found.id for found in tags.themes] == [theme.id]


def test_a_new_theme_on_the_tag_form_is_made_or_found(wilma, report):
    existing = themes.add_theme(wilma, {"name": "Yksinäisyys"})
    tags = themes.set_report_tags(wilma, report.id, theme_ids=[existing.id], new_theme="  YKSINÄISYYS ")
    assert [theme.id for theme in tags.themes] == [existing.id]  # found, not doubled
    tags = themes.set_report_tags(wilma, report.id, theme_ids=[existing.id], new_theme="Nuorten asunnot")
    assert [theme.name for theme in tags.themes] == ["Nuorten asunnot", "Yksinäisyys"]
    assert len(themes.all_themes()) == 2


def test_a_street_notes_themes_are_set_and_replaced(region, wilma):
    note = make_street_note(account("ville"), SPRING)
    first = themes.add_theme(wilma, {"name": "Päihteet"})
    second = themes.add_theme(wilma, {"name": "Nuoret"})
    assert [theme.name for theme in themes.set_street_note_themes(wilma, note.id, [first.id, second.id])] == [
        "Nuoret", "Päihteet"]
    assert [theme.name for theme in themes.set_street_note_themes(wilma, note.id, [second.id], "Kylmä")] == [
        "Kylmä", "Nuoret"]
    assert themes.set_street_note_themes(wilma, note.id, []) == []
    refused(lambda: themes.set_street_note_themes(wilma, note.id, [9999]), 422, "theme_ids")
    refused(lambda: themes.set_street_note_themes(wilma, note.id + 1, [first.id]), 404)
    assert db.session.scalar(select(func.count()).select_from(StreetNoteTheme)) == 0


# -- periods and lists -----------------------------------------------------------------------


def test_the_half_years(app_context):
    assert periods.half_year_of(date(2027, 1, 1)) == periods.Period(date(2027, 1, 1), date(2027, 6, 30))
    assert periods.half_year_of(date(2027, 6, 30)) == periods.Period(date(2027, 1, 1), date(2027, 6, 30))
    assert periods.half_year_of(date(2027, 7, 1)) == periods.Period(date(2027, 7, 1), date(2027, 12, 31))
    today = periods.local_today()
    assert periods.half_year_of(periods.local_today()).start <= today <= periods.half_year_of(periods.local_today()).end
    assert periods.parse_period({}) == periods.half_year_of(periods.local_today())
    assert periods.parse_period({"from": "2027-02-01", "to": "2027-02-28"}) == periods.Period(
        date(2027, 2, 1), date(2027, 2, 28))
    # One end given: the other is its half-year's (as on the summary page).
    assert periods.parse_period({"from": "2027-08-01"}) == periods.Period(date(2027, 8, 1), date(2027, 12, 31))
    assert periods.parse_period({"to": "2027-02-28", "from": ""}) == periods.Period(date(2027, 1, 1), date(2027, 2, 28))
    refused(lambda: periods.parse_period({"from": "1.2.2027"}), 422, "from")
    refused(lambda: periods.parse_period({"from": "2027-02-30"}), 422, "from")
    refused(lambda: periods.parse_period({"from": "2027-03-01", "to": "2027-02-01"}), 422, "to")


def test_reports_are_counted_by_the_day_they_were_written_where_the_service_is(region, wilma):
    unit = region.units["Aikuissosiaalityö"]
    # 22:30 UTC on 30 June is 01:30 on 1 July in Helsinki: the autumn's.
    late_june = make_report(unit, utc(2027, 6, 30, 20, 30), number="JUNE")
    first_july = make_report(unit, utc(2027, 6, 30, 22, 30), number="JULY")
    spring = periods.Period(date(2027, 1, 1), date(2027, 6, 30))
    autumn = periods.Period(date(2027, 7, 1), date(2027, 12, 31))
    assert [found.number for found in themes.reports_in(spring)] == [late_june.number]
    assert [found.number for found in themes.reports_in(autumn)] == [first_july.number]


def test_untagged_reports_come_first_or_alone(region, wilma):
    unit = region.units["Lastensuojelu"]
    early = make_report(unit, utc(2027, 2, 1, 9), number="EARLY")
    middle = make_report(unit, utc(2027, 3, 1, 9), number="MIDDLE")
    late = make_report(unit, utc(2027, 4, 1, 9), number="LATE")
    make_report(unit, AUTUMN, number="AUTUMN")
    themes.set_report_tags(wilma, early.id, needs=["crisis"])
    themes.set_report_tags(wilma, late.id, new_theme="Kriisit")
    period = periods.Period(date(2027, 1, 1), date(2027, 6, 30))

    assert [found.number for found in themes.reports_in(period)] == ["MIDDLE", "EARLY", "LATE"]
    assert [found.number for found in themes.reports_in(period, untagged_only=True)] == ["MIDDLE"]
    assert themes.count_reports_in(period) == (3, 1)
    assert themes.next_untagged(period).id == middle.id
    assert themes.next_untagged(period, but=middle.id) is None


def test_street_notes_of_a_period_newest_first(region):
    ville = account("ville")
    older = make_street_note(ville, utc(2027, 2, 1, 9), "Vanhempi")
    newer = make_street_note(ville, utc(2027, 5, 1, 9), "Uudempi")
    make_street_note(ville, AUTUMN, "Syksyllä")
    assert [note.id for note in themes.street_notes_in(periods.Period(date(2027, 1, 1), date(2027, 6, 30)))] == [
        newer.id, older.id]


def test_shortened_keeps_the_first_words():
    assert themes.shortened("Lyhyt  teksti\n") == "Lyhyt teksti"
    cut = themes.shortened("sana " * 60, 40)
    assert cut.endswith("…") and len(cut) <= 40 and "  " not in cut


# -- the pages: who may open them ------------------------------------------------------------


PAGES = ["/summary/reports", "/summary/street-notes", "/summary/themes", "/summary/targets"]


@pytest.fixture
def page_world(app, organisation, make_account):
    """The organisation with a report, a street note and a theme; returns their ids."""
    make_account("ville", "worker")
    make_account("anna", "facilitator")
    with app.app_context():
        report = make_report(organisation.units["Aikuissosiaalityö"], periods.local_midnight(periods.local_today()),
                             number="ABC-123", description="Nuoret eivät saa asuntoa",
                             proposal="Lisää tuettua asumista nuorille", reporter_name="Maija Meikäläinen",
                             contact="maija@example.org")
        note = make_street_note(account("ville"), periods.local_midnight(periods.local_today()), "Nuoria kadulla yöllä")
        theme = make_theme("Asunnottomuus")
        return {"report": report.id, "note": note.id, "theme": theme.id, "org": organisation}


def login(client, page_world, name: str):
    """Log `client` in as one of the accounts, reading English."""
    from tests.conftest import PASSWORD

    response = client.post("/facilitator/login", data={"username": name, "password": PASSWORD})
    assert response.status_code == 303
    with client.session_transaction() as session:
        session["lang"] = "en"  # the pages are read in English here (Finnish is the default)
    return client


def all_pages(page_world) -> list[str]:
    return [*PAGES, f"/summary/reports/{page_world['report']}"]


def posting_pages(page_world) -> list[str]:
    """The pages with forms (the list of reports only links to them)."""
    return [url for url in all_pages(page_world) if url != "/summary/reports"]


def test_anonymous_visitors_are_sent_to_log_in(client, page_world):
    for url in all_pages(page_world):
        response = client.get(url)
        assert response.status_code == 302 and "/facilitator/login" in response.headers["Location"], url
    for url in posting_pages(page_world):
        response = client.post(url, data={})
        assert response.status_code == 302 and "/facilitator/login" in response.headers["Location"], url


@pytest.mark.parametrize("name", ["hanna", "anna", "ville", "aatu"])
def test_other_roles_get_403(client, page_world, name):
    login(client, page_world, name)
    for url in all_pages(page_world):
        assert client.get(url).status_code == 403, url
    for url in posting_pages(page_world):
        assert client.post(url, data={"action": "add", "new-name": "X"}).status_code == 403, url


def test_a_director_reads_the_pages_without_forms_and_cannot_post(client, page_world, app):
    login(client, page_world, "dora")
    for url in all_pages(page_world):
        response = client.get(url)
        assert response.status_code == 200, url
        page = main_of(response.get_data(as_text=True))
        assert 'method="post"' not in page, url
    assert "Asunnottomuus" in client.get("/summary/themes").get_data(as_text=True)
    posts = [
        (f"/summary/reports/{page_world['report']}", {"needs": ["housing"]}),
        ("/summary/street-notes", {"action": "themes", "note_id": str(page_world["note"]),
                                   f"note-{page_world['note']}-theme_ids": [str(page_world["theme"])]}),
        ("/summary/themes", {"action": "add", "new-name": "Yksinäisyys"}),
        ("/summary/themes", {"action": "follow", "theme_id": str(page_world["theme"])}),
        ("/summary/targets", {"action": "add", "new-target": "Lisää asuntoja"}),
    ]
    for url, data in posts:
        assert client.post(url, data=data).status_code == 403, url
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ObservationNeed)) == 0
        assert [theme.name for theme in themes.all_themes()] == ["Asunnottomuus"]
        assert db.session.scalar(select(func.count()).select_from(DevelopmentTarget)) == 0


# -- the pages: tagging ----------------------------------------------------------------------


def test_the_working_group_tags_a_report_from_the_list(client, page_world, app):
    login(client, page_world, "wilma")
    page = main_of(client.get("/summary/reports").get_data(as_text=True))
    assert "ABC-123" in page and "Aikuissosiaalityö" in page and "Nuoret eivät saa asuntoa" in page
    assert "No tags" in page and "Without tags: 1" in page

    url = f"/summary/reports/{page_world['report']}"
    page = main_of(client.get(url).get_data(as_text=True))
    assert "Nuoret eivät saa asuntoa" in page and "Lisää tuettua asumista nuorille" in page
    # The working group does not need to know who filed it.
    assert "Maija" not in page and "maija@example.org" not in page
    assert page.count('type="checkbox" ') == 11 and 'value="housing"' in page
    assert "10. Physical, cognitive, mental or social functional capacity" in page

    response = client.post(url, data={"needs": ["housing", "exclusion"], "theme_ids": [str(page_world["theme"])],
                                      "new_theme": "Nuoret"})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"{url}#tags-heading")
    page = main_of(client.get(url).get_data(as_text=True))
    assert "The tags were saved." in page
    assert re.search(r'value="housing"\s+checked', page) and not re.search(r'value="financial"\s+checked', page)
    page = main_of(client.get("/summary/reports?untagged=1").get_data(as_text=True))
    assert "ABC-123" not in page and "Every report of the period has tags." in page
    page = main_of(client.get("/summary/reports").get_data(as_text=True))
    assert "2. Housing" in page and "Asunnottomuus" in page and "Nuoret" in page
    with app.app_context():
        tags = themes.report_tags([page_world["report"]])[page_world["report"]]
        assert tags.needs == [SupportNeed.HOUSING, SupportNeed.EXCLUSION]
        assert [theme.name for theme in tags.themes] == ["Asunnottomuus", "Nuoret"]


def test_a_refused_tag_form_says_why_beside_the_field(client, page_world, app):
    login(client, page_world, "wilma")
    url = f"/summary/reports/{page_world['report']}"
    response = client.post(url, data={"needs": ["housing"], "new_theme": "x" * 121})
    assert response.status_code == 422
    page = main_of(response.get_data(as_text=True))
    assert "A theme&#39;s name can have at most 120 characters." in page and 'aria-invalid="true"' in page
    assert re.search(r'value="housing"\s+checked', page)  # what was chosen stays chosen
    response = client.post(url, data={"theme_ids": ["99999"]})
    assert response.status_code == 422 and "A theme was not found" in response.get_data(as_text=True)
    assert client.post("/summary/reports/99999", data={"needs": ["housing"]}).status_code == 404
    assert client.get("/summary/reports/99999").status_code == 404
    assert client.get("/summary/reports/99999999999999999999999").status_code == 404
    with app.app_context():
        assert themes.report_tags([page_world["report"]])[page_world["report"]].empty


def test_a_bad_period_is_shown_and_the_half_year_used(client, page_world):
    login(client, page_world, "wilma")
    response = client.get("/summary/reports?from=2027-06-01&to=2027-01-01")
    assert response.status_code == 422
    assert "The period ends before it starts." in response.get_data(as_text=True)
    assert "ABC-123" in response.get_data(as_text=True)
    response = client.get("/summary/reports?from=2000-01-01&to=2000-06-30")
    assert response.status_code == 200 and "No reports were written in this period." in response.get_data(as_text=True)


def test_the_working_group_tags_a_street_note(client, page_world, app):
    login(client, page_world, "wilma")
    note_id, theme_id = page_world["note"], page_world["theme"]
    page = main_of(client.get("/summary/street-notes").get_data(as_text=True))
    assert "Nuoria kadulla yöllä" in page and f'id="note-{note_id}-theme-{theme_id}"' in page
    assert "ville" not in page  # who wrote it is not the working group's business

    response = client.post("/summary/street-notes", data={
        "action": "themes", "note_id": str(note_id), f"note-{note_id}-theme_ids": [str(theme_id)],
        f"note-{note_id}-new_theme": "Yöelämä"})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"#note-{note_id}")
    with app.app_context():
        assert [theme.name for theme in themes.street_note_themes([note_id])[note_id]] == ["Asunnottomuus", "Yöelämä"]

    response = client.post("/summary/street-notes", data={
        "action": "themes", "note_id": str(note_id), f"note-{note_id}-theme_ids": ["99999"]})
    assert response.status_code == 422 and "A theme was not found" in response.get_data(as_text=True)
    assert client.post("/summary/street-notes", data={"action": "themes", "note_id": "99999"}).status_code == 404
    response = client.post("/summary/street-notes", data={"action": "themes", "note_id": "abc"})
    assert response.status_code == 303  # a mangled form: the message is flashed at the top


def test_the_working_group_keeps_the_themes_on_their_page(client, page_world, app):
    login(client, page_world, "wilma")
    response = client.post("/summary/themes", data={"action": "add", "new-name": "Yksinäisyys"})
    assert response.status_code == 303
    response = client.post("/summary/themes", data={"action": "add", "new-name": "asunnottomuus"})
    assert response.status_code == 422
    assert "There is a theme with this name already." in response.get_data(as_text=True)
    with app.app_context():
        lonely = next(theme for theme in themes.all_themes() if theme.name == "Yksinäisyys")
        lonely_id = lonely.id
    theme_id = page_world["theme"]

    assert client.post("/summary/themes", data={"action": "follow", "theme_id": str(theme_id)}).status_code == 303
    assert client.post("/summary/themes", data={"action": "conclusion", "theme_id": str(theme_id),
                                                f"conclusion-{theme_id}-conclusion": "Kasvaa nuorilla."}
                       ).status_code == 303
    assert client.post("/summary/themes", data={"action": "rename", "theme_id": str(lonely_id),
                                                f"rename-{lonely_id}-name": "Yksinäisyys ja eristäytyminen"}
                       ).status_code == 303
    page = main_of(client.get("/summary/themes").get_data(as_text=True))
    assert "Followed: a weak signal" in page and "Kasvaa nuorilla." in page and "Yksinäisyys ja eristäytyminen" in page
    assert "Stop following" in page

    # A theme in use cannot be deleted; merged, its tags move.
    with app.app_context():
        themes.set_report_tags(account("wilma"), page_world["report"], theme_ids=[lonely_id])
    response = client.post("/summary/themes", data={"action": "delete", "theme_id": str(lonely_id)})
    assert response.status_code == 422 and "This theme is in use" in response.get_data(as_text=True)
    response = client.post("/summary/themes", data={"action": "merge", "theme_id": str(lonely_id),
                                                    f"merge-{lonely_id}-into": ""})
    assert response.status_code == 422 and "Choose another theme" in response.get_data(as_text=True)
    response = client.post("/summary/themes", data={"action": "merge", "theme_id": str(lonely_id),
                                                    f"merge-{lonely_id}-into": str(theme_id)})
    assert response.status_code == 303
    with app.app_context():
        assert [theme.name for theme in themes.all_themes()] == ["Asunnottomuus"]
        tags = themes.report_tags([page_world["report"]])[page_world["report"]]
        assert [theme.id for theme in tags.themes] == [theme_id]

    # An unused theme goes.
    client.post("/summary/themes", data={"action": "add", "new-name": "Kirjoitusvirhe"})
    with app.app_context():
        typo_id = next(theme.id for theme in themes.all_themes() if theme.name == "Kirjoitusvirhe")
    assert client.post("/summary/themes", data={"action": "delete", "theme_id": str(typo_id)}).status_code == 303
    assert "Kirjoitusvirhe" not in client.get("/summary/themes").get_data(as_text=True).split("<main")[1]
    assert client.post("/summary/themes", data={"action": "rename", "theme_id": "99999",
                                                "rename-99999-name": "X"}).status_code == 404
    assert client.post("/summary/themes", data={"action": "nonsense"}).status_code == 303


def test_the_period_is_kept_from_the_list_to_the_report_and_back(client, page_world, app):
    login(client, page_world, "wilma")
    with app.app_context():
        today = periods.local_today().isoformat()
    query = f"from={today}&to={today}&untagged=1"
    page = main_of(client.get(f"/summary/reports?{query}").get_data(as_text=True))
    report_url = f"/summary/reports/{page_world['report']}?{query.replace('&', '&amp;')}"
    assert f'href="{report_url}"' in page and f'value="{today}"' in page
    response = client.post(f"/summary/reports/{page_world['report']}?{query}", data={"needs": ["crisis"]})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/summary/reports/{page_world['report']}?{query}#tags-heading"
    page = main_of(client.get(response.headers["Location"]).get_data(as_text=True))
    assert f'href="/summary/reports?{query.replace("&", "&amp;")}"' in page  # back to the same list
