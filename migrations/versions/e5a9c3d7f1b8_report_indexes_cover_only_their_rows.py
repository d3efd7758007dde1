"""finished work and open work indexed apart for the reports

Revision ID: e5a9c3d7f1b8
Revises: d4f8b2c6e0a7
Create Date: 2026-12-02 00:25:00

The step reports read finished work, the waiting map open work: each index now covers only those
rows, so a case pays only for the entries of the work it has (issue 12's 8 KB per case).
"""
import sqlalchemy as sa
from alembic import op

revision = 'e5a9c3d7f1b8'
down_revision = 'd4f8b2c6e0a7'
branch_labels = None
depends_on = None

PARTIAL = {
    'ix_work_item_done': ('work_item', ['status', 'closed_at', 'escalation_of_id', 'case_id', 'office_id', 'task',
                                        'clock_stopped', 'created_at', 'claimed_at', 'closed_by_id', 'name'],
                          "status = 'completed'"),
    'ix_work_item_open_steps': ('work_item', ['status', 'task', 'name', 'created_at', 'due_at', 'case_id',
                                              'office_id'], "status = 'open'"),
}


def upgrade():
    for name, (table, columns, condition) in PARTIAL.items():
        op.drop_index(name, table_name=table)
        op.create_index(name, table, columns, unique=False, sqlite_where=sa.text(condition),
                        postgresql_where=sa.text(condition))


def downgrade():
    for name, (table, columns, _) in PARTIAL.items():
        op.drop_index(name, table_name=table)
        op.create_index(name, table, columns, unique=False)
