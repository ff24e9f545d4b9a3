"""Targets as data (Quyết định 387/QĐ-TTg and local plans): load and check a targets file, pick the targets
in force for a year and scope, and measure progress towards them, vectorised over the units a report compares."""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Collection
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from khuyenhoc.errors import PROBLEM_COLUMNS, DataValidationError, InputFileError
from khuyenhoc.i18n import DEFAULT_LANG, rule_message, text
from khuyenhoc.indicators import SCOPE_ALL, TARGET_INDICATORS, analyse
from khuyenhoc.paths import DATA_DIR
from khuyenhoc.safetext import control_characters
from khuyenhoc.ids import is_unit_id
from khuyenhoc.schema import YEAR_RANGE, fold
from khuyenhoc.table import YearlyTable

NATIONAL_TARGETS = DATA_DIR / "targets" / "qd-387-2022.csv"
PACE_YEARS = 3  # the pace is the mean yearly change over this many years before the report's year
TARGET_RULES = ("target_indicator_unknown", "target_value_number", "target_value_range", "target_year", "target_duplicate",
                "target_unit_unknown", "target_value_fraction")
FRACTION_LIMIT = 1.0  # a target of 0 < value ≤ 1 reads like an Excel percent cell saved as a fraction (0,7 for 70 %)
# canonical column -> headers accepted (folded when matched)
TARGET_HEADERS: dict[str, tuple[str, ...]] = {
    "indicator_id": ("indicator_id", "Mã chỉ tiêu", "Chỉ tiêu"),
    "target_year": ("target_year", "Năm mục tiêu", "Năm"),
    "value": ("value", "Mục tiêu", "Mục tiêu (%)", "Giá trị"),
    "source": ("source", "Nguồn", "Căn cứ"),
    "unit_id": ("unit_id", "Mã đơn vị"),
}
REQUIRED = ("indicator_id", "target_year", "value", "source")
_HEADER_LOOKUP = {fold(alias): name for name, aliases in TARGET_HEADERS.items() for alias in aliases}


@dataclass(frozen=True)
class Target:
    """One target: ``indicator`` should reach ``value`` (percent) by the end of ``year``; ``unit_id`` None is the
    national figure, otherwise a province's or district's own plan for its scope."""

    indicator: str
    year: int
    value: float
    source: str
    unit_id: str | None = None


@dataclass(frozen=True)
class TargetSet:
    """The targets of one or more files; a later file's target replaces one with the same indicator, year and unit.
    ``warnings`` are problem records (file, row, column, value, rule, message) of values worth a second look."""

    targets: tuple[Target, ...]
    warnings: tuple[dict, ...] = field(default=(), compare=False)

    def merged(self, other: TargetSet) -> TargetSet:
        """These targets overridden and extended by ``other``'s."""
        keys = {(t.indicator, t.year, t.unit_id) for t in other.targets}
        return TargetSet(tuple(t for t in self.targets if (t.indicator, t.year, t.unit_id) not in keys) + other.targets,
                         self.warnings + other.warnings)

    def in_force(self, year: int, chain: list[str | None]) -> dict[str, Target]:
        """indicator -> the target in force in ``year`` for a scope: among the targets for ``year`` or later, those
        of the first of ``chain`` (the scope, then its ancestors, then None for the national figure) that has any,
        the nearest year first."""
        found: dict[str, Target] = {}
        for indicator in TARGET_INDICATORS:
            ahead = [t for t in self.targets if t.indicator == indicator and t.year >= year]
            for scope in chain:
                own = [t for t in ahead if t.unit_id == scope]
                if own:
                    found[indicator] = min(own, key=lambda t: t.year)
                    break
        return found


def _number(written: str) -> float | None:
    """A percentage as written: 70, 70%, 72,5 (Vietnamese) or 72.5; None when it is not a number."""
    cleaned = written.replace("%", "").replace(" ", "").replace("\u00a0", "")
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    if not re.fullmatch(r"[+-]?\d+(\.\d+)?", cleaned):
        return None
    return float(cleaned)


def _problem(path: Path, row: int, column: str, value: str, rule: str, lang: str, **params: object) -> dict:
    return {"file": str(path), "row": row, "column": column, "value": value, "rule": rule, "message": rule_message(rule, lang, **params)}


