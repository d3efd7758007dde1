"""Checking timer expressions before they are deployed."""
import ast

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from .scripting import check_script

USAGE = 'write an ISO 8601 string such as "P5D" or "PT4H", or working_days(n)'
MAX_WORKING_DAYS = 2500  # about ten years of working days
# What the number of days may be written with: a case field or the catalogue's figure, plus or minus a few.
_DAYS_NODES = (ast.Constant, ast.Name, ast.Attribute, ast.BinOp, ast.UnaryOp, ast.Load, ast.Add, ast.Sub,
               ast.Mult, ast.FloorDiv, ast.USub, ast.UAdd)


def _iso_problem(text: str) -> str | None:
    try:
        if text.upper().startswith("R"):
            TimerEventDefinition.parse_iso_recurring_interval(text)
        else:
            TimerEventDefinition.parse_time_or_duration(text)
    except Exception:
        return f"'{text}' is not an ISO 8601 duration, date or cycle; {USAGE}"
    return None


def timer_problem(expression: str) -> str | None:
    """Why a timer expression cannot run, or None."""
    if not expression:
        return f"the timer has no expression; {USAGE}"
    try:
        tree = ast.parse(expression, mode="eval").body
    except SyntaxError:
        if expression[:1].upper() in "PR" or expression[:1].isdigit():
            return f"{expression} must be quoted: \"{expression}\""
        return f"'{expression}' is not a valid expression; {USAGE}"
    if isinstance(tree, ast.Constant) and isinstance(tree.value, str):
        return _iso_problem(tree.value)
    if isinstance(tree, ast.Call) and isinstance(tree.func, ast.Name) and tree.func.id == "working_days":
        if len(tree.args) != 1 or tree.keywords:
            return "working_days takes exactly one number of days, e.g. working_days(5)"
        arg = tree.args[0]
        if isinstance(arg, ast.Constant) and not (
                isinstance(arg.value, int) and not isinstance(arg.value, bool) and arg.value >= 0):
            return f"working_days needs a whole number of days of 0 or more, not {arg.value!r}"
        for node in ast.walk(arg):
            if not isinstance(node, _DAYS_NODES):
                return ("working_days counts days with numbers, case fields and + - * // only, not "
                        f"{ast.get_source_segment(expression, arg)}")
            if isinstance(node, ast.Constant) and not isinstance(node.value, int):
                return f"working_days needs whole numbers of days, not {node.value!r}"
            if isinstance(node, ast.Constant) and node.value > MAX_WORKING_DAYS:
                return (f"working_days({ast.get_source_segment(expression, arg)}) is too far away: a timer "
                        f"counts at most {MAX_WORKING_DAYS} working days")
        return check_script(expression, "eval")
    return f"'{expression}' is not a timer expression; {USAGE}"
