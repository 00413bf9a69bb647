"""A minimal training loop for the book's experiments.

Chapter "What a loss function is" writes this loop out line by line; later
chapters import it so that each experiment shows only what is new.
"""

from dataclasses import dataclass, field

import torch


@dataclass
class FitResult:
    """Parameters after training and the loss recorded at every step."""

    slope: float
    intercept: float
    losses: list = field(default_factory=list)

    @property
    def diverged(self) -> bool:
        """True when the loss became ``inf``/``nan`` or ended far above where it started."""
        last = self.losses[-1]
        return not (last == last and abs(last) < float("inf")) or last > 1e3 * max(self.losses[0], 1e-12)


def _optimizer(w, optimizer: str, lr: float, momentum: float, decay: float):
    """The optimizer and learning-rate schedule shared by the fitting loops."""
    if optimizer == "adam":
        opt = torch.optim.Adam([w], lr=lr)
    elif optimizer == "sgd":
        opt = torch.optim.SGD([w], lr=lr, momentum=momentum)
    else:
        raise ValueError(f"optimizer must be 'sgd' or 'adam', got {optimizer!r}")
    return opt, torch.optim.lr_scheduler.LambdaLR(opt, lambda t: 1.0 / (1.0 + decay * t))


def fit_line(loss_fn, x, y, lr: float = 0.1, steps: int = 200, momentum: float = 0.0,
             optimizer: str = "sgd", decay: float = 0.0) -> FitResult:
    """Fit ``y ≈ slope * x + intercept`` by gradient descent on ``loss_fn(y_hat, y)``.

    Both parameters start at zero, so the run is deterministic. Training stops
    early if the loss stops being finite. ``optimizer`` is ``"sgd"`` (with
    ``momentum``) or ``"adam"``; with ``decay > 0`` the learning rate at step
    ``t`` is ``lr / (1 + decay * t)``.
    """
    w = torch.zeros(2, dtype=x.dtype, requires_grad=True)
    opt, schedule = _optimizer(w, optimizer, lr, momentum, decay)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_fn(w[0] * x + w[1], y)
        losses.append(loss.item())
        if not torch.isfinite(loss):
            break
        loss.backward()
        opt.step()
        schedule.step()
    return FitResult(w[0].item(), w[1].item(), losses)


@dataclass
class BatchFitResult:
    """Lines fitted to several data sets at once: one entry per data set."""

    slope: torch.Tensor
    intercept: torch.Tensor
    losses: torch.Tensor  # (steps, data sets)


def fit_lines(loss_fn, x, y, lr: float = 0.1, steps: int = 200, momentum: float = 0.0,
              optimizer: str = "sgd", decay: float = 0.0) -> BatchFitResult:
    """Fit one line per row of ``y`` (shape ``(S, N)``), all at once.

    The same loop as :func:`fit_line`, vectorised over data sets (seeds):
    ``x`` has shape ``(N,)`` or ``(S, N)``, and ``loss_fn(y_hat, y,
    reduction="none")`` must return per-element losses. Each data set's loss
    is the mean over its row; the runs are independent because the gradient
    of their sum with respect to one row's parameters is that row's gradient
    and SGD, momentum and Adam act element by element. Non-finite runs are
    not stopped early: check ``losses`` for them.
    """
    y = torch.as_tensor(y)
    x = torch.as_tensor(x, dtype=y.dtype).expand_as(y)
    w = torch.zeros(2, y.shape[0], dtype=y.dtype, requires_grad=True)
    opt, schedule = _optimizer(w, optimizer, lr, momentum, decay)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        per_set = loss_fn(w[0][:, None] * x + w[1][:, None], y, reduction="none").mean(dim=1)
        losses.append(per_set.detach().clone())
        per_set.sum().backward()
        opt.step()
        schedule.step()
    return BatchFitResult(w[0].detach().clone(), w[1].detach().clone(), torch.stack(losses))
