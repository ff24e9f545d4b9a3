"""Reading files into raw cells: encodings, delimiters, the header row, spreadsheet row numbers."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
import unicodedata
import warnings
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl
import pandas as pd
import pytest

from khuyenhoc.errors import InputFileError
from khuyenhoc.i18n import column_header, text
from khuyenhoc.reader import read_raw
from khuyenhoc.sample import to_csv_text
from khuyenhoc.schema import CANONICAL as ALL_COLUMNS, OPTIONAL_COLUMNS

CANONICAL = [c for c in ALL_COLUMNS if c not in OPTIONAL_COLUMNS]  # the columns the bundled sample has


def vi(column: str) -> str:
    return column_header(column, "vi")


@pytest.fixture
def csv_text(sample_frame) -> str:
    return to_csv_text(sample_frame)


TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"  # grave, acute, tilde, hook above, dot below


def cp1258(content: str) -> bytes:
    """Windows-1258 as Vietnamese Windows software writes it: base letters precomposed, tone marks combining."""
    out = bytearray()
    for char in unicodedata.normalize("NFC", content):
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", char)  # e.g. ộ: o, dot below, circumflex
            tones = "".join(c for c in parts[1:] if c in TONE_MARKS)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONE_MARKS))  # ô
            out += (base + tones).encode("cp1258")
    return bytes(out)


def write_bytes(tmp_path: Path, data: bytes, name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def write_xlsx(path: Path, rows: list[list[object]], sheets: dict[str, list[list[object]]] | None = None, first: str = "Số liệu") -> Path:
    workbook = openpyxl.Workbook()
    workbook.active.title = first
    for row in rows:
        workbook.active.append(row)
    for name, other in (sheets or {}).items():
        sheet = workbook.create_sheet(name)
        for row in other:
            sheet.append(row)
    workbook.save(path)
    return path


def csv_row(csv_text: str, **cells: object) -> str:
    """A CSV line lined up with ``csv_text``'s header: ``cells`` by canonical name, the rest blank."""
    header = csv_text.split("\n", 1)[0].split(",")
    written = {vi(name): str(value) for name, value in cells.items()}
    return ",".join(written.get(h, "") for h in header)


ENGLISH_GROUPED = {"year": 2012, "unit_id": "duc-xuan", "unit_name": "Phường Đức Xuân", "level": "phường", "population": "9,190", "members": "1,730",
                       "baccalaureate_families": 150, "bachelor_families": 30, "clans_registered": 1, "clans_recognised": 1, "training_classes": 40,
                       "training_participants": 1800, "fund_vnd": 45000000}


def frame_rows(frame: pd.DataFrame) -> list[list[object]]:
    header = [vi(c) for c in frame.columns]
    body = [[None if pd.isna(v) else v for v in row] for row in frame.itertuples(index=False)]
    return [header, *body]


def test_plain_csv_keeps_spreadsheet_row_numbers_and_written_headers(write_csv, sample_frame):
    path = write_csv(sample_frame)
    raw = read_raw(path)
    assert raw.header_row == 1
    assert list(raw.frame.index) == list(range(2, 2 + len(sample_frame)))
    assert raw.frame.index.name == "row"
    assert list(raw.frame.columns) == CANONICAL
    assert raw.headers == {c: vi(c) for c in CANONICAL}
    assert raw.frame.at[2, "members"] == str(sample_frame.at[0, "members"])
    assert raw.frame.at[2, "unit_name"] == "Phường Đức Xuân"
    assert raw.checksum == "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
    assert raw.notes == [] and raw.problems == []


def test_title_rows_above_the_header_shift_the_row_numbers(tmp_path, csv_text):
    path = write_bytes(tmp_path, ("HỘI KHUYẾN HỌC THỊ XÃ BẮC KẠN,,\nSố liệu năm 2009–2013\n\n" + csv_text).encode())
    raw = read_raw(path)
    assert raw.header_row == 4
    assert raw.frame.index[0] == 5
    assert raw.frame.at[5, "unit_id"] == "duc-xuan"


def test_a_quoted_line_break_in_a_title_is_one_spreadsheet_row(tmp_path, csv_text):
    path = write_bytes(tmp_path, ('"Báo cáo tổng kết\nnăm 2013",,\n' + csv_text).encode())
    raw = read_raw(path)
    assert raw.header_row == 2
    assert raw.frame.index[0] == 3
    assert len(raw.frame) == 45


