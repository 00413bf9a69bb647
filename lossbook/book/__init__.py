"""The book's tooling (not imported by chapters).

- ``notebooks``: read, validate and clean ``.ipynb`` files (``python -m lossbook.notebooks clean``).
- ``exercises``: generate student notebooks from solution notebooks (``lossbook exercises``).
- ``sphinx_assets``: the Sphinx extension that serves the book's local assets (MathJax).
"""
