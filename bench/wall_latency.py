"""Note -> wall latency under load: N phones post sticky notes while every phone and a wall listen.

    python bench/wall_latency.py --phones 25 50 100 200 --rate 50 --duration 20 --mode gevent threading
    python bench/wall_latency.py --setup region --processes 1 2 --phones 50 200 400 1000 --room-size 50 \\
        --rates 25 50 100 200 400 --duration 10

For each setup, mode, number of server processes P and N (a "group") it starts the app as
deployed (`python run.py` with that SOCKETIO_ASYNC_MODE) on free ports:

- laptop: one process on a fresh temporary SESSIONS_DIR (SQLite, no Redis);
- region: P processes on one fresh PostgreSQL database (CREATE DATABASE on
  BENCH_POSTGRES_URL, dropped afterwards) and one Redis (BENCH_REDIS_URL) as message queue
  and rate-limit storage, with a channel and key prefix of their own, one SECRET_KEY and
  one MEDIA_DIR, each process with its own SESSIONS_DIR.

The database is migrated and the workshops made through the rules before any server runs:
one workshop for everybody, or with --room-size K the N phones split into ceil(N/K)
workshops of at most K phones, each with one wall. The phones and walls are spread over
several load-client processes; listener i talks to server process i % P, as nginx's sticky
sessions spread phones. Each joins by GET /j/<code> (keeping the device cookie) and opens a
real Socket.IO client over WebSocket that sends `watch`. They join and connect once per
group; then every rate of --rates runs on the same connections, lowest first, until one
misses the knee (p99 >= --knee-ms, or anything lost or refused). In each run the phones
post notes over the socket (`add_item`, with ack) at a steady total rate shared by the
workshops; each note's text carries its number and its send time. Every listener records
when each item `change` reaches it: latency = receive - send, per listener per note. Times
are CLOCK_MONOTONIC (time.monotonic_ns(), Node's process.hrtime.bigint()), one clock for
every process on the machine.

The load client is Node's socket.io-client (bench/node/, `npm ci` there first) by default,
or python-socketio (`--client python`), which needs several times more CPU per message.

Prints one row per rate (bench/README.md explains the columns), then the knee of every
group, and writes the rows as JSON to bench/results/<timestamp>.json. Linux only: it reads
/proc for CPU time and memory.
"""
from __future__ import annotations

import argparse
import json
import math
import multiprocessing as mp
import os
import platform
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
#: Settings a region passes to run.py; a laptop run must not inherit them from the shell.
REGION_VARIABLES = ("DATABASE_URL", "SOCKETIO_MESSAGE_QUEUE", "SOCKETIO_CHANNEL", "RATELIMIT_STORAGE_URI",
                    "RATELIMIT_KEY_PREFIX", "SECRET_KEY", "MEDIA_DIR")
#: The flood limits (workshop/floods.py) are lifted: the benchmark's phones post far faster
#: than people do, on purpose, to find what the server holds.
NO_FLOOD_LIMITS = {"DEVICE_WRITE_BURST": "1000000", "DEVICE_WRITES_PER_MINUTE": "1000000",
                   "WORKSHOP_WRITE_BURST": "1000000", "WORKSHOP_WRITES_PER_MINUTE": "1000000"}
START_LEAD_NS = 2_000_000_000  # the go command is sent this long before the first note is due
SETTLE_S = 2.0  # pause between two rates on the same connections


# ---------------------------------------------------------------- the server under test

def prepare_database(sessions_dir: Path, database_url: str | None, rooms: int) -> list[dict]:
    """Migrate a fresh database and create the workshops through the rules (no server yet)."""
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import select

    from workshop import create_app
    from workshop.config import sqlite_url
    from workshop.extensions import db
    from workshop.models import Board
    from workshop.startup import apply_migrations
    from workshop.workshops import create_workshop

    app = create_app({"SESSIONS_DIR": str(sessions_dir),
                      "SQLALCHEMY_DATABASE_URI": database_url or sqlite_url(str(sessions_dir)),
                      "SOCKETIO_MESSAGE_QUEUE": None, "RATELIMIT_STORAGE_URI": "memory://"})
    apply_migrations(app)
    made = []
    with app.app_context():
        for k in range(rooms):
            workshop = create_workshop(f"Wall latency benchmark {k + 1}", language="en")
            boards = list(db.session.scalars(select(Board.id).where(Board.workshop_id == workshop.id)
                                             .order_by(Board.position)))
            made.append({"code": workshop.join_code, "boards": boards})
        db.session.remove()
        db.engine.dispose()
    return made


