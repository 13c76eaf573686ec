"""Street notes in a real browser (issue 5): the worker's one-handed form on a phone, and
the facilitators' list, each checked with axe under the app's Content-Security-Policy."""
import io
import re
from datetime import datetime, timedelta, timezone

from PIL import Image
from sqlalchemy import select

from workshop.extensions import db

from .conftest import PASSWORD, PHONE, assert_accessible, log_in


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 120, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


def test_a_worker_writes_notes_and_a_facilitator_puts_one_on_a_wall(live_app, live_server, new_page):
    from workshop.accounts import create_account
    from workshop.models import Role, StreetNote
    from workshop.workshops import create_workshop

    with live_app.app_context():
        create_account("anna", PASSWORD)
        create_account("ville", PASSWORD, Role.WORKER)
        create_workshop("Kevään työpaja", "Kallio")

    phone = new_page(**PHONE)
    log_in(phone, live_server, "ville")
    phone.wait_for_url(f"{live_server}/street/")  # a worker lands on their own page
    assert phone.get_by_role("heading", level=1).inner_text() == "Uusi katuhavainto"
    assert_accessible(phone)
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 360

    # Saving with nothing chosen says what is missing, beside the field.
    save = phone.get_by_role("button", name="Tallenna havainto")
    save.click()
    assert phone.locator("#street-nature-error").inner_text() == "Valitse ensin luonne."
    assert_accessible(phone)

    # A note in a few taps: nature, category, text, area.
    phone.get_by_role("radio", name="Negatiivinen").check()
    phone.get_by_label("Ilmiöluokka").select_option("social_problems")
    phone.get_by_label("Mitä kohtasit?").fill("Nuori nukkuu rappukäytävässä")
    phone.get_by_label("Alue (vapaaehtoinen)").select_option("Keskusta")
    before = datetime.now(timezone.utc)
    save.click()
    status = phone.locator("[data-status]")
    status.filter(has_text="Tallennettu").wait_for()
    assert phone.locator("[data-own-list] .street-note__text").first.inner_text() == "Nuori nukkuu rappukäytävässä"
    assert phone.get_by_label("Mitä kohtasit?").input_value() == ""  # ready for the next one
    assert phone.get_by_label("Alue (vapaaehtoinen)").input_value() == "Keskusta"  # the round's area stays
    assert_accessible(phone)
    with live_app.app_context():
        note = db.session.scalars(select(StreetNote)).one()
        assert note.area == "Keskusta" and note.category.value == "social_problems"
        assert before - timedelta(seconds=5) <= note.written_at <= datetime.now(timezone.utc)

    # A second one with a photo from the camera, for the workshop.
    phone.get_by_role("radio", name="Positiivinen").check()
    phone.get_by_label("Ilmiöluokka").select_option("own_services")
    phone.get_by_label("Mitä kohtasit?").fill("Uusi yöpaikka toimii")
    phone.get_by_label("Alue (vapaaehtoinen)").select_option("Itäinen alue")
    phone.get_by_text("Valokuva, työpaja tai aihe (vapaaehtoinen)").click()
    phone.get_by_label("Ota tai valitse valokuva").set_input_files(
        {"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": jpeg()})
    phone.locator("[data-preview]").wait_for()
    phone.get_by_label("Aineistoa työpajaan (vapaaehtoinen)").select_option(label="Kevään työpaja")
    save.click()
    status.filter(has_text="Tallennettu").wait_for()
    phone.locator("[data-own-list] img").first.wait_for()
    assert phone.locator("[data-own-list] li").count() == 2
    assert_accessible(phone)

    # Offline: the outbox's hook keeps the note on the phone; the page says so.
    phone.evaluate("() => { window.kuulluksiStreetSend = async () => ({ sent: false, entry: { seq: 1 } }); }")
    phone.get_by_role("radio", name="Muu tärkeä").check()
    phone.get_by_label("Ilmiöluokka").select_option("client_needs")
    phone.get_by_label("Mitä kohtasit?").fill("Kysyi ruoka-avusta")
    save.click()
    status.filter(has_text="Tallennettu tähän puhelimeen").wait_for()
    assert "Odottaa lähettämistä" in phone.locator("[data-own-list] li").first.inner_text()
    # No network at all: the text stays for another try.
    phone.evaluate("() => { window.kuulluksiStreetSend = async () => ({ sent: false, entry: null }); }")
    phone.get_by_role("radio", name="Muu tärkeä").check()
    phone.get_by_label("Ilmiöluokka").select_option("client_needs")
    phone.get_by_label("Mitä kohtasit?").fill("Tämä ei saa kadota")
    save.click()
    phone.locator("[data-error]").filter(has_text="Yhteyttä ei juuri nyt ole").wait_for()
    assert phone.get_by_label("Mitä kohtasit?").input_value() == "Tämä ei saa kadota"

    # The facilitator reads, filters, and puts a note on the workshop's wall.
    laptop = new_page()
    log_in(laptop, live_server, "anna")
    laptop.wait_for_url(f"{live_server}/facilitator/")
    laptop.get_by_role("link", name="Lue katuhavainnot").click()
    laptop.wait_for_url(f"{live_server}/street/notes")
    assert_accessible(laptop)
    laptop.get_by_label("Alue", exact=True).select_option("Keskusta")
    laptop.get_by_role("button", name="Näytä", exact=True).click()
    laptop.wait_for_url(re.compile(r".*area=Keskusta.*"))
    assert laptop.locator(".street-list .street-note__text").all_inner_texts() == ["Nuori nukkuu rappukäytävässä"]
    laptop.get_by_role("button", name="Vie seinälle").click()
    laptop.get_by_text("Havainto on nyt työpajan Kevään työpaja seinällä.").wait_for()
    assert "area=Keskusta" in laptop.url
    assert_accessible(laptop)
