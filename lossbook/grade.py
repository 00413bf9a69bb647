"""Grade students' notebooks into a gradebook, per-submission reports and feedback.

    python -m lossbook.grade submissions/ --key assignment/key --out grades/ --jobs 2

SUBMISSIONS are notebooks or folders (searched recursively for ``*.ipynb``).
Writes ``<out>/gradebook.csv`` (one row per submission, one column per
exercise, the total), ``<out>/reports/<name>.json`` and
``<out>/feedback/<name>.md`` (what a student may read: per exercise, passed or
why not; never the text of hidden tests). A submission that cannot be graded
scores 0 with a reason; the rest of the batch goes on. To spread a large class
over machines, run this command on disjoint sets of submissions with the same
key and concatenate the gradebooks (each has one header line).

Students' code runs isolated by the operating system (bubblewrap; see
``lossbook.isolation``). Where that is not possible, grading refuses to start
unless ``--trusted`` states that the submissions are trusted; the gradebook's
``isolated`` column records how each submission was graded.
"""

import argparse
import csv
import json
import sys
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict
from pathlib import Path

from lossbook.exercises import ExerciseFormatError
from lossbook.grading import CALL_TIMEOUT, NOTEBOOK_TIMEOUT, grade, load_keys
from lossbook.isolation import isolation_problem
from lossbook.notebooks import NotebookError


def find_submissions(paths) -> list:
    found = []
    for path in map(Path, paths):
        if path.is_dir():
            found += sorted(p for p in path.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
        elif path.exists():
            found.append(path)
        else:
            raise FileNotFoundError(f"{path}: no such file or folder")
    return found


def report_name(path: Path, roots) -> str:
    """A file-name-safe, unique name for a submission: its path below the folder given."""
    for root in map(Path, roots):
        try:
            relative = path.resolve().relative_to(root.resolve())
        except ValueError:
            continue
        if str(relative) != ".":
            return "__".join(relative.with_suffix("").parts)
    return path.stem


def unique(name: str, path: Path, used: set) -> str:
    """``name``, or a longer one naming its folder (then a number) if another submission has it."""
    candidates = [name, f"{path.parent.name}__{name}"] + [f"{name}-{i}" for i in range(2, 10_000)]
    chosen = next(c for c in candidates if c not in used)
    used.add(chosen)
    return chosen


def feedback_text(report) -> str:
    lines = [f"# Feedback: {Path(report.submission).name}", ""]
    if report.error:
        lines += [f"This notebook could not be graded: {report.error}", "", "Score: 0", ""]
        return "\n".join(lines)
    lines += [f"Score: {report.score} / {report.max_score} ({report.chapter})", ""]
    for ex_id, result in report.exercises.items():
        mark = "passed" if result["passed"] else "not passed"
        lines.append(f"## {ex_id}: {result['points']} / {result['max_points']} points, {mark}")
        for message in result["messages"]:
            lines += ["", "```text", message, "```"]
        lines.append("")
    if report.notes:
        lines += ["## Notes", ""] + [f"- {note}" for note in report.notes] + [""]
    return "\n".join(lines)


def write_outputs(reports, keys, out: Path, roots, isolated: bool = True) -> None:
    (out / "reports").mkdir(parents=True, exist_ok=True)
    (out / "feedback").mkdir(parents=True, exist_ok=True)
    columns = [f"{slug}:{ex}" if len(keys) > 1 else ex for slug, key in keys.items() for ex in key.exercises]
    with open(out / "gradebook.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["submission", "chapter", *columns, "total", "max", "notes", "error", "isolated"])
        used = set()
        for report in reports:
            name = unique(report_name(Path(report.submission), roots), Path(report.submission), used)
            points = {}
            for ex_id, result in report.exercises.items():
                points[f"{report.chapter}:{ex_id}" if len(keys) > 1 else ex_id] = result["points"]
            writer.writerow([name, report.chapter or "", *[points.get(c, "") for c in columns],
                             report.score, report.max_score, len(report.notes), report.error or "",
                             "yes" if isolated else "no"])
            (out / "reports" / f"{name}.json").write_text(json.dumps(asdict(report), indent=1), encoding="utf-8")
            (out / "feedback" / f"{name}.md").write_text(feedback_text(report), encoding="utf-8")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lossbook.grade", description=__doc__.splitlines()[0])
    parser.add_argument("submissions", nargs="+", help="submitted notebooks or folders of them")
    parser.add_argument("--key", nargs="+", default=["solutions"], help="key notebooks or folders (default: solutions/)")
    parser.add_argument("--out", default="grades", help="output folder (default: grades/)")
    parser.add_argument("--jobs", type=int, default=1, help="submissions graded in parallel (default: 1)")
    parser.add_argument("--call-timeout", type=float, default=CALL_TIMEOUT,
                        help="CPU seconds per call of student code")
    parser.add_argument("--timeout", type=float, default=NOTEBOOK_TIMEOUT,
                        help="CPU seconds of student code per notebook")
    parser.add_argument("--trusted", action="store_true",
                        help="the submissions are trusted: grade without OS isolation if it is not available")
    args = parser.parse_args(argv)
    try:
        keys = load_keys(args.key)
        submissions = find_submissions(args.submissions)
    except (NotebookError, ExerciseFormatError, FileNotFoundError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if not submissions:
        print("error: no submitted notebooks found", file=sys.stderr)
        return 2
    problem = isolation_problem()
    if problem and not args.trusted:
        print(f"error: cannot isolate students' code: {problem} "
              "(or pass --trusted if every submission is trusted)", file=sys.stderr)
        return 2
    isolated = problem is None
    if not isolated:
        print(f"warning: grading WITHOUT isolation (--trusted): {problem}", file=sys.stderr)
    jobs = max(1, min(args.jobs, len(submissions)))
    chunks = [submissions[i::jobs] for i in range(jobs)]
    if jobs == 1:
        parts = [grade(submissions, keys, args.call_timeout, args.timeout, isolated)]
    else:  # one process per job: each runs its own nbval session
        with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
            futures = [pool.submit(grade, chunk, keys, args.call_timeout, args.timeout, isolated) for chunk in chunks]
            parts = [f.result() for f in futures]
    order = {str(p): i for i, p in enumerate(submissions)}
    reports = sorted((r for part in parts for r in part), key=lambda r: order[r.submission])
    write_outputs(reports, keys, Path(args.out), args.submissions, isolated)
    graded = sum(1 for r in reports if not r.error)
    print(f"graded {graded} of {len(reports)} submission(s); gradebook: {Path(args.out) / 'gradebook.csv'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
