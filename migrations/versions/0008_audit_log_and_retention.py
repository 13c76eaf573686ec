"""The data's lifecycle: an audit log of what was done to workshops' data as a whole, and
when the retention period deleted a workshop's raw contributions. Accounts get a session
version, so that logging out ends every copy of the session cookie.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 17:05:00.000000

"""
from contextlib import contextmanager

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


@contextmanager
def _foreign_keys_off():
    """On SQLite, recreate a table that other tables refer to without emptying their links.

    The same as in 0005 and 0007 (a migration is a snapshot, so it is copied, not
    imported): dropping `workshop.purged_at` recreates the workshop table in batch mode,
    and the DROP of the old table would otherwise CASCADE to every row of every workshop.
    """
    bind = op.get_bind()
    bind.exec_driver_sql("COMMIT")
    bind.exec_driver_sql("PRAGMA foreign_keys=OFF")
    try:
        bind.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            yield
            broken = bind.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"foreign keys broken by the migration: {broken[:5]}")
        except BaseException:
            bind.exec_driver_sql("ROLLBACK")
            raise
        bind.exec_driver_sql("COMMIT")
    finally:
        bind.exec_driver_sql("PRAGMA foreign_keys=ON")
        bind.exec_driver_sql("BEGIN")  # Alembic commits the version at the end


@contextmanager
def _recreating():
    """Foreign keys off around a batch operation on SQLite; nothing needed elsewhere."""
    if op.get_bind().dialect.name == 'sqlite':
        with _foreign_keys_off():
            yield
    else:
        yield


def upgrade():
    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('account_name', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('details', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_audit_event_account_id_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_at'), ['at'], unique=False)

    # Adding a nullable column needs no copy of the table, on SQLite either.
    with op.batch_alter_table('workshop', schema=None) as batch_op:
        batch_op.add_column(sa.Column('purged_at', sa.DateTime(timezone=True), nullable=True))
    # With a default, a NOT NULL column is added in place on SQLite too.
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with _recreating(), op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.drop_column('session_version')

    with _recreating(), op.batch_alter_table('workshop', schema=None) as batch_op:
        batch_op.drop_column('purged_at')

    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_at'))
        batch_op.drop_index(batch_op.f('ix_audit_event_account_id'))

    op.drop_table('audit_event')
