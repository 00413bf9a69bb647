"""Grading: crafted submissions for every way a notebook can go wrong, graded in one batch.

Each crafted submission starts from the regression solution notebook (all
answers right) and changes one thing. The whole class is graded once (one
kernel, one sandbox per submission); each test then reads its report.
"""

import copy
import csv
import hashlib
import json
import os
import shutil
import subprocess
import sys
import warnings

import nbformat
import torch
import torch.nn.functional as F
import pytest

from lossbook.book.exercises import strip_hidden_tests
from lossbook.grading.runner import forbidden_uses, grade, load_keys
from lossbook.book.notebooks import read_notebook, write_notebook

from .conftest import ROOT

SOLUTION = ROOT / "solutions" / "regression.ipynb"
FULL = 17  # points of the regression exercises
CALL_TIMEOUT = 3.0

WRONG_HUBER = 'def huber(y_hat, y, delta=1.0, reduction="mean"):\n    return (y - y_hat).abs().sum()\n'


def solution():
    """The solution notebook as a student would hand it in: every answer right,
    and no hidden tests (a student never sees them; grading adds them back)."""
    nb = read_notebook(SOLUTION)
    for cell in nb.cells:
        if cell.metadata.get("exercise", {}).get("role") == "test":
            cell.source = strip_hidden_tests(cell.source, "solution")
    return nb


def cell_of(nb, exercise, role="solution"):
    return next(c for c in nb.cells if c.metadata.get("exercise", {}).get("id") == exercise
                and c.metadata["exercise"]["role"] == role)


def with_answer(exercise, source):
    nb = solution()
    cell_of(nb, exercise).source = source
    return nb


def build_class(folder, key_folder):
    """Write the crafted submissions; return {name: path}."""
    folder.mkdir()
    crafted = {}

    def save(name, nb=None, text=None):
        path = folder / f"{name}.ipynb"
        if text is None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # nbformat warns about the duplicated cell id on purpose
                text = nbformat.writes(nb)
        path.write_text(text)
        crafted[name] = path

    save("correct", solution())
    save("unanswered", read_notebook(ROOT / "exercises" / "regression.ipynb"))
    save("malformed-json", text='{"cells": [ {"cell_type": "code", "source": "x = 1"')
    old = nbformat.convert(solution(), 3)
    save("nbformat-3", text=nbformat.writes(old, version=3))
    newer = json.loads(nbformat.writes(solution()))
    newer["nbformat"] = 5
    save("nbformat-5", text=json.dumps(newer))
    save("wrong-chapter", read_notebook(ROOT / "solutions" / "what-is-a-loss.ipynb"))
    save("empty-file", text="")
    (folder / "zip-archive.ipynb").write_bytes(b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(range(256)) * 4)
    crafted["zip-archive"] = folder / "zip-archive.ipynb"
    save("json-but-not-a-notebook", text='[1, 2, 3]')

    nb = solution()
    nb.cells.remove(cell_of(nb, "huber"))
    save("missing-answer-cell", nb)

    nb = solution()
    duplicate = copy.deepcopy(cell_of(nb, "huber"))
    duplicate.source = "def huber(y_hat, y, delta=1.0, reduction='mean'):\n    return (y - y_hat).abs().mean()\n"
    nb.cells.append(duplicate)
    save("duplicated-cell", nb)

    nb = solution()
    cell_of(nb, "huber", "test").metadata["exercise"]["points"] = 100
    save("edited-points", nb)

    nb = solution()
    nb.cells = list(reversed(nb.cells))
    save("reordered-cells", nb)

    nb = with_answer("huber", WRONG_HUBER)
    cell_of(nb, "huber", "test").source = "print('all good')"
    save("weakened-test", nb)

    nb = with_answer("huber", WRONG_HUBER)
    nb.cells.remove(cell_of(nb, "huber", "test"))
    save("deleted-test", nb)

    save("library-call", with_answer("huber", 'def huber(y_hat, y, delta=1.0, reduction="mean"):\n'
                                              '    return F.huber_loss(y_hat, y, delta=delta, reduction=reduction)\n'))
    save("library-call-alias", with_answer("huber", "import torch.nn.functional as G\nloss = G.huber_loss\n"
                                                    'def huber(y_hat, y, delta=1.0, reduction="mean"):\n'
                                                    "    return loss(y_hat, y, delta=delta, reduction=reduction)\n"))
    save("library-call-hidden", with_answer("huber", "import torch.nn.functional as G\n"
                                                     'def huber(y_hat, y, delta=1.0, reduction="mean"):\n'
                                                     '    return getattr(G, "huber" + "_loss")(y_hat, y, delta=delta,'
                                                     ' reduction=reduction)\n'))
    save("patches-checks", with_answer("huber", (
        "import numpy, torch, lossbook.checks, builtins\n"
        "numpy.allclose = lambda *a, **k: True\n"
        "torch.testing.assert_close = lambda *a, **k: None\n"
        "torch.isclose = lambda a, b, **k: torch.ones_like(a, dtype=torch.bool)\n"
        "lossbook.checks.check_loss = lambda *a, **k: None\n"
        "lossbook.checks.assert_tensor_close = lambda *a, **k: None\n"
        "builtins.AssertionError = Exception\n" + WRONG_HUBER)))
    save("endless-loop", with_answer("huber", "def huber(y_hat, y, delta=1.0, reduction='mean'):\n"
                                              "    while True:\n        pass\n"))
    save("ignores-interrupts", with_answer("huber", "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                                                    "def huber(y_hat, y, delta=1.0, reduction='mean'):\n"
                                                    "    while True:\n        pass\n"))
    save("kills-its-process", with_answer("huber", "import os\n"
                                                   "def huber(y_hat, y, delta=1.0, reduction='mean'):\n"
                                                   "    os._exit(1)\n"))
    save("segfault", with_answer("huber", "import ctypes\n"
                                          "def huber(y_hat, y, delta=1.0, reduction='mean'):\n"
                                          "    ctypes.string_at(0)\n"))
    nb = solution()
    cell = cell_of(nb, "huber")
    cell.source = cell.source.replace("    a = (y - y_hat).abs()",
                                      "    print('x' * 5_000_000)\n    a = (y - y_hat).abs()")
    save("prints-megabytes", nb)
    nb = solution()
    nb.metadata["kernelspec"] = {"name": "no-such-kernel", "display_name": "Nope", "language": "python"}
    save("unknown-kernel", nb)
    save_attacks(save, key_folder)
    save("correct-after-the-attacks", solution())
    return crafted


