"""Matplotlib figures in one house style; built on Figure objects (no pyplot state)."""

from __future__ import annotations

import io
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties

from khuyenhoc.formatting import format_amount, format_indicator, format_number
from khuyenhoc.fsutil import atomic_write_bytes
from khuyenhoc.i18n import DEFAULT_LANG, column_header, indicator_label, measure_name, text
from khuyenhoc.indicators import REGISTRY, reported_in
from khuyenhoc.reports.annual import AnnualSummary
from khuyenhoc.reports.profile import PLACE_INDICATORS, UnitProfile
from khuyenhoc.reports.sections import SECTIONS
from khuyenhoc.reports.trends import Trends
from khuyenhoc.render.bars import LABEL_WIDTH, MAX_BARS, bar_labels  # noqa: F401  (re-exported: charts.MAX_BARS…)
from khuyenhoc.render.bars import bar_height, draw_names, extremes, full_names, gap_note, style_gap
from khuyenhoc.render.ticks import amount_axis, value_axis, wrap_to, year_axis

STYLE = {
    "font.family": "DejaVu Sans",  # covers Vietnamese diacritics
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titleweight": "bold",
    "axes.titlesize": 11,
    "text.parse_math": False,  # a '$' in a unit name stays a '$'
    "savefig.dpi": 110,
}
PRIMARY, SECONDARY, HIGHLIGHT, MUTED = "#1f5f99", "#e08a1e", "#c0392b", "#9db4c9"  # HIGHLIGHT: alarms only (no training, below target)
ACCENT = PRIMARY  # the house accent: the unit a chart is about


def _figure(width: float, height: float, notes: Sequence[str] = ()) -> Figure:
    """A figure, captioned with ``notes`` (what the data is: illustrative, synthetic) when there are any."""
    figure = Figure(figsize=(width, height), layout="constrained")
    if notes:
        figure.supxlabel(" ".join(notes), fontsize=8, color="#777777", style="italic", x=0.01, ha="left")
    return figure


def _unit(indicator: str, lang: str) -> str:
    """The unit an indicator's axis is labelled with (người, lớp, lượt người, %…)."""
    return measure_name(REGISTRY[indicator].measure, lang)


def describe(figure: Figure, alt: str) -> Figure:
    """Attach the text a screen reader reads for the figure (display.figure puts it in the image's alt)."""
    figure.khuyenhoc_alt = alt
    return figure


def alt_text(figure: Figure) -> str:
    """The figure's description; for a figure made without one, its titles (never nothing for a titled chart)."""
    described = getattr(figure, "khuyenhoc_alt", "")
    if described:
        return described
    titles = [figure.get_suptitle()]
    titles += [axes.get_title() for axes in figure.axes if axes.get_title()]
    return ". ".join(" ".join(title.split()) for title in titles if title.strip())


def _bars_alt(title: str, rows: pd.DataFrame, column: str, lang: str, shown) -> str:
    """"<title>: highest <name> (<value>), lowest <name> (<value>)" for a bar chart of units."""
    rows = rows.dropna(subset=[column])
    if rows.empty:
        return title
    top, bottom = rows.loc[rows[column].idxmax()], rows.loc[rows[column].idxmin()]
    return text("alt.bars", lang, title=title, top=top["unit_name"], top_value=shown(top[column]), bottom=bottom["unit_name"],
                bottom_value=shown(bottom[column]))


def _lines_alt(title: str, years: list[int], series: list[tuple[str, pd.Series]], shown) -> str:
    """"<title>, <first year>–<last year>: <label> from <first> to <last>; ..." for a line chart."""
    parts = []
    for label, values in series:
        values = values.dropna()
        if not values.empty:
            parts.append(f"{label}: {shown(values.iloc[0])} → {shown(values.iloc[-1])}")
    span = f"{years[0]}–{years[-1]}" if len(years) > 1 else (str(years[0]) if years else "")
    return f"{title}, {span}: " + "; ".join(parts) + "." if parts else title


def _title(axes, title: str, width: int = 40) -> None:
    """A panel's title, wrapped to ``width`` characters (the panel's share of the image)."""
    axes.set_title(textwrap.fill(title, width))


