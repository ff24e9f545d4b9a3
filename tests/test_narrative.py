"""The written yearly summary: figures in Vietnamese form, 'khoảng' only where rounded, no sentence about missing data."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from khuyenhoc.findings import detect_findings
from khuyenhoc.formatting import format_number, format_percent, format_vnd
from khuyenhoc.i18n import text
from khuyenhoc.indicators import compute
from khuyenhoc.narrative import is_rounded, markdown_escape, narrative_context, write_narrative
from khuyenhoc.sample import DISTRICT_ID
from khuyenhoc.table import YearlyTable, table_from_frame


def narrate(table: YearlyTable, year: int, lang: str = "vi", escape=str) -> list[str]:
    previous = year - 1 if year - 1 in table.years else None
    return write_narrative(compute(table, year), previous, detect_findings(table, year), year, lang, table.illustrative, escape)


def edit(frame: pd.DataFrame, year: int, unit_id: str | None = None, **values: object) -> pd.DataFrame:
    """Set columns of the rows of ``year`` (one unit, or every commune when unit_id is None)."""
    rows = frame["year"] == year
    rows &= (frame["unit_id"] == unit_id) if unit_id else (frame["unit_id"] != DISTRICT_ID)
    for column, value in values.items():
        frame.loc[rows, column] = value
    return frame


@pytest.fixture(scope="module")
def vi_2013(sample_table) -> list[str]:
    return narrate(sample_table, 2013, "vi")


@pytest.fixture(scope="module")
def en_2013(sample_table) -> list[str]:
    return narrate(sample_table, 2013, "en")


def paragraph_with(paragraphs: list[str], fragment: str) -> str:
    (found,) = [p for p in paragraphs if fragment in p]
    return found


class TestVietnamese2013:
    @pytest.mark.parametrize("figure", [
        "9.123 hội viên", "tăng 484 người", "5,6%", "343.380.000 đồng", "tăng 41.000.000 đồng", "13.649 lượt người", "288 lớp",
        "854 gia đình", "257 gia đình", "6 dòng họ", "308.145.000 đồng", "35.235.000 đồng", "45.600 người", "so với năm 2012",
    ])
    def test_figures_in_vietnamese_form(self, vi_2013, figure):
        assert figure in " ".join(vi_2013)

    def test_members_sentence(self, vi_2013):
        assert "Năm 2013, toàn địa bàn có 9.123 hội viên khuyến học, tăng 484 người (khoảng 5,6%) so với năm 2012." in vi_2013[1]

    def test_fund_sentence(self, vi_2013):
        fund = paragraph_with(vi_2013, "Tổng quỹ")
        assert fund.startswith("Tổng quỹ khuyến học đến cuối năm là 343.380.000 đồng, tăng 41.000.000 đồng (khoảng 13,6%) so với năm 2012.")

    def test_names_xuat_hoa_as_holding_no_training(self, vi_2013):
        training = paragraph_with(vi_2013, "lớp tập huấn với")
        assert "288 lớp tập huấn với 13.649 lượt người tham gia" in training
        assert training.endswith("Còn 1 đơn vị chưa tổ chức lớp tập huấn nào: Xã Xuất Hóa.")

    def test_points_to_follow_up_name_the_units(self, vi_2013):
        last = vi_2013[-1]
        assert last.startswith("Những điểm cần quan tâm:")
        assert "số hội viên giảm ở Phường Đức Xuân, Phường Phùng Chí Kiên" in last
        assert "quỹ bình quân mỗi hội viên thấp hơn nhiều so với các đơn vị khác ở Xã Nông Thượng" in last

    def test_illustrative_note_first(self, vi_2013):
        assert vi_2013[0] == text("illustrative", "vi")

    def test_every_paragraph_ends_a_sentence(self, vi_2013):
        assert all(p.endswith(".") for p in vi_2013)
        assert len(vi_2013) == 6


class TestEnglish2013:
    @pytest.mark.parametrize("figure", [
        "9,123 members", "484 more than in 2012", "up about 5.6%", "343,380,000 VND", "up 41,000,000 VND", "13,649 participant-times",
        "288 training classes", "854 families", "6 clans", "45,600 people",
    ])
    def test_figures_in_english_form(self, en_2013, figure):
        assert figure in " ".join(en_2013)

    def test_names_xuat_hoa_as_holding_no_training(self, en_2013):
        assert "One unit held no training at all: Xã Xuất Hóa." in " ".join(en_2013)

    def test_illustrative_note_first(self, en_2013):
        assert en_2013[0] == text("illustrative", "en")

    def test_no_vietnamese_template_text(self, en_2013):
        assert "khoảng" not in " ".join(en_2013) and "hội viên" not in " ".join(en_2013)


# (indicator, precision, how it is shown)
APPROXIMATED = (
    ("members_growth_pct", 1, format_percent), ("members_per_population_pct", 0, format_percent),
    ("clans_recognition_pct", 0, format_percent), ("participants_per_class", 1, format_number),
    ("fund_growth_pct", 1, format_percent), ("fund_per_member_vnd", 0, lambda v, p, lang: format_vnd(v, lang)),
)


@pytest.mark.parametrize("lang, about", [("vi", "khoảng"), ("en", "about")])
@pytest.mark.parametrize("year", [2010, 2013])
def test_about_exactly_where_rounded(sample_table, lang, about, year):
    values = compute(sample_table, year)
    whole = " ".join(narrate(sample_table, year, lang))
    rounded = 0
    for key, precision, shown in APPROXIMATED:
        figure = shown(abs(values[key]), precision, lang)
        assert figure in whole, key
        if is_rounded(abs(values[key]), precision):
            rounded += 1
            assert f"{about} {figure}" in whole, key
        else:
            assert f"{about} {figure}" not in whole, key
    assert len(re.findall(rf"\b{about}\b", whole)) == rounded


def test_about_count_2013(vi_2013):
    """5,6% / 20% / 47,4 / 13,6% / 37.639 đồng are rounded; 100% of clans is exact."""
    whole = " ".join(vi_2013)
    assert re.findall(r"khoảng ([\d.,]+%?)", whole) == ["5,6%", "20%", "47,4", "13,6%", "37.639"]
    assert "(100% số đăng ký)" in whole


@pytest.mark.parametrize("count", ["9.123", "484", "45.600", "854", "257", "288", "13.649", "343.380.000", "41.000.000", "308.145.000",
                                   "35.235.000"])
def test_no_about_before_exact_counts(vi_2013, count):
    assert f"khoảng {count}" not in " ".join(vi_2013)


@pytest.fixture
def exact_values(sample_table) -> dict:
    """2013 values edited so that every ratio is exact at its precision."""
    values = compute(sample_table, 2013)
    values.update(members=1050, members_change=50, members_growth_pct=5.0, population=4200, members_per_population_pct=25.0,
                  training_classes=10, training_participants=400, participants_per_class=40.0, fund_total_vnd=33_000_000,
                  fund_change_vnd=3_000_000, fund_growth_pct=10.0, fund_per_member_vnd=33_000_000 / 1050,
                  clans_registered=4, clans_recognised=3, clans_recognition_pct=75.0)
    return values


def test_no_about_when_nothing_is_rounded(exact_values):
    exact_values["fund_per_member_vnd"] = 30_000.0
    for lang, about in (("vi", "khoảng"), ("en", "about")):
        whole = " ".join(write_narrative(exact_values, 2012, [], 2013, lang))
        assert about not in whole
    whole = " ".join(write_narrative(exact_values, 2012, [], 2013, "vi"))
    for fragment in ("tăng 50 người (5,0%)", "bằng 25% dân số", "(4.200 người)", "bình quân 40,0 lượt người", "(75% số đăng ký)",
                     "tăng 3.000.000 đồng (10,0%)", "quỹ đạt 30.000 đồng trên mỗi hội viên"):
        assert fragment in whole


def test_fund_per_member_about_when_rounded(exact_values):
    whole = " ".join(write_narrative(exact_values, 2012, [], 2013, "vi"))
    assert "quỹ đạt khoảng 31.429 đồng trên mỗi hội viên" in whole


@pytest.mark.parametrize("value, precision, expected", [
    (5.6025, 1, True), (5.6, 1, False), (20.0, 0, False), (20.006, 0, True), (0.05, 1, True), (47.45, 1, True),
    (100.0, 0, False), (37639.0, 0, False), (37638.9, 0, True), (0.0, 1, False), (1e30, 0, False), (12_345_678_901.5, 1, False),
])
def test_is_rounded(value, precision, expected):
    assert is_rounded(value, precision) is expected


def test_members_and_fund_fell(sample_frame):
    frame = edit(sample_frame, 2013, "duc-xuan", members=1000, fund_vnd=20_000_000)
    table = table_from_frame(frame)
    vi = " ".join(narrate(table, 2013, "vi"))
    assert "8.443 hội viên khuyến học, giảm 196 người (khoảng 2,3%) so với năm 2012" in vi
    assert "286.273.000 đồng, giảm 16.107.000 đồng (khoảng 5,3%) so với năm 2012" in vi
    assert "tăng" not in vi
    assert "quỹ khuyến học giảm ở Phường Đức Xuân" in vi
    assert "số liệu thay đổi bất thường so với năm trước ở Phường Đức Xuân" in vi
    en = " ".join(narrate(table, 2013, "en"))
    assert "8,443 members, 196 fewer than in 2012 (down about 2.3%)" in en
    assert "286,273,000 VND at the end of the year, down 16,107,000 VND (about 5.3%) on 2012" in en


def test_unchanged_members_and_fund(exact_values):
    exact_values.update(members_change=0, members_growth_pct=0.0, fund_change_vnd=0, fund_growth_pct=0.0)
    vi = " ".join(write_narrative(exact_values, 2012, [], 2013, "vi"))
    assert "1.050 hội viên khuyến học, không thay đổi so với năm 2012." in vi
    assert "33.000.000 đồng, bằng năm 2012." in vi
    assert "tăng" not in vi and "giảm" not in vi
    en = " ".join(write_narrative(exact_values, 2012, [], 2013, "en"))
    assert "1,050 members, the same as in 2012." in en


class TestNoSentenceWithoutData:
    def test_first_year_has_no_comparison(self, sample_table):
        absent = {"vi": ("2008", "tăng", "giảm", "so với năm"), "en": ("2008", " more than", "fewer", " up 4", " down ", " on 2008")}
        for lang, words in absent.items():
            whole = " ".join(narrate(sample_table, 2009, lang))
            assert "7.468" in whole or "7,468" in whole
            for word in words:
                assert word not in whole, (lang, word)
        assert "Năm 2009, toàn địa bàn có 7.468 hội viên khuyến học." in " ".join(narrate(sample_table, 2009, "vi"))
        assert "Tổng quỹ khuyến học đến cuối năm là 222.600.000 đồng." in " ".join(narrate(sample_table, 2009, "vi"))
        english = " ".join(narrate(sample_table, 2009, "en"))
        assert "In 2009 the association had 7,468 members." in english
        assert "The study-encouragement fund stood at 222,600,000 VND at the end of the year." in english

    def test_no_previous_year_in_the_data(self, sample_frame):
        table = table_from_frame(sample_frame[sample_frame["year"] == 2013])
        whole = " ".join(narrate(table, 2013, "vi"))
        assert "so với năm 2012" not in whole and "tăng" not in whole
        assert "Năm 2013, toàn địa bàn có 9.123 hội viên khuyến học." in whole

    def test_no_clans_registered(self, sample_frame):
        table = table_from_frame(edit(sample_frame, 2013, clans_registered=0, clans_recognised=0))
        vi = narrate(table, 2013, "vi")
        families = paragraph_with(vi, "Gia đình tú tài")
        assert families == ("Về phong trào gia đình, dòng họ hiếu học: 854 gia đình được công nhận đạt chuẩn Gia đình tú tài "
                            "và 257 gia đình đạt chuẩn Gia đình cử nhân.")
        assert "đăng ký" not in " ".join(vi)
        assert "registered" not in " ".join(narrate(table, 2013, "en"))

    def test_no_classes_anywhere(self, sample_frame):
        table = table_from_frame(edit(sample_frame, 2013, training_classes=0, training_participants=0))
        vi = narrate(table, 2013, "vi")
        assert paragraph_with(vi, "lớp tập huấn") == "Trong năm, các xã, phường không mở lớp tập huấn nào."
        assert "lượt người" not in " ".join(vi) and "chưa tổ chức" not in " ".join(vi)
        en = " ".join(narrate(table, 2013, "en"))
        assert "No commune or ward association ran a training class this year." in en
        assert "per class" not in en and "held no training" not in en

    def test_no_district_fund(self, sample_frame):
        table = table_from_frame(sample_frame[sample_frame["unit_id"] != DISTRICT_ID].drop(columns="parent_id"))
        vi = " ".join(narrate(table, 2013, "vi"))
        assert "Hội cấp huyện" not in vi
        assert "308.145.000 đồng" in vi

    def test_missing_values_drop_their_sentences(self, exact_values):
        exact_values.update(population=None, members_per_population_pct=None, members_growth_pct=None, fund_growth_pct=None,
                            participants_per_class=None, fund_per_member_vnd=None, clans_recognition_pct=None)
        for lang in ("vi", "en"):
            paragraphs = write_narrative(exact_values, 2012, [], 2013, lang)
            whole = " ".join(paragraphs)
            assert "—" not in whole and "None" not in whole and "%" not in whole
            assert "dân số" not in whole and "population" not in whole
        assert "tăng 50 người so với năm 2012." in " ".join(write_narrative(exact_values, 2012, [], 2013, "vi"))

    def test_nothing_at_all(self):
        assert write_narrative({}, None, [], 2013, "vi") == []
        assert write_narrative({}, None, [], 2013, "vi", illustrative=True) == [text("illustrative", "vi")]


class TestIllustrative:
    def test_note_for_the_sample(self, sample_frame):
        assert table_from_frame(sample_frame).illustrative
        assert narrate(table_from_frame(sample_frame), 2013)[0] == text("illustrative", "vi")

    @pytest.mark.parametrize("note", [None, "Số liệu chính thức do xã báo cáo"])
    def test_no_note_for_real_data(self, sample_frame, note):
        sample_frame["note"] = note
        table = table_from_frame(sample_frame)
        assert not table.illustrative
        for lang in ("vi", "en"):
            paragraphs = narrate(table, 2013, lang)
            assert text("illustrative", lang) not in paragraphs
            assert paragraphs[0].startswith("Năm 2013" if lang == "vi" else "In 2013")

    def test_note_from_origin_record(self, sample_frame):
        sample_frame["note"] = None
        table = table_from_frame(sample_frame, origin={"illustrative": True})
        assert narrate(table, 2013)[0] == text("illustrative", "vi")


def test_english_singular_counts(exact_values):
    exact_values.update(members=1, members_change=1, members_growth_pct=None, population=1, members_per_population_pct=100.0,
                        baccalaureate_families=1, bachelor_families=1, clans_registered=1, clans_recognised=1, clans_recognition_pct=100.0,
                        training_classes=1, training_participants=1, participants_per_class=1.0)
    whole = " ".join(write_narrative(exact_values, 2012, [], 2013, "en"))
    for fragment in ("had 1 member,", "(1 person)", "1 family met", "1 clan registered", "ran 1 training class with 1 participant-time,"):
        assert fragment in whole


class TestMarkdownEscape:
    @pytest.mark.parametrize("payload", ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"])
    def test_html_is_inert(self, payload):
        escaped = markdown_escape(payload)
        assert "<" not in escaped and ">" not in escaped
        assert escaped.startswith("&lt;")

    def test_script_exactly(self):
        assert markdown_escape("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;"

    @pytest.mark.parametrize("char", list("\\`*_[]#|~$"))
    def test_markdown_syntax_is_escaped(self, char):
        assert markdown_escape(f"a{char}b") == f"a\\{char}b"

    def test_ampersand(self):
        assert markdown_escape("A & B &amp;") == "A &amp; B &amp;amp;"

    def test_plain_vietnamese_unchanged(self):
        assert markdown_escape("Xã Xuất Hóa (thôn 1-2)") == "Xã Xuất Hóa (thôn 1-2)"

    @pytest.mark.parametrize("payload", ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
                                         "**đậm** _nghiêng_ [liên kết](http://x)", "![ảnh](http://x/a.png)", "`mã`", "$x^2$", "# tiêu đề"])
    def test_renders_literally(self, payload):
        mistune = pytest.importorskip("mistune")
        rendered = mistune.html(markdown_escape(payload))
        for tag in ("<script", "<img", "<strong", "<em", "<a ", "<code", "<h1"):
            assert tag not in rendered

    def test_unit_names_escaped_in_the_narrative(self, sample_frame):
        edit(sample_frame, 2013, "xuat-hoa", unit_name="<script>alert(1)</script>")
        edit(sample_frame, 2013, "nong-thuong", unit_name="Xã *Nông*\n\n# Thượng")
        for year in range(2009, 2013):
            edit(sample_frame, year, "xuat-hoa", unit_name="<script>alert(1)</script>")
            edit(sample_frame, year, "nong-thuong", unit_name="Xã *Nông*\n\n# Thượng")
        table = table_from_frame(sample_frame)
        paragraphs = narrate(table, 2013, "vi", markdown_escape)
        whole = "\n\n".join(paragraphs)
        assert "<" not in whole
        assert "chưa tổ chức lớp tập huấn nào: &lt;script&gt;alert(1)&lt;/script&gt;." in whole
        assert "ở Xã \\*Nông\\* \\# Thượng;" in whole  # on one line: no heading, the paragraph is not split
        assert len(paragraphs) == 6

    def test_context_escapes_only_names(self, sample_table):
        context = narrative_context(compute(sample_table, 2013), 2012, detect_findings(sample_table, 2013), 2013, "vi", True, str.upper)
        assert context["no_training"] == ["XÃ XUẤT HÓA"]
        assert context["members"] == "9.123"


# Random tables: three communes and the district row over two years, any non-negative counts.
counts = st.integers(min_value=0, max_value=50_000)
commune = st.builds(
    lambda population, members, bacc, bach, registered, recognised, classes, participants, fund: {
        "population": population, "members": members, "baccalaureate_families": bacc, "bachelor_families": bach,
        "clans_registered": registered, "clans_recognised": min(recognised, registered), "training_classes": classes,
        "training_participants": participants if classes else 0, "fund_vnd": fund,
    },
    counts, counts, counts, counts, st.integers(0, 12), st.integers(0, 12), st.integers(0, 300), counts,
    st.integers(min_value=0, max_value=10**10),
)


def random_table(years: list[list[dict]], district_funds: list[int | None]) -> YearlyTable:
    rows = []
    for year, (communes, district_fund) in enumerate(zip(years, district_funds, strict=True), start=2012):
        for i, values in enumerate(communes):
            rows.append({"year": year, "unit_id": f"xa-{i}", "unit_name": f"Xã số {i}", "level": "xã", "note": None, **values})
        if district_fund is not None:
            rows.append({"year": year, "unit_id": "huyen", "unit_name": "Hội cấp huyện", "level": "huyện", "population": None,
                         "members": 0, "baccalaureate_families": 0, "bachelor_families": 0, "clans_registered": 0, "clans_recognised": 0,
                         "training_classes": 0, "training_participants": 0, "fund_vnd": district_fund, "note": None})
    return table_from_frame(pd.DataFrame(rows))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(years=st.lists(st.lists(commune, min_size=1, max_size=3), min_size=1, max_size=2),
       district=st.lists(st.none() | st.integers(0, 10**9), min_size=2, max_size=2))
def test_random_counts_render(years, district):
    table = random_table(years, district[: len(years)])
    year = table.years[-1]
    for lang in ("vi", "en"):
        paragraphs = narrate(table, year, lang, markdown_escape)
        assert paragraphs, lang
        for paragraph in paragraphs:
            assert paragraph.strip() == paragraph and paragraph
            for bad in ("None", "nan", "NaN", "{{", "{%", "}}", "—", "  ", "khoảng khoảng", "about about"):
                assert bad not in paragraph, (lang, bad, paragraph)
            assert paragraph.endswith("."), paragraph
