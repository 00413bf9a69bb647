"""Unit tests of the answer checks: right answers pass, wrong ones fail with a useful message."""

import math

import pytest
import torch
import torch.nn.functional as F

from lossbook.checks import (CheckFailed, assert_tensor_close, call, check_gradient, check_loss, check_shape_dtype,
                             check_value, compare_gradients, numerical_gradient, regression_cases)
from lossbook.reference import log_cosh_loss, quantile_loss, reduce


def mse_ok(y_hat, y, reduction="mean"):
    return reduce((y - y_hat) ** 2, reduction)


def test_a_correct_loss_passes(capsys):
    check_loss(mse_ok, F.mse_loss, name="mse")
    assert "✓ mse(y_hat, y) matches" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, words", [
    (lambda y_hat, y, reduction="mean": 1.0001 * mse_ok(y_hat, y, reduction), "wrong values"),
    (lambda y_hat, y, reduction="mean": mse_ok(y_hat, y, reduction) + 1e-4, "wrong values"),
    (lambda y_hat, y, reduction="mean": mse_ok(y_hat, y, "sum"), "wrong"),
    (lambda y_hat, y, reduction="mean": mse_ok(y_hat, y, reduction).double(), "wrong dtype"),
    (lambda y_hat, y, reduction="mean": mse_ok(y_hat, y, reduction).tolist(), "torch.Tensor"),
])
def test_wrong_losses_fail_with_expected_received_and_hint(wrong, words):
    with pytest.raises(CheckFailed) as info:
        check_loss(wrong, F.mse_loss, name="mse", hint="square the residual.")
    message = str(info.value)
    assert words in message
    for part in ("on input:", "expected:", "received:", "hint:"):
        assert part in message, message


@pytest.mark.parametrize("wrong, words", [
    (lambda y_hat, y, reduction="mean": mse_ok(y_hat.detach(), y, reduction), "cannot differentiate"),
    (lambda y_hat, y, reduction="mean": torch.tensor(mse_ok(y_hat, y, reduction).tolist(), dtype=y.dtype),
     "cannot differentiate"),
    (lambda y_hat, y, reduction="mean": mse_ok(y_hat, y, reduction).detach() + 0 * y_hat.sum(), "gradient"),
    (lambda y_hat, y, reduction="mean": mse_ok(y_hat + (y_hat.detach() - y_hat) / 2, y, reduction), "gradient"),
])
def test_a_loss_that_trains_nothing_fails(wrong, words):
    with pytest.raises(CheckFailed) as info:
        check_loss(wrong, F.mse_loss, name="mse")
    assert words in str(info.value) and "hint:" in str(info.value)


def test_in_place_modification_is_reported():
    def sneaky(y_hat, y, reduction="mean"):
        y_hat.sub_(y)
        return reduce(y_hat**2, reduction)

    with pytest.raises(CheckFailed, match="changed its input tensors in place"):
        check_loss(sneaky, F.mse_loss, name="mse")


def test_a_crash_becomes_a_check_failure_and_a_stub_stays_a_stub():
    with pytest.raises(CheckFailed, match="raised ZeroDivisionError"):
        check_loss(lambda y_hat, y, reduction="mean": 1 / 0, F.mse_loss, name="mse")
    with pytest.raises(NotImplementedError):
        check_loss(lambda y_hat, y, reduction="mean": (_ for _ in ()).throw(NotImplementedError()), F.mse_loss, name="mse")
    with pytest.raises(CheckFailed, match="f\\(\\) raised KeyError"):
        call(lambda: {}["x"], what="f()")


def test_cases_cover_edges():
    names = " ".join(c.name for c in regression_cases())
    for word in ("zero residuals", "huge", "batch of one", "2-D", "±1"):
        assert word in names
    assert {c.inputs[0].dtype for c in regression_cases(torch.float32)} == {torch.float32}


def test_check_gradient_accepts_the_right_derivative_and_rejects_a_sign_error():
    right = lambda y_hat, y: -2 * (y - y_hat)
    check_gradient(right, F.mse_loss, name="mse_grad")
    with pytest.raises(CheckFailed, match="compared with autograd"):
        check_gradient(lambda y_hat, y: 2 * (y - y_hat), F.mse_loss, name="mse_grad")


def test_check_value():
    check_value(torch.tensor(2.0), 2.0, "x")
    with pytest.raises(CheckFailed, match="is wrong"):
        check_value(2.001, 2.0, "x")
    with pytest.raises(CheckFailed, match="should be a number"):
        check_value("2.0", 2.0, "x")
    with pytest.raises(CheckFailed, match="single number"):
        check_value(torch.ones(2), 1.0, "x")


def test_check_shape_dtype():
    check_shape_dtype(torch.zeros(2, 3), (2, 3), torch.float32, "z")
    with pytest.raises(CheckFailed, match="wrong shape or dtype"):
        check_shape_dtype(torch.zeros(3, 2), (2, 3), torch.float32, "z")
    with pytest.raises(CheckFailed, match="should be a torch.Tensor"):
        check_shape_dtype([0.0], (1,), torch.float32, "z")


def test_assert_tensor_close_custom_tolerance():
    assert_tensor_close(torch.tensor([1.0]), torch.tensor([1.0 + 1e-4]), "x", rtol=1e-3)
    with pytest.raises(CheckFailed):
        assert_tensor_close(torch.tensor([1.0]), torch.tensor([1.0 + 1e-4]), "x")


