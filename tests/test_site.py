"""The index (dashboard, search) and run-details pages: khuyenhoc/runner/site.py."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from browsers import CHROMIUM, launched
from khuyenhoc.i18n import text
from khuyenhoc.indicators import analyse
from khuyenhoc.names import place_name
from khuyenhoc.render.markdown import summary_json
from khuyenhoc.reports.annual import AnnualSummary
from khuyenhoc.reports.profile import UnitProfile
from khuyenhoc.runner import figures
from khuyenhoc.runner.plan import ANNUAL, UNIT, DataFacts
from khuyenhoc.runner.site import SEARCH_FILE, dashboard, fold, search_entries, search_script, sort_key, write_index

HOSTILE = "Xã <b>Đá</b> & “A”"


def test_fold_drops_diacritics_and_case():
    assert fold("Xã Xuất  Hóa") == "xa xuat hoa"
    assert fold("Phường Đức Xuân") == "phuong duc xuan"
    assert fold("Thị trấn Nà Phặc") == "thi tran na phac"


def test_profile_titles_read_as_the_association_of_the_place(sample_table):
    assert UnitProfile(analyse(sample_table), 2013, "xuat-hoa").title == "Hồ sơ Hội Khuyến học xã Xuất Hóa, năm 2013"
    assert text("title.unit", "vi", unit=place_name("Hội Khuyến học thị xã Bắc Kạn"), year=2013) == \
        "Hồ sơ Hội Khuyến học thị xã Bắc Kạn, năm 2013", "no doubled association"
    assert UnitProfile(analyse(sample_table), 2013, "xuat-hoa", "en").title == "Association profile: Xã Xuất Hóa, 2013"


def test_summary_json_lists_the_compared_units_and_figures_records_them(sample_table):
    summary = AnnualSummary(analyse(sample_table), 2013)
    document = summary_json(summary)
    rows = {row["unit_id"]: row for row in document["compared"]}
    assert set(rows) == set(summary.units) and len(rows) == 8
    xuat_hoa = rows["xuat-hoa"]
    assert (xuat_hoa["name"], xuat_hoa["level"], xuat_hoa["figures"]["members"]) == ("Xã Xuất Hóa", "commune", 871)
    assert xuat_hoa["figures"]["members_per_population_pct"] == pytest.approx(25.6176, abs=1e-3)
    recorded = figures.key_figures(json.dumps(document).encode())
    assert recorded["members"]["value"] == summary.values["members"]
    assert recorded["compared"]["measures"]["members_growth_pct"] == ["percent", 1, True]
    assert figures.value_text(8.3333, recorded["compared"]["measures"]["members_growth_pct"], "vi") == "+8,3%"
    assert figures.value_text(None, ["percent", 1, True], "vi") == ""


def test_the_dashboard_flags_what_the_report_found_not_every_fall(sample_table):
    """A unit's flags follow its report: a fall past the findings' thresholds, a figure to check; a fall of a few
    members is not flagged."""
    from dataclasses import replace

    frame = sample_table.frame.copy()
    at = lambda unit: (frame["year"] == 2013) & (frame["unit_id"] == unit)  # noqa: E731
    before = lambda unit: int(frame.loc[(frame["year"] == 2012) & (frame["unit_id"] == unit), "members"].iloc[0])  # noqa: E731
    frame.loc[at("xuat-hoa"), "members"] = before("xuat-hoa") - 1  # a fall of one member: no finding
    frame.loc[at("duong-quang"), "members"] = round(before("duong-quang") * 0.9)  # 10 %: a finding
    frame.loc[at("nong-thuong"), "members"] = round(before("nong-thuong") * 0.3)  # -70 %: a data check, not a finding
    summary = AnnualSummary(analyse(replace(sample_table, frame=frame)), 2013)
    recorded = figures.key_figures(json.dumps(summary_json(summary)).encode())
    board = dashboard([{"key": "2013/annual_summary", "notebook": ANNUAL, "parameters": {"year": 2013}, "status": "ok",
                        "html": "x.html", "figures": recorded}], "vi")
    flags = {row["name"]: row["flags"] for row in board["rows"]}
    assert "giảm hội viên" not in flags["Xã Xuất Hóa"]
    assert "giảm hội viên" in flags["Xã Dương Quang"]
    assert "cần kiểm tra số liệu" in flags["Xã Nông Thượng"] and "giảm hội viên" not in flags["Xã Nông Thượng"]


def _entries() -> list[dict]:
    """A year's manifest entries: the whole file's report (with its compared units) and two profiles."""
    measures = {"members": ["person", 0, False], "members_growth_pct": ["percent", 1, True],
                "members_per_population_pct": ["percent", 1, False], "fund_per_member_vnd": ["vnd_per_member", 0, False]}
    rows = [
        {"unit_id": "xa-b", "name": "Xã Bình", "level": "commune",
         "figures": {"members": 1200, "members_change": -30, "members_growth_pct": -2.44, "members_per_population_pct": 20.0,
                     "fund_per_member_vnd": 45897.02, "training_classes": 0, "units_without_training": None, "learning_families_pct": None},
         "attention": ["members_fell"]},
        {"unit_id": "xa-a", "name": HOSTILE, "level": "commune",
         "figures": {"members": 950, "members_change": 12, "members_growth_pct": 1.28, "members_per_population_pct": 25.5,
                     "fund_per_member_vnd": 30000, "training_classes": 4, "units_without_training": None, "learning_families_pct": None},
         "attention": ["check", "fund_fell"]},
        {"unit_id": "huyen-c", "name": "Huyện Ăn Cả", "level": "district",  # a fall its report does not call material
         "figures": {"members": 9123, "members_change": -5, "members_growth_pct": -0.05, "members_per_population_pct": None,
                     "fund_per_member_vnd": None, "training_classes": 40, "units_without_training": 3, "learning_families_pct": None},
         "attention": []},
    ]
    whole = {"key": "2025/annual_summary", "notebook": ANNUAL, "parameters": {"year": 2025}, "status": "ok",
             "html": "2025/annual_summary.html", "title": "Tổng kết 2025", "outputs": [],
             "figures": {"members": {"value": 11273, "measure": "person", "precision": 0, "signed": False},
                         "compared": {"rows": rows, "measures": measures}}}
    profiles = [{"key": f"2025/units/{u}", "notebook": UNIT, "parameters": {"year": 2025, "unit_id": u}, "status": "ok",
                 "html": f"2025/units/{u}.html", "title": f"Hồ sơ {u}", "outputs": []} for u in ("xa-a", "xa-b")]
    old = {"key": "2024/units/xa-a", "notebook": UNIT, "parameters": {"year": 2024, "unit_id": "xa-a"}, "status": "ok",
           "html": "2024/units/xa-a.html", "title": "Hồ sơ xa-a 2024", "outputs": []}
    return [whole, *profiles, old]


def test_dashboard_rows_in_vietnamese_order_with_figures_flags_and_links():
    board = dashboard([e for e in _entries() if e["parameters"]["year"] == 2025], "vi")
    assert board["headers"] == ["Hội viên", "Tỷ lệ hội viên/dân số", "Tăng, giảm hội viên", "Quỹ bình quân/hội viên (đồng)"], \
        "the learning-family column only where the data reports it"
    assert [r["name"] for r in board["rows"]] == ["Huyện Ăn Cả", HOSTILE, "Xã Bình"], "'<' before letters"
    district, hostile, binh = board["rows"]
    assert [c["text"] for c in binh["cells"]] == ["1.200", "20,0%", "-2,4%", "45.897"]
    assert binh["cells"][3]["sort"] == 45897.02 and binh["href"] == "2025/units/xa-b.html"
    assert binh["flags"] == ["không mở lớp tập huấn", "giảm hội viên"]
    assert district["flags"] == ["3 đơn vị không mở lớp tập huấn"] and district["href"] is None
    assert district["cells"][1] == {"text": "", "sort": None}
    assert hostile["flags"] == ["giảm quỹ", "cần kiểm tra số liệu"]
    failed = [dict(_entries()[0], status="failed")]
    assert dashboard(failed, "vi") is None


def _facts() -> DataFacts:
    return DataFacts(checksum="sha256:0", source="x.csv", years=[2024, 2025], units={2024: ["xa-a"], 2025: ["xa-a", "xa-b"]},
                     unit_names={"tinh": "Tỉnh Hòa", "xa-a": HOSTILE, "xa-b": "Xã Bình", "huyen-c": "Huyện Ăn Cả"},
                     illustrative=False, parents={2024: {"tinh": None, "xa-a": "tinh"}, 2025: {"tinh": None, "xa-a": "tinh", "xa-b": "tinh"}})


def test_search_entries_one_per_unit_with_its_latest_report():
    runs = {e["key"]: e for e in _entries()}
    entries = search_entries(runs, _facts())
    assert entries == [["Tỉnh Hòa", "2025/annual_summary.html", ""], [HOSTILE, "2025/units/xa-a.html", "Tỉnh Hòa"],
                       ["Xã Bình", "2025/units/xa-b.html", "Tỉnh Hòa"]]
    script = search_script(entries)
    assert script.startswith("window.KHUYENHOC_UNITS=")
    assert json.loads(script.removeprefix("window.KHUYENHOC_UNITS=").removesuffix(";\n")) == entries
    runs["2025/units/xa-b"] |= {"status": "failed", "html": None, "previous_html": "2025/units/xa-b.html"}
    runs["2025/units/xa-a"] |= {"status": "failed", "html": None}
    assert search_entries(runs, _facts())[1:] == [[HOSTILE, "2024/units/xa-a.html", "Tỉnh Hòa"], ["Xã Bình", "2025/units/xa-b.html", "Tỉnh Hòa"]], \
        "a failed report: its earlier page, else the unit's latest good one"
    del runs["2025/units/xa-b"]
    assert search_entries(runs, _facts())[2] == ["Xã Bình", "2025/annual_summary.html", "Tỉnh Hòa"], \
        "a unit without a page of its own is found through the report of the area above it"
    odd = search_script([["Xã A\u2028B", "x.html", ""]])
    assert "\u2028" not in odd and "\\u2028" in odd, "a line separator in a name is escaped"


def test_the_search_file_stays_small_for_a_country():
    names = [f"Xã Tân Lập {n}" for n in range(3300)]
    runs = {f"2025/units/xa-{n}": {"notebook": UNIT, "parameters": {"year": year, "unit_id": f"xa-{n}"}, "status": "ok",
                                   "html": f"{year}/units/xa-{n}.html"} for n in range(3300) for year in (2025,)}
    facts = DataFacts(checksum="", source="", years=[2025], units={}, unit_names={f"xa-{n}": names[n] for n in range(3300)},
                      illustrative=False, parents={2025: {f"xa-{n}": "tinh" for n in range(3300)}})
    size = len(search_script(search_entries(runs, facts)).encode())
    assert size < 250_000, size


def _write(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    out.mkdir()
    manifest = {"runs": {e["key"]: e for e in _entries()}, "pages": {}}
    write_index(out, manifest, _facts(), "vi")
    assert set(manifest["pages"]) == {"index.html", "runs.html", SEARCH_FILE}
    return out


def test_the_index_escapes_names_and_loads_its_search_file(tmp_path):
    out = _write(tmp_path)
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "Xã &lt;b&gt;Đá&lt;/b&gt; &amp;" in index and "<b>Đá" not in index
    assert f'<script src="{SEARCH_FILE}"></script>' in index and "fetch(" not in index and "http" not in re.sub(r'href="[^"]*"', "", index)
    table = index[index.index('<table class="dash">'):]
    assert table.index("Huyện Ăn Cả") < table.index("Xã Bình"), "the dashboard in Vietnamese order"
    assert (out / SEARCH_FILE).read_text(encoding="utf-8").startswith("window.KHUYENHOC_UNITS=")


def test_vietnamese_order_sorts_the_dashboard_names():
    assert sorted(["Xã Bình", "Huyện Ăn Cả", "Xã An"], key=sort_key) == ["Huyện Ăn Cả", "Xã An", "Xã Bình"]


sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason="no browser")
@pytest.mark.parametrize("width", [1280, 390])
def test_in_a_browser_search_finds_without_diacritics_and_headers_sort(tmp_path, width):
    out = _write(tmp_path)
    with launched(sync_api) as browser:
        page = browser.new_page(viewport={"width": width, "height": 900})
        requests = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto((out / "index.html").as_uri())
        page.fill("#q", "xa binh")
        found = page.locator("#found a")
        assert found.all_inner_texts() == ["Xã Bình"]
        assert found.first.get_attribute("href") == "2025/units/xa-b.html"
        page.fill("#q", "da")
        assert page.locator("#found a").all_inner_texts() == [HOSTILE], "text, not markup"
        names = "table.dash tbody tr td:first-child"
        page.click("table.dash th:nth-child(2)")  # members, ascending
        assert page.locator(names).all_inner_texts() == [HOSTILE, "Xã Bình", "Huyện Ăn Cả"]
        page.click("table.dash th:nth-child(2)")  # descending
        assert page.locator(names).all_inner_texts()[0] == "Huyện Ăn Cả"
        page.click("table.dash th:nth-child(4)")  # change in %: -2,4% first
        assert page.locator(names).all_inner_texts()[0] == "Xã Bình"
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1, "nothing wider than the screen"
        page.screenshot(path=str(tmp_path / f"index-{width}.png"), full_page=True)
        assert all(url.startswith("file://") for url in requests)

