"""Issue 7 end to end in a real browser: a professional's report, from the form to the summary.

The organisation is imported from a YAML file (as an admin would with `flask --app workshop
org import`). A professional opens the intranet link on a phone, files a report
anonymously and gets its number; the unit's supervisor and the sector's director both find
it in their inboxes (another unit's supervisor does not); the supervisor forwards it with a
note; the professional's tracking page shows that note; and the working group's summary for
the period counts it where it belongs. axe checks every page on the way.
"""
from __future__ import annotations

import re

import pytest

from workshop import org
from workshop.accounts import create_account
from workshop.extensions import db
from workshop.models import Observation, Role

from .conftest import PASSWORD, PHONE, assert_accessible

ORGANISATION = """\
organisation: Satakunnan hyvinvointialue
sectors:
  - name: Perhe- ja sosiaalipalvelut
    director: dora
    units:
      - {name: Aikuissosiaalityö, supervisor: hanna}
      - {name: Lastensuojelu, supervisor: heikki}
areas:
  - name: Pori
    areas: ["Pori, pohjoinen alue"]
  - Ulvila
services: [Päihdepalvelut, Työikäisten sosiaalipalvelut]
"""

DESCRIPTION = "Asiakkaat odottavat päihdehoitoon pääsyä yli kuukauden."
NOTE_FOR_THE_REPORTER = "Viety alueelliseen päihdetyöryhmään, joka käsittelee asian kesäkuussa."


@pytest.fixture
def form_url(live_app, live_server) -> str:
    """The organisation with its staff, imported from YAML; the form's address."""
    with live_app.app_context():
        for name, role in [("hanna", Role.HANDLER), ("heikki", Role.HANDLER), ("dora", Role.DIRECTOR),
                           ("wilma", Role.WORKING_GROUP)]:
            create_account(name, PASSWORD, role)
        org.import_settings(ORGANISATION.encode("utf-8"), "organisation.yaml")
        key = org.ensure_organisation().form_key
    return f"{live_server}/observe/{key}"


def log_in(new_page, base: str, name: str, lands_on: str):
    """A laptop page with `name` logged in (in English) on their role's own home page."""
    page = new_page()
    page.goto(f"{base}/facilitator/login")
    page.get_by_role("button", name="English").click()
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{base}/facilitator/")  # the shared home sends each role on to its own page
    page.wait_for_url(re.compile(lands_on))
    return page


def test_a_report_goes_from_the_form_to_the_summary(live_app, live_server, form_url, new_page):
    # -- the professional, on a phone, without logging in --------------------------------
    phone = new_page(**PHONE)
    phone.goto(form_url)
    phone.get_by_role("button", name="English").click()
    assert phone.get_by_role("heading", level=1).inner_text() == "Report a phenomenon"
    assert_accessible(phone)
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 360

    # Sending with nothing filled in says what is missing, beside each field.
    send = phone.get_by_role("button", name="Send the report")
    send.click()
    phone.locator("#observe-unit-error").filter(has_text=re.compile(".+")).wait_for()
    assert phone.locator("#observe-description-error").inner_text() != ""
    assert_accessible(phone)

    phone.get_by_label("Work unit").select_option(label="Aikuissosiaalityö")
    phone.get_by_role("radio", name="Negative").check()
    phone.get_by_label("Category").select_option("social_problems")
    phone.get_by_label("Describe the phenomenon").fill(DESCRIPTION)
    phone.get_by_label("Where it was observed").select_option(label="Pori, pohjoinen alue")
    phone.get_by_label("Your service").select_option(label="Päihdepalvelut")
    send.click()

    thanks = phone.get_by_role("heading", name="Thank you! Your report was received.")
    thanks.wait_for()
    number = phone.locator("[data-number]").inner_text().strip()
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", number), number
    assert_accessible(phone)
    with live_app.app_context():
        stored = db.session.scalar(db.select(Observation))
        assert stored.number == number and stored.reporter_name == "" and stored.contact == ""
        assert stored.area.name == "Pori, pohjoinen alue" and stored.description == DESCRIPTION

    # -- the unit's supervisor and the sector's director see it; another unit's does not --
    supervisor = log_in(new_page, live_server, "hanna", r"/handling/$")
    assert_accessible(supervisor)
    supervisor.get_by_role("link", name=number).click()
    assert supervisor.get_by_role("heading", level=1).inner_text() == f"Report {number}"
    assert DESCRIPTION in supervisor.locator("main").inner_text()
    assert_accessible(supervisor)

    director = log_in(new_page, live_server, "dora", r"/handling/$")
    assert director.get_by_role("link", name=number).count() == 1
    other = log_in(new_page, live_server, "heikki", r"/handling/$")
    assert other.get_by_role("link", name=number).count() == 0
    assert number not in other.locator("main").inner_text()

    # -- the supervisor forwards it with a note for the reporter ---------------------------
    supervisor.get_by_label("New status").select_option(label="Forwarded")
    supervisor.get_by_label("Forwarded to (required when forwarding)").select_option(label="A cross-sector group")
    supervisor.get_by_role("textbox", name="Note for the reporter").fill(NOTE_FOR_THE_REPORTER)
    supervisor.get_by_role("button", name="Save to the log").click()
    log = supervisor.locator("table", has=supervisor.locator("caption", has_text="The progress log"))
    log.filter(has_text=NOTE_FOR_THE_REPORTER).wait_for()
    assert_accessible(supervisor)
    director.reload()
    assert "Forwarded" in director.locator("tr", has_text=number).inner_text()

    # -- the reporter follows it with the number alone --------------------------------------
    phone.get_by_role("link", name="Follow the report").click()
    phone.get_by_label("Report number").fill(number.lower().replace("-", " "))
    phone.get_by_role("button", name="Show the report").click()
    tracked = phone.locator("main")
    tracked.filter(has_text=NOTE_FOR_THE_REPORTER).wait_for()
    assert "Forwarded" in tracked.inner_text() and "A cross-sector group" in tracked.inner_text()
    assert DESCRIPTION not in tracked.inner_text()  # the number shows the progress, not the text
    assert "hanna" not in tracked.inner_text()  # who, by role only
    assert_accessible(phone)

    # -- the working group tags it and finds it in the summary's counts ------------------------
    group = log_in(new_page, live_server, "wilma", r"/summary/$")
    assert_accessible(group)
    assert cell(group, "By nature", "Negative") == "1"
    assert cell(group, "By municipality", "Pori") == "1"
    assert cell(group, "by kind of support need", "2. Housing") == "0"

    group.get_by_role("link", name="Reports to tag").click()
    group.get_by_role("link", name=number).click()
    assert DESCRIPTION in group.locator("main").inner_text()
    group.get_by_role("checkbox", name="2. Housing").check()
    group.get_by_role("button", name="Save the tags").click()
    group.locator(".flash, [role=status]").first.wait_for()
    assert_accessible(group)

    group.get_by_role("link", name="Summary", exact=True).first.click()
    assert cell(group, "by kind of support need", "2. Housing") == "1"
    assert cell(group, "By phenomenon category", "Social problems") == "1"


def cell(page, caption: str, row: str, column: str = "Total") -> str:
    """The number in a summary table (found by its caption) at `row` × `column`."""
    table = page.locator("table", has=page.locator("caption", has_text=caption)).first
    headers = [text.strip() for text in table.locator("thead th").all_inner_texts()]
    line = table.locator("tbody tr", has=page.locator("th", has_text=re.compile(f"^{re.escape(row)}$")))
    return line.locator("td").nth(headers.index(column) - 1).inner_text().strip()
