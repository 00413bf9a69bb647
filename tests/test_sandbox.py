"""The sandbox that runs students' code: proxies, autograd, limits, and safe results."""

import os
import socket
import subprocess
import sys
import time

import pytest
import torch
import torch.nn.functional as F

from lossbook.checks import CheckFailed, check_loss, value_and_grad
from lossbook.grading.sandbox import Sandbox, SandboxError


@pytest.fixture(scope="module")
def sandbox():
    box = Sandbox(call_timeout=3, total_timeout=60)
    box.setup("import torch")
    yield box
    box.close()


def define(box, name, source, forbid=()):
    return box.define(source, exercise=name, names=[name], forbid=forbid)[name]


def test_a_proxy_passes_the_checks_and_carries_gradients(sandbox):
    mse = define(sandbox, "mse", "def mse(y_hat, y, reduction='mean'):\n"
                                 "    r = (y - y_hat) ** 2\n"
                                 "    return {'mean': r.mean(), 'sum': r.sum()}.get(reduction, r)\n")
    check_loss(mse, F.mse_loss, name="mse")
    _, grad = value_and_grad(mse, torch.tensor([1.0, 2.0]), torch.zeros(2), reduction="sum", what="mse")
    assert torch.equal(grad, torch.tensor([2.0, 4.0]))


def test_in_place_changes_made_in_the_sandbox_are_seen_by_the_checks(sandbox):
    sneaky = define(sandbox, "sneaky", "def sneaky(y_hat, y, reduction='mean'):\n"
                                       "    y_hat.sub_(y)\n"
                                       "    return (y_hat ** 2).mean() if reduction == 'mean' else y_hat ** 2\n")
    with pytest.raises(CheckFailed, match="changed its input tensors in place"):
        check_loss(sneaky, F.mse_loss, name="sneaky")


def test_a_crafted_result_cannot_run_code_in_the_kernel(sandbox):
    evil = define(sandbox, "evil", "class Evil:\n    def __reduce__(self):\n        return (exec, ('import os',))\n"
                                   "def evil():\n    return Evil()\n")
    with pytest.raises(TypeError, match="cannot be checked"):
        evil()


def test_student_exceptions_come_back_by_type(sandbox):
    broken = define(sandbox, "broken", "def broken():\n    return {}['x']\n")
    with pytest.raises(KeyError):
        broken()
    stub = define(sandbox, "stub", "def stub():\n    raise NotImplementedError('later')\n")
    with pytest.raises(NotImplementedError, match="later"):
        stub()


def test_printing_is_capped_and_a_forbidden_call_is_caught(sandbox):
    chatty = define(sandbox, "chatty", "def chatty():\n    print('x' * 50_000_000)\n    return 1\n")
    assert chatty() == 1
    cheat = define(sandbox, "cheat", "import torch.nn.functional as G\n"
                                     "def cheat(a, b):\n    return getattr(G, 'mse' + '_loss')(a, b)\n",
                   forbid=["torch.nn.functional.mse_loss"])
    with pytest.raises(SandboxError, match="from scratch.*mse_loss"):
        cheat(torch.ones(2), torch.zeros(2))


def test_a_forbidden_function_is_caught_in_a_module_imported_only_when_called(sandbox):
    late = define(sandbox, "late", "import sys\n"
                                   "def late(rgb):\n"
                                   "    assert 'colorsys' not in sys.modules, 'imported before the call'\n"
                                   "    from colorsys import rgb_to_hsv\n"
                                   "    return rgb_to_hsv(*rgb)\n", forbid=["colorsys.rgb_to_hsv"])
    with pytest.raises(SandboxError, match="from scratch.*colorsys.rgb_to_hsv"):
        late((0.2, 0.4, 0.6))
    allowed = define(sandbox, "allowed", "import colorsys\n"
                                         "def allowed(rgb):\n    return colorsys.rgb_to_hsv(*rgb)\n")
    assert allowed((0.2, 0.4, 0.6)) == pytest.approx((7 / 12, 2 / 3, 0.6)), "other exercises may call it"


def test_an_endless_loop_is_stopped_and_other_answers_survive_the_restart(sandbox):
    ok = define(sandbox, "ok", "def ok(x):\n    return x + 1\n")
    loop = define(sandbox, "loop", "def loop():\n    while True:\n        pass\n")
    with pytest.raises(SandboxError, match="did not finish within 3 s"):
        loop()
    assert ok(1) == 2
    with pytest.raises(SandboxError, match="was not run"):
        loop()


BURN = "import time\ndef {name}():\n    t = time.process_time()\n    while time.process_time() - t < {seconds}:\n" \
       "        pass\n    return 1\n"


