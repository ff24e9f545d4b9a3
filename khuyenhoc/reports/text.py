"""The written yearly summary ("tổng kết") from indicators and findings, one template per language."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import jinja2

from khuyenhoc.findings import Finding
from khuyenhoc.formatting import amount_in_words, format_number, format_percent, format_value, format_vnd, is_rounded
from khuyenhoc.i18n import DEFAULT_LANG, check_lang, text
from khuyenhoc.indicators import REGISTRY
from khuyenhoc.names import administrative_word, in_sentence, kinds_of_units, place_name, proper_name

TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).resolve().parent.parent / "i18n"),
    autoescape=False,  # the output is plain text; callers escape data-derived strings for their medium
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=jinja2.StrictUndefined,
)
# At most this many units are named per kind of finding in the written summary; the others are counted (every one is
# in the findings table and summary.json), so section II does not grow with the number of units.
SHOWN_NAMES = 5
# The sections of the written summary, in the order it is read; the templates open each with a line "@@<section>".
# The optional groups' sections follow the fund; "closing", the overall assessment, ends the results (part I), before
# the limitations and the tasks.
SECTIONS = ("notes", "members", "families", "training", "fund", "organisation", "learning_citizens", "support", "centres",
            "closing", "limitations", "directions")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]#|~$])")  # '$': Jupyter and GitHub render $...$ as math


def markdown_escape(value: str) -> str:
    """Make data-derived text inert in Markdown: HTML entities for <>&, backslashes for Markdown syntax."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(value, quote=False))


def _one_line(name: str) -> str:
    """A name on one line: a line break inside a name would split a paragraph or start Markdown blocks."""
    return " ".join(name.split())


def _direction(change: float | None) -> str | None:
    if change is None:
        return None
    return "up" if change > 0 else "down" if change < 0 else "same"


def report_rounding(value: float) -> float:
    """An amount per member rounded the way reports round it (:func:`khuyenhoc.formatting.amount_in_words`)."""
    return amount_in_words(value)


@dataclass(frozen=True)
class Area:
    """What a report needs to name its area: the area's name as in the data ("Hội Khuyến học thị xã Bắc Kạn", None
    for a whole file of several areas), its level ("district"...), and the names and level of the units it compares."""

    name: str | None = None
    level: str | None = None
    unit_names: tuple[str, ...] = ()
    unit_level: str | None = None

    def context(self, lang: str) -> dict:
        """The pieces the templates compose: place ("thị xã Bắc Kạn"), word ("thị xã"), proper ("Bắc Kạn"), the kinds
        of unit compared (["xã", "phường"]); None or empty where the data does not say."""
        if self.name is None:
            return {"place": None, "word": None, "proper": None, "level": self.level, "kinds": kinds_of_units(list(self.unit_names)),
                    "unit_level": self.unit_level, "own_name": None, "unit_count": len(self.unit_names)}
        return {"place": _one_line(place_name(self.name, lang)), "word": administrative_word(self.name),
                "proper": _one_line(proper_name(self.name)), "level": self.level, "kinds": kinds_of_units(list(self.unit_names)),
                "unit_level": self.unit_level, "unit_count": len(self.unit_names),
                "own_name": _one_line(self.name) if (self.name.split() or [""])[0].lower() == "hội" else None}


