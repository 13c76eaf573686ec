"""Issue 5, the outbox, in a real browser: a phone that loses the Wi-Fi loses nothing.

Offline, the phone keeps every note and drawing (as a Blob in IndexedDB) and says so; home
counts what is not sent yet. Back online, the outbox sends them one at a time, in order,
each exactly once. A note the server refuses on replay (its board was locked meanwhile)
is never dropped: it is listed with the server's reason, to copy out, try again or remove
after a confirmation. axe checks home with pending items, the waiting list and the failed list.
"""
import json
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select, update

from workshop.accounts import create_account
from workshop.actors import Actor
from workshop.extensions import db
from workshop import kiosk
from workshop.models import Account, Board, Item, Phase, Workshop
from workshop.wall import boards, update_board
from workshop.workshops import create_workshop

from .conftest import PASSWORD, PHONE, assert_accessible, log_in_in_english, scribble

SAVED = "Saved on this phone. It will be sent when there is a connection."
LOCKED = "The facilitator has locked this board, so it can no longer be changed."


@pytest.fixture
def room(live_server, live_app):
    """A facilitator account and an English workshop with its three default boards."""
    with live_app.app_context():
        create_account("anna", PASSWORD)
        workshop = create_workshop("Day centre Kalliola", "Kallio", "en")
        return {"url": live_server, "id": workshop.id, "code": workshop.join_code,
                "boards": {board.title: board.id for board in boards(workshop)}}


def open_phone(new_page, room):
    phone = new_page(**PHONE)
    phone.goto(f"{room['url'].replace('localhost', '127.0.0.1')}/j/{room['code']}")
    wait_until_live(phone)
    return phone


def keep_for_offline(phone):
    """Wait until the service worker runs and keeps this page for opening without a network."""
    phone.wait_for_function("async () => (await navigator.serviceWorker.ready).active.state === 'activated'")
    phone.wait_for_function(
        "async () => (await caches.match(location.href, {cacheName: 'kuulluksi-pages'})) !== undefined")


def wait_until_live(phone):
    """Wait for the workshop's state from the socket (the phone shows its choices then)."""
    expect(phone.locator("[data-phase-line]")).not_to_be_empty()
    phone.locator('nav [data-go="note"]').wait_for()
    expect(status(phone)).to_have_text("Everything is sent")


def status(phone):
    """Home's line: "Not sent yet: N", "Sending…" or "Everything is sent"."""
    return phone.locator("[data-outbox-status]")


def write_note(phone, text, board=None):
    phone.locator('nav [data-go="note"]').click()
    phone.get_by_label("Your note").fill(text)
    if board:
        phone.locator("[data-note-form]").get_by_text(board, exact=True).click()
    phone.get_by_role("button", name="Put it on the wall").click()


def draw(phone, caption):
    """A drawing with real pointer input, as in test_live_wall.py."""
    phone.locator('nav [data-go="draw"]').click()
    scribble(phone)
    phone.get_by_label("What does your drawing show? (optional)").fill(caption)
    phone.get_by_role("button", name="Put it on the wall").click()


def stored_items(live_app, room):
    """(kind, text, board id, uuid) of the workshop's items in the order they were stored."""
    with live_app.app_context():
        rows = db.session.scalars(select(Item).where(Item.workshop_id == room["id"]).order_by(Item.id))
        return [(row.kind.value, row.text, row.board_id, row.uuid) for row in rows]


