"""Pre-filled unit workbooks: keys filled in and locked, last year's figures beside, the template's checks, never over a file."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from khuyenhoc import commune_workbooks
from khuyenhoc.cli import EXIT_OK, main
from khuyenhoc.commune_workbooks import INPUT_ROW, REFERENCE_ROW, Source, template_columns, workbook_name, write_unit_workbooks
from khuyenhoc.errors import KhuyenhocError
from khuyenhoc.paths import SAMPLE_DATA
from khuyenhoc.sample import synthetic_table, to_csv_text
from khuyenhoc.schema import COLUMNS, GROUPS, OPTIONAL_COLUMNS, ColumnGroup, ColumnSpec, canonical_column
from khuyenhoc.table import load_table

SAMPLE_UNITS = ["thi-hoi", "duc-xuan", "duong-quang", "huyen-tung", "nguyen-thi-minh-khai", "nong-thuong", "phung-chi-kien", "song-cau",
                "xuat-hoa"]


@pytest.fixture(scope="module")
def sample_workbooks(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("workbooks") / "gui-xa"
    assert main(["template", "--units-from", str(SAMPLE_DATA), "--year", "2014", "--out", str(out)]) == EXIT_OK
    return out


@pytest.fixture(scope="module")
def province_data(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("province") / "tinh.csv"
    path.write_text(to_csv_text(synthetic_table(12, range(2023, 2025), seed=1, shape="three-tier")), encoding="utf-8")
    return path


def _rows(path: Path) -> list[tuple]:
    return list(openpyxl.load_workbook(path).worksheets[0].iter_rows(values_only=True))


def test_one_workbook_per_unit_named_by_its_id(sample_workbooks, capsys):
    assert sorted(p.name for p in sample_workbooks.iterdir()) == sorted(f"{unit}.xlsx" for unit in SAMPLE_UNITS)
    out = tmp = sample_workbooks.parent / "again"
    assert main(["template", "--units-from", str(SAMPLE_DATA), "--year", "2014", "--out", str(tmp)]) == EXIT_OK
    assert capsys.readouterr().out == (f"Đã ghi 9 mẫu nhập liệu năm 2014 vào {out} "
                                        "(danh sách đơn vị và số liệu tham khảo lấy từ năm 2013).\n")


def test_keys_filled_and_last_years_figures_beside(sample_workbooks):
    rows = _rows(sample_workbooks / "duc-xuan.xlsx")
    assert rows[0][0] == "Dòng 2: số liệu năm 2013 để đối chiếu (không sửa được). Dòng 4: ghi số liệu năm 2014 vào các ô trắng."
    headers = [canonical_column(cell) for cell in rows[2]]
    reference, entry = dict(zip(headers, rows[REFERENCE_ROW - 1], strict=True)), dict(zip(headers, rows[INPUT_ROW - 1], strict=True))
    sample = load_table(SAMPLE_DATA).frame
    last = sample[(sample["unit_id"] == "duc-xuan") & (sample["year"] == 2013)].iloc[0]
    assert reference["year"] == 2013 and reference["members"] == 1680 == last["members"] and reference["fund_vnd"] == 77107000
    assert reference["level"] == "phường"  # the word the data wrote, not the canonical id
    assert {k: entry[k] for k in ("year", "unit_id", "unit_name", "level", "parent_id")} == {
        "year": 2014, "unit_id": "duc-xuan", "unit_name": "Phường Đức Xuân", "level": "phường", "parent_id": "thi-hoi"}
    assert all(entry[name] is None for name in ("population", "members", "fund_vnd", "note"))
    assert len(rows) == INPUT_ROW  # nothing below the row to fill in


def test_keys_and_reference_are_locked_and_figures_open(sample_workbooks):
    sheet = openpyxl.load_workbook(sample_workbooks / "duc-xuan.xlsx").worksheets[0]
    assert sheet.protection.sheet
    headers = {canonical_column(cell.value): cell.column_letter for cell in sheet[3]}
    for name, letter in headers.items():
        entry = sheet[f"{letter}{INPUT_ROW}"]
        assert entry.protection.locked == (name in ("year", "unit_id", "unit_name", "level", "parent_id")), name
        assert sheet[f"{letter}{REFERENCE_ROW}"].protection.locked, name
    assert sheet.freeze_panes == f"A{INPUT_ROW}"
    area = openpyxl.load_workbook(sample_workbooks / "thi-hoi.xlsx").worksheets[0]
    assert area[f"{headers['population']}{INPUT_ROW}"].protection.locked  # an area's population stays blank
    assert not area[f"{headers['fund_vnd']}{INPUT_ROW}"].protection.locked


def test_the_blank_templates_checks_on_the_row_to_fill(sample_workbooks):
    sheet = openpyxl.load_workbook(sample_workbooks / "duc-xuan.xlsx").worksheets[0]
    letters = {canonical_column(cell.value): cell.column_letter for cell in sheet[3]}
    by_column = {}
    for rule in sheet.data_validations.dataValidation:
        for cell_range in rule.sqref.ranges:
            assert (cell_range.min_row, cell_range.max_row) == (INPUT_ROW, INPUT_ROW)
            by_column[canonical_column(sheet.cell(3, cell_range.min_col).value)] = rule
    assert (by_column["members"].type, by_column["members"].operator, by_column["members"].formula1) == ("whole", "greaterThanOrEqual", "0")
    own, other = letters["clans_recognised"], letters["clans_registered"]
    assert by_column["clans_recognised"].formula1 == f"AND(ISNUMBER({own}4),{own}4>=0,{own}4=INT({own}4),OR(ISBLANK({other}4),{own}4<={other}4))"
    assert by_column["level"].type == "list"


def test_instructions_name_the_unit(sample_workbooks):
    guide = [row[0] for row in openpyxl.load_workbook(sample_workbooks / "duc-xuan.xlsx")["Hướng dẫn"].iter_rows(values_only=True)]
    assert guide[:6] == ["Hướng dẫn nhập liệu", "Tệp này", "Mẫu dành riêng cho Phường Đức Xuân (mã duc-xuan), số liệu năm 2014.",
                         "Ghi số liệu vào dòng 4 của trang “Số liệu”, các ô trắng. Năm, mã, tên, cấp và cấp trên đã ghi sẵn và được khoá.",
                         "Dòng 2 là số liệu năm trước để đối chiếu; không sửa được và không được tính là số liệu năm nay.",
                         "Khi gửi lại, giữ nguyên tên tệp duc-xuan.xlsx; không thêm dòng, không đổi tên cột."]
    assert "Số hội viên" in guide


def test_optional_groups_follow_the_data(sample_workbooks, province_data, tmp_path):
    sample_headers = [canonical_column(cell) for cell in _rows(sample_workbooks / "duc-xuan.xlsx")[2]]
    assert "households" not in sample_headers and "note" in sample_headers and "scholarships" not in sample_headers
    write_unit_workbooks(province_data, 2024, tmp_path / "tinh", area="h0001")
    headers = [canonical_column(cell) for cell in _rows(next((tmp_path / "tinh").glob("u*.xlsx")))[2]]
    frame = load_table(province_data).frame
    reported = [group.id for group in GROUPS if frame[list(group.columns)].notna().any().any()]
    assert {"learning_society", "support"} <= set(reported)  # the synthetic province reports them
    expected = {name for group in GROUPS if group.id in reported for name in group.columns}
    assert [h for h in headers if h in OPTIONAL_COLUMNS] == [c.name for c in COLUMNS if c.name in expected]


def test_optional_groups_are_read_from_the_schema(monkeypatch, province_data):
    """A group another engineer adds to the schema is carried, whole, when the data has a value in it."""
    extra = (ColumnSpec("volunteers", ("Tình nguyện viên",), "integer", required=False, nullable=True),
             ColumnSpec("volunteer_days", ("Ngày tình nguyện",), "integer", required=False, nullable=True))
    monkeypatch.setattr(commune_workbooks, "COLUMNS", (*COLUMNS, *extra))
    monkeypatch.setattr(commune_workbooks, "GROUPS", (*GROUPS, ColumnGroup("volunteering", ("volunteers", "volunteer_days"))))
    frame = Source.load(province_data).frame
    assert "volunteers" not in [c.name for c in template_columns(frame)]
    with_one = frame.assign(volunteers=pd.array([3] * len(frame), dtype="Int64"))
    assert [c.name for c in template_columns(with_one)][-2:] == ["volunteers", "volunteer_days"]


def test_area_limits_the_units_and_the_year_falls_back(province_data, tmp_path, capsys):
    out = tmp_path / "h1"
    assert main(["template", "--units-from", str(province_data), "--year", "2026", "--out", str(out), "--area", "h0001"]) == EXIT_OK
    frame = load_table(province_data).frame
    below = frame[(frame["year"] == 2024) & (frame["parent_id"] == "h0001")]["unit_id"]
    assert sorted(p.stem for p in out.iterdir()) == sorted(["h0001", *below])
    assert "lấy từ năm 2024" in capsys.readouterr().out
    assert _rows(out / f"{below.iloc[0]}.xlsx")[INPUT_ROW - 1][0] == 2026


def test_never_replaces_a_returned_workbook(sample_workbooks, tmp_path, capsys):
    out = tmp_path / "gui"
    out.mkdir()
    (out / "song-cau.xlsx").write_bytes(b"filled in and sent back")
    assert main(["template", "--units-from", str(SAMPLE_DATA), "--year", "2014", "--out", str(out)]) == 1
    assert capsys.readouterr().err == ("khuyenhoc: 1 tệp đã có trong " + str(out) + " (ví dụ song-cau.xlsx); không ghi đè "
                                       "(thêm --force nếu thật sự muốn thay chúng). Chưa ghi tệp nào.\n")
    assert [p.name for p in out.iterdir()] == ["song-cau.xlsx"] and (out / "song-cau.xlsx").read_bytes() == b"filled in and sent back"
    assert main(["template", "--units-from", str(SAMPLE_DATA), "--year", "2014", "--out", str(out), "--force"]) == EXIT_OK
    assert len(list(out.iterdir())) == 9 and (out / "song-cau.xlsx").read_bytes()[:2] == b"PK"


def test_names_from_the_data_stay_text(tmp_path, sample_frame, write_csv):
    frame = sample_frame.copy()
    frame.loc[frame["unit_id"] == "song-cau", "unit_name"] = "=HYPERLINK(\"http://x\",\"Sông Cầu\")"
    write_unit_workbooks(write_csv(frame), 2014, tmp_path / "out")
    sheet = openpyxl.load_workbook(tmp_path / "out" / "song-cau.xlsx").worksheets[0]
    assert sheet[f"C{INPUT_ROW}"].data_type == "s" and sheet[f"C{INPUT_ROW}"].value.startswith("=HYPERLINK")


def test_file_names_from_ids_are_checked():
    assert workbook_name("xa-an-binh") == "xa-an-binh.xlsx"
    for bad in ("../x", "Xã", "a/b", "", "x" * 65, "con", "nul"):  # Windows keeps con, nul… for devices
        with pytest.raises(KhuyenhocError, match="không dùng được làm tên tệp"):
            workbook_name(bad)


def test_a_year_before_the_data_is_refused(capsys):
    assert main(["template", "--units-from", str(SAMPLE_DATA), "--year", "2000", "--out", "x"]) == 1
    assert capsys.readouterr().err == f"khuyenhoc: {SAMPLE_DATA} không có đơn vị nào năm 2000 hoặc trước đó (có các năm: 2009, 2010, 2011, 2012, 2013)\n"


@pytest.mark.parametrize("argv", [["template"], ["template", "x.xlsx", "--year", "2014"], ["template", "--units-from", "d.csv", "--out", "x"],
                                  ["template", "x.xlsx", "--units-from", "d.csv", "--year", "2014", "--out", "x"]])
def test_template_usage_errors(argv, capsys):
    assert main(argv) == 2
    assert capsys.readouterr().err.startswith("khuyenhoc: ")


def test_english_workbook(tmp_path):
    write_unit_workbooks(SAMPLE_DATA, 2014, tmp_path, lang="en")
    workbook = openpyxl.load_workbook(tmp_path / "duc-xuan.xlsx")
    assert workbook.sheetnames == ["Data", "Instructions"]
    assert workbook["Data"]["A1"].value == "Row 2: the figures of 2013, for comparison (read-only). Row 4: write the figures of 2014 in the white cells."
    assert workbook["Data"]["B3"].value == "Mã đơn vị"  # the headers the loader reads, in every language
