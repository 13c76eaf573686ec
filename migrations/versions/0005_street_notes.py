"""Street notes (katuhavainnot) and the outreach worker's role.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 07:07:37.849077

"""
from contextlib import contextmanager

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

_OLD_ROLE = sa.Enum('facilitator', name='role', native_enum=False, create_constraint=True, length=32)
_NEW_ROLE = sa.Enum('facilitator', 'worker', name='role', native_enum=False, create_constraint=True, length=32)


@contextmanager
def _foreign_keys_off():
    """On SQLite, recreate a table that other tables refer to without emptying their links.

    Batch mode copies the table and drops the old one; with foreign keys enforced (the
    app's connections always are) that DROP is a DELETE of every row, and each ON DELETE
    SET NULL fires: every workshop, item, dot, topic and answer would lose its author.
    SQLite only lets foreign keys be turned off between transactions, so the migrations
    run so far are committed first (the version table says 0004 then), and what happens
    here is one transaction of its own, checked before it is committed (SQLite's
    "generalized ALTER TABLE procedure").
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


def _set_roles(old, new):
    """Change the values the role's CHECK constraint (ck_account_role) allows."""
    if op.get_bind().dialect.name == 'sqlite':
        # SQLite cannot alter a constraint: batch mode recreates the table.
        with _foreign_keys_off(), op.batch_alter_table('account', schema=None) as batch_op:
            batch_op.alter_column('role', existing_type=old, type_=new, existing_nullable=False)
    else:
        op.drop_constraint(op.f('ck_account_role'), 'account', type_='check')
        allowed = ", ".join(f"'{value}'" for value in new.enums)
        op.create_check_constraint(op.f('ck_account_role'), 'account', sa.text(f"role IN ({allowed})"))


def upgrade():
    # Autogenerate does not see a changed list of enum values; this part was written by hand.
    _set_roles(_OLD_ROLE, _NEW_ROLE)

    op.create_table('street_note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('body_hash', sa.String(length=64), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('nature', sa.Enum('positive', 'negative', 'other', name='street_nature', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('category', sa.Enum('own_services', 'other_services', 'network_cooperation', 'own_resources', 'other_resources', 'internal_processes', 'cross_sector_processes', 'client_work', 'client_needs', 'social_problems', name='street_category', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('area', sa.String(length=80), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=True),
    sa.Column('topic', sa.String(length=200), nullable=False),
    sa.Column('image_name', sa.String(length=64), nullable=True),
    sa.Column('thumb_name', sa.String(length=64), nullable=True),
    sa.Column('image_width', sa.Integer(), nullable=True),
    sa.Column('image_height', sa.Integer(), nullable=True),
    sa.Column('written_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_street_note_account_id_account')),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshop.id'], name=op.f('fk_street_note_workshop_id_workshop'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_street_note')),
    sa.UniqueConstraint('account_id', 'uuid', name='uq_street_note_uuid')
    )
    with op.batch_alter_table('street_note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_street_note_written_at'), ['written_at'], unique=False)


def downgrade():
    with op.batch_alter_table('street_note', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_street_note_written_at'))

    op.drop_table('street_note')
    # The old constraint allows facilitators only. Turning a worker into a facilitator would
    # give them the whole facilitator side, so going back removes the worker accounts
    # (their street notes are gone with the table above; what else they made keeps its
    # row, with the author set to none by the foreign keys' ON DELETE SET NULL).
    op.execute("DELETE FROM account WHERE role = 'worker'")
    _set_roles(_NEW_ROLE, _OLD_ROLE)