@pytest.mark.parametrize("separator", ["\x0c", "\u2028", "\x1c", "\x85"])
def test_only_real_line_ends_end_a_row(tmp_path, csv_text, separator):
    """Python's str.splitlines also splits on these; the CSV parser does not, and row numbers must agree."""
    path = write_bytes(tmp_path, (f"Báo cáo{separator}2013\n" + csv_text).encode())
    raw = read_raw(path)
    assert raw.header_row == 2
    assert len(raw.frame) == 45
    assert raw.frame.at[3, "unit_id"] == "duc-xuan"


@pytest.mark.parametrize(
    ("name", "encode"),
    [
        ("utf-8", lambda t: t.encode("utf-8")),
        ("utf-8 with BOM", lambda t: t.encode("utf-8-sig")),
        ("utf-16 with BOM", lambda t: t.encode("utf-16")),
        ("windows-1258", cp1258),
        ("CRLF", lambda t: t.replace("\n", "\r\n").encode()),
        ("CR only", lambda t: t.replace("\n", "\r").encode()),
        ("NFD text", lambda t: unicodedata.normalize("NFD", t).encode()),
    ],
)
def test_encodings_and_line_ends(tmp_path, sample_frame, name, encode):
    path = write_bytes(tmp_path, encode(to_csv_text(sample_frame.iloc[:9])))
    raw = read_raw(path)
    assert list(raw.frame.columns) == CANONICAL, name
    assert list(raw.frame.index) == list(range(2, 11))
    assert unicodedata.normalize("NFC", raw.frame.at[2, "unit_name"]) == "Phường Đức Xuân"
    assert raw.headers["fund_vnd"] == vi("fund_vnd")  # NFC, whatever the file used


@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_delimiters(write_csv, sample_frame, sep):
    raw = read_raw(write_csv(sample_frame, sep=sep))
    assert list(raw.frame.columns) == CANONICAL
    assert raw.frame.at[46, "fund_vnd"] == "35235000"


def test_semicolon_csv_with_comma_decimals_keeps_the_cells_whole(tmp_path):
    header = ";".join(vi(c) for c in ["year", "unit_id", "unit_name", "level", "population", "members", "baccalaureate_families",
                                      "bachelor_families", "clans_registered", "clans_recognised", "training_classes",
                                      "training_participants", "fund_vnd"])
    row = "2013;duc-xuan;Phường Đức Xuân;phường;9.300;1.500;12,5;30;1;1;40;1.800;45.000.000đ"
    raw = read_raw(write_bytes(tmp_path, f"\ufeff{header}\n{row}\n".encode()))
    assert raw.frame.at[2, "baccalaureate_families"] == "12,5"
    assert raw.frame.at[2, "fund_vnd"] == "45.000.000đ"


def test_header_matching_ignores_case_diacritics_and_spaces(tmp_path, sample_frame):
    odd = dict(zip(["year", "unit_id", "unit_name", "level", "population", "members", "baccalaureate_families", "bachelor_families",
                    "clans_registered", "clans_recognised", "training_classes", "training_participants", "fund_vnd", "note"],
                   ["  NĂM ", "ma don vi", "TÊN ĐƠN VỊ", "cap", "Dân  Số", "hoi vien", "GIA DINH TU TAI", "gia đình cử nhân ",
                    "dong ho dang ky", "Dòng Họ Đạt Chuẩn", "lop tap huan", "LUOT NGUOI THAM GIA", "quy khuyen hoc (dong)", "ghi chu"],
                   strict=True))
    written = [odd.get(c, vi(c)) for c in sample_frame.columns]
    body = to_csv_text(sample_frame).split("\n", 1)[1]
    raw = read_raw(write_bytes(tmp_path, (",".join(written) + "\n" + body).encode()))
    assert list(raw.headers) == CANONICAL
    assert raw.headers["year"] == "NĂM"  # as written, trimmed
    assert raw.headers["population"] == "Dân  Số"
    assert raw.headers["training_classes"] == "lop tap huan"


