"""Show summaries in a notebook: escaped HTML and PNG images, in the summary's language."""

from __future__ import annotations

import html
import re

import pandas as pd
from IPython.display import HTML, Image, display
from matplotlib.figure import Figure

from khuyenhoc.formatting import format_number
from khuyenhoc.i18n import text
from khuyenhoc.render.charts import alt_text, to_png
from khuyenhoc.reports.annual import AnnualSummary
from khuyenhoc.reports.overview import BODY_ROWS, SPREADS, section_spread, shows_spread, spread_sentence, spread_title
from khuyenhoc.reports.profile import UnitProfile
from khuyenhoc.reports.sections import GROUP_SECTIONS
from khuyenhoc.reports.tables import report_tables
from khuyenhoc.reports.trends import Trends

STYLE = """<style>
.kh-table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.95em; }
.kh-table th, .kh-table td,
.jp-RenderedHTMLCommon .kh-table th, .jp-RenderedHTMLCommon .kh-table td { border-bottom: 1px solid #ddd; padding: 4px 10px; text-align: left; }
.kh-table td:not(:first-child),
.jp-RenderedHTMLCommon .kh-table td:not(:first-child) { text-align: right; font-variant-numeric: tabular-nums; }
.kh-banner { background: #fff4d6; border-left: 4px solid #e0a800; padding: 6px 12px; margin: 0.5em 0; }
.kh-narrative p { max-width: 48em; line-height: 1.5; }
.kh-table-wrap { overflow-x: auto; max-width: 100%; }
.kh-table td:first-child, .kh-table th:first-child { min-width: 11em; }  /* labels stay readable on a phone; the table scrolls */
.kh-numbered td:first-child, .kh-numbered th:first-child { min-width: 0; }  /* a row number (TT) before the labels */
.kh-numbered td:nth-child(2), .kh-numbered th:nth-child(2) { min-width: 11em; }
.kh-text-2 td:nth-child(2), .jp-RenderedHTMLCommon .kh-text-2 td:nth-child(2) { text-align: left; }
.kh-text-3 td:nth-child(3), .jp-RenderedHTMLCommon .kh-text-3 td:nth-child(3) { text-align: left; }
.kh-text-4 td:nth-child(4), .jp-RenderedHTMLCommon .kh-text-4 td:nth-child(4) { text-align: left; }
.kh-text-5 td:nth-child(5), .jp-RenderedHTMLCommon .kh-text-5 td:nth-child(5) { text-align: left; }
.kh-text-6 td:nth-child(6), .jp-RenderedHTMLCommon .kh-text-6 td:nth-child(6) { text-align: left; }
details.kh-fold > summary { cursor: pointer; color: #0b5cad; margin: 0.3em 0; }
@media print { details.kh-fold > * { display: block; } }
.kh-fold summary { cursor: pointer; padding: 4px 0; font-weight: 600; }
.kh-checks { border-left: 4px solid #888; background: #f3f3f3; padding: 6px 12px; margin: 0.5em 0; }
</style>"""
FOLD_ABOVE = 10  # a group of more rows than this is folded (one click away); smaller ones are shown open


def _html(fragment: str) -> None:
    display(HTML(fragment))


def heading(title: str, level: int = 2) -> None:
    """A heading; ``title`` is escaped."""
    _html(f"<h{level}>{html.escape(title)}</h{level}>")


def banner(message: str) -> None:
    """A highlighted note (escaped)."""
    _html(f'{STYLE}<div class="kh-banner">{html.escape(message)}</div>')


def table(frame: pd.DataFrame | None, empty_message: str = "", lang: str | None = None) -> None:
    """A table with every cell escaped; ``empty_message`` when there is nothing to show. Given ``lang``, a table
    of more than ``BODY_ROWS`` rows is folded, one click away (as the Word report puts it in an annex)."""
    if frame is None or frame.empty:
        _html(f"<p>{html.escape(empty_message)}</p>")
        return
    shown = _table_html(frame)
    if lang is not None and len(frame) > BODY_ROWS:
        label = html.escape(text("display.show_all", lang, count=len(frame)))
        shown = f'<details class="kh-fold"><summary>{label}</summary>{shown}</details>'
    _html(STYLE + shown)


def spreads(summary: AnnualSummary) -> None:
    """For an area of many grassroots units (more than ``BODY_ROWS``): how they spread over each section's bands, and the
    strongest and weakest by name, as the Word report's body shows them; nothing for a small area."""
    lang = summary.lang
    if not shows_spread(summary):
        return
    for key in SPREADS:
        spread = section_spread(summary, key)
        if spread is None:
            continue
        heading(spread_title(spread, lang, summary.year), 3)
        sentence = spread_sentence(spread, lang)
        if sentence:
            paragraphs([sentence])
        headers = [text("word.col_band", lang), text("word.col_units", lang), text("word.col_units_share", lang)]
        table(pd.DataFrame(spread.table_rows(lang), columns=headers))


_FIGURE, _UNIT_WORD = r"[-+−]?\d[\d.,]*%?", r" [^\W\d_][^\s]*"  # "-2,4", "5,6%"; " đồng", " lượt"
# a figure and its unit in one cell ("264.815 lượt người", "5,6%", "343.380.000 đồng"): kept on one line
FIGURE_WITH_UNIT = re.compile(f"{_FIGURE}(?:{_UNIT_WORD}){{1,3}}")


