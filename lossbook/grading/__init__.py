"""Instructor tools: hand out chapters and grade a class's notebooks.

- ``assign``: a student folder and a key folder for chapters (``lossbook assign``).
- ``grade``: the command that grades a class into a gradebook, locally or on Dask (``lossbook grade``).
- ``runner``: grading notebooks built from the key's tests and a student's answers, run by nbval, and scored.
- ``sandbox``: the process that runs a student's code, out of reach of the checks.
- ``wire``: the data format between the sandbox and the grader (plain data only).
- ``isolation``: operating-system isolation of that process (bubblewrap, namespaces, limits).
- ``nbval_results``: the pytest plugin that records which test cells passed.
"""
