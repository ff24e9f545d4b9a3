"""The validated yearly table (one row per year and unit) and how to load it."""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

from khuyenhoc.errors import PROBLEM_COLUMNS, DataValidationError, InputFileError
from khuyenhoc.i18n import DEFAULT_LANG, check_lang, data_notes, text
from khuyenhoc.lineage import Lineage, RawLineage, check_lineage, lineage_from_frame, lineage_of
from khuyenhoc.paths import origin_path
from khuyenhoc.fsutil import sha256_checksum
from khuyenhoc.reader import RawTable, match_headers, read_raw
from khuyenhoc.schema import LEVEL_RANK
from khuyenhoc.tree import AreaTree
from khuyenhoc.validate import check

# The exact note the sample writers (khuyenhoc.sample) put in every row they generate: a marker
# for frames that travel without an origin record. Free text is never searched for words.
ILLUSTRATIVE_NOTE = "Số liệu minh hoạ, không phải số liệu chính thức (illustrative)"
SYNTHETIC_NOTE = "Số liệu giả lập (synthetic)"
MARKER_NOTES = {"illustrative": unicodedata.normalize("NFC", ILLUSTRATIVE_NOTE), "synthetic": unicodedata.normalize("NFC", SYNTHETIC_NOTE)}


@dataclass(frozen=True, eq=False)
class YearlyTable:
    """A validated table: ``frame`` has the canonical columns, indexed by the file's row numbers (compared, and
    hashed, by identity: :func:`khuyenhoc.indicators.analyse` keeps each table's indicator frames)."""

    frame: pd.DataFrame
    source: str
    checksum: str
    origin: dict = field(default_factory=dict)
    warnings: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PROBLEM_COLUMNS))
    lineage: Lineage | None = None  # which old unit went into which new one: changes compare like with like (khuyenhoc.restate)

    def _flagged(self, kind: str) -> bool:
        """The origin record's ``kind`` flag when it has one; otherwise whether some row's note is
        exactly the sample writer's marker (never a word found inside a note)."""
        if kind in self.origin:
            return bool(self.origin[kind])
        return "note" in self.frame and bool((self.frame["note"] == MARKER_NOTES[kind]).any())

    @cached_property
    def illustrative(self) -> bool:
        """True when the origin record (or the sample writer's marker note) says the figures are illustrative."""
        return self._flagged("illustrative")

    @cached_property
    def synthetic(self) -> bool:
        """True for generated, not real, data (origin record or the sample writer's marker note)."""
        return self._flagged("synthetic")

    def notes(self, lang: str = DEFAULT_LANG) -> list[str]:
        """What every view of this data must say about it: illustrative, synthetic (nothing for real data)."""
        return data_notes(lang, self.illustrative, self.synthetic)

    @cached_property
    def years(self) -> list[int]:
        """The years in the data, ascending (read once per table, like every fact below: reports ask often)."""
        return sorted(int(y) for y in self.frame["year"].unique())

    @cached_property
    def unit_names(self) -> dict[str, str]:
        """unit_id -> the unit's latest name."""
        units = self.units()
        return dict(zip(units["unit_id"], units["unit_name"], strict=True))

    def units(self, year: int | None = None) -> pd.DataFrame:
        """unit_id, unit_name and level of every unit (of one year if given): communes first, then each higher level."""
        rows = self.frame if year is None else self.frame[self.frame["year"] == year]
        latest = rows.sort_values("year").drop_duplicates("unit_id", keep="last")
        ordered = latest.assign(_rank=latest["level"].map(LEVEL_RANK)).sort_values(["_rank", "unit_id"])
        return ordered[["unit_id", "unit_name", "level"]].reset_index(drop=True)

    @cached_property
    def tree(self) -> AreaTree:
        """Who reports to whom in each year (see :class:`khuyenhoc.tree.AreaTree`)."""
        return AreaTree.from_frame(self.frame)

    def level_of(self, unit_id: str, year: int) -> str | None:
        """The level of ``unit_id`` in ``year`` (None when it has no row that year)."""
        return self._levels.get((int(year), unit_id))

    def levels_in(self, year: int) -> frozenset[str]:
        """The levels with rows in ``year`` (empty for a year without rows)."""
        return self._year_levels.get(int(year), frozenset())

    @cached_property
    def _year_levels(self) -> dict[int, frozenset[str]]:
        found: dict[int, set[str]] = {}
        for (year, _), level in self._levels.items():
            found.setdefault(year, set()).add(level)
        return {year: frozenset(levels) for year, levels in found.items()}

    @cached_property
    def _levels(self) -> dict[tuple[int, str], str]:
        return dict(zip(zip(self.frame["year"].astype("int64"), self.frame["unit_id"], strict=True), self.frame["level"], strict=True))


