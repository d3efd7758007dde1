"""staff language preference

Revision ID: 7c1e4a9b2d50
Revises: 5b8e2f7a1c33
Create Date: 2026-12-01 19:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '7c1e4a9b2d50'
down_revision = '5b8e2f7a1c33'
branch_labels = None
depends_on = None


def upgrade():
    # Nullable: existing staff keep the office default until they pick a language.
    with op.batch_alter_table('user') as batch_op:
        batch_op.add_column(sa.Column('locale', sa.String(length=8), nullable=True))


def downgrade():
    with op.batch_alter_table('user') as batch_op:
        batch_op.drop_column('locale')
