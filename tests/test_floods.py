"""Flood limits: a device or a crowd flooding one workshop is slowed down, nobody else is.

The token buckets themselves are tested on a made-up clock; the limits through the real API
and socket, with small buckets so that a flood takes a handful of requests.
"""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from workshop.extensions import db
from workshop.floods import Bucket, MemoryBuckets, RedisBuckets
from workshop.models import Item

from .conftest import ApiClient, refusal
from .servers import region_services

FLOODED_FI = "Lähetit paljon lyhyessä ajassa"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# -- the bucket ----------------------------------------------------------------------------


def test_a_bucket_lets_a_burst_through_then_refuses_until_it_refills():
    clock = Clock()
    buckets = MemoryBuckets(clock)
    bucket = Bucket(burst=3, per_minute=60)  # one token a second
    assert [buckets.take("a", bucket) for _ in range(3)] == [0, 0, 0]
    assert buckets.take("a", bucket) == pytest.approx(1.0)
    clock.now += 0.5
    assert buckets.take("a", bucket) == pytest.approx(0.5), "a refused take costs nothing"
    clock.now += 0.5
    assert buckets.take("a", bucket) == 0
    clock.now += 60
    assert [buckets.take("a", bucket) for _ in range(4)] == [0, 0, 0, pytest.approx(1.0)], "refills to the burst, no more"


def test_buckets_with_different_keys_do_not_share_tokens():
    buckets = MemoryBuckets(Clock())
    bucket = Bucket(burst=1, per_minute=1)
    assert buckets.take("a", bucket) == 0
    assert buckets.take("a", bucket) > 0
    assert buckets.take("b", bucket) == 0


def test_buckets_that_have_filled_up_again_are_forgotten(monkeypatch):
    clock = Clock()
    buckets = MemoryBuckets(clock)
    monkeypatch.setattr(MemoryBuckets, "SWEEP_AT", 10)
    bucket = Bucket(burst=2, per_minute=60)
    for n in range(10):
        buckets.take(f"made-up-{n}", bucket)
    clock.now += 3  # every bucket is full again after 2 s
    buckets.take("one more", bucket)
    assert list(buckets._state) == ["one more"]


def test_buckets_in_redis_are_shared_by_every_process_of_a_region():
    _, redis_url = region_services()
    prefix = f"kuulluksi-test-{uuid.uuid4().hex[:8]}"
    first, second = RedisBuckets(redis_url, prefix), RedisBuckets(redis_url, prefix)
    bucket = Bucket(burst=3, per_minute=6)  # a token every 10 s
    try:
        assert [first.take("device:x", bucket), second.take("device:x", bucket), first.take("device:x", bucket)] == [0, 0, 0]
        assert 9 <= second.take("device:x", bucket) <= 10
        assert first.take("device:y", bucket) == 0
        assert RedisBuckets(redis_url, prefix + "-other").take("device:x", bucket) == 0, "installs do not share"
    finally:
        first.clear()
    assert first.take("device:x", bucket) == 0, "clear() forgets this install's buckets"
    first.clear()


# -- through the API and the socket ------------------------------------------------------------


@pytest.fixture
def app(app_factory):
    """Small buckets: a device may write 3 times in a row, a workshop 6 times."""
    return app_factory(DEVICE_WRITE_BURST=3, DEVICE_WRITES_PER_MINUTE=6,
                       WORKSHOP_WRITE_BURST=6, WORKSHOP_WRITES_PER_MINUTE=6)


def stored_notes(app, code: str | None = None) -> int:
    """How many items the database holds."""
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Item))


def test_a_device_that_floods_is_told_to_wait_and_nothing_is_stored(app, alice):
    for _ in range(3):
        assert alice.note().status_code == 201
    flooded = alice.note("Yksi liikaa")
    body = refusal(flooded, 429)
    assert FLOODED_FI in body["error"], "in the workshop's language, saying the note is kept"
    assert 1 <= int(flooded.headers["Retry-After"]) <= 10
    assert stored_notes(app) == 3


def test_one_flooding_device_does_not_stop_the_others(app, phone):
    flooder, other = phone(), phone()
    for _ in range(5):
        flooder.note()
    assert other.note().status_code == 201


def test_a_crowd_flooding_one_workshop_leaves_other_workshops_alone(app, phone, make_workshop):
    crowd = [phone() for _ in range(4)]
    answers = [member.note().status_code for member in crowd for _ in range(2)]
    assert answers.count(201) == 6 and answers[-2:] == [429, 429], "the workshop's bucket held 6"
    elsewhere = phone(make_workshop(title="Toinen paja")["code"])
    assert elsewhere.note().status_code == 201


def test_the_facilitator_can_work_during_a_flood(app, phone, staff, workshop):
    crowd = [phone() for _ in range(4)]
    for member in crowd:
        for _ in range(3):
            member.note()
    assert crowd[0].note().status_code == 429
    board = staff.boards()[0]["id"]
    assert staff.note("Fasilitaattorin lappu", board=board).status_code == 201
    locked = staff.patch(f"/boards/{board}", json={"locked": True})
    assert locked.status_code == 200, locked.get_data(as_text=True)


def test_reads_are_not_limited(app, alice):
    for _ in range(4):
        alice.note()
    assert all(alice.get("/changes").status_code == 200 for _ in range(10))


def test_socket_writes_share_the_devices_bucket(app, alice, connect, workshop):
    socket = connect(alice.client)
    board = alice.boards()[0]["id"]
    assert alice.note().status_code == 201
    answers = [socket.emit("add_item", {"code": workshop["code"], "uuid": str(uuid.uuid4()), "kind": "note",
                                        "text": "Pistorasioita lisää", "board_id": board}, callback=True)
               for _ in range(3)]
    assert [answer["ok"] for answer in answers] == [True, True, False]
    assert answers[2]["status"] == 429 and FLOODED_FI in answers[2]["error"]
    assert answers[2]["retry_after"] >= 1
    assert stored_notes(app) == 3


def test_a_flooded_workshop_code_that_does_not_exist_is_still_limited(app):
    client = ApiClient(app.test_client(), "EIOLE1")
    statuses = [client.note(board=1).status_code for _ in range(5)]
    assert statuses[:3] == [404, 404, 404] and statuses[3:] == [429, 429]


def test_the_default_limits_let_a_whole_room_vote_at_once(app_factory, make_workshop):
    app = app_factory(DEVICE_WRITE_BURST=30, WORKSHOP_WRITE_BURST=300)  # the defaults, not the tests' own
    code = make_workshop()["code"]
    room = []
    for _ in range(50):
        client = app.test_client()
        assert client.get(f"/j/{code}").status_code == 200
        room.append(ApiClient(client, code))
    board = room[0].boards()[0]["id"]
    statuses = [member.note(f"Ääni {n}", board=board).status_code for n in range(5) for member in room]
    assert statuses.count(201) == 250
