"""Where a case's workflow lives: its own task state in the case row, its procedure's spec once
in the process definition (deserialized once per process, shared by every case of that version)."""
from ..engine import SERIALIZER_VERSION, CaseWorkflow, Procedure, ScriptHelpers, procedure, serialize_specs
from ..processes.models import ProcessDefinition
from ..processes.services import spec_sources
from .models import Case


def procedure_of(definition: ProcessDefinition) -> Procedure:
    # Definitions never change once deployed; the hash keeps a reused id (a rolled-back test) apart.
    # A definition deployed before the spec was stored, with no case to take it from, builds it
    # from its sources (see migration 7c41d9e2b5a0).
    return procedure(f"{definition.id}:{definition.sha256}",
                     lambda: definition.workflow_spec or serialize_specs(spec_sources(definition)))


def new_workflow(definition: ProcessDefinition, data: dict, helpers: ScriptHelpers) -> CaseWorkflow:
    return CaseWorkflow.create(procedure_of(definition), data, helpers)


def load_workflow(case: Case, helpers: ScriptHelpers) -> CaseWorkflow:
    return CaseWorkflow.from_state(case.workflow_state, procedure_of(case.definition), helpers)


def store_workflow(case: Case, workflow: CaseWorkflow) -> None:
    case.workflow_state = workflow.to_state()
    case.serializer_version = SERIALIZER_VERSION