MARKER = "lossbook-stray-process"


def save_attacks(save, key_folder):
    """Submissions that attack the grader, each with a wrong huber; the honest ones around them must not notice."""
    hunt = (
        "import glob, os, signal, json\n"
        "for pattern in ('~/.local/share/jupyter/runtime/*.json', '/tmp/*.json', '/run/user/*/jupyter/*.json',\n"
        "                '/proc/*/cmdline'):\n"
        "    for path in glob.glob(os.path.expanduser(pattern)):\n"
        "        try:\n"
        "            open(path).read()\n"
        "        except OSError:\n"
        "            pass\n"
        "for pid in range(2, 4096):\n"
        "    try:\n"
        "        os.kill(pid, signal.SIGKILL)\n"
        "    except OSError:\n"
        "        pass\n"
        f"for path in glob.glob({str(key_folder)!r} + '/*') + [{str(key_folder)!r} + '/planted.ipynb']:\n"
        "    try:\n"
        "        open(path, 'w').write('{}')\n"
        "    except OSError:\n"
        "        pass\n")
    save("hunts-the-kernel-and-the-key", with_answer("huber", hunt + WRONG_HUBER))
    save("kills-everything-it-can", with_answer("huber", "import os, signal\ntry:\n    os.kill(-1, signal.SIGKILL)\n"
                                                         "except OSError:\n    pass\n" + WRONG_HUBER))
    escape = ("import subprocess, sys\n"
              f"subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)  # {MARKER}'],\n"
              "                 start_new_session=True)\n")
    save("leaves-a-process-behind", with_answer("huber", escape + WRONG_HUBER))
    nb = solution()
    cell = cell_of(nb, "huber")
    cell.source = cell.source.replace("    a = (y - y_hat).abs()", "    a = y_hat.sub_(y).abs_()")
    save("mutates-its-input", nb)
    save("deeply-nested", with_answer("huber", "x = " + "-" * 100_000 + "1\n" + cell_of(solution(), "huber").source))
    nb = solution()
    cell = cell_of(nb, "huber")
    cell.source = "%matplotlib inline\n!echo graded\n" + cell.source
    save("ipython-syntax", nb)
    save("answers-from-a-table", with_answer("huber", table_answer()))
    save_second_round_attacks(save)


PLANTED = ("/dev/shm/lossbook-planted", "/dev/lossbook-planted", "/scratch/lossbook-planted")


