"""Matplotlib figures in one house style; built on Figure objects (no pyplot state)."""

from __future__ import annotations

import io
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from khuyenhoc.formatting import format_indicator, format_number
from khuyenhoc.fsutil import atomic_write_bytes
from khuyenhoc.i18n import DEFAULT_LANG, column_header, indicator_label, text
from khuyenhoc.indicators import REGISTRY, reported_in
from khuyenhoc.reports.annual import AnnualSummary
from khuyenhoc.reports.profile import PLACE_INDICATORS, UnitProfile
from khuyenhoc.reports.sections import SECTIONS
from khuyenhoc.reports.trends import Trends

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
MAX_BARS = 30  # a bar chart of units shows at most this many (the lowest and highest) so it stays readable at scale
TITLE_WIDTH = 60  # characters; longer titles wrap instead of being cut off
LABEL_WIDTH, LABEL_LINES = 40, 2  # a bar's unit name: wrapped to this many characters a line, cut with "…" after two lines
PRIMARY, SECONDARY, HIGHLIGHT, MUTED = "#1f5f99", "#e08a1e", "#c0392b", "#9db4c9"  # HIGHLIGHT: alarms only (no training, below target)
ACCENT = PRIMARY  # the house accent: the unit a chart is about


def _figure(width: float, height: float, notes: Sequence[str] = ()) -> Figure:
    """A figure, captioned with ``notes`` (what the data is: illustrative, synthetic) when there are any."""
    figure = Figure(figsize=(width, height), layout="constrained")
    if notes:
        figure.supxlabel(" ".join(notes), fontsize=8, color="#777777", style="italic", x=0.01, ha="left")
    return figure


def _thousands(lang: str, precision: int = 0) -> FuncFormatter:
    return FuncFormatter(lambda value, _: format_number(value, precision, lang))


def _millions(lang: str) -> FuncFormatter:
    """Ticks in million đồng, with as many decimals as the tick needs (2,5 not 2 and 3)."""

    def shown(value: float, _position: int) -> str:
        millions = round(value / 1e6, 6)
        decimals = next((d for d in range(3) if float(round(millions, d)) == millions), 2)
        return format_number(millions, decimals, lang)

    return FuncFormatter(shown)


def _extremes(rows: pd.DataFrame, column: str, lang: str, keep: frozenset = frozenset()) -> tuple[pd.DataFrame, str]:
    """At most MAX_BARS rows, ascending by ``column``: all of them, or the lowest and highest
    (and the rows whose index is in ``keep``); plus a note for the title when some were left out."""
    ordered = rows.sort_values(column, kind="stable")
    if len(ordered) <= MAX_BARS:
        return ordered, ""
    half = MAX_BARS // 2
    chosen = ordered.index[:half].union(ordered.index[-half:]).union(ordered.index.intersection(list(keep)))
    return ordered.loc[ordered.index.isin(chosen)], " " + text("chart.extremes", lang, half=half, total=len(ordered))


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


def _title(axes, title: str, width: int = TITLE_WIDTH) -> None:
    """A panel title wrapped to fit the panel (never cut inside the image)."""
    axes.set_title(textwrap.fill(title, width))


def _from_zero(axes, integer: bool, axis: str = "y") -> None:
    """Counts start at zero and get whole-number ticks (no "0 0 0 1 1 1")."""
    target = axes.yaxis if axis == "y" else axes.xaxis
    if integer:
        target.set_major_locator(MaxNLocator(integer=True))
    if axis == "y":
        axes.set_ylim(bottom=0)
    else:
        axes.set_xlim(left=0)


def bar_labels(names: list[str]) -> tuple[list[str], list[str]]:
    """Unit names as bar labels that fit beside the bars: wrapped, and cut with "…" when longer than
    :data:`LABEL_LINES` lines; plus the names that were cut (the alt text gives them whole)."""
    labels, cut = [], []
    for name in names:
        lines = textwrap.wrap(name, LABEL_WIDTH) or [""]
        if len(lines) > LABEL_LINES:
            lines = [*lines[: LABEL_LINES - 1], lines[LABEL_LINES - 1][: LABEL_WIDTH - 1] + "…"]
            cut.append(name)
        labels.append("\n".join(lines))
    return labels, cut


