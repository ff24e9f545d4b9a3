"""What the analyst at the notebook gets: typed indicator frames, the tidy frame, check_file, dir(khuyenhoc)."""

from __future__ import annotations

import inspect

import pandas as pd
import pytest

import khuyenhoc as kh
from khuyenhoc.errors import KhuyenhocError
from khuyenhoc.indicators import INDICATORS, compute_frame, indicators_frame, pivot_indicator


def test_compute_frame_gives_counts_as_nullable_integers_and_rates_as_floats(sample_table):
    frame = compute_frame(sample_table, per_unit=True)
    assert frame["members"].dtype == "Int64"
    assert frame["fund_change_vnd"].dtype == "Int64"
    assert frame["members_growth_pct"].dtype == "float64"
    assert frame["fund_per_member_vnd"].dtype == "float64"
    assert frame.loc[(2013, "duc-xuan"), "members"] == 1680
    assert repr(frame.loc[(2013, "duc-xuan"), "members"]) == "np.int64(1680)"
    assert frame.loc[(2009, "duc-xuan"), "members_change"] is pd.NA  # no previous year: undefined, not 0


def test_the_tidy_frame_has_every_scope_year_and_indicator(sample_table):
    tidy = indicators_frame(sample_table)
    assert list(tidy.columns) == ["year", "scope", "scope_type", "unit_name", "level", "indicator", "measure", "count", "rate",
                                  "label_vi", "label_en"]
    assert tidy["count"].dtype == "Int64" and tidy["rate"].dtype == "float64"
    # 5 years x (the whole file + 1 area + 9 units' own rows) x every indicator
    assert len(tidy) == 5 * (1 + 1 + 9) * len(INDICATORS)
    members = tidy[(tidy["indicator"] == "members") & (tidy["year"] == 2013)].set_index(["scope_type", "scope"])
    assert members.loc[("all", "all"), "count"] == 9123
    assert members.loc[("area", "thi-hoi"), "count"] == 9123
    assert members.loc[("unit", "thi-hoi"), "count"] == 0  # the district row's own members
    assert members.loc[("unit", "duc-xuan"), ["unit_name", "level", "measure", "label_vi", "label_en"]].tolist() == [
        "Phường Đức Xuân", "commune", "person", "Số hội viên", "Members"]
    assert members.loc[("all", "all"), "unit_name"] == "toàn địa bàn"
    growth = tidy[(tidy["indicator"] == "members_growth_pct") & (tidy["scope"] == "all")].set_index("year")
    assert growth.loc[2013, "rate"] == pytest.approx(5.6025)
    assert pd.isna(growth.loc[2009, "rate"]) and growth["count"].isna().all()


def test_pivot_keeps_counts_integer_and_refuses_unknown_indicators(sample_table):
    tidy = indicators_frame(sample_table)
    units = tidy[(tidy["scope_type"] == "unit") & (tidy["level"] == "commune")]
    table = pivot_indicator(units, "members")
    assert table.loc["Phường Đức Xuân"].tolist() == [1399, 1450, 1417, 1730, 1680]
    assert table.dtypes.unique().tolist() == ["Int64"]
    with pytest.raises(KhuyenhocError, match="khong-co"):
        pivot_indicator(tidy, "khong-co")


def test_check_file_returns_problems_as_a_frame_instead_of_raising(sample_frame, write_csv):
    frame = sample_frame.astype({"members": object})
    frame.loc[3, "members"] = "12,5"
    table, problems = kh.check_file(write_csv(frame))
    assert table is None
    assert problems[["severity", "row", "rule"]].to_dict("records") == [{"severity": "error", "row": 5, "rule": "fractional"}]
    table, problems = kh.check_file(write_csv(sample_frame, "ok.csv"))
    assert table is not None and problems.empty and "severity" in problems.columns


def test_dir_lists_the_public_api_and_every_public_function_has_a_docstring():
    names = dir(kh)
    assert {"load_table", "check_file", "compute", "compute_frame", "indicators_frame", "pivot_indicator"} <= set(names)
    assert not {"TYPE_CHECKING", "annotations", "importlib"} & set(names)
    for name in names:
        value = getattr(kh, name)
        if inspect.isfunction(value) or inspect.isclass(value):
            assert len(inspect.getdoc(value) or "") > 20, name


def test_findings_frame_says_which_rule_flagged_whom_and_why(sample_table):
    found = kh.findings_frame(sample_table, 2013)
    assert found[["kind", "unit_id"]].values.tolist()[:2] == [["no_training", "xuat-hoa"], ["members_fell", "duc-xuan"]]
    fell = found.set_index("unit_id").loc["duc-xuan"]
    assert (fell["value"], fell["reference"]) == (1680, 1730)
    assert fell["message"].startswith("Phường Đức Xuân: số hội viên giảm từ 1.730")


def test_generic_charts_draw_any_indicator_over_time_and_across_units(sample_table):
    from khuyenhoc.indicators import analyse
    from khuyenhoc.render import charts

    analysis = analyse(sample_table)
    over_time = charts.indicator_over_time(analysis.indicator_series("fund_total_vnd", ["all", "duc-xuan"]), "fund_total_vnd", analysis.years)
    lines = over_time.axes[0].get_lines()
    assert [line.get_label() for line in lines] == ["toàn địa bàn", "Phường Đức Xuân"]
    assert list(lines[0].get_ydata())[-1] == 343_380_000
    assert over_time.get_suptitle() == "Tổng quỹ khuyến học" and over_time.axes[0].get_ylabel() == "triệu đồng"
    across = charts.indicator_by_unit(analysis.named_scopes(2013), "members_growth_pct", 2013)
    bars = {label.get_text(): bar.get_width() for label, bar in zip(across.axes[0].get_yticklabels(), across.axes[0].patches, strict=True)}
    assert len(bars) == 8 and bars["Phường Đức Xuân"] == pytest.approx(-2.890173)
