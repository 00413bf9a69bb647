"""Label a pair of training curves: what a training and a validation loss say.

Chapter "Reading training curves" reproduces each pathology of the loss-curve
zoo with a real run and checks this helper on every run over many seeds.
:func:`diagnose` looks only at the two curves (one value per evaluation, the
validation loss measured at the same steps as the training loss).

**What to pass.** The labels describe the *shape* of the curve passed in.
They are meant for losses on a fixed set (the full training set, or
epoch averages). A mini-batch loss curve carries sampling noise of
``sd(loss_i) / sqrt(B)``; when that noise exceeds ``OSC_JITTER`` of the level,
rule 2 fires and the label is ``"oscillating"`` whatever the trend under the
noise (a noisy plateau or an overfitting run included). Pass the full-set or
epoch-averaged curve to see the trend.

**Definitions.** With ``n`` values, ``half = max(1, n // 20)`` and
``w = 2 * half + 1``. "Smoothed" is the centred moving average over ``w``
points (3 points for ``n < 40``, 11 for ``n = 100``), shrunk to the points
that exist near the ends, so the smoothed end averages the last ``half + 1``
values. The *start* is the median of the first ``START_POINTS`` raw training
values, so a single outlying first value does not decide a label (a longer
window would average over the fast early drop of many runs). Losses in
``(-NEG_TOL, 0)`` (rounding of a loss that should be 0) are set to 0.

The rules fire **in this order**; the first that fires gives the label.

1. ``"diverged"``: a value is ``nan`` or ``inf``, or the smoothed training
   loss ends more than ``DIVERGE_FACTOR`` times above the start. A start of
   0 counts as ``1e-12``: a curve that starts at 0 and ends above
   ``1.5e-12`` has diverged.
2. ``"oscillating"``: in the second half of the raw training curve at least
   ``OSC_UP_FRACTION`` of the steps go *up* and at least ``OSC_UP_FRACTION``
   go *down* (the direction changes; a monotone rise is not an oscillation),
   and the mean absolute step is at least ``OSC_JITTER`` times the mean level
   there.
3. ``"rising"``: the smoothed training loss ends more than ``RISE`` (relative)
   above its minimum after the first ``w`` points (where the smoothing is
   one-sided): training makes the training loss worse, steadily
   (a rate that is slowly too large, a schedule that raises it, a bug).
4. ``"plateau"``: the smoothed training loss ends within ``PLATEAU_DROP``
   (relative) of a positive start: it has hardly moved. (Curves that stay at
   exactly 0 are healthy.)
5. ``"overfitting"``: the smoothed validation loss ends more than
   ``OVERFIT_RISE`` (relative) above its minimum, while the smoothed training
   loss at the end is below its value where validation was best.
6. ``"underfitting"``: the smoothed training loss ends above
   ``UNDERFIT_FRACTION`` times ``baseline``, the loss of the best *constant*
   prediction (``log C`` for ``C`` balanced classes, the variance of the
   targets for the squared error; by default the start).
7. ``"healthy"`` otherwise.

Comparisons are strict: a smoothed end exactly ``DIVERGE_FACTOR`` times the
start is not diverged, a validation end exactly ``1 + OVERFIT_RISE`` times its
minimum is not overfitting. The thresholds are module constants; they are
conventions, not laws, and the chapter shows cases that fool them (a noise
floor looks like underfitting; too little capacity started at its best looks
like a plateau).
"""

import math
import numbers

import torch

LABELS = ("healthy", "overfitting", "oscillating", "rising", "plateau",
          "diverged", "underfitting")
MIN_LENGTH = 5
NEG_TOL = 1e-9
START_POINTS = 3
DIVERGE_FACTOR = 1.5
OSC_UP_FRACTION = 0.25
OSC_JITTER = 0.02
RISE = 0.1
PLATEAU_DROP = 0.1
OVERFIT_RISE = 0.1
UNDERFIT_FRACTION = 0.3


