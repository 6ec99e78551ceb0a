"""``python -m ringing``: the same as the ``ringing`` command."""

import sys

from ringing.cli import main

if __name__ == "__main__":
    sys.exit(main())
