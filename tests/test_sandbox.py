"""The sandbox that runs students' code: proxies, autograd, limits, and safe results."""

import pytest
import torch
import torch.nn.functional as F

from lossbook.checks import CheckFailed, check_loss, value_and_grad
from lossbook.sandbox import Sandbox, SandboxError


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


def test_an_endless_loop_is_stopped_and_other_answers_survive_the_restart(sandbox):
    ok = define(sandbox, "ok", "def ok(x):\n    return x + 1\n")
    loop = define(sandbox, "loop", "def loop():\n    while True:\n        pass\n")
    with pytest.raises(SandboxError, match="did not finish within 3 s"):
        loop()
    assert ok(1) == 2
    with pytest.raises(SandboxError, match="was not run"):
        loop()


def test_the_overall_time_limit():
    box = Sandbox(call_timeout=2, total_timeout=2.5)
    try:
        first = define(box, "first", "import time\ndef first():\n    time.sleep(1.5)\n    return 1\n")
        second = define(box, "second", "import time\ndef second():\n    time.sleep(1.5)\n    return 2\n")
        third = define(box, "third", "def third():\n    return 3\n")
        assert first() == 1
        with pytest.raises(SandboxError, match="did not finish"):
            second()  # only about a second of the budget was left
        with pytest.raises(SandboxError, match="overall time limit"):
            third()
    finally:
        box.close()
