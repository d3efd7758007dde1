"""The script sandbox's worker process: runs designers' scripts and expressions under RestrictedPython,
inside CPU and memory limits of its own, and answers over its stdin/stdout pipes.

Run as a file (`python -I sandbox_worker.py CPU_SECONDS MEMORY_BYTES`), so it imports only the
standard library and RestrictedPython, never the app. app/engine/scripting.py imports the same
compiler and guards from here to check scripts at deploy time.

Frames are a 4-byte big-endian length and a pickle. From the parent: ("run", mode, source, context,
external_context, helper_names, objects) and, while a script waits on a helper, ("result", value) or
("error", message). To the parent: ("call", helper, args), then ("done", value) or
("failed", kind, message) with kind "error", "cpu" or "memory".
"""
import math
import pickle
import resource
import signal
import struct
import sys
from types import SimpleNamespace

from RestrictedPython import compile_restricted_eval, compile_restricted_exec, safe_builtins
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import guarded_iter_unpack_sequence, guarded_unpack_sequence, safer_getattr

BUILTINS = dict(safe_builtins)
BUILTINS.update({
    "min": min, "max": max, "sum": sum, "sorted": sorted, "any": any, "all": all,
    "list": list, "dict": dict, "enumerate": enumerate, "reversed": reversed, "map": map, "filter": filter,
})


class Refused(Exception):
    """A script or expression the sandbox will not compile or run."""


def _inplace(op, x, y):
    operators = {"+=": lambda a, b: a + b, "-=": lambda a, b: a - b, "*=": lambda a, b: a * b,
                 "/=": lambda a, b: a / b, "//=": lambda a, b: a // b, "%=": lambda a, b: a % b}
    if op not in operators:
        raise Refused(f"the operator {op} is not allowed in scripts")
    return operators[op](x, y)


def _write_guard(obj):
    if isinstance(obj, (dict, list)):
        return obj
    raise Refused("scripts may only change lists and dictionaries in the case data")


def guards() -> dict:
    return {
        "__builtins__": BUILTINS,
        "_getattr_": safer_getattr,
        "_getitem_": default_guarded_getitem,
        "_getiter_": default_guarded_getiter,
        "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
        "_unpack_sequence_": guarded_unpack_sequence,
        "_write_": _write_guard,
        "_inplacevar_": _inplace,
    }


def compile_source(source: str, mode: str):
    compiler = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    result = compiler(source, filename="<script>")
    if result.errors:
        raise Refused("; ".join(result.errors))
    return result.code


# --- the worker process -------------------------------------------------------------------

class _OutOfCpu(BaseException):
    """Raised into the script by the CPU timer; a BaseException so `except Exception` cannot keep it."""


class _HelperFailed(Exception):
    pass


class _Unavailable:
    def __init__(self, message: str):
        self._message = message

    def __getattr__(self, name):
        raise Refused(self._message.format(name=name))


def _read(stream):
    header = stream.read(4)
    if len(header) < 4:
        raise EOFError
    (size,) = struct.unpack(">I", header)
    return pickle.loads(stream.read(size))


def _write(stream, message) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(struct.pack(">I", len(data)) + data)
    stream.flush()


def _run(message, cpu_seconds: float, inbox, outbox):
    _, mode, source, context, external_context, helper_names, objects = message

    def helper(name):
        def call(*args):
            _write(outbox, ("call", name, args))
            kind, value = _read(inbox)
            if kind == "error":
                raise _HelperFailed(value)
            return value
        return call

    helpers = {name: helper(name) for name in helper_names}
    helpers.update({name: SimpleNamespace(**value) if kind == "namespace" else _Unavailable(value)
                    for name, (kind, value) in objects.items()})
    namespace = {**guards(), **helpers, **(external_context or {}), **context}
    used = sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
    # A Python-level loop is interrupted by the timer; a long C call (a huge power, a huge sort) by the
    # kernel's CPU limit one second later, which ends this process.
    resource.setrlimit(resource.RLIMIT_CPU, (math.ceil(used + cpu_seconds) + 1, resource.RLIM_INFINITY))
    signal.setitimer(signal.ITIMER_PROF, cpu_seconds, 0.05)
    try:
        code = _compiled(source, mode)
        if mode == "eval":
            value = eval(code, namespace)
        else:
            exec(code, namespace)
            value = {name: v for name, v in namespace.items()
                     if not name.startswith("_") and name not in helpers and not callable(v)
                     and not (external_context and name in external_context)}
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
    return value


_COMPILED: dict = {}
_COMPILED_KEPT = 512


def _compiled(source: str, mode: str):
    """A worker sees the same few diagrams' scripts again and again: each is compiled once."""
    code = _COMPILED.get((mode, source))
    if code is None:
        if len(_COMPILED) >= _COMPILED_KEPT:
            _COMPILED.clear()
        code = _COMPILED[(mode, source)] = compile_source(source, mode)
    return code


def _serve(cpu_seconds: float, memory_bytes: int) -> None:
    inbox, outbox = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # a print() in a script must not corrupt the pipe

    def out_of_cpu(signum, frame):
        raise _OutOfCpu

    signal.signal(signal.SIGPROF, out_of_cpu)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with open("/proc/self/statm") as statm:
        mapped = int(statm.read().split()[0]) * resource.getpagesize()
    resource.setrlimit(resource.RLIMIT_AS, (mapped + memory_bytes, mapped + memory_bytes))
    while True:
        try:
            message = _read(inbox)
        except EOFError:
            return  # the parent is gone
        try:
            reply = ("done", _run(message, cpu_seconds, inbox, outbox))
        except _OutOfCpu:
            reply = ("failed", "cpu", "")
        except MemoryError:
            reply = ("failed", "memory", "")
        except _HelperFailed as exc:
            reply = ("failed", "error", str(exc))
        except BaseException as exc:  # SystemExit, KeyboardInterrupt and the like are script errors too
            reply = ("failed", "error", f"{type(exc).__name__}: {exc}" if str(exc) else
                     f"the script raised {type(exc).__name__}")
        try:
            data = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
        except MemoryError:
            data = pickle.dumps(("failed", "memory", ""))
        except Exception as exc:
            data = pickle.dumps(("failed", "error", f"the script left a value a case cannot keep ({exc})"))
        outbox.write(struct.pack(">I", len(data)) + data)
        outbox.flush()


if __name__ == "__main__":
    _serve(float(sys.argv[1]), int(sys.argv[2]))
