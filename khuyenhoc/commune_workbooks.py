"""Pre-filled input workbooks, one per unit: its keys filled in and locked, last year's figures beside, the template's checks."""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill, Protection

from khuyenhoc.errors import DataValidationError, InputFileError, KhuyenhocError
from khuyenhoc.fsutil import atomic_write_bytes
from khuyenhoc.i18n import DEFAULT_LANG, check_lang, text
from khuyenhoc.ids import is_unit_id
from khuyenhoc.input_template import add_checks, add_instructions, write_headers
from khuyenhoc.reader import read_raw
from khuyenhoc.schema import COLUMNS, GROUPS, LEVEL_RANK, ColumnSpec
from khuyenhoc.excel_export import INTEGER_FORMAT, cell_text, store_as_text
from khuyenhoc.tree import AreaTree
from khuyenhoc.validate import check, clean_text, has_parents

KEYS = ("year", "unit_id", "unit_name", "level", "parent_id")  # filled in and locked
NOTE_ROW, REFERENCE_ROW, HEADER_ROW, INPUT_ROW = 1, 2, 3, 4
REFERENCE_FILL = PatternFill("solid", fgColor="EDEDED")
LOCKED_FILL = PatternFill("solid", fgColor="F2F2F2")


@dataclass(frozen=True)
class Source:
    """The validated data the workbooks are made from: typed rows (indexed by file row), level words as written."""

    path: Path
    frame: pd.DataFrame
    level_words: pd.Series

    @classmethod
    def load(cls, path: str | Path, lang: str = DEFAULT_LANG) -> Source:
        """Read and validate ``path`` (the whole contract; a bad file raises, as ``validate`` would report it)."""
        raw = read_raw(path, lang=lang)
        if raw.frame.empty:
            raise InputFileError(path, text("error.no_rows", lang))
        frame, problems, _ = check(raw, check_lang(lang))
        if len(problems):
            raise DataValidationError(problems, lang)
        return cls(Path(path), frame, clean_text(raw.frame["level"]))


def unit_year(frame: pd.DataFrame, year: int) -> int | None:
    """The year whose units are asked for ``year``: ``year`` itself when the data has it, else the latest before it."""
    years = sorted(int(y) for y in frame["year"].unique() if int(y) <= year)
    return years[-1] if years else None