def _suptitle(figure: Figure, title: str) -> None:
    """A figure's title, bold, wrapped to the image's width (never cut)."""
    size = STYLE["axes.titlesize"] + 1
    font = FontProperties(family=STYLE["font.family"], size=size, weight="bold")
    figure.suptitle(wrap_to(title, figure.get_figwidth() * 72 - 2 * size, font), fontweight="bold", fontsize=size)


def _count(lang: str):
    return lambda value: format_number(value, 0, lang)


def members_by_unit(rows: pd.DataFrame, year: int, lang: str = DEFAULT_LANG, notes: Sequence[str] = ()) -> Figure:
    """Horizontal bars: members of each compared unit (``rows``: their values with a unit_name column), the most at
    the top; the 7 lowest and 7 highest when there are more than :data:`MAX_BARS`, the others in one row."""
    bars = extremes(rows, "members", lang)
    title = text("chart.members_by_unit", lang, year=year) + bars.note
    with matplotlib.rc_context(STYLE):
        figure = _figure(7, bar_height(bars, 1.3), notes)
        axes = figure.add_subplot()
        axes.barh(bars.positions, bars.rows["members"].astype(float), color=PRIMARY)  # by position: two cut names may read alike
        cut = draw_names(axes, bars, lang)
        value_axis(axes, "x", _unit("members", lang), lang, integer=True)
        gap_note(axes, bars, "members", _count(lang), lang)
        _suptitle(figure, title)
    alt = _bars_alt(title, bars.rows, "members", lang, lambda v: format_indicator("members", v, lang))
    return describe(figure, full_names(alt, cut, lang))


def fund_by_level(values: Mapping, year: int, lang: str = DEFAULT_LANG, notes: Sequence[str] = ()) -> Figure:
    """Bars: fund held by commune associations, district and province (or national) associations, each labelled in
    triệu or tỷ đồng (:func:`khuyenhoc.formatting.format_amount`); ``values`` are the report's indicators. Levels above
    the communes with no fund are left out."""
    levels = [("chart.level_commune", "fund_commune_vnd"), ("chart.level_district", "fund_district_vnd"), ("chart.level_province", "fund_province_vnd")]
    shown = [(key, column) for position, (key, column) in enumerate(levels) if position == 0 or (values[column] or 0) > 0]
    labels = [textwrap.fill(text(key, lang), 22) for key, _ in shown]
    amounts = [values[column] or 0 for _, column in shown]
    title = text("chart.fund_by_level", lang, year=year)
    with matplotlib.rc_context(STYLE):
        figure = _figure(7, 1.4 + 0.55 * len(amounts), notes)
        axes = figure.add_subplot()
        bars = axes.barh(labels, amounts, color=[PRIMARY, SECONDARY, MUTED][: len(amounts)])
        written = [format_amount(a, lang) for a in amounts]
        axes.bar_label(bars, labels=written, padding=3)
        axes.margins(x=0.3)
        amount_axis(axes, "x", amounts, lang)
        _suptitle(figure, title)
    parts = "; ".join(f"{label}: {amount}" for label, amount in zip(labels, written, strict=True))
    return describe(figure, f"{title}: {parts}.".replace("\n", " "))


def training_by_unit(rows: pd.DataFrame, year: int, lang: str = DEFAULT_LANG, notes: Sequence[str] = ()) -> Figure:
    """Two panels: classes and participant-times per compared unit, ordered by classes (``rows`` as for
    :func:`members_by_unit`; the 7 lowest and 7 highest when there are many)."""
    bars = extremes(rows, "training_classes", lang, by=indicator_label("training_classes", lang))
    title = text("chart.training_by_unit", lang, year=year) + bars.note
    with matplotlib.rc_context(STYLE):
        figure = _figure(8, bar_height(bars, 1.6), notes)
        left, right = figure.subplots(1, 2, sharey=True)
        classes = bars.rows["training_classes"]
        colours = [HIGHLIGHT if c == 0 else PRIMARY for c in classes]
        drawn = left.barh(bars.positions, classes.astype(float), color=colours)
        left.bar_label(drawn, labels=["0" if c == 0 else "" for c in classes], padding=3, color=HIGHLIGHT)
        right.barh(bars.positions, bars.rows["training_participants"].astype(float), color=SECONDARY)
        cut = draw_names(left, bars, lang)
        for axes, indicator in ((left, "training_classes"), (right, "training_participants")):
            _title(axes, indicator_label(indicator, lang), 30)
            value_axis(axes, "x", _unit(indicator, lang), lang, integer=True)
            gap_note(axes, bars, indicator, _count(lang), lang)
        _suptitle(figure, title)
    alt = _bars_alt(title, bars.rows, "training_classes", lang, lambda v: format_indicator("training_classes", v, lang))
    return describe(figure, full_names(alt, cut, lang))


