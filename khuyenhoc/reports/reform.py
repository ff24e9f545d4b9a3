"""What a report shows of a reorganisation (issue 17), read from the table's lineage: the units or levels that ended
(their previous-year figures, a table row of their own), the split of a change (the current units on their current
boundaries, and what the ended units held), and which units merged into which.

Without a lineage table a reorganisation is still plain where a whole level ended in the report's area in the year of
a known reorganisation (:data:`REFORM_MONTHS`: the districts in July 2025): the report then compares the units with
rows in both years, gives what ended and what is no longer in the data rows of their own (so the years' columns add
up), says that the units new this year are not compared, and, when some unit cannot be compared without one, that no
lineage table was given. Any other year without a lineage table is reported as before.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pandas as pd

from khuyenhoc.formatting import format_number, format_percent, format_vnd, number
from khuyenhoc.i18n import level_name, text, text_count
from khuyenhoc.indicators import REGISTRY, SCOPE_ALL
from khuyenhoc.names import in_sentence
from khuyenhoc.reports.sections import Section
from khuyenhoc.reports.text import percent_change_text
from khuyenhoc.restate import Restatement, restatement, restatements
from khuyenhoc.table import YearlyTable

# The month a known reform took effect (the lineage table says the year only): the 2025 reform from 1 July 2025.
REFORM_MONTHS = {2025: 7}
# The changes a report's narrative states, each with the quantity it compares (see Indicator.previous).
SPLIT_CHANGES = {"members": ("members_change", "members_growth_pct"), "fund_total": ("fund_change_vnd", "fund_growth_pct")}
FINDING_QUANTITIES = {"members": "members", "fund_total": "fund_total_vnd"}  # restated quantity -> the findings' indicator
NAMED_MERGERS = 5  # at most this many mergers named in a paragraph; the rest are in the mergers table


def ended_label(level: str, year: int, lang: str) -> str:
    """A row's label for the units of ``level`` that ended in ``year`` ("Hội Khuyến học cấp huyện (kết thúc hoạt động
    từ tháng 7/2025)")."""
    month = REFORM_MONTHS.get(int(year))
    when = text("reform.ended_since_month", lang, month=month, year=year) if month else text("reform.ended_in_year", lang, year=year)
    return text("reform.ended_row", lang, level=level_name(level, lang), when=when)


