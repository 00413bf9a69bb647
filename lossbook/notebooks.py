"""``python -m lossbook.notebooks``, kept for scripts written for earlier versions: see :mod:`lossbook.book.notebooks`."""

import sys

from lossbook.book.notebooks import main

if __name__ == "__main__":
    sys.exit(main())
