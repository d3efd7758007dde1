"""a case records when it is overdue from, so reports count overdue cases from an index

Revision ID: f6b0d4e8a2c9
Revises: e5a9c3d7f1b8
Create Date: 2026-12-02 01:50:00

"Open and overdue at the end of the period" looked through the work items of every case open at
that moment. The write path now keeps Case.overdue_from (the earliest deadline of the case's work
not done on time); existing cases get it from their work items here, by the same rule.
"""
import sqlalchemy as sa
from alembic import op

from app.db import UTCDateTime

revision = 'f6b0d4e8a2c9'
down_revision = 'e5a9c3d7f1b8'
branch_labels = None
depends_on = None

COMPLETED = ['jurisdiction', 'completed_at', 'process_definition_id', 'office_id', 'on_time',
             'working_days_taken', 'started_at', 'status']


def upgrade():
    with op.batch_alter_table('case') as batch:
        batch.add_column(sa.Column('overdue_from', UTCDateTime(), nullable=True))
    op.execute(sa.text(
        'UPDATE "case" SET overdue_from = ('
        'SELECT min(CASE WHEN w.due_at >= w.created_at THEN w.due_at ELSE w.created_at END) FROM work_item w '
        'WHERE w.case_id = "case".id AND w.due_at IS NOT NULL '
        'AND (w.closed_at IS NULL OR w.closed_at > w.due_at))'))
    op.drop_index('ix_case_reports_completed', table_name='case')
    op.create_index('ix_case_reports_completed', 'case', COMPLETED + ['overdue_from'], unique=False)


def downgrade():
    op.drop_index('ix_case_reports_completed', table_name='case')
    op.create_index('ix_case_reports_completed', 'case', COMPLETED, unique=False)
    with op.batch_alter_table('case') as batch:
        batch.drop_column('overdue_from')