def test_offline_notes_and_a_drawing_are_sent_once_and_in_order_when_back_online(room, new_page, live_app):
    phone = open_phone(new_page, room)
    keep_for_offline(phone)
    phone.context.set_offline(True)

    texts = ["The night shelter is full", "Coffee is good here", "More opening hours please"]
    for count, text in enumerate(texts, start=1):
        write_note(phone, text)
        phone.get_by_text(SAVED).wait_for()
        expect(status(phone)).to_have_text(f"Not sent yet: {count}")
        assert phone.get_by_label("Your note").input_value() == ""  # the form was cleared
    draw(phone, "The sun is shining")
    phone.get_by_text(SAVED).wait_for()
    expect(status(phone)).to_have_text("Not sent yet: 4")
    assert stored_items(live_app, room) == []
    assert_accessible(phone)  # home with pending items

    # "My notes" lists what waits, the drawing with its picture from the outbox's Blob.
    phone.get_by_role("button", name="Show what is waiting").click()
    waiting = phone.locator("[data-waiting-list] > li")
    expect(waiting).to_have_count(4)
    assert [line.split("\n")[0] for line in waiting.all_inner_texts()] == texts + ["The sun is shining"]
    picture = waiting.nth(3).get_by_role("img", name="The sun is shining")
    assert phone.evaluate("(img) => img.complete && img.naturalWidth > 0", picture.element_handle())
    assert_accessible(phone)
    phone.get_by_role("button", name="Back").last.click()

    # A reload with no network: the page (the service worker's copy) and the four are there.
    phone.reload()
    expect(status(phone)).to_have_text("Not sent yet: 4")
    assert stored_items(live_app, room) == []

    phone.context.set_offline(False)
    expect(status(phone)).to_have_text("Everything is sent", timeout=20_000)
    first_board = room["boards"]["What works?"]
    items = stored_items(live_app, room)
    assert [(kind, text, board) for kind, text, board, _uuid in items] == [
        ("note", texts[0], first_board), ("note", texts[1], first_board), ("note", texts[2], first_board),
        ("drawing", "The sun is shining", first_board)]
    assert len({uuid for *_rest, uuid in items}) == 4
    assert phone.get_by_role("button", name=re.compile("^Could not be sent")).is_hidden()

    # The facilitator's wall shows the four, in the order they were written.
    laptop = log_in_in_english(new_page, room['url'])
    laptop.goto(f"{room['url']}/facilitator/workshops/{room['id']}/wall")
    board = laptop.locator("[data-wall] .board", has_text="What works?")
    expect(board.locator(".note")).to_have_count(4)
    shown = [text.strip() for text in board.locator(".note").all_inner_texts()]
    assert [text.split("\n")[0] for text in shown] == texts + ["The sun is shining"]
    assert laptop.evaluate("(img) => img.complete && img.naturalWidth > 0",
                           board.locator(".note--drawing img").element_handle())
    # Nothing more is sent later (a second drain, a reconnect): still exactly four.
    phone.evaluate("() => window.dispatchEvent(new Event('online'))")
    phone.wait_for_timeout(500)
    assert len(stored_items(live_app, room)) == 4


def test_a_note_refused_on_replay_is_kept_to_copy_retry_or_remove(room, new_page, live_app, problems):
    phone = open_phone(new_page, room)
    # The API answers in the language chosen with the switch, else in the workshop's (English
    # here); choosing English on the page too keeps this test about the outbox only.
    with phone.expect_navigation():
        phone.get_by_role("button", name="English").click()
    wait_until_live(phone)
    origin = room["url"].replace("localhost", "127.0.0.1")
    phone.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=origin)
    phone.context.set_offline(True)
    write_note(phone, "Lock me out", board="What works?")
    phone.get_by_text(SAVED).wait_for()
    write_note(phone, "Second note", board="What does not work?")
    expect(status(phone)).to_have_text("Not sent yet: 2")
    write_note(phone, "Third note", board="What does not work?")
    expect(status(phone)).to_have_text("Not sent yet: 3")

    # Meanwhile the facilitator locks the first board: replaying the first note gets 423.
    with live_app.app_context():
        workshop = db.session.get(Workshop, room["id"])
        account = db.session.scalar(select(Account))
        update_board(workshop, Actor(account=account), room["boards"]["What works?"], {"locked": True})
    phone.context.set_offline(False)
    failed_button = phone.get_by_role("button", name="Could not be sent (1)")
    failed_button.wait_for(timeout=20_000)
    expect(status(phone)).to_have_text("Everything is sent")
    other_board = room["boards"]["What does not work?"]
    assert [(text, board) for _kind, text, board, _uuid in stored_items(live_app, room)] == [
        ("Second note", other_board), ("Third note", other_board)]
    assert_accessible(phone)  # home with a failed item

    failed_button.click()
    entry = phone.locator("[data-failed-list] > li")
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text("Lock me out")
    expect(entry).to_contain_text(f"Reason: {LOCKED}")
    assert_accessible(phone)  # the failed list

    entry.get_by_role("button", name="Copy the text").click()
    phone.get_by_text("The text was copied.").wait_for()
    assert phone.evaluate("() => navigator.clipboard.readText()") == "Lock me out"

    # Trying again while the board is still locked: refused again, still listed.
    entry.get_by_role("button", name="Try again").click()
    phone.get_by_text("It could not be sent this time either.").wait_for()
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text(f"Reason: {LOCKED}")

    # Removing asks first; "Cancel" keeps it, "OK" removes it.
    asked = []

    def answer(dialog, accept):
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    phone.once("dialog", lambda dialog: answer(dialog, False))
    entry.get_by_role("button", name="Remove").click()
    phone.wait_for_function("() => true")
    assert asked == ["Remove this? It has not been sent, so it will be gone for good."]
    expect(entry).to_have_count(1)
    phone.once("dialog", lambda dialog: answer(dialog, True))
    entry.get_by_role("button", name="Remove").click()
    phone.get_by_text("It was removed.").wait_for()
    expect(entry).to_have_count(0)
    phone.get_by_text("Nothing here now.").wait_for()
    phone.get_by_role("button", name="Back").last.click()
    expect(failed_button).to_be_hidden()
    assert len(stored_items(live_app, room)) == 2

    # The two refusals were the point of this test, not a problem of the page.
    refused = f"423 {origin}/api/w/{room['code']}/items"
    assert problems.problems.count(refused) == 2
    problems.problems[:] = [problem for problem in problems.problems if problem != refused]


