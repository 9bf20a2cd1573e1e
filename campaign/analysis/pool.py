"""A local process pool whose workers end when the process that started them dies.

``concurrent.futures`` workers notice a dead parent only when they next try to
talk to it; a ``kill -9`` of ``campaign ensemble`` could leave them simulating (and
holding cores) indefinitely. Each worker therefore asks Linux to send it SIGKILL
when its parent dies (``prctl(PR_SET_PDEATHSIG)``) and, on every system, watches its
parent id from a daemon thread and exits once it changes.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor

#: Seconds between two looks at the parent's process id.
WATCH_SECONDS = 0.5
_PR_SET_PDEATHSIG = 1


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """A process pool of ``workers`` processes that die with this process."""
    return ProcessPoolExecutor(
        max_workers=workers, initializer=die_with_parent, initargs=(os.getpid(),)
    )


def die_with_parent(parent_pid: int) -> None:
    """Pool initializer: end this worker as soon as ``parent_pid`` is no longer its parent."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError, TypeError):
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:  # the parent died before the request took effect
        os._exit(1)
    threading.Thread(
        target=_watch, args=(parent_pid,), daemon=True, name="campaign-parent-watch"
    ).start()


def _watch(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(WATCH_SECONDS)
    os._exit(1)  # orphaned: nobody will read our results