def save_second_round_attacks(save):
    """Attacks found by a red-team review, each against the exercise it names."""
    # The worker is the student's process: patched, it forges an in-place update of the kernel's own
    # argument (the sample the test then computes its expected value from). The module name is built
    # at run time, out of the static scan's sight, so that the kernel's side is what is tested.
    forge = ("_worker = __import__('__ma' + 'in__')\n"
             "_real_call_one = _worker._call_one\n"
             "def _forging(message, args, kwargs, *rest, **options):\n"
             "    reply = _real_call_one(message, args, kwargs, *rest, **options)\n"
             "    if message.get('name') == 'mape_best_constant':\n"
             "        reply['updated'] = {0: torch.ones_like(args[0])}\n"
             "    return reply\n"
             "_worker._call_one = _forging\n")
    nb = solution()
    cell_of(nb, "barron").source = forge + cell_of(nb, "barron").source
    cell_of(nb, "mape-best-constant").source = "def mape_best_constant(y):\n    return 1.0\n"
    save("forges-an-in-place-update", nb)
    save("reaches-the-worker-module", with_answer("barron", "import __main__\n" + cell_of(solution(), "barron").source))
    save("pytorch-reference-implementation", with_answer("huber", (
        "import importlib\n"
        "_ref = getattr(importlib.import_module('torch._refs.nn.functional'), 'huber' + '_loss')\n"
        "def huber(y_hat, y, delta=1.0, reduction='mean'):\n"
        "    return _ref(y_hat, y, delta=delta, reduction=reduction)\n")))
    save("linear-programming-solver", with_answer("quantile-interval", (  # exact: full marks if allowed
        "import numpy as np\n"
        "from scipy.optimize import Bounds, LinearConstraint, milp\n"
        "def interval_lines(x, y, level=0.8):\n"
        "    xs, ys = x.double().numpy(), y.double().numpy()\n"
        "    n, rows = len(xs), []\n"
        "    for tau in ((1 - level) / 2, (1 + level) / 2):\n"
        "        c = np.concatenate([[0.0, 0.0], np.full(n, tau), np.full(n, 1 - tau)])\n"
        "        A = np.hstack([xs[:, None], np.ones((n, 1)), np.eye(n), -np.eye(n)])\n"
        "        low = np.concatenate([[-np.inf, -np.inf], np.zeros(2 * n)])\n"
        "        rows.append(milp(c, constraints=LinearConstraint(A, ys, ys), bounds=Bounds(low, np.inf)).x[:2])\n"
        "    return torch.tensor(np.array(rows), dtype=x.dtype)\n")))
    nb = solution()  # a later exercise's forbidden function, kept from an earlier answer cell
    cell_of(nb, "huber").source = ("from lossbook.reference import expectile_loss as _kept\n"
                                   + cell_of(nb, "huber").source)
    cell = cell_of(nb, "expectile")
    body = cell.source[:cell.source.index("def expectile(")]
    cell.source = cell.source.replace(body, "def expectile_loss(y_hat, y, tau=0.5, reduction='mean'):\n"
                                            "    return _kept(y_hat, y, tau, reduction)\n\n\n")
    save("keeps-a-forbidden-function", nb)
    plant = "".join(f"try:\n    open({path!r}, 'w').write('x' * 1000)\nexcept OSError:\n    pass\n"
                    for path in PLANTED)
    save("plants-files", with_answer("huber", plant + WRONG_HUBER))
    save("looks-for-planted-files", with_answer("huber", (
        f"import os\nassert not any(os.path.exists(p) for p in {PLANTED!r}), 'found a planted file'\n"
        + cell_of(solution(), "huber").source)))
    save("returns-a-huge-string", with_answer("mape-best-constant",
                                              "def mape_best_constant(y):\n    return 'x' * 50_000_000\n"))
    save("the-book-s-own-answer", with_answer("best-constant", "from lossbook.properties import best_constant\n"))
    save("returns-colliding-numbers", with_answer("best-constant", (  # every member hashes to 0 in the kernel
        "class _Colliding(int):\n    def __hash__(self):\n        return id(self)\n"
        "def best_constant(loss_fn, y):\n    return {_Colliding(i * (2**61 - 1)) for i in range(120_000)}\n")))
    save("ignores-the-cpu-timer", with_answer("huber", (  # right, but one call runs on past its CPU-time limit
        "import signal, time\nsignal.signal(signal.SIGPROF, signal.SIG_IGN)\n_calls = [0]\n"
        + cell_of(solution(), "huber").source.replace(
            "    a = (y - y_hat).abs()",
            f"    _calls[0] += 1\n    start = time.process_time()\n"
            f"    while _calls[0] == 2 and time.process_time() - start < {CALL_TIMEOUT + 2}:\n        pass\n"
            "    a = (y - y_hat).abs()"))))
    nb = solution()
    nb.cells.append(nbformat.v4.new_code_cell("x = 1", metadata={"exercise": "not a mapping"}))
    save("metadata-not-a-mapping", nb)
    nb = solution()
    nb.cells.append(nbformat.v4.new_code_cell("x = 1", metadata={"exercise": {"id": ["a", "list"], "role": "test"}}))
    save("unhashable-exercise-id", nb)


