"""The tables of the yearly report (members, families and clans, training, fund by unit), as raw numbers with
their headers: the Word document shows them formatted, the Excel workbook stores them as numbers."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

import pandas as pd

from khuyenhoc.formatting import format_number
from khuyenhoc.i18n import text
from khuyenhoc.indicators import SCOPE_ALL
from khuyenhoc.spreadsheet import DECIMAL_FORMAT, INTEGER_FORMAT

if TYPE_CHECKING:
    from khuyenhoc.summary import AnnualSummary


class Kind(Enum):
    """How a column's values are written: text, a whole number, a signed change, or one decimal."""

    TEXT = "text"
    COUNT = "count"
    CHANGE = "change"
    DECIMAL = "decimal"

    @property
    def excel_format(self) -> str:
        signed = f"+{INTEGER_FORMAT};-{INTEGER_FORMAT};0"
        return {"text": "@", "count": INTEGER_FORMAT, "change": signed, "decimal": DECIMAL_FORMAT}[self.value]


@dataclass(frozen=True)
class Column:
    header: str
    kind: Kind


@dataclass(frozen=True)
class ReportTable:
    """One table of the report: ``rows`` and ``total`` hold raw values (None where undefined)."""

    key: str
    title: str
    unit_note: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[object, ...], ...]
    total: tuple[object, ...] | None

    def shown(self, lang: str) -> list[list[str]]:
        """Every row (the total last) as text in ``lang``'s number form; missing values as "—"."""
        return [[_cell(value, column.kind, lang) for value, column in zip(row, self.columns, strict=True)]
                for row in (*self.rows, *((self.total,) if self.total else ()))]


def _cell(value: object, kind: Kind, lang: str) -> str:
    if kind is Kind.TEXT:
        return "" if value is None else str(value)
    precision = 1 if kind is Kind.DECIMAL else 0
    return format_number(None if value is None or pd.isna(value) else value, precision, lang, signed=kind is Kind.CHANGE)


def _number(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def report_tables(summary: AnnualSummary) -> list[ReportTable]:
    """The four tables of section I, one row per unit the report compares (in the data's order), then the total
    of the report's area; the fund table also has a row for the area association's own fund when it holds one."""
    lang, year, previous = summary.lang, summary.year, summary.previous_year
    frames = summary.table.indicator_frames
    now = frames.scopes(year, summary.units)
    before = frames.scopes(previous, list(now.index)).reindex(now.index) if previous is not None else None
    names = summary.table.unit_names
    rows = [(position, names.get(unit, unit), unit) for position, unit in enumerate(now.index, start=1)]
    values, total_label = summary.values, text("word.total", lang)

    def col(key: str, kind: Kind, **extra: object) -> Column:
        return Column(text(f"word.col_{key}", lang, **extra), kind)

    def table(key: str, unit: str, columns: list[Column], cells, total: list[object]) -> ReportTable:
        head = [Column(text("word.col_no", lang), Kind.TEXT), Column(text("word.col_unit", lang), Kind.TEXT)]
        body = tuple((position, name, *cells(unit_id)) for position, name, unit_id in rows)
        note = text("word.unit_note", lang, unit=unit) if unit else ""  # no note where each column says its unit
        return ReportTable(key, text(f"word.table_{key}", lang, year=year), note, tuple(head + columns),
                           body, (None, total_label, *total))

    def was(unit_id: str, key: str) -> float | None:
        return None if before is None else _number(before.at[unit_id, key])

    def change(now_value: float | None, then_value: float | None) -> float | None:
        return None if now_value is None or then_value is None else now_value - then_value

    with_previous = previous is not None
    members_cols = ([col("members_in", Kind.COUNT, year=previous)] if with_previous else []) + [
        col("members_in", Kind.COUNT, year=year)] + ([col("change", Kind.CHANGE)] if with_previous else []) + [
        col("population", Kind.COUNT), col("members_share", Kind.DECIMAL)]

    def members_cells(unit_id: str) -> list[object]:
        current, then = _number(now.at[unit_id, "members"]), was(unit_id, "members")
        return ([then] if with_previous else []) + [current] + ([change(current, then)] if with_previous else []) + [
            _number(now.at[unit_id, "population"]), _number(now.at[unit_id, "members_per_population_pct"])]

    previous_total = summary._previous_values() if with_previous else None
    members_total = ([None if previous_total is None else previous_total["members"]] if with_previous else []) + [values["members"]] + (
        [values["members_change"]] if with_previous else []) + [values["population"], values["members_per_population_pct"]]

    family_keys = ("baccalaureate_families", "bachelor_families", "clans_registered", "clans_recognised")
    training_keys = ("training_classes", "training_participants", "participants_per_class")
    fund_cols = ([col("fund_in", Kind.COUNT, year=previous)] if with_previous else []) + [col("fund_in", Kind.COUNT, year=year)] + (
        [col("change", Kind.CHANGE)] if with_previous else []) + [col("fund_per_member", Kind.COUNT)]

    def fund_cells(unit_id: str) -> list[object]:
        current, then = _number(now.at[unit_id, "fund_total_vnd"]), was(unit_id, "fund_total_vnd")
        return ([then] if with_previous else []) + [current] + ([change(current, then)] if with_previous else []) + [
            _number(now.at[unit_id, "fund_per_member_vnd"])]

    fund_total = ([None if previous_total is None else previous_total["fund_total_vnd"]] if with_previous else []) + [
        values["fund_total_vnd"]] + ([values["fund_change_vnd"]] if with_previous else []) + [values["fund_per_member_vnd"]]
    fund = table("fund", text("word.unit_vnd", lang), fund_cols, fund_cells, fund_total)
    own = _own_fund_row(summary, len(fund_cols))
    if own is not None:
        fund = ReportTable(fund.key, fund.title, fund.unit_note, fund.columns, (*fund.rows, own), fund.total)
    return [
        table("members", text("word.unit_person", lang), members_cols, members_cells, members_total),
        table("families", "", [col(key, Kind.COUNT) for key in family_keys],
              lambda unit_id: [_number(now.at[unit_id, key]) for key in family_keys], [values[key] for key in family_keys]),
        table("training", "", [col(key, Kind.DECIMAL if key == "participants_per_class" else Kind.COUNT)
                                                          for key in training_keys],
              lambda unit_id: [_number(now.at[unit_id, key]) for key in training_keys], [values[key] for key in training_keys]),
        fund,
    ]


def _own_fund_row(summary: AnnualSummary, width: int) -> tuple[object, ...] | None:
    """The area association's own fund (its own row), when the report is an area's and that row holds a fund."""
    if summary.scope == SCOPE_ALL:
        return None
    units = summary.table.indicator_frames.units
    key = (summary.year, summary.scope)
    if key not in units.index or not units.at[key, "fund_total_vnd"]:
        return None
    current = float(units.at[key, "fund_total_vnd"])
    then = None
    if summary.previous_year is not None and (summary.previous_year, summary.scope) in units.index:
        then = float(units.at[(summary.previous_year, summary.scope), "fund_total_vnd"])
    label = text("word.own_fund", summary.lang, name=summary.name)
    cells = ([then] if summary.previous_year is not None else []) + [current] + (
        [None if then is None else current - then] if summary.previous_year is not None else []) + [None]
    assert len(cells) == width
    return (None, label, *cells)
