"""Dots taken back stay as tombstones, so a late replay cannot put them back.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('dot', schema=None) as batch_op:
        batch_op.add_column(sa.Column('taken_back_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('dot', schema=None) as batch_op:
        batch_op.drop_column('taken_back_at')