def table_answer() -> str:
    """A huber 'answer' that looks its outputs (and gradients) up in a table made with the library
    on the checks' standard inputs as a learner's own run of the checks draws them."""
    import base64
    import io

    from lossbook.checks import regression_cases

    table = {}
    for delta in (1.0, 0.5, 2.5):
        for dtype in (torch.float32, torch.float64):
            for case in regression_cases(dtype):
                y_hat, y = (t.detach().clone().requires_grad_(i == 0) for i, t in enumerate(case.inputs))
                for reduction in ("none", "mean", "sum"):
                    value = F.huber_loss(y_hat, y, reduction=reduction, delta=delta)
                    (grad,) = torch.autograd.grad(value.sum(), y_hat)
                    key = f"{y_hat.detach().numpy().tobytes().hex()}|{y.numpy().tobytes().hex()}|{reduction}|{delta}"
                    table[key] = (value.detach(), grad)
    buffer = io.BytesIO()
    torch.save(table, buffer)
    return ("import base64, io, torch\n"
            f"TABLE = torch.load(io.BytesIO(base64.b64decode({base64.b64encode(buffer.getvalue()).decode()!r})))\n"
            "def huber(y_hat, y, delta=1.0, reduction='mean'):\n"
            "    key = f'{y_hat.detach().numpy().tobytes().hex()}|{y.numpy().tobytes().hex()}|{reduction}|{delta}'\n"
            "    if key not in TABLE:\n"
            "        return torch.zeros(()) if reduction != 'none' else torch.zeros_like(y)\n"
            "    value, grad = TABLE[key]\n"
            "    return value + ((y_hat - y_hat.detach()) * grad).sum() if reduction != 'none' else value\n")


def test_a_table_of_the_fixed_inputs_passes_a_learner_s_checks():
    """The attack that fresh inputs stop is real: on the inputs a learner's run draws, the table passes."""
    from lossbook.checks import check_loss

    namespace = {}
    exec(table_answer(), namespace)
    for delta in (1.0, 0.5, 2.5):
        check_loss(namespace["huber"], F.huber_loss, name="huber", delta=delta)


def digest(folder) -> dict:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    key_folder = tmp_path_factory.mktemp("key")
    shutil.copy(SOLUTION, key_folder / SOLUTION.name)
    before = digest(key_folder)
    crafted = build_class(tmp_path_factory.mktemp("class") / "submissions", key_folder)
    keys = load_keys([key_folder])
    reports = grade(list(crafted.values()), keys, call_timeout=CALL_TIMEOUT, total_timeout=60)
    graded = {name: report for name, report in zip(crafted, reports)}
    graded["key unchanged"] = digest(key_folder) == before
    graded["stray processes"] = processes_with(MARKER)
    return graded


def processes_with(text: str) -> list:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmdline = open(f"/proc/{pid}/cmdline", "rb").read().decode(errors="replace")
        except OSError:
            continue
        if text in cmdline and "pytest" not in cmdline and "ipynb" not in cmdline:
            found.append(pid)
    return found


def messages(report, exercise):
    return " ".join(report.exercises[exercise]["messages"])


def test_correct_and_unanswered(graded):
    assert graded["correct"].score == FULL == graded["correct"].max_score
    assert graded["correct"].notes == []
    unanswered = graded["unanswered"]
    assert unanswered.score == 0 and unanswered.error is None
    assert all("not answered" in messages(unanswered, ex) for ex in unanswered.exercises)


@pytest.mark.parametrize("name, words", [
    ("malformed-json", "not valid JSON"),
    ("nbformat-5", "nbformat 5 is not supported"),
    ("wrong-chapter", "answers none of the assigned exercises"),
    ("empty-file", "not valid JSON"),
    ("zip-archive", "not valid JSON"),
    ("json-but-not-a-notebook", "nbformat None is not supported"),
])
def test_ungradable_notebooks_score_zero_with_a_reason(graded, name, words):
    report = graded[name]
    assert report.score == 0 and words in report.error


def test_older_nbformat_is_converted_and_graded(graded):
    report = graded["nbformat-3"]
    assert report.score == FULL and any("nbformat 3" in note for note in report.notes)
    assert not any("test cell" in note for note in report.notes), "cell ids lost in nbformat 3 are not edits"


def test_every_test_cell_edit_is_noted_even_of_points_only(graded):
    report = graded["edited-points"]
    assert report.score == FULL and report.max_score == FULL, "the key's points count"
    assert [n for n in report.notes if "test cell" in n] == [
        "'huber': the points of a test cell were changed (to 100); the key's points were used"]


