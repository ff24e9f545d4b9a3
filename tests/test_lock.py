"""The run lock (issue 8, item 4): a lock path that is not our own regular file is refused, never truncated."""

from __future__ import annotations

import json
import os

import pytest

from khuyenhoc.cli import main
from khuyenhoc.errors import RunError
from khuyenhoc.runner.lock import LOCK_NAME, RunLock

VICTIM = "a commune's workbook, not ours\n"


@pytest.mark.parametrize("kind", ["symlink", "hardlink", "foreign-file"])
def test_a_lock_path_that_is_not_ours_is_refused_and_left_untouched(tmp_path, kind):
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text(VICTIM, encoding="utf-8")
    lock = out / LOCK_NAME
    if kind == "symlink":
        lock.symlink_to(victim)
    elif kind == "hardlink":
        os.link(victim, lock)
    else:
        lock.write_text(VICTIM, encoding="utf-8")
    with pytest.raises(RunError, match="không phải tệp khoá của khuyenhoc"):
        RunLock(out).acquire()
    assert victim.read_text(encoding="utf-8") == VICTIM
    assert lock.read_text(encoding="utf-8") == VICTIM


def test_the_cli_refuses_a_symlinked_lock(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text(VICTIM, encoding="utf-8")
    (out / LOCK_NAME).symlink_to(victim)
    assert main(["run", "--out", str(out), "--years", "2013"]) == 1
    assert "không phải tệp khoá" in capsys.readouterr().err
    assert victim.read_text(encoding="utf-8") == VICTIM


def test_our_own_lock_file_is_reused(tmp_path):
    with RunLock(tmp_path):
        assert json.loads((tmp_path / LOCK_NAME).read_text())["pid"] == os.getpid()
    assert (tmp_path / LOCK_NAME).read_text() == ""
    (tmp_path / LOCK_NAME).write_text(json.dumps({"pid": 1, "host": "old", "since": "x"}))  # an earlier version's record
    with RunLock(tmp_path):
        assert "host" not in json.loads((tmp_path / LOCK_NAME).read_text())
