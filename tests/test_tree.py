"""Areas at every level: the tree of who reports to whom, its rules, and indicators over each area."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from khuyenhoc.errors import DataValidationError, KhuyenhocError
from khuyenhoc.indicators import INDICATORS, compute, compute_frame
from khuyenhoc.sample import SYNTHETIC_ORIGIN, synthetic_table
from khuyenhoc.table import load_table, table_from_frame
from province_data import HEADER, ROWS_2024, ROWS_2025

PARENT = "Mã đơn vị cấp trên"


def write(tmp_path: Path, rows: list[str], name: str = "tinh.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    """The two-year province as validated, shared by the tests that only read it."""
    return load_table(write(tmp_path_factory.mktemp("tree"), ROWS_2024 + ROWS_2025))


def problems(path: Path, lang: str = "vi") -> pd.DataFrame:
    with pytest.raises(DataValidationError) as caught:
        load_table(path, lang=lang)
    return caught.value.problems


class TestTheTree:
    def test_levels_and_the_city_word(self, province):
        levels = {(y, u): province.level_of(u, y) for y, u in [(2024, "huyen-c"), (2025, "tp-d"), (2024, "tinh-a"), (2025, "xa-12")]}
        assert levels == {(2024, "huyen-c"): "district", (2025, "tp-d"): "province", (2024, "tinh-a"): "province", (2025, "xa-12"): "commune"}

    def test_children_descendants_ancestors_and_areas(self, province):
        tree = province.tree
        assert tree.children("tinh-a", 2024) == ["huyen-b", "huyen-c"]
        assert tree.children("tinh-a", 2025) == ["xa-12", "phuong-3"]
        assert sorted(tree.descendants("tinh-a", 2024)) == ["huyen-b", "huyen-c", "phuong-3", "xa-1", "xa-2"]
        assert tree.ancestors("xa-1", 2024) == ["huyen-b", "tinh-a"]
        assert tree.ancestors("phuong-3", 2025) == ["tinh-a"]
        assert tree.areas(2024) == ["tinh-a", "huyen-b", "huyen-c"]
        assert tree.areas(2025) == ["tinh-a", "tp-d"]
        assert tree.roots(2025) == ["tinh-a", "tp-d"]

    def test_a_parent_change_is_a_note_not_an_error(self, province):
        notes = province.warnings[province.warnings["rule"] == "parent_changed"]
        assert notes[["row", "column", "value"]].to_dict("records") == [{"row": 10, "column": PARENT, "value": "tinh-a"}]
        assert notes["message"].iloc[0] == "Đơn vị “phuong-3” đổi cấp trên: 2025: huyen-c → tinh-a"


class TestAreaIndicators:
    def test_a_province_in_three_tiers(self, province):
        values = compute(province, 2024, "tinh-a")
        assert values["members"] == 3300
        assert values["population"] == 15000
        assert values["members_per_population_pct"] == pytest.approx(22.0)
        assert values["training_classes"] == 15
        assert values["training_participants"] == 650
        assert values["units_without_training"] == 1
        assert values["fund_total_vnd"] == 162_000_000
        assert (values["fund_commune_vnd"], values["fund_district_vnd"], values["fund_province_vnd"]) == (82_000_000, 30_000_000, 50_000_000)
        assert values["members_change"] is None  # no 2023 in the data

    def test_a_district_and_a_city_district(self, province):
        district = compute(province, 2024, "huyen-b")
        assert (district["members"], district["population"], district["fund_total_vnd"]) == (1800, 9000, 62_000_000)
        assert (district["fund_commune_vnd"], district["fund_district_vnd"], district["fund_province_vnd"]) == (42_000_000, 20_000_000, 0)
        assert district["units_without_training"] == 1
        city = compute(province, 2024, "huyen-c")
        assert (city["members"], city["fund_total_vnd"], city["fund_district_vnd"]) == (1500, 50_000_000, 10_000_000)

    def test_the_province_compared_with_itself_after_the_reform(self, province):
        values = compute(province, 2025, "tinh-a")
        assert values["members"] == 3300
        assert values["members_change"] == 0
        assert values["members_growth_pct"] == 0.0
        assert values["fund_total_vnd"] == 147_000_000
        assert values["fund_change_vnd"] == -15_000_000
        assert (values["fund_district_vnd"], values["fund_province_vnd"]) == (0, 60_000_000)
        assert values["units_without_training"] == 1  # phuong-3
        assert values["population"] == 15_200

    def test_a_new_area_has_no_change(self, province):
        values = compute(province, 2025, "tp-d")
        assert values["members"] == 600
        assert values["members_change"] is None
        assert values["fund_growth_pct"] is None
        assert values["fund_province_vnd"] == 5_000_000

    def test_a_leaf_gives_its_own_figures(self, province):
        values = compute(province, 2025, "phuong-3")
        assert values["members"] == 1400
        assert values["members_change"] == -100

    def test_the_whole_file(self, province):
        values = compute(province, 2025)
        assert (values["members"], values["fund_total_vnd"], values["members_change"], values["fund_change_vnd"]) == (3900, 161_000_000, 600, -1_000_000)

    def test_a_unit_absent_that_year(self, province):
        with pytest.raises(KhuyenhocError, match="huyen-b"):
            compute(province, 2025, "huyen-b")

    def test_the_area_frame_lists_every_area_and_year(self, province):
        frame = compute_frame(province, per_area=True)
        assert list(frame.index) == [(2024, "huyen-b"), (2024, "huyen-c"), (2024, "tinh-a"), (2025, "tinh-a"), (2025, "tp-d")]
        assert frame.index.names == ["year", "area_id"]
        assert frame.loc[(2024, "huyen-c"), "members"] == 1500


class TestHierarchyRules:
    def test_the_parent_must_exist_that_year(self, tmp_path):
        rows = [*ROWS_2024, *ROWS_2025[:2], ROWS_2025[2].replace(",tinh-a,", ",huyen-c,"), *ROWS_2025[3:]]
        found = problems(write(tmp_path, rows))
        assert found[["row", "column", "value", "rule"]].to_dict("records") == [{"row": 10, "column": PARENT, "value": "huyen-c", "rule": "parent_missing"}]
        assert found["message"].iloc[0] == "Năm 2025 không có đơn vị mã “huyen-c” để làm cấp trên; hãy ghi mã của một đơn vị có dòng trong năm đó"

    def test_the_parent_must_sit_higher(self, tmp_path):
        rows = [*ROWS_2024[:4], ROWS_2024[4].replace(",huyen-b,", ",xa-1,"), *ROWS_2024[5:]]
        found = problems(write(tmp_path, rows), "en")
        assert found[["row", "column", "value", "rule"]].to_dict("records") == [{"row": 6, "column": PARENT, "value": "xa-1", "rule": "parent_level"}]
        assert found["message"].iloc[0] == "The parent 'xa-1' (commune level) must be at a higher level than this unit (commune level)"

    def test_every_row_of_a_cycle_is_reported(self, tmp_path):
        rows = [ROWS_2025[0].replace(",tỉnh,,", ",tỉnh,tinh-x,"), "2025,tinh-x,Tỉnh Xa,tỉnh,tinh-a,,0,0,0,0,0,0,0,1.000.000", *ROWS_2025[1:3]]
        found = problems(write(tmp_path, rows))
        cycle = found[found["rule"] == "parent_cycle"]
        assert sorted(cycle["row"]) == [2, 3]
        assert set(cycle["column"]) == {PARENT}
        assert "tinh-a → tinh-x → tinh-a" in cycle["message"].iloc[0]

    def test_a_unit_cannot_report_to_itself(self, tmp_path):
        rows = [ROWS_2025[0].replace(",tỉnh,,", ",tỉnh,tinh-a,"), *ROWS_2025[1:3]]
        found = problems(write(tmp_path, rows))
        assert found[found["rule"] == "parent_cycle"]["row"].tolist() == [2]

    def test_area_rows_leave_the_population_blank(self, tmp_path):
        rows = [ROWS_2024[0].replace(",tỉnh,,,", ",tỉnh,,120000,"), *ROWS_2024[1:]]
        found = problems(write(tmp_path, rows))
        assert found[["row", "column", "value", "rule"]].to_dict("records") == [
            {"row": 2, "column": "Dân số", "value": "120000", "rule": "population_blank_for_areas"}]

    def test_a_bad_key_does_not_cascade_into_tree_problems(self, tmp_path):
        rows = [ROWS_2024[0].replace("2024,", "20x4,", 1), *ROWS_2024[1:]]
        found = problems(write(tmp_path, rows))
        assert found["rule"].tolist() == ["integer"]

    def test_without_parent_ids_communes_report_to_the_one_area_row(self, sample_frame, write_csv):
        table = load_table(write_csv(sample_frame.drop(columns="parent_id")))
        assert table.tree.children("thi-hoi", 2013)[:2] == ["duc-xuan", "song-cau"]
        assert compute(table, 2013, "thi-hoi")["members"] == 9123


ADDITIVE = [i.id for i in INDICATORS if i.additive and not i.signed]


@settings(deadline=None)
@given(units=st.integers(1, 20), seed=st.integers(0, 5), first=st.integers(2022, 2025), span=st.integers(1, 3),
       shape=st.sampled_from(["auto", "three-tier", "two-tier"]))
def test_every_area_is_its_own_row_plus_its_children(units, seed, first, span, shape):
    table = table_from_frame(synthetic_table(units, range(first, first + span), seed=seed, shape=shape), origin=SYNTHETIC_ORIGIN)
    areas = compute_frame(table, per_area=True)
    own = compute_frame(table, per_unit=True)
    whole = compute_frame(table)
    for year in table.years:
        def total(unit: str, column: str, year: int = year) -> float:
            key = (year, unit)
            return areas.loc[key, column] if key in areas.index else own.loc[key, column]

        for area in table.tree.areas(year):
            for column in ADDITIVE:
                children = [total(child, column) for child in table.tree.children(area, year)]
                own_value = own.loc[(year, area), column]  # an area row's own population (and optional groups) is blank
                assert_sum(areas.loc[(year, area), column], [own_value, *children])
        for column in ADDITIVE:
            assert_sum(whole.loc[year, column], [total(root, column) for root in table.tree.roots(year)])


def assert_sum(actual: object, parts: list) -> None:
    """``actual`` is the sum of the ``parts`` that are not blank; blank when every part is (an optional group not reported)."""
    present = [part for part in parts if not pd.isna(part)]
    if present:
        assert actual == pytest.approx(sum(present))
    else:
        assert pd.isna(actual)
