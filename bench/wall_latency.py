"""Note -> wall latency under load: N phones post sticky notes while every phone and a wall listen.

    python bench/wall_latency.py --phones 25 50 100 200 --rate 50 --duration 20 --mode gevent threading

For each mode and N it starts the app as deployed (`python run.py` with that
SOCKETIO_ASYNC_MODE) on a free port and a fresh temporary SESSIONS_DIR (migrated, with a
workshop made through the rules), then spreads N phones and one wall over several load-client
processes. Each joins by GET /j/<code> (keeping the device cookie) and opens a real Socket.IO
client over WebSocket that sends `watch`. The phones post notes over the socket (`add_item`,
with ack) at a steady total rate; each note's text carries its number and its send time.
Every listener records when each item `change` reaches it: latency = receive - send, per
listener per note. Times are CLOCK_MONOTONIC (time.monotonic_ns(), Node's
process.hrtime.bigint()), one clock for every process on the machine.

The load client is Node's socket.io-client (bench/node/, `npm ci` there first) by default,
or python-socketio (`--client python`), which needs several times more CPU per message.

Prints one row per point (bench/README.md explains the columns) and writes them as JSON to
bench/results/<timestamp>.json. Linux only: it reads /proc for CPU time and memory.
"""
from __future__ import annotations

import argparse
import json
import math
import multiprocessing as mp
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------- the server under test

def prepare_database(sessions_dir: Path) -> dict:
    """Migrate a fresh database and create the workshop through the rules (no server yet)."""
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import select

    from workshop import create_app
    from workshop.config import sqlite_url
    from workshop.extensions import db
    from workshop.models import Board
    from workshop.startup import apply_migrations
    from workshop.workshops import create_workshop

    app = create_app({"SESSIONS_DIR": str(sessions_dir), "SQLALCHEMY_DATABASE_URI": sqlite_url(str(sessions_dir))})
    apply_migrations(app)
    with app.app_context():
        workshop = create_workshop("Wall latency benchmark", language="en")
        boards = list(db.session.scalars(select(Board.id).where(Board.workshop_id == workshop.id)
                                         .order_by(Board.position)))
        code = workshop.join_code
        db.session.remove()
        db.engine.dispose()
    return {"code": code, "boards": boards}


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


class Server:
    """`python run.py` in a subprocess, with its output kept (and shown if it fails)."""

    def __init__(self, mode: str, sessions_dir: Path, script: str = "run.py"):
        self.port = free_port()
        env = {**os.environ, "PORT": str(self.port), "HOST": "127.0.0.1", "SESSIONS_DIR": str(sessions_dir),
               "SOCKETIO_ASYNC_MODE": mode, "PYTHONUNBUFFERED": "1"}
        env.pop("DATABASE_URL", None)
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
        total = 0
        for pid in self.pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / CLOCK_TICKS

    def peak_rss_mb(self) -> float:
        """Peak resident memory (VmHWM) summed over the server's processes."""
        total_kb = 0
        for pid in self.pids():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        total_kb += int(line.split()[1])
            except OSError:
                continue
        return total_kb / 1024

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # what Ctrl+C does
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


# ---------------------------------------------------------------- the load clients

NODE_CLIENT = Path(__file__).resolve().parent / "node" / "client.js"


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process (all its threads) so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


class NodeClient:
    """A `node bench/node/client.js` process: Node's socket.io-client, as on the phones."""

    def __init__(self, listener_ids: list[int], setup: dict):
        config = {"url": setup["url"], "code": setup["code"], "boards": setup["boards"], "phones": setup["phones"],
                  "listeners": listener_ids, "intervalNs": setup["interval_ns"], "quietMs": setup["quiet_s"] * 1000}
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
        if message.get("type") == "result":  # JSON object keys are strings
            message["acks"] = {int(i): ack for i, ack in message["acks"].items()}
            message["listeners"] = {int(i): data for i, data in message["listeners"].items()}
        return message

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


class PythonClient:
    """A Python process of python-socketio Clients (spawned, so it starts clean)."""

    def __init__(self, listener_ids: list[int], setup: dict):
        context = mp.get_context("spawn")
        self.pipe, child = context.Pipe()
        self.process = context.Process(target=python_client, args=(listener_ids, setup, child), daemon=True)
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


def python_client(listener_ids: list[int], setup: dict, pipe) -> None:
    """The Python load client: the same protocol as bench/node/client.js, over a pipe."""
    try:
        _python_client(listener_ids, setup, pipe)
    except Exception:
        import traceback

        pipe.send({"type": "error", "error": traceback.format_exc()})


