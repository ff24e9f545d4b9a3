"""runner/owned.py: the lock's and the journal's files are opened never through a link, and only when they are ours."""

from __future__ import annotations

import os

import pytest

from khuyenhoc.errors import RunError
from khuyenhoc.runner import owned


def _ours(content: bytes) -> bool:
    return content.startswith(b"{")


def test_a_missing_file_is_created_and_appended_to(tmp_path):
    path = tmp_path / "journal"
    handle = owned.open_for_append(path, _ours, "vi")
    os.write(handle, b'{"key": "a"}\n')
    os.close(handle)
    assert owned.read_own(path, _ours, "vi") == b'{"key": "a"}\n'
    assert owned.read_own(tmp_path / "none", _ours, "vi") is None


@pytest.mark.parametrize("kind", ["symlink", "hardlink", "foreign", "folder"])
def test_what_is_not_ours_is_refused_and_left_as_it_was(tmp_path, kind):
    victim, path = tmp_path / "victim.txt", tmp_path / "journal"
    victim.write_bytes(b"not ours")
    if kind == "symlink":
        path.symlink_to(victim)
    elif kind == "hardlink":
        os.link(victim, path)
    elif kind == "foreign":
        path.write_bytes(b"not ours")
    else:
        path.mkdir()
    with pytest.raises(RunError, match="không phải tệp do khuyenhoc ghi"):
        owned.read_own(path, _ours, "vi")
    if kind != "folder":
        with pytest.raises(RunError, match="is not a file khuyenhoc wrote"):
            owned.open_for_append(path, _ours, "en")
    assert victim.read_bytes() == b"not ours"


def test_an_empty_file_is_taken_as_ours(tmp_path):
    path = tmp_path / "lock"
    path.write_bytes(b"")
    handle, created = owned.open_own(path, os.O_RDWR, "vi")
    try:
        assert not created and owned.is_own(handle, created, _ours)
    finally:
        os.close(handle)


def test_a_folder_that_cannot_be_written_is_said_as_such(tmp_path):
    with pytest.raises(RunError) as raised:
        owned.open_own(tmp_path / "missing-folder" / "lock", os.O_RDWR, "en")
    assert "missing-folder" in str(raised.value)
