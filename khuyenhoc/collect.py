"""Collect the workbooks units send back: validate each alone, merge the valid ones, say what was left out and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

import pandas as pd

from khuyenhoc.errors import PROBLEM_COLUMNS, InputFileError, KhuyenhocError
from khuyenhoc.i18n import DEFAULT_LANG, column_header, text, text_count
from khuyenhoc.reader import RawTable, read_raw
from khuyenhoc.schema import CANONICAL
from khuyenhoc.validate import check, clean_text

DEFERRED_RULES = ("parent_missing",)  # a unit's parent sends its own file: checked across the merged files instead
READABLE_SUFFIXES = (".xlsx", ".xlsm", ".csv", ".txt", ".xls")  # .xls is named as such by the reader
SKIPPED_PREFIXES = (".", "~$")  # hidden files and the owner files Excel leaves beside an open workbook
NO_PROBLEMS = pd.DataFrame(columns=PROBLEM_COLUMNS)


class Status(Enum):
    """What became of a file."""

    MERGED = "merged"
    REJECTED = "rejected"  # its figures break the contract: the sender fixes them
    UNREADABLE = "unreadable"  # not a workbook, password-protected, empty…
    DUPLICATE = "duplicate"  # a (year, unit) another file has too: neither is merged
    HELD = "held"  # valid alone, but not with the others (its parent's row is missing)

    def label(self, lang: str = DEFAULT_LANG) -> str:
        return text(f"collect.status.{self.value}", lang)


@dataclass(frozen=True)
class Duplicate:
    """The (year, unit) a file shares with other valid files, and their names."""

    year: int
    unit_id: str
    others: str


@dataclass(frozen=True)
class Waiting:
    """Why a valid file is not merged with the others: the first problem of its rows among them (in its own row)."""

    row: int
    message: str


@dataclass(eq=False)
class FileResult:
    """One file received: what was read from it and what became of it."""

    path: Path
    name: str  # as the tracking table shows it (its name inside the folder given)
    status: Status = Status.MERGED  # until a check leaves it out
    raw: RawTable | None = None
    keys: list[tuple[int | None, str | None]] = field(default_factory=list)  # (year, unit id) of each row, typed
    problems: pd.DataFrame = field(default_factory=lambda: NO_PROBLEMS)  # in the file's own rows and headers (replaced, never edited)
    reason: str = ""
    duplicate: Duplicate | None = None  # DUPLICATE: the unit and the other files
    waiting: Waiting | None = None  # HELD: the first problem its rows have among the others
    checked_alone: bool = False  # validated alone already (the same cells give the same verdict: not checked twice)

    @property
    def units(self) -> list[str]:
        """The unit ids the file holds (as written), in its order."""
        if self.raw is None or "unit_id" not in self.raw.frame.columns:
            return []
        return list(dict.fromkeys(u for u in clean_text(self.raw.frame["unit_id"]) if u is not None))

    @property
    def rows(self) -> int:
        return 0 if self.raw is None else len(self.raw.frame)


@dataclass
class Collection:
    """The outcome of :func:`collect`: every file, the merged table (None when nothing was valid), the units missing."""

    files: list[FileResult]
    merged: pd.DataFrame | None
    year: int | None
    missing: pd.DataFrame  # unit_id, unit_name of expected units no file holds

    @property
    def left_out(self) -> list[FileResult]:
        return [f for f in self.files if f.status is not Status.MERGED]

    @property
    def merged_files(self) -> list[FileResult]:
        return [f for f in self.files if f.status is Status.MERGED]

    @property
    def complete(self) -> bool:
        """True when every file was merged and no expected unit is missing."""
        return not self.left_out and self.missing.empty


def gather(inputs: list[str | Path], exclude: set[Path] = frozenset(), lang: str = DEFAULT_LANG) -> list[tuple[Path, str]]:
    """(path, shown name) of every file to read: files as given, and each folder's files (not its sub-folders),
    by name; hidden files, Excel's ``~$`` owner files and ``exclude`` (the outputs) are skipped."""
    found: list[tuple[Path, str]] = []
    excluded = {p.resolve() for p in exclude}
    for given in map(Path, inputs):
        if given.is_dir():
            for path in sorted(given.iterdir(), key=lambda p: p.name):
                if path.is_file() and not path.name.startswith(SKIPPED_PREFIXES) and path.resolve() not in excluded:
                    found.append((path, path.name))
        elif given.resolve() not in excluded:
            found.append((given, given.name))
    if not found:
        raise KhuyenhocError(text("collect.no_files", lang, paths=", ".join(map(str, inputs))))
    return found


