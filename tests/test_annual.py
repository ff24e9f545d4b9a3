"""The yearly summary of an area or the whole file (its tables, findings, JSON and saved files)."""

from __future__ import annotations


import pandas as pd
import pytest

from khuyenhoc.errors import KhuyenhocError
from khuyenhoc.findings import DataCheck, Finding
from khuyenhoc.i18n import indicator_label, text
from khuyenhoc.indicators import INDICATORS, analyse
from khuyenhoc.render.markdown import summary_json, summary_markdown
from khuyenhoc.reports.annual import MAIN_INDICATORS, AnnualSummary
from khuyenhoc.reports.formatted import RANKED_INDICATORS, check_message, finding_message
from khuyenhoc.reports.profile import UnitProfile
from khuyenhoc.table import load_table, table_from_frame


@pytest.fixture(scope="module")
def vi(town_summary) -> AnnualSummary:
    return town_summary


@pytest.fixture(scope="module")
def en(sample_table) -> AnnualSummary:
    return AnnualSummary(analyse(sample_table), 2013, "en")


def as_dict(frame: pd.DataFrame) -> dict:
    """First column → second column."""
    return dict(zip(frame.iloc[:, 0], frame.iloc[:, 1], strict=True))


class TestKeyIndicators:
    def test_vietnamese(self, vi):
        frame = vi.key_indicators()
        assert list(frame.columns) == ["Chỉ tiêu", "Giá trị"]
        # no title rows (the sample does not report them), no line for the provincial fund (the sample has none)
        assert len(frame) == len([i for i in INDICATORS if not i.optional]) - 1
        assert "Quỹ của Hội cấp tỉnh và trung ương" not in set(frame["Chỉ tiêu"])
        shown = as_dict(frame)
        assert shown["Số hội viên"] == "9.123 người"
        assert shown["Hội viên tăng/giảm so với năm trước"] == "+484 người"
        assert shown["Tỷ lệ tăng hội viên so với năm trước"] == "+5,6%"
        assert shown["Tổng quỹ khuyến học"] == "343.380.000 đồng"
        assert shown["Quỹ tăng/giảm so với năm trước"] == "+41.000.000 đồng"
        assert shown["Lượt người tham gia tập huấn"] == "13.649 lượt người"
        assert shown["Số lớp tập huấn"] == "288 lớp"
        assert shown["Bình quân lượt người mỗi lớp"] == "47,4 lượt/lớp"
        assert shown["Số đơn vị không tổ chức tập huấn"] == "1 đơn vị"
        assert shown["Quỹ của Hội cấp huyện"] == "35.235.000 đồng"

    def test_english(self, en):
        shown = as_dict(en.key_indicators())
        assert shown["Members"] == "9,123 people"
        assert shown["Total study-encouragement fund"] == "343,380,000 VND"
        assert shown["Units that held no training"] == "1 unit"

    def test_title(self, vi, en):
        # the whole file has one root, the town association: its report is the town's, named after it
        assert vi.title == "Tổng kết công tác khuyến học năm 2013 — Hội Khuyến học thị xã Bắc Kạn"
        assert en.title == text("title.annual_area", "en", year=2013, area="Hội Khuyến học thị xã Bắc Kạn")


class TestComparison:
    def test_vietnamese(self, vi):
        frame = vi.comparison()
        assert list(frame.columns) == ["Chỉ tiêu", "Năm 2012", "Năm 2013", "Tăng/giảm"]
        # every main indicator but the provincial fund, which the sample's associations do not hold either year
        assert list(frame["Chỉ tiêu"]) == [indicator_label(key, "vi") for key in MAIN_INDICATORS if key != "fund_province_vnd"]
        members = frame.set_index("Chỉ tiêu").loc["Số hội viên"]
        assert list(members) == ["8.639 người", "9.123 người", "+484"]
        fund = frame.set_index("Chỉ tiêu").loc["Tổng quỹ khuyến học"]
        assert list(fund) == ["302.380.000 đồng", "343.380.000 đồng", "+41.000.000"]
        per_class = frame.set_index("Chỉ tiêu").loc["Bình quân lượt người mỗi lớp"]
        assert list(per_class) == ["47,5 lượt/lớp", "47,4 lượt/lớp", "-0,1"]

    def test_english_columns(self, en):
        frame = en.comparison()
        assert list(frame.columns)[1:3] == [text("col.previous", "en", year=2012), text("col.current", "en", year=2013)]
        assert frame.iloc[0, 1:].tolist() == ["8,639 people", "9,123 people", "+484"]

    def test_none_without_previous_year(self, sample_table):
        assert AnnualSummary(analyse(sample_table), 2009).comparison() is None
        assert AnnualSummary(analyse(sample_table), 2009).previous_year is None
        assert AnnualSummary(analyse(sample_table), 2010).previous_year == 2009

    def test_unchanged_shows_zero_without_sign(self, sample_frame):
        this, last = sample_frame["year"] == 2013, sample_frame["year"] == 2012
        sample_frame.loc[this, "clans_registered"] = sample_frame.loc[last, "clans_registered"].to_numpy()
        sample_frame.loc[this, "clans_recognised"] = 0
        frame = AnnualSummary(analyse(table_from_frame(sample_frame)), 2013).comparison().set_index("Chỉ tiêu")
        assert frame.loc["Dòng họ đăng ký phấn đấu Dòng họ hiếu học", "Tăng/giảm"] == "0"
        assert frame.loc["Dòng họ đạt chuẩn", "Tăng/giảm"] == "-4"


