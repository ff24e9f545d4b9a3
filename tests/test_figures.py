"""runner/figures.py: the index's key figures are recorded with their measure and formatted the Vietnamese way."""

from __future__ import annotations

import json

from khuyenhoc.runner.figures import key_figures, shown


def test_key_figures_are_read_from_summary_json_with_their_measure():
    summary = json.dumps({"indicators": {"members": {"value": 1399}, "fund_total_vnd": {"value": 343380000}, "other": {"value": 1}}})
    figures = key_figures(summary.encode())
    assert set(figures) == {"members", "fund_total_vnd"}
    assert figures["members"]["value"] == 1399 and figures["fund_total_vnd"]["value"] == 343380000
    assert shown(figures, "vi") == "1.399 hội viên · quỹ 343.380.000 đồng"


def test_an_unreadable_summary_has_no_figures():
    assert key_figures(b'{"indicators": ') == {} and key_figures(None) == {} and key_figures(b"[1]") == {}
    assert shown(None, "vi") == "" and shown({"members": {"value": None}}, "vi") == ""


def test_an_earlier_versions_bare_values_are_still_shown():
    assert shown({"members": 9123}, "vi") == "9.123 hội viên"
    assert shown({"members": "nine", "fund_total_vnd": {"measure": "vnd"}}, "vi") == ""