def _line(axes, years: list[int], values, colour: str, label: str | None = None) -> None:
    """One series over the years, on a year axis."""
    axes.plot(years, values, marker="o", color=colour, label=label, clip_on=False)
    year_axis(axes, years)


def _counts_panel(axes, years: list[int], values, indicator: str, colour: str, title: str, lang: str) -> None:
    _line(axes, years, values, colour)
    _title(axes, title, 40)
    value_axis(axes, "y", _unit(indicator, lang), lang, integer=REGISTRY[indicator].precision == 0)


def _two_panels(values: pd.DataFrame, lang: str, title: str, notes: Sequence[str]) -> Figure:
    """Members and total fund (in triệu or tỷ đồng) over the years: two panels, never one chart with two axes."""
    years = [int(y) for y in values.index]
    with matplotlib.rc_context(STYLE):
        figure = _figure(8, 3.3, notes)
        left, right = figure.subplots(1, 2)
        _counts_panel(left, years, values["members"], "members", PRIMARY, indicator_label("members", lang), lang)
        _line(right, years, values["fund_total_vnd"], SECONDARY)
        _title(right, indicator_label("fund_total_vnd", lang), 40)
        amount_axis(right, "y", values["fund_total_vnd"].dropna(), lang)
        _suptitle(figure, title)
    series = [(indicator_label("members", lang), values["members"])]
    alt = _lines_alt(title, years, series, _count(lang))
    fund = values["fund_total_vnd"].dropna()
    if not fund.empty:
        alt += f" {indicator_label('fund_total_vnd', lang)}: {format_amount(fund.iloc[0], lang)} → {format_amount(fund.iloc[-1], lang)}."
    return describe(figure, alt)


def trend(values: pd.DataFrame, lang: str = DEFAULT_LANG, notes: Sequence[str] = ()) -> Figure:
    """Two panels: members and total fund of a report's scope (the whole file, an area compared with itself, or a
    unit) over the years of ``values`` (indexed by year)."""
    return _two_panels(values, lang, text("chart.trend", lang), notes)


def unit_trend(values: pd.DataFrame, unit_name: str, lang: str = DEFAULT_LANG, notes: Sequence[str] = ()) -> Figure:
    """One unit's members and fund over the years of ``values`` (its own rows, indexed by year)."""
    return _two_panels(values, lang, text("chart.unit_trend", lang, unit=unit_name), notes)


PEER_BARS = 9  # a unit's place: itself and the units ranked nearest it (all of them when there are no more than this)


