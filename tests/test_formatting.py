"""Vietnamese official number conventions (Luật Kế toán 2015, art. 11) through Babel, and their English equivalents."""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from khuyenhoc.formatting import format_indicator, format_number, format_percent, format_value, format_vnd
from khuyenhoc.indicators import INDICATORS, REGISTRY

MISSING = "—"


@pytest.mark.parametrize(
    ("value", "precision", "vi", "en"),
    [
        (9123, 0, "9.123", "9,123"),
        (0, 0, "0", "0"),
        (999, 0, "999", "999"),
        (1000, 0, "1.000", "1,000"),
        (343_380_000, 0, "343.380.000", "343,380,000"),
        (-1_234_567, 0, "-1.234.567", "-1,234,567"),
        (47.392361, 1, "47,4", "47.4"),
        (1234.5, 2, "1.234,50", "1,234.50"),
        (9123.0, 0, "9.123", "9,123"),
    ],
)
def test_format_number_separators(value, precision, vi, en):
    assert format_number(value, precision) == vi
    assert format_number(value, precision, lang="en") == en


@pytest.mark.parametrize(
    ("value", "precision", "expected"),
    [
        (0.25, 1, "0,3"),  # Babel alone (half-even) gives 0,2
        (0.35, 1, "0,4"),
        (0.45, 1, "0,5"),  # half-even gives 0,4
        (2.5, 0, "3"),  # half-even gives 2
        (0.5, 0, "1"),  # half-even gives 0
        (4.5, 0, "5"),
        (1.45, 1, "1,5"),
        (5.55, 1, "5,6"),
        (-0.25, 1, "-0,3"),  # half away from zero, symmetric
        (-2.5, 0, "-3"),
        (0.24, 1, "0,2"),
        (2.4999, 0, "2"),
    ],
)
def test_rounding_is_half_up_as_reports_round(value, precision, expected):
    assert format_number(value, precision) == expected


def test_babel_alone_would_round_half_even():
    """The reason the half-up code exists: this is what a bare Babel call gives."""
    from babel.numbers import format_decimal

    assert format_decimal(0.25, format="#,##0.0", locale="vi_VN") == "0,2"
    assert format_decimal(2.5, format="#,##0", locale="vi_VN") == "2"
    assert format_number(0.25, 1) == "0,3"
    assert format_number(2.5, 0) == "3"


def test_rounding_to_zero_never_shows_a_negative_zero():
    assert format_number(-0.04, 1) == "0,0"
    assert format_number(-0.0, 1) == "0,0"
    assert format_number(-0.4, 0) == "0"
    assert format_number(-0.04, 1, signed=True) == "0,0"
    assert format_percent(-0.01, 1, signed=True) == "0,0%"


def test_percent():
    assert format_percent(5.6) == "5,6%"
    assert format_percent(5.6025) == "5,6%"
    assert format_percent(20.00657894736842) == "20,0%"
    assert format_percent(100) == "100,0%"
    assert format_percent(12.25, 1) == "12,3%"
    assert format_percent(5.6, lang="en") == "5.6%"
    assert format_percent(5.6, 0) == "6%"
    assert format_percent(1234.5, 1) == "1.234,5%"


def test_vnd_full_form():
    assert format_vnd(343_380_000) == "343.380.000 đồng"
    assert format_vnd(35_235_000) == "35.235.000 đồng"
    assert format_vnd(343_380_000, lang="en") == "343,380,000 VND"
    assert format_vnd(0) == "0 đồng"
    assert format_vnd(37_638.93) == "37.639 đồng"
    assert format_vnd(41_000_000, signed=True) == "+41.000.000 đồng"
    assert format_vnd(-41_000_000, signed=True) == "-41.000.000 đồng"


@pytest.mark.parametrize("missing", [None, float("nan"), np.nan, float("inf"), -math.inf, pd.NA, pd.NaT, np.float64("nan"), Decimal("NaN")])
def test_missing_values_print_as_a_dash(missing):
    assert format_number(missing) == MISSING
    assert format_number(missing, 1, lang="en", signed=True) == MISSING
    assert format_percent(missing) == MISSING
    assert format_vnd(missing) == MISSING
    assert format_value(missing, "person", 0) == MISSING
    for indicator in INDICATORS:
        assert format_indicator(indicator.id, missing) == MISSING
        assert format_indicator(indicator.id, missing, "en") == MISSING


def test_numpy_and_decimal_scalars_format_like_python_numbers():
    """Values taken out of a DataFrame are numpy scalars (their repr is ``np.float64(...)`` in numpy 2)."""
    assert format_number(np.float64(5.6025), 1) == "5,6"
    assert format_number(np.float64(0.25), 1) == "0,3"
    assert format_number(np.int64(9123)) == "9.123"
    assert format_number(Decimal("2.45"), 1) == "2,5"
    assert format_indicator("members_growth_pct", np.float64(5.602500289385346)) == "+5,6%"


def test_signed_changes():
    assert format_number(484, signed=True) == "+484"
    assert format_number(-50, signed=True) == "-50"
    assert format_number(0, signed=True) == "0"
    assert format_percent(5.6025, signed=True) == "+5,6%"
    assert format_percent(-2.9, signed=True) == "-2,9%"
    assert format_number(1234, signed=True, lang="en") == "+1,234"


def test_huge_integers_keep_every_digit():
    n = 10**40 + 7
    assert format_number(n).replace(".", "") == str(n)
    assert format_number(-n, lang="en").replace(",", "") == str(-n)


