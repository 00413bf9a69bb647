"""Helpers for *Loss Functions in Deep Learning*, an executable textbook.

One module per purpose; importing the package does no work:

- ``lossbook.checks``: answer checks that exercise test cells call.
- ``lossbook.reference``: reference implementations of losses that ``torch`` lacks.
- ``lossbook.data``: small synthetic data sets, generated in code from a seed.
- ``lossbook.training``: a minimal training loop for the experiments.
- ``lossbook.diagnose``: label a pair of training/validation loss curves.
- ``lossbook.properties``: a loss's properties measured from its code.
- ``lossbook.plotting``: the book's one plotting convention (loss and gradient).
- ``lossbook.notebooks``: read, validate and clean ``.ipynb`` files.
- ``lossbook.exercises``: generate student notebooks from solution notebooks.
"""

__version__ = "0.1.0"