def test_the_overall_time_limit_counts_cpu_seconds():
    box = Sandbox(call_timeout=2, total_timeout=2.5)
    try:
        first = define(box, "first", BURN.format(name="first", seconds=1.5))
        second = define(box, "second", BURN.format(name="second", seconds=1.5))
        third = define(box, "third", "def third():\n    return 3\n")
        assert first() == 1
        with pytest.raises(SandboxError, match=r"did not finish within (0\.9|1\.0)\d* s of CPU time"):
            second()  # only about a second of the budget was left
        with pytest.raises(SandboxError, match="overall time limit"):
            third()
    finally:
        box.close()


def test_a_busy_machine_does_not_cost_an_honest_answer_its_points():
    """The limit is CPU time: 0.5 s of work passes a 1 s limit even when other processes hog both cores."""
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(4)]
    box = Sandbox(call_timeout=1, total_timeout=30)
    try:
        honest = define(box, "honest", BURN.format(name="honest", seconds=0.5))
        assert [honest() for _ in range(3)] == [1, 1, 1]
    finally:
        box.close()
        for hog in hogs:
            hog.kill()
            hog.wait()


def test_sleeping_code_meets_the_wall_clock_backstop():
    box = Sandbox(call_timeout=0.5, total_timeout=30)
    try:
        sleepy = define(box, "sleepy", "import time\ndef sleepy():\n    time.sleep(1000)\n")
        with pytest.raises(SandboxError, match=r"did not finish within 20\.5 s \(waiting"):
            sleepy()
    finally:
        box.close()


# --- isolation: what student code can reach -------------------------------------------------------

PROBE = """\
import os, socket
def probe(port, home):
    import tempfile
    scratch = tempfile.gettempdir()
    seen = {"uid": os.getuid(), "pid": os.getpid(), "proc": os.listdir("/proc"), "scratch": sorted(os.listdir(scratch)),
            "repository": sorted(os.listdir(os.path.dirname(os.path.dirname(__import__("lossbook").__file__))))}
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
        seen["network"] = "connected"
    except OSError as err:
        seen["network"] = type(err).__name__
    for path in (os.path.join(scratch, "mine"), "/tmp/x", os.path.join(home, "x"), __import__("lossbook").__file__):
        try:
            open(path, "a").write("x")
            seen.setdefault("written", []).append(path)
        except OSError:
            pass
    return seen
"""


def test_student_code_sees_no_processes_no_network_and_no_files_but_its_own(tmp_path):
    server = socket.create_server(("127.0.0.1", 0))  # stands for the grading kernel's ports
    port = server.getsockname()[1]
    first, second = Sandbox(call_timeout=5), Sandbox(call_timeout=5)
    try:
        home = os.path.expanduser("~")
        seen = define(first, "probe", PROBE)(port, home)
        again = define(second, "probe", PROBE)(port, home)
    finally:
        first.close()
        second.close()
        server.close()
    assert seen["uid"] == 65534 and seen["pid"] == 1, seen
    assert seen["proc"] == [], "the worker must not see other processes"
    assert seen["network"] != "connected", "the worker must not reach the kernel's ports"
    assert seen["repository"] == ["lossbook"], "only the package, not the solutions, is visible"
    assert seen["written"] == ["/scratch/mine"], "only the private scratch folder is writable"
    assert again["scratch"] == [], "a second sandbox must not see the first one's files"


def test_no_process_started_by_student_code_outlives_its_sandbox():
    marker = f"lossbook-escape-{os.getpid()}"
    escape = (f"import subprocess, sys\ndef escape():\n    subprocess.Popen([sys.executable, '-c', "
              f"'import time; time.sleep(300)  # {marker}'], start_new_session=True)\n    return 1\n")
    box = Sandbox(call_timeout=5)
    try:
        assert define(box, "escape", escape)() == 1
        deadline = time.monotonic() + 10  # the child may not have reached exec() yet
        while not _processes_with(marker) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _processes_with(marker), "the escaping process should have started"
    finally:
        box.close()
    deadline = time.monotonic() + 10
    while _processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _processes_with(marker), "a process of student code survived the sandbox"


def _processes_with(text: str) -> list:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmdline = open(f"/proc/{pid}/cmdline", "rb").read().decode(errors="replace")
        except OSError:
            continue
        if text in cmdline and "pytest" not in cmdline:
            found.append(pid)
    return found


def test_ipython_syntax_in_an_answer_runs_as_in_jupyter(sandbox):
    from lossbook.grading.runner import as_python

    source = as_python("%matplotlib inline\n!echo hello\nx = 3\ndef magic():\n    return x\n")
    assert define(sandbox, "magic", source)() == 3