def test_compare_gradients_and_numerical_gradient(capsys):
    x = torch.tensor([0.3, -1.2, 2.0], dtype=torch.float64)
    numeric = numerical_gradient(lambda t: (t**3).sum(), x)
    assert compare_gradients("d/dx x^3", numeric, 3 * x**2, rtol=1e-6, atol=1e-8)
    assert not compare_gradients("wrong", numeric, 2 * x**2, rtol=1e-6, atol=1e-8)
    out = capsys.readouterr().out
    assert "approximate: True" in out and "approximate: False" in out


def test_reference_losses_match_their_definitions():
    r = torch.linspace(-5, 5, 101, dtype=torch.float64)
    zero = torch.zeros_like(r)
    assert torch.allclose(quantile_loss(zero, r, tau=0.5, reduction="none"), 0.5 * r.abs())
    assert torch.allclose(log_cosh_loss(zero, r, reduction="none"), torch.log(torch.cosh(r)))
    assert math.isfinite(log_cosh_loss(torch.zeros(1), torch.tensor([1e4])).item())
    with pytest.raises(ValueError, match="reduction"):
        reduce(r, "avg")


RUNS = []


def test_computed_once_computes_a_reference_once_per_value_and_hands_out_copies():
    from lossbook.checks import computed_once

    runs = RUNS  # (a global: a closure is part of the key, and this list changes)
    runs.clear()

    def defined_again(scale=1.0):  # a grading kernel defines the test's helper anew for each submission
        @computed_once
        def reference(y, tau):
            RUNS.append(tau)
            return {"total": (y * tau * scale).sum().item(), "tensor": y * tau * scale}

        return reference

    y = torch.linspace(-1, 1, 50, dtype=torch.float64)
    first = defined_again()(y, 0.25)
    again = defined_again()(y.clone(), 0.25)
    assert runs == [0.25] and again["total"] == first["total"]
    again["tensor"].add_(1)  # a test that changes what it was handed changes nothing for the next
    assert torch.equal(defined_again()(y, 0.25)["tensor"], y * 0.25)
    assert defined_again()(y, 0.5)["total"] == pytest.approx(0.0, abs=1e-12) and runs == [0.25, 0.5]
    assert defined_again()(y.float(), 0.25)["tensor"].dtype == torch.float32, "the dtype is part of the value"
    assert defined_again()(y + 1, 0.25)["total"] == pytest.approx(12.5)
    assert defined_again(scale=2.0)(y + 1, 0.25)["total"] == pytest.approx(25.0), "the closure too"
    assert len(runs) == 5
    with pytest.raises(TypeError, match="cannot recognise"):
        defined_again()(y, lambda t: t)


def test_float32_answers_are_not_failed_for_the_rounding_of_huge_inputs():
    """lse(logits) - logit[target] loses about a unit of rounding of the logits in float32; a loss of
    4.5e-5 computed so is off by more than the usual 1e-6, and is still a right answer."""
    from lossbook.checks import Case

    def huge(dtype):
        return [Case("huge logits, target the largest", (torch.tensor([[1000.0, 990.0], [-3.0, 2.0]], dtype=dtype),
                                                          torch.tensor([0, 1])), {}, ("logits", "target"))]

    def cross_entropy_by_lse(logits, target, reduction="mean"):
        return reduce(torch.logsumexp(logits, 1) - logits.gather(1, target[:, None])[:, 0], reduction)

    exact = F.cross_entropy(*huge(torch.float64)[0].inputs, reduction="none")[0].item()
    rounded = cross_entropy_by_lse(*huge(torch.float32)[0].inputs, reduction="none")[0].item()
    assert abs(rounded - exact) > 1e-6, "the case shows the cancellation"
    check_loss(cross_entropy_by_lse, F.cross_entropy, name="cross_entropy_by_lse", cases=huge)
    with pytest.raises(CheckFailed):
        check_loss(lambda x, t, reduction="mean": 1.001 * cross_entropy_by_lse(x, t, reduction),
                   F.cross_entropy, name="off_by_a_tenth_of_a_percent", cases=huge)


def _huber_variant(kind):
    def answer(y_hat, y, delta=1.0, reduction="mean"):
        if kind == "modifies its input":
            y_hat.add_(0.0).mul_(1.0 + 1e-3)
        value = F.huber_loss(y_hat, y, delta=delta, reduction=reduction)
        if kind == "off by 0.01 %":
            return value * (1 + 1e-4)
        if kind == "within rounding":
            return value + 0.1 * torch.finfo(value.dtype).eps * value.abs()
        if kind == "always float64":
            return value.double()
        if kind == "a NaN when unreduced" and reduction == "none":
            return torch.where(torch.arange(value.numel()).view(value.shape) == 0, math.nan, value)
        if kind == "detached":
            return value.detach()
        if kind == "gradient off":  # right values, gradient scaled by 2 through a stop-gradient trick
            return value + (value - value.detach())
        return value
    return answer


@pytest.mark.parametrize("kind", ["right", "modifies its input", "off by 0.01 %", "within rounding", "always float64",
                                  "a NaN when unreduced", "detached", "gradient off"])
def test_the_batched_comparisons_judge_as_the_checks_one_by_one(kind, monkeypatch, capsys):
    import lossbook.checks as checks

    def verdict():
        try:
            check_loss(_huber_variant(kind), F.huber_loss, name="huber")
            return "passed"
        except CheckFailed as err:
            return str(err)

    batched = verdict()
    monkeypatch.setattr(checks, "_all_close_and_untouched", lambda *args: False)
    monkeypatch.setattr(checks, "_gradients_all_fine", lambda *args: False)
    assert verdict() == batched
    assert (batched == "passed") == (kind in ("right", "within rounding"))