def test_english_canonical_headers_are_accepted(tmp_path, sample_frame):
    path = write_bytes(tmp_path, sample_frame.to_csv(index=False).encode())
    raw = read_raw(path)
    assert raw.headers == {c: c for c in CANONICAL}


def test_unknown_columns_are_noted_and_dropped(tmp_path, csv_text):
    lines = csv_text.splitlines()
    content = "\n".join([lines[0] + ",Người lập biểu,"] + [line + ",Lan," for line in lines[1:]]) + "\n"
    raw = read_raw(write_bytes(tmp_path, content.encode()))
    assert raw.notes == [{"row": 1, "column": "Người lập biểu", "value": "Người lập biểu", "rule": "ignored_column"}]
    assert list(raw.frame.columns) == CANONICAL


def test_duplicate_and_missing_columns_are_structural_problems(tmp_path, sample_frame):
    frame = sample_frame.drop(columns=["population", "level"]).rename(columns=vi)
    frame.insert(3, "Hội viên", frame[vi("members")])  # the same column twice, under two of its names
    raw = read_raw(write_bytes(tmp_path, frame.to_csv(index=False).encode()))
    duplicate = [p for p in raw.problems if p["rule"] == "duplicate_column"]
    missing = [p for p in raw.problems if p["rule"] == "missing_column"]
    assert duplicate == [{"row": 1, "column": vi("members"), "value": vi("members"), "rule": "duplicate_column", "header": vi("members")}]
    assert sorted(p["column"] for p in missing) == ["Cấp", "Dân số"]
    assert all(p["row"] == 1 for p in missing)
    assert raw.headers["members"] == "Hội viên"  # the first of the two is kept
    assert "level" not in raw.frame.columns


def test_blank_rows_are_dropped_without_renumbering(tmp_path, sample_frame):
    lines = to_csv_text(sample_frame.iloc[:3]).splitlines()
    content = "\n".join([lines[0], lines[1], "", ",,,  ,,,,,,,,,,", lines[2], lines[3]]) + "\n"
    raw = read_raw(write_bytes(tmp_path, content.encode()))
    assert list(raw.frame.index) == [2, 5, 6]
    assert list(raw.frame["unit_id"]) == ["duc-xuan", "song-cau", "phung-chi-kien"]


@pytest.mark.parametrize("label", ["Tổng cộng", "TỔNG SỐ", "Cộng", "Total", "tong cong toan thi xa"])
def test_totals_row_is_skipped_with_a_note(tmp_path, csv_text, label):
    content = csv_text + csv_row(csv_text, unit_name=label, population=45600, members=9123, baccalaureate_families=854,
                                 bachelor_families=257, clans_registered=6, clans_recognised=6, training_classes=288,
                                 training_participants=13649, fund_vnd=343380000) + "\n"
    raw = read_raw(write_bytes(tmp_path, content.encode()))
    assert len(raw.frame) == 45
    assert 47 not in raw.frame.index
    assert raw.notes == [{"row": 47, "column": vi("unit_name"), "value": label, "rule": "skipped_total_row"}]


def test_a_row_missing_its_keys_but_not_a_total_is_kept(tmp_path, csv_text):
    content = csv_text + csv_row(csv_text, unit_name="Phường Mới", level="phường", population=100, members=10, baccalaureate_families=1,
                                 bachelor_families=1, clans_registered=0, clans_recognised=0, training_classes=0,
                                 training_participants=0, fund_vnd=0) + "\n"
    raw = read_raw(write_bytes(tmp_path, content.encode()))
    assert raw.frame.at[47, "unit_name"] == "Phường Mới"
    assert raw.notes == []


def test_blank_fields_beyond_the_header_are_harmless(tmp_path, csv_text, sample_frame):
    """Excel writes `a,b,c,,` when cells right of the table were once touched: nothing shifts, nothing is lost."""
    lines = csv_text.splitlines()
    lines[1] += ",,  ,"
    lines[5] += ","
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        raw = read_raw(write_bytes(tmp_path, ("\n".join(lines) + "\n").encode()))
    assert raw.frame.at[2, "note"].startswith("Số liệu minh hoạ")
    assert raw.frame.at[6, "fund_vnd"] == str(sample_frame.at[4, "fund_vnd"])
    assert len(raw.frame) == 45



