"""The Word report's tables at province size: each cell's formatting built once and copied, same XML as before."""

from __future__ import annotations

import copy

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from khuyenhoc.indicators import analyse
from khuyenhoc.render import word
from khuyenhoc.reports.annual import AnnualSummary
from khuyenhoc.sample import synthetic_table
from khuyenhoc.table import table_from_frame

ALIGNS = (WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT)


def python_docx_cell(cell, content: str, bold: bool, align) -> None:
    """The cell as python-docx's own calls format it (the formatting the copies must reproduce)."""
    paragraph = cell.paragraphs[0]
    paragraph.alignment = align
    layout = paragraph.paragraph_format
    layout.first_line_indent, layout.space_after, layout.space_before, layout.line_spacing = Cm(0), Pt(1), Pt(1), 1.0
    word._set_font(paragraph.add_run(content), word.TABLE_PT, bold)


def test_every_cell_has_the_xml_python_docx_writes(monkeypatch):
    monkeypatch.setattr(word, "_CELL_FORMATS", {}, raising=False)
    document = docx.Document()
    cases = [(f"{n}.123", bold, align) for n in range(3) for bold in (False, True) for align in ALIGNS]
    cases += [(content, False, WD_ALIGN_PARAGRAPH.LEFT) for content in ("", " Xã  Một ", "a\tb", "Xã\nHai")]  # spaces kept, tab, break
    ours, theirs = document.add_table(rows=1, cols=len(cases)), document.add_table(rows=1, cols=len(cases))
    for a, b, (content, bold, align) in zip(ours.rows[0].cells, theirs.rows[0].cells, cases, strict=True):
        word._cell_text(a, content, bold=bold, align=align)
        python_docx_cell(b, content, bold, align)
    for a, b in zip(ours.rows[0].cells, theirs.rows[0].cells, strict=True):
        assert a._tc.xml == b._tc.xml
    assert len(word._CELL_FORMATS) == 6  # one per (bold, align), reused for the other cells


def test_copies_do_not_share_elements(monkeypatch):
    monkeypatch.setattr(word, "_CELL_FORMATS", {}, raising=False)
    document = docx.Document()
    first, second = document.add_table(rows=1, cols=2).rows[0].cells
    word._cell_text(first, "1", align=WD_ALIGN_PARAGRAPH.RIGHT)
    word._cell_text(second, "2", align=WD_ALIGN_PARAGRAPH.RIGHT)
    second.paragraphs[0].runs[0].font.italic = True  # a later edit of one cell leaves the others as they were
    assert first.paragraphs[0].runs[0].font.italic is None
    assert first.paragraphs[0]._p.pPr is not second.paragraphs[0]._p.pPr


@pytest.fixture(scope="module")
def province() -> AnnualSummary:
    table = table_from_frame(synthetic_table(60, [2025], shape="two-tier"))
    province_id = table.frame.loc[table.frame["level"] == "province", "unit_id"].iloc[0]
    return AnnualSummary(analyse(table), 2025, area_id=province_id)


def test_a_provinces_tables_format_fonts_a_few_times_not_per_cell(province, monkeypatch):
    monkeypatch.setattr(word, "_CELL_FORMATS", {}, raising=False)
    calls = []
    set_font = word._set_font
    monkeypatch.setattr(word, "_set_font", lambda *args, **kw: calls.append(args) or set_font(*args, **kw))
    document = word.build_document(province)
    cells = sum(len(row.cells) for table in document.tables for row in table.rows)
    assert cells > 500
    assert len(calls) < 100  # the body's paragraphs and one per kind of cell, not one per cell (was > cells)
    numbers = [cell.text for table in document.tables[1:] for cell in table.columns[-1].cells]
    assert all(numbers) and len(numbers) > 60


def test_a_second_document_is_byte_for_byte_the_first(province):
    first = copy.deepcopy(word.build_document(province).element)
    again = word.build_document(province).element
    assert first.xml == again.xml


def test_the_target_chart_is_drawn_once_per_summary(monkeypatch):
    """The notebook shows the target chart, then saves it: one drawing and one PNG, not two."""
    from khuyenhoc.render import charts

    table = table_from_frame(synthetic_table(30, [2024], shape="three-tier"))
    summary = AnnualSummary(analyse(table), 2024)
    assert not summary.unit_targets.empty
    drawn = []
    draw = charts.targets_by_unit
    monkeypatch.setattr(charts, "targets_by_unit", lambda *args, **kw: drawn.append(args) or draw(*args, **kw))
    shown, saved = charts.target_figures(summary), charts.target_figures(summary)
    assert len(drawn) == 1 and shown["targets_by_unit"] is saved["targets_by_unit"]
    assert charts.to_png(shown["targets_by_unit"]) is charts.to_png(saved["targets_by_unit"])
    other = AnnualSummary(analyse(table), 2024, "en")  # another summary draws its own, in its language
    assert charts.target_figures(other)["targets_by_unit"] is not shown["targets_by_unit"] and len(drawn) == 2
