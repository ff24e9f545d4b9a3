"""Numbers as Vietnamese official reports write them (9.123; 5,6%; 343.380.000 đồng), via Babel."""

from __future__ import annotations

import decimal
import math
from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_decimal

from khuyenhoc.i18n import DEFAULT_LANG, text, unit_name

LOCALES = {"vi": "vi_VN", "en": "en_US"}
SCALES_VI = ((10**9, "tỷ"), (10**6, "triệu"))
SCALES_EN = ((10**9, "billion"), (10**6, "million"))


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and not math.isfinite(value))


def _pattern(precision: int, signed: bool) -> str:
    body = "#,##0" + ("." + "0" * precision if precision > 0 else "")
    return f"+{body};-{body}" if signed else body


def format_number(value: float | int | None, precision: int = 0, lang: str = DEFAULT_LANG, signed: bool = False) -> str:
    """``9123`` → ``9.123`` (vi) or ``9,123`` (en); rounds half up; missing → ``—``."""
    if _missing(value):
        return text("missing", lang)
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(int(value))
    with decimal.localcontext() as context:
        context.rounding = ROUND_HALF_UP
        rounded = number.quantize(Decimal(1).scaleb(-precision))
        if signed and rounded == 0:
            signed = False
        return format_decimal(rounded, format=_pattern(precision, signed), locale=LOCALES[lang], decimal_quantization=True)


def format_percent(value: float | None, precision: int = 1, lang: str = DEFAULT_LANG, signed: bool = False) -> str:
    """A value already in percent: ``5.6`` → ``5,6%``."""
    if _missing(value):
        return text("missing", lang)
    return format_number(value, precision, lang, signed) + "%"


def format_vnd(value: float | int | None, lang: str = DEFAULT_LANG, signed: bool = False) -> str:
    """``343380000`` → ``343.380.000 đồng`` (vi) or ``343,380,000 VND`` (en)."""
    if _missing(value):
        return text("missing", lang)
    return f"{format_number(value, 0, lang, signed)} {unit_name('vnd', lang)}"


def format_vnd_short(value: float | int | None, lang: str = DEFAULT_LANG) -> str:
    """``343380000`` → ``343,38 triệu đồng``; ``6000000000`` → ``6 tỷ đồng``."""
    if _missing(value):
        return text("missing", lang)
    for size, word in SCALES_VI if lang == "vi" else SCALES_EN:
        if abs(value) >= size:
            with decimal.localcontext() as context:
                context.rounding = ROUND_HALF_UP
                scaled = (Decimal(repr(value)) / size).quantize(Decimal("0.01"))
            shown = format_decimal(scaled, format="#,##0.##", locale=LOCALES[lang])
            return f"{shown} {word} {unit_name('vnd', lang)}" if lang == "vi" else f"{shown} {word} VND"
    return format_vnd(value, lang)


def format_value(value: float | int | None, unit: str, precision: int, lang: str = DEFAULT_LANG, signed: bool = False, with_unit: bool = True) -> str:
    """Format a value of a measurement unit (``percent``, ``vnd``, ``person``, ...)."""
    if _missing(value):
        return text("missing", lang)
    if unit == "percent":
        return format_percent(value, precision, lang, signed)
    shown = format_number(value, precision, lang, signed)
    return f"{shown} {unit_name(unit, lang)}" if with_unit else shown


def format_indicator(indicator_id: str, value: float | int | None, lang: str = DEFAULT_LANG, with_unit: bool = True) -> str:
    """Format an indicator's value from its declared unit and precision."""
    from khuyenhoc.indicators import REGISTRY

    indicator = REGISTRY[indicator_id]
    return format_value(value, indicator.unit, indicator.precision, lang, indicator.signed, with_unit)