def _python_client(listener_ids: list[int], setup: dict, pipe) -> None:
    import requests
    import socketio

    url, code, boards, phones = setup["url"], setup["code"], setup["boards"], setup["phones"]
    received: dict[int, list] = {lid: [] for lid in listener_ids}
    clients: dict[int, socketio.Client] = {}
    throttled = 0
    joined_at = time.monotonic()
    for lid in listener_ids:
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
        log = received[lid]

        def on_change(data, log=log):
            log.append((time.monotonic_ns(), data))

        client.on("change", on_change)
        client.connect(url, headers={"Cookie": cookie}, transports=["websocket"], wait_timeout=30)
        answer = client.call("watch", {"code": code, "since": 0}, timeout=30)
        if not answer.get("ok"):
            raise RuntimeError(f"watch refused: {answer}")
        clients[lid] = client
    pipe.send({"type": "ready", "joined_s": time.monotonic() - joined_at, "throttled": throttled})

    go = pipe.recv()
    for log in received.values():
        log.clear()  # only the run's own changes count
    start_ns, notes, interval_ns = go["go"], go["notes"], setup["interval_ns"]
    acks: dict[int, list] = {}
    sent: list[int] = []
    lag_ms = 0.0
    for i in [i for i in range(notes) if (i % phones) in clients]:
        delay = (start_ns + i * interval_ns - time.monotonic_ns()) / 1e9
        if delay > 0:
            time.sleep(delay)
        else:
            lag_ms = max(lag_ms, -delay * 1000)
        send_ns = time.monotonic_ns()

        def acked(answer=None, i=i, send_ns=send_ns):
            ok = isinstance(answer, dict) and answer.get("ok") and answer.get("status") == 201
            acks[i] = [bool(ok), time.monotonic_ns() - send_ns, None if ok else answer]

        clients[i % phones].emit("add_item", {"code": code, "uuid": str(uuid.uuid4()), "kind": "note",
                                              "board_id": boards[i % len(boards)], "text": f"n{i} {send_ns}"},
                                 callback=acked)
        sent.append(i)
    # Every ack, then quiet for quiet_s (at most a minute in all).
    deadline = time.monotonic() + 60
    while len(acks) < len(sent) and time.monotonic() < deadline:
        time.sleep(0.02)
    count, still_since = -1, time.monotonic()
    while time.monotonic() < deadline:
        total = sum(len(log) for log in received.values())
        if total != count:
            count, still_since = total, time.monotonic()
        elif time.monotonic() - still_since >= setup["quiet_s"]:
            break
        time.sleep(0.02)

    listeners = {}
    for lid, log in received.items():
        seqs = Counter()
        latencies: list[int] = []
        notes_seen: set[int] = set()
        other = 0
        for at, data in log:
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
        listeners[lid] = {"notes": sorted(notes_seen), "latencies_ns": latencies, "other": other,
                          "doubled": sum(count - 1 for count in seqs.values() if count > 1),
                          "connected": clients[lid].connected}
    pipe.send({"type": "result", "sent": sent, "acks": acks, "listeners": listeners, "send_lag_ms": lag_ms})

    pipe.recv()  # close
    # In threading mode a client waits ~3 s for the close frame: close them all at once.
    closers = [threading.Thread(target=client.disconnect) for client in clients.values()]
    for closer in closers:
        closer.start()
    for closer in closers:
        closer.join(timeout=10)
    pipe.send({"type": "closed"})


# ---------------------------------------------------------------- one point of the table

def percentile(ordered: list[int], fraction: float) -> float:
    """Nearest-rank percentile of an ordered list (0 for an empty one)."""
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))]