@pytest.mark.parametrize("where", [1, 20])
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_row_with_more_fields_than_the_header_is_refused_not_shifted(tmp_path, csv_text, where, lang):
    """`9,190` typed in a comma CSV splits a number in two: first data row or lower, the row is named."""
    lines = csv_text.splitlines()
    width = len(lines[0].split(","))
    lines[where] = csv_row(csv_text, **ENGLISH_GROUPED)
    path = write_bytes(tmp_path, ("\n".join(lines) + "\n").encode())
    with pytest.raises(InputFileError) as caught:
        read_raw(path, lang=lang)
    reason = caught.value.reason
    assert reason == text("error.field_count", lang, row=where + 1, fields=width + 2, header=width) + text("error.field_count_comma", lang)
    assert "9.190" in reason and '"9,190"' in reason
    assert "Expected" not in reason and "tokeniz" not in reason.lower()


def test_short_rows_and_every_misfit_are_named(tmp_path, csv_text):
    lines = csv_text.splitlines()
    width = len(lines[0].split(","))
    lines[3] = csv_row(csv_text, year=2009, unit_id="song-cau", members=12)
    lines[3] = lines[3][: lines[3].index(",12,") + 3]  # the row stops after the members: later cells would move left
    lines[7] = lines[9] = csv_row(csv_text, **ENGLISH_GROUPED)
    content = "\n".join(lines).replace(",", ";") + "\n"
    with pytest.raises(InputFileError) as caught:
        read_raw(write_bytes(tmp_path, content.encode()), lang="en")
    short = lines[3].count(",") + 1
    assert short < width
    assert caught.value.reason == (text("error.field_count", "en", row=4, fields=short, header=width)
                                   + " " + text("error.field_count_more", "en", count=2, rows="8, 10"))


def test_a_quoted_comma_number_is_one_field(tmp_path, csv_text):
    lines = csv_text.splitlines()
    lines[1] = csv_row(csv_text, **dict(ENGLISH_GROUPED, population='"9,190"', members='"1,730"'))
    raw = read_raw(write_bytes(tmp_path, ("\n".join(lines) + "\n").encode()))
    assert (raw.frame.at[2, "population"], raw.frame.at[2, "members"]) == ("9,190", "1,730")


def test_header_only_file_gives_an_empty_frame(tmp_path, csv_text):
    raw = read_raw(write_bytes(tmp_path, csv_text.splitlines()[0].encode()))
    assert raw.frame.empty
    assert list(raw.frame.columns) == CANONICAL


@pytest.mark.parametrize(
    ("content", "key"),
    [
        (b"", "error.file_empty"),
        (b"  \n\r\n\t", "error.file_empty"),
        (b"a,b,c\n1,2,3\n", "error.no_header"),
        ("Năm,Tên\n2013,x\n".encode(), "error.no_header"),  # two known headers are not enough
        (bytes(range(256)) * 4, "error.encoding"),
    ],
)
def test_unreadable_csv_is_an_input_file_error(tmp_path, content, key):
    with pytest.raises(InputFileError) as caught:
        read_raw(write_bytes(tmp_path, content))
    assert caught.value.reason == text(key, "vi")


def test_missing_file_directory_and_xls(tmp_path):
    with pytest.raises(InputFileError) as caught:
        read_raw(tmp_path / "none.csv")
    assert caught.value.reason == text("error.file_missing")
    assert caught.value.path == str(tmp_path / "none.csv")
    with pytest.raises(InputFileError):
        read_raw(tmp_path)
    with pytest.raises(InputFileError) as caught:
        read_raw(write_bytes(tmp_path, b"\xd0\xcf\x11\xe0 old excel", "old.xls"))
    assert caught.value.reason == text("error.bad_format")


def test_header_must_be_in_the_first_30_rows(tmp_path, csv_text):
    with pytest.raises(InputFileError) as caught:
        read_raw(write_bytes(tmp_path, ("tiêu đề\n" * 30 + csv_text).encode()))
    assert caught.value.reason == text("error.no_header")
    assert read_raw(write_bytes(tmp_path, ("tiêu đề\n" * 29 + csv_text).encode())).header_row == 30


