"""Issue 18 item 3: the secretary's checking list outside the reports: `khuyenhoc validate` prints it, `khuyenhoc run`
writes it beside the reports and names the file in its closing lines."""

from __future__ import annotations

import csv
import io

from rich.console import Console

from khuyenhoc.cli import main
from khuyenhoc.runner.batch import RunOutcome
from khuyenhoc.runner.checks import checks_path, recorded_checks, write_checks
from khuyenhoc.runner.console import closing_report
from khuyenhoc.table import table_from_frame


def jumped(frame):
    """duong-quang's members jump to 2.000 in 2011 (from 568 in 2010) and fall back in 2012."""
    row = (frame["year"] == 2011) & (frame["unit_id"] == "duong-quang")
    frame.loc[row, "members"] = 2000
    return frame


def test_validate_prints_the_figures_to_check(sample_frame, write_csv, capsys):
    assert main(["validate", str(write_csv(jumped(sample_frame)))]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    start = lines.index("2 số liệu thay đổi bất thường so với năm trước, cần kiểm tra lại:")
    assert lines[start + 1].startswith("  Xã Dương Quang: số hội viên năm 2011 là 2.000 người, năm trước ")
    assert lines[start + 2].startswith("  Xã Dương Quang: số hội viên năm 2012 là ")
    assert lines[start + 2].endswith("; cần kiểm tra lại số liệu.")


def test_validate_says_nothing_when_no_figure_jumps(sample_frame, write_csv, capsys):
    assert main(["validate", str(write_csv(sample_frame))]) == 0
    assert "bất thường" not in capsys.readouterr().out


def test_a_run_writes_the_list_and_says_where(sample_frame, tmp_path):
    table = table_from_frame(jumped(sample_frame))
    assert write_checks(table, tmp_path, "vi") == 2
    path = checks_path(tmp_path, "vi")
    assert path.name == "kiem-tra-so-lieu.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert rows[0] == ["Năm", "Mã đơn vị", "Đơn vị", "Chỉ tiêu", "Năm trước", "Năm đó", "Nội dung"]
    assert rows[1][:6] == ["2011", "duong-quang", "Xã Dương Quang", "Số hội viên", "568 người", "2.000 người"]
    assert recorded_checks(tmp_path, "vi") == 2  # what a run on unchanged data reports without reading the data
    console = Console(file=io.StringIO(), width=200)
    closing_report(console, RunOutcome([], checks=2), str(tmp_path), 1.0, "vi")
    said = console.file.getvalue()
    assert f"2 số liệu thay đổi bất thường so với năm trước, cần kiểm tra lại (danh sách: {path})." in said


def test_no_line_when_nothing_to_check(tmp_path):
    console = Console(file=io.StringIO(), width=200)
    closing_report(console, RunOutcome([], checks=0), str(tmp_path), 1.0, "vi")
    assert "bất thường" not in console.file.getvalue()
    assert recorded_checks(tmp_path, "vi") is None


def test_the_run_details_page_links_the_list_with_its_count(tmp_path):
    """runs.html names the checking list a run wrote or kept, with what it holds."""
    from khuyenhoc.runner.site import write_index
    from khuyenhoc.runner.records import DataFacts

    facts = DataFacts(checksum="sha256:0", source="x.csv", years=[2013], units={2013: []}, unit_names={}, illustrative=False)
    manifest = {"runs": {}, "pages": {}}
    write_index(tmp_path, manifest, facts, "vi", checks=2)
    runs = (tmp_path / "runs.html").read_text(encoding="utf-8")
    assert ('Số liệu cần kiểm tra lại với các đơn vị (2 số liệu thay đổi bất thường so với năm trước): '
            '<a href="kiem-tra-so-lieu.csv">kiem-tra-so-lieu.csv</a>') in runs
    write_index(tmp_path, manifest, facts, "en", checks=0)
    assert '(none moved implausibly from the year before): <a href="data-checks.csv">' in (tmp_path / "runs.html").read_text(encoding="utf-8")
    write_index(tmp_path, manifest, facts, "vi")
    assert "kiem-tra-so-lieu.csv" not in (tmp_path / "runs.html").read_text(encoding="utf-8"), "no list, no link"
