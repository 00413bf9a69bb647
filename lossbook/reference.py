"""Reference implementations of losses that ``torch.nn`` does not provide.

Losses follow the calling convention of ``torch.nn.functional``:
``loss(input, target, ..., reduction="mean")`` with ``reduction`` in
``"mean" | "sum" | "none"``. The chapters derive each one; these copies exist
so that answer checks have something to compare against.
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


def sigmoid_focal_loss(logits, target, alpha: float = 0.25, gamma: float = 2.0, reduction: str = "mean"):
    """Focal loss of Lin et al. (2017), sigmoid form (as in torchvision.ops.sigmoid_focal_loss).

    ``-alpha_t (1 - p_t)**gamma log(p_t)`` with ``p_t = p`` for positives and
    ``1 - p`` for negatives; ``alpha_t = alpha`` for positives and ``1 - alpha``
    for negatives; ``alpha = -1`` turns the weighting off. Like torchvision,
    any other ``alpha`` outside [0, 1] is a ``ValueError``.
    """
    if not (0 <= alpha <= 1 or alpha == -1):
        raise ValueError(f"alpha must be in [0, 1] or -1 (no weighting), got {alpha}")
    p = torch.sigmoid(logits)
    ce = torch.nn.functional.binary_cross_entropy_with_logits(logits, target, reduction="none")
    p_t = p * target + (1 - p) * (1 - target)
    loss = ce * (1 - p_t) ** gamma
    if alpha >= 0:
        loss = (alpha * target + (1 - alpha) * (1 - target)) * loss
    return reduce(loss, reduction)


def arcface_logits(features, weights, target, s: float = 64.0, m: float = 0.5, eps: float = 1e-7):
    """ArcFace logits (Deng et al. 2019): ``s cos(theta + m)`` for the target class, ``s cos(theta)`` otherwise.

    Features (N, d) and class weights (C, d) are L2-normalised; ``cos theta``
    is clamped to ``[-1 + eps, 1 - eps]``. Where ``theta + m > pi`` the target
    logit falls back to ``cos theta - m sin m`` (as in insightface), which keeps
    it decreasing in ``theta``.
    """
    cos = torch.nn.functional.normalize(features, dim=1) @ torch.nn.functional.normalize(weights, dim=1).T
    cos = cos.clamp(-1 + eps, 1 - eps)
    cos_t = cos.gather(1, target[:, None])
    sin_t = torch.sqrt(1 - cos_t**2)
    shifted = cos_t * math.cos(m) - sin_t * math.sin(m)
    target_logit = torch.where(cos_t > math.cos(math.pi - m), shifted, cos_t - m * math.sin(m))
    return s * cos.scatter(1, target[:, None], target_logit)


def expected_calibration_error(probs, labels, n_bins: int = 10):
    """ECE (Guo et al. 2017): sum over equal-width confidence bins (lo, hi] of |accuracy - confidence| x bin share."""
    confidence, predicted = probs.max(dim=1)
    correct = (predicted == labels).to(probs.dtype)
    edges = torch.linspace(0, 1, n_bins + 1, dtype=probs.dtype)
    ece = torch.zeros((), dtype=probs.dtype)
    for low, high in zip(edges[:-1], edges[1:]):
        in_bin = (confidence > low) & (confidence <= high)
        if in_bin.any():
            share = in_bin.to(probs.dtype).mean()
            ece = ece + share * (correct[in_bin].mean() - confidence[in_bin].mean()).abs()
    return ece


def average_precision(scores, labels):
    """Average precision: the mean of the precision at the rank of each positive (scores ranked high to low)."""
    order = torch.argsort(scores, descending=True, stable=True)
    hits = labels[order].to(torch.float64)
    precision = hits.cumsum(0) / torch.arange(1, len(hits) + 1, dtype=torch.float64)
    return (precision * hits).sum() / hits.sum()


def expectile_loss(y_hat, y, tau: float = 0.5, reduction: str = "mean"):
    """Asymmetric squared loss of Newey and Powell (1987): ``tau r**2`` for ``r >= 0``, ``(1 - tau) r**2`` below.

    ``r = y - y_hat``; written with ``relu`` so it shares no code with a
    ``torch.where`` answer. Its best constant is the ``tau``-expectile.
    """
    r = y - y_hat
    relu = torch.nn.functional.relu
    return reduce(tau * relu(r) ** 2 + (1 - tau) * relu(-r) ** 2, reduction)
