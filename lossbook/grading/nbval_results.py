"""A pytest plugin that records, for each graded test cell that nbval runs, whether it passed.

The grader passes this module to ``pytest.main(plugins=[...])`` after
:func:`reset`; at the end of the session it writes a JSON file mapping each
grading notebook's file name to a list of ``{exercise, points, passed, ename,
evalue}``.
"""

import json
import pprint
from pathlib import Path

import jupyter_client.session
import nbval.kernel
import pytest


class _LazyFormat:
    """``pprint.pformat(message)`` made only if a debug log line is really written."""

    def __init__(self, message):
        self.message = message

    def __str__(self):
        return pprint.pformat(self.message)


# nbval formats every kernel message for a debug log line that is normally dropped (about 1 ms a message).
nbval.kernel.pformat = _LazyFormat

KERNEL_START_ATTEMPTS = 3
_start_new_kernel = nbval.kernel.start_new_kernel


def start_new_kernel_retrying(*args, **kwargs):
    """nbval's kernel start, tried up to ``KERNEL_START_ATTEMPTS`` times.

    jupyter_client picks a kernel's ports by binding free ones and releasing
    them, so two processes that start kernels at the same moment can pick the
    same port; the kernel that loses then dies before it replies ("Kernel died
    before replying to kernel_info"). Another start picks other ports.
    """
    for attempt in range(1, KERNEL_START_ATTEMPTS + 1):
        try:
            return _start_new_kernel(*args, **kwargs)
        except RuntimeError:
            if attempt == KERNEL_START_ATTEMPTS:
                raise


nbval.kernel.start_new_kernel = start_new_kernel_retrying

_results: dict = {}
_path = None


def reset(path) -> None:
    """Start a new grading session whose results go to ``path``."""
    global _path
    _results.clear()
    _path = path
    # jupyter_client parses the ISO dates in every message's headers into datetimes (about 0.1 ms a
    # message); nbval never reads them. Only in a grading process: this is for the whole process.
    jupyter_client.session.extract_dates = _dates_left_as_text


def _dates_left_as_text(obj):
    return obj


MESSAGE_LIMIT = 4000  # characters of a failed check's message kept in a report


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    cell = getattr(item, "cell", None)
    meta = (cell or {}).get("metadata", {}).get("exercise", {}) if cell is not None else {}
    if report.when != "call" or meta.get("role") != "test":
        return
    error = next((o for o in getattr(item, "test_outputs", None) or [] if o.get("output_type") == "error"), None)
    grading = cell.get("metadata", {}).get("grading", {})
    entry = {"submission": grading.get("submission", 0), "exercise": meta.get("id"),
             "points": meta.get("points", 0), "passed": report.passed, "ename": None, "evalue": None}
    if not report.passed:
        entry["ename"] = error.get("ename") if error else "Error"
        entry["evalue"] = str(error.get("evalue") or "")[:MESSAGE_LIMIT] if error else _short(report.longreprtext)
        text = "" if error else report.longreprtext or ""
        # Not this cell's doing: the kernel was gone, or nbval gave up on it after an earlier cell hung.
        entry["lost"] = error is None and ("Kernel dead on test start" in text or hasattr(report, "wasxfail"))
        entry["timed_out"] = error is None and "Timeout of" in text
    _results.setdefault(Path(str(item.fspath)).name, []).append(entry)


def _short(text: str) -> str:
    lines = [line for line in (text or "").splitlines() if line.strip()]
    return lines[-1][:500] if lines else "the check did not finish"


def pytest_sessionfinish(session):
    if _path is not None:
        Path(_path).write_text(json.dumps(_results))
