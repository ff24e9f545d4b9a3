"""The batch's bookkeeping (issue 8, runner items) with a stand-in executor: no kernel is started here."""

from __future__ import annotations

import json
import os
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from khuyenhoc.cli import main
from khuyenhoc.errors import DataValidationError, RunError
from khuyenhoc.paths import NOTEBOOKS_DIR, SAMPLE_DATA
from khuyenhoc.runner import RunOptions, run_batch
from khuyenhoc.runner.plan import ANNUAL, build_plan
from khuyenhoc.runner.records import DataFacts, JobResult, JobStatus
from khuyenhoc.runner.lock import LOCK_NAME
from khuyenhoc.runner.site import sort_key

FIXTURES = Path(__file__).parent / "notebooks"


class Executor:
    """Pretends to run each job: an HTML page, an executed notebook and, for yearly reports, summary.json."""

    def __init__(self, summary: bytes | None = b'{"provenance": {}}', marker: str = "v1") -> None:
        self.summary, self.marker, self.ran = summary, marker, []

    def __call__(self, jobs, data, notebooks, options):
        for job in jobs:
            self.ran.append(job.key)
            files = {"summary.md": f"{self.marker} {job.key}".encode()}
            if job.notebook == ANNUAL and self.summary is not None:
                files["summary.json"] = self.summary
            yield JobResult(job.key, JobStatus.OK, 0.5, notebook=f'{{"{self.marker}": 1}}'.encode(),
                            html=f"<html><body><p>{self.marker} {job.key}</p></body></html>".encode(), files=files, worker="worker 1")


class LineageSeeing(Executor):
    """An :class:`Executor` that records, from the snapshot the notebooks get, the lineage's links, xa-12's 2025
    members change and the jobs' lineage checksums (in ``seen``)."""

    def __init__(self, seen: dict) -> None:
        super().__init__()
        self.seen = seen

    def __call__(self, jobs, data, notebooks, options):
        from khuyenhoc.runner.records import snapshot_dir
        from khuyenhoc.snapshot import load_analysis

        analysis = load_analysis(snapshot_dir(data))
        self.seen["links"] = None if analysis.table.lineage is None else len(analysis.table.lineage.links)
        self.seen["change"] = analysis.frames.units.loc[(2025, "xa-12"), "members_change"]
        self.seen["parameters"] = {job.parameters.get("lineage_checksum") for job in jobs}
        yield from super().__call__(jobs, data, notebooks, options)


def _run(out: Path, executor: Executor, **options) -> object:
    options.setdefault("data", SAMPLE_DATA)
    return run_batch(RunOptions(out_dir=out, **options), executor=executor)


def _manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def _statuses(outcome) -> dict[str, str]:
    return {e.key: e.status for e in outcome.entries}


def test_a_notebook_without_parameters_tag_or_without_its_summary_fails_its_jobs(tmp_path):
    """Item 2."""
    notebooks = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS_DIR, notebooks)
    shutil.copy(FIXTURES / "no_parameters.ipynb", notebooks / "annual_summary.ipynb")
    executor = Executor()
    outcome = _run(tmp_path / "out", executor, years=[2013], notebooks_dir=notebooks)
    assert executor.ran == ["trends"], "a notebook that cannot take the run's parameters is not run"
    assert _statuses(outcome) == {"2013/annual_summary": "failed", "trends": "ok"}
    assert "annual_summary.ipynb không có ô mang thẻ “parameters”" in outcome.failed[0].error
    assert outcome.exit_code == 1

    outcome = _run(tmp_path / "out2", Executor(summary=None), years=[2013])
    assert _statuses(outcome) == {"2013/annual_summary": "failed", "trends": "ok"}
    assert outcome.failed[0].error == "sổ tay chạy xong nhưng không lưu summary.json"
    assert not (tmp_path / "out2" / "2013" / "annual_summary.html").exists()


def test_outputs_that_are_not_the_recorded_files_are_not_cached_and_leftovers_go(tmp_path):
    """Item 6 (the checksum half; the real kill is in test_runner_faults.py)."""
    out = tmp_path / "out"
    _run(out, Executor(), years=[2013])
    entry = _manifest(out)["runs"]["2013/annual_summary"]
    assert set(entry["checksums"]) == set(entry["outputs"])
    (out / "2013" / "summary.md").write_text("v2 2013/annual_summary", encoding="utf-8")  # a newer file beside older ones
    leftover = out / "2013" / ".annual_summary.html.abcd1234.tmp"
    leftover.write_bytes(b"half")
    user_file = out / "2013" / "notes.tmp"
    user_file.write_text("mine", encoding="utf-8")
    again = Executor()
    outcome = _run(out, again, years=[2013])
    assert again.ran == ["2013/annual_summary"], "the mixed job runs again; trends is still cached"
    assert _statuses(outcome) == {"2013/annual_summary": "ok", "trends": "cached"}
    assert not leftover.exists() and user_file.read_text(encoding="utf-8") == "mine"


