"""The exercise pipeline: one source, generated student notebooks, stubs that fail for the right reason."""

import subprocess
import sys

import nbformat
import pytest
from nbclient import NotebookClient

from lossbook.book.exercises import (INSTALL_CELL_ID, ExerciseFormatError, exercises_of, make_student_version,
                                repository, strip_solutions)
from lossbook.book.notebooks import dumps, read_notebook

from .conftest import ROOT

SLUGS = sorted(p.stem for p in (ROOT / "solutions").glob("*.ipynb"))


def test_every_chapter_has_exercises_and_solutions():
    chapters = sorted(p.stem for p in (ROOT / "chapters").glob("*.ipynb"))
    exercises = sorted(p.stem for p in (ROOT / "exercises").glob("*.ipynb"))
    assert chapters and chapters == SLUGS == exercises


def test_every_notebook_is_in_the_toc():
    toc = (ROOT / "_toc.yml").read_text()
    for folder in ("chapters", "exercises", "solutions"):
        for slug in SLUGS:
            assert f"file: {folder}/{slug}\n" in toc, f"{folder}/{slug} is missing from _toc.yml"


@pytest.mark.parametrize("slug", SLUGS)
def test_student_notebook_is_generated_from_solution(slug):
    url, branch = repository(ROOT)
    expected = dumps(make_student_version(read_notebook(ROOT / "solutions" / f"{slug}.ipynb"), "x", url, branch))
    committed = (ROOT / "exercises" / f"{slug}.ipynb").read_text(encoding="utf-8")
    assert committed == expected, f"exercises/{slug}.ipynb is out of date: run lossbook exercises"


@pytest.mark.parametrize("slug", SLUGS)
def test_exercise_format(slug):
    nb = read_notebook(ROOT / "solutions" / f"{slug}.ipynb")
    exercises = exercises_of(nb)
    assert len(exercises) >= 4
    student = read_notebook(ROOT / "exercises" / f"{slug}.ipynb")
    text = dumps(student)
    assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
    assert text.count("raise NotImplementedError") >= len(exercises)
    # Cell ids survive generation, so graders can match cells across versions.
    assert {c.id for c in student.cells} - {c.id for c in nb.cells} == {INSTALL_CELL_ID}


@pytest.mark.parametrize("slug", SLUGS)
def test_exercise_notebook_installs_the_helper_package_when_opened_alone(slug):
    student = read_notebook(ROOT / "exercises" / f"{slug}.ipynb")
    first_code = next(c for c in student.cells if c.cell_type == "code")
    url, branch = repository(ROOT)
    assert first_code.id == INSTALL_CELL_ID and f"git+{url}@{branch}" in first_code.source
    assert url.startswith("https://")
    exec(first_code.source, {})  # the package is installed here, so the cell does nothing


@pytest.mark.parametrize("slug", SLUGS)
def test_unanswered_notebook_fails_every_check_with_not_implemented(slug):
    nb = read_notebook(ROOT / "exercises" / f"{slug}.ipynb")
    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(ROOT / "exercises")}}).execute()
    tests = {i for entry in exercises_of(nb).values() for i in entry["test"]}
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.outputs if o.output_type == "error"]
        if index in tests:
            assert errors, f"test cell {index} passed on an unanswered notebook"
        for error in errors:
            assert error.ename == "NotImplementedError", f"cell {index} failed with {error.ename}: {error.evalue}"


def _solution_nb(*sources_and_meta):
    cells = []
    for source, meta in sources_and_meta:
        cell = nbformat.v4.new_code_cell(source)
        if meta:
            cell.metadata["exercise"] = meta
        cells.append(cell)
    return nbformat.v4.new_notebook(cells=cells)


def test_stub_keeps_indentation_and_names_the_exercise():
    source = "def f(x):\n    '''doc'''\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION\n"
    stub = strip_solutions(source, "f-id", "here")
    assert "return x" not in stub
    assert "    raise NotImplementedError(\n        \"Exercise 'f-id'" in stub
    namespace = {}
    exec(stub, namespace)
    with pytest.raises(NotImplementedError):
        namespace["f"](1)


