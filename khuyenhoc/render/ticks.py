"""Chart axes a reader can read: as many ticks as their labels fit, Vietnamese-formatted, and the unit on the axis."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.textpath import TextToPath
from matplotlib.ticker import FuncFormatter, Locator, MaxNLocator

from khuyenhoc.formatting import amount_scale, format_number
from khuyenhoc.i18n import DEFAULT_LANG, measure_name

MAX_TICKS = 6  # never more intervals than this, however long the axis (a calm scale, read on a phone too)
GAP_EM = 1.0  # at least this much blank (in the label's font size) between two tick labels side by side
LINE_EM = 2.0  # and this much height per tick label on a vertical axis (a label and a blank line)
_TEXT = TextToPath()


def _label_width(label: str, font) -> float:
    """A tick label's width in points."""
    width, _, _ = _TEXT.get_text_width_height_descent(label, font, ismath=False)
    return width


class FittedLocator(Locator):
    """Round ticks (1, 2, 2,5, 5 × 10ⁿ), as many as fit on the axis once formatted: on a horizontal axis each label
    and a blank the width of a letter between neighbours, on a vertical one two lines per label; so "0 400 800
    1.2001.6002.000" never happens, on a 3-inch panel or a 12-inch one. ``integer`` ticks for counts and years."""

    def __init__(self, integer: bool = False) -> None:
        self.integer = integer

    def __call__(self):
        vmin, vmax = self.axis.get_view_interval()
        return self.tick_values(vmin, vmax)

    def tick_values(self, vmin: float, vmax: float):
        low, high = sorted((vmin, vmax))
        ticks = np.array([low])
        for bins in range(MAX_TICKS, 0, -1):
            ticks = MaxNLocator(nbins=bins, integer=self.integer, steps=[1, 2, 2.5, 5, 10]).tick_values(low, high)
            ticks = ticks[(ticks >= low - 1e-9 * abs(high - low)) & (ticks <= high + 1e-9 * abs(high - low))]
            if len(ticks) < 2 or self._fits(ticks, high - low):
                return ticks
        return ticks

    def _fits(self, ticks, span: float) -> bool:
        if self.axis is None or span <= 0:
            return True
        axes = self.axis.axes
        horizontal = self.axis.axis_name == "x"
        length = (axes.bbox.width if horizontal else axes.bbox.height) * 72 / axes.figure.dpi  # points
        step = length * float(ticks[1] - ticks[0]) / span
        font = self.axis.get_major_ticks(1)[0].label1.get_fontproperties()
        if not horizontal:
            return step >= LINE_EM * font.get_size_in_points()
        labels = self.axis.major.formatter.format_ticks(list(ticks))
        widest = max(_label_width(label, font) for label in labels)
        return step >= widest + GAP_EM * font.get_size_in_points()


def number_formatter(lang: str = DEFAULT_LANG, precision: int | None = None, divisor: float = 1) -> FuncFormatter:
    """Ticks as Vietnamese (or English) numbers: ``precision`` decimals, or (None) as many as the tick needs, at most
    two (2,5 between 2 and 3); ``divisor`` scales the values (1e6 for triệu đồng)."""

    def shown(value: float, _position: int | None = None) -> str:
        scaled = round(value / divisor, 6)
        decimals = precision if precision is not None else next((d for d in range(3) if float(round(scaled, d)) == scaled), 2)
        return format_number(scaled, decimals, lang)

    return FuncFormatter(shown)


def value_axis(axes: Axes, which: str, unit: str, lang: str = DEFAULT_LANG, integer: bool = False, precision: int | None = None,
               divisor: float = 1, from_zero: bool = True) -> None:
    """Make ``axes``' ``which`` ("x" or "y") axis a value axis: fitted ticks, formatted in ``lang``, labelled with
    ``unit`` (người, lớp, triệu đồng…), starting at zero unless ``from_zero`` is False."""
    axis = axes.xaxis if which == "x" else axes.yaxis
    axis.set_major_locator(FittedLocator(integer))
    axis.set_major_formatter(number_formatter(lang, 0 if integer else precision, divisor))
    axis.set_label_text(unit)
    if which == "y":
        axes.margins(y=0.1)  # room above the highest point
    if from_zero:
        (axes.set_xlim if which == "x" else axes.set_ylim)(0, None)


def year_axis(axes: Axes, years: list[int]) -> None:
    """A horizontal axis of years: whole years only, as many as fit (every year when they do)."""
    axes.xaxis.set_major_locator(FittedLocator(integer=True))
    axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _=None: str(int(round(value)))))
    if years:
        axes.set_xlim(min(years) - 0.3, max(years) + 0.3)


def amount_unit(values, lang: str = DEFAULT_LANG) -> tuple[float, str]:
    """(divisor, axis unit) for an axis of đồng amounts: the scale of its largest value (triệu or tỷ đồng; đồng
    below a million), as :func:`khuyenhoc.formatting.format_amount` writes them."""
    largest = float(np.nanmax(np.abs(np.asarray(values, dtype=float)))) if len(values) else 0.0
    divisor, measure = amount_scale(0.0 if np.isnan(largest) else largest)
    return divisor, measure_name(measure, lang)


def amount_axis(axes: Axes, which: str, values, lang: str = DEFAULT_LANG, from_zero: bool = True) -> str:
    """A value axis of đồng amounts in the scale of ``values``; returns its unit (for a title or the alt text)."""
    divisor, unit = amount_unit(values, lang)
    value_axis(axes, which, unit, lang, divisor=divisor, from_zero=from_zero)
    return unit


def wrap_to(words: str, width: float, font) -> str:
    """``words`` broken into lines no wider than ``width`` points in ``font`` (measured, never as mathtext: a '$' in
    a unit's name stays a '$'; matplotlib's own ``wrap=True`` would parse it)."""
    lines: list[str] = []
    for word in words.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and _label_width(candidate, font) <= width:
            lines[-1] = candidate
        else:
            lines.append(word)
    return "\n".join(lines)
