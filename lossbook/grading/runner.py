"""Grade students' exercise notebooks against the instructor's canonical copy.

For each submission the grader builds a *grading notebook*: the canonical
set-up and test cells (hidden tests included) from the instructor's key, and
only the student's *solution* cells, matched by cell id or, failing that, by
exercise id. Test cells the student submitted are never run: an edited or
deleted test cell is graded with the canonical one, and the change is noted.
Points come from the key.

The student's code runs in a sandbox process (:mod:`lossbook.grading.sandbox`); the
test cells run in the Jupyter kernel and reach the student's functions through
proxies, so patching the checks from student code achieves nothing. nbval runs
the grading notebook (``pytest --nbval-lax``); a small pytest plugin
(:mod:`lossbook.grading.nbval_results`) records which test cells passed.
"""

import ast
import json
import os
import secrets
import tempfile
import time
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat

from lossbook.book.exercises import (BEGIN, BEGIN_HIDDEN, ExerciseFormatError, exercise_meta, exercises_of,
                                make_student_version, strip_hidden_tests)
from lossbook.book.notebooks import NOTEBOOK_METADATA, NotebookError, read_notebook

CALL_TIMEOUT = 10.0  # CPU seconds for one call of a student's function
NOTEBOOK_TIMEOUT = 120.0  # CPU seconds of student code per submission


@dataclass
class ExerciseResult:
    points: int = 0
    max_points: int = 0
    passed: bool = False
    messages: list = field(default_factory=list)


@dataclass
class Report:
    submission: str
    chapter: str | None = None
    score: int = 0
    max_score: int = 0
    exercises: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0
    isolated: bool = True
    digest: str = ""  # of the submission and the keys it was graded with (to resume a run)
    check_seed: int = 0  # the random part of the checks' standard inputs, drawn afresh for each submission


@dataclass
class Key:
    """An instructor's canonical notebook (a solution notebook, hidden tests included)."""

    slug: str
    nb: nbformat.NotebookNode
    exercises: dict
    student: nbformat.NotebookNode  # what students received, to detect edited test cells

    @classmethod
    def load(cls, path) -> "Key":
        path = Path(path)
        nb = read_notebook(path)
        exercises = exercises_of(nb, str(path))
        if not exercises:
            raise ExerciseFormatError(f"{path}: no exercises in this notebook")
        return cls(path.stem, nb, exercises, make_student_version(nb, str(path)))

    @property
    def max_score(self) -> int:
        return sum(e["points"] for e in self.exercises.values())


def load_keys(paths) -> dict:
    """Keys from notebook files or folders of them, by slug."""
    files = []
    for path in map(Path, paths):
        files += sorted(path.glob("*.ipynb")) if path.is_dir() else [path]
    if not files:
        raise NotebookError("no key notebooks found")
    return {key.slug: key for key in map(Key.load, files)}


# --- reading a submission -------------------------------------------------------------------------

def read_submission(path) -> tuple:
    """Read a student's notebook leniently; return (notebook, notes) or raise NotebookError."""
    path = Path(path)
    if not path.is_file():
        raise NotebookError(f"{path}: no such file")
    try:
        text = path.read_text(encoding="utf-8")
        raw = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise NotebookError(f"{path.name}: not valid JSON ({err.__class__.__name__} at {getattr(err, 'pos', '?')}); "
                            "nothing could be graded") from None
    version = raw.get("nbformat") if isinstance(raw, dict) else None
    notes = []
    if version not in (3, 4):
        raise NotebookError(f"{path.name}: nbformat {version!r} is not supported (expected 4); "
                            "open it in Jupyter and save it again")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. duplicate cell ids, which nbformat repairs
            nb = nbformat.reads(text, as_version=4)
    except Exception as err:
        raise NotebookError(f"{path.name}: not a readable notebook ({str(err).splitlines()[0][:200]})") from None
    if version == 3:
        notes.append("the notebook was in nbformat 3 and was converted to nbformat 4")
    if not isinstance(nb.get("cells"), list):
        raise NotebookError(f"{path.name}: the notebook has no list of cells")
    return nb, notes


