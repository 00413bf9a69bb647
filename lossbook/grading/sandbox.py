"""Run a student's code in a separate process, out of reach of the checks.

When an exercise is graded, the student's solution code runs in a *worker*
process. The checks run in the grading kernel and reach the student's
functions only through :class:`Proxy` objects that send the arguments to the
worker and receive the result as plain data (tensors, numbers, strings, lists,
tuples, dicts). Whatever the student's code patches (``assert`` helpers,
``torch.testing``, ``numpy.allclose``, the book's own checks) is patched in the
worker, never where the decisive comparison happens.

Workers are isolated by the operating system (:mod:`lossbook.grading.isolation`):
each runs in namespaces of its own, with no network, no view of other
processes and a read-only view of the Python installation only. The worker
is also where the grader enforces limits: CPU time per call and per notebook
(CPU seconds of the student's process, so a busy machine does not cost an
honest answer its points; a generous wall-clock backstop catches code that
sleeps), capped output, memory, file size and open files. A call that hangs,
ignores interrupts or kills its process fails that exercise only: the worker
is restarted, the set-up and the other answers are replayed, and grading goes
on.

Results travel back in :mod:`lossbook.grading.wire`'s format, from which
nothing but plain data can be built, so a crafted result cannot run code in
the grading kernel.
"""

import io
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import time

import cloudpickle

# torch is imported inside functions: the grading kernel starts the worker
# first, so that both processes import torch at the same time.

DEFAULT_CALL_TIMEOUT = 10.0  # CPU seconds per call of a student's function
DEFAULT_TOTAL_TIMEOUT = 120.0  # CPU seconds of student code per notebook
STARTUP_TIMEOUT = 120.0  # seconds for a fresh worker to import torch
WALL_FACTOR, WALL_SLACK = 3.0, 20.0  # wall-clock backstop of a call: max(3 x limit, limit + 20 s)
READY = b"ready"
OUTPUT_LIMIT = 10_000  # characters of printed output kept per request
MEMORY_LIMIT = 6 * 1024**3  # bytes of address space for the worker
KEPT_GRAPHS = 64  # results whose autograd graph the worker keeps for gradients asked later


# --- framing: 4-byte length, then the payload -------------------------------------------------

def _send(stream, payload: bytes) -> None:
    stream.write(struct.pack(">I", len(payload)) + payload)
    stream.flush()


def _recv(stream, limit: int = 256 * 1024**2) -> bytes | None:
    head = stream.read(4)
    if len(head) < 4:
        return None
    (size,) = struct.unpack(">I", head)
    if size > limit:
        return None
    data = stream.read(size)
    return data if len(data) == size else None


def _encode_result(result: dict) -> bytes:
    from lossbook.grading import wire

    return wire.encode(result)


def _decode_result(data: bytes) -> dict:
    from lossbook.grading import wire

    result = wire.decode(data)
    if not isinstance(result, dict):
        raise wire.WireError("not a result")
    return result


def _encode_request(message: dict) -> bytes:
    """A request in the wire format when it is plain data, else pickled (it holds code)."""
    from lossbook.grading import wire

    try:
        return b"W" + wire.encode(message)  # tensors go detached, keeping requires_grad
    except wire.WireError:
        return b"P" + cloudpickle.dumps({k: _detached(v) if k in ("args", "kwargs", "calls") else v
                                         for k, v in message.items()})


def _decode_request(data: bytes) -> dict:
    from lossbook.grading import wire

    return wire.decode(data[1:]) if data[:1] == b"W" else cloudpickle.loads(data[1:])


class SandboxError(AssertionError):
    """The student's code timed out, crashed its process or broke a rule (a failed check)."""


class ForbiddenCall(Exception):
    """Raised in the worker when a 'from scratch' answer calls the library function it should replace."""


class CPUTimeExceeded(TimeoutError):
    """Raised in the worker when a call used up its CPU time (a profiling timer, SIGPROF)."""


def wall_backstop(limit: float) -> float:
    """Wall-clock seconds after which a call counts as hung, for a CPU-time limit of ``limit`` seconds."""
    return max(WALL_FACTOR * limit, limit + WALL_SLACK)


_FORWARD = None


def _forward_function():
    """An autograd Function connecting a result computed in the worker to autograd in the kernel."""
    global _FORWARD
    if _FORWARD is None:
        import torch

        class Forward(torch.autograd.Function):
            @staticmethod
            def forward(ctx, sandbox, handle, value, *inputs):
                ctx.sandbox, ctx.handle = sandbox, handle
                return value.clone()

            @staticmethod
            def backward(ctx, grad_output):
                reply = ctx.sandbox._request({"op": "vjp", "handle": ctx.handle, "grad": grad_output.detach()},
                                             what="the gradient of your function")
                if not reply["ok"]:
                    raise SandboxError(f"autograd through your function failed: {reply['error_type']}: {reply['error']}")
                return (None, None, None, *reply["value"])

        _FORWARD = Forward
    return _FORWARD


class Proxy:
    """Stands for a student's function in the grading kernel; each call runs in the worker."""

    def __init__(self, sandbox, name: str, exercise: str):
        self._sandbox, self.__name__, self._exercise = sandbox, name, exercise

    def __call__(self, *args, **kwargs):
        return self._sandbox.call(self.__name__, self._exercise, args, kwargs)

    def call_each(self, calls, grad_wrt=None) -> list:
        """Every call of ``calls`` (``(args, kwargs)`` pairs) in one round trip; see :meth:`Sandbox.call_each`."""
        return self._sandbox.call_each(self.__name__, self._exercise, calls, grad_wrt)

    def __repr__(self):
        return f"<student function {self.__name__}>"


_OPEN = []  # sandboxes of this process, closed by close_all()


def close_all(zygotes: bool = False) -> None:
    """Stop every sandbox worker this process started (between graded submissions), and its zygotes."""
    while _OPEN:
        _OPEN.pop().close()
    if zygotes:
        while _ZYGOTES:
            _ZYGOTES.popitem()[1].close()


