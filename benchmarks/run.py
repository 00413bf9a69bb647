"""Measure how long the book takes to build, test and grade, and check the budgets.

    python benchmarks/run.py              # everything but nbgrader (about 30 minutes on 2 cores)
    python benchmarks/run.py --quick      # notebooks and grading only
    python benchmarks/run.py --grading    # grading only (keeps the other figures of results.json)
    python benchmarks/run.py --grading --nbgrader   # and nbgrader side by side (20 more minutes)
    python benchmarks/run.py --readme     # measure nothing: the README's table from the result files

Prints a table, writes ``benchmarks/results.json``, and exits non-zero when a
figure is over its budget in ``benchmarks/budgets.toml``. Timings live here,
never in tests.
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
BUILD = ["jupyter-book", "build", "-W", "-n", "--keep-going", "."]


def timed(command) -> float:
    """Seconds to run a command (which must succeed)."""
    return measured(command)["seconds"]


def measured(command) -> dict:
    """Seconds and peak memory (largest process of the command's tree) of a command that must succeed.

    The command runs under a fresh Python parent, so the peak memory belongs to
    this command alone.
    """
    code = (
        "import json, resource, subprocess, sys, time\n"
        "start = time.perf_counter()\n"
        "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
        "seconds = time.perf_counter() - start\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "print(json.dumps({'seconds': seconds, 'peak_mb': peak}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code, *map(str, command)], cwd=ROOT, check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def execute_notebook(path: Path) -> dict:
    """Run one notebook in a fresh kernel (in a child process); seconds and the kernel's peak memory."""
    code = (
        "import json, resource, sys, time, nbformat\n"
        "from nbclient import NotebookClient\n"
        "nb = nbformat.read(sys.argv[1], as_version=4)\n"
        "client = NotebookClient(nb, timeout=600, kernel_name='python3',\n"
        "                        resources={'metadata': {'path': sys.argv[2]}})\n"
        "start = time.perf_counter()\n"
        "client.execute()\n"
        "seconds = time.perf_counter() - start\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "print(json.dumps({'seconds': seconds, 'peak_mb': peak}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(path), str(path.parent)], cwd=ROOT,
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def kernel_floor() -> dict:
    """A notebook that only starts the kernel and imports what every chapter imports."""
    import nbformat

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "imports.ipynb"
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
            "import torch, numpy, matplotlib.pyplot\nimport lossbook.checks, lossbook.plotting")])
        nbformat.write(nb, path)
        return execute_notebook(path)


def notebooks() -> dict:
    figures = {}
    for folder in ("chapters", "solutions"):
        for path in sorted((ROOT / folder).glob("*.ipynb")):
            figures[f"{folder}/{path.name}"] = execute_notebook(path)
    return figures


def grading() -> dict:
    """One submission (median of 5 cold runs); 100 submissions of a realistic class with 1 and 2 jobs,
    and of an all-correct class (the slowest: every check runs to the end) with 2 jobs."""
    key = ROOT / "solutions" / "regression.ipynb"
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        single = tmp / "one"
        single.mkdir()
        shutil.copy(key, single / "student.ipynb")
        command = [sys.executable, "-m", "lossbook.grading.grade", str(single), "--key", str(key), "--out", str(tmp / "o1")]
        one = [timed(command) for _ in range(5)]
        result = {"one_submission_s": statistics.median(one), "one_submission_runs_s": one}
        for kind, jobs in (("realistic", 1), ("realistic", 2), ("all_correct", 2)):
            batch = tmp / kind
            if not batch.exists():
                make_class(batch, 100, kind)
            figure = measured([sys.executable, "-m", "lossbook.grading.grade", batch, "--key", key,
                               "--out", tmp / f"out-{kind}-{jobs}", "--jobs", jobs])
            name = "batch_100" if kind == "realistic" else "all_correct_100"
            result[f"{name}_jobs{jobs}_s"] = figure["seconds"]
            result[f"{name}_jobs{jobs}_peak_mb"] = figure["peak_mb"]
        result["per_submission_in_batch_jobs2_s"] = result["batch_100_jobs2_s"] / 100
        result["floor_kernel_and_torch_s"] = kernel_floor()["seconds"]
        return result


