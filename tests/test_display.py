"""Showing summaries in a notebook: everything data-derived is escaped; figures are PNG images.

IPython's HTML and Image classes are taken from khuyenhoc.render.display (IPython comes with ipykernel, not declared itself)."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from khuyenhoc.i18n import text
from khuyenhoc.indicators import analyse
from khuyenhoc.render import display as show
from khuyenhoc.render.charts import members_by_unit
from khuyenhoc.reports.annual import AnnualSummary
from khuyenhoc.reports.profile import UnitProfile
from khuyenhoc.reports.trends import Trends
from khuyenhoc.table import table_from_frame

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"


@pytest.fixture
def shown(monkeypatch) -> list:
    """Every object the module hands to IPython's display."""
    objects: list = []
    monkeypatch.setattr(show, "display", objects.append)
    return objects


def html_of(objects: list) -> str:
    assert all(isinstance(o, show.HTML) for o in objects)
    return "".join(o.data for o in objects)


def test_table_escapes_cells_and_headers(shown):
    show.table(pd.DataFrame({SCRIPT: [IMG, "Xã Xuất Hóa"], "Giá trị": ["9.123 người", "a & b"]}))
    html = html_of(shown)
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "Xã Xuất Hóa" in html and "9.123\u00a0người" in html and "a &amp; b" in html
    assert 'class="dataframe kh-table' in html
    assert "<th>" not in html.split("<tbody>")[1]  # no index column


def test_a_figure_and_its_unit_stay_on_one_line_and_other_cells_are_left_alone():
    assert show.keep_together("264.815 lượt người") == "264.815\u00a0lượt\u00a0người"
    assert show.keep_together("19.882.930.000 đồng") == "19.882.930.000\u00a0đồng"
    assert show.keep_together("-2,4 điểm phần trăm") == "-2,4\u00a0điểm\u00a0phần\u00a0trăm"
    assert show.keep_together("Xã Một Hai") == "Xã Một Hai"  # a name
    assert show.keep_together("2024 (tính lại)") == "2024 (tính lại)"  # not a unit
    assert show.keep_together("12 xã chưa mở lớp tập huấn nào") == "12 xã chưa mở lớp tập huấn nào"  # a sentence
    assert show.keep_together(9123) == 9123



def test_table_classes_mark_text_columns_and_a_row_number():
    per_unit = pd.DataFrame({"TT": ["1", ""], "Đơn vị": ["Xã Một", "Cộng"], "Quỹ": ["30.294.000 đồng", "—"], "Tăng": ["+2,0 điểm phần trăm", 3]})
    assert show.table_classes(per_unit) == ["kh-table", "kh-numbered", "kh-text-2"]
    checks = pd.DataFrame({"Đơn vị": ["Xã Một"], "Chỉ tiêu": ["Tổng quỹ khuyến học"], "Năm 2024": ["5,6%"]})
    assert show.table_classes(checks) == ["kh-table", "kh-text-2"]
    assert show.table_classes(pd.DataFrame({"Chỉ tiêu": ["Số hội viên"], "Giá trị": ["9.123 người"]})) == ["kh-table"]
    assert show.table_classes(pd.DataFrame({"Năm": ["2024 (tính lại)"], "Ghi chú": ["12 xã chưa mở lớp tập huấn nào"]})) == ["kh-table", "kh-text-2"]


def test_table_empty_message_escaped(shown):
    show.table(None, "Không có <b>năm 2008</b>")
    show.table(pd.DataFrame(), "")
    assert [o.data for o in shown] == ["<p>Không có &lt;b&gt;năm 2008&lt;/b&gt;</p>", "<p></p>"]


def test_paragraphs_escape(shown):
    show.paragraphs(["Năm 2013 có 9.123 hội viên.", f"Đơn vị {SCRIPT} và {IMG}."])
    html = html_of(shown)
    assert html == ('<div class="kh-narrative"><p>Năm 2013 có 9.123 hội viên.</p>'
                    "<p>Đơn vị &lt;script&gt;alert(1)&lt;/script&gt; và &lt;img src=x onerror=alert(1)&gt;.</p></div>")


def test_heading_escapes(shown):
    show.heading(f"Hồ sơ {SCRIPT}", 1)
    show.heading("Biểu đồ")
    assert [o.data for o in shown] == ["<h1>Hồ sơ &lt;script&gt;alert(1)&lt;/script&gt;</h1>", "<h2>Biểu đồ</h2>"]


def test_banner_escapes(shown):
    show.banner(IMG)
    html = html_of(shown)
    assert '<div class="kh-banner">&lt;img src=x onerror=alert(1)&gt;</div>' in html
    assert "<img" not in html


def test_section(shown):
    show.section("comparison", "vi", previous=2012)
    show.section("findings", "en")
    assert [o.data for o in shown] == ["<h2>So sánh với năm 2012</h2>", f"<h2>{text('section.findings', 'en')}</h2>"]


def test_figure_is_a_png_image(shown, sample_table):
    show.figure(members_by_unit(analyse(sample_table).named_scopes(2013), 2013))
    (image,) = shown
    assert isinstance(image, show.Image)
    assert image.format == "png"
    assert image.data.startswith(b"\x89PNG")


