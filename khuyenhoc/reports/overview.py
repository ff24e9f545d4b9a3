"""How the compared units spread, for a report whose per-unit tables are too long for its body: how many units fall
in each band of a section's key rate, and the strongest and weakest units by name (at most :data:`NAMED` each).

A report keeps its per-unit tables in the body up to :data:`BODY_ROWS` units; above that they go to numbered annexes
and the body shows these bands instead, so its length does not grow with the number of units."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from khuyenhoc.formatting import format_indicator, format_number, format_percent, format_value, format_vnd, number
from khuyenhoc.i18n import indicator_label, text
from khuyenhoc.indicators import REGISTRY
from khuyenhoc.names import in_sentence

if TYPE_CHECKING:
    from khuyenhoc.reports.annual import AnnualSummary

BODY_ROWS = 15  # a per-unit table longer than this goes to the annex
NAMED = 5  # units named among the strongest and the weakest


@dataclass(frozen=True)
class Spread:
    """A section's key rate and the lower bounds of its bands after the first (the first starts at the lowest value)."""

    indicator: str
    edges: tuple[float, ...]
    weakest: bool = True  # name the weakest units too (not for counts where many units tie at zero)
    counts: bool = False  # whole counts: bands "0", "từ 1 đến 2", …


# The rate each section's spread is shown by, keyed by the section (``reports.sections.SECTIONS``).
SPREADS: dict[str, Spread] = {
    "members": Spread("members_per_population_pct", (10, 20, 30, 40)),
    "training": Spread("training_classes", (1, 3, 6, 11), weakest=False, counts=True),
    "fund": Spread("fund_per_member_vnd", (10_000, 20_000, 50_000, 100_000)),
}


@dataclass(frozen=True)
class SectionSpread:
    """One section's spread: ``bands`` as (label, units, share of the units with a value in %), the strongest and
    the weakest as (name in a sentence, formatted value)."""

    key: str
    indicator: str
    bands: tuple[tuple[str, int, float], ...]
    strongest: tuple[tuple[str, str], ...]
    weakest: tuple[tuple[str, str], ...]
    reported: int
    grassroots: bool = False  # counted over the communes under the compared areas

    def table_rows(self, lang: str) -> list[list[str]]:
        """The bands as table rows (label, units, share) and their total, as text."""
        rows = [[label, format_number(count, 0, lang), format_percent(share, 1, lang)] for label, count, share in self.bands]
        return rows + [[text("word.total", lang), format_number(self.reported, 0, lang), format_percent(100 if self.reported else None, 1, lang)]]


def in_annex(unit_count: int) -> bool:
    """Whether per-unit tables of ``unit_count`` rows go to the annex."""
    return unit_count > BODY_ROWS


def spread_units(summary: AnnualSummary) -> list[str]:
    """The grassroots units the spread counts: the compared units, or, where they are areas (a province's
    districts), the units without children under them (its communes)."""
    tree, year, found = summary.table.tree, summary.year, []
    for unit in summary.units:
        if tree.has_children(unit, year):
            found += [below for below in tree.descendants(unit, year) if not tree.has_children(below, year)]
        else:
            found.append(unit)
    return found


def shows_spread(summary: AnnualSummary) -> bool:
    """Whether the report shows the bands: when its grassroots units are more than a table in the body holds."""
    return len(spread_units(summary)) > BODY_ROWS


def band_labels(spread: Spread, lang: str) -> list[str]:
    """"Dưới 10%", "Từ 10% đến dưới 20%", …, "Từ 40% trở lên"; for whole counts "0", "Từ 1 đến 2", …"""
    measure, whole = REGISTRY[spread.indicator].measure, spread.counts

    def shown(value: float) -> str:
        if measure.startswith("vnd"):
            return format_vnd(value, lang)
        return format_value(value, measure, 0, lang, with_unit=measure == "percent")

    edges = spread.edges
    labels = [text("overview.below", lang, high=shown(edges[0])) if not (whole and edges[0] == 1) else shown(0)]
    for low, high in zip(edges, edges[1:], strict=False):
        if whole:
            labels.append(shown(low) if high - 1 == low else text("overview.range", lang, low=shown(low), high=shown(high - 1)))
        else:
            labels.append(text("overview.between", lang, low=shown(low), high=shown(high)))
    labels.append(text("overview.from", lang, low=shown(edges[-1])))
    return labels


def section_spread(summary: AnnualSummary, key: str) -> SectionSpread | None:
    """The spread of the compared units for section ``key``; None when the section has no declared rate or no unit
    reports it."""
    spread = SPREADS.get(key)
    units = spread_units(summary)
    if spread is None or not units:
        return None
    lang = summary.lang
    frame = summary.frames.scopes(summary.year, units)
    if spread.indicator not in frame.columns:
        return None
    names = summary.table.unit_names
    values = [(unit, number(frame.at[unit, spread.indicator])) for unit in frame.index]
    values = [(unit, value) for unit, value in values if value is not None]
    if not values:
        return None
    counts = [0] * (len(spread.edges) + 1)
    for _, value in values:
        counts[sum(value >= edge for edge in spread.edges)] += 1
    bands = tuple((label, count, 100 * count / len(values)) for label, count in zip(band_labels(spread, lang), counts, strict=True))

    def named(chosen: list[tuple[str, float]]) -> tuple[tuple[str, str], ...]:
        return tuple((in_sentence(names.get(unit, unit), lang), format_indicator(spread.indicator, value, lang)) for unit, value in chosen)

    ordered = sorted(values, key=lambda item: item[1])
    count = min(NAMED, len(ordered) // 2)  # never the same unit among the strongest and the weakest
    strongest = named(list(reversed(ordered))[:count])
    weakest = named(ordered[:count]) if spread.weakest else ()
    return SectionSpread(key, spread.indicator, bands, strongest, weakest, len(values), grassroots=len(units) != len(summary.units))


def spread_title(spread: SectionSpread, lang: str, year: int) -> str:
    """The spread table's title: "Số đơn vị theo tỷ lệ hội viên trên dân số, năm 2025"."""
    label = indicator_label(spread.indicator, lang)
    key = "overview.table_title_grassroots" if spread.grassroots else "overview.table_title"
    return text(key, lang, indicator=label[:1].lower() + label[1:], year=year)


def _listed(items: list[str], lang: str) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {text('overview.and', lang)} {items[-1]}"


def spread_sentence(spread: SectionSpread, lang: str) -> str | None:
    """"Tỷ lệ hội viên trên dân số cao nhất ở xã A (31,2%), …; thấp nhất ở …" (None when no unit is named)."""
    if not spread.strongest:
        return None
    parts = [text("overview.strongest", lang, indicator=indicator_label(spread.indicator, lang),
                  names=_listed([f"{name} ({value})" for name, value in spread.strongest], lang))]
    if spread.weakest:
        parts.append(text("overview.weakest", lang, names=_listed([f"{name} ({value})" for name, value in spread.weakest], lang)))
    return "; ".join(parts) + "."
