"""The previous year restated on the current boundaries through the lineage table: what each change compares with,
what ended, and which units merged into which.

A unit's *predecessors* in year Y are the units of Y-1 it was formed from, with shares: the lineage rows whose
``to_unit_id`` it is, plus itself (share 1) when it had a row in Y-1 and is not listed as an old unit in Y. A change
compares a unit's own row with its predecessors' own rows (share-weighted), and an area's subtree with its
predecessors' whole subtrees in Y-1 (a merged province: both old provinces with every row below them, district rows
included): the area's *footprint*. Within the footprint, each previous-year row either went to a unit of the scope
(its *restated* figures), to a unit outside it (*moved out*), or to no one (*ended*: the district associations in
2025); a unit of the scope may also hold parts of rows from outside the footprint (*moved in*). So

    compared = restated - moved_in + moved_out + ended

and for the whole file (nothing moves out of it) the previous year's total is restated + ended.
"""

from __future__ import annotations

import weakref
from dataclasses import asdict, dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from khuyenhoc.indicators import INDICATORS, SCOPE_ALL, row_quantities
from khuyenhoc.lineage import Lineage, predecessors, previous_sums  # noqa: F401  (previous_sums: re-exported)
from khuyenhoc.table import YearlyTable

# Without a lineage table every unit continues as itself: a unit of the year before without a row this year ended
# (or merged: nothing says which), and one without a row the year before has no predecessor (see reports/reform.py).
NO_LINKS = pd.DataFrame({"year": pd.Series(dtype="int64"), "from_unit_id": pd.Series(dtype=object),
                         "to_unit_id": pd.Series(dtype=object), "share": pd.Series(dtype="float64")})
Figures = dict[str, float]  # quantity (members, fund_total, ...: see indicators.row_quantities) -> value


@dataclass(frozen=True)
class Source:
    """An old unit a new one was formed from, and the part of it (1: all of it)."""

    unit_id: str
    share: float


@dataclass(frozen=True)
class Merger:
    """A unit of the year and the units of the year before it was formed from (not a unit that simply continued)."""

    unit_id: str
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class Ended:
    """A unit of the year before (in the scope's footprint) that went to no one, or the part of it that did not."""

    unit_id: str
    level: str
    part: float  # the part of the unit that ended (1: all of it)
    figures: Figures  # its previous-year figures times ``part``


@dataclass(frozen=True)
class Restatement:
    """One scope's previous year on this year's boundaries (see the module's docstring for the identity)."""

    year: int
    scope: str
    compared: Figures  # the footprint's previous-year figures: what the changes compare with
    restated: Figures  # the previous-year figures of this year's units, each on its current boundaries
    ended: tuple[Ended, ...]  # what ended without successor, by unit
    moved_in: Figures  # parts of ``restated`` from rows outside the footprint
    moved_out: Figures  # parts of the footprint that went to units outside the scope
    mergers: tuple[Merger, ...]  # which units merged into which this year, in the scope
    started: tuple[str, ...] = ()  # the scope's units of the year without any predecessor (new, or merged unlisted)
    started_figures: Figures | None = None  # their figures of the year, summed

    def to_dict(self) -> dict:
        """Plain JSON-ready values (for a report's ``summary.json``)."""
        return asdict(self)

    def ended_total(self) -> Figures:
        """Everything that ended, summed."""
        return _total([e.figures for e in self.ended], self.compared)

    def ended_by_level(self) -> dict[str, Figures]:
        """What ended, summed by level (e.g. ``district``: the district associations in 2025)."""
        levels = dict.fromkeys(e.level for e in self.ended)
        return {level: _total([e.figures for e in self.ended if e.level == level], self.compared) for level in levels}


def _total(parts: list[Figures], like: Figures) -> Figures:
    return {name: float(sum(p.get(name, 0.0) for p in parts)) for name in like}


def _figures(series: pd.Series) -> Figures:
    return {name: float(value) for name, value in series.items() if not pd.isna(value)}


