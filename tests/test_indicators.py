"""The registry and the golden figures of the 2013 report on the bundled sample."""

from __future__ import annotations

import math
from dataclasses import replace

import pandas as pd
import pytest

from khuyenhoc.errors import KhuyenhocError
from khuyenhoc.i18n import LANGS, indicator_label
from khuyenhoc.indicators import IDS, INDICATORS, REGISTRY, compute, compute_frame, to_json
from khuyenhoc.paths import PUBLISHED_DATA

REQUIRED_IDS = [
    "members", "members_change", "members_growth_pct", "population", "members_per_population_pct",
    "baccalaureate_families", "bachelor_families", "clans_registered", "clans_recognised", "clans_recognition_pct",
    "training_classes", "training_participants", "participants_per_class", "units_without_training",
    "fund_total_vnd", "fund_commune_vnd", "fund_district_vnd", "fund_province_vnd", "fund_change_vnd", "fund_growth_pct", "fund_per_member_vnd",
    "fund_per_capita_vnd",
    "learning_families_pct", "learning_families_change_pp", "learning_clans_pct", "learning_clans_change_pp",
    "learning_communities_pct", "learning_communities_change_pp", "learning_organisations_pct", "learning_organisations_change_pp",
    "branches", "branches_change", "boards", "boards_change",
    "adults", "learning_citizens", "learning_citizens_change", "learning_citizens_pct", "learning_citizens_change_pp",
    "scholarships", "scholarships_change", "scholarships_vnd", "scholarships_change_vnd", "value_per_scholarship_vnd",
    "support", "support_change", "support_vnd", "support_change_vnd", "value_per_support_vnd",
    "awards", "awards_change", "awards_vnd", "awards_change_vnd", "value_per_award_vnd",
    "centre_classes", "centre_classes_change", "centre_learners", "centre_learners_change", "learners_per_centre_class",
]


def test_registry_declares_every_required_indicator_once():
    assert IDS == REQUIRED_IDS
    assert len(set(IDS)) == len(INDICATORS)


@pytest.mark.parametrize("lang", sorted(LANGS))
def test_every_indicator_has_a_label_in_every_language(lang):
    for indicator in INDICATORS:
        assert indicator_label(indicator.id, lang).strip()


def test_golden_2013_figures(sample_table):
    values = compute(sample_table, 2013)
    assert values["members"] == 9123
    assert round(values["members_growth_pct"], 1) == 5.6
    assert values["members_per_population_pct"] == pytest.approx(20.0, abs=0.1)
    assert values["baccalaureate_families"] == 854
    assert values["bachelor_families"] == 257
    assert values["clans_registered"] == 6
    assert values["clans_recognised"] == 6
    assert values["training_classes"] == 288
    assert values["training_participants"] == 13649
    assert values["fund_total_vnd"] == 343_380_000
    assert values["fund_commune_vnd"] == 308_145_000
    assert values["fund_district_vnd"] == 35_235_000
    assert values["fund_change_vnd"] == pytest.approx(41_000_000, abs=1_000_000)
    assert values["units_without_training"] >= 1
    assert values["participants_per_class"] == pytest.approx(13649 / 288)


def test_sample_matches_every_published_figure(sample_table):
    published = pd.read_csv(PUBLISHED_DATA)
    for row in published.itertuples():
        value = compute(sample_table, int(row.year))[row.indicator]
        precision = REGISTRY[row.indicator].precision
        if row.indicator == "members_per_population_pct":  # "about 20 %"
            assert value == pytest.approx(row.value, abs=0.1)
        elif row.indicator == "fund_change_vnd":  # "about 41,000,000"
            assert value == pytest.approx(row.value, abs=1_000_000)
        else:
            assert round(value, precision) == pytest.approx(row.value), row.indicator