def run_point(mode: str, phones: int, args) -> dict:
    """Measure one (mode, N) point on a fresh server and database."""
    with tempfile.TemporaryDirectory(prefix="kuulluksi-bench-") as tmp:
        sessions = Path(tmp) / "sessions"
        with mp.get_context("spawn").Pool(1) as pool:  # keep Flask and SQLAlchemy out of this process
            workshop = pool.apply(prepare_database, (sessions,))
        server = Server(mode, sessions, "bench/floor_server.py" if args.floor else "run.py")
        workers = []
        try:
            listeners = phones + 1  # the phones, and the wall (listener number `phones`)
            per_process = args.per_process or (50 if args.client == "node" else 25)
            processes = max(2, math.ceil(listeners / per_process))
            notes = int(args.rate * args.duration)
            setup = {"url": server.url, "code": workshop["code"], "boards": workshop["boards"], "phones": phones,
                     "interval_ns": int(1e9 / args.rate), "quiet_s": args.drain}
            kind = NodeClient if args.client == "node" else PythonClient
            for index in range(processes):
                workers.append(kind([lid for lid in range(listeners) if lid % processes == index], setup))
            ready = [worker.recv() for worker in workers]
            start_ns = time.monotonic_ns() + 2_000_000_000
            cpu_before, busy_before = server.cpu_seconds(), machine_busy_seconds()
            clients_before = [process_cpu_seconds(worker.pid) for worker in workers]
            for worker in workers:
                worker.send({"go": start_ns, "notes": notes})
            results = [worker.recv() for worker in workers]
            cpu_server = server.cpu_seconds() - cpu_before
            busy = machine_busy_seconds() - busy_before
            client_cpu = [process_cpu_seconds(worker.pid) - before for worker, before in zip(workers, clients_before)]
            window_s = (time.monotonic_ns() - start_ns) / 1e9 + 2
            rss = server.peak_rss_mb()
            for worker in workers:
                worker.send({"close": True})
            for worker in workers:
                worker.recv()
        finally:
            for worker in workers:
                worker.stop()
            server.stop()
        stored = _count_notes(sessions)
        server_log = [line.rstrip() for line in server.output if "alembic" not in line]

    acks = {i: ack for result in results for i, ack in result["acks"].items()}
    sent = sum(len(result["sent"]) for result in results)
    acked = {i for i, (ok, _, _) in acks.items() if ok}
    failed = [ack[2] for ack in acks.values() if not ack[0]][:3]
    by_listener = {lid: data for result in results for lid, data in result["listeners"].items()}
    latencies = sorted(value for data in by_listener.values() for value in data["latencies_ns"])
    wall = sorted(by_listener[phones]["latencies_ns"])
    received = sum(len(acked.intersection(data["notes"])) for data in by_listener.values())
    expected = len(acked) * listeners
    ack_times = sorted(ack[1] for ack in acks.values() if ack[0])
    delivered = sum(len(data["notes"]) for data in by_listener.values())
    ms = 1e6
    return {
        "mode": mode + (" floor" if args.floor else ""), "client": args.client, "phones": phones, "listeners": listeners, "rate": args.rate,
        "duration_s": args.duration,
        "notes_sent": sent, "notes_acked": len(acked), "notes_stored": stored, "ack_failures": len(acks) - len(acked),
        "ack_missing": sent - len(acks), "ack_failure_examples": failed,
        "expected": expected, "received": received, "lost": expected - received,
        "doubled": sum(data["doubled"] for data in by_listener.values()),
        "disconnected": sum(1 for data in by_listener.values() if not data["connected"]),
        "p50_ms": percentile(latencies, 0.50) / ms, "p95_ms": percentile(latencies, 0.95) / ms,
        "p99_ms": percentile(latencies, 0.99) / ms, "max_ms": (latencies[-1] / ms) if latencies else 0.0,
        "wall_p50_ms": percentile(wall, 0.50) / ms, "wall_p95_ms": percentile(wall, 0.95) / ms,
        "ack_p50_ms": percentile(ack_times, 0.50) / ms, "ack_p95_ms": percentile(ack_times, 0.95) / ms,
        "server_cpu_s": cpu_server, "window_s": window_s,
        "server_cpu_s_per_1000": cpu_server / (delivered / 1000) if delivered else None,
        "server_rss_mb": rss,
        "client_processes": len(results), "client_cpu_s": sum(client_cpu),
        "client_cpu_max_share": max(client_cpu) / window_s if window_s else None,
        # CPU that neither the server nor the clients used: other work on the machine.
        "other_cpu_s": busy - cpu_server - sum(client_cpu),
        "client_send_lag_ms": max(result["send_lag_ms"] for result in results),
        "join_s": max(item["joined_s"] for item in ready), "join_throttled": sum(item["throttled"] for item in ready),
        # What the server printed after its banner (errors, tracebacks), the last lines only.
        "server_log_tail": server_log[next((i for i, line in enumerate(server_log) if "Ctrl+C" in line), 0) + 1:][-60:],
    }


def _count_notes(sessions: Path) -> int:
    import sqlite3

    with sqlite3.connect(sessions / "kuulluksi.sqlite3") as connection:
        return connection.execute("SELECT count(*) FROM item WHERE text LIKE 'n%'").fetchone()[0]


# ---------------------------------------------------------------- the table