def members_by_unit(rows: pd.DataFrame, year: int, lang: str = DEFAULT_LANG, notes: Sequence[str] = ()) -> Figure:
    """Horizontal bars: members of each compared unit (``rows``: their values with a unit_name column; the lowest
    and highest when there are many)."""
    rows, shown = _extremes(rows, "members", lang)
    title = text("chart.members_by_unit", lang, year=year) + shown
    with matplotlib.rc_context(STYLE):
        labels, cut = bar_labels(rows["unit_name"].tolist())
        figure = _figure(8, 0.7 + 0.35 * sum(label.count("\n") + 1 for label in labels), notes)
        axes = figure.add_subplot()
        axes.barh(range(len(rows)), rows["members"].astype(float), color=PRIMARY)  # by position: two cut names may read alike
        axes.set_yticks(range(len(rows)), labels)
        axes.xaxis.set_major_formatter(_thousands(lang))
        _from_zero(axes, True, "x")
        _title(axes, title)
    alt = _bars_alt(title, rows, "members", lang, lambda v: format_number(v, 0, lang))
    return describe(figure, alt + (" " + text("alt.full_names", lang, names="; ".join(cut)) if cut else ""))


def fund_by_level(values: Mapping, year: int, lang: str = DEFAULT_LANG, notes: Sequence[str] = ()) -> Figure:
    """Bars: fund held by commune associations, district and province (or national) associations, in million
    đồng; ``values`` are the report's indicators. Levels above the communes with no fund are left out."""
    levels = [("chart.level_commune", "fund_commune_vnd"), ("chart.level_district", "fund_district_vnd"), ("chart.level_province", "fund_province_vnd")]
    shown = [(key, column) for position, (key, column) in enumerate(levels) if position == 0 or (values[column] or 0) > 0]
    labels = [text(key, lang) for key, _ in shown]
    amounts = [values[column] or 0 for _, column in shown]
    title = text("chart.fund_by_level", lang, year=year)
    with matplotlib.rc_context(STYLE):
        figure = _figure(7, 3, notes)
        axes = figure.add_subplot()
        bars = axes.barh(labels, amounts, color=[PRIMARY, SECONDARY, MUTED][: len(amounts)])
        millions = [format_number(a / 1e6, 2, lang) for a in amounts]
        axes.bar_label(bars, labels=millions, padding=3)
        axes.margins(x=0.15)
        axes.xaxis.set_major_formatter(_millions(lang))
        axes.set_xlim(left=0)
        axes.set_xlabel(text("chart.million_vnd", lang))
        _title(axes, title)
    parts = "; ".join(f"{label}: {amount} {text('chart.million_vnd', lang)}" for label, amount in zip(labels, millions, strict=True))
    return describe(figure, f"{title}: {parts}.")


def training_by_unit(rows: pd.DataFrame, year: int, lang: str = DEFAULT_LANG, notes: Sequence[str] = ()) -> Figure:
    """Two panels: classes and participant-times per compared unit (``rows`` as for :func:`members_by_unit`; the
    lowest and highest when there are many)."""
    rows, shown = _extremes(rows, "training_classes", lang)
    title = text("chart.training_by_unit", lang, year=year) + shown
    with matplotlib.rc_context(STYLE):
        figure = _figure(10, 1.0 + 0.35 * len(rows), notes)
        left, right = figure.subplots(1, 2, sharey=True)
        names = rows["unit_name"].tolist()
        colours = [HIGHLIGHT if c == 0 else PRIMARY for c in rows["training_classes"]]
        bars = left.barh(names, rows["training_classes"].astype(float), color=colours)
        left.bar_label(bars, labels=["0" if c == 0 else "" for c in rows["training_classes"]], padding=3, color=HIGHLIGHT)
        right.barh(names, rows["training_participants"].astype(float), color=SECONDARY)
        _title(left, indicator_label("training_classes", lang), 40)
        _title(right, indicator_label("training_participants", lang), 40)
        for axes in (left, right):
            axes.xaxis.set_major_formatter(_thousands(lang))
            _from_zero(axes, True, "x")
        figure.suptitle(textwrap.fill(title, 90), fontweight="bold")
    return describe(figure, _bars_alt(title, rows, "training_classes", lang, lambda v: format_number(v, 0, lang)))


