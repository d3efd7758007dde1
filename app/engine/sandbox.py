"""Designers' scripts and expressions run in worker processes, each call inside a CPU and a memory budget.

Why processes: RestrictedPython decides what a script may name, not how long it runs or how much it
takes. A budget inside the server's own process cannot stop one long C call (`10**10**10`,
`'x' * 10**9`) and cannot give memory back. A worker can be limited by the kernel (RLIMIT_AS for
memory, an ITIMER_PROF timer and RLIMIT_CPU for CPU) and thrown away; the server thread that waits
on it releases the GIL, so every other request goes on being answered. The helpers a script calls
(working_days, today, now) stay in the server and are called back over the pipe.

Workers are started on first use and kept (a few idle ones) for the next call; a worker that ran
out of budget is ended and replaced, so its memory goes back to the system.
"""
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
        try:
            message = ("run", mode, source, context, external_context or {}, sorted(helpers), objects or {})
            pickle.dumps(message)
        except Exception as exc:
            raise ScriptError(f"the case data holds a value scripts cannot read ({exc})") from None
        worker = self._take()
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
