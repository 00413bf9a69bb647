"""Shared test set-up: the book's root folder (the environment is set in ../conftest.py)."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def root():
    return ROOT
