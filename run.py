"""Serve Kuulluksi on this computer: `python run.py` (this is what `make run` calls).

Applies the database migrations, prints where the facilitator and the phones should go
(with a QR code for the phones), and serves on 0.0.0.0:$PORT (5000 by default) with the
server of the SOCKETIO_ASYNC_MODE setting: gevent's by default (see workshop/serving.py).
"""
import importlib.util
import os
from pathlib import Path


def configured_async_mode() -> str:
    """SOCKETIO_ASYNC_MODE as the app will see it, read without importing Flask.

    gevent must patch the standard library before Flask, SQLAlchemy or the socket code are
    imported, and importing the `workshop` package imports Flask: so the settings module is
    loaded on its own here (it imports only the standard library).
    """
    path = Path(__file__).resolve().parent / "workshop" / "config.py"
    spec = importlib.util.spec_from_file_location("_kuulluksi_settings", path)
    settings = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(settings)
    mode = settings.from_environment(os.environ).get("SOCKETIO_ASYNC_MODE", settings.Defaults.SOCKETIO_ASYNC_MODE)
    return mode.strip().lower()


ASYNC_MODE = configured_async_mode()
if ASYNC_MODE == "gevent":
    from gevent import monkey

    monkey.patch_all()

import logging  # noqa: E402  (after the patching, on purpose)

from workshop import create_app  # noqa: E402
from workshop.extensions import db  # noqa: E402
from workshop.serving import serve_gevent, serve_threads  # noqa: E402
from workshop.startup import apply_migrations, banner, every_day, purge_expired, sweep_media  # noqa: E402


def main() -> None:
    """Start the server in the foreground until Ctrl+C."""
    host = os.environ.get("HOST", "0.0.0.0")
    port = int(os.environ.get("PORT", "5000"))
    if ASYNC_MODE not in ("gevent", "threading"):
        raise SystemExit(f"SOCKETIO_ASYNC_MODE must be gevent or threading, not {ASYNC_MODE!r}")
    app = create_app({"SOCKETIO_ASYNC_MODE": ASYNC_MODE})
    apply_migrations(app)
    sweep_media(app)  # files a crash left without their row
    purge_expired(app)  # RETENTION_DAYS; then once a day while serving
    print(banner(app, port), flush=True)
    # No request log: it would write every participant's IP address to the terminal.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    if ASYNC_MODE == "gevent":
        serve_gevent(app, host, port, chores=every_day)
    else:
        with app.app_context():
            db.engine.dispose()  # no SQLite connection may cross gunicorn's fork
        serve_threads(app, host, port, chores=every_day)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:  # Ctrl+C: stop quietly
        pass
