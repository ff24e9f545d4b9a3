"""The lineage table (which old unit went into which new one, and what share of it): read, checked against the data."""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from khuyenhoc.errors import PROBLEM_COLUMNS, InputFileError
from khuyenhoc.fsutil import sha256_checksum
from khuyenhoc.i18n import DEFAULT_LANG, level_name, rule_message
from khuyenhoc.ids import is_unit_id
from khuyenhoc.reader import read_cells
from khuyenhoc.schema import YEAR_RANGE, fold
from khuyenhoc.sheets import LINEAGE_SHEET, lineage_beside, lineage_sheet

SHEET = LINEAGE_SHEET  # the sheet of a data workbook that holds its lineage, read without any flag
COLUMNS = ("year", "from_unit_id", "to_unit_id", "share")
# canonical column -> headers accepted (matched after folding case, diacritics and spaces); the first is the one we write
HEADERS: dict[str, tuple[str, ...]] = {
    "year": ("Năm", "year"),
    "from_unit_id": ("Mã đơn vị cũ", "from_unit_id", "Đơn vị cũ"),
    "to_unit_id": ("Mã đơn vị mới", "to_unit_id", "Đơn vị mới"),
    "share": ("Tỷ lệ", "share", "Tỉ lệ"),
}
REQUIRED = ("year", "from_unit_id", "to_unit_id")
RULES = ("lineage_year", "lineage_share_number", "lineage_share_range", "lineage_duplicate", "lineage_from_missing", "lineage_to_missing",
         "lineage_share_sum", "lineage_continuing")
NOTES = ("lineage_ended", "lineage_started")
NOTE_LISTED = 10  # units named in one note; the rest counted
SHARE_TOLERANCE = 1e-9  # shares are written with a few decimals: 0,333 + 0,667 is 1
_LOOKUP = {fold(alias): name for name, aliases in HEADERS.items() for alias in aliases}


@dataclass(frozen=True)
class Lineage:
    """A checked lineage table. ``links`` has year (the new unit's first year), from_unit_id (a unit of the year
    before), to_unit_id (a unit of ``year``) and share (the part of the old unit that went to the new one, in (0, 1]);
    it is indexed by the rows as the user sees them."""

    links: pd.DataFrame
    source: str
    checksum: str

    def sources(self, year: int, unit_id: str) -> list[tuple[str, float]]:
        """(old unit, share) of each unit ``unit_id`` was formed from in ``year`` (its own row included when listed)."""
        rows = self.links[(self.links["year"] == int(year)) & (self.links["to_unit_id"] == unit_id)]
        return list(zip(rows["from_unit_id"], rows["share"].astype(float), strict=True))

    def links_checksum(self) -> str:
        """The checksum of the links as checked (what a run's parameters and a report's summary.json carry)."""
        return sha256_checksum(self.to_csv_bytes())[:23]

    def to_csv_bytes(self) -> bytes:
        """The links as a UTF-8 CSV with the Vietnamese headers (what ``khuyenhoc sample`` writes and a snapshot keeps)."""
        return lineage_csv(self.links).encode("utf-8-sig")


@dataclass
class RawLineage:
    """The lineage's cells as read: canonical columns found, indexed by the row numbers a spreadsheet shows."""

    source: str
    frame: pd.DataFrame
    headers: dict[str, str]  # canonical name -> header as written
    checksum: str
    problems: list[dict] = field(default_factory=list)


def recognise(cell: object) -> str | None:
    """The lineage column a header cell names, or None."""
    return None if cell is None else _LOOKUP.get(fold(unicodedata.normalize("NFC", str(cell))))


def lineage_csv(links: pd.DataFrame) -> str:
    """Lineage links as CSV text with the Vietnamese headers (shares written the Vietnamese way: 0,5)."""
    out = pd.DataFrame({HEADERS[name][0]: links[name] for name in COLUMNS})
    share = HEADERS["share"][0]
    out[share] = [_share_text(float(value)) for value in out[share]]
    buffer = io.StringIO()
    out.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()


def _share_text(value: float) -> str:
    return "1" if value == 1 else f"{value:.6g}".replace(".", ",")


