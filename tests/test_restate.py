"""The previous year restated on the current boundaries: changes, what ended, mergers, restated history."""

from __future__ import annotations

import json
from dataclasses import replace

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import khuyenhoc as kh
from khuyenhoc.indicators import INDICATORS
from khuyenhoc.restate import Merger, Source, restatement, restated_history
from khuyenhoc.table import table_from_frame

COLUMNS = ["Năm", "Mã đơn vị", "Tên đơn vị", "Cấp", "Mã đơn vị cấp trên", "Dân số", "Số hội viên", "Gia đình tú tài", "Gia đình cử nhân",
           "Dòng họ đăng ký", "Dòng họ đạt chuẩn", "Số lớp", "Lượt người", "Quỹ khuyến học (đồng)"]


def _row(year, unit, level, parent, members=0, fund=0):
    commune = level == "xã"
    return [year, unit, f"Đơn vị {unit}", level, parent, 1000 if commune else None, members, 0, 0, 0, 0, 0, 0, fund]


def _table(rows, links):
    """A validated table with its lineage, checked as a file's would be."""
    return table_from_frame(pd.DataFrame(rows, columns=COLUMNS), lineage=pd.DataFrame(links, columns=["Năm", "Mã đơn vị cũ", "Mã đơn vị mới", "Tỷ lệ"]))


def _split_table():
    """Two provinces (p1 with a district over a, b; p2 over c) merge into p12; a splits 0.6 into n1 and 0.4 into c,
    b continues, the district ends."""
    rows = [_row(2024, "p1", "tỉnh", None, fund=7), _row(2024, "d1", "huyện", "p1", fund=30), _row(2024, "a", "xã", "d1", 1000, 100),
            _row(2024, "b", "xã", "d1", 500, 50), _row(2024, "p2", "tỉnh", None, fund=3), _row(2024, "c", "xã", "p2", 200, 20),
            _row(2025, "p12", "tỉnh", None, fund=11), _row(2025, "n1", "xã", "p12", 650, 70), _row(2025, "b", "xã", "p12", 520, 55),
            _row(2025, "c", "xã", "p12", 610, 60)]
    links = [(2025, "a", "n1", 0.6), (2025, "a", "c", 0.4), (2025, "p1", "p12", 1.0), (2025, "p2", "p12", 1.0)]
    return _table(rows, links)


def test_a_split_with_shares():
    table = _split_table()
    assert kh.compute(table, 2025, "n1")["members_change"] == 650 - 600
    assert kh.compute(table, 2025, "c")["members_change"] == 610 - (200 + 400)
    assert kh.compute(table, 2025, "b")["members_change"] == 20  # continuing, nothing merged into it
    assert kh.compute(table, 2025, "c")["fund_growth_pct"] == pytest.approx(100 * (60 - 60) / 60)


def test_a_merged_province_compares_with_both_old_provinces_whole():
    table = _split_table()
    values = kh.compute(table, 2025, "p12")
    assert values["fund_change_vnd"] == (11 + 70 + 55 + 60) - (7 + 30 + 100 + 50 + 3 + 20)  # district row included
    assert values["members_change"] == (650 + 520 + 610) - 1700
    frame = kh.compute_frame(table, per_area=True)
    assert frame.loc[(2025, "p12"), "members_change"] == values["members_change"]
    tidy = kh.indicators_frame(table)
    row = tidy[(tidy["scope"] == "p12") & (tidy["year"] == 2025) & (tidy["indicator"] == "fund_change_vnd") & (tidy["scope_type"] == "area")]
    assert row["count"].iloc[0] == values["fund_change_vnd"]
    assert kh.compute(table, 2025)["members_change"] == 1780 - 1700  # the whole file is as without lineage


def test_without_lineage_nothing_changes():
    table = _split_table()
    plain = replace(table, lineage=None)
    assert kh.compute(plain, 2025, "p12")["members_change"] is None and kh.compute(plain, 2025, "n1")["members_change"] is None
    assert kh.compute(plain, 2025, "c")["members_change"] == 610 - 200


