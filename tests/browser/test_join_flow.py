"""The whole first capability in a real browser: account, workshop, QR, phone joins."""
import io
import re

import zxingcpp
from PIL import Image

from .conftest import PHONE, assert_accessible

PASSWORD = "correct horse battery"


def decode_qr(png: bytes) -> str:
    """Decode the one QR code in a screenshot with a real decoder."""
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(results) == 1, f"expected one QR code, found {len(results)}"
    return results[0].text


def test_facilitator_sets_up_and_a_phone_joins_by_qr(live_server, new_page):
    laptop = new_page()

    # First run: the facilitator URL offers to create the first account.
    laptop.goto(f"{live_server}/facilitator/")
    assert laptop.url.endswith("/facilitator/setup")
    assert_accessible(laptop)
    laptop.get_by_label("Käyttäjätunnus").fill("anna")
    laptop.get_by_label("Salasana", exact=True).fill(PASSWORD)
    laptop.get_by_label("Salasana uudelleen").fill(PASSWORD)
    laptop.get_by_role("button", name="Luo tunnus").click()
    laptop.wait_for_url(f"{live_server}/facilitator/")
    assert_accessible(laptop)

    # Log out and in again through the login page.
    laptop.get_by_role("button", name="Kirjaudu ulos").click()
    laptop.wait_for_url(re.compile(r".*/facilitator/login$"))
    assert_accessible(laptop)
    laptop.get_by_label("Käyttäjätunnus").fill("anna")
    laptop.get_by_label("Salasana").fill(PASSWORD)
    laptop.get_by_role("button", name="Kirjaudu sisään").click()
    laptop.wait_for_url(f"{live_server}/facilitator/")

    # Create a workshop.
    laptop.get_by_label("Työpajan nimi").fill("Meidän päiväkeskus, kevät")
    laptop.get_by_label("Paikka").fill("Päiväkeskus Kalliola")
    laptop.get_by_role("button", name="Luo työpaja").click()
    laptop.wait_for_url(re.compile(r".*/facilitator/workshops/\d+$"))
    assert laptop.get_by_role("heading", level=1).inner_text() == "Meidän päiväkeskus, kevät"
    code = laptop.locator(".join-card .join-code").inner_text().replace(" ", "")
    assert_accessible(laptop)

    # The projector: read the QR code off the screen as a phone camera would.
    laptop.get_by_role("link", name="Näytä videotykillä").click()
    laptop.wait_for_url(re.compile(r".*/projector$"))
    qr = laptop.get_by_role("img", name="QR-koodi, joka avaa työpajan puhelimessasi")
    qr.wait_for()
    assert qr.bounding_box()["width"] >= 400  # very large on a 1280×800 projector
    assert laptop.locator(".projector__code").inner_text().replace(" ", "") == code
    # Nothing is cut off at the edge of the projected screen.
    assert laptop.evaluate("() => document.documentElement.scrollWidth") <= 1280
    assert_accessible(laptop)
    join_url = decode_qr(laptop.screenshot())
    port = live_server.rsplit(":", 1)[1]
    assert join_url == f"http://127.0.0.1:{port}/j/{code}"  # the LAN address, not localhost

    # The poster prints on A4 and passes the same checks.
    laptop.goto(laptop.url.replace("/projector", "/poster"))
    assert_accessible(laptop)
    assert decode_qr(laptop.locator(".poster__qr").screenshot()) == join_url

    # A phone (English-language, 360 px wide) opens the URL and lands in Finnish.
    phone = new_page(**PHONE)
    phone.goto(join_url)
    assert phone.locator("html").get_attribute("lang") == "fi"
    assert phone.get_by_role("heading", level=1).inner_text() == "Meidän päiväkeskus, kevät"
    assert phone.get_by_role("button", name="Kirjoita lappu").is_visible()
    assert phone.get_by_role("heading", name="Kukaan ei tiedä, kuka olet").is_visible()
    assert phone.get_by_label("Käyttäjätunnus").count() == 0  # no account, no name asked
    assert_accessible(phone)
    # Nothing is wider than the phone's screen.
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 360

    # The language switch works from the phone.
    phone.get_by_role("button", name="Svenska").click()
    phone.get_by_role("button", name="Skriv en lapp").wait_for()
    assert phone.locator("html").get_attribute("lang") == "sv"
    assert_accessible(phone)


def test_participant_pages_for_wrong_and_typed_codes(live_server, new_page):
    phone = new_page(**PHONE | {"viewport": {"width": 320, "height": 568}})
    phone.goto(f"{live_server}/")
    assert_accessible(phone)
    phone.get_by_label("Koodi").fill("www www")
    phone.get_by_role("button", name="Liity", exact=True).click()
    error = phone.get_by_text("Tällä koodilla ei löydy työpajaa.")
    error.wait_for()
    assert phone.get_by_label("Koodi").get_attribute("aria-invalid") == "true"
    assert_accessible(phone)
    phone.goto(f"{live_server}/j/WWWWWW")
    assert phone.get_by_role("heading", level=1).inner_text().startswith("Tällä koodilla ei löydy työpajaa.")
    assert_accessible(phone)
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 320


def test_privacy_notice_from_the_front_page_on_a_small_phone(live_server, new_page):
    phone = new_page(**PHONE | {"viewport": {"width": 320, "height": 568}})
    phone.goto(f"{live_server}/")
    phone.locator('.privacy-note a[href="/privacy"]').click()
    phone.wait_for_url(f"{live_server}/privacy")
    assert phone.locator("html").get_attribute("lang") == "fi"
    assert phone.get_by_role("heading", level=1).count() == 1
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 320
    assert_accessible(phone)
    phone.get_by_role("button", name="Svenska").click()
    phone.wait_for_function("() => document.documentElement.lang === 'sv'")
    assert phone.url == f"{live_server}/privacy"  # the switch brings the reader back to the notice
    assert_accessible(phone)