def test_missing_duplicated_and_reordered_cells(graded):
    missing = graded["missing-answer-cell"]
    assert missing.exercises["huber"]["points"] == 0 and missing.score == FULL - 2
    assert any("missing" in note for note in missing.notes)
    duplicated = graded["duplicated-cell"]
    # The last huber cell (wrong) is graded.
    assert duplicated.exercises["huber"]["points"] == 0 and duplicated.score == FULL - 2
    assert any("2 cells hold this answer" in note for note in duplicated.notes)
    assert not any("test cell" in note for note in duplicated.notes)
    assert graded["reordered-cells"].score == FULL


@pytest.mark.parametrize("name, note", [("weakened-test", "edited"), ("deleted-test", "deleted")])
def test_tampered_tests_are_graded_with_the_canonical_ones(graded, name, note):
    report = graded[name]
    assert report.exercises["huber"]["points"] == 0 and report.score == FULL - 2
    assert any(note in n for n in report.notes)
    assert "wrong values" in messages(report, "huber")


@pytest.mark.parametrize("name", ["library-call", "library-call-alias", "library-call-hidden"])
def test_from_scratch_exercise_answered_with_the_library_fails(graded, name):
    report = graded[name]
    assert report.exercises["huber"]["points"] == 0 and report.score == FULL - 2
    assert "from scratch" in messages(report, "huber") and "huber_loss" in messages(report, "huber")


def test_patching_the_checks_gains_nothing(graded):
    report = graded["patches-checks"]
    assert report.exercises["huber"]["points"] == 0 and report.score == FULL - 2
    assert "wrong values" in messages(report, "huber")


@pytest.mark.parametrize("name, words", [
    ("endless-loop", "did not finish"),
    ("ignores-interrupts", "did not finish"),
    ("kills-its-process", "crashed"),
    ("segfault", "crashed"),
])
def test_runaway_code_fails_one_exercise_and_the_rest_is_graded(graded, name, words):
    report = graded[name]
    assert report.exercises["huber"]["points"] == 0
    assert words in messages(report, "huber")
    # Every other exercise is still graded.
    assert report.score == FULL - 2


def test_huge_output_and_unknown_kernel_are_harmless(graded):
    assert graded["prints-megabytes"].score == FULL
    assert graded["unknown-kernel"].score == FULL


@pytest.mark.parametrize("name", ["hunts-the-kernel-and-the-key", "kills-everything-it-can",
                                  "leaves-a-process-behind", "answers-from-a-table"])
def test_an_attack_on_the_grader_gains_nothing(graded, name):
    report = graded[name]
    assert report.exercises["huber"]["points"] == 0 and report.score == FULL - 2
    assert "wrong values" in messages(report, "huber")


def test_attacks_leave_the_key_the_other_students_and_no_process_behind(graded):
    assert graded["key unchanged"], "student code changed the instructor's key folder"
    assert graded["correct-after-the-attacks"].score == FULL
    assert graded["stray processes"] == [], "a process started by student code outlived grading"


def test_a_worker_forging_an_in_place_update_gains_nothing(graded):
    report = graded["forges-an-in-place-update"]
    # 1 of 3: the answer 1.0 is right for the small sample only; the forged update is ignored.
    assert report.exercises["mape-best-constant"]["points"] == 1 and report.score == FULL - 2
    assert report.exercises["barron"]["points"] == 3


@pytest.mark.parametrize("name, exercise, lost, words", [
    ("reaches-the-worker-module", "barron", 3, "__main__"),
    ("pytorch-reference-implementation", "huber", 2, "_refs"),
    ("linear-programming-solver", "quantile-interval", 3, "milp"),
    ("keeps-a-forbidden-function", "expectile", 1, "from scratch"),
    ("the-book-s-own-answer", "best-constant", 3, "lossbook.properties.best_constant"),
])
def test_dodges_of_the_rules_found_in_review_fail_their_exercise(graded, name, exercise, lost, words):
    report = graded[name]
    assert report.score == FULL - lost and report.exercises[exercise]["points"] == report.exercises[exercise][
        "max_points"] - lost
    assert words in messages(report, exercise)


def test_files_written_by_one_submission_are_not_seen_by_the_next(graded):
    assert graded["plants-files"].score == FULL - 2
    assert graded["looks-for-planted-files"].score == FULL, messages(graded["looks-for-planted-files"], "huber")


def test_a_huge_returned_string_makes_a_short_message(graded):
    report = graded["returns-a-huge-string"]
    assert report.score == FULL - 3
    assert 0 < len(messages(report, "mape-best-constant")) < 5_000


