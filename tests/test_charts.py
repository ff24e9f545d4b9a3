"""Charts: titles in the chosen language, Vietnamese number separators, the illustrative caption, PNG output."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import pytest
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from test_ticks import laid_out

from khuyenhoc.i18n import indicator_label, text
from khuyenhoc.indicators import analyse
from khuyenhoc.render import charts
from khuyenhoc.reports.profile import UnitProfile
from khuyenhoc.reports.trends import Trends
from khuyenhoc.table import table_from_frame

# The charts take plain values; these build them from a table as the report models do.
def _analysis(table):
    return analyse(table)


def members_by_unit(table, year, lang="vi"):
    return charts.members_by_unit(_analysis(table).named_scopes(year), year, lang, table.notes(lang))


def training_by_unit(table, year, lang="vi"):
    return charts.training_by_unit(_analysis(table).named_scopes(year), year, lang, table.notes(lang))


def fund_by_level(table, year, lang="vi"):
    return charts.fund_by_level(_analysis(table).frames.whole.loc[year], year, lang, table.notes(lang))


def trend(table, year, lang="vi"):
    return charts.trend(_analysis(table).scope_series("all", year), lang, table.notes(lang))


def unit_trend(table, unit_id, year, lang="vi"):
    values = _analysis(table).frames.units.xs(unit_id, level="unit_id")
    return charts.unit_trend(values[values.index <= year], table.unit_names[unit_id], lang, table.notes(lang))


def _ranked(table, year, unit_id):
    return UnitProfile(_analysis(table), year, unit_id).place_values()


def unit_place(table, year, unit_id, lang="vi"):
    return charts.unit_place(_ranked(table, year, unit_id), unit_id, table.unit_names, year, lang, table.notes(lang))


def unit_rank(table, year, unit_id, indicator, lang="vi"):
    return charts.unit_rank(_ranked(table, year, unit_id), unit_id, table.unit_names, year, indicator, lang, table.notes(lang))


def indicator_trends(table, start, end, lang="vi"):
    return charts.indicator_trends(Trends(_analysis(table), start, end, lang).values(), lang, table.notes(lang))


TRICKY_NAME = r"Xã $\undefined$ <b>Đặc biệt</b> 100$"  # mathtext would fail on this; HTML must stay text


def drawn(figure: Figure) -> Figure:
    laid_out(figure)  # tick labels are made at draw time
    return figure


def tick_texts(axis) -> list[str]:
    return [label.get_text() for label in axis.get_ticklabels()]


def title_of(figure: Figure) -> str:
    return figure.get_suptitle() or figure.axes[0].get_title()


# (function, arguments after the table, the title's text key, its values)
CHARTS = {
    "members_by_unit": (members_by_unit, (2013,), "chart.members_by_unit", {"year": 2013}),
    "fund_by_level": (fund_by_level, (2013,), "chart.fund_by_level", {"year": 2013}),
    "training_by_unit": (training_by_unit, (2013,), "chart.training_by_unit", {"year": 2013}),  # + its order, below
    "trend": (trend, (2013,), "chart.trend", {}),
    "unit_trend": (unit_trend, ("nong-thuong", 2013), "chart.unit_trend", {"unit": "Xã Nông Thượng"}),
}


@pytest.fixture(scope="module")
def sample_chart(sample_table):
    """(name in CHARTS, language, drawn) -> the sample's chart, built (and laid out) once for the module: the tests
    that take it only read it."""
    built, laid = {}, set()

    def chart(name: str, lang: str = "vi", laid_out: bool = False) -> Figure:
        if (name, lang) not in built:
            function, arguments, _, _ = CHARTS[name]
            built[name, lang] = function(sample_table, *arguments, lang=lang)
        if laid_out and (name, lang) not in laid:
            drawn(built[name, lang])
            laid.add((name, lang))
        return built[name, lang]

    return chart


@pytest.fixture(scope="module")
def sample_pngs(sample_table):
    """name in CHARTS -> (figure, its PNG, the warnings rendering it raised): the sample's Vietnamese charts, each
    rendered once for the module (what to_png caches: save_png writes these bytes)."""
    rendered = {}
    for name, (function, arguments, _, _) in CHARTS.items():
        figure = function(sample_table, *arguments, lang="vi")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")  # "Glyph ... missing from font" is recorded, every time
            data = charts.to_png(figure)
        rendered[name] = (figure, data, [str(w.message) for w in caught])
    return rendered


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("name", list(CHARTS))
def test_figure_and_title(sample_chart, name, lang):
    _, _, key, values = CHARTS[name]
    figure = sample_chart(name, lang)
    assert isinstance(figure, Figure)
    order = " " + text("chart.sorted_by", lang, indicator=indicator_label("training_classes", lang)) if name == "training_by_unit" else ""
    assert title_of(figure).replace("\n", " ") == text(key, lang, **values) + order


def test_titles_with_diacritics(sample_chart):
    assert sample_chart("members_by_unit").get_suptitle() == "Số hội viên theo đơn vị, năm 2013"
    assert sample_chart("fund_by_level").get_suptitle() == "Quỹ khuyến học theo cấp, năm 2013"
    assert sample_chart("trend").get_suptitle() == "Hội viên và quỹ khuyến học qua các năm"
    assert sample_chart("unit_trend").get_suptitle() == "Xã Nông Thượng qua các năm"
    assert sample_chart("members_by_unit", "en").get_suptitle() == "Members by unit, 2013"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_unit_place_titles(sample_table, lang):
    figure = unit_place(sample_table, 2013, "duc-xuan", lang)
    assert figure.get_suptitle() == text("chart.unit_place", lang, unit="Phường Đức Xuân", year=2013)
    titles = [axes.get_title() for axes in figure.axes]
    assert titles == [text("chart.rank_of", lang, indicator=indicator_label("members", lang), rank=2, count=8),
                      text("chart.rank_of", lang, indicator=indicator_label("fund_per_member_vnd", lang), rank=1, count=8)]
    assert max(len(line) for title in titles for line in title.splitlines()) <= 40


def test_unit_rank_highlights_the_unit(sample_table):
    rank = unit_rank(sample_table, 2013, "duc-xuan", "members")
    axes = drawn(rank).axes[0]
    bars = dict(zip(tick_texts(axes.yaxis), axes.patches, strict=True))
    assert list(bars)[-1] == "Phường Nguyễn Thị Minh Khai"  # sorted ascending: the most members at the top
    assert bars["Phường Đức Xuân"].get_width() == 1680
    highlighted = [name for name, bar in bars.items() if bar.get_facecolor() == to_rgba(charts.ACCENT)]
    assert highlighted == ["Phường Đức Xuân"]  # 2nd of 8: the house accent, not the alarm red
    assert not any(bar.get_facecolor() == to_rgba(charts.HIGHLIGHT) for bar in bars.values())
    assert charts.alt_text(rank).endswith(
        "Số hội viên: Phường Đức Xuân đứng thứ 2/8 (1.680 người).")
    assert charts.alt_text(unit_place(sample_table, 2013, "duc-xuan")) == (
        "Phường Đức Xuân so với các đơn vị, năm 2013. Số hội viên: Phường Đức Xuân đứng thứ 2/8 (1.680 người). "
        "Quỹ bình quân mỗi hội viên: Phường Đức Xuân đứng thứ 1/8 (45.897 đồng/hội viên).")  # 77.107.000 / 1.680


def test_unit_rank_of_the_district_row_names_it(sample_table):
    figure = unit_rank(sample_table, 2013, "thi-hoi", "members")
    assert "Hội Khuyến học thị xã Bắc Kạn" in figure.get_suptitle()
    assert len(figure.axes[0].patches) == 8  # the district row is not ranked


def test_indicator_trends_grouped_by_theme(sample_table):
    figure = drawn(indicator_trends(sample_table, 2010, 2013, "vi"))
    panels = [axes for axes in figure.axes if axes.get_visible() and axes.get_title()]
    assert [axes.get_title() for axes in panels] == [
        "Hội viên khuyến học", "Gia đình hiếu học", "Dòng họ hiếu học", "Lớp tập huấn", "Lượt người tham gia tập huấn", "Quỹ khuyến học"]
    line = panels[0].get_lines()[0]
    assert list(line.get_xdata()) == [2010, 2011, 2012, 2013]
    assert list(line.get_ydata()) == [7902, 8215, 8639, 9123]
    assert [text.get_text() for text in panels[2].get_legend().get_texts()] == ["Dòng họ đăng ký", "Dòng họ đạt chuẩn"]
    fund = panels[5]
    assert max(fund.get_lines()[0].get_ydata()) == 343_380_000 and "343" not in " ".join(tick_texts(fund.yaxis)[:1])
    assert tick_texts(fund.yaxis)[-2:] and all("." not in t for t in tick_texts(fund.yaxis))  # triệu đồng: 50, 100, …, not 100.000.000
    assert [axes.get_ylabel() for axes in panels] == ["người", "gia đình", "dòng họ", "lớp", "lượt người", "triệu đồng"]
    assert not any(axes.get_shared_x_axes().get_siblings(axes)[1:] for axes in panels)  # no twin axis drawn over a panel
    assert len(figure.axes) == 6  # one axes per panel (three rows of two): no second y axis


@pytest.fixture(scope="module")
def sample_trends(sample_table) -> Figure:
    """The sample's trends page chart (2009-2013, Vietnamese), laid out once for the module's readers."""
    return drawn(indicator_trends(sample_table, 2009, 2013, "vi"))


def test_counts_start_at_zero_with_whole_ticks(sample_trends, sample_chart):
    figure = sample_trends
    for axes in figure.axes:
        if axes.get_visible() and axes.get_lines():
            assert axes.get_ylim()[0] == 0, axes.get_title()
    clans = next(axes for axes in figure.axes if axes.get_title() == "Dòng họ hiếu học")
    ticks = [t for t in tick_texts(clans.yaxis) if t]
    assert ticks and all("," not in t for t in ticks) and len(set(ticks)) == len(ticks)  # 0 1 2 …, never "0 0 0 1 1 1"
    line = sample_chart("trend", laid_out=True).axes[0]
    assert line.get_ylim()[0] == 0


def test_titles_fit_inside_the_image(sample_table, sample_trends, sample_chart):
    for figure in (sample_trends, drawn(unit_rank(sample_table, 2013, "duc-xuan", "fund_per_member_vnd")),
                   sample_chart("training_by_unit", laid_out=True), sample_chart("members_by_unit", "en", laid_out=True)):
        renderer = figure.canvas.get_renderer()  # the one each was laid out with
        width = figure.bbox.width
        titles = [axes.title for axes in figure.axes] + ([figure._suptitle] if figure._suptitle else [])
        for title in titles:
            if title.get_text():
                box = title.get_window_extent(renderer)
                assert box.x0 >= 0 and box.x1 <= width + 1, title.get_text()


@pytest.mark.parametrize("name", list(CHARTS))
def test_every_chart_describes_itself(sample_chart, name):
    alt = charts.alt_text(sample_chart(name))
    assert len(alt) > 40 and any(ch.isdigit() for ch in alt), alt


class TestNumbers:
    def test_vietnamese_thousands_separator(self, sample_chart):
        ticks = tick_texts(sample_chart("members_by_unit", laid_out=True).axes[0].xaxis)
        assert "1.000" in ticks and "1,000" not in ticks

    def test_english_thousands_separator(self, sample_chart):
        ticks = tick_texts(sample_chart("members_by_unit", "en", laid_out=True).axes[0].xaxis)
        assert "1,000" in ticks and "1.000" not in ticks

    def test_trend_ticks(self, sample_chart):
        members, fund = sample_chart("trend", laid_out=True).axes
        assert tick_texts(members.xaxis) == ["2009", "2010", "2011", "2012", "2013"]
        assert "8.000" in tick_texts(members.yaxis) and members.get_ylabel() == "người"
        assert "300" in tick_texts(fund.yaxis)  # million đồng
        assert fund.get_title() == "Tổng quỹ khuyến học" and fund.get_ylabel() == "triệu đồng"

    def test_trend_stops_at_the_year(self, sample_table):
        members, _ = trend(sample_table, 2011).axes
        assert list(members.get_lines()[0].get_ydata()) == [7468, 7902, 8215]

    @pytest.mark.parametrize("lang, labels", [("vi", ["308 triệu đồng", "35,2 triệu đồng"]), ("en", ["308 million VND", "35.2 million VND"])])
    def test_fund_by_level_bar_labels(self, sample_chart, lang, labels):
        axes = sample_chart("fund_by_level", lang).axes[0]
        assert [t.get_text() for t in axes.texts] == labels
        assert axes.get_xlabel() == text("chart.million_vnd", lang)
        assert [p.get_width() for p in axes.patches] == [308_145_000, 35_235_000]

    def test_training_panels(self, sample_chart):
        figure = sample_chart("training_by_unit", laid_out=True)
        left, right = figure.axes
        assert left.get_title() == "Số lớp tập huấn" and right.get_title() == "Lượt người tham gia tập huấn"
        assert tick_texts(right.xaxis) == ["0", "1.000", "2.000", "3.000"] and right.get_xlabel() == "lượt người"
        assert left.get_xlabel() == "lớp"
        widths = dict(zip(tick_texts(left.yaxis), [p.get_width() for p in left.patches], strict=True))
        assert widths["Xã Xuất Hóa"] == 0 and widths["Phường Đức Xuân"] == 67


class TestIllustrative:
    @pytest.mark.parametrize("lang", ["vi", "en"])
    @pytest.mark.parametrize("name", list(CHARTS))
    def test_caption_for_the_sample(self, sample_chart, name, lang):
        assert sample_chart(name, lang).get_supxlabel() == text("illustrative", lang)

    def test_no_caption_for_real_data(self, sample_frame):
        sample_frame["note"] = None
        table = table_from_frame(sample_frame)
        assert members_by_unit(table, 2013).get_supxlabel() == ""
        assert indicator_trends(table, 2009, 2013).get_supxlabel() == ""


class TestPng:
    @pytest.mark.parametrize("name", list(CHARTS))
    def test_png_bytes_without_missing_glyphs(self, sample_pngs, name):
        _, data, caught = sample_pngs[name]
        assert caught == []  # no "Glyph ... missing from font"
        assert data.startswith(b"\x89PNG\r\n\x1a\n")
        assert len(data) > 5_000

    def test_indicator_trends_png(self, sample_table):
        assert charts.to_png(indicator_trends(sample_table, 2009, 2013, "en")).startswith(b"\x89PNG")

    def test_tricky_unit_name_renders_literally(self, sample_frame):
        sample_frame.loc[sample_frame["unit_id"] == "duc-xuan", "unit_name"] = TRICKY_NAME
        table = table_from_frame(sample_frame)
        members, training = members_by_unit(table, 2013), training_by_unit(table, 2013)
        rank, history = unit_rank(table, 2013, "duc-xuan", "members"), unit_trend(table, "duc-xuan", 2013)
        for figure in (members, training, rank, history):
            assert charts.to_png(figure).startswith(b"\x89PNG")
            figure.savefig(io.BytesIO(), format="png", dpi=20)  # also outside to_png (Jupyter's inline display): every text laid out again
        assert rank.get_suptitle().replace("\n", " ") == f"{TRICKY_NAME} so với các đơn vị, năm 2013"
        assert TRICKY_NAME in tick_texts(members.axes[0].yaxis)
        assert history.get_suptitle() == f"{TRICKY_NAME} qua các năm"


class TestSavePng:
    def test_writes_png_atomically(self, sample_pngs, tmp_path: Path):
        target = tmp_path / "figures" / "members.png"
        figure, data, _ = sample_pngs["members_by_unit"]
        written = charts.save_png(figure, target)
        assert written == target
        assert target.read_bytes() == data
        assert sorted(p.name for p in target.parent.iterdir()) == ["members.png"]

    def test_replaces_the_old_file(self, sample_pngs, tmp_path: Path):
        target = tmp_path / "trend.png"
        target.write_bytes(b"old")
        figure, data, _ = sample_pngs["trend"]
        charts.save_png(figure, target)
        assert target.read_bytes() == data
        assert [p.name for p in tmp_path.iterdir()] == ["trend.png"]

    def test_failure_keeps_the_old_file(self, sample_pngs, tmp_path: Path, monkeypatch):
        target = tmp_path / "trend.png"
        target.write_bytes(b"old")

        def broken(*args, **kwargs):
            raise OSError("disk full")

        monkeypatch.setattr("khuyenhoc.fsutil.os.fsync", broken)
        with pytest.raises(OSError, match="disk full"):
            charts.save_png(sample_pngs["trend"][0], target)
        assert target.read_bytes() == b"old"
        assert [p.name for p in tmp_path.iterdir()] == ["trend.png"]


def test_a_figure_is_rendered_once(sample_table, monkeypatch):
    figure = fund_by_level(sample_table, 2013)
    calls = []
    original = figure.draw
    monkeypatch.setattr(figure, "draw", lambda *a, **k: (calls.append(1), original(*a, **k))[1])
    assert charts.to_png(figure) == charts.to_png(figure)
    assert len(calls) == 1


def test_a_png_keeps_the_figure_as_it_was(sample_table):
    from PIL import Image

    figure = unit_place(sample_table, 2013, "duc-xuan")
    dpi, size = figure.dpi, tuple(figure.get_size_inches())
    image = Image.open(io.BytesIO(charts.to_png(figure)))
    assert image.size == tuple(round(inches * charts.STYLE["savefig.dpi"]) for inches in size)
    assert image.mode == "P" and len(image.getcolors()) <= charts.PNG_COLOURS  # a palette image
    assert (figure.dpi, tuple(figure.get_size_inches())) == (dpi, size)  # drawn at the style's resolution, then restored


def test_million_ticks_keep_the_decimals_they_need():
    from khuyenhoc.render.ticks import number_formatter

    formatter = number_formatter("vi", None, 1e6)
    assert [formatter(v, 0) for v in (4_000_000, 4_500_000, 5_000_000, 5_250_000)] == ["4", "4,5", "5", "5,25"]


def test_bar_charts_stay_readable_at_national_scale():
    from khuyenhoc.sample import synthetic_table
    from khuyenhoc.table import table_from_frame

    frame = synthetic_table(400, [2013], seed=3)
    table = table_from_frame(frame[frame["level"] == "xã"].drop(columns="parent_id"))  # 400 communes side by side
    members = members_by_unit(table, 2013)
    assert len(members.axes[0].patches) == charts.MAX_BARS - 1 == 14  # and one row for the 386 others
    assert members.get_suptitle().replace("\n", " ").endswith("(7 đơn vị thấp nhất và 7 cao nhất trong 400)")
    assert members.get_size_inches()[1] < 12
    by_members = table.frame[table.frame["level"] == "commune"].sort_values("members", ascending=False)["unit_id"]
    chosen = by_members.iloc[199]  # a middling unit: 200th of 400
    axes = drawn(unit_rank(table, 2013, chosen, "members")).axes[0]
    names = table.unit_names
    assert tick_texts(axes.yaxis) == [f"{names[u]} ({rank}/400)" for rank, u in zip(range(204, 195, -1), by_members.iloc[195:204][::-1], strict=True)]
    assert axes.get_title() == "Số hội viên: đứng thứ 200/400"
    top = drawn(unit_rank(table, 2013, by_members.iloc[0], "members")).axes[0]  # at the top: the nine ranked first
    assert [label.rsplit("(", 1)[1] for label in tick_texts(top.yaxis)] == [f"{rank}/400)" for rank in range(9, 0, -1)]
    assert len(charts.to_png(unit_place(table, 2013, chosen))) < 120_000


def test_a_chart_without_a_description_is_described_by_its_titles(sample_table):
    figure = Figure()
    figure.add_subplot().set_title("Tỷ lệ hộ đạt danh hiệu\nGia đình học tập")
    assert charts.alt_text(figure) == "Tỷ lệ hộ đạt danh hiệu Gia đình học tập"


def test_long_unit_names_are_wrapped_or_cut_inside_the_members_chart(sample_frame):
    """Issue 22, item 15: a long name was cut off at the image's left edge; it is wrapped, cut with "…" beyond three
    lines (issue 18), and given whole in the alt text."""
    long_name = "Hội Khuyến học xã " + "Phong Thịnh Hưng Long Phúc Lộc Thọ Khang An Bình " * 3  # 165 characters (limit: 200)
    sample_frame.loc[sample_frame["unit_id"] == "duc-xuan", "unit_name"] = long_name.strip()
    figure = members_by_unit(table_from_frame(sample_frame), 2013)
    renderer = laid_out(figure)
    labels = figure.axes[0].get_yticklabels()
    cut = next(label.get_text() for label in labels if label.get_text().startswith("Hội Khuyến học xã"))
    assert cut.count("\n") == 2 and cut.endswith("…") and all(len(line) <= charts.LABEL_WIDTH for line in cut.split("\n"))
    for label in labels:
        assert label.get_window_extent(renderer).x0 >= 0, label.get_text()
    assert long_name.strip() in charts.alt_text(figure)
    assert "Phường Đức Xuân" not in [label.get_text() for label in labels] and "Xã Dương Quang" in [label.get_text() for label in labels]


def test_long_unit_names_are_wrapped_whole_in_every_unit_chart(sample_frame):
    """Issue 18 item 5: a name of up to 120 characters is wrapped, never cut, in every chart of units, and stays in
    the image."""
    long_name = "Hội Khuyến học phường Nguyễn Thị Minh Khai thuộc thành phố Bắc Kạn, tỉnh Bắc Kạn (đơn vị thí điểm xã hội học tập)"
    assert len(long_name) <= 120
    sample_frame.loc[sample_frame["unit_id"] == "duc-xuan", "unit_name"] = long_name
    table = table_from_frame(sample_frame)
    for figure in (members_by_unit(table, 2013), training_by_unit(table, 2013), unit_rank(table, 2013, "duc-xuan", "members")):
        renderer = laid_out(figure)
        labels = figure.axes[0].get_yticklabels()
        mine = next(label for label in labels if label.get_text().startswith("Hội Khuyến học phường"))
        assert " ".join(mine.get_text().split("\n")).startswith(long_name) and "…" not in mine.get_text()
        box = mine.get_window_extent(renderer)
        assert box.x0 >= 0 and box.y0 >= 0 and box.y1 <= figure.bbox.height
