"""Diagrams written the way SpiffWorkflow's own test diagrams are (Camunda-modeler ids,
pools exchanging messages, call activities to other files, DMN tables) either deploy and
run to their end in One Window, or are refused for One Window's stated reason, word for word."""
from datetime import timedelta

import pytest
import time_machine

from app.cases.models import Case
from app.db import utcnow
from app.errors import Rejected
from app.processes.services import deploy
from app.timers.services import sweep

from procedure_support import DIAGRAMS, start, work_through

COMPATIBILITY = DIAGRAMS / "compatibility"
NO_LANE_HINT = "put it in the lane of the role that does the work."


def files(*names: str) -> list[tuple[str, bytes]]:
    return [(name, (COMPATIBILITY / name).read_bytes()) for name in names]


def run_to_the_end(case: Case, limit: int = 10) -> list[str]:
    """Work every open item as it comes (timers: the next day); the tasks done, in order."""
    done, moment = [], utcnow()
    for _ in range(limit):
        if case.status != "running":
            break
        if case.open_items:
            task = case.open_items[0].task
            with time_machine.travel(moment, tick=False):
                work_through(case, task)
            done.append(task)
        else:
            moment += timedelta(days=1, minutes=1)
            with time_machine.travel(moment, tick=False):
                assert sweep().fired == 1, "the case waits on nothing that could move it"
    return done


RUNS = [
    (["exclusive_gateway.bpmn"], "Process_Exclusive", ["Activity_Big"], {"x": 5}),
    (["parallel_split_join.bpmn"], "Process_Parallel", ["Activity_A", "Activity_B"], {}),
    (["call_activity_caller.bpmn", "call_activity_called.bpmn"], "Process_Caller",
     ["Activity_Enter", "Activity_Check"], {"my_var": "Hello World"}),
    (["nested_processes.bpmn"], "Process_Main", ["Activity_Sign"], {}),
    (["collaboration.bpmn"], "process_buddy", ["Activity_Write", "Activity_Read"], {}),
    (["integer_decision.dmn", "business_rule_task.bpmn"], "Process_Business_Rule", ["Activity_Show"],
     {"x": 3, "y": "medium"}),
    (["timer_intermediate.bpmn"], "Process_Timer", ["Activity_After"], {}),
]


@pytest.mark.parametrize("names, key, tasks, data", RUNS, ids=[r[1] for r in RUNS])
def test_a_diagram_in_spiffworkflows_style_deploys_and_runs_to_its_end(database, names, key, tasks, data):
    deploy(files(*names))
    case = start(key)
    assert run_to_the_end(case) == tasks
    assert case.status == "completed"
    assert {name: case.data[name] for name in data} == data


REFUSALS = [
    ("user_task_without_lane.bpmn", [("Activity_Approve", f"User task 'Approve' is in no lane; {NO_LANE_HINT}")]),
    ("lanes_not_roles.bpmn", [("Lane_Tester", "Lane 'Tester' is not a role; use one of front_office, back_office, "
                                              "owso_chief, district_governor, ombudsman, ombudsman_supervisor.")]),
    ("script_with_import.bpmn", [("Activity_Script",
                                  "Script in 'Activity_Script' is refused: line 1: imports are not allowed in scripts")]),
    ("data_store.bpmn", [(None, "Data Store with name JSONKeyValueDataStore has no implementation.")]),
    ("invalid_on_purpose.bpmn", [
        ("1_Task", "'1_Task' is not a valid id: start with a letter or '_', and use only letters, digits, '_', '-' "
                   "and '.'."),
        ("Flow_1", "BPMN schema: Element '{http://www.omg.org/spec/BPMN/20100524/MODEL}sequenceFlow', attribute "
                   "'targetRef': '1_Task' is not a valid value of the atomic type 'xs:IDREF'.")]),
    ("call_activity_missing.bpmn", [
        ("Activity_Call", "Call activity 'Call it' calls 'Process_Nowhere', which is neither a process of this "
                          "diagram nor a deployed procedure: deploy it first, deploy both together, or fix the "
                          "called element.")]),
]


@pytest.mark.parametrize("name, reasons", REFUSALS, ids=[r[0] for r in REFUSALS])
def test_a_diagram_one_window_refuses_says_exactly_why(database, name, reasons):
    with pytest.raises(Rejected) as refused:
        deploy(files(name))
    assert [(p["element_id"], p["message"]) for p in refused.value.details] == reasons