def select_units(source: Source, year: int, area: str | None = None, lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """The rows of the units asked for ``year`` (all units of that year, or ``area`` and every unit below it):
    one rule for the workbooks sent out and the units ``collect --expect`` waits for."""
    frame = source.frame
    source_year = unit_year(frame, year)
    if source_year is None:
        years = ", ".join(map(str, sorted(int(y) for y in frame["year"].unique())))
        raise KhuyenhocError(text("workbooks.no_year", lang, data=source.path, year=year, years=years))
    rows = frame[frame["year"] == source_year]
    if area is not None:
        tree = AreaTree.from_frame(frame)
        if not tree.exists(area, source_year):
            raise KhuyenhocError(text("error.no_unit", lang, unit=area, year=source_year))
        rows = rows[rows["unit_id"].isin([area, *tree.descendants(area, source_year)])]
    ranked = rows.assign(_rank=rows["level"].map(LEVEL_RANK))
    return ranked.sort_values(["_rank", "unit_id"], ascending=[False, True], kind="stable").drop(columns="_rank")


def template_columns(frame: pd.DataFrame) -> list[ColumnSpec]:
    """The contract's columns a unit's workbook carries: every required one, the note, the parent when the data has
    parents, and every optional group (``schema.GROUPS``) the data has a value in, whole (an optional column in no
    group is carried alone when the data has a value in it)."""
    carried = {spec.name for spec in COLUMNS if spec.required or spec.name == "note"}
    if has_parents(frame):
        carried.add("parent_id")
    for spec in COLUMNS:
        if not spec.required and spec.kind == "integer" and spec.name in frame.columns and frame[spec.name].notna().any():
            carried.add(spec.name)
    for group in GROUPS:
        if carried & set(group.columns):
            carried |= set(group.columns)
    return [spec for spec in COLUMNS if spec.name in carried]


def workbook_name(unit_id: str, lang: str = DEFAULT_LANG) -> str:
    """``<unit_id>.xlsx``, after checking the id may name a file (the rule of :mod:`khuyenhoc.ids`)."""
    if not is_unit_id(unit_id):
        raise KhuyenhocError(text("workbooks.bad_id", lang, unit_id=unit_id))
    return f"{unit_id}.xlsx"


def _put(cell: Cell, value: object) -> None:
    """A value from the data into a cell: counts as numbers, text without what XML cannot hold, missing stays blank
    (the sheets are stored as text at the end: nothing from the data becomes a formula)."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return
    cell.value = int(value) if isinstance(value, int | np.integer) and not isinstance(value, bool) else cell_text(value)


def build_unit_workbook(unit: pd.Series, level_word: str, previous: pd.Series | None, previous_level: str | None, year: int,
                        columns: list[ColumnSpec], lang: str = DEFAULT_LANG) -> Workbook:
    """One unit's workbook: a note, last year's figures (row 2), the headers (row 3) and the row to fill in (row 4),
    its keys locked by sheet protection and its figure cells open, then the instructions sheet."""
    workbook = Workbook()
    data = workbook.active
    data.title = text("template.data_sheet", lang)
    write_headers(data, columns, HEADER_ROW)
    add_checks(data, columns, INPUT_ROW, INPUT_ROW, lang)
    note_key = "workbooks.reference" if previous is not None else "workbooks.no_reference"
    note = data.cell(row=NOTE_ROW, column=1, value=text(note_key, lang, row=REFERENCE_ROW, input_row=INPUT_ROW, year=year,
                                                         previous=None if previous is None else int(previous["year"])))
    note.font = Font(bold=True)
    is_area = unit["level"] != "commune"
    for position, spec in enumerate(columns, start=1):
        reference = data.cell(row=REFERENCE_ROW, column=position)
        if previous is not None:
            _put(reference, previous[spec.name] if spec.name != "level" else previous_level)
        reference.font = Font(italic=True, color="595959")
        reference.fill = REFERENCE_FILL
        cell = data.cell(row=INPUT_ROW, column=position)
        if spec.name in KEYS:
            _put(cell, year if spec.name == "year" else level_word if spec.name == "level" else unit.get(spec.name))
            cell.fill = LOCKED_FILL
        elif not (spec.name == "population" and is_area):  # an area's population stays blank (the rule), so locked
            cell.protection = Protection(locked=False)
        if spec.kind == "integer" and spec.name != "year":
            reference.number_format = cell.number_format = INTEGER_FORMAT
        for shown in (reference, cell):
            shown.alignment = Alignment(vertical="center")
    data.freeze_panes = f"A{INPUT_ROW}"
    data.protection.sheet = True  # no password: it guards against slips, and the loader reads protected sheets alike
    data.protection.formatColumns = False  # columns may still be widened

    guide = add_instructions(workbook, columns, lang)
    lines = [text("workbooks.guide_title", lang),
             text("workbooks.guide_unit", lang, name=unit["unit_name"], unit_id=unit["unit_id"], year=year),
             text("workbooks.guide_fill", lang, row=INPUT_ROW, sheet=data.title),
             text("workbooks.guide_reference", lang, row=REFERENCE_ROW),
             text("workbooks.guide_return", lang, file=workbook_name(unit["unit_id"], lang)), ""]
    guide.insert_rows(2, amount=len(lines))
    for offset, line in enumerate(lines):
        _put(guide.cell(row=2 + offset, column=1, value=None), line)
    guide.cell(row=2, column=1).font = Font(bold=True)
    store_as_text(data)
    store_as_text(guide)
    return workbook


def previous_rows(frame: pd.DataFrame, year: int) -> dict[str, pd.Series]:
    """unit_id -> its latest row before ``year``."""
    before = frame[frame["year"] < year].sort_values("year", kind="stable").drop_duplicates("unit_id", keep="last")
    return {row["unit_id"]: row for _, row in before.iterrows()}


@dataclass(frozen=True)
class Written:
    """What :func:`write_unit_workbooks` wrote."""

    paths: list[Path]
    year: int
    source_year: int


def write_unit_workbooks(data: str | Path, year: int, out_dir: str | Path, area: str | None = None, force: bool = False,
                         lang: str = DEFAULT_LANG) -> Written:
    """A workbook per unit asked for ``year`` into ``out_dir``; refuses (writing nothing) when one exists, unless ``force``."""
    source = Source.load(data, lang)
    frame = source.frame
    units = select_units(source, year, area, lang)
    out_dir = Path(out_dir)
    targets = [out_dir / workbook_name(unit_id, lang) for unit_id in units["unit_id"]]
    existing = [path for path in targets if os.path.lexists(path)]
    if existing and not force:
        raise KhuyenhocError(text("workbooks.exist", lang, count=len(existing), folder=out_dir, first=existing[0].name))
    columns = template_columns(frame)
    before = previous_rows(frame, year)
    for (row_number, unit), target in zip(units.iterrows(), targets, strict=True):
        previous = before.get(unit["unit_id"])
        previous_level = None if previous is None else source.level_words[previous.name]
        workbook = build_unit_workbook(unit, source.level_words[row_number], previous, previous_level, year, columns, lang)
        buffer = io.BytesIO()
        workbook.save(buffer)
        atomic_write_bytes(target, buffer.getvalue())
    return Written(targets, year, int(unit_year(frame, year)))