def read_lineage(path: str | Path, sheet: str | None = None, lang: str = DEFAULT_LANG) -> RawLineage:
    """Read a lineage table (CSV, XLSX, or the ``sheet`` of a workbook: by default its sheet ``Kế thừa`` when it has one,
    else its first) as cells; never modifies the file."""
    path = Path(path)
    sheet = sheet or lineage_sheet(path)
    header, position, body, checksum = read_cells(path, sheet, lang, recognise)
    return _cells_of(header, position, body, checksum, f"{path} [{sheet}]" if sheet else str(path), lang)


def _cells_of(header: list[object], position: int, body: pd.DataFrame, checksum: str, source: str, lang: str) -> RawLineage:
    """The lineage columns of a header row and the cells below it; missing and repeated headers as problems."""
    keep, headers, problems = {}, {}, []
    for column, cell in enumerate(header):
        name = recognise(cell)
        if name is None:
            continue
        written = unicodedata.normalize("NFC", str(cell)).strip()
        if name in headers:
            problems.append(_problem(source, position + 1, written, written, "duplicate_column", lang, header=written))
            continue
        headers[name], keep[column] = written, name
    for name in REQUIRED:
        if name not in headers:
            problems.append(_problem(source, position + 1, HEADERS[name][0], "", "missing_column", lang, header=HEADERS[name][0]))
    frame = body[list(keep)].rename(columns=keep).astype(object)
    blank = frame.map(lambda v: v is None or (isinstance(v, float) and v != v) or (isinstance(v, str) and not v.strip()))
    frame = frame[~blank.all(axis=1)]
    return RawLineage(source, frame, headers, checksum, problems)


def lineage_from_frame(frame: pd.DataFrame, source: str = "<DataFrame: lineage>") -> RawLineage:
    """An in-memory lineage table (headers as in a file) as cells, its rows numbered as in a sheet with the header in row 1."""
    from khuyenhoc.fsutil import sha256_checksum

    body = frame.astype(object).copy()
    body.columns = range(len(body.columns))
    body.index = pd.RangeIndex(2, 2 + len(body), name="row")
    raw = _cells_of(list(frame.columns), 0, body, sha256_checksum(frame.to_csv(index=False).encode()), source, DEFAULT_LANG)
    return raw


def lineage_of(data_path: Path, lineage: str | Path | None, lang: str = DEFAULT_LANG) -> RawLineage | None:
    """The lineage to check with a data file: the file given, else the data workbook's ``Kế thừa`` sheet, else the
    file beside the data (:func:`khuyenhoc.paths.lineage_path`, ``NAME-ke-thua.csv``), else None."""
    if lineage is not None:
        return read_lineage(lineage, lang=lang)
    sheet = lineage_sheet(Path(data_path))
    if sheet:
        return read_lineage(data_path, sheet=sheet, lang=lang)
    beside = lineage_beside(Path(data_path))
    return read_lineage(beside, lang=lang) if beside is not None else None


def _problem(source: str, row: int, column: str, value: object, rule: str, lang: str, **params: object) -> dict:
    return {"file": source, "row": row, "column": column, "value": value, "rule": rule, "message": rule_message(rule, lang, **params)}


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return unicodedata.normalize("NFC", str(value)).strip()


def parse_share(written: str) -> float | None:
    """A share as written: 1, 0,4 or 0.4, 40% (None when it is not a number)."""
    cleaned = written.replace(" ", "").replace("\u00a0", "")
    percent = cleaned.endswith("%")
    cleaned = cleaned.rstrip("%")
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", cleaned):
        return None
    return float(cleaned) / (100.0 if percent else 1.0)


