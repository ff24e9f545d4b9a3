"""The yearly summary as an official Word document (.docx) in the form of Nghị định 30/2020/NĐ-CP, Phụ lục I:
A4, Times New Roman, the two-column header, "BÁO CÁO", sections I–III, signature block and "Nơi nhận:"."""

from __future__ import annotations

import io
from copy import deepcopy
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from docx.text.paragraph import Paragraph

from khuyenhoc.docx_properties import set_properties
from khuyenhoc.fsutil import atomic_write_bytes
from khuyenhoc.i18n import text
from khuyenhoc.names import proper_name
from khuyenhoc.reports.sections import SECTIONS
from khuyenhoc.reports.overview import BODY_ROWS, in_annex, section_spread, shows_spread, spread_sentence, spread_title
from khuyenhoc.reports.tables import Column, Kind, ReportTable, association_name, mergers_table, report_tables
from khuyenhoc.safetext import xml_safe

if TYPE_CHECKING:
    from docx.document import Document as DocumentType
    from docx.oxml.text.paragraph import CT_P
    from docx.table import _Cell

    from khuyenhoc.reports.annual import AnnualSummary

# The layout, in one place (Nghị định 30/2020/NĐ-CP, Phụ lục I)
FONT = "Times New Roman"
BODY_PT, HEADER_PT, COUNTRY_PT, TABLE_PT, RECIPIENTS_PT, RECIPIENT_LINES_PT = 14, 13, 12, 12, 12, 11
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
FIRST_LINE_INDENT_CM = 1.27
SPACE_AFTER_PT = 6
LINE_SPACING = 1.15
HEADER_COLUMNS_MM = (62, 103)  # the issuing body | the national title; together the 165 mm between the margins
PORTRAIT_MM, LANDSCAPE_MM = 165, 252  # the width between the margins, upright and turned
CELL_PADDING_MM = 2 * 1.91 + 1.5  # Table Grid's left and right cell margins (0,08") and a little room for rounding
# A character's width in Times New Roman, in em (its size): digits and most lower case about half an em
_NARROW, _WIDE = set(".,:;'!|iIjlft()[] "), set("MWmw—%@")


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
    rows = table._tbl.tr_lst  # the rows' cells as python-docx's ``row.cells`` finds them in a grid without merged cells
    for cell, width in zip(rows[0].tc_lst, widths_mm, strict=True):  # the first row's as python-docx writes them ...
        cell.width = Mm(width)
    widths = [(cell.tcPr.tcW.get(qn("w:type")), cell.tcPr.tcW.get(qn("w:w"))) for cell in rows[0].tc_lst]
    for row in rows[1:]:  # ... copied into the other rows' cells (each has its width element from add_table)
        for cell, (kind, width) in zip(row.tc_lst, widths, strict=True):
            cell.tcPr.tcW.set(qn("w:type"), kind)
            cell.tcPr.tcW.set(qn("w:w"), width)
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
    line = text("word.summary_line", lang, year=summary.year, next=summary.year + 1)
    first, cut, rest = line.partition(text("word.summary_line_break", lang))  # two balanced lines, no year alone on the second
    paragraph = _paragraph(document, first.strip() if cut else line, bold=True, after=0, **centre)
    if cut:
        paragraph.add_run().add_break()
        _set_font(paragraph.add_run(xml_safe((cut + rest).strip())), BODY_PT, True)
    _short_line(document, 40, 165)
    for note in summary.table.notes(lang):  # illustrative or synthetic: said under the title, where a reader looks
        _paragraph(document, f"({note})", italic=True, before=6, **centre)
    _paragraph(document, "", after=6, indent=False)


def _draft_mark(document: DocumentType, lang: str) -> None:
    """The draft mark in the first page's header (the later pages carry the page number): not part of the text."""
    header = document.sections[0].first_page_header
    header.is_linked_to_previous = False
    paragraph = header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _set_font(paragraph.add_run(xml_safe(text("word.draft_header", lang))), TABLE_PT - 1, italic=True)


def _heading(document: DocumentType, content: str, level: int) -> None:
    _paragraph(document, content, bold=True, before=12 if level == 0 else 6, keep_with_next=True, indent=level > 0, outline=level,
               align=WD_ALIGN_PARAGRAPH.LEFT)


