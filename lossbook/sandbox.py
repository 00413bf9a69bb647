"""Run a student's code in a separate process, out of reach of the checks.

When an exercise is graded, the student's solution code runs in a *worker*
process. The checks run in the grading kernel and reach the student's
functions only through :class:`Proxy` objects that send the arguments to the
worker and receive the result as plain data (tensors, numbers, strings, lists,
tuples, dicts). Whatever the student's code patches (``assert`` helpers,
``torch.testing``, ``numpy.allclose``, the book's own checks) is patched in the
worker, never where the decisive comparison happens.

The worker is also where the grader enforces limits: a time limit per call, an
overall time limit, capped output and memory. A call that hangs, ignores
interrupts or kills its process fails that exercise only: the worker is
restarted, the set-up and the other answers are replayed, and grading goes on.

Results travel back through ``torch.save``/``torch.load(weights_only=True)``,
which refuses to build arbitrary objects, so a crafted result cannot run code
in the grading kernel.
"""

import io
import os
import signal
import socket
import struct
import subprocess
import sys
import time

import cloudpickle

# torch is imported inside functions: the grading kernel starts the worker
# first, so that both processes import torch at the same time.

DEFAULT_CALL_TIMEOUT = 10.0
DEFAULT_TOTAL_TIMEOUT = 120.0
STARTUP_TIMEOUT = 120.0  # seconds for a fresh worker to import torch
READY = b"ready"
OUTPUT_LIMIT = 10_000  # characters of printed output kept per request
MEMORY_LIMIT = 6 * 1024**3  # bytes of address space for the worker


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
    import torch

    buffer = io.BytesIO()
    torch.save(result, buffer)
    return buffer.getvalue()


def _decode_result(data: bytes) -> dict:
    import torch

    return torch.load(io.BytesIO(data), weights_only=True)


class SandboxError(AssertionError):
    """The student's code timed out, crashed its process or broke a rule (a failed check)."""


class ForbiddenCall(Exception):
    """Raised in the worker when a 'from scratch' answer calls the library function it should replace."""


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

    def __repr__(self):
        return f"<student function {self.__name__}>"


_OPEN = []  # sandboxes of this process, closed by close_all()


def close_all() -> None:
    """Stop every sandbox worker this process started (between graded submissions)."""
    while _OPEN:
        _OPEN.pop().close()


