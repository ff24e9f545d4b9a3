"""The written yearly summary ("tổng kết") from indicators and findings, one template per language."""

from __future__ import annotations

import decimal
import html
import re
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import jinja2

from khuyenhoc.findings import Finding
from khuyenhoc.formatting import format_number, format_percent, format_vnd
from khuyenhoc.i18n import DEFAULT_LANG, check_lang, text

TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "i18n"),
    autoescape=False,  # the output is plain text; callers escape data-derived strings for their medium
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=jinja2.StrictUndefined,
)
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]#|~$])")  # '$': Jupyter and GitHub render $...$ as math


def markdown_escape(value: str) -> str:
    """Make data-derived text inert in Markdown: HTML entities for <>&, backslashes for Markdown syntax."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(value, quote=False))


def _one_line(name: str) -> str:
    """A name on one line: a line break inside a name would split a paragraph or start Markdown blocks."""
    return " ".join(name.split())


def is_rounded(value: float, precision: int) -> bool:
    """True when showing ``value`` with ``precision`` decimals changes it (so it reads 'about')."""
    exact = Decimal(repr(float(value)))
    with decimal.localcontext() as context:  # enough digits for any magnitude (as formatting does)
        context.prec = max(context.prec, exact.adjusted() + precision + 3)
        return exact.quantize(Decimal(1).scaleb(-precision), rounding=ROUND_HALF_UP) != exact


def _direction(change: float | None) -> str | None:
    if change is None:
        return None
    return "up" if change > 0 else "down" if change < 0 else "same"


def narrative_context(values: dict, previous_year: int | None, findings: list[Finding], year: int, lang: str,
                      illustrative: bool, escape: Callable[[str], str]) -> dict:
    """Everything the templates need, formatted for ``lang``; absent figures are None."""

    def number(key: str, precision: int = 0) -> str | None:
        value = values.get(key)
        return None if value is None else format_number(abs(value), precision, lang)

    def approx(key: str, precision: int, as_percent: bool = False) -> dict | None:
        value = values.get(key)
        if value is None:
            return None
        shown = format_percent if as_percent else format_number
        return {"text": shown(abs(value), precision, lang), "about": is_rounded(abs(value), precision)}

    def percent(key: str, precision: int) -> dict | None:
        return approx(key, precision, as_percent=True)

    def money(key: str) -> str | None:
        value = values.get(key)
        return None if value is None else format_vnd(abs(value), lang)

    def units(kind: str) -> list[str]:
        return [escape(_one_line(f.unit_name or f.unit_id or "")) for f in findings if f.kind == kind]

    has_previous = previous_year is not None
    return {
        "raw": dict(values),  # unformatted values, for grammar that depends on a count (English plurals)
        "year": year,
        "previous_year": previous_year,
        "notes": [text("illustrative", lang)] if illustrative else [],
        "members": number("members"),
        "members_direction": _direction(values.get("members_change")) if has_previous else None,
        "members_change": number("members_change"),
        "members_growth": percent("members_growth_pct", 1),
        "members_share": percent("members_per_population_pct", 0),
        "population": number("population"),
        "baccalaureate": number("baccalaureate_families"),
        "bachelor": number("bachelor_families"),
        "clans_registered": values.get("clans_registered") or 0,
        "clans_registered_text": number("clans_registered"),
        "clans_recognised_text": number("clans_recognised"),
        "clans_share": percent("clans_recognition_pct", 0),
        "classes": number("training_classes"),
        "classes_value": values.get("training_classes"),
        "participants": number("training_participants"),
        "per_class": approx("participants_per_class", 1),
        "no_training": units("no_training"),
        "fund": money("fund_total_vnd"),
        "fund_direction": _direction(values.get("fund_change_vnd")) if has_previous else None,
        "fund_change": money("fund_change_vnd"),
        "fund_growth": percent("fund_growth_pct", 1),
        "fund_commune": money("fund_commune_vnd"),
        "fund_district": money("fund_district_vnd") if values.get("fund_district_vnd") else None,
        "fund_per_member": money("fund_per_member_vnd"),
        "fund_per_member_about": values.get("fund_per_member_vnd") is not None and is_rounded(values["fund_per_member_vnd"], 0),
        "members_fell": units("members_fell"),
        "fund_fell": units("fund_fell"),
        "low_fund": units("low_fund_per_member"),
        "implausible": units("implausible_change"),
    }


def write_narrative(values: dict, previous_year: int | None, findings: list[Finding], year: int, lang: str = DEFAULT_LANG,
                    illustrative: bool = False, escape: Callable[[str], str] = str, notes: list[str] | None = None) -> list[str]:
    """The summary as paragraphs of plain text (data-derived names passed through ``escape``).

    ``notes`` lead the summary (what kind of data this is); by default the
    illustrative note when ``illustrative`` is true.
    """
    context = narrative_context(values, previous_year, findings, year, check_lang(lang), illustrative, escape)
    if notes is not None:
        context["notes"] = list(notes)
    rendered = TEMPLATES.get_template(f"summary.{lang}.j2").render(**context)
    paragraphs = [" ".join(line.strip() for line in block.splitlines() if line.strip()) for block in rendered.split("\n\n")]
    return [p for p in paragraphs if p]
