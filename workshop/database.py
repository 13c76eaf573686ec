"""Database discipline: SQLite tuned for a laptop that must not lose an acknowledged write.

On PostgreSQL (DATABASE_URL) the pragmas do not apply, and `begin_write` takes a per-workshop
advisory lock where SQLite takes its write lock; nothing else changes.
"""
from __future__ import annotations

from flask import Flask, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

from .extensions import db

#: How long a writer waits for another writer's lock before SQLite gives up, in ms.
BUSY_TIMEOUT_MS = 10_000
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# Kept in the connection's `info` by the begin hook: how the transaction began, and the
# connection's change count then (to tell a transaction that has only read).
_IMMEDIATE = "kuulluksi.immediate"
_CHANGES_AT_BEGIN = "kuulluksi.changes_at_begin"


def configure_sqlite(engine: Engine) -> None:
    """Set the per-connection pragmas and take over transaction control from pysqlite.

    - WAL: readers (the wall, the phones) never block the writer and vice versa.
    - synchronous=FULL: a commit is on disk before we answer, so a power cut after a
      "saved" answer loses nothing (about 0.2 ms a commit on this class of machine).
    - foreign_keys=ON: SQLite does not enforce them otherwise.
    - busy_timeout: a second writer waits instead of failing at once.

    pysqlite begins transactions lazily and only before DML; we emit BEGIN ourselves so
    that a request that writes can take the write lock first (BEGIN IMMEDIATE). A deferred
    transaction that reads and then writes fails with "database is locked" when another
    writer got in between, and a busy timeout cannot save it.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        immediate = bool(connection.get_execution_options().get("sqlite_immediate"))
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
        connection.info[_IMMEDIATE] = immediate
        connection.info[_CHANGES_AT_BEGIN] = connection.connection.dbapi_connection.total_changes


#: The first key of the advisory locks a workshop's writers take on PostgreSQL (`begin_write`).
WORKSHOP_LOCKS = 1


def begin_write(workshop=None) -> None:
    """Start this session's transaction as a write transaction.

    Call it before the first write of a unit of work, with the workshop it writes to when
    there is one. A transaction that has written is kept as it is. One that has only read
    so far (a socket handler or a view that defers the lock looked up the workshop and who
    is asking) is ended and begun again as a writer: SQLite cannot turn a reader into a
    writer once another writer has committed since its first read ("database is locked" at
    once, whatever the busy timeout), and a reader has nothing to lose. What it loaded is
    expired and read again under the lock.

    On SQLite the write lock makes the writers of every workshop take turns, so a rule's
    check ("this phone has dots left") still holds when it writes. On PostgreSQL, where
    several processes write at once, the same holds per workshop: the transaction takes the
    workshop's advisory lock (released at commit or rollback), and writers of other
    workshops go on in parallel.
    """
    session = db.session()
    if session.in_transaction():
        if not _has_only_read(session):
            _lock_workshop(session.connection(), workshop)
            return
        session.rollback()
    _lock_workshop(session.connection(execution_options={"sqlite_immediate": True}), workshop)


def _lock_workshop(connection, workshop) -> None:
    # PostgreSQL only (SQLite's write lock is held already). Taken again in the same
    # transaction it is simply held twice; a read before it is read again by the rule's
    # own queries, which see what the previous writer committed.
    if workshop is not None and connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WORKSHOP_LOCKS}, {int(workshop.id)})")


def _has_only_read(session) -> bool:
    """Whether the session's SQLite transaction began deferred and has written nothing."""
    if session.new or session.dirty or session.deleted:
        return False
    connection = session.connection()
    if connection.dialect.name != "sqlite" or connection.info.get(_IMMEDIATE, True):
        return False
    return connection.connection.dbapi_connection.total_changes == connection.info.get(_CHANGES_AT_BEGIN)


def defer_write_lock(view):
    """Mark a view that takes the write lock itself, later (e.g. after decoding an image)."""
    view.defers_write_lock = True
    return view


def init_app(app: Flask) -> None:
    """Bind the database discipline to the app: pragmas, and write locks for writing requests."""
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine)

    @app.before_request
    def _writes_take_the_lock_first():
        # Every request that may change data takes SQLite's write lock before its first
        # read. Views that write on GET (the QR join link) call begin_write() themselves.
        if request.method in _SAFE_METHODS:
            return
        view = app.view_functions.get(request.endpoint)
        if not getattr(view, "defers_write_lock", False):
            # Read the whole body first: a phone on a weak signal may take seconds to send
            # it, and nobody else can write while this request holds the lock.
            request.get_data(cache=True)
            begin_write()