def machine_busy_seconds() -> float:
    """CPU seconds all processes of the machine have used (all cores), from /proc/stat."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / CLOCK_TICKS


def wait_for_quiet(max_cores: float, patience_s: float) -> float:
    """Wait until the machine's other work uses less than `max_cores`; return the last reading.

    The benchmark shares the machine with whatever else runs there (test suites, browsers):
    a point measured while they take a core says more about them than about the server.
    """
    deadline = time.monotonic() + patience_s
    while True:
        before = machine_busy_seconds()
        time.sleep(3)
        load = (machine_busy_seconds() - before) / 3
        if load < max_cores or time.monotonic() > deadline:
            return load
        print(f"   waiting: other processes use {load:.2f} cores", flush=True)
        time.sleep(10)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process (all its threads) so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def status_kb(pid: int, field: str) -> int:
    """One kB field of /proc/<pid>/status (VmRSS, VmHWM), 0 if the process is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class Server:
    """`python run.py` in a subprocess, with its output kept (and shown if it fails)."""

    def __init__(self, mode: str, sessions_dir: Path, script: str = "run.py", extra_env: dict | None = None):
        self.port = free_port()
        env = {**os.environ, "PORT": str(self.port), "HOST": "127.0.0.1", "SESSIONS_DIR": str(sessions_dir),
               "SOCKETIO_ASYNC_MODE": mode, "PYTHONUNBUFFERED": "1", **NO_FLOOD_LIMITS}
        for variable in REGION_VARIABLES:
            env.pop(variable, None)
        env.update(extra_env or {})
        self.process = subprocess.Popen([sys.executable, script], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True)
        self.output: list[str] = []
        threading.Thread(target=self._drain, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(self.url + "/", timeout=2):
                    break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("the server did not start:\n" + "".join(self.output))
                time.sleep(0.1)

    def _drain(self):
        for line in self.process.stdout:
            self.output.append(line)

    def pids(self) -> list[int]:
        """The server process and its descendants (gunicorn's worker in threading mode)."""
        parents: dict[int, int] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
        found, frontier = [self.process.pid], [self.process.pid]
        while frontier:
            children = [pid for pid, parent in parents.items() if parent in frontier]
            found += children
            frontier = children
        return found

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server's processes so far."""
        return sum(process_cpu_seconds(pid) for pid in self.pids())

    def rss_kb(self) -> int:
        """Resident memory now (VmRSS) summed over the server's processes."""
        return sum(status_kb(pid, "VmRSS") for pid in self.pids())

    def peak_rss_mb(self) -> float:
        """Peak resident memory (VmHWM) summed over the server's processes."""
        return sum(status_kb(pid, "VmHWM") for pid in self.pids()) / 1024

    def log_tail(self) -> list[str]:
        """What the server printed after its banner (errors, tracebacks), the last lines only."""
        lines = [line.rstrip() for line in self.output if "alembic" not in line]
        return lines[next((i for i, line in enumerate(lines) if "Ctrl+C" in line), 0) + 1:][-60:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # what Ctrl+C does
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


# ---------------------------------------------------------------- the region's shared services

def _postgres_url(url: str, database: str, libpq: bool = False) -> str:
    """`url` (an SQLAlchemy URL) naming `database`; as libpq writes it if `libpq`."""
    parts = urllib.parse.urlsplit(url)
    if libpq:
        parts = parts._replace(scheme=parts.scheme.split("+", 1)[0])
    return urllib.parse.urlunsplit(parts._replace(path="/" + database))


class Region:
    """One group's PostgreSQL database (made fresh, dropped by `close`) and Redis names."""

    def __init__(self):
        import psycopg

        self._psycopg = psycopg
        self.name = "kuulluksi_bench_" + uuid.uuid4().hex[:12]
        maintenance = urllib.parse.urlsplit(POSTGRES_URL).path.strip("/") or "postgres"
        self.admin = _postgres_url(POSTGRES_URL, maintenance, libpq=True)
        with psycopg.connect(self.admin, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{self.name}"')
        self.database_url = _postgres_url(POSTGRES_URL, self.name)
        self.prefix = "kuulluksi-bench-" + uuid.uuid4().hex[:12]
        local = urllib.parse.urlsplit(REDIS_URL).hostname in ("127.0.0.1", "localhost", "::1")
        self.redis_pid = next((int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit()
                               and _comm(entry) == "redis-server"), None) if local else None

    def env(self, secret_key: str, media_dir: Path) -> dict:
        """What every run.py of the region is given."""
        return {"DATABASE_URL": self.database_url, "SOCKETIO_MESSAGE_QUEUE": REDIS_URL,
                "SOCKETIO_CHANNEL": self.prefix, "RATELIMIT_STORAGE_URI": REDIS_URL,
                "RATELIMIT_KEY_PREFIX": self.prefix, "SECRET_KEY": secret_key, "MEDIA_DIR": str(media_dir)}

    def note_texts(self) -> list[str]:
        with self._psycopg.connect(_postgres_url(self.database_url, self.name, libpq=True)) as connection:
            return [row[0] for row in connection.execute("SELECT text FROM item WHERE text LIKE 'n%'")]

    def service_cpu(self) -> dict[int, float]:
        """CPU seconds so far of this database's PostgreSQL backends and of the Redis server."""
        with self._psycopg.connect(self.admin, autocommit=True) as connection:
            pids = [row[0] for row in connection.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (self.name,))]
        cpu = {pid: process_cpu_seconds(pid) for pid in pids}
        if self.redis_pid:
            cpu[-self.redis_pid] = process_cpu_seconds(self.redis_pid)  # negative: told apart below
        return cpu

    def close(self) -> None:
        """Drop the database (closing whatever is still connected) and the rate-limit keys."""
        with self._psycopg.connect(self.admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        try:
            import redis

            client = redis.Redis.from_url(REDIS_URL)
            keys = list(client.scan_iter(match=f"*{self.prefix}*", count=1000))
            if keys:
                client.delete(*keys)
            client.close()
        except Exception as error:  # leftover keys expire on their own
            print(f"   (could not remove the Redis keys {self.prefix}*: {error})", flush=True)


def _comm(entry: Path) -> str:
    try:
        return (entry / "comm").read_text().strip()
    except OSError:
        return ""


def _service_cpu_used(before: dict[int, float], after: dict[int, float]) -> tuple[float, float]:
    """(PostgreSQL, Redis) CPU seconds between two `Region.service_cpu` readings."""
    used = {pid: value - before.get(pid, 0.0) for pid, value in after.items()}
    return (sum(value for pid, value in used.items() if pid > 0),
            sum(value for pid, value in used.items() if pid < 0))


def _note_numbers(texts: list[str]) -> Counter:
    """How many stored items carry each benchmark note number ("n<i> <send ns>")."""
    numbers = Counter()
    for text in texts:
        try:
            numbers[int(text[1:].split(" ", 1)[0])] += 1
        except ValueError:
            continue
    return numbers


def _sqlite_note_texts(sessions: Path) -> list[str]:
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(sessions / "kuulluksi.sqlite3")) as connection:
        return [row[0] for row in connection.execute("SELECT text FROM item WHERE text LIKE 'n%'")]


# ---------------------------------------------------------------- the load clients

NODE_CLIENT = Path(__file__).resolve().parent / "node" / "client.js"


class NodeClient:
    """A `node bench/node/client.js` process: Node's socket.io-client, as on the phones."""

    def __init__(self, listeners: list[dict], quiet_s: float):
        config = {"listeners": listeners, "quietMs": quiet_s * 1000}
        self.process = subprocess.Popen(["node", str(NODE_CLIENT), json.dumps(config)], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True)
        self.pid = self.process.pid

    def send(self, message: dict) -> None:
        self.process.stdin.write(json.dumps(message) + "\n")
        self.process.stdin.flush()

    def recv(self) -> dict:
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("a node client ended without answering")
        message = json.loads(line)
        if message.get("type") == "error":
            raise RuntimeError("node client: " + message["error"])
        if message.get("type") == "result":  # JSON object keys are strings, and so are big times
            message["acks"] = {int(i): ack for i, ack in message["acks"].items()}
            message["listeners"] = {int(i): {**data, "last_ns": int(data["last_ns"]) if data["last_ns"] else None}
                                    for i, data in message["listeners"].items()}
        return message

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


class PythonClient:
    """A Python process of python-socketio Clients (spawned, so it starts clean)."""

    def __init__(self, listeners: list[dict], quiet_s: float):
        context = mp.get_context("spawn")
        self.pipe, child = context.Pipe()
        self.process = context.Process(target=python_client, args=(listeners, quiet_s, child), daemon=True)
        self.process.start()
        self.pid = self.process.pid

    def send(self, message: dict) -> None:
        self.pipe.send(message)

    def recv(self) -> dict:
        message = self.pipe.recv()
        if message.get("type") == "error":
            raise RuntimeError("python client: " + message["error"])
        return message

    def stop(self) -> None:
        self.process.join(timeout=15)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(timeout=5)


def python_client(listeners: list[dict], quiet_s: float, pipe) -> None:
    """The Python load client: the same protocol as bench/node/client.js, over a pipe."""
    try:
        _python_client(listeners, quiet_s, pipe)
    except Exception:
        import traceback

        pipe.send({"type": "error", "error": traceback.format_exc()})


def _python_client(listeners: list[dict], quiet_s: float, pipe) -> None:
    import requests
    import socketio

    received: dict[int, list] = {}
    clients: dict[int, socketio.Client] = {}
    codes: dict[int, str] = {}
    throttled = 0
    joined_at = time.monotonic()
    for spec in listeners:
        lid, url, code = spec["id"], spec["url"], spec["code"]
        session = requests.Session()
        while True:
            response = session.get(f"{url}/j/{code}", timeout=30)
            if response.status_code != 429:
                break
            throttled += 1  # JOINS_PER_WORKSHOP: wait for the next window, as a phone would retry
            time.sleep(1)
        response.raise_for_status()
        cookie = "; ".join(f"{name}={value}" for name, value in session.cookies.items())
        client = socketio.Client(reconnection=False)
        log = received[lid] = []

        def on_change(data, log=log):
            log.append((time.monotonic_ns(), data))

        client.on("change", on_change)
        client.connect(url, headers={"Cookie": cookie}, transports=["websocket"], wait_timeout=30)
        answer = client.call("watch", {"code": code, "since": 0}, timeout=30)
        if not answer.get("ok"):
            raise RuntimeError(f"watch refused: {answer}")
        clients[lid], codes[lid] = client, code
    pipe.send({"type": "ready", "joined_s": time.monotonic() - joined_at, "throttled": throttled})

    while True:
        command = pipe.recv()
        if command.get("close"):
            break
        pipe.send(_python_run(command, clients, codes, received, quiet_s))
    # In threading mode a client waits ~3 s for the close frame: close them all at once.
    closers = [threading.Thread(target=client.disconnect) for client in clients.values()]
    for closer in closers:
        closer.start()
    for closer in closers:
        closer.join(timeout=10)
    pipe.send({"type": "closed"})


def _python_run(go: dict, clients: dict, codes: dict, received: dict, quiet_s: float) -> dict:
    """One rate: post this client's notes on the common schedule, then report what arrived."""
    for log in received.values():
        log.clear()  # only the run's own changes count
    start_ns = int(go["go"])
    acks: dict[int, list] = {}
    sent: list[int] = []
    lag_ms = 0.0
    for number, lid, board, offset_ns in go["notes"]:
        delay = (start_ns + offset_ns - time.monotonic_ns()) / 1e9
        if delay > 0:
            time.sleep(delay)
        else:
            lag_ms = max(lag_ms, -delay * 1000)
        send_ns = time.monotonic_ns()

        def acked(answer=None, number=number, send_ns=send_ns):
            ok = isinstance(answer, dict) and answer.get("ok") and answer.get("status") == 201
            acks[number] = [bool(ok), time.monotonic_ns() - send_ns, None if ok else answer]

        clients[lid].emit("add_item", {"code": codes[lid], "uuid": str(uuid.uuid4()), "kind": "note",
                                       "board_id": board, "text": f"n{number} {send_ns}"}, callback=acked)
        sent.append(number)
    # Every ack, then quiet for quiet_s (at most a minute in all).
    deadline = time.monotonic() + 60
    while len(acks) < len(sent) and time.monotonic() < deadline:
        time.sleep(0.02)
    count, still_since = -1, time.monotonic()
    while time.monotonic() < deadline:
        total = sum(len(log) for log in received.values())
        if total != count:
            count, still_since = total, time.monotonic()
        elif time.monotonic() - still_since >= quiet_s:
            break
        time.sleep(0.02)

    listeners = {}
    for lid, log in received.items():
        seqs = Counter()
        latencies: list[int] = []
        notes_seen: set[int] = set()
        other, last_ns = 0, None
        for at, data in list(log):
            seqs[data.get("seq")] += 1
            entity = data.get("entity") or {}
            text = entity.get("text") or ""
            if entity.get("type") != "item" or not text.startswith("n"):
                other += 1
                continue
            number, sent_at = text[1:].split(" ")
            if int(number) not in notes_seen:
                notes_seen.add(int(number))
                latencies.append(at - int(sent_at))
                last_ns = at
        listeners[lid] = {"notes": sorted(notes_seen), "latencies_ns": latencies, "other": other,
                          "doubled": sum(count - 1 for count in seqs.values() if count > 1),
                          "connected": clients[lid].connected, "last_ns": last_ns}
    return {"type": "result", "sent": sent, "acks": acks, "listeners": listeners, "send_lag_ms": lag_ms}


# ---------------------------------------------------------------- one group: setup, mode, P, N

def percentile(ordered: list[int], fraction: float) -> float:
    """Nearest-rank percentile of an ordered list (0 for an empty one)."""
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))]


