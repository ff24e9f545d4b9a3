"""The tables of the yearly report, one per declared section (members, families and clans, training, fund by unit),
as raw numbers with their headers: the Word document shows them formatted, the Excel workbook stores them as numbers."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

import pandas as pd

from khuyenhoc.formatting import format_number, number
from khuyenhoc.i18n import text
from khuyenhoc.indicators import REGISTRY, SCOPE_ALL
from khuyenhoc.names import place_name
from khuyenhoc.reports.sections import SECTIONS, Section

if TYPE_CHECKING:
    from khuyenhoc.reports.annual import AnnualSummary


class Kind(Enum):
    """How a column's values are written: text, a whole number, a signed change, or one decimal."""

    TEXT = "text"
    COUNT = "count"
    CHANGE = "change"
    DECIMAL = "decimal"


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
    return format_number(number(value), precision, lang, signed=kind is Kind.CHANGE)


def report_tables(summary: AnnualSummary) -> list[ReportTable]:
    """One table per declared section (:data:`khuyenhoc.reports.sections.SECTIONS`): a row per unit the report
    compares (in the data's order), the area association's own row where the section asks for it, then the total
    of the report's area."""
    return [section_table(summary, section) for section in SECTIONS]


def section_table(summary: AnnualSummary, section: Section) -> ReportTable:
    """The table of one section: each column as declared; a column ``with_previous`` comes with the previous
    year's value before it and the change after it when the data has a previous year."""
    lang, year, previous = summary.lang, summary.year, summary.previous_year
    now = summary.frames.scopes(year, summary.units)
    before = summary.frames.scopes(previous, list(now.index)).reindex(now.index) if previous is not None else None
    previous_total = summary.previous_values() if previous is not None else None
    names = summary.table.unit_names

    columns: list[Column] = [Column(text("word.col_no", lang), Kind.TEXT), Column(text("word.col_unit", lang), Kind.TEXT)]
    for column in section.columns:
        kind = Kind.DECIMAL if REGISTRY[column.indicator].precision else Kind.COUNT
        header = f"word.col_{column.header}"
        if column.with_previous and previous is not None:
            columns += [Column(text(header, lang, year=previous), kind), Column(text(header, lang, year=year), kind),
                        Column(text("word.col_change", lang), Kind.CHANGE)]
        else:
            columns.append(Column(text(header, lang, year=year), kind))

    def cells(current: dict, then: dict | None, change: dict | None) -> list[object]:
        """The section's cells from ``current`` values (and ``then``, the previous year's; ``change``: the changes)."""
        found: list[object] = []
        for column in section.columns:
            value = current.get(column.indicator)
            if column.with_previous and previous is not None:
                was = None if then is None else then.get(column.indicator)
                found += [was, value, change.get(column.indicator) if change is not None else _difference(value, was)]
            else:
                found.append(value)
        return found

    def row_values(frame: pd.DataFrame | None, unit: str) -> dict | None:
        return None if frame is None else {key: number(frame.at[unit, key]) for key in section.indicators}

    rows = [(position, names.get(unit, unit), *cells(row_values(now, unit), row_values(before, unit), None))
            for position, unit in enumerate(now.index, start=1)]
    own = _own_row(summary, section, cells) if section.own_row else None
    if own is not None:
        rows.append(own)
    values = summary.values
    changes = {column.indicator: values[column.change] for column in section.columns if column.change}
    total = (None, text("word.total", lang), *cells(values, previous_total, changes))
    note = text("word.unit_note", lang, unit=text(f"word.unit_{section.unit}", lang)) if section.unit else ""
    return ReportTable(section.key, text(f"word.table_{section.key}", lang, year=year), note, tuple(columns), tuple(rows), total)


def association_name(name: str, lang: str) -> str:
    """The association a unit's name stands for, mid-sentence: "Huyện X" → "Hội Khuyến học huyện X"; a name that
    is already an association's ("Hội Khuyến học thị xã Bắc Kạn") unchanged."""
    name = " ".join(name.split())
    if name.split()[0].lower() == "hội":
        return name
    return text("word.association", lang, place=place_name(name, lang))


def _difference(now: float | None, then: float | None) -> float | None:
    return None if now is None or then is None else now - then


def _own_row(summary: AnnualSummary, section: Section, cells) -> tuple[object, ...] | None:
    """The area association's own figures (its own row: for the fund, what it manages directly), when the report
    is an area's and that row holds a value of the section's first column."""
    if summary.scope == SCOPE_ALL:
        return None
    units, first = summary.frames.units, section.columns[0].indicator
    key = (summary.year, summary.scope)
    if key not in units.index or not units.at[key, first]:
        return None
    current = {name: None for name in section.indicators} | {first: float(units.at[key, first])}
    then = None
    if summary.previous_year is not None and (summary.previous_year, summary.scope) in units.index:
        then = {name: None for name in section.indicators} | {first: float(units.at[(summary.previous_year, summary.scope), first])}
    label = text(f"word.own_{section.key}", summary.lang, name=association_name(summary.name, summary.lang))
    return (None, label, *cells(current, then, None))
