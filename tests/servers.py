"""`python run.py` as deployed, in a subprocess the test can kill, and the services a region uses.

The crash and regional tests start the real server (gevent, migrations at start-up) on a
free port and talk to it over the network, as phones and walls do.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent

#: The PostgreSQL and Redis of the regional tests (the services `.ci/run` starts if absent).
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1").rstrip("/")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def free_port() -> int:
    """A port nobody listens on just now (the kernel's choice for port 0)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """`python run.py` on one port and data directory, started again after each kill.

    `settings` are environment variables on top of the test's own (DATABASE_URL and the
    rest); without DATABASE_URL the server uses its SQLite file in `sessions`.
    """

    def __init__(self, sessions: Path, settings: dict[str, str] | None = None, name: str = "server"):
        self.port = free_port()
        self.sessions = sessions
        self.settings = settings or {}
        self.name = name
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None
        self.kills = 0

    def environment(self) -> dict[str, str]:
        """The environment the server runs in (a CLI command given it sees the same data)."""
        env = {**os.environ, "PORT": str(self.port), "HOST": "127.0.0.1", "SESSIONS_DIR": str(self.sessions),
               "PYTHONUNBUFFERED": "1"}
        for variable in ("DATABASE_URL", "SOCKETIO_ASYNC_MODE", "SOCKETIO_MESSAGE_QUEUE", "RATELIMIT_STORAGE_URI"):
            env.pop(variable, None)  # as deployed on a laptop, unless the test says otherwise
        env.update(self.settings)
        return env

    def start(self) -> None:
        """Start the server and wait until it answers."""
        env = self.environment()
        self.log = open(self.sessions.parent / f"{self.name}-{self.kills}.log", "w")
        self.process = subprocess.Popen([sys.executable, "run.py"], cwd=ROOT, env=env,
                                        stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                requests.get(self.url + "/", timeout=2)
                return
            except requests.ConnectionError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.05)
        self.log.close()
        raise RuntimeError("the server did not start:\n" + Path(self.log.name).read_text())

    def kill(self) -> None:
        """SIGKILL: the process dies at once, as in a power cut or the OOM killer."""
        if self.alive():
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()
            self.log.close()
            self.kills += 1

    def alive(self) -> bool:
        """Whether the process runs."""
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        """Ctrl+C, as a person stops it (killed if it does not stop in ten seconds)."""
        self.log.close()
        if self.alive():
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def region_services() -> tuple[str, str]:
    """The PostgreSQL server and the Redis the regional tests use, as (postgres, redis) URLs.

    Skips the test, with the reason, when either does not answer; under CI=true they must
    (`.ci/run` starts them), so there the test fails instead of skipping.
    """
    import redis
    import sqlalchemy

    problems = []
    engine = sqlalchemy.create_engine(f"{POSTGRES_URL}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except sqlalchemy.exc.OperationalError as error:
        problems.append(f"no PostgreSQL at {POSTGRES_URL} ({str(error).splitlines()[0]})")
    finally:
        engine.dispose()
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        problems.append(f"no Redis at {REDIS_URL} ({error})")
    if problems:
        reason = "; ".join(problems) + " (set TEST_POSTGRES_URL / TEST_REDIS_URL, or run .ci/run)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI must run the regional tests: " + reason)
        pytest.skip(reason)
    return POSTGRES_URL, REDIS_URL


class PostgresDatabase:
    """An empty database of its own on the test server, dropped afterwards."""

    def __init__(self, server_url: str):
        self.name = f"kuulluksi_region_{uuid.uuid4().hex[:12]}"
        self.server_url = server_url
        self.url = f"{server_url}/{self.name}"
        postgres_admin(server_url, f"CREATE DATABASE {self.name}")

    def drop(self) -> None:
        """Drop it, whoever is still connected."""
        postgres_admin(self.server_url, f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")


def postgres_admin(server_url: str, statement: str) -> None:
    """Run one statement outside a transaction on the server's `postgres` database."""
    import sqlalchemy

    engine = sqlalchemy.create_engine(f"{server_url}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql(statement)
    finally:
        engine.dispose()