class TestTitle:
    def test_annual_with_illustrative_banner(self, shown, town_summary):
        show.title(town_summary)
        html = html_of(shown)
        assert "<h1>Tổng kết công tác khuyến học năm 2013 — Hội Khuyến học thị xã Bắc Kạn</h1>" in html
        assert f'<div class="kh-banner">{text("illustrative", "vi")}</div>' in html
        assert text("synthetic", "vi") not in html

    def test_english(self, shown, sample_table):
        show.title(Trends(analyse(sample_table), 2009, 2013, "en"))
        html = html_of(shown)
        assert f"<h1>{text('title.trends', 'en', start=2009, end=2013)}</h1>" in html
        assert text("illustrative", "en") in html

    def test_no_banner_for_real_data(self, shown, sample_frame):
        sample_frame["note"] = None
        show.title(UnitProfile(analyse(table_from_frame(sample_frame)), 2013, "duc-xuan"))
        assert [o.data for o in shown] == ["<h1>Hồ sơ Hội Khuyến học phường Đức Xuân, năm 2013</h1>"]

    def test_unit_name_escaped(self, shown, sample_frame):
        sample_frame.loc[sample_frame["unit_id"] == "duc-xuan", "unit_name"] = SCRIPT
        sample_frame["note"] = None
        show.title(UnitProfile(analyse(table_from_frame(sample_frame)), 2013, "duc-xuan"))
        assert shown[0].data == "<h1>Hồ sơ Hội Khuyến học &lt;script&gt;alert(1)&lt;/script&gt;, năm 2013</h1>"

    def test_synthetic_banner(self, shown, sample_frame):
        sample_frame["note"] = "Số liệu giả lập (synthetic)"
        show.title(AnnualSummary(analyse(table_from_frame(sample_frame)), 2013, "en"))
        assert text("synthetic", "en") in html_of(shown)


def test_whole_annual_summary_is_escaped(shown, sample_frame):
    """Every displayed piece of a summary whose unit names are HTML stays inert."""
    for unit, name in (("xuat-hoa", SCRIPT), ("nong-thuong", IMG)):
        sample_frame.loc[sample_frame["unit_id"] == unit, "unit_name"] = name
    summary = AnnualSummary(analyse(table_from_frame(sample_frame)), 2013)
    show.title(summary)
    show.paragraphs(summary.narrative())
    show.table(summary.key_indicators())
    show.table(summary.comparison())
    show.table(summary.ranking())
    show.table(summary.findings_table())
    html = html_of(shown)
    assert "<script" not in html and "<img" not in html
    assert html.count("&lt;script&gt;") >= 3  # narrative, ranking, findings


def test_figure_carries_its_alt_text(shown, sample_table):
    show.figure(members_by_unit(analyse(sample_table).named_scopes(2013), 2013))
    show.figure(members_by_unit(analyse(sample_table).named_scopes(2013), 2013), alt="Mô tả <riêng>")
    first, second = shown
    assert first.metadata["alt"] == ("Số hội viên theo đơn vị, năm 2013: cao nhất là Phường Nguyễn Thị Minh Khai (1.692 người), "
                                     "thấp nhất là Xã Dương Quang (595 người).")
    assert second.metadata["alt"] == "Mô tả <riêng>"


def test_tables_scroll_on_a_phone(shown):
    show.table(pd.DataFrame({"a": [1]}))
    assert '<div class="kh-table-wrap"><table' in html_of(shown)
    assert ".kh-table-wrap { overflow-x: auto;" in html_of(shown)


def test_html_report_alt_text_and_print_css(sample_table):
    """The report template: the chart's description as alt (never nbconvert's placeholder), A4 pages, headings kept
    with what follows, table rows not split."""
    import nbformat
    from IPython.core.formatters import format_display_data

    from khuyenhoc.runner.export import to_html

    data, metadata = format_display_data(show.Image(data=b"\x89PNG\r\n\x1a\n", format="png", metadata={"alt": "Biểu đồ <hội viên> & quỹ"}))
    cell = nbformat.v4.new_code_cell("x", outputs=[nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo="},
                                                                           metadata={"image/png": metadata.get("image/png", {})})])
    heading = nbformat.v4.new_markdown_cell("## Biểu đồ")  # the print rules for headings stay only where a page has headings
    html = to_html(nbformat.v4.new_notebook(cells=[heading, cell]), "Báo cáo", "vi")
    assert 'alt="Biểu đồ &lt;hội viên&gt; &amp; quỹ"' in html
    assert "No description has been provided" not in html
    css = re.sub(r"\s+", "", html)  # the runner's CSS pruning rewrites white space, not rules
    assert "@page{size:A4;" in css
    assert "break-after:avoid" in css and "tr,img,.jp-RenderedImage{break-inside:avoid;" in css


def test_a_long_table_is_folded_one_click_away(shown):
    """More than BODY_ROWS rows: the whole table inside <details> (as the Word report puts it in an annex)."""
    long = pd.DataFrame({"Đơn vị": [f"Xã {n}" for n in range(16)], "Hội viên": [str(n) for n in range(16)]})
    show.table(long, lang="vi")
    html = html_of(shown)
    assert '<details class="kh-fold"><summary>Xem toàn bộ bảng (16 dòng)</summary>' in html and "Xã 15" in html
    shown.clear()
    show.table(long.head(15), lang="vi")
    assert "<details" not in html_of(shown)


def test_spreads_of_a_province_and_none_for_a_town(shown, town_summary, synthetic_province):
    show.spreads(town_summary)
    assert shown == []  # eight units: their table is short enough
    province = AnnualSummary(synthetic_province, 2025, area_id=synthetic_province.table.tree.roots(2025)[0])
    show.spreads(province)
    html = html_of(shown)
    assert "<h3>Số đơn vị theo tỷ lệ hội viên trên dân số, năm 2025</h3>" in html
    assert "Tỷ lệ hội viên trên dân số cao nhất ở xã" in html and "thấp nhất ở xã" in html
    assert "<td>Cộng</td>" in html and f"<td>{len(province.units)}</td>" in html
