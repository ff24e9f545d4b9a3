"""Atomic writes: whole files, shareable permissions, nothing left behind on failure."""

from __future__ import annotations

import os
import stat

import pytest

from khuyenhoc import fsutil
from khuyenhoc.fsutil import atomic_write_bytes, atomic_write_text


def test_writes_whole_files_readable_as_the_umask_allows(tmp_path):
    previous = os.umask(0o022)
    try:
        path = atomic_write_text(tmp_path / "a" / "bao-cao.html", "Tổng kết")
    finally:
        os.umask(previous)
    assert path.read_text(encoding="utf-8") == "Tổng kết"
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    path = atomic_write_bytes(tmp_path / "summary.json", b"old")

    def broken_replace(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fsutil.os, "replace", broken_replace)
    with pytest.raises(OSError):
        atomic_write_bytes(path, b"new")
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["summary.json"]
