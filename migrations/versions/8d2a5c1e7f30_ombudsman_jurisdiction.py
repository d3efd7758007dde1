"""the Ombudsman's jurisdiction: complaint cases are the Ombudsman's, numbered in their own series

Revision ID: 8d2a5c1e7f30
Revises: 9e4b7c1d2f80
Create Date: 2026-12-01 20:00:00

Cases of the procedure `ombudsman_complaint` that already exist become the Ombudsman's (they keep
the numbers they were given); case counters gain a series ("" for the OWSO, "OMB" for complaints).
"""
import sqlalchemy as sa
from alembic import op

revision = '8d2a5c1e7f30'
down_revision = '9e4b7c1d2f80'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case') as batch:
        batch.add_column(sa.Column('jurisdiction', sa.String(length=20), nullable=False, server_default='owso'))
        batch.create_index(batch.f('ix_case_jurisdiction'), ['jurisdiction'], unique=False)
    op.execute("UPDATE \"case\" SET jurisdiction = 'ombudsman' WHERE process_definition_id IN "
               "(SELECT id FROM process_definition WHERE key = 'ombudsman_complaint')")
    with op.batch_alter_table('case_counter', recreate='always') as batch:
        batch.add_column(sa.Column('series', sa.String(length=8), nullable=False, server_default=''))
        batch.drop_constraint('pk_case_counter', type_='primary')
        batch.create_primary_key('pk_case_counter', ['series', 'office_id', 'year'])


def downgrade():
    op.execute("DELETE FROM case_counter WHERE series <> ''")
    with op.batch_alter_table('case_counter', recreate='always') as batch:
        batch.drop_constraint('pk_case_counter', type_='primary')
        batch.create_primary_key('pk_case_counter', ['office_id', 'year'])
        batch.drop_column('series')
    with op.batch_alter_table('case') as batch:
        batch.drop_index(batch.f('ix_case_jurisdiction'))
        batch.drop_column('jurisdiction')
