"""service catalogue, fees and receipts, access codes

Revision ID: 7c41d9e0a2b5
Revises: 7416c3469636
Create Date: 2026-12-01 19:30:32.572178

"""
import secrets

from alembic import op
import sqlalchemy as sa


revision = '7c41d9e0a2b5'
down_revision = '7416c3469636'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('service',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('process_key', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service')),
    sa.UniqueConstraint('key', name=op.f('uq_service_key'))
    )
    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_process_key'), ['process_key'], unique=False)

    op.create_table('receipt_counter',
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['office_id'], ['office.id'], name=op.f('fk_receipt_counter_office_id_office')),
    sa.PrimaryKeyConstraint('office_id', 'year', name=op.f('pk_receipt_counter'))
    )
    op.create_table('service_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('name_km', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('description_km', sa.Text(), nullable=False),
    sa.Column('description_en', sa.Text(), nullable=False),
    sa.Column('fee_rule', sa.JSON(), nullable=False),
    sa.Column('documents', sa.JSON(), nullable=False),
    sa.Column('deadline_working_days', sa.Integer(), nullable=False),
    sa.Column('legal_basis_km', sa.Text(), nullable=False),
    sa.Column('legal_basis_en', sa.Text(), nullable=False),
    sa.Column('closed_office_ids', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_service_version_created_by_id_user')),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_service_version_service_id_service')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_version')),
    sa.UniqueConstraint('service_id', 'version', name='uq_service_version_service_version')
    )
    with op.batch_alter_table('service_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_version_service_id'), ['service_id'], unique=False)

    op.create_table('fee_waiver',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('fee_due_riel', sa.Integer(), nullable=False),
    sa.Column('amount_riel', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_fee_waiver_case_id_case')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_fee_waiver_decided_by_id_user')),
    sa.ForeignKeyConstraint(['office_id'], ['office.id'], name=op.f('fk_fee_waiver_office_id_office')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user.id'], name=op.f('fk_fee_waiver_requested_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fee_waiver'))
    )
    with op.batch_alter_table('fee_waiver', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fee_waiver_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fee_waiver_office_id'), ['office_id'], unique=False)

    op.create_table('payment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('receipt_number', sa.String(length=40), nullable=False),
    sa.Column('amount_riel', sa.Integer(), nullable=False),
    sa.Column('fee_due_riel', sa.Integer(), nullable=False),
    sa.Column('waiver_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_payment_case_id_case')),
    sa.ForeignKeyConstraint(['office_id'], ['office.id'], name=op.f('fk_payment_office_id_office')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_payment_recorded_by_id_user')),
    sa.ForeignKeyConstraint(['waiver_id'], ['fee_waiver.id'], name=op.f('fk_payment_waiver_id_fee_waiver')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment')),
    sa.UniqueConstraint('case_id', name=op.f('uq_payment_case_id')),
    sa.UniqueConstraint('receipt_number', name=op.f('uq_payment_receipt_number'))
    )
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_office_id'), ['office_id'], unique=False)

    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('service_version_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('access_code', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('applicant', sa.JSON(), nullable=False, server_default='{}'))
        batch_op.add_column(sa.Column('idempotency_key', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('promised_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_case_service_version_id'), ['service_version_id'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_case_idempotency_key'), ['idempotency_key'])
        batch_op.create_foreign_key(batch_op.f('fk_case_service_version_id_service_version'), 'service_version', ['service_version_id'], ['id'])

    # Cases registered before access codes get one now, so their receipts can be reprinted with it.
    alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
    connection = op.get_bind()
    case = sa.table("case", sa.column("id", sa.Integer), sa.column("access_code", sa.String))
    for (case_id,) in connection.execute(sa.select(case.c.id)).all():
        code = "".join(secrets.choice(alphabet) for _ in range(10))
        connection.execute(case.update().where(case.c.id == case_id).values(access_code=code))


def downgrade():
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_case_service_version_id_service_version'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_case_idempotency_key'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_case_service_version_id'))
        batch_op.drop_column('promised_at')
        batch_op.drop_column('idempotency_key')
        batch_op.drop_column('applicant')
        batch_op.drop_column('access_code')
        batch_op.drop_column('service_version_id')

    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_office_id'))

    op.drop_table('payment')
    with op.batch_alter_table('fee_waiver', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fee_waiver_office_id'))
        batch_op.drop_index(batch_op.f('ix_fee_waiver_case_id'))

    op.drop_table('fee_waiver')
    with op.batch_alter_table('service_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_version_service_id'))

    op.drop_table('service_version')
    op.drop_table('receipt_counter')
    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_process_key'))

    op.drop_table('service')