@dataclass(frozen=True)
class Reform:
    """One report's view of the reorganisation between ``year - 1`` and ``year`` over ``scope``; ``implicit`` when
    the table has no lineage (each unit compared with its own row of the year before)."""

    year: int
    scope: str
    restatement: Restatement
    implicit: bool = False
    levels_now: frozenset[str] = frozenset()  # the levels with rows in ``year`` (implicit: what left a level that goes on)

    def row_label(self, level: str, lang: str) -> str:
        """The label of the row of what ended at ``level``: a level that ended, or (without a lineage table) the units
        of a level that goes on but have no row this year (merged or ended: nothing says which)."""
        if self.implicit and level in self.levels_now:
            return text("reform.unlisted_row", lang, level=level_name(level, lang), year=self.year)
        return ended_label(level, self.year, lang)

    @property
    def needs_lineage(self) -> bool:
        """Implicit, and some units cannot be compared without a lineage table: units new this year, or units of a
        level that goes on without a row this year (merged or ended). A level that ended while every other unit kept
        its id compares exactly without one."""
        return self.implicit and (bool(self.restatement.started) or any(e.level in self.levels_now for e in self.restatement.ended))

    def comparable_previous(self, quantity: str) -> float | None:
        """The previous-year ``quantity`` the stated change compares with (see :meth:`like_for_like`): without what
        ended; without a lineage table, the units with rows in both years plus the new units as they are now (so a
        fall is measured over the units compared)."""
        if self.implicit:
            restated = self.restatement.restated.get(quantity)
            return None if restated is None else float(restated) + self.started_of(quantity)
        compared = self.restatement.compared.get(quantity)
        return None if compared is None else float(compared) - self.ended_of(quantity)

    def ended_count(self, level: str) -> int:
        """How many units of ``level`` ended (or, implicit, have no row this year)."""
        return sum(1 for ended in self.restatement.ended if ended.level == level)

    def started_of(self, quantity: str) -> float:
        """This year's ``quantity`` of the units without a predecessor (counted only without a lineage table)."""
        return float((self.restatement.started_figures or {}).get(quantity, 0.0)) if self.implicit else 0.0

    @property
    def previous_year(self) -> int:
        return self.year - 1

    def ended_levels(self, quantity: str | None = None) -> dict[str, dict[str, float]]:
        """What ended, by level, keeping only levels that held something (of ``quantity`` when given)."""
        found = self.restatement.ended_by_level()
        return {level: figures for level, figures in found.items()
                if any(abs(v) > 0.5 for k, v in figures.items() if quantity is None or k == quantity)}

    def ended_of(self, quantity: str) -> float:
        """The previous-year ``quantity`` of everything that ended."""
        return float(self.restatement.ended_total().get(quantity, 0.0))

    def like_for_like(self, values: dict) -> dict:
        """``values`` with the stated changes (members, fund) compared with the current units' previous year on the
        current boundaries: what ended is left out of the comparison (the split says what it held)."""
        found = dict(values)
        for quantity, (change, growth) in SPLIT_CHANGES.items():
            ended, now, full = self.ended_of(quantity), number(values.get(_value_key(change))), number(values.get(change))
            started = self.started_of(quantity)  # implicit: the new units are not compared
            if now is None or full is None or (not self.implicit and abs(ended) <= 0.5):
                continue
            # implicit: the units with rows in both years (also those that moved in from another area); else without what ended
            before = float(self.restatement.restated.get(quantity, 0.0)) if self.implicit else now - full - ended
            found[change] = now - started - before
            found[growth] = None if before <= 0 else (now - started - before) / before * 100
        return found

    def split_paragraphs(self, values: dict, lang: str) -> dict[str, list[str]]:
        """The narrative's split of each stated change, by narrative section (``members``, ``fund``): the change on the
        current boundaries, what the ended units held the year before, and the change of the whole."""
        found: dict[str, list[str]] = {}
        for quantity, section in (("members", "members"), ("fund_total", "fund")):
            ended = self.ended_levels(quantity)
            change = number(values.get(SPLIT_CHANGES[quantity][0]))
            new_units = self.implicit and abs(self.started_of(quantity)) > 0.5
            if (not ended and not new_units) or change is None:
                continue
            amount = _amount_text(quantity, lang)
            held = [text(f"reform.held_{section}", lang, label=self._held_label(level, lang), amount=amount(figures[quantity]))
                    for level, figures in ended.items()]
            growth = number(values.get(SPLIT_CHANGES[quantity][1]))
            direction = "up" if change > 0 else "down" if change < 0 else "same"
            whole = text(f"reform.whole_{direction}", lang, what=text(f"reform.what_{section}", lang), year=self.year,
                         change=amount(abs(change)), previous=self.previous_year,
                         growth="" if growth is None else " " + text("reform.growth", lang, growth=percent_change_text(growth, 1, lang)))
            if not self.implicit:
                found[section] = [text("reform.split", lang, previous=self.previous_year, year=self.year, held="; ".join(held), whole=whole)]
                continue
            # implicit: why only some units are compared (said once), the units not compared, what ended, the whole
            intro = "reform.intro_again" if found else "reform.intro_no_lineage" if self.needs_lineage else "reform.intro_same_units"
            sentences = [text(intro, lang, previous=self.previous_year, year=self.year)]
            if new_units:
                sentences.append(text_count("reform.started", len(self.restatement.started), lang, year=self.year,
                                            amount=amount(self.started_of(quantity))))
            if held:
                sentences.append(text("reform.held_before", lang, previous=self.previous_year, held="; ".join(held)))
            sentences.append(text("reform.counting_all", lang, whole=whole))
            found[section] = [" ".join(sentences)]
        return found

    def _held_label(self, level: str, lang: str) -> str:
        """What ended at ``level``, as the subject of a sentence (implicit: how many units have no row this year)."""
        if self.implicit and level in self.levels_now:
            return text_count("reform.unlisted_units", self.ended_count(level), lang, level=level_name(level, lang), year=self.year)
        return ended_label(level, self.year, lang)

    def merger_paragraph(self, names: dict[str, str], lang: str, escape: Callable[[str], str] = str) -> str | None:
        """Which units merged into which this year: counted, then at most :data:`NAMED_MERGERS` named."""
        mergers = self.restatement.mergers
        if not mergers:
            return None
        sources = sum(len(m.sources) for m in mergers)
        named = [text("reform.merger", lang, new=escape(in_sentence(names.get(m.unit_id, m.unit_id), lang)),
                      old=(text("reform.and", lang) + " ").join(escape(in_sentence(_source_name(s, names, lang), lang)) for s in m.sources))
                 for m in mergers[:NAMED_MERGERS]]
        rest = len(mergers) - len(named)
        more = text_count("reform.more", rest, lang) if rest else ""
        return text_count("reform.mergers", len(mergers), lang, sources=sources, year=self.year, named="; ".join(named), more=more)

    def mergers_table(self, names: dict[str, str], lang: str) -> pd.DataFrame | None:
        """Every merger of the year, one row per new unit, naming the units it came from (with shares where partial)."""
        if not self.restatement.mergers:
            return None
        return pd.DataFrame({
            text("reform.col_new", lang): [names.get(m.unit_id, m.unit_id) for m in self.restatement.mergers],
            text("reform.col_old", lang): ["; ".join(_source_name(s, names, lang) for s in m.sources) for m in self.restatement.mergers],
        })

    def ended_rows(self, table: YearlyTable, units: list[str]) -> dict[str, dict[str, float]]:
        """What ended, by level, that no compared unit's own comparison holds (a compared area's comparison already
        holds what ended inside it): the table rows of what ended."""
        areas = [unit for unit in units if table.tree.has_children(unit, self.year)]
        inside = {e.unit_id for r in restatements(table, self.year, areas).values() for e in r.ended} if areas else set()
        found: dict[str, dict[str, float]] = {}
        for ended in self.restatement.ended:
            if ended.unit_id in inside:
                continue
            sums = found.setdefault(ended.level, {})
            for name, value in ended.figures.items():
                sums[name] = sums.get(name, 0.0) + value
        return found

    def to_dict(self) -> dict:
        """The basis of a report's comparisons (for summary.json)."""
        basis = {"restated_on_boundaries_of": self.year, "previous_year": self.previous_year,
                 "ended": {level: {k: v for k, v in figures.items() if v} for level, figures in self.ended_levels().items()},
                 "mergers": len(self.restatement.mergers)}
        if self.implicit:  # no lineage table: nothing restated; the units with rows in both years compared, the new ones not
            basis = {key: value for key, value in basis.items() if key != "restated_on_boundaries_of"}
            basis |= {"without_lineage": True, "not_compared": list(self.restatement.started)}
        return basis