def _typed_rows(raw: RawLineage, lang: str) -> tuple[pd.DataFrame, list[dict]]:
    """Each row's year, ids and share, and the problems of single rows (blank, not a year, id format, share)."""
    problems: list[dict] = []
    rows = []
    heading = raw.headers
    for row, cells in raw.frame.iterrows():
        texts = {name: _text(cells.get(name)) for name in COLUMNS if name in raw.frame.columns}
        good = True
        for name in REQUIRED:
            if name in heading and not texts.get(name):
                problems.append(_problem(raw.source, row, heading[name], "", "required", lang))
                good = False
        year = None
        if texts.get("year"):
            year = int(texts["year"]) if re.fullmatch(r"\d{4}", texts["year"]) else None
            if year is None or not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
                problems.append(_problem(raw.source, row, heading["year"], texts["year"], "lineage_year", lang, low=YEAR_RANGE[0], high=YEAR_RANGE[1]))
                good = False
        for name in ("from_unit_id", "to_unit_id"):
            if texts.get(name) and not is_unit_id(texts[name]):
                problems.append(_problem(raw.source, row, heading[name], texts[name], "unit_id_format", lang))
                good = False
        share = 1.0
        if texts.get("share"):
            parsed = parse_share(texts["share"])
            if parsed is None:
                problems.append(_problem(raw.source, row, heading["share"], texts["share"], "lineage_share_number", lang))
                good = False
            elif not 0 < parsed <= 1 + SHARE_TOLERANCE:
                problems.append(_problem(raw.source, row, heading["share"], texts["share"], "lineage_share_range", lang))
                good = False
            else:
                share = min(parsed, 1.0)
        if good and not any(p["rule"] == "missing_column" for p in raw.problems):
            rows.append({"row": row, "year": year, "from_unit_id": texts["from_unit_id"], "to_unit_id": texts["to_unit_id"], "share": share})
    links = pd.DataFrame(rows, columns=["row", *COLUMNS]).set_index("row")
    links["year"] = links["year"].astype("int64")
    links["share"] = links["share"].astype("float64")
    return links, problems


def _duplicates(raw: RawLineage, links: pd.DataFrame, lang: str) -> list[dict]:
    first: dict[tuple, int] = {}
    problems = []
    for row, year, old, new in zip(links.index, links["year"], links["from_unit_id"], links["to_unit_id"], strict=True):
        key = (year, old, new)
        if key in first:
            problems.append(_problem(raw.source, row, raw.headers["to_unit_id"], new, "lineage_duplicate", lang, first=first[key]))
        else:
            first[key] = row
    return problems


def _against_data(raw: RawLineage, links: pd.DataFrame, frame: pd.DataFrame, lang: str) -> list[dict]:
    """The rules that need the data: ids in the right years, shares of one old unit, merged away yet continuing."""
    present = set(zip(frame["year"].astype("int64"), frame["unit_id"], strict=True))
    heading = raw.headers
    problems = []
    for row, year, old, new in zip(links.index, links["year"], links["from_unit_id"], links["to_unit_id"], strict=True):
        if (year - 1, old) not in present:
            problems.append(_problem(raw.source, row, heading["from_unit_id"], old, "lineage_from_missing", lang, unit=old, year=year - 1))
        if (year, new) not in present:
            problems.append(_problem(raw.source, row, heading["to_unit_id"], new, "lineage_to_missing", lang, unit=new, year=year))
    for (year, old), group in links.groupby(["year", "from_unit_id"], sort=False):
        total = float(group["share"].sum())
        if total > 1 + SHARE_TOLERANCE:
            rows = ", ".join(str(r) for r in group.index)
            problems.append(_problem(raw.source, int(group.index[-1]), heading.get("share", HEADERS["share"][0]), _share_text(round(total, 6)),
                                     "lineage_share_sum", lang, unit=old, year=year, total=_share_text(round(total, 6)), rows=rows))
        if (year, old) in present and old not in set(group["to_unit_id"]):
            problems.append(_problem(raw.source, int(group.index[0]), heading["from_unit_id"], old, "lineage_continuing", lang, unit=old, year=year))
    return problems


def _notes(raw: RawLineage, links: pd.DataFrame, frame: pd.DataFrame, source: str, headers: dict[str, str], lang: str) -> list[dict]:
    """Units that end without a successor, and units that start without a predecessor: one note per year and level."""
    years = sorted(int(y) for y in frame["year"].unique())
    rows_of = frame.assign(_row=frame.index, _year=frame["year"].astype("int64"))
    by_year = {year: rows_of[rows_of["_year"] == year] for year in years}
    notes = []
    for year in years:
        if year - 1 not in by_year:
            continue
        before, now = by_year[year - 1], by_year[year]
        here = links[links["year"] == year]
        ended = before[~before["unit_id"].isin(set(now["unit_id"]) | set(here["from_unit_id"]))]
        started = now[~now["unit_id"].isin(set(before["unit_id"]) | set(here["to_unit_id"]))]
        for rule, rows in (("lineage_ended", ended), ("lineage_started", started)):
            for level, group in rows.groupby("level", sort=False):
                ids = list(group["unit_id"])
                listed = ", ".join(ids[:NOTE_LISTED]) + (f", … (+{len(ids) - NOTE_LISTED})" if len(ids) > NOTE_LISTED else "")
                notes.append(_problem(source, int(group["_row"].iloc[0]), headers.get("unit_id", "unit_id"), ids[0], rule, lang,
                                      year=year, count=len(ids), level=level_name(level, lang), units=listed))
    return notes


