"""outbound next attempt

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 21:10:00
"""
from alembic import op
import sqlalchemy as sa
import models.base

revision = '0005'
# When a message that failed for now may be tried again: `outbox retry` sends the due ones when
# no RQ worker runs (REDIS_URL unset), so inline deployments back off and retry too.
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbound_messages') as batch:
        batch.add_column(sa.Column('next_attempt_at', models.base.UTCDateTime(timezone=True), nullable=True))
        batch.create_index('ix_outbound_messages_due', ['status', 'next_attempt_at'])
    # Messages queued before this release are due now: a lost job or a failed inline send of theirs
    # is picked up by `outbox retry` like any other.
    op.execute("UPDATE outbound_messages SET next_attempt_at = created_at WHERE status = 'queued'")


def downgrade() -> None:
    with op.batch_alter_table('outbound_messages') as batch:
        batch.drop_index('ix_outbound_messages_due')
        batch.drop_column('next_attempt_at')
