"""The declared registry of indicators and their vectorised computation."""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from khuyenhoc.errors import KhuyenhocError
from khuyenhoc.i18n import DEFAULT_LANG, indicator_label, text
from khuyenhoc.lineage import Lineage, previous_sums
from khuyenhoc.schema import AMOUNT_PAIRS, OPTIONAL_COLUMNS, TITLE_COLUMNS, TITLE_PAIRS
from khuyenhoc.table import YearlyTable
from khuyenhoc.hierarchy import Hierarchy
from khuyenhoc.tree import AreaTree

SCOPE_ALL = "all"
# a formula over yearly aggregates: a frame of them (Series out) or its columns as arrays (array out)
Compute = Callable[[pd.DataFrame | Mapping[str, np.ndarray]], pd.Series | np.ndarray]


@dataclass(frozen=True)
class Indicator:
    """One indicator: its id, unit, display precision and formula over yearly aggregates."""

    id: str
    measure: str  # unit of measure, a key of the MEASURES catalogue: person, percent, vnd, ...
    precision: int  # decimals shown
    compute: Compute
    additive: bool = False  # a whole count (or a change of one): an area's value is its units' sum; Int64 in frames
    signed: bool = False  # a change: shown with + or -
    higher_is_better: bool | None = True  # for rankings and findings; None when neither
    optional: bool = False  # built from optional input columns: left out of tables when the data does not report them
    group: str | None = None  # the optional column group (khuyenhoc.schema.GROUPS) it is built from

    def label(self, lang: str = DEFAULT_LANG) -> str:
        """The label in ``lang``."""
        return indicator_label(self.id, lang)

    @property
    def previous(self) -> tuple[str, ...]:
        """The quantities this indicator compares with the previous year (a change; () otherwise). With a lineage table
        their previous-year values are restated on the current boundaries (khuyenhoc.restate)."""
        return getattr(self.compute, "previous", ())

    def rank(self, values: pd.Series) -> pd.Series:
        """Each value's rank among ``values``: 1 the best, tied values share the better rank, no value no rank."""
        return values.rank(ascending=self.higher_is_better is False, method="min")


def _ratio(numerator: pd.Series | np.ndarray, denominator: pd.Series | np.ndarray, scale: float = 1.0) -> pd.Series | np.ndarray:
    """numerator / denominator, missing (NaN) where the denominator is 0 or missing (float Series or arrays)."""
    return scale * numerator / np.where(denominator != 0, denominator, np.nan)


def _column(name: str) -> Compute:
    return lambda agg: agg[name]


def _comparing(compute: Compute, *names: str) -> Compute:
    """``compute`` marked as reading the previous year's ``names`` (``<name>_prev``): see :attr:`Indicator.previous`."""
    compute.previous = names  # type: ignore[attr-defined]
    return compute


def _change(name: str) -> Compute:
    return _comparing(lambda agg: agg[name] - agg[f"{name}_prev"], name)


def _growth(name: str) -> Compute:
    return _comparing(lambda agg: _ratio(agg[name] - agg[f"{name}_prev"], agg[f"{name}_prev"], 100.0), name)


def _share(total: str, recognised: str) -> Compute:
    """recognised / total in percent, over the rows reporting both (see :func:`row_quantities`)."""
    return lambda agg: _ratio(agg[recognised], agg[total], 100.0)


def _share_change(total: str, recognised: str) -> Compute:
    """The share's change from the previous calendar year, in percentage points."""
    return _comparing(lambda agg: _ratio(agg[recognised], agg[total], 100.0) - _ratio(agg[f"{recognised}_prev"], agg[f"{total}_prev"], 100.0),
                      total, recognised)


def _titles() -> tuple[Indicator, ...]:
    """learning_<title>_pct and learning_<title>_change_pp of each learning-society title (Quyết định 387/QĐ-TTg)."""
    declared = []
    for total, recognised in TITLE_PAIRS:
        declared.append(Indicator(f"{recognised}_pct", "percent", 1, _share(total, recognised), optional=True, group="learning_society"))
        declared.append(Indicator(f"{recognised}_change_pp", "percentage_point", 1, _share_change(total, recognised), signed=True, optional=True,
                                  group="learning_society"))
    return tuple(declared)