def nbgrader() -> dict:
    """nbgrader ``autograde`` and this grader on the same class of 40, on one core (its own environment);
    written to ``benchmarks/nbgrader_results.json``, as the side-by-side script does."""
    sys.path.insert(0, str(HERE))
    from nbgrader_side_by_side import RESULTS, compare

    results = compare(count=40, runs=3)
    RESULTS.write_text(json.dumps(results, indent=1) + "\n")
    return results


def make_class(folder: Path, count: int, kind: str = "realistic") -> Path:
    """``count`` submissions. Realistic: 7 in 10 right, 2 in 10 with one typical mistake, 1 in 10
    unanswered. All correct: every answer right."""
    sys.path.insert(0, str(ROOT))
    from lossbook.book.notebooks import read_notebook, write_notebook
    from tests.wrong_answers import WRONG_ANSWERS

    folder.mkdir()
    mistakes = [(ex, code) for ex, answers in WRONG_ANSWERS["regression"].items()
                for code in answers.values()]
    for i in range(count):
        unanswered = kind == "realistic" and i % 10 == 9
        nb = read_notebook(ROOT / ("exercises" if unanswered else "solutions") / "regression.ipynb")
        if kind == "realistic" and i % 10 in (7, 8):
            exercise, code = mistakes[i % len(mistakes)]
            cell = next(c for c in nb.cells if c.metadata.get("exercise", {}).get("id") == exercise
                        and c.metadata["exercise"]["role"] == "solution")
            cell.source = code
        write_notebook(nb, folder / f"student{i:03d}.ipynb")
    return folder


def build_and_tests() -> dict:
    shutil.rmtree(ROOT / "_build", ignore_errors=True)
    figures = {"clean_build_s": timed(BUILD), "warm_rebuild_s": timed(BUILD)}
    figures["tests_parallel_s"] = timed([sys.executable, "-m", "pytest", "-q", "-n", "2", "--dist", "loadfile"])
    # On a fresh clone the test command builds from scratch, then tests in parallel.
    figures["test_command_s"] = figures["clean_build_s"] + figures["tests_parallel_s"]
    return figures


def check_budgets(results: dict, budgets: dict) -> list:
    over = []
    for name, figure in results["notebooks"].items():
        if figure["seconds"] > budgets["notebook_seconds"]:
            over.append(f"{name}: {figure['seconds']:.1f} s > {budgets['notebook_seconds']} s")
        if figure["peak_mb"] > budgets["notebook_peak_mb"]:
            over.append(f"{name}: {figure['peak_mb']:.0f} MB > {budgets['notebook_peak_mb']} MB")
    for key, limit in budgets.items():
        value = results.get("build", {}).get(key) if key in results.get("build", {}) else results.get(
            "grading", {}).get(key)
        if key.startswith("notebook_") or value is None:
            continue
        if value > limit:
            over.append(f"{key}: {value:.1f} > {limit}")
    ratio = side_by_side().get("batch", {}).get("ratio_nbgrader_over_ours")
    if ratio is not None and ratio < budgets["nbgrader_speedup"]:
        over.append(f"nbgrader_speedup: {ratio:.2f}x < {budgets['nbgrader_speedup']}x")
    return over


