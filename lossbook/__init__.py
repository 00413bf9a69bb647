"""Helpers for *Loss Functions in Deep Learning*, an executable textbook.

Three parts; importing a package does no work.

What chapters and exercises import (top level, one module per purpose):

- ``lossbook.checks``: answer checks that exercise test cells call.
- ``lossbook.reference``: reference implementations of losses that ``torch`` lacks.
- ``lossbook.data``: small synthetic data sets, generated in code from a seed.
- ``lossbook.seeds``: the base seed and the random streams derived from it.
- ``lossbook.training``: a minimal training loop for the experiments.
- ``lossbook.diagnose``: label a pair of training/validation loss curves.
- ``lossbook.properties``: a loss's properties measured from its code.
- ``lossbook.plotting``: the book's one plotting convention (loss and gradient).

The book's tooling, ``lossbook.book``: reading and cleaning notebooks, generating
student notebooks from solutions, the Sphinx extension.

Grading, ``lossbook.grading``: assigning chapters, grading a class, the sandbox
that runs students' code, and the nbval plugin that records results.

``lossbook.cli`` is the ``lossbook`` command. ``lossbook/grade.py``,
``assign.py``, ``exercises.py`` and ``notebooks.py`` only keep the
``python -m lossbook.<name>`` commands of earlier versions working.
"""

__version__ = "0.1.0"
