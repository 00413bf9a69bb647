"""Unit tests of lossbook.diagnose: hand-made curves, edge cases, bad input."""

import math

import numpy as np
import pytest
import torch

from lossbook import diagnose as dg
from lossbook.diagnose import LABELS, diagnose, smooth

T = torch.arange(100, dtype=torch.float64)
DECAY = (0.1 + torch.exp(-T / 15)).tolist()  # falls from 1.1 to a floor of 0.1


def test_healthy_curves():
    val = [v + 0.05 for v in DECAY]
    assert diagnose(DECAY, val) == "healthy"


def test_overfitting_validation_rises_while_training_falls():
    val = (0.4 + 0.8 * torch.exp(-T / 10) + 0.004 * torch.relu(T - 30)).tolist()
    assert diagnose(DECAY, val) == "overfitting"


def test_validation_rising_while_training_also_rises_is_rising():
    train = (1.1 - 0.005 * T).tolist()[:50] + (0.85 + 0.004 * T[:50]).tolist()
    val = [v + 0.3 for v in train]
    assert diagnose(train, val) == "rising"


def test_a_steady_rise_below_the_divergence_factor_is_rising():
    rise = (1 + 0.0045 * T).tolist()  # 1.0 -> 1.45
    assert diagnose(rise, [v + 0.1 for v in rise]) == "rising"


def test_fall_then_smooth_rise_is_rising_not_oscillating():
    fr = torch.where(T < 50, 1 - 0.016 * T, 0.2 + 0.024 * (T - 50)).tolist()
    assert diagnose(fr, [v + 0.05 for v in fr]) == "rising"


def test_one_outlying_first_value_does_not_decide_the_label():
    for first in (0.07, 0.5, 5.0):
        train = [first] + DECAY[1:]
        assert diagnose(train, [v + 0.05 for v in train]) == "healthy"


def test_a_start_of_zero():
    assert diagnose([0.0] + [1e-3] * 19, [1e-3] * 20) == "plateau"
    assert diagnose([0.0] * 10 + [1e-3] * 10, [1e-3] * 20) == "diverged"


def test_noisy_curves_are_oscillating_whatever_the_trend():
    # documented: pass full-set or epoch-averaged curves to see the trend
    g = torch.Generator().manual_seed(0)
    flat = (0.69 * (1 + 0.03 * torch.randn(100, generator=g))).tolist()
    assert diagnose(flat, flat) == "oscillating"
    assert diagnose(smooth(torch.tensor(flat)).tolist(), flat) == "plateau"


def test_threshold_boundaries_are_strict():
    n = 40  # half-width 2: the smoothed end is the mean of the last 3 values
    t = torch.arange(n, dtype=torch.float64)
    up = torch.ones(n, dtype=torch.float64)
    up[-5:] = 1.5  # smoothed end exactly 1.5 x the start
    assert diagnose(up.tolist(), up.tolist()) != "diverged"
    up[-5:] = 1.5 + 1e-9
    assert diagnose(up.tolist(), up.tolist()) == "diverged"
    train = (0.1 + torch.exp(-t / 5)).tolist()
    val = torch.full((n,), 0.5, dtype=torch.float64)
    val[-5:] = 0.55  # smoothed val end exactly 10 % above its minimum
    assert diagnose(train, val.tolist()) == "healthy"
    val[-5:] = 0.56
    assert diagnose(train, val.tolist()) == "overfitting"


def test_oscillating_curves():
    wiggle = 0.3 * (-1.0) ** T
    train = (0.5 + 0.5 * torch.exp(-T / 10) + wiggle * (T > 20)).abs().tolist()
    assert diagnose(train, DECAY) == "oscillating"


def test_tiny_wiggles_are_not_oscillation():
    train = (torch.tensor(DECAY) + 1e-6 * (-1.0) ** T).tolist()
    assert diagnose(train, train) == "healthy"


def test_plateau_and_constant_curves():
    flat = (0.69 - 0.0001 * T).tolist()
    assert diagnose(flat, flat) == "plateau"
    assert diagnose([2.0] * 20, [2.0] * 20) == "plateau"


def test_all_zero_curves_are_healthy():
    assert diagnose([0.0] * 10, [0.0] * 10) == "healthy"


def test_tiny_negative_rounding_is_zero():
    train = DECAY[:90] + [0.0, -1e-12] * 5
    assert diagnose(train, train) in LABELS
    with pytest.raises(ValueError, match="non-negative"):
        diagnose(DECAY[:99] + [-1e-6], DECAY)


def test_underfitting_uses_the_baseline():
    train = (0.6 + 0.4 * torch.exp(-T / 10)).tolist()
    val = [v + 0.02 for v in train]
    assert diagnose(train, val) == "underfitting"  # baseline = first value
    assert diagnose(train, val, baseline=10.0) == "healthy"


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_non_finite_values_mean_diverged(bad):
    train = DECAY[:50] + [bad] * 50
    assert diagnose(train, DECAY) == "diverged"
    assert diagnose(DECAY, DECAY[:99] + [bad]) == "diverged"


def test_a_loss_that_grows_has_diverged():
    grow = (0.5 * 1.05 ** T).tolist()
    assert diagnose(grow, grow) == "diverged"


def test_inputs_of_every_kind():
    for kind in (list, tuple, np.array, torch.tensor):
        assert diagnose(kind(DECAY), kind(DECAY)) == "healthy"
    assert diagnose(torch.tensor(DECAY, dtype=torch.float32), DECAY) == "healthy"