def _line(axes, years: list[int], values, colour: str, title: str, formatter: FuncFormatter, counts: bool = True,
          label: str | None = None) -> None:
    """One series over the years; counts and amounts start at zero, counts get whole-number ticks."""
    axes.plot(years, values, marker="o", color=colour, label=label)
    if title:
        _title(axes, title, 45)
    axes.yaxis.set_major_formatter(formatter)
    axes.set_xticks(years, [str(y) for y in years])
    _from_zero(axes, counts)


def _two_panels(values: pd.DataFrame, lang: str, title: str, notes: Sequence[str]) -> Figure:
    """Members and total fund (million đồng) over the years."""
    years = [int(y) for y in values.index]
    fund_title = f"{indicator_label('fund_total_vnd', lang)} ({text('chart.million_vnd', lang)})"
    with matplotlib.rc_context(STYLE):
        figure = _figure(10, 3.5, notes)
        left, right = figure.subplots(1, 2)
        _line(left, years, values["members"], PRIMARY, indicator_label("members", lang), _thousands(lang))
        _line(right, years, values["fund_total_vnd"], SECONDARY, fund_title, _millions(lang), counts=False)
        figure.suptitle(textwrap.fill(title, 90), fontweight="bold")
    series = [(indicator_label("members", lang), values["members"])]
    alt = _lines_alt(title, years, series, lambda v: format_number(v, 0, lang))
    fund = values["fund_total_vnd"].dropna()
    if not fund.empty:
        alt += f" {fund_title}: {format_number(fund.iloc[0] / 1e6, 1, lang)} → {format_number(fund.iloc[-1] / 1e6, 1, lang)}."
    return describe(figure, alt)


def trend(values: pd.DataFrame, lang: str = DEFAULT_LANG, notes: Sequence[str] = ()) -> Figure:
    """Two panels: members and total fund (million đồng) of a report's scope (the whole file, an area compared with
    itself, or a unit) over the years of ``values`` (indexed by year)."""
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
    labels = [names.get(u, u) + (f" ({ranks[u]}/{len(ranks)})" if ranked else "") for u in shown.index]
    precision = REGISTRY[indicator].precision
    axes.barh(labels, shown.to_numpy(dtype=float), color=[ACCENT if u == unit_id else MUTED for u in shown.index])
    axes.xaxis.set_major_formatter(_thousands(lang, 0 if precision == 0 else 1))
    _from_zero(axes, precision == 0, "x")
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
        figure = _figure(8, 1.0 + 0.3 * sum(bars) + 0.7 * len(indicators), notes)
        grid = figure.add_gridspec(len(indicators), 1, height_ratios=[max(b, 1) + 2 for b in bars])
        parts = [_place_panel(figure.add_subplot(grid[i]), names, values[key], unit_id, key, lang) for i, key in enumerate(indicators)]
        figure.suptitle(textwrap.fill(title, TITLE_WIDTH), fontweight="bold")
    return describe(figure, " ".join([title + "."] + parts))


