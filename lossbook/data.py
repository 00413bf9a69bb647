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


@dataclass
class HeteroData:
    """Data sets with input-dependent noise, one per row: ``y = mean + sd * noise``."""

    x: torch.Tensor
    y: torch.Tensor
    mean: torch.Tensor
    sd: torch.Tensor


def heteroscedastic_line(
    n: int = 200,
    n_sets: int = 1,
    slope: float = 2.0,
    intercept: float = 1.0,
    noise_floor: float = 0.1,
    noise_slope: float = 0.5,
    seed: int | None = None,
    dtype: torch.dtype = torch.float64,
) -> HeteroData:
    """Draw ``n_sets`` data sets of ``n`` points whose noise grows with ``x``.

    ``x`` is uniform on [0, 1]; ``y = slope * x + intercept + sd(x) * z`` with
    standard Gaussian ``z`` and ``sd(x) = noise_floor + noise_slope * x``, so
    the conditional mean, every conditional quantile and the conditional
    standard deviation are linear in ``x`` and known exactly (``mean``,
    ``sd``). Every tensor has shape ``(n_sets, n)``. With ``seed=None`` the
    draw comes from the book's base seed; pass a seed from
    ``lossbook.seeds.seeds(...)`` for independent draws.
    """
    g = generator("heteroscedastic_line") if seed is None else torch.Generator().manual_seed(seed)
    x = torch.rand(n_sets, n, generator=g, dtype=dtype)
    mean = slope * x + intercept
    sd = noise_floor + noise_slope * x
    y = mean + sd * torch.randn(n_sets, n, generator=g, dtype=dtype)
    return HeteroData(x, y, mean, sd)
