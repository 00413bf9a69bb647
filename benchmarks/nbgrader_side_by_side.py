"""Time nbgrader's ``autograde`` and the book's grader on the same class, on one core.

    python benchmarks/nbgrader_side_by_side.py                        # 40 submissions, median of 3 runs
    python benchmarks/nbgrader_side_by_side.py --count 10 --runs 1    # a quick end-to-end check
    python benchmarks/nbgrader_side_by_side.py --key solutions/regression.ipynb   # a regression key
                                                      # (run.make_class writes regression submissions)

nbgrader is a test-only tool: it lives in its own virtual environment,
``benchmarks/.nbgrader-env/``, made on first use with ``--system-site-packages``
(so that its kernel imports the book's torch and ``lossbook``) and never enters
``requirements.txt``. Making it checks that the book's environment is left as it
was and that no second torch came in.

The key (a solution notebook) becomes an nbgrader course in a temporary folder:
solution cells become autograded-answer cells (their ``### BEGIN/END SOLUTION``
regions are nbgrader's own markers), test cells autograder-test cells with the
key's points (our hidden-test markers are nbgrader's too), other code cells
read-only. ``benchmarks/run.py``'s ``make_class`` writes the class; each
nbgrader submission is nbgrader's released notebook with the same answer cells.
Both tools must give every submission the same total, or the script prints the
differences and exits 1. Each whole-process run is pinned to CPU 0
(``taskset -c 0``): one warm-up, then the median of ``--runs``; the same for a
single submission. Prints a markdown table and writes
``benchmarks/nbgrader_results.json``. ``compare()`` returns the same figures.
"""

import argparse
import copy
import csv
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

import nbformat  # noqa: E402

try:  # the package's layout since it was split into lossbook.book and lossbook.grading
    from lossbook.book.exercises import (BEGIN_HIDDEN, END_HIDDEN, EXERCISE_TITLE, SOLUTION_ONLY_TAG,
                                         SOLUTION_TITLE, exercise_meta, make_student_version)
    from lossbook.book.notebooks import read_notebook
except ImportError:  # the earlier layout
    from lossbook.exercises import (BEGIN_HIDDEN, END_HIDDEN, EXERCISE_TITLE, SOLUTION_ONLY_TAG,
                                    SOLUTION_TITLE, exercise_meta, make_student_version)
    from lossbook.notebooks import read_notebook

NBGRADER = "nbgrader==0.9.6"  # the newest release on PyPI (Python >= 3.11) when this was written
ENV = HERE / ".nbgrader-env"
RESULTS = HERE / "nbgrader_results.json"
KEY = ROOT / "solutions" / "regression.ipynb"
PIN = ["taskset", "-c", "0"] if shutil.which("taskset") else []
NB_BEGIN_HIDDEN, NB_END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
CONFIG = """\
import os

here = os.path.dirname(os.path.abspath(__file__))
c = get_config()  # noqa: F821
c.CourseDirectory.course_id = "lossbook-benchmark"
c.CourseDirectory.root = here
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(here, "gradebook.db")
c.Exchange.root = os.path.join(here, "exchange")  # a local folder: no hub, no network
c.ExecutePreprocessor.timeout = 600  # seconds per cell
"""


class SetupError(Exception):
    """The nbgrader environment or course could not be made; the message is one line."""


class ScoreMismatch(Exception):
    """nbgrader and the book's grader scored a submission differently; the message holds a table."""


# --- the nbgrader environment ---------------------------------------------------------------------

def venv_python() -> Path:
    return ENV / "bin" / "python"


def run_checked(command, what: str, **kwargs) -> str:
    """Run a command that must succeed; its stdout, or SetupError with the last line of its output."""
    done = subprocess.run([str(c) for c in command], capture_output=True, text=True, **kwargs)
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines() or ["(no output)"]
        raise SetupError(f"{what} failed: {lines[-1][:300]}")
    return done.stdout


