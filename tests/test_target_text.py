"""Sentences and cells on the learning-society titles against their targets: khuyenhoc/reports/target_text.py."""

from __future__ import annotations

import pytest

from khuyenhoc.reports.target_text import format_target, projected_text, target_paragraphs, title_context
from khuyenhoc.targets import TargetProgress

FAMILIES = "learning_families_pct"


def _record(**values) -> TargetProgress:
    return TargetProgress(**({"indicator": FAMILIES, "year": 2025, "value": 62.34, "change_pp": 1.96} | values))


@pytest.mark.parametrize("value, lang, expected", [(70, "vi", "70%"), (72.5, "vi", "72,5%"), (72.5, "en", "72.5%"), (80.0, "en", "80%")])
def test_a_target_as_decisions_write_it(value, lang, expected):
    assert format_target(value, lang) == expected


def test_the_words_follow_the_gap_as_shown():
    assert title_context(_record(target=70, target_year=2030, gap_pp=-7.66), "vi")["direction"] == "below"
    assert title_context(_record(target=62.3, target_year=2030, gap_pp=0.04), "vi")["direction"] == "equal", "0,04 shows as 0,0"
    assert title_context(_record(target=60, target_year=2030, gap_pp=2.34), "vi")["direction"] == "above"
    context = title_context(_record(target=70, target_year=2030, gap_pp=-7.66, pace_pp=2.0, projected_year=2029), "vi")
    assert (context["value"], context["change"], context["gap"], context["pace"]) == ("62,3%", "2,0 điểm phần trăm", "7,7 điểm phần trăm", "2,0 điểm phần trăm")
    assert context["on_track"] is True and context["never"] is False
    assert title_context(_record(change_pp=0.04), "vi")["change"] is None, "a change that shows as 0,0 is not told"


def test_a_paragraph_on_the_titles_and_none_without_them():
    assert target_paragraphs([], "vi") == []
    late = _record(target=70, target_year=2030, gap_pp=-7.66, pace_pp=1.0, projected_year=2033, units_at_target=3, units_reported=12)
    [paragraph] = target_paragraphs([late], "vi")
    assert paragraph.startswith("Về xây dựng xã hội học tập:")
    assert "đạt 62,3%, thấp hơn mục tiêu 70% của năm 2030 là 7,7 điểm phần trăm; 3/12 đơn vị đã đạt mục tiêu." in paragraph
    assert "tăng 1,0 điểm phần trăm mỗi năm), mục tiêu này sẽ đạt vào năm 2033, muộn hơn thời hạn năm 2030." in paragraph
    [never] = target_paragraphs([_record(target=70, target_year=2030, gap_pp=-7.66, pace_pp=-0.5)], "vi")
    assert never.endswith("Mục tiêu này không đạt nếu giữ nhịp độ hiện nay.")


@pytest.mark.parametrize("values, vi, en", [
    ({}, "—", "—"),
    ({"target": 60, "target_year": 2030, "gap_pp": 2.34, "projected_year": 2025}, "đã đạt", "reached"),
    ({"target": 70, "target_year": 2030, "gap_pp": -7.66, "pace_pp": 2.0, "projected_year": 2029}, "2029", "2029"),
    ({"target": 70, "target_year": 2030, "gap_pp": -7.66, "pace_pp": -0.5}, "không đạt nếu giữ nhịp độ hiện nay", "not reached at the current pace"),
    ({"target": 70, "target_year": 2030, "gap_pp": -7.66}, "—", "—"),  # no earlier year: no pace to project
])
def test_the_cell_for_when_a_target_is_reached(values, vi, en):
    assert (projected_text(_record(**values), "vi"), projected_text(_record(**values), "en")) == (vi, en)