@pytest.mark.parametrize("train, val, match", [
    ([1.0, 0.5, 0.3], [1.0, 0.5, 0.3], "at least"),
    ([], [], "at least"),
    (DECAY, DECAY[:50], "same length"),
    ([[1.0, 2.0]] * 10, [[1.0, 2.0]] * 10, "one-dimensional"),
    ("loss", "loss", "sequence of numbers"),
    (None, DECAY, "sequence of numbers"),
    (["a"] * 10, DECAY[:10], "sequence of numbers"),
    ([-1.0] * 10, [1.0] * 10, "non-negative"),
])
def test_bad_input_raises_a_clear_value_error(train, val, match):
    with pytest.raises(ValueError, match=match):
        diagnose(train, val)


@pytest.mark.parametrize("baseline", [0.0, -1.0, math.nan, math.inf, "1", True])
def test_bad_baseline_raises(baseline):
    with pytest.raises(ValueError, match="baseline"):
        diagnose(DECAY, DECAY, baseline=baseline)
    with pytest.raises(ValueError, match="baseline"):  # also for nan curves
        diagnose([math.nan] * 10, [1.0] * 10, baseline=baseline)


@pytest.mark.parametrize("baseline", [np.float32(10), np.float64(10),
                                      torch.tensor(10.0), 10, 10.0])
def test_baseline_of_every_numeric_kind(baseline):
    train = (0.6 + 0.4 * torch.exp(-T / 10)).tolist()
    assert diagnose(train, train, baseline=baseline) == "healthy"


def test_every_label_is_documented_and_reachable():
    assert set(LABELS) == {"healthy", "overfitting", "oscillating", "rising",
                           "plateau", "diverged", "underfitting"}
    for name in ("DIVERGE_FACTOR", "OSC_UP_FRACTION", "OSC_JITTER", "RISE",
                 "PLATEAU_DROP", "OVERFIT_RISE", "UNDERFIT_FRACTION"):
        assert name in dg.__doc__
    wiggle = (0.5 + 0.3 * (-1.0) ** T).tolist()
    examples = {
        "healthy": (DECAY, [v + 0.05 for v in DECAY]),
        "overfitting": (DECAY, (0.4 + 0.8 * torch.exp(-T / 10)
                                + 0.004 * torch.relu(T - 30)).tolist()),
        "oscillating": (wiggle, wiggle),
        "rising": ((1 + 0.0045 * T).tolist(), (1 + 0.0045 * T).tolist()),
        "plateau": ([2.0] * 20, [2.0] * 20),
        "diverged": ((0.5 * 1.05 ** T).tolist(), DECAY),
        "underfitting": ((0.6 + 0.4 * torch.exp(-T / 10)).tolist(), DECAY),
    }
    for label in LABELS:
        assert diagnose(*examples[label]) == label, label


@pytest.mark.parametrize("n, width", [(5, 3), (20, 3), (39, 3), (40, 5),
                                      (100, 11)])
def test_smooth_window_width(n, width):
    x = torch.zeros(n, dtype=torch.float64)
    x[n // 2] = 1.0  # an impulse spreads over exactly the window
    s = smooth(x)
    assert int((s > 0).sum()) == width
    torch.testing.assert_close(s[n // 2], torch.tensor(1.0 / width,
                                                       dtype=torch.float64))
    y = torch.arange(n, dtype=torch.float64) ** 2
    half = width // 2
    assert smooth(y)[0] == y[:half + 1].mean()  # shrunk at the ends


def _full_batch(x, y, lr, steps, loss):
    """Curves of a linear model trained by full-batch gradient descent."""
    w = torch.zeros(x.shape[1], dtype=torch.float64, requires_grad=True)
    curve = []
    for _ in range(steps):
        value = loss(x @ w, y)
        curve.append(value.item())
        (grad,) = torch.autograd.grad(value, w)
        with torch.no_grad():
            w -= lr * grad
    return curve


def test_curves_of_the_earlier_chapters():
    # runs as in chapters regression (least squares) and classification
    # (logistic regression), one curve for training and one for validation
    g = torch.Generator().manual_seed(0)
    x = torch.cat([torch.randn(400, 3, generator=g, dtype=torch.float64),
                   torch.ones(400, 1, dtype=torch.float64)], 1)
    w = torch.tensor([1.0, -2.0, 0.5, 0.3], dtype=torch.float64)
    y_reg = x @ w + 0.3 * torch.randn(400, generator=g, dtype=torch.float64)
    y_cls = (x @ w + 0.5 * torch.randn(400, generator=g,
                                       dtype=torch.float64) > 0).double()
    mse = torch.nn.functional.mse_loss
    bce = torch.nn.functional.binary_cross_entropy_with_logits
    for loss, y, lr, want, base in [(mse, y_reg, 0.1, "healthy", None),
                                    (mse, y_reg, 1.5, "diverged", None),
                                    (bce, y_cls, 1.0, "healthy", math.log(2)),
                                    (bce, y_cls, 1e-4, "plateau", math.log(2))]:
        tr = _full_batch(x[:200], y[:200], lr, 100, loss)
        w_curve = _full_batch(x[:200], y[:200], lr, 100, loss)
        assert tr == w_curve  # deterministic
        va = [v * 1.05 for v in tr]
        assert diagnose(tr, va, base) == want, (loss, lr)
