"""The tables of the yearly report as an Excel workbook (annual_summary.xlsx) for staff who re-use them:
one sheet per table, headers in the report's language, numbers stored as numbers with #,##0 formats."""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from khuyenhoc.excel_export import DECIMAL_FORMAT, INTEGER_FORMAT, cell_text, store_as_text
from khuyenhoc.fsutil import atomic_write_bytes
from khuyenhoc.i18n import text
from khuyenhoc.reports.tables import Kind, ReportTable, mergers_table, report_tables

if TYPE_CHECKING:
    from khuyenhoc.reports.annual import AnnualSummary

SHEET_NAME_MAX = 31  # Excel's limit
NUMBER_FORMATS = {Kind.TEXT: "@", Kind.COUNT: INTEGER_FORMAT, Kind.CHANGE: f"+{INTEGER_FORMAT};-{INTEGER_FORMAT};0", Kind.DECIMAL: DECIMAL_FORMAT,
                  Kind.DECIMAL_CHANGE: f"+{DECIMAL_FORMAT};-{DECIMAL_FORMAT};0.0"}


def _sheet(workbook: Workbook, table: ReportTable, name: str, notes: list[str]) -> None:
    """Header in row 1 (so filters and pivot tables work), one row per unit, the total, then the notes."""
    sheet = workbook.create_sheet(name[:SHEET_NAME_MAX])
    sheet.append([column.header for column in table.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    for row in (*table.rows, *((table.total,) if table.total else ())):
        sheet.append([cell_text(value) for value in row])
    for index, column in enumerate(table.columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = 8 if index == 1 else 34 if index == 2 else 16
        if column.kind is Kind.TEXT:
            continue
        for (cell,) in sheet.iter_rows(min_row=2, max_row=sheet.max_row, min_col=index, max_col=index):
            cell.number_format = NUMBER_FORMATS[column.kind]
    if table.total:
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
    sheet.freeze_panes = "C2"
    lines = [table.title, *([table.unit_note] if table.unit_note else []), *notes]
    sheet.append([])
    for line in lines:
        sheet.append([None, cell_text(line)])
    store_as_text(sheet)


def to_xlsx(summary: AnnualSummary) -> bytes:
    """The workbook's bytes."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    notes = summary.analysis.notes(summary.lang)
    merged = mergers_table(summary)  # with a lineage table: which units merged into which this year
    for table in [*report_tables(summary), *([merged] if merged is not None else [])]:
        _sheet(workbook, table, text(f"word.workbook_sheet_{table.key}", summary.lang), notes)
    workbook.properties.title = cell_text(summary.title)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def save_xlsx(summary: AnnualSummary, path: str | Path) -> Path:
    """Write the workbook to ``path`` atomically (whole or not at all)."""
    return atomic_write_bytes(path, to_xlsx(summary))
