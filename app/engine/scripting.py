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

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from .sandbox import SANDBOX, ScriptError
from .sandbox_worker import BUILTINS, Refused, compile_source, guards


@dataclass(frozen=True)
class Unavailable:
    """A name scripts may use whose value this case does not have: reading from it says why."""
    message: str  # with {name} for the attribute read


NO_SERVICE = Unavailable("service.{name} is read from the service catalogue, and this case's procedure has no "
                         "catalogue entry")


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
            "service": SimpleNamespace(**self.service) if self.service else NO_SERVICE,
        }


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
        compile_source(source, mode)
    except Refused as exc:
        return str(exc)
    except SyntaxError as exc:
        return f"syntax error: {exc.msg} (line {exc.lineno})"
    return None


def reserved_names() -> frozenset[str]:
    """Names case data may not use: a field called so would shadow a helper or builtin in scripts."""
    helpers = ScriptHelpers(working_days=None, today=None).as_globals()
    return frozenset(helpers) | frozenset(BUILTINS) | frozenset(guards()) | _UNAVAILABLE


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    """Every script and expression goes to the sandbox's worker processes (see sandbox.py): the helper
    functions are called back from there, the read-only objects (service) are sent along as data."""

    def __init__(self, environment_globals=None):
        super().__init__(environment_globals)
        self.helpers, self.objects = {}, {}
        for name, value in self.globals.items():
            if isinstance(value, SimpleNamespace):
                self.objects[name] = ("namespace", vars(value))
            elif isinstance(value, Unavailable):
                self.objects[name] = ("unavailable", value.message)
            else:
                self.helpers[name] = value

    def evaluate(self, expression, context, external_context=None):
        return SANDBOX.run("eval", expression, context, external_context, self.helpers, self.objects)

    def execute(self, script, context, external_context=None):
        clash = set(self.globals) & set(context)
        if clash:
            raise ScriptError(f"case data uses the helper name(s) {sorted(clash)}; rename those fields")
        context.update(SANDBOX.run("exec", script, context, external_context, self.helpers, self.objects))
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