# (denominator, numerator) of the optional groups' ratios: each computed over the rows reporting both (``<name>_both``)
RATIO_PAIRS: tuple[tuple[str, str], ...] = (("adults", "learning_citizens"), *AMOUNT_PAIRS, ("centre_classes", "centre_learners"))
GROUP_TOTALS = tuple(name for name in OPTIONAL_COLUMNS if name not in TITLE_COLUMNS)  # summed over every row reporting them


def _both(name: str) -> str:
    return f"{name}_both"


def _counted(group: str, name: str, measure: str, money: bool = False, higher_is_better: bool | None = True) -> tuple[Indicator, ...]:
    """An optional group's total and its change from the previous year (``<name>_change``; ``..._change_vnd`` for đồng)."""
    change = f"{name.removesuffix('_vnd')}_change_vnd" if money else f"{name}_change"
    return (Indicator(name, measure, 0, _column(name), additive=True, optional=True, group=group, higher_is_better=higher_is_better),
            Indicator(change, measure, 0, _change(name), additive=True, signed=True, optional=True, group=group,
                      higher_is_better=higher_is_better))


def _groups() -> tuple[Indicator, ...]:
    """The indicators of the optional groups of issue 19: organisation, learning citizens, scholarships/support/awards, centres."""
    per_pupil = {"scholarships": ("value_per_scholarship_vnd", "vnd_per_scholarship"), "support": ("value_per_support_vnd", "vnd_per_time"),
                 "awards": ("value_per_award_vnd", "vnd_per_time")}
    support = []
    for count, value in AMOUNT_PAIRS:
        indicator, measure = per_pupil[count]
        support += [*_counted("support", count, "scholarship" if count == "scholarships" else "time"), *_counted("support", value, "vnd", money=True),
                    Indicator(indicator, measure, 0, lambda a, c=count, v=value: _ratio(a[_both(v)], a[_both(c)]), optional=True, group="support")]
    return (
        *_counted("organisation", "branches", "branch"),
        *_counted("organisation", "boards", "board"),
        Indicator("adults", "person", 0, _column("adults"), additive=True, optional=True, group="learning_citizens", higher_is_better=None),
        *_counted("learning_citizens", "learning_citizens", "person"),
        Indicator("learning_citizens_pct", "percent", 1, _share(_both("adults"), _both("learning_citizens")), optional=True, group="learning_citizens"),
        Indicator("learning_citizens_change_pp", "percentage_point", 1, _share_change(_both("adults"), _both("learning_citizens")), signed=True,
                  optional=True, group="learning_citizens"),
        *support,
        *_counted("centres", "centre_classes", "class"),
        *_counted("centres", "centre_learners", "learner_time"),
        Indicator("learners_per_centre_class", "learners_per_class", 1, lambda a: _ratio(a[_both("centre_learners")], a[_both("centre_classes")]),
                  optional=True, group="centres"),
    )


