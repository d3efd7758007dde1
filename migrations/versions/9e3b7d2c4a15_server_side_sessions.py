"""server-side sessions and revocable API tokens

Revision ID: 9e3b7d2c4a15
Revises: 8d2a5c1e7f30
Create Date: 2026-12-01 20:50:00

Browsers signed in before this upgrade sign in again (their cookie names no session row).
"""
import sqlalchemy as sa
from alembic import op

from app.db import UTCDateTime

revision = '9e3b7d2c4a15'
down_revision = '8d2a5c1e7f30'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('api_token') as batch:
        batch.add_column(sa.Column('revoked_at', UTCDateTime(), nullable=True))
    op.create_table(
        'user_session',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('key_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('expires_at', UTCDateTime(), nullable=False),
        sa.Column('ended_at', UTCDateTime(), nullable=True),
        sa.Column('address', sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_user_session_user_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_user_session')),
        sa.UniqueConstraint('key_hash', name=op.f('uq_user_session_key_hash')),
    )
    with op.batch_alter_table('user_session') as batch:
        batch.create_index(batch.f('ix_user_session_user_id'), ['user_id'], unique=False)


def downgrade():
    op.drop_table('user_session')
    with op.batch_alter_table('api_token') as batch:
        batch.drop_column('revoked_at')
