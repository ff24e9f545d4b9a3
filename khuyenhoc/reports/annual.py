"""The yearly summary of an area or the whole file, as a model: its values, tables, findings and written text
(no file written: :func:`khuyenhoc.render.save` does that)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

from khuyenhoc.errors import KhuyenhocError
from khuyenhoc.findings import below_target, commune_findings, communes_under, detect_checks, detect_findings
from khuyenhoc.formatting import format_indicator, format_value, number
from khuyenhoc.i18n import DEFAULT_LANG, check_lang, indicator_label, text
from khuyenhoc.indicators import INDICATORS, REGISTRY, SCOPE_ALL, Analysis, compute
from khuyenhoc.names import in_sentence
from khuyenhoc.reports.formatted import change_text, checks_table, findings_groups, findings_table, ranks
from khuyenhoc.reports.reform import Reform, comparable_previous, formed_from, reform_of
from khuyenhoc.reports.target_text import format_target, projected_text, target_paragraphs
from khuyenhoc.reports.text import Area, Communes, write_sections
from khuyenhoc.targets import report_progress

MAIN_INDICATORS = (
    "members", "members_per_population_pct", "baccalaureate_families", "bachelor_families", "clans_registered",
    "clans_recognised", "training_classes", "training_participants", "participants_per_class", "units_without_training",
    "fund_total_vnd", "fund_commune_vnd", "fund_district_vnd", "fund_province_vnd", "fund_per_member_vnd",
)

# the funds of the levels above the units: a line only when that level holds something (no "…: 0 đồng")
ABSENT_WHEN_EMPTY = ("fund_district_vnd", "fund_province_vnd")


def _shown(key: str, *values: float | None) -> bool:
    return key not in ABSENT_WHEN_EMPTY or any(values)


def _plain_rows(frame: pd.DataFrame) -> dict[str, dict[str, float | None]]:
    """An indicator frame's rows by unit, each value a plain float (None where undefined)."""
    return {unit: {key: number(value) for key, value in row.items()} for unit, row in frame.to_dict("index").items()}


