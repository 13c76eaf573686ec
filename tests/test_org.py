"""The organisation settings of professionals' social reporting (issue 7): the rules, the
admin's pages, and the import command `flask --app workshop org import FILE`."""
from __future__ import annotations

import html
import re
import uuid
from datetime import datetime, timezone

import pytest
from flask_babel import force_locale

from workshop import org
from workshop.accounts import username_key
from workshop.extensions import db
from workshop.models import (Account, Area, Observation, Organisation, Role, Sector, Service, StreetNature, Unit)
from workshop.problems import Problem

from .conftest import FORM_KEY, PASSWORD


def account_id(name: str) -> int:
    """The id of the account called `name` (inside an app context)."""
    return db.session.scalar(db.select(Account.id).where(Account.username_key == username_key(name)))


def refused(action, status: int = 422, field: str | None = None) -> Problem:
    """Run `action`, assert it is refused with `status` (and `field`); return the refusal."""
    with pytest.raises(Problem) as caught:
        action()
    assert caught.value.status == status, caught.value.message
    if field is not None:
        assert caught.value.field == field
    db.session.rollback()
    return caught.value


def snapshot() -> tuple:
    """Everything the settings hold, as plain values: equal snapshots mean nothing changed."""
    return (
        [(o.name, o.form_key) for o in db.session.scalars(db.select(Organisation).order_by(Organisation.id))],
        [(s.name, s.director_id, s.active, s.position)
         for s in db.session.scalars(db.select(Sector).order_by(Sector.id))],
        [(u.sector_id, u.name, u.supervisor_id, u.active, u.position)
         for u in db.session.scalars(db.select(Unit).order_by(Unit.id))],
        [(a.name, a.municipality_id, a.active, a.position)
         for a in db.session.scalars(db.select(Area).order_by(Area.id))],
        [(s.name, s.active, s.position) for s in db.session.scalars(db.select(Service).order_by(Service.id))],
    )


def state() -> dict:
    """The settings as names: what a file describes (sector → director, units, ...)."""
    def who(account):
        return account.username if account else None

    return {
        "organisation": [o.name for o in db.session.scalars(db.select(Organisation))],
        "sectors": {s.name: (who(s.director), s.active) for s in db.session.scalars(db.select(Sector))},
        "units": {(u.sector.name, u.name): (who(u.supervisor), u.active) for u in db.session.scalars(db.select(Unit))},
        "areas": {a.name: (a.municipality.name if a.municipality else None, a.active)
                  for a in db.session.scalars(db.select(Area))},
        "services": {s.name: s.active for s in db.session.scalars(db.select(Service))},
    }


# -- the rules --------------------------------------------------------------------------------


def test_names_are_trimmed_unique_in_any_case_and_at_most_120_characters(app_context, organisation):
    sector = org.add_sector({"name": "  Vanhus-   ja vammaispalvelut \n"})
    assert sector.name == "Vanhus- ja vammaispalvelut"
    problem = refused(lambda: org.add_sector({"name": "terveyspalvelut"}), field="name")
    assert "Terveyspalvelut" in str(problem.message)
    refused(lambda: org.add_sector({"name": "   "}), field="name")
    refused(lambda: org.add_service({"name": "x" * 121}), field="name")
    assert org.add_service({"name": "x" * 120}).name == "x" * 120
    refused(lambda: org.add_area({"name": "ULVILA"}), field="name")
    refused(lambda: org.update_service(organisation.services["Lastensuojelu"], {"name": "Päihdepalvelut"}),
            field="name")
    # Renaming to its own name in another case is no clash with itself.
    assert org.update_service(organisation.services["Lastensuojelu"], {"name": "LASTENSUOJELU"}).name == "LASTENSUOJELU"


def test_a_units_name_is_unique_within_its_sector_only(app_context, organisation):
    family, health = organisation.sectors["Perhe- ja sosiaalipalvelut"], organisation.sectors["Terveyspalvelut"]
    refused(lambda: org.add_unit({"sector": family, "name": "lastensuojelu"}), field="name")
    unit = org.add_unit({"sector": health, "name": "Lastensuojelu"})
    assert unit.sector_id == health and unit.position == 2
    # Moving a unit into a sector that has one of its name is refused too.
    refused(lambda: org.update_unit(unit.id, {"sector": family, "name": "Lastensuojelu"}), field="name")
    refused(lambda: org.add_unit({"sector": "", "name": "Uusi"}), field="sector")
    refused(lambda: org.add_unit({"sector": 999, "name": "Uusi"}), field="sector")


