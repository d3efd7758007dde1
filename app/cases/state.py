"""Where a case's workflow lives: its own task state in the case row, its procedure's spec once
in the process definition (deserialized once per process, shared by every case of that version)."""
import json

from ..engine import SERIALIZER_VERSION, CaseWorkflow, Procedure, ScriptHelpers, procedure, serialize_specs
from ..processes.models import ProcessDefinition
from ..processes.services import spec_sources
from .models import Case


def procedure_of(definition: ProcessDefinition) -> Procedure:
    # Definitions never change once deployed; the deployment time keeps a reused id apart (a
    # rolled-back transaction, a restored backup), whatever its diagram, calls or decision tables.
    # A definition deployed before the spec was stored, with no case to take it from, builds it
    # from its sources (see migration 7c41d9e2b5a0).
    built_from = json.dumps([definition.sha256, definition.calls, definition.decisions], sort_keys=True)
    return procedure(f"{definition.id}:{definition.deployed_at.isoformat()}:{built_from}",
                     lambda: definition.workflow_spec or serialize_specs(spec_sources(definition)))


def new_workflow(definition: ProcessDefinition, data: dict, helpers: ScriptHelpers) -> CaseWorkflow:
    return CaseWorkflow.create(procedure_of(definition), data, helpers)


def load_workflow(case: Case, helpers: ScriptHelpers) -> CaseWorkflow:
    return CaseWorkflow.from_state(case.workflow_state, procedure_of(case.definition), helpers)


def store_workflow(case: Case, workflow: CaseWorkflow) -> None:
    case.workflow_state = workflow.to_state()
    case.serializer_version = SERIALIZER_VERSION