def split_rooms(phones: int, room_size: int) -> tuple[int, list[int]]:
    """How many workshops, and the workshop of every listener: phones 0..N-1, then the walls.

    Phones are dealt out in consecutive blocks of (nearly) equal size, so that a workshop's
    phones alternate between the server processes (listener i talks to process i % P).
    """
    rooms = math.ceil(phones / room_size) if room_size else 1
    return rooms, [phone * rooms // phones for phone in range(phones)] + list(range(rooms))


def failure(row: dict, knee_ms: float) -> str | None:
    """Why a rate ends the sweep (None: it is below the knee)."""
    if row["lost"]:
        return f"lost {row['lost']}"
    if row["refused"]:
        return f"refused {row['refused']}"
    if row["doubled"] or row["misrouted"]:
        return f"doubled {row['doubled']}, misrouted {row['misrouted']}"
    if row["disconnected"]:
        return f"{row['disconnected']} disconnected"
    if row["p99_ms"] >= knee_ms:
        return f"p99 {row['p99_ms']:.0f} ms"
    return None


def run_group(setup: str, mode: str, processes: int, phones: int, args) -> list[dict]:
    """Start the server(s), join and connect every client once, then run the rates in turn."""
    rooms, room_of = split_rooms(phones, args.room_size)
    listeners = phones + rooms  # the phones, then one wall a workshop (listener phones + r)
    room_listeners = Counter(room_of)
    room_phones = [[phone for phone in range(phones) if room_of[phone] == r] for r in range(rooms)]
    region = None
    servers: list[Server] = []
    workers = []
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="kuulluksi-bench-") as tmp:
        try:
            region = Region() if setup == "region" else None
            sessions = Path(tmp) / "sessions"
            with mp.get_context("spawn").Pool(1) as pool:  # keep Flask and SQLAlchemy out of this process
                workshops = pool.apply(prepare_database, (sessions, region.database_url if region else None, rooms))
            script = "bench/floor_server.py" if args.floor else "run.py"
            if region:
                secret_key, media = secrets.token_hex(32), Path(tmp) / "media"
                media.mkdir()
                for k in range(processes):
                    servers.append(Server(mode, Path(tmp) / f"sessions-{k}", script, region.env(secret_key, media)))
            else:
                servers.append(Server(mode, sessions, script))
            rss_started = sum(server.rss_kb() for server in servers)

            def note_numbers() -> Counter:
                return _note_numbers(region.note_texts() if region else _sqlite_note_texts(sessions))

            per_process = args.per_process or (50 if args.client == "node" else 25)
            client_processes = max(2, math.ceil(listeners / per_process))
            specs = [{"id": lid, "url": servers[lid % processes].url, "code": workshops[room_of[lid]]["code"]}
                     for lid in range(listeners)]
            kind = NodeClient if args.client == "node" else PythonClient
            for index in range(client_processes):
                workers.append(kind([spec for spec in specs if spec["id"] % client_processes == index], args.drain))
            ready = [worker.recv() for worker in workers]
            rss_connected = sum(server.rss_kb() for server in servers)
            group = {
                "setup": setup, "mode": mode + (" floor" if args.floor else ""), "client": args.client,
                "processes": processes, "phones": phones, "rooms": rooms, "listeners": listeners,
                "room_size": args.room_size, "duration_s": args.duration,
                "mem_per_conn_kb": (rss_connected - rss_started) / listeners,
                "rss_started_mb": rss_started / 1024, "rss_connected_mb": rss_connected / 1024,
                "client_processes": len(workers),
                "join_s": max(item["joined_s"] for item in ready),
                "join_throttled": sum(item["throttled"] for item in ready),
            }
            first_number = 0
            # The warm-up posts at the first rate and is not reported: fresh processes and a fresh
            # database pay their first-use costs (imports, query plans, caches) inside it.
            plan = [(rate, args.duration, False) for rate in args.rates]
            if args.warmup:
                plan.insert(0, (args.rates[0], args.warmup, True))
            for index, (rate, duration, warmup) in enumerate(plan):
                if index:
                    time.sleep(SETTLE_S)
                notes = int(rate * duration)
                interval_ns = 1e9 / rate
                # Note k goes to workshop k % rooms, sent by that workshop's phones in turn.
                mine: list[list] = [[] for _ in workers]
                for k in range(notes):
                    r, turn = k % rooms, k // rooms
                    phone = room_phones[r][turn % len(room_phones[r])]
                    boards = workshops[r]["boards"]
                    mine[phone % len(workers)].append([first_number + k, phone, boards[turn % len(boards)],
                                                       int(k * interval_ns)])
                start_ns = time.monotonic_ns() + START_LEAD_NS
                cpu_before, busy_before = sum(server.cpu_seconds() for server in servers), machine_busy_seconds()
                clients_before = [process_cpu_seconds(worker.pid) for worker in workers]
                services_before = region.service_cpu() if region else {}
                for worker, share in zip(workers, mine):
                    worker.send({"go": str(start_ns), "notes": share})
                results = [worker.recv() for worker in workers]
                if warmup:
                    first_number += notes
                    continue
                cpu_server = sum(server.cpu_seconds() for server in servers) - cpu_before
                busy = machine_busy_seconds() - busy_before
                client_cpu = [process_cpu_seconds(worker.pid) - before
                              for worker, before in zip(workers, clients_before)]
                pg_cpu, redis_cpu = _service_cpu_used(services_before, region.service_cpu()) if region else (None, None)
                window_s = (time.monotonic_ns() - start_ns + START_LEAD_NS) / 1e9
                stored = note_numbers()
                row = {**group, **_rate_row(rate, notes, first_number, rooms, room_of, room_listeners, results, stored,
                                            start_ns, phones)}
                row.update({
                    "server_cpu_s": cpu_server, "window_s": window_s,
                    "server_cpu_s_per_1000": cpu_server / (row["delivered"] / 1000) if row["delivered"] else None,
                    "server_rss_mb": sum(server.peak_rss_mb() for server in servers),
                    "postgres_cpu_s": pg_cpu, "redis_cpu_s": redis_cpu,
                    "client_cpu_s": sum(client_cpu),
                    "client_cpu_max_share": max(client_cpu) / window_s if window_s else None,
                    # CPU that neither the server(s), the clients, PostgreSQL nor Redis used: other work.
                    "other_cpu_s": busy - cpu_server - sum(client_cpu) - (pg_cpu or 0) - (redis_cpu or 0),
                })
                rows.append(row)
                first_number += notes
                row["stop"] = failure(row, args.knee_ms)
                print(table([row]).splitlines()[-1] + (f"   <- {row['stop']}" if row["stop"] else ""), flush=True)
                if row["stop"]:
                    break
            for worker in workers:
                worker.send({"close": True})
            for worker in workers:
                worker.recv()
            for worker in workers:
                worker.stop()
            for server in servers:
                server.stop()
            # Counted again with every server stopped: nothing may have been stored late.
            stored = note_numbers()
            for row in rows:
                row["notes_stored"] = sum(stored[number] for number in range(row["first_note"], row["first_note"]
                                                                              + row["notes_planned"]))
                row["server_log_tail"] = [f"[{k}] {line}" for k, server in enumerate(servers)
                                          for line in server.log_tail()][-60:]
        finally:
            for worker in workers:
                worker.stop()
            for server in servers:
                server.stop()
            if region:
                region.close()
    return rows


