"""The regional development-target tracker (issue 7): rows without a workshop that the
working group keeps in `followup.py`, beside the workshops' rows, and its page
`/summary/targets`."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.html_forms import post_forms
from tests.test_themes import (SPRING, account, main_of, make_report, make_street_note, make_theme,
                               refused, utc)
from workshop import followup, ideas, periods, themes
from workshop.extensions import db
from workshop.models import DevelopmentTarget, SummaryTheme, TargetStatus, TargetUpdate


@pytest.fixture
def region(app, organisation, make_account):
    """The seeded organisation and a facilitator (anna), inside an app context."""
    make_account("anna", "facilitator")
    with app.app_context():
        yield organisation


@pytest.fixture
def wilma(region):
    """The working-group member, as an account."""
    return account("wilma")


@pytest.fixture
def report(region):
    """A report with a proposal, written in the spring of 2027."""
    return make_report(region.units["Päihdeklinikka"], SPRING, number="PK-2027-7",
                       description="Nuoret käyttävät enemmän", proposal="Matalan kynnyksen vastaanotto nuorille")


# -- the rules -------------------------------------------------------------------------------


def test_the_working_group_adds_regional_rows_typed_or_from_a_report_or_theme(wilma, report):
    theme = make_theme("Nuorten päihteet")
    typed = followup.add_regional_target(wilma, {"target": "  Alueellinen päihdestrategia ", "partners": "Kunnat",
                                                 "done_on": ""})
    from_report = followup.add_regional_target(wilma, {"target": "Matalan kynnyksen vastaanotto",
                                                       "observation_id": str(report.id)})
    from_theme = followup.add_regional_target(wilma, {"target": "Nuorten päihdetyö", "summary_theme_id": theme.id,
                                                      "observation_id": ""})

    assert typed.workshop_id is None and typed.target == "Alueellinen päihdestrategia" and typed.partners == "Kunnat"
    assert typed.status is TargetStatus.PLANNED and typed.done_on is None
    assert (from_report.observation_id, from_report.summary_theme_id) == (report.id, None)
    assert (from_theme.observation_id, from_theme.summary_theme_id) == (None, theme.id)
    assert [row.id for row in followup.regional_targets()] == [typed.id, from_report.id, from_theme.id]
    assert [row.position for row in followup.regional_targets()] == [1, 2, 3]
    sources = followup.target_sources(followup.regional_targets())
    assert sources[typed.id] == followup.Source("typed")
    assert sources[from_report.id] == followup.Source("report", number="PK-2027-7")
    assert sources[from_theme.id] == followup.Source("theme", theme="Nuorten päihteet")


def test_a_regional_row_needs_a_target_and_a_real_source(wilma, report):
    refused(lambda: followup.add_regional_target(wilma, {"target": " "}), 422, "target")
    refused(lambda: followup.add_regional_target(wilma, {"partners": "Kunnat"}), 422, "target")
    refused(lambda: followup.add_regional_target(wilma, {"target": "x" * 301}), 422, "target")
    refused(lambda: followup.add_regional_target(wilma, {"target": "X", "done_on": "31.5.2027"}), 422, "done_on")
    refused(lambda: followup.add_regional_target(wilma, {"target": "X", "observation_id": report.id + 1}), 422,
            "observation_id")
    refused(lambda: followup.add_regional_target(wilma, {"target": "X", "observation_id": "abc"}), 422,
            "observation_id")
    refused(lambda: followup.add_regional_target(wilma, {"target": "X", "summary_theme_id": 77}), 422,
            "summary_theme_id")
    refused(lambda: followup.add_regional_target(wilma, ["target"]), 400)
    assert db.session.scalar(select(func.count()).select_from(DevelopmentTarget)) == 0


@pytest.mark.parametrize("name", ["dora", "hanna", "aatu", "anna", None])
def test_only_the_working_group_changes_regional_rows(wilma, name):
    row = followup.add_regional_target(wilma, {"target": "Päihdestrategia"})
    who = account(name) if name else None
    refused(lambda: followup.add_regional_target(who, {"target": "Toinen"}), 403)
    refused(lambda: followup.update_regional_target(who, row.id, {"target": "Muutettu"}), 403)
    refused(lambda: followup.set_regional_status(who, row.id, {"status": "done"}), 403)
    assert [(found.target, found.status) for found in followup.regional_targets()] == [
        ("Päihdestrategia", TargetStatus.PLANNED)]
    assert db.session.scalar(select(func.count()).select_from(TargetUpdate)) == 0


def test_a_regional_row_is_edited(wilma):
    row = followup.add_regional_target(wilma, {"target": "Päihdestrategia"})
    followup.update_regional_target(wilma, row.id, {"responsible": "Sosiaalijohtaja", "schedule": "2027",
                                                    "done_on": "2027-05-31"})
    row = db.session.get(DevelopmentTarget, row.id)
    assert (row.target, row.responsible, row.schedule, row.done_on) == (
        "Päihdestrategia", "Sosiaalijohtaja", "2027", date(2027, 5, 31))
    refused(lambda: followup.update_regional_target(wilma, row.id, {"target": ""}), 422, "target")
    refused(lambda: followup.update_regional_target(wilma, row.id, {"indicator": "x" * 301}), 422, "indicator")
    refused(lambda: followup.update_regional_target(wilma, 9999, {"target": "X"}), 404)
    refused(lambda: followup.update_regional_target(wilma, 2**80, {"target": "X"}), 404)


def test_the_status_of_a_regional_row_is_logged(wilma):
    row = followup.add_regional_target(wilma, {"target": "Päihdestrategia"})
    first = followup.set_regional_status(wilma, row.id, {"status": "in_progress", "note": "Työryhmä koottu"})
    done = followup.set_regional_status(wilma, row.id, {"status": "done", "note": ""})
    row = db.session.get(DevelopmentTarget, row.id)
    assert row.status is TargetStatus.DONE and row.done_on == followup.today()
    assert (first.account_id, first.note, first.status) == (wilma.id, "Työryhmä koottu", TargetStatus.IN_PROGRESS)
    assert [update.id for update in followup.updates_of([row])[row.id]] == [done.id, first.id]

    assert "Say why" in refused(lambda: followup.set_regional_status(wilma, row.id, {"status": "not_done"}),
                                422, "note").message
    refused(lambda: followup.set_regional_status(wilma, row.id, {"status": "finished"}), 422, "status")
    refused(lambda: followup.set_regional_status(wilma, row.id, {"status": "done", "note": "x" * 501}), 422, "note")
    refused(lambda: followup.set_regional_status(wilma, 9999, {"status": "done"}), 404)

    followup.set_regional_status(wilma, row.id, {"status": "not_done", "note": "Rahoitus ei riittänyt"})
    row = db.session.get(DevelopmentTarget, row.id)
    assert row.status is TargetStatus.NOT_DONE and row.done_on is None  # not done after all: no date
    assert len(followup.updates_of([row])[row.id]) == 3


# -- the workshops' rows beside them ---------------------------------------------------------


@pytest.fixture
def workshop_rows(room):
    """Two rows of the room's workshop: one from a development idea, one typed."""
    idea = ideas.create(room.workshop, room.staff, {"statement": "Päiväkeskus auki kahdeksalta"})
    (from_idea,) = followup.create_from_ideas(room.workshop, room.staff)
    typed = followup.add_target(room.workshop, room.staff, {"target": "Hiljainen huone"})
    return {"idea": idea, "from_idea": from_idea, "typed": typed}


