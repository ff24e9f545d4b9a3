"""Type the raw cells and check every rule of the contract in one pass."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from khuyenhoc.errors import PROBLEM_COLUMNS
from khuyenhoc.i18n import DEFAULT_LANG, rule_message
from khuyenhoc.io import RawTable
from khuyenhoc.numbers import parse_integer_series
from khuyenhoc.schema import COLUMN_BY_NAME, LEVEL_LOOKUP, ROW_RULES, SCHEMA, YEAR_RANGE, fold

NULL_CHECKS = {"not_nullable": "required"}


def clean_text(values: pd.Series) -> pd.Series:
    """NFC, trimmed text; blank cells become None."""
    cleaned = values.astype("string").str.normalize("NFC").str.strip()
    cleaned = cleaned.mask(cleaned == "")
    return cleaned.astype(object).where(cleaned.notna(), None)


def normalise_level(values: pd.Series) -> pd.Series:
    """Map xã/phường/huyện/… to ``commune``/``district``; unknown text is kept for the check to flag."""
    mapped = values.map(lambda v: LEVEL_LOOKUP.get(fold(v)) if isinstance(v, str) else None)
    return mapped.where(mapped.notna(), values)


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
    problems = []
    for case in cases.itertuples(index=False):
        rule = NULL_CHECKS.get(case.check, case.check)
        if case.index is None or pd.isna(case.index):
            continue
        if case.schema_context == "DataFrameSchema":
            if rule not in ROW_RULES:
                continue
            column = ROW_RULES[rule]
        else:
            column = case.column
        problems.append({"row": int(case.index), "column": column, "rule": rule})
    return problems


def _params(rule: str, row: int, frame: pd.DataFrame) -> dict:
    if rule == "year_range":
        return {"low": YEAR_RANGE[0], "high": YEAR_RANGE[1]}
    if rule == "clans_recognised_le_registered":
        return {"registered": frame.at[row, "clans_registered"]}
    if rule in ("unique_year_unit", "one_district_per_year"):
        return {"year": frame.at[row, "year"]}
    return {}


def _written(raw: RawTable, row: int, column: str) -> object:
    if column in raw.frame.columns and row in raw.frame.index:
        value = raw.frame.at[row, column]
        return "" if value is None or (isinstance(value, float) and value != value) else value
    return ""


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
    rows = []
    for problem in [*raw.problems, *parse_problems, *schema_problems]:
        rule, row, column = problem["rule"], problem["row"], problem["column"]
        header = raw.headers.get(column, column)
        params = {"header": problem["header"]} if "header" in problem else _params(rule, row, full)
        rows.append({"file": str(raw.path), "row": row, "column": header, "value": problem.get("value", _written(raw, row, column)), "rule": rule, "message": rule_message(rule, lang, **params), "_order": list(raw.headers).index(column) if column in raw.headers else -1})
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
        for unit_id, group in names.groupby("unit_id", sort=True):
            if len(group) > 1:
                row = int(group.index[1])
                listed = ", ".join(f"«{n}»" if lang == "vi" else f"'{n}'" for n in group["unit_name"])
                rows.append({"file": str(raw.path), "row": row, "column": raw.headers["unit_name"], "value": group["unit_name"].iloc[1], "rule": "unit_name_changed", "message": rule_message("unit_name_changed", lang, unit_id=unit_id, names=listed)})
    return pd.DataFrame(rows, columns=PROBLEM_COLUMNS)
