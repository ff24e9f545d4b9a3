"""Which sheets an XLSX workbook has, read from its index with the standard library only (no pandas, no openpyxl)."""

from __future__ import annotations

import unicodedata
import zipfile
from pathlib import Path
from xml.etree import ElementTree

EXCEL_SUFFIXES = (".xlsx", ".xlsm")
LINEAGE_SHEET = "Kế thừa"  # the sheet of a data workbook that holds its lineage table
_LINEAGE_NAMES = {"kế thừa", "ke thua"}  # any case; with or without diacritics
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def sheet_names(path: Path) -> list[str]:
    """The names of the workbook's sheets in order ([] for a file that is not a readable workbook)."""
    if Path(path).suffix.lower() not in EXCEL_SUFFIXES:
        return []
    try:
        with zipfile.ZipFile(path) as archive, archive.open("xl/workbook.xml") as index:
            root = ElementTree.parse(index).getroot()
    except (OSError, KeyError, zipfile.BadZipFile, ElementTree.ParseError):
        return []  # an unreadable workbook is reported when the data is read
    return [sheet.get("name", "") for sheet in root.iter(f"{_MAIN}sheet")]


def lineage_beside(data_path: Path) -> Path | None:
    """The lineage file beside the data (``NAME-ke-thua.csv``, :func:`khuyenhoc.paths.lineage_path`) when the data has
    no lineage sheet of its own (which comes first) and the file exists; else None."""
    from khuyenhoc.paths import lineage_path

    beside = lineage_path(data_path)
    return beside if beside.is_file() and lineage_sheet(Path(data_path)) is None else None


def lineage_sheet(path: Path) -> str | None:
    """The name of the workbook's lineage sheet (``Kế thừa``, any case, with or without diacritics), or None."""
    return next((name for name in sheet_names(path) if unicodedata.normalize("NFC", name).strip().casefold() in _LINEAGE_NAMES), None)