def _match_key(nb, keys: dict):
    """The key whose exercises this submission answers (most matching cells), or None."""
    ids = {c.get("id") for c in nb.cells}
    exercise_ids = {exercise_meta(c).get("id") for c in nb.cells if isinstance(c, dict)}
    best, best_score = None, 0
    for key in keys.values():
        solution_ids = {key.nb.cells[i].id for e in key.exercises.values() for i in e["solution"]}
        score = len(ids & solution_ids) + len(exercise_ids & set(key.exercises))
        if score > best_score:
            best, best_score = key, score
    return best


def _student_cell(nb, key_cell, exercise_id: str, role: str, notes: list):
    """The submitted cell that answers ``key_cell``: same id or same exercise and role; the last one wins.

    Running a notebook top to bottom, the last definition of a function is the
    one that counts, so duplicates are resolved the same way (and noted).
    """
    candidates = [c for c in nb.cells if c.get("cell_type") == "code" and (
        c.get("id") == key_cell.id
        or (exercise_meta(c).get("id") == exercise_id and exercise_meta(c).get("role") == role))]
    if len(candidates) > 1:
        notes.append(f"'{exercise_id}': {len(candidates)} cells hold this answer; the last one was graded")
    return candidates[-1] if candidates else None


def defined_names(source: str) -> list:
    """Top-level names a solution cell defines (functions, classes, assignments)."""
    names = []
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names += [t.id for t in targets if isinstance(t, ast.Name)]
    return names


# Reaching into the interpreter or PyTorch's internals is how a "from scratch" rule is dodged
# (a closure unwrapped, a frame's globals read, torch._C called, the dispatcher's refusing kernels removed,
# PyTorch's Python reference implementations of its losses called) and how the worker's own code (its
# module is __main__) would be patched to forge its replies. Refused in every answer cell: an answer
# for one exercise could otherwise prepare the dodge for another.
INTERNALS = {name: f"interpreter or PyTorch internals ({name})" for name in (
    "_C", "_python_dispatch", "_disable_current_modes", "_pop_mode", "__closure__", "__globals__", "__code__",
    "__wrapped__", "__builtins__", "_getframe", "currentframe", "getclosurevars", "f_back", "f_globals",
    "f_locals", "gi_frame", "_lossbook_tripwire", "library", "_destroy", "get_objects", "get_referrers",
    "__main__", "_refs", "_decomp", "_prims", "_prims_common")}


def forbidden_uses(source: str, forbid=()) -> list:
    """Forbidden library names, or internals, that a student's source mentions: attributes, imports, or strings
    (a string such as ``"torch._refs.nn.functional"`` counts by its dotted parts)."""
    wanted = {**INTERNALS, **{name.rsplit(".", 1)[-1]: name for name in forbid}}
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []  # it cannot run either: the sandbox reports the error
    except (RecursionError, MemoryError):
        # Too deeply nested for the parser here; it might still compile in the
        # sandbox, so it cannot be shown free of forbidden calls.
        return ["an expression nested too deeply to check"]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in wanted:
            found.add(wanted[node.attr])
        elif isinstance(node, ast.Attribute) and node.attr == "modules" and getattr(node.value, "id", "") == "sys":
            found.add("interpreter or PyTorch internals (sys.modules)")
        elif isinstance(node, ast.ImportFrom) and set((node.module or "").split(".")) & set(INTERNALS):
            found.add(INTERNALS[min(set((node.module or "").split(".")) & set(INTERNALS))])
        elif isinstance(node, ast.alias) and node.name.rsplit(".", 1)[-1] in wanted:
            found.add(wanted[node.name.rsplit(".", 1)[-1]])
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in wanted:
            found.add(wanted[node.value])
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and "." in node.value[:200]:
            found.update(INTERNALS[part] for part in node.value[:200].split(".") if part in INTERNALS)
    return sorted(found)


# --- the grading notebook -------------------------------------------------------------------------

KERNEL_SETTINGS = """
get_ipython().InteractiveTB.set_mode("Minimal")  # feedback needs the error, not a coloured traceback
get_ipython().autoawait = False  # no top-level await in a key: no extra compilation of every cell
from lossbook.grading.runner import python_as_it_is
_transformer = get_ipython().input_transformer_manager
_transformer.transform_cell = python_as_it_is(_transformer.transform_cell)
_FRESH = set(globals()) | {{"_FRESH", "_name"}}  # the names each submission starts with"""

