"""The files the runner keeps open in the output folder (lock, journal): opened never through a link, and refused
unless they are a regular file with one name that this run created or whose content is the runner's own."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable
from pathlib import Path

from khuyenhoc.errors import RunError
from khuyenhoc.i18n import text

READ_LIMIT = 1 << 28  # a journal of a very large run is tens of MB; anything past this is not ours


NOT_OURS = "run.not_ours"


def refusal(path: Path, lang: str, key: str = NOT_OURS) -> RunError:
    """The error for a path that is a link, a folder or someone else's file: named, left untouched."""
    return RunError(text(key, lang, path=path))


def open_own(path: Path, flags: int, lang: str, key: str = NOT_OURS) -> tuple[int, bool]:
    """A handle on ``path`` (created when missing), never through a symbolic link; and whether this call created it.

    ``flags`` adds to ``O_NOFOLLOW | O_CLOEXEC`` (e.g. ``os.O_RDWR`` or ``os.O_RDWR | os.O_APPEND``).
    """
    flags |= os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        try:
            return os.open(path, flags | os.O_CREAT | os.O_EXCL, 0o644), True
        except FileExistsError:
            return os.open(path, flags), False
    except OSError as error:
        if error.errno == errno.ELOOP:  # a symbolic link: whatever it points to is not ours
            raise refusal(path, lang, key) from None
        # read-only folder, no permission, disk full, a folder in the way
        raise RunError(text("run.cannot_write", lang, path=path.parent, reason=error.strerror or error)) from error


def is_own(handle: int, created: bool, content_is_ours: Callable[[bytes], bool]) -> bool:
    """A regular file with one name that we made now, is empty, or holds what ``content_is_ours`` accepts."""
    status = os.fstat(handle)
    if not stat.S_ISREG(status.st_mode) or status.st_nlink != 1:
        return False
    if created or status.st_size == 0:
        return True
    if status.st_size > READ_LIMIT:
        return False
    return content_is_ours(os.pread(handle, status.st_size, 0))


def read_own(path: Path, content_is_ours: Callable[[bytes], bool], lang: str) -> bytes | None:
    """The bytes of a file of ours; None when there is none; a RunError when the path holds something else."""
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    except OSError as error:
        if error.errno in (errno.ELOOP, errno.EISDIR):
            raise refusal(path, lang) from None
        return None  # unreadable (no permission): writing it will say why
    try:
        if not is_own(handle, False, content_is_ours):
            raise refusal(path, lang)
        return os.pread(handle, os.fstat(handle).st_size, 0)
    finally:
        os.close(handle)


def open_for_append(path: Path, content_is_ours: Callable[[bytes], bool], lang: str) -> int:
    """A handle to append to a file of ours (created when missing); a RunError when the path holds something else."""
    handle, created = open_own(path, os.O_RDWR | os.O_APPEND, lang)
    try:
        if not is_own(handle, created, content_is_ours):
            raise refusal(path, lang)
    except BaseException:
        os.close(handle)
        raise
    return handle
