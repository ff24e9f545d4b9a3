"""The yearly summary as an official Word document (.docx) in the form of Nghị định 30/2020/NĐ-CP, Phụ lục I:
A4, Times New Roman, the two-column header, "BÁO CÁO", sections I–III, signature block and "Nơi nhận:"."""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

from khuyenhoc.docx_properties import set_properties
from khuyenhoc.fsutil import atomic_write_bytes
from khuyenhoc.i18n import text
from khuyenhoc.names import proper_name
from khuyenhoc.reports.sections import SECTIONS
from khuyenhoc.reports.tables import Kind, ReportTable, mergers_table, report_tables
from khuyenhoc.safetext import xml_safe

if TYPE_CHECKING:
    from docx.document import Document as DocumentType
    from docx.table import _Cell
    from docx.text.paragraph import Paragraph

    from khuyenhoc.reports.annual import AnnualSummary

# The layout, in one place (Nghị định 30/2020/NĐ-CP, Phụ lục I)
FONT = "Times New Roman"
BODY_PT, HEADER_PT, COUNTRY_PT, TABLE_PT, RECIPIENTS_PT, RECIPIENT_LINES_PT = 14, 13, 12, 12, 12, 11
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
FIRST_LINE_INDENT_CM = 1.27
SPACE_AFTER_PT = 6
LINE_SPACING = 1.15
HEADER_COLUMNS_MM = (62, 103)  # the issuing body | the national title; together the 165 mm between the margins


def organisation(summary: AnnualSummary, org: str | None = None) -> str:
    """The issuing association in capitals: ``org`` when given, else the area's name ("HỘI KHUYẾN HỌC THỊ XÃ BẮC KẠN")."""
    if org:
        return " ".join(org.split()).upper()
    if summary.name is None:
        return text("word.org_default", summary.lang)
    return _association_caps(summary.name, summary.lang)


def _association_caps(name: str, lang: str) -> str:
    """An association named by a unit's name, in capitals: "Tỉnh X" → "HỘI KHUYẾN HỌC TỈNH X"."""
    name = " ".join(name.split())
    if name.split()[0].lower() != "hội":
        name = f"{text('word.org_default', lang)} {name}"
    return name.upper()


def _name_lines(name: str, lang: str) -> list[str]:
    """The issuing body's name on lines that break after the association's own words when it is long."""
    prefix = text("word.org_default", lang)
    if len(name) > 24 and name.startswith(prefix + " "):
        return [prefix, name[len(prefix) + 1:]]
    return [name]


def place_of(summary: AnnualSummary, place: str | None = None) -> str:
    """Where the report is signed: ``place``, else the origin record's ``place``, else the area's proper name."""
    chosen = place or summary.table.origin.get("place")
    if not chosen and summary.name is not None:
        chosen = proper_name(summary.name)
    if not chosen:
        return text("word.place_unknown", summary.lang)
    chosen = " ".join(str(chosen).split())
    return chosen[:1].upper() + chosen[1:]  # it starts the date line


def _set_font(run_or_style, size: float | None = None, bold: bool | None = None, italic: bool | None = None) -> None:
    """Times New Roman for every script (Word picks the east-Asian and complex-script slots separately)."""
    font = run_or_style.font
    font.name = FONT
    properties = run_or_style.element.get_or_add_rPr()
    fonts = properties.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        properties.insert(0, fonts)
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), FONT)
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    if italic is not None:
        font.italic = italic


