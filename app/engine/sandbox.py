"""Designers' scripts and expressions run in worker processes, each call inside a CPU and a memory budget.

Why processes: RestrictedPython decides what a script may name, not how long it runs or how much it
takes. A budget inside the server's own process cannot stop one long C call (`10**10**10`,
`'x' * 10**9`) and cannot give memory back. A worker can be limited by the kernel (RLIMIT_AS for
memory, an ITIMER_PROF timer and RLIMIT_CPU for CPU) and thrown away; the server thread that waits
on it releases the GIL, so every other request goes on being answered. The helpers a script calls
(working_days, today, now) stay in the server and are called back over the pipe.

Workers are started on first use and kept (a few idle ones) for the next call; a worker that ran
out of budget is ended and replaced, so its memory goes back to the system.

Most of what diagrams evaluate is plain: a gateway's `decision == "accept"`, a timer's
`working_days(5)`, a decision table's `area <= 100`, a script setting `outcome = "approved"`. Built
only from names, constants, comparisons, `and`/`or`/`not`, `+`/`-` and calls of the helpers, such
an expression cannot loop or grow past the data it reads, so it needs no budget: it is evaluated
here, in the server, without the worker's round trip (about half a millisecond, twenty times a
case). Anything else, and any plain expression that fails, goes to a worker as before, which gives
the one authoritative answer or error.
"""
import ast
import functools
import io
import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

WORKER = Path(__file__).with_name("sandbox_worker.py")
MAX_IDLE_WORKERS = 4
MB = 1024 * 1024
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
_CPU_CHECK_SECONDS = 0.25


class ScriptError(Exception):
    """A script or expression a designer wrote was refused, failed or ran out of budget."""


_SAFE_TYPES = {("builtins", name) for name in (
    "dict", "list", "tuple", "set", "frozenset", "str", "bytes", "bytearray", "int", "float", "complex",
    "bool", "slice", "range")} | {
    ("datetime", "datetime"), ("datetime", "date"), ("datetime", "time"), ("datetime", "timedelta"),
    ("datetime", "timezone"), ("decimal", "Decimal"), ("collections", "OrderedDict")}


class _PlainData(pickle.Unpickler):
    """What comes back from a worker is data: anything else is refused before it is built."""

    def find_class(self, module, name):
        if (module, name) in _SAFE_TYPES:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"a script may not hand back a {module}.{name}")


class _Stopped(Exception):
    pass


_PLAIN_NODES = (
    ast.Expression, ast.Module, ast.Assign, ast.Constant, ast.Name, ast.Load, ast.Store, ast.Attribute, ast.Call,
    ast.Compare, ast.BoolOp, ast.UnaryOp, ast.IfExp, ast.BinOp, ast.And, ast.Or, ast.Not, ast.USub, ast.UAdd,
    ast.Add, ast.Sub, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn, ast.Is, ast.IsNot)
_PLAIN_VALUES = (bool, int, float, str, type(None))
_IN_WORKER = object()


class _Plain:
    """A plain expression or script, compiled once: the names it reads, the names it sets."""

    def __init__(self, code, reads: frozenset[str], sets: tuple[str, ...], calls: frozenset[str],
                 read_from: frozenset[str]):
        self.code, self.reads, self.sets, self.calls, self.read_from = code, reads, sets, calls, read_from

    def run(self, mode: str, context: dict, external_context: dict | None, helpers: dict, objects: dict):
        """The value, or _IN_WORKER when the worker must answer (a missing name, a failure, a result
        that is not a plain value)."""
        namespace = {"__builtins__": {}}
        for name in self.reads:
            if name in self.read_from:  # attributes are read from the catalogue entry only
                if name in context or (external_context and name in external_context) or \
                        objects.get(name, ("",))[0] != "namespace":
                    return _IN_WORKER
                namespace[name] = SimpleNamespace(**objects[name][1])
            elif name in context:
                namespace[name] = context[name]
            elif external_context and name in external_context:
                namespace[name] = external_context[name]
            elif name in helpers and name in self.calls:
                namespace[name] = helpers[name]
            else:
                return _IN_WORKER
        try:
            if mode == "eval":
                value = eval(self.code, namespace)  # noqa: S307 - plain: checked by _plain()
                return value if isinstance(value, _PLAIN_VALUES) else _IN_WORKER
            exec(self.code, namespace)  # noqa: S102 - plain: checked by _plain()
        except Exception:  # noqa: BLE001 - the worker reports it, with its own words
            return _IN_WORKER
        if not all(isinstance(namespace[name], _PLAIN_VALUES) for name in self.sets):
            return _IN_WORKER
        # What the worker hands back: every variable the script can see, except helpers and objects.
        left = {**context, **{name: namespace[name] for name in self.sets}}
        return {name: value for name, value in left.items()
                if not name.startswith("_") and name not in helpers and name not in objects and not callable(value)
                and not (external_context and name in external_context)}


