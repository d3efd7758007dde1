"""The engine adapter: the only package that imports SpiffWorkflow.

Everything outside engine/ sees plain data: diagrams are parsed into `Diagram`
summaries, running cases are `CaseWorkflow` objects whose state goes in and out
as JSON, and problems are `Problem` records with the element id and line.
"""
from .analysis import (DiagramChanges, Element, diagram_changes, lanes, unreachable_elements,
                       untimed_user_tasks)
from .diagrams import (MAX_DIAGRAM_BYTES, Diagram, DiagramError, Problem, TimerInfo, UserTaskInfo, parse_diagram,
                       process_identity)
from .runtime import CaseWorkflow, ReadyTask, WaitingTimer, EngineError, SERIALIZER_VERSION, StepNotWaiting
from .scripting import ScriptError, ScriptHelpers, check_script, evaluate_expression
from .timers import timer_problem

__all__ = [
    "DiagramChanges", "Element", "diagram_changes", "lanes", "unreachable_elements", "untimed_user_tasks",
    "MAX_DIAGRAM_BYTES", "process_identity", "Diagram", "DiagramError", "Problem", "UserTaskInfo", "TimerInfo",
    "parse_diagram",
    "CaseWorkflow", "ReadyTask", "WaitingTimer", "EngineError", "SERIALIZER_VERSION", "StepNotWaiting",
    "ScriptError", "ScriptHelpers", "check_script", "evaluate_expression", "timer_problem",
]
