"""The tables of the yearly report, one per declared section (members, families and clans, training, fund by unit),
as raw numbers with their headers: the Word document shows them formatted, the Excel workbook stores them as numbers."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from khuyenhoc.formatting import format_number, number
from khuyenhoc.i18n import text
from khuyenhoc.indicators import REGISTRY, SCOPE_ALL
from khuyenhoc.names import place_name
from khuyenhoc.reports.reform import ended_previous, previous_on_boundaries
from khuyenhoc.reports.sections import SECTIONS, Section
from khuyenhoc.reports.sections import Column as SectionColumn

if TYPE_CHECKING:
    from khuyenhoc.reports.annual import AnnualSummary


class Kind(Enum):
    """How a column's values are written: text, a whole number, a signed change, or one decimal."""

    TEXT = "text"
    COUNT = "count"
    CHANGE = "change"
    DECIMAL = "decimal"
    DECIMAL_CHANGE = "decimal_change"  # a signed change with one decimal (percentage points)


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
    precision = 1 if kind in (Kind.DECIMAL, Kind.DECIMAL_CHANGE) else 0
    return format_number(number(value), precision, lang, signed=kind in (Kind.CHANGE, Kind.DECIMAL_CHANGE))


def report_tables(summary: AnnualSummary) -> list[ReportTable]:
    """One table per declared section (:data:`khuyenhoc.reports.sections.SECTIONS`): a row per unit the report
    compares (in the data's order), the area association's own row where the section asks for it, then the total
    of the report's area. A group's section only when the area's data of that year has the group."""
    return [section_table(summary, section) for section in SECTIONS if section.shown_in(summary.values)]


def _kind(column: SectionColumn) -> Kind:
    """How a declared column's values are written: an amount in triệu đồng and a rate with one decimal."""
    indicator = REGISTRY[column.indicator]
    if indicator.signed and indicator.precision:
        return Kind.DECIMAL_CHANGE
    return Kind.DECIMAL if indicator.precision or column.millions else Kind.COUNT


def section_table(summary: AnnualSummary, section: Section) -> ReportTable:
    """The table of one section: each column as declared; a column ``with_previous`` comes with the previous
    year's value before it and the change after it when the data has a previous year."""
    lang, year, previous = summary.lang, summary.year, summary.previous_year
    now, before = summary.unit_rows, summary.previous_unit_rows  # by unit, in the data's order
    previous_total = summary.previous_values() if previous is not None else None
    names = summary.table.unit_names

    columns: list[Column] = [Column(text("word.col_no", lang), Kind.TEXT), Column(text("word.col_unit", lang), Kind.TEXT)]
    for column in section.columns:
        kind = _kind(column)
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

    def row_values(rows: dict[str, dict] | None, unit: str) -> dict | None:
        """``unit``'s values of the section's indicators (each None when ``rows`` has no row of it)."""
        if rows is None:
            return None
        row = rows.get(unit, {})
        return {key: row.get(key) for key in section.indicators}

    def scaled(values: dict | None) -> dict | None:
        """``values`` with the amounts the section shows in triệu đồng divided by a million."""
        if values is None or not millions:
            return values
        return {key: _in_millions(value) if key in millions else value for key, value in values.items()}

    millions = {column.indicator for column in section.columns if column.millions} | {
        column.change for column in section.columns if column.millions and column.change}

    rows = [(position, names.get(unit, unit), *cells(scaled(row_values(now, unit)), scaled(row_values(before, unit)), None))
            for position, unit in enumerate(now, start=1)]
    own = _own_row(summary, section, cells) if section.own_row else None
    if own is not None:
        rows.append(own)
    values = summary.values
    if summary.reform is not None and previous is not None:  # the previous year on the current boundaries, and what ended
        rows = [(position, name, *cells(scaled(row_values(now, unit)), scaled(previous_on_boundaries(now[unit], section)), None))
                for (position, name, *_), unit in zip(rows, now, strict=False)] + rows[len(now):]
        previous_total = previous_on_boundaries(values, section)
        for level, figures in summary.reform.ended_rows(summary.table, list(now)).items():
            if any(v for v in ended_previous(figures, section).values()):
                held = scaled(ended_previous(figures, section))  # "—" this year; its change is what it held, so the changes add up
                rows.append((None, summary.reform.row_label(level, lang), *cells({}, held, {k: None if v is None else -v for k, v in held.items()})))
        residual = _residual(section, rows, scaled(previous_total))  # parts that crossed the area's border
        if residual:
            rows.append((None, text("reform.moved_row", lang), *cells({}, residual, {k: -v for k, v in residual.items()})))
    changes = {column.indicator: values[column.change] for column in section.columns if column.change}
    total = (None, text("word.total", lang), *cells(scaled(values), scaled(previous_total), scaled(changes)))
    note = text("word.unit_note", lang, unit=text(f"word.unit_{section.unit}", lang)) if section.unit else ""
    return ReportTable(section.key, text(f"word.table_{section.key}", lang, year=year), note, tuple(columns), tuple(rows), total)


def _in_millions(value: float | None) -> float | None:
    return None if value is None else value / 1_000_000


def mergers_table(summary: AnnualSummary) -> ReportTable | None:
    """Which units merged into which this year (with a lineage table), one row per new unit; None without a merger."""
    shown = summary.mergers_table()
    if shown is None:
        return None
    lang = summary.lang
    columns = (Column(text("word.col_no", lang), Kind.TEXT), *(Column(str(header), Kind.TEXT) for header in shown.columns))
    rows = tuple((position, *values) for position, values in enumerate(shown.itertuples(index=False, name=None), start=1))
    return ReportTable("mergers", text("reform.table_mergers", lang, year=summary.year), "", columns, rows, None)


def _residual(section: Section, rows: list[tuple], previous_total: dict) -> dict[str, float]:
    """The previous year's total less its rows, per column shown with its previous year, when any is not zero."""
    found, position = {}, 2
    for column in section.columns:
        if column.with_previous:
            total = previous_total.get(column.indicator)
            summed = sum(number(row[position]) or 0.0 for row in rows)
            found[column.indicator] = 0.0 if total is None else total - summed
            position += 3
        else:
            position += 1
    return found if any(abs(v) > 0.5 for v in found.values()) else {}


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
    change = section.columns[0].change
    if summary.reform is not None and change:  # its own row's previous year on its current boundaries
        was = units.at[key, change]
        then = {name: None for name in section.indicators} | {first: None if was != was else float(units.at[key, first]) - float(was)}
    elif summary.previous_year is not None and (summary.previous_year, summary.scope) in units.index:
        then = {name: None for name in section.indicators} | {first: float(units.at[(summary.previous_year, summary.scope), first])}
    label = text(f"word.own_{section.key}", summary.lang, name=association_name(summary.name, summary.lang))
    return (None, label, *cells(current, then, None))
