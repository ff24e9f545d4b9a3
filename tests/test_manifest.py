"""manifest.json and its journal (issue 22): the journal is opened as the lock is, a run killed mid-publish leaves
files the next run knows as its own, and unsafe recorded facts are dropped with a warning."""

from __future__ import annotations

import json
import os

import pytest
from test_batch import Executor, _manifest, _run

from khuyenhoc.errors import RunError
from khuyenhoc.fsutil import sha256_checksum
from khuyenhoc.runner import manifest as manifests
from khuyenhoc.runner.edits import is_recorded

VICTIM = "a commune's workbook, not ours\n"


@pytest.mark.parametrize("kind", ["symlink", "hardlink", "foreign-file"])
def test_a_journal_path_that_is_not_ours_is_refused_and_left_untouched(tmp_path, kind):
    """Item 1: a link at manifest.jsonl must not make the run append its lines to (or replay) another file."""
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text(VICTIM, encoding="utf-8")
    journal = out / manifests.JOURNAL
    if kind == "symlink":
        journal.symlink_to(victim)
    elif kind == "hardlink":
        os.link(victim, journal)
    else:
        journal.write_text(VICTIM, encoding="utf-8")
    with pytest.raises(RunError, match="manifest.jsonl không phải tệp do khuyenhoc ghi"):
        _run(out, Executor(), years=[2013])
    with pytest.raises(RunError, match="không phải tệp do khuyenhoc ghi"):
        manifests.Journal(out).append({"key": "x"})
    assert victim.read_text(encoding="utf-8") == VICTIM and journal.read_text(encoding="utf-8") == VICTIM


def test_a_journal_with_a_torn_line_is_ours_and_appended_to(tmp_path):
    (tmp_path / manifests.JOURNAL).write_bytes(b'{"key": "a", "status": "ok"}\n{"key": "b", "sta')
    journal = manifests.Journal(tmp_path)
    journal.append({"key": "c"})
    journal.close()
    assert [entry["key"] for entry in manifests.journal_entries(tmp_path)] == ["a", "c"]


def test_files_a_killed_run_was_writing_are_the_runners_own(tmp_path):
    """Item 4 without false alarms: a run killed between two of a job's files leaves new files the entry does not
    record; the note written before them tells the next run they are its own (not the user's edits)."""
    written = b"<html>new</html>"
    (tmp_path / "2013").mkdir()
    (tmp_path / "2013" / "annual_summary.html").write_bytes(written)
    journal = manifests.Journal(tmp_path)
    journal.note_writing("2013/annual_summary", {"2013/annual_summary.html": {"sha256": sha256_checksum(written), "size": len(written)}})
    journal.close()
    records = manifests.Manifest.load(tmp_path).records_of("2013/annual_summary")
    assert is_recorded(tmp_path / "2013" / "annual_summary.html", records["2013/annual_summary.html"])
    (tmp_path / "2013" / "annual_summary.html").write_bytes(b"<html>mine</html>")
    assert not is_recorded(tmp_path / "2013" / "annual_summary.html", records["2013/annual_summary.html"])


def test_a_link_at_an_output_is_never_taken_for_the_recorded_file(tmp_path):
    target = tmp_path / "elsewhere.html"
    target.write_bytes(b"same")
    (tmp_path / "report.html").symlink_to(target)
    record = {"sha256": sha256_checksum(b"same"), "size": os.lstat(tmp_path / "report.html").st_size}
    assert not is_recorded(tmp_path / "report.html", record)


