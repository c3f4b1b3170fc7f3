"""Worker processes that never outlive the run that started them.

The month end forks helpers (the 历史 prefetch, the long-sheet builder, the document pool).
When the parent is killed (kill -9, the machine's OOM killer, a closed terminal) a forked
child would otherwise go on for a minute or more, holding memory and the old file open.
:func:`die_with_parent` is the first thing each child runs: on Linux the kernel sends the
child SIGKILL when its parent dies (``prctl(PR_SET_PDEATHSIG)``); elsewhere a daemon thread
watches the parent and ends the child within half a second.
"""
from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1
POLL = 0.5                    # seconds between looks at the parent where prctl is missing


def die_with_parent(parent: int | None = None) -> None:
    """Make this (forked) process end when ``parent`` (its parent's pid) ends."""
    armed = False
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            armed = libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
        except (OSError, AttributeError):
            armed = False
    if parent is not None and os.getppid() != parent:      # the parent died before we got here
        os._exit(1)
    if not armed and parent is not None:
        threading.Thread(target=_watch, args=(parent,), daemon=True, name="kpi4s-parent-watch").start()


def _watch(parent: int) -> None:
    while True:
        time.sleep(POLL)
        if os.getppid() != parent:
            os._exit(1)


__all__ = ["die_with_parent"]