@pytest.mark.parametrize("source, message", [
    ("### BEGIN SOLUTION\nx = 1\n### END SOLUTION\n", "inside a function"),
    ("def f():\n    ### BEGIN SOLUTION\n    return 1\n", "without a matching"),
    ("def f():\n    return 1\n    ### END SOLUTION\n", "without a matching"),
])
def test_malformed_solution_regions_are_refused(source, message):
    nb = _solution_nb((source, {"id": "f", "role": "solution"}), ("f()", {"id": "f", "role": "test", "points": 1}))
    with pytest.raises(ExerciseFormatError, match=message):
        make_student_version(nb)


@pytest.mark.parametrize("meta, message", [
    ({"id": "f", "role": "test"}, "positive integer points"),
    ({"id": "f", "role": "test", "points": 0}, "positive integer points"),
    ({"id": "F!", "role": "test", "points": 1}, "exercise id"),
    ({"id": "f", "role": "grader", "points": 1}, "role"),
])
def test_bad_test_metadata_is_refused(meta, message):
    nb = _solution_nb(("def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION", {"id": "f", "role": "solution"}),
                      ("f()", meta))
    with pytest.raises(ExerciseFormatError, match=message):
        exercises_of(nb)


def test_exercise_without_test_cell_is_refused():
    nb = _solution_nb(("def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION", {"id": "f", "role": "solution"}))
    with pytest.raises(ExerciseFormatError, match="at least one solution and one test"):
        exercises_of(nb)


def test_solution_only_cells_and_title_are_handled():
    nb = _solution_nb(("def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION", {"id": "f", "role": "solution"}),
                      ("f()", {"id": "f", "role": "test", "points": 1}))
    nb.cells.insert(0, nbformat.v4.new_markdown_cell("# Solutions: Topic"))
    banner = nbformat.v4.new_markdown_cell("Answers inside.")
    banner.metadata["tags"] = ["solution-only"]
    nb.cells.insert(1, banner)
    student = make_student_version(nb)
    assert student.cells[0].source == "# Exercises: Topic"
    assert all("Answers inside" not in c.source for c in student.cells)


def _cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "lossbook.book.exercises", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_cli_check_passes_on_the_book():
    result = _cli("--check", cwd=ROOT)
    assert result.returncode == 0, result.stderr


def test_cli_reports_a_stale_student_notebook(tmp_path):
    (tmp_path / "solutions").mkdir()
    (tmp_path / "exercises").mkdir()
    source = ROOT / "solutions" / f"{SLUGS[0]}.ipynb"
    (tmp_path / "solutions" / source.name).write_text(source.read_text())
    result = _cli("--check", "--root", str(tmp_path), cwd=ROOT)
    assert result.returncode == 1 and "out of date" in result.stderr
    assert _cli("--root", str(tmp_path), cwd=ROOT).returncode == 0
    assert _cli("--check", "--root", str(tmp_path), cwd=ROOT).returncode == 0


@pytest.mark.parametrize("content, message", [
    ("{not json", "not valid JSON"),
    ('{"nbformat": 3, "worksheets": []}', "not a version-4"),
    ('{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code"}]}', "invalid notebook"),
])
def test_cli_gives_one_line_error_on_a_malformed_notebook(tmp_path, content, message):
    (tmp_path / "solutions").mkdir()
    (tmp_path / "solutions" / "broken.ipynb").write_text(content)
    result = _cli("--root", str(tmp_path), cwd=ROOT)
    assert result.returncode == 1
    assert message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_cli_gives_one_line_error_on_a_missing_notebook(tmp_path):
    result = _cli("no-such-chapter", "--root", str(tmp_path), cwd=ROOT)
    assert result.returncode == 1 and "no such notebook" in result.stderr and "Traceback" not in result.stderr