def test_undefined_values_are_none_not_zero(sample_table):
    first = compute(sample_table, 2009)
    assert first["members_change"] is None
    assert first["members_growth_pct"] is None
    assert first["fund_growth_pct"] is None
    no_training = compute(sample_table, 2013, "xuat-hoa")
    assert no_training["training_classes"] == 0
    assert no_training["participants_per_class"] is None
    own_row = compute_frame(sample_table, per_unit=True, years=[2013]).loc[(2013, "thi-hoi")]
    assert pd.isna(own_row["population"])
    assert pd.isna(own_row["members_per_population_pct"])
    assert own_row["fund_district_vnd"] == 35_235_000
    assert own_row["fund_commune_vnd"] == 0


def test_change_needs_the_previous_calendar_year(sample_table):
    frame = sample_table.frame[sample_table.frame["year"] != 2012]
    values = compute(replace(sample_table, frame=frame), 2013)
    assert values["members_change"] is None
    assert values["fund_change_vnd"] is None
    assert values["members"] == 9123


def test_per_unit_values_sum_to_the_whole_area(sample_table):
    per_unit = compute_frame(sample_table, per_unit=True)
    whole = compute_frame(sample_table)
    additive = [i.id for i in INDICATORS if i.additive]
    sums = per_unit[additive].groupby(level="year").sum(min_count=1)
    pd.testing.assert_frame_equal(sums.loc[2010:], whole[additive].loc[2010:], check_names=False)


def test_unknown_year_and_unit_are_clear_errors(sample_table):
    with pytest.raises(KhuyenhocError, match="1999"):
        compute(sample_table, 1999)
    with pytest.raises(KhuyenhocError, match="khong-co"):
        compute(sample_table, 2013, "khong-co")


def test_json_shape(sample_table):
    document = to_json(2013, "all", compute(sample_table, 2013))
    assert document["year"] == 2013 and document["scope"] == "all"
    members = document["indicators"]["members"]
    assert members == {"value": 9123, "unit": "person", "label_vi": "Số hội viên", "label_en": "Members"}
    assert set(document["indicators"]) == set(REQUIRED_IDS)
    assert all(v["value"] is None or math.isfinite(v["value"]) for v in document["indicators"].values())


# --- the optional groups of issue 19, on the hand-made district of tests/groups_data.py -------------------------------

GROUP_2023 = {
    "branches": 18, "branches_change": None, "boards": 3, "boards_change": None,
    "adults": 1300, "learning_citizens": 210, "learning_citizens_change": None,
    "learning_citizens_pct": 30.0,  # 210 / 700: xa-b reports its adults but not its learning citizens
    "learning_citizens_change_pp": None,
    "scholarships": 30, "scholarships_vnd": 25_000_000, "value_per_scholarship_vnd": pytest.approx(25_000_000 / 30),
    "support": 5, "support_vnd": 2_000_000, "value_per_support_vnd": 400_000,  # xa-b's 0 support at 0 đồng counts
    "awards": 40, "awards_vnd": 4_000_000, "value_per_award_vnd": 100_000,
    "centre_classes": 4, "centre_learners": 120, "learners_per_centre_class": 30.0,
    "fund_per_capita_vnd": pytest.approx(8_000_000 / 3000),  # the district's own fund too, over the communes' population
}
GROUP_2024 = {
    "branches": 20, "branches_change": 2, "boards": 4, "boards_change": 1,
    "adults": 1300, "learning_citizens": 520, "learning_citizens_change": 310,
    "learning_citizens_pct": 40.0, "learning_citizens_change_pp": pytest.approx(10.0),  # 520/1300 - 210/700
    "scholarships": 26, "scholarships_change": -4, "scholarships_vnd": 21_000_000, "scholarships_change_vnd": -4_000_000,
    "value_per_scholarship_vnd": pytest.approx(21_000_000 / 26),
    "support": 7, "support_change": 2, "support_vnd": 3_500_000, "support_change_vnd": 1_500_000, "value_per_support_vnd": 500_000,
    "awards": 80, "awards_change": 40, "awards_vnd": 8_000_000, "awards_change_vnd": 4_000_000, "value_per_award_vnd": 100_000,
    "centre_classes": 8, "centre_classes_change": 4, "centre_learners": 210, "centre_learners_change": 90,
    "learners_per_centre_class": 26.25,  # 210 / 8
}


