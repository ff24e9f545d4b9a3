"""load_table: the validated yearly table, CSV and XLSX alike, its errors, and the file left untouched."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from khuyenhoc.errors import PROBLEM_COLUMNS, DataValidationError, InputFileError, KhuyenhocError
from khuyenhoc.i18n import column_header
from khuyenhoc.vnnumbers import NumberError, parse_integer
from khuyenhoc.paths import SAMPLE_DATA
from khuyenhoc.sample import to_csv_text
from khuyenhoc.schema import CANONICAL, COUNT_COLUMNS as ALL_COUNTS, INTEGER_COLUMNS, OPTIONAL_COLUMNS

COUNT_COLUMNS = [c for c in ALL_COUNTS if c not in OPTIONAL_COLUMNS]  # the counts the bundled sample has
from khuyenhoc.table import YearlyTable, load_table, origin_path, table_from_frame

LEVELS = {"phường": "commune", "xã": "commune", "thị xã": "district"}


def vi(column: str) -> str:
    return column_header(column, "vi")


def expected_frame(sample: pd.DataFrame, first_row: int = 2) -> pd.DataFrame:
    """What loading the sample must give: Int64 counts, commune/district levels, spreadsheet row numbers."""
    frame = sample.copy()
    for column in OPTIONAL_COLUMNS:  # not in the file: blank (not reported) once loaded
        frame[column] = pd.array([pd.NA] * len(frame), dtype="Int64")
    for column in INTEGER_COLUMNS:
        frame[column] = frame[column].astype("Int64")
    for column in ["unit_id", "unit_name", "note", "parent_id"]:
        frame[column] = frame[column].astype(object)
    frame["level"] = frame["level"].map(LEVELS).astype(object)
    frame["parent_id"] = frame["parent_id"].where(frame["parent_id"].notna(), None)
    frame.index = pd.RangeIndex(first_row, first_row + len(frame), name="row")
    return frame


def write_xlsx(path: Path, frame: pd.DataFrame, sheet: str = "Số liệu", as_float: bool = False, before: tuple = ()) -> Path:
    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    for row in before:
        worksheet.append(list(row))
    worksheet.append([vi(c) for c in frame.columns])
    for row in frame.itertuples(index=False):
        cells = []
        for column, value in zip(frame.columns, row, strict=True):
            if pd.isna(value):
                value = None
            elif isinstance(value, str) or not float(value).is_integer():
                pass
            elif column in INTEGER_COLUMNS and as_float:
                value = float(value)  # how many tools store every number cell
            elif column in INTEGER_COLUMNS:
                value = int(value)
            cells.append(value)
        worksheet.append(cells)
    workbook.save(path)
    return path


def test_the_bundled_sample_loads(sample_table, sample_frame):
    assert isinstance(sample_table, YearlyTable)
    pd.testing.assert_frame_equal(sample_table.frame, expected_frame(sample_frame))
    assert sample_table.years == [2009, 2010, 2011, 2012, 2013]
    assert sample_table.illustrative and not sample_table.synthetic
    assert sample_table.source == str(SAMPLE_DATA)
    assert sample_table.checksum == "sha256:" + hashlib.sha256(SAMPLE_DATA.read_bytes()).hexdigest()
    assert sample_table.origin == json.loads(origin_path(SAMPLE_DATA).read_text(encoding="utf-8"))
    assert sample_table.warnings.empty
    assert list(sample_table.warnings.columns) == PROBLEM_COLUMNS


def test_units_lists_the_district_last(sample_table):
    units = sample_table.units(2013)
    assert len(units) == 9
    assert units.iloc[-1].to_dict() == {"unit_id": "thi-hoi", "unit_name": "Hội Khuyến học thị xã Bắc Kạn", "level": "district"}
    assert list(units["unit_id"][:-1]) == sorted(units["unit_id"][:-1])


def test_csv_and_xlsx_load_to_the_same_frame(tmp_path, write_csv, sample_frame):
    from_csv = load_table(write_csv(sample_frame)).frame
    from_xlsx = load_table(write_xlsx(tmp_path / "data.xlsx", sample_frame)).frame
    pd.testing.assert_frame_equal(from_csv, expected_frame(sample_frame))
    pd.testing.assert_frame_equal(from_xlsx, from_csv)


def test_xlsx_written_by_pandas_round_trips(tmp_path, write_csv, sample_frame):
    path = tmp_path / "pandas.xlsx"
    sample_frame.rename(columns=vi).to_excel(path, index=False, sheet_name="Số liệu")
    pd.testing.assert_frame_equal(load_table(path).frame, load_table(write_csv(sample_frame)).frame)


def test_excel_integral_float_cells_load_as_integers(tmp_path, sample_frame):
    table = load_table(write_xlsx(tmp_path / "floats.xlsx", sample_frame, as_float=True))
    pd.testing.assert_frame_equal(table.frame, expected_frame(sample_frame))
    assert table.frame.at[2, "fund_vnd"] == 45_168_000


def test_xlsx_fractional_and_negative_numbers_are_problems(tmp_path, sample_frame):
    frame = sample_frame.astype(object)
    frame.loc[3, "training_classes"] = 12.5
    frame.loc[4, "members"] = -10
    frame.loc[5, "fund_vnd"] = "12.000.000 đồng"  # text cells in a workbook are parsed like CSV
    path = write_xlsx(tmp_path / "bad.xlsx", frame, before=[("Báo cáo năm 2009",)])
    with pytest.raises(DataValidationError) as caught:
        load_table(path)
    problems = caught.value.problems
    assert problems[["row", "column", "value", "rule"]].to_dict("records") == [
        {"row": 6, "column": "Số lớp", "value": 12.5, "rule": "fractional"},
        {"row": 7, "column": "Số hội viên", "value": -10, "rule": "non_negative"},
    ]


def test_xlsx_named_sheet_and_unknown_sheet(tmp_path, sample_frame):
    path = write_xlsx(tmp_path / "sheets.xlsx", sample_frame.iloc[:9], sheet="Năm 2009")
    workbook = openpyxl.load_workbook(path)
    guide = workbook.create_sheet("Hướng dẫn", 0)  # the first sheet is not the data
    guide.append(["Điền số liệu vào trang Năm 2009"])
    workbook.save(path)
    assert load_table(path, sheet="Năm 2009").frame["unit_id"].tolist()[:2] == ["duc-xuan", "song-cau"]
    with pytest.raises(InputFileError) as caught:
        load_table(path, sheet="Năm 2010", lang="en")
    assert caught.value.reason == "there is no sheet 'Năm 2010' (there are: Hướng dẫn, Năm 2009)"
    assert isinstance(caught.value, KhuyenhocError)


def _fingerprint(path: Path) -> tuple[bytes, int, int]:
    status = path.stat()
    return path.read_bytes(), status.st_mtime_ns, status.st_mode


@pytest.mark.parametrize("kind", ["valid csv", "invalid csv", "valid xlsx", "invalid xlsx"])
def test_load_table_never_modifies_the_file(tmp_path, sample_frame, kind):
    frame = sample_frame.astype(object)
    if kind.startswith("invalid"):
        frame.loc[0, "members"] = "không rõ"
    path = tmp_path / ("data.xlsx" if kind.endswith("xlsx") else "data.csv")
    if path.suffix == ".xlsx":
        write_xlsx(path, frame)
    else:
        path.write_bytes(b"\xef\xbb\xbf" + to_csv_text(frame, sep=";").replace("\n", "\r\n").encode())
    os.utime(path, ns=(1_000_000_000_000_000_000, 1_000_000_000_000_000_000))  # a fixed, old mtime
    before = _fingerprint(path)
    listing = sorted(tmp_path.iterdir())
    if kind.startswith("invalid"):
        with pytest.raises(DataValidationError):
            load_table(path)
    else:
        load_table(path)
    assert _fingerprint(path) == before
    assert sorted(tmp_path.iterdir()) == listing  # no lock, temporary or backup file left beside it


def test_validation_error_carries_a_problems_frame(write_csv, sample_frame):
    frame = sample_frame.astype(object)
    frame.loc[0, "members"] = "x"
    frame.loc[1, "members"] = "y"
    path = write_csv(frame)
    with pytest.raises(DataValidationError) as caught:
        load_table(path, lang="en")
    error = caught.value
    assert isinstance(error, KhuyenhocError)
    assert isinstance(error.problems, pd.DataFrame)
    assert list(error.problems.columns) == ["file", "row", "column", "value", "rule", "message"]
    assert list(error.problems.index) == [0, 1]
    assert error.problems["file"].tolist() == [str(path)] * 2
    assert error.problems["row"].tolist() == [2, 3]
    assert error.lang == "en"
    assert str(error) == "2 problem(s) in the data (first: row 2, column Số hội viên: Must be a whole number (for example 9.123 or 343.380.000))"


def test_unsupported_language_is_refused(write_csv, sample_frame):
    with pytest.raises(ValueError, match="unsupported language"):
        load_table(write_csv(sample_frame), lang="fr")


def test_table_from_frame_matches_the_file(write_csv, sample_frame):
    from_frame = table_from_frame(sample_frame.rename(columns=vi), source="memory")
    pd.testing.assert_frame_equal(from_frame.frame, load_table(write_csv(sample_frame)).frame)
    assert from_frame.source == "memory"
    english = table_from_frame(sample_frame)
    pd.testing.assert_frame_equal(english.frame, from_frame.frame)


def test_table_from_frame_reports_problems_like_a_file(sample_frame):
    frame = sample_frame.drop(columns="level").astype(object)
    frame.loc[2, "members"] = "12,5"
    with pytest.raises(DataValidationError) as caught:
        table_from_frame(frame, source="memory")
    assert caught.value.problems[["file", "row", "column", "rule"]].to_records(index=False).tolist() == [
        ("memory", 1, "Cấp", "missing_column"), ("memory", 4, "members", "fractional")]


def test_table_from_frame_matches_headers_like_a_file(sample_frame):
    frame = sample_frame.rename(columns=vi)
    frame.insert(0, "STT", range(1, len(frame) + 1))
    frame["Hội viên"] = frame[vi("members")]
    with pytest.raises(DataValidationError) as caught:
        table_from_frame(frame, lang="en")
    assert caught.value.problems[["row", "column", "rule"]].to_records(index=False).tolist() == [(1, "Hội viên", "duplicate_column")]
    table = table_from_frame(frame.drop(columns="Hội viên"))
    assert table.warnings[["row", "column", "rule"]].to_records(index=False).tolist() == [(1, "STT", "ignored_column")]
    assert "STT" not in table.frame.columns


def test_a_header_only_file_is_an_error_not_an_empty_table(write_csv, sample_frame):
    path = write_csv(sample_frame.iloc[:0])
    with pytest.raises(InputFileError, match="không có dòng số liệu nào"):
        load_table(path)


def test_a_damaged_origin_record_is_a_clear_error(write_csv, sample_frame):
    path = write_csv(sample_frame, name="mine.csv")
    origin_path(path).write_text("{not json", encoding="utf-8")
    with pytest.raises(InputFileError, match="nguồn gốc"):
        load_table(path)


def test_origin_record_beside_the_file_is_read(write_csv, sample_frame):
    sample_frame["note"] = None
    path = write_csv(sample_frame, name="mine.csv")
    assert not load_table(path).illustrative
    origin_path(path).write_text(json.dumps({"illustrative": True, "title": "thử"}), encoding="utf-8")
    table = load_table(path)
    assert table.illustrative and table.origin["title"] == "thử"


# --- generated tables: the right values, or problems that point at a row and a column --------------

GOOD_WRITINGS = st.sampled_from(["{n}", "{dots}", "{spaces}", "{dots}đ", "{dots} đồng", "{n} VND", " {n} "])
BAD_WRITINGS = st.sampled_from(["", "-{n}", "{n},5", "{n}.5", "{n} người", "?", "1.2.3"])


def _dots(number: int) -> str:
    return f"{number:,}".replace(",", ".")


@st.composite
def edited_tables(draw):
    """The 2012-2013 rows of the sample with some count cells rewritten, well or badly."""
    edits = draw(st.lists(
        st.tuples(st.integers(0, 17), st.sampled_from(COUNT_COLUMNS), st.integers(0, 5_000_000), st.booleans(),
                  GOOD_WRITINGS, BAD_WRITINGS),
        max_size=6, unique_by=lambda e: (e[0], e[1]),
    ))
    sep = draw(st.sampled_from([",", ";"]))
    title_rows = draw(st.integers(0, 2))
    return edits, sep, title_rows


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edited_tables())
def test_generated_tables_load_right_or_point_at_row_and_column(tmp_path, sample_frame, case):
    edits, sep, title_rows = case
    frame = sample_frame[sample_frame["year"] >= 2012].reset_index(drop=True).astype(object)
    for position, column, number, good, good_writing, bad_writing in edits:
        writing = good_writing if good else bad_writing
        frame.loc[position, column] = writing.format(n=number, dots=_dots(number), spaces=f"{number:,}".replace(",", " "))
    path = tmp_path / "generated.csv"
    path.write_text("Báo cáo\n" * title_rows + to_csv_text(frame, sep=sep), encoding="utf-8")
    first_row = title_rows + 2
    headers = {vi(c) for c in CANONICAL}
    try:
        table = load_table(path)
    except DataValidationError as error:
        problems = error.problems
        assert len(problems)
        assert problems["row"].between(first_row, first_row + len(frame) - 1).all()
        assert set(problems["column"]) <= headers
        reported = set(zip(problems["row"], problems["column"], strict=True))
        for position, column, *_ in edits:  # every unreadable count is among the problems
            try:
                parse_integer(frame.at[position, column])
            except NumberError:
                assert (first_row + position, vi(column)) in reported
    else:
        for position in range(len(frame)):
            for column in COUNT_COLUMNS:
                written = frame.at[position, column]
                expected = parse_integer(written)
                actual = table.frame.at[first_row + position, column]
                assert (pd.isna(actual) and expected is None) or actual == expected


# --- illustrative and synthetic come from the origin record, never from words in a note -----------


@pytest.mark.parametrize("note", ["Sáp nhập thêm thôn của xã Minh Hòa", "Số liệu minh hoạ", "dữ liệu giả lập một phần", "illustrative"])
def test_words_in_a_note_never_mark_real_data(write_csv, sample_frame, note):
    sample_frame["note"] = note
    path = write_csv(sample_frame, name="that.csv")
    table = load_table(path)
    assert (table.illustrative, table.synthetic) == (False, False)
    assert table.notes() == []
    assert (table_from_frame(sample_frame).illustrative, table_from_frame(sample_frame).synthetic) == (False, False)


def test_the_origin_record_decides_even_against_the_marker_note(write_csv, sample_frame):
    """The sample writer's exact marker only stands in when there is no origin record to say."""
    path = write_csv(sample_frame, name="copy.csv")
    assert load_table(path).illustrative  # every row carries the writer's marker, no origin record
    origin_path(path).write_text(json.dumps({"illustrative": False}), encoding="utf-8")
    assert not load_table(path).illustrative
    sample_frame["note"] = None
    assert table_from_frame(sample_frame, origin={"illustrative": True}).illustrative
    assert table_from_frame(sample_frame, origin={"synthetic": True}).synthetic
    assert not table_from_frame(sample_frame).illustrative


def test_bundled_and_generated_samples_are_flagged_by_their_origin_records(tmp_path, capsys):
    from khuyenhoc.cli import main

    frame = pd.read_csv(SAMPLE_DATA, dtype=str, keep_default_na=False)
    frame[vi("note")] = "Sáp nhập thêm thôn của xã Minh Hòa"  # no marker left in the rows: only the record speaks
    copy = tmp_path / "bac-kan.csv"
    frame.to_csv(copy, index=False)
    origin_path(copy).write_bytes(origin_path(SAMPLE_DATA).read_bytes())
    assert load_table(copy).illustrative and not load_table(copy).synthetic

    out = tmp_path / "lon.csv"
    assert main(["sample", "--units", "3", "--years", "2020-2021", "--out", str(out)]) == 0
    written = pd.read_csv(out, dtype=str, keep_default_na=False)
    written[vi("note")] = ""
    written.to_csv(out, index=False)
    table = load_table(out)
    assert table.synthetic and not table.illustrative
