"""Numbers as Vietnamese official reports write them (9.123; 5,6%; 343.380.000 đồng), via Babel."""

from __future__ import annotations

import decimal
import math
import numbers
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from babel import Locale
from babel.numbers import NumberPattern, format_decimal, parse_pattern

from khuyenhoc.i18n import DEFAULT_LANG, LOCALES, measure_name, text



def _missing(value: object) -> bool:
    """None, NaN, infinity and pandas' NA/NaT are shown as missing."""
    if value is None or not isinstance(value, numbers.Number):
        return value is None or type(value).__name__ in {"NAType", "NaTType"}
    try:
        return not math.isfinite(value)
    except (TypeError, ValueError):  # complex numbers, signalling NaN
        return True


def _decimal(value: float | int | Decimal) -> Decimal:
    """The exact decimal a value is written as (``0.25`` → ``Decimal('0.25')``, not its binary expansion).

    Accepts numpy scalars too: their ``repr`` is ``np.float64(...)`` in numpy 2, so go through ``str(float)``.
    """
    if isinstance(value, Decimal):
        return value
    if isinstance(value, numbers.Integral):
        return Decimal(int(value))
    return Decimal(str(float(value)))


def _round_half_up(number: Decimal, precision: int) -> Decimal:
    """Round half away from zero to ``precision`` decimals, never giving a negative zero."""
    with decimal.localcontext() as context:
        context.rounding = ROUND_HALF_UP
        context.prec = max(context.prec, number.adjusted() + precision + 3)
        rounded = number.quantize(Decimal(1).scaleb(-precision))
    return rounded.copy_abs() if rounded == 0 else rounded


def number(value: object) -> float | None:
    """A value as a plain float; None where it is missing (None, NaN, pandas' NA)."""
    return None if _missing(value) else float(value)


def is_rounded(value: float, precision: int) -> bool:
    """True when showing ``value`` with ``precision`` decimals (half up) changes it (so a sentence says 'about')."""
    exact = _decimal(value)
    return _round_half_up(exact, precision) != exact


def round_to_step(value: float, step: int) -> float:
    """``value`` rounded half up to a multiple of ``step`` (37.639 to 100 → 37.600)."""
    return float(_round_half_up(_decimal(value) / step, 0) * step)


AMOUNT_STEP_FROM = 10_000  # amounts from here are said to the hundred đồng; below it to the đồng


def amount_in_words(value: float) -> float:
    """An amount as a sentence says it, the one rule behind "khoảng": to hundreds of đồng from 10.000 up
    (37.639 → 37.600), to the whole đồng below (8.318,9 → 8.319, never 8.320: a small amount keeps its figures)."""
    return round_to_step(value, 100 if abs(value) >= AMOUNT_STEP_FROM else 1)


def _pattern(precision: int, signed: bool) -> str:
    body = "#,##0" + ("." + "0" * precision if precision > 0 else "")
    return f"+{body};-{body}" if signed else body


@cache
def _number_pattern(precision: int, signed: bool) -> NumberPattern:
    """:func:`_pattern` parsed once (Babel would parse it again for every number)."""
    return parse_pattern(_pattern(precision, signed))


@cache
def _locale(lang: str) -> Locale:
    """The Babel locale of ``lang``, parsed once."""
    return Locale.parse(LOCALES[lang])


def format_number(value: float | int | None, precision: int = 0, lang: str = DEFAULT_LANG, signed: bool = False) -> str:
    """``9123`` → ``9.123`` (vi) or ``9,123`` (en); rounds half up; missing → ``—``."""
    if _missing(value):
        return text("missing", lang)
    rounded = _round_half_up(_decimal(value), precision)
    signed = signed and rounded != 0
    with decimal.localcontext() as context:  # Babel quantizes again: keep it exact and half up
        context.rounding = ROUND_HALF_UP
        context.prec = max(context.prec, rounded.adjusted() + precision + 3)
        return format_decimal(rounded, format=_number_pattern(precision, signed), locale=_locale(lang), decimal_quantization=True)