def test_a_refused_path_or_a_truncated_summary_fails_only_its_job(tmp_path):
    """Item 7 (path refusal, truncated summary.json; the dead worker is in test_runner_faults.py)."""
    out = tmp_path / "out"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out.mkdir()
    (out / "2012").symlink_to(elsewhere, target_is_directory=True)
    outcome = _run(out, Executor(), years=[2012, 2013])
    assert _statuses(outcome) == {"2012/annual_summary": "failed", "2013/annual_summary": "ok", "trends": "ok"}
    assert outcome.failed[0].error.startswith("2012/") and "ngoài thư mục kết quả" in outcome.failed[0].error
    assert list(elsewhere.iterdir()) == []
    assert (out / "index.html").is_file() and _manifest(out)["runs"]["2013/annual_summary"]["status"] == "ok"

    outcome = _run(tmp_path / "out2", Executor(summary=b'{"indicators": {"members": '), years=[2013])
    assert _statuses(outcome) == {"2013/annual_summary": "failed", "trends": "ok"}
    assert outcome.failed[0].error.startswith("summary.json do sổ tay lưu không đọc được")
    assert outcome.exit_code == 1
    assert _manifest(tmp_path / "out2")["runs"]["2013/annual_summary"]["status"] == "failed"
    assert "summary.json do sổ tay lưu không đọc được" in (tmp_path / "out2" / "index.html").read_text(encoding="utf-8")


def test_malformed_manifest_entries_are_dropped_with_a_warning(tmp_path):
    """Item 8."""
    out = tmp_path / "out"
    _run(out, Executor(), years=[2012, 2013])
    manifest = _manifest(out)
    manifest["runs"]["2012/annual_summary"] = "ok"
    del manifest["runs"]["2013/annual_summary"]["outputs"]
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    again = Executor()
    outcome = _run(out, again, years=[2012, 2013])
    assert sorted(again.ran) == ["2012/annual_summary", "2013/annual_summary"]
    assert _statuses(outcome) == {"2012/annual_summary": "ok", "2013/annual_summary": "ok", "trends": "cached"}
    assert outcome.warnings == [f"manifest.json: bỏ mục “{key}” không đọc được; báo cáo đó sẽ được chạy lại"
                                for key in ("2012/annual_summary", "2013/annual_summary")]
    assert all(isinstance(e, dict) and "outputs" in e for e in _manifest(out)["runs"].values())


def test_reports_on_data_that_is_gone_are_removed_and_pages_name_their_data(tmp_path, sample_frame, write_csv):
    """Item 9."""
    out = tmp_path / "out"
    path = write_csv(sample_frame, name="so-lieu.csv")
    os.utime(path, (datetime(2024, 3, 12, 9).timestamp(),) * 2)
    _run(out, Executor(), data=path, units=True)
    (out / "2009" / "ghi-chu.txt").write_text("a user's note", encoding="utf-8")
    smaller = sample_frame[(sample_frame["year"] != 2009) & (sample_frame["unit_id"] != "xuat-hoa")]
    path = write_csv(smaller, name="so-lieu.csv")
    os.utime(path, (datetime(2024, 3, 14, 9).timestamp(),) * 2)
    outcome = _run(out, Executor(), data=path, units=True, years=[2013])
    assert outcome.exit_code == 0
    runs = _manifest(out)["runs"]
    assert not [k for k in runs if k.startswith("2009/") or k.endswith("/xuat-hoa")]
    assert "2010/annual_summary" in runs and "2010/units/duc-xuan" in runs, "reports on data still there stay"
    assert sorted(p.relative_to(out).as_posix() for p in (out / "2009").rglob("*")) == ["2009/ghi-chu.txt"], "only our files go"
    assert not list(out.glob("*/units/xuat-hoa.*"))
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "2009" not in index and "xuat-hoa" not in index
    checksum = _manifest(out)["data"]["checksum"][:19]
    footer = f"Số liệu: tệp so-lieu.csv, mã kiểm tra {checksum}, ngày 14/03/2024."
    assert footer in index
    assert footer in (out / "2013" / "annual_summary.html").read_text(encoding="utf-8")
    assert footer in (out / "2013" / "units" / "duc-xuan.html").read_text(encoding="utf-8")