def _check_row(path: Path, line: int, cells: dict[str, str], headers: dict[str, str], lang: str,
               units: Collection[str] | None = None) -> tuple[Target | None, list[dict]]:
    """One row as a Target, or the problems that keep it from being one (``units``: the data's unit ids, when known)."""
    problems = []
    for name, written in cells.items():
        if control_characters(written):
            problems.append(_problem(path, line, headers[name], written, "control_character", lang, chars=", ".join(control_characters(written))))
    if problems:
        return None, problems
    for name in REQUIRED:
        if not cells.get(name):
            problems.append(_problem(path, line, headers[name], "", "required", lang))
    indicator, year_text, value_text, unit = cells.get("indicator_id", ""), cells.get("target_year", ""), cells.get("value", ""), cells.get("unit_id") or None
    if indicator and indicator not in TARGET_INDICATORS:
        problems.append(_problem(path, line, headers["indicator_id"], indicator, "target_indicator_unknown", lang, ids=", ".join(TARGET_INDICATORS)))
    year = int(year_text) if re.fullmatch(r"\d{4}", year_text) else None
    if year_text and (year is None or not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]):
        problems.append(_problem(path, line, headers["target_year"], year_text, "target_year", lang, low=YEAR_RANGE[0], high=YEAR_RANGE[1]))
    value = _number(value_text) if value_text else None
    if value_text and value is None:
        problems.append(_problem(path, line, headers["value"], value_text, "target_value_number", lang))
    elif value is not None and not 0 <= value <= 100:
        problems.append(_problem(path, line, headers["value"], value_text, "target_value_range", lang))
    if unit is not None and not is_unit_id(unit):
        problems.append(_problem(path, line, headers["unit_id"], unit, "unit_id_format", lang))
    elif unit is not None and units is not None and unit not in units:
        problems.append(_problem(path, line, headers["unit_id"], unit, "target_unit_unknown", lang))
    if problems:
        return None, problems
    return Target(indicator, int(year), float(value), cells["source"], unit), []


def _fraction_warning(path: Path, line: int, target: Target, written: str, column: str, lang: str) -> dict | None:
    """A warning when ``target``'s value looks like a fraction (0,7 meant as 70 %)."""
    if not 0 < target.value <= FRACTION_LIMIT:
        return None
    from khuyenhoc.formatting import format_number

    percent = round(target.value * 100, 1)
    return _problem(path, line, column, written, "target_value_fraction", lang, written=format_number(target.value, 2, lang).rstrip("0").rstrip(",."),
                    percent=format_number(percent, 0 if percent.is_integer() else 1, lang))


def _read_rows(path: Path, lang: str) -> list[list[str]]:
    try:
        content = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError as error:
        raise InputFileError(path, text("error.file_missing", lang)) from error
    except UnicodeDecodeError as error:
        raise InputFileError(path, text("error.encoding", lang)) from error
    except OSError as error:
        raise InputFileError(path, error.strerror or str(error)) from error
    first = content.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(content), delimiter=delimiter)
    try:
        return list(reader)
    except csv.Error as error:  # a cell longer than the csv module's limit, say: name the line, not the module's words
        reason = "error.csv_field_limit" if "field limit" in str(error) else "error.csv_row"
        raise InputFileError(path, text(reason, lang, row=reader.line_num, limit=f"{csv.field_size_limit():,}".replace(",", "."))) from error