def test_a_unit_can_move_to_another_sector_and_its_reports_go_with_it(app_context, organisation):
    unit_id = organisation.units["Päihdeklinikka"]
    family = organisation.sectors["Perhe- ja sosiaalipalvelut"]
    moved = org.update_unit(unit_id, {"sector": family, "name": "Päihdeklinikka", "supervisor": account_id("hilla")})
    assert moved.sector.name == "Perhe- ja sosiaalipalvelut" and moved.sector.director.username == "dora"
    assert moved.position == 3  # last in its new sector


def test_the_director_and_supervisor_must_be_active_accounts_with_that_role(app_context, organisation):
    health = organisation.sectors["Terveyspalvelut"]
    refused(lambda: org.update_sector(health, {"name": "Terveyspalvelut", "director": account_id("hanna")}),
            field="director")
    refused(lambda: org.add_sector({"name": "Uusi", "director": 99999}), field="director")
    unit = organisation.units["Päihdeklinikka"]
    refused(lambda: org.update_unit(unit, {"sector": health, "name": "Päihdeklinikka",
                                           "supervisor": account_id("dora")}), field="supervisor")
    # None is a valid choice for both.
    assert org.update_sector(health, {"name": "Terveyspalvelut", "director": ""}).director_id is None
    assert org.update_unit(unit, {"sector": health, "name": "Päihdeklinikka", "supervisor": ""}).supervisor_id is None
    # A deactivated account is refused, by name.
    account = db.session.get(Account, account_id("heikki"))
    account.active = False
    db.session.commit()
    problem = refused(lambda: org.update_unit(unit, {"sector": health, "name": "Päihdeklinikka",
                                                     "supervisor": account.id}), field="supervisor")
    assert "heikki" in str(problem.message)


def test_retiring_takes_it_off_the_form_but_keeps_the_reports_references(app_context, organisation):
    unit_id, area_id = organisation.units["Lastensuojelu"], organisation.areas["Ulvila"]
    service_id = organisation.services["Päihdepalvelut"]
    report = Observation(number="K-TEST-1", uuid=str(uuid.uuid4()), body_hash="0" * 64, unit_id=unit_id,
                         nature=StreetNature.NEGATIVE, description="Asunnottomuus kasvaa", area_id=area_id,
                         service_id=service_id, written_at=datetime(2026, 3, 1, tzinfo=timezone.utc))
    db.session.add(report)
    db.session.commit()

    org.set_active("unit", unit_id, False)
    org.set_active("area", area_id, False)
    org.set_active("service", service_id, False)
    assert org.active_unit(unit_id) is None and org.active_area(area_id) is None
    assert "Lastensuojelu" not in [name for _s, units in org.unit_choices() for _id, name in units]
    assert (area_id, "Ulvila") not in org.area_choices()
    assert (service_id, "Päihdepalvelut") not in org.service_choices()
    report = db.session.get(Observation, report.id)
    assert (report.unit.name, report.area.name, report.service.name) == ("Lastensuojelu", "Ulvila", "Päihdepalvelut")
    # Still listed for the admin and the summaries.
    assert "Lastensuojelu" in [name for _s, units in org.unit_choices(active_only=False) for _id, name in units]

    org.set_active("unit", unit_id, True)
    assert org.active_unit(unit_id) is not None
    # A retired sector takes its units off the form.
    org.set_active("sector", organisation.sectors["Perhe- ja sosiaalipalvelut"], False)
    assert org.active_unit(unit_id) is None
    refused(lambda: org.set_active("unit", 99999, False), status=404)
    refused(lambda: org.set_active("report", unit_id, False), status=404)


def test_areas_go_one_level_deep(app_context, organisation):
    pori, north = organisation.areas["Pori"], organisation.areas["Pori, pohjoinen alue"]
    ulvila = organisation.areas["Ulvila"]
    problem = refused(lambda: org.add_area({"name": "Pori, keskusta", "municipality": north}), field="municipality")
    assert "Pori" in str(problem.message)
    # A municipality with areas inside it cannot go inside another.
    refused(lambda: org.update_area(pori, {"name": "Pori", "municipality": ulvila}), field="municipality")
    refused(lambda: org.update_area(ulvila, {"name": "Ulvila", "municipality": ulvila}), field="municipality")
    refused(lambda: org.add_area({"name": "Jossain", "municipality": 99999}), field="municipality")
    inside = org.add_area({"name": "Ulvila, keskusta", "municipality": ulvila})
    assert inside.municipality.name == "Ulvila"
    # An area can be made a municipality of its own, and moved to another one.
    assert org.update_area(north, {"name": "Pori, pohjoinen alue", "municipality": ""}).municipality is None
    assert org.update_area(north, {"name": "Pori, pohjoinen alue", "municipality": ulvila}).municipality_id == ulvila
    # Not into a retired municipality.
    org.set_active("area", pori, False)
    refused(lambda: org.update_area(north, {"name": "Pori, pohjoinen alue", "municipality": pori}),
            field="municipality")