@functools.lru_cache(maxsize=1024)
def _plain(mode: str, source: str) -> _Plain | None:
    """The compiled plain form of the source, or None when it is not plain."""
    try:
        tree = ast.parse(source, mode=mode)
    except SyntaxError:
        return None
    if mode == "exec" and not all(isinstance(statement, ast.Assign) and len(statement.targets) == 1
                                  and isinstance(statement.targets[0], ast.Name) for statement in tree.body):
        return None
    reads, calls, read_from = set(), set(), set()
    for node in ast.walk(tree):
        if not isinstance(node, _PLAIN_NODES):
            return None
        if isinstance(node, ast.Name):
            if node.id.startswith("_"):
                return None
            if isinstance(node.ctx, ast.Load):
                reads.add(node.id)
        elif isinstance(node, ast.Attribute):
            if node.attr.startswith("_") or not isinstance(node.value, ast.Name):
                return None
            read_from.add(node.value.id)
        elif isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.keywords:
                return None
            calls.add(node.func.id)
        elif isinstance(node, ast.Constant) and not isinstance(node.value, _PLAIN_VALUES):
            return None
    sets = tuple(statement.targets[0].id for statement in tree.body) if mode == "exec" else ()
    if read_from & calls:
        return None
    return _Plain(compile(tree, "<script>", mode), frozenset(reads), sets, frozenset(calls), frozenset(read_from))


