"""A case's own task state in and out of JSON: SpiffWorkflow's serialization, dictionary for
dictionary, with the spec left out and with less work per task on a write path that reads and
writes the state of every case it moves."""
from copy import copy
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnSubWorkflowConverter, BpmnWorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.bpmn.util.subworkflow import BpmnSubWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.deep_merge import DeepMerge
from SpiffWorkflow.util.task import TaskState

_PLAIN = {str, int, float, bool, type(None)}
_MUTABLE = {dict, list, set}


class _Ids(dict):
    """The task ids of one stored state, each parsed once: an id comes as a key, an id, a parent
    and a child, and uuid.UUID parses in Python."""

    def __missing__(self, text):
        self[text] = found = UUID(text)
        return found


def _restored(registry, dct: dict) -> dict:
    """registry.restore of a dictionary just read from JSON, which nothing else holds: one of plain
    values, the usual task data, is already what restore would build anew."""
    if "typename" not in dct and _PLAIN.issuperset(map(type, dct.values())):
        return dct
    return registry.restore(dct)


def _tasks_to_dict(registry, workflow) -> dict:
    """The workflow's tasks as SpiffWorkflow's TaskConverter.to_dict writes them, typename and
    all, without the registry's dispatch per task; each id made text once (an id goes out as a
    key, an id, a parent and a child, and uuid.UUID makes text in Python), found by its int
    (uuid.UUID hashes in Python too). A task's parent and children are tasks of its workflow."""
    tasks = workflow.tasks
    texts = {task_id.int: str(task_id) for task_id in tasks}
    typename = registry.typenames[Task]
    dct = {}
    for task_id, task in tasks.items():
        parent = tasks.get(task._parent)
        if parent is None:
            parent_text, data, delta = None, task.data, {}
        else:
            parent_text, data = texts[task._parent.int], {}
            if task.data == parent.data and float not in map(type, task.data.values()):
                # Most tasks change nothing: equal data has no update and no deletion, found for
                # less than DeepMerge's. Not with a float, which may be a NaN: DeepMerge counts the
                # parent's own NaN as an update (NaN != NaN), == of the dictionaries does not.
                delta = {"updates": {}, "deletions": []}
            else:
                delta = {"updates": DeepMerge.get_updated_keys(parent.data, task.data),
                         "deletions": DeepMerge.get_deleted_keys(parent.data, task.data)}
        text = texts[task_id.int]
        dct[text] = {
            "id": text,
            "parent": parent_text,
            "children": [texts[child.int] for child in task._children],
            "last_state_change": task.last_state_change,
            "state": task.state,
            "task_spec": task.task_spec.name,
            "triggered": task.triggered,
            # registry.convert gives an empty dictionary a new one
            "internal_data": registry.convert(task.internal_data) if task.internal_data else {},
            "data": data,
            "delta": delta,
            "typename": typename,
        }
    return dct


def _tasks_from_dict(registry, tasks: dict, workflow, ids: _Ids) -> None:
    """The workflow's tasks as SpiffWorkflow's TaskConverter.from_dict reads them, each id parsed
    once and one parent lookup per task. Every stored task is a "Task": the registry's dispatch
    would only copy each dictionary to take its typename out. Task() puts each in workflow.tasks,
    in the stored order, which is the mapping SpiffWorkflow builds anew from the stored keys (the
    tasks' ids)."""
    task_specs, workflow_tasks = workflow.spec.task_specs, workflow.tasks
    for dct in tasks.values():
        task_spec = task_specs.get(dct["task_spec"])
        task = Task(workflow, task_spec, state=dct["state"], id=ids[dct["id"]])
        task._parent = ids[dct["parent"]] if dct["parent"] is not None else None
        task._children = [ids[child] for child in dct["children"]]
        task.last_state_change = dct["last_state_change"]
        task.triggered = dct["triggered"]
        task.internal_data = _restored(registry, dct["internal_data"])
        if isinstance(task_spec, CatchingEvent) and task.has_state(TaskState.WAITING):
            workflow.top_workflow.event_manager.add_task(task)
        delta, parent = dct.get("delta"), workflow_tasks.get(task._parent)
        if delta and parent is not None:
            # DeepMerge.merge({}, parent.data) as SpiffWorkflow does; into an empty dictionary it
            # only ever takes each value, mutable ones copied (values read from JSON are of these
            # types exactly, no subclass).
            data = parent.data.copy()
            for key, value in data.items():
                if type(value) in _MUTABLE:
                    data[key] = copy(value)
            data.update(_restored(registry, delta.get("updates", {})))
            for key in delta.get("deletions", {}):
                if key in data:
                    del data[key]
        else:
            data = _restored(registry, dct["data"])
        task.data = data