class Sandbox:
    """A worker process holding the student's code; see the module docstring."""

    def __init__(self, call_timeout: float = DEFAULT_CALL_TIMEOUT, total_timeout: float = DEFAULT_TOTAL_TIMEOUT):
        self.call_timeout, self.total_timeout = call_timeout, total_timeout
        self.spent = 0.0
        self.history = []  # (kind, source, exercise, forbid) replayed after a restart
        self.broken = {}  # exercise -> reason its code was dropped
        self.definition_errors = {}  # exercise -> error raised while defining its answer
        self._next_handle = 0
        self._start()
        _OPEN.append(self)

    # --- process management -------------------------------------------------------------------
    def _start(self):
        if _ZYGOTE is not None and _ZYGOTE.alive():
            self.pid, channel = _ZYGOTE.spawn()
            self.process = None
        else:  # no zygote in this process: start a fresh interpreter (slower: it imports torch)
            channel, child_end = socket.socketpair()
            self.process = subprocess.Popen(
                [sys.executable, "-m", "lossbook.sandbox", str(child_end.fileno())],
                pass_fds=(child_end.fileno(),), stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
            )
            child_end.close()
            self.pid = self.process.pid
        self._socket = channel
        self._out = channel.makefile("wb")
        self._in = channel.makefile("rb")
        # Wait for the worker's greeting: start-up time is not the student's time.
        if self._read_with_deadline(time.monotonic() + STARTUP_TIMEOUT) != READY:
            raise RuntimeError("the sandbox worker did not start")

    def _kill(self):
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if self.process is not None:
            self.process.wait()
        for stream in (self._in, self._out, self._socket):
            try:
                stream.close()
            except OSError:
                pass

    def close(self):
        self._kill()

    def _restart(self):
        self._kill()
        self._start()
        for kind, source, exercise, forbid in self.history:
            if exercise not in self.broken:
                self._request({"op": kind, "source": source, "exercise": exercise, "forbid": forbid}, replay=True)

    # --- requests -----------------------------------------------------------------------------
    def _request(self, message: dict, exercise: str | None = None, what: str = "", replay: bool = False):
        if self.spent >= self.total_timeout and not replay:
            raise SandboxError(f"{what or 'your code'} was not run: the overall time limit of "
                               f"{self.total_timeout:g} s for this notebook was used up\n"
                               "  hint: look for slow or endless loops in earlier answers.")
        start = time.monotonic()
        # Replaying answers after a restart is the grader's time, not the student's.
        limit = self.call_timeout if replay else min(self.call_timeout, self.total_timeout - self.spent)
        data = None
        try:
            _send(self._out, cloudpickle.dumps(message))
            data = self._read_with_deadline(start + limit)
        except (BrokenPipeError, OSError):
            data = None
        finally:
            if not replay:
                self.spent += time.monotonic() - start
        if data is None:
            timed_out = time.monotonic() - start >= limit - 0.05
            reason = (f"did not finish within {limit:.3g} s (an endless loop?)" if timed_out
                      else "crashed the Python process running it")
            if exercise:
                self.broken[exercise] = reason
            if not replay:  # a failure while replaying is reported by the request that restarted
                self._restart()
            raise SandboxError(f"{what or 'your code'} {reason}\n"
                               "  hint: run it yourself on a small input; grading goes on with the other exercises.")
        try:
            return _decode_result(data)
        except Exception:
            return {"ok": False, "error_type": "TypeError",
                    "error": "your function returned an object that cannot be checked; "
                             "return tensors, numbers, strings, lists, tuples or dicts"}

    def _read_with_deadline(self, deadline: float):
        import selectors

        selector = selectors.DefaultSelector()
        selector.register(self._in, selectors.EVENT_READ)
        try:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not selector.select(timeout=remaining):
                return None
            return _recv(self._in)
        finally:
            selector.close()

    # --- what the grading notebook calls ------------------------------------------------------
    def setup(self, source: str) -> None:
        """Run a canonical set-up cell in the worker too (imports the student's code may use)."""
        self.history.append(("exec", source, None, ()))
        result = self._request({"op": "exec", "source": source, "exercise": None, "forbid": ()}, what="set-up")
        if not result["ok"]:
            raise RuntimeError(f"set-up cell failed in the sandbox: {result['error']}")

    def define(self, source: str, exercise: str, names, forbid=()) -> dict:
        """Run a student's solution cell in the worker; return proxies for ``names``."""
        self.history.append(("exec", source, exercise, tuple(forbid)))
        try:
            result = self._request({"op": "exec", "source": source, "exercise": exercise, "forbid": tuple(forbid)},
                                   exercise=exercise, what=f"the answer cell of '{exercise}'")
        except SandboxError as err:
            self.definition_errors[exercise] = str(err)
            result = None
        if result is not None and not result["ok"]:
            self.definition_errors[exercise] = (f"your answer cell for '{exercise}' raised "
                                                f"{result['error_type']}: {result['error']}")
        return {name: Proxy(self, name, exercise) for name in names}

    def call(self, name: str, exercise: str, args, kwargs):
        import torch

        what = f"{name}(...)"
        if exercise in self.broken:
            raise SandboxError(f"{what} was not run: earlier, your code for '{exercise}' "
                               f"{self.broken[exercise]}\n  hint: fix that first.")
        if exercise in self.definition_errors and "NotImplementedError" not in self.definition_errors[exercise]:
            raise SandboxError(self.definition_errors[exercise] + "\n  hint: run that cell yourself and read the traceback.")
        tensor_inputs = [a for a in (*args, *kwargs.values()) if torch.is_tensor(a) and a.requires_grad]
        handle = None
        if tensor_inputs:
            handle, self._next_handle = self._next_handle, self._next_handle + 1
        result = self._request({"op": "call", "name": name, "exercise": exercise, "handle": handle,
                                "args": _detached(args), "kwargs": _detached(kwargs)},
                               exercise=exercise, what=what)
        if not result["ok"]:
            kind, message = result["error_type"], result["error"]
            if kind == "NotImplementedError":
                raise NotImplementedError(message)
            if kind == "ForbiddenCall":
                raise SandboxError(message)
            raise _rebuild(kind, message)
        value, mutated = result["value"], result.get("mutated", {})
        for position, new in mutated.items():
            original = args[position] if isinstance(position, int) else kwargs[position]
            with torch.no_grad():
                original.copy_(new)
        if handle is not None and torch.is_tensor(value) and result.get("grad_ready"):
            return _forward_function().apply(self, handle, value, *tensor_inputs)
        return value


