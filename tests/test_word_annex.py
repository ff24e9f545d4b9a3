"""The Word report at any size (issue 18, items 1 and 4): a body that does not grow with the units, the per-unit
tables in numbered annexes, column widths from their content, section I.5 on the learning society, the issuer's own
voice, the committee's placeholders, the closing lines and the form around them."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta

import docx
import pytest
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_COLOR_INDEX
from docx.oxml.ns import qn

from khuyenhoc.i18n import text
from khuyenhoc.indicators import analyse
from khuyenhoc.reports.annual import AnnualSummary
from khuyenhoc.reports.overview import BODY_ROWS, NAMED, section_spread
from khuyenhoc.reports.tables import report_tables
from khuyenhoc.render.word import LANDSCAPE_MM, PORTRAIT_MM, content_widths, table_layout, to_docx
from khuyenhoc.sample import synthetic_table
from khuyenhoc.table import table_from_frame

PLACEHOLDERS = ("leadership", "organisation", "support", "propaganda", "causes", "tasks", "recommendations")


def read(summary: AnnualSummary) -> docx.document.Document:
    return docx.Document(io.BytesIO(to_docx(summary)))


def blocks(document) -> list[tuple[str, object]]:
    """The body in order: ("p", text) for a paragraph with text, ("t", table) for a table, ("s", None) where a section
    ends."""
    found = []
    paragraphs = {p._p: p for p in document.paragraphs}
    tables = {t._tbl: t for t in document.tables}
    for element in document.element.body.iterchildren():
        if element in paragraphs:
            if paragraphs[element].text:
                found.append(("p", paragraphs[element].text))
            if element.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None:
                found.append(("s", None))
        elif element in tables:
            found.append(("t", tables[element]))
    return found


def texts(document) -> list[str]:
    return [content for kind, content in blocks(document) if kind == "p"]


def body_before_annex(document) -> list[tuple[str, object]]:
    """The blocks before the first section break (the report up to its signature)."""
    found = blocks(document)
    return found[:found.index(("s", None))] if ("s", None) in found else found


@pytest.fixture(scope="module")
def province(synthetic_province) -> AnnualSummary:
    """The 2025 report of the synthetic province: about 190 communes under it."""
    root = synthetic_province.table.tree.roots(2025)[0]
    return AnnualSummary(synthetic_province, 2025, area_id=root)


@pytest.fixture(scope="module")
def province_document(province):
    return read(province)


@pytest.fixture(scope="module")
def town(town_summary) -> AnnualSummary:
    return town_summary


class TestAnnex:
    def test_a_province_keeps_its_per_unit_tables_in_numbered_annexes_after_the_signature(self, province, province_document):
        assert len(province.units) > BODY_ROWS
        found = blocks(province_document)
        body = body_before_annex(province_document)
        # the body: short tables only (the bands, the learning titles), and the signature last
        assert all(len(table.rows) <= BODY_ROWS + 2 for kind, table in body if kind == "t")
        assert body[-1][0] == "t" and "TM. BAN CHẤP HÀNH" in body[-1][1].rows[0].cells[1].text
        annex = found[len(body):]
        captions = [content for kind, content in annex if kind == "p" and content.startswith("Phụ lục")]
        assert [content for kind, content in annex if kind == "p"][0] == "PHỤ LỤC"
        assert captions == [f"Phụ lục {n}. {table.title}" for n, table in enumerate(report_tables(province), start=1)]
        annexed = [table for kind, table in annex if kind == "t"]
        assert [len(table.rows) for table in annexed] == [1 + len(table.rows) + 1 for table in report_tables(province)]
        assert len(province_document.sections) == 1 + len(annexed)  # one section (page) per annex

    def test_the_body_points_to_each_annex(self, province, province_document):
        lines = texts(province_document)
        assert [line for line in lines if line.startswith("Số liệu của từng đơn vị")] == [  # the groups' tables too
            f"Số liệu của từng đơn vị tại Phụ lục {n}." for n in range(1, len(report_tables(province)) + 1)]

    def test_an_annex_turns_its_page_when_it_is_wide(self, province, province_document):
        for section, table in zip(province_document.sections[1:], report_tables(province), strict=True):
            wide = sum(table_layout(table, "vi")[3]) > PORTRAIT_MM + 0.5
            assert (section.orientation == WD_ORIENT.LANDSCAPE) is wide
            assert round(section.page_width.mm) == (297 if wide else 210)
            assert not section.different_first_page_header_footer  # the page number on every annex page

    def test_a_table_too_wide_for_an_upright_page_turns_it(self, province, monkeypatch):
        import khuyenhoc.render.word as word

        monkeypatch.setattr(word, "PORTRAIT_MM", 60)  # as if every annex were wider than the page
        document = read(province)
        assert [(s.orientation, round(s.page_width.mm), round(s.page_height.mm)) for s in document.sections[1:]] == [
            (WD_ORIENT.LANDSCAPE, 297, 210)] * len(report_tables(province))
        widths = [sum(int(c.get(qn("w:w"))) for c in t._tbl.tblGrid.findall(qn("w:gridCol"))) / 56.7
                  for t in document.tables[-len(report_tables(province)):]]
        assert all(60 < width <= LANDSCAPE_MM + 1 for width in widths)

    def test_a_town_of_eight_units_keeps_its_tables_in_the_body(self, town_document):
        assert "PHỤ LỤC" not in texts(town_document) and len(town_document.sections) == 1
        assert [len(t.rows) for t in town_document.tables[1:-1]] == [10, 10, 10, 11]  # header, 8 units, (own fund), total

    def test_the_body_stays_short_whatever_the_number_of_units(self, province_document, town_document):
        """Paragraphs and table rows before the annex: a province of 192 communes is not much longer than a town."""
        def length(document):
            return sum(1 if kind == "p" else len(content.rows) for kind, content in body_before_annex(document) if kind != "s")
        assert length(province_document) < 2.5 * length(town_document)


class TestSpread:
    def test_bands_count_every_unit_once(self, province):
        spread = section_spread(province, "members")
        shares = province.frames.scopes(2025, province.units)["members_per_population_pct"].dropna()
        assert [label for label, _, _ in spread.bands] == ["Dưới 10%", "Từ 10% đến dưới 20%", "Từ 20% đến dưới 30%", "Từ 30% đến dưới 40%",
                                                           "Từ 40% trở lên"]
        assert [count for _, count, _ in spread.bands] == [(shares < 10).sum(), ((shares >= 10) & (shares < 20)).sum(),
                                                           ((shares >= 20) & (shares < 30)).sum(), ((shares >= 30) & (shares < 40)).sum(),
                                                           (shares >= 40).sum()]
        assert spread.reported == len(shares) == sum(count for _, count, _ in spread.bands)

    def test_the_strongest_and_weakest_by_name(self, province):
        spread = section_spread(province, "fund")
        values = province.frames.scopes(2025, province.units)["fund_per_member_vnd"].dropna().sort_values()
        names = province.table.unit_names
        assert len(spread.strongest) == len(spread.weakest) == NAMED
        assert spread.strongest[0][0] == names[values.index[-1]].replace("Xã", "xã", 1)
        assert spread.weakest[0][0] == names[values.index[0]].replace("Xã", "xã", 1)
        assert spread.weakest[0][1].endswith("đồng/hội viên")

    def test_training_bands_are_whole_counts_and_name_no_weakest(self, province):
        spread = section_spread(province, "training")
        assert [label for label, _, _ in spread.bands] == ["0", "Từ 1 đến 2", "Từ 3 đến 5", "Từ 6 đến 10", "Từ 11 trở lên"]
        classes = province.frames.scopes(2025, province.units)["training_classes"]
        assert spread.bands[0][1] == (classes == 0).sum()
        assert spread.weakest == ()

    def test_the_body_shows_the_bands_and_names_at_most_five(self, province_document):
        lines = texts(province_document)
        members = next(line for line in lines if line.startswith("Tỷ lệ hội viên trên dân số cao nhất ở "))
        high, low = members.split("; thấp nhất ở ")
        assert high.count("xã ") == NAMED and low.count("xã ") == NAMED
        assert "Bảng 1. Số đơn vị theo tỷ lệ hội viên trên dân số, năm 2025" in lines


class TestWidths:
    def test_figures_and_tt_never_narrower_than_their_widest_cell(self):
        headers, rows = ["TT", "Đơn vị", "Quỹ năm 2025"], [["211", "Xã Nguyễn Thị Minh Khai", "22.019.797.000"]]
        widths = content_widths(headers, rows, [False, True, False])
        assert sum(widths) == pytest.approx(PORTRAIT_MM)
        narrow = content_widths(headers, rows, [False, True, False], available=0)  # the minimum each column needs
        assert narrow[0] < narrow[2] and all(w >= m for w, m in zip(widths, narrow, strict=True))
        assert content_widths(["TT"], [["2111"]], [False], 0)[0] > content_widths(["TT"], [["211"]], [False], 0)[0]

    def test_every_table_fits_its_page(self, province, town):
        for summary in (province, town):
            for table in report_tables(summary):
                widths = table_layout(table, summary.lang)[3]
                assert sum(widths) <= LANDSCAPE_MM + 0.5, table.key


class TestForm:
    def test_placeholders_for_the_committee_highlighted(self, town_document):
        runs = [run for p in town_document.paragraphs for run in p.runs if run.font.highlight_color == WD_COLOR_INDEX.YELLOW]
        assert [run.text for run in runs] == [text("word.fill", "vi", what=text(f"word.fill_{key}", "vi")) for key in PLACEHOLDERS]
        assert all(run.text.startswith("[Ban Chấp hành bổ sung: ") for run in runs)

    def test_the_assessment_closes_part_one(self, town_document):
        lines = texts(town_document)
        assessment = next(n for n, line in enumerate(lines) if line.startswith("Nhìn chung"))
        assert assessment < lines.index("II. HẠN CHẾ, TỒN TẠI")
        assert not any(line.startswith("Nhìn chung") for line in lines[lines.index("III. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM 2014"):])

    def test_part_three_in_the_issuers_own_voice_and_part_four(self, town_document):
        lines = texts(town_document)
        start = lines.index("III. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM 2014")
        assert lines[start + 1] == "Năm 2014, Hội Khuyến học thị xã Bắc Kạn tập trung thực hiện một số nhiệm vụ trọng tâm sau:"
        assert "đề nghị Hội Khuyến học" not in " ".join(lines)
        assert lines.index("IV. KIẾN NGHỊ") > start

    def test_the_report_ends_with_its_summary_line_before_the_signature(self, town_document):
        body = body_before_annex(town_document)
        assert body[-2] == ("p", "Trên đây là báo cáo tổng kết công tác khuyến học năm 2013 và phương hướng, nhiệm vụ năm 2014 "
                                 "của Hội Khuyến học thị xã Bắc Kạn.")

    def test_the_draft_mark_is_a_header_not_body_text(self, town_document):
        assert not any("Dự thảo" in line for line in texts(town_document))
        header = town_document.sections[0].first_page_header
        assert header.paragraphs[0].text == text("word.draft_header", "vi")

    def test_properties_name_the_issuer_and_the_run(self, town_document):
        properties = town_document.core_properties
        assert properties.author == properties.last_modified_by == "HỘI KHUYẾN HỌC THỊ XÃ BẮC KẠN"
        assert properties.title == "BÁO CÁO Tổng kết công tác khuyến học năm 2013 và phương hướng, nhiệm vụ năm 2014"
        assert datetime.now(UTC) - properties.created.replace(tzinfo=UTC) < timedelta(minutes=10)


class TestLearningSociety:
    def test_part_five_with_its_table_when_the_data_has_the_titles(self, province, province_document):
        lines = texts(province_document)
        assert province.targets and "5. Xây dựng xã hội học tập" in lines
        start = lines.index("5. Xây dựng xã hội học tập")
        assert lines[start + 1] == province.target_sentences()[0]
        assert "Bảng 4. Các danh hiệu học tập so với mục tiêu, năm 2025" in lines
        table = next(t for t in province_document.tables if t.rows[0].cells[0].text == "Chỉ tiêu")
        assert len(table.rows) == 1 + len(province.targets)
        assert table.rows[1].cells[1].text == province.targets_table().iat[0, 1]

    def test_no_part_five_without_titles(self, town_document):
        assert not any(line.startswith("5. ") for line in texts(town_document))


@pytest.fixture(scope="module")
def district():
    frame = synthetic_table(30, [2023, 2024], seed=2, shape="three-tier")
    table = table_from_frame(frame)
    district = next(unit for unit in table.tree.areas(2024) if table.tree.parent(unit, 2024) is not None)
    return AnnualSummary(analyse(table), 2024, area_id=district)


class TestAssociations:

    def test_the_recipients_start_with_the_association_above(self, district):
        document = read(district)
        left = document.tables[-1].rows[0].cells[0]
        parent = district.table.unit_names[district.table.tree.parent(district.scope, 2024)]
        assert left.paragraphs[1].text == f"- Hội Khuyến học {parent.replace('Tỉnh', 'tỉnh', 1)} (để báo cáo);"

    def test_the_fund_an_association_holds_is_attributed_to_it(self, district):
        fund = report_tables(district)[-1]
        own = [row[1] for row in fund.rows if row[0] is None]
        name = district.name.replace("Huyện", "huyện", 1)
        assert own in ([], [f"Quỹ do Hội Khuyến học {name} trực tiếp quản lý"])
        if own:
            assert "Quỹ do Huyện" not in own[0]

    def test_a_report_without_a_parent_leaves_the_recipients_to_fill(self, town_document):
        left = town_document.tables[-1].rows[0].cells[0]
        assert [p.text for p in left.paragraphs] == ["Nơi nhận:", "- ………………;", "- ………………;", "- ………………;", "- Lưu: VT."]


# --- LibreOffice: the pages a secretary prints -------------------------------------------------------------------------

NEEDS_SOFFICE = pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                                   reason="LibreOffice (soffice) and poppler-utils (pdftotext) are needed")


def to_pdf(summary: AnnualSummary, folder, name: str):
    path = folder / f"{name}.docx"
    path.write_bytes(to_docx(summary))
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(folder), str(path)], check=True,
                   capture_output=True, timeout=300)
    return folder / f"{name}.pdf"


def pdf_pages(pdf) -> list[str]:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout.split("\f")


@pytest.mark.slow
@NEEDS_SOFFICE
@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("which", ["town", "province"])
def test_every_number_of_every_table_intact_in_libreoffice(which, lang, request, tmp_path):
    """Each figure and TT of each table, and each word of its headers, is one token in the PDF's text: no
    "1.389.025.00 / 0", no "21 / 1"."""
    base = request.getfixturevalue(which)
    summary = AnnualSummary(base.analysis, base.year, lang=lang, area_id=base.area_id)
    words = set()
    for page in pdf_pages(to_pdf(summary, tmp_path, f"{which}-{lang}")):
        words.update(page.split())
    figure = re.compile(r"^[+-]?\d[\d.,]*%?$")
    for table in report_tables(summary):
        for row in table.shown(lang):
            for cell in row:
                if figure.match(cell):
                    assert cell in words, (table.key, cell)
        for column in table.columns:  # nor a header broken inside a word ("Populati / on")
            assert all(word in words for word in column.header.split()), (table.key, column.header)


@pytest.mark.slow
@NEEDS_SOFFICE
def test_a_province_of_about_200_communes_has_at_most_ten_pages_before_the_annex(province, tmp_path):
    pages = pdf_pages(to_pdf(province, tmp_path, "province"))
    annex = next(n for n, page in enumerate(pages) if page.strip().splitlines() and "PHỤ LỤC" in page)
    assert 1 <= annex <= 10  # pages 1..annex hold the body and the signature; the annex starts on a page of its own
    assert "TM. BAN CHẤP HÀNH" in pages[annex - 1]


def test_a_province_with_districts_shows_a_line_per_district_and_the_bands_of_its_communes():
    table = table_from_frame(synthetic_table(60, [2024], seed=5, shape="three-tier"))
    province = AnnualSummary(analyse(table), 2024, area_id=table.tree.roots(2024)[0])
    districts = province.units
    assert 1 < len(districts) <= BODY_ROWS
    document = read(province)
    lines = texts(document)
    assert "PHỤ LỤC" not in lines and len(document.sections) == 1
    assert "Bảng 1. Số đơn vị cơ sở theo tỷ lệ hội viên trên dân số, năm 2024" in lines
    members = next(t for t in document.tables if t.rows[0].cells[1].text == "Đơn vị" and "Hội viên" in t.rows[0].cells[2].text)
    assert [row.cells[1].text for row in members.rows[1:-1]] == [table.unit_names[unit] for unit in districts]
    spread = section_spread(province, "members")
    assert spread.grassroots and spread.reported == 60


def test_a_file_of_several_areas_ends_with_the_association_in_its_official_capitals():
    frame = synthetic_table(60, [2024], seed=6, shape="three-tier")
    frame = frame[frame["level"] != "tỉnh"].copy()
    frame.loc[frame["level"] == "huyện", "parent_id"] = None  # districts with no province: several roots
    table = table_from_frame(frame)
    summary = AnnualSummary(analyse(table), 2024)
    assert summary.name is None
    lines = texts(read(summary))
    assert lines[lines.index("IV. KIẾN NGHỊ") + 2].endswith("nhiệm vụ năm 2025 của Hội Khuyến học.")