def _workflow_to_dict(registry, workflow) -> dict:
    """WorkflowConverter.to_dict, the tasks written by _tasks_to_dict."""
    return {
        "data": registry.convert(registry.clean(workflow.data)),
        "correlations": workflow.correlations,
        "last_task": str(workflow.last_task.id) if workflow.last_task is not None else None,
        "success": workflow.success,
        "completed": workflow.completed,
        "tasks": _tasks_to_dict(registry, workflow),
        "root": str(workflow.task_tree.id),
    }


class _SubWorkflowConverter(BpmnSubWorkflowConverter):
    """SpiffWorkflow's, with the tasks of _tasks_to_dict and _tasks_from_dict."""

    def to_dict(self, workflow):
        dct = _workflow_to_dict(self.registry, workflow)
        dct["parent_task_id"] = str(workflow.parent_task_id)
        dct["spec"] = workflow.spec.name
        return dct

    def from_dict(self, dct, task, top_workflow, ids: _Ids | None = None):
        ids = _Ids() if ids is None else ids
        spec = top_workflow.subprocess_specs.get(task.task_spec.spec)
        subprocess = self.target_class(spec, task.id, top_workflow, deserializing=True)
        _tasks_from_dict(self.registry, dct["tasks"], subprocess, ids)
        subprocess.task_tree = subprocess.tasks.get(ids[dct["root"]])
        self.set_default_attributes(subprocess, dct)
        return subprocess


class _TaskStateConverter(BpmnWorkflowConverter):
    """A case's own state: SpiffWorkflow's to_dict with the spec and subprocess specs left out
    (the process definition stores them once). Loading takes the cached spec objects in the
    dictionary, as from_state puts them there."""

    def to_dict(self, workflow):
        dct = _workflow_to_dict(self.registry, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct):
        ids = _Ids()
        workflow = self.target_class(dct.pop("spec"), dct.pop("subprocess_specs", {}), deserializing=True)
        _tasks_from_dict(self.registry, dct["tasks"], workflow, ids)
        workflow.task_tree = workflow.tasks.get(ids[dct["root"]])
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow, ids=ids)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow

    def subprocesses_from_dict(self, dct, workflow, top_workflow=None, ids: _Ids | None = None):
        # Parent workflows before their children, which need the tasks they belong to.
        top_workflow = top_workflow or workflow
        for task in workflow.tasks.values():
            if isinstance(task.task_spec, SubWorkflowTask) and str(task.id) in dct:
                subprocess = self.registry.restore(dct.pop(str(task.id)), task=task, top_workflow=top_workflow,
                                                   ids=ids)
                top_workflow.subprocesses[task.id] = subprocess
                subprocess.completed_event.connect(task.task_spec._on_subworkflow_completed, task)
                self.subprocesses_from_dict(dct, subprocess, top_workflow, ids)


# Tasks are written and read by the workflow converters above; SpiffWorkflow's TaskConverter
# stays registered for the typename they write.
SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(
    {**SPIFF_CONFIG, BpmnWorkflow: _TaskStateConverter, BpmnSubWorkflow: _SubWorkflowConverter}))
