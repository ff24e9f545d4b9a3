"""Processes a run starts end with it: on Linux the kernel signals them when their parent dies (``PR_SET_PDEATHSIG``)."""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager

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


WIND_DOWN_SECONDS = 30.0  # after Ctrl-C (or SIGTERM/SIGHUP) a run has this long to stop its workers and write its files
_deadline_started = False
farewell = ""  # what the command says if the deadline ends it (set by the CLI, in the run's language)


def wind_down_deadline(seconds: float = WIND_DOWN_SECONDS, code: int = 130) -> None:
    """From the first interrupt on, end this process after ``seconds`` even if stopping its workers hangs (a
    cluster that does not answer, say). Results already published are whole files and the manifest is written
    atomically, so nothing is half-written; processes started with :func:`die_with_parent` end with it."""
    global _deadline_started
    if _deadline_started:
        return
    _deadline_started = True
    import threading

    def expire() -> None:
        if farewell:
            print(farewell, flush=True)
        sys.stderr.flush()
        os._exit(code)

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()


@contextmanager
def interrupts_ignored() -> Iterator[None]:
    """Processes started inside the block ignore Ctrl-C (the disposition is inherited, and Python keeps an ignored
    SIGINT ignored): the terminal's Ctrl-C reaches only the run, which stops them itself, so they print no traceback.
    Outside the main thread (where signals cannot be set) the block runs as it is."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