@pytest.mark.parametrize(
    ("indicator_id", "value", "vi", "en"),
    [
        ("members", 9123, "9.123 người", "9,123 people"),
        ("members_change", 484, "+484 người", "+484 people"),
        ("members_change", -50, "-50 người", "-50 people"),
        ("members_growth_pct", 5.602500289385346, "+5,6%", "+5.6%"),
        ("members_per_population_pct", 20.00657894736842, "20,0%", "20.0%"),
        ("baccalaureate_families", 854, "854 gia đình", "854 families"),
        ("clans_recognised", 6, "6 dòng họ", "6 clans"),
        ("clans_recognition_pct", 100.0, "100,0%", "100.0%"),
        ("training_classes", 288, "288 lớp", "288 classes"),
        ("training_participants", 13649, "13.649 lượt người", "13,649 participant-times"),
        ("participants_per_class", 13649 / 288, "47,4 lượt/lớp", "47.4 per class"),
        ("units_without_training", 1, "1 đơn vị", "1 unit"),
        ("units_without_training", 2, "2 đơn vị", "2 units"),
        ("fund_total_vnd", 343_380_000, "343.380.000 đồng", "343,380,000 VND"),
        ("fund_change_vnd", 41_000_000, "+41.000.000 đồng", "+41,000,000 VND"),
        ("fund_growth_pct", 13.559097823930154, "+13,6%", "+13.6%"),
        ("fund_per_member_vnd", 37_638.934560999674, "37.639 đồng/hội viên", "37,639 VND per member"),
    ],
)
def test_format_indicator_uses_declared_unit_and_precision(indicator_id, value, vi, en):
    assert format_indicator(indicator_id, value) == vi
    assert format_indicator(indicator_id, value, "en") == en


def test_format_indicator_follows_the_registry():
    """Every indicator: its declared precision decides the decimals, its sign flag the '+'."""
    for indicator in INDICATORS:
        shown = format_indicator(indicator.id, 1234.5678, with_unit=False)
        decimals = shown.split(",")[1].rstrip("%") if "," in shown else ""
        assert len(decimals) == indicator.precision, indicator.id
        assert shown.startswith("+") == indicator.signed, indicator.id
    assert format_indicator("members", 9123, with_unit=False) == "9.123"
    assert REGISTRY["members_growth_pct"].precision == 1


def test_unknown_indicator_is_a_key_error():
    with pytest.raises(KeyError):
        format_indicator("no_such_indicator", 1)


@given(st.integers())
def test_removing_thousands_dots_gives_the_integer_back(n):
    shown = format_number(n)
    assert "," not in shown
    assert shown.replace(".", "") == str(n)
    assert format_number(n, lang="en").replace(",", "") == str(n)


@given(st.integers(min_value=-(10**15), max_value=10**15), st.integers(min_value=0, max_value=4))
def test_decimal_comma_and_half_up_for_any_value(n, precision):
    """n / 10**(precision+1) with a final 5 always rounds away from zero."""
    value = Decimal(n * 10 + (5 if n >= 0 else -5)).scaleb(-(precision + 1))
    shown = format_number(value, precision)
    expected = (abs(n) + 1) * (1 if n >= 0 else -1)
    digits = shown.replace(".", "").replace(",", "")
    assert int(digits) == expected
    if precision:
        assert shown.rsplit(",", 1)[1].isdigit() and len(shown.rsplit(",", 1)[1]) == precision


class TestAmount:
    """Issue 18 item 5: amounts in triệu/tỷ đồng with three significant digits, never "1.748,01 triệu đồng"."""

    @pytest.mark.parametrize("value, vi, en", [
        (1_748_010_000, "1,75 tỷ đồng", "1.75 billion VND"),
        (21_150_530_000, "21,2 tỷ đồng", "21.2 billion VND"),
        (1_234_567_890_000, "1.235 tỷ đồng", "1,235 billion VND"),
        (2_000_000_000, "2 tỷ đồng", "2 billion VND"),
        (999_999_600, "1 tỷ đồng", "1 billion VND"),  # rounds up into the next scale
        (343_380_000, "343 triệu đồng", "343 million VND"),
        (35_235_000, "35,2 triệu đồng", "35.2 million VND"),
        (5_250_000, "5,25 triệu đồng", "5.25 million VND"),
        (1_500_000, "1,5 triệu đồng", "1.5 million VND"),
        (950_000, "950.000 đồng", "950,000 VND"),
        (8_319, "8.319 đồng", "8,319 VND"),
        (0, "0 đồng", "0 VND"),
        (None, "—", "—"),
    ])
    def test_values(self, value, vi, en):
        from khuyenhoc.formatting import format_amount

        assert format_amount(value, "vi") == vi
        assert format_amount(value, "en") == en

    def test_signed(self):
        from khuyenhoc.formatting import format_amount

        assert format_amount(-35_235_000, "vi", signed=True) == "-35,2 triệu đồng"
        assert format_amount(1_748_010_000, "vi", signed=True) == "+1,75 tỷ đồng"

    def test_rounded_says_when_the_figure_changes(self):
        from khuyenhoc.formatting import amount_is_rounded

        assert amount_is_rounded(1_748_010_000) and amount_is_rounded(343_380_000)
        assert not amount_is_rounded(1_500_000) and not amount_is_rounded(950_000) and not amount_is_rounded(2_000_000_000)
