"""A workbook's sheet names from its index, without pandas: which sheet holds the lineage."""

from __future__ import annotations

import subprocess
import sys

import openpyxl

from khuyenhoc.sheets import lineage_sheet, sheet_names


def test_the_lineage_sheet_is_found_by_its_name_in_any_case(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.title = "Số liệu"
    workbook.create_sheet("KẾ THỪA")
    path = tmp_path / "so-lieu.xlsx"
    workbook.save(path)
    assert sheet_names(path) == ["Số liệu", "KẾ THỪA"]
    assert lineage_sheet(path) == "KẾ THỪA"
    workbook["KẾ THỪA"].title = "Ke thua"
    workbook.save(path)
    assert lineage_sheet(path) == "Ke thua"
    workbook["Ke thua"].title = "Kế hoạch"
    workbook.save(path)
    assert lineage_sheet(path) is None


def test_not_a_workbook_has_no_sheets(tmp_path):
    csv = tmp_path / "so-lieu.csv"
    csv.write_text("Năm\n", encoding="utf-8")
    broken = tmp_path / "hong.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really")
    assert sheet_names(csv) == [] and sheet_names(broken) == [] and lineage_sheet(broken) is None


def test_it_imports_no_pandas():
    script = "import sys, khuyenhoc.sheets; print('pandas' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.strip() == "False"