def test_workshop_rows_are_listed_after_the_regional_ones_but_not_changed_here(region, wilma, report, room,
                                                                               workshop_rows):
    regional = followup.add_regional_target(wilma, {"target": "Päihdestrategia", "observation_id": report.id})
    from_idea, typed = workshop_rows["from_idea"], workshop_rows["typed"]

    assert [row.id for row in followup.all_targets()] == [regional.id, from_idea.id, typed.id]
    assert [row.id for row in followup.regional_targets()] == [regional.id]
    sources = followup.target_sources(followup.all_targets())
    assert sources[from_idea.id] == followup.Source("workshop", workshop="Päiväkeskus Kalliola",
                                                    idea="Päiväkeskus auki kahdeksalta")
    assert sources[typed.id] == followup.Source("workshop", workshop="Päiväkeskus Kalliola")

    # The working group cannot change a workshop's row; its facilitator can.
    assert "facilitator" in refused(
        lambda: followup.update_regional_target(wilma, typed.id, {"target": "Muutettu"}), 403).message
    refused(lambda: followup.set_regional_status(wilma, typed.id, {"status": "done"}), 403)
    assert db.session.get(DevelopmentTarget, typed.id).target == "Hiljainen huone"
    # Nor the facilitator a regional row through the workshop's rules.
    refused(lambda: followup.update_target(room.workshop, room.staff, regional.id, {"target": "X"}), 404)
    refused(lambda: followup.set_status(room.workshop, room.staff, regional.id, {"status": "done"}), 404)
    assert [row.id for row in followup.targets_of(room.workshop)] == [from_idea.id, typed.id]
    assert [state["id"] for state in followup.public_states(room.workshop)] == [from_idea.id, typed.id]


