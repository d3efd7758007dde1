"""citizen notifications by email or SMS

Revision ID: bbd9f31a19ce
Revises: d87adba1019a
Create Date: 2026-12-01 20:22:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'bbd9f31a19ce'
down_revision = 'd87adba1019a'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('address', sa.String(length=200), nullable=True))
        # Every notification so far went to a staff member by email.
        batch_op.add_column(sa.Column('medium', sa.String(length=10), nullable=False, server_default='email'))
        batch_op.alter_column('user_id',
               existing_type=sa.INTEGER(),
               nullable=True)



def downgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.alter_column('user_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('medium')
        batch_op.drop_column('address')