def _rate_row(rate: float, notes: int, first: int, rooms: int, room_of: list[int], room_listeners: Counter,
              results: list[dict], stored: Counter, start_ns: int, phones: int) -> dict:
    """The numbers of one rate from the clients' reports."""
    acks = {i: ack for result in results for i, ack in result["acks"].items()}
    sent = sum(len(result["sent"]) for result in results)
    acked = {i for i, (ok, _, _) in acks.items() if ok}
    room_of_note = {number: (number - first) % rooms for number in range(first, first + notes)}
    acked_in = [set() for _ in range(rooms)]
    for number in acked:
        acked_in[room_of_note[number]].add(number)
    failed = [ack[2] for ack in acks.values() if not ack[0]][:3]
    by_listener = {lid: data for result in results for lid, data in result["listeners"].items()}
    latencies = sorted(value for data in by_listener.values() for value in data["latencies_ns"])
    wall = sorted(value for lid, data in by_listener.items() if lid >= phones for value in data["latencies_ns"])
    received = sum(len(acked_in[room_of[lid]].intersection(data["notes"])) for lid, data in by_listener.items())
    misrouted = sum(1 for lid, data in by_listener.items() for number in data["notes"]
                    if room_of_note.get(number, room_of[lid]) != room_of[lid])  # another workshop's note
    expected = sum(room_listeners[room_of_note[number]] for number in acked)
    ack_times = sorted(ack[1] for ack in acks.values() if ack[0])
    last = [data["last_ns"] for data in by_listener.values() if data.get("last_ns")]
    posting_s = notes / rate
    ms = 1e6
    return {
        "rate": rate, "first_note": first, "notes_planned": notes,
        "notes_sent": sent, "notes_acked": len(acked), "notes_stored": sum(stored[n] for n in range(first, first + notes)),
        "ack_failures": len(acks) - len(acked), "ack_missing": sent - len(acks), "refused": sent - len(acked),
        "ack_failure_examples": failed,
        "expected": expected, "received": received, "lost": expected - received,
        "doubled": sum(data["doubled"] for data in by_listener.values()), "misrouted": misrouted,
        "disconnected": sum(1 for data in by_listener.values() if not data["connected"]),
        "delivered": sum(len(data["notes"]) for data in by_listener.values()),
        "delivered_per_s": received / posting_s, "posting_s": posting_s,
        # From the first note's due time to the last delivery anywhere: longer than posting_s when it lags.
        "delivery_span_s": (max(last) - start_ns) / 1e9 if last else None,
        "p50_ms": percentile(latencies, 0.50) / ms, "p95_ms": percentile(latencies, 0.95) / ms,
        "p99_ms": percentile(latencies, 0.99) / ms, "max_ms": (latencies[-1] / ms) if latencies else 0.0,
        "wall_p50_ms": percentile(wall, 0.50) / ms, "wall_p95_ms": percentile(wall, 0.95) / ms,
        "ack_p50_ms": percentile(ack_times, 0.50) / ms, "ack_p95_ms": percentile(ack_times, 0.95) / ms,
        "client_send_lag_ms": max(result["send_lag_ms"] for result in results),
    }