def load_targets(path: str | Path, lang: str = DEFAULT_LANG, units: Collection[str] | None = None) -> TargetSet:
    """Read and check a targets CSV (indicator_id, target_year, value, source; optional unit_id).

    Raises :class:`~khuyenhoc.errors.DataValidationError` listing every problem (file, line, column, rule), as the
    yearly table does: an unknown indicator id, a value that is not a percentage from 0 to 100, a bad year, a repeat,
    a control character, and (given ``units``, the data's unit ids) a unit the data does not have. A value from 0 to 1
    (0,7: an Excel percent cell saved as a fraction?) is a warning of the returned set.
    """
    path = Path(path)
    rows = _read_rows(path, lang)
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise InputFileError(path, text("error.file_empty", lang))
    positions = {_HEADER_LOOKUP[fold(h)]: i for i, h in enumerate(rows[0]) if fold(h) in _HEADER_LOOKUP}
    headers = {name: rows[0][positions[name]].strip() if name in positions else TARGET_HEADERS[name][0] for name in TARGET_HEADERS}
    missing = [name for name in REQUIRED if name not in positions]
    if missing:
        problems = [_problem(path, 1, name, "", "missing_column", lang, header=name) for name in missing]
        raise DataValidationError(pd.DataFrame(problems, columns=PROBLEM_COLUMNS), lang)
    targets, problems, seen, warnings = [], [], {}, []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = {name: (row[i].strip() if i < len(row) else "") for name, i in positions.items()}
        target, found = _check_row(path, line, cells, headers, lang, units)
        problems += found
        if target is None:
            continue
        warnings += filter(None, [_fraction_warning(path, line, target, cells["value"], headers["value"], lang)])
        key = (target.indicator, target.year, target.unit_id)
        if key in seen:
            problems.append(_problem(path, line, headers["indicator_id"], target.indicator, "target_duplicate", lang, first=seen[key]))
            continue
        seen[key] = line
        targets.append(target)
    if problems:
        raise DataValidationError(pd.DataFrame(problems, columns=PROBLEM_COLUMNS), lang)
    return TargetSet(tuple(targets), tuple(warnings))


def targets_in_use(path: str | Path | None = None, lang: str = DEFAULT_LANG, units: Collection[str] | None = None) -> TargetSet:
    """The national targets (Quyết định 387/QĐ-TTg), overridden and extended by ``path`` when given (its unit ids
    checked against ``units`` when given)."""
    national = load_targets(NATIONAL_TARGETS, lang)
    return national if path is None else national.merged(load_targets(path, lang, units))


def scope_chain(table: YearlyTable, scope: str, year: int) -> list[str | None]:
    """Whose targets apply to ``scope`` in ``year``: its own plan, its ancestors' plans, then the national figure."""
    if scope == SCOPE_ALL:
        return [None]
    return [scope, *table.tree.ancestors(scope, year), None]


@dataclass(frozen=True)
class TargetProgress:
    """One share with targets (a learning-society title, learning citizens) in a report: the scope's share, and where a target is in force its distance
    to it, the units at or above it and when the recent pace would reach it.

    ``gap_pp`` is value − target (negative: below the target). ``projected_year`` is the report's year when the target
    is already reached, the year it would be reached at ``pace_pp`` a year, or None when the pace would never reach it
    (or there is no earlier year to measure a pace)."""

    indicator: str
    year: int
    value: float
    change_pp: float | None
    target: float | None = None
    target_year: int | None = None
    source: str | None = None
    gap_pp: float | None = None
    units_at_target: int | None = None
    units_reported: int | None = None
    pace_pp: float | None = None
    projected_year: int | None = None

    @property
    def reached(self) -> bool | None:
        return None if self.gap_pp is None else self.gap_pp >= 0

    @property
    def on_track(self) -> bool | None:
        """True when the target is (or at the current pace will be) reached by its year."""
        if self.target_year is None:
            return None
        return self.projected_year is not None and self.projected_year <= self.target_year

    def to_dict(self) -> dict:
        return asdict(self) | {"reached": self.reached, "on_track": self.on_track}


def project(now: pd.Series, earlier: pd.DataFrame, target: pd.Series, year: int) -> pd.DataFrame:
    """Pace and projected year for every column at once. ``now``: the values in ``year``; ``earlier``: the values of the
    years before (rows: years ascending, columns as ``now``'s index); ``target``: each one's target.

    The pace is the mean yearly change from the earliest of the last :data:`PACE_YEARS` years that has a value; the
    projected year is ``year`` when already at the target, else the first year the pace reaches it (NaN: never)."""
    window = earlier.loc[(earlier.index >= year - PACE_YEARS) & (earlier.index < year)].reindex(columns=now.index)
    if window.empty:
        pace = pd.Series(np.nan, index=now.index)
    else:
        has = window.notna()
        first_year = pd.Series(has.idxmax().astype("float64")).where(has.any())
        pace = (now - window.bfill().iloc[0]) / (year - first_year)  # bfill: each column's first value in the window
    needed = target - now
    with np.errstate(divide="ignore", invalid="ignore"):
        steps = np.ceil(np.round(needed / pace.where(pace > 0), 9))
    projected = pd.Series(np.where(needed <= 0, year, year + steps), index=now.index).where(now.notna() & target.notna())
    return pd.DataFrame({"pace_pp": pace, "projected_year": projected})


