"""Read integers the way Vietnamese reports write them: 9.123, 343.380.000đ, 9 123."""

from __future__ import annotations

import math
import re
import unicodedata
from decimal import Decimal, InvalidOperation

import numpy as np
import pandas as pd

INT64_MAX = np.iinfo(np.int64).max
MAX_DIGITS = len(str(INT64_MAX))  # more significant digits than this cannot fit in int64
FAST_DIGITS = MAX_DIGITS - 1  # plain digit strings this short always fit, parsed vectorised

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


def _digits_to_int(digits: str, original: object) -> int:
    """``int(digits)`` for a signed digit string, refusing ones too long for int64 before converting
    (Python refuses to convert more than 4,300 digits, with a plain ValueError)."""
    if len(digits.lstrip("+-").lstrip("0")) > MAX_DIGITS:
        raise NumberError("integer", original)
    return _checked(int(digits), original)


def _from_scientific(text: str, original: object) -> int:
    """``1E+09`` (as Excel's CSV export writes big numbers), exactly: no float rounding or underflow."""
    try:
        number = Decimal(text.replace(",", "."))
    except InvalidOperation as error:
        raise NumberError("integer", original) from error
    if number.is_zero():
        return 0
    if number.adjusted() >= MAX_DIGITS:
        raise NumberError("integer", original)
    if number != number.to_integral_value():
        raise NumberError("fractional", original)
    return _checked(int(number), original)


def _from_float(value: float, original: object) -> int:
    if math.isinf(value) or math.isnan(value):
        raise NumberError("integer", original)
    if not value.is_integer():
        raise NumberError("fractional", original)
    return _checked(int(value), original)  # int(-0.0) is already 0


def _from_text(raw: str) -> int | None:
    text = _SPACES.sub("", unicodedata.normalize("NFC", raw))
    text = _CURRENCY.sub("", text).rstrip(".")
    if not text:
        raise NumberError("integer", raw)
    if _PLAIN.fullmatch(text):
        return _digits_to_int(text, raw)
    if _DOT_GROUPS.fullmatch(text):
        return _digits_to_int(text.replace(".", ""), raw)
    if _COMMA_GROUPS.fullmatch(text):
        return _digits_to_int(text.replace(",", ""), raw)
    for pattern, group_sep in ((_VI_DECIMAL, "."), (_EN_DECIMAL, ",")):
        match = pattern.fullmatch(text)
        if match:
            whole, fraction = match.groups()
            if set(fraction) != {"0"}:
                raise NumberError("fractional", raw)
            return _digits_to_int(whole.replace(group_sep, ""), raw)
    if _SCIENTIFIC.fullmatch(text):
        return _from_scientific(text, raw)
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