class Sandbox:
    """A worker process holding the student's code; see the module docstring."""

    def __init__(self, call_timeout: float = DEFAULT_CALL_TIMEOUT, total_timeout: float = DEFAULT_TOTAL_TIMEOUT,
                 isolated: bool = True, forbidden: dict | None = None):
        """``forbidden``: every exercise's forbidden functions (exercise -> names), guarded in the worker
        before any student code runs, so that no answer cell can keep a reference to one for later."""
        self.call_timeout, self.total_timeout, self.isolated = call_timeout, total_timeout, isolated
        self.forbidden = {str(k): tuple(v) for k, v in (forbidden or {}).items()}
        self.spent = 0.0  # CPU seconds of student code
        self.waited = 0.0  # wall-clock seconds of student code (backstop: WALL_FACTOR x total)
        self.history = []  # (kind, source, exercise, forbid) replayed after a restart
        self.broken = {}  # exercise -> reason its code was dropped
        self.definition_errors = {}  # exercise -> error raised while defining its answer
        self.inplace = set()  # exercises whose functions update their arguments
        self._next_handle = 0
        self._poll = self._polled = None
        self._start()
        _OPEN.append(self)

    # --- process management -------------------------------------------------------------------
    def _start(self):
        zygote = start_zygote(self.isolated)
        self.pid, channel = zygote.spawn(cpu_cap=2 * self.total_timeout + WALL_SLACK)
        self._zygote = zygote
        self._socket = channel
        self._out = channel.makefile("wb")
        self._in = channel.makefile("rb")
        # Wait for the worker's greeting: start-up time is not the student's time.
        if self._read_with_deadline(time.monotonic() + STARTUP_TIMEOUT) != READY:
            raise RuntimeError("the sandbox worker did not start")

    def _kill(self):
        self._zygote.kill(self.pid)
        for stream in (self._in, self._out, self._socket):
            try:
                stream.close()
            except OSError:
                pass

    def close(self):
        self._kill()

    def _restart(self, attempts: int = 5):
        """A fresh worker with the set-up and the answers replayed; an answer that fails to replay is dropped.

        A replay that times out leaves its worker busy, so the worker is replaced
        again (never reused: a late reply must not be read as the next answer).
        """
        for _ in range(attempts):
            self._kill()
            self._start()
            try:
                for kind, source, exercise, forbid in self.history:
                    if exercise not in self.broken:
                        self._request({"op": kind, "source": source, "exercise": exercise, "forbid": forbid,
                                       "forbidden": self.forbidden}, exercise=exercise or "the set-up", replay=True)
                return
            except SandboxError:
                continue  # the failing answer is now in self.broken: start again without it
        raise SandboxError("the sandbox could not be restored after a failure\n"
                           "  hint: grading goes on with the other exercises.")

    # --- requests -----------------------------------------------------------------------------
    def _request(self, message: dict, exercise: str | None = None, what: str = "", replay: bool = False,
                 calls: int = 1):
        if not replay and (self.spent >= self.total_timeout or self.waited >= WALL_FACTOR * self.total_timeout):
            raise SandboxError(f"{what or 'your code'} was not run: the overall time limit of "
                               f"{self.total_timeout:g} s of CPU time for this notebook was used up\n"
                               "  hint: look for slow or endless loops in earlier answers.")
        # Replaying answers after a restart is the grader's time, not the student's.
        limit = self.call_timeout if replay else min(calls * self.call_timeout, self.total_timeout - self.spent)
        start = time.monotonic()
        data = None
        try:
            _send(self._out, _encode_request({**message, "cpu_limit": limit, "call_limit": self.call_timeout}))
            data = self._read_with_deadline(start + wall_backstop(limit))
        except (BrokenPipeError, OSError):
            data = None
        waited = time.monotonic() - start
        result = None
        if data is not None:
            try:
                result = _decode_result(data)
            except Exception:
                result = {"ok": False, "error_type": "TypeError",
                          "error": "your function returned an object that cannot be checked; "
                                   "return tensors, numbers, strings, lists, tuples or dicts"}
        over = False  # the call went on past its CPU-time limit: the student's code switched its timer off
        if not replay:
            self.waited += waited
            cpu = result.get("cpu") if isinstance(result, dict) else None
            over = isinstance(cpu, (int, float)) and cpu > limit + 1
            used = float(cpu) if isinstance(cpu, (int, float)) and 0 <= cpu <= limit + 1 else min(waited, limit)
            if isinstance(result, dict) and result.get("error_type") == "CPUTimeExceeded":
                used = max(used, limit)  # a call stopped at its limit used all of it (no rounding below)
            self.spent += used
        reason = None
        if data is None:
            reason = (f"did not finish within {wall_backstop(limit):.3g} s (waiting for input, sleeping "
                      "or blocked?)" if waited >= wall_backstop(limit) - 0.05
                      else "crashed the Python process running it (or went over its CPU time or memory limit)")
        elif result.get("error_type") == "CPUTimeExceeded" or over:
            reason = f"did not finish within {limit:.3g} s of CPU time (an endless loop?)"
        if reason is None:
            return result
        if exercise:
            self.broken[exercise] = reason
        if not replay and data is None:  # a failure while replaying is reported by the request that restarted
            self._restart()
        raise SandboxError(f"{what or 'your code'} {reason}\n"
                           "  hint: run it yourself on a small input; grading goes on with the other exercises.")

    def _read_with_deadline(self, deadline: float):
        if self._poll is None or self._polled is not self._in:
            self._poll, self._polled = select.poll(), self._in  # one per worker: made once, not per request
            self._poll.register(self._in, select.POLLIN)
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not self._poll.poll(remaining * 1000):
            return None
        return _recv(self._in)

    # --- what the grading notebook calls ------------------------------------------------------
    def setup(self, source: str) -> None:
        """Run a canonical set-up cell in the worker too (imports the student's code may use)."""
        self.history.append(("exec", source, None, ()))
        result = self._request({"op": "exec", "source": source, "exercise": None, "forbid": (),
                                "forbidden": self.forbidden}, what="set-up")
        if not result["ok"]:
            raise RuntimeError(f"set-up cell failed in the sandbox: {result['error']}")

    def define(self, source: str, exercise: str, names, forbid=(), inplace: bool = False) -> dict:
        """Run a student's solution cell in the worker; return proxies for ``names``.

        ``inplace``: the exercise's functions update their arguments (a
        training step, a callback that changes parameters); the new state of
        tensors, modules and optimisers passed in is copied back to the
        kernel's objects, as if the call had run there.
        """
        if inplace:
            self.inplace.add(exercise)
        self.history.append(("exec", source, exercise, tuple(forbid)))
        try:
            result = self._request({"op": "exec", "source": source, "exercise": exercise, "forbid": tuple(forbid),
                                    "forbidden": self.forbidden}, exercise=exercise, what=f"the answer cell of '{exercise}'")
        except SandboxError as err:
            self.definition_errors[exercise] = str(err)
            result = None
        if result is not None and not result["ok"]:
            self.definition_errors[exercise] = (f"your answer cell for '{exercise}' raised "
                                                f"{result['error_type']}: {result['error']}")
        return {name: Proxy(self, name, exercise) for name in names}

    def _refusal(self, what: str, exercise: str):
        """Why a call of ``exercise``'s code is not run at all (None: it is run)."""
        if exercise in self.broken:
            return SandboxError(f"{what} was not run: earlier, your code for '{exercise}' "
                                f"{self.broken[exercise]}\n  hint: fix that first.")
        if exercise in self.definition_errors and "NotImplementedError" not in self.definition_errors[exercise]:
            return SandboxError(self.definition_errors[exercise] + "\n  hint: run that cell yourself and read the traceback.")
        return None

    def call(self, name: str, exercise: str, args, kwargs):
        import torch

        what = f"{name}(...)"
        refusal = self._refusal(what, exercise)
        if refusal is not None:
            raise refusal
        leaves = grad_leaves(args, kwargs)
        handle = None
        if leaves:
            handle, self._next_handle = self._next_handle, self._next_handle + 1
        result = self._request({"op": "call", "name": name, "exercise": exercise, "handle": handle,
                                "args": tuple(args), "kwargs": dict(kwargs),
                                "leaves": [path for path, _ in leaves], "inplace": exercise in self.inplace},
                               exercise=exercise, what=what)
        value = _outcome(what, result)
        if isinstance(value, BaseException):
            raise value
        if exercise in self.inplace:  # only then: a reply's other fields are the student's to forge
            _update_arguments(args, kwargs, result.get("updated"))
        value = self._proxies(value, exercise)
        if handle is not None and torch.is_tensor(value) and result.get("grad_ready"):
            return _forward_function().apply(self, handle, value, *[t for _, t in leaves])
        return value

    def _proxies(self, value, exercise: str):
        """``value`` with each handle of a function left in the sandbox replaced by a proxy for it."""
        from lossbook.grading.wire import Handle

        if isinstance(value, Handle):
            return Proxy(self, value.name, exercise)
        if isinstance(value, (list, tuple)):
            return type(value)(self._proxies(v, exercise) for v in value)
        if isinstance(value, dict):
            return {k: self._proxies(v, exercise) for k, v in value.items()}
        return value

    def call_each(self, name: str, exercise: str, calls, grad_wrt=None) -> list:
        """Run ``name(*args, **kwargs)`` for every ``(args, kwargs)`` in ``calls``, in one round trip.

        Returns one entry per call: the value, or the exception the call raised
        (as :meth:`call` would have raised it). With ``grad_wrt=k`` an entry is
        ``(value, differentiable, gradient)``: the gradient of the value's sum
        with respect to ``args[k]``, by autograd in the worker (a list of
        ``k`` or ``None`` gives each call its own). Each call has its
        own CPU-time limit; after a call that times out or crashes the worker,
        the remaining calls are not run, as if they had been made one by one.
        """
        from lossbook.checks import per_call

        what = f"{name}(...)"
        refusal = self._refusal(what, exercise)
        if refusal is not None:
            return [refusal] * len(calls)
        message = {"op": "calls", "name": name, "exercise": exercise, "grad_wrt": grad_wrt, "inplace": exercise in self.inplace,
                   "calls": [(tuple(args), dict(kwargs)) for args, kwargs in calls]}
        try:
            result = self._request(message, exercise=exercise, what=what, calls=len(calls))
        except SandboxError as err:
            return [err] * len(calls)
        if not result["ok"] or not isinstance(result.get("value"), list):
            return [_outcome(what, result)] * len(calls)
        for reply in result["value"]:  # a call that went on past its limit: its timer was switched off
            cpu = reply.get("cpu") if isinstance(reply, dict) else None
            if isinstance(cpu, (int, float)) and cpu > self.call_timeout + 1 and reply.get("ok"):
                reply.update(ok=False, error_type="CPUTimeExceeded", error="")
        outcomes = [_outcome(what, reply) for reply in result["value"][:len(calls)]]
        for (args, kwargs), reply, outcome in zip(calls, result["value"], outcomes):
            if exercise in self.inplace and not isinstance(outcome, BaseException):
                _update_arguments(args, kwargs, reply.get("updated"))
        outcomes = [o if isinstance(o, BaseException) else self._proxies(o, exercise) for o in outcomes]
        for i, reply in enumerate(result["value"][:len(outcomes)]):
            if isinstance(reply, dict) and reply.get("error_type") == "CPUTimeExceeded":
                self.broken[exercise] = f"did not finish within {self.call_timeout:.3g} s of CPU time (an endless loop?)"
                outcomes[i] = SandboxError(f"{what} {self.broken[exercise]}\n"
                                           "  hint: run it yourself on a small input; grading goes on with the other exercises.")
        while len(outcomes) < len(calls):
            outcomes.append(self._refusal(what, exercise) or SandboxError(f"{what} was not run"))
        return [o if isinstance(o, BaseException) or wrt is None else
                (o, bool(reply.get("differentiable")), reply.get("grad"))
                for o, reply, wrt in zip(outcomes, result["value"] + [{}] * len(calls), per_call(grad_wrt, len(calls)))]