_I = Indicator
INDICATORS: tuple[Indicator, ...] = (
    _I("members", "person", 0, _column("members"), additive=True),
    _I("members_change", "person", 0, _change("members"), additive=True, signed=True),
    _I("members_growth_pct", "percent", 1, _growth("members"), signed=True),
    _I("population", "person", 0, _column("population"), additive=True, higher_is_better=None),
    _I("members_per_population_pct", "percent", 1, lambda a: _ratio(a["members"], a["population"], 100.0)),
    _I("baccalaureate_families", "family", 0, _column("baccalaureate_families"), additive=True),
    _I("bachelor_families", "family", 0, _column("bachelor_families"), additive=True),
    _I("clans_registered", "clan", 0, _column("clans_registered"), additive=True),
    _I("clans_recognised", "clan", 0, _column("clans_recognised"), additive=True),
    _I("clans_recognition_pct", "percent", 1, lambda a: _ratio(a["clans_recognised"], a["clans_registered"], 100.0)),
    _I("training_classes", "class", 0, _column("training_classes"), additive=True),
    _I("training_participants", "participant_time", 0, _column("training_participants"), additive=True),
    _I("participants_per_class", "per_class", 1, lambda a: _ratio(a["training_participants"], a["training_classes"])),
    _I("units_without_training", "unit", 0, _column("units_without_training"), additive=True, higher_is_better=False),
    _I("fund_total_vnd", "vnd", 0, _column("fund_total"), additive=True),
    _I("fund_commune_vnd", "vnd", 0, _column("fund_commune"), additive=True),
    _I("fund_district_vnd", "vnd", 0, _column("fund_district"), additive=True),
    _I("fund_province_vnd", "vnd", 0, _column("fund_province"), additive=True),
    _I("fund_change_vnd", "vnd", 0, _change("fund_total"), additive=True, signed=True),
    _I("fund_growth_pct", "percent", 1, _growth("fund_total"), signed=True),
    _I("fund_per_member_vnd", "vnd_per_member", 0, lambda a: _ratio(a["fund_total"], a["members"])),
    _I("fund_per_capita_vnd", "vnd_per_person", 0, lambda a: _ratio(a["fund_total"], a["population"])),
    *_titles(),
    *_groups(),
)
REGISTRY: dict[str, Indicator] = {i.id: i for i in INDICATORS}
IDS: list[str] = list(REGISTRY)
TRACKED_CHANGES = tuple(dict.fromkeys(name for i in INDICATORS for name in i.previous))  # what some change compares with
TITLE_INDICATORS = tuple(f"{recognised}_pct" for _, recognised in TITLE_PAIRS)  # the learning-society titles' shares
TARGET_INDICATORS = (*TITLE_INDICATORS, "learning_citizens_pct")  # the shares targets can be set for (national or --targets)


def reported(values: dict[str, int | float | None]) -> dict[str, int | float | None]:
    """``values`` without the optional indicators the data does not report (None): a table of a file without the
    learning-society columns shows no empty rows for them."""
    return {key: value for key, value in values.items() if value is not None or not REGISTRY[key].optional}


def reported_in(frame: pd.DataFrame) -> list[Indicator]:
    """The indicators to show for an indicator frame: every one, except optional ones undefined throughout it."""
    return [i for i in INDICATORS if not i.optional or bool(frame[i.id].notna().any())]


def row_quantities(frame: pd.DataFrame) -> pd.DataFrame:
    """Per row, the quantities indicators are sums of (float, NaN where blank), with year and unit_id."""
    level = frame["level"].to_numpy()
    commune = level == "commune"

    def floats(name: str) -> np.ndarray:
        return frame[name].to_numpy(dtype="float64", na_value=np.nan)

    fund = floats("fund_vnd")
    base = {
        "year": frame["year"].to_numpy(dtype="int64"),
        "unit_id": frame["unit_id"].to_numpy(),
        "members": floats("members"),
        "population": np.where(commune, floats("population"), np.nan),
        **{name: floats(name) for name in ("baccalaureate_families", "bachelor_families", "clans_registered", "clans_recognised",
                                           "training_classes", "training_participants")},
        "units_without_training": (commune & (floats("training_classes") == 0)).astype("float64"),
        "fund_total": fund,
        "fund_commune": np.where(commune, fund, 0.0),
        "fund_district": np.where(level == "district", fund, 0.0),
        "fund_province": np.where((level == "province") | (level == "national"), fund, 0.0),
    }
    for total, recognised in TITLE_PAIRS:  # a share counts only rows that report both numbers: blank is not 0
        both = [_optional(frame, total), _optional(frame, recognised)]
        reported_both = ~(np.isnan(both[0]) | np.isnan(both[1]))
        base[total] = np.where(reported_both, both[0], np.nan)
        base[recognised] = np.where(reported_both, both[1], np.nan)
    for name in GROUP_TOTALS:  # a total sums the rows reporting it; blank adds nothing (and no row at all: no total)
        base[name] = _optional(frame, name)
    for denominator, numerator in RATIO_PAIRS:  # a ratio counts only rows that report both numbers
        pair = [base[denominator], base[numerator]]
        reported_both = ~(np.isnan(pair[0]) | np.isnan(pair[1]))
        base[_both(denominator)] = np.where(reported_both, pair[0], np.nan)
        base[_both(numerator)] = np.where(reported_both, pair[1], np.nan)
    return pd.DataFrame(base)


