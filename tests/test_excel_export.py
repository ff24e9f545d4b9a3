"""Excel workbooks with numbers as numbers, and CSV that Excel opens as UTF-8 (`indicators --out`)."""

from __future__ import annotations

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