def _outcome(what: str, result: dict):
    """The value a call returned, or the exception to raise for it (never raised here)."""
    if not isinstance(result, dict):
        return SandboxError(f"{what} returned a reply that cannot be read")
    if not result.get("ok"):
        kind, message = str(result.get("error_type")), str(result.get("error"))
        if kind == "NotImplementedError":
            return NotImplementedError(message)
        if kind == "ForbiddenCall":
            return SandboxError(message)
        return _rebuild(kind, message)
    mutated = result.get("mutated") or []
    if mutated:
        where = ", ".join(f"argument {k + 1}" if isinstance(k, int) else f"argument {k!r}" for k in mutated)
        return SandboxError(f"{what} changed its input tensors in place ({where})\n"
                            "  hint: a loss must not modify its inputs; work on a copy (x = x.clone()) "
                            "or use out-of-place operations (x = x - 1, not x -= 1).")
    return result.get("value")


def _detached(obj):
    import torch

    if torch.is_tensor(obj):  # sent as a copy: detaching suffices
        return obj.detach().requires_grad_(obj.requires_grad)
    if isinstance(obj, (list, tuple)):
        return type(obj)(_detached(o) for o in obj)
    if isinstance(obj, dict):
        return {k: _detached(v) for k, v in obj.items()}
    return obj


