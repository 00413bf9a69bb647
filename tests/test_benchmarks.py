"""The README's measured figures are the ones the benchmarks wrote, never typed by hand."""

import importlib.util
import json
import tomllib

from .conftest import ROOT


def _benchmark_runner():
    spec = importlib.util.spec_from_file_location("benchmark_run", ROOT / "benchmarks" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_readme_table_is_the_one_the_result_files_make():
    run = _benchmark_runner()
    text = (ROOT / "README.md").read_text()
    assert text.count(run.README_START) == 1 and text.count(run.README_END) == 1
    table = text[text.index(run.README_START) + len(run.README_START):text.index(run.README_END)].strip()
    results = json.loads((ROOT / "benchmarks" / "results.json").read_text())
    budgets = tomllib.loads((ROOT / "benchmarks" / "budgets.toml").read_text())
    assert table == run.readme_table(results, run.side_by_side(), budgets), (
        "the README's table differs from the result files: run `python benchmarks/run.py --readme`")


def test_a_speedup_below_its_budget_is_reported(monkeypatch):
    run = _benchmark_runner()
    budgets = {"notebook_seconds": 20, "notebook_peak_mb": 1536, "nbgrader_speedup": 5}
    results = {"notebooks": {}, "grading": {}}
    for ratio, over in ((4.9, ["nbgrader_speedup: 4.90x < 5x"]), (5.1, [])):
        monkeypatch.setattr(run, "side_by_side", lambda: {"batch": {"ratio_nbgrader_over_ours": ratio}})
        assert run.check_budgets(results, budgets) == over