def test_numbers_chosen_to_collide_in_a_set_cost_that_exercise_only(graded):
    report = graded["returns-colliding-numbers"]
    assert report.score == FULL - 3 and "cannot be checked" in messages(report, "best-constant")


def test_switching_off_the_cpu_timer_does_not_lift_the_limit(graded):
    report = graded["ignores-the-cpu-timer"]
    assert report.score == FULL - 2 and "did not finish within" in messages(report, "huber")


def test_submissions_after_one_that_stopped_the_kernel_are_graded_again(tmp_path, monkeypatch):
    """nbval stops a kernel whose cell hangs; every later cell then fails unrun. Those are graded again."""
    from lossbook.grading import runner

    key = load_keys([SOLUTION.parent])["regression"]
    tests = [(ex_id, key.nb.cells[i].metadata["exercise"]["points"]) for ex_id, e in key.exercises.items()
             for i in e["test"]]

    def cells(submission, how):
        return [{"submission": submission, "exercise": ex_id, "points": points, "passed": how == "passed",
                 "ename": None, "evalue": None, "lost": how == "lost", "timed_out": how == "timed out" and n == 0}
                for n, (ex_id, points) in enumerate(tests)]

    batches = []

    def fake_run(runnable, call_timeout, total_timeout, isolated, notes=True):
        batches.append(len(runnable))
        if len(batches) == 1:  # the second submission hangs, the third finds the kernel stopped
            return {0: cells(0, "passed"), 1: cells(1, "timed out"), 2: cells(2, "lost")}
        return {i: cells(i, "passed") for i in range(len(runnable))}

    monkeypatch.setattr(runner, "_run", fake_run)
    paths = []
    for name in ("first", "hangs", "after"):
        paths.append(tmp_path / f"{name}.ipynb")
        write_notebook(solution(), paths[-1])
    first, hangs, after = grade(paths, {"regression": key})
    assert batches == [3, 1], "only the one graded after the hang runs again"
    assert first.score == FULL and after.score == FULL and hangs.score == 0


def test_malformed_metadata_costs_that_submission_at_most(graded):
    assert graded["metadata-not-a-mapping"].score == FULL
    report = graded["unhashable-exercise-id"]
    assert report.score == 0 and "could not be graded (TypeError" in report.error


def test_an_answer_that_modifies_its_input_fails_that_exercise(graded):
    report = graded["mutates-its-input"]
    assert report.exercises["huber"]["points"] == 0 and report.score == FULL - 2
    assert "changed its input tensors in place" in messages(report, "huber")


def test_nesting_too_deep_to_check_costs_that_exercise_only(graded):
    report = graded["deeply-nested"]
    assert report.score == FULL - 2 and "nested too deeply" in messages(report, "huber")


def test_ipython_syntax_in_an_answer_is_graded_as_jupyter_runs_it(graded):
    assert graded["ipython-syntax"].score == FULL


def test_static_scan_finds_aliases_and_strings():
    assert forbidden_uses("from torch.nn.functional import mse_loss as m", ["torch.nn.functional.mse_loss"])
    assert forbidden_uses("x = getattr(F, 'mse_loss')", ["torch.nn.functional.mse_loss"])
    assert not forbidden_uses("mse_loss_value = 3", ["torch.nn.functional.mse_loss"])


def test_forbidden_uses_survives_deeply_nested_code():
    # Deeper than the parser's own stack, whatever the recursion limit (IPython raises it to 3000).
    nested = "x = " + "-" * 100_000 + "1"
    assert forbidden_uses(nested, ["torch.nn.functional.mse_loss"]) == ["an expression nested too deeply to check"]
    assert forbidden_uses(nested, []) == ["an expression nested too deeply to check"]  # internals: every cell


def test_static_scan_of_internals_in_every_answer():
    assert forbidden_uses("import __main__") == ["interpreter or PyTorch internals (__main__)"]
    assert forbidden_uses("m = importlib.import_module('torch._refs.nn.functional')") == [
        "interpreter or PyTorch internals (_refs)"]
    assert forbidden_uses("from torch._decomp import decompositions") == ["interpreter or PyTorch internals (_decomp)"]
    assert forbidden_uses("x = 'a sentence. with dots. and _refs'") == []  # a dotted part must match exactly
    assert forbidden_uses("y = torch.nn.functional.mse_loss(a, b)") == []


# --- the instructor's workflow through the commands ------------------------------------------------

HIDDEN_NOTEBOOK = [
    ("markdown", "# Solutions: Doubling", None),
    ("code", "import torch\nfrom lossbook.checks import check_value", None),
    ("code", "def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION",
     {"id": "double", "role": "solution"}),
    ("code", "check_value(double(3.0), 6.0, 'double(3.0)')\n### BEGIN HIDDEN TESTS\n"
             "check_value(double(-1.5), -3.0, 'double(-1.5)', hint='a secret edge case')\n### END HIDDEN TESTS",
     {"id": "double", "role": "test", "points": 3}),
]