def _as_curve(values, name: str) -> torch.Tensor:
    """A 1-D float64 tensor from a list, tuple, array or tensor of numbers."""
    if isinstance(values, (str, bytes)) or values is None:
        raise ValueError(f"{name} must be a sequence of numbers, got {values!r}")
    try:
        curve = torch.as_tensor(values, dtype=torch.float64)
    except (TypeError, ValueError, RuntimeError) as err:
        raise ValueError(f"{name} must be a sequence of numbers ({err})") from None
    if curve.dim() != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {tuple(curve.shape)}")
    if curve.numel() < MIN_LENGTH:
        raise ValueError(f"{name} has {curve.numel()} values; diagnose needs at least {MIN_LENGTH}")
    return curve


def _as_baseline(baseline):
    """``None`` or a positive finite float (Python, NumPy or 0-d tensor)."""
    if baseline is None:
        return None
    if isinstance(baseline, torch.Tensor) and baseline.numel() == 1:
        baseline = baseline.item()
    if isinstance(baseline, bool) or not isinstance(baseline, numbers.Real):
        raise ValueError(f"baseline must be a real number, got {baseline!r}")
    value = float(baseline)
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"baseline must be positive and finite, got {value!r}")
    return value


def half_width(n: int) -> int:
    """Half-width of the smoothing window for a curve of ``n`` values."""
    return max(1, n // 20)


def smooth(curve: torch.Tensor) -> torch.Tensor:
    """Centred moving average over ``2 * half_width(n) + 1`` points (shrunk at the ends)."""
    n = curve.numel()
    half = half_width(n)
    out = torch.empty_like(curve)
    for i in range(n):
        out[i] = curve[max(0, i - half): i + half + 1].mean()
    return out


def start_value(curve: torch.Tensor) -> float:
    """The start of a curve: the median of its first ``START_POINTS`` values."""
    return curve[:START_POINTS].median().item()


def diagnose(train, val, baseline=None) -> str:
    """Label a pair of loss curves: one of :data:`LABELS` (rules in the module docstring).

    ``train`` and ``val`` are sequences of the same length (at least
    ``MIN_LENGTH``) of non-negative losses recorded at the same steps, on a
    fixed set (full set or epoch average: see the module docstring).
    ``baseline`` is the loss of the best constant prediction (a positive real
    number: Python, NumPy or a one-element tensor); it defaults to the start.
    Raises ``ValueError`` for input that is not two such curves.
    """
    train, val = _as_curve(train, "train"), _as_curve(val, "val")
    if train.numel() != val.numel():
        raise ValueError(f"train and val must have the same length, got {train.numel()} and {val.numel()}")
    baseline = _as_baseline(baseline)
    if not (bool(torch.isfinite(train).all()) and bool(torch.isfinite(val).all())):
        return "diverged"
    if bool((train <= -NEG_TOL).any()) or bool((val <= -NEG_TOL).any()):
        raise ValueError("diagnose expects non-negative losses (shift a loss that can be negative)")
    train, val = train.clamp(min=0), val.clamp(min=0)
    start = start_value(train)
    if baseline is None:
        baseline = max(start, 1e-12)
    st, sv = smooth(train), smooth(val)
    end = st[-1].item()
    if end > DIVERGE_FACTOR * max(start, 1e-12):
        return "diverged"
    second = train[train.numel() // 2:]
    steps = second.diff()
    level = max(second.abs().mean().item(), 1e-12)
    up = (steps > 0).double().mean().item()
    down = (steps < 0).double().mean().item()
    if min(up, down) >= OSC_UP_FRACTION \
            and steps.abs().mean().item() >= OSC_JITTER * level:
        return "oscillating"
    w = 2 * half_width(train.numel()) + 1
    if end > (1 + RISE) * st[w:].min().item():
        return "rising"
    if start > 0 and abs(end - start) <= PLATEAU_DROP * start:
        return "plateau"
    best = int(sv.argmin())
    if sv[-1].item() > (1 + OVERFIT_RISE) * sv[best].item() and st[-1] < st[best]:
        return "overfitting"
    if end > UNDERFIT_FRACTION * baseline:
        return "underfitting"
    return "healthy"
