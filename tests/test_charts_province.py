"""Every chart of a town and of a province of ~200 communes, read as on paper and on a phone (issue 18 item 5): no
tick label overlaps another, every value axis names its unit, bars sorted as the title says, at most 15 bars."""

from __future__ import annotations

import pytest
from test_ticks import laid_out, overlapping

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


@pytest.fixture(scope="module")
def chart_sets(town, province):
    """(place, year, language) -> every chart of it and the renderer each was drawn with: built and drawn once for
    the module, the tests only read them."""
    analyses, built = {"town": town, "province": province}, {}

    def charts_of(where: str, year: int, lang: str) -> dict:
        if (where, year, lang) not in built:
            figures = every_chart(analyses[where], year, lang)
            built[where, year, lang] = {name: (figure, laid_out(figure)) for name, figure in figures.items()}
        return built[where, year, lang]

    return charts_of


def value_axes(figure):
    """(axes, axis) of every visible panel's value axis: the horizontal one of a bar chart, the vertical one of lines."""
    for axes in figure.axes:
        if axes.get_visible():
            yield axes, (axes.yaxis if axes.get_lines() else axes.xaxis)


# Each place and year once, each language at least once in the fast run; the other combinations are slow (CI runs them).
FAST = {("town", 2013, "vi"), ("province", 2024, "en"), ("province", 2025, "vi")}
VARIANTS = [pytest.param(where, year, lang, id=f"{where}-{year}-{lang}", marks=() if (where, year, lang) in FAST else pytest.mark.slow)
            for where, year in (("town", 2013), ("province", 2024), ("province", 2025)) for lang in ("vi", "en")]


@pytest.mark.parametrize("where, year, lang", VARIANTS)
def test_no_tick_label_overlaps_and_every_value_axis_has_its_unit(chart_sets, where, year, lang):
    figures = chart_sets(where, year, lang)
    assert {"members_by_unit", "training_by_unit", "fund_by_level", "trend", "profile_place", "trends"} <= set(figures)
    for name, (figure, renderer) in figures.items():
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


def province_2025(chart_sets) -> dict:
    """The Vietnamese charts of the whole province in 2025 (about 190 communes side by side), as the module drew them."""
    return {name: figure for name, (figure, _) in chart_sets("province", 2025, "vi").items()}


def test_at_most_fifteen_bars_at_two_hundred_units(province, chart_sets):
    summary = AnnualSummary(province, 2025)
    assert len(summary.units) > 180
    figures = province_2025(chart_sets)
    for name in ("members_by_unit", "training_by_unit", "targets_by_unit"):
        for axes in figures[name].axes:
            assert 0 < len(axes.patches) <= 15, name
    members = figures["members_by_unit"].axes[0]
    names = [t.get_text() for t in members.get_yticklabels()]
    left_out = len(summary.units) - 14
    assert f"… {left_out} đơn vị khác" in names  # the rest summarised in one row
    assert any(t.get_text().startswith("từ ") for t in members.texts)  # with their range
    assert figures["members_by_unit"].get_suptitle().replace("\n", " ").endswith(f"(7 đơn vị thấp nhất và 7 cao nhất trong {len(summary.units)})")


def test_bars_sorted_as_the_title_says(province, chart_sets):
    values = AnnualSummary(province, 2025).unit_values()
    figures = province_2025(chart_sets)
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


def test_fund_in_billions_at_province_size(chart_sets):
    figure = province_2025(chart_sets)["fund_by_level"]
    axes = figure.axes[0]
    assert axes.get_xlabel() == "tỷ đồng"
    labels = [t.get_text() for t in axes.texts]
    assert all(label.endswith(("tỷ đồng", "triệu đồng")) and label.count(",") <= 1 for label in labels), labels
