"""One run per output folder at a time; a crashed run's lock is noticed and taken over."""

from __future__ import annotations

import json
import os
import socket
import time
from datetime import UTC, datetime
from pathlib import Path

from khuyenhoc.errors import RunError
from khuyenhoc.i18n import DEFAULT_LANG, text

LOCK_NAME = ".khuyenhoc.lock"
EMPTY_LOCK_GRACE = 5.0  # seconds an empty lock file may be in the middle of being written


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class RunLock:
    """``with RunLock(out_dir):`` holds the folder's lock file for the duration of a run."""

    def __init__(self, out_dir: Path, lang: str = DEFAULT_LANG) -> None:
        self.path = out_dir / LOCK_NAME
        self.lang = lang

    def _holder(self) -> dict | None:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def _age(self) -> float:
        try:
            return time.time() - self.path.stat().st_mtime
        except OSError:
            return float("inf")

    def acquire(self) -> None:
        record = {"pid": os.getpid(), "host": socket.gethostname(), "since": datetime.now(UTC).isoformat(timespec="seconds")}
        for _ in range(2):
            try:
                handle = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                holder = self._holder()
                if holder is None:  # being written this instant, or left empty by a crash
                    holder = {"pid": "?", "since": "?", "host": record["host"], "empty": True}
                stale = holder.get("empty") and self._age() > EMPTY_LOCK_GRACE or (
                    not holder.get("empty") and holder.get("host") == record["host"] and not _alive(int(holder.get("pid", -1))))
                if not stale:
                    raise RunError(text("run.locked", self.lang, path=self.path.parent, pid=holder.get("pid"), since=holder.get("since"))) from None
                self.path.unlink(missing_ok=True)  # left by a run that died
                continue
            except OSError as error:  # read-only folder, no permission, disk full
                raise RunError(text("run.cannot_write", self.lang, path=self.path.parent, reason=error.strerror or error)) from error
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(record, stream)
            return
        raise RunError(text("run.locked", self.lang, path=self.path.parent, pid="?", since="?"))

    def release(self) -> None:
        holder = self._holder()
        if holder is not None and holder.get("pid") == os.getpid():
            self.path.unlink(missing_ok=True)

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
