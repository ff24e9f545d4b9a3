"""The trends over years, as a model: every indicator of the whole file by year."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from khuyenhoc.i18n import DEFAULT_LANG, text
from khuyenhoc.indicators import Analysis, reported_in
from khuyenhoc.reports.formatted import by_year


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

    def values(self) -> pd.DataFrame:
        """The whole file's indicators over the years, indexed by year."""
        values = self.analysis.frames.whole
        return values[(values.index >= self.start_year) & (values.index <= self.end_year)]

    def table_by_year(self) -> pd.DataFrame:
        shown = self.values()
        return by_year(shown, self.lang, tuple(reported_in(shown)))
