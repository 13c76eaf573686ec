"""Issue 4 end to end in a real browser: phases 1 and 2 with a facilitator, a wall and three phones.

Topic proposals, the topic vote and the chosen topic; the participation poll; the move to
data collection and the feedback on phase 1; notes on two boards; a survey answered and its
chart on the wall; two themes with a description; a development idea. Every context shows
what it should, and axe checks every page on the way. The screenshots in the README's
"Running a workshop" guide are taken here, so they always show the product as it is.
"""
import re
from pathlib import Path

import pytest

from workshop.accounts import create_account
from workshop.workshops import create_workshop

from .conftest import PASSWORD, PHONE, assert_accessible, log_in_in_english

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def room(live_server, live_app):
    """A facilitator account and an English workshop on the live server's data."""
    with live_app.app_context():
        create_account("anna", PASSWORD)
        workshop = create_workshop("Day centre Kalliola", "Kallio", "en")
        return {"url": live_server, "id": workshop.id, "code": workshop.join_code}


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def open_phone(new_page, room):
    phone = new_page(**PHONE)
    phone.goto(f"{room['url'].replace('localhost', '127.0.0.1')}/j/{room['code']}")
    phone.locator("[data-now-action]").wait_for()
    return phone


def now(phone):
    """The phone's big "do this now" button."""
    return phone.locator("[data-now-action]")


def home(phone):
    if phone.locator('[data-screen="home"]').is_hidden():
        phone.locator("[data-screen]:not([hidden])").get_by_role("button", name=re.compile("^Back")).first.click()
    phone.locator('[data-screen="home"]').wait_for()


