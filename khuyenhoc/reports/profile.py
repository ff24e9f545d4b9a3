"""One unit's profile, as a model: its figures for a year, its trend, its place among the communes it is ranked with."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from khuyenhoc.findings import Finding, detect_findings
from khuyenhoc.formatting import format_indicator
from khuyenhoc.i18n import DEFAULT_LANG, check_lang, column_header, text
from khuyenhoc.indicators import INDICATORS, REGISTRY, Analysis, as_values, compute
from khuyenhoc.names import place_name
from khuyenhoc.reports.formatted import by_year, findings_table, ranks
from khuyenhoc.reports.reform import formed_from, sources_paragraph
from khuyenhoc.reports.text import write_unit_profile

AREA_ONLY = ("units_without_training", "fund_commune_vnd", "fund_district_vnd", "fund_province_vnd")  # sums over units, not one unit's figure
PLACE_INDICATORS = ("members", "fund_per_member_vnd")  # what a unit profile ranks (its paragraph and its chart)


@dataclass
class UnitProfile:
    """One unit's figures for ``year``, its trend and its place among the units."""

    analysis: Analysis
    year: int
    unit_id: str
    lang: str = DEFAULT_LANG

    def __post_init__(self) -> None:
        check_lang(self.lang)
        self.table, self.frames, self.tree = self.analysis.table, self.analysis.frames, self.analysis.hierarchy
        compute(self.table, self.year, self.unit_id, lang=self.lang)  # a clear error when the unit has no row that year
        self.values = as_values(self.frames.units.loc[(self.year, self.unit_id)])  # its own row, even for an area
        self.unit_name = self.table.unit_names[self.unit_id]

    @property
    def notes(self) -> list[str]:
        """What every view of the profile must say about its data (illustrative, synthetic)."""
        return self.analysis.notes(self.lang)

    def trend_values(self) -> pd.DataFrame:
        """The unit's own values of every year up to this one; a merged unit's earlier years restated on its current
        boundaries (the units it came from, share-weighted: :func:`khuyenhoc.restate.restated_history`)."""
        restated = self._restated
        if restated is not None:
            return restated.drop(columns="restated")
        values = self.frames.units.xs(self.unit_id, level="unit_id")
        return values[values.index <= self.year]

    @cached_property
    def _restated(self) -> pd.DataFrame | None:
        """The restated history when the unit was formed from others (None otherwise, or without a lineage table)."""
        if formed_from(self.table, self.unit_id, self.year) is None:
            return None
        from khuyenhoc.restate import restated_history

        return restated_history(self.table, self.unit_id, self.year)

    def place_values(self) -> pd.DataFrame:
        """This year's own values of the units the unit is ranked among: its sibling communes; for an association's
        own row, the units below it."""
        units = self.siblings or self.tree.children(self.unit_id, self.year)
        return self.frames.units.loc[self.year].reindex(units)

    @property
    def title(self) -> str:
        return text("title.unit", self.lang, unit=place_name(self.unit_name, self.lang), year=self.year)

    @property
    def indicators(self) -> tuple:
        """The indicators that mean something for one unit (not the area-only ones)."""
        return tuple(i for i in INDICATORS if i.id not in AREA_ONLY and (not i.optional or self.values[i.id] is not None))

    def _labels(self) -> dict[str, str]:
        return {"population": column_header("population", self.lang)}  # the unit's own, not "of communes and wards"

    def figures_table(self) -> pd.DataFrame:
        """Label and formatted value of every indicator that applies to the unit."""
        labels = self._labels()
        return pd.DataFrame(
            {text("col.indicator", self.lang): [labels.get(i.id, i.label(self.lang)) for i in self.indicators],
             text("col.formatted", self.lang): [format_indicator(i.id, self.values[i.id], self.lang) for i in self.indicators]}
        )

    def trend_table(self) -> pd.DataFrame:
        """The unit's indicators for every year up to ``year``."""
        restated = self._restated
        if restated is not None:  # the years before the merger are marked as restated
            shown = by_year(restated.drop(columns="restated"), self.lang, self.indicators, self._labels())
            marked = {str(int(y)): text("reform.restated_year", self.lang, year=int(y)) for y, flag in restated["restated"].items() if flag}
            return shown.rename(columns=marked)
        values = self.frames.units.xs(self.unit_id, level="unit_id")
        return by_year(values[values.index <= self.year], self.lang, self.indicators, self._labels())

    @property
    def siblings(self) -> list[str]:
        """The commune-level units the unit is compared with: those reporting to the same association that year."""
        return self.tree.siblings(self.unit_id, self.year)

    def place(self) -> pd.DataFrame:
        """The unit's value and rank among its sibling communes on the ranked indicators (empty for an area row).

        The indicator is a column, not the index: tables are shown without their index."""
        if self.unit_id not in self.siblings:
            return pd.DataFrame()
        per_unit = self.frames.units.loc[self.year].reindex(self.siblings)
        shown = ranks(per_unit, self.lang, [self.unit_id]).loc[self.unit_id]
        return pd.DataFrame({text("col.indicator", self.lang): list(shown.index), text("col.rank", self.lang): list(shown.to_numpy())})

    @cached_property
    def findings(self) -> list[Finding]:
        """The findings about this unit, judged among the units it is compared with (its sibling communes)."""
        compared = self.siblings or [self.unit_id]
        return [f for f in detect_findings(self.table, self.year, compared) if f.unit_id == self.unit_id]

    def findings_table(self) -> pd.DataFrame:
        """One row per finding about the unit, as sentences."""
        return findings_table(self.findings, self.lang)

    def narrative(self, escape=str) -> list[str]:
        """The profile's written paragraph: members, training and fund, with the unit's place among its siblings."""
        ranks = {}
        if self.unit_id in self.siblings:
            per_unit = self.frames.units.loc[self.year].reindex(self.siblings)
            for key in PLACE_INDICATORS:
                column = per_unit[key].dropna()
                if self.unit_id in column.index and len(column) > 1:
                    ranks[key] = (int(REGISTRY[key].rank(column)[self.unit_id]), len(column))
        merged = formed_from(self.table, self.unit_id, self.year) is not None and self.year - 1 in self.table.years
        previous = self.year - 1 if merged or self.tree.exists(self.unit_id, self.year - 1) else None
        parent = self.tree.parent(self.unit_id, self.year)
        parent_name = None if parent is None else self.table.unit_names.get(parent, parent)
        values = dict(self.values)
        if self.table.level_of(self.unit_id, self.year) != "commune":  # an association's own row holds its fund, not members or classes
            values.update(members=None, training_classes=None)
        written = write_unit_profile(values, previous, self.year, self.unit_name, self.lang, parent_name, ranks, escape)
        sources = sources_paragraph(self.table, self.unit_id, self.year, self.lang, escape)
        return written + ([sources] if sources else [])

    @property
    def years(self) -> list[int]:
        """The years up to ``year`` in which the unit reported (a merged unit: with its restated earlier years)."""
        restated = self._restated
        years = restated.index if restated is not None else self.frames.units.xs(self.unit_id, level="unit_id").index
        return [int(y) for y in years if y <= self.year]