def _parse_texts(texts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Parse distinct text cells: (int64 values, missing mask, rule or None), one entry per text.

    Short runs of decimal digits (the usual cell) are converted by NumPy in one go; every other
    text goes through :func:`parse_integer`, so the results are the same as cell by cell.
    """
    count = len(texts)
    numbers = np.zeros(count, dtype=np.int64)
    missing = np.ones(count, dtype=bool)
    rules = np.full(count, None, dtype=object)
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=count)
    short = np.flatnonzero((lengths > 0) & (lengths <= FAST_DIGITS))
    fast = np.zeros(count, dtype=bool)
    if len(short):
        candidates = texts[short].astype(f"<U{FAST_DIGITS}")
        # NumPy drops trailing NUL characters from fixed-width strings: compare lengths too
        digits = np.char.isdecimal(candidates) & (np.char.str_len(candidates) == lengths[short])
        chosen = short[digits]
        fast[chosen] = True
        numbers[chosen] = candidates[digits].astype(np.int64)
        missing[chosen] = False
    _parse_each(texts, np.flatnonzero(~fast), numbers, missing, rules)
    return numbers, missing, rules


def _parse_floats(floats: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Parse float cells (Excel numbers) like :func:`parse_integer`, vectorised."""
    numbers = np.zeros(len(floats), dtype=np.int64)
    blank = np.isnan(floats)
    finite = np.isfinite(floats)
    whole = finite & (np.floor(np.where(finite, floats, 0.0)) == np.where(finite, floats, 0.0))
    fits = whole & (np.abs(np.where(whole, floats, 0.0)) < 2.0**63)
    numbers[fits] = floats[fits].astype(np.int64)
    rules = np.full(len(floats), None, dtype=object)
    rules[finite & ~whole] = "fractional"
    rules[~blank & ~fits & (whole | ~finite)] = "integer"
    return numbers, ~fits, rules


def _parse_each(cells: np.ndarray, positions: np.ndarray, numbers: np.ndarray, missing: np.ndarray, rules: np.ndarray) -> None:
    """The slow path: parse the cells at ``positions`` one by one into the result arrays."""
    for position in positions:
        try:
            value = parse_integer(cells[position])
        except NumberError as error:
            rules[position] = error.rule
            continue
        if value is not None:
            numbers[position], missing[position] = value, False


def parse_integer_series(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse a column; return (Int64 values, rule per failed cell, indexed like ``values``).

    The result is the same as :func:`parse_integer` cell by cell. Text cells are parsed once per
    distinct text, plain digits and Python ints/floats vectorised; only the rest cell by cell.
    """
    if values.dtype.kind in "iu":
        return values.astype("Int64"), pd.Series({}, dtype=object)
    cells = values.to_numpy(dtype=object)
    numbers, missing, rules = _parse_cells(cells, _kinds(values, cells))
    result = pd.Series(pd.arrays.IntegerArray(numbers, missing), index=values.index)
    failed = np.flatnonzero(rules != None)  # noqa: E711 (element-wise comparison)
    return result, pd.Series(rules[failed], index=values.index[failed], dtype=object)


def parse_integer_frame(frame: pd.DataFrame) -> tuple[dict[str, pd.Series], list[tuple[object, str, str]]]:
    """:func:`parse_integer_series` of every column of ``frame`` at once (each distinct text of all the columns parsed
    once): (column -> Int64 values, (row, column, rule) of every failed cell, column by column)."""
    dtypes = frame.dtypes
    together = [name for name in frame.columns if dtypes[name].kind not in "iu"]
    parsed = {name: parse_integer_series(frame[name])[0] for name in frame.columns if name not in together}
    failures: list[tuple[object, str, str]] = []
    if together:
        part = frame[together] if len(together) < len(frame.columns) else frame
        rows = len(frame)
        cells = part.to_numpy(dtype=object).ravel(order="F")  # column after column
        if all(isinstance(dtypes[name], pd.StringDtype) for name in together):
            kinds = np.where(part.isna().to_numpy().ravel(order="F"), 0, _TEXT).astype(np.int8)
        else:
            kinds = np.concatenate([_kinds(part[name], cells[i * rows:(i + 1) * rows]) for i, name in enumerate(together)])
        numbers, missing, rules = _parse_cells(cells, kinds)
        for i, name in enumerate(together):
            parsed[name] = pd.Series(pd.arrays.IntegerArray(numbers[i * rows:(i + 1) * rows], missing[i * rows:(i + 1) * rows]), index=frame.index)
        failed = np.flatnonzero(rules != None)  # noqa: E711 (element-wise comparison)
        names = np.asarray(together, dtype=object)[failed // max(rows, 1)]
        failures = list(zip(frame.index[failed % max(rows, 1)], names, rules[failed], strict=True))
    return {name: parsed[name] for name in frame.columns}, failures


def _kinds(values: pd.Series, cells: np.ndarray) -> np.ndarray:
    """How each cell of ``values`` is parsed: text, int, float, or 0 (one by one)."""
    if isinstance(values.dtype, pd.StringDtype):  # text as read from CSV: no need to look at types
        return np.where(values.isna().to_numpy(), 0, _TEXT).astype(np.int8)
    return np.fromiter((_KIND.get(type(cell), 0) for cell in cells), dtype=np.int8, count=len(cells))


def _parse_cells(cells: np.ndarray, kinds: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(int64 values, missing mask, rule or None) of object ``cells`` whose kinds are ``kinds`` (see :func:`_kinds`)."""
    count = len(cells)
    numbers = np.zeros(count, dtype=np.int64)
    missing = np.ones(count, dtype=bool)
    rules = np.full(count, None, dtype=object)

    texts = np.flatnonzero(kinds == _TEXT)
    if len(texts):
        codes, distinct = pd.factorize(cells[texts])
        parsed = _parse_texts(np.asarray(distinct, dtype=object))
        for target, source in zip((numbers, missing, rules), parsed, strict=True):
            target[texts] = source[codes]

    ints = np.flatnonzero(kinds == _INT)
    if len(ints):
        as_int = np.array([cell if -INT64_MAX <= cell <= INT64_MAX else 0 for cell in cells[ints]], dtype=np.int64)
        fits = np.array([-INT64_MAX <= cell <= INT64_MAX for cell in cells[ints]], dtype=bool)
        numbers[ints], missing[ints] = as_int, ~fits
        rules[ints[~fits]] = "integer"

    floats = np.flatnonzero(kinds == _FLOAT)
    if len(floats):
        parsed = _parse_floats(cells[floats].astype(np.float64))
        for target, source in zip((numbers, missing, rules), parsed, strict=True):
            target[floats] = source

    _parse_each(cells, np.flatnonzero(kinds == 0), numbers, missing, rules)
    return numbers, missing, rules


_TEXT, _INT, _FLOAT = 1, 2, 3
_KIND = {str: _TEXT, int: _INT, float: _FLOAT}  # exact types: bool and NumPy scalars go cell by cell