@dataclass
class AnnualSummary:
    """Everything the yearly summary shows for ``year`` over an area (``area_id``) or the whole file (None)."""

    analysis: Analysis
    year: int
    lang: str = DEFAULT_LANG
    parameters: dict = field(default_factory=dict)
    area_id: str | None = None
    targets_path: str | Path | None = None  # a targets file (own plans) over the national targets of Quyết định 387/QĐ-TTg

    def __post_init__(self) -> None:
        check_lang(self.lang)
        self.table, self.frames, tree = self.analysis.table, self.analysis.frames, self.analysis.hierarchy
        if self.area_id is not None and not tree.has_children(self.area_id, self.year):
            raise KhuyenhocError(text("error.no_area", self.lang, area=self.area_id, year=self.year))
        self.scope = tree.report_scope(self.year, self.area_id) or SCOPE_ALL
        self.values = compute(self.table, self.year, self.scope, lang=self.lang)
        self.previous_year = self.year - 1 if self.year - 1 in self.table.years else None
        self.units = tree.compared_units(self.year, self.area_id)
        # compared areas reorganised this year are judged against what their own reports compare with
        previous = comparable_previous(self.table, self.year, self.units) if self.previous_year is not None else {}
        self.findings = detect_findings(self.table, self.year, self.units, previous)
        # figures to check before use (implausible jumps): the secretary's list, never a finding of the report
        self.checks = detect_checks(self.table, self.year, self.units, previous)
        # where the report compares areas (districts), their communes' problems, counted by area
        self.commune_areas = communes_under(self.table, self.year, self.units)
        self.commune_findings = commune_findings(self.table, self.year, self.units)
        # the learning-society titles against their targets (empty when the data does not report them)
        self.targets, self.unit_targets = report_progress(self.table, self.year, self.scope, self.units, self.targets_path, self.lang)
        self.findings += below_target(self.unit_targets, self.table.unit_names)

    @property
    def name(self) -> str | None:
        """The area's name (None for a whole file with several roots)."""
        return None if self.scope == SCOPE_ALL else self.table.unit_names.get(self.scope, self.scope)

    @property
    def notes(self) -> list[str]:
        """What every view of the report must say about its data (illustrative, synthetic)."""
        return self.analysis.notes(self.lang)

    def unit_values(self) -> pd.DataFrame:
        """The compared units' values this year with their names, sorted by name (the bar charts' rows)."""
        return self.analysis.named_scopes(self.year, self.units)

    def trend_values(self) -> pd.DataFrame:
        """The scope's values of every year up to this one (the area compared with itself); a merged area's earlier
        years restated on its current boundaries (its predecessors' whole areas)."""
        if self.scope != SCOPE_ALL and formed_from(self.table, self.scope, self.year) is not None:
            from khuyenhoc.restate import restated_history

            return restated_history(self.table, self.scope, self.year).drop(columns="restated")
        return self.analysis.scope_series(self.scope, self.year)

    @property
    def title(self) -> str:
        if self.name is None:
            return text("title.annual", self.lang, year=self.year)
        return text("title.annual_area", self.lang, year=self.year, area=in_sentence(self.name, self.lang))

    def previous_values(self) -> dict | None:
        """The scope's values the year before (None when it had no row then); across a reform (with a lineage table)
        restated on this year's boundaries, as every change compares."""
        found = self._previous_values
        return None if found is None else dict(found)

    @cached_property
    def _previous_values(self) -> dict | None:
        """:meth:`previous_values`, computed once (every table of the report compares with it)."""
        if self.previous_year is not None and self.reform is not None:  # on this year's boundaries: a merged area too
            from khuyenhoc.restate import restated_history

            history = restated_history(self.table, self.scope, self.year)
            if self.previous_year in history.index:
                return {key: number(value) for key, value in history.loc[self.previous_year].items() if key != "restated"}
        if self.previous_year is None or (self.scope != SCOPE_ALL and not self.table.tree.exists(self.scope, self.previous_year)):
            return None
        return compute(self.table, self.previous_year, self.scope, lang=self.lang)

    @cached_property
    def unit_rows(self) -> dict[str, dict[str, float | None]]:
        """Each compared unit's values this year (an area's over its subtree) as plain numbers, None where undefined,
        in the data's order; a unit without a row this year is left out. Read by every table of the report."""
        return _plain_rows(self.frames.scopes(self.year, self.units))

    @cached_property
    def previous_unit_rows(self) -> dict[str, dict[str, float | None]] | None:
        """The same units' values the year before, as :attr:`unit_rows` (a unit without a row then is left out);
        None without a previous year."""
        if self.previous_year is None:
            return None
        return _plain_rows(self.frames.scopes(self.previous_year, list(self.unit_rows)))

    def key_indicators(self) -> pd.DataFrame:
        """Label and formatted value of every indicator (optional ones only when the data reports them)."""
        shown = [i for i in INDICATORS if (not i.optional or self.values[i.id] is not None) and _shown(i.id, self.values[i.id])]
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

    def comparison(self) -> pd.DataFrame | None:
        """The main indicators this year and the previous one, with the change; None without a previous year."""
        before = self.previous_values()
        if before is None:
            return None
        rows = []
        for key in MAIN_INDICATORS:
            now, then = self.values[key], before[key]
            if not _shown(key, now, then):
                continue
            change = None if now is None or then is None else now - then
            indicator = REGISTRY[key]
            rows.append({
                text("col.indicator", self.lang): indicator.label(self.lang),
                text("col.previous", self.lang, year=self.previous_year): format_indicator(key, then, self.lang),
                text("col.current", self.lang, year=self.year): format_indicator(key, now, self.lang),
                text("col.change", self.lang): change_text(change, indicator, self.lang),
            })
        return pd.DataFrame(rows)

    def ranking(self) -> pd.DataFrame:
        """The units this report compares (the area's direct children), by members, with each main indicator's
        value and rank; a child that is an area is taken with its whole subtree."""
        values = self.frames.scopes(self.year, self.units).sort_values("members", ascending=False, kind="stable")
        shown = ranks(values, self.lang)
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
        return findings_table(self.findings, self.lang)

    def findings_groups(self) -> list[tuple[str, pd.DataFrame]]:
        """The findings by kind, each (heading with its count, one row per finding); the communes' findings of a
        report comparing areas after them."""
        return findings_groups(self.findings, self.lang) + findings_groups(self.commune_findings, self.lang, communes=True)

    def checks_table(self) -> pd.DataFrame:
        """The figures to check before use (implausible jumps), one row each."""
        return checks_table(self.checks, self.lang)

    def communes(self) -> Communes | None:
        """The communes' findings, counted by compared area, when the report compares areas; None otherwise."""
        if not self.commune_areas:
            return None
        names = self.table.unit_names
        return Communes(len(self.commune_areas), tuple(self.commune_findings),
                        {commune: names.get(area, area) for commune, area in self.commune_areas.items()})

    def area(self) -> Area:
        """How the written summary names this report's area and the units it compares."""
        levels = [self.table.level_of(unit, self.year) for unit in self.units]
        names = self.table.unit_names
        return Area(self.name, None if self.scope == SCOPE_ALL else self.table.level_of(self.scope, self.year),
                    tuple(names.get(unit, unit) for unit in self.units), max(set(levels), key=levels.count) if levels else None)

    @cached_property
    def reform(self) -> Reform | None:
        """The reorganisation since the previous year over this report's scope (None without one; without a lineage
        table, only when a whole level ended this year)."""
        return reform_of(self.table, self.year, self.scope)

    def mergers_table(self) -> pd.DataFrame | None:
        """Which units merged into which this year (None without a merger)."""
        return None if self.reform is None else self.reform.mergers_table(self.table.unit_names, self.lang)

    def sections(self, escape=str, with_notes: bool = True) -> dict[str, list[str]]:
        """The written summary by section (``narrative.SECTIONS``), each a list of paragraphs. With a lineage, the
        stated changes compare the current units on their current boundaries, and the split says what ended held."""
        reform = self.reform
        values = self.values if reform is None else reform.like_for_like(self.values)
        basis = "" if reform is None else " " + text("reform.basis_implicit" if reform.implicit else "reform.basis", self.lang, year=self.year)
        sections = write_sections(values, self.previous_year, self.findings, self.year, self.lang, self.table.illustrative, escape,
                                  notes=self.table.notes(self.lang) if with_notes else [], area=self.area(), basis=basis,
                                  communes=self.communes())
        if reform is not None:
            merged = reform.merger_paragraph(self.table.unit_names, self.lang, escape)
            sections["members"][:0] = [merged] if merged else []  # the association's organisation comes first
            for section, paragraphs in reform.split_paragraphs(self.values, self.lang).items():
                sections[section] += paragraphs
        return sections

    def narrative(self, escape=str, with_notes: bool = True) -> list[str]:
        """The written summary, paragraph by paragraph; ``with_notes`` leads with what kind of data this is."""
        return [paragraph for part in self.sections(escape, with_notes).values() for paragraph in part]
