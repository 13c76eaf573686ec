"""Serve Kuulluksi on this computer: `python run.py` (this is what `make run` calls).

Applies the database migrations, prints where the facilitator and the phones should go
(with a QR code for the phones), and serves on 0.0.0.0:$PORT (5000 by default).

The server is gevent's WSGI server (`SOCKETIO_ASYNC_MODE=gevent`, the default): one
process, one thread, WebSockets through simple-websocket, on Linux, macOS and Windows.
`SOCKETIO_ASYNC_MODE=threading` serves with gunicorn's threaded worker instead (Linux and
macOS, `pip install gunicorn`); docs/performance.md has the measurements behind the choice.
"""
import os

# gevent must replace the standard library's threads, sockets and locks before anything
# else (Flask, SQLAlchemy, the socket code) is imported, so the setting is read here, from
# the environment, and not from the app's config (which would import Flask first).
ASYNC_MODE = (os.environ.get("SOCKETIO_ASYNC_MODE") or "gevent").strip().lower()
if ASYNC_MODE == "gevent":
    from gevent import monkey

    monkey.patch_all()

import logging  # noqa: E402  (after the monkey-patching, on purpose)

from workshop import create_app  # noqa: E402
from workshop.extensions import db, socketio  # noqa: E402
from workshop.startup import apply_migrations, banner  # noqa: E402

#: Threads of the gunicorn worker in threading mode: every open WebSocket keeps one.
THREADS = int(os.environ.get("THREADS", "400"))


def main() -> None:
    """Start the server in the foreground until Ctrl+C."""
    host = os.environ.get("HOST", "0.0.0.0")
    port = int(os.environ.get("PORT", "5000"))
    app = create_app({"SOCKETIO_ASYNC_MODE": ASYNC_MODE})
    apply_migrations(app)
    print(banner(app, port), flush=True)
    # No request log: it would write every participant's IP address to the terminal.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    if ASYNC_MODE == "gevent":
        # gevent's pywsgi server without its request log (log_output=False).
        socketio.run(app, host=host, port=port, log_output=False)
    elif ASYNC_MODE == "threading":
        with app.app_context():
            db.engine.dispose()  # no SQLite connection may cross gunicorn's fork
        serve_with_gunicorn(app, host, port)
    else:
        raise SystemExit(f"SOCKETIO_ASYNC_MODE must be gevent or threading, not {ASYNC_MODE!r}")


def serve_with_gunicorn(app, host: str, port: int) -> None:
    """Threading mode: one gunicorn worker process with a thread per connection."""
    try:
        from gunicorn.app.base import BaseApplication
    except ImportError:
        raise SystemExit("SOCKETIO_ASYNC_MODE=threading needs gunicorn (Linux or macOS): pip install gunicorn")

    class Server(BaseApplication):
        def load_config(self):
            # One worker: the wall's rooms live in this process's memory. No access log.
            for key, value in {"bind": f"{host}:{port}", "workers": 1, "worker_class": "gthread",
                               "threads": THREADS, "accesslog": None, "loglevel": "warning",
                               "timeout": 0, "graceful_timeout": 5}.items():
                self.cfg.set(key, value)

        def load(self):
            return app

    Server().run()


if __name__ == "__main__":
    main()