def test_unsafe_ids_in_the_recorded_facts_are_dropped_with_a_warning(tmp_path):
    """Item 14 (runner part): a hand-edited manifest.json whose facts name `../x` does not stop every run."""
    out = tmp_path / "out"
    _run(out, Executor(), years=[2013])
    manifest = _manifest(out)
    manifest["data"]["units"]["2013"].append("../../etc")
    manifest["data"]["parents"]["2013"]["../../etc"] = None
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert manifests.Manifest(out, manifest).unsafe_facts()
    outcome = _run(out, Executor(), years=[2013], units=True)
    assert outcome.exit_code == 0
    assert outcome.warnings == ["manifest.json: bỏ phần thông tin về số liệu đã ghi vì có mã không dùng được làm tên tệp; "
                                "số liệu được kiểm tra lại"]
    assert "../../etc" not in json.dumps(_manifest(out)["data"]), "the facts were taken from the data again"
    assert not manifests.Manifest(out, _manifest(out)).unsafe_facts()


def _entry(key: str, **extra) -> dict:
    from khuyenhoc.runner.records import JobStatus, RunEntry

    return RunEntry(**{"key": key, "notebook": "trends", "parameters": {}, "status": JobStatus.OK, "seconds": 1.0} | extra).to_dict()


def test_a_manifest_loads_replays_its_journal_and_compacts_it(tmp_path):
    empty = manifests.Manifest.load(tmp_path)
    assert empty.content == {"format": manifests.FORMAT, "runs": {}, "pages": {}, "writing": {}}
    (tmp_path / manifests.MANIFEST).write_text(json.dumps({"format": manifests.FORMAT, "runs": {"a": _entry("a", seconds=1.0)}}), encoding="utf-8")
    journal = manifests.Journal(tmp_path)
    journal.note_writing("b", {"b.html": {"sha256": "sha256:1", "size": 1}})
    journal.append(_entry("a", seconds=2.0))
    journal.append(_entry("b"))
    journal.close()
    manifest = manifests.Manifest.load(tmp_path)
    assert manifest.runs["a"]["seconds"] == 2.0 and set(manifest.runs) == {"a", "b"}
    assert manifest.writing == {}, "b's files are recorded now"
    assert manifest.content["pages"] is None, "an earlier version's manifest: its pages are its own"
    manifest.compact()
    assert not (tmp_path / manifests.JOURNAL).exists()
    assert json.loads((tmp_path / manifests.MANIFEST).read_text(encoding="utf-8"))["runs"]["a"]["seconds"] == 2.0


def test_unreadable_entries_are_dropped_by_key(tmp_path):
    manifest = manifests.Manifest(tmp_path)
    manifest.runs.update({"good": _entry("good"), "bad": _entry("bad") | {"seconds": "slow"}, "moved": _entry("elsewhere")})
    assert sorted(manifest.drop_unreadable()) == ["bad", "moved"] and list(manifest.runs) == ["good"]


def test_recorded_facts_are_used_only_for_the_same_content_and_version(tmp_path):
    from khuyenhoc.runner.records import DataFacts

    facts = DataFacts("sha256:abc", "d.csv", [2013], {2013: ["xa-a"]}, {"xa-a": "Xã A"}, False, False, {2013: {"xa-a": None}}, {}, {})
    manifest = manifests.Manifest(tmp_path)
    manifest.record_facts(facts, "1.0")
    manifest.save()
    again = manifests.Manifest.load(tmp_path)
    assert again.facts("sha256:abc", "1.0") == facts
    assert again.facts("sha256:abd", "1.0") is None and again.facts("sha256:abc", "1.1") is None
    again.content["data"]["units"] = "broken"
    assert again.facts("sha256:abc", "1.0") is None


def test_only_a_success_whose_files_are_unchanged_is_cached(tmp_path):
    (tmp_path / "trends.html").write_bytes(b"page")
    manifest = manifests.Manifest(tmp_path)
    manifest.runs["trends"] = _entry("trends", cache_key="k1", outputs=["trends.html"], checksums=manifests.stamps(tmp_path, ["trends.html"]))
    assert manifest.is_cached("trends", "k1")
    assert not manifest.is_cached("trends", "k2") and not manifest.is_cached("other", "k1")
    (tmp_path / "trends.html").write_bytes(b"edit")
    assert not manifest.is_cached("trends", "k1")
