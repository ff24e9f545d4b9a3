"""A yearly summary's plain-text files: summary.json (the indicators, findings and provenance) and summary.md."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from khuyenhoc import __version__
from khuyenhoc.indicators import REGISTRY, SCOPE_ALL, as_values, to_json
from khuyenhoc.reports.annual import AnnualSummary
from khuyenhoc.reports.formatted import check_message, finding_message
from khuyenhoc.reports.text import markdown_escape


def summary_json(summary: AnnualSummary) -> dict:
    """The indicator JSON of ``khuyenhoc indicators`` plus findings, data checks and provenance."""
    table = summary.table
    document = to_json(summary.year, SCOPE_ALL if summary.area_id is None else summary.area_id, summary.values)
    document["name"] = summary.name
    document["units"] = list(summary.units)
    document["compared"] = compared(summary)
    document["findings"] = [f.to_dict() | {"message": finding_message(f, summary.lang)} for f in summary.findings]
    # a report comparing areas: its communes' findings (the written summary counts them by area)
    document["commune_findings"] = [f.to_dict() | {"message": finding_message(f, summary.lang), "area_id": summary.commune_areas.get(f.unit_id or "")}
                                    for f in summary.commune_findings]
    # figures to check before use: the secretary's list, not findings (never in the written summary)
    document["checks"] = [c.to_dict() | {"message": check_message(c, summary.lang)} for c in summary.checks]
    document["illustrative"] = table.illustrative
    document["synthetic"] = table.synthetic
    document["provenance"] = {
        "data_checksum": table.checksum,
        "data_source": Path(table.source).name,
        "package_version": __version__,
        "parameters": summary.parameters or {"year": summary.year, "lang": summary.lang, "area_id": summary.area_id},
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "illustrative": table.illustrative,
        "synthetic": table.synthetic,
    }
    if table.lineage is not None:  # the previous year restated on this year's boundaries (issue 17)
        document["provenance"]["comparison_basis"] = {
            "restated_on_boundaries_of": summary.year, "lineage_checksum": table.lineage.links_checksum(),
            "lineage_file_checksum": table.lineage.checksum, "lineage_source": Path(table.lineage.source).name,
            **({} if summary.reform is None else summary.reform.to_dict())}
    elif summary.reform is not None:  # no lineage table, but a whole level ended: the units in both years compared
        document["provenance"]["comparison_basis"] = summary.reform.to_dict()
    if summary.targets:
        document["targets"] = [t.to_dict() for t in summary.targets]
    return document


# the figures of each compared unit the index's dashboard shows (runner/figures.py reads them)
COMPARED_FIGURES = ("members", "members_change", "members_growth_pct", "members_per_population_pct", "fund_per_member_vnd",
                    "learning_families_pct", "training_classes", "units_without_training")


# the report's findings the index's dashboard flags (a fall the report calls material), and "check": a data check
ATTENTION_KINDS = ("members_fell", "fund_fell")


def compared(summary: AnnualSummary) -> list[dict]:
    """The units the report compares (the area's direct children, :meth:`Hierarchy.compared_units`), each with its
    name, level, the dashboard's figures (plain values, None where undefined or not reported) and what the report
    found about it (``attention``: the kinds of :data:`ATTENTION_KINDS` among its findings, and ``check`` when one of
    its figures is a data check), so the dashboard flags what the report says and nothing else."""
    frame = summary.frames.scopes(summary.year, list(summary.units))
    table = summary.table
    found: dict[str, list[str]] = {}
    for finding in summary.findings:
        if finding.kind in ATTENTION_KINDS and finding.unit_id is not None:
            found.setdefault(finding.unit_id, []).append(finding.kind)
    for check in summary.checks:
        found.setdefault(check.unit_id, []).append("check")
    rows = []
    for unit, row in frame.iterrows():
        values = as_values(row)
        rows.append({"unit_id": str(unit), "name": table.unit_names.get(unit, unit), "level": table.level_of(unit, summary.year),
                     "figures": {key: values.get(key) for key in COMPARED_FIGURES if key in REGISTRY},
                     "attention": list(dict.fromkeys(found.get(str(unit), [])))})
    return rows


def summary_markdown(summary: AnnualSummary) -> str:
    """The written summary as Markdown (data-derived text escaped)."""
    return f"# {summary.title}\n\n" + "\n\n".join([*summary.narrative(markdown_escape), *summary.target_sentences()]) + "\n"