def format_percent(value: float | None, precision: int = 1, lang: str = DEFAULT_LANG, signed: bool = False) -> str:
    """A value already in percent: ``5.6`` → ``5,6%``."""
    if _missing(value):
        return text("missing", lang)
    return format_number(value, precision, lang, signed) + "%"


def format_vnd(value: float | int | None, lang: str = DEFAULT_LANG, signed: bool = False) -> str:
    """``343380000`` → ``343.380.000 đồng`` (vi) or ``343,380,000 VND`` (en)."""
    if _missing(value):
        return text("missing", lang)
    return f"{format_number(value, 0, lang, signed)} {measure_name('vnd', lang)}"


def format_value(value: float | int | None, unit: str, precision: int, lang: str = DEFAULT_LANG, signed: bool = False, with_unit: bool = True) -> str:
    """Format a value of a measurement unit (``percent``, ``vnd``, ``person``, ...)."""
    if _missing(value):
        return text("missing", lang)
    if unit == "percent":
        return format_percent(value, precision, lang, signed)
    shown = format_number(value, precision, lang, signed)
    if not with_unit:
        return shown
    return f"{shown} {measure_name(unit, lang, count=_round_half_up(_decimal(value), precision))}"


def format_indicator(indicator_id: str, value: float | int | None, lang: str = DEFAULT_LANG, with_unit: bool = True) -> str:
    """Format an indicator's value from its declared unit and precision."""
    from khuyenhoc.indicators import REGISTRY

    indicator = REGISTRY[indicator_id]
    return format_value(value, indicator.measure, indicator.precision, lang, indicator.signed, with_unit)


# Amounts of đồng as Vietnamese reports write them: whole đồng below a million, then millions (triệu), then
# billions (tỷ), with three significant digits (at most two decimals, trailing zeros dropped).
AMOUNT_SCALES = ((1_000_000_000, "billion_vnd"), (1_000_000, "million_vnd"), (1, "vnd"))
AMOUNT_DIGITS = 3


def amount_scale(value: float) -> tuple[int, str]:
    """(divisor, measure) an amount of đồng is written in: ``1_748_010_000`` → ``(1e9, "billion_vnd")``."""
    size = abs(value)
    return next(((divisor, measure) for divisor, measure in AMOUNT_SCALES if size >= divisor), AMOUNT_SCALES[-1])


def amount_parts(value: float) -> tuple[Decimal, int, str]:
    """(the amount in its scale, rounded; its decimals; the measure): ``1_748_010_000`` → ``(1.75, 2, "billion_vnd")``."""
    divisor, measure = amount_scale(value)
    scaled = _decimal(value) / divisor
    whole_digits = len(str(int(abs(scaled)))) if abs(scaled) >= 1 else 1
    precision = 0 if divisor == 1 else min(2, max(0, AMOUNT_DIGITS - whole_digits))
    rounded = _round_half_up(scaled, precision)
    if divisor > 1 and abs(rounded) >= 1000 and measure != AMOUNT_SCALES[0][1]:  # 999,9996 triệu rounds up to 1 tỷ
        return amount_parts(float(rounded) * divisor)
    while precision and rounded == rounded.quantize(Decimal(1).scaleb(-(precision - 1))):  # 1,70 → 1,7
        precision -= 1
    return _round_half_up(rounded, precision), precision, measure


def format_amount(value: float | int | None, lang: str = DEFAULT_LANG, signed: bool = False) -> str:
    """An amount of đồng shortened as reports write it: ``1_748_010_000`` → ``1,75 tỷ đồng``, ``343_380_000`` →
    ``343 triệu đồng``, ``35_235_000`` → ``35,2 triệu đồng``, ``950_000`` → ``950.000 đồng`` (``format_vnd`` for
    the exact figure)."""
    if _missing(value):
        return text("missing", lang)
    shown, precision, measure = amount_parts(value)
    return f"{format_number(shown, precision, lang, signed)} {measure_name(measure, lang)}"


def amount_is_rounded(value: float) -> bool:
    """True when :func:`format_amount` shows ``value`` other than it is (a sentence then says "khoảng")."""
    shown, _, measure = amount_parts(value)
    divisor = dict((m, d) for d, m in AMOUNT_SCALES)[measure]
    return shown * divisor != _decimal(value)
