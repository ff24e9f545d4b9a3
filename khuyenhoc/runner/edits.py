"""The rule for outputs the user changed: a file at an output's path that is not the file the runner recorded
(checksum, size) is the user's. It is never replaced or deleted: before a new report is written there it is moved
aside to ``<stem>.edited-YYYYMMDD-HHMMSS<ext>``; a report the runner no longer makes is left where it is. Either
way the run says so (closing lines, runs.html)."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

from khuyenhoc.fsutil import sha256_checksum


@dataclass(frozen=True)
class Kept:
    """A user's file the run did not touch: where the runner's output goes, and where the user's file now is."""

    path: str  # relative to the output folder
    aside: str | None = None  # None: left where it was (a report the runner no longer makes)

    def to_dict(self) -> dict:
        return {"path": self.path, "aside": self.aside}


def is_recorded(path: Path, record: object) -> bool:
    """The file at ``path`` is the one recorded (or one of a list of records): a regular file (no link) of the same
    size and time, or else of the same size and checksum."""
    if isinstance(record, list):
        return any(is_recorded(path, one) for one in record)
    if not isinstance(record, dict):
        return False
    try:
        status = os.stat(path, follow_symlinks=False)
        if not stat.S_ISREG(status.st_mode) or status.st_size != record.get("size"):
            return False
        if status.st_mtime_ns == record.get("mtime_ns"):
            return True
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        with os.fdopen(handle, "rb") as stream:
            return sha256_checksum(stream.read()) == record.get("sha256")
    except OSError:
        return False


def aside_name(relative: str, when: datetime) -> str:
    """``2013/annual_summary.docx`` -> ``2013/annual_summary.edited-20261204-181200.docx``."""
    path = PurePosixPath(relative)
    return str(path.with_name(f"{path.stem}.edited-{when:%Y%m%d-%H%M%S}{path.suffix}"))


def _free(out_dir: Path, relative: str) -> str:
    """``relative`` or, when taken, the same name with ``-2``, ``-3``... before its extension."""
    path, number = PurePosixPath(relative), 1
    candidate = relative
    while os.path.lexists(out_dir / candidate):
        number += 1
        candidate = str(path.with_name(f"{path.stem}-{number}{path.suffix}"))
    return candidate


def make_room(out_dir: Path, relative: str, record: object, when: datetime) -> Kept | None:
    """Before an output is written at ``relative``: if something other than the recorded file is there, move it
    aside (the name itself: a link is moved, never followed) and return where it went; None when nothing was."""
    path = out_dir / relative
    if not os.path.lexists(path) or is_recorded(path, record):
        return None
    aside = _free(out_dir, aside_name(relative, when))
    os.rename(path, out_dir / aside)
    return Kept(relative, aside)


def remove(out_dir: Path, relative: str, record: object) -> Kept | None:
    """Delete an output the runner no longer makes when it is the recorded file (then its emptied folders);
    a changed one is left in place and returned. ``relative`` must already be known to lie inside ``out_dir``."""
    path = out_dir / relative
    if not os.path.lexists(path):
        return None
    if not is_recorded(path, record):
        return Kept(relative)
    try:
        path.unlink()
    except OSError:
        return None
    folder = path.parent
    while folder != out_dir and out_dir in folder.parents:
        try:
            folder.rmdir()  # only when empty: a user's own file keeps its folder
        except OSError:
            break
        folder = folder.parent
    return None
