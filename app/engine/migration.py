"""Moving a running case to another version of its procedure, with SpiffWorkflow 3.2's diff_workflow and
migrate_workflow: steps are matched by their BPMN id, the waiting steps are re-predicted on the new
version, and deadlines whose timer did not change keep their fire time (and a stopped clock stays
stopped)."""
from SpiffWorkflow.bpmn.util.diff import diff_workflow, migrate_workflow
from SpiffWorkflow.util.task import TaskState

from .diagrams import SpecSources, load_specs
from .runtime import CaseWorkflow, _is_timer
from .task_state import SERIALIZER


def _diff(workflow: CaseWorkflow, sources: SpecSources):
    spec, subprocess_specs = load_specs(sources)
    top, subprocesses = diff_workflow(SERIALIZER.registry, workflow._workflow, spec, subprocess_specs)
    return spec, subprocess_specs, top, subprocesses


def _step(task) -> str:
    spec = task.task_spec
    return f"'{spec.bpmn_name or spec.bpmn_id}' ({spec.bpmn_id})"


def migration_blocker(workflow: CaseWorkflow, sources: SpecSources, version: int) -> str | None:
    """Why the case cannot move to this diagram, in words for the designer; None if it can."""
    _, _, top, subprocesses = _diff(workflow, sources)
    live = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR
    for diff, owner in [(top, workflow._workflow)] + [
            (d, workflow._workflow.subprocesses[sp_id]) for sp_id, d in subprocesses.items()]:
        if diff is None:
            name = owner.spec.name
            return f"its subprocess '{name}' does not exist in version {version}"
        for task in diff.removed:
            if task.task_spec.bpmn_id is None:
                continue  # the engine's own bookkeeping tasks
            if task.has_state(live):
                return f"its current step {_step(task)} does not exist in version {version}"
            if task.has_state(TaskState.COMPLETED):
                return f"the step {_step(task)} it went through does not exist in version {version}"
    return None


def migrate(workflow: CaseWorkflow, sources: SpecSources) -> None:
    """Move the workflow onto the diagram; call migration_blocker first."""
    bpmn = workflow._workflow
    kept = {}
    for task in bpmn.get_tasks(state=TaskState.WAITING):
        if _is_timer(task):
            kept[task.task_spec.bpmn_id] = (task.task_spec.event_definition.expression, dict(task.internal_data))
    spec, subprocess_specs, top, subprocesses = _diff(workflow, sources)
    migrate_workflow(top, bpmn, spec)
    for sp_id, diff in subprocesses.items():
        subprocess = bpmn.subprocesses[sp_id]
        migrate_workflow(diff, subprocess, subprocess_specs[subprocess.spec.name])
    bpmn.subprocess_specs = subprocess_specs
    workflow._tree_changed()
    for task in bpmn.get_tasks(state=TaskState.WAITING):
        if _is_timer(task) and task.task_spec.bpmn_id in kept:
            expression, internal = kept[task.task_spec.bpmn_id]
            if expression == task.task_spec.event_definition.expression:
                task.internal_data = internal  # the same deadline, not one restarted today
            elif "paused_event_value" in internal:
                workflow.pause_timers()
    workflow._run(lambda: None)