def test_restatement_names_what_ended_and_what_merged():
    r = restatement(_split_table(), 2025, "p12")
    assert r.compared["fund_total"] == 210 and r.restated["fund_total"] == 180
    assert list(r.ended_by_level()) == ["district"] and r.ended_by_level()["district"]["fund_total"] == 30 and [e.unit_id for e in r.ended] == ["d1"]
    assert Merger("n1", (Source("a", 0.6),)) in r.mergers
    sources = {m.unit_id: sorted((s.unit_id, s.share) for s in m.sources) for m in r.mergers}
    assert sources == {"n1": [("a", 0.6)], "c": [("a", 0.4), ("c", 1.0)], "p12": [("p1", 1.0), ("p2", 1.0)]}
    assert r.moved_in["members"] == 0 and r.moved_out["members"] == 0
    plain = json.loads(json.dumps(r.to_dict()))
    assert plain["ended"][0]["unit_id"] == "d1" and plain["mergers"][0]["sources"][0] == {"unit_id": "a", "share": 0.6}


def test_restated_history_of_a_merged_unit():
    history = restated_history(_split_table(), "p12", 2025)
    assert list(history.index) == [2024, 2025]
    assert history.loc[2024, "members"] == 1700 and history.loc[2024, "fund_total_vnd"] == 210 and bool(history.loc[2024, "restated"])
    assert not bool(history.loc[2025, "restated"]) and history.loc[2025, "members_change"] == 80
    commune = restated_history(_split_table(), "n1", 2025)
    assert commune.loc[2024, "members"] == pytest.approx(600)


def test_change_indicators_are_a_property_of_the_registry():
    comparing = {i.id for i in INDICATORS if i.previous}
    assert {"members_change", "members_growth_pct", "fund_change_vnd", "fund_growth_pct", "learning_families_change_pp"} <= comparing
    assert "members" not in comparing and "fund_per_member_vnd" not in comparing


@st.composite
def _reforms(draw):
    """Two provinces (p with a district over its communes, q with communes directly) in 2024; in 2025 each old
    commune continues (in either province), merges whole into a new unit, splits between two new units (the rest
    ending when there is no second one), or ends; the district ends; new units sit in either province."""
    count = draw(st.integers(2, 7))
    rows = [_row(2024, "p", "tỉnh", None, fund=draw(st.integers(0, 90))), _row(2024, "q", "tỉnh", None, fund=draw(st.integers(0, 90))),
            _row(2024, "d", "huyện", "p", fund=draw(st.integers(0, 90)))]
    rows += [_row(2024, f"o{i}", "xã", draw(st.sampled_from(["d", "q"])), draw(st.integers(0, 900)), draw(st.integers(0, 900)))
             for i in range(count)]
    rows += [_row(2025, "p", "tỉnh", None, fund=draw(st.integers(0, 90))), _row(2025, "q", "tỉnh", None, fund=draw(st.integers(0, 90)))]
    news = [f"n{j}" for j in range(draw(st.integers(1, 3)))]
    rows += [_row(2025, n, "xã", draw(st.sampled_from(["p", "q"])), draw(st.integers(0, 900)), draw(st.integers(0, 900))) for n in news]
    links = []
    for i in range(count):
        fate = draw(st.sampled_from(["continue", "merge", "split", "end"]))
        if fate == "continue":
            rows.append(_row(2025, f"o{i}", "xã", draw(st.sampled_from(["p", "q"])), draw(st.integers(0, 900)), draw(st.integers(0, 900))))
        elif fate == "merge":
            links.append((2025, f"o{i}", draw(st.sampled_from(news)), 1.0))
        elif fate == "split":
            share = draw(st.sampled_from([0.25, 0.5, 0.6]))
            first, second = draw(st.permutations([*news, "none"]))[:2]
            links.append((2025, f"o{i}", news[0] if first == "none" else first, share))
            if second not in ("none", links[-1][2]):
                links.append((2025, f"o{i}", second, 1 - share))
    return _table(rows, links)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_reforms())