def test_the_organisations_name_and_a_new_form_key(app_context, organisation):
    assert org.set_organisation_name({"name": "  Satakunta  "}).name == "Satakunta"
    refused(lambda: org.set_organisation_name({"name": "x" * 201}), field="name")
    assert org.form_key_matches(FORM_KEY)
    renewed = org.renew_form_key()
    assert renewed.form_key != FORM_KEY and len(renewed.form_key) >= 32
    assert not org.form_key_matches(FORM_KEY) and org.form_key_matches(renewed.form_key)


def test_accounts_of_the_reporting_roles(app_context, organisation):
    made = org.create_staff_account({"username": " Wendla ", "password": PASSWORD, "password_again": PASSWORD,
                                     "role": "working_group"})
    assert (made.username, made.role) == ("Wendla", Role.WORKING_GROUP)
    refused(lambda: org.create_staff_account({"username": "x", "password": PASSWORD, "role": "facilitator"}),
            field="role")
    refused(lambda: org.create_staff_account({"username": "x", "password": PASSWORD, "password_again": "other",
                                              "role": "admin"}), field="password_again")
    refused(lambda: org.create_staff_account({"username": "wendla", "password": PASSWORD, "role": "admin"}),
            field="username")
    refused(lambda: org.create_staff_account({"username": "x", "password": "short", "role": "admin"}),
            field="password")
    groups = dict(org.staff_accounts())
    assert [account.username for account in groups[Role.DIRECTOR]] == ["dora", "teo"]
    assert list(groups) == [Role.HANDLER, Role.DIRECTOR, Role.WORKING_GROUP, Role.ADMIN]


def test_deactivating_an_account(app_context, organisation):
    admin = db.session.get(Account, account_id("aatu"))
    problem = refused(lambda: org.set_account_active(admin, admin.id, False), status=409)
    with force_locale("en"):
        assert "your own" in str(problem.message)
    # Someone who receives reports is replaced first.
    problem = refused(lambda: org.set_account_active(admin, account_id("dora"), False), status=409)
    assert "Perhe- ja sosiaalipalvelut" in str(problem.message)
    refused(lambda: org.set_account_active(admin, account_id("hilla"), False), status=409)
    assert org.set_account_active(admin, account_id("wilma"), False).active is False
    assert org.set_account_active(admin, account_id("wilma"), True).active is True
    # Once the unit is retired, its supervisor can go.
    org.set_active("unit", organisation.units["Päihdeklinikka"], False)
    assert org.set_account_active(admin, account_id("hilla"), False).active is False
    refused(lambda: org.set_account_active(admin, 99999, False), status=404)


# -- the admin's pages ------------------------------------------------------------------------

PAGES = ["/org/", "/org/units", "/org/areas", "/org/services", "/org/accounts"]


@pytest.mark.parametrize("role", ["facilitator", "worker", "handler", "director", "working_group"])
def test_only_an_admin_opens_the_settings(client, make_account, role):
    make_account("someone", role).login(client)
    for page in PAGES:
        assert client.get(page).status_code == 403, page
        assert client.post(page, data={"action": "service-add", "service-add-name": "X"}).status_code == 403, page


def test_anonymous_is_sent_to_log_in(client):
    for page in PAGES:
        response = client.get(page)
        assert response.status_code == 302 and "/facilitator/login" in response.headers["Location"]
        assert client.post(page, data={"action": "service-add"}).status_code == 302


@pytest.fixture
def admin(client, organisation):
    """The client, logged in as aatu, the admin of the seeded organisation."""
    assert organisation.accounts["aatu"].login(client).status_code == 303
    with client.session_transaction() as session:
        session["lang"] = "en"  # the page's words are compared in English
    return client