# ---------------------------------------------------------------- the tables

COLUMNS = [
    ("setup", "setup", "{}"), ("mode", "mode", "{}"), ("client", "client", "{}"), ("P", "processes", "{}"),
    ("N", "phones", "{}"), ("rooms", "rooms", "{}"), ("rate", "rate", "{:g}"),
    ("sent", "notes_sent", "{}"), ("stored", "notes_stored", "{}"), ("refused", "refused", "{}"),
    ("expected", "expected", "{}"), ("received", "received", "{}"), ("lost", "lost", "{}"),
    ("doubled", "doubled", "{}"), ("p50 ms", "p50_ms", "{:.1f}"), ("p95 ms", "p95_ms", "{:.1f}"),
    ("p99 ms", "p99_ms", "{:.1f}"), ("wall p95", "wall_p95_ms", "{:.1f}"), ("ack p50", "ack_p50_ms", "{:.1f}"),
    ("delivered/s", "delivered_per_s", "{:.0f}"),
    ("srv CPU s/1k", "server_cpu_s_per_1000", "{:.3f}"), ("srv CPU %", "server_cpu_share", "{:.0f}"),
    ("pg+redis %", "services_cpu_share", "{:.0f}"),
    ("RSS MB", "server_rss_mb", "{:.0f}"), ("mem/conn KB", "mem_per_conn_kb", "{:.0f}"),
    ("client CPU s", "client_cpu_s", "{:.1f}"),
    ("client procs", "client_processes", "{}"), ("busiest client %", "client_cpu_max_pct", "{:.0f}"),
    ("other load %", "other_cpu_share", "{:.0f}"),
]