class TestRanking:
    def test_ranked_by_members(self, vi):
        frame = vi.ranking()
        assert list(frame.columns) == ["Đơn vị"] + [indicator_label(key, "vi") for key in RANKED_INDICATORS]
        assert len(frame) == 8  # communes only: the district row is not ranked
        assert frame.iloc[0, 0] == "Phường Nguyễn Thị Minh Khai"
        assert frame.iloc[0, 1] == "1.692 (1/8)"
        assert frame["Đơn vị"].tolist() == [
            "Phường Nguyễn Thị Minh Khai", "Phường Đức Xuân", "Phường Sông Cầu", "Phường Phùng Chí Kiên",
            "Xã Xuất Hóa", "Xã Huyền Tụng", "Xã Nông Thượng", "Xã Dương Quang",
        ]
        assert frame["Số hội viên"].tolist()[-1] == "595 (8/8)"

    def test_ranks_of_other_indicators(self, vi):
        frame = vi.ranking().set_index("Đơn vị")
        assert frame.loc["Phường Đức Xuân", "Tổng quỹ khuyến học"] == "77.107.000 (1/8)"
        assert frame.loc["Xã Nông Thượng", "Quỹ bình quân mỗi hội viên"] == "8.319 (8/8)"
        assert frame.loc["Xã Xuất Hóa", "Số lớp tập huấn"] == "0 (8/8)"
        assert frame.loc["Xã Xuất Hóa", "Tỷ lệ hội viên trên dân số"] == "25,6% (1/8)"

    def test_english(self, en):
        frame = en.ranking()
        assert frame.columns[0] == "Unit"
        assert frame.iloc[0].tolist()[:2] == ["Phường Nguyễn Thị Minh Khai", "1,692 (1 of 8)"]

    def test_ties_share_a_rank(self, sample_frame):
        rows = sample_frame["year"] == 2013
        sample_frame.loc[rows & (sample_frame["unit_id"] == "song-cau"), "members"] = 1692
        frame = AnnualSummary(analyse(table_from_frame(sample_frame)), 2013).ranking()
        assert sorted(frame["Số hội viên"].tolist()[:2]) == ["1.692 (1/8)", "1.692 (1/8)"]
        assert frame["Số hội viên"].tolist()[2] == "1.680 (3/8)"


class TestFindings:
    def test_table(self, vi):
        frame = vi.findings_table()
        assert list(frame.columns) == ["Nội dung"]
        assert frame["Nội dung"].tolist() == [
            "Xã Xuất Hóa: không tổ chức lớp tập huấn nào trong năm.",
            "Phường Đức Xuân: số hội viên giảm từ 1.730 người xuống 1.680 người.",
            "Xã Nông Thượng: quỹ bình quân 8.319 đồng/hội viên, thấp hơn nhiều so với mức chung của các đơn vị (33.427 đồng/hội viên).",
        ]

    def test_english(self, en):
        assert en.findings_table()["Finding"].iloc[0] == "Xã Xuất Hóa: held no training class this year."

    def test_empty_when_nothing_found(self, sample_frame):
        frame = sample_frame[sample_frame["year"] == 2009].copy()
        frame.loc[frame["unit_id"] == "nong-thuong", "fund_vnd"] = 20_000_000
        summary = AnnualSummary(analyse(table_from_frame(frame)), 2009)
        assert summary.findings == []
        assert summary.findings_table().empty

    @pytest.mark.parametrize("lang", ["vi", "en"])
    def test_every_kind_has_a_message(self, lang):
        for kind, indicator in (("no_training", "training_classes"), ("members_fell", "members"), ("fund_fell", "fund_total_vnd"),
                                ("scholarships_fell", "scholarships_vnd"), ("low_fund_per_member", "fund_per_member_vnd"),
                                ("below_target", "learning_families_pct")):
            message = finding_message(Finding(kind, indicator, "x", "Xã X", 5000.0, 4000.0), lang)
            assert message.startswith("Xã X: ")
            assert "{" not in message

    def test_implausible_population_is_a_check_line(self):
        """Changed in issue 18: an implausible jump is a data check (its own line), no longer a finding's message."""
        message = check_message(DataCheck(2013, "population", "x", "Xã X", 6000.0, 4644.0, 29.2))
        assert message == "Xã X: dân số các xã, phường năm 2013 là 6.000 người, năm trước 4.644 người (+29%); cần kiểm tra lại số liệu."


