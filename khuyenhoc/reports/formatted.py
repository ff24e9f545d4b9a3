"""Values as the report tables show them: ranks, indicators by year, changes, findings as sentences."""

from __future__ import annotations

import pandas as pd

from khuyenhoc.findings import KINDS, DataCheck, Finding, detect_checks, detect_findings
from khuyenhoc.formatting import format_indicator, format_number, format_value
from khuyenhoc.i18n import DEFAULT_LANG, indicator_label, text
from khuyenhoc.indicators import INDICATORS, REGISTRY, Indicator
from khuyenhoc.table import YearlyTable

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


def findings_table(findings: list[Finding], lang: str) -> pd.DataFrame:
    """One row per finding, as sentences."""
    return pd.DataFrame({text("col.finding", lang): [finding_message(f, lang) for f in findings]})


def findings_groups(findings: list[Finding], lang: str, communes: bool = False) -> list[tuple[str, pd.DataFrame]]:
    """The findings by kind (``KINDS``' order), each as (heading with its count, one row per finding): a report
    folds each group, so a province's hundreds of findings are a few lines until opened. ``communes``: the
    communes' findings of a report comparing areas (their heading says so)."""
    key = "findings.group_communes" if communes else "findings.group"
    groups = []
    for kind in KINDS:
        found = [f for f in findings if f.kind == kind]
        if found:
            label = text(f"findings.label.{kind}", lang)
            units = len({f.unit_id for f in found})  # a unit below several targets is one unit
            groups.append((text(key, lang, label=label, count=format_number(units, 0, lang)),
                           findings_table(found, lang)))
    return groups


def check_message(check: DataCheck, lang: str = DEFAULT_LANG) -> str:
    """One data check as a line for the secretary (the name unescaped: escape for the medium)."""
    return text("check.line", lang, unit=check.unit_name, indicator=indicator_label(check.indicator, lang).lower(), year=check.year,
                value=format_indicator(check.indicator, check.value, lang), reference=format_indicator(check.indicator, check.reference, lang),
                change=format_value(check.change_pct, "percent", 0, lang, signed=True))


def checks_table(checks: list[DataCheck], lang: str) -> pd.DataFrame:
    """One row per data check: the unit, the figure, both years' values and the change in percent."""
    return pd.DataFrame({
        text("col.unit_name", lang): [c.unit_name for c in checks],
        text("col.indicator", lang): [indicator_label(c.indicator, lang) for c in checks],
        text("col.previous", lang, year=checks[0].year - 1 if checks else ""): [format_indicator(c.indicator, c.reference, lang) for c in checks],
        text("col.current", lang, year=checks[0].year if checks else ""): [format_indicator(c.indicator, c.value, lang) for c in checks],
        text("col.change", lang): [format_value(c.change_pct, "percent", 0, lang, signed=True) for c in checks],
    })


def findings_frame(table: YearlyTable, year: int, units: list[str] | None = None, lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """What the findings rules (``khuyenhoc.findings``) flag in ``year`` among ``units`` (default: what the whole file's
    report compares), one row each: kind, unit_id, unit_name, indicator, value, reference (the previous year's value
    or the median compared with) and ``message``, the sentence a report prints, saying why."""
    found = detect_findings(table, year, units)
    columns = ["kind", "unit_id", "unit_name", "indicator", "value", "reference", "message"]
    return pd.DataFrame([{**f.to_dict(), "message": finding_message(f, lang)} for f in found], columns=columns)


def checks_frame(table: YearlyTable, year: int, units: list[str] | None = None, lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """The figures of ``units`` (default: what the whole file's report compares) that moved implausibly into ``year``
    (``khuyenhoc.findings.detect_checks``), one row each: year, indicator, unit_id, unit_name, value, reference,
    change_pct and ``message``, the line the checking list prints. Figures to check, not findings."""
    found = detect_checks(table, year, units)
    columns = ["year", "indicator", "unit_id", "unit_name", "value", "reference", "change_pct", "message"]
    return pd.DataFrame([{**c.to_dict(), "message": check_message(c, lang)} for c in found], columns=columns)


def ranks(values: pd.DataFrame, lang: str, rows: list[str] | None = None) -> pd.DataFrame:
    """'value (rank/count)' for each ranked indicator; rank 1 is the best. Ranked among every row of ``values``,
    formatted only for ``rows`` (default: all): a profile shows one unit's line, not its siblings'."""
    index = values.index if rows is None else pd.Index(rows)
    shown = pd.DataFrame(index=index)
    for key in RANKED_INDICATORS:
        column = values[key]
        ranked = REGISTRY[key].rank(column)
        count = int(column.notna().sum())
        shown[indicator_label(key, lang)] = [
            format_indicator(key, v, lang, with_unit=False) + ("" if pd.isna(r) else f" ({text('rank.of', lang, rank=int(r), count=count)})")
            for v, r in zip(column.reindex(index), ranked.reindex(index), strict=True)
        ]
    return shown


def change_text(change: float | None, indicator: Indicator, lang: str) -> str:
    """A change between two years: percentages change by percentage points, not by percent."""
    if indicator.measure == "percent":
        return format_value(change, "percentage_point", indicator.precision, lang, signed=True)
    return format_value(change, indicator.measure, indicator.precision, lang, signed=True, with_unit=False)


def by_year(values: pd.DataFrame, lang: str, indicators: tuple = INDICATORS, labels: dict | None = None) -> pd.DataFrame:
    """Indicators as rows, years as columns, formatted."""
    labels = labels or {}
    shown = pd.DataFrame(
        {str(int(year)): [format_indicator(i.id, row[i.id], lang) for i in indicators] for year, row in values.iterrows()}
    )
    shown.insert(0, text("col.indicator", lang), [labels.get(i.id, i.label(lang)) for i in indicators])
    return shown
