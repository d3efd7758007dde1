"""One running case: a SpiffWorkflow BpmnWorkflow behind a small, plain-data interface."""
import json
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timezone
from threading import Lock
from typing import Callable

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.defaults import BoundaryEvent
from SpiffWorkflow.bpmn.specs.mixins import ScriptTaskMixin
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import CallActivity
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.specs.defaults import UserTask
from SpiffWorkflow.util.task import TaskState

from .diagrams import SpecSources, load_specs
from .sandbox import ScriptError
from .scripting import ScriptHelpers, script_engine
from .task_state import SERIALIZER


SERIALIZER_VERSION = SERIALIZER.VERSION
_VERSION_KEY = BpmnWorkflowSerializer.VERSION_KEY


def serialize_specs(sources: SpecSources) -> str:
    """The procedure's spec and subprocess specs (called procedures and decision tables included)
    as JSON, stored once per process definition."""
    spec, subprocess_specs = load_specs(sources)
    registry = SERIALIZER.registry
    return json.dumps({_VERSION_KEY: SERIALIZER_VERSION, "spec": registry.convert(spec),
                       "subprocess_specs": {name: registry.convert(s) for name, s in subprocess_specs.items()}})


@dataclass(frozen=True)
class Procedure:
    """A process definition's specs, deserialized once and shared by all its cases."""
    spec: object
    subprocess_specs: dict


_PROCEDURES: OrderedDict[str, Procedure] = OrderedDict()
_PROCEDURES_LOCK = Lock()
_PROCEDURES_KEPT = 64


def procedure(key: str, spec_json: Callable[[], str]) -> Procedure:
    """The deserialized specs for `key` (one per deployed definition); spec_json() is read on a miss."""
    with _PROCEDURES_LOCK:
        found = _PROCEDURES.get(key)
        if found is not None:
            _PROCEDURES.move_to_end(key)
            return found
    stored = json.loads(spec_json())
    if stored.get(_VERSION_KEY) != SERIALIZER_VERSION:
        raise EngineError(f"The procedure was stored by serializer {stored.get(_VERSION_KEY)}; this "
                          f"version of One Window reads {SERIALIZER_VERSION}. Run `flask db upgrade`.")
    registry = SERIALIZER.registry
    found = Procedure(registry.restore(stored["spec"]),
                      {name: registry.restore(s) for name, s in stored["subprocess_specs"].items()})
    with _PROCEDURES_LOCK:
        _PROCEDURES[key] = found
        while len(_PROCEDURES) > _PROCEDURES_KEPT:
            _PROCEDURES.popitem(last=False)
    return found


class EngineError(Exception):
    """The engine could not advance the case (a script failed, a condition broke...)."""

    def __init__(self, message: str, element_id: str | None = None):
        self.element_id = element_id
        super().__init__(message)


class StepNotWaiting(Exception):
    """The step was already done (by whoever got there first): a lost race, not a fault of the case."""


@dataclass(frozen=True)
class ReadyTask:
    task_id: str
    element_id: str
    name: str
    lane: str | None
    form: str | None
    clock_stopped: bool
    due_at: datetime | None
    # For work on a timer's path: the element whose deadline ran out, and when it did.
    escalates: str | None = None
    escalated_deadline: datetime | None = None
    process_id: str | None = None  # the process the task belongs to: the procedure's or a sub-procedure's


@dataclass(frozen=True)
class WaitingTimer:
    task_id: str
    element_id: str
    fires_at: datetime
    attached_to: str | None


# Where a paused timer waits: far enough that no engine step fires it.
_PARKED = datetime(9999, 1, 1, tzinfo=timezone.utc)


def _utc(value: str) -> datetime:
    return TimerEventDefinition.get_datetime(value)


def _is_timer(task) -> bool:
    return isinstance(task.task_spec, CatchingEvent) and isinstance(
        task.task_spec.event_definition, TimerEventDefinition)


# SpiffWorkflow's task iterator stops descending this deep (get_tasks' max_depth).
_MAX_DEPTH = 1000


