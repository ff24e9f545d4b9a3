"""Read a CSV or XLSX file into raw cells: find the header row, match headers, keep row numbers."""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from khuyenhoc.errors import InputFileError
from khuyenhoc.fsutil import sha256_checksum
from khuyenhoc.i18n import DEFAULT_LANG, column_header, text
from khuyenhoc.safetext import csv_unquoted
from khuyenhoc.schema import COLUMNS, canonical_column, fold
from khuyenhoc.sheets import EXCEL_SUFFIXES

# what a damaged or foreign workbook can raise while openpyxl opens or streams it (a broken zip,
# missing parts, malformed XML: ElementTree's ParseError is a SyntaxError), besides openpyxl's own
# InvalidFileException (added where openpyxl is imported: see _unreadable)
UNREADABLE = (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, OSError, ValueError, TypeError, SyntaxError, EOFError)

HEADER_SCAN_ROWS = 30
MIN_HEADER_MATCHES = 3
DELIMITERS = (",", ";", "\t")
TOTAL_LABELS = {"tong", "cong", "tong cong", "tong so", "total", "totals", "grand total"}
TOTAL_PREFIXES = ("tong cong", "tong so", "total")
FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")  # a cell formula in worksheet XML (not <formula1> of a validation)
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # compound file: encrypted Office files and .xls
MISFITS_LISTED = 10  # rows named after the first one whose field count is wrong
Recognise = Callable[[object], "str | None"]  # a header cell -> the canonical column it names (None: not one of ours)


@dataclass
class RawTable:
    """Cells as read, before typing. The index is the row number a spreadsheet shows."""

    path: Path
    frame: pd.DataFrame  # canonical columns that were found, object values
    headers: dict[str, str]  # canonical name -> header as written in the file
    header_row: int
    checksum: str
    notes: list[dict] = field(default_factory=list)  # {"row", "column", "value", "rule"}
    problems: list[dict] = field(default_factory=list)  # structural problems (missing columns)
    positions: dict[str, int] = field(default_factory=dict)  # canonical name -> its column's position in the sheet (0 = A)


def missing_columns(headers: dict[str, str], header_row: int) -> list[dict]:
    """A problem for each required column that no header matched."""
    return [
        {"row": header_row, "column": column_header(spec.name, "vi"), "value": "", "rule": "missing_column", "header": column_header(spec.name, "vi")}
        for spec in COLUMNS
        if spec.required and spec.name not in headers
    ]


def _decode(path: Path, data: bytes, lang: str, recognise: Recognise = canonical_column) -> str:
    """Decode CSV bytes: BOMs first, then UTF-8, then Vietnamese Windows (cp1258)."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as error:
                raise InputFileError(path, text("error.encoding", lang)) from error
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    decoded = unicodedata.normalize("NFC", data.decode("cp1258", errors="replace"))
    if "\ufffd" in decoded or _locate_header(decoded, recognise) is None:
        raise InputFileError(path, text("error.encoding", lang))
    return decoded


def _head_rows(content: str, delimiter: str) -> list[list[str]]:
    """The first records as the CSV parser will count them (quoted line breaks stay inside a cell;
    only \\n, \\r\\n and \\r end a record, never form feeds or Unicode line separators)."""
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=delimiter)
    try:
        return list(itertools.islice(reader, HEADER_SCAN_ROWS))
    except csv.Error:
        return []


def _locate_header(content: str, recognise: Recognise = canonical_column) -> tuple[str, int, list[str]] | None:
    """(delimiter, header position, header cells): the first delimiter whose rows show a header."""
    for delimiter in DELIMITERS:
        rows = _head_rows(content, delimiter)
        position = _find_header(rows, recognise)
        if position is not None:
            return delimiter, position, rows[position]
    return None


def _find_header(rows: list[list[object]], recognise: Recognise = canonical_column) -> int | None:
    """Position of the first row naming at least three known columns."""
    for position, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        if sum(recognise(cell) is not None for cell in row if cell is not None) >= MIN_HEADER_MATCHES:
            return position
    return None


def _fits(record: list[str], width: int, named: int) -> bool:
    """Whether a record lines up with a header of ``width`` fields whose last named cell is at ``named``.

    Extra fields are harmless when blank (Excel writes ``a,b,c,,``); a shorter record only when it
    still reaches the last named header, or is blank all through (an empty line).
    """
    if len(record) > width:
        return not any(cell.strip() for cell in record[width:])
    return len(record) >= named or not any(cell.strip() for cell in record)


def _field_count_error(path: Path, misfits: list[tuple[int, int]], width: int, delimiter: str, lang: str) -> InputFileError:
    """One message naming the first row whose field count differs from the header's, and the others."""
    row, fields = misfits[0]
    reason = text("error.field_count", lang, row=row, fields=fields, header=width)
    if len(misfits) > 1:
        others = ", ".join(str(r) for r, _ in misfits[1 : 1 + MISFITS_LISTED]) + ("…" if len(misfits) > 1 + MISFITS_LISTED else "")
        reason += " " + text("error.field_count_more", lang, count=len(misfits) - 1, rows=others)
    if delimiter == ",":
        reason += text("error.field_count_comma", lang)
    return InputFileError(path, reason)