def test_rows_of_several_workshops_are_grouped_by_workshop(region, wilma, room):
    from workshop.workshops import create_workshop

    later = create_workshop("Nuorisotalo", "Pori")
    b = followup.add_target(later, room.staff, {"target": "B"})
    a = followup.add_target(room.workshop, room.staff, {"target": "A"})
    regional = followup.add_regional_target(wilma, {"target": "R"})
    assert [row.id for row in followup.all_targets()] == [regional.id, a.id, b.id]


# -- the page --------------------------------------------------------------------------------


def login(client, name: str):
    """Log `client` in as `name`, reading English."""
    from tests.conftest import PASSWORD

    assert client.post("/facilitator/login", data={"username": name, "password": PASSWORD}).status_code == 303
    with client.session_transaction() as session:
        session["lang"] = "en"
    return client


@pytest.fixture
def page_world(app, organisation, make_account, make_workshop):
    """A report with a proposal, a theme, and a workshop with a row of its own."""
    make_account("anna", "facilitator")
    workshop = make_workshop(title="Päiväkeskus Kalliola")
    with app.app_context():
        from workshop.actors import Actor
        from workshop.models import Workshop

        report = make_report(organisation.units["Päihdeklinikka"], utc(2027, 3, 1, 9), number="PK-2027-7",
                             proposal="Matalan kynnyksen vastaanotto nuorille")
        theme = make_theme("Nuorten päihteet")
        row = followup.add_target(db.session.get(Workshop, workshop["id"]), Actor(account=account("anna")),
                                  {"target": "Hiljainen huone", "responsible": "Päiväkeskuksen johtaja"})
        return {"report": report.id, "theme": theme.id, "workshop_row": row.id}


def regional_ids(app) -> list[int]:
    with app.app_context():
        return [row.id for row in followup.regional_targets()]


def test_the_working_group_makes_a_target_from_a_report_and_follows_it(client, app, page_world):
    login(client, "wilma")
    page = main_of(client.get(f"/summary/reports/{page_world['report']}").get_data(as_text=True))
    link = f'/summary/targets?observation_id={page_world["report"]}#add-heading'
    assert f'href="{link}"' in page and "Make a development target from this report" in page

    page = main_of(client.get(link.split("#")[0]).get_data(as_text=True))
    assert "From report PK-2027-7." in page
    assert re.search(r'name="new-target" rows="2">\s*Matalan kynnyksen vastaanotto nuorille</textarea>', page)
    assert f'name="observation_id" value="{page_world["report"]}"' in page

    response = client.post("/summary/targets", data={"action": "add", "observation_id": str(page_world["report"]),
                                                     "new-target": "Matalan kynnyksen vastaanotto",
                                                     "new-responsible": "Päihdepalveluiden päällikkö"})
    (row_id,) = regional_ids(app)
    assert response.status_code == 303 and response.headers["Location"].endswith(f"#target-{row_id}")

    response = client.post("/summary/targets", data={"action": "edit", "target_id": str(row_id),
                                                     f"edit-{row_id}-target": "Matalan kynnyksen vastaanotto Poriin",
                                                     f"edit-{row_id}-schedule": "Syksy 2027"})
    assert response.status_code == 303
    response = client.post("/summary/targets", data={"action": "status", "target_id": str(row_id),
                                                     f"status-{row_id}-status": "in_progress",
                                                     f"status-{row_id}-note": "Tilat haussa"})
    assert response.status_code == 303

    page = main_of(client.get("/summary/targets").get_data(as_text=True))
    assert "The status was changed." in page
    assert "Matalan kynnyksen vastaanotto Poriin" in page and "Syksy 2027" in page and "Tilat haussa" in page
    assert f'<a href="/summary/reports/{page_world["report"]}">Report PK-2027-7</a>' in page
    # The workshop's row: in the table with its workshop, with no forms of its own.
    assert "Hiljainen huone" in page and "Workshop: Päiväkeskus Kalliola" in page
    assert f'name="target_id" value="{page_world["workshop_row"]}"' not in page
    assert page.index("Matalan kynnyksen vastaanotto Poriin") < page.index("Hiljainen huone")
    # The report's page lists the target made from it.
    page = main_of(client.get(f"/summary/reports/{page_world['report']}").get_data(as_text=True))
    assert "Matalan kynnyksen vastaanotto Poriin" in page and "In progress" in page