def table(results: dict) -> str:
    lines = ["| what | measured |", "|---|---|"]
    floor = results["kernel_floor"]
    lines.append(f"| kernel start + imports (floor of every notebook) | {floor['seconds']:.1f} s, {floor['peak_mb']:.0f} MB |")
    for name, figure in sorted(results["notebooks"].items(), key=lambda kv: -kv[1]["seconds"]):
        lines.append(f"| `{name}` | {figure['seconds']:.1f} s, {figure['peak_mb']:.0f} MB |")
    names = {
        "clean_build_s": "clean build (empty cache)", "warm_rebuild_s": "rebuild, nothing changed",
"tests_parallel_s": "`pytest -n 2 --dist loadfile`",
        "test_command_s": "the README's test command after install (clean build + parallel tests)",
        "one_submission_s": "grade one submission (median of 5 cold runs)",
        "batch_100_jobs1_s": "grade 100 submissions of a realistic class, `--jobs 1`",
        "batch_100_jobs2_s": "grade 100 submissions of a realistic class, `--jobs 2`",
        "per_submission_in_batch_jobs2_s": "per submission within that batch",
        "all_correct_100_jobs2_s": "grade 100 all-correct submissions, `--jobs 2`",
        "batch_100_jobs2_peak_mb": "peak memory of the largest process while grading (`--jobs 2`)",
        "floor_kernel_and_torch_s": "floor of a cold run: a kernel that starts and imports torch",
    }
    for section in ("build", "grading"):
        for key, label in names.items():
            if key in results.get(section, {}):
                value = results[section][key]
                unit = "MB" if key.endswith("_mb") else "s"
                lines.append(f"| {label} | {value:.0f} {unit} |" if unit == "MB" else f"| {label} | {value:.1f} s |")
    side = side_by_side().get("batch")
    if side:
        lines.append(f"| nbgrader `autograde`, {side['submissions']} submissions on one core | "
                     f"{side['nbgrader_per_submission_s']:.2f} s each |")
        lines.append(f"| this grader, same class, one core (`--jobs 1`) | {side['ours_per_submission_s']:.2f} s each, "
                     f"{side['ratio_nbgrader_over_ours']:.1f}x faster |")
    return "\n".join(lines)


NBGRADER_RESULTS = HERE / "nbgrader_results.json"
README = ROOT / "README.md"
README_START = "<!-- measured: made by `python benchmarks/run.py --readme` from benchmarks/*.json -->"
README_END = "<!-- end of measured figures -->"


def side_by_side() -> dict:
    """The last nbgrader comparison (``nbgrader_side_by_side.py`` or ``--nbgrader``), if there is one."""
    return json.loads(NBGRADER_RESULTS.read_text()) if NBGRADER_RESULTS.exists() else {}


def duration(seconds: float) -> str:
    return f"{seconds:.1f} s" if seconds < 100 else f"{int(seconds // 60)} min {seconds % 60:.0f} s"


def limit(seconds: float) -> str:
    """A budget, as round as it was set."""
    return f"{seconds / 60:g} min" if seconds >= 100 and seconds % 60 == 0 else f"{seconds:g} s"


