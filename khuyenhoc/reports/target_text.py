"""Sentences on the learning-society titles against their targets, from ``khuyenhoc/i18n/targets.<lang>.j2``."""

from __future__ import annotations

from khuyenhoc.formatting import format_percent, format_value
from khuyenhoc.i18n import DEFAULT_LANG, check_lang, indicator_label, text
from khuyenhoc.reports.text import TEMPLATES
from khuyenhoc.targets import TargetProgress


def _pp(value: float, lang: str) -> str:
    return format_value(abs(value), "percentage_point", 1, lang)


def format_target(value: float, lang: str) -> str:
    """A target as decisions write it: 70% (no decimals unless it has some)."""
    return format_percent(value, 0 if float(value).is_integer() else 1, lang)


def _direction(gap: float | None) -> str | None:
    if gap is None:
        return None
    shown = round(gap, 1)  # what the sentence shows decides the words: a gap of 0,04 reads "equal"
    return "below" if shown < 0 else "above" if shown > 0 else "equal"


def title_context(record: TargetProgress, lang: str) -> dict:
    """One title's figures, formatted for ``lang``."""
    has_target = record.target is not None
    return {
        "label": indicator_label(record.indicator, lang),
        "value": format_percent(record.value, 1, lang),
        "change": None if record.change_pp is None or round(record.change_pp, 1) == 0 else _pp(record.change_pp, lang),
        "change_up": record.change_pp is not None and record.change_pp > 0,
        "target": format_target(record.target, lang) if has_target else None,
        "target_year": record.target_year,
        "gap": _pp(record.gap_pp, lang) if has_target else None,
        "direction": _direction(record.gap_pp) if has_target else None,
        "units_at": record.units_at_target,
        "units_reported": record.units_reported,
        "pace": None if record.pace_pp is None else _pp(record.pace_pp, lang),
        "projected_year": record.projected_year,
        "on_track": record.on_track,
        "never": record.pace_pp is not None and record.projected_year is None,
    }


def target_paragraphs(records: list[TargetProgress], lang: str = DEFAULT_LANG) -> list[str]:
    """The paragraph on the titles (none when no title is reported)."""
    rendered = TEMPLATES.get_template(f"targets.{check_lang(lang)}.j2").render(titles=[title_context(r, lang) for r in records])
    paragraphs = [" ".join(line.strip() for line in block.splitlines() if line.strip()) for block in rendered.split("\n\n")]
    return [p for p in paragraphs if p]


def projected_text(record: TargetProgress, lang: str = DEFAULT_LANG) -> str:
    """The table cell for when the target is reached: "đã đạt", a year, "không đạt nếu giữ nhịp độ hiện nay", or "—"."""
    if record.target is None:
        return text("missing", lang)
    if record.reached:
        return text("targets.reached", lang)
    if record.projected_year is not None:
        return str(record.projected_year)
    return text("targets.never", lang) if record.pace_pp is not None else text("missing", lang)
