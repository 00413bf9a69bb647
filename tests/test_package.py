"""The data, training and plotting helpers."""

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F

from lossbook.data import heteroscedastic_line, line_with_outliers
from lossbook.plotting import LOSS_COLORS, color_of, plot_curves, plot_loss_and_gradient
from lossbook.training import fit_line, fit_lines


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


def test_fit_lines_matches_fit_line_on_every_data_set():
    sets = [line_with_outliers(seed=s) for s in (3, 4, 5)]
    y = torch.stack([d.y for d in sets])
    for kw in [dict(momentum=0.9), dict(optimizer="adam"), dict(lr=1.0, decay=0.2)]:
        batch = fit_lines(F.l1_loss, sets[0].x, y, steps=60, **kw)
        assert batch.losses.shape == (60, 3)
        for s, d in enumerate(sets):
            one = fit_line(F.l1_loss, d.x, d.y, steps=60, **kw)
            assert abs(one.slope - batch.slope[s].item()) < 1e-12
            assert abs(one.losses[-1] - batch.losses[-1, s].item()) < 1e-12


def test_heteroscedastic_line_has_the_stated_noise():
    d = heteroscedastic_line(n=4000, n_sets=3, seed=11)
    assert d.x.shape == d.y.shape == d.sd.shape == (3, 4000)
    assert torch.equal(d.y, heteroscedastic_line(n=4000, n_sets=3, seed=11).y)
    z = (d.y - d.mean) / d.sd
    assert abs(z.mean().item()) < 0.05 and abs(z.std().item() - 1) < 0.05
    assert torch.allclose(d.sd, 0.1 + 0.5 * d.x)


def test_plots_use_the_book_colours():
    fig = plot_loss_and_gradient({"MSE": lambda r: r**2, "something new": lambda r: r.abs()})
    left, right = fig.axes
    assert left.lines[0].get_color() == LOSS_COLORS["MSE"] == right.lines[0].get_color()
    assert color_of("Huber (δ=2)") == LOSS_COLORS["Huber"]
    plt.close(fig)
    fig = plot_curves({"MSE": [3, 2, 1]}, logy=True)
    assert fig.axes[0].get_yscale() == "log"
    plt.close(fig)
