"""Issue 8 without a browser: settings that make a region, and processes starting at once.

The tests that need a PostgreSQL and a Redis skip without them, with the reason, and fail
under CI=true (see tests/servers.py).
"""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import uuid

import pytest
from sqlalchemy import create_engine, func, inspect, select

from workshop.config import from_environment

from .conftest import FORM_KEY, make_config
from .servers import ROOT, PostgresDatabase, region_services


def test_the_regional_settings_come_from_the_environment():
    settings = from_environment({"SOCKETIO_MESSAGE_QUEUE": "redis://redis:6379/0", "SOCKETIO_CHANNEL": "pori",
                                 "RATELIMIT_STORAGE_URI": "redis://redis:6379/1", "RATELIMIT_KEY_PREFIX": "pori",
                                 "PROXY_COUNT": "1"})
    assert settings == {"SOCKETIO_MESSAGE_QUEUE": "redis://redis:6379/0", "SOCKETIO_CHANNEL": "pori",
                        "RATELIMIT_STORAGE_URI": "redis://redis:6379/1", "RATELIMIT_KEY_PREFIX": "pori",
                        "PROXY_COUNT": 1}


@pytest.mark.parametrize("proxies, forwarded, allowed", [
    (0, None, False),           # the laptop: its own address, outside the intranet
    (0, "10.1.2.3", False),     # a forged header is not believed without a proxy
    (1, "10.1.2.3", True),      # behind nginx: the professional's address from nginx's header
    (1, "198.51.100.7", False),
])
def test_behind_a_proxy_the_form_sees_the_senders_network(app_factory, organisation, proxies, forwarded, allowed):
    app = app_factory(PROXY_COUNT=proxies, OBSERVE_NETWORKS=["10.0.0.0/8"])
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    answer = app.test_client().get(f"/observe/{FORM_KEY}", headers=headers)
    assert (answer.status_code == 200) is allowed


def test_the_first_account_is_not_offered_through_a_proxy_on_the_same_machine(app_factory):
    app = app_factory()
    client = app.test_client()
    assert client.get("/facilitator/setup").status_code == 200  # on the laptop itself
    # nginx on the same machine: loopback, but the request came from someone on the network
    answer = client.get("/facilitator/setup", headers={"X-Forwarded-For": "192.168.1.20"})
    assert answer.status_code in (403, 404)
    # with PROXY_COUNT set, the sender's own address decides
    proxied = app_factory(PROXY_COUNT=1).test_client()
    assert proxied.get("/facilitator/setup", headers={"X-Forwarded-For": "192.168.1.20"}).status_code in (403, 404)
    assert proxied.get("/facilitator/setup", headers={"X-Forwarded-For": "127.0.0.1"}).status_code == 200


#: What `run.py` does first: migrate (in a process of its own, as each server is).
MIGRATE = "from workshop import create_app; from workshop.startup import apply_migrations; apply_migrations(create_app())"


def test_processes_starting_at_once_migrate_one_postgresql_database_once(tmp_path):
    postgres, _ = region_services()
    database = PostgresDatabase(postgres)
    try:
        processes = []
        for number in range(3):
            env = {**os.environ, "DATABASE_URL": database.url, "SESSIONS_DIR": str(tmp_path / str(number))}
            processes.append(subprocess.Popen([sys.executable, "-c", MIGRATE], cwd=ROOT, env=env,
                                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
        outputs = [process.communicate(timeout=120)[0] for process in processes]
        assert [process.returncode for process in processes] == [0, 0, 0], "\n".join(outputs)
        engine = create_engine(database.url)
        try:
            assert {"workshop", "item", "observation"} <= set(inspect(engine).get_table_names())
            with engine.connect() as connection:
                versions = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalars().all()
            assert len(versions) == 1
        finally:
            engine.dispose()
    finally:
        database.drop()


def test_a_phones_dots_stay_within_its_limit_when_its_taps_arrive_at_once_on_postgresql(tmp_path):
    """Eight taps of one phone reach the server at the same moment (two processes, or two
    greenlets of one): on PostgreSQL each write first takes the workshop's lock, so the
    check "dots left?" still holds when the dot is written, as under SQLite's write lock."""
    from workshop import create_app, votes
    from workshop.actors import Actor
    from workshop.extensions import db
    from workshop.models import Account, Dot
    from workshop.problems import Problem
    from workshop.startup import apply_migrations
    from workshop.workshops import create_workshop, join, new_device_token

    postgres, _ = region_services()
    database = PostgresDatabase(postgres)
    try:
        (tmp_path / "sessions").mkdir()
        app = create_app(make_config(tmp_path, SQLALCHEMY_DATABASE_URI=database.url))
        apply_migrations(app)
        with app.app_context():
            workshop = create_workshop("Päiväkeskus Kalliola", "Kallio")
            staff = Account(username="paula", username_key="paula", password_hash="!")
            db.session.add(staff)
            db.session.commit()
            question = votes.create_question(workshop, Actor(account=staff), {
                "title": "Mistä puhutaan ensin?", "options": ["Ruoka", "Asuminen"], "dots_per_person": 3})
            participant, _token = join(workshop, new_device_token())
            ids = {"workshop": workshop.id, "participant": participant.id, "option": question.options[0].id,
                   "question": question.id}
            db.session.remove()

        start, outcomes = threading.Barrier(8), []

        def tap():
            from workshop.models import Participant, Workshop

            with app.app_context():
                room = db.session.get(Workshop, ids["workshop"])
                actor = Actor(participant=db.session.get(Participant, ids["participant"]))
                start.wait()
                try:
                    votes.cast(room, actor, {"uuid": str(uuid.uuid4()), "option_id": ids["option"]})
                    outcomes.append("stored")
                except Problem as problem:
                    outcomes.append(problem.status)
                finally:
                    db.session.remove()

        taps = [threading.Thread(target=tap) for _ in range(8)]
        for thread in taps:
            thread.start()
        for thread in taps:
            thread.join(timeout=60)
        with app.app_context():
            stored = db.session.scalar(select(func.count()).select_from(Dot).where(Dot.question_id == ids["question"]))
            db.session.remove()
            db.engine.dispose()
        assert sorted(outcomes, key=str) == sorted(["stored"] * 3 + [422] * 5, key=str)
        assert stored == 3
    finally:
        database.drop()
