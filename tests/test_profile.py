"""A unit's profile: its figures, its trend, its place among its sibling communes, its findings."""

from __future__ import annotations

import pandas as pd
import pytest

from khuyenhoc.i18n import indicator_label, text
from khuyenhoc.indicators import analyse
from khuyenhoc.render import charts
from khuyenhoc.reports.formatted import RANKED_INDICATORS
from khuyenhoc.reports.profile import UnitProfile


def as_dict(frame: pd.DataFrame) -> dict:
    """A two-column table as label -> value."""
    return dict(zip(frame.iloc[:, 0], frame.iloc[:, 1], strict=True))


class TestUnitProfile:
    @pytest.mark.parametrize("lang", ["vi", "en"])
    def test_figures_table(self, sample_table, lang):
        profile = UnitProfile(analyse(sample_table), 2013, "duc-xuan", lang)
        shown = as_dict(profile.figures_table())
        assert shown[indicator_label("members", lang)] == ("1.680 người" if lang == "vi" else "1,680 people")
        assert shown[indicator_label("members_change", lang)] == ("-50 người" if lang == "vi" else "-50 people")
        assert shown[indicator_label("fund_total_vnd", lang)] == ("77.107.000 đồng" if lang == "vi" else "77,107,000 VND")
        assert profile.title == text("title.unit", lang, unit="phường Đức Xuân" if lang == "vi" else "Phường Đức Xuân", year=2013)

    def test_trend_table(self, sample_table):
        frame = UnitProfile(analyse(sample_table), 2012, "duc-xuan").trend_table()
        assert list(frame.columns) == ["Chỉ tiêu", "2009", "2010", "2011", "2012"]
        assert as_dict(frame[["Chỉ tiêu", "2012"]])["Số hội viên"] == "1.730 người"
        assert as_dict(frame[["Chỉ tiêu", "2009"]])["Hội viên tăng/giảm so với năm trước"] == "—"

    @pytest.mark.parametrize("lang", ["vi", "en"])
    def test_place_keeps_the_indicator_labels(self, sample_table, lang):
        """Tables are shown without their index: the indicator must be a column."""
        frame = UnitProfile(analyse(sample_table), 2013, "duc-xuan", lang).place()
        assert list(frame.columns) == [text("col.indicator", lang), text("col.rank", lang)]
        assert frame.iloc[:, 0].tolist() == [indicator_label(key, lang) for key in RANKED_INDICATORS]
        assert frame.iloc[0, 1] == ("1.680 (2/8)" if lang == "vi" else "1,680 (2 of 8)")
        assert indicator_label("members", lang) in frame.to_html(index=False)

    def test_place_of_the_district_row_is_empty(self, sample_table):
        profile = UnitProfile(analyse(sample_table), 2013, "thi-hoi")
        assert profile.place().empty
        assert as_dict(profile.figures_table())["Tổng quỹ khuyến học"] == "35.235.000 đồng"

    @pytest.mark.parametrize("lang", ["vi", "en"])
    def test_figures(self, sample_table, lang):
        figures = charts.profile_figures(UnitProfile(analyse(sample_table), 2013, "nong-thuong", lang))
        assert list(figures) == ["trend", "place"]
        assert figures["trend"].get_suptitle() == text("chart.unit_trend", lang, unit="Xã Nông Thượng")
        assert figures["place"].get_suptitle() == text("chart.unit_place", lang, unit="Xã Nông Thượng", year=2013)
        assert len(figures["place"].axes) == 2  # members, fund per member: each among its 8 sibling communes
        assert [len(axes.patches) for axes in figures["place"].axes] == [8, 8]

    def test_no_trend_chart_from_one_year(self, sample_table):
        first = UnitProfile(analyse(sample_table), 2009, "nong-thuong")
        assert first.years == [2009]
        assert list(charts.profile_figures(first)) == ["place"]  # one point is no trend; the trend table still shows the year
        assert UnitProfile(analyse(sample_table), 2010, "nong-thuong").years == [2009, 2010]
        assert list(charts.profile_figures(UnitProfile(analyse(sample_table), 2010, "nong-thuong"))) == ["trend", "place"]


def test_unit_profiles_leave_out_area_only_indicators(sample_table):
    from khuyenhoc.reports.profile import UnitProfile

    profile = UnitProfile(analyse(sample_table), 2013, "duc-xuan")
    labels = list(profile.figures_table().iloc[:, 0])
    assert "Dân số" in labels and "Dân số các xã, phường" not in labels
    for hidden in ("Số đơn vị không tổ chức tập huấn", "Quỹ của Hội cấp huyện", "Quỹ của các xã, phường"):
        assert hidden not in labels
        assert hidden not in list(profile.trend_table().iloc[:, 0])
    assert "Tổng quỹ khuyến học" in labels
