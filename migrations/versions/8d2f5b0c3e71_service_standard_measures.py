"""service standard measures: how long each case took and whether it was on time; when work was taken

Revision ID: 8d2f5b0c3e71
Revises: 7c1d4e9a2b60
Create Date: 2026-12-01 19:45:00

Cases that ended before this upgrade are measured from their projections: calendar time less
nothing paused (the pause history was not kept), on time when none of their deadlines passed
before their work was done.
"""
import sqlalchemy as sa
from alembic import op

revision = '8d2f5b0c3e71'
down_revision = '7c1d4e9a2b60'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case') as batch:
        batch.add_column(sa.Column('paused_working_seconds', sa.Integer(), nullable=False, server_default='0'))
        batch.add_column(sa.Column('service_standard_days', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('working_days_taken', sa.Float(), nullable=True))
        batch.add_column(sa.Column('on_time', sa.Boolean(), nullable=True))
    with op.batch_alter_table('work_item') as batch:
        batch.add_column(sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True))
    op.create_index('ix_case_completed_at', 'case', ['completed_at'])
    op.create_index('ix_case_started_at', 'case', ['started_at'])
    late = sa.text(
        'UPDATE "case" SET on_time = NOT EXISTS (SELECT 1 FROM work_item w WHERE w.case_id = "case".id '
        'AND w.due_at IS NOT NULL AND w.closed_at > w.due_at) WHERE completed_at IS NOT NULL')
    op.execute(late)


def downgrade():
    op.drop_index('ix_case_started_at', table_name='case')
    op.drop_index('ix_case_completed_at', table_name='case')
    with op.batch_alter_table('work_item') as batch:
        batch.drop_column('claimed_at')
    with op.batch_alter_table('case') as batch:
        batch.drop_column('on_time')
        batch.drop_column('working_days_taken')
        batch.drop_column('service_standard_days')
        batch.drop_column('paused_working_seconds')
