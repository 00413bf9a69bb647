"""Grade students' notebooks into a gradebook, per-submission reports and feedback.

    lossbook grade submissions/ --key assignment/key --out grades/ --jobs 2

SUBMISSIONS are notebooks or folders (searched recursively for ``*.ipynb``).
Writes ``<out>/gradebook.csv`` (one row per submission, one column per
exercise, the total), ``<out>/reports/<name>.json`` and
``<out>/feedback/<name>.md`` (what a student may read: per exercise, passed or
why not; never the text of hidden tests). A submission that cannot be graded
scores 0 with a reason; the rest of the batch goes on. To spread a large class
over machines, run this command on disjoint sets of submissions with the same
key and concatenate the gradebooks (each has one header line).

Students' code runs isolated by the operating system (bubblewrap; see
``lossbook.grading.isolation``). Where that is not possible, grading refuses to start
unless ``--trusted`` states that the submissions are trusted; the gradebook's
``isolated`` column records how each submission was graded.
"""

import argparse
import csv
import hashlib
import itertools
import json
import os
import sys
import time
from dataclasses import asdict
from pathlib import Path

from lossbook.book.exercises import ExerciseFormatError
from lossbook.grading.runner import CALL_TIMEOUT, NOTEBOOK_TIMEOUT, Report, grade, load_keys
from lossbook.grading.isolation import isolation_problem
from lossbook.book.notebooks import NotebookError


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
    candidates = itertools.chain([name, f"{path.parent.name}__{name}"], (f"{name}-{i}" for i in itertools.count(2)))
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


def report_names(submissions, roots) -> list:
    """A unique, file-name-safe report name for each submission, in order."""
    used = set()
    return [unique(report_name(path, roots), path, used) for path in submissions]


def write_report(report, name: str, out: Path) -> None:
    """The JSON report and the student's feedback of one graded submission."""
    (out / "reports").mkdir(parents=True, exist_ok=True)
    (out / "feedback").mkdir(parents=True, exist_ok=True)
    (out / "reports" / f"{name}.json").write_text(json.dumps(asdict(report), indent=1), encoding="utf-8")
    (out / "feedback" / f"{name}.md").write_text(feedback_text(report), encoding="utf-8")


def write_gradebook(reports: dict, names: list, keys, out: Path) -> None:
    """``gradebook.csv``: one row per submission graded so far, in the order of ``names``."""
    columns = [f"{slug}:{ex}" if len(keys) > 1 else ex for slug, key in keys.items() for ex in key.exercises]
    out.mkdir(parents=True, exist_ok=True)
    partial = out / "gradebook.csv.partial"
    with open(partial, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["submission", "chapter", *columns, "total", "max", "notes", "error", "isolated"])
        for name in names:
            report = reports.get(name)
            if report is None:
                continue
            points = {}
            for ex_id, result in report.exercises.items():
                points[f"{report.chapter}:{ex_id}" if len(keys) > 1 else ex_id] = result["points"]
            writer.writerow([name, report.chapter or "", *[points.get(c, "") for c in columns],
                             report.score, report.max_score, len(report.notes), report.error or "",
                             "yes" if report.isolated else "no"])
    os.replace(partial, out / "gradebook.csv")


def digest(path: Path, keys) -> str:
    """What a report was graded from: the submission's bytes and the keys' exercises."""
    h = hashlib.sha256(path.read_bytes())
    for slug in sorted(keys):
        h.update(slug.encode() + json.dumps(keys[slug].exercises, sort_keys=True, default=str).encode())
    return h.hexdigest()


def finished_reports(out: Path, names: list, digests: list) -> dict:
    """Reports of an earlier run whose submission and keys have not changed (for --resume)."""
    done = {}
    for name, wanted in zip(names, digests):
        path = out / "reports" / f"{name}.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("digest") == wanted:
                done[name] = Report(**data)
        except (OSError, ValueError, TypeError):
            continue
    return done


class Progress:
    """'graded k of n, about t left' on stderr, updated as results arrive."""

    def __init__(self, total: int, done: int):
        self.total, self.done, self.start, self.first = total, done, time.monotonic(), done

    def update(self, count: int) -> None:
        self.done += count
        rate = (time.monotonic() - self.start) / max(self.done - self.first, 1)
        left = rate * (self.total - self.done)
        text = f"graded {self.done} of {self.total}, about {left:.0f} s left"
        end = "\r" if sys.stderr.isatty() and self.done < self.total else "\n"
        print(text.ljust(50), end=end, file=sys.stderr, flush=True)


def run_chunks(chunks, keys, args, isolated: bool):
    """Grade chunks of submissions; yield each chunk's reports as it finishes.

    One chunk runs in this process with ``--jobs 1``; otherwise on Dask: a
    local cluster of ``--jobs`` worker processes, or the cluster at
    ``--scheduler``, whose workers need the book's environment.
    """
    options = (args.call_timeout, args.timeout, isolated)
    if args.scheduler is None and args.jobs <= 1:
        for chunk in chunks:
            yield grade(chunk, keys, *options)
        return
    import logging

    from distributed import Client, LocalCluster, as_completed

    if args.scheduler is not None:
        client, cluster = Client(args.scheduler), None
    else:
        cluster = LocalCluster(n_workers=args.jobs, threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=logging.ERROR)
        client = Client(cluster)
    try:
        futures = [client.submit(grade, chunk, keys, *options, pure=False) for chunk in chunks]
        for future in as_completed(futures):
            yield future.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="lossbook grade", description=__doc__.splitlines()[0])
    parser.add_argument("submissions", nargs="+", help="submitted notebooks or folders of them")
    parser.add_argument("--key", nargs="+", default=["solutions"], help="key notebooks or folders (default: solutions/)")
    parser.add_argument("--out", default="grades", help="output folder (default: grades/)")
    parser.add_argument("--jobs", type=int, default=1,
                        help="worker processes of a local Dask cluster (default: 1, no cluster)")
    parser.add_argument("--scheduler", default=None, help="address of an existing Dask scheduler to grade on")
    parser.add_argument("--batch", type=int, default=40, help="submissions graded per kernel (default: 40)")
    parser.add_argument("--resume", action="store_true",
                        help="keep the reports of an earlier run whose submission and key are unchanged")
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
    out = Path(args.out)
    names = report_names(submissions, args.submissions)
    digests = [digest(path, keys) for path in submissions]
    reports = finished_reports(out, names, digests) if args.resume else {}
    todo = [path for path, name in zip(submissions, names) if name not in reports]
    by_path = {str(path): (name, d) for path, name, d in zip(submissions, names, digests)}
    size = max(1, min(args.batch, -(-len(todo) // max(args.jobs, 1))))
    chunks = [todo[i:i + size] for i in range(0, len(todo), size)]
    progress = Progress(len(submissions), len(reports))
    try:
        for part in run_chunks(chunks, keys, args, isolated):
            for report in part:
                name, report.digest = by_path[report.submission]
                reports[name] = report
                write_report(report, name, out)
            write_gradebook(reports, names, keys, out)
            progress.update(len(part))
    except KeyboardInterrupt:
        write_gradebook(reports, names, keys, out)
        print(f"\ninterrupted: {len(reports)} of {len(submissions)} graded; run again with --resume to finish",
              file=sys.stderr)
        return 130
    except OSError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    write_gradebook(reports, names, keys, out)
    graded = sum(1 for r in reports.values() if not r.error)
    print(f"graded {graded} of {len(reports)} submission(s); gradebook: {out / 'gradebook.csv'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
