"""The engine adapter: the only package that imports SpiffWorkflow.

Everything outside engine/ sees plain data: diagrams are parsed into `Diagram`
summaries, running cases are `CaseWorkflow` objects whose state goes in and out
as JSON, and problems are `Problem` records with the element id and line.
"""
from .diagrams import Diagram, DiagramError, Problem, UserTaskInfo, TimerInfo, parse_diagram
from .runtime import CaseWorkflow, ReadyTask, WaitingTimer, EngineError, SERIALIZER_VERSION
from .scripting import ScriptHelpers, check_script, HELPER_NAMES
from .timers import timer_problem

__all__ = [
    "Diagram", "DiagramError", "Problem", "UserTaskInfo", "TimerInfo", "parse_diagram",
    "CaseWorkflow", "ReadyTask", "WaitingTimer", "EngineError", "SERIALIZER_VERSION",
    "ScriptHelpers", "check_script", "HELPER_NAMES", "timer_problem",
]
