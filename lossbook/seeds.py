"""One base seed for the whole book, set from outside, and claims over many seeds.

Every random draw in a chapter or solution notebook flows from one base seed,
read from the environment variable ``LOSSBOOK_SEED`` (default 0). The build
uses the default; the test command runs every notebook under another base
seed (``tests/conftest.py``), so an assert that holds only for a lucky seed
fails there.

A notebook calls :func:`seed_everything` once, in its set-up cell, and then
asks for generators and seeds by *stream*: a name that says what the draw is
for (``generator("outliers")``, ``seeds("fit", 20)``). Streams are
independent of each other and of the order in which cells run.

A claim about training or about data ("Huber's slope is closer than MSE's")
is measured over many seeds with :func:`over_seeds`, which returns a
:class:`SeedSummary` that prints "mean ± sd" or "holds in k of n seeds" and
that the notebook's ``assert`` reads.
"""

import math
import os
import random
import zlib
from dataclasses import dataclass

import numpy as np
import torch

ENV_VAR = "LOSSBOOK_SEED"


class SeedError(ValueError):
    """The base seed in the environment is not a non-negative integer."""


def base_seed() -> int:
    """The book's base seed: ``$LOSSBOOK_SEED`` if set, else 0."""
    text = os.environ.get(ENV_VAR, "").strip()
    if not text:
        return 0
    try:
        value = int(text)
    except ValueError:
        raise SeedError(f"{ENV_VAR} must be a non-negative integer, got {text!r}") from None
    if value < 0:
        raise SeedError(f"{ENV_VAR} must be a non-negative integer, got {value}")
    return value


def _stream_key(stream) -> int:
    if isinstance(stream, bool) or not isinstance(stream, (int, str)):
        raise TypeError(f"a seed stream is a name or an int, got {stream!r}")
    return stream if isinstance(stream, int) else zlib.crc32(stream.encode())


def seeds(stream="default", n: int = 1) -> list[int]:
    """``n`` independent integer seeds for ``stream``, derived from the base seed."""
    sequence = np.random.SeedSequence([base_seed(), _stream_key(stream)])
    return [int(s) for s in sequence.generate_state(n, dtype=np.uint32)]


def seed(stream="default") -> int:
    """One integer seed for ``stream``, derived from the base seed."""
    return seeds(stream, 1)[0]


def generator(stream="default") -> torch.Generator:
    """A ``torch.Generator`` for ``stream``, seeded from the base seed."""
    return torch.Generator().manual_seed(seed(stream))


def seed_everything() -> int:
    """Seed torch's, NumPy's and Python's global generators from the base seed.

    Call once, in a notebook's set-up cell; returns (and prints) the base
    seed so a reader can reproduce a run with ``LOSSBOOK_SEED=<n>``.
    """
    value = seed("global")
    torch.manual_seed(value)
    np.random.seed(value)
    random.seed(value)
    base = base_seed()
    print(f"base seed {base} (set {ENV_VAR} to change it)")
    return base


@dataclass
class SeedSummary:
    """Values of one measurement over several seeds, with their spread."""

    name: str
    values: list

    @property
    def n(self) -> int:
        return len(self.values)

    @property
    def mean(self) -> float:
        return sum(self.values) / self.n

    @property
    def sd(self) -> float:
        """Sample standard deviation (0 for a single seed)."""
        if self.n < 2:
            return 0.0
        m = self.mean
        return math.sqrt(sum((v - m) ** 2 for v in self.values) / (self.n - 1))

    @property
    def sem(self) -> float:
        """Standard error of the mean."""
        return self.sd / math.sqrt(self.n)

    @property
    def k(self) -> int:
        """How many values are true (for a yes/no measurement) or positive."""
        return sum(1 for v in self.values if v > 0)

    def holds(self, at_least: int) -> bool:
        """True when the measurement is true (or positive) in ``at_least`` seeds."""
        return self.k >= at_least

    def above(self, threshold: float = 0.0, n_sem: float = 2.0) -> bool:
        """True when the mean exceeds ``threshold`` by ``n_sem`` standard errors."""
        return self.mean - n_sem * self.sem > threshold

    def below(self, threshold: float = 0.0, n_sem: float = 2.0) -> bool:
        """True when the mean is below ``threshold`` by ``n_sem`` standard errors."""
        return self.mean + n_sem * self.sem < threshold

    def __str__(self) -> str:
        if all(isinstance(v, bool) for v in self.values):
            return f"{self.name}: holds in {self.k} of {self.n} seeds"
        return (f"{self.name}: {self.mean:.3g} ± {self.sd:.2g} (mean ± sd over "
                f"{self.n} seeds; min {min(self.values):.3g}, max {max(self.values):.3g})")

    def _repr_pretty_(self, printer, cycle):
        printer.text(str(self))


def summarize(name: str, values) -> SeedSummary:
    """Wrap per-seed values (a list, or a 1-D tensor/array) in a :class:`SeedSummary`."""
    if torch.is_tensor(values):
        values = values.detach().flatten().tolist()
    values = [bool(v) if isinstance(v, (bool, np.bool_)) else float(v)
              for v in list(values)]
    if not values:
        raise ValueError(f"{name}: no values to summarise")
    return SeedSummary(name, values)


def over_seeds(experiment, n: int = 20, *, stream="default", name: str | None = None):
    """Run ``experiment(seed)`` for ``n`` seeds of ``stream``; summarise each measurement.

    ``experiment`` returns a number, a bool, or a dict of them. A dict gives a
    dict of :class:`SeedSummary`, one per key; anything else gives one
    summary named ``name`` (default: the experiment's name).
    """
    results = [experiment(s) for s in seeds(stream, n)]
    if isinstance(results[0], dict):
        return {key: summarize(key, [r[key] for r in results]) for key in results[0]}
    return summarize(name or getattr(experiment, "__name__", "measurement"), results)
