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
from khuyenhoc.errors import KhuyenhocError
from khuyenhoc.findings import Finding, compared_units, detect_findings
from khuyenhoc.formatting import format_indicator, format_value
from khuyenhoc.fsutil import atomic_write_text
from khuyenhoc.i18n import DEFAULT_LANG, check_lang, column_header, indicator_label, text
from khuyenhoc.indicators import INDICATORS, REGISTRY, SCOPE_ALL, as_values, compute, reported_in, to_json
from khuyenhoc.findings import below_target
from khuyenhoc.target_text import format_target, projected_text, target_paragraphs
from khuyenhoc.targets import report_progress
from khuyenhoc.names import in_sentence
from khuyenhoc.narrative import Area, markdown_escape, write_sections, write_unit_profile
from khuyenhoc.table import YearlyTable

MAIN_INDICATORS = (
    "members", "members_per_population_pct", "baccalaureate_families", "bachelor_families", "clans_registered",
    "clans_recognised", "training_classes", "training_participants", "participants_per_class", "units_without_training",
    "fund_total_vnd", "fund_commune_vnd", "fund_district_vnd", "fund_province_vnd", "fund_per_member_vnd",
)
AREA_ONLY = ("units_without_training", "fund_commune_vnd", "fund_district_vnd", "fund_province_vnd")  # sums over units, not one unit's figure
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