def page_text(response) -> str:
    """The page's visible text, in one line (tags dropped, blanks collapsed)."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


def test_the_overview_shows_the_forms_address_and_its_qr_code(admin):
    response = admin.get("/org/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Satakunnan hyvinvointialue" in html
    assert f"http://localhost/observe/{FORM_KEY}" in html
    assert re.search(r'role="img" aria-label="[^"]+"><svg ', html)
    for page in PAGES[1:]:
        assert f'href="{page}"' in html


def test_a_new_key_needs_the_box_ticked(admin, app):
    response = admin.post("/org/", data={"action": "renew-key"})
    assert response.status_code == 422
    assert "Tick the box first" in page_text(response)
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    response = admin.post("/org/", data={"action": "renew-key", "renew-confirm": "y"})
    assert response.status_code == 303
    with app.app_context():
        new_key = org.organisation().form_key
    assert new_key != FORM_KEY
    page = admin.get("/org/").get_data(as_text=True)
    assert f"/observe/{new_key}" in page and FORM_KEY not in page
    assert "The form has a new address" in page


def test_renaming_the_organisation(admin, app):
    response = admin.post("/org/", data={"action": "organisation-name", "organisation-name": ""})
    assert response.status_code == 422 and "Give a name." in page_text(response)
    response = admin.post("/org/", data={"action": "organisation-name", "organisation-name": "Satakunta"})
    assert response.status_code == 303
    with app.app_context():
        assert org.organisation().name == "Satakunta"


def test_adding_and_refusing_a_sector_and_a_unit_on_the_page(admin, organisation, app):
    with app.app_context():
        teo = account_id("teo")
    response = admin.post("/org/units", data={"action": "sector-add", "sector-add-name": "Ikääntyneiden palvelut",
                                              "sector-add-director": str(teo)})
    assert response.status_code == 303 and response.headers["Location"].startswith("/org/units#sector-")
    page = admin.get("/org/units")
    assert "The sector Ikääntyneiden palvelut was added." in page_text(page)

    response = admin.post("/org/units", data={"action": "sector-add", "sector-add-name": "terveyspalvelut"})
    assert response.status_code == 422
    assert "There is already a sector called Terveyspalvelut." in page_text(response)
    html = response.get_data(as_text=True)
    assert 'id="sector-add-name-error"' in html and 'aria-invalid="true"' in html

    health = organisation.sectors["Terveyspalvelut"]
    with app.app_context():
        hanna = account_id("hanna")
        dora = account_id("dora")
    response = admin.post("/org/units", data={"action": "unit-add", "unit-add-name": "Kotihoito",
                                              "unit-add-sector": str(health), "unit-add-supervisor": str(dora)})
    assert response.status_code == 422
    assert "Choose a supervisor: an account with the supervisor's role." in page_text(response)
    response = admin.post("/org/units", data={"action": "unit-add", "unit-add-name": "Kotihoito",
                                              "unit-add-sector": str(health), "unit-add-supervisor": str(hanna)})
    assert response.status_code == 303
    with app.app_context():
        unit = db.session.scalar(db.select(Unit).where(Unit.name == "Kotihoito"))
        assert (unit.sector.name, unit.supervisor.username) == ("Terveyspalvelut", "hanna")


def test_editing_a_unit_refused_opens_its_form_with_the_message(admin, organisation):
    unit = organisation.units["Päihdeklinikka"]
    response = admin.post("/org/units", data={
        "action": "unit-edit", "item_id": str(unit), f"unit-edit-{unit}-name": "",
        f"unit-edit-{unit}-sector": str(organisation.sectors["Terveyspalvelut"])})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(r'<details class="org-edit" open>\s*<summary[^>]*>Edit<span class="visually-hidden">: '
                     r'Päihdeklinikka', html)
    assert f'id="unit-edit-{unit}-name-error">Give a name.' in html


def test_retiring_and_reactivating_on_the_page(admin, organisation, app):
    unit = organisation.units["Lastensuojelu"]
    response = admin.post("/org/units", data={"action": "unit-retire", "item_id": str(unit)})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"#unit-{unit}")
    text = page_text(admin.get("/org/units"))
    assert "Lastensuojelu was retired: it is no longer on the form." in text
    assert "Lastensuojelu Retired: not on the form" in text
    assert admin.post("/org/units", data={"action": "unit-reactivate", "item_id": str(unit)}).status_code == 303
    with app.app_context():
        assert db.session.get(Unit, unit).active
    # A row that is not there is a message, not a crash.
    response = admin.post("/org/units", data={"action": "unit-retire", "item_id": "99999"})
    assert response.status_code == 303
    assert "There is no such thing to change" in page_text(admin.get("/org/units"))
    # An unknown action or a missing row id is "not right", never a 500.
    for data in ({"action": "drop-tables"}, {"action": "unit-retire"}, {"action": "unit-retire", "item_id": "x"}):
        assert admin.post("/org/units", data=data).status_code == 303


def test_areas_and_services_on_their_pages(admin, organisation, app):
    north = organisation.areas["Pori, pohjoinen alue"]
    response = admin.post("/org/areas", data={"action": "area-add", "area-add-name": "Pori, keskusta",
                                              "area-add-municipality": str(north)})
    assert response.status_code == 422
    assert "Areas go one level deep" in page_text(response)
    response = admin.post("/org/areas", data={"action": "area-add", "area-add-name": "Kankaanpää"})
    assert response.status_code == 303
    text = page_text(admin.get("/org/areas"))
    assert "The area Kankaanpää was added." in text

    service = organisation.services["Lastensuojelu"]
    response = admin.post("/org/services", data={"action": "service-edit", "item_id": str(service),
                                                 f"service-edit-{service}-name": "Lastensuojelun avohuolto"})
    assert response.status_code == 303
    assert "The service Lastensuojelun avohuolto was saved." in page_text(admin.get("/org/services"))


def test_the_accounts_page(admin, organisation, app):
    html = admin.get("/org/accounts").get_data(as_text=True)
    text = page_text(admin.get("/org/accounts"))
    assert "<caption" in html and 'scope="row">dora<' in html
    assert "This is you" in text  # aatu has no button to deactivate themselves
    with app.app_context():
        dora, wilma = account_id("dora"), account_id("wilma")
    response = admin.post("/org/accounts", data={"action": "account-deactivate", "item_id": str(dora)})
    assert response.status_code == 422
    assert "dora is the director of Perhe- ja sosiaalipalvelut." in page_text(response)
    response = admin.post("/org/accounts", data={"action": "account-deactivate", "item_id": str(wilma)})
    assert response.status_code == 303
    assert "wilma was deactivated and can no longer log in." in page_text(admin.get("/org/accounts"))

    response = admin.post("/org/accounts", data={
        "action": "account-add", "account-add-username": "Hessu", "account-add-role": "handler",
        "account-add-password": PASSWORD, "account-add-password_again": PASSWORD + "x"})
    assert response.status_code == 422 and "The two passwords are not the same." in page_text(response)
    response = admin.post("/org/accounts", data={
        "action": "account-add", "account-add-username": "Hessu", "account-add-role": "handler",
        "account-add-password": PASSWORD, "account-add-password_again": PASSWORD})
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(Account, account_id("hessu")).role is Role.HANDLER


def test_the_forms_carry_their_csrf_token(app_factory, organisation):
    app = app_factory(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    page = client.get("/facilitator/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/facilitator/login", data={"username": "aatu", "password": PASSWORD, "csrf_token": token})
    page = client.get("/org/services").get_data(as_text=True)
    token = re.search(r'name="service-add-csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    forged = client.post("/org/services", data={"action": "service-add", "service-add-name": "Kotihoito"})
    assert forged.status_code == 400
    response = client.post("/org/services", data={"action": "service-add", "service-add-name": "Kotihoito",
                                                  "service-add-csrf_token": token})
    assert response.status_code == 303
    with app.app_context():
        assert [name for _id, name in org.service_choices()][-1] == "Kotihoito"
        assert len(org.service_choices()) == 4


def test_the_first_admin_finds_a_form_address_made_for_them(client, make_account, app):
    make_account("aatu", "admin").login(client)
    response = client.get("/org/")
    assert response.status_code == 200
    with app.app_context():
        key = org.organisation().form_key
    assert f"/observe/{key}" in response.get_data(as_text=True)


def test_a_deactivated_admin_is_logged_out(admin, app, organisation):
    with app.app_context():
        db.session.get(Account, account_id("aatu")).active = False
        db.session.commit()
    assert admin.get("/org/").status_code == 302


# -- the import -------------------------------------------------------------------------------


GOOD_CSV = """kind,name,parent,account,active
organisation,Satakunnan hyvinvointialue,,,
sector,Perhe- ja sosiaalipalvelut,,dora,
sector,Ikääntyneiden palvelut,,teo,yes
unit,Aikuissosiaalityö,Perhe- ja sosiaalipalvelut,heikki,
unit,Kotihoito,Ikääntyneiden palvelut,hanna,
unit,Lastensuojelu,Perhe- ja sosiaalipalvelut,heikki,no
area,Pori,,,
area,"Pori, länsi",Pori,,
area,Harjavalta,,,
area,"Harjavalta, keskusta",Harjavalta,,
service,Päihdepalvelut,,,no
service,Vanhuspalvelut,,,
"""


def invoke(runner, app, *args: str, input: str | None = None):
    """Run `flask ARGS` in English (the command line speaks Finnish by default)."""
    with app.app_context(), force_locale("en"):
        return runner.invoke(args=list(args), input=input)


def write(tmp_path, name: str, content: str | bytes):
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return str(path)


def test_a_good_csv_file_is_merged_into_the_settings(runner, app, organisation, tmp_path):
    result = invoke(runner, app, "org", "import", write(tmp_path, "org.csv", GOOD_CSV))
    assert result.exit_code == 0, result.output
    assert "The file was imported." in result.output
    assert "Sectors: 1 added, 0 updated, 1 unchanged" in result.output
    assert "Units: 1 added, 2 updated, 0 unchanged" in result.output
    with app.app_context():
        now = state()
    assert now["sectors"] == {"Perhe- ja sosiaalipalvelut": ("dora", True), "Terveyspalvelut": ("teo", True),
                              "Ikääntyneiden palvelut": ("teo", True)}
    assert now["units"] == {("Perhe- ja sosiaalipalvelut", "Aikuissosiaalityö"): ("heikki", True),
                            ("Perhe- ja sosiaalipalvelut", "Lastensuojelu"): ("heikki", False),
                            ("Terveyspalvelut", "Päihdeklinikka"): ("hilla", True),
                            ("Ikääntyneiden palvelut", "Kotihoito"): ("hanna", True)}
    assert now["areas"] == {"Pori": (None, True), "Pori, pohjoinen alue": ("Pori", True),
                            "Pori, itäinen alue": ("Pori", True), "Ulvila": (None, True),
                            "Pori, länsi": ("Pori", True), "Harjavalta": (None, True),
                            "Harjavalta, keskusta": ("Harjavalta", True)}
    assert now["services"] == {"Päihdepalvelut": False, "Lastensuojelu": True, "Työikäisten sosiaalipalvelut": True,
                               "Vanhuspalvelut": True}
    # The same file again changes nothing.
    again = invoke(runner, app, "org", "import", write(tmp_path, "org.csv", GOOD_CSV))
    assert again.exit_code == 0 and "0 added, 0 updated" in again.output
    with app.app_context():
        assert state() == now


def test_a_spreadsheets_semicolon_csv_with_a_byte_order_mark(runner, app, make_account, tmp_path):
    make_account("dora", "director")
    content = "\ufeffKind;Name;Parent;Account\nsector;Perhe- ja sosiaalipalvelut;;Dora\r\n" \
              "unit;Aikuissosiaalityö;Perhe- ja sosiaalipalvelut;\r\n\r\nservice;Lastensuojelu, avohuolto;;\r\n"
    result = invoke(runner, app, "org", "import", write(tmp_path, "org.CSV", content.encode("utf-8")))
    assert result.exit_code == 0, result.output
    with app.app_context():
        now = state()
    assert now["sectors"] == {"Perhe- ja sosiaalipalvelut": ("dora", True)}
    assert now["units"] == {("Perhe- ja sosiaalipalvelut", "Aikuissosiaalityö"): (None, True)}
    assert now["services"] == {"Lastensuojelu, avohuolto": True}


GOOD_YAML = """\
organisation: Satakunnan hyvinvointialue
sectors:
  - name: Perhe- ja sosiaalipalvelut
    director: dora
    units:
      - {name: Aikuissosiaalityö, supervisor: hanna}
      - name: Lastensuojelu
        supervisor: heikki
        active: no
  - Terveyspalvelut
