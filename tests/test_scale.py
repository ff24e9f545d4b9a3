"""A country in one run (issue 10): validate once, a snapshot for the notebooks, caches per report."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from khuyenhoc.paths import SAMPLE_DATA
from khuyenhoc.runner import RunOptions, run_batch
from khuyenhoc.runner.plan import ANNUAL
from khuyenhoc.runner.records import JobResult, JobStatus, snapshot_dir
from khuyenhoc.indicators import IndicatorFrames, analyse
from khuyenhoc.snapshot import load_analysis, save_analysis, write_snapshot
from khuyenhoc.table import load_table, table_from_frame


def _same_analysis(left, right) -> None:
    pd.testing.assert_frame_equal(left.table.frame, right.table.frame)
    for name in ("whole", "units", "areas"):
        pd.testing.assert_frame_equal(getattr(left.frames, name), getattr(right.frames, name))
    lt, rt = left.table, right.table
    assert (rt.source, rt.checksum, rt.origin) == (lt.source, lt.checksum, lt.origin)
    assert (rt.illustrative, rt.synthetic) == (lt.illustrative, lt.synthetic)


def test_a_snapshot_gives_back_the_analysis(tmp_path, sample_table, monkeypatch):
    saved = analyse(sample_table)
    folder = save_analysis(saved, tmp_path / "snap")
    monkeypatch.setattr(IndicatorFrames, "of", classmethod(lambda cls, table: pytest.fail("computed again")))
    loaded = load_analysis(folder)
    _same_analysis(saved, loaded)
    assert loaded.table.frame["unit_id"].dtype == object and loaded.table.frame["members"].dtype == "Int64"
    assert loaded.table.illustrative and loaded.unit_names["duc-xuan"] == sample_table.unit_names["duc-xuan"]
    assert analyse(loaded.table).frames is loaded.frames, "the indicator frames come from the snapshot, not computed again"


def test_a_snapshot_keeps_warnings_and_blank_text(tmp_path, sample_frame):
    frame = sample_frame.copy()
    frame.loc[frame.index[0], "note"] = None
    frame["extra column"] = 1  # an unknown column: a warning
    table = table_from_frame(frame)
    assert len(table.warnings)
    loaded = load_analysis(write_snapshot(table, tmp_path / "snap")).table
    pd.testing.assert_frame_equal(loaded.warnings.reset_index(drop=True), table.warnings.reset_index(drop=True), check_dtype=False)
    assert loaded.frame["note"].iloc[0] is None


class _Recorder:
    """A stand-in executor that notes the snapshot it was given."""

    def __init__(self) -> None:
        self.snapshots = []

    def __call__(self, jobs, data, notebooks, options):
        folder = snapshot_dir(data)
        self.snapshots.append(load_analysis(folder) if folder.is_dir() else None)
        for job in jobs:
            files = {"summary.json": b'{"provenance": {}}'} if job.notebook == ANNUAL else {}
            yield JobResult(job.key, JobStatus.OK, 0.1, notebook=b"{}", html=b"<html><body></body></html>", files=files, worker="w")


def test_the_run_validates_once_and_hands_the_notebooks_a_snapshot(tmp_path):
    recorder = _Recorder()
    run_batch(RunOptions(data=SAMPLE_DATA, out_dir=tmp_path / "out", years=[2013]), executor=recorder)
    expected = load_table(SAMPLE_DATA)
    (given,) = recorder.snapshots
    pd.testing.assert_frame_equal(given.table.frame, expected.frame)
    pd.testing.assert_frame_equal(given.frames.units, analyse(expected).frames.units)
    assert given.table.illustrative and Path(given.table.source).name == SAMPLE_DATA.name

    run_batch(RunOptions(data=SAMPLE_DATA, out_dir=tmp_path / "out", years=[2013], force=True), executor=recorder)
    assert recorder.snapshots[-1] is not None, "facts from the manifest: the data is validated when jobs must run"


def test_a_profile_formats_only_what_it_shows(sample_table, monkeypatch):
    """Its place among its siblings: ranked over all of them, formatted for the unit alone."""
    from khuyenhoc.reports import formatted as shown
    from khuyenhoc.reports.profile import UnitProfile

    profile = UnitProfile(analyse(sample_table), 2013, "duc-xuan")
    assert len(profile.siblings) > 3
    formatted = []
    real = shown.format_indicator
    monkeypatch.setattr(shown, "format_indicator", lambda key, *a, **k: formatted.append(key) or real(key, *a, **k))
    place = profile.place()
    assert formatted == list(shown.RANKED_INDICATORS), "one value per ranked indicator, not one per sibling"
    members = place.set_index(place.columns[0]).iloc[0, 0]
    assert members == f"1.680 (2/{len(profile.siblings)})"


def test_what_a_table_knows_about_itself_is_read_once(sample_table):
    assert sample_table.unit_names is sample_table.unit_names
    assert sample_table.years is sample_table.years
    assert sample_table.unit_names["duc-xuan"] and sample_table.years == [2009, 2010, 2011, 2012, 2013]


def test_results_are_journalled_one_line_each_and_compacted_at_the_end(tmp_path):
    out = tmp_path / "out"
    run_batch(RunOptions(data=SAMPLE_DATA, out_dir=out, years=[2013]), executor=_Recorder())
    before = (out / "manifest.json").read_bytes()
    seen = []

    def executor(jobs, data, notebooks, options):
        for job in _Recorder()(jobs, data, notebooks, options):
            journal = out / "manifest.jsonl"
            lines = journal.read_bytes().splitlines() if journal.exists() else []
            results = sum(1 for line in lines if "key" in json.loads(line))  # a note of the files about to be written precedes each
            seen.append((results, (out / "manifest.json").read_bytes() == before))
            yield job

    run_batch(RunOptions(data=SAMPLE_DATA, out_dir=out, years=[2012, 2013], force=True), executor=executor)
    assert seen == [(0, True), (1, True), (2, True)], "one line per result; manifest.json is not rewritten per result"
    assert not (out / "manifest.jsonl").exists()
    runs = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["runs"]
    assert set(runs) == {"2012/annual_summary", "2013/annual_summary", "trends"}


def test_a_killed_runs_journal_is_replayed_and_its_torn_last_line_ignored(tmp_path):
    from khuyenhoc.runner import manifest as manifests

    out = tmp_path / "out"
    run_batch(RunOptions(data=SAMPLE_DATA, out_dir=out, years=[2013]), executor=_Recorder())
    entry = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["runs"]["trends"]
    newer = dict(entry, seconds=42.0)
    torn = json.dumps(dict(entry, key="2013/annual_summary", seconds=99.0))[:-20]
    (out / "manifest.jsonl").write_text(json.dumps(newer) + "\n" + torn, encoding="utf-8")
    loaded = manifests.Manifest.load(out).content
    assert loaded["runs"]["trends"]["seconds"] == 42.0, "a whole line counts"
    assert loaded["runs"]["2013/annual_summary"]["seconds"] != 99.0, "a torn one does not"
    journal = manifests.Journal(out)
    journal.append(dict(entry, key="extra", seconds=7.0))
    journal.close()
    assert manifests.Manifest.load(out).runs["extra"]["seconds"] == 7.0, "appending after a torn line starts a new line"


def _country(tmp_path: Path, edit: int | None = None) -> Path:
    """A synthetic province of 24 communes in two districts, 2011-2013; ``edit`` adds that many members to u000001 in 2012."""
    from khuyenhoc.sample import synthetic_table, to_csv_text

    frame = synthetic_table(24, range(2011, 2014), shape="three-tier")
    if edit:
        at = (frame["year"] == 2012) & (frame["unit_id"] == "u000001")
        frame.loc[at, "members"] = frame.loc[at, "members"] + edit
    path = tmp_path / "tinh.csv"
    path.write_text(to_csv_text(frame), encoding="utf-8")
    return path


def test_editing_one_commune_reruns_only_the_reports_that_read_it(tmp_path):
    out = tmp_path / "out"
    options = {"out_dir": out, "units": True}
    first = _Recorder()
    ran = []

    def recording(jobs, *rest):
        ran.extend(job.key for job in jobs)
        return first(jobs, *rest)

    run_batch(RunOptions(data=_country(tmp_path), **options), executor=recording)
    everything = set(ran)
    assert len(everything) == 3 * (1 + 2 + 24) + 1, "per year the whole file, two districts, 24 profiles; the trend"
    table = load_table(_country(tmp_path))
    district = table.tree.parent("u000001", 2012)
    siblings = [u for u in table.tree.children(district, 2012) if u != "u000001"]
    ran.clear()
    run_batch(RunOptions(data=_country(tmp_path, edit=7), **options), executor=recording)
    expected = {"2012/units/u000001", "2013/units/u000001", *(f"2012/units/{u}" for u in siblings),
                f"2012/areas/{district}/annual_summary", f"2013/areas/{district}/annual_summary",
                "2011/annual_summary", "2012/annual_summary", "2013/annual_summary", "trends"}
    assert set(ran) == expected
    assert "2011/units/u000001" not in ran and not any(key.startswith("2013/units/u0000") and key != "2013/units/u000001" for key in ran)

    ran.clear()
    run_batch(RunOptions(data=_country(tmp_path, edit=7), force=True, **options), executor=recording)
    assert set(ran) == everything, "--force re-runs all"


def test_the_terminal_says_what_it_checks_counts_per_status_and_lists_only_failures(tmp_path):
    import io

    from rich.console import Console

    from khuyenhoc.runner.console import RichProgress, closing_report

    def executor(jobs, data, notebooks, options):
        for result in _Recorder()(jobs, data, notebooks, options):
            if result.key == "2012/annual_summary":
                result = JobResult(result.key, JobStatus.FAILED, 0.1, error="ô 3: ValueError: hỏng")
            yield result

    console = Console(file=io.StringIO(), width=200)
    progress = RichProgress(console, "vi")
    outcome = run_batch(RunOptions(data=SAMPLE_DATA, out_dir=tmp_path / "out", years=[2012, 2013]), executor=executor, progress=progress)
    closing_report(console, outcome, "out", 1.5, "vi")
    lines = [line for line in console.file.getvalue().splitlines() if line.strip()]  # the transient bar leaves a blank line
    assert lines[0] == f"Kiểm tra dữ liệu {SAMPLE_DATA}…"
    assert lines[1:] == ["Đã chạy xong 3 sổ tay: 2 chạy mới, 0 dùng lại kết quả cũ, 1 lỗi; 1,5 giây.",
                         "LỖI 2012/annual_summary: ô 3: ValueError: hỏng", "Kết quả: out/index.html"]


def test_the_progress_bar_names_the_notebooks_running_now():
    import io

    from rich.console import Console

    from khuyenhoc.runner.console import RichProgress
    from khuyenhoc.runner.records import RunEntry

    progress = RichProgress(Console(file=io.StringIO()), "vi")
    progress.start(["trends", "2013/annual_summary", "2013/units/a", "2013/units/b"], parallel=2)
    assert progress._running() == "trends, 2013/annual_summary"
    progress.advance(RunEntry("2013/annual_summary", "annual_summary", {}, JobStatus.OK, 1.0))
    assert progress._running() == "trends, 2013/units/a"
    assert progress.bar.tasks[0].fields["rate"].endswith("sổ tay/phút")
    progress.stop()


def test_manifest_entries_are_typed_records_that_read_and_write_as_the_json(tmp_path):
    from khuyenhoc.runner.manifest import readable
    from khuyenhoc.runner.records import RunEntry

    outcome = run_batch(RunOptions(data=SAMPLE_DATA, out_dir=tmp_path / "out", years=[2013]), executor=_Recorder())
    entry = next(e for e in outcome.entries if e.key == "trends")
    assert isinstance(entry, RunEntry) and entry.status is JobStatus.OK and entry.to_dict()["status"] == "ok"
    stored = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))["runs"]["trends"]
    assert stored == entry.to_dict() and stored["status"] == "ok" and readable("trends", stored)
    assert RunEntry.from_dict(stored | {"unknown": 1}) == entry