def _facts(years: list[int]) -> DataFacts:
    return DataFacts("sha256:0", "x.csv", years, {y: ["a"] for y in years}, {"a": "Xã A"}, False)


def test_trends_cover_every_year_and_one_year_is_titled_alone(tmp_path):
    """Item 10."""
    trends = build_plan(_facts([2009, 2010, 2011, 2012, 2013]), [2012], False, "vi")[-1]
    assert (trends.parameters["start_year"], trends.parameters["end_year"]) == (2009, 2013)
    outcome = _run(tmp_path / "out", Executor(), years=[2012])
    assert _manifest(tmp_path / "out")["runs"]["trends"]["title"] == "Diễn biến các chỉ tiêu khuyến học, 2009–2013"
    assert [e.key for e in outcome.entries] == ["2012/annual_summary", "trends"]
    single = build_plan(_facts([2013]), None, False, "vi")[-1]
    from khuyenhoc.i18n import text

    assert text(single.title_key, "vi", **single.title_values) == "Diễn biến các chỉ tiêu khuyến học, năm 2013"


def test_runner_messages(tmp_path, capsys):
    """Item 15 (runner parts; the disk-full one is in test_runner_faults.py)."""
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    for name in ("annual_summary.ipynb", "trends.ipynb"):
        shutil.copy(NOTEBOOKS_DIR / name, notebooks / name)
    outcome = _run(tmp_path / "out", Executor(), years=[2013], notebooks_dir=notebooks)
    assert outcome.exit_code == 0, "no unit_profile.ipynb is needed without --units"
    with pytest.raises(RunError, match=r"thư mục sổ tay .*notebooks không có unit_profile.ipynb"):
        _run(tmp_path / "out", Executor(), years=[2013], units=True, notebooks_dir=notebooks)
    assert main(["run", "--out", str(tmp_path / "out"), "--scheduler", "foo"]) == 2
    error = capsys.readouterr().err
    assert "--scheduler foo: cần địa chỉ của bộ điều phối Dask dạng tcp://MÁY:CỔNG" in error
    assert "ValueError" not in error


def test_small_runner_fixes(tmp_path, sample_frame, write_csv, capsys):
    """Item 16 (runner parts: repeated years, --cell-timeout, invalid data, Vietnamese order; --sheet and Dask noise elsewhere)."""
    executor = Executor()
    outcome = _run(tmp_path / "out", executor, years=[2013, 2013])
    assert [e.key for e in outcome.entries] == ["2013/annual_summary", "trends"]
    assert executor.ran.count("2013/annual_summary") == 1

    assert main(["run", "--out", str(tmp_path / "x"), "--cell-timeout", "-1"]) == 2
    assert "--cell-timeout phải từ 0 trở lên (0 = không giới hạn thời gian)" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()

    frame = sample_frame.copy()
    frame.loc[3, "members"] = -1
    out = tmp_path / "never"
    with pytest.raises(DataValidationError):
        _run(out, Executor(), data=write_csv(frame))
    assert not out.exists() and not (out / LOCK_NAME).exists()

    names = ["Xã Sơn Thành", "Phường Đức Xuân", "Xã Dương Quang", "Xã Ân Nghĩa", "Xã An Bình", "Xã Ăn Cả", "Xã Đồng Tâm"]
    assert sorted(names, key=sort_key) == ["Phường Đức Xuân", "Xã An Bình", "Xã Ăn Cả", "Xã Ân Nghĩa", "Xã Dương Quang",
                                           "Xã Đồng Tâm", "Xã Sơn Thành"]
    frame = sample_frame.copy()
    frame.loc[frame["unit_id"] == "duc-xuan", "unit_name"] = "Xã Đồng Tâm"
    frame.loc[frame["unit_id"] == "song-cau", "unit_name"] = "Xã Sơn Hà"
    out = tmp_path / "sorted"
    _run(out, Executor(), data=write_csv(frame, name="ten.csv"), years=[2013], units=True)
    index = (out / "index.html").read_text(encoding="utf-8")
    assert index.index(">Xã Dương Quang<") < index.index(">Xã Đồng Tâm<") < index.index(">Xã Sơn Hà<")



