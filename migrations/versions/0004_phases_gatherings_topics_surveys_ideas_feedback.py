"""Phases: gatherings, topic proposals, surveys, development ideas and phase feedback.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 06:28:15.529495

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('gathering',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('log', sa.String(length=2000), nullable=False),
    sa.Column('participant_count', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshop.id'], name=op.f('fk_gathering_workshop_id_workshop'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gathering'))
    )
    with op.batch_alter_table('gathering', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gathering_workshop_id'), ['workshop_id'], unique=False)

    op.create_table('idea',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('statement', sa.String(length=300), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshop.id'], name=op.f('fk_idea_workshop_id_workshop'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idea'))
    )
    with op.batch_alter_table('idea', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idea_workshop_id'), ['workshop_id'], unique=False)

    op.create_table('survey',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('choice', 'multi', 'scale', 'text', name='survey_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('purpose', sa.String(length=16), nullable=False),
    sa.Column('is_open', sa.Boolean(), nullable=False),
    sa.Column('phase', sa.Enum('mapping', 'collection', 'publication', 'follow_up', name='survey_phase', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshop.id'], name=op.f('fk_survey_workshop_id_workshop'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey'))
    )
    with op.batch_alter_table('survey', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_workshop_id'), ['workshop_id'], unique=False)

    op.create_table('idea_theme',
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['idea_id'], ['idea.id'], name=op.f('fk_idea_theme_idea_id_idea'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['theme_id'], ['theme.id'], name=op.f('fk_idea_theme_theme_id_theme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('idea_id', 'theme_id', name=op.f('pk_idea_theme'))
    )
    op.create_table('phase_feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('body_hash', sa.String(length=64), nullable=False),
    sa.Column('phase', sa.Enum('mapping', 'collection', 'publication', 'follow_up', name='feedback_for_phase', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('gathering_id', sa.Integer(), nullable=True),
    sa.Column('participant_id', sa.Integer(), nullable=True),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('rating', sa.Integer(), nullable=False),
    sa.Column('way', sa.String(length=32), nullable=False),
    sa.Column('comment', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_phase_feedback_account_id_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['gathering_id'], ['gathering.id'], name=op.f('fk_phase_feedback_gathering_id_gathering'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], name=op.f('fk_phase_feedback_participant_id_participant'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshop.id'], name=op.f('fk_phase_feedback_workshop_id_workshop'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_phase_feedback')),
    sa.UniqueConstraint('workshop_id', 'uuid', name='uq_phase_feedback_uuid')
    )
    with op.batch_alter_table('phase_feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_phase_feedback_workshop_id'), ['workshop_id'], unique=False)

    op.create_table('survey_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('body_hash', sa.String(length=64), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=True),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('gathering_id', sa.Integer(), nullable=True),
    sa.Column('choices', sa.String(length=400), nullable=False),
    sa.Column('scale', sa.Integer(), nullable=True),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_survey_answer_account_id_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['gathering_id'], ['gathering.id'], name=op.f('fk_survey_answer_gathering_id_gathering'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], name=op.f('fk_survey_answer_participant_id_participant'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_survey_answer_survey_id_survey'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshop.id'], name=op.f('fk_survey_answer_workshop_id_workshop'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_answer')),
    sa.UniqueConstraint('workshop_id', 'uuid', name='uq_survey_answer_uuid')
    )
    with op.batch_alter_table('survey_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_answer_survey_id'), ['survey_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_answer_workshop_id'), ['workshop_id'], unique=False)

    op.create_table('survey_option',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_survey_option_survey_id_survey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_option'))
    )
    with op.batch_alter_table('survey_option', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_option_survey_id'), ['survey_id'], unique=False)

    op.create_table('topic_proposal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('body_hash', sa.String(length=64), nullable=False),
    sa.Column('text', sa.String(length=200), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=True),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('gathering_id', sa.Integer(), nullable=True),
    sa.Column('hidden_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_topic_proposal_account_id_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['gathering_id'], ['gathering.id'], name=op.f('fk_topic_proposal_gathering_id_gathering'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], name=op.f('fk_topic_proposal_participant_id_participant'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshop.id'], name=op.f('fk_topic_proposal_workshop_id_workshop'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_topic_proposal')),
    sa.UniqueConstraint('workshop_id', 'uuid', name='uq_topic_proposal_uuid')
    )
    with op.batch_alter_table('topic_proposal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_topic_proposal_workshop_id'), ['workshop_id'], unique=False)

    op.create_table('idea_item',
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['idea_id'], ['idea.id'], name=op.f('fk_idea_item_idea_id_idea'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['item_id'], ['item.id'], name=op.f('fk_idea_item_item_id_item'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('idea_id', 'item_id', name=op.f('pk_idea_item'))
    )
    with op.batch_alter_table('item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phase', sa.Enum('mapping', 'collection', 'publication', 'follow_up', name='item_phase', native_enum=False, create_constraint=True, length=32), nullable=False, server_default='collection'))
        batch_op.add_column(sa.Column('gathering_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_item_gathering_id'), ['gathering_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_item_gathering_id_gathering'), 'gathering', ['gathering_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('option', schema=None) as batch_op:
        batch_op.add_column(sa.Column('topic_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('idea_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_option_topic_id_topic_proposal'), 'topic_proposal', ['topic_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_option_idea_id_idea'), 'idea', ['idea_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.add_column(sa.Column('purpose', sa.String(length=16), nullable=False, server_default='general'))

    with op.batch_alter_table('theme', schema=None) as batch_op:
        batch_op.add_column(sa.Column('description', sa.String(length=500), nullable=False, server_default=''))

    with op.batch_alter_table('workshop', schema=None) as batch_op:
        batch_op.add_column(sa.Column('topic', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('feedback_phase', sa.Enum('mapping', 'collection', 'publication', 'follow_up', name='feedback_phase', native_enum=False, create_constraint=True, length=32), nullable=True))
        batch_op.add_column(sa.Column('projector', sa.String(length=40), nullable=False, server_default='wall'))
        batch_op.add_column(sa.Column('current_gathering_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_workshop_current_gathering_id_gathering'), 'gathering', ['current_gathering_id'], ['id'], ondelete='SET NULL', use_alter=True)



def downgrade():
    with op.batch_alter_table('workshop', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_workshop_current_gathering_id_gathering'), type_='foreignkey')
        batch_op.drop_column('current_gathering_id')
        batch_op.drop_column('projector')
        # An enum's CHECK constraint must go before SQLite's batch mode can drop its column.
        batch_op.drop_constraint(batch_op.f('ck_workshop_feedback_phase'), type_='check')
        batch_op.drop_column('feedback_phase')
        batch_op.drop_column('topic')

    with op.batch_alter_table('theme', schema=None) as batch_op:
        batch_op.drop_column('description')

    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.drop_column('purpose')

    with op.batch_alter_table('option', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_option_idea_id_idea'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_option_topic_id_topic_proposal'), type_='foreignkey')
        batch_op.drop_column('idea_id')
        batch_op.drop_column('topic_id')

    with op.batch_alter_table('item', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_item_gathering_id_gathering'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_item_gathering_id'))
        batch_op.drop_column('gathering_id')
        batch_op.drop_constraint(batch_op.f('ck_item_item_phase'), type_='check')
        batch_op.drop_column('phase')

    op.drop_table('idea_item')
    with op.batch_alter_table('topic_proposal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_topic_proposal_workshop_id'))

    op.drop_table('topic_proposal')
    with op.batch_alter_table('survey_option', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_option_survey_id'))

    op.drop_table('survey_option')
    with op.batch_alter_table('survey_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_answer_workshop_id'))
        batch_op.drop_index(batch_op.f('ix_survey_answer_survey_id'))

    op.drop_table('survey_answer')
    with op.batch_alter_table('phase_feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_phase_feedback_workshop_id'))

    op.drop_table('phase_feedback')
    op.drop_table('idea_theme')
    with op.batch_alter_table('survey', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_workshop_id'))

    op.drop_table('survey')
    with op.batch_alter_table('idea', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idea_workshop_id'))

    op.drop_table('idea')
    with op.batch_alter_table('gathering', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gathering_workshop_id'))

    op.drop_table('gathering')
