"""inbox keyset indexes: (status, role, office or district, due_at, id)

Revision ID: 8e52a0f3c6d1
Revises: 7c41d9e2b5a0
Create Date: 2026-12-01 20:10:00

The inbox pages by (due_at, id); with id in the index a page is one range scan.
"""
from alembic import op

revision = '8e52a0f3c6d1'
down_revision = '7c41d9e2b5a0'
branch_labels = None
depends_on = None


def _rebuild(columns_tail: list[str]) -> None:
    for scope in ('office', 'district'):
        name = f'ix_work_item_inbox_{scope}'
        op.drop_index(name, table_name='work_item')
        op.create_index(name, 'work_item', ['status', 'role', f'{scope}_id', 'due_at', *columns_tail])


def upgrade():
    _rebuild(['id'])


def downgrade():
    _rebuild([])