areas:
  - name: Pori
    areas: ["Pori, pohjoinen alue", "Pori, itäinen alue"]
  - Ulvila
  - name: Kokemäki
    active: false
services: [Päihdepalvelut, Lastensuojelu]
"""


def test_a_good_yaml_file_sets_up_an_empty_organisation(runner, app, make_account, tmp_path):
    for name, role in [("dora", "director"), ("hanna", "handler"), ("heikki", "handler")]:
        make_account(name, role)
    result = invoke(runner, app, "org", "import", write(tmp_path, "org.yaml", GOOD_YAML))
    assert result.exit_code == 0, result.output
    with app.app_context():
        now = state()
        key = org.organisation().form_key
    assert len(key) >= 32
    assert now == {
        "organisation": ["Satakunnan hyvinvointialue"],
        "sectors": {"Perhe- ja sosiaalipalvelut": ("dora", True), "Terveyspalvelut": (None, True)},
        "units": {("Perhe- ja sosiaalipalvelut", "Aikuissosiaalityö"): ("hanna", True),
                  ("Perhe- ja sosiaalipalvelut", "Lastensuojelu"): ("heikki", False)},
        "areas": {"Pori": (None, True), "Pori, pohjoinen alue": ("Pori", True), "Pori, itäinen alue": ("Pori", True),
                  "Ulvila": (None, True), "Kokemäki": (None, False)},
        "services": {"Päihdepalvelut": True, "Lastensuojelu": True},
    }
    # Positions follow the file.
    with app.app_context():
        assert [name for name, _units in org.unit_choices()] == ["Perhe- ja sosiaalipalvelut"]
        assert [name for _id, name in org.area_choices()] == ["Pori", "Pori, pohjoinen alue", "Pori, itäinen alue",
                                                               "Ulvila"]


def test_the_check_option_writes_nothing(runner, app, organisation, tmp_path):
    with app.app_context():
        before = snapshot()
    result = invoke(runner, app, "org", "import", "--check", write(tmp_path, "org.csv", GOOD_CSV))
    assert result.exit_code == 0, result.output
    assert "nothing was written" in result.output and "Sectors: 1 added" in result.output
    with app.app_context():
        assert snapshot() == before


def run_bad(runner, app, tmp_path, name: str, content) -> str:
    """Import a bad file: assert it fails and the database is unchanged; return the output."""
    with app.app_context():
        before = snapshot()
    result = invoke(runner, app, "org", "import", write(tmp_path, name, content))
    assert result.exit_code != 0, result.output
    assert "Nothing was imported." in result.output
    with app.app_context():
        assert snapshot() == before
    return result.output


def test_a_file_with_three_errors_reports_all_three(runner, app, organisation, tmp_path):
    content = """kind,name,parent,account,active