def _update_arguments(args, kwargs, updated) -> None:
    """Apply the new state of arguments an in-place exercise changed in the worker to the kernel's objects.

    Only for an exercise the key marks in-place: the worker is the student's process, and a reply that
    rewrote the kernel's arguments of another exercise could change the data its test computes with.
    """
    import torch

    for key, state in (updated or {}).items():
        target = kwargs.get(key) if isinstance(key, str) else args[key] if key < len(args) else None
        if torch.is_tensor(target) and torch.is_tensor(state) and state.shape == target.shape:
            with torch.no_grad():
                target.copy_(state)
        elif isinstance(target, (torch.nn.Module, torch.optim.Optimizer)) and isinstance(state, dict):
            target.load_state_dict(state)


def _rebuild(kind: str, message: str) -> Exception:
    """Re-raise a student's exception in the kernel by type name (only built-in types)."""
    import builtins

    cls = getattr(builtins, kind, None)
    if isinstance(cls, type) and issubclass(cls, Exception):
        try:
            return cls(message)
        except Exception:
            pass
    return RuntimeError(f"{kind}: {message}")


# --- the zygote: a clean process that forks workers ----------------------------------------------

_ZYGOTES = {}  # isolated (bool) -> this process's zygote


class _Zygote:
    """A process that imports torch once and forks a worker per sandbox.

    Isolated (the default), it is a fresh interpreter started inside bubblewrap
    (:func:`lossbook.grading.isolation.zygote_command`), and each worker it forks enters
    namespaces of its own. Trusted (``isolated=False``, for submissions an
    instructor trusts), it is a fork of the grading kernel taken before any
    test runs. Either way forking a worker takes milliseconds instead of the
    second it takes a new interpreter to import torch, and the worker sees
    nothing of what the kernel did later (hidden tests included).
    """

    def __init__(self, isolated: bool, preload=()):
        self.isolated = isolated
        self._channel, child = socket.socketpair()
        if isolated:
            from lossbook.grading import isolation

            self.process = subprocess.Popen(
                isolation.zygote_command(["-m", "lossbook.grading.sandbox", "--zygote", str(child.fileno()),
                                          ",".join(preload)]),
                pass_fds=(child.fileno(),), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, start_new_session=True)
            child.close()
            self.pid = self.process.pid
        else:
            self.process = None
            self.pid = os.fork()
            if self.pid == 0:
                try:
                    self._channel.close()
                    _zygote_loop(child, isolated=False, preload=preload)
                finally:
                    os._exit(0)
            child.close()

    def alive(self) -> bool:
        if self.process is not None:
            return self.process.poll() is None
        try:
            os.kill(self.pid, 0)
            return True
        except OSError:
            return False

    def spawn(self, cpu_cap: float):
        channel, worker_end = socket.socketpair()
        try:
            socket.send_fds(self._channel, [b"spawn" + struct.pack(">i", int(cpu_cap))], [worker_end.fileno()])
            reply = _recv_exactly(self._channel, 4, timeout=STARTUP_TIMEOUT)
        finally:
            worker_end.close()
        if reply is None:
            channel.close()
            raise RuntimeError("the sandbox could not start a worker")
        pid = struct.unpack(">i", reply)[0]
        if pid <= 0:
            channel.close()
            raise RuntimeError("the sandbox could not start a worker")
        return pid, channel

    def kill(self, pid: int) -> None:
        """Kill a worker and, since it is process 1 of its namespace when isolated, all it started."""
        if not self.isolated:
            try:
                os.killpg(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            return
        try:
            self._channel.sendall(b"kill" + struct.pack(">i", pid))
            _recv_exactly(self._channel, 4, timeout=10)
        except OSError:
            pass

    def close(self) -> None:
        try:
            self._channel.close()
        except OSError:
            pass
        if self.process is not None:
            self.process.kill()
            self.process.wait()
        elif self.alive():
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)


def _recv_exactly(sock, size: int, timeout: float):
    sock.settimeout(timeout)
    try:
        data = b""
        while len(data) < size:
            part = sock.recv(size - len(data))
            if not part:
                return None
            data += part
        return data
    except OSError:
        return None
    finally:
        sock.settimeout(None)


def start_zygote(isolated: bool = True, preload=()) -> "_Zygote":
    """This process's zygote (started once; again if it died). Start it before any test runs.

    ``preload`` names modules the zygote imports once for all its workers (the
    ones the key's set-up cells import: each worker runs those cells too).
    """
    zygote = _ZYGOTES.get(isolated)
    if zygote is None or not zygote.alive():
        if zygote is not None:
            zygote.close()
        zygote = _ZYGOTES[isolated] = _Zygote(isolated, tuple(preload))
    return zygote


