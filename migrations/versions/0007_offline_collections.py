"""offline collections: the relay, enumerator and device (pseudonyms) of imported responses

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 05:20:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0007'
# Issue #11: enumerators' and devices' ids pseudonymised like phone numbers, the relay's name kept for staff.
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('offline_collections',
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('relay', sa.String(length=120), nullable=True),
    sa.Column('enumerator', sa.String(length=32), nullable=True),
    sa.Column('device', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_offline_collections_consultation_id_consultations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], name=op.f('fk_offline_collections_conversation_id_conversations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('conversation_id', name=op.f('pk_offline_collections'))
    )
    with op.batch_alter_table('offline_collections') as batch:
        batch.create_index('ix_offline_collections_consultation_enumerator', ['consultation_id', 'enumerator'])


def downgrade() -> None:
    with op.batch_alter_table('offline_collections') as batch:
        batch.drop_index('ix_offline_collections_consultation_enumerator')
    op.drop_table('offline_collections')
