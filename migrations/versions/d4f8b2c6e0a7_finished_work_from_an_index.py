"""time per step and per officer read finished work from an index

Revision ID: d4f8b2c6e0a7
Revises: c3e7a9b1d5f4
Create Date: 2026-12-02 00:05:00

ix_work_item_done holds every column the step and officer reports read of the work closed in a
period, so they never visit the work items themselves; it starts like ix_work_item_closed, which
it replaces.
"""
from alembic import op

revision = 'd4f8b2c6e0a7'
down_revision = 'c3e7a9b1d5f4'
branch_labels = None
depends_on = None

DONE = ['status', 'closed_at', 'escalation_of_id', 'case_id', 'office_id', 'task', 'clock_stopped', 'created_at',
        'claimed_at', 'closed_by_id', 'name']


def upgrade():
    op.create_index('ix_work_item_done', 'work_item', DONE, unique=False)
    op.drop_index('ix_work_item_closed', table_name='work_item')


def downgrade():
    op.create_index('ix_work_item_closed', 'work_item', ['status', 'closed_at'], unique=False)
    op.drop_index('ix_work_item_done', table_name='work_item')
