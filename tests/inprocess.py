"""Run a notebook's code cells in this Python process (fast; no kernel).

Used by the wrong-answer tests: run a solution notebook up to one exercise's
test cells with a wrong answer in place of the solution, and collect what each
test cell raised.
"""

import os

import torch

from lossbook.checks import CheckFailed
from lossbook.book.exercises import exercises_of
from lossbook.grading.runner import forbidden_uses


def run_exercise(nb, exercise_id: str, answer: str | None = None) -> list:
    """Run cells up to the last test cell of ``exercise_id``; return each test cell's exception (or None).

    ``answer`` replaces the source of the exercise's first solution cell (the
    others are dropped); ``None`` keeps the solution. Other cells must succeed.
    An answer that names a function the solution cell's ``forbid`` list holds
    fails every test cell, as it does in grading.
    """
    exercise = exercises_of(nb)[exercise_id]
    if answer is not None:
        forbid = nb.cells[exercise["solution"][0]].metadata.get("exercise", {}).get("forbid", [])
        misuse = forbidden_uses(answer, forbid)
        if misuse:
            message = f"uses {', '.join(misuse)}; hint: write it from scratch"
            return [CheckFailed(message) for _ in exercise["test"]]
    namespace = {"__name__": "__main__"}
    outcomes = []
    cwd = os.getcwd()
    # A notebook may change torch's global state (set-up cells set the default
    # dtype or the thread count); restore it so one test never affects another.
    dtype, threads, grad = torch.get_default_dtype(), torch.get_num_threads(), torch.is_grad_enabled()
    try:
        for index, cell in enumerate(nb.cells[: max(exercise["test"]) + 1]):
            if cell.cell_type != "code":
                continue
            source = cell.source
            if index in exercise["solution"]:
                if answer is not None:
                    source = answer if index == exercise["solution"][0] else ""
            code = compile(source, f"<cell {index}>", "exec")
            if index in exercise["test"]:
                try:
                    exec(code, namespace)
                    outcomes.append(None)
                except Exception as err:  # a test cell rejecting an answer
                    outcomes.append(err)
            else:
                exec(code, namespace)
    finally:
        os.chdir(cwd)
        torch.set_default_dtype(dtype)
        torch.set_num_threads(threads)
        torch.set_grad_enabled(grad)
        import matplotlib.pyplot as plt

        plt.close("all")
    return outcomes