def test_run_reads_the_sheet_it_is_given(tmp_path, sample_frame, capsys):
    """Item 16: `run --sheet`: validation reads that sheet and every notebook is given it."""
    import io

    import nbformat
    import pandas as pd

    from khuyenhoc.sample import to_csv_text

    table = pd.read_csv(io.StringIO(to_csv_text(sample_frame)), dtype=str, keep_default_na=False)
    path = tmp_path / "so-lieu.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"Hướng dẫn": ["Điền số liệu ở trang sau"]}).to_excel(writer, sheet_name="Hướng dẫn", index=False)
        table.to_excel(writer, sheet_name="Số liệu", index=False)
    executor = Executor()
    outcome = _run(tmp_path / "out", executor, data=path, sheet="Số liệu", years=[2013])
    assert outcome.exit_code == 0
    assert all(entry.parameters["sheet"] == "Số liệu" for entry in outcome.entries)
    assert main(["run", "--data", str(path), "--sheet", "Số liệu", "--years", "2099", "--out", str(tmp_path / "o")]) == 1
    assert "dữ liệu không có năm 2099 (chỉ có: 2009, 2010, 2011, 2012, 2013)" in capsys.readouterr().err, "the CLI read that sheet"
    for path in NOTEBOOKS_DIR.glob("*.ipynb"):  # the bundled notebooks take the parameter and read that sheet
        notebook = nbformat.read(path, as_version=4)
        assert any("sheet = None" in c.source for c in notebook.cells if "parameters" in c.metadata.get("tags", [])), path.name
        assert any("sheet=sheet" in c.source for c in notebook.cells), path.name


NO_OP = """
import sys
from khuyenhoc.cli import main
code = main(["run", "--out", sys.argv[1], "--years", "2012", "2013"])
print(code, *[name for name in ("pandas", "pandera", "numpy", "pyarrow", "khuyenhoc.indicators") if name in sys.modules])
"""


def test_a_no_op_re_run_imports_neither_pandas_nor_pandera(tmp_path):
    """Issue 22, item 16: with nothing to do, the index is written (its key figures formatted) without the analysis stack
    (nor pyarrow: the snapshot is not read either), and every report is recorded as cached."""
    import subprocess
    import sys

    summary = json.dumps({"indicators": {"members": {"value": 1399}, "fund_total_vnd": {"value": 343380000}}}).encode()
    out = tmp_path / "out"
    _run(out, Executor(summary=summary), years=[2012, 2013])
    assert _manifest(out)["runs"]["2013/annual_summary"]["figures"]["members"] == {"value": 1399, "measure": "person", "precision": 0,
                                                                                  "signed": False}
    (out / "index.html").unlink()
    again = subprocess.run([sys.executable, "-c", NO_OP, str(out)], capture_output=True, text=True, timeout=120)
    assert again.stdout.strip().splitlines()[-1] == "0", again.stdout + again.stderr  # the exit code, and no analysis module
    assert "0 chạy mới, 3 dùng lại kết quả cũ" in again.stdout + again.stderr
    assert "1.399 hội viên · quỹ 343.380.000 đồng" in (out / "index.html").read_text(encoding="utf-8")
    assert {entry["status"] for entry in _manifest(out)["runs"].values()} == {"cached"}


def test_a_targets_unit_the_data_does_not_have_stops_the_run_before_it_starts(tmp_path):
    """Issue 22, item 9: `run --targets` checks the file's unit ids against the data; a fraction is a warning line."""
    from khuyenhoc.runner.data import read_targets

    targets = tmp_path / "ke-hoach.csv"
    targets.write_text("indicator_id,target_year,value,source,unit_id\nlearning_clans_pct,2025,70,kế hoạch,xa-khong-co\n", encoding="utf-8")
    with pytest.raises(DataValidationError) as caught:
        read_targets(targets, "vi", {"duc-xuan": "Phường Đức Xuân"})
    assert caught.value.problems[["row", "rule"]].to_dict("records") == [{"row": 2, "rule": "target_unit_unknown"}]
    out = tmp_path / "reports"
    with pytest.raises(DataValidationError):
        run_batch(RunOptions(data=SAMPLE_DATA, out_dir=out, targets=targets))
    assert not out.exists()
    targets.write_text("indicator_id,target_year,value,source,unit_id\nlearning_clans_pct,2025,0.7,kế hoạch,duc-xuan\n", encoding="utf-8")
    content, warnings = read_targets(targets, "vi", {"duc-xuan": "Phường Đức Xuân"})
    assert content == targets.read_bytes()
    assert warnings == [f"{targets}: Dòng 2: Mục tiêu ghi theo phần trăm: 0,7 là 0,7%, không phải 70%; nếu muốn 70% hãy ghi 70"]


