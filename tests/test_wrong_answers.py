"""Every exercise's checks reject plausible wrong answers and accept the solution."""

import pytest

from lossbook.checks import CheckFailed
from lossbook.book.exercises import exercises_of
from lossbook.book.notebooks import read_notebook
from tests.inprocess import run_exercise
from tests.wrong_answers import WRONG_ANSWERS

from .conftest import ROOT

SLUGS = sorted(p.stem for p in (ROOT / "solutions").glob("*.ipynb"))
CASES = [
    pytest.param(slug, ex_id, label, code, id=f"{slug}:{ex_id}:{label}")
    for slug, exercises in WRONG_ANSWERS.items()
    for ex_id, answers in exercises.items()
    for label, code in answers.items()
]


def _notebook(slug):
    return read_notebook(ROOT / "solutions" / f"{slug}.ipynb")


@pytest.mark.parametrize("slug", SLUGS)
def test_every_exercise_has_three_wrong_answers(slug):
    registered = WRONG_ANSWERS.get(slug, {})
    for ex_id in exercises_of(_notebook(slug)):
        assert len(registered.get(ex_id, {})) >= 3, f"{slug}: exercise '{ex_id}' needs at least 3 wrong answers"
    unknown = set(registered) - set(exercises_of(_notebook(slug)))
    assert not unknown, f"{slug}: wrong answers for exercises that do not exist: {sorted(unknown)}"


@pytest.mark.parametrize("slug", SLUGS)
def test_solutions_pass_their_own_checks(slug):
    nb = _notebook(slug)
    for ex_id in exercises_of(nb):
        outcomes = run_exercise(nb, ex_id)
        assert outcomes and all(o is None for o in outcomes), f"{slug}:{ex_id}: {outcomes}"


@pytest.mark.parametrize("slug, ex_id, label, code", CASES)
def test_wrong_answer_is_rejected(slug, ex_id, label, code):
    outcomes = run_exercise(_notebook(slug), ex_id, answer=code)
    rejections = [o for o in outcomes if isinstance(o, CheckFailed)]
    others = [o for o in outcomes if o is not None and not isinstance(o, CheckFailed)]
    assert not others, f"a check crashed instead of explaining: {others[0]!r}"
    assert rejections, f"the checks of '{ex_id}' accepted a wrong answer: {label}"
    message = str(rejections[0])
    assert "hint:" in message, f"the rejection gives no hint: {message}"
