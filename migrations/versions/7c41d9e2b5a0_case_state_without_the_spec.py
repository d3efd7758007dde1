"""case state without the spec: the spec once per process definition, compressed state on SQLite

Revision ID: 7c41d9e2b5a0
Revises: 7c41d9e0a2b5
Create Date: 2026-12-01 19:50:00

Every case used to carry a full copy of its diagram's spec (about 33 KB) in its workflow JSON.
The spec now lives once in process_definition.workflow_spec; each case keeps only its task
state, zlib-compressed on SQLite (PostgreSQL compresses large values itself).
"""
import json

import sqlalchemy as sa
from alembic import op

from app.db import CompressedText
from app.engine import serialize_specs

revision = '7c41d9e2b5a0'
down_revision = '7c41d9e0a2b5'
branch_labels = None
depends_on = None

BATCH = 500

definitions = sa.table('process_definition', sa.column('id', sa.Integer), sa.column('filename', sa.String),
                       sa.column('bpmn_xml', sa.LargeBinary), sa.column('workflow_spec', sa.Text))
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
    op.add_column('process_definition', sa.Column('workflow_spec', sa.Text(), nullable=True))
    conn = op.get_bind()
    for definition in conn.execute(sa.select(definitions.c.id, definitions.c.filename,
                                             definitions.c.bpmn_xml)).all():
        spec_json = serialize_specs(definition.bpmn_xml, definition.filename)
        conn.execute(definitions.update().where(definitions.c.id == definition.id).values(workflow_spec=spec_json))
        known = _spec_names(json.loads(spec_json))

        def strip(case_id, state, known=known):
            if 'spec' not in state:
                return None  # already converted
            state.pop('spec')
            state.pop('subprocess_specs', None)
            missing = _task_spec_names(state) - known
            if missing:
                raise RuntimeError(f"case {case_id}: its state refers to steps {sorted(missing)} that its "
                                   f"process definition {definition.id} does not have; nothing was changed")
            return state
        _rewrite_cases(conn, definition.id, strip)
    with op.batch_alter_table('process_definition') as batch:
        batch.alter_column('workflow_spec', existing_type=sa.Text(), nullable=False)


def downgrade():
    conn = op.get_bind()
    for definition in conn.execute(sa.select(definitions.c.id, definitions.c.workflow_spec)).all():
        spec = json.loads(definition.workflow_spec)

        def put_back(case_id, state, spec=spec):
            if 'spec' in state:
                return None
            return {**state, 'spec': spec['spec'], 'subprocess_specs': spec['subprocess_specs']}
        _rewrite_cases(conn, definition.id, put_back, plain_cases)
    with op.batch_alter_table('process_definition') as batch:
        batch.drop_column('workflow_spec')