_CELL_FORMATS: dict[tuple[bool, object], CT_P] = {}  # (bold, align) -> a cell's paragraph, its formatting built once


def _cell_text(cell: _Cell, content: str, *, bold: bool = False, align=WD_ALIGN_PARAGRAPH.LEFT) -> None:
    """The cell's text in the table style (see :func:`_tc_text`)."""
    _tc_text(cell._tc, content, bold=bold, align=align)


def _tc_text(tc, content: str, *, bold: bool = False, align=WD_ALIGN_PARAGRAPH.LEFT) -> None:
    """A table cell's (``w:tc``) text in the table style. Its paragraph (formatting, a run and its text) is built
    once per (bold, align) and copied into each cell with the cell's text: the same elements python-docx would add,
    at a fraction of the cost in a province's tables."""
    content = xml_safe(content)
    model = _CELL_FORMATS.get((bold, align))
    if model is None:
        paragraph = Paragraph(tc.p_lst[0], None)
        run = paragraph.add_run(content)
        paragraph.alignment = align
        layout = paragraph.paragraph_format
        layout.first_line_indent, layout.space_after, layout.space_before, layout.line_spacing = Cm(0), Pt(1), Pt(1), 1.0
        _set_font(run, TABLE_PT, bold)
        model = OxmlElement("w:p")
        model.append(deepcopy(paragraph._p.pPr))
        model.add_r().append(deepcopy(run._r.rPr))
        _CELL_FORMATS[(bold, align)] = model
        return
    p = deepcopy(model)
    if content:  # as python-docx's ``add_run(content)``: tabs and line breaks through its own writer, plain text at once
        if any(c in content for c in "\t\r\n"):
            p.r_lst[0].text = content
        else:
            p.r_lst[0].add_t(content)
    tc.replace(tc.p_lst[0], p)


def _repeat_header(tr) -> None:
    """The header row (``w:tr``) repeated on every page and never split."""
    properties = tr.get_or_add_trPr()
    for tag in ("w:tblHeader", "w:cantSplit"):
        element = OxmlElement(tag)
        element.set(qn("w:val"), "true")
        properties.append(element)


@cache
def _char_em(c: str) -> float:
    """A character's width in Times New Roman, in em."""
    return 0.28 if c in _NARROW else 0.9 if c in _WIDE else 0.72 if c.isupper() else 0.5


def _text_mm(content: str, bold: bool = False, size: float = TABLE_PT) -> float:
    """About how wide ``content`` is set in Times New Roman at ``size`` points (mm), a little generous."""
    ems = sum(map(_char_em, content))
    return ems * size * 25.4 / 72 * (1.08 if bold else 1.0)


def content_widths(headers: list[str], rows: list[list[str]], wrapping: list[bool], available: float = PORTRAIT_MM) -> list[float]:
    """Column widths (mm) from the content: a column that must not wrap (figures, TT) is as wide as its widest cell,
    a header or name at least its longest word; what is left of ``available`` goes to each column towards its
    natural width (a name on one line, a header on three lines), then to every column alike. The sum may exceed
    ``available``: the caller turns the page."""
    minimum, natural = [], []
    for position, header in enumerate(headers):
        cells = [row[position] for row in rows]
        header_word = max((_text_mm(word, True) for word in header.split()), default=0)
        header_lines = _text_mm(header, True) / 3  # a header reads well on three lines
        if wrapping[position]:
            longest_word = max((_text_mm(word) for cell in cells for word in cell.split()), default=0)
            minimum.append(max(header_word, longest_word) + CELL_PADDING_MM)
            natural.append(max([_text_mm(cell) for cell in cells] + [header_lines]) + CELL_PADDING_MM)
        else:
            minimum.append(max([header_word] + [_text_mm(cell, True) for cell in cells]) + CELL_PADDING_MM)
            natural.append(max(minimum[-1], header_lines + CELL_PADDING_MM))
    widths = list(minimum)
    # the names first (one line each where it fits), then the headers (three lines), then every column alike
    for takes in ([natural[i] if wrapping[i] else minimum[i] for i in range(len(widths))], natural):
        spare = available - sum(widths)
        wanted = [max(goal - width, 0) for goal, width in zip(takes, widths, strict=True)]
        if spare <= 0 or not sum(wanted):
            continue
        share = min(1.0, spare / sum(wanted))
        widths = [width + extra * share for width, extra in zip(widths, wanted, strict=True)]
    spare = available - sum(widths)
    return [width + spare / len(widths) for width in widths] if spare > 0 else widths


