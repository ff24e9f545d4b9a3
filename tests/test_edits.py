"""runner/edits.py: a file at an output's path that is not the recorded one is the user's: moved aside or left."""

from __future__ import annotations

import os
from datetime import datetime

from khuyenhoc.fsutil import sha256_checksum
from khuyenhoc.runner.edits import Kept, aside_name, is_recorded, make_room, remove

WHEN = datetime(2026, 12, 4, 18, 12, 0)


def _record(path) -> dict:
    data, status = path.read_bytes(), path.stat()
    return {"sha256": sha256_checksum(data), "size": status.st_size, "mtime_ns": status.st_mtime_ns}


def test_a_file_is_recorded_by_time_and_size_or_else_by_checksum(tmp_path):
    path = tmp_path / "a.html"
    path.write_bytes(b"report")
    record = _record(path)
    assert is_recorded(path, record) and is_recorded(path, [{"size": 1}, record])
    os.utime(path, ns=(0, 0))
    assert is_recorded(path, record), "touched, same bytes"
    path.write_bytes(b"REPORT")
    assert not is_recorded(path, record), "same size, other bytes"
    assert not is_recorded(path, None) and not is_recorded(tmp_path / "missing.html", record)


def test_the_aside_name_keeps_the_extension_and_says_when():
    assert aside_name("2013/annual_summary.docx", WHEN) == "2013/annual_summary.edited-20261204-181200.docx"


def test_a_users_file_is_moved_aside_before_a_report_is_written_there(tmp_path):
    (tmp_path / "2013").mkdir()
    mine = tmp_path / "2013" / "annual_summary.docx"
    mine.write_bytes(b"my edits")
    (tmp_path / "2013" / "annual_summary.edited-20261204-181200.docx").write_bytes(b"an earlier aside")
    kept = make_room(tmp_path, "2013/annual_summary.docx", {"sha256": "sha256:0", "size": 3}, WHEN)
    assert kept == Kept("2013/annual_summary.docx", "2013/annual_summary.edited-20261204-181200-2.docx")
    assert (tmp_path / kept.aside).read_bytes() == b"my edits" and not mine.exists()
    assert make_room(tmp_path, "2013/annual_summary.docx", None, WHEN) is None, "nothing there any more"


def test_the_recorded_file_is_removed_with_its_empty_folders_a_changed_one_is_left(tmp_path):
    (tmp_path / "2013" / "units").mkdir(parents=True)
    ours, theirs = tmp_path / "2013" / "units" / "a.html", tmp_path / "2013" / "b.html"
    ours.write_bytes(b"a")
    theirs.write_bytes(b"b")
    assert remove(tmp_path, "2013/units/a.html", _record(ours)) is None
    assert not (tmp_path / "2013" / "units").exists() and (tmp_path / "2013").is_dir(), "a folder with a user's file stays"
    assert remove(tmp_path, "2013/b.html", {"sha256": "sha256:0", "size": 9}) == Kept("2013/b.html")
    assert theirs.read_bytes() == b"b"
