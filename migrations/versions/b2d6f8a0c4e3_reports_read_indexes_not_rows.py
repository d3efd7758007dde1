"""reports read indexes, not rows: covering indexes for the period figures

Revision ID: b2d6f8a0c4e3
Revises: a1c5e7f9b3d2
Create Date: 2026-12-01 23:25:00

A case row carries its state and data (kilobytes); the reports need a handful of its columns. With
these indexes SQLite answers them from the index alone (PostgreSQL by index-only scans), and the
escalation and lateness checks stop walking every work item (bench: reports at 100,000 cases).
"""
from alembic import op

revision = 'b2d6f8a0c4e3'
down_revision = 'a1c5e7f9b3d2'
branch_labels = None
depends_on = None

CASE_INDEXES = {
    'ix_case_reports_started': ['jurisdiction', 'started_at', 'process_definition_id', 'office_id', 'channel',
                                'status', 'completed_at'],
    'ix_case_reports_completed': ['jurisdiction', 'completed_at', 'process_definition_id', 'office_id', 'on_time',
                                  'working_days_taken', 'started_at', 'status'],
    'ix_case_kind': ['id', 'jurisdiction', 'process_definition_id'],
}
WORK_ITEM_INDEXES = {
    'ix_work_item_escalations': ['escalation_level', 'created_at'],
    'ix_work_item_case_deadline': ['case_id', 'due_at', 'created_at', 'closed_at'],
}


def upgrade():
    for name, columns in CASE_INDEXES.items():
        op.create_index(name, 'case', columns, unique=False)
    for name, columns in WORK_ITEM_INDEXES.items():
        op.create_index(name, 'work_item', columns, unique=False)


def downgrade():
    for name in WORK_ITEM_INDEXES:
        op.drop_index(name, table_name='work_item')
    for name in CASE_INDEXES:
        op.drop_index(name, table_name='case')
