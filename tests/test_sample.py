"""The bundled illustrative sample and the synthetic tables: generated, consistent with the report, labelled."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from khuyenhoc import compute, load_table
from khuyenhoc.i18n import column_header
from khuyenhoc.paths import PUBLISHED_DATA, SAMPLE_DATA
from khuyenhoc.sample import (
    BAC_KAN_UNITS,
    DISTRICT_ID,
    SAMPLE_ORIGIN,
    SYNTHETIC_ORIGIN,
    apportion,
    bac_kan_sample,
    synthetic_table,
    to_csv_text,
)
from khuyenhoc.schema import CANONICAL, OPTIONAL_COLUMNS

WRITTEN = [c for c in CANONICAL if c not in OPTIONAL_COLUMNS]  # 2009-2013: none of the optional groups
from khuyenhoc.table import origin_path, table_from_frame

YEARS = [2009, 2010, 2011, 2012, 2013]
UNIT_IDS = ["duc-xuan", "song-cau", "phung-chi-kien", "nguyen-thi-minh-khai", "nong-thuong", "duong-quang", "huyen-tung", "xuat-hoa"]


@pytest.fixture(scope="module")
def generated() -> pd.DataFrame:
    return bac_kan_sample()


@pytest.fixture(scope="module")
def published() -> pd.DataFrame:
    return pd.read_csv(PUBLISHED_DATA)


def test_the_bundled_file_is_the_generators_output(generated):
    with SAMPLE_DATA.open(encoding="utf-8", newline="") as stream:  # compare bytes as written, line endings included
        assert stream.read() == to_csv_text(generated)


def test_the_generator_is_deterministic(generated):
    pd.testing.assert_frame_equal(bac_kan_sample(), generated)


def test_the_origin_record_is_the_declared_one():
    record = json.loads(origin_path(SAMPLE_DATA).read_text(encoding="utf-8"))
    assert record == SAMPLE_ORIGIN
    assert record["illustrative"] is True
    assert "minh hoạ" in record["title"].lower()
    assert "illustrative" in record["title_en"].lower()
    assert record["based_on"] == "data/published/bac-kan-2013-report.csv"


def test_the_file_has_vietnamese_headers():
    header = SAMPLE_DATA.read_text(encoding="utf-8").splitlines()[0]
    assert header.split(",") == [column_header(c, "vi") for c in WRITTEN]
    assert header.startswith("Năm,Mã đơn vị,Tên đơn vị,Cấp,Mã đơn vị cấp trên,Dân số,Số hội viên,")


def test_eight_units_and_the_town_row_for_each_year(generated):
    assert list(generated.columns) == WRITTEN
    assert sorted(generated["year"].unique()) == YEARS
    for year, rows in generated.groupby("year"):
        assert list(rows["unit_id"]) == [*UNIT_IDS, DISTRICT_ID], year
    assert [u[0] for u in BAC_KAN_UNITS] == UNIT_IDS
    town = generated[generated["unit_id"] == DISTRICT_ID]
    assert set(town["level"]) == {"thị xã"}
    assert town["population"].isna().all()
    assert (town[["members", "training_classes", "training_participants"]] == 0).all().all()
    wards = generated[generated["unit_name"].str.startswith("Phường")]["unit_id"].unique()
    assert sorted(wards) == sorted(UNIT_IDS[:4])


def test_2013_totals_equal_the_published_report(generated):
    rows = generated[generated["year"] == 2013]
    communes = rows[rows["unit_id"] != DISTRICT_ID]
    assert rows["members"].sum() == 9123
    assert rows["baccalaureate_families"].sum() == 854
    assert rows["bachelor_families"].sum() == 257
    assert rows["clans_registered"].sum() == 6
    assert rows["clans_recognised"].sum() == 6
    assert rows["training_classes"].sum() == 288
    assert rows["training_participants"].sum() == 13649
    assert communes["fund_vnd"].sum() == 308_145_000
    assert rows.loc[rows["unit_id"] == DISTRICT_ID, "fund_vnd"].item() == 35_235_000
    assert rows["fund_vnd"].sum() == 343_380_000


def test_2012_totals_and_2013_population_equal_the_published_estimates(sample_table, published):
    estimates = published[published["status"] == "estimate"]
    assert set(zip(estimates["year"], estimates["indicator"], strict=True)) == {
        (2012, "members"), (2012, "fund_total_vnd"), (2013, "population"),
    }
    for row in estimates.itertuples():
        assert compute(sample_table, int(row.year))[row.indicator] == row.value, (row.year, row.indicator)
    assert compute(sample_table, 2012)["members"] == 8639
    assert compute(sample_table, 2012)["fund_total_vnd"] == 302_380_000
    assert compute(sample_table, 2013)["population"] == 45_600


def test_some_unit_held_no_training_in_2013(generated):
    rows = generated[(generated["year"] == 2013) & (generated["unit_id"] != DISTRICT_ID)]
    idle = rows[rows["training_classes"] == 0]
    assert len(idle) >= 1
    assert (idle["training_participants"] == 0).all()
    assert len(idle) < len(rows)  # but not all of them


def test_earlier_years_are_plausible(generated):
    communes = generated[generated["unit_id"] != DISTRICT_ID]
    totals = generated.groupby("year")[["members", "training_classes", "fund_vnd"]].sum()
    assert totals.index.tolist() == YEARS
    assert (totals.diff().dropna() > 0).all().all()  # growth every year, as the report's trend says
    share = communes["members"] / communes["population"].astype(float)
    assert share.between(0.10, 0.30).all()
    assert (communes["clans_recognised"] <= communes["clans_registered"]).all()
    per_class = communes["training_participants"] / communes["training_classes"].where(communes["training_classes"] > 0)
    assert per_class.dropna().between(20, 80).all()
    assert (communes["fund_vnd"] % 1000 == 0).all()
    assert (generated.select_dtypes("number").fillna(0) >= 0).all().all()


def test_everything_says_it_is_illustrative(generated, sample_table):
    notes = generated["note"]
    assert notes.notna().all()
    assert notes.str.contains("minh hoạ").all() and notes.str.contains("illustrative").all()
    assert sample_table.illustrative is True
    assert sample_table.synthetic is False
    assert SAMPLE_DATA.with_name("README.md").read_text(encoding="utf-8").count("illustrative") >= 1


def test_the_loaded_sample_is_valid_and_complete(sample_table):
    assert len(sample_table.frame) == 45
    assert sample_table.years == YEARS
    assert sample_table.warnings.empty


@pytest.mark.parametrize(("units", "years"), [(1, [2020]), (25, range(2015, 2019)), (300, range(2000, 2003))])
def test_synthetic_tables_are_valid_and_say_so(units, years):
    frame = synthetic_table(units, years)
    years = list(years)
    areas = frame[frame["level"] != "xã"]
    assert (frame["level"] == "xã").sum() == units * len(years)
    assert set(areas["level"]) == {"tỉnh", "huyện"}  # three tiers before 2025
    table = table_from_frame(frame, source="<synthetic>", origin=SYNTHETIC_ORIGIN)
    assert len(table.frame) == len(frame)
    assert table.synthetic is True
    assert table.illustrative is False
    assert table.years == years
    values = compute(table, years[-1])
    assert values["members"] == int(frame.loc[frame["year"] == years[-1], "members"].sum())
    assert values["fund_district_vnd"] > 0


def test_synthetic_tables_carry_the_optional_groups_in_recent_years_only():
    from khuyenhoc.sample import GROUPS_FROM
    from khuyenhoc.schema import GROUP_BY_ID

    frame = synthetic_table(300, range(2021, 2026), seed=5)
    commune = frame["level"] == "xã"
    for group, first in GROUPS_FROM.items():
        for column in GROUP_BY_ID[group].columns:
            reported = frame[column].notna()
            assert (reported == (commune & (frame["year"] >= first))).all(), column  # blank before, and on area rows
            assert (frame.loc[reported, column] >= 0).all(), column
    assert GROUPS_FROM == {"organisation": 2022, "learning_citizens": 2023, "support": 2022, "centres": 2024}  # some years only
    both = frame.dropna(subset=["adults", "learning_citizens"])
    assert (both["learning_citizens"] <= both["adults"]).all()
    assert (both["adults"] < frame.loc[both.index, "population"]).all()
    share = both.groupby("year")["learning_citizens"].sum() / both.groupby("year")["adults"].sum()
    assert share.is_monotonic_increasing and 0.2 < share.iloc[0] < 0.45
    for count, value in (("scholarships", "scholarships_vnd"), ("support", "support_vnd"), ("awards", "awards_vnd")):
        given = frame.dropna(subset=[count])
        assert ((given[count] == 0) == (given[value] == 0)).all(), value
        assert (given[value] % 1000 == 0).all(), value
    assert (frame["support"] == 0).any()  # some communes give no support at all
    table = table_from_frame(frame, source="<synthetic>", origin=SYNTHETIC_ORIGIN)  # valid: every rule of the groups holds
    values = compute(table, 2025)
    latest = frame[frame["year"] == 2025]
    assert values["branches"] == int(latest["branches"].sum())
    assert values["learners_per_centre_class"] == pytest.approx(latest["centre_learners"].sum() / latest["centre_classes"].sum())
    assert compute(table, 2022)["learning_citizens_pct"] is None  # not yet reported
    assert compute(table, 2021)["branches"] is None


SYNTHETIC_MEMBERS_SEED9, SYNTHETIC_FAMILIES_SEED9 = 522_684, 444_429  # synthetic_table(40, 2021-2024, seed=9) before issue 19


def test_the_groups_leave_every_other_synthetic_column_as_it_was():
    frame = synthetic_table(40, range(2021, 2025), seed=9)
    # drawn from their own generator: the members and the titles are those drawn before the groups existed (pinned here)
    assert int(frame["members"].sum()) == SYNTHETIC_MEMBERS_SEED9 and int(frame["learning_families"].sum()) == SYNTHETIC_FAMILIES_SEED9


def test_synthetic_tables_are_deterministic_per_seed():
    pd.testing.assert_frame_equal(synthetic_table(50, range(2020, 2022), seed=7), synthetic_table(50, range(2020, 2022), seed=7))
    assert not synthetic_table(50, [2020], seed=1)["members"].equals(synthetic_table(50, [2020], seed=2)["members"])


@given(
    st.integers(min_value=0, max_value=10**9),
    st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=1, max_size=20),
)
def test_apportion_splits_a_total_exactly(total, weights):
    shares = apportion(total, np.array(weights))
    assert len(shares) == len(weights)
    assert (shares >= 0).all()
    if sum(weights) > 0:
        assert int(shares.sum()) == total
        assert all(share == 0 for share, weight in zip(shares, weights, strict=True) if weight == 0)
    else:
        assert int(shares.sum()) == 0


def test_the_sample_written_again_is_identical(tmp_path, generated):
    from khuyenhoc.sample import write_sample_files

    path = write_sample_files(tmp_path / "mau.csv", generated, SAMPLE_ORIGIN)
    assert path.read_bytes() == SAMPLE_DATA.read_bytes()
    assert json.loads(origin_path(path).read_text(encoding="utf-8")) == SAMPLE_ORIGIN
    assert load_table(path).illustrative