def _read_csv(path: Path, data: bytes, lang: str, recognise: Recognise = canonical_column) -> tuple[list[object], int, pd.DataFrame]:
    """Read the rows below the header; a row whose field count differs from the header's is
    refused, never shifted or cut. The fields are counted by the parser that found the header (so
    row numbers agree); pandas' faster parser then reads the cells, and must find as many rows."""
    content = _decode(path, data, lang, recognise)
    located = _locate_header(content, recognise)
    if located is None:
        raise InputFileError(path, text("error.no_header", lang))
    delimiter, position, header = located
    width = len(header)
    named = max((i + 1 for i, cell in enumerate(header) if cell.strip()), default=width)
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=delimiter)
    try:
        counts = []
        misfits = []
        for number, record in enumerate(itertools.islice(reader, position + 1, None), start=position + 2):
            counts.append(len(record))
            if len(record) != width and not _fits(record, width, named):
                misfits.append((number, len(record)))
    except csv.Error as error:
        raise InputFileError(path, f"{text('error.bad_format', lang)}: {error}") from error
    if misfits:
        raise _field_count_error(path, misfits, width, delimiter, lang)
    body = _cells(content, delimiter, position, width, counts)
    body.index = pd.RangeIndex(position + 2, position + 2 + len(body), name="row")
    return header, position, body


def _cells(content: str, delimiter: str, position: int, width: int, counts: list[int]) -> pd.DataFrame:
    """The body's cells as text, ``width`` columns (blank extra fields dropped, short blank rows padded)."""
    try:
        body = pd.read_csv(io.StringIO(content), sep=delimiter, header=None, names=list(range(max(counts, default=width) or width)),
                           skiprows=position + 1, dtype=str, keep_default_na=False, skip_blank_lines=False, index_col=False, engine="c")
    except (pd.errors.ParserError, ValueError):
        body = None
    if body is None or len(body) != len(counts):  # the two parsers disagree on an odd file: keep the one that counted
        records = itertools.islice(csv.reader(io.StringIO(content, newline=""), delimiter=delimiter), position + 1, None)
        rows = [r if len(r) == width else (r + [""] * width)[:width] for r in records]
        return pd.DataFrame(rows, columns=range(width), dtype=object)
    return body.iloc[:, :width].reindex(columns=range(width))


def _read_excel(path: Path, data: bytes, sheet: str | None, lang: str,
                recognise: Recognise = canonical_column) -> tuple[list[object], int, pd.DataFrame]:
    """Read the workbook from the bytes already in memory (the file is opened once, whatever its name).

    Only the columns up to the last one the contract knows are read, and only rows with something
    in them are kept (indexed by their row number), so a stray cell in column XFD costs nothing.
    """
    import openpyxl

    unreadable = _unreadable()
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except unreadable as error:
        raise InputFileError(path, text("error.bad_format", lang)) from error
    try:
        worksheet = _worksheet(path, workbook, sheet, lang)
        worksheet.reset_dimensions()
        head = [list(row) for row in itertools.islice(worksheet.iter_rows(min_row=1, values_only=True), HEADER_SCAN_ROWS)]
        position = _find_header(head, recognise)
        if position is None:
            raise InputFileError(path, text("error.no_header", lang) if head else text("error.file_empty", lang))
        header = head[position]
        known = [i for i, cell in enumerate(header) if recognise(cell) is not None]
        width = known[-1] + 1
        numbers, rows = [], []
        for number, row in enumerate(worksheet.iter_rows(min_row=position + 2, max_col=width, values_only=True), start=position + 2):
            if any(cell is not None and not (isinstance(cell, str) and not cell.strip()) for cell in row):
                numbers.append(number)
                rows.append(row)
    except unreadable as error:
        raise InputFileError(path, text("error.bad_format", lang)) from error
    finally:
        workbook.close()
    body = pd.DataFrame(rows, columns=range(width), index=pd.Index(numbers, name="row", dtype="int64"), dtype=object)
    _refuse_unsaved_formulas(path, data, worksheet, position, header, known, body, lang)
    return header, position, body


