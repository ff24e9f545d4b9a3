"""Every chart of a town and of a province of ~200 communes, read as on paper and on a phone (issue 18 item 5): no
tick label overlaps another, every value axis names its unit, bars sorted as the title says, at most 15 bars."""

from __future__ import annotations

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from test_ticks import overlapping

from khuyenhoc.i18n import measure_name
from khuyenhoc.indicators import analyse
from khuyenhoc.render import charts
from khuyenhoc.reports.annual import AnnualSummary
from khuyenhoc.reports.profile import UnitProfile
from khuyenhoc.reports.trends import Trends
from khuyenhoc.sample import synthetic_table
from khuyenhoc.table import table_from_frame

UNITS = {measure_name(m, lang) for lang in ("vi", "en") for m in (
    "person", "family", "clan", "class", "participant_time", "vnd", "million_vnd", "billion_vnd", "percent", "vnd_per_member")}


@pytest.fixture(scope="module")
def province():
    """A synthetic province: three tiers in 2024 (15 districts), two in 2025 (about 190 communes under the province)."""
    return analyse(table_from_frame(synthetic_table(200, [2023, 2024, 2025], seed=1)))


@pytest.fixture(scope="module")
def town(sample_table):
    return analyse(sample_table)


@pytest.fixture(scope="module")
def sample_table():
    from khuyenhoc.paths import SAMPLE_DATA
    from khuyenhoc.table import load_table

    return load_table(SAMPLE_DATA)


def every_chart(analysis, year: int, lang: str = "vi") -> dict:
    summary = AnnualSummary(analysis, year, lang)
    figures = charts.annual_figures(summary) | charts.target_figures(summary)
    unit = summary.units[len(summary.units) // 2]
    if analysis.hierarchy.has_children(unit, year):
        unit = analysis.hierarchy.compared_units(year, unit)[0]
    figures |= {f"profile_{k}": f for k, f in charts.profile_figures(UnitProfile(analysis, year, unit, lang)).items()}
    figures["trends"] = charts.trends_figures(Trends(analysis, min(analysis.years), year, lang))["indicators"]
    return figures


def drawn(figure):
    renderer = FigureCanvasAgg(figure).get_renderer()
    figure.draw(renderer)
    return renderer


def value_axes(figure):
    """(axes, axis) of every visible panel's value axis: the horizontal one of a bar chart, the vertical one of lines."""
    for axes in figure.axes:
        if axes.get_visible():
            yield axes, (axes.yaxis if axes.get_lines() else axes.xaxis)


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("where, year", [("town", 2013), ("province", 2024), ("province", 2025)])
def test_no_tick_label_overlaps_and_every_value_axis_has_its_unit(request, where, year, lang):
    figures = every_chart(request.getfixturevalue(where), year, lang)
    assert {"members_by_unit", "training_by_unit", "fund_by_level", "trend", "profile_place", "trends"} <= set(figures)
    for name, figure in figures.items():
        renderer = drawn(figure)
        width, height = figure.bbox.width, figure.bbox.height
        for axes in figure.axes:
            if not axes.get_visible():
                continue
            for axis in (axes.xaxis, axes.yaxis):
                assert overlapping(axis, renderer) == [], (name, axes.get_title(), [t.get_text() for t in axis.get_ticklabels()])
            for label in axes.get_yticklabels() + axes.get_xticklabels():  # long names wrapped, never cut at the edge
                if label.get_text():
                    box = label.get_window_extent(renderer)
                    assert box.x0 >= -1 and box.x1 <= width + 1 and box.y0 >= -1 and box.y1 <= height + 1, (name, label.get_text())
        for axes, axis in value_axes(figure):
            assert axis.get_label_text() in UNITS, (name, axes.get_title(), axis.get_label_text())


def bar_values(axes):
    """The bars' values from the bottom of the chart to its top."""
    bars = sorted(axes.patches, key=lambda bar: bar.get_y())
    return [bar.get_width() for bar in bars]


def test_at_most_fifteen_bars_at_two_hundred_units(province):
    summary = AnnualSummary(province, 2025)
    assert len(summary.units) > 180
    figures = charts.annual_figures(summary) | charts.target_figures(summary)
    for name in ("members_by_unit", "training_by_unit", "targets_by_unit"):
        for axes in figures[name].axes:
            assert 0 < len(axes.patches) <= 15, name
    members = figures["members_by_unit"].axes[0]
    names = [t.get_text() for t in members.get_yticklabels()]
    left_out = len(summary.units) - 14
    assert f"… {left_out} đơn vị khác" in names  # the rest summarised in one row
    assert any(t.get_text().startswith("từ ") for t in members.texts)  # with their range
    assert figures["members_by_unit"].get_suptitle().replace("\n", " ").endswith(f"(7 đơn vị thấp nhất và 7 cao nhất trong {len(summary.units)})")


def test_bars_sorted_as_the_title_says(province):
    summary = AnnualSummary(province, 2025)
    values = summary.unit_values()
    figures = charts.annual_figures(summary) | charts.target_figures(summary)
    members = bar_values(figures["members_by_unit"].axes[0])
    assert members == sorted(members)  # the highest on top
    expected = sorted(values["members"].astype(float))
    assert members == expected[:7] + expected[-7:]  # the 7 lowest and the 7 highest
    classes = bar_values(figures["training_by_unit"].axes[0])
    assert classes == sorted(classes)
    first = figures["targets_by_unit"].axes[0]  # ordered by the first title's share, as its title says
    assert bar_values(first) == sorted(bar_values(first))
    title = figures["targets_by_unit"].get_suptitle().replace("\n", " ")
    assert "7 đơn vị thấp nhất và 7 cao nhất" in title and "theo Tỷ lệ hộ đạt danh hiệu Gia đình học tập" in title


def test_targets_chart_of_a_few_units_says_its_order(province):
    summary = AnnualSummary(province, 2024, area_id="h0001")
    figure = charts.target_figures(summary)["targets_by_unit"]
    assert bar_values(figure.axes[0]) == sorted(bar_values(figure.axes[0]))
    assert "(xếp theo Tỷ lệ hộ đạt danh hiệu Gia đình học tập)" in figure.get_suptitle().replace("\n", " ")
    training = charts.annual_figures(summary)["training_by_unit"]
    assert training.get_suptitle().replace("\n", " ").endswith("(xếp theo Số lớp tập huấn)")
    assert bar_values(training.axes[0]) == sorted(bar_values(training.axes[0]))


def test_fund_in_billions_at_province_size(province):
    figure = charts.annual_figures(AnnualSummary(province, 2025))["fund_by_level"]
    axes = figure.axes[0]
    assert axes.get_xlabel() == "tỷ đồng"
    labels = [t.get_text() for t in axes.texts]
    assert all(label.endswith(("tỷ đồng", "triệu đồng")) and label.count(",") <= 1 for label in labels), labels
