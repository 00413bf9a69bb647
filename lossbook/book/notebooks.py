"""Read, validate and clean ``.ipynb`` files.

Notebooks are stored clean: no outputs, no execution counts, no editor
metadata. Run ``python -m lossbook.book.notebooks clean`` before committing, and
``python -m lossbook.book.notebooks check`` to list what is not clean.
"""

import argparse
import json
import sys
from pathlib import Path

import nbformat

# Cell metadata the book uses; everything else is editor state and is dropped.
CELL_METADATA_KEPT = ("tags", "exercise", "mystnb")
NOTEBOOK_METADATA = {
    "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
}
NOTEBOOK_DIRS = ("chapters", "exercises", "solutions")
# The rendered book's column shows about 80 characters of code.
MAX_CODE_LINE = 80


class NotebookError(Exception):
    """A notebook could not be read; the message is one line that says why."""


def read_notebook(path) -> nbformat.NotebookNode:
    """Read and validate a notebook, raising :class:`NotebookError` with a one-line reason."""
    path = Path(path)
    if not path.is_file():
        raise NotebookError(f"{path}: no such notebook")
    try:
        text = path.read_text(encoding="utf-8")
        raw = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise NotebookError(f"{path}: not valid JSON ({err})") from None
    if not isinstance(raw, dict) or raw.get("nbformat") != 4:
        raise NotebookError(f"{path}: not a version-4 Jupyter notebook")
    try:
        nb = nbformat.reads(text, as_version=4)  # joins multi-line strings
        nbformat.validate(nb)
    except (nbformat.ValidationError, KeyError, TypeError, AttributeError) as err:
        reason = str(err).splitlines()[0]
        raise NotebookError(f"{path}: invalid notebook ({reason})") from None
    return nb


def dumps(nb) -> str:
    """A notebook as text in the repository's canonical layout (1-space indent, final newline)."""
    text = nbformat.writes(nb, version=4)  # Jupyter's own layout: sources as lists of lines
    return text if text.endswith("\n") else text + "\n"


def write_notebook(nb, path) -> None:
    """Write a notebook in the repository's canonical layout."""
    Path(path).write_text(dumps(nb), encoding="utf-8")


def clean(nb) -> nbformat.NotebookNode:
    """Return a copy with outputs, execution counts and editor metadata removed."""
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    nb.metadata = nbformat.from_dict(NOTEBOOK_METADATA)
    nb.nbformat, nb.nbformat_minor = 4, max(nb.get("nbformat_minor", 5), 5)
    for cell in nb.cells:
        cell.metadata = {k: cell.metadata[k] for k in CELL_METADATA_KEPT if k in cell.metadata}
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        if "attachments" in cell and not cell.attachments:
            del cell["attachments"]
    return nb


def problems(path) -> list[str]:
    """Reasons why the notebook at ``path`` is not stored clean (empty when it is)."""
    try:
        nb = read_notebook(path)
    except NotebookError as err:
        return [str(err)]
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None):
            found.append(f"{path}: cell {i} has outputs or an execution count")
        if cell.cell_type == "code":
            for j, line in enumerate(cell.source.splitlines(), 1):
                if len(line) > MAX_CODE_LINE:
                    found.append(f"{path}: cell {i}, line {j} is {len(line)} characters "
                                 f"(at most {MAX_CODE_LINE}: the book's column)")
        extra = set(cell.metadata) - set(CELL_METADATA_KEPT)
        if extra:
            found.append(f"{path}: cell {i} has editor metadata {sorted(extra)}")
    if nb.metadata != NOTEBOOK_METADATA:
        found.append(f"{path}: notebook metadata differs from the book's standard kernelspec")
    if Path(path).read_text(encoding="utf-8") != dumps(clean(nb)):
        found.append(f"{path}: not in canonical layout (run: python -m lossbook.book.notebooks clean)")
    return found


def all_notebooks(root=".") -> list[Path]:
    """Every notebook of the book, in a stable order."""
    root = Path(root)
    return sorted(p for d in NOTEBOOK_DIRS for p in (root / d).glob("*.ipynb"))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lossbook.book.notebooks", description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["clean", "check"])
    parser.add_argument("paths", nargs="*", help="notebooks (default: every notebook of the book)")
    args = parser.parse_args(argv)
    paths = [Path(p) for p in args.paths] or all_notebooks()
    status = 0
    for path in paths:
        if args.action == "check":
            for problem in problems(path):
                print(problem, file=sys.stderr)
                status = 1
            continue
        try:
            write_notebook(clean(read_notebook(path)), path)
        except NotebookError as err:
            print(f"error: {err}", file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