sector,Ikääntyneiden palvelut,,teo,
unit,Kotihoito,Vammaispalvelut,hanna,
area,Pori,,,
service,Uusi palvelu,,,
sector,Sivistyspalvelut,,hanna,
area,"Pori, pohjoinen alue, keskusta","Pori, pohjoinen alue",,
"""
    output = run_bad(runner, app, tmp_path, "org.csv", content)
    errors = [line for line in output.splitlines() if line.startswith("line ")]
    assert errors == [
        "line 3: there is no sector “Vammaispalvelut” in the file or in the settings.",
        "line 6: the account “hanna” is not a director.",
        "line 7: “Pori, pohjoinen alue, keskusta” is inside “Pori, pohjoinen alue”, which is itself inside “Pori”: "
        "areas go one level deep.",
    ]
    assert "The file has 3 errors." in output


@pytest.mark.parametrize("name, content, expected", [
    ("org.csv", "kind,name\nsector,Ok\nsector,Hyvä ".encode() + "Ääkkönen".encode("latin-1") + b"\n",
     ["line 3: the file is not in UTF-8."]),
    ("org.csv", b"PK\x03\x04\x00\x00binary", ["The file is not text."]),
    ("org.txt", "kind,name\nsector,X\n", ["The file's name must end in .csv, .yaml or .yml."]),
    ("org.csv", "kind,name,director\nsector,X,dora\n",
     ["line 1: unknown column “director” (the columns are kind, name, parent, account, active)."]),
    ("org.csv", "name,parent\nX,\n", ["line 1: the column “kind” is missing"]),
    ("org.csv", "kind,name,name\nsector,X,Y\n", ["line 1: the column “name” is there twice."]),
    ("org.csv", "kind,name\n\nsector,\nteam,X\n,Y\nsector,X,extra\n",
     ["line 3: give a name.", "line 4: unknown kind “team” (the kinds are organisation, sector, unit, area, "
      "service).", "line 5: the kind is missing", "line 6: there are more values than columns."]),
    ("org.csv", "kind,name,parent\nunit,X,\nsector,Y,Z\n",
     ["line 2: a unit needs its sector in the “parent” column.", "line 3: a sector has no parent"]),
    ("org.csv", "kind,name,account\nsector,X,nobody\nunit,Y,x\nservice,Z,dora\n",
     ["line 2: there is no account “nobody”.", "line 3: a unit needs its sector", "line 4: a service has no account"]),
    ("org.csv", "kind,name,active\nservice,X,maybe\n", ["line 2: “active” must be yes or no, not “maybe”."]),
    ("org.csv", "kind,name\nservice,Kela\nservice,KELA\norganisation,A\norganisation,B\n",
     ["line 3: “KELA” is already on line 2.", "line 5: “B” is already on line 4."]),
    ("org.csv", "kind,name\nservice," + "x" * 121 + "\n", ["line 2: a name can have at most 120 characters."]),
    ("org.csv", 'kind,name\nservice,"unclosed\n', ["this is not valid CSV"]),
    ("org.csv", "kind,name,parent\narea,Pori,Ulvila\narea,Oma,Oma\narea,X,Nowhere\n",
     ["line 2: “Pori” has areas inside it in the settings (Pori, itäinen alue, Pori, pohjoinen alue), so it "
      "cannot be inside “Ulvila”.", "line 3: “Oma” cannot be inside itself.",
      "line 4: there is no area “Nowhere” in the file or in the settings."]),
    ("org.csv", "kind,name\n", ["The file names nothing to import."]),
    ("org.yaml", "sectors:\n  - name: X\n    boss: dora\n  - name: [a, b]\n",
     ["line 3: unknown key “boss” (the keys here are name, director, units, active).",
      "line 4: expected text here, not a list or keys."]),
    ("org.yaml", "sectors: {name: X}\nareas:\n  - name: Pori\n    areas:\n      - name: Keskusta\n        areas: [A]\n",
     ["line 1: expected a list here", "line 5: areas go one level deep"]),
    ("org.yml", "- just\n- a list\n", ["line 1: expected keys here (organisation, sectors, areas, services)."]),
    ("org.yaml", "sectors:\n  - name: X\n   director: dora\n", ["line 3: this is not valid YAML"]),
    ("org.yaml", "services: [A, B]\nservices: [C]\n", ["line 2: the key “services” is given twice."]),
    ("org.yaml", "sectors:\n  - name: Terveyspalvelut\n    director: hilla\n    units:\n      - name: Uusi\n"
                 "        supervisor: teo\n",
     ["line 3: the account “hilla” is not a director.",
      "line 6: the account “teo” is not a supervisor (its role must be handler)."]),
    # Commas split a list written on one line: the names that have one are quoted.
    ("org.yaml", "areas:\n  - name: Pori\n    areas: [Pori, pohjoinen alue]\n",
     ["line 3: “Pori” is already on line 2."]),
    # Only plain data is read: a tag that would run code is just a value of the wrong shape.
    ("org.yaml", "organisation: !!python/object/apply:os.system [echo hacked]\n",
     ["line 1: expected text here, not a list or keys."]),
])
def test_bad_files_are_refused_with_every_error_and_nothing_written(runner, app, organisation, tmp_path,
                                                                    name, content, expected):
    output = run_bad(runner, app, tmp_path, name, content)
    for message in expected:
        assert message in output
    assert "hacked" not in output.replace("echo hacked", "")


def test_an_error_in_a_sectors_line_does_not_repeat_in_its_units(runner, app, organisation, tmp_path):
    content = "kind,name,parent,account\nsector,Uusi,,hanna\nunit,Yksikkö,Uusi,\n"
    output = run_bad(runner, app, tmp_path, "org.csv", content)
    assert "line 2: the account “hanna” is not a director." in output
    assert "line 3" not in output


def test_a_deactivated_account_is_an_error(runner, app, organisation, tmp_path):
    with app.app_context():
        db.session.get(Account, account_id("teo")).active = False
        db.session.commit()
    output = run_bad(runner, app, tmp_path, "org.csv", "kind,name,account\nsector,Terveyspalvelut,teo\n")
    assert "line 2: the account “teo” is deactivated." in output


def test_the_command_line_makes_an_account_of_a_reporting_role(runner, app):
    result = invoke(runner, app, "org", "account", "Aatu", "--role", "admin", "--password", PASSWORD)
    assert result.exit_code == 0, result.output
    assert "The account Aatu (Administrator) was created." in result.output
    with app.app_context():
        assert db.session.get(Account, account_id("aatu")).role is Role.ADMIN
    again = invoke(runner, app, "org", "account", "aatu", "--role", "handler", "--password", PASSWORD)
    assert again.exit_code != 0 and "already in use" in again.output
    wrong = invoke(runner, app, "org", "account", "Eve", "--role", "facilitator", "--password", PASSWORD)
    assert wrong.exit_code != 0
    prompted = invoke(runner, app, "org", "account", "Dora", "--role", "director",
                             input=f"{PASSWORD}\n{PASSWORD}\n")
    assert prompted.exit_code == 0, prompted.output


def test_a_yaml_sector_without_a_name_is_one_error_not_one_per_unit(runner, app, organisation, tmp_path):
    output = run_bad(runner, app, tmp_path, "org.yaml", "sectors:\n  - director: dora\n    units: [A, B]\n")
    assert [line for line in output.splitlines() if line.startswith("line ")] == ["line 2: give a name."]