def _peers(values: pd.Series, unit_id: str, indicator: str, lang: str) -> tuple[pd.Series, pd.Series, str]:
    """(the values shown, ascending; every unit's rank, 1 the best; a note for the title when the unit is not ranked).

    At most PEER_BARS units: the unit and those ranked just above and below it (the best ones when the unit itself
    is not ranked, as for an area row): what a commune compares itself with, at the same cost for 8 or 800 units."""
    ranks = REGISTRY[indicator].rank(values).astype(int)
    if len(values) <= PEER_BARS:
        return values.sort_values(kind="stable"), ranks, ""
    by_rank = ranks.sort_values(kind="stable").index
    centre = by_rank.get_loc(unit_id) if unit_id in ranks.index else 0
    first = min(max(centre - PEER_BARS // 2, 0), len(by_rank) - PEER_BARS)
    shown = values.reindex(by_rank[first:first + PEER_BARS]).sort_values(kind="stable")
    return shown, ranks, "" if unit_id in ranks.index else " " + text("chart.best", lang, shown=PEER_BARS, total=len(values))


def _place_panel(axes, names: Mapping[str, str], values: pd.Series, unit_id: str, indicator: str, lang: str) -> str:
    """Draw one ranked indicator's bars (``values``: the compared units' values) on ``axes``; return the panel's
    description for the alt text."""
    shown, ranks, note = _peers(values, unit_id, indicator, lang)
    ranked = len(shown) < len(values)  # some left out: each bar says its rank
    labels, _ = bar_labels([names.get(u, u) + (f" ({ranks[u]}/{len(ranks)})" if ranked else "") for u in shown.index])
    precision = REGISTRY[indicator].precision
    axes.barh(range(len(shown)), shown.to_numpy(dtype=float), color=[ACCENT if u == unit_id else MUTED for u in shown.index])
    axes.set_yticks(range(len(shown)), labels)
    value_axis(axes, "x", _unit(indicator, lang), lang, integer=precision == 0, precision=min(precision, 1))
    label = indicator_label(indicator, lang)
    if unit_id not in ranks.index:
        _title(axes, label + note)
        return label
    _title(axes, text("chart.rank_of", lang, indicator=label, rank=int(ranks[unit_id]), count=len(ranks)))
    return text("alt.rank", lang, title=label, unit=names.get(unit_id, unit_id), rank=int(ranks[unit_id]), count=len(ranks),
                value=format_indicator(indicator, values[unit_id], lang))


def unit_rank(frame: pd.DataFrame, unit_id: str, names: Mapping[str, str], year: int, indicator: str, lang: str = DEFAULT_LANG,
              notes: Sequence[str] = ()) -> Figure:
    """The unit among the units of ``frame`` on one indicator: itself in the house accent colour (being compared is
    not a fault) and the units ranked nearest it (see :data:`PEER_BARS`)."""
    return unit_place(frame, unit_id, names, year, lang, notes, (indicator,))


def unit_place(frame: pd.DataFrame, unit_id: str, names: Mapping[str, str], year: int, lang: str = DEFAULT_LANG,
               notes: Sequence[str] = (), indicators: tuple[str, ...] = PLACE_INDICATORS) -> Figure:
    """The unit's place among the units of ``frame`` (their values in ``year``, indexed by unit_id: its sibling
    communes; for an area row, the units below it), one panel per indicator, each showing the unit and the units
    ranked nearest it, with its rank in the panel's title; ``names``: unit_id -> name."""
    name = names.get(unit_id, unit_id)  # an area row is not among its bars
    title = text("chart.unit_place", lang, unit=name, year=year)
    values = {key: frame[key].dropna() for key in indicators}
    bars = [min(len(values[key]), PEER_BARS) for key in indicators]
    with matplotlib.rc_context(STYLE):
        figure = _figure(7, 1.0 + 0.3 * sum(bars) + 1.0 * len(indicators), notes)
        grid = figure.add_gridspec(len(indicators), 1, height_ratios=[max(b, 1) + 3 for b in bars])
        parts = [_place_panel(figure.add_subplot(grid[i]), names, values[key], unit_id, key, lang) for i, key in enumerate(indicators)]
        _suptitle(figure, title)
    return describe(figure, " ".join([title + "."] + parts))


# The trends page's themes, in the yearly report's order: (title key, [(indicator, legend label key or None)], kind);
# one panel each, every series of a panel in the same unit (no second axis drawn over the first).
THEMES = (
    ("chart.theme_members", (("members", None),), "count"),
    ("chart.theme_families", (("baccalaureate_families", "baccalaureate_families"), ("bachelor_families", "bachelor_families")), "count"),
    ("chart.theme_clans", (("clans_registered", "clans_registered"), ("clans_recognised", "clans_recognised")), "count"),
    ("chart.theme_training", (("training_classes", None),), "count"),
    ("chart.theme_participants", (("training_participants", None),), "count"),
    ("chart.theme_fund", (("fund_total_vnd", None), ("fund_commune_vnd", "chart.level_commune"), ("fund_district_vnd", "chart.level_district"),
                          ("fund_province_vnd", "chart.level_province")), "money"),
    ("chart.theme_learning", (("learning_families_pct", None), ("learning_clans_pct", None), ("learning_communities_pct", None),
                              ("learning_organisations_pct", None)), "percent"),
)
SERIES_COLOURS = (PRIMARY, SECONDARY, "#2e8b57", "#7d3c98")


def _legend_label(indicator: str, key: str | None, lang: str) -> str:
    if key is None:
        return indicator_label(indicator, lang)
    return text(key, lang) if key.startswith("chart.") else column_header(key, lang)


def _theme_panel(axes, years: list[int], values: pd.DataFrame, key: str, series: list, kind: str, lang: str) -> str:
    """One theme's lines on ``axes``, its axis in the series' unit; returns its description for the alt text."""
    if kind == "money":
        series = [(i, label) for i, label in series if (values[i].fillna(0) > 0).any()]
    for position, (indicator, label) in enumerate(series):
        _line(axes, years, values[indicator], SERIES_COLOURS[position], _legend_label(indicator, label, lang) if len(series) > 1 else None)
    first = series[0][0]
    if kind == "money":
        amount_axis(axes, "y", values[[i for i, _ in series]].stack().dropna(), lang)
    elif kind == "percent":
        value_axis(axes, "y", _unit(first, lang), lang, precision=0)
        axes.set_ylim(0, 100)
    else:
        value_axis(axes, "y", _unit(first, lang), lang, integer=True)
    if kind != "percent":
        _title(axes, text(key, lang), 40)
    if len(series) > 1:
        axes.legend(loc="best", frameon=False)
    shown = (lambda v: format_amount(v, lang)) if kind == "money" else _count(lang)
    return _lines_alt(text(key, lang), years, [(_legend_label(i, label, lang), values[i]) for i, label in series], shown)


def indicator_trends(values: pd.DataFrame, lang: str = DEFAULT_LANG, notes: Sequence[str] = (),
                     markers: Sequence[tuple[int, str]] = ()) -> Figure:
    """The whole file's indicators over the years of ``values`` (indexed by year), one panel per theme (members;
    families; clans; classes; participants; fund in triệu or tỷ đồng; learning-society titles where reported), every
    panel with its unit on the axis, counts from zero; ``markers``: (year, label) of each reorganisation, a dashed
    vertical line before that year."""
    years = [int(y) for y in values.index]
    reported = {i.id for i in reported_in(values)}
    themes = [(key, [(i, label) for i, label in series if i in reported and values[i].notna().any()], kind) for key, series, kind in THEMES]
    themes = [(key, series, kind) for key, series, kind in themes
              if series and not (kind == "money" and not any((values[i].fillna(0) > 0).any() for i, _ in series))]
    with matplotlib.rc_context(STYLE | {"legend.fontsize": 8}):
        rows = -(-len(themes) // 2)
        figure = _figure(9, 3.0 * rows, notes)
        panels = list(figure.subplots(rows, 2, squeeze=False).flat)
        alt_parts = [_theme_panel(axes, years, values, key, series, kind, lang)
                     for axes, (key, series, kind) in zip(panels, themes, strict=False)]
        for axes in panels[:len(themes)]:
            for year, label in markers:  # a reorganisation: drawn on every panel, labelled on the first
                axes.axvline(year - 0.5, color="#555555", linestyle="--", linewidth=1)
                if axes is panels[0]:
                    axes.annotate(label, (year - 0.5, 1), xycoords=("data", "axes fraction"), fontsize=8, ha="right", va="top", rotation=90)
        for axes in panels[len(themes):]:
            axes.set_visible(False)
    return describe(figure, " ".join([*alt_parts, *(label + "." for _, label in markers)]))


def _indicator_axis(axes, which: str, indicator: str, values, lang: str) -> str:
    """An axis of one indicator in its unit: đồng amounts in triệu or tỷ đồng, the rest at its precision (at most one
    decimal); returns the unit."""
    if REGISTRY[indicator].measure == "vnd":
        return amount_axis(axes, which, values, lang, from_zero=False)
    precision = REGISTRY[indicator].precision
    unit = _unit(indicator, lang)
    value_axis(axes, which, unit, lang, integer=precision == 0, precision=min(precision, 1), from_zero=False)
    return unit


def indicator_over_time(series: Mapping[str, pd.Series], indicator: str, years: list[int], lang: str = DEFAULT_LANG,
                        notes: Sequence[str] = ()) -> Figure:
    """One line per named series (name -> ``indicator``'s values indexed by year: the whole file, an area over its
    subtree, a unit over its own row) over ``years``."""
    colours = [PRIMARY, SECONDARY, HIGHLIGHT, MUTED, "#2e8b57", "#7d3c98", "#5d6d7e", "#b7950b"]
    with matplotlib.rc_context(STYLE):
        figure = _figure(8, 3.8, notes)
        axes = figure.add_subplot()
        for position, (name, values) in enumerate(series.items()):
            values = values.astype(float)
            axes.plot([int(y) for y in values.index], values.to_numpy(), marker="o", label=name, color=colours[position % len(colours)])
        year_axis(axes, years)
        every = pd.concat([values.astype(float) for values in series.values()]) if series else pd.Series(dtype=float)
        _indicator_axis(axes, "y", indicator, every.dropna(), lang)
        _suptitle(figure, indicator_label(indicator, lang))
        if len(series) > 1:
            axes.legend(fontsize=8, frameon=False)
    return figure


def indicator_by_unit(rows: pd.DataFrame, indicator: str, year: int, lang: str = DEFAULT_LANG, notes: Sequence[str] = ()) -> Figure:
    """Horizontal bars of ``indicator`` in ``year`` for the units of ``rows`` (their values with a unit_name column:
    :meth:`khuyenhoc.indicators.Analysis.named_scopes`), the highest on top; the 7 lowest and 7 highest when there
    are many."""
    bars = extremes(rows.dropna(subset=[indicator]), indicator, lang)
    with matplotlib.rc_context(STYLE):
        figure = _figure(7, bar_height(bars, 1.3), notes)
        axes = figure.add_subplot()
        values = bars.rows[indicator].astype(float)
        axes.barh(bars.positions, values, color=[HIGHLIGHT if value < 0 else PRIMARY for value in values])
        draw_names(axes, bars, lang)
        _indicator_axis(axes, "x", indicator, values, lang)
        if (values >= 0).all():
            axes.set_xlim(left=0)
        gap_note(axes, bars, indicator, lambda v: format_indicator(indicator, v, lang), lang)
        _suptitle(figure, f"{indicator_label(indicator, lang)}, {year}" + bars.note)
    return figure


TARGET_COLUMNS = 2  # panels side by side in the targets chart: four titles make two rows, readable on a page and a phone


def targets_by_unit(unit_targets: pd.DataFrame, names: Mapping[str, str], year: int, lang: str = DEFAULT_LANG,
                    notes: Sequence[str] = ()) -> Figure:
    """One panel per learning-society title with a target: each compared unit's share as a bar (red below its
    target), its target as a black mark, two panels a row; ``unit_targets`` are the rows of
    :func:`khuyenhoc.targets.unit_targets`. The units are ordered by the first title's share, the highest on top (the 7 lowest and 7 highest when many)."""
    titles = list(dict.fromkeys(unit_targets["indicator"]))
    wide = unit_targets.pivot(index="unit_id", columns="indicator", values="value").reindex(columns=titles)
    wide["unit_name"] = [names.get(u, u) for u in wide.index]
    by = indicator_label(titles[0], lang)
    bars = extremes(wide, titles[0], lang, by=by)
    with matplotlib.rc_context(STYLE):
        columns = min(len(titles), TARGET_COLUMNS)
        rows = -(-len(titles) // columns)
        figure = _figure(3 + 2.4 * columns, rows * bar_height(bars, 1.0) + 0.8, notes)
        grid = figure.subplots(rows, columns, sharey=True, squeeze=False)
        panels = list(grid.flat)
        for axes in panels[len(titles):]:
            axes.set_visible(False)
        for axes, indicator in zip(panels, titles, strict=False):
            mine = unit_targets[unit_targets["indicator"] == indicator].set_index("unit_id").reindex(bars.rows.index)
            values = mine["value"].astype(float)
            colours = [HIGHLIGHT if below else PRIMARY for below in (values < mine["target"]).to_numpy()]
            axes.barh(bars.positions, values.fillna(0).to_numpy(), color=colours)
            axes.scatter(mine["target"].astype(float).to_numpy(), bars.positions, marker="|", s=250, color="black", zorder=3,
                         label=text("chart.target_mark", lang))
            value_axis(axes, "x", measure_name("percent", lang), lang, precision=0)
            axes.set_xlim(0, 100)
            _title(axes, indicator_label(indicator, lang), 30)
        draw_names(panels[0], bars, lang)  # the axes share their rows: each row of panels shows the names
        for axes in grid[1:, 0]:
            style_gap(axes, bars)
        figure.legend(*panels[0].get_legend_handles_labels(), loc="outside lower right", fontsize=8, frameon=False)
        _suptitle(figure, text("chart.targets_by_unit", lang, year=year) + bars.note)
    return figure


# The charts of the yearly report by file stem, in the order they are shown; a section names its chart
# (khuyenhoc.reports.sections), its drawing is here.
ANNUAL_CHARTS = {
    "members_by_unit": lambda s: members_by_unit(s.unit_values(), s.year, s.lang, s.notes),
    "fund_by_level": lambda s: fund_by_level(s.values, s.year, s.lang, s.notes),
    "training_by_unit": lambda s: training_by_unit(s.unit_values(), s.year, s.lang, s.notes),
    "learning_citizens_by_unit": lambda s: indicator_by_unit(s.unit_values(), "learning_citizens_pct", s.year, s.lang, s.notes),
    "trend": lambda s: trend(s.trend_values(), s.lang, s.notes),
}


def annual_figures(summary: AnnualSummary) -> dict[str, Figure]:
    """The charts of a yearly summary, by file stem: each shown section's (a group's only where reported), then the trend."""
    wanted = {section.chart for section in SECTIONS if section.chart and section.shown_in(summary.values)} | {"trend"}
    return {stem: draw(summary) for stem, draw in ANNUAL_CHARTS.items() if stem in wanted}


def target_figures(summary: AnnualSummary) -> dict[str, Figure]:
    """The chart of the titles by compared unit with the target marks (none without titles or targets)."""
    if summary.unit_targets.empty:
        return {}
    return {"targets_by_unit": targets_by_unit(summary.unit_targets, summary.analysis.unit_names, summary.year, summary.lang, summary.notes)}


def profile_figures(profile: UnitProfile) -> dict[str, Figure]:
    """"trend" (only from two years of figures: one year is no trend) and "place" among the units."""
    notes, lang = profile.notes, profile.lang
    figures = {"trend": unit_trend(profile.trend_values(), profile.unit_name, lang, notes)} if len(profile.years) > 1 else {}
    place = unit_place(profile.place_values(), profile.unit_id, profile.analysis.unit_names, profile.year, lang, notes)
    return figures | {"place": place}


def trends_figures(trends: Trends) -> dict[str, Figure]:
    return {"indicators": indicator_trends(trends.values(), trends.lang, trends.notes, trends.markers())}


def to_png(figure: Figure) -> bytes:
    """The figure as PNG bytes (rendered once: a report shows and saves the same figure), with a palette
    (:data:`PNG_COLOURS`): a country's reports carry thousands of charts."""
    rendered = getattr(figure, "_khuyenhoc_png", None)
    if rendered is None:
        rendered = figure._khuyenhoc_png = _palette_png(_pixels(figure))
    return rendered


PNG_COLOURS = 256


def _pixels(figure: Figure):
    """The figure drawn by Agg at the style's resolution, as an RGB image (no PNG encoded and decoded between)."""
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    canvas, dpi = FigureCanvasAgg(figure), figure.dpi
    try:
        with matplotlib.rc_context(STYLE):
            figure.dpi = STYLE["savefig.dpi"]
            canvas.draw()
            return Image.fromarray(np.asarray(canvas.buffer_rgba())).convert("RGB")  # charts have an opaque white background
    finally:
        figure.dpi = dpi


def _palette_png(image) -> bytes:
    """A chart as a 256-colour PNG: flat fills and antialiased text look the same, at about a third of the bytes."""
    from PIL import Image

    buffer = io.BytesIO()
    image.quantize(colors=PNG_COLOURS, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE).save(buffer, format="PNG")
    return buffer.getvalue()


def save_png(figure: Figure, path: str | Path) -> Path:
    """Save the figure as a PNG, atomically."""
    return atomic_write_bytes(path, to_png(figure))
