"""The trends over years, as a model: every indicator of the whole file by year."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from khuyenhoc.i18n import DEFAULT_LANG, text
from khuyenhoc.indicators import Analysis, reported_in
from khuyenhoc.reports.formatted import by_year
from khuyenhoc.reports.reform import reform_years


@dataclass
class Trends:
    """Every indicator over ``start_year``..``end_year``."""

    analysis: Analysis
    start_year: int
    end_year: int
    lang: str = DEFAULT_LANG

    @property
    def title(self) -> str:
        return text("title.trends", self.lang, start=self.start_year, end=self.end_year)

    @property
    def reform_years(self) -> list[int]:
        """The years of a reorganisation within the trend, after its first year (without a lineage table: the years a
        whole level ended)."""
        return [y for y in reform_years(self.analysis.table, self.end_year) if y > self.start_year]

    @property
    def notes(self) -> list[str]:
        """What the trend must say about its data (illustrative, synthetic), and how it is drawn across a reform."""
        notes = self.analysis.notes(self.lang)
        if not self.reform_years:
            return notes
        years = ", ".join(str(y) for y in self.reform_years)
        note = "reform.trends_note" if self.analysis.table.lineage is not None else "reform.trends_note_implicit"
        return [*notes, text(note, self.lang, years=years, last=self.end_year)]

    def markers(self) -> list[tuple[int, str]]:
        """(year, label) of each reorganisation, marked on the trend's charts."""
        return [(year, text("reform.marker", self.lang, year=year)) for year in self.reform_years]

    def values(self) -> pd.DataFrame:
        """The whole file's indicators over the years, indexed by year; across a reform with a lineage table every
        year on the boundaries of ``end_year`` (:func:`khuyenhoc.restate.latest_boundaries_history`); without one, as
        reported."""
        values = self.analysis.frames.whole
        if self.reform_years and self.analysis.table.lineage is not None:
            from khuyenhoc.restate import latest_boundaries_history

            values = latest_boundaries_history(self.analysis.table, self.end_year)
        return values[(values.index >= self.start_year) & (values.index <= self.end_year)]

    def table_by_year(self) -> pd.DataFrame:
        shown = self.values()
        return by_year(shown, self.lang, tuple(reported_in(shown)))
