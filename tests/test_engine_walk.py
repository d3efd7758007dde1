"""After the engine moves, everything the office sees of a case (its open work, its timers, its
data, whether a step failed) is read from one walk over the case's task tree. The walk must
find the same tasks, in the same order, as SpiffWorkflow's own get_tasks: also where a flat
look at all tasks would not (an inspection shared by several officers, one of whom is done,
is not yet a finished step), round after round of a file sent back, and on a case that failed."""
from datetime import timedelta
from unittest.mock import patch

import pytest
import time_machine
from SpiffWorkflow.util.task import TaskState

from app.db import utcnow
from app.engine import CaseWorkflow, EngineError, ScriptHelpers, SpecSources, procedure, runtime, serialize_specs

from support import TEST_DIAGRAMS

HELPERS = ScriptHelpers(working_days=lambda n: f"P{n}D", today=lambda: "2026-11-23")
# Every question the runtime asks of the task tree.
QUERIES = [TaskState.READY, TaskState.WAITING, TaskState.COMPLETED, TaskState.ERROR,
           TaskState.READY | TaskState.WAITING | TaskState.STARTED, TaskState.WAITING | TaskState.COMPLETED]


def walks_like_spiffworkflow(workflow: CaseWorkflow) -> None:
    """The walk gives get_tasks' answer to every query, also where get_tasks stops at its depth limit;
    the one the workflow keeps is the walk of its tree as it is now."""
    for state in QUERIES:
        assert workflow._tasks(state) == workflow._workflow.get_tasks(state=state), TaskState.get_name(state)
    for depth in (runtime._MAX_DEPTH, 3, 8):
        with patch.object(runtime, "_MAX_DEPTH", depth):
            walked = CaseWorkflow(workflow._workflow)
            for state in QUERIES:
                expected = workflow._workflow.get_tasks(state=state, max_depth=depth)
                assert walked._tasks(state) == expected, (TaskState.get_name(state), depth)


def many_hands():
    return procedure("many_hands", lambda: serialize_specs(
        SpecSources("many_hands.bpmn", (TEST_DIAGRAMS / "many_hands.bpmn").read_bytes())))


def stored(workflow: CaseWorkflow) -> CaseWorkflow:
    """As the write path does: the next step runs on the workflow read back from its state."""
    workflow = CaseWorkflow.from_state(workflow.to_state(), many_hands(), HELPERS)
    walks_like_spiffworkflow(workflow)
    return workflow


def work(workflow: CaseWorkflow, element_id: str, data: dict | None = None) -> CaseWorkflow:
    task = next(t for t in workflow.ready_tasks() if t.element_id == element_id)
    workflow.complete(task.task_id, data or {})
    walks_like_spiffworkflow(workflow)
    return stored(workflow)


def test_a_file_sent_back_three_times_then_inspected_by_two_officers_is_seen_as_the_engine_sees_it():
    workflow = CaseWorkflow.create(many_hands(), {"inspectors": ["sokha", "rithy"], "rounds": 0,
                                                  "fail_count": False}, HELPERS)
    workflow.start()
    workflow = stored(workflow)
    for _ in range(4):  # each round lengthens the tree: the depth limit is met on the way
        workflow = work(workflow, "check_file")
    assert [t.element_id for t in workflow.ready_tasks()] == ["inspect", "inspect"]
    assert [t.element_id for t in workflow.waiting_timers()] == ["inspection_deadline"]
    workflow = work(workflow, "inspect", {"finding": "sound"})
    # One officer is done, the inspection is not: that officer's finding is not yet the case's.
    assert [t.element_id for t in workflow.ready_tasks()] == ["inspect"]
    assert "finding" not in workflow.data() and workflow.data()["rounds"] == 4
    with time_machine.travel(utcnow() + timedelta(days=6), tick=False):
        workflow.fire_due_timers()
    walks_like_spiffworkflow(workflow)
    workflow = stored(workflow)
    assert sorted(t.element_id for t in workflow.ready_tasks()) == ["chase_inspectors", "inspect"]
    workflow = work(workflow, "chase_inspectors")
    workflow = work(workflow, "inspect", {"finding": "sound"})
    workflow = work(workflow, "hand_over")
    assert workflow.completed and workflow.ready_tasks() == [] and workflow.data()["finding"] == "sound"


def test_a_failed_step_is_seen_until_its_retry_gets_the_case_moving():
    workflow = CaseWorkflow.create(many_hands(), {"inspectors": ["sokha"], "rounds": 0, "fail_count": True},
                                   HELPERS)
    workflow.start()
    task = workflow.ready_tasks()[0]
    with pytest.raises(EngineError):
        workflow.complete(task.task_id, {})
    walks_like_spiffworkflow(workflow)
    workflow = stored(workflow)
    assert workflow.failed and workflow.ready_tasks() == []
    workflow.retry({"fail_count": False})
    walks_like_spiffworkflow(workflow)
    workflow = stored(workflow)
    assert not workflow.failed and [t.element_id for t in workflow.ready_tasks()] == ["check_file"]
