"""Notebooks are stored clean; the notebook tool reads, cleans and reports with one-line errors."""

import subprocess
import sys

import nbformat
import pytest

from lossbook.book.notebooks import NotebookError, all_notebooks, clean, problems, read_notebook, write_notebook

from .conftest import ROOT

NOTEBOOKS = all_notebooks(ROOT)


def test_the_book_has_notebooks():
    assert len(NOTEBOOKS) >= 6


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_notebook_is_stored_clean(path):
    assert problems(path) == []


def test_clean_removes_outputs_counts_and_editor_metadata(tmp_path):
    cell = nbformat.v4.new_code_cell("print(1)", execution_count=3,
                                     outputs=[nbformat.v4.new_output("stream", text="1\n")])
    cell.metadata.update({"collapsed": True, "scrolled": False, "tags": ["keep-me"]})
    nb = nbformat.v4.new_notebook(cells=[cell], metadata={"widgets": {}, "kernelspec": {"name": "py", "display_name": "Py"}})
    path = tmp_path / "dirty.ipynb"
    write_notebook(nb, path)
    assert problems(path)
    write_notebook(clean(read_notebook(path)), path)
    assert problems(path) == []
    cleaned = read_notebook(path).cells[0]
    assert cleaned.outputs == [] and cleaned.execution_count is None and cleaned.metadata == {"tags": ["keep-me"]}


@pytest.mark.parametrize("content, message", [
    (None, "no such notebook"),
    ("", "not valid JSON"),
    ("[1, 2]", "not a version-4"),
    ('{"nbformat": 4, "nbformat_minor": 5, "cells": "nope", "metadata": {}}', "invalid notebook"),
])
def test_read_notebook_says_why_in_one_line(tmp_path, content, message):
    path = tmp_path / "x.ipynb"
    if content is not None:
        path.write_text(content)
    with pytest.raises(NotebookError, match=message) as info:
        read_notebook(path)
    assert "\n" not in str(info.value)


def test_cli_check_and_clean(tmp_path):
    path = tmp_path / "dirty.ipynb"
    write_notebook(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1", execution_count=1)]), path)
    run = lambda *a: subprocess.run([sys.executable, "-m", "lossbook.book.notebooks", *a, str(path)],
                                    capture_output=True, text=True, timeout=60)
    assert run("check").returncode == 1
    assert run("clean").returncode == 0
    assert run("check").returncode == 0
    path.write_text("{broken")
    result = run("clean")
    assert result.returncode == 1 and "not valid JSON" in result.stderr and "Traceback" not in result.stderr
