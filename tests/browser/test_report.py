"""Issue 6 end to end in a real browser: the co-written report, from draft to exported files.

The draft is made from a seeded workshop; two facilitator contexts (the laptop and a tablet
passed around) edit the same section and the second gets the merge view; a comment round is
run with two phones commenting and the facilitator replying; management answers through
their private link; the HTML and PDF are exported. The PDF's text is read with `pdftotext`,
its pages are rendered with `pdftoppm` and its pictures listed with `pdfimages`; axe checks
every page on the way and the exported HTML file itself.
"""
from __future__ import annotations

import re
import subprocess
import uuid

import pytest

from tests.conftest import make_picture
from workshop import contributions, ideas, wall
from workshop.accounts import create_account
from workshop.actors import Actor
from workshop.extensions import db
from workshop.models import Phase, Workshop
from workshop.workshops import create_workshop, join, new_device_token

from .conftest import PASSWORD, PHONE, assert_accessible, log_in_in_english


@pytest.fixture
def seeded(live_server, live_app):
    """An English workshop in its publication phase: two themes with notes and a drawing,
    a hidden note, and a development idea."""
    with live_app.app_context():
        account = create_account("anna", PASSWORD)
        workshop = create_workshop("Day centre Kalliola", "Kallio", "en")
        staff = Actor(account=account)
        board = wall.boards(workshop)[0]
        people = [Actor(participant=join(workshop, new_device_token())[0]) for _ in range(3)]

        def add(actor, kind, text, picture=None):
            data = {"uuid": str(uuid.uuid4()), "kind": kind, "text": text, "board_id": board.id}
            return contributions.submit(workshop, actor, data, picture).item

        coffee = wall.create_theme(workshop, staff, {"name": "Coffee and food"})
        hours = wall.create_theme(workshop, staff, {"name": "Opening hours"})
        placed = [(add(people[0], "note", "The coffee runs out by ten"), coffee),
                  (add(people[1], "note", "Open at eight on weekdays"), hours),
                  (add(people[2], "drawing", "A full coffee cup", make_picture(size=(320, 240))), coffee),
                  (add(people[1], "note", "This note was hidden"), hours)]
        for item, theme in placed:
            wall.update_item(workshop, staff, item.id, {"theme_id": theme.id})
        wall.update_item(workshop, staff, placed[-1][0].id, {"hidden": True})
        ideas.create(workshop, staff, {"statement": "Open the day centre at eight", "theme_ids": [hours.id]})
        db.session.get(Workshop, workshop.id).phase = Phase.PUBLICATION
        db.session.commit()
        return {"url": live_server, "id": workshop.id, "code": workshop.join_code}


def open_phone(new_page, seeded):
    phone = new_page(**PHONE)
    phone.goto(f"{seeded['url'].replace('localhost', '127.0.0.1')}/j/{seeded['code']}")
    phone.locator("[data-now-action]").wait_for()
    return phone


def report_url(seeded, path: str = "/") -> str:
    return f"{seeded['url']}/facilitator/workshops/{seeded['id']}/report{path}"


