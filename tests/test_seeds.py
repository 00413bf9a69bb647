"""The base seed: read from outside, different under test, used by every notebook."""

import os
import re
import subprocess
import sys

import pytest
import torch

from conftest import BUILD_SEED
from lossbook.book.notebooks import read_notebook
from lossbook.seeds import (ENV_VAR, SeedError, base_seed, generator, over_seeds,
                            seeds, summarize)

from .conftest import ROOT

EXECUTED = sorted((ROOT / "chapters").glob("*.ipynb")) + sorted((ROOT / "solutions").glob("*.ipynb"))
# Ways to seed or draw that bypass the base seed.
BYPASS = re.compile(
    r"manual_seed\(|np\.random\.seed\(|random\.seed\(|default_rng\(|set_seed\(|\bseed=\d")


def test_tests_run_under_another_seed_than_the_build():
    assert os.environ[ENV_VAR] != str(BUILD_SEED)
    assert base_seed() != BUILD_SEED


def test_base_seed_is_read_from_the_environment(monkeypatch):
    monkeypatch.setenv(ENV_VAR, "7")
    assert base_seed() == 7
    first = seeds("fit", 3)
    monkeypatch.setenv(ENV_VAR, "8")
    assert seeds("fit", 3) != first
    monkeypatch.delenv(ENV_VAR)
    assert base_seed() == 0


@pytest.mark.parametrize("text", ["abc", "-1", "1.5"])
def test_a_bad_seed_is_a_one_line_error(monkeypatch, text):
    monkeypatch.setenv(ENV_VAR, text)
    with pytest.raises(SeedError, match=ENV_VAR):
        base_seed()


def test_streams_are_independent_and_reproducible():
    assert seeds("a", 5) == seeds("a", 5)
    assert len(set(seeds("a", 5) + seeds("b", 5))) == 10
    x = torch.randn(4, generator=generator("a"))
    assert torch.equal(x, torch.randn(4, generator=generator("a")))
    assert not torch.equal(x, torch.randn(4, generator=generator("b")))


def test_summaries_report_spread_and_counts():
    s = summarize("gap", [1.0, 2.0, 3.0, 4.0])
    assert s.n == 4 and s.mean == 2.5 and abs(s.sd - 1.2909944) < 1e-6
    assert s.above(0.0) and not s.above(2.5) and s.below(10.0)
    assert "mean ± sd over 4 seeds" in str(s)
    b = summarize("wins", torch.tensor([True, False, True]))
    assert b.k == 2 and b.holds(2) and not b.holds(3)
    assert str(b) == "wins: holds in 2 of 3 seeds"
    results = over_seeds(lambda s: {"x": s % 2, "y": float(s)}, n=6, stream="t")
    assert set(results) == {"x", "y"} and results["y"].n == 6


def test_notebooks_print_the_seed_in_a_cli_run():
    code = "from lossbook.seeds import seed_everything; seed_everything()"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, ENV_VAR: "42"}, timeout=60)
    assert out.returncode == 0 and "base seed 42" in out.stdout


@pytest.mark.parametrize("path", EXECUTED, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_notebook_draws_from_the_base_seed(path):
    code = [c.source for c in read_notebook(path).cells if c.cell_type == "code"]
    assert any("seed_everything()" in source for source in code[:3]), \
        f"{path.name}: call lossbook.seeds.seed_everything() in the set-up cell"
    bypass = [line for source in code for line in source.splitlines() if BYPASS.search(line)]
    assert not bypass, f"{path.name}: seeds set by hand instead of from the base seed: {bypass}"
