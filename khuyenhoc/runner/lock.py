"""One run per output folder at a time, with a lock the operating system drops when a run dies."""

from __future__ import annotations

import fcntl
import json
import os
from datetime import UTC, datetime
from pathlib import Path

from khuyenhoc.errors import RunError
from khuyenhoc.i18n import DEFAULT_LANG, text
from khuyenhoc.runner import owned

LOCK_NAME = ".khuyenhoc.lock"
LOCK_REFUSED = "run.lock_not_file"
RECORD_KEYS = {"pid", "host", "since"}  # what a lock file of ours may hold ("host": written by earlier versions)


class RunLock:
    """``with RunLock(out_dir):`` holds an exclusive lock on ``out_dir/.khuyenhoc.lock``.

    The lock is ``flock``'s: a crashed or killed run releases it with its last file
    handle, so no stale lock is ever left to clean up. The file itself stays; while
    a run holds it, it says which process that is. A lock path that is a link, has
    a second name, or holds anything but our record is refused, never truncated.
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

    def _is_record(self, content: bytes) -> bool:
        """Our lock record (an earlier version's included)."""
        try:
            record = json.loads(content[:4096])
        except ValueError:
            return False
        return isinstance(record, dict) and set(record) <= RECORD_KEYS and "pid" in record

    def acquire(self) -> None:
        handle, created = owned.open_own(self.path, os.O_RDWR, self.lang, LOCK_REFUSED)
        try:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                holder = self._holder()
                raise RunError(text("run.locked", self.lang, path=self.path.parent, pid=holder.get("pid", "?"), since=holder.get("since", "?"))) from None
            if not owned.is_own(handle, created, self._is_record):  # never truncate a file khuyenhoc did not write
                raise owned.refusal(self.path, self.lang, LOCK_REFUSED)
        except BaseException:
            os.close(handle)
            raise
        record = {"pid": os.getpid(), "since": datetime.now(UTC).isoformat(timespec="seconds")}
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