def _preload(modules) -> None:
    import importlib

    for name in modules:
        loaded = set(sys.modules)
        try:
            importlib.import_module(name)
        except Exception:  # not installed, or needs a writable folder:
            for partial in set(sys.modules) - loaded:  # each worker imports it again, as if not preloaded
                del sys.modules[partial]


def _zygote_loop(channel, isolated: bool, preload=()) -> None:
    """Fork a worker for each request on ``channel``; kill workers on request."""
    _become_quiet()
    _preload(preload)
    _warm_up()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped automatically
    if isolated:
        from lossbook.grading import isolation

        isolation.protect_from_ptrace()
    while True:
        message, fds, _, _ = socket.recv_fds(channel, 16, 1)
        if message.startswith(b"kill") and len(message) == 8:
            try:
                os.kill(struct.unpack(">i", message[4:])[0], signal.SIGKILL)
            except OSError:
                pass
            channel.sendall(b"\0\0\0\0")
            continue
        if not message.startswith(b"spawn") or not fds:
            return
        (cpu_cap,) = struct.unpack(">i", message[5:9])
        pid = _fork_worker(fds[0], channel, cpu_cap, isolated)
        os.close(fds[0])
        channel.sendall(struct.pack(">i", pid))


def _warm_up() -> None:
    """Pay once, in the zygote, the first-use costs every worker would pay again after its fork.

    Registering the "from scratch" guard's kernels, autograd and encoding a
    result each cost a little on first use. (Autograd given explicit output
    gradients imports SymPy, most of a second; the worker avoids that path.)
    Seeding records a stack trace for CUDA, whose source lines are then read.
    """
    import torch

    torch.manual_seed(0)  # every set-up cell seeds; the workers find the source lines cached

    x = torch.linspace(-2, 2, 8, dtype=torch.float64, requires_grad=True)
    guard = _KernelGuard()
    guard.arm(("torch.nn.functional.huber_loss",), "warm-up")
    guard.disarm()
    loss = torch.nn.functional.huber_loss(x, x.detach().flip(0))
    torch.autograd.grad(loss, x)
    _decode_result(_encode_result({"value": [x.detach().float(), 1, "a", None]}))


def _fork_worker(fd: int, channel, cpu_cap: int, isolated: bool) -> int:
    """Fork a worker serving on ``fd``; return its pid as this process sees it (-1 if it failed)."""
    if not isolated:
        pid = os.fork()
        if pid == 0:
            channel.close()
            os.setsid()
            _serve(socket.socket(fileno=fd), cpu_cap)
            os._exit(0)
        return pid
    from lossbook.grading import isolation

    read_end, write_end = os.pipe()
    middle = os.fork()
    if middle == 0:  # enters new namespaces; its child is process 1 there
        try:
            channel.close()
            os.close(read_end)
            isolation.enter_worker_namespaces()
            pid = os.fork()
            if pid == 0:
                os.close(write_end)
                os.setsid()
                isolation.private_mounts()
                _serve(socket.socket(fileno=fd), cpu_cap)
                os._exit(0)
            os.write(write_end, struct.pack(">i", pid))
        except BaseException:
            os.write(write_end, struct.pack(">i", -1))
        finally:
            os._exit(0)
    os.close(write_end)
    data = os.read(read_end, 4)
    os.close(read_end)
    return struct.unpack(">i", data)[0] if len(data) == 4 else -1


def _become_quiet() -> None:
    """Point stdin/stdout/stderr at /dev/null so a worker cannot write into the kernel's streams."""
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    sys.stdout = sys.stderr = _CappedWriter()


# --- the worker ---------------------------------------------------------------------------------

class _CappedWriter(io.TextIOBase):
    """Keeps the first OUTPUT_LIMIT characters written, drops the rest."""

    def __init__(self):
        self.kept = []
        self.size = 0

    def write(self, text):
        if self.size < OUTPUT_LIMIT:
            self.kept.append(text[: OUTPUT_LIMIT - self.size])
        self.size += len(text)
        return len(text)


def _install_tripwires(state: dict) -> None:
    """Wrap library functions so a call made while an exercise forbids them raises ForbiddenCall.

    A function whose module is not imported yet is wrapped when the student's
    code imports that module (:class:`_TripwiresOnImport`): importing it here,
    in every worker, would cost up to a second (``scipy.optimize``) for nothing.
    """
    state.setdefault("pending", set()).update(state["all_forbidden"])
    if not any(isinstance(finder, _TripwiresOnImport) for finder in sys.meta_path):
        sys.meta_path.insert(0, _TripwiresOnImport(state))
    _wrap_imported(state)


def _wrap_imported(state: dict) -> None:
    """Wrap each pending forbidden function whose module (or class) is imported by now."""
    for qualified in sorted(state["pending"]):
        module_name, _, attr = qualified.rpartition(".")
        parent, _, cls_name = module_name.rpartition(".")
        owner = sys.modules.get(module_name)
        if owner is None and parent in sys.modules:  # torch.Tensor.mean: a class of an imported module
            owner = vars(sys.modules[parent]).get(cls_name)
            owner = owner if isinstance(owner, type) else None
        if owner is None:
            continue
        state["pending"].discard(qualified)
        original = getattr(owner, attr, None)
        if original is None or getattr(original, "_lossbook_tripwire", False):
            continue
        try:
            setattr(owner, attr, _tripwire(qualified, original, state))
        except (AttributeError, TypeError):
            pass


def _tripwire(qualified: str, original, state: dict):
    def tripwire(*args, **kwargs):
        if qualified in state["forbid"]:
            raise ForbiddenCall(f"'{state['exercise']}' asks you to write this from scratch, "
                                f"but your code calls {qualified}\n"
                                "  hint: compute it with elementary tensor operations instead.")
        return original(*args, **kwargs)

    tripwire._lossbook_tripwire = True
    return tripwire