def _optional(frame: pd.DataFrame, name: str) -> np.ndarray:
    """An optional column as floats, NaN where blank (all NaN when the frame does not have it)."""
    if name not in frame.columns:
        return np.full(len(frame), np.nan)
    return frame[name].to_numpy(dtype="float64", na_value=np.nan)


def aggregates(frame: pd.DataFrame, per_unit: bool = False, tree: AreaTree | None = None, lineage: Lineage | None = None) -> pd.DataFrame:
    """Sums per year (per year and unit with ``per_unit``; per year and area, over each area's subtree,
    with ``tree``) of the quantities indicators are built from, with the previous calendar year's values of what
    the changes compare beside them (``*_prev``): an area is compared with itself, whatever its descendants were then;
    with ``lineage``, a unit or area with its predecessors (:func:`khuyenhoc.lineage.previous_sums`)."""
    return _aggregates(row_quantities(frame), per_unit, tree, lineage)


def _aggregates(base: pd.DataFrame, per_unit: bool = False, tree: AreaTree | None = None, lineage: Lineage | None = None) -> pd.DataFrame:
    """:func:`aggregates` of the rows' quantities ``base`` (:func:`row_quantities`)."""
    if tree is not None:
        base = _with_areas(base, tree.closure)
        keys = ["year", "area_id"]
    elif per_unit:
        keys = ["year", "unit_id"]
    else:
        base = base.drop(columns="unit_id")
        keys = ["year"]
    sums = base.groupby(keys, sort=True).sum(min_count=1)
    tracked = sums[list(TRACKED_CHANGES)]
    if lineage is not None and len(keys) > 1:
        return sums.join(previous_sums(tracked, lineage).add_suffix("_prev"), how="left")
    if len(keys) > 1:  # each row's own key the calendar year before
        before = pd.MultiIndex.from_arrays([sums.index.get_level_values("year") - 1, sums.index.get_level_values(1)])
    else:
        before = sums.index - 1
    position = sums.index.get_indexer(before)
    previous = np.where(position[:, None] >= 0, tracked.to_numpy(dtype="float64")[position], np.nan)
    return pd.concat([sums, pd.DataFrame(previous, index=sums.index, columns=[f"{name}_prev" for name in TRACKED_CHANGES])], axis=1)


def _with_areas(base: pd.DataFrame, closure: pd.DataFrame) -> pd.DataFrame:
    """The rows' quantities once for each area above them (and the row itself), in the closure's order: year, area_id
    and the quantities (what an inner merge on year and unit_id gives, without its cost)."""
    rows = pd.MultiIndex.from_arrays([base["year"], base["unit_id"]])
    if not rows.is_unique:
        return closure[["year", "area_id", "unit_id"]].merge(base, on=["year", "unit_id"], how="inner").drop(columns="unit_id")
    position = rows.get_indexer(pd.MultiIndex.from_arrays([closure["year"], closure["unit_id"]]))
    found = position >= 0
    pairs = closure.loc[found, ["year", "area_id"]].reset_index(drop=True)
    return pd.concat([pairs, base.drop(columns=["year", "unit_id"]).iloc[position[found]].reset_index(drop=True)], axis=1)


