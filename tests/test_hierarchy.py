"""The hierarchy's rules, in plain Python: roots, children, areas, ancestors, scope, compared units, siblings."""

from __future__ import annotations

from khuyenhoc.hierarchy import Hierarchy
from khuyenhoc.runner.records import DataFacts
from khuyenhoc.runner.site import _year_tree

# 2024: a province over two districts over communes, and a ward straight under the province;
# 2025: the two-tier shape, communes under the province, plus a second root (a city).
ROWS = [
    (2024, "tinh-a", None, "province"), (2024, "huyen-b", "tinh-a", "district"), (2024, "huyen-c", "tinh-a", "district"),
    (2024, "xa-1", "huyen-b", "commune"), (2024, "xa-2", "huyen-b", "commune"), (2024, "phuong-3", "huyen-c", "commune"),
    (2024, "phuong-4", "tinh-a", "commune"),
    (2025, "tinh-a", None, "province"), (2025, "xa-12", "tinh-a", "commune"), (2025, "phuong-3", "tinh-a", "commune"),
    (2025, "tp-d", None, "district"), (2025, "xa-5", "tp-d", "commune"),
]
TREE = Hierarchy.from_rows(ROWS)


def test_roots_children_and_areas_top_down():
    assert TREE.roots(2024) == ["tinh-a"] and TREE.roots(2025) == ["tinh-a", "tp-d"]
    assert TREE.children("tinh-a", 2024) == ["huyen-b", "huyen-c", "phuong-4"]
    assert TREE.children("xa-1", 2024) == [] and TREE.children("tinh-a", 2023) == []
    assert TREE.areas(2024) == ["tinh-a", "huyen-b", "huyen-c"]
    assert TREE.areas(2025) == ["tinh-a", "tp-d"]
    assert TREE.descendants("tinh-a", 2024) == ["huyen-b", "huyen-c", "phuong-4", "xa-1", "xa-2", "phuong-3"]
    assert TREE.ancestors("xa-1", 2024) == ["huyen-b", "tinh-a"] and TREE.ancestors("xa-1", 2025) == []


def test_the_scope_and_the_compared_units_of_a_report():
    assert TREE.single_root(2024) == "tinh-a" and TREE.single_root(2025) is None
    assert TREE.report_scope(2024, None) == "tinh-a"  # one root: the whole file is its report
    assert TREE.report_scope(2025, None) is None  # several roots: the whole file
    assert TREE.report_scope(2025, "tp-d") == "tp-d"
    assert TREE.compared_units(2024) == ["huyen-b", "huyen-c", "phuong-4"]
    assert TREE.compared_units(2025) == ["tinh-a", "tp-d"]
    assert TREE.compared_units(2024, "huyen-b") == ["xa-1", "xa-2"]


def test_siblings_are_the_communes_under_the_same_parent():
    assert TREE.siblings("xa-1", 2024) == ["xa-1", "xa-2"]
    assert TREE.siblings("phuong-4", 2024) == ["phuong-4"]  # the districts beside it are not communes
    assert TREE.siblings("huyen-b", 2024) == []  # not a commune
    assert TREE.siblings("phuong-3", 2025) == ["xa-12", "phuong-3"]


def test_no_depth_limit():
    """A chain of 12 associations (the old index walk stopped after 8 steps)."""
    chain = [(2024, f"u{i}", f"u{i - 1}" if i else None, "commune" if i == 12 else "district") for i in range(13)]
    tree = Hierarchy.from_rows(chain)
    assert tree.ancestors("u12", 2024) == [f"u{i}" for i in range(11, -1, -1)]
    assert tree.nearest("u12", 2024, {"u0"}) == "u0"
    assert tree.areas(2024) == [f"u{i}" for i in range(12)]


def test_the_index_files_a_deep_profile_under_its_nearest_reported_area():
    """runner/publish.py's tree of reports: a unit 11 levels below the only area with a report is filed under it
    (the old walk gave up after 8 steps and filed it under the whole file)."""
    parents = {f"u{i}": (f"u{i - 1}" if i else None) for i in range(13)}
    facts = DataFacts("sha", "data.csv", [2024], {2024: ["u12"]}, {u: u for u in parents}, False, parents={2024: parents})
    entries = [
        {"key": "2024/annual_summary", "notebook": "annual_summary", "parameters": {"year": 2024}, "status": "ok"},
        {"key": "2024/u1", "notebook": "annual_summary", "parameters": {"year": 2024, "area_id": "u1"}, "status": "ok"},
        {"key": "2024/units/u12", "notebook": "unit_profile", "parameters": {"year": 2024, "unit_id": "u12"}, "status": "ok"},
    ]
    top = _year_tree(entries, facts, 2024, "vi")
    (area,) = top["children"]
    assert top["profiles"] == [] and [row["key"] for row in area["profiles"]] == ["2024/units/u12"]


def test_the_plan_and_the_table_read_the_same_rules():
    facts = DataFacts("sha", "data.csv", [2024], {2024: ["xa-1", "xa-2", "phuong-3", "phuong-4"]}, {},
                      False, parents={2024: {unit: parent for year, unit, parent, _ in ROWS if year == 2024}})
    assert facts.areas(2024) == TREE.areas(2024) and facts.single_root(2024) == "tinh-a"
    assert facts.children(2024) == {"tinh-a": ["huyen-b", "huyen-c", "phuong-4"], "huyen-b": ["xa-1", "xa-2"], "huyen-c": ["phuong-3"]}
    assert facts.hierarchy.siblings("xa-1", 2024) == TREE.siblings("xa-1", 2024)
