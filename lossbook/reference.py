"""Reference implementations of losses that ``torch.nn`` does not provide.

Each function follows the calling convention of ``torch.nn.functional``:
``loss(y_hat, y, ..., reduction="mean")`` with ``reduction`` in
``"mean" | "sum" | "none"``. The chapter on regression losses derives each one;
these copies exist so that answer checks have something to compare against.
"""

import math

import torch

REDUCTIONS = ("mean", "sum", "none")


def reduce(per_element: torch.Tensor, reduction: str) -> torch.Tensor:
    """Apply a ``torch``-style reduction to a tensor of per-element losses."""
    if reduction == "mean":
        return per_element.mean()
    if reduction == "sum":
        return per_element.sum()
    if reduction == "none":
        return per_element
    raise ValueError(f"reduction must be one of {REDUCTIONS}, got {reduction!r}")


def quantile_loss(y_hat, y, tau: float = 0.5, reduction: str = "mean"):
    """Pinball loss of the ``tau``-quantile: ``max(tau * r, (tau - 1) * r)`` with ``r = y - y_hat``."""
    r = y - y_hat
    return reduce(torch.maximum(tau * r, (tau - 1) * r), reduction)


def log_cosh_loss(y_hat, y, reduction: str = "mean"):
    """``log(cosh(r))`` computed without overflow as ``|r| + softplus(-2|r|) - log 2``."""
    a = (y - y_hat).abs()
    return reduce(a + torch.nn.functional.softplus(-2 * a) - math.log(2.0), reduction)
