import os
import sys

from campaign.cli import EXIT_INTERRUPTED, main

code = main()
if code == EXIT_INTERRUPTED:
    # An interrupt that arrived while a C extension was being imported can leave CPython
    # set to kill itself with SIGINT at exit (status -2 instead of 130); main() has
    # already cleaned up and printed its one line, so leave now with the documented code.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
raise SystemExit(code)