def instructor_notebook(path):
    cells = []
    for kind, source, meta in HIDDEN_NOTEBOOK:
        cell = nbformat.v4.new_markdown_cell(source) if kind == "markdown" else nbformat.v4.new_code_cell(source)
        if meta:
            cell.metadata["exercise"] = meta
        cells.append(cell)
    write_notebook(nbformat.v4.new_notebook(cells=cells), path)
    return path


def run(module, *args, cwd=ROOT, env=None):
    return subprocess.run([sys.executable, "-m", module, *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


def test_assign_and_grade_with_hidden_tests(tmp_path):
    source = instructor_notebook(tmp_path / "doubling.ipynb")
    result = run("lossbook.grading.assign", source, "--out", tmp_path / "course")
    assert result.returncode == 0, result.stderr
    student = (tmp_path / "course" / "student" / "doubling.ipynb").read_text()
    assert "HIDDEN" not in student and "secret" not in student and "NotImplementedError" in student
    assert "doubling.ipynb" in (tmp_path / "course" / "student" / "README.md").read_text()

    submissions = tmp_path / "submissions"
    submissions.mkdir()
    for name, body in [("ada", "return 2 * x"), ("bob", "return abs(2 * x)"), ("cy", "return 6.0")]:
        nb = read_notebook(tmp_path / "course" / "student" / "doubling.ipynb")
        answer = next(c for c in nb.cells if c.metadata.get("exercise", {}).get("role") == "solution")
        answer.source = f"def double(x):\n    {body}"
        (submissions / name).mkdir()
        write_notebook(nb, submissions / name / "doubling.ipynb")
    out = tmp_path / "grades"
    result = run("lossbook.grading.grade", submissions, "--key", tmp_path / "course" / "key", "--out", out, "--jobs", "2")
    assert result.returncode == 0, result.stderr
    rows = {row["submission"]: row for row in csv.DictReader(open(out / "gradebook.csv"))}
    assert {k: (v["double"], v["total"], v["max"]) for k, v in rows.items()} == {
        "ada__doubling": ("3", "3", "3"), "bob__doubling": ("0", "0", "3"), "cy__doubling": ("0", "0", "3")}
    feedback = (out / "feedback" / "bob__doubling.md").read_text()
    assert "not passed" in feedback and "double(-1.5)" in feedback
    assert "HIDDEN" not in feedback and "check_value(" not in feedback
    report = json.loads((out / "reports" / "ada__doubling.json").read_text())
    assert report["score"] == 3 and report["exercises"]["double"]["passed"]
    assert {row["isolated"] for row in rows.values()} == {"yes"}

    # --resume keeps a finished report whose submission and key are unchanged (here made recognisable)
    # and regrades one whose submission changed.
    kept = json.loads((out / "reports" / "ada__doubling.json").read_text())
    kept["notes"] = ["from the first run"]
    (out / "reports" / "ada__doubling.json").write_text(json.dumps(kept))
    stale = json.loads((out / "reports" / "bob__doubling.json").read_text())
    stale["digest"], stale["score"] = "a submission since changed", 3
    (out / "reports" / "bob__doubling.json").write_text(json.dumps(stale))
    result = run("lossbook.grading.grade", submissions, "--key", tmp_path / "course" / "key", "--out", out, "--resume")
    assert result.returncode == 0, result.stderr
    assert "graded 3 of 3" in result.stderr  # the progress line
    rows = {row["submission"]: row for row in csv.DictReader(open(out / "gradebook.csv"))}
    assert (rows["ada__doubling"]["notes"], rows["bob__doubling"]["total"]) == ("1", "0")

    # Without bubblewrap on the PATH, grading refuses in one line unless the instructor trusts the class.
    no_bwrap = {**os.environ, "PATH": str(tmp_path / "empty")}
    refused = run("lossbook.grading.grade", submissions, "--key", tmp_path / "course" / "key", "--out", out, env=no_bwrap)
    assert refused.returncode == 2 and "bubblewrap" in refused.stderr and "--trusted" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1 and "Traceback" not in refused.stderr
    trusted = run("lossbook.grading.grade", submissions, "--key", tmp_path / "course" / "key", "--out", out,
                  "--trusted", env=no_bwrap)
    assert trusted.returncode == 0, trusted.stderr
    rows = {row["submission"]: row for row in csv.DictReader(open(out / "gradebook.csv"))}
    assert {k: (v["total"], v["isolated"]) for k, v in rows.items()} == {
        "ada__doubling": ("3", "no"), "bob__doubling": ("0", "no"), "cy__doubling": ("0", "no")}


@pytest.mark.parametrize("args, words", [
    (["nowhere.ipynb", "--key", "solutions"], "no such file or folder"),
    (["solutions", "--key", "no-key.ipynb"], "no such notebook"),
])
def test_grade_reports_bad_input_in_one_line(tmp_path, args, words):
    result = run("lossbook.grading.grade", *args, "--out", tmp_path / "out")
    assert result.returncode == 2 and words in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_assign_reports_an_unknown_chapter_in_one_line(tmp_path):
    result = run("lossbook.grading.assign", "no-such-chapter", "--out", tmp_path / "out")
    assert result.returncode == 2 and "no such notebook" in result.stderr and "Traceback" not in result.stderr


def test_a_grading_run_that_cannot_start_gives_every_submission_an_error_not_a_zero(tmp_path, monkeypatch):
    from lossbook.grading import runner

    calls = []

    def broken(paths, results_path, total_timeout):
        calls.append(paths)
        return "the grading run failed (pytest exit code 4)"

    monkeypatch.setattr(runner, "run_grading_notebooks", broken)
    for name in ("ada", "bob"):
        write_notebook(solution(), tmp_path / f"{name}.ipynb")
    reports = grade(sorted(tmp_path.glob("*.ipynb")), load_keys([SOLUTION]))
    assert [r.error for r in reports] == ["the grading run failed (pytest exit code 4)"] * 2
    assert all(r.score == 0 and not r.exercises for r in reports)
    assert len(calls) == 1, "a failed run is not retried submission by submission"


def test_a_kernel_that_dies_at_start_is_started_again_but_not_forever(monkeypatch):
    import nbval.kernel
    from lossbook.grading import nbval_results

    assert nbval.kernel.start_new_kernel is nbval_results.start_new_kernel_retrying
    attempts = []

    def dies(times):
        def start(**kwargs):
            attempts.append(kwargs)
            if len(attempts) <= times:
                raise RuntimeError("Kernel died before replying to kernel_info")
            return "manager", "client"
        return start

    monkeypatch.setattr(nbval_results, "_start_new_kernel", dies(2))
    assert nbval.kernel.start_new_kernel(kernel_name="k") == ("manager", "client")
    assert len(attempts) == 3 and all(a == {"kernel_name": "k"} for a in attempts)
    attempts.clear()
    monkeypatch.setattr(nbval_results, "_start_new_kernel", dies(nbval_results.KERNEL_START_ATTEMPTS))
    with pytest.raises(RuntimeError, match="Kernel died"):
        nbval.kernel.start_new_kernel(kernel_name="k")
    assert len(attempts) == nbval_results.KERNEL_START_ATTEMPTS


def test_submissions_with_the_same_file_name_get_distinct_reports():
    from pathlib import Path

    from lossbook.grading.grade import unique

    used = set()
    names = [unique("hw", Path(f"{who}/hw.ipynb"), used) for who in ("ada", "bob", "bob")]
    assert names == ["hw", "bob__hw", "hw-2"]


def test_honest_submissions_get_full_marks_while_other_processes_keep_every_core_busy(tmp_path):
    """Time limits count CPU seconds: a busy machine does not cost an honest answer its points."""
    folder = tmp_path / "class"
    folder.mkdir()
    for name in ("first", "second"):
        write_notebook(solution(), folder / f"{name}.ipynb")
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2 * (os.cpu_count() or 2))]
    try:
        reports = grade(sorted(folder.glob("*.ipynb")), load_keys([SOLUTION]), call_timeout=CALL_TIMEOUT,
                        total_timeout=60)
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()
    assert [r.score for r in reports] == [FULL, FULL], [r.exercises for r in reports]


def test_every_solution_notebook_graded_as_a_submission_gets_full_marks(tmp_path):
    """The canonical answers pass when graded: in the sandbox, under isolation, with fresh check inputs
    (twice, so two independent draws of the standard checks' random inputs)."""
    keys = load_keys([ROOT / "solutions"])
    submissions = []
    for draw in range(2):
        for path in sorted((ROOT / "solutions").glob("*.ipynb")):
            submissions.append(tmp_path / f"{path.stem}-{draw}.ipynb")
            shutil.copy(path, submissions[-1])
    reports = grade(submissions, keys, call_timeout=30.0)
    failed = {os.path.basename(r.submission): (r.error, {ex: res["messages"] for ex, res in r.exercises.items()
                                                  if not res["passed"]})
              for r in reports if r.score != r.max_score}
    assert not failed, failed
    assert len({r.check_seed for r in reports}) == len(reports)
