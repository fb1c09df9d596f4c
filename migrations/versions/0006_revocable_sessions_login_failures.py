"""revocable sessions, disabled users, login failures

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 02:50:00
"""
from alembic import op
import sqlalchemy as sa
import models.base

revision = '0006'
# A logout, a disabled account or a new password ends the user's sessions (session_version);
# failed logins are counted in the database, shared by every web worker, when Redis is absent.
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('session_version', sa.Integer(), server_default='0', nullable=False))
        batch.add_column(sa.Column('disabled_at', models.base.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('api_tokens') as batch:
        batch.create_index('ix_api_tokens_prefix', ['prefix'])
    op.create_table('login_failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('account', sa.String(length=64), nullable=False),
    sa.Column('failed_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failures'))
    )
    with op.batch_alter_table('login_failures') as batch:
        batch.create_index('ix_login_failures_address_failed_at', ['address', 'failed_at'])
        batch.create_index('ix_login_failures_failed_at', ['failed_at'])


def downgrade() -> None:
    op.drop_table('login_failures')
    with op.batch_alter_table('api_tokens') as batch:
        batch.drop_index('ix_api_tokens_prefix')
    with op.batch_alter_table('users') as batch:
        batch.drop_column('disabled_at')
        batch.drop_column('session_version')