@pytest.fixture
def groups_table(tmp_path):
    from groups_data import write

    from khuyenhoc.table import load_table

    return load_table(write(tmp_path))


@pytest.mark.parametrize(("year", "expected"), [(2023, GROUP_2023), (2024, GROUP_2024)])
def test_group_indicators_hand_computed(groups_table, year, expected):
    for scope in ("all", "huyen-x"):  # the district is the whole file
        values = compute(groups_table, year, scope)
        assert {key: values[key] for key in expected} == expected, scope


def test_group_indicators_of_one_unit(groups_table):
    xa_b = compute(groups_table, 2023, "xa-b")
    assert (xa_b["adults"], xa_b["learning_citizens"], xa_b["learning_citizens_pct"]) == (600, None, None)
    assert compute(groups_table, 2024, "xa-b")["learning_citizens_change_pp"] is None  # no share the year before
    xa_a = compute(groups_table, 2024, "xa-a")
    assert (xa_a["learning_citizens_pct"], xa_a["learning_citizens_change_pp"]) == (40.0, pytest.approx(10.0))
    assert (xa_a["scholarships_change"], xa_a["scholarships_change_vnd"], xa_a["value_per_scholarship_vnd"]) == (-4, -4_000_000, 1_000_000)
    xa_c = compute(groups_table, 2024, "xa-c")
    assert all(xa_c[i.id] is None for i in INDICATORS if i.group not in (None, "learning_society"))  # reports none: None, never 0
    assert xa_c["fund_per_capita_vnd"] == 1000  # 1.000.000 đồng over 1.000 people


def test_group_indicators_in_frames_are_typed(groups_table):
    frame = compute_frame(groups_table, per_unit=True)
    assert str(frame["branches"].dtype) == "Int64" and str(frame["scholarships_change_vnd"].dtype) == "Int64"
    assert frame["learning_citizens_pct"].dtype == "float64"
    assert pd.isna(frame.loc[(2024, "xa-c"), "branches"])


def test_fund_per_capita_is_always_there(sample_table):
    values = compute(sample_table, 2013)
    assert values["fund_per_capita_vnd"] == pytest.approx(343_380_000 / 45_600)
    assert compute(sample_table, 2013, "duc-xuan")["fund_per_capita_vnd"] == pytest.approx(
        values_of(sample_table, 2013, "duc-xuan", "fund_vnd") / values_of(sample_table, 2013, "duc-xuan", "population"))
    assert pd.isna(compute_frame(sample_table, per_unit=True).loc[(2013, "thi-hoi"), "fund_per_capita_vnd"])  # own row: no population
    assert not REGISTRY["fund_per_capita_vnd"].optional and REGISTRY["fund_per_capita_vnd"].measure == "vnd_per_person"


def values_of(table, year: int, unit: str, column: str) -> int:
    rows = table.frame[(table.frame["year"] == year) & (table.frame["unit_id"] == unit)]
    return int(rows[column].iloc[0])


def test_a_file_without_the_groups_reports_none_of_them(sample_table):
    from khuyenhoc.indicators import reported, reported_in

    values = compute(sample_table, 2013)
    optional = [i.id for i in INDICATORS if i.optional]
    assert all(values[key] is None for key in optional)
    assert not set(reported(values)) & set(optional)
    assert not {i.id for i in reported_in(compute_frame(sample_table))} & set(optional)


def test_each_optional_indicator_names_its_group():
    from khuyenhoc.schema import GROUP_BY_ID

    for indicator in INDICATORS:
        assert (indicator.group is not None) == indicator.optional, indicator.id
        assert indicator.group is None or indicator.group in GROUP_BY_ID
    by_group = {group: [i.id for i in INDICATORS if i.group == group] for group in GROUP_BY_ID}
    assert by_group["organisation"] == ["branches", "branches_change", "boards", "boards_change"]
    assert by_group["centres"] == ["centre_classes", "centre_classes_change", "centre_learners", "centre_learners_change",
                                   "learners_per_centre_class"]