def pip_freeze(python, *options) -> list:
    return run_checked([python, "-m", "pip", "list", "--format=freeze", *options], "pip list").splitlines()


def nbgrader_env() -> Path:
    """The venv's python, with nbgrader and an ipykernel spec of its own; made on first use."""
    wanted = NBGRADER.split("==")[1]
    try:
        found = run_checked([venv_python(), "-c", "import nbgrader; print(nbgrader.__version__)"], "")
        if found.strip() == wanted:
            return venv_python()
    except (OSError, SetupError):
        pass
    shutil.rmtree(ENV, ignore_errors=True)
    before = pip_freeze(sys.executable)
    try:
        run_checked([sys.executable, "-m", "venv", "--system-site-packages", ENV], "python -m venv")
        run_checked([venv_python(), "-m", "pip", "install", "--quiet", NBGRADER],
                    f"pip install {NBGRADER} (is PyPI reachable?)")
        run_checked([venv_python(), "-m", "ipykernel", "install", "--sys-prefix", "--name", "python3"],
                    "ipykernel install --sys-prefix")
        if pip_freeze(sys.executable) != before:
            raise SetupError("installing nbgrader changed the book's environment (pip list differs)")
        local = [line for line in pip_freeze(venv_python(), "--local") if line.lower().startswith(
            ("torch", "nvidia", "triton"))]
        if local:
            raise SetupError(f"installing nbgrader pulled its own {', '.join(local)}")
    except (OSError, SetupError) as err:
        shutil.rmtree(ENV, ignore_errors=True)
        raise SetupError(f"cannot make the nbgrader environment: {err}") from None
    return venv_python()


def nbgrader_environ(course: Path) -> dict:
    """nbgrader's environment: the venv first on PATH; Jupyter's own folders inside the course."""
    jupyter = course / ".jupyter"
    return dict(os.environ, PATH=f"{ENV / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
                VIRTUAL_ENV=str(ENV), JUPYTER_PREFER_ENV_PATH="1", JUPYTER_CONFIG_DIR=str(jupyter / "config"),
                JUPYTER_DATA_DIR=str(jupyter / "data"), JUPYTER_RUNTIME_DIR=str(jupyter / "runtime"),
                JUPYTER_PLATFORM_DIRS="1")


def check_kernel(course: Path) -> None:
    """The kernel nbgrader starts is the venv's python, which sees the book's torch and lossbook."""
    code = ("import json; from jupyter_client.kernelspec import KernelSpecManager as K; "
            "print(json.dumps(K().get_kernel_spec('python3').argv))")
    argv = json.loads(run_checked([venv_python(), "-c", code], "finding the kernelspec",
                                  env=nbgrader_environ(course)))
    code = "import sys, torch, lossbook; print(sys.prefix); print(torch.__file__)"
    prefix, torch = run_checked([argv[0], "-c", code], "importing torch and lossbook in the kernel's python").split()
    if Path(prefix).resolve() != ENV.resolve():
        raise SetupError(f"the python3 kernel runs {argv[0]}, not the nbgrader environment's python")
    if Path(torch).resolve().is_relative_to(ENV.resolve()):
        raise SetupError("the kernel imports a torch of the nbgrader environment, not the book's")


# --- the course -----------------------------------------------------------------------------------

