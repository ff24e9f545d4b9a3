"""How the compared units spread over bands, for reports too long for per-unit tables: khuyenhoc/reports/overview.py."""

from __future__ import annotations

import pytest

from khuyenhoc.indicators import analyse
from khuyenhoc.reports.annual import AnnualSummary
from khuyenhoc.reports.overview import (BODY_ROWS, SPREADS, SectionSpread, band_labels, in_annex, section_spread, shows_spread, spread_sentence,
                                        spread_title, spread_units)


@pytest.mark.parametrize("key, lang, labels", [
    ("members", "vi", ["Dưới 10%", "Từ 10% đến dưới 20%", "Từ 20% đến dưới 30%", "Từ 30% đến dưới 40%", "Từ 40% trở lên"]),
    ("training", "vi", ["0", "Từ 1 đến 2", "Từ 3 đến 5", "Từ 6 đến 10", "Từ 11 trở lên"]),
    ("fund", "vi", ["Dưới 10.000 đồng", "Từ 10.000 đồng đến dưới 20.000 đồng", "Từ 20.000 đồng đến dưới 50.000 đồng",
                    "Từ 50.000 đồng đến dưới 100.000 đồng", "Từ 100.000 đồng trở lên"]),
    ("training", "en", ["0", "1 to 2", "3 to 5", "6 to 10", "11 and above"]),
])
def test_band_labels_cover_every_value_once(key, lang, labels):
    assert band_labels(SPREADS[key], lang) == labels


def test_tables_longer_than_the_body_holds_go_to_the_annex():
    assert not in_annex(BODY_ROWS) and in_annex(BODY_ROWS + 1)


def test_the_spread_of_a_town_counts_its_communes_and_names_the_ends(sample_table):
    summary = AnnualSummary(analyse(sample_table), 2013)
    communes = sample_table.frame[(sample_table.frame["year"] == 2013) & (sample_table.frame["level"] == "commune")]
    rate = (100 * communes["members"].astype(float) / communes["population"].astype(float)).set_axis(communes["unit_id"])
    assert sorted(spread_units(summary)) == sorted(rate.index) and not shows_spread(summary), "8 communes fit in the body"
    spread = section_spread(summary, "members")
    assert [count for _, count, _ in spread.bands] == [sum((rate >= low) & (rate < high)) for low, high in
                                                       [(0, 10), (10, 20), (20, 30), (30, 40), (40, 1e9)]]
    assert spread.reported == len(rate) and sum(share for _, _, share in spread.bands) == pytest.approx(100)
    half = min(5, len(rate) // 2)
    names = dict(zip(communes["unit_id"], communes["unit_name"], strict=True))
    assert [name for name, _ in spread.strongest] == [names[u].replace("Xã", "xã").replace("Phường", "phường")
                                                      for u in rate.sort_values(ascending=False).index[:half]]
    assert not set(spread.strongest) & set(spread.weakest), "never one unit at both ends"
    assert spread.table_rows("vi")[-1] == ["Cộng", str(len(rate)), "100,0%"]
    assert spread_title(spread, "vi", 2013) == "Số đơn vị theo tỷ lệ hội viên trên dân số, năm 2013"
    assert section_spread(summary, "families") is None, "a section without a declared rate has no spread"


def test_the_sentence_names_the_strongest_then_the_weakest():
    spread = SectionSpread("training", "training_classes", (), (("xã A", "12"), ("xã B", "9")), (), 2)
    assert spread_sentence(spread, "vi") == "Số lớp tập huấn cao nhất ở xã A (12) và xã B (9)."
    assert spread_sentence(spread, "en").endswith("A (12) and xã B (9).")
    both = SectionSpread("members", "members_per_population_pct", (), (("xã A", "31,2%"),), (("xã C", "8,0%"),), 2)
    assert spread_sentence(both, "vi").endswith("ở xã A (31,2%); thấp nhất ở xã C (8,0%).")
    assert spread_sentence(SectionSpread("members", "members_per_population_pct", (), (), (), 1), "vi") is None