class _Years:
    """One table's own-row quantities, subtree sums and predecessors, for restating any scope."""

    def __init__(self, table: YearlyTable) -> None:
        self.tree = table.tree  # not the table: the cache of _years_of must not keep it alive
        quantities = row_quantities(table.frame)
        self.columns = [c for c in quantities.columns if c not in ("year", "unit_id")]
        self.own = quantities.assign(unit_id=quantities["unit_id"].to_numpy(dtype=object)).set_index(["year", "unit_id"])[self.columns]
        self.levels = table.frame.assign(year=table.frame["year"].astype("int64")).set_index(["year", "unit_id"])["level"]
        self.links = table.lineage.links if table.lineage is not None else NO_LINKS  # none: each unit continues as itself
        self.preds = predecessors(self.links, self.own.index)

    def scope_units(self, scope: str, year: int) -> list[str]:
        """The units whose own rows make up ``scope`` in ``year``."""
        if scope == SCOPE_ALL:
            return list(self.own.loc[year].index)
        tree = self.tree
        return [scope, *tree.descendants(scope, year)] if tree.has_children(scope, year) else [scope]

    @cached_property
    def subtrees(self) -> pd.DataFrame:
        """Each (year, area)'s quantities over its whole subtree, indexed as :attr:`own` (read once per table)."""
        closure = self.tree.closure[["year", "area_id", "unit_id"]]
        merged = closure.merge(self.own.reset_index(), on=["year", "unit_id"], how="inner").drop(columns="unit_id")
        return merged.groupby(["year", "area_id"], sort=True).sum(min_count=1).rename_axis(["year", "unit_id"])

    @cached_property
    def _sources(self) -> dict[tuple[int, str], list[tuple[str, float]]]:
        found: dict[tuple[int, str], list[tuple[str, float]]] = {}
        for year, unit, old, share in zip(self.preds["year"], self.preds["unit_id"], self.preds["from_id"], self.preds["share"], strict=True):
            found.setdefault((int(year), unit), []).append((old, float(share)))
        return found

    def sources(self, unit: str, year: int) -> list[tuple[str, float]]:
        """(old unit, share) of each predecessor of ``unit`` in ``year`` (itself when it simply continues)."""
        return list(self._sources.get((int(year), unit), []))

    def weights(self, scope: str, year: int, previous_units: list[str]) -> pd.Series:
        """The footprint: each previous-year unit's weight (its share) in what ``scope`` of ``year`` compares with."""
        if scope == SCOPE_ALL:
            return pd.Series(1.0, index=previous_units)
        tree = self.tree
        weights: dict[str, float] = {}
        for old, share in self.sources(scope, year):
            below = [old, *tree.descendants(old, year - 1)] if tree.has_children(scope, year) else [old]
            for unit in below:
                weights[unit] = weights.get(unit, 0.0) + share
        return pd.Series(weights, dtype="float64")

    def successors(self, year: int, previous_units: list[str]) -> pd.DataFrame:
        """from_id, unit_id, share of every previous-year unit's successors in ``year`` (itself when it continues)."""
        preds = self.preds[self.preds["year"] == year]
        return preds[preds["from_id"].isin(previous_units)]


_READ: weakref.WeakKeyDictionary[YearlyTable, _Years] = weakref.WeakKeyDictionary()


def _years_of(table: YearlyTable) -> _Years:
    """The table's :class:`_Years`, read once per table (a table is immutable; a report restates several scopes)."""
    found = _READ.get(table)
    if found is None:
        found = _READ[table] = _Years(table)
    return found


def restatement(table: YearlyTable, year: int, scope: str = SCOPE_ALL) -> Restatement:
    """``scope``'s (the whole file, an area or a unit, as in :func:`khuyenhoc.indicators.compute`) previous year
    restated on the boundaries of ``year`` through the table's lineage (without one, each unit is its own
    predecessor: what has no row in ``year`` ended)."""
    years = _years_of(table)
    return _restatement(years, int(year), scope)


def _restatement(years: _Years, year: int, scope: str) -> Restatement:
    own = years.own
    if year - 1 not in own.index.get_level_values(0):
        raise ValueError(f"no year {year - 1} in the data")
    before = own.loc[year - 1]
    weights = years.weights(scope, year, list(before.index)).reindex(before.index).fillna(0.0)
    in_scope = set(years.scope_units(scope, year))
    successors = years.successors(year, list(before.index))
    out = successors.groupby("from_id")["share"].sum().reindex(before.index).fillna(0.0)
    leaving = successors[~successors["unit_id"].isin(in_scope)].groupby("from_id")["share"].sum().reindex(before.index).fillna(0.0)
    ended_part = (weights * (1.0 - out)).clip(lower=0.0).where(lambda s: s > 1e-12, 0.0)
    compared = before.mul(weights, axis=0).sum(min_count=1)
    moved_out = before.mul(weights * leaving, axis=0).sum(min_count=1)
    ended_rows = before.mul(ended_part, axis=0)
    preds = years.preds[(years.preds["year"] == year) & years.preds["unit_id"].isin(in_scope)]
    restated = before.reindex(preds["from_id"]).mul(preds["share"].to_numpy(), axis=0).sum(min_count=1)
    carried = compared.fillna(0.0) - ended_rows.sum(min_count=1).fillna(0.0) - moved_out.fillna(0.0)
    moved_in = restated.fillna(0.0) - carried
    ending = ended_rows[ended_part.to_numpy() > 0]
    ended = tuple(Ended(unit, str(years.levels.get((year - 1, unit), "")), float(ended_part[unit]),
                        {name: float(value) for name, value in figures.items() if value == value})
                  for unit, figures in zip(ending.index, ending.to_dict("records"), strict=True))
    merged = years.links[(years.links["year"] == year) & years.links["to_unit_id"].isin(in_scope)]
    mergers = tuple(Merger(unit, tuple(Source(old, float(share)) for old, share in years.sources(unit, year)))
                    for unit in dict.fromkeys(merged["to_unit_id"]))
    moved_in = moved_in.where(np.abs(moved_in) > 1e-6, 0.0)[compared.notna() | restated.notna()]
    now = own.loc[year]
    continuing = set(years.preds.loc[years.preds["year"] == year, "unit_id"])
    started = [unit for unit in now.index if unit in in_scope and unit not in continuing]
    started_figures = _figures(now.reindex(started).sum(min_count=1)) if started else {}
    return Restatement(year, scope, _figures(compared), _figures(restated), ended, _figures(moved_in), _figures(moved_out), mergers,
                       tuple(started), started_figures)


