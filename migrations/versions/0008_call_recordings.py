"""call recordings: the Twilio recording a caller's free-text answer points to

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 05:40:00
"""
from alembic import op
import sqlalchemy as sa

import models.base

revision = '0008'
# Issue #10: a free-text question with `voice_record: true` is answered on a call by a <Record>.
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('call_recordings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.String(length=64), nullable=False),
    sa.Column('recording_sid', sa.String(length=34), nullable=False),
    sa.Column('recording_path', sa.String(length=200), nullable=False),
    sa.Column('duration_seconds', sa.Integer(), nullable=True),
    sa.Column('recorded_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], name=op.f('fk_call_recordings_conversation_id_conversations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call_recordings')),
    sa.UniqueConstraint('recording_sid', name=op.f('uq_call_recordings_recording_sid'))
    )
    with op.batch_alter_table('call_recordings') as batch:
        batch.create_index(batch.f('ix_call_recordings_conversation_id'), ['conversation_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('call_recordings') as batch:
        batch.drop_index(batch.f('ix_call_recordings_conversation_id'))
    op.drop_table('call_recordings')