class _Worker:
    def __init__(self, cpu_seconds: float, memory_mb: int):
        self.budget = (cpu_seconds, memory_mb)
        self.process = subprocess.Popen(
            [sys.executable, "-I", str(WORKER), str(cpu_seconds), str(memory_mb * MB)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, close_fds=True)

    def send(self, message) -> None:
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        self.process.stdin.write(struct.pack(">I", len(data)) + data)
        self.process.stdin.flush()

    def cpu_seconds(self) -> float:
        """The CPU time the worker has used so far, as the kernel counts it."""
        with open(f"/proc/{self.process.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS

    def _read_exactly(self, size: int, deadline: float) -> bytes:
        chunks, fd = [], self.process.stdout.fileno()
        while size:
            if not select.select([fd], [], [], min(_CPU_CHECK_SECONDS, max(0.0, deadline - time.monotonic())))[0]:
                if time.monotonic() >= deadline:
                    raise _Stopped("timeout")
                # A long C call never reaches the worker's own timer: stop it on the kernel's count.
                if self.cpu_seconds() > self.cpu_limit:
                    raise _Stopped("cpu")
                continue
            chunk = os.read(fd, size)
            if not chunk:
                raise _Stopped("died")
            chunks.append(chunk)
            size -= len(chunk)
        return b"".join(chunks)

    def receive(self, deadline: float):
        (size,) = struct.unpack(">I", self._read_exactly(4, deadline))
        return _PlainData(io.BytesIO(self._read_exactly(size, deadline))).load()

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.process.stdin.close()
        self.process.stdout.close()


class Sandbox:
    def __init__(self, cpu_seconds: float = 2.0, memory_mb: int = 256):
        self.cpu_seconds, self.memory_mb = cpu_seconds, memory_mb
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self.worker_calls = 0  # the calls that went to a worker (the bench counts them per case)

    def configure(self, cpu_seconds: float, memory_mb: int) -> None:
        with self._lock:
            self.cpu_seconds, self.memory_mb = float(cpu_seconds), int(memory_mb)
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.close()

    @property
    def wall_seconds(self) -> float:
        # Only a backstop for a worker that neither runs nor answers: CPU time is what the budget counts.
        return 5 + 10 * self.cpu_seconds

    def _take(self) -> _Worker:
        with self._lock:
            if self._pid != os.getpid():  # a forked server process: the parent's workers are not ours
                self._idle, self._pid = [], os.getpid()
            if self._idle:
                return self._idle.pop()
            budget = self.cpu_seconds, self.memory_mb
        return _Worker(*budget)

    def _give_back(self, worker: _Worker) -> None:
        with self._lock:
            if worker.budget == (self.cpu_seconds, self.memory_mb) and len(self._idle) < MAX_IDLE_WORKERS:
                self._idle.append(worker)
                return
        worker.close()

    def run(self, mode: str, source: str, context: dict, external_context: dict | None, helpers: dict,
            objects: dict | None = None):
        """Evaluate (mode "eval") or execute ("exec") the source with the context as its variables, the
        helpers as functions called back here and the objects ({name: ("namespace", dict) or
        ("unavailable", message)}) as read-only values. Returns the expression's value, or the
        variables the script left."""
        plain = _plain(mode, source)
        if plain is not None:
            value = plain.run(mode, context, external_context, helpers, objects or {})
            if value is not _IN_WORKER:
                return value
        try:
            message = ("run", mode, source, context, external_context or {}, sorted(helpers), objects or {})
            pickle.dumps(message)
        except Exception as exc:
            raise ScriptError(f"the case data holds a value scripts cannot read ({exc})") from None
        worker = self._take()
        self.worker_calls += 1
        deadline = time.monotonic() + self.wall_seconds
        try:
            worker.cpu_limit = worker.cpu_seconds() + self.cpu_seconds + _CPU_CHECK_SECONDS
            worker.send(message)
            while (reply := worker.receive(deadline))[0] == "call":
                _, name, args = reply
                try:
                    worker.send(("result", helpers[name](*args)))
                except Exception as exc:
                    worker.send(("error", f"{name}(): {exc}"))
        except _Stopped as stopped:
            worker.close()
            if str(stopped) == "timeout":
                raise ScriptError(f"the script did not finish within {self.wall_seconds:g} s and was stopped") from None
            if str(stopped) == "cpu" or worker.process.returncode in (-signal.SIGXCPU, -signal.SIGKILL):
                raise self._out_of_cpu() from None
            raise ScriptError(f"the script's worker stopped unexpectedly (exit {worker.process.returncode})") from None
        except BaseException:
            worker.close()
            raise
        if reply[0] == "done":
            self._give_back(worker)
            return reply[1]
        _, kind, text = reply
        if kind == "error":
            self._give_back(worker)
            raise ScriptError(text)
        worker.close()  # out of budget: end it, so whatever it took goes back to the system
        if kind == "cpu":
            raise self._out_of_cpu()
        raise ScriptError(f"the script needed more than its memory budget of {self.memory_mb} MB and was stopped")

    def _out_of_cpu(self) -> ScriptError:
        return ScriptError(f"the script ran past its CPU budget of {self.cpu_seconds:g} s and was stopped")


SANDBOX = Sandbox()


def configure_sandbox(cpu_seconds: float, memory_mb: int) -> None:
    """The budgets of every later script call (SCRIPT_CPU_SECONDS, SCRIPT_MEMORY_MB)."""
    SANDBOX.configure(cpu_seconds, memory_mb)


def script_call_ms(calls: int = 200) -> float:
    """Median wall time of one sandboxed script call (a fee computed from case data), in milliseconds:
    what the worker process costs each script task, condition and timer expression (for the bench)."""
    context = {"floor_area": 120}
    SANDBOX.run("exec", "fee_riel = floor_area * 1000", dict(context), None, {})  # start a worker
    samples = []
    for _ in range(calls):
        started = time.perf_counter()
        SANDBOX.run("exec", "fee_riel = floor_area * 1000", dict(context), None, {})
        samples.append(time.perf_counter() - started)
    samples.sort()
    return samples[len(samples) // 2] * 1000