def test_a_library_kernel_is_caught_however_the_answer_reaches_it(sandbox):
    forbid = ["torch.nn.functional.huber_loss"]
    via_ops = define(sandbox, "via_ops", "import torch\n"
                                         "def via_ops(a, b):\n"
                                         "    return getattr(torch.ops.aten, 'hub' + 'er_loss')(a, b, 1, 1.0)\n",
                     forbid=forbid)
    with pytest.raises(SandboxError, match="from scratch.*huber_loss kernel"):
        via_ops(torch.ones(3), torch.zeros(3))
    # Precomputing the library's answers while the cell is defined is caught too.
    define(sandbox, "precomputed", "import torch\n"
                                   "TABLE = getattr(torch.ops.aten, 'hub' + 'er_loss')(torch.ones(3), torch.zeros(3), 1, 1.0)\n"
                                   "def precomputed(a, b):\n    return TABLE\n", forbid=forbid)
    with pytest.raises(SandboxError, match="huber_loss kernel"):
        sandbox.call("precomputed", "precomputed", (torch.ones(3), torch.zeros(3)), {})


def test_a_batch_of_calls_behaves_as_the_calls_made_one_by_one(sandbox):
    forbid = ["torch.nn.functional.huber_loss"]
    source = ("import torch\n"
              "def picky(x, mode):\n"
              "    if mode == 'raise':\n        raise ValueError('no')\n"
              "    if mode == 'mutate':\n        x.add_(1)\n"
              "    if mode == 'library':\n        return torch.nn.functional.huber_loss(x, x)\n"
              "    if mode == 'loop':\n        while True:\n            pass\n"
              "    return (x * 2).sum()\n")
    picky = define(sandbox, "picky", source, forbid=forbid)
    x = torch.arange(3.0)
    modes = ["ok", "raise", "mutate", "library", "ok", "loop", "ok"]
    outcomes = picky.call_each([((x, mode), {}) for mode in modes])
    assert outcomes[0] == torch.tensor(6.0) and outcomes[4] == torch.tensor(6.0)
    assert isinstance(outcomes[1], ValueError)
    assert isinstance(outcomes[2], SandboxError) and "in place" in str(outcomes[2])
    assert isinstance(outcomes[3], SandboxError) and "from scratch" in str(outcomes[3])
    assert isinstance(outcomes[5], SandboxError) and "CPU time" in str(outcomes[5])
    assert isinstance(outcomes[6], SandboxError) and "not run" in str(outcomes[6]), "after a timeout, nothing runs"
    assert torch.equal(x, torch.arange(3.0))


def test_a_call_whose_result_cannot_be_sent_back_fails_alone_in_its_batch(sandbox):
    odd = define(sandbox, "odd", "import torch\n"
                                 "def odd(x, kind):\n"
                                 "    return object() if kind == 'object' else (x * 3).sum()\n")
    x = torch.arange(3.0)
    first, second, third = odd.call_each([((x, "plain"), {}), ((x, "object"), {}), ((x, "plain"), {})])
    assert first == torch.tensor(9.0) and third == torch.tensor(9.0)
    assert isinstance(second, TypeError) and "cannot be checked" in str(second)


def test_a_batch_returns_gradients_computed_by_autograd_in_the_worker(sandbox):
    cube = define(sandbox, "cube", "def cube(x, detach=False):\n"
                                   "    y = (x ** 3).sum()\n    return y.detach() if detach else y\n")
    x = torch.tensor([1.0, -2.0], dtype=torch.float64, requires_grad=True)
    (value, differentiable, grad), (_, detached, none) = cube.call_each(
        [((x,), {}), ((x,), {"detach": True})], grad_wrt=0)
    assert differentiable and value.item() == -7.0
    assert torch.equal(grad, 3 * x.detach() ** 2)  # independent: the closed form
    assert not detached and none is None