def test_phases_one_and_two_with_three_phones(room, new_page):
    laptop = log_in_in_english(new_page, room['url'])
    laptop.goto(f"{room['url']}/facilitator/workshops/{room['id']}/run")
    run = laptop.locator("main")
    run.get_by_role("heading", name="Dashboard").wait_for()
    assert_accessible(laptop)
    projector = new_page()
    projector.context.add_cookies(laptop.context.cookies())
    projector.goto(f"{room['url']}/facilitator/workshops/{room['id']}/wall?present=1")
    wall = projector.locator("[data-wall]")
    wall.locator(".board__title").nth(2).wait_for()
    assert projector.locator(".wall__toolbar").is_hidden()  # the presenter wall has no controls
    assert_accessible(projector)

    # Phase 1: each phone starts with what social reporting is, in easy words.
    phones = [open_phone(new_page, room) for _ in range(3)]
    first, second, third = phones
    assert first.get_by_text("Now: Initial mapping and topic choice").is_visible()
    assert now(first).inner_text() == "What is this about?"
    now(first).click()
    first.get_by_role("heading", name="What is social reporting?").wait_for()
    assert first.get_by_text("You know best what life is like here.").is_visible()
    assert_accessible(first)
    screenshot(first, "phone-explainer")
    first.get_by_role("button", name="Back to the start").click()

    # The facilitator puts the explainer on the projector.
    run.get_by_role("button", name="What is social reporting?").click()
    wall.get_by_role("heading", name="What is social reporting?").wait_for()
    wall.locator(".board").first.wait_for(state="hidden")  # the focus hides the boards
    assert_accessible(projector)
    screenshot(projector, "wall-explainer")
    run.get_by_role("button", name="Wall", exact=True).click()
    wall.locator(".board").first.wait_for()

    # Topic proposals from the phones; the same topic twice becomes one option.
    for phone, topic in ((first, "Housing"), (second, "Food at the centre"), (third, "housing ")):
        phone.get_by_role("button", name="Propose a topic").first.click()
        phone.get_by_label("Your topic").fill(topic)
        phone.get_by_role("button", name="Send the topic").click()
        phone.get_by_text("Thank you! Your topic is on the wall.").wait_for()
    assert_accessible(third)
    wall.locator(".topic", has_text="Food at the centre").wait_for()
    section(laptop, "Topic of the report").get_by_text("Food at the centre").first.wait_for()

    # The topic vote: every phone is asked to vote now.
    run.get_by_role("button", name="Start the topic vote").click()
    for phone in phones:
        now(phone).filter(has_text="Vote with your dots").wait_for()
    now(first).click()
    first.get_by_role("button", name="Add a dot: Housing").click()
    first.get_by_text("Your dot is in.").wait_for()
    now(second).click()
    second.get_by_role("button", name="Add a dot: Housing").click()
    second.get_by_text("Your dot is in.").wait_for()
    assert_accessible(second)
    wall.locator(".vote-chart__option", has_text="Housing").get_by_text("Dots: 2").wait_for()

    # The facilitator confirms the topic: it shows everywhere.
    topic_field = run.get_by_label("The topic", exact=True)
    expect_value(topic_field, "Housing")
    run.get_by_role("button", name="Confirm the topic").click()
    wall.get_by_text("Our topic: Housing").wait_for()
    for phone in phones:
        home(phone)
        phone.get_by_text("Our topic: Housing").wait_for()

    # "How would you like to take part?": a tap poll, its chart on the wall.
    run.get_by_role("button", name="Ask how people want to take part").click()
    now(third).filter(has_text="Answer a short question").wait_for()
    now(third).click()
    third.get_by_text("How would you like to take part?").wait_for()
    third.get_by_role("checkbox", name="Drawing", exact=True).check()
    third.get_by_role("checkbox", name="Just listening", exact=True).check()
    assert_accessible(third)
    screenshot(third, "phone-poll")
    third.get_by_role("button", name="Send the answer").click()
    third.get_by_text("Thank you for your answer!").wait_for()
    run.get_by_role("button", name="“How would you like to take part?” results").click()
    poll = wall.locator('[data-purpose="participation"]')
    poll.locator(".vote-chart__option", has_text="Drawing").get_by_text("Answers: 1").wait_for()
    wall.locator(".board").first.wait_for(state="hidden")  # the focus hides the boards
    assert_accessible(projector)
    run.get_by_role("button", name="Wall", exact=True).click()

    # On to phase 2: a confirmation first; then the phones ask how phase 1 went.
    run.get_by_role("button", name="Next phase").click()
    dialog = laptop.get_by_role("dialog")
    assert_accessible(laptop)
    dialog.get_by_role("button", name="Confirm").click()
    wall.get_by_text("Data collection").first.wait_for()
    now(first).filter(has_text="Tell how this phase worked for you").wait_for()
    now(first).click()
    first.get_by_text("About: Initial mapping and topic choice").wait_for()
    first.get_by_role("radio", name="Good", exact=True).check()
    first.get_by_role("radio", name="Voting", exact=True).check()
    first.get_by_label("Anything else? (optional)").fill("Short and clear")
    assert_accessible(first)
    first.get_by_role("button", name="Send", exact=True).click()
    first.get_by_text("Thank you! Your feedback helps to do this better.").wait_for()
    assert now(first).inner_text() == "Answer a short question"  # the poll is still open
    assert first.get_by_role("button", name="Propose a topic").is_hidden()  # phase 1 is over

    # Notes on two boards.
    first.locator('nav [data-go="note"]').click()
    first.get_by_label("Your note").fill("The night shelter is full every night")
    first.locator("[data-note-form]").get_by_text("What does not work?").click()
    first.get_by_role("button", name="Put it on the wall").click()
    first.get_by_text("Thank you! It is on the wall now.").wait_for()
    home(second)
    second.locator('nav [data-go="note"]').click()
    second.get_by_label("Your note").fill("The staff listen to us")
    second.get_by_role("button", name="Put it on the wall").click()
    second.get_by_text("Thank you! It is on the wall now.").wait_for()
    wall.locator(".board", has_text="What does not work?").get_by_text("The night shelter is full every night").wait_for()
    wall.locator(".board", has_text="What works?").get_by_text("The staff listen to us").wait_for()

    # A survey with the smiley scale, answered on a phone, charted on the wall.
    run.get_by_label("How people answer").select_option("scale")
    run.get_by_label("Question", exact=True).fill("How well does the day centre help you?")
    run.get_by_role("button", name="Add the question").click()
    home(third)
    # Third has not said how phase 1 went: that comes first, the question is one tap away.
    now(third).filter(has_text="Tell how this phase worked for you").wait_for()
    third.locator('nav [data-go="survey"]').click()
    third.get_by_text("How well does the day centre help you?").wait_for()
    third.locator("[data-survey-form]").get_by_role("radio", name="Very good").check()
    third.get_by_role("button", name="Send the answer").click()
    third.get_by_text("Thank you for your answer!").wait_for()
    chart = wall.locator(".survey-chart", has_text="How well does the day centre help you?")
    chart.get_by_text("Answers: 1").first.wait_for()
    assert_accessible(projector)
    screenshot(projector, "wall")

    # Two themes on the facilitator's wall, from the keyboard; a description for the report.
    laptop_wall = new_page()
    laptop_wall.context.add_cookies(laptop.context.cookies())
    laptop_wall.goto(f"{room['url']}/facilitator/workshops/{room['id']}/wall")
    tools = laptop_wall.locator("[data-wall]")
    for text, theme in (("The night shelter is full every night", "Shelter"), ("The staff listen to us", "Staff")):
        note_dialog = laptop_wall.get_by_role("dialog", name="Note")
        open_note_dialog(laptop_wall, tools.locator(".note", has_text=text), note_dialog)
        note_dialog.get_by_label("Theme", exact=True).select_option(label="New theme…")
        note_dialog.get_by_label("Name of the new theme").fill(theme)
        note_dialog.get_by_role("button", name="Save").click()
        tools.locator(".theme", has_text=theme).locator(".note", has_text=text).wait_for()
    assert_accessible(laptop_wall)
    wall.locator(".theme", has_text="Shelter").wait_for()
    description = run.get_by_label(re.compile("^Description")).first
    description.fill("There are too few places to sleep.")
    run.get_by_role("button", name=re.compile("^Save the description")).first.click()
    run.get_by_text("The description was saved.").wait_for()

    # One development idea from the themes; the wall lists it.
    run.get_by_label("What should be done?").fill("Open a second night shelter")
    run.get_by_label("Shelter").check()
    run.get_by_role("button", name="Add the idea").click()
    run.get_by_text("The idea was added.").wait_for()
    ideas = wall.locator("[data-wall-ideas-area]")
    ideas.get_by_text("Open a second night shelter").wait_for()
    assert ideas.get_by_text("From the themes: Shelter").is_visible()
    run.get_by_role("button", name="Ideas", exact=True).click()
    wall.locator(".board").first.wait_for(state="hidden")
    assert_accessible(projector)

    # The facilitator sees phase 1's feedback and the dashboard's counts.
    feedback = section(laptop, "Feedback on the phases")
    feedback.get_by_role("button", name="Refresh the answers").click()
    feedback.get_by_text("Short and clear").wait_for()
    dashboard = section(laptop, "Dashboard")
    dashboard.get_by_role("button", name="Refresh").click()
    assert_accessible(laptop)
    screenshot(laptop, "run")
    for phone in phones:
        assert_accessible(phone)
    home(second)
    screenshot(second, "phone-home")


def open_note_dialog(page, note, dialog) -> None:
    """Focus a note and press Enter until its dialog opens: a live update that re-renders
    the wall between the focus and the key (a loaded CI machine) takes the focus away."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for _attempt in range(5):
        note.focus()
        page.keyboard.press("Enter")
        try:
            dialog.wait_for(state="visible", timeout=3000)
            return
        except PlaywrightTimeout:
            continue
    dialog.wait_for(state="visible")


def section(page, heading: str):
    """The run page's section with this heading."""
    return page.locator("main section", has=page.get_by_role("heading", name=heading, exact=True))


def expect_value(locator, value: str) -> None:
    """Wait until an input holds `value` (the page fills it in from live data)."""
    locator.page.wait_for_function("([el, v]) => el.value === v", arg=[locator.element_handle(), value])
