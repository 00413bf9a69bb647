"""The ``lossbook`` command: one entry point for students, authors and instructors.

    lossbook check exercises/regression.ipynb          # a student checks a notebook (nbval)
    lossbook exercises [SLUG ...]                      # regenerate student notebooks from solutions
    lossbook assign regression --out course/week2      # an instructor hands out a chapter
    lossbook grade submissions/ --key course/week2/key --out grades/

Each subcommand takes the options of its module (``lossbook grade --help``);
``python -m lossbook.grade`` and the other module commands of earlier versions keep working.
"""

import os
import subprocess
import sys
from pathlib import Path

COMMANDS = {
    "check": "run a notebook's checks, as the grader's tests would (pytest --nbval-lax)",
    "exercises": "regenerate exercises/*.ipynb from solutions/*.ipynb",
    "assign": "write a student folder and a key folder for chapters",
    "grade": "grade students' notebooks into a gradebook",
}

MODULES = {"exercises": "lossbook.book.exercises", "assign": "lossbook.grading.assign", "grade": "lossbook.grading.grade"}


def check(argv) -> int:
    """Run one or more notebooks top to bottom with nbval; the exit code says whether every check passed."""
    import argparse

    parser = argparse.ArgumentParser(prog="lossbook check", description=check.__doc__)
    parser.add_argument("notebooks", nargs="+", help="notebooks to check")
    args = parser.parse_args(argv)
    for name in args.notebooks:
        if not Path(name).is_file():
            print(f"error: {name}: no such notebook", file=sys.stderr)
            return 2
    command = [sys.executable, "-m", "pytest", "--nbval-lax", "-q", "-p", "no:cacheprovider", *args.notebooks]
    environment = {k: v for k, v in os.environ.items() if k != "PYTEST_DISABLE_PLUGIN_AUTOLOAD"}  # nbval is a plugin
    return subprocess.run(command, env=environment).returncode


def main(argv=None) -> int:
    try:
        return _dispatch(argv)
    except BrokenPipeError:  # output piped into a command that stopped reading (lossbook --help | head -1)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error when Python exits
        return 1


def _dispatch(argv) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] in ("-h", "--help") or argv[0] not in COMMANDS:
        usage = "\n".join(f"  {name:<10} {text}" for name, text in COMMANDS.items())
        stream = sys.stdout if not argv or argv[0] in ("-h", "--help") else sys.stderr
        if argv and argv[0] not in ("-h", "--help"):
            print(f"error: unknown command {argv[0]!r}", file=stream)
        print(f"usage: lossbook COMMAND [options]\n\ncommands:\n{usage}", file=stream)
        return 0 if stream is sys.stdout else 2
    command, rest = argv[0], argv[1:]
    if command == "check":
        return check(rest)
    module = __import__(MODULES[command], fromlist=["main"])
    return module.main(rest)


if __name__ == "__main__":
    sys.exit(main())
