"""Type the raw cells and check every rule of the contract in one pass."""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd
import pandera.pandas as pa

from khuyenhoc.errors import PROBLEM_COLUMNS
from khuyenhoc.i18n import DEFAULT_LANG, rule_message
from khuyenhoc.io import RawTable
from khuyenhoc.numbers import parse_integer_series
from khuyenhoc.schema import COLUMN_BY_NAME, LEVEL_LOOKUP, ROW_RULES, SCHEMA, TEXT_LIMIT, YEAR_RANGE, fold

NULL_CHECKS = {"not_nullable": "required"}


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
    columns: dict[str, pd.Series] = {}
    problems: list[dict] = []
    for name in raw.frame.columns:
        spec = COLUMN_BY_NAME[name]
        cells = raw.frame[name]
        if spec.kind == "integer":
            values, failures = parse_integer_series(cells)
            problems += [{"row": row, "column": name, "rule": rule} for row, rule in failures.items()]
            columns[name] = values
        else:
            text_values = clean_text(cells)
            columns[name] = normalise_level(text_values) if spec.kind == "level" else text_values
    return pd.DataFrame(columns, index=raw.frame.index), problems


def _schema_problems(frame: pd.DataFrame) -> list[dict]:
    try:
        SCHEMA.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
    else:
        return []
    cases = cases[cases["index"].notna()]  # failures about a whole column (missing, dtype) have no row
    rules = cases["check"].astype(str).map(lambda check: NULL_CHECKS.get(check, check))
    of_frame = (cases["schema_context"] == "DataFrameSchema").to_numpy()
    wanted = ~of_frame | rules.isin(list(ROW_RULES)).to_numpy()
    columns = np.where(of_frame, rules.map(ROW_RULES).to_numpy(dtype=object), cases["column"].to_numpy(dtype=object))
    return [
        {"row": int(row), "column": column, "rule": rule}
        for row, column, rule in zip(cases["index"].to_numpy()[wanted], columns[wanted], rules.to_numpy()[wanted], strict=True)
    ]


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


def _params(rule: str, row: int, typed: _Cells) -> dict:
    if rule == "text_too_long":
        return {"limit": TEXT_LIMIT}
    if rule == "year_range":
        return {"low": YEAR_RANGE[0], "high": YEAR_RANGE[1]}
    if rule == "clans_recognised_le_registered":
        return {"registered": typed.get(row, "clans_registered")}
    if rule in ("unique_year_unit", "one_district_per_year"):
        return {"year": typed.get(row, "year")}
    return {}


def _written(written: _Cells, row: int, column: str) -> object:
    """The cell as it was in the file; "" for an empty one."""
    value = written.get(row, column)
    return "" if value is None or (isinstance(value, float) and value != value) else value


def check(raw: RawTable, lang: str = DEFAULT_LANG) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Return (typed frame, problems, warnings); problems is empty when the data is valid."""
    frame, parse_problems = normalise(raw)
    missing = [name for name, spec in COLUMN_BY_NAME.items() if spec.required and name not in frame.columns]
    full = frame.reindex(columns=list(COLUMN_BY_NAME))
    for name in [c for c in COLUMN_BY_NAME if c not in frame.columns]:
        full[name] = pd.array([pd.NA] * len(full), dtype="Int64") if COLUMN_BY_NAME[name].kind == "integer" else None
    seen = {(p["row"], p["column"]) for p in parse_problems}
    schema_problems = [
        p
        for p in _schema_problems(full)
        if (p["row"], p["column"]) not in seen and not (missing and (p["column"] in missing or p["rule"] in ROW_RULES))
    ]
    written, typed = _Cells(raw.frame), _Cells(full)
    order = {name: position for position, name in enumerate(raw.headers)}
    rows = []
    for problem in [*raw.problems, *parse_problems, *schema_problems]:
        rule, row, column = problem["rule"], problem["row"], problem["column"]
        if "header" in problem:  # a structural problem: the header row itself
            header, params = problem["header"], {"header": problem["header"]}
        else:
            header, params = raw.headers.get(column, column), _params(rule, row, typed)
        value = problem["value"] if "value" in problem else _written(written, row, column)
        rows.append({"file": str(raw.path), "row": row, "column": header, "value": value, "rule": rule,
                     "message": rule_message(rule, lang, **params), "_order": order.get(column, -1)})
    problems = pd.DataFrame(rows, columns=[*PROBLEM_COLUMNS, "_order"]).sort_values(["row", "_order"], kind="stable")
    warnings = _warnings(raw, frame, lang)
    return full, problems[PROBLEM_COLUMNS].drop_duplicates(["row", "column", "rule"]).reset_index(drop=True), warnings


def _warnings(raw: RawTable, frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    rows = [
        {"file": str(raw.path), "row": n["row"], "column": n["column"], "value": n["value"], "rule": n["rule"], "message": rule_message(n["rule"], lang, header=n["column"])}
        for n in raw.notes
    ]
    if {"unit_id", "unit_name"} <= set(frame.columns):
        names = frame.dropna(subset=["unit_id", "unit_name"]).drop_duplicates(["unit_id", "unit_name"])
        names = names[names["unit_id"].duplicated(keep=False)]  # only ids that carry several names
        for unit_id, group in names.groupby("unit_id", sort=True):
            if len(group) > 1:
                row = int(group.index[1])
                listed = ", ".join(f"«{n}»" if lang == "vi" else f"'{n}'" for n in group["unit_name"])
                rows.append({"file": str(raw.path), "row": row, "column": raw.headers["unit_name"], "value": group["unit_name"].iloc[1], "rule": "unit_name_changed", "message": rule_message("unit_name_changed", lang, unit_id=unit_id, names=listed)})
    return pd.DataFrame(rows, columns=PROBLEM_COLUMNS)