def _detached(obj):
    import torch

    if torch.is_tensor(obj):
        return obj.detach().clone().requires_grad_(obj.requires_grad)
    if isinstance(obj, (list, tuple)):
        return type(obj)(_detached(o) for o in obj)
    if isinstance(obj, dict):
        return {k: _detached(v) for k, v in obj.items()}
    return obj


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


# --- the zygote: a clean copy of the kernel that forks workers ------------------------------------

_ZYGOTE = None


class _Zygote:
    """A process forked from the grading kernel right after its imports, before any test runs.

    Forking a worker from it takes milliseconds instead of the second it takes a
    new interpreter to import torch, and the worker sees nothing of what the
    kernel did later (hidden tests included).
    """

    def __init__(self):
        self._channel, child = socket.socketpair()
        self.pid = os.fork()
        if self.pid == 0:  # the zygote
            try:
                self._channel.close()
                _become_quiet()
                signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # workers are reaped automatically
                while True:
                    message, fds, _, _ = socket.recv_fds(child, 16, 1)
                    if not message or not fds:
                        break
                    pid = os.fork()
                    if pid == 0:
                        child.close()
                        os.setsid()
                        _serve(socket.socket(fileno=fds[0]))
                        os._exit(0)
                    os.close(fds[0])
                    child.sendall(struct.pack(">i", pid))
            finally:
                os._exit(0)
        child.close()

    def alive(self) -> bool:
        try:
            os.kill(self.pid, 0)
            return True
        except OSError:
            return False

    def spawn(self):
        channel, worker_end = socket.socketpair()
        socket.send_fds(self._channel, [b"spawn"], [worker_end.fileno()])
        worker_end.close()
        (pid,) = struct.unpack(">i", self._channel.recv(4))
        return pid, channel


def start_zygote() -> None:
    """Start this process's zygote (once). Call it right after importing torch, before any test."""
    global _ZYGOTE
    if _ZYGOTE is None and hasattr(os, "fork"):
        _ZYGOTE = _Zygote()


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
    """Wrap library functions so a call made while an exercise forbids them raises ForbiddenCall."""
    import importlib

    def wrap(qualified: str):
        module_name, _, attr = qualified.rpartition(".")
        try:
            owner = importlib.import_module(module_name)
        except ImportError:
            parent, _, cls_name = module_name.rpartition(".")
            try:
                owner = getattr(importlib.import_module(parent), cls_name)
            except (ImportError, AttributeError):
                return
        original = getattr(owner, attr, None)
        if original is None or getattr(original, "_lossbook_tripwire", False):
            return

        def tripwire(*args, **kwargs):
            if qualified in state["forbid"]:
                raise ForbiddenCall(f"'{state['exercise']}' asks you to write this from scratch, "
                                    f"but your code calls {qualified}\n"
                                    "  hint: compute it with elementary tensor operations instead.")
            return original(*args, **kwargs)

        tripwire._lossbook_tripwire = True
        try:
            setattr(owner, attr, tripwire)
        except (AttributeError, TypeError):
            pass

    for qualified in state["all_forbidden"]:
        wrap(qualified)