BOOTSTRAP_ISOLATED = """\
from lossbook.grading import sandbox as _sandbox
_sandbox.start_zygote(isolated=True, preload={preload!r})  # a clean process in bubblewrap; it imports torch while we do
import torch""" + KERNEL_SETTINGS

BOOTSTRAP_TRUSTED = """\
import torch
from lossbook.grading import sandbox as _sandbox
_sandbox.start_zygote(isolated=False, preload={preload!r})  # before any test runs: workers are forked from this clean state""" + KERNEL_SETTINGS

RESET = """\
for _name in set(globals()) - _FRESH:  # nothing of the previous submission survives
    del globals()[_name]
Out.clear()  # the output history, and the last three results
_ = __ = ___ = None
_sandbox.close_all()
"""

NEW_SUBMISSION = """\
from lossbook import checks as _checks
_checks.use_fresh_inputs({check_seed!r})  # the checks' random inputs: drawn afresh, never seen by student code
__sandbox__ = _sandbox.Sandbox(call_timeout={call_timeout!r}, total_timeout={total_timeout!r}, isolated={isolated!r},
                               forbidden={forbidden!r})"""


def _code_cell(source: str) -> nbformat.NotebookNode:
    """A new code cell, without the schema validation of ``nbformat.v4.new_code_cell`` (about 1 ms a cell;
    the grading notebook is validated once, when nbval reads it)."""
    return nbformat.from_dict({"cell_type": "code", "id": secrets.token_hex(8), "metadata": {}, "source": source,
                               "execution_count": None, "outputs": []})


def grading_cells(key: Key, nb, notes: list, submission: int, call_timeout=CALL_TIMEOUT,
                  total_timeout=NOTEBOOK_TIMEOUT, isolated: bool = True, check_seed: int = 0) -> list:
    """The cells that grade one submission: canonical set-up and tests, the student's answers in a sandbox."""
    reset = RESET if submission else ""  # the first submission starts in a fresh kernel
    forbidden = {meta["id"]: list(meta.get("forbid", [])) for meta in map(exercise_meta, key.nb.cells)
                 if meta.get("role") == "solution" and meta.get("forbid")}
    cells = [_code_cell(reset + NEW_SUBMISSION.format(call_timeout=call_timeout, total_timeout=total_timeout,
                                                      isolated=isolated, check_seed=check_seed, forbidden=forbidden))]
    test_ids = {key.nb.cells[i].id for e in key.exercises.values() for i in e["test"]}
    student_tests = {c.id: c for c in key.student.cells}
    for cell in key.nb.cells:
        if cell.cell_type != "code":
            continue
        meta = exercise_meta(cell)
        if not meta:
            setup = _code_cell(f"{cell.source}\n__sandbox__.setup({cell.source!r})")
            setup.metadata["preload"] = imported_modules(cell.source)  # imported once by the zygote
            cells.append(setup)
            continue
        ex_id = meta["id"]
        if meta["role"] == "solution":
            answer = _code_cell(_answer_cell(key, nb, cell, ex_id, meta, notes, student_tests))
            cells.append(answer)
        else:
            grading_cell = _code_cell(cell.source)
            grading_cell.metadata["exercise"] = dict(meta)
            grading_cell.metadata["grading"] = {"submission": submission}
            cells.append(grading_cell)
            position = [key.nb.cells[i].id for i in key.exercises[ex_id]["test"]].index(cell.id)
            _note_tampering(nb, cell, student_tests.get(cell.id), ex_id, position, notes)
    submitted_tests = {}
    for c in nb.cells:
        meta = exercise_meta(c)
        if meta.get("role") == "test":
            submitted_tests.setdefault(meta.get("id"), []).append(c)
    for ex_id, found in submitted_tests.items():
        # Matched by id, or else by count (ids are lost in nbformat 3 and renamed when duplicated).
        known = len(key.exercises[ex_id]["test"]) if ex_id in key.exercises else 0
        extra = sum(1 for c in found if c.get("id") not in test_ids) if len(found) > known else 0
        if extra:
            notes.append(f"'{ex_id}': {extra} test cell(s) that are not in the key were ignored")
    return _merged(cells)