def _caption(document: DocumentType, caption: str, unit_note: str = "") -> None:
    _paragraph(document, caption, size=TABLE_PT, bold=True, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER, before=6, after=0,
               keep_with_next=True)
    if unit_note:
        _paragraph(document, unit_note, size=TABLE_PT - 1, italic=True, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT, after=2,
                   keep_with_next=True)


def _grid(document: DocumentType, headers: list[str], rows: list[list[str]], aligns: list, widths: list[float], bold_last: bool) -> None:
    """A bordered table: headers bold and centred and repeated on every page, rows that never split."""
    grid = document.add_table(rows=1 + len(rows), cols=len(headers))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    trs = grid._tbl.tr_lst  # the rows' XML: python-docx's row and cell objects cost more than the cells' text
    for tc, header in zip(trs[0].tc_lst, headers, strict=True):
        _tc_text(tc, header, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _repeat_header(trs[0])
    for index, values in enumerate(rows, start=1):
        tr = trs[index]
        cant_split = OxmlElement("w:cantSplit")
        cant_split.set(qn("w:val"), "true")
        tr.get_or_add_trPr().append(cant_split)
        for tc, value, align in zip(tr.tc_lst, values, aligns, strict=True):
            _tc_text(tc, value, bold=bold_last and index == len(rows), align=align)
    if len(rows) <= BODY_ROWS + 1:  # a short table stays on one page: each row keeps with the next
        for tr in trs[:-1]:
            for tc in tr.tc_lst:
                tc.p_lst[0].get_or_add_pPr().keepNext_val = True
    _fix_widths(grid, widths)
    _paragraph(document, "", after=0)


def table_layout(table: ReportTable, lang: str) -> tuple[list[str], list[list[str]], list, list[float]]:
    """A report table's headers, rows as text, alignments and widths from its content (the unit's name wraps,
    figures and TT never do)."""
    headers = [column.header for column in table.columns]
    rows = table.shown(lang)
    # text wraps at its spaces, never inside a word or a figure; TT and the figures stay on one line
    wrapping = [column.kind is Kind.TEXT and column.header != text("word.col_no", lang) for column in table.columns]
    first = wrapping.index(True) if True in wrapping else None  # the name (or label) column reads from the left
    aligns = [WD_ALIGN_PARAGRAPH.LEFT if position == first else WD_ALIGN_PARAGRAPH.CENTER if column.kind is Kind.TEXT else
              WD_ALIGN_PARAGRAPH.RIGHT for position, column in enumerate(table.columns)]
    fits = content_widths(headers, rows, wrapping, PORTRAIT_MM)
    if sum(fits) > PORTRAIT_MM + 0.5:
        fits = content_widths(headers, rows, wrapping, LANDSCAPE_MM)
    return headers, rows, aligns, fits


def _data_table(document: DocumentType, table: ReportTable, caption: str, lang: str) -> None:
    """Caption, unit note (right) and the table: figures right-aligned in ``lang``'s form, widths from the content."""
    _caption(document, caption, table.unit_note)
    headers, rows, aligns, widths = table_layout(table, lang)
    _grid(document, headers, rows, aligns, widths, bold_last=table.total is not None)


def _placeholder(document: DocumentType, what: str, lang: str) -> None:
    """What only the executive committee can write, reserved in its place and highlighted."""
    paragraph = _paragraph(document)
    run = paragraph.add_run(xml_safe(text("word.fill", lang, what=text(f"word.fill_{what}", lang))))
    _set_font(run, BODY_PT, italic=True)
    run.font.highlight_color = WD_COLOR_INDEX.YELLOW


def targets_report_table(summary: AnnualSummary) -> ReportTable | None:
    """The learning titles against their targets as a table of text (None when the data has no title)."""
    frame = summary.targets_table()
    if frame is None:
        return None
    columns = tuple(Column(str(header), Kind.TEXT) for header in frame.columns)
    rows = tuple(tuple(str(value) for value in row) for row in frame.itertuples(index=False))
    return ReportTable("targets", text("word.table_targets", summary.lang, year=summary.year), "", columns, rows, None)


def _spread(document: DocumentType, summary: AnnualSummary, key: str, number: int) -> int:
    """The bands and the strongest and weakest grassroots units of section ``key``, for an area of more of them
    than a body table holds; the next table number."""
    lang = summary.lang
    spread = section_spread(summary, key)
    if spread is None:
        return number
    sentence = spread_sentence(spread, lang)
    if sentence:
        _paragraph(document, sentence)
    _caption(document, text("word.table_caption", lang, number=number, title=spread_title(spread, lang, summary.year)))
    headers = [text("word.col_band", lang), text("word.col_units", lang), text("word.col_units_share", lang)]
    rows = spread.table_rows(lang)
    widths = content_widths(headers, rows, [True, False, False], 120)
    _grid(document, headers, rows, [WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.RIGHT, WD_ALIGN_PARAGRAPH.RIGHT], widths, bold_last=True)
    return number + 1


def _table_or_annex(document: DocumentType, table: ReportTable, annexed: bool, annex: list[ReportTable], number: int,
                    lang: str, note: bool = True) -> int:
    """``table`` in the body with the next table number, or kept for the annex (a per-unit table, referred to there
    when ``note``); the next table number."""
    if annexed:
        annex.append(table)
        if note:
            _paragraph(document, text("word.see_annex", lang, number=len(annex)), italic=True)
        return number
    _data_table(document, table, text("word.table_caption", lang, number=number, title=table.title), lang)
    return number + 1


def _issuer(summary: AnnualSummary, org: str | None) -> str:
    """The issuing association as a sentence names it ("Hội Khuyến học thị xã Bắc Kạn")."""
    if org:
        return " ".join(org.split())
    if summary.name is None:
        return text("word.issuer_default", summary.lang)
    return association_name(summary.name, summary.lang)


def _sections(document: DocumentType, summary: AnnualSummary, org: str | None = None) -> list[ReportTable]:
    """Parts I to IV; the per-unit tables that go to the annex are returned, in their annex order."""
    lang = summary.lang
    written = summary.sections(with_notes=False)
    tables = {table.key: table for table in report_tables(summary)}
    annexed, spread = in_annex(len(summary.units)), shows_spread(summary)
    annex: list[ReportTable] = []
    number = 1
    _heading(document, text("word.section_results", lang), 0)
    _placeholder(document, "leadership", lang)
    shown = [section for section in SECTIONS if written[section.key] or section.key in tables]  # a group only where reported
    groups = {section.group for section in shown if section.group}

    def part(key: str, heading_number: int) -> None:
        """One part of I: its heading, its paragraphs, the spread of its units and its table (in the body or the annex)."""
        nonlocal number
        _heading(document, text(f"word.part_{key}", lang, number=heading_number), 1)
        if key == "members" and "organisation" not in groups:  # the data's own part says it when it has the group
            _placeholder(document, "organisation", lang)
        for paragraph in written[key]:
            _paragraph(document, paragraph)
        if summary.units and spread:
            number = _spread(document, summary, key, number)
        if summary.units and key in tables:
            number = _table_or_annex(document, tables[key], annexed, annex, number, lang)
        if key == "fund" and "support" not in groups:
            _placeholder(document, "support", lang)

    core = [section.key for section in shown if not section.group]
    for position, key in enumerate(core, start=1):  # part I: the declared sections (their headings carry 1 to 4)
        part(key, position)
    after = len(core) + 1
    targets = targets_report_table(summary)
    if targets is not None:  # I.5, the learning society against its targets
        _heading(document, text("word.part_targets", lang, number=after), 1)
        for paragraph in summary.target_sentences():
            _paragraph(document, paragraph)
        _data_table(document, targets, text("word.table_caption", lang, number=number, title=targets.title), lang)
        number, after = number + 1, after + 1
    for position, section in enumerate((s for s in shown if s.group), start=after):  # the optional groups, numbered after
        part(section.key, position)
    merged = mergers_table(summary)  # with a lineage table: which units merged into which this year; long, in the annex
    if merged is not None:
        number = _table_or_annex(document, merged, in_annex(len(merged.rows)), annex, number, lang, note=False)
    _placeholder(document, "propaganda", lang)
    for paragraph in written["closing"]:  # the overall assessment closes part I
        _paragraph(document, paragraph)
    _heading(document, text("word.section_limitations", lang), 0)
    for paragraph in written["limitations"]:
        _paragraph(document, paragraph)
    _placeholder(document, "causes", lang)
    _heading(document, text("word.section_directions", lang, next=summary.year + 1), 0)
    for paragraph in written["directions"]:
        _paragraph(document, paragraph)
    _placeholder(document, "tasks", lang)
    _heading(document, text("word.section_recommendations", lang), 0)
    _placeholder(document, "recommendations", lang)
    end = text("word.report_end", lang, year=summary.year, next=summary.year + 1, issuer=_issuer(summary, org))
    _paragraph(document, end, keep_with_next=True)  # goes with the signature: no signature alone on a page
    return annex


def _annex(document: DocumentType, tables: list[ReportTable], lang: str) -> None:
    """The per-unit tables after the signature, one numbered annex each, on a turned page when it is wide."""
    for number, table in enumerate(tables, start=1):
        headers, rows, aligns, widths = table_layout(table, lang)
        section = document.add_section(WD_SECTION.NEW_PAGE)
        section.different_first_page_header_footer = False
        wide = sum(widths) > PORTRAIT_MM + 0.5
        section.orientation = WD_ORIENT.LANDSCAPE if wide else WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = (Mm(297), Mm(210)) if wide else (Mm(210), Mm(297))
        if number == 1:
            _paragraph(document, text("word.annex", lang), bold=True, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER, outline=0,
                       keep_with_next=True)
        _paragraph(document, text("word.annex_caption", lang, number=number, title=table.title), bold=True, indent=False,
                   align=WD_ALIGN_PARAGRAPH.CENTER, after=0, keep_with_next=True, outline=1)
        if table.unit_note:
            _paragraph(document, table.unit_note, size=TABLE_PT - 1, italic=True, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT, after=2,
                       keep_with_next=True)
        _grid(document, headers, rows, aligns, widths, bold_last=table.total is not None)


def _signature(document: DocumentType, summary: AnnualSummary, org: str | None = None) -> None:
    lang = summary.lang
    _paragraph(document, "", after=0, keep_with_next=True)
    left, right = _layout_table(document, (82, 83))
    row = left._tc.getparent()
    cant_split = OxmlElement("w:cantSplit")
    cant_split.set(qn("w:val"), "true")
    row.get_or_add_trPr().append(cant_split)
    _paragraph(left, text("word.recipients", lang), size=RECIPIENTS_PT, bold=True, italic=True, indent=False, after=0,
               align=WD_ALIGN_PARAGRAPH.LEFT)
    lines = [text("word.recipient_line", lang)] * 3
    parent = summary.table.tree.parent(summary.scope, summary.year) if summary.name is not None and not org else None
    if parent is not None:  # the association above, to report to
        lines[0] = text("word.recipient_parent", lang, name=association_name(summary.table.unit_names.get(parent, parent), lang))
    for line in lines + [text("word.recipient_file", lang)]:
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
    _draft_mark(document, summary.lang)
    _header(document, summary, org, place)
    _title(document, summary)
    annex = _sections(document, summary, org)
    _signature(document, summary, org)
    _annex(document, annex, summary.lang)
    return document


def to_docx(summary: AnnualSummary, org: str | None = None, place: str | None = None) -> bytes:
    """The document's bytes."""
    buffer = io.BytesIO()
    build_document(summary, org, place).save(buffer)
    return buffer.getvalue()


def save_docx(summary: AnnualSummary, path: str | Path, org: str | None = None, place: str | None = None) -> Path:
    """Write the document to ``path`` atomically (whole or not at all)."""
    return atomic_write_bytes(path, to_docx(summary, org, place))
