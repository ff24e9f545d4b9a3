"""Processes a run starts end with it: on Linux the kernel signals them when their parent dies (``PR_SET_PDEATHSIG``)."""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1


def die_with_parent(signum: int = signal.SIGTERM) -> None:
    """Ask to receive ``signum`` when this process's parent ends (a no-op where Linux's prctl is missing)."""
    if not sys.platform.startswith("linux"):
        return
    parent = os.getppid()
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(signum), 0, 0, 0)
    except (OSError, AttributeError):
        return
    if parent == 1 or os.getppid() != parent:  # the parent was already gone before we asked
        os.kill(os.getpid(), signum)