# The trends page's themes, in the yearly report's order: (title key, [(indicator, legend label key or None)], unit)
THEMES = (
    ("chart.theme_members", (("members", None),), "count"),
    ("chart.theme_families", (("baccalaureate_families", "baccalaureate_families"), ("bachelor_families", "bachelor_families")), "count"),
    ("chart.theme_clans", (("clans_registered", "clans_registered"), ("clans_recognised", "clans_recognised")), "count"),
    ("chart.theme_training", (("training_classes", "training_classes"), ("training_participants", "training_participants")), "twin"),
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


def indicator_trends(values: pd.DataFrame, lang: str = DEFAULT_LANG, notes: Sequence[str] = (),
                     markers: Sequence[tuple[int, str]] = ()) -> Figure:
    """The whole file's indicators over the years of ``values`` (indexed by year), one panel per theme (members;
    families; clans; training; fund in million đồng; learning-society titles where reported), counts from zero;
    ``markers``: (year, label) of each reorganisation, a dashed vertical line before that year."""
    years = [int(y) for y in values.index]
    reported = {i.id for i in reported_in(values)}
    themes = [(key, [(i, label) for i, label in series if i in reported and values[i].notna().any()], kind) for key, series, kind in THEMES]
    themes = [(key, series, kind) for key, series, kind in themes
              if series and not (kind == "money" and not any((values[i].fillna(0) > 0).any() for i, _ in series))]
    alt_parts = []
    with matplotlib.rc_context(STYLE | {"legend.fontsize": 8}):
        rows = -(-len(themes) // 2)
        figure = _figure(11, 3.4 * rows, notes)
        panels = list(figure.subplots(rows, 2, squeeze=False).flat)
        for axes, (key, series, kind) in zip(panels, themes, strict=False):
            if kind == "money":
                series = [(i, label) for i, label in series if (values[i].fillna(0) > 0).any()]
            for position, (indicator, label) in enumerate(series):
                target = axes.twinx() if kind == "twin" and position == 1 else axes
                precision = min(REGISTRY[indicator].precision, 1)
                formatter = _millions(lang) if kind == "money" else _thousands(lang, 0 if kind in ("count", "twin") else precision)
                _line(target, years, values[indicator], SERIES_COLOURS[position], "", formatter, counts=kind in ("count", "twin"),
                      label=_legend_label(indicator, label, lang) if len(series) > 1 else None)
                if kind == "twin":
                    target.set_ylabel(_legend_label(indicator, label, lang), color=SERIES_COLOURS[position])
                if kind == "percent":
                    target.set_ylim(0, 100)
            _title(axes, text(key, lang), 50)
            for year, label in markers:  # a reorganisation: drawn on every panel, labelled on the first
                axes.axvline(year - 0.5, color="#555555", linestyle="--", linewidth=1)
                if axes is panels[0]:
                    axes.annotate(label, (year - 0.5, 1), xycoords=("data", "axes fraction"), fontsize=8, ha="right", va="top", rotation=90)
            if len(series) > 1 and kind != "twin":
                axes.legend(loc="best", frameon=False)
            shown = (lambda v: format_number(v / 1e6, 1, lang)) if kind == "money" else (lambda v: format_number(v, 0, lang))
            alt_parts.append(_lines_alt(text(key, lang), years, [(_legend_label(i, label, lang), values[i]) for i, label in series], shown))
        for axes in panels[len(themes):]:
            axes.set_visible(False)
    return describe(figure, " ".join([*alt_parts, *(label + "." for _, label in markers)]))


def _formatter(indicator: str, lang: str) -> FuncFormatter:
    """Ticks as the indicator is shown: đồng amounts in millions, the rest at its precision (at most one decimal)."""
    measure = REGISTRY[indicator].measure
    return _millions(lang) if measure == "vnd" else _thousands(lang, min(REGISTRY[indicator].precision, 1))


def _axis_label(indicator: str, lang: str) -> str:
    label = indicator_label(indicator, lang)
    return f"{label} ({text('chart.million_vnd', lang)})" if REGISTRY[indicator].measure == "vnd" else label


def indicator_over_time(series: Mapping[str, pd.Series], indicator: str, years: list[int], lang: str = DEFAULT_LANG,
                        notes: Sequence[str] = ()) -> Figure:
    """One line per named series (name -> ``indicator``'s values indexed by year: the whole file, an area over its
    subtree, a unit over its own row) over ``years``."""
    colours = [PRIMARY, SECONDARY, HIGHLIGHT, MUTED, "#2e8b57", "#7d3c98", "#5d6d7e", "#b7950b"]
    with matplotlib.rc_context(STYLE):
        figure = _figure(9, 3.8, notes)
        axes = figure.add_subplot()
        for position, (name, values) in enumerate(series.items()):
            values = values.astype(float)
            axes.plot([int(y) for y in values.index], values.to_numpy(), marker="o", label=name, color=colours[position % len(colours)])
        axes.set_xticks(years, [str(y) for y in years])
        axes.yaxis.set_major_formatter(_formatter(indicator, lang))
        axes.set_title(textwrap.fill(_axis_label(indicator, lang), TITLE_WIDTH))
        if len(series) > 1:
            axes.legend(fontsize=8, frameon=False)
    return figure


def indicator_by_unit(rows: pd.DataFrame, indicator: str, year: int, lang: str = DEFAULT_LANG, notes: Sequence[str] = ()) -> Figure:
    """Horizontal bars of ``indicator`` in ``year`` for the units of ``rows`` (their values with a unit_name column:
    :meth:`khuyenhoc.indicators.Analysis.named_scopes`); the lowest and highest when there are many."""
    rows, shown = _extremes(rows.dropna(subset=[indicator]), indicator, lang)
    with matplotlib.rc_context(STYLE):
        figure = _figure(8, 0.8 + 0.35 * len(rows), notes)
        axes = figure.add_subplot()
        colours = [HIGHLIGHT if value < 0 else PRIMARY for value in rows[indicator]]
        axes.barh(rows["unit_name"].tolist(), rows[indicator].astype(float), color=colours)
        axes.xaxis.set_major_formatter(_formatter(indicator, lang))
        axes.set_title(textwrap.fill(f"{_axis_label(indicator, lang)}, {year}", TITLE_WIDTH) + shown)
    return figure


def targets_by_unit(unit_targets: pd.DataFrame, names: Mapping[str, str], year: int, lang: str = DEFAULT_LANG,
                    notes: Sequence[str] = ()) -> Figure:
    """One panel per learning-society title with a target: each compared unit's share as a bar (red below its
    target), its target as a black mark; ``unit_targets`` are the rows of :func:`khuyenhoc.targets.unit_targets`."""
    titles = list(dict.fromkeys(unit_targets["indicator"]))
    wide = unit_targets.pivot(index="unit_id", columns="indicator", values="value").reindex(columns=titles)
    wide["unit_name"] = [names.get(u, u) for u in wide.index]
    rows, shown = _extremes(wide.sort_values("unit_name", kind="stable"), titles[0], lang)
    rows = rows.sort_values("unit_name", ascending=False, kind="stable")  # top to bottom in name order
    with matplotlib.rc_context(STYLE):
        figure = _figure(4 + 2.6 * len(titles), 1.2 + 0.35 * len(rows), notes)
        panels = figure.subplots(1, len(titles), sharey=True, squeeze=False)[0]
        for axes, indicator in zip(panels, titles, strict=True):
            mine = unit_targets[unit_targets["indicator"] == indicator].set_index("unit_id").reindex(rows.index)
            values = mine["value"].astype(float)
            colours = [HIGHLIGHT if below else PRIMARY for below in (values < mine["target"]).to_numpy()]
            axes.barh(rows["unit_name"].tolist(), values.fillna(0).to_numpy(), color=colours)
            axes.scatter(mine["target"].astype(float).to_numpy(), rows["unit_name"].tolist(), marker="|", s=250, color="black", zorder=3,
                         label=text("chart.target_mark", lang))
            axes.set_xlim(0, 100)
            axes.xaxis.set_major_formatter(_thousands(lang))
            axes.set_title(textwrap.fill(indicator_label(indicator, lang) + " (%)", 32))
        panels[0].legend(loc="lower right", fontsize=8)
        figure.suptitle(text("chart.targets_by_unit", lang, year=year) + shown, fontweight="bold")
    return figure


# The charts of the yearly report by file stem, in the order they are shown; a section names its chart
# (khuyenhoc.reports.sections), its drawing is here.
ANNUAL_CHARTS = {
    "members_by_unit": lambda s: members_by_unit(s.unit_values(), s.year, s.lang, s.notes),
    "fund_by_level": lambda s: fund_by_level(s.values, s.year, s.lang, s.notes),
    "training_by_unit": lambda s: training_by_unit(s.unit_values(), s.year, s.lang, s.notes),
    "trend": lambda s: trend(s.trend_values(), s.lang, s.notes),
}


def annual_figures(summary: AnnualSummary) -> dict[str, Figure]:
    """The charts of a yearly summary, by file stem: each declared section's, then the trend."""
    wanted = {section.chart for section in SECTIONS if section.chart} | {"trend"}
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