def compute_frame(table: YearlyTable, per_unit: bool = False, years: list[int] | None = None,
                  per_area: bool = False) -> pd.DataFrame:
    """Every indicator for every year: one column per indicator id.

    Indexed by year; by (year, unit_id) with ``per_unit`` (each unit's own row); by (year, area_id) with
    ``per_area`` (every unit that has children that year, over its own row and all its descendants').
    Counts and their changes are nullable integers (``Int64``, ``<NA>`` where undefined); rates are
    floats (``NaN`` where undefined).

    For example ``compute_frame(table, per_unit=True).loc[(2013, "duc-xuan"), "members"]`` is 1399, not 1399.0.
    """
    return typed(_float_frame(table.frame, table.tree, per_unit, years, per_area, table.lineage))


def typed(values: pd.DataFrame) -> pd.DataFrame:
    """An indicator frame with its counts (``Indicator.additive``) as ``Int64`` and its rates as float64."""
    counts = {i.id: "Int64" for i in INDICATORS if i.additive and i.id in values.columns}
    return values.astype(counts)


def _float_frame(frame: pd.DataFrame, tree: AreaTree, per_unit: bool = False, years: list[int] | None = None,
                 per_area: bool = False, lineage: Lineage | None = None, quantities: pd.DataFrame | None = None) -> pd.DataFrame:
    """:func:`compute_frame` with every column float64 (what the reports compute with); ``quantities``: the rows'
    :func:`row_quantities` when already at hand (only without ``years``)."""
    tree = tree if per_area else None
    if years is not None:
        wanted = set(years) | {y - 1 for y in years}
        frame = frame[frame["year"].isin(wanted)]
    agg = _aggregates(row_quantities(frame) if quantities is None else quantities, per_unit=per_unit, tree=tree, lineage=lineage)
    columns = dict(zip(agg.columns, agg.to_numpy(dtype="float64").T, strict=True))  # the formulas on arrays: no index to align
    values = pd.DataFrame({i.id: i.compute(columns) for i in INDICATORS}, index=agg.index)
    if years is not None:
        values = values[values.index.get_level_values("year").isin(years)]
    if per_area:
        values = values[values.index.isin(tree.area_index)]
    return values


@dataclass(frozen=True)
class IndicatorFrames:
    """Every indicator of a table, computed once: the whole file by year, each unit's own row, each area."""

    whole: pd.DataFrame  # index: year
    units: pd.DataFrame  # index: (year, unit_id)
    areas: pd.DataFrame  # index: (year, area_id)

    @classmethod
    def of(cls, table: YearlyTable) -> IndicatorFrames:
        """Compute the three frames of ``table`` (float64 columns: reports compute with them)."""
        frame, tree, lineage = table.frame, table.tree, table.lineage
        rows = row_quantities(frame)
        return cls(_float_frame(frame, tree, lineage=lineage, quantities=rows), _float_frame(frame, tree, per_unit=True, lineage=lineage, quantities=rows),
                   _float_frame(frame, tree, per_area=True, lineage=lineage, quantities=rows))

    def scopes(self, year: int, ids: list[str]) -> pd.DataFrame:
        """The values of ``ids`` in ``year``, indexed by id: an area's (its subtree) where the id has children
        that year, else the unit's own row; ids without a row that year are left out."""
        keys = pd.MultiIndex.from_arrays([np.full(len(ids), int(year)), np.asarray(ids, dtype=object)])
        in_areas, in_units = self.areas.index.get_indexer(keys), self.units.index.get_indexer(keys)
        areas = self.areas.iloc[in_areas[in_areas >= 0]]
        units = self.units.iloc[in_units[(in_areas < 0) & (in_units >= 0)]]
        both = pd.concat([areas, units])
        both.index = both.index.get_level_values(1)
        return both.reindex([unit for unit in ids if unit in both.index])

    def scope_series(self, scope: str) -> pd.DataFrame:
        """Every year's values of one scope (``all``, an area, or a unit), indexed by year: an area where the id
        has children that year, the unit's own row otherwise."""
        if scope == SCOPE_ALL:
            return self.whole
        years = sorted({y for y, u in self.units.index if u == scope})
        rows = [self.scopes(year, [scope]).iloc[0].rename(year) for year in years]
        return pd.DataFrame(rows, columns=self.whole.columns)


_ANALYSED: weakref.WeakKeyDictionary[YearlyTable, IndicatorFrames] = weakref.WeakKeyDictionary()