def _serve(channel) -> None:
    """Answer requests on ``channel`` (a socket) until it closes."""
    import contextlib
    import resource

    import torch

    _become_quiet()
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    torch.set_num_threads(1)
    try:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    except (ValueError, OSError):
        pass
    incoming, outgoing = channel.makefile("rb"), channel.makefile("wb")
    _send(outgoing, READY)
    namespace = {"__name__": "__main__"}
    state = {"forbid": (), "exercise": None, "all_forbidden": set(), "forbid_by_exercise": {}}
    graphs = {}
    while True:
        data = _recv(incoming)
        if data is None:
            return
        message = cloudpickle.loads(data)
        writer = _CappedWriter()
        try:
            with contextlib.redirect_stdout(writer), contextlib.redirect_stderr(writer):
                value = _handle(message, namespace, state, graphs)
            reply = {"ok": True, **value}
        except BaseException as err:  # the student's exception (even SystemExit), reported as data
            reply = {"ok": False, "error_type": type(err).__name__, "error": str(err)[:2000]}
        finally:
            state["forbid"], state["exercise"] = (), None
        try:
            payload = _encode_result(reply)
        except Exception as err:
            payload = _encode_result({"ok": False, "error_type": "TypeError",
                                      "error": f"the result cannot be checked ({err.__class__.__name__}); "
                                               "return tensors, numbers, strings, lists, tuples or dicts"})
        _send(outgoing, payload)


def _handle(message: dict, namespace: dict, state: dict, graphs: dict) -> dict:
    import torch

    op = message["op"]
    if op == "exec":
        forbid = tuple(message.get("forbid", ()))
        if message.get("exercise"):
            state["forbid_by_exercise"][message["exercise"]] = forbid
            state["all_forbidden"].update(forbid)
            _install_tripwires(state)
        exec(compile(message["source"], f"<answer {message.get('exercise') or 'set-up'}>", "exec"), namespace)
        return {"value": None}
    if op == "call":
        fn = namespace.get(message["name"])
        if fn is None:
            raise NameError(f"your answer does not define {message['name']}")
        args, kwargs = message["args"], message["kwargs"]
        before = {i: a.detach().clone() for i, a in enumerate(args) if torch.is_tensor(a)}
        before.update({k: v.detach().clone() for k, v in kwargs.items() if torch.is_tensor(v)})
        state["forbid"] = state["forbid_by_exercise"].get(message["exercise"], ())
        state["exercise"] = message["exercise"]
        value = fn(*args, **kwargs)
        state["forbid"], state["exercise"] = (), None
        mutated = {}
        for key, old in before.items():
            new = args[key] if isinstance(key, int) else kwargs[key]
            if not torch.equal(new.detach(), old):
                mutated[key] = new.detach().clone()
        grad_ready = False
        if message.get("handle") is not None and torch.is_tensor(value) and value.requires_grad:
            inputs = [a for a in (*args, *kwargs.values()) if torch.is_tensor(a) and a.requires_grad]
            graphs[message["handle"]] = (value, inputs)
            grad_ready = True
        return {"value": _plain(value), "mutated": mutated, "grad_ready": grad_ready}
    if op == "vjp":
        value, inputs = graphs.pop(message["handle"])
        grads = torch.autograd.grad(value, inputs, message["grad"], allow_unused=True)
        return {"value": [None if g is None else g.detach() for g in grads]}
    raise ValueError(f"unknown request {op!r}")


def _plain(value):
    """Detach tensors and turn tuples/lists/dicts into plain containers that torch.load accepts."""
    import torch

    if torch.is_tensor(value):
        return value.detach().clone()
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


if __name__ == "__main__":
    _serve(socket.socket(fileno=int(sys.argv[1])))
