"""Helpers for the collection tests: fill in a pre-filled unit workbook the way commune staff would."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from khuyenhoc.commune_workbooks import HEADER_ROW, INPUT_ROW, KEYS, REFERENCE_ROW
from khuyenhoc.schema import canonical_column


def fill(path: Path, dest: Path | None = None, **values: object) -> Path:
    """Copy last year's figures into the row to fill in, then write ``values`` (canonical name -> cell value)."""
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.worksheets[0]
    for column in range(1, sheet.max_column + 1):
        name = canonical_column(sheet.cell(HEADER_ROW, column).value)
        if name not in KEYS and name != "note":
            sheet.cell(INPUT_ROW, column).value = sheet.cell(REFERENCE_ROW, column).value
        if name in values:
            sheet.cell(INPUT_ROW, column).value = values[name]
    dest = dest or path
    dest.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(dest)
    return dest


def letter_of(path: Path, name: str) -> str:
    """The column letter of a canonical column in a unit workbook."""
    sheet = openpyxl.load_workbook(path, read_only=True).worksheets[0]
    for cell in next(sheet.iter_rows(min_row=HEADER_ROW, max_row=HEADER_ROW)):
        if canonical_column(cell.value) == name:
            return cell.column_letter
    raise KeyError(name)