COLUMNS = [
    ("mode", "mode", "{}"), ("client", "client", "{}"), ("N", "phones", "{}"), ("sent", "notes_sent", "{}"), ("stored", "notes_stored", "{}"),
    ("expected", "expected", "{}"), ("received", "received", "{}"), ("lost", "lost", "{}"),
    ("doubled", "doubled", "{}"), ("p50 ms", "p50_ms", "{:.1f}"), ("p95 ms", "p95_ms", "{:.1f}"),
    ("p99 ms", "p99_ms", "{:.1f}"), ("wall p95", "wall_p95_ms", "{:.1f}"), ("ack p50", "ack_p50_ms", "{:.1f}"),
    ("srv CPU s/1k", "server_cpu_s_per_1000", "{:.3f}"), ("srv CPU %", "server_cpu_share", "{:.0f}"),
    ("RSS MB", "server_rss_mb", "{:.0f}"), ("client CPU s", "client_cpu_s", "{:.1f}"),
    ("client procs", "client_processes", "{}"), ("busiest client %", "client_cpu_max_pct", "{:.0f}"),
    ("other load %", "other_cpu_share", "{:.0f}"),
]


def table(rows: list[dict]) -> str:
    for row in rows:
        row["server_cpu_share"] = 100 * row["server_cpu_s"] / row["window_s"]
        row["client_cpu_max_pct"] = 100 * (row["client_cpu_max_share"] or 0)
        row["other_cpu_share"] = 100 * row["other_cpu_s"] / row["window_s"]  # 200 % = both cores
    cells = [[title for title, _, _ in COLUMNS]]
    for row in rows:
        cells.append([fmt.format(row[key]) if row.get(key) is not None else "-" for _, key, fmt in COLUMNS])
    widths = [max(len(line[i]) for line in cells) for i in range(len(COLUMNS))]
    lines = ["  ".join(cell.rjust(width) for cell, width in zip(line, widths)) for line in cells]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def machine() -> dict:
    commit = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True)
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    node = subprocess.run(["node", "--version"], capture_output=True, text=True) if NODE_CLIENT.exists() else None
    return {"cpus": os.cpu_count(), "cpu_model": model, "python": platform.python_version(),
            "node": node.stdout.strip() if node else None, "platform": platform.platform(),
            "commit": commit.stdout.strip()}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--phones", type=int, nargs="+", default=[25, 50, 100, 200])
    parser.add_argument("--rate", type=float, default=50.0, help="notes a second, all phones together")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of posting per point")
    parser.add_argument("--mode", nargs="+", default=["gevent"], choices=["gevent", "threading"])
    parser.add_argument("--client", choices=["node", "python"], default="node",
                        help="load client: Node's socket.io-client (default) or python-socketio")
    parser.add_argument("--per-process", type=int, default=0,
                        help="Socket.IO clients per client process (default: 50 node, 25 python)")
    parser.add_argument("--drain", type=float, default=1.0,
                        help="after the last ack, stop when nothing has arrived for this many seconds")
    parser.add_argument("--max-other-load", type=float, default=0.3,
                        help="before each point, wait until other processes use less than this many cores")
    parser.add_argument("--wait", type=float, default=900, help="how long to wait for that, in seconds")
    parser.add_argument("--floor", action="store_true",
                        help="serve bench/floor_server.py instead: notes are pushed but not stored, to "
                             "measure what the server stack costs without the app")
    args = parser.parse_args(argv)

    if args.client == "node" and not (NODE_CLIENT.parent / "node_modules" / "socket.io-client").exists():
        parser.error("the Node client needs its packages: run `npm ci` in bench/node (or use --client python)")
    rows = []
    print(f"machine: {machine()}", flush=True)
    for mode in args.mode:
        for phones in args.phones:
            load = wait_for_quiet(args.max_other_load, args.wait)
            print(f"{mode}{' (floor)' if args.floor else ''}, {phones} phones: {args.rate:g} notes/s for {args.duration:g} s "
                  f"(other load before: {load:.2f} cores) ...", flush=True)
            row = run_point(mode, phones, args)
            rows.append(row)
            print(table([row]).splitlines()[-1], flush=True)
    print()
    print(table(rows))
    problems = [row for row in rows if row["lost"] or row["doubled"] or row["ack_failures"] or row["ack_missing"]
                or (row["notes_stored"] != row["notes_acked"] and not args.floor)]
    for row in problems:
        print(f"!! {row['mode']} N={row['phones']}: lost {row['lost']}, doubled {row['doubled']}, "
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
