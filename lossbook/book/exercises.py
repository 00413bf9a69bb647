"""Generate student notebooks from solution notebooks, the single source.

A solution notebook ``solutions/<slug>.ipynb`` marks each answer with the
nbgrader convention, inside a function::

    def mse(y_hat, y, reduction="mean"):
        ### BEGIN SOLUTION
        ...
        ### END SOLUTION

Cells carry ``exercise`` metadata: ``{"id": "mse", "role": "solution"}`` on
the cells learners edit, ``{"id": "mse", "role": "test", "points": 2}`` on the
cells that grade them. A test cell may hold instructor-only checks between
``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS``: the student version
leaves them out, grading runs them. A solution cell may list, under
``"forbid"``, the library functions a "from scratch" answer must not call
(``["torch.nn.functional.mse_loss"]``); grading enforces it. ``"inplace": true``
on a solution cell says its functions update their arguments (a training step
that changes the models and optimisers it is given); grading then copies the
new state back, as if the answer had run in the kernel. Markdown or code
cells tagged ``solution-only`` are left
out of the student version, and a title ``# Solutions: X`` becomes
``# Exercises: X``. ``lossbook exercises`` writes
``exercises/<slug>.ipynb`` for every solution notebook; ``--check`` only
reports which student notebooks are out of date.
"""

import argparse
import re
import sys
from collections import OrderedDict
from pathlib import Path

from lossbook.book.notebooks import NotebookError, clean, dumps, read_notebook, write_notebook

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
SOLUTION_ONLY_TAG = "solution-only"
SOLUTION_TITLE, EXERCISE_TITLE = "# Solutions: ", "# Exercises: "
STUB = (
    "{indent}# YOUR CODE HERE\n"
    "{indent}raise NotImplementedError(\n"
    '{indent}    "Exercise \'{id}\': replace this line with your answer."\n'
    "{indent})"
)


class ExerciseFormatError(Exception):
    """A solution notebook breaks the exercise format; the message is one line."""


def exercise_meta(cell) -> dict:
    """The cell's ``exercise`` metadata (empty for ordinary cells, and for metadata that is not a mapping)."""
    metadata = cell.get("metadata") if isinstance(cell, dict) else None
    meta = metadata.get("exercise") if isinstance(metadata, dict) else None
    return dict(meta) if isinstance(meta, dict) else {}


def strip_solutions(source: str, exercise_id: str, where: str) -> str:
    """Replace every BEGIN/END SOLUTION region of ``source`` with a stub that raises."""
    out, lines, i = [], source.split("\n"), 0
    while i < len(lines):
        line = lines[i]
        if line.strip() == BEGIN:
            indent = line[: len(line) - len(line.lstrip())]
            if not indent:
                raise ExerciseFormatError(f"{where}: '{BEGIN}' must be inside a function body")
            j = next((k for k in range(i + 1, len(lines)) if lines[k].strip() == END), None)
            if j is None:
                raise ExerciseFormatError(f"{where}: '{BEGIN}' without a matching '{END}'")
            out.append(STUB.format(indent=indent, id=exercise_id))
            i = j + 1
            continue
        if line.strip() == END:
            raise ExerciseFormatError(f"{where}: '{END}' without a matching '{BEGIN}'")
        out.append(line)
        i += 1
    return "\n".join(out)


def strip_hidden_tests(source: str, where: str) -> str:
    """Remove every BEGIN/END HIDDEN TESTS region (markers included) from a test cell."""
    out, inside = [], False
    for line in source.split("\n"):
        if line.strip() == BEGIN_HIDDEN:
            if inside:
                raise ExerciseFormatError(f"{where}: nested '{BEGIN_HIDDEN}'")
            inside = True
        elif line.strip() == END_HIDDEN:
            if not inside:
                raise ExerciseFormatError(f"{where}: '{END_HIDDEN}' without a matching '{BEGIN_HIDDEN}'")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ExerciseFormatError(f"{where}: '{BEGIN_HIDDEN}' without a matching '{END_HIDDEN}'")
    return "\n".join(out).rstrip("\n")


def exercises_of(nb, where: str = "notebook") -> "OrderedDict[str, dict]":
    """Exercises in notebook order: ``{id: {"solution": [cell indices], "test": [...], "points": n}}``."""
    found = OrderedDict()
    for index, cell in enumerate(nb.cells):
        meta = exercise_meta(cell)
        if not meta:
            continue
        ex_id, role = meta.get("id"), meta.get("role")
        if not isinstance(ex_id, str) or not re.fullmatch(r"[a-z0-9][a-z0-9-]*", ex_id):
            raise ExerciseFormatError(f"{where}: cell {index} has exercise id {ex_id!r} (use lower-case-with-dashes)")
        if role not in ("solution", "test"):
            raise ExerciseFormatError(f"{where}: cell {index} has exercise role {role!r} (use 'solution' or 'test')")
        forbid = meta.get("forbid", [])
        if role == "solution" and not (isinstance(forbid, list) and all(isinstance(f, str) and "." in f for f in forbid)):
            raise ExerciseFormatError(f"{where}: cell {index} 'forbid' must list qualified names like 'torch.nn.functional.mse_loss'")
        entry = found.setdefault(ex_id, {"solution": [], "test": [], "points": 0})
        if role == "solution" and not isinstance(meta.get("inplace", False), bool):
            raise ExerciseFormatError(f"{where}: cell {index} 'inplace' must be true or false")
        entry[role].append(index)
        if role == "test":
            points = meta.get("points")
            if not isinstance(points, int) or isinstance(points, bool) or points <= 0:
                raise ExerciseFormatError(f"{where}: test cell {index} of '{ex_id}' needs positive integer points")
            entry["points"] += points
    for ex_id, entry in found.items():
        if not entry["solution"] or not entry["test"]:
            raise ExerciseFormatError(f"{where}: exercise '{ex_id}' needs at least one solution and one test cell")
        if max(entry["solution"]) > min(entry["test"]):
            raise ExerciseFormatError(f"{where}: exercise '{ex_id}' has a test cell before its solution cell")
    return found