def test_percentages_change_by_percentage_points(sample_table, town_summary):
    from khuyenhoc.reports.annual import AnnualSummary

    table = town_summary.comparison()
    row = table[table.iloc[:, 0] == "Tỷ lệ hội viên trên dân số"].iloc[0]
    assert row.iloc[-1] == "+0,8 điểm phần trăm"
    english = AnnualSummary(analyse(sample_table), 2013, "en").comparison()
    assert english[english.iloc[:, 0] == "Members as a share of population"].iloc[0].iloc[-1] == "+0.8 percentage points"


def test_synthetic_data_says_so_in_the_written_summary(sample_frame):
    from khuyenhoc.reports.annual import AnnualSummary
    from khuyenhoc.sample import SYNTHETIC_NOTE
    from khuyenhoc.table import table_from_frame

    sample_frame["note"] = SYNTHETIC_NOTE
    summary = AnnualSummary(analyse(table_from_frame(sample_frame)), 2013)
    paragraphs = summary.narrative()
    assert paragraphs[0] == "Số liệu giả lập (tạo ngẫu nhiên) để thử quy mô lớn, không phải số liệu thật."
    assert "giả lập" in summary_markdown(summary)
    assert summary.narrative(with_notes=False)[0].startswith("Năm 2013")


class TestAreaReports:
    """Yearly summaries of an area: named after it, comparing its direct children, linking up and down."""

    @pytest.fixture
    def province(self, tmp_path):
        from province_data import HEADER, ROWS_2024, ROWS_2025

        path = tmp_path / "tinh.csv"
        path.write_text("\n".join([HEADER, *ROWS_2024, *ROWS_2025]) + "\n", encoding="utf-8")
        return load_table(path)

    def test_a_district_report_names_it_and_ranks_its_communes(self, province):
        report = AnnualSummary(analyse(province), 2024, area_id="huyen-b")
        assert report.title == "Tổng kết công tác khuyến học năm 2024 — huyện Bình Lạc"
        assert report.values["members"] == 1800
        assert report.units == ["xa-1", "xa-2"]
        assert list(report.ranking()[text("col.unit_name", "vi")]) == ["Xã Một", "Xã Hai"]
        assert [(f.kind, f.unit_id) for f in report.findings] == [("no_training", "xa-2")]
        assert summary_json(report)["scope"] == "huyen-b"

    def test_a_province_report_compares_its_districts_over_their_subtrees(self, province):
        report = AnnualSummary(analyse(province), 2024, area_id="tinh-a")
        ranking = report.ranking()
        assert list(ranking[text("col.unit_name", "vi")]) == ["Huyện Bình Lạc", "Thành phố Cẩm Giang"]
        assert ranking[indicator_label("members", "vi")].tolist() == ["1.800 (1/2)", "1.500 (2/2)"]

    def test_the_whole_file_with_one_root_is_that_roots_report(self, province):
        whole, root = AnnualSummary(analyse(province), 2024), AnnualSummary(analyse(province), 2024, area_id="tinh-a")
        assert whole.title == root.title == "Tổng kết công tác khuyến học năm 2024 — tỉnh An Hòa"
        assert whole.values == root.values
        assert summary_json(whole)["scope"] == "all"

    def test_the_whole_file_with_several_roots_compares_them(self, province):
        whole = AnnualSummary(analyse(province), 2025)
        assert whole.title == "Tổng kết công tác khuyến học năm 2025"
        assert whole.units == ["tinh-a", "tp-d"]
        assert whole.values["members"] == 3900

    def test_an_area_comparison_is_with_itself(self, province):
        comparison = AnnualSummary(analyse(province), 2025, area_id="tinh-a").comparison()
        members = comparison[comparison[text("col.indicator", "vi")] == indicator_label("members", "vi")].iloc[0]
        assert (members[text("col.previous", "vi", year=2024)], members[text("col.current", "vi", year=2025)]) == ("3.300 người", "3.300 người")
        assert AnnualSummary(analyse(province), 2025, area_id="tp-d").comparison() is None  # a new area: nothing to compare

    def test_links_up_and_down_as_the_runner_gives_them(self, province):
        report = AnnualSummary(analyse(province), 2024, area_id="huyen-b")
        links = report.links({"parent": "../tinh-a/annual_summary.html", "children": {"xa-1": "../../units/xa-1.html"}})
        assert links == [("Báo cáo cấp trên: Tỉnh An Hòa", "../tinh-a/annual_summary.html"), ("Xã Một", "../../units/xa-1.html")]
        assert report.links(None) == []

    def test_a_unit_without_children_has_no_area_report(self, province):
        with pytest.raises(KhuyenhocError, match="xa-1"):
            AnnualSummary(analyse(province), 2024, area_id="xa-1")

    def test_a_profile_ranks_a_commune_among_its_siblings(self, province):
        place = UnitProfile(analyse(province), 2024, "xa-2").place()
        ranks = dict(zip(place[text("col.indicator", "vi")], place[text("col.rank", "vi")], strict=True))
        assert ranks[indicator_label("members", "vi")] == "800 (2/2)"
