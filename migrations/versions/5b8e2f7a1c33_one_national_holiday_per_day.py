"""one national holiday per day

Revision ID: 5b8e2f7a1c33
Revises: 3a7f0c2d9e41
Create Date: 2026-11-22 15:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '5b8e2f7a1c33'
down_revision = '3a7f0c2d9e41'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('uq_holiday_national_day', 'holiday', ['day'], unique=True,
                    sqlite_where=sa.text('office_id IS NULL'), postgresql_where=sa.text('office_id IS NULL'))


def downgrade():
    op.drop_index('uq_holiday_national_day', table_name='holiday')