INSTALL_CELL_ID = "install-lossbook"
INSTALL_CELL = """\
# Run this cell first. Opened outside the book's repository (on Colab, say), it
# installs the book's helper package, which the check cells need.
import importlib.util
import subprocess
import sys

PACKAGE = "lossbook @ git+{url}@{branch}"
if importlib.util.find_spec("lossbook") is None:
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", PACKAGE],
        check=True,
    )"""


def repository(root) -> tuple:
    """The book's repository address and branch, from ``_config.yml`` (the one place they are set)."""
    import yaml

    config = yaml.safe_load((Path(root) / "_config.yml").read_text(encoding="utf-8")) or {}
    repo = config.get("repository") or {}
    return repo.get("url"), repo.get("branch", "main")


def install_cell(url: str, branch: str):
    import nbformat

    cell = nbformat.v4.new_code_cell(INSTALL_CELL.format(url=url, branch=branch))
    cell.id = INSTALL_CELL_ID
    return cell


def make_student_version(nb, where: str = "notebook", repository_url: str | None = None,
                         branch: str = "main"):
    """The student notebook: solution regions stubbed, solution-only cells dropped, outputs cleared.

    With ``repository_url``, a first code cell installs the helper package when
    it is missing, so the notebook also works when opened alone.
    """
    exercises = exercises_of(nb, where)  # validates the format
    student = clean(nb)
    kept = []
    for index, cell in enumerate(student.cells):
        if SOLUTION_ONLY_TAG in cell.metadata.get("tags", []):
            continue
        if cell.cell_type == "markdown" and cell.source.startswith(SOLUTION_TITLE):
            cell.source = EXERCISE_TITLE + cell.source[len(SOLUTION_TITLE):]
        if BEGIN in cell.source or END in cell.source:
            ex_id = exercise_meta(cell).get("id")
            if exercise_meta(cell).get("role") != "solution":
                raise ExerciseFormatError(f"{where}: cell {index} has solution markers but is not a solution cell")
            cell.source = strip_solutions(cell.source, ex_id, f"{where}: cell {index}")
        if BEGIN_HIDDEN in cell.source or END_HIDDEN in cell.source:
            if exercise_meta(cell).get("role") != "test":
                raise ExerciseFormatError(f"{where}: cell {index} has hidden tests but is not a test cell")
            cell.source = strip_hidden_tests(cell.source, f"{where}: cell {index}")
        kept.append(cell)
    if repository_url:
        first_code = next((i for i, c in enumerate(kept) if c.cell_type == "code"), len(kept))
        kept.insert(first_code, install_cell(repository_url, branch))
    student.cells = kept
    for ex_id, entry in exercises.items():
        if not any(BEGIN in nb.cells[i].source for i in entry["solution"]):
            raise ExerciseFormatError(f"{where}: exercise '{ex_id}' has no '{BEGIN}' region")
    return student


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="lossbook exercises", description=__doc__.splitlines()[0])
    parser.add_argument("slugs", nargs="*", help="chapters to generate (default: every solutions/*.ipynb)")
    parser.add_argument("--check", action="store_true", help="only report student notebooks that are out of date")
    parser.add_argument("--root", default=".", help="the book's root folder (default: current folder)")
    args = parser.parse_args(argv)
    root = Path(args.root)
    sources = [root / "solutions" / f"{s}.ipynb" for s in args.slugs] or sorted((root / "solutions").glob("*.ipynb"))
    if not sources:
        print(f"error: no solution notebooks under {root / 'solutions'}", file=sys.stderr)
        return 1
    url, branch = repository(root) if (root / "_config.yml").is_file() else (None, "main")
    status = 0
    for source in sources:
        target = root / "exercises" / source.name
        try:
            student = make_student_version(read_notebook(source), str(source), url, branch)
        except (NotebookError, ExerciseFormatError) as err:
            print(f"error: {err}", file=sys.stderr)
            status = 1
            continue
        if args.check:
            if not target.is_file() or target.read_text(encoding="utf-8") != dumps(student):
                print(f"{target} is out of date: run lossbook exercises", file=sys.stderr)
                status = 1
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            write_notebook(student, target)
            print(f"wrote {target}")
    return status


if __name__ == "__main__":
    sys.exit(main())
