"""The book's one plotting convention: a loss and its derivative, side by side.

Every chapter draws losses with :func:`plot_loss_and_gradient`, so a loss has
the same colour, line style and axis labels wherever it appears. Derivatives
are computed with autograd from the same function that draws the loss, so the
right panel can never disagree with the left one.
"""

import matplotlib.pyplot as plt
import torch

# One colour per loss, used in every figure of the book.
LOSS_COLORS = {
    "MSE": "#1f77b4",
    "MAE": "#d62728",
    "Huber": "#2ca02c",
    "Smooth L1": "#9467bd",
    "log-cosh": "#ff7f0e",
    "quantile": "#8c564b",
    "0-1": "#7f7f7f",
    "squared hinge": "#bcbd22",
    "hinge": "#e377c2",
    "logistic": "#17becf",
    "exponential": "#393b79",
    "BCE": "#17becf",
    "cross-entropy": "#17becf",
    "focal": "#d62728",
}
_FALLBACK = ["#637939", "#843c39", "#7b4173", "#e7969c", "#5254a3"]


def use_book_style() -> None:
    """Set the figure size, resolution and fonts used throughout the book."""
    plt.rcParams.update({
        "figure.figsize": (8, 3.2),
        "figure.dpi": 80,
        "savefig.dpi": 80,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "legend.frameon": False,
        "font.size": 10,
    })


def color_of(label: str, index: int = 0) -> str:
    """The book's colour for a loss, matched on the start of its label."""
    for name, color in LOSS_COLORS.items():
        if label.startswith(name):
            return color
    return _FALLBACK[index % len(_FALLBACK)]


def plot_loss_and_gradient(losses: dict, x=None, xlabel: str = "residual $r = y - \\hat y$",
                           variable: str = "r", ylim=None, title: str | None = None):
    """Plot each loss ``f(x)`` (left) and its derivative ``df/dx`` (right).

    ``losses`` maps a label (e.g. ``"Huber (δ=1)"``) to a function taking a
    tensor of ``x`` values and returning the per-element loss.
    Returns the figure; the caller writes the caption and alt text.
    """
    use_book_style()
    if x is None:
        x = torch.linspace(-3, 3, 601, dtype=torch.float64)
    fig, (ax_loss, ax_grad) = plt.subplots(1, 2)
    for i, (label, fn) in enumerate(losses.items()):
        xs = x.detach().clone().requires_grad_(True)
        values = fn(xs)
        (grad,) = torch.autograd.grad(values.sum(), xs)
        style = dict(color=color_of(label, i), label=label, lw=1.8)
        ax_loss.plot(x.numpy(), values.detach().numpy(), **style)
        ax_grad.plot(x.numpy(), grad.numpy(), **style)
    ax_loss.set(xlabel=xlabel, ylabel="loss", title="loss")
    ax_grad.set(xlabel=xlabel, ylabel=f"d loss / d{variable}", title="derivative")
    if ylim is not None:
        ax_loss.set_ylim(*ylim)
    ax_loss.legend(fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_curves(curves: dict, xlabel: str = "step", ylabel: str = "training loss",
                logy: bool = False, title: str | None = None, x=None, logx: bool = False):
    """Plot training curves: ``curves`` maps a label to a list of values per step.

    ``x`` gives the horizontal positions (default: 0, 1, 2, ...), e.g. the values
    of a hyperparameter in a sweep; ``logx``/``logy`` use logarithmic axes.
    """
    use_book_style()
    fig, ax = plt.subplots(figsize=(6, 3.2))
    for i, (label, values) in enumerate(curves.items()):
        xs = range(len(values)) if x is None else list(x)
        ax.plot(xs, values, color=color_of(label, i), label=label, lw=1.6)
    if logy:
        ax.set_yscale("log")
    if logx:
        ax.set_xscale("log")
    ax.set(xlabel=xlabel, ylabel=ylabel)
    if title:
        ax.set_title(title)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
