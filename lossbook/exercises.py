"""``python -m lossbook.exercises``, kept for scripts written for earlier versions: see :mod:`lossbook.book.exercises` (``lossbook exercises``)."""

import sys

from lossbook.book.exercises import main

if __name__ == "__main__":
    sys.exit(main())
