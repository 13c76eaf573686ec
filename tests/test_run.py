"""`python run.py` on a fresh data directory: migrates, tells where to go, serves."""
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from .servers import ROOT, free_port


def websocket_handshake(port: int) -> str:
    """Open a Socket.IO WebSocket the way a browser does; return the server's answer."""
    request = (f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
               "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
               "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
               "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n")
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(request.encode())
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
    return answer.decode("latin-1").split("\r\n\r\n")[0]


def test_run_py_serves_a_fresh_install(tmp_path):
    port = free_port()
    env = {**os.environ, "PORT": str(port), "HOST": "127.0.0.1", "SESSIONS_DIR": str(tmp_path / "sessions"),
           "PYTHONUNBUFFERED": "1"}
    env.pop("DATABASE_URL", None)
    process = subprocess.Popen([sys.executable, "run.py"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    try:
        output = ""
        deadline = time.monotonic() + 30
        while "Ctrl+C" not in output and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line and process.poll() is not None:
                break
            output += line
        assert f"http://localhost:{port}/facilitator/" in output, output
        assert "Pysäytä painamalla Ctrl+C." in output
        body = None
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    body = response.read().decode()
                    break
            except OSError:
                time.sleep(0.1)
        assert body is not None and "Liity työpajaan" in body
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/facilitator/login", timeout=5) as response:
            assert response.url.endswith("/facilitator/setup")  # no account yet: offer one
        handshake = websocket_handshake(port)
        assert handshake.startswith("HTTP/1.1 101"), handshake
        assert "sec-websocket-extensions" not in handshake.lower()  # no per-message compression
        assert (tmp_path / "sessions" / "kuulluksi.sqlite3").exists()
        assert (tmp_path / "sessions" / "secret_key").stat().st_mode & 0o077 == 0
    finally:
        process.send_signal(signal.SIGINT)
        try:
            rest, _ = process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            rest, _ = process.communicate()
    log = output + (rest or "")
    assert "127.0.0.1 - -" not in log  # no request log with addresses


def test_picture_work_leaves_the_event_loop_under_gevent():
    # Under gevent every connection shares one thread; a photo decoded there would stop
    # every wall. The helper must hand the work to another OS thread (and return its result).
    script = ("from gevent import monkey; monkey.patch_all()\n"
              "from gevent._threading import get_thread_ident\n"
              "from workshop.serving import run_off_the_loop\n"
              "print(run_off_the_loop(get_thread_ident) != get_thread_ident(), run_off_the_loop(sum, [1, 2]))\n")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.stdout.split() == ["True", "3"], result.stderr


def test_picture_work_runs_in_place_without_gevent():
    from workshop.serving import run_off_the_loop

    assert run_off_the_loop(sum, [1, 2]) == 3
