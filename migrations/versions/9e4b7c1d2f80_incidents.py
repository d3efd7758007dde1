"""incidents: where and since when a case in error stopped

Revision ID: 9e4b7c1d2f80
Revises: 8e52a0f3c6d1
Create Date: 2026-12-01 20:00:00

Cases already in error take the time of their last 'case_failed' event; the element is unknown.
"""
import sqlalchemy as sa
from alembic import op

revision = '9e4b7c1d2f80'
down_revision = '8e52a0f3c6d1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case') as batch:
        batch.add_column(sa.Column('error_element', sa.String(length=100), nullable=True))
        batch.add_column(sa.Column('failed_at', sa.DateTime(timezone=True), nullable=True))
    op.execute(sa.text(
        'UPDATE "case" SET failed_at = (SELECT max(e.at) FROM audit_event e WHERE e.case_id = "case".id '
        "AND e.kind = 'case_failed') WHERE status = 'error'"))
    op.create_index('ix_case_failed_at', 'case', ['failed_at'])


def downgrade():
    op.drop_index('ix_case_failed_at', table_name='case')
    with op.batch_alter_table('case') as batch:
        batch.drop_column('failed_at')
        batch.drop_column('error_element')
