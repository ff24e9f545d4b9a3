"""Type the raw cells and check every rule of the contract in one pass."""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd
import pandera.pandas as pa

from khuyenhoc.errors import PROBLEM_COLUMNS
from khuyenhoc.i18n import DEFAULT_LANG, quote, rule_message, text
from khuyenhoc.reader import RawTable
from khuyenhoc.safetext import control_characters
from khuyenhoc.vnnumbers import parse_integer_frame
from khuyenhoc.ids import is_unit_id
from khuyenhoc.schema import (AREA_LEVELS, CITY, COLUMN_BY_NAME, COUNT_CELLS, COUNT_COLUMNS, LEVEL_LOOKUP, LEVEL_RANK, ROW_RULES, SCHEMA, SHARE_RULES,
                              TEXT_LIMIT, YEAR_RANGE, fold)


NULL_CHECKS = {"not_nullable": "required"}
_LONE_COMMA_GROUP = re.compile(r"[+-]?\d{1,3},\d{3}")  # 9,123: a count cannot have a fraction, so it is 9.123
KEY_COLUMNS = ("year", "unit_id", "level", "parent_id")  # the tree is checked only when these are valid everywhere


def clean_text(values: pd.Series) -> pd.Series:
    """NFC, trimmed text; blank cells become None. Each distinct text is cleaned once."""
    codes, distinct = pd.factorize(values.astype("string"), use_na_sentinel=True)
    cleaned = [unicodedata.normalize("NFC", text).strip() or None for text in distinct]
    return pd.Series(np.array([*cleaned, None], dtype=object)[codes], index=values.index, dtype=object)


def normalise_level(values: pd.Series) -> pd.Series:
    """Map xã/phường/huyện/… to ``commune``/``district``; unknown text is kept for the check to flag."""
    codes, distinct = pd.factorize(values, use_na_sentinel=True)
    mapped = [LEVEL_LOOKUP.get(fold(v), v) if isinstance(v, str) else v for v in distinct]
    return pd.Series(np.array([*mapped, None], dtype=object)[codes], index=values.index, dtype=object)


def normalise(raw: RawTable) -> tuple[pd.DataFrame, list[dict]]:
    """Typed columns (Int64 for counts, text otherwise) and the cells that could not be typed."""
    integers = [name for name in raw.frame.columns if COLUMN_BY_NAME[name].kind == "integer"]
    parsed, failures = parse_integer_frame(raw.frame[integers])
    columns: dict[str, pd.Series] = {}
    for name in raw.frame.columns:
        spec = COLUMN_BY_NAME[name]
        if spec.kind == "integer":
            columns[name] = parsed[name]
        else:
            text_values = clean_text(raw.frame[name])
            columns[name] = normalise_level(text_values) if spec.kind == "level" else text_values
    problems = [{"row": row, "column": name, "rule": rule} for row, name, rule in failures]
    return pd.DataFrame(columns, index=raw.frame.index, copy=False), problems


