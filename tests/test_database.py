"""SQLite discipline and migrations that agree with the models."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from tests.conftest import requires_sqlite
from workshop.extensions import db


@requires_sqlite
def test_sqlite_is_opened_for_durability(app_context):
    with db.engine.connect() as connection:
        pragma = lambda name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("synchronous") == 2  # FULL
        assert pragma("foreign_keys") == 1
        assert pragma("busy_timeout") >= 5000


def test_migrations_match_the_models(app_context):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []


def test_migrations_go_down_and_up_again(app_context):
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade()
    assert {"account", "workshop", "participant"} <= set(inspect(db.engine).get_table_names())


def test_foreign_keys_are_enforced(app_context):
    from sqlalchemy.exc import IntegrityError

    try:
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO participant (workshop_id, token_hash, joined_at) VALUES (999, 'x', '2026-01-01')"))
    except IntegrityError:
        pass
    else:  # pragma: no cover - the assertion is the point
        raise AssertionError("a participant of a missing workshop was stored")


@requires_sqlite
def test_begin_write_takes_the_write_lock_before_the_first_read(app_context):
    # A unit of work that will write holds SQLite's write lock from its start, so another
    # writer waits for it instead of failing half-way with "database is locked".
    import sqlite3

    from workshop.database import begin_write

    begin_write()
    db.session.execute(text("SELECT 1"))
    other = sqlite3.connect(db.engine.url.database, timeout=0.05, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        assert "locked" in str(error)
    else:  # pragma: no cover - the assertion is the point
        raise AssertionError("a second writer got the lock while the first held it")
    finally:
        other.close()
        db.session.rollback()


def test_a_unit_of_work_that_read_first_still_writes_after_another_writer(app, room):
    # Socket handlers and the picture upload look up the workshop and the participant
    # before the rule takes the write lock. SQLite cannot make such a reader a writer once
    # another writer has committed since its first read; begin_write starts afresh instead.
    from workshop.api.access import find_workshop

    alice = room.participant()
    code, board = room.workshop.join_code, room.boards[0]
    with app.app_context():
        workshop = find_workshop(code)  # the first read: a deferred transaction begins
        with app.app_context():  # meanwhile another phone's note is committed
            room.note(alice, "Toisen puhelimen lappu")
        room.workshop = workshop
        assert room.note(alice, "Tämä ei saa kadota", board=board).item.position == workshop.last_seq


def test_begin_write_keeps_a_transaction_that_has_written(app_context):
    from workshop.database import begin_write
    from workshop.workshops import create_workshop

    workshop = create_workshop("Katutyö")
    begin_write()
    workshop.title = "Katutyö Itä"
    db.session.flush()
    begin_write()  # must not throw the flushed change away
    db.session.commit()
    db.session.expire_all()
    assert workshop.title == "Katutyö Itä"