def _plain(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def unit_targets(table: YearlyTable, year: int, units: list[str], targets: TargetSet, scope_targets: dict[str, Target]) -> pd.DataFrame:
    """Per compared unit and title with a target: unit_id, indicator, value, target, at_target (value ≥ target; NaN
    when the unit does not report the title). A unit's own plan replaces the scope's target."""
    columns = ["unit_id", "indicator", "value", "target", "at_target"]
    if not scope_targets:
        return pd.DataFrame(columns=columns)
    values = analyse(table).frames.scopes(year, units)
    parts = []
    wanted = set(values.index)
    for indicator, scope_target in scope_targets.items():
        plans = sorted((t for t in targets.targets if t.indicator == indicator and t.year >= year and t.unit_id in wanted), key=lambda t: -t.year)
        own = {t.unit_id: t.value for t in plans}  # the nearest year last, so it wins
        target = pd.Series([own.get(unit, scope_target.value) for unit in values.index], index=values.index, dtype="float64")
        value = values[indicator].astype("float64")
        parts.append(pd.DataFrame({"unit_id": values.index, "indicator": indicator, "value": value.to_numpy(), "target": target.to_numpy(),
                                   "at_target": (value >= target).where(value.notna()).to_numpy()}))
    return pd.concat(parts, ignore_index=True)[columns]


def progress(table: YearlyTable, year: int, scope: str, units: list[str], targets: TargetSet) -> tuple[list[TargetProgress], pd.DataFrame]:
    """The shares with targets a report shows (those the scope reports in ``year``) with their targets in force, and the per-unit
    table of :func:`unit_targets`. Nothing (``[]``) when the data does not report the titles."""
    frames = analyse(table).frames
    series = frames.scope_series(scope)
    if year not in series.index:
        return [], unit_targets(table, year, units, targets, {})
    now = series.loc[year]
    shown = [indicator for indicator in TARGET_INDICATORS if pd.notna(now[indicator])]
    in_force = {k: v for k, v in targets.in_force(year, scope_chain(table, scope, year)).items() if k in shown}
    per_unit = unit_targets(table, year, units, targets, in_force)
    earlier = series.loc[series.index < year, shown]
    target_of = pd.Series({k: t.value for k, t in in_force.items()}, index=shown, dtype="float64")
    projection = project(now[shown].astype("float64"), earlier.astype("float64"), target_of, year)
    records = []
    for indicator in shown:
        target = in_force.get(indicator)
        value = float(now[indicator])
        record = TargetProgress(indicator, year, value, _plain(now[f"{indicator.removesuffix('_pct')}_change_pp"]))
        if target is not None:
            mine = per_unit[per_unit["indicator"] == indicator]
            projected = projection.at[indicator, "projected_year"]
            record = TargetProgress(
                indicator, year, value, record.change_pp, target.value, target.year, target.source, value - target.value,
                int((mine["at_target"] == True).sum()), int(mine["value"].notna().sum()),  # noqa: E712 - NaN is neither
                _plain(projection.at[indicator, "pace_pp"]), None if pd.isna(projected) or math.isinf(projected) else int(projected))
        records.append(record)
    return records, per_unit


def report_progress(table: YearlyTable, year: int, scope: str, units: list[str], targets_path: str | Path | None = None,
                    lang: str = DEFAULT_LANG) -> tuple[list[TargetProgress], pd.DataFrame]:
    """:func:`progress` for a report; the targets files are read only when the scope reports a title that year."""
    frames = analyse(table).frames
    now = frames.whole[frames.whole.index == year] if scope == SCOPE_ALL else frames.scopes(year, [scope])  # the scope's row that year
    if now.empty or now.iloc[0][list(TARGET_INDICATORS)].isna().all():
        return [], unit_targets(table, year, units, TargetSet(()), {})
    return progress(table, year, scope, units, targets_in_use(targets_path, lang, table.unit_names))
