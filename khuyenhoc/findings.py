"""Rules that turn a year's figures into findings: no training, declines, low fund, implausible jumps."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from khuyenhoc.indicators import compute_frame
from khuyenhoc.table import YearlyTable

LOW_FUND_RATIO = 0.5  # fund per member below half the median of the units
IMPLAUSIBLE_CHANGE_PCT = 50.0  # members or fund moving by more than this in one year
IMPLAUSIBLE_POPULATION_PCT = 20.0

# kind -> the indicator it is about; the order is the order findings are reported in
KINDS = {
    "no_training": "training_classes",
    "members_fell": "members",
    "fund_fell": "fund_total_vnd",
    "low_fund_per_member": "fund_per_member_vnd",
    "implausible_change": None,
}


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


def _number(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def compared_units(table: YearlyTable, year: int, area_id: str | None = None) -> list[str]:
    """The units a report for ``area_id`` (None: the whole file) compares: the area's direct children; for the
    whole file, its roots, or the single root's children when there is one root."""
    tree = table.tree
    if area_id is None:
        roots = tree.roots(year)
        if len(roots) != 1 or not tree.has_children(roots[0], year):
            return roots
        area_id = roots[0]
    return tree.children(area_id, year)


def detect_findings(table: YearlyTable, year: int, units: list[str] | None = None) -> list[Finding]:
    """Every finding for ``year`` among ``units`` (default: what the whole file's report compares), ordered by
    kind, then by unit as listed in the data. Each unit is taken with its area's figures when it has children.
    Only those units and their previous year are looked at: the cost does not grow with the rest of the table."""
    units = compared_units(table, year) if units is None else units
    frames = table.indicator_frames
    now = frames.scopes(year, units)
    if now.empty:
        return []
    before = frames.scopes(year - 1, list(now.index)).reindex(now.index)
    names = table.unit_names
    found: list[Finding] = []

    def add(kind: str, indicator: str, mask: pd.Series, value: pd.Series, reference: pd.Series | None) -> None:
        for unit in now.index[mask.fillna(False).to_numpy(dtype=bool)]:
            found.append(Finding(kind, indicator, unit, names.get(unit, unit), _number(value[unit]),
                                 None if reference is None else _number(reference[unit])))

    add("no_training", "training_classes", now["training_classes"] == 0, now["training_classes"], None)
    add("members_fell", "members", now["members"] < before["members"], now["members"], before["members"])
    add("fund_fell", "fund_total_vnd", now["fund_total_vnd"] < before["fund_total_vnd"], now["fund_total_vnd"], before["fund_total_vnd"])
    fund_per_member = now["fund_per_member_vnd"]
    if fund_per_member.notna().sum() >= 3:
        median = pd.Series(float(np.median(fund_per_member.dropna())), index=now.index)
        add("low_fund_per_member", "fund_per_member_vnd", fund_per_member < LOW_FUND_RATIO * median, fund_per_member, median)
    limits = (("members", IMPLAUSIBLE_CHANGE_PCT), ("fund_total_vnd", IMPLAUSIBLE_CHANGE_PCT), ("population", IMPLAUSIBLE_POPULATION_PCT))
    jumps = []
    for indicator, limit in limits:
        previous, current = before[indicator], now[indicator]
        jumped = (previous > 0) & ((current - previous).abs() / previous * 100 > limit)
        jumps.append(pd.DataFrame({"unit": now.index, "indicator": indicator, "flag": jumped.fillna(False).to_numpy(dtype=bool)}))
    flagged = pd.concat(jumps).reset_index(drop=True)
    flagged["order"] = flagged["unit"].map({unit: position for position, unit in enumerate(now.index)})
    for row in flagged[flagged["flag"]].sort_values("order", kind="stable").itertuples():
        found.append(Finding("implausible_change", row.indicator, row.unit, names.get(row.unit, row.unit),
                             _number(now.at[row.unit, row.indicator]), _number(before.at[row.unit, row.indicator])))
    return found