@pytest.mark.parametrize("name", ["data.csv", "data.xlsx", "data"])
def test_a_zip_that_is_not_a_workbook_is_a_bad_format(tmp_path, name):
    path = tmp_path / name
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    with pytest.raises(InputFileError) as caught:
        read_raw(path, lang="en")
    assert caught.value.reason == text("error.bad_format", "en")


def test_a_truncated_workbook_is_a_bad_format(tmp_path, sample_frame):
    path = write_xlsx(tmp_path / "full.xlsx", frame_rows(sample_frame))
    broken = write_bytes(tmp_path, path.read_bytes()[:2000], "broken.xlsx")
    with pytest.raises(InputFileError) as caught:
        read_raw(broken)
    assert caught.value.reason == text("error.bad_format")


def test_xlsx_with_title_rows_and_an_offset_header(tmp_path, sample_frame):
    rows = [[None, None, *row] for row in frame_rows(sample_frame.iloc[:9])]
    path = write_xlsx(tmp_path / "data.xlsx", [["BÁO CÁO SỐ LIỆU KHUYẾN HỌC"], [], *rows])
    raw = read_raw(path)
    assert raw.header_row == 3
    assert list(raw.frame.index) == list(range(4, 13))
    assert raw.frame.at[4, "members"] == sample_frame.at[0, "members"]  # a number cell stays a number
    assert raw.frame.at[12, "population"] is None


def test_xlsx_reads_the_first_sheet_unless_one_is_named(tmp_path, sample_frame):
    good = frame_rows(sample_frame.iloc[:2])
    path = write_xlsx(tmp_path / "two.xlsx", [["Hướng dẫn nhập liệu"]], sheets={"Số liệu 2013": good}, first="Hướng dẫn")
    with pytest.raises(InputFileError) as caught:
        read_raw(path)
    assert caught.value.reason == text("error.no_header")
    raw = read_raw(path, sheet="Số liệu 2013")
    assert list(raw.frame["unit_id"]) == ["duc-xuan", "song-cau"]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_unknown_sheet_names_the_sheets_there_are(tmp_path, sample_frame, lang):
    path = write_xlsx(tmp_path / "data.xlsx", frame_rows(sample_frame.iloc[:2]), sheets={"Ghi chú": []})
    with pytest.raises(InputFileError) as caught:
        read_raw(path, sheet="Số liệu 2014", lang=lang)
    assert caught.value.reason == text("error.no_sheet", lang, sheet="Số liệu 2014", sheets="Số liệu, Ghi chú")


def test_empty_workbook_is_empty(tmp_path):
    path = write_xlsx(tmp_path / "empty.xlsx", [])
    with pytest.raises(InputFileError) as caught:
        read_raw(path)
    assert caught.value.reason == text("error.file_empty")


def test_workbook_named_csv_is_read_as_a_workbook(tmp_path, sample_frame):
    path = write_xlsx(tmp_path / "really-a-workbook.csv", frame_rows(sample_frame.iloc[:3]))
    raw = read_raw(path)
    assert list(raw.frame["unit_id"]) == ["duc-xuan", "song-cau", "phung-chi-kien"]


def test_headers_written_by_the_english_catalogue_read_back(tmp_path, sample_frame):
    from khuyenhoc.i18n import column_header
    from khuyenhoc.reader import read_raw

    path = tmp_path / "english.csv"
    sample_frame.rename(columns={c: column_header(c, "en") for c in sample_frame.columns}).to_csv(path, index=False)
    raw = read_raw(path)
    assert raw.problems == []
    assert raw.headers["unit_id"] == "Unit ID" and raw.headers["fund_vnd"] == "Fund (VND)"


def test_a_missing_column_is_named_by_its_vietnamese_header(tmp_path, sample_frame):
    from khuyenhoc.reader import read_raw

    path = tmp_path / "missing.csv"
    sample_frame.drop(columns=["members", "fund_vnd"]).to_csv(path, index=False)
    named = sorted(p["column"] for p in read_raw(path).problems if p["rule"] == "missing_column")
    assert named == ["Quỹ khuyến học (đồng)", "Số hội viên"]