def _paragraph(container, content: str = "", *, size: float = BODY_PT, bold: bool = False, italic: bool = False,
               align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent: bool = True, before: float = 0, after: float = SPACE_AFTER_PT,
               keep_with_next: bool = False, outline: int | None = None) -> Paragraph:
    paragraph = container.add_paragraph()
    layout = paragraph.paragraph_format
    layout.alignment = align
    layout.first_line_indent = Cm(FIRST_LINE_INDENT_CM) if indent else Cm(0)
    layout.space_before, layout.space_after = Pt(before), Pt(after)
    layout.line_spacing = LINE_SPACING
    layout.keep_with_next = keep_with_next
    layout.widow_control = True
    if outline is not None:  # a heading in Word's navigation pane, without Word's blue heading styles
        level = OxmlElement("w:outlineLvl")
        level.set(qn("w:val"), str(outline))
        layout._element.get_or_add_pPr().append(level)
    if content:
        _set_font(paragraph.add_run(xml_safe(content)), size, bold, italic)
    return paragraph


def _short_line(container, width_mm: float, column_mm: float) -> None:
    """A short centred rule (under the motto, the issuing body and the summary line): an empty paragraph indented
    from both sides with a bottom border."""
    paragraph = _paragraph(container, indent=False, after=0, align=WD_ALIGN_PARAGRAPH.CENTER)
    side = Mm(max((column_mm - width_mm) / 2, 0))
    paragraph.paragraph_format.left_indent = paragraph.paragraph_format.right_indent = side
    paragraph.paragraph_format.line_spacing = Pt(2)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph.paragraph_format._element.get_or_add_pPr().append(borders)


def _page_setup(document: DocumentType) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    section.header_distance = Mm(10)
    normal = document.styles["Normal"]
    _set_font(normal, BODY_PT)
    normal.paragraph_format.space_after = Pt(SPACE_AFTER_PT)
    normal.paragraph_format.line_spacing = LINE_SPACING
    # page numbers centred in the top margin, not on the first page
    section.different_first_page_header_footer = True
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    shown = OxmlElement("w:t")
    shown.text = "2"
    run.append(shown)
    field.append(run)
    header._p.append(field)
    _set_font(header.style, BODY_PT)


def _borderless(table) -> None:
    """No borders at all (the header and signature blocks are laid out in tables)."""
    properties = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    properties.append(borders)


def _fix_widths(table, widths_mm: list[float] | tuple[float, ...]) -> None:
    """Fixed column widths that Word and LibreOffice both keep (the grid, every cell, a fixed layout)."""
    table.autofit = False
    for column, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths_mm, strict=True):
        column.set(qn("w:w"), str(int(Mm(width).twips)))
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    table._tbl.tblPr.append(layout)


def _layout_table(document: DocumentType, widths_mm: tuple[float, ...]):
    table = document.add_table(rows=1, cols=len(widths_mm))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _borderless(table)
    _fix_widths(table, widths_mm)
    for cell in table.rows[0].cells:
        cell.paragraphs[0]._p.getparent().remove(cell.paragraphs[0]._p)  # cells start empty; _paragraph adds lines
    return table.rows[0].cells


def _header(document: DocumentType, summary: AnnualSummary, org: str | None, place: str | None) -> None:
    lang = summary.lang
    left, right = _layout_table(document, HEADER_COLUMNS_MM)
    centred = {"align": WD_ALIGN_PARAGRAPH.CENTER, "indent": False, "after": 0}
    parent = summary.table.tree.parent(summary.scope, summary.year) if summary.name is not None else None
    if parent is not None and not org:  # the body it belongs to, not bold
        _paragraph(left, _association_caps(summary.table.unit_names.get(parent, parent), lang), size=HEADER_PT, **centred)
    lines = _name_lines(organisation(summary, org), summary.lang)
    issuer = _paragraph(left, lines[0], size=HEADER_PT, bold=True, **centred)
    for line in lines[1:]:  # "HỘI KHUYẾN HỌC" over "THỊ XÃ BẮC KẠN", not "… THỊ" over "XÃ …"
        run = issuer.add_run()
        run.add_break()
        _set_font(issuer.add_run(xml_safe(line)), HEADER_PT, True)
    _short_line(left, 20, HEADER_COLUMNS_MM[0])
    _paragraph(left, text("word.number", lang), size=HEADER_PT, **centred | {"after": 0}).paragraph_format.space_before = Pt(6)
    _paragraph(right, text("word.country", lang), size=COUNTRY_PT, bold=True, **centred)
    _paragraph(right, text("word.motto", lang), size=BODY_PT - 1, bold=True, **centred)
    _short_line(right, 62, HEADER_COLUMNS_MM[1])
    date = text("word.place_date", lang, place=place_of(summary, place), year=summary.year + 1)
    _paragraph(right, date, size=BODY_PT, italic=True, **centred).paragraph_format.space_before = Pt(6)