def test_the_wire_format_keeps_plain_data_and_refuses_anything_else():
    from lossbook.grading import wire

    value = {"a": (1, 2.5, -0.0, float("inf"), True, None, "s", b"\x00"), 3: [torch.eye(2, dtype=torch.float64),
             torch.zeros(0, 3, dtype=torch.int64), torch.tensor(True), torch.tensor(1 + 2j)],
             "np": __import__("numpy").arange(4.0), "dtype": torch.float16}
    back = wire.decode(wire.encode(value))
    assert back.keys() == value.keys() and back["a"] == value["a"] and back["dtype"] is torch.float16
    for got, sent in zip(back[3], value[3]):
        assert got.dtype == sent.dtype and got.shape == sent.shape and torch.equal(got, sent)
    assert (back["np"] == value["np"]).all()
    assert [type(v) for v in back["a"][:5]] == [int, float, float, float, bool] and str(back["a"][2]) == "-0.0"
    numpy = __import__("numpy")
    odd = wire.decode(wire.encode([float("nan"), numpy.float64(0.5), numpy.int64(3), torch.Size([2, 1]),
                                   torch.nn.Parameter(torch.ones(2)), {"k": (1.0,)}]))
    assert odd[0] != odd[0] and odd[1:4] == [0.5, 3, (2, 1)] and [type(v) for v in odd[1:4]] == [float, int, tuple]
    assert odd[4].requires_grad and torch.equal(odd[4].detach(), torch.ones(2)) and odd[5] == {"k": (1.0,)}
    grad = wire.decode(wire.encode(torch.ones(2, requires_grad=True)))
    assert grad.requires_grad
    with pytest.raises(wire.WireError):
        wire.encode(lambda: None)
    with pytest.raises(wire.WireError):
        wire.encode(torch.ones(2).to_sparse())
    message = wire.encode([torch.ones(4)])
    for crafted in (message[:-3], b"\x00\x00\x00\x02{}", message.replace(b"float32", b"object!"),
                    b"\x00\x00\x00\x0b" + b'{"T":0,"x"}', b"\x00\x00\x01\x00" + b"[" * 256 + b"]" * 256):
        with pytest.raises(wire.WireError):
            wire.decode(crafted)
    shared, other = torch.arange(3.0), torch.arange(3.0)
    message = wire.encode([shared, (shared, other), {"again": shared}])
    assert message.count(shared.numpy().tobytes()) == 2, "a tensor met again is sent once"
    first, (second, third), last = wire.decode(message)
    assert first is second is last["again"] and third is not first and torch.equal(third, other)
    head = b'[{"T":0,"dtype":"float32","shape":[1]},{"T":0,"dtype":"float32","shape":[1]}]'
    body = b"\x00" * 7 + b"\x04" + b"\x00" * 4
    for crafted in (b"\x00\x00\x00\x08" + b'[{"R":0}]', len(head).to_bytes(4, "big") + head + body):
        with pytest.raises(wire.WireError):  # a reference to nothing; two tensors on one buffer
            wire.decode(crafted)


def test_gradients_reach_module_parameters_and_closed_over_weights(sandbox):
    """As if the answer ran in the kernel: autograd reaches what the arguments hold (checked by gradcheck)."""
    penalty = define(sandbox, "penalty", "import torch\n"
                                         "def penalty(critic, x):\n"
                                         "    x = x.detach().requires_grad_(True)\n"
                                         "    (g,) = torch.autograd.grad(critic(x).sum(), x, create_graph=True)\n"
                                         "    return g.pow(2).sum()\n")
    w = torch.randn(3, dtype=torch.float64, requires_grad=True)
    out = penalty(lambda x: torch.tanh(x @ w), torch.randn(4, 3, dtype=torch.float64))
    (grad,) = torch.autograd.grad(out, w)
    assert grad.shape == (3,) and bool(grad.abs().sum() > 0)
    assert torch.autograd.gradcheck(lambda v: penalty(lambda x: torch.tanh(x @ v), torch.ones(4, 3, dtype=torch.float64)),
                                    (w,))
    layer = torch.nn.Linear(3, 1).double()
    out = define(sandbox, "forward", "def forward(model, x):\n    return model(x).sum()\n")(layer, torch.ones(2, 3, dtype=torch.float64))
    grads = torch.autograd.grad(out, list(layer.parameters()))
    assert torch.equal(grads[0], torch.full((1, 3), 2.0, dtype=torch.float64)) and grads[1].item() == 2.0


def test_an_in_place_exercise_updates_the_kernel_s_objects_and_a_returned_function_is_callable(sandbox):
    step = sandbox.define("import torch\ndef step(model, opt, x):\n    opt.zero_grad()\n"
                          "    model(x).sum().backward()\n    opt.step()\n"
                          "    return lambda y: model(y).sum()\n", exercise="step", names=["step"], inplace=True)["step"]
    model = torch.nn.Linear(2, 1).double()
    twin = __import__("copy").deepcopy(model)
    opt, twin_opt = (torch.optim.SGD(m.parameters(), lr=0.5, momentum=0.9) for m in (model, twin))
    x = torch.ones(3, 2, dtype=torch.float64)
    predict = step(model, opt, x)
    twin_opt.zero_grad()
    twin(x).sum().backward()
    twin_opt.step()
    for mine, theirs in zip(model.parameters(), twin.parameters()):
        assert torch.equal(mine.detach(), theirs.detach())  # the same step, taken in the kernel
    assert opt.state_dict()["state"][0]["momentum_buffer"] is not None
    assert predict(x).item() == twin(x).sum().item()