def nbgrader_source(key) -> nbformat.NotebookNode:
    """The key as an nbgrader source notebook (see the module's docstring)."""
    nb = copy.deepcopy(key)
    cells = []
    for cell in nb.cells:
        if SOLUTION_ONLY_TAG in cell.metadata.get("tags", []):
            continue
        if cell.cell_type == "markdown":
            if cell.source.startswith(SOLUTION_TITLE):
                cell.source = EXERCISE_TITLE + cell.source[len(SOLUTION_TITLE):]
            cells.append(cell)
            continue
        cell.outputs, cell.execution_count = [], None
        role = exercise_meta(cell).get("role")
        if role == "solution":
            flags = {"solution": True, "grade": False, "locked": False}
        elif role == "test":
            flags = {"solution": False, "grade": True, "locked": True, "points": exercise_meta(cell)["points"]}
            # Our hidden-test markers are nbgrader's strings; mapped anyway, should ours ever change.
            cell.source = "\n".join({BEGIN_HIDDEN: NB_BEGIN_HIDDEN, END_HIDDEN: NB_END_HIDDEN}.get(
                line.strip(), line) for line in cell.source.split("\n"))
        else:
            flags = {"solution": False, "grade": False, "locked": True}
        cell.metadata["nbgrader"] = {**flags, "grade_id": cell.id, "schema_version": 3, "task": False}
        cells.append(cell)
    nb.cells = cells
    return nb


def answer(submission, cell) -> str | None:
    """The submitted source of the key's solution cell ``cell``: same cell id, or same exercise (last wins)."""
    ex_id = exercise_meta(cell).get("id")
    found = [c for c in submission.cells if c.cell_type == "code" and (
        c.get("id") == cell.id or (exercise_meta(c).get("id") == ex_id and exercise_meta(c).get("role") == "solution"))]
    return found[-1].source if found else None


def check_release(released, key) -> None:
    """nbgrader's student version equals ours in substance: the same code cells, answers stubbed alike."""
    ours = [c for c in make_student_version(key).cells if c.cell_type == "code"]
    theirs = [c for c in released.cells if c.cell_type == "code"]
    if len(ours) != len(theirs):
        raise SetupError(f"nbgrader released {len(theirs)} code cells, our student version has {len(ours)}")
    for mine, its in zip(ours, theirs):
        stubbed = "NotImplementedError" in mine.source and "NotImplementedError" in its.source
        same = mine.source.strip() == its.source.strip()
        if not (same or exercise_meta(mine).get("role") == "solution" and stubbed):
            raise SetupError(f"cell {mine.id}: nbgrader's released version differs from ours")


def build_course(folder: Path, key_path: Path, submissions: list) -> Path:
    """An nbgrader course in ``folder``: source, release, one submission per notebook, students in the db."""
    name = key_path.stem
    key = read_notebook(key_path)
    (folder / "source" / name).mkdir(parents=True)
    (folder / "nbgrader_config.py").write_text(CONFIG)
    nbformat.write(nbgrader_source(key), folder / "source" / name / f"{name}.ipynb")
    environ = nbgrader_environ(folder)
    nbgrader = [ENV / "bin" / "nbgrader"]
    run_checked(nbgrader + ["generate_assignment", name, "--create", "--force"], "nbgrader generate_assignment",
                cwd=folder, env=environ)
    released = nbformat.read(folder / "release" / name / f"{name}.ipynb", as_version=4)
    check_release(released, key)
    answers = [c for c in key.cells if exercise_meta(c).get("role") == "solution"]
    for path in submissions:
        submitted = read_notebook(path)
        nb = copy.deepcopy(released)
        for cell in nb.cells:
            if cell.metadata.get("nbgrader", {}).get("solution"):
                source = answer(submitted, next(c for c in answers if c.id == cell.metadata.nbgrader.grade_id))
                cell.source = cell.source if source is None else source
        (folder / "submitted" / path.stem / name).mkdir(parents=True)
        nbformat.write(nb, folder / "submitted" / path.stem / name / f"{name}.ipynb")
    with open(folder / "students.csv", "w", newline="") as handle:
        csv.writer(handle).writerows([["id", "last_name", "first_name"]] + [[p.stem, p.stem, ""] for p in submissions])
    run_checked(nbgrader + ["db", "student", "import", "students.csv"], "nbgrader db student import",
                cwd=folder, env=environ)
    check_kernel(folder)
    return folder


# --- grading and timing ---------------------------------------------------------------------------

