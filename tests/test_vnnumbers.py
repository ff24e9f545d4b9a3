"""Vietnamese-written integers: what parses, to what, and which rule a bad cell breaks."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from khuyenhoc.vnnumbers import NumberError, is_blank, parse_integer, parse_integer_frame, parse_integer_series

NBSP, NNBSP, THIN = "\u00a0", "\u202f", "\u2009"


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("9123", 9123),
        ("9.123", 9123),
        ("9 123", 9123),
        (f"9{NBSP}123", 9123),
        (f"1{NNBSP}234{THIN}567", 1_234_567),
        ("343.380.000đ", 343_380_000),
        ("343.380.000 đ", 343_380_000),
        ("343.380.000 đồng", 343_380_000),
        ("343.380.000 Đồng", 343_380_000),
        ("343.380.000 dong", 343_380_000),
        ("343380000 VND", 343_380_000),
        ("343380000 vnđ", 343_380_000),
        ("VND 343.380.000", 343_380_000),
        ("343.380.000₫", 343_380_000),
        ("1,234,567", 1_234_567),  # English thousands groups, at least two of them
        ("1.000.000,00", 1_000_000),  # a zero fraction is still a whole number
        ("35.235.000,0 đồng", 35_235_000),
        ("288.0", 288),
        ("  288  ", 288),
        ("+5", 5),
        ("-5", -5),  # the sign is kept: non_negative is a schema rule, reported separately
        ("-0", 0),
        ("0", 0),
        ("007", 7),
        ("1E+09", 1_000_000_000),  # how Excel's CSV export may write a big number
        ("12345678901234567e0", 12_345_678_901_234_567),  # exact, not through a float
        ("9223372036854775807", 2**63 - 1),
        (9123, 9123),
        (np.int64(9123), 9123),
        (np.uint16(7), 7),
        (9123.0, 9123),  # an Excel number cell holding an integral float
        (np.float64(288.0), 288),
        (-0.0, 0),
    ],
)
def test_parses_vietnamese_and_plain_integers(cell, expected):
    value = parse_integer(cell)
    assert value == expected
    assert type(value) is int


@pytest.mark.parametrize("cell", [None, "", "   ", f"{NBSP} \t", float("nan"), np.float64("nan"), pd.NA])
def test_blank_cells_are_none(cell):
    assert is_blank(cell)
    assert parse_integer(cell) is None


@pytest.mark.parametrize("cell", ["12,5", "1.5", "9.123,5", "0,01", "12.5", "9.12", "9.1234", 12.5, np.float64(0.25), "1,5e0", "1e-400", "2.5E+0"])
def test_fractions_are_errors_not_roundings(cell):
    with pytest.raises(NumberError) as caught:
        parse_integer(cell)
    assert caught.value.rule == "fractional"
    assert caught.value.value == cell


@pytest.mark.parametrize(
    "cell",
    [
        "abc", "đ", "đồng", "-", "12a", "1_000", "0x10", "1..000", "1,23,456",
        "nan", "inf", "1e400", "9223372036854775808", "9" * 30, "9" * 5000, "²", "½",
        True, False, np.bool_(True), float("inf"), -float("inf"), 2**70, float(2**70), dt.date(2013, 1, 1), [1], b"12",
    ],
)
def test_other_non_integers_break_the_integer_rule(cell):
    with pytest.raises(NumberError) as caught:
        parse_integer(cell)
    assert caught.value.rule == "integer"


def test_number_error_is_a_value_error_naming_value_and_rule():
    error = NumberError("fractional", "12,5")
    assert isinstance(error, ValueError)
    assert str(error) == "'12,5': fractional"


def test_series_mixes_fast_and_slow_paths_and_reports_failures_by_index():
    cells = pd.Series(["9123", "9.123", None, "12,5", "x", "343.380.000đ", "", 7.0, "  42 "], index=range(10, 19), dtype=object)
    values, failures = parse_integer_series(cells)
    assert str(values.dtype) == "Int64"
    assert list(values.index) == list(cells.index)
    assert values.tolist() == [9123, 9123, pd.NA, pd.NA, pd.NA, 343_380_000, pd.NA, 7, 42]
    assert failures.to_dict() == {13: "fractional", 14: "integer"}


def test_series_of_int64_is_kept():
    values, failures = parse_integer_series(pd.Series([1, 2, 3], dtype="int64"))
    assert values.tolist() == [1, 2, 3]
    assert str(values.dtype) == "Int64"
    assert failures.empty


def test_a_frame_parses_like_each_of_its_columns():
    rows = pd.RangeIndex(2, 6)
    frame = pd.DataFrame({"a": pd.Series(["9.123", None, "12,5", "7"], index=rows, dtype="str"), "b": pd.Series([3, 4, 5, 6], index=rows, dtype="int64"),
                          "c": pd.Series([7.0, "x", None, " 42 "], index=rows, dtype=object)})
    values, failures = parse_integer_frame(frame)
    assert list(values) == ["a", "b", "c"]
    for name in frame.columns:
        alone, failed = parse_integer_series(frame[name])
        pd.testing.assert_series_equal(values[name], alone)
        assert [(row, rule) for row, column, rule in failures if column == name] == list(failed.items())
    assert failures == [(4, "a", "fractional"), (3, "c", "integer")]  # column by column, then row by row


def _group(number: int, separator: str) -> str:
    return f"{number:,}".replace(",", separator)


@st.composite
def written_integers(draw) -> tuple[int, str]:
    """(n, n as a person might write it in a Vietnamese report or spreadsheet)."""
    number = draw(st.integers(min_value=0, max_value=10**17))
    style = draw(st.sampled_from(["plain", "dots", "spaces", "nbsp", "dots_zero_fraction"]))
    written = {
        "plain": str(number),
        "dots": _group(number, "."),
        "spaces": _group(number, " "),
        "nbsp": _group(number, NBSP),
        "dots_zero_fraction": _group(number, ".") + "," + "0" * draw(st.integers(1, 3)),
    }[style]
    suffix = draw(st.sampled_from(["", "đ", " đ", "đồng", " đồng", " ĐỒNG", " VND", "VND", " vnđ", "₫"]))
    padding = draw(st.sampled_from(["", " ", "  ", "\t"]))
    return number, padding + written + suffix + padding


@given(written_integers())
@example((9123, "9.123"))
@example((343_380_000, "343.380.000 đồng"))
def test_any_written_integer_parses_back(case):
    number, written = case
    assert parse_integer(written) == number
    values, failures = parse_integer_series(pd.Series([written], dtype=object))
    assert values.iloc[0] == number
    assert failures.empty


@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=1, max_value=10**6), st.sampled_from([",", "."]))
def test_any_fraction_is_reported_as_fractional(whole, fraction, decimal_mark):
    # the fraction has a non-zero digit; with '.' the fraction must not look like a thousands group
    fraction_text = str(fraction).rstrip("0") or "1"
    if decimal_mark == "." and len(fraction_text) == 3:
        fraction_text += "1"
    written = f"{whole}{decimal_mark}{fraction_text}"
    with pytest.raises(NumberError) as caught:
        parse_integer(written)
    assert caught.value.rule == "fractional"


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15).filter(lambda x: not x.is_integer()))
def test_fractional_floats_from_excel_are_fractional(number):
    with pytest.raises(NumberError) as caught:
        parse_integer(number)
    assert caught.value.rule == "fractional"


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=25) | st.from_regex(r"[-+ .,0-9eEđ₫dongVND\u00a0]{0,20}", fullmatch=True))
@example("٣")
@example("１２")
@example("1" * 5000)
@example("12\x00")
def test_arbitrary_text_never_raises_anything_but_number_error(cell):
    try:
        value = parse_integer(cell)
    except NumberError as error:
        assert error.rule in {"integer", "fractional"}
        expected = None
    else:
        assert value is None or (type(value) is int and abs(value) <= 2**63 - 1)
        expected = value
    # the column parser agrees with the cell parser, on its fast path and its slow one
    values, failures = parse_integer_series(pd.Series([cell, "1"], dtype=object))
    assert values.iloc[1] == 1
    if expected is None:
        assert values.isna().iloc[0]
    else:
        assert values.iloc[0] == expected
    assert (0 in failures.index) == (not is_blank(cell) and expected is None)


@given(st.lists(st.one_of(st.none(), st.integers(0, 10**12).map(str), st.integers(0, 10**12).map(lambda n: _group(n, ".") + "đ"),
                          st.sampled_from(["12,5", "x", "", " "])), max_size=30))
def test_series_matches_cell_by_cell(cells):
    assert_agrees_cell_by_cell(cells)


def assert_agrees_cell_by_cell(cells: list) -> pd.Series:
    """The column parser gives, for every cell, what parse_integer gives it (or the same failure rule); its values."""
    values, failures = parse_integer_series(pd.Series(cells, dtype=object))
    for position, cell in enumerate(cells):
        try:
            expected = parse_integer(cell)
        except NumberError as error:
            assert failures[position] == error.rule
            assert values.isna().iloc[position]
        else:
            assert position not in failures.index
            assert (values.isna().iloc[position] and expected is None) or values.iloc[position] == expected
    return values


@given(st.lists(st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(), st.integers(-1000, 10**12).map(float), st.integers(0, 10**6).map(np.int64), st.just(np.float64(3.0)),
    st.text(alphabet="0123456789.,- đ", max_size=12),
), max_size=25))
def test_series_of_excel_cells_matches_cell_by_cell(cells):
    """Columns read from XLSX mix ints, floats, text and blanks: the column parser agrees with parse_integer."""
    assert str(assert_agrees_cell_by_cell(cells).dtype) == "Int64"
