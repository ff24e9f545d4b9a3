"""Findings: the rules that flag units (no training, declines, low fund per member), and the data checks
(implausible jumps) kept apart from them."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from khuyenhoc.findings import (
    DECLINE_THRESHOLDS,
    IMPLAUSIBLE_POPULATION_PCT,
    KINDS,
    LOW_FUND_RATIO,
    DataCheck,
    Finding,
    detect_checks,
    detect_findings,
    table_checks,
)
from khuyenhoc.sample import DISTRICT_ID
from khuyenhoc.table import table_from_frame


def edit(frame: pd.DataFrame, year: int, unit_id: str, **values: object) -> pd.DataFrame:
    """Set columns of one (year, unit) row of a canonical frame, in place; return the frame."""
    row = (frame["year"] == year) & (frame["unit_id"] == unit_id)
    assert row.sum() == 1, (year, unit_id)
    for column, value in values.items():
        frame.loc[row, column] = value
    return frame


def clean_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """2012-2013 of the sample with every reason for a 2013 finding removed."""
    frame = frame[frame["year"].isin([2012, 2013])].copy()
    edit(frame, 2013, "xuat-hoa", training_classes=20, training_participants=900)
    edit(frame, 2013, "duc-xuan", members=1750)
    edit(frame, 2013, "phung-chi-kien", members=1110)
    edit(frame, 2012, "nong-thuong", fund_vnd=24_000_000)
    edit(frame, 2013, "nong-thuong", fund_vnd=26_000_000)
    return frame


def kinds(findings: list[Finding]) -> list[tuple[str, str | None, str]]:
    return [(f.kind, f.unit_id, f.indicator) for f in findings]


@pytest.fixture(scope="module")
def findings(sample_table):
    return detect_findings(sample_table, 2013)


class TestSample2013:
    def test_exact_findings(self, findings):
        assert kinds(findings) == [
            ("no_training", "xuat-hoa", "training_classes"),
            ("members_fell", "duc-xuan", "members"),
            ("low_fund_per_member", "nong-thuong", "fund_per_member_vnd"),
        ]

    def test_xuat_hoa_held_no_training(self, findings):
        (finding,) = [f for f in findings if f.kind == "no_training"]
        assert finding == Finding("no_training", "training_classes", "xuat-hoa", "Xã Xuất Hóa", 0.0, None)

    def test_members_fell_carries_both_years(self, findings):
        fell = {f.unit_id: (f.reference, f.value) for f in findings if f.kind == "members_fell"}
        assert fell == {"duc-xuan": (1730.0, 1680.0)}  # Phùng Chí Kiên's 1.104 → 1.103 is not material

    def test_nong_thuong_fund_per_member_far_below(self, findings):
        (finding,) = [f for f in findings if f.kind == "low_fund_per_member"]
        assert finding.unit_id == "nong-thuong"
        assert finding.unit_name == "Xã Nông Thượng"
        assert finding.value == pytest.approx(6_705_000 / 806)
        # the median of the eight communes' fund per member in 2013
        assert finding.reference == pytest.approx(33_427.036, abs=0.01)
        assert finding.value < LOW_FUND_RATIO * finding.reference

    def test_order_follows_kinds(self, findings):
        order = list(KINDS)
        positions = [order.index(f.kind) for f in findings]
        assert positions == sorted(positions)

    def test_findings_are_json_ready(self, findings):
        document = json.loads(json.dumps([f.to_dict() for f in findings]))
        assert document[0] == {"kind": "no_training", "indicator": "training_classes", "unit_id": "xuat-hoa",
                               "unit_name": "Xã Xuất Hóa", "value": 0.0, "reference": None}

    def test_first_year_has_no_decline_or_jump(self, sample_table):
        assert {f.kind for f in detect_findings(sample_table, 2009)} <= {"no_training", "low_fund_per_member"}

    def test_2010_dương_quang_held_no_training(self, sample_table):
        assert [f.unit_id for f in detect_findings(sample_table, 2010) if f.kind == "no_training"] == ["duong-quang"]


def test_no_finding_when_nothing_is_wrong(sample_frame):
    assert detect_findings(table_from_frame(clean_frame(sample_frame)), 2013) == []


def test_no_finding_in_a_single_clean_year(sample_frame):
    frame = clean_frame(sample_frame)
    assert detect_findings(table_from_frame(frame[frame["year"] == 2013]), 2013) == []


def test_members_fell(sample_frame):
    frame = edit(clean_frame(sample_frame), 2013, "song-cau", members=1300)
    assert kinds(detect_findings(table_from_frame(frame), 2013)) == [("members_fell", "song-cau", "members")]
    (finding,) = detect_findings(table_from_frame(frame), 2013)
    assert (finding.reference, finding.value) == (1342.0, 1300.0)


def test_fund_fell(sample_frame):
    frame = edit(clean_frame(sample_frame), 2013, "huyen-tung", fund_vnd=20_000_000)
    (finding,) = detect_findings(table_from_frame(frame), 2013)
    assert finding == Finding("fund_fell", "fund_total_vnd", "huyen-tung", "Xã Huyền Tụng", 20_000_000.0, 27_394_000.0)


def test_low_fund_per_member(sample_frame):
    frame = clean_frame(sample_frame)
    frame = edit(frame[frame["year"] == 2013].copy(), 2013, "duong-quang", fund_vnd=2_000_000)
    (finding,) = detect_findings(table_from_frame(frame), 2013)
    assert (finding.kind, finding.unit_id) == ("low_fund_per_member", "duong-quang")
    assert finding.value == pytest.approx(2_000_000 / 595)


def test_low_fund_needs_three_units(sample_frame):
    frame = sample_frame[(sample_frame["year"] == 2013) & sample_frame["unit_id"].isin(["duc-xuan", "nong-thuong", DISTRICT_ID])]
    assert [f.kind for f in detect_findings(table_from_frame(frame), 2013)] == []


def checked(table, year=2013) -> list[tuple[str, str]]:
    return [(c.unit_id, c.indicator) for c in detect_checks(table, year)]


def test_members_doubling_is_a_check_not_a_finding(sample_frame):
    """Changed in issue 18: an implausible jump is a data check for the secretary, never a finding."""
    frame = edit(clean_frame(sample_frame), 2013, "duong-quang", members=1200)
    table = table_from_frame(frame)
    assert detect_findings(table, 2013) == []
    (check,) = detect_checks(table, 2013)
    assert (check.unit_id, check.indicator, check.value, check.reference) == ("duong-quang", "members", 1200.0, 580.0)
    assert check.change_pct == pytest.approx((1200 - 580) / 580 * 100)


def test_population_jump_above_20_percent_is_a_check(sample_frame):
    frame = edit(clean_frame(sample_frame), 2013, "huyen-tung", population=6000)  # 4.644 → 6.000: +29%
    table = table_from_frame(frame)
    assert detect_findings(table, 2013) == []
    assert detect_checks(table, 2013) == [DataCheck(2013, "population", "huyen-tung", "Xã Huyền Tụng", 6000.0, 4644.0,
                                                    pytest.approx((6000 - 4644) / 4644 * 100))]


def test_population_change_below_the_limit_is_not_flagged(sample_frame):
    frame = edit(clean_frame(sample_frame), 2013, "huyen-tung", population=5500)  # +18.4%
    assert (5500 - 4644) / 4644 * 100 < IMPLAUSIBLE_POPULATION_PCT
    assert detect_findings(table_from_frame(frame), 2013) == []
    assert detect_checks(table_from_frame(frame), 2013) == []


def test_a_suspect_fall_is_a_check_not_a_decline(sample_frame):
    """Changed in issue 18: song-cau's fund from 44,2 to 10 triệu (-77 %) is checked, not reported as a fall, and the
    fund per member made of it is not judged low either (it was both before)."""
    frame = edit(clean_frame(sample_frame), 2013, "song-cau", fund_vnd=10_000_000)
    table = table_from_frame(frame)
    assert detect_findings(table, 2013) == []
    assert checked(table) == [("song-cau", "fund_total_vnd")]
    assert detect_checks(table, 2013)[0].change_pct < -50


def test_a_fall_below_the_check_limit_is_a_decline(sample_frame):
    frame = edit(clean_frame(sample_frame), 2013, "song-cau", fund_vnd=30_000_000)  # 44,2 → 30 triệu: -32 %
    table = table_from_frame(frame)
    assert ("fund_fell", "song-cau", "fund_total_vnd") in kinds(detect_findings(table, 2013))
    assert checked(table) == []


def test_units_are_reported_by_the_size_of_their_fall(sample_frame):
    """phung-chi-kien fell most (-104), then nguyen-thi-minh-khai, then song-cau (-42), whatever the data order."""
    frame = edit(clean_frame(sample_frame), 2013, "song-cau", members=1300)
    edit(frame, 2013, "phung-chi-kien", members=1000)
    edit(frame, 2013, "nguyen-thi-minh-khai", members=1400)
    table = table_from_frame(frame)
    found = [f for f in detect_findings(table, 2013) if f.kind == "members_fell"]
    assert [f.unit_id for f in found] == ["phung-chi-kien", "nguyen-thi-minh-khai", "song-cau"]
    falls = [f.reference - f.value for f in found]
    assert falls == sorted(falls, reverse=True) and falls[0] == 104


@pytest.mark.parametrize("members, material", [
    (1093, True),   # 1.104 → 1.093: -11 members, -1,0 %: more than 10 members but not more than 2 %
    (1081, True),   # -23 members, -2,1 %
    (1103, False),  # the 2013 sample: one member fewer
    (1082, False),  # -22 members, -1,99 %
])
def test_members_fall_needs_both_thresholds(sample_frame, members, material):
    limit = DECLINE_THRESHOLDS["members"]
    assert (limit.pct, limit.amount) == (2.0, 10)
    frame = edit(clean_frame(sample_frame), 2012, "phung-chi-kien", members=1104)
    edit(frame, 2013, "phung-chi-kien", members=members)
    fall = 1104 - members
    expected = fall > 10 and fall / 1104 * 100 > 2
    found = [f.unit_id for f in detect_findings(table_from_frame(frame), 2013) if f.kind == "members_fell"]
    assert found == (["phung-chi-kien"] if expected else [])
    assert expected == (material and members == 1081)


def test_small_fund_fall_is_not_a_finding(sample_frame):
    """-4 % of the fund (under 5 %) or -900.000 đồng (under 1.000.000) is ordinary variation."""
    frame = edit(clean_frame(sample_frame), 2012, "huyen-tung", fund_vnd=27_000_000)
    edit(frame, 2013, "huyen-tung", fund_vnd=25_920_000)  # -4 %
    assert detect_findings(table_from_frame(frame), 2013) == []
    edit(frame, 2012, "huyen-tung", fund_vnd=10_000_000)
    edit(frame, 2013, "huyen-tung", fund_vnd=9_100_000)  # -9 % but only 900.000 đồng
    assert [f.kind for f in detect_findings(table_from_frame(frame), 2013)] == ["low_fund_per_member"]  # 9,1 triệu is low, not a fall
    edit(frame, 2013, "huyen-tung", fund_vnd=8_900_000)  # -11 %, 1.100.000 đồng
    assert [f.kind for f in detect_findings(table_from_frame(frame), 2013)] == ["fund_fell", "low_fund_per_member"]


def test_checks_name_every_suspect_figure(sample_frame):
    """Changed in issue 18: one check per unit and figure (duc-xuan's members +131 % and population +31 % both),
    the largest jump against its limit first (members 2,6 times their 50 %, song-cau's 2,5, the population 1,5 times its 20 %)."""
    frame = edit(clean_frame(sample_frame), 2013, "duc-xuan", population=12000)
    edit(frame, 2013, "song-cau", members=3000)
    edit(frame, 2013, "duc-xuan", members=4000)
    assert checked(table_from_frame(frame)) == [("duc-xuan", "members"), ("song-cau", "members"), ("duc-xuan", "population")]


def test_table_checks_cover_every_year(sample_frame):
    frame = edit(sample_frame.copy(), 2011, "duong-quang", members=2000)
    checks = table_checks(table_from_frame(frame))
    # 2011 jumps up from 2010, and 2012 back down from it: both years are listed
    assert [(c.year, c.unit_id, c.indicator) for c in checks if c.unit_id == "duong-quang"] == [
        (2011, "duong-quang", "members"), (2012, "duong-quang", "members")]


def test_every_unit_once_per_kind(sample_table):
    for year in sample_table.years:
        found = [(f.kind, f.unit_id) for f in detect_findings(sample_table, year)]
        assert len(found) == len(set(found)), year


def test_new_unit_has_no_decline_or_jump(sample_frame):
    frame = clean_frame(sample_frame)
    frame = frame[~((frame["year"] == 2012) & (frame["unit_id"] == "song-cau"))]
    assert detect_findings(table_from_frame(frame), 2013) == []


def test_district_row_never_produces_findings(sample_frame):
    frame = clean_frame(sample_frame)
    # members 0, no classes, fund collapsing: any of these would be a finding for a commune
    edit(frame, 2013, DISTRICT_ID, fund_vnd=1_000_000)
    edit(frame, 2012, DISTRICT_ID, members=500)
    found = detect_findings(table_from_frame(frame), 2013)
    assert found == []


def test_district_row_excluded_from_the_median(sample_frame):
    frame = clean_frame(sample_frame)
    edit(frame, 2013, DISTRICT_ID, members=100_000)  # fund per member of the district row would be tiny
    assert detect_findings(table_from_frame(frame), 2013) == []


# --- issue 19: a material fall of scholarships (only units reporting them both years) ----------------------------------

@pytest.fixture
def groups_table(tmp_path):
    from groups_data import write

    from khuyenhoc.table import load_table

    return load_table(write(tmp_path))


def test_a_material_fall_of_scholarships_is_a_finding(groups_table):
    from khuyenhoc.reports.formatted import finding_message

    found = detect_findings(groups_table, 2024)
    assert found == [Finding("scholarships_fell", "scholarships_vnd", "xa-a", "Xã An", 6_000_000.0, 10_000_000.0)]
    assert finding_message(found[0], "vi") == "Xã An: giá trị học bổng giảm từ 10.000.000 đồng xuống 6.000.000 đồng."
    assert finding_message(found[0], "en") == "Xã An: the value of scholarships fell from 10,000,000 VND to 6,000,000 VND."
    assert KINDS.index("scholarships_fell") == KINDS.index("fund_fell") + 1


@pytest.mark.parametrize(("before", "now", "flagged"), [
    (10_000_000, 8_000_000, False),  # 20 % but exactly 2.000.000 đồng: not more than the amount
    (10_000_000, 7_900_000, True),
    (100_000_000, 91_000_000, False),  # 9.000.000 đồng but 9 %
    (None, 1_000_000, False),  # not reported the year before: nothing to compare
])
def test_scholarships_fall_thresholds(before, now, flagged):
    limit = DECLINE_THRESHOLDS["scholarships_vnd"]
    assert bool(limit.passed(pd.Series([before], dtype="float64"), pd.Series([now], dtype="float64")).iloc[0]) is flagged