def test_a_note_row_starting_with_cong_dong_is_not_a_totals_row(tmp_path, sample_frame):
    from khuyenhoc.reader import read_raw

    path = tmp_path / "notes.csv"
    content = to_csv_text(sample_frame.iloc[:2])
    content += csv_row(content, unit_name="Cộng đồng học tập") + "\n" + csv_row(content, unit_name="Tổng cộng:") + "\n"
    path.write_text(content, encoding="utf-8")
    raw = read_raw(path)
    assert [n["row"] for n in raw.notes if n["rule"] == "skipped_total_row"] == [5]
    assert 4 in raw.frame.index


# --- workbooks: only the contract's columns are read; formulas without saved values are named ---------


def _xml_cell(reference: str, value: object) -> str:
    if isinstance(value, str) and value.startswith("="):
        return f"<c r=\"{reference}\"><f>{escape(value[1:])}</f></c>"
    if isinstance(value, tuple):  # (formula, saved value)
        return f"<c r=\"{reference}\"><f>{escape(value[0][1:])}</f><v>{value[1]}</v></c>"
    if isinstance(value, str):
        return f"<c r=\"{reference}\" t=\"inlineStr\"><is><t>{escape(value)}</t></is></c>"
    return f"<c r=\"{reference}\"><v>{value}</v></c>"


def handmade_xlsx(path: Path, rows, far_cells: int = 0) -> Path:
    """A workbook whose sheet XML is written here: ``rows`` (None cells left out), then ``far_cells``
    rows holding a single cell in column XFD, the last one a spreadsheet has. Streamed, so cheap."""
    from openpyxl.utils import get_column_letter

    skeleton = io.BytesIO()
    openpyxl.Workbook().save(skeleton)
    with zipfile.ZipFile(skeleton) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename != "xl/worksheets/sheet1.xml":
                target.writestr(item, source.read(item))
                continue
            with target.open(item.filename, "w") as sheet:
                sheet.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
                number = 0
                for number, row in enumerate(rows, start=1):
                    cells = "".join(_xml_cell(f"{get_column_letter(i + 1)}{number}", v) for i, v in enumerate(row) if v is not None)
                    sheet.write(f"<row r=\"{number}\">{cells}<c r=\"XFD{number}\"><v>1</v></c></row>".encode())
                for extra in range(number + 1, number + 1 + far_cells):
                    sheet.write(f"<row r=\"{extra}\"><c r=\"XFD{extra}\"><v>1</v></c></row>".encode())
                sheet.write(b"</sheetData></worksheet>")
    return path