def test_the_report_from_draft_to_published_files(seeded, new_page, tmp_path):
    laptop = log_in_in_english(new_page, seeded["url"])
    laptop.goto(report_url(seeded))
    assert_accessible(laptop)
    laptop.get_by_role("button", name="Create the report draft").click()
    main = laptop.locator("main")
    main.get_by_role("heading", name="Coffee and food").wait_for()
    assert main.get_by_text("The coffee runs out by ten").is_visible()
    assert main.get_by_role("img", name="A full coffee cup").first.is_visible()
    assert "This note was hidden" not in main.inner_text()
    assert_accessible(laptop)

    # -- two people edit the same section at once ------------------------------------------
    tablet = log_in_in_english(new_page, seeded["url"])
    for page in (laptop, tablet):
        page.goto(report_url(seeded))
        page.get_by_role("link", name=re.compile(r"^Edit\W+Coffee and food")).click()
        page.get_by_label("Text", exact=True).wait_for()
    assert_accessible(laptop)
    drafted = laptop.get_by_label("Text", exact=True).input_value()
    assert "> The coffee runs out by ten" in drafted and "![](picture:" in drafted
    laptop_text = f"People said the coffee runs out by ten.\n\n{drafted}"
    laptop.get_by_label("Text", exact=True).fill(laptop_text)
    # The live preview shows the text as the report will.
    laptop.locator("[data-preview]").get_by_text("People said the coffee runs out by ten.").wait_for()
    laptop.get_by_role("button", name="Save", exact=True).click()
    laptop.get_by_text("The section was saved.").wait_for()
    tablet.get_by_label("Text", exact=True).fill("Coffee and food matter to everyone.")
    tablet.get_by_role("button", name="Save", exact=True).click()
    merge = tablet.get_by_role("alert")
    merge.get_by_text("Someone else saved this section").wait_for()
    theirs = tablet.get_by_label("Their text, to copy from").input_value()
    assert theirs == laptop_text
    assert tablet.get_by_label("Text", exact=True).input_value() == "Coffee and food matter to everyone."
    assert_accessible(tablet)
    tablet.get_by_label("Text", exact=True).fill(f"{theirs}\n\nCoffee and food matter to everyone.")
    tablet.get_by_role("button", name="Save", exact=True).click()
    tablet.get_by_text("The section was saved.").wait_for()

    # -- a comment round with two phones -----------------------------------------------------
    laptop.goto(report_url(seeded, "/rounds"))
    assert_accessible(laptop)
    laptop.get_by_role("button", name="Open round 1").click()
    laptop.get_by_role("heading", name="Round 1 is open").wait_for()
    phones = [open_phone(new_page, seeded) for _ in range(2)]
    for phone, words in zip(phones, ("Say also that tea runs out", "Ten is far too early")):
        phone.locator("[data-now-action]").filter(has_text="Comment on the report").wait_for()
        phone.locator("[data-now-action]").click()
        section = phone.locator("article").filter(has=phone.get_by_role("heading", name="Coffee and food"))
        section.get_by_text("Coffee and food matter to everyone.").wait_for()
        section.get_by_role("button", name="Comment", exact=True).click()
        section.get_by_label("Your comment").fill(words)
        section.get_by_role("button", name="Send").click()
        phone.get_by_text("Thank you! Your comment was sent.").wait_for()
    assert_accessible(phones[0])
    # The second phone agrees with the first phone's comment.
    phones[1].get_by_role("button", name="Our report").click()
    agree = phones[1].get_by_role("button", name="+1 I agree (0)")
    agree.wait_for()
    agree.click()
    phones[1].get_by_role("button", name="+1 I agree (1)").wait_for()
    assert_accessible(phones[1])

    laptop.goto(report_url(seeded, "/rounds"))
    laptop.get_by_role("button", name="Close round 1").click()
    laptop.get_by_role("heading", name="Open a new round").wait_for()
    laptop.goto(report_url(seeded, "/rounds/1"))
    comment = laptop.locator(".comment").filter(has_text="Say also that tea runs out")
    comment.get_by_label("Taken into account").check()
    comment.get_by_label(re.compile("^Reply")).fill("Tea is in the text now.")
    comment.get_by_role("button", name="Save the reply").click()
    laptop.locator(".comment").filter(has_text="Say also that tea runs out").get_by_text(
        "Taken into account").first.wait_for()
    comment = laptop.locator(".comment").filter(has_text="Ten is far too early")
    comment.get_by_label("Not taken").check()
    comment.get_by_label(re.compile("^Reply")).fill("The time was the group's own choice.")
    comment.get_by_role("button", name="Save the reply").click()
    assert_accessible(laptop)
    phones[0].reload()
    phones[0].get_by_role("button", name="Our report").click()
    phones[0].get_by_text("Tea is in the text now.").wait_for()

    # -- management answers through the private link ----------------------------------------
    laptop.goto(report_url(seeded, "/answer"))
    laptop.get_by_label("Whom the link is for").fill("Head of adult social work")
    laptop.get_by_role("button", name="Make a link for management").click()
    link = laptop.get_by_label(re.compile("The link for")).input_value()
    assert "/answer/" in link
    assert_accessible(laptop)
    manager = new_page()
    manager.goto(link.replace("127.0.0.1", "localhost"))
    manager.get_by_role("heading", name="Coffee and food").first.wait_for()
    assert_accessible(manager)
    manager.get_by_label("Who answers").fill("Head of adult social work")
    manager.get_by_label("Your answer to the report").fill("Thank you for the report.")
    manager.get_by_label("What will be done").fill("We open at eight from March.")
    manager.get_by_label("When").fill("March 2027")
    manager.get_by_role("button", name="Send the answer").click()
    manager.get_by_text("We open at eight from March.").first.wait_for()
    assert_accessible(manager)
    phones[1].get_by_role("heading", name="Management has answered").wait_for()

    # -- export ------------------------------------------------------------------------------
    laptop.goto(report_url(seeded, "/export"))
    assert_accessible(laptop)
    laptop.get_by_role("button", name="Export now").click()
    with laptop.expect_download() as html_download:
        laptop.get_by_role("link", name=re.compile("HTML")).first.click()
    html_file = tmp_path / "report.html"
    html_download.value.save_as(html_file)
    with laptop.expect_download() as pdf_download:
        laptop.get_by_role("link", name=re.compile("PDF")).first.click()
    pdf_file = tmp_path / "report.pdf"
    pdf_download.value.save_as(pdf_file)

    exported = html_file.read_text(encoding="utf-8")
    for words in ("Coffee and food matter to everyone.", "We open at eight from March.", "Open the day centre at eight"):
        assert words in exported
    assert "This note was hidden" not in exported and seeded["code"] not in exported
    reader = new_page()
    reader.goto(html_file.as_uri())
    assert reader.get_by_role("img", name="A full coffee cup").first.evaluate("image => image.naturalWidth") > 0
    assert_accessible(reader)

    text = subprocess.run(["pdftotext", "-layout", str(pdf_file), "-"], capture_output=True, text=True,
                          check=True).stdout
    for words in ("Coffee and food", "The coffee runs out by ten", "We open at eight from March."):
        assert words in " ".join(text.split())
    assert "This note was hidden" not in text
    listed = subprocess.run(["pdfimages", "-list", str(pdf_file)], capture_output=True, text=True,
                            check=True).stdout.splitlines()[2:]
    assert listed, "the drawing is not in the PDF"
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf_file), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert pages and all(page.stat().st_size > 1000 for page in pages)