def readme_table(results: dict, side: dict, budgets: dict) -> str:
    """The README's table of measured figures and their budgets, from the benchmarks' result files."""
    notebook_budget = f"{budgets['notebook_seconds']} s, {budgets['notebook_peak_mb'] / 1024:.1f} GB"
    rows = [("what", "measured", "budget"), ("---", "---", "---")]
    notebooks = results.get("notebooks", {})
    chapters = {n: f for n, f in notebooks.items() if n.startswith("chapters/")}
    for name, figure in sorted(chapters.items(), key=lambda kv: -kv[1]["seconds"]):
        rows.append((f"`{name}`", duration(figure["seconds"]), notebook_budget))
    solutions = [f["seconds"] for n, f in notebooks.items() if n.startswith("solutions/")]
    if solutions:
        rows.append((f"each of the {len(solutions)} `solutions/*.ipynb`",
                     f"{min(solutions):.1f} to {max(solutions):.1f} s", notebook_budget))
    if notebooks:
        rows.append(("the largest peak memory of a notebook's kernel",
                     f"{max(f['peak_mb'] for f in notebooks.values()):.0f} MB", notebook_budget.split(", ")[1]))
    build = results.get("build", {})
    if build:
        rows.append(("clean build of every notebook (`jupyter-book build`, empty cache)",
                     duration(build["clean_build_s"]), limit(budgets["clean_build_s"])))
        rows.append(("the tests (`pytest -n 2 --dist loadfile`)", duration(build["tests_parallel_s"]), ""))
        rows.append(("the README's test command after install (clean build, then the tests)",
                     duration(build["test_command_s"]), limit(budgets["test_command_s"])))
    grading = results.get("grading", {})
    if grading:
        rows += [
            ("grade one regression submission, cold start (median of 5)", duration(grading["one_submission_s"]),
             limit(budgets["one_submission_s"])),
            ("the floor of that: a Jupyter kernel that starts and imports torch",
             duration(grading["floor_kernel_and_torch_s"]), ""),
            ("grade 100 generated submissions (7 in 10 right, 2 with a typical mistake, 1 unanswered), "
             "`--jobs 1`", duration(grading["batch_100_jobs1_s"]), ""),
            ("the same on a local Dask cluster of 2 workers, `--jobs 2`",
             f"{duration(grading['batch_100_jobs2_s'])} ({grading['per_submission_in_batch_jobs2_s']:.2f} s each)",
             limit(budgets["batch_100_jobs2_s"])),
            ("100 all-correct submissions, `--jobs 2`", duration(grading["all_correct_100_jobs2_s"]), ""),
            ("peak memory of any process while grading 100",
             f"{max(v for k, v in grading.items() if k.endswith('_peak_mb')):.0f} MB", ""),
        ]
    batch = side.get("batch")
    if batch:
        paired = ", ".join(f"{n / o:.1f}x" for n, o in zip(batch["nbgrader_runs_s"], batch["ours_runs_s"]))
        rows.append((f"{side['nbgrader'].replace('==', ' ')} `autograde` vs this grader, the same {batch['submissions']} "
                     "submissions on one core (median of the timed runs)",
                     f"{batch['nbgrader_per_submission_s']:.2f} s vs {batch['ours_per_submission_s']:.2f} s each "
                     f"({batch['ratio_nbgrader_over_ours']:.2f}x; run by run: {paired})",
                     f"{budgets['nbgrader_speedup']}x"))
    return "\n".join(f"| {' | '.join(row)} |" for row in rows)


def update_readme(results: dict, budgets: dict) -> None:
    """Replace the README's table of measured figures (between its two markers) with the current one."""
    text = README.read_text()
    start, end = text.index(README_START) + len(README_START), text.index(README_END)
    README.write_text(text[:start] + "\n" + readme_table(results, side_by_side(), budgets) + "\n" + text[end:])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the build and test-suite timings")
    parser.add_argument("--grading", action="store_true",
                        help="measure only grading; keep the other figures of the last results.json")
    parser.add_argument("--nbgrader", action="store_true",
                        help="also time nbgrader autograde side by side (in its own environment, made on first use)")
    parser.add_argument("--readme", action="store_true",
                        help="measure nothing: rewrite the README's table from the result files")
    args = parser.parse_args()
    budgets = tomllib.loads((HERE / "budgets.toml").read_text())
    if args.readme:
        update_readme(json.loads((HERE / "results.json").read_text()), budgets)
        return 0
    machine = {"cpus": os.cpu_count(), "python": platform.python_version(),
               "platform": platform.platform(terse=True)}
    if args.grading:
        results = json.loads((HERE / "results.json").read_text())
        results.update(machine=machine, grading=grading())
        # Figures of notebooks the book no longer has would be read as current.
        results["notebooks"] = {name: f for name, f in results.get("notebooks", {}).items() if (ROOT / name).exists()}
    else:
        results = {"machine": machine, "kernel_floor": kernel_floor(), "notebooks": notebooks(), "grading": grading()}
    if not args.quick and not args.grading:
        results["build"] = build_and_tests()
    if args.nbgrader:
        nbgrader()
    results.pop("nbgrader", None)  # its figures live in nbgrader_results.json
    (HERE / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    print(table(results))
    over = check_budgets(results, budgets)
    for line in over:
        print(f"over budget: {line}", file=sys.stderr)
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
