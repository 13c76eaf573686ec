"""Issue 9 in a real browser: hostile notes on the live projected wall stay plain text.

A phone posts every payload of the XSS corpus through the API (fetch, as its own script
does), plus a theme named with a payload from the facilitator's laptop. The live wall
and the phone's own view of it show each as literal text; no dialog opens, no element a
payload describes exists, and axe finds nothing.
"""
import re

import pytest

from workshop.accounts import create_account
from workshop.workshops import create_workshop

from ..xss_corpus import PAYLOADS
from .conftest import PASSWORD, PHONE, assert_accessible, log_in

#: Sends each text as a note on the first board, as the phone's script does (same origin, API header).
POST_NOTES = """async ([code, texts]) => {
  const headers = {"Content-Type": "application/json", "X-Requested-With": "kuulluksi"};
  const changes = await (await fetch(`/api/w/${code}/changes`)).json();
  const board = changes.changes.find((change) => change.type === "board").id;
  const statuses = [];
  for (const text of texts) {
    const response = await fetch(`/api/w/${code}/items`, {method: "POST", headers,
      body: JSON.stringify({uuid: crypto.randomUUID(), kind: "note", text, board_id: board})});
    statuses.push(response.status);
  }
  return statuses;
}"""
POST_THEME = """async ([code, name]) => (await fetch(`/api/w/${code}/themes`, {method: "POST",
  headers: {"Content-Type": "application/json", "X-Requested-With": "kuulluksi"},
  body: JSON.stringify({name})})).status"""
#: What a payload would have made, had it become markup: none of it may be in the page.
INJECTED = """() => {
  const found = [];
  for (const element of document.querySelectorAll("*")) {
    for (const attribute of element.attributes) {
      if (attribute.name.startsWith("on")) found.push(`${element.tagName} ${attribute.name}`);
      if (/^\\s*(javascript|vbscript|data:text)/i.test(attribute.value)) found.push(`${element.tagName} ${attribute.name}`);
    }
  }
  for (const selector of ["img[src='x']", "svg[onload]", "iframe", "object", "embed", "base", "math",
                          "meta[http-equiv='refresh']", "details[ontoggle]", "form[action^='javascript']"]) {
    if (document.querySelector(selector)) found.push(selector);
  }
  for (const script of document.scripts) if (script.textContent.includes("alert(")) found.push("inline alert");
  return found;
}"""


@pytest.fixture
def room(live_server, live_app):
    """A facilitator account and a workshop on the live server's data."""
    with live_app.app_context():
        create_account("anna", PASSWORD)
        workshop = create_workshop("Päiväkeskus Kalliola", "Kallio", "fi")
        return {"url": live_server, "id": workshop.id, "code": workshop.join_code}


def test_hostile_notes_are_plain_text_on_the_live_wall(room, new_page):
    dialogs = []
    laptop = new_page()
    laptop.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(laptop, room['url'])
    laptop.wait_for_url(re.compile(r".*/facilitator/$"))
    laptop.goto(f"{room['url']}/facilitator/workshops/{room['id']}/wall")
    wall = laptop.locator("[data-wall]")
    laptop.get_by_text("Ajantasalla").wait_for()

    phone = new_page(**PHONE)
    phone.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    phone.goto(f"{room['url'].replace('localhost', '127.0.0.1')}/j/{room['code']}")
    phone.get_by_role("button", name="Kirjoita lappu").wait_for()
    assert phone.evaluate(POST_NOTES, [room["code"], PAYLOADS]) == [201] * len(PAYLOADS)
    theme_name = PAYLOADS[1]
    assert laptop.evaluate(POST_THEME, [room["code"], theme_name]) == 201

    # The live wall got every note over the socket, each shown exactly as typed.
    notes = wall.locator(".note")
    for payload in PAYLOADS:
        wall.locator(".note", has_text=payload).first.wait_for()
    shown = [text.strip() for text in notes.all_inner_texts()]
    for payload in PAYLOADS:
        assert any(payload in text for text in shown), payload
    wall.get_by_role("heading", name=theme_name, exact=True).wait_for()
    assert laptop.evaluate(INJECTED) == []
    assert_accessible(laptop)

    # A wall opened afresh draws the same from its first load, and so does the phone's view.
    laptop.reload()
    laptop.get_by_text("Ajantasalla").wait_for()
    wall.locator(".note", has_text=PAYLOADS[-1]).first.wait_for()
    assert wall.locator(".note").count() == len(PAYLOADS)
    assert laptop.evaluate(INJECTED) == []
    phone.get_by_role("button", name="Katso seinää").click()
    phone.locator(".note", has_text=PAYLOADS[0]).first.wait_for()
    assert phone.evaluate(INJECTED) == []
    assert_accessible(phone)
    assert dialogs == []
