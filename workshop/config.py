"""Configuration: defaults first, then the environment, then the caller's overrides.

Everything that differs between a laptop in a drop-in centre and a regional server is a
setting here (the database, the message queue, the rate-limit storage), never a code path.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

#: The repository root: `templates/`, `static/`, `sessions/` and `exports/` live here.
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Defaults:
    """Settings for a laptop: embedded SQLite in `sessions/`, everything in one process."""

    SESSIONS_DIR = str(PROJECT_ROOT / "sessions")
    EXPORTS_DIR = str(PROJECT_ROOT / "exports")

    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SQLALCHEMY_TRACK_MODIFICATIONS = False

    # Cookies: never readable from scripts, never sent on cross-site requests.
    SESSION_COOKIE_NAME = "kuulluksi_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # The anonymous participant's device cookie lasts a month: long enough for a workshop
    # that runs over several gatherings, short enough to fade from a shared phone.
    DEVICE_COOKIE_NAME = "kuulluksi_device"
    DEVICE_COOKIE_MAX_AGE = 30 * 24 * 3600

    # Uploads (drawings and photos) are capped; Flask's default is none. A phone camera's
    # JPEG is 2–8 MB. Pictures are kept in MEDIA_DIR (default: sessions/media).
    MAX_CONTENT_LENGTH = 12 * 1024 * 1024
    # At start-up, picture files no row names (a crash between writing the file and committing
    # its row) are removed once they are older than this: in a region another process may be
    # between the two right now. One laptop process could use 0.
    MEDIA_SWEEP_MIN_AGE_S = 3600

    WTF_CSRF_TIME_LIMIT = None  # a form left open through a long workshop still submits

    BABEL_DEFAULT_LOCALE = "fi"
    BABEL_DEFAULT_TIMEZONE = "Europe/Helsinki"
    BABEL_TRANSLATION_DIRECTORIES = str(Path(__file__).resolve().parent / "translations")

    # Rate limits (Flask-Limiter). Memory is right for one laptop process; a region sets
    # RATELIMIT_STORAGE_URI to its Redis so that every process shares the counters.
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = False
    # Every key in the rate-limit storage starts with this: two installs may share a Redis.
    RATELIMIT_KEY_PREFIX = "kuulluksi"
    # Failed join attempts (a wrong, closed or malformed code). See README "Join codes".
    JOIN_FAILURES_PER_NETWORK = "30 per 10 minutes"
    # The whole server: fewer than 100 wrong codes an hour (OWASP ASVS 2.2.1), whoever guesses.
    JOIN_FAILURES_GLOBAL = "90 per hour"
    # Joins of one existing workshop (QR scans): a whole room scanning at once must pass.
    JOINS_PER_WORKSHOP = "120 per minute"
    # Failed logins, per account name and per network address (OWASP ASVS 2.2.1).
    LOGIN_FAILURES_PER_ACCOUNT = "20 per hour"
    LOGIN_FAILURES_PER_NETWORK = "60 per hour"
    # Feedback from readers of a published report, per network: enough for a class reading
    # it together, too few to flood the facilitator's moderation list.
    READER_FEEDBACK_PER_NETWORK = "20 per hour"
    # Flood limits on participants' writes (workshop/floods.py): token buckets per device and
    # per workshop. A person tapping fast gets the burst; only a sustained flood waits, and its
    # writes stay in the phone's outbox until they go. A room of 50 voting at once is about
    # 250 dots in a minute, well inside a workshop's bucket. Facilitators are never limited.
    DEVICE_WRITE_BURST = 30
    DEVICE_WRITES_PER_MINUTE = 60
    WORKSHOP_WRITE_BURST = 300
    WORKSHOP_WRITES_PER_MINUTE = 1200

    JOIN_CODE_LENGTH = 6
    # The address phones use to reach this laptop. None: found from the network interfaces
    # when the facilitator uses the app through localhost. A region sets its public URL.
    JOIN_BASE_URL: str | None = None

    # How the server runs Socket.IO: "gevent" (one thread, gevent's WSGI server; run.py
    # patches the standard library first) or "threading" (gunicorn's threads, Linux and
    # macOS). gevent won the measurements in docs/performance.md.
    SOCKETIO_ASYNC_MODE = "gevent"
    # Several server processes (a region) pass every change through a message queue, e.g.
    # "redis://redis.example:6379/0", so a wall on one process shows a note posted to another.
    # The channel names this install on it: two installs may share a Redis.
    SOCKETIO_MESSAGE_QUEUE: str | None = None
    SOCKETIO_CHANNEL = "kuulluksi"

    # Behind a reverse proxy (nginx, docs/deployment.md): how many proxies stand in front of
    # the app. Their X-Forwarded-For/-Proto/-Host are then believed, so rate limits and
    # OBSERVE_NETWORKS see the phone's address, not the proxy's. 0 on a laptop: the headers
    # would be anyone's to forge.
    PROXY_COUNT = 0

    # The coarse areas a street note may name (never coordinates), set per deployment; from
    # the environment as a comma-separated list. Changing it keeps old notes' areas as written.
    STREET_AREAS = ["Keskusta", "Itäinen alue", "Läntinen alue", "Pohjoinen alue", "Eteläinen alue"]

    # Professionals' social reporting (issue 7). The form needs no login; its address holds
    # the organisation's key, and OBSERVE_NETWORKS (CIDRs, e.g. the intranet's "10.0.0.0/8")
    # can limit it to the organisation's own networks. Empty: any network with the link.
    OBSERVE_NETWORKS: list[str] = []
    # Looking a report up by its number: failed lookups per network, so numbers cannot be
    # tried one after another.
    TRACKING_FAILURES_PER_NETWORK = "30 per hour"
    # New reports per network address: a whole team filing after a meeting passes; a script
    # filling the summaries with junk does not.
    OBSERVE_FILINGS_PER_NETWORK = "60 per hour"
    # Telling a reporter who left an e-mail address: sent through this SMTP server when one
    # is set; without it the handler sees whom to tell and marks it done by hand.
    MAIL_SERVER: str | None = None
    MAIL_PORT = 25
    MAIL_USE_TLS = False  # STARTTLS
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_FROM = "kuulluksi@localhost"

    # The privacy notice (/privacy): who answers questions about the data, e.g. the wellbeing
    # region's data protection officer's address. None: the notice tells people to ask the
    # facilitator or the staff of the centre.
    PRIVACY_CONTACT: str | None = None
    # Days after a workshop closes before its raw contributions (notes, drawings, photos, dots,
    # answers) are deleted; the published report stays. None: kept until the facilitator
    # deletes the workshop.
    RETENTION_DAYS: int | None = None


#: Environment variables read at start-up, and the setting each one fills.
ENVIRONMENT = {
    "SECRET_KEY": "SECRET_KEY",
    "DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
    "SESSIONS_DIR": "SESSIONS_DIR",
    "EXPORTS_DIR": "EXPORTS_DIR",
    "MEDIA_DIR": "MEDIA_DIR",
    "JOIN_BASE_URL": "JOIN_BASE_URL",
    "RATELIMIT_STORAGE_URI": "RATELIMIT_STORAGE_URI",
    "SOCKETIO_MESSAGE_QUEUE": "SOCKETIO_MESSAGE_QUEUE",
    "SOCKETIO_ASYNC_MODE": "SOCKETIO_ASYNC_MODE",
    "SOCKETIO_CHANNEL": "SOCKETIO_CHANNEL",
    "RATELIMIT_KEY_PREFIX": "RATELIMIT_KEY_PREFIX",
    "PROXY_COUNT": "PROXY_COUNT",
    "SESSION_COOKIE_SECURE": "SESSION_COOKIE_SECURE",
    "STREET_AREAS": "STREET_AREAS",
    "OBSERVE_NETWORKS": "OBSERVE_NETWORKS",
    "MAIL_SERVER": "MAIL_SERVER",
    "MAIL_PORT": "MAIL_PORT",
    "MAIL_USE_TLS": "MAIL_USE_TLS",
    "MAIL_USERNAME": "MAIL_USERNAME",
    "MAIL_PASSWORD": "MAIL_PASSWORD",
    "MAIL_FROM": "MAIL_FROM",
    "PRIVACY_CONTACT": "PRIVACY_CONTACT",
    "DEVICE_WRITE_BURST": "DEVICE_WRITE_BURST",
    "DEVICE_WRITES_PER_MINUTE": "DEVICE_WRITES_PER_MINUTE",
    "WORKSHOP_WRITE_BURST": "WORKSHOP_WRITE_BURST",
    "WORKSHOP_WRITES_PER_MINUTE": "WORKSHOP_WRITES_PER_MINUTE",
    "RETENTION_DAYS": "RETENTION_DAYS",
    "MEDIA_SWEEP_MIN_AGE_S": "MEDIA_SWEEP_MIN_AGE_S",
}

_TRUE = {"1", "true", "yes", "on"}


def from_environment(environ: os._Environ | dict) -> dict:
    """Return the settings given as environment variables (see `ENVIRONMENT`)."""
    settings = {}
    for variable, key in ENVIRONMENT.items():
        value = environ.get(variable)
        if value:
            settings[key] = _PARSERS.get(key, str)(value)
    return settings


def comma_list(value: str) -> list[str]:
    """A comma-separated setting as a list, blanks trimmed and empty entries dropped."""
    return [entry.strip() for entry in value.split(",") if entry.strip()]


#: How a setting is read from its environment variable's text (default: as it is).
_PARSERS = {
    "SESSION_COOKIE_SECURE": lambda value: value.strip().lower() in _TRUE,
    "STREET_AREAS": comma_list,
    "OBSERVE_NETWORKS": comma_list,
    "MAIL_PORT": int,
    "PROXY_COUNT": int,
    "RETENTION_DAYS": int,
    "MEDIA_SWEEP_MIN_AGE_S": float,
    "DEVICE_WRITE_BURST": int,
    "DEVICE_WRITES_PER_MINUTE": float,
    "WORKSHOP_WRITE_BURST": int,
    "WORKSHOP_WRITES_PER_MINUTE": float,
    "MAIL_USE_TLS": lambda value: value.strip().lower() in _TRUE,
}


def sqlite_url(sessions_dir: str) -> str:
    """The default database: one SQLite file in the sessions directory."""
    return "sqlite:///" + str(Path(sessions_dir) / "kuulluksi.sqlite3")


def load_or_create_secret_key(sessions_dir: str) -> str:
    """Return the secret key kept in `sessions/secret_key`, creating it on the first run.

    Keeping it on disk means a restart of the laptop does not log everyone out or make the
    phones' forms fail; keeping it beside the data means a backup of `sessions/` restores it.
    """
    path = Path(sessions_dir) / "secret_key"
    try:
        key = path.read_text(encoding="ascii").strip()
        if key:
            return key
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key