def _grid(titles: list[str], lines: list[list[str]]) -> str:
    cells = [titles, *lines]
    widths = [max(len(line[i]) for line in cells) for i in range(len(titles))]
    text = ["  ".join(cell.rjust(width) for cell, width in zip(line, widths)) for line in cells]
    text.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(text)


def table(rows: list[dict]) -> str:
    for row in rows:
        row["server_cpu_share"] = 100 * row["server_cpu_s"] / row["window_s"]
        row["client_cpu_max_pct"] = 100 * (row["client_cpu_max_share"] or 0)
        row["other_cpu_share"] = 100 * row["other_cpu_s"] / row["window_s"]  # 200 % = both cores
        row["services_cpu_share"] = (None if row["postgres_cpu_s"] is None else
                                     100 * (row["postgres_cpu_s"] + row["redis_cpu_s"]) / row["window_s"])
    return _grid([title for title, _, _ in COLUMNS],
                 [[fmt.format(row[key]) if row.get(key) is not None else "-" for _, key, fmt in COLUMNS]
                  for row in rows])


def knee_table(rows: list[dict], knee_ms: float) -> str:
    """For every group: the highest rate below the knee, and what ended the sweep."""
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        groups.setdefault((row["setup"], row["mode"], row["client"], row["processes"], row["phones"], row["rooms"]),
                          []).append(row)
    lines = []
    for key, members in groups.items():
        good = [row for row in members if not row["stop"]]
        best = max(good, key=lambda row: row["rate"]) if good else None
        ended = next((row for row in members if row["stop"]), None)
        lines.append([*(str(value) for value in key),
                      f"{best['rate']:g}" if best else f"< {min(row['rate'] for row in members):g}",
                      f"{best['delivered_per_s']:.0f}" if best else "-",
                      f"{best['p99_ms']:.1f}" if best else "-",
                      f"{ended['rate']:g}: {ended['stop']}" if ended else "-"])
    return _grid(["setup", "mode", "client", "P", "N", "rooms", f"knee rate (p99 < {knee_ms:g} ms)",
                  "delivered/s", "p99 ms", "sweep ended at"], lines)


