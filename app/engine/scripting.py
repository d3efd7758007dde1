"""Designer-written scripts and expressions run here, under RestrictedPython.

No imports, no open(), no names or attributes starting with an underscore; only
safe builtins and three helpers: working_days(n) (an ISO 8601 duration until n working
days from now in the office calendar), today() (the office's date) and now() (UTC, ISO
8601); and `service`, the case's catalogue entry (service.deadline_working_days).
Task data is the namespace, as in SpiffWorkflow's own TaskDataEnvironment.
"""
import ast
from dataclasses import dataclass
from datetime import datetime, timezone
from types import SimpleNamespace
from typing import Callable

from RestrictedPython import compile_restricted_eval, compile_restricted_exec, safe_builtins
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import guarded_iter_unpack_sequence, guarded_unpack_sequence, safer_getattr
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

_BUILTINS = dict(safe_builtins)
_BUILTINS.update({
    "min": min, "max": max, "sum": sum, "sorted": sorted, "any": any, "all": all,
    "list": list, "dict": dict, "enumerate": enumerate, "reversed": reversed, "map": map, "filter": filter,
})


class ScriptError(Exception):
    """A script or expression a designer wrote was refused or failed."""


class _NoService:
    def __getattr__(self, name):
        raise ScriptError(f"service.{name} is read from the service catalogue, and this case's procedure "
                          "has no catalogue entry")


@dataclass
class ScriptHelpers:
    """The functions scripts may call; bound to a case's office calendar by the caller.
    `service` is the catalogue entry in force when the case started (service.deadline_working_days)."""
    working_days: Callable[[int], str]
    today: Callable[[], str]
    service: dict | None = None

    def as_globals(self) -> dict:
        return {
            "working_days": self.working_days,
            "today": self.today,
            "now": lambda: datetime.now(timezone.utc).isoformat(),
            "service": SimpleNamespace(**self.service) if self.service else _NoService(),
        }


def _inplace(op, x, y):
    operators = {"+=": lambda a, b: a + b, "-=": lambda a, b: a - b, "*=": lambda a, b: a * b,
                 "/=": lambda a, b: a / b, "//=": lambda a, b: a // b, "%=": lambda a, b: a % b}
    if op not in operators:
        raise ScriptError(f"the operator {op} is not allowed in scripts")
    return operators[op](x, y)


def _write_guard(obj):
    if isinstance(obj, (dict, list)):
        return obj
    raise ScriptError("scripts may only change lists and dictionaries in the case data")


def _guards() -> dict:
    return {
        "__builtins__": _BUILTINS,
        "_getattr_": safer_getattr,
        "_getitem_": default_guarded_getitem,
        "_getiter_": default_guarded_getiter,
        "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
        "_unpack_sequence_": guarded_unpack_sequence,
        "_write_": _write_guard,
        "_inplacevar_": _inplace,
    }


def _compile(source: str, mode: str):
    compiler = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    result = compiler(source, filename="<script>")
    if result.errors:
        raise ScriptError("; ".join(result.errors))
    return result.code


_UNAVAILABLE = {"open", "eval", "exec", "compile", "globals", "locals", "vars", "getattr", "setattr",
                "delattr", "input", "breakpoint", "help", "exit", "quit"}


def check_script(source: str, mode: str = "exec") -> str | None:
    """Return why a script would be refused, or None if it compiles under the sandbox."""
    try:
        tree = ast.parse(source, mode=mode)
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                return f"line {node.lineno}: imports are not allowed in scripts"
            if isinstance(node, ast.Name) and node.id in _UNAVAILABLE:
                return f"line {node.lineno}: {node.id}() is not available in scripts"
        _compile(source, mode)
    except ScriptError as exc:
        return str(exc)
    except SyntaxError as exc:
        return f"syntax error: {exc.msg} (line {exc.lineno})"
    return None


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    def __init__(self, helpers: dict):
        super().__init__(helpers)

    def evaluate(self, expression, context, external_context=None):
        namespace = {**_guards(), **self.globals, **(external_context or {}), **context}
        return eval(_compile(expression, "eval"), namespace)

    def execute(self, script, context, external_context=None):
        clash = set(self.globals) & set(context)
        if clash:
            raise ScriptError(f"case data uses the helper name(s) {sorted(clash)}; rename those fields")
        namespace = {**_guards(), **self.globals, **(external_context or {}), **context}
        exec(_compile(script, "exec"), namespace)
        for name, value in namespace.items():
            if name.startswith("_") or name in self.globals or callable(value):
                continue
            if external_context and name in external_context:
                continue
            context[name] = value
        return True

    def call_service(self, context, **kwargs):
        raise ScriptError("service tasks are not available in One Window")


def evaluate_expression(expression: str, data: dict):
    """An expression over case data outside any diagram (a fee formula), in the scripts' sandbox."""
    refused = check_script(expression, "eval")
    if refused:
        raise ScriptError(refused)
    try:
        return RestrictedEnvironment({}).evaluate(expression, dict(data))
    except ScriptError:
        raise
    except Exception as exc:
        raise ScriptError(f"{type(exc).__name__}: {exc}") from exc


def script_engine(helpers: ScriptHelpers) -> PythonScriptEngine:
    return PythonScriptEngine(environment=RestrictedEnvironment(helpers.as_globals()))


def assigned_names(source: str) -> set[str]:
    """The case fields a script sets (names it assigns at any depth); none if it does not parse."""
    try:
        tree = ast.parse(source, mode="exec")
    except SyntaxError:
        return set()
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)}
