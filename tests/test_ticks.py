"""Axes a reader can read (issue 18 item 5): tick labels that never overlap, whatever the axis length or the values."""

from __future__ import annotations

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties

from khuyenhoc.render import ticks


def laid_out(figure):
    """Lay the figure out as Agg draws it (every text measured by the renderer its image is drawn with, at the
    figure's resolution), without painting its pixels; returns that renderer, for the boxes of its texts."""
    import matplotlib

    canvas = FigureCanvasAgg(figure)
    with matplotlib.rc_context({"savefig.dpi": "figure"}):
        figure.draw_without_rendering()
    return canvas.get_renderer()


def overlapping(axis, renderer) -> list[tuple[str, str]]:
    """Pairs of neighbouring tick labels whose drawn boxes touch (the renderer's own bounding boxes)."""
    labels = [label for label in axis.get_ticklabels() if label.get_visible() and label.get_text()]
    boxes = sorted(((label.get_window_extent(renderer), label.get_text()) for label in labels),
                   key=lambda item: item[0].x0 if axis.axis_name == "x" else item[0].y0)
    pairs = []
    for (first, a), (second, b) in zip(boxes, boxes[1:], strict=False):
        if (first.x1 > second.x0) if axis.axis_name == "x" else (first.y1 > second.y0):
            pairs.append((a, b))
    return pairs


def drawn_axes(width: float, top: float, which: str, amounts: bool = False):
    import matplotlib

    from khuyenhoc.render.charts import STYLE

    with matplotlib.rc_context(STYLE):
        return _drawn_axes(width, top, which, amounts)


def _drawn_axes(width: float, top: float, which: str, amounts: bool):
    figure = Figure(figsize=(width, 3), layout="constrained", dpi=110)
    axes = figure.add_subplot()
    values = [0, top]
    (axes.barh(["a", "b"], values) if which == "x" else axes.plot([2020, 2021], values))
    if amounts:
        ticks.amount_axis(axes, which, values, "vi")
    else:
        ticks.value_axis(axes, which, "người", "vi", integer=top >= 10)
    renderer = laid_out(figure)
    return axes, renderer


@pytest.mark.parametrize("width", [2.0, 3.0, 4.5, 7.0, 12.0])
@pytest.mark.parametrize("top, amounts", [(7, False), (2_100, False), (654_321, False), (5_396, False),
                                          (343_380_000, True), (21_150_530_000, True), (1_748_010_000, True)])
def test_horizontal_tick_labels_never_overlap(width, top, amounts):
    axes, renderer = drawn_axes(width, top, "x", amounts)
    labels = [t.get_text() for t in axes.get_xticklabels()]
    assert len(labels) >= 2, labels  # still a scale to read
    assert overlapping(axes.xaxis, renderer) == [], labels


@pytest.mark.parametrize("top", [7, 2_100, 654_321])
def test_vertical_tick_labels_never_overlap(top):
    figure = Figure(figsize=(4, 1.6), layout="constrained", dpi=110)
    axes = figure.add_subplot()
    axes.plot([2020, 2021], [0, top])
    ticks.value_axis(axes, "y", "người", "vi", integer=True)
    renderer = laid_out(figure)
    assert overlapping(axes.yaxis, renderer) == []
    assert len(axes.get_yticklabels()) >= 2


def test_the_old_default_overlapped():
    """What the issue saw ("0 400 800 1.2001.6002.000…"): matplotlib's default on a narrow panel does overlap,
    so the test above does catch it."""
    import matplotlib

    from khuyenhoc.render.charts import STYLE

    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(4.0, 3), layout="constrained", dpi=110)
        axes = figure.add_subplot()
        axes.barh(["a", "b"], [0, 654_321])
        axes.xaxis.set_major_formatter(ticks.number_formatter("vi", 0))
        renderer = laid_out(figure)
    assert ("100.000", "200.000") in overlapping(axes.xaxis, renderer)


def test_amount_axis_in_its_scale():
    axes, _ = drawn_axes(6, 21_150_530_000, "x", amounts=True)
    assert axes.get_xlabel() == "tỷ đồng"
    assert [t.get_text() for t in axes.get_xticklabels()] == ["0", "5", "10", "15", "20"]
    axes, _ = drawn_axes(6, 343_380_000, "x", amounts=True)
    assert axes.get_xlabel() == "triệu đồng" and "300" in [t.get_text() for t in axes.get_xticklabels()]
    assert ticks.amount_unit([950_000], "en") == (1, "VND")


def test_number_formatter_keeps_the_decimals_a_tick_needs():
    formatter = ticks.number_formatter("vi", None, 1e9)
    assert [formatter(v) for v in (0, 250_000_000, 1_500_000_000, 2_000_000_000)] == ["0", "0,25", "1,5", "2"]


def test_year_axis_whole_years_only():
    figure = Figure(figsize=(2.5, 2), layout="constrained", dpi=110)
    axes = figure.add_subplot()
    years = list(range(2005, 2025))
    axes.plot(years, range(20))
    ticks.year_axis(axes, years)
    renderer = laid_out(figure)
    labels = [t.get_text() for t in axes.get_xticklabels()]
    assert labels and all(label.isdigit() and 2005 <= int(label) <= 2024 for label in labels)
    assert overlapping(axes.xaxis, renderer) == []


def test_wrap_to_measures_and_keeps_dollars():
    font = FontProperties(family="DejaVu Sans", size=12, weight="bold")
    wrapped = ticks.wrap_to(r"Xã $\undefined$ có tên rất dài " * 4, 200, font)
    assert wrapped.count("\n") >= 2 and r"$\undefined$" in wrapped
    assert all(ticks._label_width(line, font) <= 200 for line in wrapped.split("\n"))


def test_a_label_is_measured_once_per_font(monkeypatch):
    """Matplotlib asks the locator for ticks dozens of times per drawing: each label is measured once per font."""
    measured = []
    original = ticks._TEXT.get_text_width_height_descent

    def counting(label, font, ismath):
        measured.append((label, font.get_size_in_points()))
        return original(label, font, ismath)

    monkeypatch.setattr(ticks, "_WIDTHS", {}, raising=False)  # nothing remembered from other tests
    monkeypatch.setattr(ticks._TEXT, "get_text_width_height_descent", counting)
    drawn_axes(4.0, 654_321, "x")
    drawn_axes(4.0, 654_321, "x")  # a second chart of the same labels measures nothing again
    assert measured and len(measured) == len(set(measured))


def test_remembered_ticks_follow_the_font_and_the_axis_length():
    """The ticks a locator remembers are those it would choose afresh: a larger font or a shorter axis changes them."""
    import matplotlib

    from khuyenhoc.render.charts import STYLE

    def labels(axes):
        laid_out(axes.figure)
        return [t.get_text() for t in axes.get_xticklabels()]

    def fresh(width: float, size: float):
        with matplotlib.rc_context(STYLE | {"xtick.labelsize": size}):
            figure = Figure(figsize=(width, 3), layout="constrained", dpi=110)
            axes = figure.add_subplot()
            axes.barh(["a", "b"], [0, 21_150])
            ticks.value_axis(axes, "x", "người", "vi", integer=True)
        return axes

    axes = fresh(4.0, 10)
    assert labels(axes) == labels(fresh(4.0, 10)) == ["0", "5.000", "10.000", "15.000", "20.000"]
    axes.tick_params(axis="x", labelsize=20)
    assert labels(axes) == labels(fresh(4.0, 20)) == ["0", "10.000", "20.000"]
    axes.figure.set_size_inches(2.5, 3)
    assert labels(axes) == labels(fresh(2.5, 20)) == ["0", "20.000"]