@dataclass(frozen=True)
class Communes:
    """The communes below the areas a report compares (a province's report comparing districts): how many there are,
    their findings (``findings.COMMUNE_KINDS``) and the name of the compared area each commune belongs to."""

    total: int
    findings: tuple[Finding, ...]
    area_of: dict[str, str]

    def context(self, lang: str, escape: Callable[[str], str]) -> dict:
        """Per kind: how many communes and the areas with the most of them (name, count), at most ``SHOWN_NAMES``,
        then how many other areas."""
        kinds = {}
        for kind in dict.fromkeys(f.kind for f in self.findings):
            counts: dict[str, int] = {}
            for f in self.findings:
                if f.kind == kind:
                    area = self.area_of.get(f.unit_id or "", "")
                    counts[area] = counts.get(area, 0) + 1
            ranked = sorted(counts.items(), key=lambda item: -item[1])
            kinds[kind] = {"count": sum(counts.values()), "count_text": format_number(sum(counts.values()), 0, lang),
                           "areas": [{"name": escape(_one_line(in_sentence(area, lang))), "count": format_number(count, 0, lang)}
                                     for area, count in ranked[:SHOWN_NAMES]],
                           "more_areas": max(len(ranked) - SHOWN_NAMES, 0)}
        return {"total": self.total, "total_text": format_number(self.total, 0, lang), "kinds": kinds}


def percent_change_text(value: float, precision: int, lang: str) -> str:
    """The size of a change in percent, for a sentence ("5,6%"): a change too small to show at ``precision`` but not
    nil reads "dưới 0,1%" / "less than 0.1%", never "0,0%" beside a change the sentence calls a rise or a fall."""
    step = 10.0 ** -precision
    if 0 < abs(value) < step / 2:  # rounds (half up) to zero
        return text("change.below", lang, size=format_percent(step, precision, lang))
    return format_percent(abs(value), precision, lang)


def narrative_context(values: dict, previous_year: int | None, findings: list[Finding], year: int, lang: str,
                      illustrative: bool, escape: Callable[[str], str], area: Area | None = None,
                      communes: Communes | None = None) -> dict:
    """Everything the templates need, formatted for ``lang``; absent figures are None.

    A figure reads "about" (``{"text", "about"}``) only where it is shown coarser than it is: a share of the
    population or of clans in whole percent, an amount per member in hundreds of đồng. One-decimal rates and
    averages are the reports' ordinary precision and never read "about"."""

    def number(key: str, precision: int = 0) -> str | None:
        value = values.get(key)
        return None if value is None else format_number(abs(value), precision, lang)

    def exact(key: str, precision: int, as_percent: bool = False) -> dict | None:
        value = values.get(key)
        if value is None:
            return None
        return {"text": percent_change_text(value, precision, lang) if as_percent else format_number(abs(value), precision, lang), "about": False}

    def whole_percent(key: str) -> dict | None:
        value = values.get(key)
        return None if value is None else {"text": format_percent(abs(value), 0, lang), "about": is_rounded(abs(value), 0)}

    def money(key: str) -> str | None:
        value = values.get(key)
        return None if value is None else format_vnd(abs(value), lang)

    def per_member(value: float | None) -> dict | None:
        if value is None:
            return None
        rounded = report_rounding(value)
        return {"text": format_vnd(rounded, lang), "about": rounded != float(value)}

    def name(finding: Finding) -> str:
        return escape(_one_line(in_sentence(finding.unit_name or finding.unit_id or "", lang)))

    def units(kind: str) -> list[str]:
        return [name(f) for f in findings if f.kind == kind]

    def detail(kind: str, shown: Callable[[float | None], object]) -> list[dict]:
        return [{"name": name(f), "value": shown(f.value), "reference": shown(f.reference)} for f in findings if f.kind == kind]

    has_previous = previous_year is not None
    registered, recognised = values.get("clans_registered") or 0, values.get("clans_recognised") or 0
    return {
        "raw": dict(values),  # unformatted values, for grammar that depends on a count (English plurals)
        "year": year,
        "next_year": year + 1,
        "previous_year": previous_year,
        "basis": "",  # after "compared with <previous year>": on which boundaries, when restated (reports/reform.py)
        "area": {key: escape(value) if key in ("place", "proper", "own_name") and value else value for key, value in (area or Area()).context(lang).items()},
        "notes": [text("illustrative", lang)] if illustrative else [],
        "members": number("members"),
        "members_direction": _direction(values.get("members_change")) if has_previous else None,
        "members_change": number("members_change"),
        "members_growth": exact("members_growth_pct", 1, as_percent=True),
        "members_share": whole_percent("members_per_population_pct"),
        "population": number("population"),
        "baccalaureate": number("baccalaureate_families"),
        "bachelor": number("bachelor_families"),
        "clans_registered": registered,
        "clans_registered_text": number("clans_registered"),
        "clans_recognised_text": number("clans_recognised"),
        "clans_pending": max(registered - recognised, 0),
        "clans_pending_text": format_number(max(registered - recognised, 0), 0, lang),
        "clans_share": whole_percent("clans_recognition_pct"),
        "classes": number("training_classes"),
        "classes_value": values.get("training_classes"),
        "participants": number("training_participants"),
        "per_class": exact("participants_per_class", 1),
        "no_training": units("no_training"),
        "fund": money("fund_total_vnd"),
        "fund_direction": _direction(values.get("fund_change_vnd")) if has_previous else None,
        "fund_change": money("fund_change_vnd"),
        "fund_growth": exact("fund_growth_pct", 1, as_percent=True),
        "fund_commune": money("fund_commune_vnd"),
        "fund_district": money("fund_district_vnd") if values.get("fund_district_vnd") else None,
        "fund_province": money("fund_province_vnd") if values.get("fund_province_vnd") else None,
        "fund_per_member": per_member(values.get("fund_per_member_vnd")),
        "members_fell": units("members_fell"),
        "members_fell_detail": detail("members_fell", lambda v: None if v is None else format_number(v, 0, lang)),
        "fund_fell": units("fund_fell"),
        "fund_fell_detail": detail("fund_fell", lambda v: None if v is None else format_vnd(v, lang)),
        "low_fund": units("low_fund_per_member"),
        "low_fund_detail": detail("low_fund_per_member", per_member),
        "scholarships_fell": units("scholarships_fell"),
        "scholarships_fell_detail": detail("scholarships_fell", lambda v: None if v is None else format_vnd(v, lang)),
        "shown": SHOWN_NAMES,
        "unit_count_text": format_number(len((area or Area()).unit_names), 0, lang),
        "without_training": values.get("units_without_training"),
        "without_training_text": number("units_without_training"),
        "communes": None if communes is None else communes.context(lang, escape),
    } | group_context(values, lang, has_previous)