def machine() -> dict:
    commit = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True)
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    node = subprocess.run(["node", "--version"], capture_output=True, text=True) if NODE_CLIENT.exists() else None
    return {"cpus": os.cpu_count(), "cpu_model": model, "python": platform.python_version(),
            "node": node.stdout.strip() if node else None, "platform": platform.platform(),
            "commit": commit.stdout.strip()}


def _terminated(signum, frame):
    raise SystemExit(128 + signum)  # so that `finally` stops the servers and drops the database


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--setup", nargs="+", default=["laptop"], choices=["laptop", "region"],
                        help="laptop: one process on SQLite; region: PostgreSQL, Redis, --processes processes")
    parser.add_argument("--processes", type=int, nargs="+", default=[1],
                        help="server processes (more than 1 only with --setup region)")
    parser.add_argument("--phones", type=int, nargs="+", default=[25, 50, 100, 200])
    parser.add_argument("--room-size", type=int, default=0,
                        help="phones a workshop (each with one wall); 0: one workshop for everybody")
    parser.add_argument("--rates", type=float, nargs="+",
                        help="notes a second, all workshops together: run lowest first on the same connections")
    parser.add_argument("--rate", type=float, help="one rate (the same as --rates with one value; default 50)")
    parser.add_argument("--knee-ms", type=float, default=100.0,
                        help="end a group's sweep after the first rate whose p99 reaches this (or that lost "
                             "or refused a note)")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of posting per rate")
    parser.add_argument("--mode", nargs="+", default=["gevent"], choices=["gevent", "threading"])
    parser.add_argument("--client", choices=["node", "python"], default="node",
                        help="load client: Node's socket.io-client (default) or python-socketio")
    parser.add_argument("--per-process", type=int, default=0,
                        help="Socket.IO clients per client process (default: 50 node, 25 python)")
    parser.add_argument("--warmup", type=float, default=3.0,
                        help="seconds of posting at the first rate before measuring (not reported; 0: none)")
    parser.add_argument("--drain", type=float, default=1.0,
                        help="after the last ack, stop when nothing has arrived for this many seconds")
    parser.add_argument("--max-other-load", type=float, default=0.3,
                        help="before each group, wait until other processes use less than this many cores")
    parser.add_argument("--wait", type=float, default=900, help="how long to wait for that, in seconds")
    parser.add_argument("--floor", action="store_true",
                        help="serve bench/floor_server.py instead: notes are pushed but not stored, to "
                             "measure what the server stack costs without the app")
    args = parser.parse_args(argv)

    if args.rates and args.rate is not None:
        parser.error("give --rate or --rates, not both")
    args.rates = sorted(set(args.rates or [args.rate if args.rate is not None else 50.0]))
    if min(args.rates) <= 0 or min(args.processes) < 1 or min(args.phones) < 1 or args.room_size < 0:
        parser.error("rates, processes and phones must be positive, --room-size 0 or more")
    if max(args.processes) > 1 and "region" not in args.setup:
        parser.error("more than one server process needs --setup region (SQLite and no message queue)")
    if args.floor and args.room_size and any(args.room_size < phones for phones in args.phones):
        parser.error("--floor pushes every note to the first workshop: it cannot split the phones (--room-size)")
    if args.client == "node" and not (NODE_CLIENT.parent / "node_modules" / "socket.io-client").exists():
        parser.error("the Node client needs its packages: run `npm ci` in bench/node (or use --client python)")
    signal.signal(signal.SIGTERM, _terminated)
    rows = []
    print(f"machine: {machine()}", flush=True)
    for setup in args.setup:
        for mode in args.mode:
            for processes in args.processes:
                if setup == "laptop" and processes > 1:
                    print(f"laptop, {processes} processes: skipped (one process on SQLite only)", flush=True)
                    continue
                for phones in args.phones:
                    load = wait_for_quiet(args.max_other_load, args.wait)
                    rooms = split_rooms(phones, args.room_size)[0]
                    print(f"{setup}, {mode}{' (floor)' if args.floor else ''}, {processes} process(es), "
                          f"{phones} phones in {rooms} workshop(s): "
                          f"{', '.join(f'{rate:g}' for rate in args.rates)} notes/s for {args.duration:g} s each "
                          f"(other load before: {load:.2f} cores) ...", flush=True)
                    rows += run_group(setup, mode, processes, phones, args)
    print()
    print(table(rows))
    print()
    print(knee_table(rows, args.knee_ms))
    problems = [row for row in rows if row["lost"] or row["doubled"] or row["misrouted"] or row["refused"]
                or (row["notes_stored"] != row["notes_acked"] and not args.floor)]
    for row in problems:
        print(f"!! {row['setup']} {row['mode']} P={row['processes']} N={row['phones']} rate {row['rate']:g}: "
              f"lost {row['lost']}, doubled {row['doubled']}, misrouted {row['misrouted']}, "
              f"failed acks {row['ack_failures']} {row['ack_failure_examples']}, missing acks {row['ack_missing']}, "
              f"stored {row['notes_stored']} of {row['notes_acked']} acknowledged")
        print("   server output:\n      " + "\n      ".join(row["server_log_tail"][-30:]))
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / time.strftime("%Y%m%dT%H%M%S.json")
    path.write_text(json.dumps({"machine": machine(), "args": vars(args), "rows": rows}, indent=2))
    print(f"\nwritten to {path.relative_to(ROOT)}")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
