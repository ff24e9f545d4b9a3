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
    "learning_families_pct", "learning_families_change_pp", "learning_clans_pct", "learning_clans_change_pp",
    "learning_communities_pct", "learning_communities_change_pp", "learning_organisations_pct", "learning_organisations_change_pp",
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
