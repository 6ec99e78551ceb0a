import sys

from ringing.cli import main

sys.exit(main())