def _merged(cells: list) -> list:
    """Each run of cells that are not test cells, run at the start of the test cell after it.

    Every cell costs nbval a round trip to the kernel. Nothing in a set-up or
    answer cell can fail because of the student (an answer's errors are caught
    and reported by its tests), so merging changes no grade.
    """
    merged, pending = [], []
    for cell in cells:
        if "exercise" not in cell.metadata:
            pending.append(cell)
            continue
        if pending:
            cell.source = "\n".join([c.source for c in pending] + [cell.source])
            cell.metadata["preload"] = [name for c in pending for name in c.metadata.get("preload", [])]
            pending = []
        merged.append(cell)
    if pending:
        tail = pending[0]
        tail.source = "\n".join(c.source for c in pending)
        tail.metadata["preload"] = [name for c in pending for name in c.metadata.get("preload", [])]
        merged.append(tail)
    return merged


def imported_modules(source: str) -> list:
    """Modules a (trusted) set-up cell imports at top level."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, RecursionError, MemoryError):
        return []
    names = []
    for node in tree.body:
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.append(node.module)
    return names


def _answer_cell(key, nb, cell, ex_id, meta, notes, student_tests) -> str:
    """A grading cell that runs the student's answer for ``cell`` in the sandbox and binds proxies."""
    submitted = _student_cell(nb, cell, ex_id, "solution", notes)
    if submitted is None:
        notes.append(f"'{ex_id}': the answer cell is missing; the exercise was graded as unanswered")
        source = student_tests[cell.id].source
    else:
        source = submitted.get("source", "")
        source = as_python("".join(source) if isinstance(source, list) else str(source))
    forbid = list(meta.get("forbid", []))
    names = defined_names(cell.source)
    misuse = forbidden_uses(source, forbid)
    if misuse:
        source = _forbidden_stub(names, ex_id, misuse, from_scratch=bool(forbid))
    inplace = meta.get("inplace", False) is True
    return (f"globals().update(__sandbox__.define({source!r}, exercise={ex_id!r}, "
            f"names={names!r}, forbid={forbid!r}, inplace={inplace!r}))")


def as_python(source: str) -> str:
    """An answer cell as Jupyter runs it: IPython syntax (magics, ``!`` lines) becomes ``get_ipython()`` calls."""

    def ipython_transform(cell: str) -> str:
        from IPython.core.inputtransformer2 import TransformerManager  # imported only if needed: 0.5 s

        return TransformerManager().transform_cell(cell)

    try:
        return python_as_it_is(ipython_transform)(source)
    except Exception:  # not transformable: run as written (a syntax error is reported by the sandbox)
        return source


def python_as_it_is(transform):
    """IPython's cell ``transform``, skipped for a cell that is plain Python (IPython would leave it as it is:
    none of its syntax is Python), which saves tokenizing every cell (about 3 ms for a test cell)."""

    def transform_unless_python(source: str) -> str:
        try:
            ast.parse(source)
            return source
        except Exception:
            return transform(source)

    return transform_unless_python


def grading_notebook(parts: list, isolated: bool = True) -> nbformat.NotebookNode:
    """One notebook that grades several submissions in turn (one kernel, one sandbox each)."""
    preload = sorted({name for part in parts for cell in part for name in cell.metadata.get("preload", [])} - {""})
    cells = [_code_cell((BOOTSTRAP_ISOLATED if isolated else BOOTSTRAP_TRUSTED).format(preload=preload))]
    for part in parts:
        cells += part
    cells.append(_code_cell("_sandbox.close_all(zygotes=True)"))
    return nbformat.v4.new_notebook(cells=cells, metadata=nbformat.from_dict(NOTEBOOK_METADATA))


def _forbidden_stub(names, ex_id, misuse, from_scratch=True) -> str:
    message = (f"'{ex_id}' asks you to write this from scratch, but your code uses {', '.join(misuse)}\\n"
               "  hint: compute it with elementary tensor operations instead." if from_scratch else
               f"your answer for '{ex_id}' uses {', '.join(misuse)}, which answers may not use\\n"
               "  hint: write it with PyTorch's public functions.")
    lines = [f"def {name}(*args, **kwargs):\n    raise ForbiddenCall({message!r})" for name in names]
    return "from lossbook.grading.sandbox import ForbiddenCall\n" + "\n".join(lines)


