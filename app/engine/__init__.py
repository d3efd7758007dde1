"""The engine adapter: the only package that imports SpiffWorkflow.

Everything outside engine/ sees plain data: diagrams are parsed into `Diagram`
summaries, decision tables into `DecisionTable` summaries, a deployed procedure's spec
is serialized once (`serialize_specs`) and deserialized once per process (`procedure`),
running cases are `CaseWorkflow` objects whose own task state goes in and out as JSON,
and problems are `Problem` records with the element id and line.
"""
from .analysis import (DiagramChanges, Element, diagram_changes, lanes, unreachable_elements,
                       untimed_user_tasks)
from .decisions import (DecisionAnswer, DecisionError, DecisionTable, decision_identity, decision_problems,
                        evaluate_decision, parse_decision, spiff_decision_problems)
from .diagrams import (MAX_DIAGRAM_BYTES, CallInfo, Diagram, DiagramError, Problem, RuleTaskInfo, SpecSources,
                       TimerInfo, UserTaskInfo, outline, parse_diagram, process_identity, spiff_problems)
from .migration import migrate, migration_blocker
from .runtime import (SERIALIZER_VERSION, CaseWorkflow, EngineError, Procedure, ReadyTask, StepNotWaiting, WaitingTimer,
                      procedure, serialize_specs)
from .sandbox import ScriptError, configure_sandbox, script_call_ms
from .scripting import ScriptHelpers, assigned_names, check_script, evaluate_expression, reserved_names
from .timers import MAX_WORKING_DAYS, timer_problem

__all__ = [
    "DiagramChanges", "Element", "diagram_changes", "lanes", "unreachable_elements", "untimed_user_tasks",
    "DecisionAnswer", "DecisionError", "DecisionTable", "decision_identity", "decision_problems",
    "evaluate_decision", "parse_decision", "spiff_decision_problems",
    "MAX_DIAGRAM_BYTES", "process_identity", "CallInfo", "Diagram", "DiagramError", "Problem", "RuleTaskInfo",
    "SpecSources", "UserTaskInfo", "TimerInfo", "outline", "parse_diagram", "spiff_problems",
    "CaseWorkflow", "ReadyTask", "WaitingTimer", "EngineError", "SERIALIZER_VERSION", "StepNotWaiting", "Procedure",
    "procedure", "serialize_specs",
    "ScriptError", "ScriptHelpers", "assigned_names", "check_script", "evaluate_expression", "reserved_names",
    "timer_problem", "configure_sandbox", "script_call_ms", "MAX_WORKING_DAYS", "migrate", "migration_blocker",
]
