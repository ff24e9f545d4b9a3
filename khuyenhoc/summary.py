"""The analysed summaries the notebooks show: a year, a unit, the trend; and their saved forms."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from khuyenhoc import __version__, charts
from khuyenhoc.findings import Finding, detect_findings
from khuyenhoc.formatting import format_indicator, format_value
from khuyenhoc.fsutil import atomic_write_bytes, atomic_write_text
from khuyenhoc.i18n import DEFAULT_LANG, check_lang, column_header, indicator_label, text
from khuyenhoc.indicators import INDICATORS, REGISTRY, SCOPE_ALL, compute, compute_frame, to_json
from khuyenhoc.narrative import markdown_escape, write_narrative
from khuyenhoc.table import YearlyTable

MAIN_INDICATORS = (
    "members", "members_per_population_pct", "baccalaureate_families", "bachelor_families", "clans_registered",
    "clans_recognised", "training_classes", "training_participants", "participants_per_class", "units_without_training",
    "fund_total_vnd", "fund_commune_vnd", "fund_district_vnd", "fund_per_member_vnd",
)
AREA_ONLY = ("units_without_training", "fund_commune_vnd", "fund_district_vnd")  # sums over units, not one unit's figure
RANKED_INDICATORS = ("members", "members_per_population_pct", "training_classes", "training_participants", "fund_total_vnd", "fund_per_member_vnd")


def finding_message(finding: Finding, lang: str = DEFAULT_LANG) -> str:
    """One finding as a sentence (data-derived names unescaped: escape for the medium)."""
    return text(
        f"finding.{finding.kind}", lang,
        unit=finding.unit_name or finding.unit_id or text("scope.all", lang),
        indicator=indicator_label(finding.indicator, lang).lower(),
        value=format_indicator(finding.indicator, finding.value, lang),
        reference=format_indicator(finding.indicator, finding.reference, lang),
    )


def _ranks(values: pd.DataFrame, lang: str) -> pd.DataFrame:
    """'value (rank/count)' for each ranked indicator; rank 1 is the best."""
    shown = pd.DataFrame(index=values.index)
    for key in RANKED_INDICATORS:
        column = values[key]
        ranks = column.rank(ascending=REGISTRY[key].higher_is_better is False, method="min")
        count = int(column.notna().sum())
        shown[indicator_label(key, lang)] = [
            format_indicator(key, v, lang, with_unit=False) + ("" if pd.isna(r) else f" ({text('rank.of', lang, rank=int(r), count=count)})")
            for v, r in zip(column, ranks, strict=True)
        ]
    return shown


@dataclass
class AnnualSummary:
    """Everything the yearly summary shows for ``year`` over the whole area."""

    table: YearlyTable
    year: int
    lang: str = DEFAULT_LANG
    parameters: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_lang(self.lang)
        self.values = compute(self.table, self.year, lang=self.lang)
        self.previous_year = self.year - 1 if self.year - 1 in self.table.years else None
        self.findings = detect_findings(self.table, self.year)

    @property
    def title(self) -> str:
        return text("title.annual", self.lang, year=self.year)

    def key_indicators(self) -> pd.DataFrame:
        """Label and formatted value of every indicator."""
        return pd.DataFrame(
            {text("col.indicator", self.lang): [i.label(self.lang) for i in INDICATORS],
             text("col.formatted", self.lang): [format_indicator(i.id, self.values[i.id], self.lang) for i in INDICATORS]}
        )

    def comparison(self) -> pd.DataFrame | None:
        """The main indicators this year and the previous one, with the change; None without a previous year."""
        if self.previous_year is None:
            return None
        before = compute(self.table, self.previous_year, lang=self.lang)
        rows = []
        for key in MAIN_INDICATORS:
            now, then = self.values[key], before[key]
            change = None if now is None or then is None else now - then
            indicator = REGISTRY[key]
            rows.append({
                text("col.indicator", self.lang): indicator.label(self.lang),
                text("col.previous", self.lang, year=self.previous_year): format_indicator(key, then, self.lang),
                text("col.current", self.lang, year=self.year): format_indicator(key, now, self.lang),
                text("col.change", self.lang): _change(change, indicator, self.lang),
            })
        return pd.DataFrame(rows)

    def ranking(self) -> pd.DataFrame:
        """Commune-level units, by members, with each main indicator's value and rank."""
        per_unit = compute_frame(self.table, per_unit=True, years=[self.year]).loc[self.year]
        units = self.table.units(self.year)
        units = units[units["level"] == "commune"].set_index("unit_id")
        per_unit = per_unit.reindex(units.index).sort_values("members", ascending=False)
        shown = _ranks(per_unit, self.lang)
        shown.insert(0, text("col.unit_name", self.lang), units.loc[shown.index, "unit_name"])
        return shown.reset_index(drop=True)

    def findings_table(self) -> pd.DataFrame:
        """One row per finding, as sentences."""
        return pd.DataFrame({text("col.finding", self.lang): [finding_message(f, self.lang) for f in self.findings]})

    def narrative(self, escape=str, with_notes: bool = True) -> list[str]:
        """The written summary, paragraph by paragraph; ``with_notes`` leads with what kind of data this is."""
        return write_narrative(self.values, self.previous_year, self.findings, self.year, self.lang, self.table.illustrative, escape,
                               notes=self.table.notes(self.lang) if with_notes else [])

    @cached_property
    def figures(self) -> dict[str, Figure]:
        """The charts, by file stem."""
        return {
            "members_by_unit": charts.members_by_unit(self.table, self.year, self.lang),
            "fund_by_level": charts.fund_by_level(self.table, self.year, self.lang),
            "training_by_unit": charts.training_by_unit(self.table, self.year, self.lang),
            "trend": charts.trend(self.table, self.year, self.lang),
        }

    def to_json(self) -> dict:
        """The indicator JSON of ``khuyenhoc indicators`` plus findings and provenance."""
        document = to_json(self.year, SCOPE_ALL, self.values)
        document["findings"] = [f.to_dict() | {"message": finding_message(f, self.lang)} for f in self.findings]
        document["illustrative"] = self.table.illustrative
        document["synthetic"] = self.table.synthetic
        document["provenance"] = {
            "data_checksum": self.table.checksum,
            "data_source": Path(self.table.source).name,
            "package_version": __version__,
            "parameters": self.parameters or {"year": self.year, "lang": self.lang},
            "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "illustrative": self.table.illustrative,
            "synthetic": self.table.synthetic,
        }
        return document

    def markdown(self) -> str:
        """The written summary as Markdown (data-derived text escaped)."""
        return f"# {self.title}\n\n" + "\n\n".join(self.narrative(markdown_escape)) + "\n"

    def save(self, output_dir: str | Path) -> list[Path]:
        """Write summary.json, summary.md and figures/*.png into ``output_dir``, each atomically."""
        output_dir = Path(output_dir)
        written = [
            atomic_write_text(output_dir / "summary.json", json.dumps(self.to_json(), ensure_ascii=False, indent=2) + "\n"),
            atomic_write_text(output_dir / "summary.md", self.markdown()),
        ]
        written += [atomic_write_bytes(output_dir / "figures" / f"{name}.png", charts.to_png(figure)) for name, figure in self.figures.items()]
        return written


