"""Rules that turn a year's figures into findings (no training, declines, low fund: the association's judgements)
and into data checks (implausible jumps: figures the secretary checks before anyone judges them)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from khuyenhoc.formatting import number
from khuyenhoc.hierarchy import COMMUNE
from khuyenhoc.indicators import analyse
from khuyenhoc.table import YearlyTable

LOW_FUND_RATIO = 0.5  # fund per member below half the median of the units
IMPLAUSIBLE_CHANGE_PCT = 50.0  # members or fund moving by more than this in one year
IMPLAUSIBLE_POPULATION_PCT = 20.0


@dataclass(frozen=True)
class Materiality:
    """How large a fall must be to be worth a leader's attention: more than ``pct`` percent of the previous
    year's value AND more than ``amount`` (in the indicator's unit). 1.104 → 1.103 members is neither."""

    pct: float
    amount: float

    def passed(self, before: pd.Series, now: pd.Series) -> pd.Series:
        """True where ``now`` fell below ``before`` by more than both limits."""
        fall = before - now
        return (fall > self.amount) & (before > 0) & (fall / before.where(before > 0) * 100 > self.pct)


# The one place the declines' thresholds live (NOTES.md explains them).
DECLINE_THRESHOLDS = {
    "members": Materiality(pct=2.0, amount=10),  # more than 2 % and more than 10 members
    "fund_total_vnd": Materiality(pct=5.0, amount=1_000_000),  # more than 5 % and more than 1.000.000 đồng
    # optional (issue 19): only units reporting scholarships both years; more than 10 % and more than 2.000.000 đồng
    "scholarships_vnd": Materiality(pct=10.0, amount=2_000_000),
}

# The kinds of finding, in the order they are reported (within a kind, the largest first: see detect_findings).
KINDS = ("no_training", "members_fell", "fund_fell", "scholarships_fell", "low_fund_per_member",
         "below_target")  # below_target: a learning-society title under its target (see below_target)
# The figures whose implausible jump is a data check, with the limit in percent of the previous year.
CHECK_LIMITS = (("members", IMPLAUSIBLE_CHANGE_PCT), ("fund_total_vnd", IMPLAUSIBLE_CHANGE_PCT), ("population", IMPLAUSIBLE_POPULATION_PCT))


@dataclass(frozen=True)
class Finding:
    """One observation about one unit (or the whole area when ``unit_id`` is None)."""

    kind: str
    indicator: str
    unit_id: str | None
    unit_name: str | None
    value: float | None
    reference: float | None  # the previous year's value, or the median it is compared with

    def to_dict(self) -> dict:
        """Plain JSON-ready fields."""
        return asdict(self)


@dataclass(frozen=True)
class DataCheck:
    """A figure to check before it is used: ``indicator`` of ``unit_id`` moved from ``reference`` (the previous
    year) to ``value`` in ``year``, by ``change_pct`` percent, more than its limit (``CHECK_LIMITS``).
    Not a judgement about the unit: a check is never a finding, and its figure is never reported as a decline."""

    year: int
    indicator: str
    unit_id: str
    unit_name: str
    value: float | None
    reference: float | None
    change_pct: float

    def to_dict(self) -> dict:
        """Plain JSON-ready fields."""
        return asdict(self)


def compared_units(table: YearlyTable, year: int, area_id: str | None = None) -> list[str]:
    """The units a report for ``area_id`` (None: the whole file) compares (:meth:`Hierarchy.compared_units`)."""
    return table.tree.hierarchy.compared_units(year, area_id)


# unit -> indicator -> the previous-year figure a report compares with, where it is not the unit's own row of the year
# before (an area across a reorganisation: without what ended; reports/reform.py comparable_previous)
Previous = dict[str, dict[str, float]]


def _year_values(table: YearlyTable, year: int, units: list[str], previous: Previous | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The units' values in ``year`` and the same units' the year before (NaN where a unit had no row), with
    ``previous`` in place of the year before where given."""
    frames = analyse(table).frames
    now = frames.scopes(year, units)
    before = frames.scopes(year - 1, list(now.index)).reindex(now.index)
    for unit, figures in (previous or {}).items():
        for indicator, value in figures.items():
            if unit in before.index and indicator in before.columns:
                before.loc[unit, indicator] = value
    return now, before


def _jumps(now: pd.DataFrame, before: pd.DataFrame) -> pd.DataFrame:
    """Every (unit, indicator) whose change exceeds its limit, the largest (against its limit) first:
    columns unit, indicator, relative (the change in percent of the previous year), excess, value and reference (the
    figure now and the year before)."""
    jumps = []
    for indicator, limit in CHECK_LIMITS:
        previous, current = before[indicator], now[indicator]
        relative = ((current - previous) / previous.where(previous > 0) * 100).astype(float)
        jumps.append(pd.DataFrame({"unit": now.index, "indicator": indicator, "relative": relative.to_numpy(), "limit": limit,
                                   "value": current.to_numpy(), "reference": previous.to_numpy()}))
    flagged = pd.concat(jumps).reset_index(drop=True)
    flagged = flagged[flagged["relative"].abs() > flagged["limit"]]
    flagged = flagged.assign(excess=flagged["relative"].abs() / flagged["limit"])
    return flagged.sort_values("excess", ascending=False, kind="stable")