def test_a_refusal_while_the_form_is_open_is_shown_on_the_form(room, new_page, live_app, problems):
    """Refused at the first try, while the person still looks at the form: the reason is
    said right there and the text stays, as before the outbox; nothing is left in it."""
    phone = open_phone(new_page, room)
    with phone.expect_navigation():
        phone.get_by_role("button", name="English").click()
    wait_until_live(phone)
    phone.locator('nav [data-go="note"]').click()
    phone.get_by_label("Your note").fill("Too late for this board")
    # The board is locked behind the phone's back (no change is pushed): the server says 423.
    with live_app.app_context():
        db.session.execute(update(Board).where(Board.id == room["boards"]["What works?"]).values(locked=True))
        db.session.commit()
    phone.get_by_role("button", name="Put it on the wall").click()
    phone.locator("[data-note-form] [data-error]").get_by_text(LOCKED).wait_for()
    assert phone.get_by_label("Your note").input_value() == "Too late for this board"
    assert phone.evaluate("""() => new Promise((done) => {
        const open = indexedDB.open("kuulluksi-outbox");
        open.onsuccess = () => {
          const request = open.result.transaction("items").objectStore("items").count();
          request.onsuccess = () => done(request.result);
        };
      })""") == 0
    phone.get_by_role("button", name="Back").first.click()
    expect(status(phone)).to_have_text("Everything is sent")
    assert phone.get_by_role("button", name=re.compile("^Could not be sent")).is_hidden()
    assert stored_items(live_app, room) == []
    origin = room["url"].replace("localhost", "127.0.0.1")
    problems.problems.remove(f"423 {origin}/api/w/{room['code']}/items")


def test_a_captive_portal_or_a_server_fault_is_retried_not_refused(room, new_page, live_app, problems):
    """Only our API's answer can mark a note sent or refused: a Wi-Fi login page's
    "200 OK" and a 503 leave it waiting, and it is sent again after a short back-off."""
    phone = open_phone(new_page, room)
    answers = ["portal", "fault"]
    seen = []

    def intercept(route):
        seen.append(route.request.post_data_json["uuid"])
        if not answers:
            return route.continue_()
        if answers.pop(0) == "portal":
            return route.fulfill(status=200, content_type="text/html", body="<h1>Log in to the Wi-Fi</h1>")
        return route.fulfill(status=503, content_type="text/html", body="Service unavailable")

    phone.route("**/api/w/*/items", intercept)
    write_note(phone, "Through the captive portal")
    phone.get_by_text(SAVED).wait_for()
    expect(status(phone)).to_have_text("Everything is sent", timeout=15_000)
    assert [text for _kind, text, _board, _uuid in stored_items(live_app, room)] == ["Through the captive portal"]
    assert len(seen) == 3 and len(set(seen)) == 1  # the same UUID every time
    assert phone.get_by_role("button", name=re.compile("^Could not be sent")).is_hidden()
    origin = room["url"].replace("localhost", "127.0.0.1")
    problems.problems.remove(f"503 {origin}/api/w/{room['code']}/items")


def test_what_waits_survives_a_reload_without_a_network(room, new_page, live_app):
    """Needs the service worker (workshop/pwa.py) to open the page offline."""
    phone = open_phone(new_page, room)
    keep_for_offline(phone)
    phone.context.set_offline(True)
    write_note(phone, "Written before the reload")
    phone.get_by_text(SAVED).wait_for()
    draw(phone, "Drawn before the reload")
    expect(status(phone)).to_have_text("Not sent yet: 2")

    phone.reload()  # from the worker's copy: there is no network
    assert phone.evaluate("() => navigator.onLine") is False
    expect(status(phone)).to_have_text("Not sent yet: 2")
    phone.get_by_role("button", name="Show what is waiting").click()
    waiting = phone.locator("[data-waiting-list] > li")
    expect(waiting).to_have_count(2)
    assert [line.split("\n")[0] for line in waiting.all_inner_texts()] == [
        "Written before the reload", "Drawn before the reload"]
    picture = waiting.nth(1).get_by_role("img", name="Drawn before the reload")
    assert phone.evaluate("(img) => img.complete && img.naturalWidth > 0", picture.element_handle())
    assert_accessible(phone)
    phone.get_by_role("button", name="Back").last.click()

    phone.context.set_offline(False)
    expect(status(phone)).to_have_text("Everything is sent", timeout=20_000)
    assert [(kind, text) for kind, text, _board, _uuid in stored_items(live_app, room)] == [
        ("note", "Written before the reload"), ("drawing", "Drawn before the reload")]