def test_restated_plus_ended_is_the_previous_years_total(table):
    """Nothing counted twice or lost: the previous year's total is what it restates to on the new boundaries plus what
    ended; within an area, what it compares with is its restated figures less what moved in, plus what moved out and
    what ended; and the change indicators compare with exactly that."""
    before = kh.compute(table, 2024)
    whole = restatement(table, 2025)
    for quantity, indicator in (("members", "members"), ("fund_total", "fund_total_vnd")):
        assert whole.restated.get(quantity, 0) + whole.ended_total()[quantity] == pytest.approx(before[indicator])
        assert whole.compared[quantity] == pytest.approx(before[indicator])
        assert whole.moved_in.get(quantity, 0) == pytest.approx(0) and whole.moved_out.get(quantity, 0) == pytest.approx(0)
    for scope in ("p", "q"):
        r = restatement(table, 2025, scope)
        for quantity in ("members", "fund_total"):
            split = r.restated.get(quantity, 0) - r.moved_in.get(quantity, 0) + r.moved_out.get(quantity, 0) + r.ended_total()[quantity]
            assert split == pytest.approx(r.compared[quantity])
        now = kh.compute(table, 2025, scope)
        if now["members_change"] is not None:
            assert now["members"] - now["members_change"] == pytest.approx(r.compared["members"])
            assert now["fund_total_vnd"] - now["fund_change_vnd"] == pytest.approx(r.compared["fund_total"])


def test_the_readmes_worked_example():
    rows = [_row(2024, "t-a", "tỉnh", None, fund=50), _row(2024, "huyen-b", "huyện", "t-a", fund=20), _row(2024, "xa-1", "xã", "huyen-b", 1000, 10),
            _row(2024, "xa-2", "xã", "huyen-b", 800, 8), _row(2024, "phuong-3", "xã", "huyen-b", 1500, 15), _row(2024, "t-b", "tỉnh", None, fund=10),
            _row(2024, "xa-5", "xã", "t-b", 700, 7),
            _row(2025, "t-ab", "tỉnh", None, fund=60), _row(2025, "xa-12", "xã", "t-ab", 1900, 19), _row(2025, "phuong-3", "xã", "t-ab", 950, 9),
            _row(2025, "xa-5", "xã", "t-ab", 720, 7)]
    links = [(2025, "xa-1", "xa-12", 1.0), (2025, "xa-2", "xa-12", 1.0), (2025, "phuong-3", "xa-12", 0.4), (2025, "phuong-3", "phuong-3", 0.6),
             (2025, "t-a", "t-ab", 1.0), (2025, "t-b", "t-ab", 1.0)]
    table = _table(rows, links)
    assert [kh.compute(table, 2025, u)["members_change"] for u in ("xa-12", "phuong-3", "t-ab")] == [-500, 50, -430]
    plain = replace(table, lineage=None)
    assert [kh.compute(plain, 2025, u)["members_change"] for u in ("xa-12", "phuong-3", "t-ab")] == [None, -550, None]
    r = restatement(table, 2025, "t-ab")
    assert r.restated["members"] == 4000 and [e.unit_id for e in r.ended] == ["huyen-b"] and r.ended_total()["fund_total"] == 20


def test_a_change_indicator_declared_later_is_restated_too():
    """The optional groups' changes (issue 19) were declared after the lineage: they compare with predecessors as well."""
    rows = [[*_row(2024, "p", "tỉnh", None, fund=1), None], [*_row(2024, "a", "xã", "p", 100, 1), 3], [*_row(2024, "b", "xã", "p", 50, 1), 2],
            [*_row(2025, "p", "tỉnh", None, fund=1), None], [*_row(2025, "ab", "xã", "p", 160, 2), 6]]
    frame = pd.DataFrame(rows, columns=[*COLUMNS, "Số chi hội"])
    table = table_from_frame(frame, lineage=pd.DataFrame([(2025, "a", "ab"), (2025, "b", "ab")], columns=["Năm", "Mã đơn vị cũ", "Mã đơn vị mới"]))
    assert "branches_change" in {i.id for i in INDICATORS if i.previous}
    assert kh.compute(table, 2025, "ab")["branches_change"] == 6 - (3 + 2)
    assert kh.compute(table_from_frame(frame), 2025, "ab")["branches_change"] is None


def test_a_restated_table_is_read_once_and_not_kept_alive():
    """The quantities and predecessors a report restates several scopes with are read once per table, and that
    reading does not keep the table in memory once nothing else holds it."""
    import gc
    import weakref

    from khuyenhoc import restate

    table = _split_table()
    assert restatement(table, 2025).scope == "all" and restated_history(table, "p12", 2025) is not None
    read = restate._READ[table]
    restatement(table, 2025, "p12")
    assert restate._READ[table] is read
    held = weakref.ref(table)
    del table, read
    gc.collect()
    assert held() is None