def detect_checks(table: YearlyTable, year: int, units: list[str] | None = None, previous: Previous | None = None) -> list[DataCheck]:
    """The figures of ``units`` (default: what the whole file's report compares) in ``year`` that moved implausibly
    since the year before (``previous`` where given): one check per unit and figure, the largest jump (against its
    limit) first."""
    units = compared_units(table, year) if units is None else units
    now, before = _year_values(table, year, units, previous)
    if now.empty:
        return []
    names = table.unit_names
    return [DataCheck(int(year), row.indicator, row.unit, names.get(row.unit, row.unit), number(row.value), number(row.reference), float(row.relative))
            for row in _jumps(now, before).itertuples()]


def table_checks(table: YearlyTable) -> list[DataCheck]:
    """Every data check of the table: each year after the first, every unit (an area with its subtree) against
    its own figures the year before; by year, then the largest jump first."""
    checks: list[DataCheck] = []
    for year in table.years[1:]:
        checks += detect_checks(table, year, list(dict.fromkeys(table.frame.loc[table.frame["year"] == year, "unit_id"])))
    return checks


def detect_findings(table: YearlyTable, year: int, units: list[str] | None = None, previous: Previous | None = None) -> list[Finding]:
    """Every finding for ``year`` among ``units`` (default: what the whole file's report compares), ordered by
    kind (``KINDS``), then by size: the largest fall, the lowest fund per member, the largest association without
    training first; each unit at most once per kind. Each unit is taken with its area's figures when it has children.
    A figure that moved implausibly (a data check, :func:`detect_checks`) is not reported as a decline, nor is the
    fund per member made of it judged low.
    Only those units and their previous year are looked at: the cost does not grow with the rest of the table.
    ``previous`` replaces a unit's previous-year figures where its report compares with others (across a reform)."""
    units = compared_units(table, year) if units is None else units
    now, before = _year_values(table, year, units, previous)
    if now.empty:
        return []
    names = table.unit_names
    suspect = {(row.unit, row.indicator) for row in _jumps(now, before).itertuples()}
    found: list[Finding] = []

    def add(kind: str, indicator: str, mask: pd.Series, value: pd.Series, reference: pd.Series | None, order: list[str]) -> None:
        chosen = set(now.index[mask.fillna(False).to_numpy(dtype=bool)])
        for unit in (u for u in order if u in chosen):
            found.append(Finding(kind, indicator, unit, names.get(unit, unit), number(value[unit]),
                                 None if reference is None else number(reference[unit])))

    def size(value: pd.Series, ascending: bool = False) -> list[str]:
        """The units ordered by ``value`` (the largest first unless ``ascending``), data order among equals."""
        return list(value.sort_values(ascending=ascending, kind="stable").index)

    add("no_training", "training_classes", now["training_classes"] == 0, now["training_classes"], None,
        order=size(now["members"]))  # the largest association without training first
    for kind, indicator in (("members_fell", "members"), ("fund_fell", "fund_total_vnd"), ("scholarships_fell", "scholarships_vnd")):
        fell = DECLINE_THRESHOLDS[indicator].passed(before[indicator], now[indicator])
        fell &= ~pd.Series([(unit, indicator) in suspect for unit in now.index], index=now.index)
        add(kind, indicator, fell, now[indicator], before[indicator], order=size(before[indicator] - now[indicator]))
    fund_per_member = now["fund_per_member_vnd"]
    if fund_per_member.notna().sum() >= 3:
        median = pd.Series(float(np.median(fund_per_member.dropna())), index=now.index)
        # a ratio of a suspect figure is not judged either
        derived = pd.Series([(unit, "members") in suspect or (unit, "fund_total_vnd") in suspect for unit in now.index], index=now.index)
        add("low_fund_per_member", "fund_per_member_vnd", (fund_per_member < LOW_FUND_RATIO * median) & ~derived, fund_per_member, median,
            order=size(fund_per_member, ascending=True))
    return found


def below_target(unit_targets: pd.DataFrame, names: dict[str, str]) -> list[Finding]:
    """A finding per unit and title below its target (rows of :func:`khuyenhoc.targets.unit_targets`), title by title;
    a unit that does not report the title is not below it."""
    below = unit_targets[unit_targets["at_target"] == False]  # noqa: E712 - NaN (not reported) is not below
    return [Finding("below_target", row.indicator, row.unit_id, names.get(row.unit_id, row.unit_id), float(row.value), float(row.target))
            for row in below.itertuples()]


# The communes' findings a report that compares areas counts by area (see commune_findings).
COMMUNE_KINDS = ("no_training", "members_fell", "fund_fell")


def communes_under(table: YearlyTable, year: int, units: list[str]) -> dict[str, str]:
    """commune id -> the unit of ``units`` it belongs to, for every commune below units that are areas in ``year``
    (empty when ``units`` are themselves the communes)."""
    tree = table.tree.hierarchy
    return {commune: unit for unit in units for commune in tree.descendants(unit, year) if tree.level(commune, year) == COMMUNE}


def commune_findings(table: YearlyTable, year: int, units: list[str]) -> list[Finding]:
    """The findings of ``COMMUNE_KINDS`` among every commune below ``units`` (a report comparing districts counts its
    communes' problems too), each judged against the commune's own previous year; empty when no unit is an area."""
    communes = communes_under(table, year, units)
    return [f for f in detect_findings(table, year, list(communes)) if f.kind in COMMUNE_KINDS] if communes else []