def _value_key(change: str) -> str:
    return {"members_change": "members", "fund_change_vnd": "fund_total_vnd"}[change]


def _amount_text(quantity: str, lang: str) -> Callable[[float], str]:
    if quantity == "fund_total":
        return lambda value: format_vnd(value, lang)
    return lambda value: text("reform.people", lang, count=format_number(value, 0, lang))


def _source_name(source, names: dict[str, str], lang: str) -> str:
    """An old unit's name (as in the data), with its share where only part of it went to the new unit."""
    name = names.get(source.unit_id, source.unit_id)
    if source.share >= 1 - 1e-9:
        return name
    return text("reform.part", lang, name=in_sentence(name, lang), share=format_percent(source.share * 100, 0, lang))


def previous_on_boundaries(values: Mapping, section: Section) -> dict[str, float | None]:
    """The previous year of each column of ``section`` shown with its previous year, on the current boundaries: the
    value less its (restated) change; None where either is undefined."""
    found: dict[str, float | None] = {}
    for column in section.columns:
        if column.with_previous and column.change:
            now, change = number(values.get(column.indicator)), number(values.get(column.change))
            found[column.indicator] = None if now is None or change is None else now - change
    return found


def ended_previous(figures: Mapping[str, float], section: Section) -> dict[str, float | None]:
    """An ended row's previous-year values for ``section``'s columns shown with their previous year."""
    return {column.indicator: figures.get(REGISTRY[column.change].previous[0])
            for column in section.columns if column.with_previous and column.change and REGISTRY[column.change].previous}


