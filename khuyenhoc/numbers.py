"""Read integers the way Vietnamese reports write them: 9.123, 343.380.000đ, 9 123."""

from __future__ import annotations

import math
import re
import unicodedata

import numpy as np
import pandas as pd

INT64_MAX = np.iinfo(np.int64).max

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009\u2007]+")
_CURRENCY = re.compile(r"^(?:vnd|vnđ)|(?:đồng|dong|vnd|vnđ|đ|₫|d)$", re.IGNORECASE)
_PLAIN = re.compile(r"[+-]?\d+")
_DOT_GROUPS = re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+")
_COMMA_GROUPS = re.compile(r"[+-]?\d{1,3}(?:,\d{3}){2,}")
_VI_DECIMAL = re.compile(r"([+-]?\d{1,3}(?:\.\d{3})*|[+-]?\d+),(\d+)")
_EN_DECIMAL = re.compile(r"([+-]?\d{1,3}(?:,\d{3})*|[+-]?\d+)\.(\d+)")
_SCIENTIFIC = re.compile(r"[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+")


class NumberError(ValueError):
    """A cell that is not a whole number; ``rule`` is ``integer`` or ``fractional``."""

    def __init__(self, rule: str, value: object) -> None:
        self.rule = rule
        self.value = value
        super().__init__(f"{value!r}: {rule}")


def is_blank(value: object) -> bool:
    """True for None, NaN and text that is empty once trimmed."""
    if value is None or value is pd.NA:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not _SPACES.sub("", value)


def _checked(number: int, original: object) -> int:
    if abs(number) > INT64_MAX:
        raise NumberError("integer", original)
    return number


def _from_float(value: float, original: object) -> int:
    if math.isinf(value) or math.isnan(value):
        raise NumberError("integer", original)
    if not value.is_integer():
        raise NumberError("fractional", original)
    return _checked(int(value), original) + 0  # -0.0 becomes 0


def _from_text(raw: str) -> int | None:
    text = _SPACES.sub("", unicodedata.normalize("NFC", raw))
    text = _CURRENCY.sub("", text).rstrip(".")
    if not text:
        raise NumberError("integer", raw)
    if _PLAIN.fullmatch(text):
        return _checked(int(text), raw)
    if _DOT_GROUPS.fullmatch(text):
        return _checked(int(text.replace(".", "")), raw)
    if _COMMA_GROUPS.fullmatch(text):
        return _checked(int(text.replace(",", "")), raw)
    for pattern, group_sep in ((_VI_DECIMAL, "."), (_EN_DECIMAL, ",")):
        match = pattern.fullmatch(text)
        if match:
            whole, fraction = match.groups()
            if set(fraction) != {"0"}:
                raise NumberError("fractional", raw)
            return _checked(int(whole.replace(group_sep, "")), raw)
    if _SCIENTIFIC.fullmatch(text):
        return _from_float(float(text.replace(",", ".")), raw)
    raise NumberError("integer", raw)


def parse_integer(value: object) -> int | None:
    """Parse one cell into an int, or None when blank.

    Accepts Python/NumPy numbers (an integral float is an integer) and text in
    Vietnamese or plain form: ``9.123``, ``9 123``, ``343.380.000đ``,
    ``343.380.000 đồng``, ``343380000 VND``. Raises :class:`NumberError` with
    rule ``fractional`` for ``12,5`` and ``integer`` for anything else.
    """
    if is_blank(value):
        return None
    if isinstance(value, bool | np.bool_):
        raise NumberError("integer", value)
    if isinstance(value, int | np.integer):
        return _checked(int(value), value)
    if isinstance(value, float | np.floating):
        return _from_float(float(value), value)
    if isinstance(value, str):
        return _from_text(value)
    raise NumberError("integer", value)


def parse_integer_series(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse a column; return (Int64 values, rule per failed cell, indexed like ``values``).

    Plain digit strings take a vectorised path; only the rest is parsed cell by cell.
    """
    result = pd.Series(pd.NA, index=values.index, dtype="Int64")
    failures: dict[object, str] = {}
    if values.dtype.kind in "iu":
        return values.astype("Int64"), pd.Series(failures, dtype=object)
    as_text = values.astype("string")
    plain = as_text.str.fullmatch(r"\d{1,18}").fillna(False).astype(bool)
    if plain.any():
        result[plain] = as_text[plain].astype("int64")
    rest = values[~plain]
    parsed: dict[object, int | None] = {}
    for index, value in rest.items():
        try:
            parsed[index] = parse_integer(value)
        except NumberError as error:
            failures[index] = error.rule
    if parsed:
        good = pd.Series(parsed, dtype=object)
        good = good[good.notna()]
        if len(good):
            result[good.index] = good.astype("int64")
    return result, pd.Series(failures, dtype=object)