def restatements(table: YearlyTable, year: int, scopes: list[str]) -> dict[str, Restatement]:
    """:func:`restatement` of several scopes of one year (the table's quantities read once)."""
    years = _years_of(table)
    return {scope: _restatement(years, int(year), scope) for scope in scopes}


def restated_history(table: YearlyTable, scope: str, year: int) -> pd.DataFrame:
    """``scope``'s figures and indicators in every year up to ``year``, each earlier year restated on its boundaries of
    ``year`` (a merged commune: the share-weighted sum of the units it came from, back through every reform; an area:
    its predecessors' whole subtrees). Indexed by year; the ``restated`` column says which years are not simply the
    scope's own figures. Years before the first with any predecessor are left out."""
    years = _years_of(table)
    is_area = scope != SCOPE_ALL and table.tree.has_children(scope, year)
    basis = years.subtrees if is_area else years.own  # each (year, unit)'s own row, or an area's whole subtree
    weights = pd.Series({scope: 1.0})
    rows, flags = {}, {}
    for y in range(int(year), min(table.years) - 1, -1):
        if y not in table.years or weights.empty:
            break
        here = basis.loc[y] if y in basis.index.get_level_values(0) else basis.iloc[0:0]
        present = weights[weights.index.isin(here.index)]
        if scope == SCOPE_ALL:
            rows[y] = here.sum(min_count=1)
        else:
            rows[y] = here.reindex(present.index).mul(present, axis=0).sum(min_count=1)
        flags[y] = not (len(weights) == 1 and weights.index[0] == scope and weights.iloc[0] == 1.0)
        weights = _back(years, weights, y)
    history = pd.DataFrame(rows).T.sort_index()
    agg = history.join(history[_tracked()].rename(index=lambda y: y + 1).add_suffix("_prev"), how="left")
    values = pd.DataFrame({i.id: i.compute(agg) for i in INDICATORS}, index=agg.index)
    values["restated"] = pd.Series(flags).reindex(values.index).astype(bool)
    return values


def latest_boundaries_history(table: YearlyTable, year: int) -> pd.DataFrame:
    """The whole file's figures and indicators in every year up to ``year``, each on the boundaries of ``year``: the
    units of ``year`` and the share-weighted units they came from, back through every reform; a unit that ended
    without successor (a district association after 2025) is not counted in any year. Indexed by year, as
    :attr:`khuyenhoc.indicators.IndicatorFrames.whole`."""
    years = _years_of(table)
    weights = pd.Series(1.0, index=list(years.own.loc[int(year)].index))
    rows = {}
    for y in range(int(year), min(table.years) - 1, -1):
        if y not in table.years or weights.empty:
            break
        here = years.own.loc[y]
        present = weights[weights.index.isin(here.index)]
        rows[y] = here.reindex(present.index).mul(present, axis=0).sum(min_count=1)
        weights = _back(years, weights, y)
    history = pd.DataFrame(rows).T.sort_index()
    agg = history.join(history[_tracked()].rename(index=lambda y: y + 1).add_suffix("_prev"), how="left")
    return pd.DataFrame({i.id: i.compute(agg) for i in INDICATORS}, index=agg.index)


def _tracked() -> list[str]:
    from khuyenhoc.indicators import TRACKED_CHANGES

    return list(TRACKED_CHANGES)


def _back(years: _Years, weights: pd.Series, year: int) -> pd.Series:
    """The weights of ``year - 1``'s units that make up ``weights`` (units of ``year``)."""
    preds = years.preds[(years.preds["year"] == year) & years.preds["unit_id"].isin(weights.index)]
    if preds.empty:
        return pd.Series(dtype="float64")
    carried = preds["share"].to_numpy() * weights.reindex(preds["unit_id"]).to_numpy()
    return pd.Series(carried, index=preds["from_id"].to_numpy()).groupby(level=0).sum()
