"""Issue 3 end to end in a real browser: three phones and the projected wall.

A note, a drawing drawn with real pointer input, a photo and a dot all appear on the
facilitator's wall; the facilitator groups two notes into a theme from the keyboard, and
every phone sees the theme. axe checks every screen on the way.
"""
import io
import re

import pytest
from PIL import Image

from workshop.accounts import create_account
from workshop.actors import Actor
from workshop.votes import create_question
from workshop.workshops import create_workshop

from .conftest import PASSWORD, PHONE, assert_accessible, log_in, scribble


@pytest.fixture
def room(live_server, live_app):
    """A facilitator account and a workshop with an open dot vote, on the live server's data."""
    with live_app.app_context():
        account = create_account("anna", PASSWORD)
        workshop = create_workshop("Päiväkeskus Kalliola", "Kallio", "fi")
        create_question(workshop, Actor(account=account),
                        {"title": "Mistä raportoimme?", "options": "Asuminen\nRuoka", "dots_per_person": 2})
        return {"url": live_server, "id": workshop.id, "code": workshop.join_code}


def camera_jpeg() -> bytes:
    """A photo as a phone camera makes it, GPS position in its EXIF included."""
    image = Image.new("RGB", (1600, 1200), (40, 120, 200))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (60.0, 10.0, 0.0), 3: "E", 4: (24.0, 56.0, 0.0)}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def open_phone(new_page, room):
    phone = new_page(**PHONE)
    phone.goto(f"{room['url'].replace('localhost', '127.0.0.1')}/j/{room['code']}")
    phone.get_by_role("button", name="Kirjoita lappu").wait_for()
    return phone


def test_three_phones_and_the_wall(room, new_page):
    laptop = new_page()
    log_in(laptop, room['url'])
    laptop.wait_for_url(re.compile(r".*/facilitator/$"))
    laptop.goto(f"{room['url']}/facilitator/workshops/{room['id']}/wall")
    wall = laptop.locator("[data-wall]")
    laptop.get_by_text("Ajantasalla").wait_for()
    wall.locator(".board__title").nth(2).wait_for()
    assert wall.locator(".board__title").all_inner_texts() == ["Mikä toimii?", "Mikä ei toimi?", "Ideoita"]
    assert_accessible(laptop)

    # Phone 1 writes a note: the counter counts down, the wall shows it as typed.
    first = open_phone(new_page, room)
    assert_accessible(first)
    first.get_by_role("button", name="Kirjoita lappu").click()
    first.get_by_label("Lappusi").fill("Kahvi <b>on</b> hyvää")
    assert first.locator("#note-counter").inner_text().startswith("179")
    first.get_by_label("Vaaleanpunainen").check()
    assert_accessible(first)
    first.get_by_role("button", name="Laita seinälle").click()
    first.get_by_text("Kiitos! Se on nyt seinällä.").wait_for()
    note = wall.locator(".note", has_text="Kahvi <b>on</b> hyvää")  # escaped, never HTML
    note.wait_for()
    assert "note--pink" in note.get_attribute("class")

    # Phone 2 draws with real pointer input and sends the drawing with a caption.
    second = open_phone(new_page, room)
    second.get_by_role("button", name="Piirrä").click()
    scribble(second)
    second.get_by_label("Mitä piirroksessasi on? (vapaaehtoinen)").fill("Aurinko paistaa")
    second.locator("[data-draw-form]").get_by_text("Ideoita").click()
    assert_accessible(second)
    second.get_by_role("button", name="Laita seinälle").click()
    second.get_by_text("Kiitos! Se on nyt seinällä.").wait_for()
    drawing = wall.locator(".board", has_text="Ideoita").locator(".note--drawing", has_text="Aurinko paistaa").locator("img")
    drawing.wait_for()
    assert laptop.evaluate("(img) => img.complete && img.naturalWidth > 0", drawing.element_handle())

    # Phone 3 sends a photo from the camera.
    third = open_phone(new_page, room)
    third.get_by_role("button", name="Lähetä valokuva").click()
    third.get_by_label("Ota tai valitse valokuva").set_input_files(
        files=[{"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": camera_jpeg()}])
    third.get_by_label("Mitä kuvassa on? (vapaaehtoinen)").fill("Fläppi")
    assert_accessible(third)
    third.get_by_role("button", name="Laita seinälle").click()
    third.get_by_text("Kiitos! Se on nyt seinällä.").wait_for()
    wall.locator(".note--photo", has_text="Fläppi").locator("img").wait_for()

    # Phone 1 puts a dot on a topic; the wall's chart counts it.
    first.get_by_role("button", name="Äänestä", exact=True).click()
    first.get_by_role("button", name="Lisää piste: Ruoka").click()
    first.get_by_text("Pisteesi on annettu.").wait_for()
    assert first.get_by_text("Pisteitä jäljellä: 1 / 2").is_visible()
    assert_accessible(first)
    wall.locator(".vote-chart__option", has_text="Ruoka").get_by_text("Pisteitä: 1").wait_for()

    # The facilitator types in a paper note.
    laptop.get_by_role("button", name="Kirjoita paperilappu koneelle").click()
    laptop.get_by_label("Mitä lapussa lukee").fill("Lisää aukioloaikoja")
    assert_accessible(laptop)
    laptop.get_by_role("button", name="Laita seinälle").click()
    paper = wall.locator(".note", has_text="Lisää aukioloaikoja")
    paper.wait_for()
    # The keyboard way: a note's dialog makes a new theme, then puts the paper note in it.
    note.focus()
    laptop.keyboard.press("Enter")
    dialog = laptop.get_by_role("dialog", name="Lappu")
    dialog.get_by_label("Teema", exact=True).select_option(label="Uusi teema…")
    dialog.get_by_label("Uuden teeman nimi").fill("Arki")
    assert_accessible(laptop)
    dialog.get_by_role("button", name="Tallenna").click()
    theme = wall.locator(".theme", has_text="Arki")
    theme.locator(".note", has_text="Kahvi").wait_for()
    paper.focus()
    laptop.keyboard.press("Enter")
    dialog.get_by_label("Teema", exact=True).select_option(label="Arki")
    dialog.get_by_role("button", name="Tallenna").click()
    theme.locator(".note", has_text="Lisää aukioloaikoja").wait_for()
    assert_accessible(laptop)

    # Every phone sees the theme on its own view of the wall.
    for phone in (first, second, third):
        if phone.get_by_role("button", name="Katso seinää").is_hidden():
            phone.get_by_role("button", name="Takaisin").first.click()
        phone.get_by_role("button", name="Katso seinää").click()
        phone.locator(".theme", has_text="Arki").locator(".note", has_text="Kahvi").wait_for()
    assert_accessible(third)
