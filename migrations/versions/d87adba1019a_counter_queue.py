"""counter queue

Revision ID: d87adba1019a
Revises: 8d41c6e2b7a9
Create Date: 2026-12-01 20:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd87adba1019a'
down_revision = '8d41c6e2b7a9'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('service_counter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['office_id'], ['office.id'], name=op.f('fk_service_counter_office_id_office')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_counter')),
    sa.UniqueConstraint('code', name=op.f('uq_service_counter_code'))
    )
    with op.batch_alter_table('service_counter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_counter_office_id'), ['office_id'], unique=False)

    op.create_table('ticket_sequence',
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['office_id'], ['office.id'], name=op.f('fk_ticket_sequence_office_id_office')),
    sa.PrimaryKeyConstraint('office_id', 'day', name=op.f('pk_ticket_sequence'))
    )
    op.create_table('queue_ticket',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('service', sa.String(length=100), nullable=False),
    sa.Column('number', sa.String(length=12), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('called_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('counter_id', sa.Integer(), nullable=True),
    sa.Column('called_by_id', sa.Integer(), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['called_by_id'], ['user.id'], name=op.f('fk_queue_ticket_called_by_id_user')),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_queue_ticket_case_id_case')),
    sa.ForeignKeyConstraint(['counter_id'], ['service_counter.id'], name=op.f('fk_queue_ticket_counter_id_service_counter')),
    sa.ForeignKeyConstraint(['office_id'], ['office.id'], name=op.f('fk_queue_ticket_office_id_office')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_queue_ticket')),
    sa.UniqueConstraint('case_id', name=op.f('uq_queue_ticket_case_id')),
    sa.UniqueConstraint('office_id', 'day', 'number', name='uq_queue_ticket_office_day_number')
    )
    with op.batch_alter_table('queue_ticket', schema=None) as batch_op:
        batch_op.create_index('ix_queue_ticket_finished', ['office_id', 'finished_at'], unique=False)
        batch_op.create_index('ix_queue_ticket_waiting', ['office_id', 'status', 'issued_at'], unique=False)




def downgrade():

    with op.batch_alter_table('queue_ticket', schema=None) as batch_op:
        batch_op.drop_index('ix_queue_ticket_waiting')
        batch_op.drop_index('ix_queue_ticket_finished')

    op.drop_table('queue_ticket')
    op.drop_table('ticket_sequence')
    with op.batch_alter_table('service_counter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_counter_office_id'))

    op.drop_table('service_counter')

