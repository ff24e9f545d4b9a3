"""Which units a bar chart shows, in what order, with what names: khuyenhoc/render/bars.py."""

from __future__ import annotations

import pandas as pd

from khuyenhoc.render.bars import LABEL_LINES, LABEL_WIDTH, MAX_BARS, bar_height, bar_labels, extremes, full_names


def _units(values: list[float | None]) -> pd.DataFrame:
    return pd.DataFrame({"unit_name": [f"Xã {i:02d}" for i in range(len(values))], "members": values},
                        index=[f"u{i:02d}" for i in range(len(values))])


def test_a_few_units_are_all_shown_ascending_ties_in_name_order():
    rows = _units([30, 10, 20, 10, None])
    bars = extremes(rows, "members", "vi")
    assert bars.rows.index.tolist() == ["u04", "u01", "u03", "u02", "u00"], "blank first, the highest on top (last)"
    assert bars.positions == [0, 1, 2, 3, 4] and bars.gap is None and bars.left_out.empty and bars.note == ""
    assert extremes(rows, "members", "vi", by="số hội viên").note == " (xếp theo số hội viên)"


def test_many_units_show_the_lowest_and_highest_around_a_gap():
    rows = _units([float(v) for v in range(40, 0, -1)])  # u00 highest … u39 lowest
    bars = extremes(rows, "members", "vi", keep=frozenset({"u20"}))
    half = (MAX_BARS - 1) // 2
    assert len(bars.rows) == 2 * half + 1 and len(bars.left_out) == 40 - 2 * half - 1
    assert bars.rows.index.tolist() == [f"u{i:02d}" for i in range(39, 39 - half, -1)] + ["u20"] + [f"u{i:02d}" for i in range(half - 1, -1, -1)]
    assert bars.gap == half, "the gap row sits after the lowest"
    assert bars.positions == [*range(half), *range(half + 1, 2 * half + 2)], "the unit kept sits above the gap, among the highest"
    assert bars.note == f" ({half} đơn vị thấp nhất và {half} cao nhất trong 40)"
    assert extremes(rows, "members", "en").note == f" (the {half} lowest and {half} highest of 40)"


def test_names_wrap_to_the_label_width_and_are_cut_after_three_lines():
    short, long = "Xã Xuất Hóa", " ".join(["Thị trấn Nà Phặc"] * 12)
    labels, cut = bar_labels([short, long])
    assert labels[0] == short
    lines = labels[1].split("\n")
    assert len(lines) == LABEL_LINES and all(len(line) <= LABEL_WIDTH for line in lines) and lines[-1].endswith("…")
    assert cut == [long]
    assert full_names("Biểu đồ.", cut, "vi").startswith("Biểu đồ. ") and long in full_names("Biểu đồ.", cut, "vi")
    assert full_names("Biểu đồ.", [], "vi") == "Biểu đồ."


def test_the_height_counts_every_line_of_every_name_and_the_gap():
    few = extremes(_units([1.0, 2.0]), "members", "vi")
    assert bar_height(few) == 0.32 * 2
    many = extremes(_units([float(v) for v in range(20)]), "members", "vi")
    assert bar_height(many, extra=1.0) == 1.0 + 0.32 * (2 * ((MAX_BARS - 1) // 2) + 1)
