"""Make an assignment: student notebooks and a README for the class, and the instructor's key.

    lossbook assign regression what-is-a-loss --out assignment/
    lossbook assign my-own-solutions.ipynb --out assignment/

A name is a chapter slug of the book (its ``solutions/<slug>.ipynb`` is the
source); a path ending in ``.ipynb`` is an instructor's own notebook in the
same format. Writes ``<out>/student/`` (hand it out) and ``<out>/key/`` (keep
it: hidden tests and answers; grade with ``lossbook grade``).
"""

import argparse
import shutil
import sys
from pathlib import Path

from lossbook.book.exercises import ExerciseFormatError, exercises_of, make_student_version, repository
from lossbook.book.notebooks import NotebookError, read_notebook, write_notebook

STUDENT_README = """# {title}

This folder holds your exercise notebooks: {names}.

1. Open a notebook in Jupyter (or upload it to Colab). Run the first code cell.
2. In each exercise, replace the line `raise NotImplementedError(...)` with your
   answer. Do not rename the functions or edit the check cells: grading uses
   the instructor's copy of every check, and adds checks you have not seen.
3. Run the check cell below your answer. A failing check says what it expected,
   what it received, on which input, and gives a hint.
4. To check a whole notebook from a terminal (with the book's packages installed):

       python -m pytest --nbval-lax {first}

   Every check cell that passes is shown as a passed test.

Points per exercise: {points}.

Hand in the notebooks with the same file names.
"""


def source_of(name: str, book: Path) -> Path:
    """The solution notebook for a chapter slug or an instructor's notebook path."""
    if name.endswith(".ipynb"):
        return Path(name)
    return book / "solutions" / f"{name}.ipynb"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="lossbook assign", description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="+", help="chapter slugs or paths to solution notebooks")
    parser.add_argument("--out", required=True, help="folder to write student/ and key/ into")
    parser.add_argument("--book", default=".", help="the book's root folder (default: current folder)")
    parser.add_argument("--title", default="Your assignment", help="title of the student README")
    args = parser.parse_args(argv)
    out = Path(args.out)
    config = Path(args.book) / "_config.yml"
    url, branch = repository(args.book) if config.is_file() else (None, "main")
    prepared = []
    for name in args.chapters:
        path = source_of(name, Path(args.book))
        try:
            nb = read_notebook(path)
            exercises = exercises_of(nb, str(path))
            if not exercises:
                raise ExerciseFormatError(f"{path}: no exercises in this notebook")
            prepared.append((path, nb, exercises, make_student_version(nb, str(path), url, branch)))
        except (NotebookError, ExerciseFormatError) as err:
            print(f"error: {err}", file=sys.stderr)
            return 2
    (out / "student").mkdir(parents=True, exist_ok=True)
    (out / "key").mkdir(parents=True, exist_ok=True)
    points = []
    for path, nb, exercises, student in prepared:
        write_notebook(student, out / "student" / path.name)
        shutil.copyfile(path, out / "key" / path.name)
        total = sum(e["points"] for e in exercises.values())
        points.append(f"{path.stem}: " + ", ".join(f"{k} {e['points']}" for k, e in exercises.items())
                      + f" (total {total})")
    names = ", ".join(f"`{p.name}`" for p, *_ in prepared)
    readme = STUDENT_README.format(title=args.title, names=names, first=prepared[0][0].name,
                                   points="; ".join(points))
    (out / "student" / "README.md").write_text(readme, encoding="utf-8")
    print(f"wrote {len(prepared)} notebook(s) to {out / 'student'} and the key to {out / 'key'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
