"""A case's own task state in and out of JSON: SpiffWorkflow's serialization, dictionary for
dictionary, with the spec left out and with less work per task on a write path that reads and
writes the state of every case it moves."""
from copy import copy
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer.default.workflow import (BpmnSubWorkflowConverter, BpmnWorkflowConverter,
                                                            TaskConverter, WorkflowConverter)
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.bpmn.util.subworkflow import BpmnSubWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.deep_merge import DeepMerge
from SpiffWorkflow.util.task import TaskState


class _Ids(dict):
    """The task ids of one stored state, each parsed once: an id comes as a key, an id, a parent
    and a child, and uuid.UUID parses in Python."""

    def __missing__(self, text):
        self[text] = found = UUID(text)
        return found


def _tasks_from_dict(registry, tasks: dict, workflow, ids: _Ids) -> dict:
    return {ids[key]: registry.restore(task, workflow=workflow, ids=ids) for key, task in tasks.items()}


class _TaskConverter(TaskConverter):
    """SpiffWorkflow's TaskConverter with one parent lookup per task (Task.parent is a dictionary
    lookup by UUID, hashed in Python) and, when reading, each id parsed once."""

    def to_dict(self, task):
        parent = task.parent
        if parent is None:
            data, delta = task.data, {}
        else:
            data, delta = {}, {"updates": DeepMerge.get_updated_keys(parent.data, task.data),
                               "deletions": DeepMerge.get_deleted_keys(parent.data, task.data)}
        return {
            "id": str(task.id),
            "parent": str(task._parent) if parent is not None else None,
            "children": [str(child) for child in task._children],
            "last_state_change": task.last_state_change,
            "state": task.state,
            "task_spec": task.task_spec.name,
            "triggered": task.triggered,
            "internal_data": self.registry.convert(task.internal_data),
            "data": data,
            "delta": delta,
        }

    def from_dict(self, dct, workflow, ids: _Ids | None = None):
        ids = _Ids() if ids is None else ids
        task_spec = workflow.spec.task_specs.get(dct["task_spec"])
        task = self.target_class(workflow, task_spec, state=dct["state"], id=ids[dct["id"]])
        task._parent = ids[dct["parent"]] if dct["parent"] is not None else None
        task._children = [ids[child] for child in dct["children"]]
        task.last_state_change = dct["last_state_change"]
        task.triggered = dct["triggered"]
        task.internal_data = self.registry.restore(dct["internal_data"])
        if isinstance(task_spec, CatchingEvent) and task.has_state(TaskState.WAITING):
            task.workflow.top_workflow.event_manager.add_task(task)
        delta, parent = dct.get("delta"), workflow.tasks.get(task._parent)
        if delta and parent is not None:
            # DeepMerge.merge({}, parent.data) as SpiffWorkflow does; into an empty dictionary it
            # only ever takes each value, mutable ones copied.
            data = {key: copy(value) if isinstance(value, (dict, list, set)) else value
                    for key, value in parent.data.items()}
            data.update(self.registry.restore(delta.get("updates", {})))
            for key in delta.get("deletions", {}):
                if key in data:
                    del data[key]
        else:
            data = self.registry.restore(dct["data"])
        task.data = data
        return task


class _SubWorkflowConverter(BpmnSubWorkflowConverter):
    """SpiffWorkflow's, reading its tasks with the ids of the whole state."""

    def from_dict(self, dct, task, top_workflow, ids: _Ids | None = None):
        ids = _Ids() if ids is None else ids
        spec = top_workflow.subprocess_specs.get(task.task_spec.spec)
        subprocess = self.target_class(spec, task.id, top_workflow, deserializing=True)
        subprocess.tasks = _tasks_from_dict(self.registry, dct["tasks"], subprocess, ids)
        subprocess.task_tree = subprocess.tasks.get(ids[dct["root"]])
        self.set_default_attributes(subprocess, dct)
        return subprocess


class _TaskStateConverter(BpmnWorkflowConverter):
    """A case's own state: SpiffWorkflow's to_dict with the spec and subprocess specs left out
    (the process definition stores them once). Loading takes the cached spec objects in the
    dictionary, as from_state puts them there."""

    def to_dict(self, workflow):
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct):
        ids = _Ids()
        workflow = self.target_class(dct.pop("spec"), dct.pop("subprocess_specs", {}), deserializing=True)
        workflow.tasks = _tasks_from_dict(self.registry, dct["tasks"], workflow, ids)
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


SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(
    {**SPIFF_CONFIG, BpmnWorkflow: _TaskStateConverter, BpmnSubWorkflow: _SubWorkflowConverter,
     Task: _TaskConverter}))