def _read(path: Path, name: str, lang: str) -> FileResult:
    """Read one file's cells (an unreadable file is named with the reader's reason)."""
    result = FileResult(path, name)
    try:
        if path.suffix.lower() not in READABLE_SUFFIXES:  # a PDF or a photo of the form: not read as text at all
            raise InputFileError(path, text("error.bad_format", lang))
        raw = read_raw(path, lang=lang)
        if raw.frame.empty:
            raise InputFileError(path, text("error.no_rows", lang))
    except InputFileError as error:
        result.status, result.reason = Status.UNREADABLE, error.reason
        return result
    result.raw = raw
    return result


def _check_alone(result: FileResult, lang: str) -> None:
    """Validate one file alone, as ``validate`` would, except that its parents may be in other files (once per file)."""
    if result.checked_alone:
        return
    result.checked_alone = True
    _, problems, _ = check(result.raw, lang)
    problems = problems[~problems["rule"].isin(DEFERRED_RULES)].reset_index(drop=True)
    if len(problems):
        first = problems.iloc[0]
        result.status, result.problems = Status.REJECTED, problems
        result.reason = text_count("collect.reason.problems", len(problems), lang, row=first["row"], column=first["column"], message=first["message"])


@dataclass(frozen=True)
class _Together:
    """The files checked together, the raw table they made, where each row came from, and what ``check`` said."""

    files: list[FileResult]
    raw: RawTable
    origin: list[tuple[int, int]]
    frame: pd.DataFrame
    problems: pd.DataFrame


def _check_together(files: list[FileResult], lang: str) -> _Together:
    raw, origin = _merge_raw(files)
    frame, problems, _ = check(raw, lang)
    return _Together(files, raw, origin, frame, problems)


def _check_each(files: list[FileResult], lang: str) -> _Together | None:
    """Validate every readable file alone, cheaply: the files are checked together once (one pass of the rules instead
    of thousands), and only those with a problem there are checked again alone, which decides. A file clean
    together is clean alone: every rule is about one row, or flags the rows of the file that breaks it.
    Return the check of the files together (None when no file was ready)."""
    ready = [f for f in files if f.status is Status.MERGED and not f.raw.problems]
    for result in files:
        if result.status is Status.MERGED and result.raw.problems:  # missing or repeated columns: alone only
            _check_alone(result, lang)
    if not ready:
        return None
    together = _check_together(ready, lang)
    for (position, _), year, unit in zip(together.origin, together.frame["year"], together.frame["unit_id"], strict=True):
        ready[position].keys.append((None if year is pd.NA else int(year), unit))
    for position in sorted({together.origin[int(row) - 2][0] for row in together.problems["row"]}):
        _check_alone(ready[position], lang)
    return together


def _mark_duplicates(files: list[FileResult], lang: str) -> None:
    """Every (year, unit) that two valid files report: each of those files is left out, naming the others."""
    holders: dict[tuple[int, str], list[int]] = {}
    for position, result in enumerate(files):
        if result.status is not Status.MERGED:
            continue
        for key in dict.fromkeys(result.keys):
            holders.setdefault(key, []).append(position)
    for (year, unit), positions in holders.items():
        if len(positions) < 2:
            continue
        for position in positions:
            result = files[position]
            if result.status is Status.DUPLICATE:
                continue
            others = ", ".join(files[p].name for p in positions if p != position)
            result.status = Status.DUPLICATE
            result.duplicate = Duplicate(int(year), unit, others)
            result.reason = text("collect.reason.duplicate", lang, year=year, unit_id=unit, others=others)


def _merge_raw(files: list[FileResult]) -> tuple[RawTable, list[tuple[int, int]]]:
    """The cells of ``files`` as one raw table (rows 2, 3, … as in a sheet with its header in row 1), and for each
    merged row the (file position, row in that file) it came from."""
    frames, origin = [], []
    for position, result in enumerate(files):
        frames.append(result.raw.frame)
        origin += [(position, int(row)) for row in result.raw.frame.index]
    columns = [name for name in CANONICAL if any(name in frame.columns for frame in frames)]
    body = pd.concat([frame.reindex(columns=columns) for frame in frames], ignore_index=True).astype(object)
    body = body.where(body.notna(), None)
    body.index = pd.RangeIndex(2, 2 + len(body), name="row")
    headers = {name: column_header(name, "vi") for name in columns}
    return RawTable(Path("merged"), body, headers, 1, ""), origin