@dataclass
class UnitProfile:
    """One unit's figures for ``year``, its trend and its place among the units."""

    table: YearlyTable
    year: int
    unit_id: str
    lang: str = DEFAULT_LANG

    def __post_init__(self) -> None:
        check_lang(self.lang)
        self.values = compute(self.table, self.year, self.unit_id, lang=self.lang)
        self.unit_name = self.table.unit_names[self.unit_id]

    @property
    def title(self) -> str:
        return text("title.unit", self.lang, unit=self.unit_name, year=self.year)

    @property
    def indicators(self) -> tuple:
        """The indicators that mean something for one unit (not the area-only ones)."""
        return tuple(i for i in INDICATORS if i.id not in AREA_ONLY)

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
        values = compute_frame(self.table, per_unit=True).xs(self.unit_id, level="unit_id")
        return _by_year(values[values.index <= self.year], self.lang, self.indicators, self._labels())

    def place(self) -> pd.DataFrame:
        """The unit's value and rank among commune-level units on the ranked indicators (empty for the district row).

        The indicator is a column, not the index: tables are shown without their index."""
        per_unit = compute_frame(self.table, per_unit=True, years=[self.year]).loc[self.year]
        communes = self.table.units(self.year)
        per_unit = per_unit.reindex(communes.loc[communes["level"] == "commune", "unit_id"])
        if self.unit_id not in per_unit.index:
            return pd.DataFrame()
        ranks = _ranks(per_unit, self.lang).loc[self.unit_id]
        return pd.DataFrame({text("col.indicator", self.lang): list(ranks.index), text("col.rank", self.lang): list(ranks.to_numpy())})

    @cached_property
    def figures(self) -> dict[str, Figure]:
        return {
            "trend": charts.unit_trend(self.table, self.unit_id, self.year, self.lang),
            "members_rank": charts.unit_rank(self.table, self.year, self.unit_id, "members", self.lang),
            "fund_per_member_rank": charts.unit_rank(self.table, self.year, self.unit_id, "fund_per_member_vnd", self.lang),
        }


def _change(change: float | None, indicator, lang: str) -> str:
    """A change between two years: percentages change by percentage points, not by percent."""
    if indicator.unit == "percent":
        return format_value(change, "percentage_point", indicator.precision, lang, signed=True)
    return format_value(change, indicator.unit, indicator.precision, lang, signed=True, with_unit=False)


def _by_year(values: pd.DataFrame, lang: str, indicators: tuple = INDICATORS, labels: dict | None = None) -> pd.DataFrame:
    """Indicators as rows, years as columns, formatted."""
    labels = labels or {}
    shown = pd.DataFrame(
        {str(int(year)): [format_indicator(i.id, row[i.id], lang) for i in indicators] for year, row in values.iterrows()}
    )
    shown.insert(0, text("col.indicator", lang), [labels.get(i.id, i.label(lang)) for i in indicators])
    return shown


@dataclass
class Trends:
    """Every indicator over ``start_year``..``end_year``."""

    table: YearlyTable
    start_year: int
    end_year: int
    lang: str = DEFAULT_LANG

    @property
    def title(self) -> str:
        return text("title.trends", self.lang, start=self.start_year, end=self.end_year)

    def table_by_year(self) -> pd.DataFrame:
        values = compute_frame(self.table)
        return _by_year(values[(values.index >= self.start_year) & (values.index <= self.end_year)], self.lang)

    @cached_property
    def figures(self) -> dict[str, Figure]:
        return {"indicators": charts.indicator_trends(self.table, self.start_year, self.end_year, self.lang)}