def _walk(workflow: BpmnWorkflow) -> list[tuple]:
    """Every task workflow.get_tasks(state=...) can return, in its order, as (task, also_finished):
    what a query for a state among FUTURE..STARTED reaches, and whether a query for finished states
    only (COMPLETED, ERROR) reaches it too. get_tasks takes a pass over the tree per query, through
    Task.parent/children (dict lookups by UUID); the projections of a write need one pass."""
    found = []
    subprocesses = workflow.subprocesses
    pending = [(workflow.task_tree, 0, True)]
    while pending:
        task, depth, also_finished = pending.pop()
        found.append((task, also_finished))
        subprocess = subprocesses.get(task.id)
        # get_tasks goes below a task in a definite or finished state, or into a task's subprocess;
        # a query for finished states only, below finished tasks and into subprocesses.
        if ((task._children or subprocess is not None) and depth < _MAX_DEPTH
                and (task._state >= TaskState.FUTURE or subprocess is not None)):
            below_finished = also_finished and (task._state >= TaskState.COMPLETED or subprocess is not None)
            tasks = task.workflow.tasks
            pending.extend((tasks.get(child), depth + 1, below_finished) for child in reversed(task._children))
            if subprocess is not None:  # visited before the task's children
                pending.append((subprocess.task_tree, depth + 1, below_finished))
    return found


