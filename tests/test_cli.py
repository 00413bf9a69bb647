"""The ``lossbook`` command dispatches to the modules and reports bad input in one line."""

import subprocess
import sys

import nbformat

from lossbook.book.notebooks import write_notebook

from .conftest import ROOT


def lossbook(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "lossbook.cli", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def test_usage_lists_every_command_and_an_unknown_one_fails_in_one_line():
    result = lossbook()
    assert result.returncode == 0
    assert all(name in result.stdout for name in ("check", "exercises", "assign", "grade"))
    unknown = lossbook("regrade")
    assert unknown.returncode == 2 and unknown.stderr.startswith("error: unknown command 'regrade'")


def test_output_into_a_closed_pipe_ends_quietly():
    """``lossbook --help | head -1``: the reader has gone; no traceback."""
    import os

    for args in ([], ["grade", "--help"]):
        read_end, write_end = os.pipe()
        os.close(read_end)
        try:
            result = subprocess.run([sys.executable, "-m", "lossbook.cli", *args], cwd=ROOT, stdout=write_end,
                                    stderr=subprocess.PIPE, text=True, timeout=300)
        finally:
            os.close(write_end)
        assert result.stderr == "", (args, result.stderr[-300:])  # (argparse itself ignores the error)


def test_subcommands_reach_their_modules():
    assert lossbook("exercises", "--check", "regression").returncode == 0
    assert "--trusted" in lossbook("grade", "--help").stdout
    missing = lossbook("assign", "no-such-chapter", "--out", "nowhere")
    assert missing.returncode == 2 and "no such notebook" in missing.stderr and "Traceback" not in missing.stderr


def test_check_runs_a_notebook_and_its_exit_code_says_whether_every_check_passed(tmp_path):
    for name, source, expected in [("good", "assert 1 + 1 == 2", 0), ("bad", "assert 1 + 1 == 3", 1)]:
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        write_notebook(nb, tmp_path / f"{name}.ipynb")
        assert lossbook("check", tmp_path / f"{name}.ipynb", cwd=tmp_path).returncode == expected
    missing = lossbook("check", tmp_path / "absent.ipynb")
    assert missing.returncode == 2 and "no such notebook" in missing.stderr