def group_context(values: dict, lang: str, has_previous: bool = True) -> dict:
    """The figures of the optional groups (issue 19) and the fund per inhabitant, formatted for ``lang``; a figure the
    data does not report is None (blank is not reported, never 0), a change None without a previous year."""

    def shown(key: str) -> str | None:
        value = values.get(key)
        if value is None:
            return None
        return format_value(abs(value), REGISTRY[key].measure, REGISTRY[key].precision, lang)

    def change(key: str) -> dict | None:
        value = values.get(key) if has_previous else None
        if value is None:
            return None
        return {"direction": _direction(value), "text": shown(key)}

    def rounded_amount(key: str, measure: str) -> dict | None:
        value = values.get(key)
        if value is None:
            return None
        near = report_rounding(value)
        return {"text": format_value(near, measure, 0, lang), "about": near != float(value)}

    support = []
    for count, value, per in (("scholarships", "scholarships_vnd", "value_per_scholarship_vnd"), ("support", "support_vnd", "value_per_support_vnd"),
                              ("awards", "awards_vnd", "value_per_award_vnd")):
        if values.get(count) is None and values.get(value) is None:
            continue
        number = None if values.get(count) is None else format_number(values[count], 0, lang)
        support.append({"kind": count, "count": shown(count), "number": number, "raw": values.get(count), "value": shown(value),
                        "per": rounded_amount(per, "vnd_per_scholarship" if count == "scholarships" else "vnd_per_time"),
                        "value_change": change(f"{count}_change_vnd")})
    return {
        "fund_per_capita": rounded_amount("fund_per_capita_vnd", "vnd_per_person"),
        "branches": shown("branches"), "branches_change": change("branches_change"),
        "boards": shown("boards"), "boards_change": change("boards_change"),
        "adults": shown("adults"), "learning_citizens": shown("learning_citizens"),
        "learning_citizens_pct": None if values.get("learning_citizens_pct") is None else format_percent(values["learning_citizens_pct"], 1, lang),
        "learning_citizens_change": change("learning_citizens_change_pp"),
        "support_items": support,
        "centre_classes": shown("centre_classes"), "centre_classes_change": change("centre_classes_change"),
        "centre_learners": shown("centre_learners"), "learners_per_class": shown("learners_per_centre_class"),
    }