def test_a_target_from_a_theme_is_prefilled_with_its_name(client, app, page_world):
    login(client, "wilma")
    page = main_of(client.get(f"/summary/targets?theme_id={page_world['theme']}").get_data(as_text=True))
    assert "From the theme “Nuorten päihteet”." in page
    assert f'name="summary_theme_id" value="{page_world["theme"]}"' in page
    response = client.post("/summary/targets", data={"action": "add", "summary_theme_id": str(page_world["theme"]),
                                                     "new-target": "Nuorten päihdetyö"})
    assert response.status_code == 303
    page = main_of(client.get("/summary/targets").get_data(as_text=True))
    assert "Theme: Nuorten päihteet" in page


def test_refused_target_forms_say_why(client, app, page_world):
    login(client, "wilma")
    response = client.post("/summary/targets", data={"action": "add", "observation_id": str(page_world["report"]),
                                                     "new-target": ""})
    assert response.status_code == 422
    page = main_of(response.get_data(as_text=True))
    assert "Write the development target first." in page and 'aria-invalid="true"' in page
    # The source stays with the refused form.
    assert f'name="observation_id" value="{page_world["report"]}"' in page

    client.post("/summary/targets", data={"action": "add", "new-target": "Päihdestrategia"})
    (row_id,) = regional_ids(app)
    response = client.post("/summary/targets", data={"action": "status", "target_id": str(row_id),
                                                     f"status-{row_id}-status": "not_done",
                                                     f"status-{row_id}-note": ""})
    assert response.status_code == 422 and "Say why this will not be done." in response.get_data(as_text=True)
    response = client.post("/summary/targets", data={"action": "edit", "target_id": str(row_id),
                                                     f"edit-{row_id}-done_on": "huomenna"})
    assert response.status_code == 422 and "<details open>" in response.get_data(as_text=True)

    # A workshop's row is not the working group's to change.
    workshop_row = page_world["workshop_row"]
    assert client.post("/summary/targets", data={"action": "edit", "target_id": str(workshop_row),
                                                 f"edit-{workshop_row}-target": "Muutettu"}).status_code == 403
    assert client.post("/summary/targets", data={"action": "status", "target_id": str(workshop_row),
                                                 f"status-{workshop_row}-status": "done"}).status_code == 403
    assert client.post("/summary/targets", data={"action": "edit", "target_id": "99999",
                                                 "edit-99999-target": "X"}).status_code == 404
    with app.app_context():
        assert db.session.get(DevelopmentTarget, workshop_row).target == "Hiljainen huone"


def test_a_director_reads_the_tracker_and_its_log(client, app, page_world):
    with app.app_context():
        row = followup.add_regional_target(account("wilma"), {"target": "Päihdestrategia"})
        followup.set_regional_status(account("wilma"), row.id, {"status": "in_progress", "note": "Aloitettu"})
    login(client, "teo")
    page = main_of(client.get("/summary/targets").get_data(as_text=True))
    assert "Päihdestrategia" in page and "Aloitettu" in page and "Hiljainen huone" in page
    assert 'method="post"' not in page and "Add a development target" not in page


# -- the forms as a browser sends them (CSRF on) ---------------------------------------------


