"""Tables for spreadsheets: Excel workbooks with numbers as numbers, and CSV that Excel opens in UTF-8."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from khuyenhoc.fsutil import atomic_write_bytes
from khuyenhoc.i18n import DEFAULT_LANG, indicator_label, text, measure_name
from khuyenhoc.indicators import REGISTRY
from khuyenhoc.safetext import csv_quoted, xml_safe

CSV_ENCODING = "utf-8-sig"  # the byte-order mark tells Excel the file is UTF-8 (diacritics intact)
INTEGER_FORMAT = "#,##0"  # Excel shows the grouping of the reader's own settings (9.123 on a Vietnamese system)
DECIMAL_FORMAT = "#,##0.0"
MAX_WIDTH = 60



def cell_text(value: object) -> object:
    """A value as put into a workbook cell: text without the characters XML cannot hold; anything else as it is."""
    return xml_safe(value) if isinstance(value, str) else value


def store_as_text(sheet: Worksheet) -> Worksheet:
    """Every text cell of ``sheet`` stored as text (data type ``s``), never a formula: a unit name such as
    ``=HYPERLINK(…)`` is shown as written. Every workbook writer calls it last (nothing the package writes is a formula)."""
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    return sheet


def csv_cell(value: object) -> object:
    """A text cell for a CSV file opened in a spreadsheet program (:func:`khuyenhoc.safetext.csv_quoted`)."""
    return csv_quoted(value)


def _cells_mapped(frame: pd.DataFrame, change) -> pd.DataFrame:
    """``frame`` with ``change`` applied to every value of its non-numeric columns (object columns stay object:
    9123 is not turned into 9123.0 beside a blank)."""
    changed = frame.copy()
    for position in range(frame.shape[1]):
        values = frame.iloc[:, position]
        if not pd.api.types.is_numeric_dtype(values):
            changed.isetitem(position, pd.Series([change(v) for v in values.tolist()], index=frame.index, dtype=object))
    return changed


def _csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    safe = _cells_mapped(frame, csv_cell)
    safe.columns = [csv_cell(str(c)) for c in frame.columns]
    return safe


def indicator_sheet(values: dict[str, int | float | None], lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """One row per indicator, with headers in ``lang``: id, label, value (a number; blank where
    undefined) and unit of measure."""
    return pd.DataFrame({
        text("col.id", lang): list(values),
        text("col.indicator", lang): [indicator_label(key, lang) for key in values],
        text("col.value", lang): pd.Series([pd.NA if v is None else v for v in values.values()], dtype=object),
        text("col.unit", lang): [measure_name(REGISTRY[key].measure, lang) for key in values],
    })


def csv_text(frame: pd.DataFrame) -> str:
    """``frame`` as CSV text starting with a byte-order mark (write it as UTF-8), so Excel reads the
    diacritics right; other readers (pandas, LibreOffice) skip the mark. Text that would start a formula gets a
    leading ``'`` (:func:`csv_cell`)."""
    return "\ufeff" + _csv_safe(frame).to_csv(index=False, lineterminator="\n")


def write_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` as CSV (UTF-8 with a byte-order mark), whole or not at all."""
    return atomic_write_bytes(path, csv_text(frame).encode("utf-8"))


def _format(series: pd.Series) -> str | None:
    if pd.api.types.is_integer_dtype(series):
        return INTEGER_FORMAT
    if pd.api.types.is_float_dtype(series):
        return DECIMAL_FORMAT
    return None  # text, or counts and rates mixed in one column: Excel's own display


def _cell_format(value: object) -> str | None:
    """A cell's format in a column of mixed values: whole numbers grouped, fractions to one decimal."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return INTEGER_FORMAT if isinstance(value, int) or float(value).is_integer() else DECIMAL_FORMAT


def export_excel(frame: pd.DataFrame, path: str | Path, sheet_name: str = "khuyenhoc", index: bool | None = None) -> Path:
    """Write ``frame`` to an .xlsx workbook, whole or not at all: numbers stay numbers (Excel can sum
    them), missing values are blank cells, headers bold, the first row frozen. A frame with a
    meaningful index (a pivot) keeps it as the first columns; ``index`` forces either way."""
    if index is None:
        index = not isinstance(frame.index, pd.RangeIndex)
    sheet = frame.reset_index() if index else frame.reset_index(drop=True)
    sheet = _cells_mapped(sheet, cell_text)
    sheet.columns = [xml_safe(str(c)) for c in sheet.columns]
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        sheet.to_excel(writer, sheet_name=sheet_name[:31], index=False)
        cells = writer.sheets[sheet_name[:31]]
        store_as_text(cells)
        cells.freeze_panes = "A2"
        for position, column in enumerate(sheet.columns, start=1):
            cells.cell(row=1, column=position).font = Font(bold=True)
            shown = sheet[column].astype(str)
            width = max([len(column), *shown.str.len().tolist()]) if len(sheet) else len(column)
            cells.column_dimensions[get_column_letter(position)].width = min(MAX_WIDTH, width + 2)
            number_format = _format(sheet[column])
            for row, value in enumerate(sheet[column].tolist(), start=2):
                shown_as = number_format or _cell_format(value)
                if shown_as:
                    cells.cell(row=row, column=position).number_format = shown_as
    return atomic_write_bytes(path, buffer.getvalue())