def timed(command, cwd, env=None) -> float:
    """Seconds of one whole-process run pinned to CPU 0 (the command must succeed)."""
    start = time.perf_counter()
    done = subprocess.run(PIN + [str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SetupError(f"{Path(str(command[0])).name} failed: {(done.stderr or done.stdout).strip()[-500:]}")
    return seconds


def nbgrader_run(template: Path, work: Path, name: str) -> tuple:
    """Autograde every submission of a fresh copy of the course; (seconds, {student: total})."""
    course = work / f"course-{time.monotonic_ns()}"
    shutil.copytree(template, course)
    seconds = timed([ENV / "bin" / "nbgrader", "autograde", name, "--force"], course, nbgrader_environ(course))
    run_checked([ENV / "bin" / "nbgrader", "export", "--to", "grades.csv"], "nbgrader export", cwd=course,
                env=nbgrader_environ(course))
    with open(course / "grades.csv", newline="") as handle:
        totals = {row["student_id"]: float(row["score"]) for row in csv.DictReader(handle)}
    shutil.rmtree(course)
    return seconds, totals


def our_run(submissions: Path, key: Path, work: Path) -> tuple:
    """``python -m lossbook.grade ... --jobs 1`` on the class; (seconds, {submission: total}, rows)."""
    out = work / f"out-{time.monotonic_ns()}"
    seconds = timed([sys.executable, "-m", "lossbook.grade", submissions, "--key", key, "--out", out,
                     "--jobs", "1"], ROOT)
    with open(out / "gradebook.csv", newline="") as handle:
        rows = {row["submission"]: row for row in csv.DictReader(handle)}
    shutil.rmtree(out)
    return seconds, {name: float(row["total"]) for name, row in rows.items()}, rows


def differences(theirs: dict, ours: dict, rows: dict) -> list:
    """Markdown rows for the submissions whose totals differ (with our per-exercise points)."""
    lines = []
    for name in sorted(set(theirs) | set(ours)):
        if theirs.get(name) != ours.get(name):
            row = rows.get(name, {})
            detail = ", ".join(f"{k} {v}" for k, v in row.items() if k not in (
                "submission", "chapter", "total", "max", "notes", "error", "isolated"))
            lines.append(f"| {name} | {theirs.get(name)} | {ours.get(name)} | {detail} {row.get('error', '')} |")
    return lines


def measure(template: Path, folder: Path, key: Path, work: Path, runs: int) -> dict:
    """One warm-up of each tool (its scores must agree), then ``runs`` interleaved timed runs of each."""
    _, theirs = nbgrader_run(template, work, key.stem)
    _, ours, rows = our_run(folder, key, work)
    diff = differences(theirs, ours, rows)
    if diff:
        table = "\n".join(["| submission | nbgrader | ours | our points per exercise |", "|---|---|---|---|"] + diff)
        raise ScoreMismatch(f"{len(diff)} of {len(ours)} submissions scored differently:\n{table}")
    nbgrader_s, ours_s = [], []
    for _ in range(runs):
        nbgrader_s.append(nbgrader_run(template, work, key.stem)[0])
        ours_s.append(our_run(folder, key, work)[0])
    n = len(ours)
    return {"submissions": n, "nbgrader_runs_s": nbgrader_s, "ours_runs_s": ours_s,
            "nbgrader_s": statistics.median(nbgrader_s), "ours_s": statistics.median(ours_s),
            "nbgrader_per_submission_s": statistics.median(nbgrader_s) / n,
            "ours_per_submission_s": statistics.median(ours_s) / n,
            "ratio_nbgrader_over_ours": statistics.median(nbgrader_s) / statistics.median(ours_s),
            "totals": {name: ours[name] for name in sorted(ours)}}


def make_class(folder: Path, count: int) -> Path:
    """``benchmarks/run.py``'s realistic class (7 in 10 right, 2 with a typical mistake, 1 unanswered)."""
    spec = importlib.util.spec_from_file_location("lossbook_benchmarks_run", HERE / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.make_class(folder, count, "realistic")


def revision(key: Path) -> dict:
    """The book's commit and the files of the grader or the key changed since (the figures follow them)."""
    git = ["git", "-C", str(ROOT)]
    environ = dict(os.environ, GIT_OPTIONAL_LOCKS="0")  # read only: not even the index's cache
    try:
        commit = subprocess.run(git + ["rev-parse", "--short", "HEAD"], capture_output=True, text=True, env=environ)
        changed = subprocess.run(git + ["diff", "--name-only", "HEAD", "--", "lossbook", str(key)],
                                 capture_output=True, text=True, env=environ)
    except OSError:
        return {}
    return {"commit": commit.stdout.strip(), "uncommitted_changes": changed.stdout.split()}


def compare(count: int = 40, key=KEY, runs: int = 3) -> dict:
    """Time nbgrader's autograde and ``lossbook.grade --jobs 1`` on the same class of ``count``; the figures.

    Raises SetupError (no nbgrader environment, a failed run) or ScoreMismatch (the tools disagree).
    """
    source = Path(key).resolve()
    if source.stem != "regression":
        raise SetupError("run.make_class writes submissions to the regression chapter: use its key")
    if count < 1 or runs < 1:
        raise SetupError("--count and --runs must be at least 1")
    nbgrader_env()
    code = revision(source)
    with tempfile.TemporaryDirectory(prefix="nbgrader-side-by-side-") as tmp:
        work = Path(tmp)
        key = work / "key" / source.name  # a copy: both tools grade with one key, whatever is edited meanwhile
        key.parent.mkdir()
        shutil.copy(source, key)
        folder = make_class(work / "class", count)
        submissions = sorted(folder.glob("*.ipynb"))
        (work / "one").mkdir()
        shutil.copy(submissions[0], work / "one" / submissions[0].name)
        batch = measure(build_course(work / "course", key, submissions), folder, key, work, runs)
        one = measure(build_course(work / "course-one", key, submissions[:1]), work / "one", key, work, runs)
    return {"nbgrader": NBGRADER, "key": str(source.relative_to(ROOT)) if source.is_relative_to(ROOT) else source.name,
            "book": code, "count": count, "runs": runs, "pinned": " ".join(PIN) or "not pinned (no taskset)",
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                        "platform": platform.platform(terse=True)},
            "batch": batch, "one_submission": one}


def table(results: dict) -> str:
    lines = [f"nbgrader {results['nbgrader'].split('==')[1]} `autograde` vs `python -m lossbook.grade --jobs 1`, "
             f"{results['pinned']}, median of {results['runs']} run(s) after a warm-up",
             "", "| what | nbgrader | ours | nbgrader / ours |", "|---|---|---|---|"]
    for label, part in ((f"{results['count']} submissions, total", results["batch"]),
                        ("1 submission, whole process", results["one_submission"])):
        lines.append(f"| {label} | {part['nbgrader_s']:.1f} s | {part['ours_s']:.1f} s | "
                     f"{part['ratio_nbgrader_over_ours']:.2f} |")
    batch = results["batch"]
    lines.append(f"| per submission within the {results['count']} | {batch['nbgrader_per_submission_s']:.2f} s | "
                 f"{batch['ours_per_submission_s']:.2f} s | {batch['ratio_nbgrader_over_ours']:.2f} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=40, help="submissions in the class (default: 40)")
    parser.add_argument("--key", default=str(KEY), help="the solution notebook (default: solutions/regression.ipynb)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs after the warm-up (default: 3)")
    args = parser.parse_args(argv)
    try:
        results = compare(args.count, args.key, args.runs)
    except SetupError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except ScoreMismatch as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    RESULTS.write_text(json.dumps(results, indent=1) + "\n")
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
