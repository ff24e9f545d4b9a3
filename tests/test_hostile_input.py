"""Whatever arrives from commune offices: every case loads right or is a DataValidationError at a row and column."""

from __future__ import annotations

import math
import unicodedata

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

from khuyenhoc.cli import main
from khuyenhoc.errors import DataValidationError, InputFileError
from khuyenhoc.i18n import column_header
from khuyenhoc.sample import bac_kan_sample, to_csv_text
from khuyenhoc.schema import CANONICAL as ALL_COLUMNS, OPTIONAL_COLUMNS
from khuyenhoc.table import load_table

BASE = bac_kan_sample()
BASE = BASE[BASE["year"] == 2013].reset_index(drop=True)
CANONICAL = [c for c in ALL_COLUMNS if c not in OPTIONAL_COLUMNS]  # the columns the bundled sample has
HEADERS = [column_header(c, "vi") for c in BASE.columns]
FIRST_ROW, LAST_ROW = 2, 1 + len(BASE)

vietnamese = st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ ĐÀ", max_size=30)
hostile_values = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from([0.0, -0.0, math.nan, math.inf, -math.inf, 1e300, 12.5, 3.0]),
    st.sampled_from(["", " ", "\u00a0", "\u00a09\u00a0123\u00a0", "  9 123 ", "-0", "1e400", "٣", "１２３", "9.123.", "NaN", "inf"]),
    vietnamese.map(lambda t: unicodedata.normalize("NFD", t)),
    st.text(max_size=40),
    st.text(min_size=300, max_size=2000),
)


def _cell(value):
    """A frame value as an Excel cell: missing values are empty cells."""
    return None if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)) else value


def _check(load):
    """Load; a DataValidationError must point at a data row and a known column; nothing else may escape."""
    try:
        table = load()
    except DataValidationError as error:
        problems = error.problems
        assert len(problems) > 0
        for problem in problems.itertuples():
            assert problem.rule and problem.message
            if problem.rule not in ("missing_column", "duplicate_column"):
                assert FIRST_ROW <= problem.row <= LAST_ROW, problem
                assert problem.column in HEADERS, problem
        return None
    assert len(table.frame) == len(BASE)
    return table


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, len(BASE) - 1), st.sampled_from(CANONICAL), hostile_values), min_size=1, max_size=5))
def test_hostile_cells_in_csv(tmp_path, edits):
    frame = BASE.astype(object).copy()
    for row, column, value in edits:
        # A bare CR is written unquoted by CSV writers: the file then really has a line break there.
        frame.at[row, column] = value.replace("\r", "\n") if isinstance(value, str) else value
    path = tmp_path / "hostile.csv"
    path.write_text(to_csv_text(frame), encoding="utf-8")
    table = _check(lambda: load_table(path))
    if table is not None:  # text was normalised: NFC, trimmed
        for name in table.frame["unit_name"]:
            assert name == unicodedata.normalize("NFC", name).strip()


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, len(BASE) - 1), st.sampled_from(CANONICAL), hostile_values), min_size=1, max_size=5))
@example(edits=[(3, "members", "=B2+1"), (1, "year", "=0")])  # text pasted with a leading "=" becomes a formula
@example(edits=[(2, "members", "=")])  # a lone "=" stays text
def test_hostile_cells_in_xlsx(tmp_path, edits):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    rows = [[_cell(v) for v in record] for record in BASE.astype(object).itertuples(index=False)]
    for row, column, value in edits:
        if isinstance(value, str):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if isinstance(value, int) and abs(value) > 2**53:
            value = str(value)  # Excel cannot hold it as a number; people paste it as text
        rows[row][CANONICAL.index(column)] = value
    for record in rows:
        sheet.append(record)
    path = tmp_path / "hostile.xlsx"
    workbook.save(path)
    # openpyxl stores a text beginning with "=" (not "=" alone) as a formula with no saved value: the reader names the
    # first such cell.
    formulas = [(number, column) for number, record in enumerate(rows, start=FIRST_ROW) for column, value in enumerate(record)
                if isinstance(value, str) and len(value) > 1 and value.startswith("=")]
    if not formulas:
        _check(lambda: load_table(path))
        return
    with pytest.raises(InputFileError) as caught:
        load_table(path)
    number, column = formulas[0]
    assert f"{get_column_letter(column + 1)}{number} " in caught.value.reason
    assert f"{number}, " in caught.value.reason and HEADERS[column] in caught.value.reason


def _xlsx(path, rows, merge: str | None = None):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for record in rows:
        sheet.append(record)
    if merge:
        sheet.merge_cells(merge)
    workbook.save(path)
    return path


def test_odd_workbook_title_merged_blank_rows_columns_and_totals(tmp_path):
    data = [[_cell(v) for v in r] for r in BASE.astype(object).itertuples(index=False)]
    rows = [["BÁO CÁO SỐ LIỆU KHUYẾN HỌC NĂM 2013"], [], [None, *HEADERS]]  # title merged across, blank row, blank first column
    for record in data[:4]:
        rows.append([None, *record])
    rows.append([])  # a blank row in the middle
    for record in data[4:]:
        rows.append([None, *record])
    rows.append([None, None, None, "Tổng cộng", None, None, 9123, None, None, None, None, 288, 13649, 343380000])
    path = _xlsx(tmp_path / "odd.xlsx", rows, merge="A1:N1")
    table = load_table(path)
    assert table.frame["members"].sum() == 9123
    assert list(table.frame.index[:2]) == [4, 5], "row numbers as the spreadsheet shows them"
    assert "skipped_total_row" in set(table.warnings["rule"])


def test_a_two_row_merged_header_is_reported_not_guessed(tmp_path):
    rows = [["Năm", "Đơn vị", None, "Số liệu"], ["", "Mã", "Tên", "Hội viên"], [2013, "a", "A", 5]]
    with pytest.raises((InputFileError, DataValidationError)) as caught:
        load_table(_xlsx(tmp_path / "two-row.xlsx", rows, merge="B1:C1"))
    text = str(caught.value)
    assert "tiêu đề" in text or "Thiếu cột" in text or "lỗi" in text


@pytest.mark.parametrize(
    ("argv", "code"),
    [
        (["validate", "/nonexistent/so-lieu.csv"], 1),
        (["validate"], 2),
        (["indicators", "--year", "abc"], 2),
        (["indicators", "--year", "1990"], 1),
        (["run", "--jobs", "0"], 2),
        (["run", "--data", "/nonexistent.csv", "--out", "/tmp/x"], 1),
        (["sample", "--units", "3", "--years", "x", "--out", "a.csv"], 2),
        (["nonsense"], 2),
    ],
)
def test_the_command_line_never_shows_a_traceback(argv, code, capsys):
    assert main(argv) == code
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
