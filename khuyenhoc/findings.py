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


def detect_findings(table: YearlyTable, year: int) -> list[Finding]:
    """Every finding for ``year``, ordered by kind, then by unit as listed in the data."""
    frame = table.frame
    names = table.unit_names
    per_unit = compute_frame(frame, per_unit=True, years=[year]).loc[year]
    communes = set(frame.loc[(frame["year"] == year) & (frame["level"] == "commune"), "unit_id"])
    per_unit = per_unit[per_unit.index.isin(communes)]
    previous = frame[frame["year"] == year - 1].set_index("unit_id")
    current = frame[frame["year"] == year].set_index("unit_id")
    found: list[Finding] = []

    def add(kind: str, indicator: str, unit: str, value: object, reference: object) -> None:
        found.append(Finding(kind, indicator, unit, names.get(unit, unit), _number(value), _number(reference)))

    order = list(dict.fromkeys(frame.loc[frame["year"] == year, "unit_id"]))  # units as listed in the data
    per_unit = per_unit.reindex([unit for unit in order if unit in per_unit.index])
    for unit, row in per_unit.iterrows():
        if row["training_classes"] == 0:
            add("no_training", "training_classes", unit, 0, None)
    for kind, column, indicator in (("members_fell", "members", "members"), ("fund_fell", "fund_vnd", "fund_total_vnd")):
        for unit in per_unit.index:
            if unit in previous.index and current.at[unit, column] < previous.at[unit, column]:
                add(kind, indicator, unit, current.at[unit, column], previous.at[unit, column])
    fund_per_member = per_unit["fund_per_member_vnd"].dropna()
    if len(fund_per_member) >= 3:
        median = float(np.median(fund_per_member))
        for unit, value in fund_per_member.items():
            if value < LOW_FUND_RATIO * median:
                add("low_fund_per_member", "fund_per_member_vnd", unit, value, median)
    limits = (("members", "members", IMPLAUSIBLE_CHANGE_PCT), ("fund_vnd", "fund_total_vnd", IMPLAUSIBLE_CHANGE_PCT),
              ("population", "population", IMPLAUSIBLE_POPULATION_PCT))
    for unit in per_unit.index:
        if unit not in previous.index:
            continue
        for column, indicator, limit in limits:
            before, now = previous.at[unit, column], current.at[unit, column]
            if pd.notna(before) and pd.notna(now) and before > 0 and abs(now - before) / before * 100 > limit:
                add("implausible_change", indicator, unit, now, before)
    return found