class CaseWorkflow:
    def __init__(self, workflow: BpmnWorkflow):
        self._workflow = workflow
        self._walked = None

    def _tasks(self, state: int) -> list:
        """workflow.get_tasks(state=state) for definite and finished states, from one walk of the tree
        kept until the engine moves."""
        if self._walked is None:
            self._walked = _walk(self._workflow)
        if state & TaskState.DEFINITE_MASK:
            return [task for task, _ in self._walked if task._state & state]
        return [task for task, also_finished in self._walked if also_finished and task._state & state]

    def _tree_changed(self) -> None:
        """The tree changed outside the engine's steps (a migration): walk it again when asked."""
        self._walked = None

    @classmethod
    def create(cls, procedure: Procedure, data: dict, helpers: ScriptHelpers) -> "CaseWorkflow":
        """A new, not yet started workflow holding the application data."""
        new = cls(BpmnWorkflow(procedure.spec, dict(procedure.subprocess_specs),
                               script_engine=script_engine(helpers)))
        for task in new._tasks(TaskState.READY):
            task.data.update(data)
        return new

    def start(self) -> None:
        self._run(lambda: None)

    @classmethod
    def from_state(cls, state: str, procedure: Procedure, helpers: ScriptHelpers) -> "CaseWorkflow":
        """The case's workflow from its task state (to_state) and its procedure's specs."""
        try:
            dct = json.loads(state)
        except Exception as exc:  # whatever is wrong with it, it is this case's fault, not the caller's
            raise EngineError(f"The case's saved state cannot be read ({type(exc).__name__}: {exc})") from exc
        if dct.get(_VERSION_KEY) != SERIALIZER_VERSION:
            raise EngineError(f"The case's state was stored by serializer {dct.get(_VERSION_KEY)}; this "
                              f"version of One Window reads {SERIALIZER_VERSION}. Run `flask db upgrade`.")
        del dct[_VERSION_KEY]
        dct["spec"], dct["subprocess_specs"] = procedure.spec, dict(procedure.subprocess_specs)
        try:
            workflow = SERIALIZER.from_dict(dct)
        except Exception as exc:
            raise EngineError(f"The case's saved state cannot be read ({type(exc).__name__}: {exc})") from exc
        workflow.script_engine = script_engine(helpers)
        return cls(workflow)

    def to_state(self) -> str:
        """The case's own task state as JSON; the specs stay with the process definition."""
        return SERIALIZER.serialize_json(self._workflow)

    def _run(self, action) -> None:
        try:
            action()
            self._workflow.do_engine_steps()
        except (SpiffWorkflowException, ScriptError) as exc:
            task = getattr(exc, "task", None)
            raise EngineError(_describe(exc, task), task.task_spec.bpmn_id if task else None) from exc
        finally:
            self._walked = None

    @property
    def completed(self) -> bool:
        return self._workflow.completed

    @property
    def failed(self) -> bool:
        """Whether a step is still in error (waiting for a retry)."""
        return bool(self._tasks(TaskState.ERROR))

    def data(self) -> dict:
        """Everything the case knows: the data of finished tasks, latest value of each field wins."""
        merged = dict(self._workflow.data)
        finished = self._tasks(TaskState.COMPLETED)
        for task in sorted(finished, key=lambda t: t.last_state_change):
            merged.update(task.data)
        for task in self._tasks(TaskState.READY):
            merged.update(task.data)
        return _json_safe(merged)

    def positions(self) -> dict[str, dict[str, list[str]]]:
        """Where the case is, per process (the procedure's and each sub-procedure it entered):
        the elements passed through and the ones it is at now: open work, a message it waits
        for, a call activity while the case is inside the process it called."""
        found: dict[str, dict[str, set]] = {}

        def mark(task, kind):
            found.setdefault(task.workflow.spec.name, {"completed": set(), "current": set()})[kind].add(
                task.task_spec.bpmn_id)
        for task in self._tasks(TaskState.COMPLETED):
            if task.task_spec.bpmn_id:
                mark(task, "completed")
        for task in self._tasks(TaskState.READY | TaskState.WAITING | TaskState.STARTED):
            spec = task.task_spec
            if (task.state == TaskState.READY and isinstance(spec, UserTask)
                    or task.state == TaskState.STARTED and isinstance(spec, CallActivity)
                    or task.state == TaskState.WAITING and isinstance(spec, CatchingEvent) and not _is_timer(task)):
                mark(task, "current")
        return {process: {kind: sorted(ids) for kind, ids in marks.items()} for process, marks in found.items()}

    def ready_tasks(self) -> list[ReadyTask]:
        tasks = []
        for task in self._tasks(TaskState.READY):
            if not isinstance(task.task_spec, UserTask):
                continue
            props = (task.task_spec.extensions or {}).get("properties", {})
            tasks.append(ReadyTask(
                task_id=str(task.id), element_id=task.task_spec.bpmn_id,
                name=task.task_spec.bpmn_name or task.task_spec.bpmn_id, lane=task.task_spec.lane,
                form=props.get("formJsonSchemaFilename") or None,
                clock_stopped=props.get("serviceClock") == "stopped",
                due_at=_earliest(self._deadline_timers(task)), process_id=task.workflow.spec.name,
                **self._escalation_source(task)))
        return tasks

    @staticmethod
    def _escalation_source(task) -> dict:
        """If the task lies on the path of a boundary timer, what that timer was guarding."""
        ancestor = task.parent
        while ancestor is not None:
            if isinstance(ancestor.task_spec, BoundaryEvent) and _is_timer(ancestor):
                guarded = next((c for c in ancestor.parent.children if not isinstance(c.task_spec, BoundaryEvent)),
                               None)
                value = ancestor._get_internal_data("event_value")
                return {"escalates": guarded.task_spec.bpmn_id if guarded else None,
                        "escalated_deadline": _utc(value) if isinstance(value, str) else None}
            ancestor = ancestor.parent
        return {}

    def waiting_timers(self) -> list[WaitingTimer]:
        """Timers that will fire; a paused service clock's timers are not among them."""
        timers = []
        for task in self._tasks(TaskState.WAITING):
            if not _is_timer(task) or task._get_internal_data("paused_event_value") is not None:
                continue
            value = task._get_internal_data("event_value")
            if isinstance(value, dict):  # a cycle timer keeps its next firing inside
                value = value.get("next")
            if not value:
                continue
            attached = None
            if isinstance(task.task_spec, BoundaryEvent):
                attached = next((c.task_spec.bpmn_id for c in task.parent.children
                                 if not isinstance(c.task_spec, BoundaryEvent)), None)
            timers.append(WaitingTimer(str(task.id), task.task_spec.bpmn_id, _utc(value), attached))
        return timers

    def _deadline_timers(self, task) -> list:
        """The timers attached to the task or to any subprocess enclosing it, fired or not:
        a deadline that has passed stays the deadline (the work stays overdue)."""
        timers = []
        current, workflow = task, task.workflow
        while current is not None:
            parent = current.parent
            if parent is not None and parent.task_spec.__class__.__name__ == "BoundaryEventSplit":
                timers.extend(sibling for sibling in parent.children
                              if sibling is not current and _is_timer(sibling)
                              and sibling.state in (TaskState.WAITING, TaskState.COMPLETED)
                              and isinstance(sibling._get_internal_data("event_value"), str)
                              and sibling._get_internal_data("paused_event_value") is None)
            if workflow is self._workflow or workflow.parent_task_id is None:
                break
            current = self._workflow.get_task_from_id(workflow.parent_task_id)
            workflow = current.workflow
        return timers

    def deadline_timers(self, task_id: str) -> dict[str, datetime]:
        """The timers that set a ready task's deadline, by timer task id, with their fire times."""
        return {str(t.id): _utc(t._get_internal_data("event_value"))
                for t in self._deadline_timers(self._ready_user_task(task_id))}

    def _ready_user_task(self, task_id: str):
        for task in self._tasks(TaskState.READY):
            if str(task.id) == task_id and isinstance(task.task_spec, UserTask):
                return task
        raise StepNotWaiting("This step is no longer waiting for work; reload the case.")

    def complete(self, task_id: str, data: dict) -> None:
        task = self._ready_user_task(task_id)

        def finish():
            task.data.update(data)
            task.run()
        self._run(finish)

    def retry(self, data: dict) -> None:
        """Run the steps that failed again, with corrected data if any, and carry on from there."""
        def again():
            for task in self._tasks(TaskState.ERROR):
                task.data.update(data)
                task._set_state(TaskState.READY)
            self._workflow.refresh_timers()
        self._run(again)

    def fire_due_timers(self) -> None:
        self._run(self._workflow.refresh_timers)

    def pause_timers(self) -> None:
        """Stop the service clock: park every waiting timer so no engine step can fire it."""
        for task in self._tasks(TaskState.WAITING):
            value = task._get_internal_data("event_value")
            if _is_timer(task) and isinstance(value, str) and task._get_internal_data("paused_event_value") is None:
                task._set_internal_data(paused_event_value=value, event_value=_PARKED.isoformat())

    def resume_timers(self, new_fire_time) -> None:
        """Restart the clock: each parked timer fires at new_fire_time(its original fire time)."""
        for task in self._tasks(TaskState.WAITING):
            original = task._get_internal_data("paused_event_value")
            if _is_timer(task) and original is not None:
                task.internal_data.pop("paused_event_value")
                task._set_internal_data(event_value=new_fire_time(_utc(original)).isoformat())

    def shift_timers(self, new_fire_times: dict[str, datetime]) -> None:
        """Move timers (by task id) to new fire times: a resumed clock, an extended deadline.
        A timer that already fired keeps its escalation; only the deadline it shows moves."""
        for task in self._tasks(TaskState.WAITING | TaskState.COMPLETED):
            if str(task.id) in new_fire_times and _is_timer(task):
                task._set_internal_data(event_value=new_fire_times[str(task.id)].isoformat())


def _earliest(timer_tasks) -> datetime | None:
    return min((_utc(t._get_internal_data("event_value")) for t in timer_tasks), default=None)


def _describe(exc: Exception, task) -> str:
    script_error = exc if isinstance(exc, ScriptError) else None
    cause = exc
    while script_error is None and (cause := cause.__cause__ or cause.__context__) is not None:
        script_error = cause if isinstance(cause, ScriptError) else None
    if script_error is not None and task is not None:
        spec = task.task_spec
        what = "Script" if isinstance(spec, ScriptTaskMixin) else "The expression of"
        return f"{what} '{spec.bpmn_name or spec.bpmn_id}' ({spec.bpmn_id}) failed: {script_error}"
    message = str(exc)
    notes = getattr(exc, "notes", None) or getattr(exc, "__notes__", None) or []
    if notes:
        message = f"{message} ({'; '.join(notes)})"
    return message


def _json_safe(data: dict) -> dict:
    return json.loads(json.dumps(data, default=str))
