"""The trends over years: every indicator of the whole file by year."""

from __future__ import annotations

import pytest
from matplotlib.figure import Figure

from khuyenhoc.i18n import text
from khuyenhoc.indicators import INDICATORS, analyse
from khuyenhoc.render import charts
from khuyenhoc.reports.trends import Trends


class TestTrends:
    @pytest.mark.parametrize("lang", ["vi", "en"])
    def test_table_by_year(self, sample_table, lang):
        trends = Trends(analyse(sample_table), 2011, 2013, lang)
        frame = trends.table_by_year()
        assert list(frame.columns) == [text("col.indicator", lang), "2011", "2012", "2013"]
        assert len(frame) == len([i for i in INDICATORS if not i.optional])  # no title rows: the sample does not report them
        members = frame.iloc[0].tolist()
        assert members == (["Số hội viên", "8.215 người", "8.639 người", "9.123 người"] if lang == "vi"
                           else ["Members", "8,215 people", "8,639 people", "9,123 people"])
        assert trends.title == text("title.trends", lang, start=2011, end=2013)

    def test_figure(self, sample_table):
        figure = charts.trends_figures(Trends(analyse(sample_table), 2009, 2013, "en"))["indicators"]
        assert isinstance(figure, Figure)
        assert [a.get_title() for a in figure.axes if a.get_visible()][0] == "Members"
