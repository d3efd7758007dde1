"""One running case: a SpiffWorkflow BpmnWorkflow behind a small, plain-data interface."""
import json
from dataclasses import dataclass
from datetime import datetime, timezone

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.defaults import BoundaryEvent
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.spiff.specs.defaults import UserTask
from SpiffWorkflow.util.task import TaskState

from .diagrams import load_specs
from .scripting import ScriptError, ScriptHelpers, script_engine

_SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
SERIALIZER_VERSION = _SERIALIZER.VERSION


class EngineError(Exception):
    """The engine could not advance the case (a script failed, a condition broke...)."""

    def __init__(self, message: str, element_id: str | None = None):
        self.element_id = element_id
        super().__init__(message)


@dataclass(frozen=True)
class ReadyTask:
    task_id: str
    element_id: str
    name: str
    lane: str | None
    form: str | None
    clock_stopped: bool
    due_at: datetime | None


@dataclass(frozen=True)
class WaitingTimer:
    task_id: str
    element_id: str
    fires_at: datetime
    attached_to: str | None


def _utc(value: str) -> datetime:
    return TimerEventDefinition.get_datetime(value)


def _is_timer(task) -> bool:
    return isinstance(task.task_spec, CatchingEvent) and isinstance(
        task.task_spec.event_definition, TimerEventDefinition)


class CaseWorkflow:
    def __init__(self, workflow: BpmnWorkflow):
        self._workflow = workflow

    @classmethod
    def create(cls, xml: bytes, filename: str, data: dict, helpers: ScriptHelpers) -> "CaseWorkflow":
        """A new, not yet started workflow holding the application data."""
        spec, subprocess_specs = load_specs(xml, filename)
        workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=script_engine(helpers))
        for task in workflow.get_tasks(state=TaskState.READY):
            task.data.update(data)
        return cls(workflow)

    def start(self) -> None:
        self._run(lambda: None)

    @classmethod
    def from_json(cls, state: str, helpers: ScriptHelpers) -> "CaseWorkflow":
        workflow = _SERIALIZER.deserialize_json(state)
        workflow.script_engine = script_engine(helpers)
        return cls(workflow)

    def to_json(self) -> str:
        return _SERIALIZER.serialize_json(self._workflow)

    def _run(self, action) -> None:
        try:
            action()
            self._workflow.do_engine_steps()
        except (SpiffWorkflowException, ScriptError) as exc:
            element_id = None
            task = getattr(exc, "task", None)
            if task is not None:
                element_id = task.task_spec.bpmn_id
            raise EngineError(_describe(exc), element_id) from exc

    @property
    def completed(self) -> bool:
        return self._workflow.completed

    @property
    def failed_tasks(self) -> list[str]:
        return [t.task_spec.bpmn_id or t.task_spec.name for t in self._workflow.get_tasks(state=TaskState.ERROR)]

    def data(self) -> dict:
        """Everything the case knows: the data of finished tasks, latest value of each field wins."""
        merged = dict(self._workflow.data)
        finished = self._workflow.get_tasks(state=TaskState.COMPLETED)
        for task in sorted(finished, key=lambda t: t.last_state_change):
            merged.update(task.data)
        for task in self._workflow.get_tasks(state=TaskState.READY):
            merged.update(task.data)
        return _json_safe(merged)

    def ready_tasks(self) -> list[ReadyTask]:
        tasks = []
        for task in self._workflow.get_tasks(state=TaskState.READY):
            if not isinstance(task.task_spec, UserTask):
                continue
            props = (task.task_spec.extensions or {}).get("properties", {})
            tasks.append(ReadyTask(
                task_id=str(task.id), element_id=task.task_spec.bpmn_id,
                name=task.task_spec.bpmn_name or task.task_spec.bpmn_id, lane=task.task_spec.lane,
                form=props.get("formJsonSchemaFilename") or None,
                clock_stopped=props.get("serviceClock") == "stopped",
                due_at=self._deadline_of(task)))
        return tasks

    def waiting_timers(self) -> list[WaitingTimer]:
        timers = []
        for task in self._workflow.get_tasks(state=TaskState.WAITING):
            if not _is_timer(task):
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

    def _deadline_of(self, task) -> datetime | None:
        """The earliest timer attached to the task or to any subprocess enclosing it."""
        deadlines = []
        current, workflow = task, task.workflow
        while current is not None:
            parent = current.parent
            if parent is not None and parent.task_spec.__class__.__name__ == "BoundaryEventSplit":
                for sibling in parent.children:
                    if sibling is not current and _is_timer(sibling) and sibling.state == TaskState.WAITING:
                        value = sibling._get_internal_data("event_value")
                        if isinstance(value, str):
                            deadlines.append(_utc(value))
            if workflow is self._workflow or workflow.parent_task_id is None:
                break
            current = self._workflow.get_task_from_id(workflow.parent_task_id)
            workflow = current.workflow
        return min(deadlines) if deadlines else None

    def _ready_user_task(self, task_id: str):
        for task in self._workflow.get_tasks(state=TaskState.READY):
            if str(task.id) == task_id and isinstance(task.task_spec, UserTask):
                return task
        raise EngineError("This step is no longer waiting for work; reload the case.")

    def complete(self, task_id: str, data: dict) -> None:
        task = self._ready_user_task(task_id)

        def finish():
            task.data.update(data)
            task.run()
        self._run(finish)

    def fire_due_timers(self) -> None:
        self._run(self._workflow.refresh_timers)

    def shift_timers(self, new_fire_times: dict[str, datetime]) -> None:
        """Move waiting timers (by task id) to new fire times: the stopped service clock resumes."""
        for task in self._workflow.get_tasks(state=TaskState.WAITING):
            if str(task.id) in new_fire_times and _is_timer(task):
                task._set_internal_data(event_value=new_fire_times[str(task.id)].isoformat())


def _describe(exc: Exception) -> str:
    message = str(exc)
    notes = getattr(exc, "notes", None) or getattr(exc, "__notes__", None) or []
    if notes:
        message = f"{message} ({'; '.join(notes)})"
    return message


def _json_safe(data: dict) -> dict:
    return json.loads(json.dumps(data, default=str))