def reform_of(table: YearlyTable, year: int, scope: str = SCOPE_ALL) -> Reform | None:
    """The reorganisation a report of ``scope`` in ``year`` must show; None without a previous year or anything that
    merged, ended or moved, and without a lineage table unless a whole level ended in ``year`` (then implicit)."""
    if int(year) - 1 not in table.years or int(year) not in table.years:
        return None
    if table.lineage is None:
        if int(year) not in REFORM_MONTHS:  # a level missing from one year's export is not a reorganisation
            return None
        levels = _levels(table, int(year), scope)
        if not _levels(table, int(year) - 1, scope) - levels:
            return None
        restated = restatement(table, int(year), scope)
        return Reform(int(year), scope, restated, implicit=True, levels_now=frozenset(levels)) if restated.ended else None
    restated = restatement(table, int(year), scope)
    moved = any(abs(v) > 0.5 for v in (*restated.moved_in.values(), *restated.moved_out.values()))
    return Reform(int(year), scope, restated) if restated.mergers or restated.ended or moved else None


def comparable_previous(table: YearlyTable, year: int, units: list[str]) -> dict[str, dict[str, float]]:
    """For each of ``units`` that is an area reorganised this year, its members' and fund's previous year as its own
    report compares them (:meth:`Reform.comparable_previous`), by indicator: what a report comparing areas judges a
    fall or a jump against, so an area's fund does not "fall" because its district associations ended."""
    found: dict[str, dict[str, float]] = {}
    for unit in units:
        if not table.tree.has_children(unit, year):
            continue
        reform = reform_of(table, year, unit)
        if reform is None:
            continue
        figures = {indicator: reform.comparable_previous(quantity) for quantity, indicator in FINDING_QUANTITIES.items()}
        found[unit] = {indicator: value for indicator, value in figures.items() if value is not None}
    return found


def _levels(table: YearlyTable, year: int, scope: str) -> set[str]:
    """The levels with rows in ``scope`` (the whole file, or an area's subtree) in ``year``: a report's own rows, so
    that its cache key (runner/cache_keys.py: the area's subtree in the year and the year before) covers them."""
    if scope == SCOPE_ALL:
        return set(table.levels_in(year))
    if not table.tree.exists(scope, year):
        return set()
    return {table.level_of(unit, year) for unit in [scope, *table.tree.descendants(scope, year)]} - {None}


def ended_levels(table: YearlyTable) -> dict[int, frozenset[str]]:
    """The levels that ended, by year: rows the year before and none that year (2025: the districts)."""
    found = {int(year): table.levels_in(year - 1) - table.levels_in(year) for year in table.years[1:]}
    return {year: levels for year, levels in found.items() if levels}


def reform_years(table: YearlyTable, until: int | None = None) -> list[int]:
    """The years a reorganisation took effect, up to ``until``: with a lineage table its years and the years in which
    a level ended; without one, the years of a known reorganisation (:data:`REFORM_MONTHS`) in which a level ended."""
    found = set(ended_levels(table))
    if table.lineage is not None:
        found |= {int(y) for y in table.lineage.links["year"]}
    else:
        found &= set(REFORM_MONTHS)
    return sorted(y for y in found if until is None or y <= until)


def formed_from(table: YearlyTable, unit_id: str, until: int) -> tuple[int, list[tuple[str, float]]] | None:
    """The year ``unit_id`` was formed by a merger or split (the latest up to ``until``) and the units it came from
    with their shares; None when it was not (or without a lineage table)."""
    if table.lineage is None:
        return None
    links = table.lineage.links
    mine = links[(links["to_unit_id"] == unit_id) & (links["year"] <= until)]
    if mine.empty:
        return None
    year = int(mine["year"].max())
    sources = table.lineage.sources(year, unit_id)
    listed = links[(links["year"] == year) & (links["from_unit_id"] == unit_id)]
    if table.tree.exists(unit_id, year - 1) and listed.empty:  # it continues, and received parts of others
        sources = [(unit_id, 1.0), *sources]
    return year, sources


def sources_paragraph(table: YearlyTable, unit_id: str, until: int, lang: str, escape: Callable[[str], str] = str) -> str | None:
    """A merged unit's profile sentence: which units it came from (shares where partial), and that its earlier years
    are restated."""
    formed = formed_from(table, unit_id, until)
    if formed is None:
        return None
    year, sources = formed
    names = table.unit_names
    old = (text("reform.and", lang) + " ").join(
        escape(in_sentence(_source_name(_Part(unit, share), names, lang), lang)) for unit, share in sources)
    return text("reform.sources", lang, name=escape(names.get(unit_id, unit_id)), year=year, old=old)


@dataclass(frozen=True)
class _Part:
    unit_id: str
    share: float
