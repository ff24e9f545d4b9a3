"""The run's own temporary folder and the sweep of folders dead runs left: khuyenhoc/runner/scratch.py."""

from __future__ import annotations

import os
import time

import pytest

from khuyenhoc.runner import scratch
from khuyenhoc.runner.scratch import OWNER, PREFIX, run_folder, sweep


def _left_by_a_dead_run(root, name="dead"):
    folder = root / f"{PREFIX}{name}"
    folder.mkdir()
    (folder / OWNER).write_text("")  # its owner's lock died with it
    (folder / "snapshot.parquet").write_bytes(b"x")
    return folder


def test_sweep_removes_only_folders_no_live_run_holds(tmp_path, monkeypatch):
    monkeypatch.setattr(scratch.tempfile, "tempdir", str(tmp_path))
    dead = _left_by_a_dead_run(tmp_path)
    young = tmp_path / f"{PREFIX}being-made"
    young.mkdir()  # no owner file yet: a run creating it this instant
    old = tmp_path / f"{PREFIX}unowned"
    old.mkdir()
    stale = time.time() - scratch.UNOWNED_GRACE - 60
    os.utime(old, (stale, stale))
    other = tmp_path / "someone-else"
    other.mkdir()
    (tmp_path / f"{PREFIX}a-file").write_text("not a folder")
    with run_folder() as live:  # a run first sweeps what dead runs left
        assert live.parent == tmp_path and live.name.startswith(PREFIX)
        assert not dead.exists() and not old.exists()
        assert young.is_dir() and other.is_dir() and (tmp_path / f"{PREFIX}a-file").is_file()
        later = _left_by_a_dead_run(tmp_path, "later")
        assert sweep() == [later], "a live run's folder is held: only the dead one goes"
        assert live.is_dir() and (live / OWNER).is_file()
    assert not live.exists(), "the run's folder goes when the run ends"


def test_a_run_folder_goes_on_an_error_too(tmp_path, monkeypatch):
    monkeypatch.setattr(scratch.tempfile, "tempdir", str(tmp_path))
    with pytest.raises(KeyboardInterrupt), run_folder() as folder:
        (folder / "job").mkdir()
        raise KeyboardInterrupt
    assert not folder.exists()


def test_a_symlink_named_like_a_run_folder_is_not_followed(tmp_path):
    target = tmp_path / "precious"
    target.mkdir()
    (target / OWNER).write_text("")
    (tmp_path / f"{PREFIX}link").symlink_to(target)
    assert sweep(tmp_path) == []
    assert (target / OWNER).exists()