def keep_together(cell: object) -> object:
    """``cell`` with the spaces of a figure and its unit made no-break (a phone's narrow column must not part them);
    any other cell as it is."""
    if isinstance(cell, str) and FIGURE_WITH_UNIT.fullmatch(cell):
        return cell.replace(" ", "\u00a0")
    return cell


# a cell a column of figures may hold: a figure (with its unit), or nothing ("—", blank)
FIGURE_CELL = re.compile(f"{_FIGURE}(?:{_UNIT_WORD}){{0,3}}|[—–-]?")
TEXT_COLUMNS_STYLED = 6  # STYLE left-aligns text in columns 2 to this (kh-text-N)


def table_classes(frame: pd.DataFrame) -> list[str]:
    """The classes of a table: figures right-aligned, text left-aligned, whatever the column's place (STYLE aligns
    every column after the first right unless ``kh-text-N`` says it holds text), and ``kh-numbered`` when a row
    number (TT) comes before the labels, which then keep the labels' width."""
    text_columns = [place for place, column in enumerate(frame.columns, start=1)
                    if not all(isinstance(cell, int | float) or FIGURE_CELL.fullmatch(str(cell).strip()) for cell in frame.iloc[:, place - 1])]
    numbered = bool(text_columns) and text_columns[0] == 2 and len(frame.columns) > 2
    return ["kh-table", *(["kh-numbered"] if numbered else []),
            *(f"kh-text-{place}" for place in text_columns if 1 < place <= TEXT_COLUMNS_STYLED)]


def _table_html(frame: pd.DataFrame) -> str:
    shown = frame.map(keep_together)
    return '<div class="kh-table-wrap">' + shown.to_html(index=False, escape=True, classes=table_classes(frame), border=0) + "</div>"


def groups(parts: list[tuple[str, pd.DataFrame]], empty_message: str = "") -> None:
    """Tables each under a heading with its count (escaped), folded in a ``<details>`` when longer than ``FOLD_ABOVE``
    rows: a province's hundreds of findings are a few lines until opened."""
    if not parts:
        _html(f"<p>{html.escape(empty_message)}</p>")
        return
    shown = "".join(f'<details class="kh-fold"{"" if len(frame) > FOLD_ABOVE else " open"}><summary>{html.escape(heading)}</summary>'
                    f"{_table_html(frame)}</details>" for heading, frame in parts)
    _html(STYLE + shown)


def checks(frame: pd.DataFrame, lang: str) -> None:
    """The figures to check before use, in a box marked as the secretary's checking list (not the report's
    judgement): its note, then the table, folded when long; a line saying there is none otherwise."""
    section("checks", lang)
    if frame.empty:
        _html(f"<p>{html.escape(text('checks.none', lang))}</p>")
        return
    table_part = _table_html(frame)
    if len(frame) > FOLD_ABOVE:
        opener = html.escape(text("checks.found_inline", lang, count=format_number(len(frame), 0, lang)))
        table_part = f'<details class="kh-fold"><summary>{opener}</summary>{table_part}</details>'
    _html(f'{STYLE}<div class="kh-checks"><p>{html.escape(text("checks.note", lang))}</p>{table_part}</div>')


def paragraphs(lines: list[str]) -> None:
    """Paragraphs of plain text, escaped."""
    _html('<div class="kh-narrative">' + "".join(f"<p>{html.escape(p)}</p>" for p in lines) + "</div>")


SAFE_HREF = re.compile(r"(?:\.\./|[a-z0-9_-]+/)*[a-z0-9_.-]+\.html")  # relative links between our own reports only


def links(pairs: list[tuple[str, str]], lang: str) -> None:
    """A "related reports" section: each (label, relative href) as a link, labels escaped; nothing when empty.
    An href that is not a relative path to one of our reports is refused (ValueError)."""
    if not pairs:
        return
    for _, href in pairs:
        if not SAFE_HREF.fullmatch(href):
            raise ValueError(f"not a relative report link: {href!r}")
    section("links", lang)
    items = "".join(f'<li><a href="{html.escape(href)}">{html.escape(label)}</a></li>' for label, href in pairs)
    _html(f'<ul class="kh-links">{items}</ul>')


def figure(fig: Figure, alt: str | None = None) -> None:
    """A figure as an embedded PNG with ``alt`` (default: the description the chart carries) as its alternative
    text: the HTML report's template puts it in the image's alt attribute."""
    description = alt if alt is not None else alt_text(fig)
    display(Image(data=to_png(fig), format="png", metadata={"alt": description}))


def title(summary: AnnualSummary | UnitProfile | Trends) -> None:
    """The report's title, and a banner saying when the data is illustrative or synthetic."""
    heading(summary.title, 1)
    for note in summary.notes:  # a trend across a reform also says how it is drawn
        banner(note)


def section(key: str, lang: str, **values: object) -> None:
    """A section heading from the ``section.*`` texts."""
    heading(text(f"section.{key}", lang, **values))


def group_tables(summary: AnnualSummary) -> None:
    """The tables of the optional groups the area reports that year (issue 19), each under its title; nothing when
    the data has none of them."""
    groups = {section.key for section in GROUP_SECTIONS}
    for shown in (table for table in report_tables(summary) if table.key in groups):
        heading(shown.title, 3)
        table(pd.DataFrame(shown.shown(summary.lang), columns=[column.header for column in shown.columns]))
