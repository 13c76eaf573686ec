"""Issue 8, the regional setup: two server processes, one PostgreSQL, one Redis.

Each server is `python run.py` as deployed (gevent), configured only through the
environment: DATABASE_URL on the same PostgreSQL database, SOCKETIO_MESSAGE_QUEUE and the
rate-limit storage on the same Redis, one SECRET_KEY and one shared media directory. The
wall is the facilitator's real wall page in Chromium; the phone posts over HTTP as the
outbox does.

Without a PostgreSQL and a Redis these tests skip with the reason; under CI=true they
fail instead (`.ci/run` starts both when the machine does not run them).
"""
from __future__ import annotations

import secrets
import uuid

import pytest
import requests
from playwright.sync_api import expect

from ..conftest import API_HEADERS
from .conftest import PASSWORD, assert_accessible, log_in_in_english
from ..servers import PostgresDatabase, Server, region_services


@pytest.fixture
def region(tmp_path):
    """A migrated PostgreSQL database with a facilitator and an English workshop, and two
    servers (A and B) on it, not started: `region["a"].start()`."""
    from workshop import create_app
    from workshop.accounts import create_account
    from workshop.extensions import db
    from workshop.startup import apply_migrations
    from workshop.wall import boards
    from workshop.workshops import create_workshop

    postgres, redis_url = region_services()
    database = PostgresDatabase(postgres)
    name = database.name
    settings = {
        "DATABASE_URL": database.url,
        "SOCKETIO_MESSAGE_QUEUE": redis_url,
        "SOCKETIO_CHANNEL": name,  # this test's own channel and limit keys on a shared Redis
        "RATELIMIT_STORAGE_URI": redis_url,
        "RATELIMIT_KEY_PREFIX": name,
        "SECRET_KEY": secrets.token_hex(32),
        "MEDIA_DIR": str(tmp_path / "shared-media"),
    }
    app = create_app({"SQLALCHEMY_DATABASE_URI": database.url, "SESSIONS_DIR": str(tmp_path / "setup"),
                      "SECRET_KEY": settings["SECRET_KEY"]})
    apply_migrations(app)
    with app.app_context():
        create_account("anna", PASSWORD)
        workshop = create_workshop("Day centre Kalliola", "Kallio", "en")
        room = {"id": workshop.id, "code": workshop.join_code,
                "board": next(board.id for board in boards(workshop) if board.title == "Ideas")}
        db.session.remove()
        db.engine.dispose()
    servers = {key: Server(tmp_path / f"sessions-{key}", settings, name=f"server-{key}") for key in ("a", "b")}
    yield {**servers, **room}
    for server in servers.values():
        server.stop()
    database.drop()


class Phone:
    """A phone that joined through one server and posts notes to it, as the outbox does."""

    def __init__(self, server: Server, code: str, board: int):
        self.server, self.code, self.board = server, code, board
        self.session = requests.Session()
        assert self.session.get(f"{server.url}/j/{code}", timeout=10).ok

    def post(self, text: str) -> dict:
        answer = self.session.post(f"{self.server.url}/api/w/{self.code}/items", headers=API_HEADERS, timeout=10,
                                   json={"uuid": str(uuid.uuid4()), "kind": "note", "board_id": self.board,
                                         "text": text})
        assert answer.status_code in (200, 201), answer.text
        return answer.json()["item"]


def open_wall(new_page, server: Server, workshop_id: int):
    """The facilitator's wall, logged in through `server`, once it says it is live."""
    laptop = log_in_in_english(new_page, server.url)
    laptop.goto(f"{server.url}/facilitator/workshops/{workshop_id}/wall")
    laptop.get_by_text("Live", exact=True).wait_for()
    return laptop


def notes_on(wall_page) -> list[str]:
    return wall_page.locator("[data-wall] .note").all_inner_texts()


def test_a_note_posted_to_one_process_appears_on_a_wall_of_the_other(region, new_page):
    region["a"].start()
    region["b"].start()
    laptop = open_wall(new_page, region["b"], region["id"])
    phone = Phone(region["a"], region["code"], region["board"])

    phone.post("Posted to process A")
    expect(laptop.locator("[data-wall] .note", has_text="Posted to process A")).to_be_visible()
    assert_accessible(laptop)

    # And the other way round: a second phone on B, seen by a wall on A.
    wall_on_a = open_wall(new_page, region["a"], region["id"])
    expect(wall_on_a.locator("[data-wall] .note", has_text="Posted to process A")).to_be_visible()
    Phone(region["b"], region["code"], region["board"]).post("Posted to process B")
    expect(wall_on_a.locator("[data-wall] .note", has_text="Posted to process B")).to_be_visible()
    expect(laptop.locator("[data-wall] .note", has_text="Posted to process B")).to_be_visible()


def test_a_wall_whose_process_was_killed_catches_up_with_no_gap(region, new_page, problems):
    region["a"].start()
    region["b"].start()
    laptop = open_wall(new_page, region["b"], region["id"])
    phone = Phone(region["a"], region["code"], region["board"])
    phone.post("Before the crash")
    expect(laptop.locator("[data-wall] .note", has_text="Before the crash")).to_be_visible()

    region["b"].kill()  # SIGKILL: no goodbye to the wall
    expect(laptop.get_by_text("Live", exact=True)).not_to_be_visible()
    missed = [phone.post(f"While B was down {number}") for number in range(1, 6)]
    region["b"].start()  # the same port: the wall's socket reconnects by itself

    laptop.get_by_text("Live", exact=True).wait_for(timeout=30_000)
    for item in missed:
        expect(laptop.locator("[data-wall] .note", has_text=item["text"])).to_have_count(1)
    phone.post("After the restart")
    expect(laptop.locator("[data-wall] .note", has_text="After the restart")).to_be_visible()
    expected = ["Before the crash", *(item["text"] for item in missed), "After the restart"]
    assert sorted(notes_on(laptop)) == sorted(expected)  # every note once, none missing
    # The wall's own socket failed to connect while its server was down: expected, and
    # the only thing the browser may have reported.
    problems.problems[:] = [text for text in problems.problems if "/socket.io/" not in text]
    assert_accessible(laptop)
