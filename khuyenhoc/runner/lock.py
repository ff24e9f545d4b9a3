"""One run per output folder at a time, with a lock the operating system drops when a run dies."""

from __future__ import annotations

import fcntl
import json
import os
import socket
from datetime import UTC, datetime
from pathlib import Path

from khuyenhoc.errors import RunError
from khuyenhoc.i18n import DEFAULT_LANG, text

LOCK_NAME = ".khuyenhoc.lock"


class RunLock:
    """``with RunLock(out_dir):`` holds an exclusive lock on ``out_dir/.khuyenhoc.lock``.

    The lock is ``flock``'s: a crashed or killed run releases it with its last file
    handle, so no stale lock is ever left to clean up. The file itself stays; while
    a run holds it, it says which process that is.
    """

    def __init__(self, out_dir: Path, lang: str = DEFAULT_LANG) -> None:
        self.path = out_dir / LOCK_NAME
        self.lang = lang
        self.handle: int | None = None

    def _holder(self) -> dict:
        try:
            holder = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            holder = None
        return holder if isinstance(holder, dict) else {}

    def acquire(self) -> None:
        try:
            handle = os.open(self.path, os.O_CREAT | os.O_RDWR, 0o644)
        except OSError as error:  # read-only folder, no permission, disk full
            raise RunError(text("run.cannot_write", self.lang, path=self.path.parent, reason=error.strerror or error)) from error
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(handle)
            holder = self._holder()
            raise RunError(text("run.locked", self.lang, path=self.path.parent, pid=holder.get("pid", "?"), since=holder.get("since", "?"))) from None
        record = {"pid": os.getpid(), "host": socket.gethostname(), "since": datetime.now(UTC).isoformat(timespec="seconds")}
        os.ftruncate(handle, 0)
        os.pwrite(handle, json.dumps(record).encode(), 0)
        self.handle = handle

    def release(self) -> None:
        if self.handle is not None:
            os.ftruncate(self.handle, 0)
            os.close(self.handle)  # closing the last handle drops the lock
            self.handle = None

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
