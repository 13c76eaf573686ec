"""Serving the app: migrations, then (on the laptop) a banner that tells where to go."""
from __future__ import annotations

from flask import Flask
from flask_babel import gettext as _
from flask_migrate import upgrade

from . import qr
from .extensions import db
from .network import lan_address, public_base_url


#: The key of the PostgreSQL advisory lock that migrations hold (any number of our own).
MIGRATION_LOCK = 6_114_007


def apply_migrations(app: Flask) -> None:
    """Bring the database to the newest schema (a no-op when it already is).

    In a region several processes start at once on one PostgreSQL database: they take turns
    under an advisory lock, and the ones after the first find nothing left to do. (Without
    it two would create the same tables and one would fail to start.) SQLite has one process.
    """
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            upgrade()
            return
        with db.engine.connect() as connection:
            connection.exec_driver_sql(f"SELECT pg_advisory_lock({MIGRATION_LOCK})")
            try:
                upgrade()
            finally:
                connection.exec_driver_sql(f"SELECT pg_advisory_unlock({MIGRATION_LOCK})")
                connection.rollback()


def sweep_media(app: Flask) -> list[str]:
    """Remove picture files that no row names (left by a crash between file and commit).

    Run at start-up, after the migrations; see `images.sweep_unreferenced`. Files younger
    than MEDIA_SWEEP_MIN_AGE_S stay, for the other processes of a region still writing.
    """
    from sqlalchemy import select, union_all

    from .images import sweep_unreferenced
    from .models import Item, StreetNote

    with app.app_context():
        names = union_all(*(select(column) for model in (Item, StreetNote)
                            for column in (model.image_name, model.thumb_name)))
        referenced = {name for name in db.session.scalars(names) if name}
        db.session.remove()
    return sweep_unreferenced(app.config["MEDIA_DIR"], referenced, app.config["MEDIA_SWEEP_MIN_AGE_S"])


#: How often a running server looks for workshops whose retention period is over.
RETENTION_INTERVAL_S = 24 * 3600


def purge_expired(app: Flask) -> None:
    """Delete the raw contributions whose retention period is over (RETENTION_DAYS; see
    `lifecycle.purge_expired`). Run at start-up and then once a day by `every_day`."""
    from . import lifecycle

    if app.config.get("RETENTION_DAYS") is None:
        return
    with app.app_context():
        lifecycle.purge_expired()
        db.session.remove()


def every_day(app: Flask) -> None:
    """The serving process's daily chores, forever: start it in a background thread."""
    import time

    while True:
        time.sleep(RETENTION_INTERVAL_S)
        purge_expired(app)


def banner(app: Flask, port: int) -> str:
    """The text printed at start-up: the facilitator's URL, the phones' URL and its QR code."""
    with app.app_context():
        local = f"http://localhost:{port}/"
        facilitator_url = local + "facilitator/"
        configured, lan = app.config.get("JOIN_BASE_URL"), lan_address()
        phones_url = public_base_url(local, configured, lan) if configured or lan else None
        lines = [
            "",
            "Kuulluksi",
            "",
            _("Facilitator, open on this computer: %(url)s", url=facilitator_url),
        ]
        if phones_url:
            lines += [
                _("Phones on the same Wi-Fi use: %(url)s", url=phones_url),
                "",
                qr.terminal(phones_url),
            ]
        else:
            lines.append(_("This computer is not on a network yet: connect it to the Wi-Fi, or turn on its hotspot, and restart."))
        lines.append(_("Stop with Ctrl+C."))
        return "\n".join(lines)