def _note_tampering(nb, key_cell, given_cell, ex_id, position, notes):
    """Note a test cell the student deleted or edited (source or points); grading uses the key's anyway.

    The submitted cell is found by id, or else as the same test cell of the same
    exercise (ids are lost when a notebook is saved as nbformat 3, and renamed
    when they are duplicated).
    """
    submitted = [c for c in nb.cells if c.get("id") == key_cell.id]
    if not submitted:
        same = [c for c in nb.cells if exercise_meta(c).get("id") == ex_id and exercise_meta(c).get("role") == "test"]
        submitted = same[position:position + 1]
    if not submitted:
        notes.append(f"'{ex_id}': a test cell was deleted; it was graded with the canonical test")
        return
    source = submitted[-1].get("source", "")
    source = "".join(source) if isinstance(source, list) else str(source)
    expected = given_cell.source if given_cell is not None else strip_hidden_tests(key_cell.source, "key")
    if source.strip() != expected.strip():
        notes.append(f"'{ex_id}': a test cell was edited; it was graded with the canonical test")
    points = exercise_meta(submitted[-1]).get("points")
    if points != exercise_meta(key_cell).get("points"):
        notes.append(f"'{ex_id}': the points of a test cell were changed (to {points!r}); the key's points were used")


# --- running and scoring --------------------------------------------------------------------------

def run_grading_notebooks(paths: list, results_path: Path, total_timeout: float = NOTEBOOK_TIMEOUT) -> str | None:
    """Run grading notebooks with nbval (``pytest --nbval-lax``) in this process.

    Student code never runs here or in the kernel (it runs in the sandbox), so
    pytest can run in-process; the sandbox enforces the time limits.
    Returns an error string if pytest itself could not run.
    """
    import contextlib
    import io

    import pytest

    from lossbook.grading import nbval_results
    from lossbook.grading.sandbox import WALL_FACTOR, wall_backstop

    # Plugins grading does not use; two of them collect garbage again and again at the end.
    unused = ["cacheprovider", "unraisableexception", "threadexception", "faulthandler", "doctest", "junitxml",
              "pastebin", "stepwise"]
    args = ["-q", *(f"-pno:{name}" for name in unused), "-p", "nbval.plugin", "--nbval-lax", "--nbval-current-env",
            f"--nbval-cell-timeout={WALL_FACTOR * total_timeout + wall_backstop(total_timeout):g}", "-o", "addopts=", "-o", "python_files=",
            "--rootdir", str(results_path.parent), *map(str, paths)]
    nbval_results.reset(results_path)
    settings = {"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",  # only the plugins named above
                # one file name for every cell the kernel runs: no hash of each cell's source (pure Python)
                "IPYKERNEL_CELL_NAME": str(results_path.parent / "grading-cell.py")}
    before = {name: os.environ.get(name) for name in settings}
    os.environ.update(settings)
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            code = pytest.main(args, plugins=[nbval_results])
    finally:
        for name, value in before.items():
            if value is None:
                del os.environ[name]
            else:
                os.environ[name] = value
    if code not in (0, 1):
        return f"the grading run failed (pytest exit code {int(code)})"
    return None


def score(key: Key, report: Report, cell_results: list) -> None:
    """Fill the report's exercises from the per-cell results of the grading notebook."""
    by_exercise = {ex_id: ExerciseResult(max_points=e["points"]) for ex_id, e in key.exercises.items()}
    seen = {ex_id: 0 for ex_id in by_exercise}
    for result in cell_results:
        entry = by_exercise.get(result["exercise"])
        if entry is None:
            continue
        seen[result["exercise"]] += 1
        if result["passed"]:
            entry.points += result["points"]
        else:
            entry.messages.append(_feedback(result))
    for ex_id, entry in by_exercise.items():
        expected = len(key.exercises[ex_id]["test"])
        if seen[ex_id] < expected:
            entry.messages.append("some checks were not run (grading stopped early)")
        entry.passed = entry.points == entry.max_points and not entry.messages
    report.exercises = {k: asdict(v) for k, v in by_exercise.items()}
    report.score = sum(v.points for v in by_exercise.values())


def _feedback(result: dict) -> str:
    kind, message = result.get("ename") or "Error", (result.get("evalue") or "").strip()
    if kind == "NotImplementedError":
        return "not answered yet (the stub still raises NotImplementedError)"
    if kind in ("CheckFailed", "SandboxError", "AssertionError"):
        return message or "a check failed"
    return f"{kind}: {message}" if message else kind


