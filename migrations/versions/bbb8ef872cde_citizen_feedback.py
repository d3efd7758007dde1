"""citizen feedback

Revision ID: bbb8ef872cde
Revises: bbd9f31a19ce
Create Date: 2026-12-01 20:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'bbb8ef872cde'
down_revision = 'bbd9f31a19ce'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('service', sa.String(length=100), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('rating BETWEEN 1 AND 5', name=op.f('ck_feedback_rating_1_to_5')),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_feedback_case_id_case')),
    sa.ForeignKeyConstraint(['office_id'], ['office.id'], name=op.f('fk_feedback_office_id_office')),
    sa.ForeignKeyConstraint(['ticket_id'], ['queue_ticket.id'], name=op.f('fk_feedback_ticket_id_queue_ticket')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback')),
    sa.UniqueConstraint('case_id', name=op.f('uq_feedback_case_id')),
    sa.UniqueConstraint('ticket_id', name=op.f('uq_feedback_ticket_id'))
    )
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.create_index('ix_feedback_office_created', ['office_id', 'created_at'], unique=False)




def downgrade():

    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_index('ix_feedback_office_created')

    op.drop_table('feedback')