def _finish(raw: RawTable, lang: str, origin: dict, lineage: RawLineage | None = None) -> YearlyTable:
    frame, problems, warnings = check(raw, check_lang(lang))
    checked = None
    if lineage is not None:  # its own rules always; those that need the data once the data is valid
        checked, lineage_problems, notes = check_lineage(lineage, None if len(problems) else frame, lang, str(raw.path), raw.headers)
        problems = pd.concat([problems, lineage_problems], ignore_index=True) if len(lineage_problems) else problems
        if len(notes):  # notes about the data's rows, in the file's row order with the others
            warnings = pd.concat([warnings, notes], ignore_index=True).sort_values("row", kind="stable").reset_index(drop=True)
    if len(problems):
        raise DataValidationError(problems, lang)
    return YearlyTable(frame, str(raw.path), raw.checksum, origin, warnings, checked)


def load_table(path: str | Path, sheet: str | None = None, lang: str = DEFAULT_LANG, lineage: str | Path | None = None) -> YearlyTable:
    """Read and validate a CSV or XLSX file, with its lineage table (``lineage``, or the workbook's sheet ``Kế thừa``).

    Raises :class:`~khuyenhoc.errors.InputFileError` when a file cannot be read
    and :class:`~khuyenhoc.errors.DataValidationError` listing every problem of both.
    """
    path = Path(path)
    raw = read_raw(path, sheet=sheet, lang=lang)
    if raw.frame.empty:
        raise InputFileError(path, text("error.no_rows", lang))
    return _finish(raw, lang, read_origin(path, lang), lineage_of(path, lineage, lang))


def check_file(path: str | Path, sheet: str | None = None, lang: str = DEFAULT_LANG,
               lineage: str | Path | None = None) -> tuple[YearlyTable | None, pd.DataFrame]:
    """Read and validate a file without raising on bad data: ``(table, problems)``.

    ``table`` is None when the data breaks a rule. ``problems`` is one frame, in the file's row order,
    with a ``severity`` column: ``error`` (must be fixed) or ``note`` (worth a look, e.g. a unit that
    changed its parent), beside file, row, column, value, rule and message. A file that cannot be read
    at all still raises :class:`~khuyenhoc.errors.InputFileError`.
    """
    try:
        table = load_table(path, sheet=sheet, lang=lang, lineage=lineage)
    except DataValidationError as error:
        return None, error.problems.assign(severity="error")[["severity", *PROBLEM_COLUMNS]]
    return table, table.warnings.assign(severity="note")[["severity", *PROBLEM_COLUMNS]]


def read_origin(data_path: Path, lang: str = DEFAULT_LANG) -> dict:
    """The origin record beside a data file ({} when there is none)."""
    record = origin_path(data_path)
    if not record.is_file():
        return {}
    try:
        origin = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise InputFileError(record, text("error.bad_origin", lang, reason=error)) from error
    if not isinstance(origin, dict):
        raise InputFileError(record, text("error.bad_origin", lang, reason="not a JSON object"))
    return origin


def table_from_frame(frame: pd.DataFrame, source: str = "<DataFrame>", lang: str = DEFAULT_LANG, origin: dict | None = None,
                     lineage: pd.DataFrame | None = None) -> YearlyTable:
    """Validate an in-memory frame whose columns are headers (canonical or Vietnamese), with its lineage table
    (``lineage``: year, from_unit_id, to_unit_id, share, or Năm, Mã đơn vị cũ, Mã đơn vị mới, Tỷ lệ).

    Headers are matched as in a file (duplicate and missing columns are problems, unknown ones
    warnings); row numbers are those the frame would have in a spreadsheet with its header in row 1.
    """
    keep, headers, notes, problems = match_headers(list(frame.columns), 1)
    body = frame.iloc[:, list(keep)].astype(object)
    body.columns = list(keep.values())
    body.index = pd.RangeIndex(2, 2 + len(body), name="row")
    raw = RawTable(Path(source), body, headers, 1, sha256_checksum(frame.to_csv(index=False).encode()), notes, problems)
    return _finish(raw, lang, origin or {}, None if lineage is None else lineage_from_frame(lineage))
