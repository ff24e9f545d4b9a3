"""Chart axes a reader can read: as many ticks as their labels fit, Vietnamese-formatted, and the unit on the axis."""

from __future__ import annotations

import functools

import matplotlib
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
_GENERIC = ("serif", "sans-serif", "sans serif", "sans", "cursive", "fantasy", "monospace")  # families the rcParams resolve
_WIDTHS: dict[tuple, float] = {}  # (label, font key) -> width: a chart measures the same few labels hundreds of times
_MEMORY = 20_000  # labels remembered, then forgotten all at once (a country's run draws thousands of charts)


def _font_key(font) -> tuple:
    """What a label's measured width depends on besides its text: the font's properties, and the fonts a generic
    family ("sans-serif") stands for at the time."""
    family = tuple(font.get_family())
    generic = tuple(tuple(matplotlib.rcParams["font." + ("sans-serif" if name in ("sans serif", "sans") else name)])
                    for name in family if name in _GENERIC)
    return (family, generic, font.get_style(), font.get_variant(), font.get_weight(), font.get_stretch(),
            font.get_size_in_points(), font.get_file(), font.get_math_fontfamily())


def _label_width(label: str, font) -> float:
    """A tick label's width in points (measured once per text and font)."""
    key = (label, _font_key(font))
    width = _WIDTHS.get(key)
    if width is None:
        if len(_WIDTHS) >= _MEMORY:
            _WIDTHS.clear()
        width = _WIDTHS[key] = _TEXT.get_text_width_height_descent(label, font, ismath=False)[0]
    return width


class FittedLocator(Locator):
    """Round ticks (1, 2, 2,5, 5 × 10ⁿ), as many as fit on the axis once formatted: on a horizontal axis each label
    and a blank the width of a letter between neighbours, on a vertical one two lines per label; so "0 400 800
    1.2001.6002.000" never happens, on a 3-inch panel or a 12-inch one. ``integer`` ticks for counts and years."""

    def __init__(self, integer: bool = False) -> None:
        self.integer = integer
        self._chosen: dict[tuple, np.ndarray] = {}  # what tick_values chose, by everything the choice depends on

    def __call__(self):
        vmin, vmax = self.axis.get_view_interval()
        return self.tick_values(vmin, vmax)

    def tick_values(self, vmin: float, vmax: float):
        """The ticks for ``vmin``..``vmax``; matplotlib asks dozens of times per drawing (every layout pass), so the
        answer is kept for the same range, axis length, font, formatter and rounding mode."""
        low, high = sorted((vmin, vmax))
        key = (low, high, matplotlib.rcParams["axes.autolimit_mode"], self._room())
        chosen = self._chosen.get(key)
        if chosen is None:
            if len(self._chosen) >= 16:
                self._chosen.clear()
            chosen = self._chosen[key] = self._choose(low, high)
        return chosen.copy()

    def _room(self) -> tuple | None:
        """What the fit of the labels depends on: the axis' direction and length, the labels' font, the formatter
        (only a :class:`FuncFormatter`, whose labels depend on the values alone, is remembered: anything else is
        asked afresh)."""
        if self.axis is None:
            return None
        axes = self.axis.axes
        formatter = self.axis.major.formatter
        horizontal = self.axis.axis_name == "x"
        font = self.axis.get_major_ticks(1)[0].label1.get_fontproperties()
        remembered = formatter if isinstance(formatter, FuncFormatter) else object()
        return (horizontal, axes.bbox.width if horizontal else axes.bbox.height, axes.figure.dpi, _font_key(font), remembered)

    def _choose(self, low: float, high: float):
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

    @functools.lru_cache(maxsize=256, typed=True)  # a drawing formats the same few ticks dozens of times
    def written(value: float) -> str:
        scaled = round(value / divisor, 6)
        decimals = precision if precision is not None else next((d for d in range(3) if float(round(scaled, d)) == scaled), 2)
        return format_number(scaled, decimals, lang)

    return FuncFormatter(lambda value, _position=None: written(value))


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
