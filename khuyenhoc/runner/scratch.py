"""The run's own temporary folder: the data snapshot, worker scratch and kernel sockets live there (and the
process's: Python multiprocessing's own temporary folder).

It is removed when the run ends; a run that was killed (``kill -9``) cannot remove it, so
every run first sweeps the folders whose owner is gone (their ``flock`` died with it).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PREFIX = "khuyenhoc-run-"
OWNER = ".owner"
UNOWNED_GRACE = 3600.0  # a folder without its owner file may be one being created this instant


def _owner_gone(folder: Path) -> bool:
    """True when no live run holds the folder's owner lock."""
    try:
        handle = os.open(folder / OWNER, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        try:
            return time.time() - folder.stat().st_mtime > UNOWNED_GRACE
        except OSError:
            return False
    except OSError:
        return False
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    finally:
        os.close(handle)
    return True


def sweep(root: Path | None = None) -> list[Path]:
    """Remove the run folders (ours, under the temp folder) that runs no longer alive left behind."""
    removed = []
    for folder in Path(root or tempfile.gettempdir()).glob(PREFIX + "*"):
        try:
            if folder.is_symlink() or not folder.is_dir() or folder.stat().st_uid != os.geteuid():
                continue
        except OSError:
            continue
        if _owner_gone(folder):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


@contextmanager
def run_folder() -> Iterator[Path]:
    """A private temporary folder held for as long as the ``with`` block runs, removed after it."""
    sweep()
    folder = Path(tempfile.mkdtemp(prefix=PREFIX))
    handle = os.open(folder / OWNER, os.O_CREAT | os.O_RDWR | os.O_CLOEXEC, 0o600)
    fcntl.flock(handle, fcntl.LOCK_EX)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        os.close(handle)


_process: Path | None = None


def process_folder() -> Path:
    """A private temporary folder held for as long as this process lives, removed when it exits; one a killed
    process left is swept by the next run like a run's folder. Python's multiprocessing keeps its own temporary
    folder (the pool's fork server socket) in it."""
    global _process
    if _process is None or not _process.is_dir():
        from multiprocessing import util

        folder = Path(tempfile.mkdtemp(prefix=PREFIX))
        handle = os.open(folder / OWNER, os.O_CREAT | os.O_RDWR | os.O_CLOEXEC, 0o600)
        fcntl.flock(handle, fcntl.LOCK_EX)
        # after multiprocessing's own clean-up (priority -100) of the folder inside it
        util.Finalize(None, _remove, args=(folder, handle), exitpriority=-200)
        _process = folder
    return _process


def _remove(folder: Path, handle: int) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    os.close(handle)