def wait_until_kept(phone, room):
    """Wait until the phone has kept the workshop's last known state (static/js/live.js)."""
    phone.wait_for_function("(key) => localStorage.getItem(key) !== null", arg=f"kuulluksi-live-{room['code']}")


def test_the_last_known_workshop_state_opens_offline_after_a_reload(room, new_page, live_app):
    """A page reloaded without a network still offers the phase's choices and the boards,
    from the state kept on the phone; a note written then goes to its board once."""
    with live_app.app_context():  # in data collection, "Now" says "Write a note"
        db.session.execute(update(Workshop).where(Workshop.id == room["id"]).values(phase=Phase.COLLECTION))
        db.session.commit()
    phone = open_phone(new_page, room)
    keep_for_offline(phone)
    phase_line = phone.locator("[data-phase-line]").inner_text()
    assert phase_line == "Now: Data collection"
    expect(phone.locator("[data-now-action]")).to_have_text("Write a note")
    wait_until_kept(phone, room)

    phone.context.set_offline(True)
    phone.reload()  # from the worker's copy: there is no network, and no socket
    assert phone.evaluate("() => navigator.onLine") is False
    expect(phone.locator("[data-phase-line]")).to_have_text(phase_line)
    expect(phone.locator("[data-now-action]")).to_have_text("Write a note")
    expect(phone.locator('nav [data-go="note"]')).to_be_visible()
    phone.locator('nav [data-go="note"]').click()
    choices = phone.locator("[data-note-form] [data-board-choices] label")
    expect(choices).to_have_text(list(room["boards"]))
    phone.get_by_role("button", name="Back").first.click()

    second = list(room["boards"])[1]
    write_note(phone, "Written offline after a reload", board=second)
    phone.get_by_text(SAVED).wait_for()
    expect(status(phone)).to_have_text("Not sent yet: 1")

    phone.context.set_offline(False)
    expect(status(phone)).to_have_text("Everything is sent", timeout=20_000)
    phone.evaluate("() => window.dispatchEvent(new Event('online'))")  # a second drain sends nothing more
    phone.wait_for_timeout(500)
    assert [(kind, text, board) for kind, text, board, _uuid in stored_items(live_app, room)] == [
        ("note", "Written offline after a reload", room["boards"][second])]

    # On the facilitator's wall it is on that board, once; the wall keeps nothing on the laptop.
    laptop = log_in_in_english(new_page, room['url'])
    laptop.goto(f"{room['url']}/facilitator/workshops/{room['id']}/wall")
    board = laptop.locator("[data-wall] .board", has_text=second)
    expect(board.locator(".note")).to_have_count(1)
    expect(board.locator(".note")).to_contain_text("Written offline after a reload")
    assert laptop.evaluate("() => Object.keys(localStorage).filter((key) => key.startsWith('kuulluksi-live'))") == []


def test_next_person_on_the_shared_tablet_forgets_the_kept_state(room, new_page, live_app):
    with live_app.app_context():
        token = kiosk.token_for(db.session.get(Workshop, room["id"]))
    tablet = new_page(**PHONE)
    # What the page finds kept when it starts, before any of its own scripts run.
    key = f"kuulluksi-live-{room['code']}"
    tablet.add_init_script(f"window.keptAtStart = localStorage.getItem({json.dumps(key)});")
    tablet.goto(f"{room['url'].replace('localhost', '127.0.0.1')}/kiosk/{token}")
    wait_until_live(tablet)
    wait_until_kept(tablet, room)
    tablet.reload()
    wait_until_live(tablet)
    assert tablet.evaluate("() => window.keptAtStart") is not None  # a reload starts from what was kept

    with tablet.expect_navigation():
        tablet.get_by_role("button", name="Next person").click()
    wait_until_live(tablet)
    assert tablet.evaluate("() => window.keptAtStart") is None  # the next person starts afresh
