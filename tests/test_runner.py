"""The batch runner end to end on the bundled sample: outputs, caching, failures, locking."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from khuyenhoc.cli import main
from khuyenhoc.errors import DataValidationError, RunError
from khuyenhoc.paths import NOTEBOOKS_DIR, SAMPLE_DATA
from khuyenhoc.runner import RunOptions, run_batch
from khuyenhoc.runner.lock import LOCK_NAME, RunLock
from khuyenhoc.runner.publish import inside

pytestmark = pytest.mark.slow
YEARS = ["2012", "2013"]


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> Path:
    """One real run of the CLI on the sample, 2012-2013, two jobs at a time."""
    out = tmp_path_factory.mktemp("reports")
    assert main(["run", "--out", str(out), "--years", *YEARS, "--jobs", "2"]) == 0
    return out


def _manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def test_outputs_exist(batch):
    for year in YEARS:
        for name in ("annual_summary.ipynb", "annual_summary.html", "summary.json", "summary.md", "annual_summary.docx", "annual_summary.xlsx"):
            assert (batch / year / name).is_file(), name
        assert sorted(p.name for p in (batch / year / "figures").iterdir()) == [
            "fund_by_level.png", "members_by_unit.png", "training_by_unit.png", "trend.png"]
    assert (batch / "trends.ipynb").is_file() and (batch / "trends.html").is_file()
    assert (batch / "index.html").is_file()
    assert not list(batch.rglob("*.tmp")), "no temporary files are left behind"
    with RunLock(batch):  # the run let go of its lock
        pass


def test_summary_json_has_the_golden_figures(batch):
    document = json.loads((batch / "2013" / "summary.json").read_text(encoding="utf-8"))
    values = {key: item["value"] for key, item in document["indicators"].items()}
    assert document["year"] == 2013 and document["scope"] == "all"
    assert values["members"] == 9123
    assert round(values["members_growth_pct"], 1) == 5.6
    assert values["members_per_population_pct"] == pytest.approx(20.0, abs=0.1)
    assert (values["baccalaureate_families"], values["bachelor_families"]) == (854, 257)
    assert (values["clans_registered"], values["clans_recognised"]) == (6, 6)
    assert (values["training_classes"], values["training_participants"]) == (288, 13649)
    assert values["fund_total_vnd"] == 343_380_000
    assert values["fund_commune_vnd"] == 308_145_000
    assert values["fund_district_vnd"] == 35_235_000
    assert values["fund_change_vnd"] == pytest.approx(41_000_000, abs=1_000_000)
    assert document["illustrative"] is True
    assert {f["kind"] for f in document["findings"]} >= {"no_training", "low_fund_per_member"}
    provenance = document["provenance"]
    assert provenance["data_checksum"].startswith("sha256:")
    assert provenance["notebook_checksum"].startswith("sha256:")
    assert provenance["parameters"] == {"year": 2013, "lang": "vi", "area_id": None}
    assert provenance["package_version"]


def test_summary_md_is_vietnamese(batch):
    text = (batch / "2013" / "summary.md").read_text(encoding="utf-8")
    for expected in ("9.123 hội viên", "tăng 484", "5,6%", "343.380.000 đồng", "41.000.000 đồng", "13.649 lượt người", "288 lớp", "minh hoạ"):
        assert expected in text, expected


def test_html_reports_have_no_code_and_embed_images(batch):
    page = (batch / "2013" / "annual_summary.html").read_text(encoding="utf-8")
    assert 'class="jp-InputArea' not in page and "load_table(" not in page and "show.section" not in page
    assert "<title>Tổng kết công tác khuyến học năm 2013 — Hội Khuyến học thị xã Bắc Kạn</title>" in page
    assert '<html lang="vi">' in page
    assert page.count("data:image/png;base64,") >= 4
    assert not re.search(r'<script[^>]+src=|<link[^>]+href="http', page), "nothing is loaded from the network"
    assert "analyst-note" not in page and "sổ tay phân tích" not in page


def test_index_links_every_result(batch):
    page = (batch / "index.html").read_text(encoding="utf-8")
    for year in YEARS:
        assert f'href="{year}/annual_summary.html"' in page
        assert f'href="{year}/summary.md"' in page
    assert 'href="trends.html"' in page
    assert "http" not in re.sub(r"<footer>.*</footer>", "", page, flags=re.S)
    assert "Số liệu minh hoạ" in page


def test_manifest_records_every_run(batch):
    runs = _manifest(batch)["runs"]
    assert set(runs) == {"2012/annual_summary", "2013/annual_summary", "trends"}
    for entry in runs.values():
        assert entry["status"] == "ok"
        assert entry["seconds"] > 0
        assert set(entry["inputs"]) == {"data", "notebook", "package_version"}
        assert all((batch / p).is_file() for p in entry["outputs"])
        assert entry["worker"]


def test_second_run_executes_nothing(batch, capsys):
    called = []

    def executor(jobs, *args):
        called.extend(jobs)
        return iter(())

    outcome = run_batch(RunOptions(data=SAMPLE_DATA, out_dir=batch, years=[2012, 2013]), executor=executor)
    assert called == []
    assert [e.status for e in outcome.entries] == ["cached"] * 3
    assert outcome.exit_code == 0
    assert main(["run", "--out", str(batch), "--years", *YEARS]) == 0
    assert "Đã chạy xong 3 sổ tay: 0 chạy mới, 3 dùng lại" in capsys.readouterr().out


def _failing_notebooks(tmp_path: Path) -> Path:
    """A copy of the notebooks whose annual summary raises for 2012."""
    import nbformat

    folder = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS_DIR, folder)
    path = folder / "annual_summary.ipynb"
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.insert(3, nbformat.v4.new_code_cell('if int(year) == 2012:\n    raise ValueError("hỏng năm 2012")'))
    nbformat.write(notebook, path)
    return folder


def test_a_failing_notebook_leaves_the_others_and_earlier_outputs(batch, tmp_path, capsys):
    out = tmp_path / "out"
    shutil.copytree(batch, out)
    good_html = (out / "2012" / "annual_summary.html").read_bytes()
    outcome = run_batch(RunOptions(data=SAMPLE_DATA, out_dir=out, years=[2012, 2013], force=True, jobs=2,
                                   notebooks_dir=_failing_notebooks(tmp_path)))
    assert outcome.exit_code == 1
    statuses = {e.key: e.status for e in outcome.entries}
    assert statuses == {"2012/annual_summary": "failed", "2013/annual_summary": "ok", "trends": "ok"}
    failure = next(e for e in outcome.entries if e.status == "failed")
    assert "ValueError" in failure.error and "hỏng năm 2012" in failure.error
    assert (out / "2012" / "annual_summary.failed.ipynb").is_file()
    assert (out / "2012" / "annual_summary.html").read_bytes() == good_html, "the earlier good report survives"
    assert _manifest(out)["runs"]["2012/annual_summary"]["status"] == "failed"
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "hỏng năm 2012" in index, "readers see that the report could not be made"
    assert "annual_summary.failed.ipynb" in (out / "runs.html").read_text(encoding="utf-8"), "the failed notebook is in the run details"
    assert '<a href="2012/annual_summary.html">báo cáo lần chạy trước</a>' in index


def test_cli_exit_code_and_failure_line(tmp_path, capsys):
    notebooks = _failing_notebooks(tmp_path)
    code = main(["run", "--out", str(tmp_path / "out"), "--years", "2012", "--jobs", "1", "--notebooks", str(notebooks)])
    output = capsys.readouterr().out
    assert code == 1
    assert re.search(r"LỖI 2012/annual_summary: ô \d+: ValueError: hỏng năm 2012", output)


def test_invalid_data_executes_nothing(tmp_path, sample_frame, write_csv, capsys):
    frame = sample_frame.copy()
    frame.loc[3, "members"] = -1
    path = write_csv(frame)
    out = tmp_path / "out"
    with pytest.raises(DataValidationError):
        run_batch(RunOptions(data=path, out_dir=out), executor=lambda *a: pytest.fail("nothing may run"))
    assert main(["run", "--data", str(path), "--out", str(out)]) == 1
    assert "Dòng 5" in capsys.readouterr().err
    assert not (out / "index.html").exists()


def test_repository_notebooks_have_no_outputs():
    import nbformat

    for path in sorted(Path(NOTEBOOKS_DIR).glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        nbformat.validate(notebook)
        tagged = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1, path.name
        for cell in notebook.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, path.name


def test_lock_refuses_a_second_run_and_recovers_from_a_dead_one(tmp_path):
    with RunLock(tmp_path):
        assert json.loads((tmp_path / LOCK_NAME).read_text())["pid"] == os.getpid()
        with pytest.raises(RunError, match=f"đang được một lần chạy khác dùng \\(tiến trình {os.getpid()}"):
            RunLock(tmp_path).acquire()
    with RunLock(tmp_path):  # released: the next run takes it
        pass
    holder = subprocess.Popen([sys.executable, "-c", f"from khuyenhoc.runner.lock import RunLock; from pathlib import Path; "
                               f"RunLock(Path({str(tmp_path)!r})).acquire(); import time; time.sleep(60)"])
    try:
        assert _wait(lambda: (tmp_path / LOCK_NAME).read_text().startswith("{"), 30)
        with pytest.raises(RunError):
            RunLock(tmp_path).acquire()
    finally:
        holder.kill()  # a run that dies without cleaning up
        holder.wait()
    with RunLock(tmp_path):  # its lock died with it
        assert json.loads((tmp_path / LOCK_NAME).read_text())["pid"] == os.getpid()


def _wait(condition, seconds: float) -> bool:
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_nothing_is_written_outside_the_output_folder(tmp_path):
    assert inside(tmp_path, "2013/units/duc-xuan.html") == (tmp_path / "2013/units/duc-xuan.html").resolve()
    for escape in ("../evil.html", "/etc/passwd", "2013/../../x", ""):
        with pytest.raises(RunError):
            inside(tmp_path, escape)


def test_unit_profiles(tmp_path):
    out = tmp_path / "units"
    outcome = run_batch(RunOptions(data=SAMPLE_DATA, out_dir=out, years=[2013], units=True, jobs=2, lang="en"))
    assert outcome.exit_code == 0
    profiles = sorted(p.stem for p in (out / "2013" / "units").glob("*.html"))
    assert profiles == sorted(["duc-xuan", "song-cau", "phung-chi-kien", "nguyen-thi-minh-khai", "nong-thuong",
                               "duong-quang", "huyen-tung", "xuat-hoa"])
    page = (out / "2013" / "units" / "xuat-hoa.html").read_text(encoding="utf-8")
    assert "Association profile: Xã Xuất Hóa, 2013" in page and '<html lang="en">' in page
    assert "Illustrative figures" in page
    assert 'href="2013/units/xuat-hoa.html"' in (out / "index.html").read_text(encoding="utf-8")


def test_the_origin_record_is_an_input_and_errors_name_the_users_file(tmp_path, sample_frame, write_csv, capsys):
    sample_frame["note"] = None
    path = write_csv(sample_frame, name="so-lieu.csv")
    out = tmp_path / "out"
    recorded = []

    def executor(jobs, data, *rest):
        recorded.append((len(jobs), data))
        return iter(())

    run_batch(RunOptions(data=path, out_dir=out, years=[2013]), executor=executor)
    assert recorded[0][1] != path and recorded[0][1].name == "so-lieu.csv", "notebooks read a snapshot"
    facts = _manifest(out)["data"]
    assert facts["illustrative"] is False
    (tmp_path / "so-lieu.origin.json").write_text(json.dumps({"illustrative": True}), encoding="utf-8")
    run_batch(RunOptions(data=path, out_dir=out, years=[2013]), executor=executor)
    assert _manifest(out)["data"]["illustrative"] is True
    assert _manifest(out)["data"]["checksum"] != facts["checksum"]
    sample_frame.loc[0, "members"] = -5
    path.write_text(__import__("khuyenhoc.sample", fromlist=["x"]).to_csv_text(sample_frame), encoding="utf-8")
    with pytest.raises(DataValidationError) as caught:
        run_batch(RunOptions(data=path, out_dir=out, years=[2013]), executor=executor)
    assert set(caught.value.problems["file"]) == {str(path)}


def test_years_not_in_the_data_are_named(tmp_path):
    with pytest.raises(RunError, match=r"dữ liệu không có năm 2015 \(chỉ có: 2009, 2010, 2011, 2012, 2013\)"):
        run_batch(RunOptions(data=SAMPLE_DATA, out_dir=tmp_path, years=[2013, 2015]), executor=lambda *a: iter(()))


def test_area_reports_name_their_area_list_their_children_and_link_both_ways(tmp_path):
    """Issue 9: a province file, three tiers in 2024 and two in 2025, run for real with profiles."""
    from province_data import HEADER, ROWS_2024, ROWS_2025

    data = tmp_path / "tinh.csv"
    data.write_text("\n".join([HEADER, *ROWS_2024, *ROWS_2025]) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", "--data", str(data), "--years", "2024", "--units", "xa-1", "--out", str(out), "--jobs", "2"]) == 0
    area = out / "2024" / "areas" / "huyen-b"
    page = (area / "annual_summary.html").read_text(encoding="utf-8")
    assert "Tổng kết công tác khuyến học năm 2024 — huyện Bình Lạc" in page
    assert "Xã Một" in page and "Xã Hai" in page and "Phường Ba" not in page, "ranks and charts its own communes only"
    hrefs = re.findall(r'<a href="([^"]+\.html)"', page)
    assert hrefs == ["../../annual_summary.html", "../../units/xa-1.html"], "up to the province, down to the profile made"
    assert all((area / href).resolve().is_file() for href in hrefs)
    summary = json.loads((area / "summary.json").read_text(encoding="utf-8"))
    assert (summary["scope"], summary["indicators"]["members"]["value"]) == ("huyen-b", 1800)
    assert (area / "summary.md").is_file() and (area / "figures" / "members_by_unit.png").is_file()
    whole = (out / "2024" / "annual_summary.html").read_text(encoding="utf-8")
    assert "Tổng kết công tác khuyến học năm 2024 — tỉnh An Hòa" in whole
    assert 'href="areas/huyen-b/annual_summary.html"' in whole and 'href="areas/huyen-c/annual_summary.html"' in whole
    assert not (out / "2024" / "areas" / "tinh-a").exists(), "the single root's report is the whole file's"