class _TripwiresOnImport:
    """An import hook: once a module holding forbidden functions is imported, wrap them."""

    def __init__(self, state: dict):
        self.state = state

    def find_spec(self, name, path=None, target=None):
        if not any(qualified.startswith(name + ".") for qualified in self.state["pending"]):
            return None
        for finder in sys.meta_path:  # the spec the other finders would give, with a loader that wraps after
            if finder is not self and hasattr(finder, "find_spec"):
                spec = finder.find_spec(name, path, target)
                if spec is not None:
                    if hasattr(spec.loader, "exec_module"):
                        spec.loader = _WrapAfterLoading(spec.loader, self.state)
                    return spec
        return None


class _WrapAfterLoading:
    """A module loader that wraps the pending forbidden functions once the module has run."""

    def __init__(self, loader, state: dict):
        self._loader, self._state = loader, state

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        _wrap_imported(self._state)

    def __getattr__(self, name):  # resources and the rest: the real loader's
        return getattr(self._loader, name)


def _serve(channel, cpu_cap: float = 2 * DEFAULT_TOTAL_TIMEOUT) -> None:
    """Answer requests on ``channel`` (a socket) until it closes."""
    import contextlib

    import torch

    from lossbook.grading import isolation

    _become_quiet()
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the zygote ignores it; the student's subprocesses need it
    signal.signal(signal.SIGPROF, _cpu_time_exceeded)
    torch.set_num_threads(1)
    isolation.limit_resources(MEMORY_LIMIT, cpu_cap)
    incoming, outgoing = channel.makefile("rb"), channel.makefile("wb")
    _send(outgoing, READY)
    namespace = {"__name__": "__main__"}
    namespace["get_ipython"] = _ipython_for(namespace)
    state = {"forbid": (), "exercise": None, "all_forbidden": set(), "forbid_by_exercise": {}, "guard": _KernelGuard()}
    graphs = {}
    while True:
        data = _recv(incoming)
        if data is None:
            return
        message = _decode_request(data)
        writer = _CappedWriter()
        used = _cpu_seconds()
        try:
            _limit_cpu(float(message.get("cpu_limit", DEFAULT_CALL_TIMEOUT)))
            with contextlib.redirect_stdout(writer), contextlib.redirect_stderr(writer):
                value = _handle(message, namespace, state, graphs)
            reply = {"ok": True, **value}
        except BaseException as err:  # the student's exception (even SystemExit), reported as data
            reply = {"ok": False, "error_type": type(err).__name__, "error": str(err)[:2000]}
        finally:
            state["forbid"], state["exercise"] = (), None
            _limit_cpu(None)
        reply["cpu"] = _cpu_seconds() - used
        try:
            payload = _encode_result(reply)
        except Exception as err:
            if message.get("op") == "calls" and reply["ok"]:  # say which calls' results cannot be sent back
                payload = _encode_result(_sendable_batch(reply))
            else:
                payload = _encode_result({"ok": False, "error_type": "TypeError", "cpu": reply["cpu"],
                                          "error": f"the result cannot be checked ({err.__class__.__name__}); "
                                                   "return tensors, numbers, strings, lists, tuples or dicts"})
        _send(outgoing, payload)


def _cpu_seconds() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _limit_cpu(seconds: float | None) -> None:
    """Raise CPUTimeExceeded in this process after ``seconds`` of its CPU time (None: cancel).

    A profiling timer is precise to milliseconds; student code that cancels it
    still meets the hard RLIMIT_CPU set when the worker started.
    """
    signal.setitimer(signal.ITIMER_PROF, 0 if seconds is None else max(seconds, 0.001))


def _cpu_time_exceeded(signum, frame):
    _limit_cpu(None)
    raise CPUTimeExceeded("the call used up its CPU time")


def _ipython_for(namespace: dict):
    """``get_ipython()`` for answers that use IPython syntax (magics, ``!`` lines), as Jupyter runs them."""
    shell = []

    def get_ipython():
        if not shell:
            from IPython.core.interactiveshell import InteractiveShell
            from traitlets.config import Config

            class AnswerShell(InteractiveShell):
                def enable_gui(self, gui=None):  # no event loop here: %matplotlib inline just sets the backend
                    pass

            config = Config()
            config.HistoryManager.enabled = False
            instance = AnswerShell.instance(config=config, user_ns=namespace)
            instance.system = instance.system_raw  # ! lines run in a plain subprocess, inside the sandbox
            shell.append(instance)
        return shell[0]

    return get_ipython


def _aten_names(forbid) -> set:
    """The ATen loss kernels behind forbidden torch loss functions (``torch.nn.functional.huber_loss`` -> huber_loss).

    Only loss kernels: generic operators (mean, sort, ...) also run inside the
    functions a check hands to the answer, so they are caught by name only.
    """
    names = set()
    for qualified in forbid:
        name = qualified.rsplit(".", 1)[-1]
        if not qualified.startswith("torch.") or not name[:1].islower():
            continue
        if name == "cross_entropy":
            names |= {"nll_loss_forward", "nll_loss2d_forward", "nll_loss_nd", "cross_entropy_loss"}
        elif "loss" in name or name in ("binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div"):
            names |= {name, f"_{name}", f"{name}_forward", f"_{name}_forward"}
    return names


class _KernelGuard:
    """Refuses, at PyTorch's dispatcher, the loss kernels that the current exercise forbids.

    Whatever path leads to a forbidden kernel (an alias, a closure unwrapped,
    ``torch._C._nn`` or ``torch.ops.aten`` called directly), the dispatcher
    reaches the refusing kernel registered here for the CPU and CPU-autograd
    keys instead. The registration stays while consecutive requests belong to
    the same exercise: registering takes about 2 ms once, where a Python
    dispatch mode would cost tens of microseconds on every operator.
    """

    def __init__(self):
        self._armed_for, self._library, self._last = None, None, None

    def arm(self, forbid, exercise) -> None:
        if self._last is not None and self._last[0] is forbid and self._last[1] == exercise:
            return  # the same exercise's calls, one after another
        self._last = (forbid, exercise)
        names = frozenset(_aten_names(forbid))
        if (names, exercise) == self._armed_for:
            return
        self.disarm()
        if names:
            self._library = _refusing_library(names, exercise)
        self._armed_for = (names, exercise)

    def disarm(self) -> None:
        if self._library is not None:
            self._library._destroy()
        self._library, self._armed_for, self._last = None, None, None