def _title(document: DocumentType, summary: AnnualSummary) -> None:
    lang = summary.lang
    centre = {"align": WD_ALIGN_PARAGRAPH.CENTER, "indent": False}
    _paragraph(document, text("word.type", lang), bold=True, before=18, after=0, **centre)
    _paragraph(document, text("word.summary_line", lang, year=summary.year, next=summary.year + 1), bold=True, after=0, **centre)
    _short_line(document, 40, 165)
    for note in summary.table.notes(lang):  # illustrative or synthetic: said under the title, where a reader looks
        _paragraph(document, f"({note})", italic=True, before=6, **centre)
    _paragraph(document, text("word.draft_note", lang), size=TABLE_PT, italic=True, after=12, **centre)


def _heading(document: DocumentType, content: str, level: int) -> None:
    _paragraph(document, content, bold=True, before=12 if level == 0 else 6, keep_with_next=True, indent=level > 0, outline=level,
               align=WD_ALIGN_PARAGRAPH.LEFT)


def _cell_text(cell: _Cell, content: str, *, bold: bool = False, align=WD_ALIGN_PARAGRAPH.LEFT) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.alignment = align
    layout = paragraph.paragraph_format
    layout.first_line_indent, layout.space_after, layout.space_before, layout.line_spacing = Cm(0), Pt(1), Pt(1), 1.0
    _set_font(paragraph.add_run(xml_safe(content)), TABLE_PT, bold)


def _repeat_header(row) -> None:
    properties = row._tr.get_or_add_trPr()
    for tag in ("w:tblHeader", "w:cantSplit"):
        element = OxmlElement(tag)
        element.set(qn("w:val"), "true")
        properties.append(element)


