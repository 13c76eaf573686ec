"""Many phones post notes and camera photos while the server is killed (SIGKILL) again and again.

Each phone behaves as its outbox does (static/js/outbox.js): one item at a time, the same
UUID and body again until a 2xx. A killer kills `python run.py` at random moments and starts
it again. Afterwards:

- every item that got a 2xx is stored exactly once (and so is every other item: the phones
  kept resending until they got one);
- every photo row has its picture and thumbnail on disk, and they carry no EXIF;
- no picture file is left that no row names (the start-up sweep removed what a kill left
  between writing a file and committing its row), and no half-written temporary file.

The orphan sweep itself is tested on its own below, on files whose age the test sets.
"""
from __future__ import annotations

import io
import os
import random
import sqlite3
import threading
import time
import uuid

import pytest
import requests
from PIL import Image

from workshop.images import sweep_unreferenced

from .conftest import API_HEADERS, gps_photo
from .servers import Server
from .test_crash_replay import create_workshop_over_http, send

PHONES = 6
ITEMS_PER_PHONE = 9  # every third a photo
KILLS = 3


@pytest.fixture
def server(tmp_path):
    # One laptop process: nothing else can be between a file and its commit at start-up.
    server = Server(tmp_path / "sessions", {"MEDIA_SWEEP_MIN_AGE_S": "0"})
    server.start()
    yield server
    server.stop()


def phone_outbox(phone: int, board_id: int) -> list[dict]:
    """One phone's items: notes, and every third a camera photo with GPS in its EXIF."""
    items = []
    for number in range(ITEMS_PER_PHONE):
        item = {"uuid": str(uuid.uuid4()), "kind": "note", "board_id": board_id,
                "text": f"Puhelin {phone}, lappu {number}"}
        if number % 3 == 2:
            item.update(kind="photo", image=gps_photo((640, 480), (phone * 40, number * 20, 90)))
        items.append(item)
    return items


def test_nothing_acknowledged_is_lost_or_doubled_and_no_file_is_orphaned_through_kills(server, tmp_path):
    staff = requests.Session()
    code = create_workshop_over_http(staff, server)["code"]
    sessions = [requests.Session() for _ in range(PHONES)]
    for session in sessions:
        assert session.get(f"{server.url}/j/{code}", timeout=10).ok
    board = next(change for change in sessions[0].get(f"{server.url}/api/w/{code}/changes", timeout=10).json()[
        "changes"] if change["type"] == "board")
    outboxes = [phone_outbox(phone, board["id"]) for phone in range(PHONES)]
    acknowledged: dict[str, dict] = {}
    restart = threading.Lock()  # one phone starts the server again, the others wait for it
    failures: list[str] = []

    def replay(session: requests.Session, items: list[dict]) -> None:
        for item in items:
            while True:
                try:
                    answer = send(session, server, code, item)
                except requests.RequestException:
                    answer = None
                if answer is not None and answer.status_code in (200, 201):
                    acknowledged[item["uuid"]] = answer.json()["item"]
                    break
                if answer is not None and answer.status_code < 500:
                    failures.append(f"{answer.status_code} {answer.text}")
                    return
                with restart:
                    if not server.alive():
                        server.start()
                time.sleep(0.02)

    phones = [threading.Thread(target=replay, args=pair) for pair in zip(sessions, outboxes)]
    for phone in phones:
        phone.start()
    # Kills while the phones post: each after a random number of acknowledgements (so a fast
    # machine cannot finish before the kills), a few milliseconds into whatever is under way.
    rng = random.Random(20261123)
    for threshold in sorted(rng.sample(range(5, 40), KILLS)):
        while (len(acknowledged) < threshold or not server.alive()) and any(phone.is_alive() for phone in phones):
            time.sleep(0.002)
        time.sleep(rng.uniform(0.0, 0.03))
        with restart:
            server.kill()
    for phone in phones:
        phone.join(timeout=180)
    assert not failures and server.kills == KILLS
    sent = [item for items in outboxes for item in items]
    assert set(acknowledged) == {item["uuid"] for item in sent}

    server.stop()
    server.start()  # a last start-up: its sweep sees everything the kills left
    database = sqlite3.connect(tmp_path / "sessions" / "kuulluksi.sqlite3")
    rows = database.execute("SELECT uuid, text, image_name, thumb_name FROM item").fetchall()
    database.close()
    stored = [row[0] for row in rows]
    assert sorted(stored) == sorted(item["uuid"] for item in sent), "each item exactly once"
    media = tmp_path / "sessions" / "media"
    named = {name for row in rows for name in row[2:] if name}
    assert len(named) == 2 * sum(item["kind"] == "photo" for item in sent)
    assert set(os.listdir(media)) == named, "no orphan and no temporary file left"
    for name in named:
        assert not Image.open(io.BytesIO((media / name).read_bytes())).getexif(), "no location, no camera"


# -- the sweep --------------------------------------------------------------------------------


@pytest.fixture
def media(tmp_path):
    """A media directory holding a referenced, an orphaned, a half-written and a foreign file."""
    directory = tmp_path / "media"
    directory.mkdir()
    names = {"kept": "a" * 32 + ".jpg", "orphan": "b" * 32 + ".thumb.jpg", "part": ".tmpx1y2.part",
             "foreign": "README.txt"}
    for name in names.values():
        (directory / name).write_bytes(b"x")
        os.utime(directory / name, (1_000_000, 1_000_000))
    yield directory, names


def test_the_sweep_removes_only_old_unreferenced_files_of_ours(media):
    directory, names = media
    removed = sweep_unreferenced(directory, {names["kept"]}, older_than_s=60)
    assert removed == sorted([names["orphan"], names["part"]])
    assert sorted(os.listdir(directory)) == sorted([names["kept"], names["foreign"]])


def test_the_sweep_leaves_files_another_process_may_be_about_to_commit(media):
    directory, names = media
    assert sweep_unreferenced(directory, set(), older_than_s=60, now=1_000_030) == []
    assert len(os.listdir(directory)) == 4


def test_the_start_up_sweep_keeps_every_picture_a_row_names(app, alice, picture, tmp_path):
    from workshop.startup import sweep_media

    posted = alice.client.post(alice.url("/items"), headers=API_HEADERS, data={
        "uuid": str(uuid.uuid4()), "kind": "photo", "board_id": str(alice.boards()[0]["id"]),
        "image": (io.BytesIO(picture("JPEG")), "photo.jpg", "image/jpeg")})
    assert posted.status_code == 201, posted.get_data(as_text=True)
    directory = app.config["MEDIA_DIR"]
    orphan = os.path.join(directory, "c" * 32 + ".png")
    with open(orphan, "wb") as file:
        file.write(b"x")
    app.config["MEDIA_SWEEP_MIN_AGE_S"] = 0
    assert sweep_media(app) == ["c" * 32 + ".png"]
    assert len(os.listdir(directory)) == 2, "the photo and its thumbnail stay"