def findings_frame(table: YearlyTable, year: int, units: list[str] | None = None, lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """What the findings rules (``khuyenhoc.findings``) flag in ``year`` among ``units`` (default: what the whole file's
    report compares), one row each: kind, unit_id, unit_name, indicator, value, reference (the previous year's value
    or the median compared with) and ``message``, the sentence a report prints, saying why."""
    found = detect_findings(table, year, units)
    columns = ["kind", "unit_id", "unit_name", "indicator", "value", "reference", "message"]
    return pd.DataFrame([{**f.to_dict(), "message": finding_message(f, lang)} for f in found], columns=columns)


def _ranks(values: pd.DataFrame, lang: str, rows: list[str] | None = None) -> pd.DataFrame:
    """'value (rank/count)' for each ranked indicator; rank 1 is the best. Ranked among every row of ``values``,
    formatted only for ``rows`` (default: all): a profile shows one unit's line, not its siblings'."""
    index = values.index if rows is None else pd.Index(rows)
    shown = pd.DataFrame(index=index)
    for key in RANKED_INDICATORS:
        column = values[key]
        ranks = REGISTRY[key].rank(column)
        count = int(column.notna().sum())
        shown[indicator_label(key, lang)] = [
            format_indicator(key, v, lang, with_unit=False) + ("" if pd.isna(r) else f" ({text('rank.of', lang, rank=int(r), count=count)})")
            for v, r in zip(column.reindex(index), ranks.reindex(index), strict=True)
        ]
    return shown


def report_scope(table: YearlyTable, year: int, area_id: str | None) -> str:
    """The scope a yearly report covers: ``area_id``; for the whole file, its single root when there is one
    (the whole file is then that root's report), else ``all``."""
    if area_id is not None:
        return area_id
    roots = table.tree.roots(year)
    return roots[0] if len(roots) == 1 and table.tree.has_children(roots[0], year) else SCOPE_ALL


@dataclass
class AnnualSummary:
    """Everything the yearly summary shows for ``year`` over an area (``area_id``) or the whole file (None)."""

    table: YearlyTable
    year: int
    lang: str = DEFAULT_LANG
    parameters: dict = field(default_factory=dict)
    area_id: str | None = None
    targets_path: str | Path | None = None  # a targets file (own plans) over the national targets of Quyết định 387/QĐ-TTg

    def __post_init__(self) -> None:
        check_lang(self.lang)
        if self.area_id is not None and not self.table.tree.has_children(self.area_id, self.year):
            raise KhuyenhocError(text("error.no_area", self.lang, area=self.area_id, year=self.year))
        self.scope = report_scope(self.table, self.year, self.area_id)
        self.values = compute(self.table, self.year, self.scope, lang=self.lang)
        self.previous_year = self.year - 1 if self.year - 1 in self.table.years else None
        self.units = compared_units(self.table, self.year, self.area_id)
        self.findings = detect_findings(self.table, self.year, self.units)
        # the learning-society titles against their targets (empty when the data does not report them)
        self.targets, self.unit_targets = report_progress(self.table, self.year, self.scope, self.units, self.targets_path, self.lang)
        self.findings += below_target(self.unit_targets, self.table.unit_names)

    @property
    def name(self) -> str | None:
        """The area's name (None for a whole file with several roots)."""
        return None if self.scope == SCOPE_ALL else self.table.unit_names.get(self.scope, self.scope)

    @property
    def title(self) -> str:
        if self.name is None:
            return text("title.annual", self.lang, year=self.year)
        return text("title.annual_area", self.lang, year=self.year, area=in_sentence(self.name, self.lang))

    def _previous_values(self) -> dict | None:
        """The scope's values the year before (None when it had no row then)."""
        if self.previous_year is None or (self.scope != SCOPE_ALL and not self.table.tree.exists(self.scope, self.previous_year)):
            return None
        return compute(self.table, self.previous_year, self.scope, lang=self.lang)

    def key_indicators(self) -> pd.DataFrame:
        """Label and formatted value of every indicator (optional ones only when the data reports them)."""
        shown = [i for i in INDICATORS if not i.optional or self.values[i.id] is not None]
        return pd.DataFrame(
            {text("col.indicator", self.lang): [i.label(self.lang) for i in shown],
             text("col.formatted", self.lang): [format_indicator(i.id, self.values[i.id], self.lang) for i in shown]}
        )

    def targets_table(self) -> pd.DataFrame | None:
        """The learning-society titles this year against their targets; None when the data does not report them."""
        if not self.targets:
            return None
        missing, lang = text("missing", self.lang), self.lang
        return pd.DataFrame([{
            text("col.indicator", lang): indicator_label(t.indicator, lang),
            text("col.current", lang, year=self.year): format_indicator(t.indicator, t.value, lang),
            text("col.change_pp", lang): format_value(t.change_pp, "percentage_point", 1, lang, signed=True),
            text("col.target", lang): missing if t.target is None else text("targets.value_by", lang, value=format_target(t.target, lang), year=t.target_year),
            text("col.gap", lang): format_value(t.gap_pp, "percentage_point", 1, lang, signed=True),
            text("col.units_at_target", lang): missing if not t.units_reported else text("rank.of", lang, rank=t.units_at_target, count=t.units_reported),
            text("col.projected", lang): projected_text(t, lang),
        } for t in self.targets])

    def target_sentences(self) -> list[str]:
        """The titles against their targets, as sentences (no paragraph when the data does not report them)."""
        return target_paragraphs(self.targets, self.lang)

    @cached_property
    def target_figures(self) -> dict[str, Figure]:
        """The chart of the titles by compared unit with the target marks (none without titles or targets)."""
        if self.unit_targets.empty:
            return {}
        return {"targets_by_unit": charts.targets_by_unit(self.table, self.year, self.unit_targets, self.lang)}

    def comparison(self) -> pd.DataFrame | None:
        """The main indicators this year and the previous one, with the change; None without a previous year."""
        before = self._previous_values()
        if before is None:
            return None
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
        """The units this report compares (the area's direct children), by members, with each main indicator's
        value and rank; a child that is an area is taken with its whole subtree."""
        values = self.table.indicator_frames.scopes(self.year, self.units).sort_values("members", ascending=False, kind="stable")
        shown = _ranks(values, self.lang)
        names = self.table.unit_names
        shown.insert(0, text("col.unit_name", self.lang), [names.get(unit, unit) for unit in shown.index])
        return shown.reset_index(drop=True)

    def links(self, report_links: dict | None) -> list[tuple[str, str]]:
        """(label, href) for the reports above and below this one, as the runner says they exist:
        ``{"parent": href or None, "children": {unit_id: href}}``; nothing when run by hand."""
        if not report_links:
            return []
        names = self.table.unit_names
        found = []
        parent = self.table.tree.parent(self.scope, self.year) if self.scope != SCOPE_ALL else None
        if report_links.get("parent") and parent is not None:
            found.append((text("link.parent", self.lang, name=names.get(parent, parent)), report_links["parent"]))
        children = report_links.get("children") or {}
        found += [(names.get(unit, unit), children[unit]) for unit in self.units if unit in children]
        return found

    def findings_table(self) -> pd.DataFrame:
        """One row per finding, as sentences."""
        return pd.DataFrame({text("col.finding", self.lang): [finding_message(f, self.lang) for f in self.findings]})

    def area(self) -> Area:
        """How the written summary names this report's area and the units it compares."""
        levels = [self.table.level_of(unit, self.year) for unit in self.units]
        names = self.table.unit_names
        return Area(self.name, None if self.scope == SCOPE_ALL else self.table.level_of(self.scope, self.year),
                    tuple(names.get(unit, unit) for unit in self.units), max(set(levels), key=levels.count) if levels else None)

    def sections(self, escape=str, with_notes: bool = True) -> dict[str, list[str]]:
        """The written summary by section (``narrative.SECTIONS``), each a list of paragraphs."""
        return write_sections(self.values, self.previous_year, self.findings, self.year, self.lang, self.table.illustrative, escape,
                              notes=self.table.notes(self.lang) if with_notes else [], area=self.area())

    def narrative(self, escape=str, with_notes: bool = True) -> list[str]:
        """The written summary, paragraph by paragraph; ``with_notes`` leads with what kind of data this is."""
        return [paragraph for part in self.sections(escape, with_notes).values() for paragraph in part]

    @cached_property
    def figures(self) -> dict[str, Figure]:
        """The charts, by file stem."""
        return {
            "members_by_unit": charts.members_by_unit(self.table, self.year, self.lang, self.units),
            "fund_by_level": charts.fund_by_level(self.table, self.year, self.lang, self.values),
            "training_by_unit": charts.training_by_unit(self.table, self.year, self.lang, self.units),
            "trend": charts.trend(self.table, self.year, self.lang, self.scope),
        }

    def to_json(self) -> dict:
        """The indicator JSON of ``khuyenhoc indicators`` plus findings and provenance."""
        document = to_json(self.year, SCOPE_ALL if self.area_id is None else self.area_id, self.values)
        document["name"] = self.name
        document["units"] = list(self.units)
        document["findings"] = [f.to_dict() | {"message": finding_message(f, self.lang)} for f in self.findings]
        document["illustrative"] = self.table.illustrative
        document["synthetic"] = self.table.synthetic
        document["provenance"] = {
            "data_checksum": self.table.checksum,
            "data_source": Path(self.table.source).name,
            "package_version": __version__,
            "parameters": self.parameters or {"year": self.year, "lang": self.lang, "area_id": self.area_id},
            "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "illustrative": self.table.illustrative,
            "synthetic": self.table.synthetic,
        }
        if self.targets:
            document["targets"] = [t.to_dict() for t in self.targets]
        return document

    def markdown(self) -> str:
        """The written summary as Markdown (data-derived text escaped)."""
        return f"# {self.title}\n\n" + "\n\n".join([*self.narrative(markdown_escape), *self.target_sentences()]) + "\n"

    def save(self, output_dir: str | Path, org: str | None = None, place: str | None = None) -> list[Path]:
        """Write summary.json, summary.md, the Word report (annual_summary.docx: issued by ``org``, signed at
        ``place``, see khuyenhoc.word), its tables (annual_summary.xlsx) and figures/*.png into ``output_dir``,
        each atomically."""
        from khuyenhoc.excel_tables import save_xlsx
        from khuyenhoc.word import save_docx

        output_dir = Path(output_dir)
        written = [
            atomic_write_text(output_dir / "summary.json", json.dumps(self.to_json(), ensure_ascii=False, indent=2) + "\n"),
            atomic_write_text(output_dir / "summary.md", self.markdown()),
            save_docx(self, output_dir / "annual_summary.docx", org, place),
            save_xlsx(self, output_dir / "annual_summary.xlsx"),
        ]
        figures = self.figures | self.target_figures
        written += [charts.save_png(figure, output_dir / "figures" / f"{name}.png") for name, figure in figures.items()]
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
        compute(self.table, self.year, self.unit_id, lang=self.lang)  # a clear error when the unit has no row that year
        self.values = as_values(self.table.indicator_frames.units.loc[(self.year, self.unit_id)])  # its own row, even for an area
        self.unit_name = self.table.unit_names[self.unit_id]

    @property
    def title(self) -> str:
        return text("title.unit", self.lang, unit=self.unit_name, year=self.year)

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
        values = self.table.indicator_frames.units.xs(self.unit_id, level="unit_id")
        return _by_year(values[values.index <= self.year], self.lang, self.indicators, self._labels())

    @property
    def siblings(self) -> list[str]:
        """The commune-level units the unit is compared with: those reporting to the same association that year."""
        return siblings(self.table, self.year, self.unit_id)

    def place(self) -> pd.DataFrame:
        """The unit's value and rank among its sibling communes on the ranked indicators (empty for an area row).

        The indicator is a column, not the index: tables are shown without their index."""
        if self.unit_id not in self.siblings:
            return pd.DataFrame()
        per_unit = self.table.indicator_frames.units.loc[self.year].reindex(self.siblings)
        ranks = _ranks(per_unit, self.lang, [self.unit_id]).loc[self.unit_id]
        return pd.DataFrame({text("col.indicator", self.lang): list(ranks.index), text("col.rank", self.lang): list(ranks.to_numpy())})

    @cached_property
    def findings(self) -> list[Finding]:
        """The findings about this unit, judged among the units it is compared with (its sibling communes)."""
        compared = self.siblings or [self.unit_id]
        return [f for f in detect_findings(self.table, self.year, compared) if f.unit_id == self.unit_id]

    def findings_table(self) -> pd.DataFrame:
        """One row per finding about the unit, as sentences."""
        return pd.DataFrame({text("col.finding", self.lang): [finding_message(f, self.lang) for f in self.findings]})

    def narrative(self, escape=str) -> list[str]:
        """The profile's written paragraph: members, training and fund, with the unit's place among its siblings."""
        ranks = {}
        if self.unit_id in self.siblings:
            per_unit = self.table.indicator_frames.units.loc[self.year].reindex(self.siblings)
            for key in charts.PLACE_INDICATORS:
                column = per_unit[key].dropna()
                if self.unit_id in column.index and len(column) > 1:
                    ranks[key] = (int(REGISTRY[key].rank(column)[self.unit_id]), len(column))
        previous = self.year - 1 if self.table.tree.exists(self.unit_id, self.year - 1) else None
        parent = self.table.tree.parent(self.unit_id, self.year)
        parent_name = None if parent is None else self.table.unit_names.get(parent, parent)
        values = dict(self.values)
        if self.table.level_of(self.unit_id, self.year) != "commune":  # an association's own row holds its fund, not members or classes
            values.update(members=None, training_classes=None)
        return write_unit_profile(values, previous, self.year, self.unit_name, self.lang, parent_name, ranks, escape)

    @property
    def years(self) -> list[int]:
        """The years up to ``year`` in which the unit reported."""
        years = self.table.indicator_frames.units.xs(self.unit_id, level="unit_id").index
        return [int(y) for y in years if y <= self.year]

    @cached_property
    def figures(self) -> dict[str, Figure]:
        """"trend" (only from two years of figures: one year is no trend) and "place" among the units."""
        figures = {"trend": charts.unit_trend(self.table, self.unit_id, self.year, self.lang)} if len(self.years) > 1 else {}
        return figures | {"place": charts.unit_place(self.table, self.year, self.unit_id, self.lang, self.siblings or None)}


def siblings(table: YearlyTable, year: int, unit_id: str) -> list[str]:
    """The commune-level units reporting to the same association as ``unit_id`` in ``year`` (itself included);
    empty when ``unit_id`` is not a commune that year."""
    if table.level_of(unit_id, year) != "commune":
        return []
    parent = table.tree.parent(unit_id, year)
    peers = table.tree.children(parent, year) if parent is not None else table.tree.roots(year)
    return [peer for peer in peers if table.level_of(peer, year) == "commune"]


def _change(change: float | None, indicator, lang: str) -> str:
    """A change between two years: percentages change by percentage points, not by percent."""
    if indicator.measure == "percent":
        return format_value(change, "percentage_point", indicator.precision, lang, signed=True)
    return format_value(change, indicator.measure, indicator.precision, lang, signed=True, with_unit=False)


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
        values = self.table.indicator_frames.whole
        shown = values[(values.index >= self.start_year) & (values.index <= self.end_year)]
        return _by_year(shown, self.lang, tuple(reported_in(shown)))

    @cached_property
    def figures(self) -> dict[str, Figure]:
        return {"indicators": charts.indicator_trends(self.table, self.start_year, self.end_year, self.lang)}