def _merge(files: list[FileResult], lang: str, checked: _Together | None = None) -> pd.DataFrame | None:
    """Merge the files still MERGED; a file whose rows break a rule across files (a parent no file holds, a cycle…)
    is HELD with those problems in its own terms, and the rest merged again until the table is valid. ``checked``:
    the files already checked together (reused when they are exactly the files still MERGED)."""
    while True:
        included = [f for f in files if f.status is Status.MERGED]
        if not included:
            return None
        if checked is None or checked.files != included:
            checked = _check_together(included, lang)
        raw, origin, frame, problems = checked.raw, checked.origin, checked.frame, checked.problems
        if problems.empty:
            return _output(frame, raw, included, origin, lang)
        by_name = {column_header(name, "vi"): name for name in raw.headers}
        for row, group in problems.groupby("row", sort=True):
            position, own_row = origin[int(row) - 2]
            result = included[position]
            if result.status is Status.MERGED:
                _check_alone(result, lang)  # its own rows may break a rule the files checked together did not show
            if result.status is Status.REJECTED:
                continue
            own = group.assign(file=str(result.path), row=own_row,
                               column=[result.raw.headers.get(by_name.get(c, ""), c) for c in group["column"]])
            if result.status is not Status.HELD:
                result.status, result.problems = Status.HELD, own.reset_index(drop=True)
                first = own.iloc[0]
                result.waiting = Waiting(own_row, first["message"])
                result.reason = text("collect.reason.held", lang, row=own_row, message=first["message"])
            else:
                result.problems = pd.concat([result.problems, own], ignore_index=True)


def _output(frame: pd.DataFrame, raw: RawTable, included: list[FileResult], origin: list[tuple[int, int]], lang: str) -> pd.DataFrame:
    """The merged table as written: the Vietnamese headers of the columns some file had, typed values (the level
    as written: xã, phường…), and the file each row came from."""
    out = frame[list(raw.headers)].copy()
    out["level"] = clean_text(raw.frame["level"])
    out.columns = [column_header(name, "vi") for name in raw.headers]
    out[text("collect.source_column", lang)] = [included[position].name for position, _ in origin]
    return out.reset_index(drop=True)


def _collection_year(files: list[FileResult]) -> int | None:
    """The latest year any readable file's rows hold (valid or not)."""
    years = []
    for result in files:
        if result.raw is not None and "year" in result.raw.frame.columns:
            years += [int(y) for y in pd.to_numeric(result.raw.frame["year"], errors="coerce").dropna() if float(y).is_integer()]
    return max(years) if years else None


def _missing(expect: str | Path, area: str | None, year: int | None, files: list[FileResult], lang: str) -> tuple[pd.DataFrame, int]:
    """The expected units (those ``template --units-from`` makes for the year) that no file received holds."""
    from khuyenhoc.commune_workbooks import Source, select_units

    source = Source.load(expect, lang)
    if year is None:  # no file said which year: the one after the expected data's last
        year = int(source.frame["year"].max()) + 1
    expected = select_units(source, year, area, lang)
    seen = {unit for result in files for unit in result.units}
    seen |= {result.path.stem for result in files if result.status is Status.UNREADABLE}  # an unreadable <unit_id>.xlsx came back
    missing = expected[~expected["unit_id"].isin(seen)][["unit_id", "unit_name"]]
    return missing.reset_index(drop=True), year


def collect(inputs: list[str | Path], expect: str | Path | None = None, area: str | None = None, exclude: set[Path] = frozenset(),
            lang: str = DEFAULT_LANG) -> Collection:
    """Read every file of ``inputs`` (folders and files), validate each alone, leave out the unreadable, the invalid
    and the duplicated, merge the rest into one valid table; with ``expect``, name the units that sent nothing."""
    files = [_read(path, name, lang) for path, name in gather(inputs, exclude, lang)]
    together = _check_each(files, lang)
    _mark_duplicates(files, lang)
    merged = _merge(files, lang, together)
    year = _collection_year(files)
    missing = pd.DataFrame(columns=["unit_id", "unit_name"])
    if expect is not None:
        missing, year = _missing(expect, area, year, files, lang)
    return Collection(files, merged, year, missing)