def test_the_lineage_travels_in_the_snapshot_and_is_in_every_jobs_key(tmp_path):
    """Issue 17: a run with --lineage gives the notebooks the checked links; changing them re-runs every report."""
    from province_data import HEADER, ROWS_2024, ROWS_2025

    data = tmp_path / "tinh.csv"
    data.write_text("\n".join([HEADER, *ROWS_2024, *ROWS_2025]) + "\n", encoding="utf-8")
    lineage = tmp_path / "ke-thua.csv"
    lineage.write_text("Năm,Mã đơn vị cũ,Mã đơn vị mới\n2025,xa-1,xa-12\n2025,xa-2,xa-12\n", encoding="utf-8")
    seen = {}

    out = tmp_path / "out"
    first = LineageSeeing(seen)
    _run(out, first, data=data, lineage=lineage, years=[2025])
    assert seen["links"] == 2 and seen["change"] == 1900 - 1800
    assert len(seen["parameters"]) == 1 and None not in seen["parameters"]
    again = LineageSeeing(seen)
    _run(out, again, data=data, lineage=lineage, years=[2025])
    assert again.ran == [], "an unchanged lineage keeps every report"
    lineage.write_text("Năm,Mã đơn vị cũ,Mã đơn vị mới\n2025,xa-1,xa-12\n", encoding="utf-8")
    changed = LineageSeeing(seen)
    _run(out, changed, data=data, lineage=lineage, years=[2025])
    assert sorted(changed.ran) == sorted(first.ran) and seen["change"] == 1900 - 1000
    without = LineageSeeing(seen)
    _run(out, without, data=data, years=[2025])
    assert sorted(without.ran) == sorted(first.ran) and seen["links"] is None and seen["parameters"] == {None}


def test_the_lineage_beside_the_data_is_read_and_named_without_a_flag(tmp_path):
    """NAME-ke-thua.csv beside NAME.csv (as `khuyenhoc sample` writes it) is the run's lineage when none is given, the
    progress names it, and it is in every job's key like a lineage given with --lineage."""
    from province_data import HEADER, ROWS_2024, ROWS_2025

    data = tmp_path / "tinh.csv"
    data.write_text("\n".join([HEADER, *ROWS_2024, *ROWS_2025]) + "\n", encoding="utf-8")
    beside = tmp_path / "tinh-ke-thua.csv"
    beside.write_text("Năm,Mã đơn vị cũ,Mã đơn vị mới\n2025,xa-1,xa-12\n2025,xa-2,xa-12\n", encoding="utf-8")
    seen = {}

    class Said:
        def validating(self, path, lineage=None):
            seen["validating"] = (path, lineage)

        def start(self, keys, parallel=1):
            pass

        def advance(self, entry):
            pass

        def stop(self):
            pass

    out = tmp_path / "out"
    first = LineageSeeing(seen)
    run_batch(RunOptions(data=data, out_dir=out, years=[2025], jobs=1), executor=first, progress=Said())
    assert seen["validating"] == (data, beside)
    assert seen["change"] == 1900 - 1800 and None not in seen["parameters"]
    beside.unlink()
    without = LineageSeeing(seen)
    run_batch(RunOptions(data=data, out_dir=out, years=[2025], jobs=1), executor=without, progress=Said())
    assert seen["validating"] == (data, None) and seen["parameters"] == {None}
    assert sorted(without.ran) == sorted(first.ran), "without the file beside, every report compares without it"


def test_a_workbooks_own_lineage_sheet_wins_over_a_file_beside_it_in_a_run(tmp_path):
    """The run reads the lineage load_table reads: the workbook's sheet before NAME-ke-thua.csv beside it."""
    from khuyenhoc.runner.batch import with_lineage_beside
    from khuyenhoc.sample import synthetic_lineage, synthetic_table, write_sample_files

    path = write_sample_files(tmp_path / "b.xlsx", synthetic_table(60, range(2024, 2026)), {"synthetic": True},
                              synthetic_lineage(60, range(2024, 2026)))
    (tmp_path / "b-ke-thua.csv").write_text("Năm,Mã đơn vị cũ,Mã đơn vị mới\n2025,u000001,m000001\n", encoding="utf-8")
    assert with_lineage_beside(RunOptions(data=path, out_dir=tmp_path / "out")).lineage is None  # the sheet is read with the data
    csv = tmp_path / "c.csv"
    csv.write_text("x", encoding="utf-8")
    (tmp_path / "c-ke-thua.csv").write_text("x", encoding="utf-8")
    assert with_lineage_beside(RunOptions(data=csv, out_dir=tmp_path / "out")).lineage == tmp_path / "c-ke-thua.csv"
