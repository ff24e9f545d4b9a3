"""One run per output folder at a time, with a lock the operating system drops when a run dies."""

from __future__ import annotations

import errno
import fcntl
import json
import os
import stat
from datetime import UTC, datetime
from pathlib import Path

from khuyenhoc.errors import RunError
from khuyenhoc.i18n import DEFAULT_LANG, text

LOCK_NAME = ".khuyenhoc.lock"
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

    def _refuse(self) -> RunError:
        return RunError(text("run.lock_not_file", self.lang, path=self.path))

    def _open(self) -> tuple[int, bool]:
        """The lock file's handle, never through a link; and whether this call created the file."""
        flags = os.O_RDWR | os.O_NOFOLLOW | os.O_CLOEXEC
        try:
            try:
                return os.open(self.path, flags | os.O_CREAT | os.O_EXCL, 0o644), True
            except FileExistsError:
                return os.open(self.path, flags), False
        except OSError as error:
            if error.errno == errno.ELOOP:  # a symbolic link: whatever it points to is not ours
                raise self._refuse() from None
            # read-only folder, no permission, disk full, a folder in the way
            raise RunError(text("run.cannot_write", self.lang, path=self.path.parent, reason=error.strerror or error)) from error

    def _is_ours(self, handle: int, created: bool) -> bool:
        """A regular file with one name that we made: empty (released) or holding a lock record."""
        status = os.fstat(handle)
        if not stat.S_ISREG(status.st_mode) or status.st_nlink != 1:
            return False
        if created or status.st_size == 0:
            return True
        try:
            record = json.loads(os.pread(handle, min(status.st_size, 4096), 0))
        except ValueError:
            return False
        return isinstance(record, dict) and set(record) <= RECORD_KEYS and "pid" in record

    def acquire(self) -> None:
        handle, created = self._open()
        try:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                holder = self._holder()
                raise RunError(text("run.locked", self.lang, path=self.path.parent, pid=holder.get("pid", "?"), since=holder.get("since", "?"))) from None
            if not self._is_ours(handle, created):  # never truncate a file khuyenhoc did not write
                raise self._refuse()
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