def _refusing_library(names, exercise):
    import warnings

    import torch

    def refuse(op):
        def kernel(*args, **kwargs):
            raise ForbiddenCall(f"'{exercise}' asks you to write this from scratch, but your code runs "
                                f"PyTorch's {op.strip('_').removesuffix('_forward')} kernel\n"
                                "  hint: compute it with elementary tensor operations instead.")
        return kernel

    library = torch.library.Library("aten", "IMPL")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "overriding a previously registered kernel": that is the point
        for name in sorted(names):
            try:
                packet = getattr(torch.ops.aten, name)
            except (AttributeError, RuntimeError):
                continue
            for overload in packet.overloads():
                qualified = name if overload == "default" else f"{name}.{overload}"
                for key in ("CPU", "AutogradCPU"):
                    library.impl(qualified, refuse(name), key)
    return library


def _handle(message: dict, namespace: dict, state: dict, graphs: dict) -> dict:
    import torch

    op = message["op"]
    if op == "exec":
        forbid = tuple(message.get("forbid", ()))
        for exercise, names in (message.get("forbidden") or {}).items():  # every exercise's, from the start
            state["forbid_by_exercise"].setdefault(exercise, tuple(names))
            state["all_forbidden"].update(names)
        if message.get("exercise"):
            state["forbid_by_exercise"][message["exercise"]] = forbid
            state["all_forbidden"].update(forbid)
        if state["all_forbidden"]:
            _install_tripwires(state)
        # The answer cell runs under its exercise's rules too: no precomputing the checks' cases with the library.
        state["forbid"], state["exercise"] = forbid, message.get("exercise")
        code = compile(message["source"], f"<answer {message.get('exercise') or 'set-up'}>", "exec")
        state["guard"].arm(forbid, message.get("exercise"))
        exec(code, namespace)
        return {"value": None}
    if op == "call":
        return _call_one(message, message["args"], message["kwargs"], namespace, state, graphs)
    if op == "calls":
        return {"value": _call_each(message, namespace, state)}
    if op == "vjp":  # may come several times for one result (torch.autograd.gradcheck does that)
        if message["handle"] not in graphs:
            raise RuntimeError("that result's graph is no longer kept")
        value, leaves = graphs[message["handle"]]
        inputs = [t for t in leaves if t is not None and t.requires_grad]
        # The vector-Jacobian product as the gradient of <value, grad>: the same numbers, without the
        # output-gradient path of autograd (which imports SymPy on first use).
        weighted = (value * message["grad"].to(value.dtype)).sum()
        grads = iter(torch.autograd.grad(weighted, inputs, retain_graph=True, allow_unused=True) if inputs else ())
        return {"value": [next(grads) if t is not None and t.requires_grad else None for t in leaves]}
    raise ValueError(f"unknown request {op!r}")


def _call_one(message: dict, args, kwargs, namespace: dict, state: dict, graphs: dict | None,
              grad_wrt: int | None = None, sent=None) -> dict:
    """Call the student's function once; note inputs it modified; keep its graph for a later VJP.

    ``sent``: the arguments as they arrived, if ``args`` and ``kwargs`` are copies of them (else a copy is
    kept here to tell whether the call modified its inputs).
    """
    import torch

    fn = namespace.get(message["name"])
    if fn is None:
        raise NameError(f"your answer does not define {message['name']}")
    kept, kept_kwargs = sent if sent is not None else (
        [a.detach().clone() if torch.is_tensor(a) else a for a in args],
        {k: v.detach().clone() if torch.is_tensor(v) else v for k, v in kwargs.items()})
    before = {i: a.detach() for i, a in enumerate(kept) if torch.is_tensor(a)}
    before.update({k: v.detach() for k, v in kept_kwargs.items() if torch.is_tensor(v)})
    leaves = _at_paths(args, kwargs, message.get("leaves") or [])  # before the call, as the kernel sent them
    state["forbid"] = state["forbid_by_exercise"].get(message["exercise"], ())
    state["exercise"] = message["exercise"]
    state["guard"].arm(state["forbid"], message["exercise"])
    value = fn(*args, **kwargs)
    state["forbid"], state["exercise"] = (), None
    mutated = []
    for key, old in before.items():
        new = args[key] if isinstance(key, int) else kwargs[key]
        if not _unchanged(new.detach(), old):
            mutated.append(key)
    reply = {"value": _plain(value, namespace), "mutated": mutated}
    if message.get("inplace"):  # the exercise updates its arguments in place: send the new state back
        reply["mutated"], reply["updated"] = [], _updated_arguments(args, kwargs, mutated)
    differentiable = torch.is_tensor(value) and value.requires_grad
    if grad_wrt is not None:
        reply["differentiable"], reply["grad"] = differentiable, None
        if differentiable and grad_wrt < len(args) and torch.is_tensor(args[grad_wrt]) and args[grad_wrt].requires_grad:
            (grad,) = torch.autograd.grad(value.sum(), args[grad_wrt], allow_unused=True)
            reply["grad"] = None if grad is None else grad.detach()
    elif message.get("handle") is not None and differentiable and graphs is not None:
        graphs[message["handle"]] = (value, leaves)
        while len(graphs) > KEPT_GRAPHS:
            graphs.pop(next(iter(graphs)))
        reply["grad_ready"] = True
    return reply