def _unreadable() -> tuple[type[BaseException], ...]:
    from openpyxl.utils.exceptions import InvalidFileException

    return (*UNREADABLE, InvalidFileException)


def _worksheet(path: Path, workbook: object, sheet: str | None, lang: str) -> object:
    """The named sheet, or the first; a clear error for an unknown name, no sheets or a chart sheet."""
    if sheet is not None and sheet not in workbook.sheetnames:
        raise InputFileError(path, text("error.no_sheet", lang, sheet=sheet, sheets=", ".join(workbook.sheetnames)))
    if not workbook.worksheets:
        raise InputFileError(path, text("error.file_empty", lang))
    worksheet = workbook[sheet] if sheet is not None else workbook.worksheets[0]
    if not hasattr(worksheet, "iter_rows"):  # a chart sheet holds no cells
        raise InputFileError(path, text("error.no_header", lang))
    return worksheet


def _sheet_part(data: bytes, title: str) -> str | None:
    """The path inside the workbook's zip of the worksheet named ``title`` (from the workbook's XML and its
    relationships, as the Office Open XML standard lays them out); None when it cannot be told."""
    from xml.etree import ElementTree

    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    relation = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
            links = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
            names = set(archive.namelist())
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError):
        return None
    ids = [sheet.get(relation) for sheet in book.iter(f"{main}sheet") if sheet.get("name") == title]
    targets = [link.get("Target", "") for link in links if ids and link.get("Id") == ids[0]]
    if not targets:
        return None
    part = targets[0].lstrip("/") if targets[0].startswith("/") else f"xl/{targets[0]}"
    return part if part in names else None


def _has_formulas(data: bytes, part: str | None) -> bool:
    """Whether a worksheet's XML holds a formula element (``<f>``); scanned without parsing it."""
    if part is None:
        return True
    with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open(part) as stream:
        tail = b""
        while chunk := stream.read(1 << 20):
            if FORMULA_TAG.search(tail + chunk):
                return True
            tail = chunk[-16:]
    return False


def _refuse_unsaved_formulas(path: Path, data: bytes, worksheet: object, position: int, header: list[object],
                             known: list[int], body: pd.DataFrame, lang: str) -> None:
    """A formula cell with no saved value reads as empty: name it and say how to store the values.

    Only a sheet whose XML holds formulas is read a second time, with formulas instead of values.
    """
    import openpyxl
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

    if not _has_formulas(data, _sheet_part(data, worksheet.title)):
        return
    unreadable = _unreadable()
    unsaved = []
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except unreadable as error:
        raise InputFileError(path, text("error.bad_format", lang)) from error
    try:
        formulas = workbook[worksheet.title]
        formulas.reset_dimensions()
        rows = formulas.iter_rows(min_row=position + 2, max_col=known[-1] + 1, values_only=True)
        for number, row in enumerate(rows, start=position + 2):
            for column in known:
                cell = row[column]
                is_formula = isinstance(cell, ArrayFormula | DataTableFormula) or (isinstance(cell, str) and cell.startswith("="))
                if is_formula and (number not in body.index or body.at[number, column] is None):
                    unsaved.append((number, column, getattr(cell, "text", cell)))
    except unreadable as error:
        raise InputFileError(path, text("error.bad_format", lang)) from error
    finally:
        workbook.close()
    if unsaved:
        number, column, formula = unsaved[0]
        more = text("error.formula_more", lang, count=len(unsaved) - 1) if len(unsaved) > 1 else ""
        raise InputFileError(path, text("error.formula_no_value", lang, cell=f"{get_column_letter(column + 1)}{number}", row=number,
                                        column=str(header[column]).strip(), formula=formula, more=more))


def _blank_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """True where a cell is empty, None, NaN or only spaces.

    Each column is factorised first, so a text is looked at once however often it repeats.
    """
    blank = {}
    for name in frame.columns:
        codes, distinct = pd.factorize(frame[name], use_na_sentinel=True)
        distinct_blank = np.fromiter((isinstance(v, str) and not v.strip() for v in distinct), dtype=bool, count=len(distinct))
        blank[name] = np.where(codes < 0, True, distinct_blank[codes] if len(distinct) else False)
    return pd.DataFrame(blank, index=frame.index, columns=frame.columns, dtype=bool)


def read_raw(path: str | Path, sheet: str | None = None, lang: str = DEFAULT_LANG) -> RawTable:
    """Read ``path`` (CSV or XLSX) into a :class:`RawTable`; never modifies the file."""
    path = Path(path)
    header, position, body, checksum = read_cells(path, sheet, lang)
    keep, headers, notes, problems = match_headers(header, position + 1)
    frame = body[list(keep)].rename(columns=keep)
    frame = _drop_blank_and_total_rows(frame, headers, notes)
    positions = {name: column for column, name in keep.items()}
    return RawTable(path, frame, headers, position + 1, checksum, notes, problems, positions)


