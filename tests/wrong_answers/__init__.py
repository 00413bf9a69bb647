"""Plausible wrong answers, per chapter and exercise, that the checks must reject.

One module per chapter (its slug with ``_`` for ``-``), each with a dict
``WRONG`` from exercise id to {label: code}. Each answer is something a
student might really write: sum instead of mean, a missing square, a sign
error, an ignored ``reduction``, a naive formula that overflows, a loss that
returns a detached tensor. ``tests/test_wrong_answers.py`` runs each one
through its exercise's own test cells and asserts that a check rejects it.
"""

import importlib
from pathlib import Path

WRONG_ANSWERS = {
    path.stem.replace("_", "-"): importlib.import_module(f"{__name__}.{path.stem}").WRONG
    for path in sorted(Path(__file__).parent.glob("*.py"))
    if path.stem not in ("__init__", "common")
}