def _with_every_column(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every column of the contract, in its order: a column the file lacks is blank (Int64 for counts)."""
    rows = len(frame)

    def blank(kind: str) -> object:
        return pd.arrays.IntegerArray(np.zeros(rows, dtype="int64"), np.ones(rows, dtype=bool)) if kind == "integer" else np.full(rows, None, dtype=object)

    columns = {name: frame[name] if name in frame.columns else blank(spec.kind) for name, spec in COLUMN_BY_NAME.items()}
    return pd.DataFrame(columns, index=frame.index, copy=False)


def has_parents(frame: pd.DataFrame) -> bool:
    """True when the file says who reports to whom (a ``parent_id`` column with at least one value)."""
    return "parent_id" in frame.columns and bool(frame["parent_id"].notna().any())


def resolve_city(frame: pd.DataFrame) -> pd.Series:
    """The level of each row once "thành phố" is decided: with parent_id, a city under a province is a
    district and a city without a parent (or under the national association) a province; without
    parent_id it is the district row, as before parents existed."""
    level = frame["level"].copy()
    city = level == CITY
    if not city.any():
        return level
    if not has_parents(frame):
        return level.mask(city, "district")
    parents = frame["parent_id"]
    level = level.mask(city & parents.isna(), "province")
    for _ in range(len(LEVEL_RANK)):  # a city's parent may itself be a city: settle from the top down
        undecided = level == CITY
        if not undecided.any():
            break
        of = dict(zip(zip(frame["year"], frame["unit_id"], strict=True), level, strict=True))
        parent_level = pd.Series([of.get((y, p)) for y, p in zip(frame["year"], parents, strict=True)], index=frame.index)
        settled = undecided & (parent_level != CITY)
        level = level.mask(settled & parent_level.isin(["national"]), "province").mask(settled & ~parent_level.isin(["national"]), "district")
    return level.mask(level == CITY, "district")


def hierarchy_problems(frame: pd.DataFrame) -> list[dict]:
    """Who reports to whom, row by row: the parent exists that year, sits at a higher level, and no unit
    is its own ancestor (every row of a cycle is reported)."""
    if not has_parents(frame):
        return []
    keyed = (frame["year"].notna() & frame["unit_id"].notna()).to_numpy() & ~frame.index.duplicated()
    by_year: dict[int, list[tuple[int, str, object, object]]] = {}  # year -> (row, unit, level, parent) in the file's order
    for row, year, unit, level, parent in zip(frame.index[keyed], frame["year"].to_numpy()[keyed], frame["unit_id"].to_numpy()[keyed],
                                              frame["level"].to_numpy()[keyed], frame["parent_id"].to_numpy()[keyed], strict=True):
        by_year.setdefault(int(year), []).append((row, unit, level, parent))
    problems: list[dict] = []
    for year in sorted(by_year):
        rows = by_year[year]
        level_of = {unit: level for _, unit, level, _ in rows}
        parent_of = {unit: parent for _, unit, _, parent in rows if isinstance(parent, str)}
        row_of = {unit: row for row, unit, _, _ in rows}
        for unit, parent in parent_of.items():
            row = int(row_of[unit])
            if parent not in level_of:
                problems.append({"row": row, "column": "parent_id", "rule": "parent_missing", "params": {"parent": parent, "year": int(year)}})
            elif LEVEL_RANK.get(level_of[parent], 0) <= LEVEL_RANK.get(level_of[unit], 0) and parent != unit:
                problems.append({"row": row, "column": "parent_id", "rule": "parent_level",
                                 "params": {"parent": parent, "parent_level": level_of[parent], "level": level_of[unit]}})
        for cycle in _cycles(parent_of):
            chain = " → ".join([*cycle, cycle[0]])
            problems += [{"row": int(row_of[unit]), "column": "parent_id", "rule": "parent_cycle", "params": {"chain": chain, "year": int(year)}}
                         for unit in cycle]
    return problems


def _cycles(parent_of: dict[str, str]) -> list[list[str]]:
    """Every cycle of parent links (a unit that is its own ancestor), each listed once from its first unit."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    cycles = []
    for start in parent_of:
        path: list[str] = []
        unit = start
        while unit in parent_of and state.get(unit) is None:
            state[unit] = 1
            path.append(unit)
            unit = parent_of[unit]
        if state.get(unit) == 1:  # came back to a unit of this path
            cycles.append(path[path.index(unit):])
        for seen in path:
            state[seen] = 2
    return cycles


def imply_parents(frame: pd.DataFrame) -> pd.Series:
    """parent_id for every row: as written when the file has parents; otherwise each commune reports to
    the year's one area row (if there is one) and that row is a root."""
    if has_parents(frame):
        return frame["parent_id"]
    areas = frame[frame["level"].isin(AREA_LEVELS)].drop_duplicates("year").set_index("year")["unit_id"]
    implied = frame["year"].map(areas).where(frame["level"] == "commune")
    return implied.astype(object).where(implied.notna(), None)


def parent_changes(frame: pd.DataFrame) -> list[tuple[int, str, int, str | None, str | None]]:
    """Units whose parent differs from one year to the next, by unit then year: (row of the change, unit_id, year,
    parent before, parent after), None for no parent."""
    keyed = (frame["year"].notna() & frame["unit_id"].notna()).to_numpy()
    rows = frame.index.to_numpy()[keyed].tolist()
    years = frame["year"].to_numpy()[keyed].tolist()
    units = frame["unit_id"].to_numpy()[keyed].tolist()
    written = frame["parent_id"].notna().to_numpy()
    parents = np.where(written, frame["parent_id"].to_numpy(dtype=object), None)[keyed].tolist()
    changes = []
    previous = None
    for i in sorted(range(len(rows)), key=lambda i: (units[i], years[i])):
        if previous is not None and units[previous] == units[i] and parents[previous] != parents[i]:
            changes.append((int(rows[i]), units[i], int(years[i]), parents[previous], parents[i]))
        previous = i
    return changes


def count_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """The cells of the count columns (:data:`COUNT_COLUMNS`) one under the other, column after column, as
    :data:`~khuyenhoc.schema.COUNT_CELLS` validates them: ``value`` (Int64) and ``nullable`` (the column may be blank)."""
    counts = frame[COUNT_COLUMNS]
    values = counts.to_numpy(dtype="int64", na_value=0).ravel(order="F")
    blank = counts.isna().to_numpy().ravel(order="F")
    nullable = np.repeat([COLUMN_BY_NAME[name].nullable for name in COUNT_COLUMNS], len(frame))
    return pd.DataFrame({"value": pd.arrays.IntegerArray(values, blank), "nullable": nullable})


def _failures(schema: pa.DataFrameSchema, frame: pd.DataFrame) -> pd.DataFrame | None:
    """pandera's failure cases of ``frame`` that name a row (those about a whole column, missing or mistyped, do not);
    None when the frame is valid."""
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
    else:
        return None
    return cases[cases["index"].notna()]


def _schema_problems(frame: pd.DataFrame) -> list[dict]:
    """Every cell breaking a declared rule: the rules over rows (reported under ``ROW_RULES``' column), then the rules of
    each column, then those of every count cell at once (their cell's row and column found from its position)."""
    problems: list[dict] = []
    cases = _failures(SCHEMA, frame)
    if cases is not None:
        rules = cases["check"].astype(str).map(lambda check: NULL_CHECKS.get(check, check))
        of_frame = (cases["schema_context"] == "DataFrameSchema").to_numpy()
        wanted = ~of_frame | rules.isin(list(ROW_RULES)).to_numpy()
        columns = np.where(of_frame, rules.map(ROW_RULES).to_numpy(dtype=object), cases["column"].to_numpy(dtype=object))
        problems = [
            {"row": int(row), "column": column, "rule": rule}
            for row, column, rule in zip(cases["index"].to_numpy()[wanted], columns[wanted], rules.to_numpy()[wanted], strict=True)
        ]
    cells = _failures(COUNT_CELLS, count_cells(frame))
    if cells is not None:
        position = cells["index"].to_numpy(dtype="int64")
        rows, names = frame.index.to_numpy()[position % len(frame)], np.asarray(COUNT_COLUMNS, dtype=object)[position // len(frame)]
        problems += [{"row": int(row), "column": column, "rule": rule} for row, column, rule in zip(rows, names, cells["check"].astype(str), strict=True)]
    return problems


class _Cells:
    """Cell values by (row, column), each column turned into a dict on first use: a file with a
    whole column wrong has hundreds of thousands of problems, and ``DataFrame.at`` is slow."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self.columns: dict[str, dict] = {}

    def get(self, row: int, column: str) -> object:
        if column not in self.frame.columns:
            return None
        if column not in self.columns:
            self.columns[column] = dict(zip(self.frame.index, self.frame[column].tolist(), strict=True))
        return self.columns[column].get(row)


def _params(rule: str, row: int, typed: _Cells, column: str = "") -> dict:
    if rule == "control_character":
        return {"chars": ", ".join(control_characters(str(typed.get(row, column))))}
    if rule == "text_too_long":
        return {"limit": TEXT_LIMIT}
    if rule == "year_range":
        return {"low": YEAR_RANGE[0], "high": YEAR_RANGE[1]}
    if rule == "clans_recognised_le_registered":
        return {"registered": typed.get(row, "clans_registered")}
    if rule in SHARE_RULES:
        return {"total": typed.get(row, SHARE_RULES[rule][0])}
    if rule in ("unique_year_unit", "one_area_per_year"):
        return {"year": typed.get(row, "year")}
    return {}


def unit_id_slug(written: str) -> str:
    """A unit id from what was written: lower case, no diacritics, words joined by '-' ("Sông Cầu" → "song-cau")."""
    plain = unicodedata.normalize("NFD", written.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in plain if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9_]+", "-", plain).strip("-")


def suggested_fix(rule: str, value: object) -> str | None:
    """What a cell that broke ``rule`` almost certainly meant, when only one reading fits (else None):
    a lone comma group in a count (9,123 → 9.123); a unit id with spaces, capitals or diacritics (→ its slug)."""
    if not isinstance(value, str):
        return None
    written = value.strip()
    if rule == "fractional" and _LONE_COMMA_GROUP.fullmatch(written):
        return written.replace(",", ".")
    if rule == "unit_id_format":
        slug = unit_id_slug(written)
        return slug if slug != written and is_unit_id(slug) else None
    return None


def _message(rule: str, value: object, lang: str, params: dict) -> str:
    """The rule's message, with the fix when one is certain."""
    message = rule_message(rule, lang, **params)
    fix = suggested_fix(rule, value)
    return message if fix is None else text("problems.suggest", lang, message=message, value=quote(fix, lang))


def _written(written: _Cells, row: int, column: str) -> object:
    """The cell as it was in the file; "" for an empty one."""
    value = written.get(row, column)
    return "" if value is None or (isinstance(value, float) and value != value) else value


def check(raw: RawTable, lang: str = DEFAULT_LANG) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Return (typed frame, problems, warnings); problems is empty when the data is valid."""
    frame, parse_problems = normalise(raw)
    if "level" in frame.columns:
        frame["level"] = resolve_city(frame)
    missing = [name for name, spec in COLUMN_BY_NAME.items() if spec.required and name not in frame.columns]
    full = _with_every_column(frame)
    seen = {(p["row"], p["column"]) for p in parse_problems}
    schema_problems = [
        p
        for p in _schema_problems(full)
        if (p["row"], p["column"]) not in seen and not (missing and (p["column"] in missing or p["rule"] in ROW_RULES))
    ]
    keys_broken = any(p["column"] in KEY_COLUMNS or p["rule"] == "unique_year_unit" for p in [*parse_problems, *schema_problems])
    if not missing and not keys_broken:  # who reports to whom, once every row's keys can be trusted
        schema_problems += hierarchy_problems(full)
    written, typed = _Cells(raw.frame), _Cells(full)
    order = {name: position for position, name in enumerate(raw.headers)}
    rows = []
    for problem in [*raw.problems, *parse_problems, *schema_problems]:
        rule, row, column = problem["rule"], problem["row"], problem["column"]
        if "header" in problem:  # a structural problem: the header row itself
            header, params = problem["header"], {"header": problem["header"]}
        elif "params" in problem:
            header, params = raw.headers.get(column, column), _level_words(problem["params"], lang)
        else:
            header, params = raw.headers.get(column, column), _params(rule, row, typed, column)
        value = problem["value"] if "value" in problem else _written(written, row, column)
        rows.append({"file": str(raw.path), "row": row, "column": header, "value": value, "rule": rule,
                     "message": _message(rule, value, lang, params), "_order": order.get(column, -1)})
    problems = pd.DataFrame(rows, columns=[*PROBLEM_COLUMNS, "_order"]).sort_values(["row", "_order"], kind="stable")
    warnings = _warnings(raw, frame, lang)
    if problems.empty:
        full["parent_id"] = imply_parents(full)
        warnings = pd.concat([warnings, _parent_notes(raw, full, lang)], ignore_index=True) if has_parents(frame) else warnings
    warnings = warnings.sort_values("row", kind="stable").reset_index(drop=True)  # notes in the file's row order too
    return full, problems[PROBLEM_COLUMNS].drop_duplicates(["row", "column", "rule"]).reset_index(drop=True), warnings


def _level_words(params: dict, lang: str) -> dict:
    """Message values with level ids turned into words of ``lang``."""
    from khuyenhoc.i18n import level_name

    return {key: level_name(value, lang) if key in ("level", "parent_level") else value for key, value in params.items()}


def _parent_notes(raw: RawTable, frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """One note per unit whose parent changed between years (allowed: districts abolished, communes merged)."""
    none = rule_message("parent_none", lang)
    first: dict[str, tuple[int, str | None]] = {}  # unit -> (row, parent after) of its first change
    steps: dict[str, list[str]] = {}
    for row, unit, year, before, after in parent_changes(frame):
        first.setdefault(unit, (row, after))
        steps.setdefault(unit, []).append(f"{year}: {none if before is None else before} → {none if after is None else after}")
    return pd.DataFrame({
        "file": str(raw.path), "row": np.array([row for row, _ in first.values()], dtype="int64"),
        "column": raw.headers.get("parent_id", "parent_id"), "value": np.array(["" if after is None else after for _, after in first.values()], dtype=object),
        "rule": "parent_changed", "message": [rule_message("parent_changed", lang, unit_id=unit, steps="; ".join(text)) for unit, text in steps.items()],
    }, columns=PROBLEM_COLUMNS)


def _warnings(raw: RawTable, frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    rows = [
        {"file": str(raw.path), "row": n["row"], "column": n["column"], "value": n["value"], "rule": n["rule"],
         "message": rule_message(n["rule"], lang, header=n["column"])}
        for n in raw.notes
    ]
    if {"unit_id", "unit_name"} <= set(frame.columns):
        named = (frame["unit_id"].notna() & frame["unit_name"].notna()).to_numpy()
        names: dict[str, dict[str, int]] = {}  # unit_id -> each name it carries -> the row it first appears on
        for row, unit_id, name in zip(frame.index[named], frame["unit_id"].to_numpy()[named], frame["unit_name"].to_numpy()[named], strict=True):
            names.setdefault(unit_id, {}).setdefault(name, row)
        for unit_id in sorted(unit for unit, carried in names.items() if len(carried) > 1):  # only ids that carry several names
            (_, (second, row), *_) = names[unit_id].items()
            listed = ", ".join(quote(n, lang) for n in names[unit_id])
            rows.append({"file": str(raw.path), "row": int(row), "column": raw.headers["unit_name"], "value": second,
                         "rule": "unit_name_changed", "message": rule_message("unit_name_changed", lang, unit_id=unit_id, names=listed)})
    return pd.DataFrame(rows, columns=PROBLEM_COLUMNS)