@pytest.fixture
def csrf_client(app_factory, organisation, make_account):
    """A client of an app that checks CSRF tokens, as deployed, logged in as wilma; and a
    worker (ville)."""
    make_account("ville", "worker")
    app = app_factory(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    page = client.get("/facilitator/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    from tests.conftest import PASSWORD

    response = client.post("/facilitator/login", data={"username": "wilma", "password": PASSWORD,
                                                       "csrf_token": token})
    assert response.status_code == 303
    with client.session_transaction() as session:
        session["lang"] = "en"
    return app, client


def test_every_form_works_with_the_names_the_page_gives_it(csrf_client):
    app, client = csrf_client
    with app.app_context():
        theme = make_theme("Nuorten päihteet")
        report = make_report(1, utc(2027, 3, 1, 9), proposal="Vastaanotto")
        theme_id, report_id = theme.id, report.id

    # Add a regional row with the add form's own fields.
    page = client.get(f"/summary/targets?observation_id={report_id}").get_data(as_text=True)
    (add,) = [form for form in post_forms(page) if form["fields"].get("action") == "add"]
    assert add["fields"]["observation_id"] == str(report_id)
    assert client.post(add["action"], data={**add["fields"], "new-target": "Vastaanotto"}).status_code == 303
    # Its status form.
    page = client.get("/summary/targets").get_data(as_text=True)
    (status,) = [form for form in post_forms(page) if form["fields"].get("action") == "status"]
    row_id = status["fields"]["target_id"]
    fields = {**status["fields"], f"status-{row_id}-status": "done", f"status-{row_id}-note": "Valmis"}
    assert client.post(status["action"], data=fields).status_code == 303

    # Follow a theme with its button, then tag the report.
    page = client.get("/summary/themes").get_data(as_text=True)
    (follow,) = [form for form in post_forms(page) if form["fields"].get("action") == "follow"]
    assert client.post(follow["action"], data=follow["fields"]).status_code == 303
    page = client.get(f"/summary/reports/{report_id}").get_data(as_text=True)
    (tags,) = [form for form in post_forms(page) if form["action"].startswith("/summary/reports/")]
    response = client.post(tags["action"], data={**{name: value for name, value in tags["fields"].items()
                                                     if name not in ("needs", "theme_ids")},
                                                  "needs": ["housing"], "theme_ids": [str(theme_id)]})
    assert response.status_code == 303

    # A theme's conclusion and a new theme (forms with a prefix), and a street note's themes.
    page = client.get("/summary/themes").get_data(as_text=True)
    (conclusion,) = [form for form in post_forms(page) if form["fields"].get("action") == "conclusion"]
    response = client.post(conclusion["action"], data={**conclusion["fields"],
                                                       f"conclusion-{theme_id}-conclusion": "Kasvaa"})
    assert response.status_code == 303
    (add_theme,) = [form for form in post_forms(page) if form["fields"].get("action") == "add"]
    assert client.post(add_theme["action"], data={**add_theme["fields"], "new-name": "Yöelämä"}).status_code == 303
    with app.app_context():
        note_id = make_street_note(account("ville"), periods.local_midnight(periods.local_today())).id
    page = client.get("/summary/street-notes").get_data(as_text=True)
    (note_form,) = [form for form in post_forms(page) if form["fields"].get("action") == "themes"]
    response = client.post(note_form["action"], data={**note_form["fields"],
                                                      f"note-{note_id}-theme_ids": [str(theme_id)]})
    assert response.status_code == 303

    # Without the token nothing is done (the app's CSRF protection refuses it first).
    response = client.post("/summary/themes", data={"action": "unfollow", "theme_id": str(theme_id)})
    assert response.status_code == 400

    with app.app_context():
        (row,) = followup.regional_targets()
        assert row.status is TargetStatus.DONE and row.observation_id == report_id
        followed = db.session.get(SummaryTheme, theme_id)
        assert followed.followed is True and followed.conclusion == "Kasvaa"
        assert [theme.name for theme in themes.all_themes()] == ["Nuorten päihteet", "Yöelämä"]
        assert [theme.id for theme in themes.street_note_themes([note_id])[note_id]] == [theme_id]
        assert [need.value for need in themes.report_tags([report_id])[report_id].needs] == ["housing"]
