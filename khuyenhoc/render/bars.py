"""The rows of a bar chart of units: which units (every one, or the lowest and highest around one row for the
others), in what order (ascending: the highest on top), and their names wrapped to fit beside the bars."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

import pandas as pd

from khuyenhoc.i18n import text

MAX_BARS = 15  # a bar chart of units has at most this many rows: every unit, or the 7 lowest, one row for the others, the 7 highest
LABEL_WIDTH, LABEL_LINES = 40, 3  # a bar's unit name: wrapped to this many characters a line, cut with "…" only after three (120 characters)


@dataclass
class Bars:
    """The bars of a chart of units: the rows shown (ascending by value: the highest on top), their positions, and,
    when there are more than :data:`MAX_BARS`, a gap between the lowest and the highest for the units left out."""

    rows: pd.DataFrame
    positions: list[int]
    left_out: pd.DataFrame
    gap: int | None = None
    note: str = ""


def extremes(rows: pd.DataFrame, column: str, lang: str, keep: frozenset = frozenset(), by: str = "") -> Bars:
    """At most MAX_BARS rows, ascending by ``column`` (ties in name order): all of them, or the 7 lowest and 7 highest
    (and the rows whose index is in ``keep``) around a gap row for the others; plus a note for the title when some
    were left out, or (``by``: the indicator the order follows, when the chart shows several) the order."""
    ordered = rows.sort_values([column, "unit_name"], kind="stable", na_position="first")
    if len(ordered) <= MAX_BARS:
        return Bars(ordered, list(range(len(ordered))), ordered.iloc[:0], note=" " + text("chart.sorted_by", lang, indicator=by) if by else "")
    half = (MAX_BARS - 1) // 2
    chosen = ordered.index[:half].union(ordered.index[-half:]).union(ordered.index.intersection(list(keep)))
    shown = ordered.loc[ordered.index.isin(chosen)]
    low = sum(1 for position in range(len(shown)) if ordered.index.get_loc(shown.index[position]) < half)
    positions = list(range(low)) + list(range(low + 1, len(shown) + 1))
    key = "chart.extremes_by" if by else "chart.extremes"
    note = " " + text(key, lang, half=half, total=len(ordered), indicator=by)
    return Bars(shown, positions, ordered.loc[~ordered.index.isin(chosen)], low, note)


def draw_names(axes, bars: Bars, lang: str) -> list[str]:
    """The units' names beside their bars (wrapped, see :func:`bar_labels`) and "… N other units" in the gap;
    returns the names that had to be cut (the alt text gives them whole)."""
    labels, cut = bar_labels(bars.rows["unit_name"].tolist())
    ticks, names = list(bars.positions), labels
    if bars.gap is not None:
        ticks, names = [*ticks, bars.gap], [*labels, text("chart.others", lang, count=len(bars.left_out))]
    axes.set_yticks(ticks, names)
    style_gap(axes, bars)
    axes.set_ylim(-0.6, max(ticks) + 0.6)
    return cut


def style_gap(axes, bars: Bars) -> None:
    """The "… N other units" row's name in grey italics (it is not a unit)."""
    if bars.gap is not None:
        axes.get_yticklabels()[-1].set(style="italic", color="#555555")


def gap_note(axes, bars: Bars, column: str, shown, lang: str) -> None:
    """In the gap row of a panel: the range of ``column`` over the units left out."""
    if bars.gap is None:
        return
    values = bars.left_out[column].dropna()
    if not values.empty:
        note = text("chart.others_range", lang, low=shown(values.min()), high=shown(values.max()))
        axes.text(0.02, bars.gap, note, transform=axes.get_yaxis_transform(), va="center", ha="left", fontsize=8, style="italic",
                  color="#555555")


def bar_height(bars: Bars, extra: float = 0.0) -> float:
    """Inches of bars: a line per bar and per wrapped line of its name, plus the gap row."""
    lines = sum(label.count("\n") + 1 for label in bar_labels(bars.rows["unit_name"].tolist())[0])
    return extra + 0.32 * (lines + (1 if bars.gap is not None else 0))


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


def full_names(alt: str, cut: list[str], lang: str) -> str:
    return alt + (" " + text("alt.full_names", lang, names="; ".join(cut)) if cut else "")
