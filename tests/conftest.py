"""Shared test set-up: headless plotting and the book's root folder."""

import os
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")
# Two test workers share two cores: one thread each for torch in every kernel they start.
os.environ.setdefault("OMP_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def root():
    return ROOT
