"""hash-chained history: every audit event carries a SHA-256 chained per case

Revision ID: 7c1d4e9a2b60
Revises: 7c1e4a9b2d50
Create Date: 2026-12-01 19:40:00

Existing events are chained in the order they were recorded (by id), so a database upgraded
from an earlier version verifies like a new one.
"""
from itertools import groupby

import sqlalchemy as sa
from alembic import op

from app.audit.chain import event_hash
from app.db import UTCDateTime

revision = '7c1d4e9a2b60'
down_revision = '7c1e4a9b2d50'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_event') as batch:
        batch.add_column(sa.Column('hash', sa.String(length=64), nullable=True))
    op.create_table(
        'audit_head',
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('hash', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_audit_head_case_id_case')),
        sa.PrimaryKeyConstraint('case_id', name=op.f('pk_audit_head')),
    )
    _backfill(op.get_bind())
    with op.batch_alter_table('audit_event') as batch:
        batch.alter_column('hash', existing_type=sa.String(length=64), nullable=False)


def _backfill(connection):
    events = sa.table('audit_event', sa.column('id', sa.Integer), sa.column('at', UTCDateTime),
                      sa.column('actor_id', sa.Integer), sa.column('case_id', sa.Integer),
                      sa.column('kind', sa.String), sa.column('summary', sa.Text), sa.column('data', sa.JSON),
                      sa.column('hash', sa.String))
    heads = sa.table('audit_head', sa.column('case_id', sa.Integer), sa.column('hash', sa.String))
    rows = connection.execute(sa.select(events).order_by(events.c.case_id, events.c.id)).all()
    for case_id, case_rows in groupby(rows, key=lambda row: row.case_id):
        previous = None
        for row in case_rows:
            digest = event_hash(case_id, row.at, row.actor_id, row.kind, row.summary, row.data or {}, previous)
            connection.execute(events.update().where(events.c.id == row.id).values(hash=digest))
            if case_id is not None:
                previous = digest
        if case_id is not None:
            connection.execute(heads.insert().values(case_id=case_id, hash=previous))


def downgrade():
    op.drop_table('audit_head')
    with op.batch_alter_table('audit_event') as batch:
        batch.drop_column('hash')
