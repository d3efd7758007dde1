"""case state without the spec: the spec once per process definition, compressed state on SQLite

Revision ID: 7c41d9e2b5a0
Revises: 9e3b7d21c4f8
Create Date: 2026-12-01 19:50:00

Every case used to carry a full copy of its diagram's spec (about 33 KB) in its workflow JSON.
The spec now lives once in process_definition.workflow_spec; each case keeps only its task
state, zlib-compressed on SQLite (PostgreSQL compresses large values itself). Deployments
store the spec from now on.
"""
import json

import sqlalchemy as sa
from alembic import op

from app.db import CompressedText

revision = '7c41d9e2b5a0'
down_revision = '9e3b7d21c4f8'
branch_labels = None
depends_on = None

BATCH = 500

definitions = sa.table('process_definition', sa.column('id', sa.Integer), sa.column('workflow_spec', sa.Text))
cases = sa.table('case', sa.column('id', sa.Integer), sa.column('process_definition_id', sa.Integer),
                 sa.column('workflow_state', CompressedText))
# What the code before this revision reads: plain JSON text.
plain_cases = sa.table('case', sa.column('id', sa.Integer), sa.column('workflow_state', sa.Text))


def _task_spec_names(states: dict) -> set[str]:
    names = set()
    for workflow in [states, *states.get('subprocesses', {}).values()]:
        names.update(task['task_spec'] for task in workflow.get('tasks', {}).values())
    return names


def _spec_names(spec: dict) -> set[str]:
    names = set(spec['spec']['task_specs'])
    for sub in spec['subprocess_specs'].values():
        names.update(sub['task_specs'])
    return names


def _rewrite_cases(conn, definition_id: int, change, target=cases) -> None:
    ids = [row.id for row in conn.execute(sa.select(cases.c.id).where(
        cases.c.process_definition_id == definition_id).order_by(cases.c.id))]
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        rows = conn.execute(sa.select(cases.c.id, cases.c.workflow_state).where(cases.c.id.in_(chunk))).all()
        for row in rows:
            state = change(row.id, json.loads(row.workflow_state))
            if state is not None:
                conn.execute(target.update().where(target.c.id == row.id).values(workflow_state=json.dumps(state)))


def upgrade():
    """Each definition takes the spec its cases were running with (the first case's copy; every
    other case's steps must be in it). A definition without cases keeps NULL: the app builds
    its spec from the deployed sources when a case first needs it."""
    op.add_column('process_definition', sa.Column('workflow_spec', sa.Text(), nullable=True))
    conn = op.get_bind()
    for definition in conn.execute(sa.select(definitions.c.id)).all():
        found = {}

        def strip(case_id, state, definition_id=definition.id):
            if 'spec' not in state:
                return None  # already converted
            spec = {'serializer_version': state.get('serializer_version'), 'spec': state.pop('spec'),
                    'subprocess_specs': state.pop('subprocess_specs', {})}
            if not found:
                found.update(spec)
                conn.execute(definitions.update().where(definitions.c.id == definition_id)
                             .values(workflow_spec=json.dumps(spec)))
            missing = _task_spec_names(state) - _spec_names(found)
            if missing:
                raise RuntimeError(f"case {case_id}: its state refers to steps {sorted(missing)} that process "
                                   f"definition {definition_id} does not have; nothing was changed")
            return state
        _rewrite_cases(conn, definition.id, strip)


def downgrade():
    conn = op.get_bind()
    for definition in conn.execute(sa.select(definitions.c.id, definitions.c.workflow_spec)).all():
        if definition.workflow_spec is None:
            continue  # no case was converted: nothing to put back
        spec = json.loads(definition.workflow_spec)

        def put_back(case_id, state, spec=spec):
            if 'spec' in state:
                return None
            return {**state, 'spec': spec['spec'], 'subprocess_specs': spec['subprocess_specs']}
        _rewrite_cases(conn, definition.id, put_back, plain_cases)
    with op.batch_alter_table('process_definition') as batch:
        batch.drop_column('workflow_spec')