def grad_leaves(args, kwargs) -> list:
    """Every tensor requiring grad reachable from a call's arguments: ``(path, tensor)`` pairs.

    Tensors, the parameters of modules, and what functions close over (a
    critic built as a closure over its weights), through lists, tuples and
    dicts. The kernel walks its arguments; the worker finds the same paths in
    its copies (:func:`_at_paths`), so gradients computed in the worker reach
    the kernel's tensors.
    """
    import torch

    found, seen = [], set()

    def walk(obj, path, depth):
        if torch.is_tensor(obj):
            if obj.requires_grad:
                found.append((path, obj))
            return
        if depth > 6 or id(obj) in seen:
            return
        seen.add(id(obj))
        if isinstance(obj, torch.nn.Module):
            for n, parameter in enumerate(obj.parameters()):
                walk(parameter, path + [["p", n]], depth + 1)
        elif isinstance(obj, (list, tuple)):
            for n, item in enumerate(obj):
                walk(item, path + [["i", n]], depth + 1)
        elif isinstance(obj, dict):
            for key, item in obj.items():
                if isinstance(key, (str, int)):
                    walk(item, path + [["k", key]], depth + 1)
        elif callable(obj) and getattr(obj, "__closure__", None):
            for n, cell in enumerate(obj.__closure__):
                try:
                    walk(cell.cell_contents, path + [["c", n]], depth + 1)
                except ValueError:  # an empty cell
                    pass

    walk([tuple(args), dict(kwargs)], [], 0)
    return found


def _at_paths(args, kwargs, paths) -> list:
    """The tensors at ``paths`` (from :func:`grad_leaves`) in the worker's copies; None for one met before."""
    found, seen = [], set()
    for path in paths:
        obj = [tuple(args), dict(kwargs)]
        try:
            for kind, where in path:
                obj = (list(obj.parameters())[where] if kind == "p" else obj.__closure__[where].cell_contents
                       if kind == "c" else obj[where])
        except (IndexError, KeyError, TypeError, AttributeError, ValueError):
            obj = None
        if obj is not None and id(obj) in seen:
            obj = None  # the same tensor twice (pickling kept it one object): its gradient is given once
        if obj is not None:
            seen.add(id(obj))
        found.append(obj)
    return found


def _updated_arguments(args, kwargs, mutated) -> dict:
    """The new state of arguments an in-place exercise changed: tensors, modules, optimisers."""
    import torch

    updated = {}
    for key, value in [*enumerate(args), *kwargs.items()]:
        if torch.is_tensor(value) and key in mutated:
            updated[key] = value.detach()
        elif isinstance(value, (torch.nn.Module, torch.optim.Optimizer)):
            updated[key] = {k: v.detach() if torch.is_tensor(v) else v for k, v in value.state_dict().items()}
    return updated


def _call_each(message: dict, namespace: dict, state: dict) -> list:
    """Replies to a batch of calls, each under its own CPU-time limit; stops after a call that timed out."""
    replies, start = [], _cpu_seconds()
    budget = float(message.get("cpu_limit", DEFAULT_CALL_TIMEOUT))
    call_limit = float(message.get("call_limit", DEFAULT_CALL_TIMEOUT))
    from lossbook.checks import per_call

    calls = _own_inputs(message["calls"])
    for (args, kwargs), sent, wrt in zip(calls, message["calls"], per_call(message.get("grad_wrt"), len(calls))):
        before = _cpu_seconds()
        try:
            _limit_cpu(max(min(call_limit, budget - (before - start)), 0.001))
            reply = {"ok": True, **_call_one(message, args, kwargs, namespace, state, None, wrt, sent=sent)}
            _limit_cpu(None)
        except BaseException as err:  # the student's exception, reported as data
            _limit_cpu(None)
            reply = {"ok": False, "error_type": type(err).__name__, "error": str(err)[:2000]}
        reply["cpu"] = _cpu_seconds() - before
        replies.append(reply)
        if reply.get("error_type") == "CPUTimeExceeded":
            break
    return replies


def _own_inputs(calls) -> list:
    """The calls of a batch, each with copies of its own of the tensors it was sent (made before any runs),
    so a call that modifies an input changes no other call's; the tensors as sent stay as they were, for
    telling whether a call modified its copies."""
    import torch

    def own(value):
        return value.detach().clone().requires_grad_(value.requires_grad) if torch.is_tensor(value) else value

    return [(tuple(own(a) for a in args), {k: own(v) for k, v in kwargs.items()}) for args, kwargs in calls]


def _sendable_batch(reply: dict) -> dict:
    """A batch's reply in which each call whose result cannot be sent back says so (the others are kept)."""
    return {**reply, "value": [_sendable(one) for one in reply["value"]]}


def _sendable(reply: dict) -> dict:
    """``reply``, or the error saying that its value cannot be sent back."""
    try:
        _encode_result(reply)
        return reply
    except Exception as err:
        return {"ok": False, "error_type": "TypeError",
                "error": f"the result cannot be checked ({err}); return tensors, numbers, strings, lists, tuples or dicts"}


def _unchanged(new, old) -> bool:
    """Same shape, dtype and values, NaN where NaN was: equal, or else equal bit for bit."""
    import torch

    if new.shape != old.shape or new.dtype != old.dtype:
        return False
    if torch.equal(new, old):
        return True  # (only the sign of a zero could differ: not worth a report)
    from lossbook.grading.wire import dense_copy

    return torch.equal(dense_copy(new).view(torch.uint8), dense_copy(old).view(torch.uint8))


def _plain(value, namespace: dict):
    """Detached tensors in plain containers; a function (or model) returned stays here, sent as a handle."""
    import torch

    from lossbook.grading.wire import Handle

    if torch.is_tensor(value):
        return value.detach()
    if isinstance(value, tuple):
        return tuple(_plain(v, namespace) for v in value)
    if isinstance(value, list):
        return [_plain(v, namespace) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v, namespace) for k, v in value.items()}
    if callable(value) and not isinstance(value, type):
        name = f"__returned_{len([k for k in namespace if k.startswith('__returned_')])}"
        namespace[name] = value
        return Handle(name)
    return value


if __name__ == "__main__":
    if sys.argv[1:2] == ["--zygote"]:  # started by _Zygote inside bubblewrap
        import torch  # noqa: F401  (imported once here, shared by every worker it forks)

        _zygote_loop(socket.socket(fileno=int(sys.argv[2])), isolated=True, preload=sys.argv[3].split(",")[:200])