def check_lineage(raw: RawLineage, frame: pd.DataFrame | None, lang: str = DEFAULT_LANG, data_source: str = "",
                  data_headers: dict[str, str] | None = None) -> tuple[Lineage | None, pd.DataFrame, pd.DataFrame]:
    """(lineage, problems, notes). Every problem at once: the rows' own rules always, and those that need the data
    (``frame``, the validated data; None when the data itself is invalid) when it is given. ``lineage`` is None when
    there is any problem."""
    links, problems = _typed_rows(raw, lang)
    problems = raw.problems + problems
    if "missing_column" not in {p["rule"] for p in raw.problems}:
        problems += _duplicates(raw, links, lang)
    notes: list[dict] = []
    if frame is not None:
        problems += _against_data(raw, links, frame, lang)
        if not problems:
            notes = _notes(raw, links, frame, data_source, data_headers or {}, lang)
    problem_frame = pd.DataFrame(problems, columns=PROBLEM_COLUMNS).sort_values("row", kind="stable").reset_index(drop=True)
    note_frame = pd.DataFrame(notes, columns=PROBLEM_COLUMNS)
    lineage = None if len(problem_frame) or frame is None else Lineage(links, raw.source, raw.checksum)
    return lineage, problem_frame, note_frame


def load_lineage(path: str | Path, frame: pd.DataFrame, lang: str = DEFAULT_LANG) -> Lineage:
    """Read and check a lineage file against a validated data frame; raises DataValidationError listing every problem."""
    from khuyenhoc.errors import DataValidationError

    lineage, problems, _ = check_lineage(read_lineage(path, lang=lang), frame, lang)
    if len(problems):
        raise DataValidationError(problems, lang)
    if lineage is None:  # pragma: no cover - a frame was given, so no problem means a lineage
        raise InputFileError(path, "lineage not checked")
    return lineage


def predecessors(links: pd.DataFrame, present: pd.MultiIndex) -> pd.DataFrame:
    """year, unit_id, from_id, share: every unit of ``present`` ((year, unit) pairs with a row) and the units of the
    year before it continues (the lineage's rows, and itself when it is not listed as an old unit that year)."""
    pairs = pd.DataFrame({"year": present.get_level_values(0).astype("int64"), "unit_id": present.get_level_values(1).to_numpy(dtype=object)})
    listed = pd.MultiIndex.from_arrays([links["year"].astype("int64"), links["from_unit_id"]])
    had = pd.MultiIndex.from_arrays([pairs["year"] - 1, pairs["unit_id"]]).isin(present)
    same = pd.MultiIndex.from_arrays([pairs["year"], pairs["unit_id"]]).isin(listed)
    implicit = pairs[had & ~same].assign(from_id=lambda f: f["unit_id"], share=1.0)
    explicit = pd.DataFrame({"year": links["year"].astype("int64").to_numpy(), "unit_id": links["to_unit_id"].to_numpy(dtype=object),
                             "from_id": links["from_unit_id"].to_numpy(dtype=object), "share": links["share"].astype("float64").to_numpy()})
    return pd.concat([implicit, explicit], ignore_index=True)


def previous_sums(sums: pd.DataFrame, lineage: Lineage) -> pd.DataFrame:
    """For ``sums`` indexed by (year, key) (a unit's own row or an area's subtree), each key's previous-year sums
    restated: its predecessors' sums of the year before, share-weighted. Keys without predecessors are left out (a
    change is then undefined, as for a unit that is new)."""
    names = list(sums.index.names)
    preds = predecessors(lineage.links, sums.index)
    before = sums.reset_index()
    before.columns = ["year", "from_id", *sums.columns]
    before["year"] = before["year"].astype("int64") + 1
    joined = preds.merge(before, on=["year", "from_id"], how="inner")
    weighted = joined[list(sums.columns)].mul(joined["share"], axis=0)
    weighted.index = pd.MultiIndex.from_arrays([joined["year"], joined["unit_id"]], names=names)
    return weighted.groupby(level=names, sort=True).sum(min_count=1)
