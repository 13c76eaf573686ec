"""Serve Kuulluksi on this computer: `python run.py` (this is what `make run` calls).

Applies the database migrations, prints where the facilitator and the phones should go
(with a QR code for the phones), and serves on 0.0.0.0:$PORT (5000 by default).
"""
import logging
import os

from workshop import create_app
from workshop.extensions import socketio
from workshop.startup import apply_migrations, banner


def main() -> None:
    """Start the server in the foreground until Ctrl+C."""
    host = os.environ.get("HOST", "0.0.0.0")
    port = int(os.environ.get("PORT", "5000"))
    app = create_app()
    apply_migrations(app)
    print(banner(app, port), flush=True)
    # No request log: it would write every participant's IP address to the terminal.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True, log_output=False)


if __name__ == "__main__":
    main()
