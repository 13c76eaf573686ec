"""Issue 8 without a browser: settings that make a region, and processes starting at once.

The tests that need a PostgreSQL and a Redis skip without them, with the reason, and fail
under CI=true (see tests/servers.py).
"""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy import create_engine, inspect

from workshop.config import from_environment

from .conftest import FORM_KEY
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
