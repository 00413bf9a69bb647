"""Small synthetic data sets, generated in code from a seed (nothing is downloaded)."""

from dataclasses import dataclass

import torch

from lossbook.seeds import generator


@dataclass
class LineData:
    """Points on a noisy line ``y = slope * x + intercept``; some may be outliers."""

    x: torch.Tensor
    y: torch.Tensor
    is_outlier: torch.Tensor
    slope: float
    intercept: float


def line_with_outliers(
    n: int = 100,
    slope: float = 2.0,
    intercept: float = 1.0,
    noise: float = 0.3,
    n_outliers: int = 10,
    outlier_shift: float = 15.0,
    seed: int | None = None,
    dtype: torch.dtype = torch.float64,
) -> LineData:
    """Draw ``n`` points on a line with Gaussian noise; shift the ``n_outliers`` largest-x points up.

    With ``seed=None`` the draw comes from the book's base seed
    (:mod:`lossbook.seeds`); pass a seed from ``lossbook.seeds.seeds(...)``
    to draw many independent data sets.

    Putting the outliers at one end of the x range gives them leverage, which
    is what pulls a least-squares line away from the bulk of the data.
    """
    g = generator("line_with_outliers") if seed is None else torch.Generator().manual_seed(seed)
    x = torch.linspace(-1.0, 1.0, n, dtype=dtype)
    y = slope * x + intercept + noise * torch.randn(n, generator=g, dtype=dtype)
    is_outlier = torch.zeros(n, dtype=torch.bool)
    if n_outliers:
        is_outlier[-n_outliers:] = True
        y[is_outlier] += outlier_shift
    return LineData(x, y, is_outlier, slope, intercept)