@dataclass(frozen=True, eq=False)
class Analysis:
    """A validated table with its indicator frames: what every report, chart and finding reads."""

    table: YearlyTable
    frames: IndicatorFrames

    @property
    def years(self) -> list[int]:
        return self.table.years

    @property
    def unit_names(self) -> dict[str, str]:
        return self.table.unit_names

    @property
    def hierarchy(self) -> Hierarchy:
        return self.table.tree.hierarchy

    def notes(self, lang: str = DEFAULT_LANG) -> list[str]:
        """What every view of the data must say about it (illustrative, synthetic)."""
        return self.table.notes(lang)

    def named_scopes(self, year: int, units: list[str] | None = None) -> pd.DataFrame:
        """The values in ``year`` of ``units`` (default: what the whole file's report compares), each an area over its
        subtree where it has children, with unit_id and unit_name columns, sorted by name (what bar charts show)."""
        units = self.hierarchy.compared_units(year) if units is None else units
        values = self.frames.scopes(year, units)
        names = self.unit_names
        rows = values.assign(unit_id=values.index, unit_name=[names.get(u, u) for u in values.index])
        return rows.sort_values("unit_name", kind="stable")

    def indicator_series(self, indicator: str, scopes: list[str], lang: str = DEFAULT_LANG) -> dict[str, pd.Series]:
        """name -> ``indicator`` over every year, for each scope (``all``, an area over its subtree, a unit's own row)."""
        names = self.unit_names
        return {text("scope.all", lang) if scope == SCOPE_ALL else names.get(scope, scope): self.frames.scope_series(scope)[indicator]
                for scope in scopes}

    def scope_series(self, scope: str, up_to_year: int | None = None) -> pd.DataFrame:
        """Every year's values of ``scope`` (see :meth:`IndicatorFrames.scope_series`), up to ``up_to_year`` if given."""
        values = self.frames.scope_series(scope)
        return values if up_to_year is None else values[values.index <= up_to_year]


def analyse(table: YearlyTable) -> Analysis:
    """``table`` with its indicator frames, computed once per table (a second call, or a table loaded from a
    snapshot, finds them)."""
    frames = _ANALYSED.get(table)
    if frames is None:
        frames = _ANALYSED[table] = IndicatorFrames.of(table)
    return Analysis(table, frames)


def known(analysis: Analysis) -> Analysis:
    """Make ``analysis`` (say, loaded from a snapshot) the one :func:`analyse` gives for its table."""
    _ANALYSED[analysis.table] = analysis.frames
    return analysis


TIDY_COLUMNS = ["year", "scope", "scope_type", "unit_name", "level", "indicator", "measure", "count", "rate",
                "label_vi", "label_en"]
SCOPE_TYPES = ("all", "area", "unit")


