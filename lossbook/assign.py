"""``python -m lossbook.assign``, kept for scripts written for earlier versions: see :mod:`lossbook.grading.assign` (``lossbook assign``)."""

import sys

from lossbook.grading.assign import main

if __name__ == "__main__":
    sys.exit(main())
