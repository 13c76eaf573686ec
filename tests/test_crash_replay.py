"""The server is killed (SIGKILL) while a phone replays its outbox, then restarted.

The phone does what `static/js/outbox.js` does: it sends its twenty items one at a time,
in order, each under its own UUID, and sends an item again (the same UUID, the same body)
until the server answers 2xx. The server is `python run.py`, as deployed, killed without
warning twice at random moments of the replay. Afterwards every item is stored exactly
once, in the order sent, and every picture's row has its file.
"""
import random
import threading
import time
import uuid

import pytest
import requests

from .conftest import API_HEADERS, make_picture
from .servers import Server

ITEMS = 20


@pytest.fixture
def server(tmp_path):
    sessions = tmp_path / "sessions"
    server = Server(sessions)
    server.start()  # migrates the fresh data directory
    yield server
    server.stop()


def outbox(code: str, board_id: int) -> list[dict]:
    """Twenty items as a phone's outbox holds them: notes, and every fifth a drawing."""
    items = []
    for number in range(ITEMS):
        entry = {"uuid": str(uuid.uuid4()), "kind": "note", "board_id": board_id, "text": f"Lappu {number}"}
        if number % 5 == 4:
            colour = (number * 10, 80, 160)
            entry.update(kind="drawing", text=f"Piirros {number}",
                         image=make_picture("PNG", (300, 200), colour))
        items.append(entry)
    return items


#: How a phone names the picture it uploads: a drawing is a PNG, a photo the camera's JPEG.
UPLOADS = {"drawing": ("drawing.png", "image/png"), "photo": ("photo.jpg", "image/jpeg")}


def send(session: requests.Session, server: Server, code: str, item: dict) -> requests.Response:
    """POST one item as the outbox does: JSON, or multipart with the picture."""
    url = f"{server.url}/api/w/{code}/items"
    if "image" in item:
        fields = {key: str(value) for key, value in item.items() if key != "image"}
        name, content_type = UPLOADS[item["kind"]]
        return session.post(url, data=fields, files={"image": (name, item["image"], content_type)},
                            headers=API_HEADERS, timeout=10)
    return session.post(url, json=item, headers=API_HEADERS, timeout=10)


def test_every_item_replayed_through_two_kills_is_stored_exactly_once(server, tmp_path):
    rng = random.Random(20261123)
    staff = requests.Session()
    staff.get(f"{server.url}/facilitator/setup")  # the first account, offered on the laptop itself
    workshop = create_workshop_over_http(staff, server)
    phone = requests.Session()
    assert phone.get(f"{server.url}/j/{workshop['code']}", timeout=10).ok
    board = next(c for c in phone.get(f"{server.url}/api/w/{workshop['code']}/changes", timeout=10).json()["changes"]
                 if c["type"] == "board")
    items = outbox(workshop["code"], board["id"])

    # Two kills at random moments of the replay: as an item is being sent (or just before).
    kill_before = {rng.randint(2, 8), rng.randint(10, 17)}
    timers = []

    answers, resent = [], 0
    for number, item in enumerate(items):
        if number in kill_before:
            timers.append(threading.Timer(rng.uniform(0.0, 0.03), server.kill))
            timers[-1].start()
        while True:  # the outbox: the same item again until the server says it is stored
            try:
                answer = send(phone, server, workshop["code"], item)
            except requests.RequestException:
                answer = None
            if answer is not None and answer.status_code in (200, 201):
                answers.append(answer.json()["item"])
                break
            assert answer is None or answer.status_code >= 500, answer.text
            resent += 1
            if not server.alive():
                server.start()
            time.sleep(0.05)
    for timer in timers:
        timer.join()
    assert server.kills == 2 and resent >= 1
    if not server.alive():  # the last kill came after the last item
        server.start()

    stored = phone.get(f"{server.url}/api/w/{workshop['code']}/mine", timeout=10).json()["items"]
    assert [item["uuid"] for item in stored] == [item["uuid"] for item in items]  # each once, in order
    assert [item["text"] for item in stored] == [item["text"] for item in items]
    for item in stored:
        if item["kind"] == "drawing":
            picture = phone.get(server.url + item["image"]["url"], timeout=10)
            assert picture.status_code == 200 and picture.content.startswith(b"\x89PNG")


def create_workshop_over_http(staff: requests.Session, server: Server) -> dict:
    """The facilitator's first account and a workshop, through the pages as a person would."""
    import re

    page = staff.get(f"{server.url}/facilitator/setup", timeout=10).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or \
        re.search(r'name="csrf_token" value="([^"]+)"', page)
    answer = staff.post(f"{server.url}/facilitator/setup", timeout=10, data={
        "csrf_token": token.group(1), "username": "anna", "password": "correct horse battery",
        "confirm": "correct horse battery"})
    assert answer.ok, answer.text
    page = staff.get(f"{server.url}/facilitator/", timeout=10).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or \
        re.search(r'name="csrf_token" value="([^"]+)"', page)
    answer = staff.post(f"{server.url}/facilitator/", timeout=10, data={
        "csrf_token": token.group(1), "title": "Päiväkeskus", "place": "Kallio", "language": "fi"})
    assert answer.ok, answer.text
    workshop_url = answer.url
    code = re.search(r'class="join-code[^"]*">([^<]+)<', staff.get(workshop_url, timeout=10).text).group(1)
    return {"code": code.replace(" ", "")}
