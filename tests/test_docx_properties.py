"""A Word document's own properties, set from the report: khuyenhoc/docx_properties.py."""

from __future__ import annotations

from datetime import UTC, datetime

import docx
from docx.oxml.ns import qn

from khuyenhoc.docx_properties import APPLICATION, CORE_LIMIT, core_text, set_properties


def test_core_text_is_one_line_without_what_xml_refuses_and_within_the_limit():
    assert core_text("Báo cáo\ntổng kết\x00 năm  2013") == "Báo cáo tổng kết năm 2013"
    long = core_text("Hội Khuyến học " * 40)
    assert len(long) == CORE_LIMIT and long.endswith("…")


def _app_xml(document) -> str:
    return next(part.blob for part in document.part.package.parts if str(part.partname) == "/docProps/app.xml").decode()


def test_properties_come_from_the_report_and_none_from_the_template():
    document = docx.Document()
    when = datetime(2014, 1, 15, 8, 30, 5, 123456, tzinfo=UTC)
    set_properties(document, "Báo cáo tổng kết\nnăm 2013", "Hội Khuyến học tỉnh Bắc Kạn", "vi", when)
    core = document.core_properties
    assert (core.title, core.author, core.last_modified_by) == ("Báo cáo tổng kết năm 2013", "Hội Khuyến học tỉnh Bắc Kạn", "Hội Khuyến học tỉnh Bắc Kạn")
    assert core.created == core.modified == datetime(2014, 1, 15, 8, 30, 5, tzinfo=UTC), "to the second"
    assert (core.comments, core.keywords, core.subject, core.category, core.revision, core.language) == ("", "", "", "", 1, "vi-VN")
    app = _app_xml(document)
    assert f"<Application>{APPLICATION}</Application>" in app and "Microsoft" not in app and "Pages" not in app
    lang = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:lang"))
    assert lang.get(qn("w:val")) == "vi-VN", "Word checks the spelling in Vietnamese"


def test_an_english_report_is_checked_in_english():
    document = docx.Document()
    set_properties(document, "Annual report 2013", "Bac Kan association", "en")
    assert document.core_properties.language == "en-GB"
    assert document.core_properties.created.year >= 2026
