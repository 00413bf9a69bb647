"""``python -m lossbook.grade``, kept for scripts written for earlier versions: see :mod:`lossbook.grading.grade` (``lossbook grade``)."""

import sys

from lossbook.grading.grade import main

if __name__ == "__main__":
    sys.exit(main())