def grade(submissions, keys: dict, call_timeout=CALL_TIMEOUT, total_timeout=NOTEBOOK_TIMEOUT,
          isolated: bool = True) -> list:
    """Grade a list of submission paths in one nbval run (one kernel); return their reports.

    A submission whose checks did not all run (the kernel itself failed) is
    graded again on its own, so one failure cannot spoil the rest of a batch.
    """
    start = time.monotonic()
    reports, runnable = [], []
    for path in map(Path, submissions):
        report = Report(submission=str(path), check_seed=secrets.randbits(62))
        reports.append(report)
        try:
            nb, report.notes = read_submission(path)
            key = _match_key(nb, keys)
        except NotebookError as err:
            report.error = str(err)
            continue
        except Exception as err:  # crafted to break the grader: it costs this submission only
            report.error = f"{path.name}: {_ungradable(err)}"
            continue
        if key is None:
            report.error = (f"{path.name}: this notebook answers none of the assigned exercises "
                            f"({', '.join(sorted(keys))}); is it the right file?")
            continue
        report.chapter, report.max_score = key.slug, key.max_score
        runnable.append((report, key, nb))
    results = _run(runnable, call_timeout, total_timeout, isolated)
    # A submission whose cell hung until nbval stopped the kernel costs the submissions after it nothing:
    # theirs are graded again, together in a fresh kernel (then, if need be, one by one, below).
    lost = [number for number in range(len(runnable)) if _lost(results.get(number, []))]
    if lost and len(runnable) > 1:
        again = _run([runnable[number] for number in lost], call_timeout, total_timeout, isolated, notes=False)
        results.update({number: again.get(i, []) for i, number in enumerate(lost)})
    for number, (report, key, nb) in enumerate(runnable):
        cells = results.get(number, [])
        if not isinstance(cells, str) and (_lost(cells) or len(cells) < sum(
                len(e["test"]) for e in key.exercises.values())) and len(runnable) > 1:
            cells = _run([(report, key, nb)], call_timeout, total_timeout, isolated, notes=False).get(0, [])
        if isinstance(cells, str):  # the grading run itself failed: no grade, and say why
            report.error = cells
            continue
        score(key, report, cells)
    elapsed = (time.monotonic() - start) / max(len(reports), 1)
    for report in reports:
        report.seconds, report.isolated = round(elapsed, 3), isolated
    return reports


def _lost(cells) -> bool:
    """Checks that did not run because of another submission (the kernel died or was stopped before them)."""
    return (not isinstance(cells, str) and any(c.get("lost") for c in cells)
            and not any(c.get("timed_out") for c in cells))  # the one that hung is graded as it ran


def _run(runnable, call_timeout, total_timeout, isolated, notes=True) -> dict:
    """Build and run the grading notebook for ``runnable``; results by submission number
    (for each, why grading could not run if pytest itself failed)."""
    if not runnable:
        return {}
    parts, unreadable = [], {}
    for number, (report, key, nb) in enumerate(runnable):
        sink = report.notes if notes else []
        try:
            parts.append(grading_cells(key, nb, sink, number, call_timeout, total_timeout, isolated, report.check_seed))
        except Exception as err:  # crafted to break the grader: it costs this submission only
            unreadable[number] = f"{Path(report.submission).name}: {_ungradable(err)}"
    if not parts:
        return unreadable
    with tempfile.TemporaryDirectory(prefix="lossbook-grading-") as tmp:
        path = Path(tmp) / "grading.ipynb"
        nbformat.write(grading_notebook(parts, isolated), path)
        problem = run_grading_notebooks([path], Path(tmp) / "results.json", total_timeout)
        if problem is not None:
            return {number: unreadable.get(number, problem) for number in range(len(runnable))}
        results_path = Path(tmp) / "results.json"
        raw = json.loads(results_path.read_text()) if results_path.is_file() else {}
    by_submission = dict(unreadable)
    for entry in raw.get(path.name, []):
        by_submission.setdefault(entry["submission"], []).append(entry)
    return by_submission


def _ungradable(err: Exception) -> str:
    detail = str(err).splitlines()[0][:200] if str(err) else ""
    return (f"the notebook could not be graded ({type(err).__name__}{': ' + detail if detail else ''}); "
            "open it in Jupyter, save it again and hand it in again")