MEMORY_PROBE = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (1_500_000_000, 1_500_000_000))  # the old reader would take the machine
from khuyenhoc.reader import read_raw
raw = read_raw(sys.argv[1])
# VmHWM, not ru_maxrss: Linux carries the parent's peak (pytest's, hundreds of MB) into ru_maxrss across exec
peak_kb = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(len(raw.frame), int(raw.frame["members"].sum()), peak_kb // 1024)
"""


@pytest.mark.slow  # 100.000 rows written and read in a child process: a memory bound, not a fast check
def test_a_workbook_with_cells_in_column_xfd_is_read_in_bounded_memory(tmp_path, sample_frame):
    """100k rows each with a cell in XFD: the reader keeps only the contract's columns (a bound, not a timing)."""
    path = handmade_xlsx(tmp_path / "xfd.xlsx", frame_rows(sample_frame), far_cells=100_000)
    assert path.stat().st_size < 10_000_000
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MALLOC_ARENA_MAX": "2"}
    result = subprocess.run([sys.executable, "-c", MEMORY_PROBE, str(path)], capture_output=True, text=True, timeout=600, env=env, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    rows, members, peak_mb = map(int, result.stdout.split())
    assert (rows, members) == (len(sample_frame), int(sample_frame["members"].sum()))
    assert peak_mb < 300


def test_blank_rows_between_workbook_rows_keep_their_numbers(tmp_path, sample_frame):
    rows = frame_rows(sample_frame.iloc[:3])
    path = handmade_xlsx(tmp_path / "gaps.xlsx", [rows[0], rows[1], [None], [" "], rows[2], rows[3]])
    raw = read_raw(path)
    assert list(raw.frame.index) == [2, 5, 6]
    assert list(raw.frame["unit_id"]) == ["duc-xuan", "song-cau", "phung-chi-kien"]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_formula_without_a_saved_value_is_named_not_read_as_empty(tmp_path, sample_frame, lang):
    rows = frame_rows(sample_frame.iloc[:4])
    members = rows[0].index(vi("members"))
    rows[3][members] = "=F2+F3"  # written by a program that does not calculate: no saved value
    numbers = sum(isinstance(v, int) for v in rows[4])
    rows[4] = [f"={i}" if isinstance(v, int) else v for i, v in enumerate(rows[4])]  # a whole row of them: not a blank row
    path = handmade_xlsx(tmp_path / "formulas.xlsx", rows)
    with pytest.raises(InputFileError) as caught:
        read_raw(path, lang=lang)
    column = chr(ord("A") + members)
    expected = text("error.formula_no_value", lang, cell=f"{column}4", row=4, column=vi("members"), formula="=F2+F3",
                    more=text("error.formula_more", lang, count=numbers))
    assert caught.value.reason == expected
    assert "LibreOffice" in expected


def test_formulas_with_saved_values_and_validation_rules_read_their_values(tmp_path, sample_frame):
    rows = frame_rows(sample_frame.iloc[:2])
    members = rows[0].index(vi("members"))
    rows[1][members] = ("=1000+234", 1234)
    raw = read_raw(handmade_xlsx(tmp_path / "saved.xlsx", rows))
    assert raw.frame.at[2, "members"] == 1234


@pytest.mark.parametrize("name", ["mat-khau.xlsx", "cu.xls", "khong-duoi"])
def test_a_password_protected_workbook_is_named_as_such(tmp_path, name):
    """Excel stores a workbook with a password (and an old .xls) as an OLE2 compound file: say so, not "CSV or XLSX only"."""
    with pytest.raises(InputFileError) as caught:
        read_raw(write_bytes(tmp_path, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1024, name))
    assert caught.value.reason == text("error.encrypted_or_xls")
    assert "mật khẩu" in caught.value.reason


def test_the_position_of_each_column_is_kept(tmp_path, sample_frame):
    path = tmp_path / "x.xlsx"
    frame = sample_frame.rename(columns={"note": "Ghi chú"})
    frame.insert(0, "STT", range(1, len(frame) + 1))
    frame.to_excel(path, index=False)
    raw = read_raw(path)
    assert raw.positions["year"] == 1 and raw.positions["unit_id"] == 2 and "STT" not in raw.positions


def test_a_csv_the_package_wrote_reads_back_as_it_was(tmp_path, sample_frame):
    """CSV writers put ' before text that would start a formula (OWASP); the reader takes it off again, so a unit id
    '-song-cau' or a name '+Phường Đức Xuân' in a merged or exported CSV still validates as written; other quotes stay."""
    from khuyenhoc.excel_export import write_csv
    from khuyenhoc.table import load_table

    frame = sample_frame[sample_frame["year"] == 2013].copy()
    frame.loc[frame["unit_id"] == "song-cau", "unit_id"] = "-song-cau"
    frame.loc[frame["unit_id"] == "duc-xuan", "unit_name"] = "+Phường Đức Xuân"
    frame.loc[frame["unit_id"] == "xuat-hoa", "unit_name"] = "'Xuất Hóa"  # a quote someone typed: kept
    path = write_csv(frame, tmp_path / "x.csv")
    assert "'-song-cau" in path.read_text(encoding="utf-8-sig")
    names = load_table(path).frame.set_index("unit_id")["unit_name"]
    assert "-song-cau" in names.index and names["duc-xuan"] == "+Phường Đức Xuân" and names["xuat-hoa"] == "'Xuất Hóa"


def test_a_sheet_is_found_in_the_workbook_by_its_name():
    """The worksheet's XML part, read from the workbook's own index (openpyxl's private path is not used)."""
    import io

    import openpyxl

    from khuyenhoc.reader import _sheet_part

    book = openpyxl.Workbook()
    book.active.title = "Đầu"
    book.create_sheet("Số liệu")["A1"] = "=1+1"
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    assert _sheet_part(data, "Số liệu") == "xl/worksheets/sheet2.xml"
    assert _sheet_part(data, "Đầu") == "xl/worksheets/sheet1.xml"
    assert _sheet_part(data, "không có") is None
    assert _sheet_part(b"not a zip", "Số liệu") is None