def indicators_frame(table: YearlyTable, lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """Every indicator of ``table`` as one tidy (long) frame: one row per year, scope and indicator.

    Columns: ``year``; ``scope`` (``"all"``, an area id or a unit id) and ``scope_type`` (``all``: the
    whole file; ``area``: a unit with children that year, over its own row and every descendant's;
    ``unit``: a unit's own row, areas' rows included); ``unit_name`` and ``level`` (the whole file's
    are the ``lang`` words for it and empty); ``indicator`` (its id) and ``measure`` (person, percent,
    vnd, ...); the value, in ``count`` (``Int64``: counts, sums of đồng and their changes) or in
    ``rate`` (float: percentages and ratios), never both; ``label_vi`` and ``label_en``. Undefined
    values (no previous year, zero denominator) are ``<NA>``/``NaN``. Filter it with ``query``, turn
    it round with :func:`pivot_indicator`.
    """
    cached = analyse(table).frames
    parts = []
    for scope_type, wide in (("all", cached.whole), ("area", cached.areas), ("unit", cached.units)):
        long = wide.rename_axis(columns="indicator").stack(future_stack=True).rename("value").reset_index()
        if scope_type == "all":
            long.insert(1, "scope", SCOPE_ALL)
        else:
            long = long.rename(columns={"area_id": "scope", "unit_id": "scope"})
        parts.append(long.assign(scope_type=scope_type))
    tidy = pd.concat(parts, ignore_index=True)
    names, levels = table.unit_names, dict(zip(table.units()["unit_id"], table.units()["level"], strict=True))
    whole = tidy["scope_type"] == "all"
    tidy["unit_name"] = tidy["scope"].map(names).where(~whole, text("scope.all", lang))
    tidy["level"] = tidy["scope"].map(levels).where(~whole, "")
    counts = tidy["indicator"].map({i.id: i.additive for i in INDICATORS}).astype(bool)
    tidy["count"] = tidy["value"].where(counts).astype("Int64")
    tidy["rate"] = tidy["value"].where(~counts).astype("float64")
    tidy["measure"] = tidy["indicator"].map({i.id: i.measure for i in INDICATORS})
    tidy["label_vi"] = tidy["indicator"].map({i.id: indicator_label(i.id, "vi") for i in INDICATORS})
    tidy["label_en"] = tidy["indicator"].map({i.id: indicator_label(i.id, "en") for i in INDICATORS})
    tidy["year"] = tidy["year"].astype("int64")
    tidy["scope_type"] = pd.Categorical(tidy["scope_type"], categories=SCOPE_TYPES)
    return tidy[TIDY_COLUMNS].sort_values(["scope_type", "scope", "year"], kind="stable").reset_index(drop=True)


def pivot_indicator(tidy: pd.DataFrame, indicator: str, index: str = "unit_name", columns: str = "year") -> pd.DataFrame:
    """One indicator of a tidy frame (:func:`indicators_frame`, filtered as you like) as a table: ``index``
    down (default: the units' names), ``columns`` across (default: the years). Counts stay ``Int64``."""
    if indicator not in REGISTRY:
        raise KhuyenhocError(text("error.no_indicator", DEFAULT_LANG, indicator=indicator, known=", ".join(IDS)))
    rows = tidy[tidy["indicator"] == indicator]
    value = "count" if REGISTRY[indicator].additive else "rate"
    return rows.pivot_table(index=index, columns=columns, values=value, aggfunc="first", observed=True, dropna=False)


def _plain(value: float, indicator: Indicator) -> int | float | None:
    if value is None or pd.isna(value) or not np.isfinite(value):
        return None
    if indicator.precision == 0 and float(value).is_integer():
        return int(value)
    return float(value)


def compute(table: YearlyTable, year: int, scope: str = SCOPE_ALL, lang: str = DEFAULT_LANG) -> dict[str, int | float | None]:
    """Indicator values for ``year`` over the whole file (``scope="all"``), an area (a unit_id with
    children that year: its own row and every descendant's) or one unit's own row.

    Values are plain numbers; ``None`` where undefined (no previous year, zero denominator).
    """
    if year not in table.years:
        raise KhuyenhocError(text("error.no_year", lang, year=year, years=", ".join(map(str, table.years))))
    if scope != SCOPE_ALL and not table.tree.exists(scope, year):
        raise KhuyenhocError(text("error.no_unit", lang, unit=scope, year=year))
    cached = analyse(table).frames
    return as_values(cached.whole.loc[year] if scope == SCOPE_ALL else cached.scopes(year, [scope]).iloc[0])


def as_values(row: pd.Series) -> dict[str, int | float | None]:
    """One row of an indicator frame as plain values: int counts, float rates, None where undefined."""
    return {i.id: _plain(row[i.id], i) for i in INDICATORS}


def to_json(year: int, scope: str, values: dict[str, int | float | None]) -> dict:
    """The documented JSON shape: year, scope, and per id its value, unit and labels."""
    return {
        "year": year,
        "scope": scope,
        "indicators": {
            key: {"value": value, "unit": REGISTRY[key].measure, "label_vi": indicator_label(key, "vi"), "label_en": indicator_label(key, "en")}
            for key, value in values.items()
        },
    }
