"""decision tables, and what each procedure version calls and evaluates

Revision ID: 8d41c6e2b7a9
Revises: 7c41d9e0a2b5
Create Date: 2026-12-01 20:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '8d41c6e2b7a9'
down_revision = '7c41d9e0a2b5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'decision_definition',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=100), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('dmn_xml', sa.LargeBinary(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('deployed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('deployed_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['deployed_by_id'], ['user.id'], name=op.f('fk_decision_definition_deployed_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_decision_definition')),
        sa.UniqueConstraint('key', 'version', name='uq_decision_definition_key_version'),
    )
    op.create_index(op.f('ix_decision_definition_key'), 'decision_definition', ['key'], unique=False)
    # Versions deployed before call activities and decision tables call and evaluate nothing.
    with op.batch_alter_table('process_definition') as batch:
        batch.add_column(sa.Column('calls', sa.JSON(), nullable=False, server_default='{}'))
        batch.add_column(sa.Column('decisions', sa.JSON(), nullable=False, server_default='{}'))


def downgrade():
    with op.batch_alter_table('process_definition') as batch:
        batch.drop_column('decisions')
        batch.drop_column('calls')
    op.drop_index(op.f('ix_decision_definition_key'), table_name='decision_definition')
    op.drop_table('decision_definition')