def read_cells(path: Path, sheet: str | None = None, lang: str = DEFAULT_LANG,
               recognise: Recognise = canonical_column) -> tuple[list[object], int, pd.DataFrame, str]:
    """(header cells, header position, body cells indexed by row number, checksum) of a CSV or XLSX file, its header
    being the first row where ``recognise`` knows three cells (the data's columns by default; the lineage table has its own)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError as error:
        raise InputFileError(path, text("error.file_missing", lang)) from error
    except (IsADirectoryError, PermissionError, OSError) as error:
        raise InputFileError(path, f"{text('error.bad_format', lang)}: {error.strerror or error}") from error
    if not data.strip():
        raise InputFileError(path, text("error.file_empty", lang))
    if data[:8] == OLE2_MAGIC:  # a password-protected .xlsx is an encrypted OLE2 container, as is an old .xls
        raise InputFileError(path, text("error.encrypted_or_xls", lang))
    if path.suffix.lower() == ".xls":
        raise InputFileError(path, text("error.bad_format", lang))
    is_excel = path.suffix.lower() in EXCEL_SUFFIXES or data[:4] == b"PK\x03\x04"
    if is_excel:
        header, position, body = _read_excel(path, data, sheet, lang, recognise)
    else:
        header, position, body = _read_csv(path, data, lang, recognise)
        body = _unquoted(body)
    return header, position, body, sha256_checksum(data)


def _unquoted(body: pd.DataFrame) -> pd.DataFrame:
    """CSV cells with the ``'`` our CSV writers put before text that would start a formula, taken off again."""
    for name in body.columns:
        values = body[name]
        if not (values.dtype == object or pd.api.types.is_string_dtype(values)):  # a padded column of nothing
            continue
        quoted = values.str.startswith("'", na=False).astype(bool)  # vectorised: big files
        if quoted.any():
            body[name] = values.mask(quoted, values[quoted].map(csv_unquoted))
    return body


def match_headers(cells: list[object], header_row: int) -> tuple[dict[int, str], dict[str, str], list[dict], list[dict]]:
    """Match a header row's cells to canonical columns.

    Returns (canonical name by cell position, header as written by canonical name, notes for
    ignored columns, problems for duplicate and missing columns).
    """
    headers: dict[str, str] = {}
    notes: list[dict] = []
    problems: list[dict] = []
    keep: dict[int, str] = {}
    for column_position, cell in enumerate(cells):
        written = "" if cell is None else unicodedata.normalize("NFC", str(cell)).strip()
        name = canonical_column(written)
        if name is None:
            if written:
                notes.append({"row": header_row, "column": written, "value": written, "rule": "ignored_column"})
            continue
        if name in headers:
            problems.append({"row": header_row, "column": written, "value": written, "rule": "duplicate_column", "header": written})
            continue
        headers[name] = written
        keep[column_position] = name
    problems += missing_columns(headers, header_row)
    return keep, headers, notes, problems


def _is_total_label(label: str) -> bool:
    """'Tổng cộng', 'Tổng số:', 'Cộng', 'Total' — but not 'Cộng đồng …'."""
    folded = fold(label).rstrip(" :.")
    return folded in TOTAL_LABELS or folded.startswith(TOTAL_PREFIXES)


def _drop_blank_and_total_rows(frame: pd.DataFrame, headers: dict[str, str], notes: list[dict]) -> pd.DataFrame:
    """Drop fully blank rows; drop a totals row (no year or unit id, labelled 'Tổng cộng') with a note."""
    if frame.empty:
        return frame
    key_columns = [c for c in ("year", "unit_id") if c in frame.columns]
    # only rows without a year and a unit id can be blank or totals: look at the others' cells no further
    keyless = _blank_cells(frame[key_columns]).all(axis=1) if key_columns else pd.Series(True, index=frame.index)
    candidates = frame[keyless.to_numpy()]
    if candidates.empty:
        return frame
    blank = _blank_cells(candidates)
    empty_rows = blank.index[blank.all(axis=1).to_numpy()]
    totals = []
    if key_columns:
        for row, cells in candidates.drop(index=empty_rows).iterrows():
            labels = [v for v in cells if isinstance(v, str) and v.strip()]
            if any(_is_total_label(label) for label in labels):
                notes.append({"row": int(row), "column": headers.get("unit_name", ""), "value": labels[0], "rule": "skipped_total_row"})
                totals.append(row)
    return frame.drop(index=[*empty_rows, *totals])