def _data_table(document: DocumentType, table: ReportTable, number: int, lang: str) -> None:
    """Caption, unit note (right) and the table: headers bold and centred, figures right-aligned in ``lang``'s form."""
    _paragraph(document, text("word.table_caption", lang, number=number, title=table.title), size=TABLE_PT, bold=True, indent=False,
               align=WD_ALIGN_PARAGRAPH.CENTER, before=6, after=0, keep_with_next=True)
    if table.unit_note:
        _paragraph(document, table.unit_note, size=TABLE_PT - 1, italic=True, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT, after=2,
                   keep_with_next=True)
    shown = table.shown(lang)
    grid = document.add_table(rows=1 + len(shown), cols=len(table.columns))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, column in zip(grid.rows[0].cells, table.columns, strict=True):
        _cell_text(cell, column.header, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _repeat_header(grid.rows[0])
    total_row = len(shown) if table.total else None
    for index, values in enumerate(shown, start=1):
        row = grid.rows[index]
        cant_split = OxmlElement("w:cantSplit")
        cant_split.set(qn("w:val"), "true")
        row._tr.get_or_add_trPr().append(cant_split)
        for position, (cell, value, column) in enumerate(zip(row.cells, values, table.columns, strict=True)):
            align = WD_ALIGN_PARAGRAPH.LEFT if column.kind is Kind.TEXT and position == 1 else (
                WD_ALIGN_PARAGRAPH.CENTER if column.kind is Kind.TEXT else WD_ALIGN_PARAGRAPH.RIGHT)
            _cell_text(cell, value, bold=index == total_row, align=align)
    _fix_widths(grid, _column_widths(len(table.columns)))
    _paragraph(document, "", after=0)


def _column_widths(count: int) -> list[float]:
    """TT narrow, the unit's name wide, the figures sharing the rest of the 165 mm."""
    rest = 165 - 10 - 50
    return [10, 50] + [rest / (count - 2)] * (count - 2)


def _sections(document: DocumentType, summary: AnnualSummary) -> None:
    lang = summary.lang
    written = summary.sections(with_notes=False)
    tables = {table.key: table for table in report_tables(summary)}
    _heading(document, text("word.section_results", lang), 0)
    shown = [section.key for section in SECTIONS if written[section.key] or section.key in tables]  # a group only where reported
    for number, part in enumerate(shown, start=1):  # part I: the declared sections
        _heading(document, text(f"word.part_{part}", lang, number=number), 1)
        for paragraph in written[part]:
            _paragraph(document, paragraph)
        if summary.units and part in tables:
            _data_table(document, tables[part], number, lang)
    merged = mergers_table(summary)  # with a lineage table: which units merged into which this year
    if merged is not None:
        _data_table(document, merged, len(SECTIONS) + 1, lang)
    _heading(document, text("word.section_limitations", lang), 0)
    for paragraph in written["limitations"]:
        _paragraph(document, paragraph)
    _heading(document, text("word.section_directions", lang, next=summary.year + 1), 0)
    closing = written["directions"] + written["closing"]
    for position, paragraph in enumerate(closing):  # the last paragraph goes with the signature: no signature alone on a page
        _paragraph(document, paragraph, keep_with_next=position == len(closing) - 1)


def _signature(document: DocumentType, summary: AnnualSummary) -> None:
    lang = summary.lang
    _paragraph(document, "", after=0, keep_with_next=True)
    left, right = _layout_table(document, (82, 83))
    row = left._tc.getparent()
    cant_split = OxmlElement("w:cantSplit")
    cant_split.set(qn("w:val"), "true")
    row.get_or_add_trPr().append(cant_split)
    _paragraph(left, text("word.recipients", lang), size=RECIPIENTS_PT, bold=True, italic=True, indent=False, after=0,
               align=WD_ALIGN_PARAGRAPH.LEFT)
    for line in [text("word.recipient_line", lang)] * 3 + [text("word.recipient_file", lang)]:
        _paragraph(left, line, size=RECIPIENT_LINES_PT, indent=False, after=0, align=WD_ALIGN_PARAGRAPH.LEFT)
    centred = {"align": WD_ALIGN_PARAGRAPH.CENTER, "indent": False, "after": 0, "bold": True}
    _paragraph(right, text("word.signing_for", lang), **centred)
    _paragraph(right, text("word.signer_title", lang), **centred)
    for _ in range(4):  # room for the signature and the seal
        _paragraph(right, "", after=0, indent=False)
    _paragraph(right, text("word.signer_name", lang), **centred)


def build_document(summary: AnnualSummary, org: str | None = None, place: str | None = None) -> DocumentType:
    """The yearly report of ``summary`` as a python-docx Document."""
    document = Document()
    _page_setup(document)
    set_properties(document, f"{text('word.type', summary.lang)} {text('word.summary_line', summary.lang, year=summary.year, next=summary.year + 1)}",
                   organisation(summary, org), summary.lang)
    _header(document, summary, org, place)
    _title(document, summary)
    _sections(document, summary)
    _signature(document, summary)
    return document


def to_docx(summary: AnnualSummary, org: str | None = None, place: str | None = None) -> bytes:
    """The document's bytes."""
    buffer = io.BytesIO()
    build_document(summary, org, place).save(buffer)
    return buffer.getvalue()


def save_docx(summary: AnnualSummary, path: str | Path, org: str | None = None, place: str | None = None) -> Path:
    """Write the document to ``path`` atomically (whole or not at all)."""
    return atomic_write_bytes(path, to_docx(summary, org, place))
