"""The data, training and plotting helpers."""

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F

from lossbook.data import line_with_outliers
from lossbook.plotting import LOSS_COLORS, color_of, plot_curves, plot_loss_and_gradient
from lossbook.training import fit_line


def test_line_data_is_deterministic_and_has_outliers():
    a, b = line_with_outliers(seed=3), line_with_outliers(seed=3)
    assert torch.equal(a.y, b.y)
    assert int(a.is_outlier.sum()) == 10
    assert (a.y[a.is_outlier] - (a.slope * a.x[a.is_outlier] + a.intercept)).min() > 10


def test_fit_line_recovers_a_clean_line():
    data = line_with_outliers(n_outliers=0, noise=0.01)
    result = fit_line(F.mse_loss, data.x, data.y, lr=0.5, steps=300)
    assert abs(result.slope - 2.0) < 0.02 and abs(result.intercept - 1.0) < 0.02
    assert not result.diverged and result.losses[-1] < result.losses[0]


def test_fit_line_reports_divergence():
    data = line_with_outliers(n_outliers=0)
    result = fit_line(F.mse_loss, data.x * 100, data.y, lr=1.0, steps=50)
    assert result.diverged


def test_plots_use_the_book_colours():
    fig = plot_loss_and_gradient({"MSE": lambda r: r**2, "something new": lambda r: r.abs()})
    left, right = fig.axes
    assert left.lines[0].get_color() == LOSS_COLORS["MSE"] == right.lines[0].get_color()
    assert color_of("Huber (δ=2)") == LOSS_COLORS["Huber"]
    plt.close(fig)
    fig = plot_curves({"MSE": [3, 2, 1]}, logy=True)
    assert fig.axes[0].get_yscale() == "log"
    plt.close(fig)