def write_sections(values: dict, previous_year: int | None, findings: list[Finding], year: int, lang: str = DEFAULT_LANG,
                   illustrative: bool = False, escape: Callable[[str], str] = str, notes: list[str] | None = None,
                   area: Area | None = None, basis: str = "", communes: Communes | None = None) -> dict[str, list[str]]:
    """The summary by section (``SECTIONS``), each a list of paragraphs of plain text; sections without a
    sentence are empty. Data-derived names pass through ``escape``; ``basis`` follows "compared with <previous year>"
    when the previous year is restated on the current boundaries; ``communes``: the communes' findings of a report
    comparing areas."""
    context = narrative_context(values, previous_year, findings, year, check_lang(lang), illustrative, escape, area, communes)
    context["basis"] = basis
    if notes is not None:
        context["notes"] = list(notes)
    rendered = TEMPLATES.get_template(f"summary.{lang}.j2").render(**context)
    sections: dict[str, list[str]] = {name: [] for name in SECTIONS}
    current = None
    for block in re.split(r"^@@(\w+)[ \t]*$", rendered, flags=re.MULTILINE)[1:]:
        if current is None:
            current = block
            if current not in sections:
                raise ValueError(f"summary.{lang}.j2: unknown section @@{current}")
            continue
        paragraphs = [" ".join(line.strip() for line in part.splitlines() if line.strip()) for part in block.split("\n\n")]
        sections[current] += [p for p in paragraphs if p]
        current = None
    return sections


def write_narrative(values: dict, previous_year: int | None, findings: list[Finding], year: int, lang: str = DEFAULT_LANG,
                    illustrative: bool = False, escape: Callable[[str], str] = str, notes: list[str] | None = None,
                    area: Area | None = None) -> list[str]:
    """The summary as paragraphs of plain text, every section in order (data-derived names passed through ``escape``).

    ``notes`` lead the summary (what kind of data this is); by default the
    illustrative note when ``illustrative`` is true.
    """
    sections = write_sections(values, previous_year, findings, year, lang, illustrative, escape, notes, area)
    return [paragraph for name in SECTIONS for paragraph in sections[name]]


def write_unit_profile(values: dict, previous_year: int | None, year: int, name: str, lang: str = DEFAULT_LANG,
                       parent: str | None = None, ranks: dict[str, tuple[int, int]] | None = None,
                       escape: Callable[[str], str] = str) -> list[str]:
    """A unit profile's written paragraph (``unit.<lang>.j2``): the unit's members, training and fund, with its place
    among its siblings (``ranks``: indicator → (rank, count)) in the association ``parent`` (a unit name)."""
    context = narrative_context(values, previous_year, [], year, check_lang(lang), False, escape, Area(parent))
    ranks = ranks or {}
    context |= {"name": escape(_one_line(in_sentence(name, lang))), "parent": context["area"],
                "rank_members": ranks.get("members"), "rank_fund": ranks.get("fund_per_member_vnd")}
    rendered = TEMPLATES.get_template(f"unit.{lang}.j2").render(**context)
    paragraph = " ".join(line.strip() for line in rendered.splitlines() if line.strip())
    return [paragraph] if paragraph else []