@pytest.mark.parametrize("lang", sorted(LANGS))
def test_every_measure_has_a_name_in_every_language(lang):
    from khuyenhoc.i18n import measure_name

    for indicator in INDICATORS:
        assert measure_name(indicator.measure, lang).strip(), indicator.id


@pytest.mark.parametrize(("key", "value", "vi", "en"), [
    ("value_per_scholarship_vnd", 833_333.3, "833.333 đồng/suất", "833,333 VND per scholarship"),
    ("learning_citizens_change_pp", 10.0, "+10,0 điểm phần trăm", "+10.0 percentage points"),
    ("fund_per_capita_vnd", 7530.26, "7.530 đồng/người dân", "7,530 VND per inhabitant"),
    ("branches", 1, "1 chi hội", "1 branch"),
    ("centre_learners", 210, "210 lượt học viên", "210 learner-times"),
])
def test_group_values_are_written_with_their_measure(key, value, vi, en):
    from khuyenhoc.formatting import format_indicator

    assert (format_indicator(key, value, "vi"), format_indicator(key, value, "en")) == (vi, en)


def test_areas_rows_are_the_closure_merged_with_the_rows():
    """Each row's quantities once per area above it (and itself), in the closure's order: what an inner merge gives."""
    from khuyenhoc.indicators import row_quantities, _with_areas
    from khuyenhoc.table import table_from_frame
    from khuyenhoc.sample import synthetic_table

    table = table_from_frame(synthetic_table(12, [2023, 2024], shape="three-tier"))
    rows, closure = row_quantities(table.frame), table.tree.closure
    merged = closure[["year", "area_id", "unit_id"]].merge(rows, on=["year", "unit_id"], how="inner").drop(columns="unit_id")
    pd.testing.assert_frame_equal(_with_areas(rows, closure), merged, check_exact=True)
    assert len(merged) > len(rows)  # communes counted in their district and their province too


def test_scopes_follow_the_ids_order_and_leave_out_unknown_ids(sample_analysis):
    frames = sample_analysis.frames
    area = next(unit for year, unit in frames.areas.index if year == 2013)
    unit = next(unit for year, unit in frames.units.index if year == 2013 and unit != area)
    values = frames.scopes(2013, [unit, "no-such-unit", area])
    assert list(values.index) == [unit, area]
    pd.testing.assert_series_equal(values.loc[area], frames.areas.loc[(2013, area)], check_names=False)
    pd.testing.assert_series_equal(values.loc[unit], frames.units.loc[(2013, unit)], check_names=False)


def test_rows_are_placed_under_every_area_above_them_as_a_merge_would():
    """indicators._with_areas: the quick path (unique rows) and the fallback (repeated year and unit) both give what
    an inner merge of the closure with the rows gives, in the closure's order."""
    from khuyenhoc.indicators import _with_areas

    closure = pd.DataFrame({"year": [2024, 2024, 2024, 2024, 2025], "area_id": ["t", "t", "h", "h", "t"],
                            "unit_id": ["t", "x", "h", "x", "x"]})
    unique = pd.DataFrame({"year": [2024, 2024, 2024, 2025], "unit_id": ["t", "h", "x", "x"], "members": [0, 0, 10, 12]})
    repeated = pd.concat([unique, unique.iloc[[2]].assign(members=5)], ignore_index=True)
    for base in (unique, repeated):
        merged = closure.merge(base, on=["year", "unit_id"], how="inner").drop(columns="unit_id")
        pd.testing.assert_frame_equal(_with_areas(base, closure).reset_index(drop=True), merged.reset_index(drop=True))
    assert _with_areas(unique, closure)["members"].tolist() == [0, 10, 0, 10, 12]
    assert sorted(_with_areas(repeated, closure)["members"].tolist()) == [0, 0, 5, 5, 10, 10, 12]
