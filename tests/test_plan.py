"""The plan of a run over areas (issue 9): which reports, where, and links between them that resolve."""

from __future__ import annotations

import json
import posixpath
import re
from pathlib import Path

import pytest

from khuyenhoc.errors import RunError
from khuyenhoc.runner import RunOptions, run_batch
from khuyenhoc.runner.data import data_facts
from khuyenhoc.runner.manifest import Manifest
from khuyenhoc.runner.plan import ANNUAL, build_plan
from khuyenhoc.runner.records import JobResult, JobStatus, Selection
from province_data import HEADER, ROWS_2024, ROWS_2025


@pytest.fixture
def province_csv(tmp_path) -> Path:
    path = tmp_path / "tinh.csv"
    path.write_text("\n".join([HEADER, *ROWS_2024, *ROWS_2025]) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def facts(province_csv):
    return data_facts(province_csv, "sha256:x", Manifest(province_csv.parent), "vi")


def keys(plan) -> list[str]:
    return [job.key for job in plan]


def test_every_area_every_year_and_the_whole_file_once(facts):
    plan = build_plan(facts, None, Selection(), "vi")
    assert keys(plan) == [
        "2024/annual_summary", "2024/areas/huyen-b/annual_summary", "2024/areas/huyen-c/annual_summary",
        "2025/annual_summary", "2025/areas/tinh-a/annual_summary", "2025/areas/tp-d/annual_summary", "trends",
    ], "2024 has one root (tinh-a): its report is the whole file's, not written twice"
    by_key = {job.key: job for job in plan}
    assert by_key["2024/annual_summary"].title_values == {"year": 2024, "area": "tỉnh An Hòa"}
    assert by_key["2025/annual_summary"].title_key == "title.annual"
    area = by_key["2024/areas/huyen-c/annual_summary"]
    assert (area.parameters["area_id"], area.files_dir, area.html_path) == ("huyen-c", "2024/areas/huyen-c", "2024/areas/huyen-c/annual_summary.html")
    assert area.title_values["area"] == "thành phố Cẩm Giang"


def test_links_resolve_to_reports_of_the_plan(facts):
    plan = build_plan(facts, None, Selection(units=None), "vi")
    htmls = {job.html_path for job in plan}
    links = {job.key: job.parameters.get("report_links") for job in plan}
    for job in plan:
        for href in [*(links[job.key] or {}).get("children", {}).values(), (links[job.key] or {}).get("parent")]:
            if href:
                assert posixpath.normpath(posixpath.join(posixpath.dirname(job.html_path), href)) in htmls, (job.key, href)
    assert links["2024/areas/huyen-b/annual_summary"] == {"parent": "../../annual_summary.html",
                                                           "children": {"xa-1": "../../units/xa-1.html", "xa-2": "../../units/xa-2.html"}}
    assert links["2025/annual_summary"]["children"] == {"tinh-a": "areas/tinh-a/annual_summary.html", "tp-d": "areas/tp-d/annual_summary.html"}
    assert links["2025/areas/tp-d/annual_summary"]["parent"] == "../../annual_summary.html", "a root among several links up to the whole file"


def test_chosen_areas_and_units(facts):
    plan = build_plan(facts, [2024], Selection(areas=["huyen-b"], units=["xa-2"]), "vi")
    assert keys(plan) == ["2024/annual_summary", "2024/areas/huyen-b/annual_summary", "2024/units/xa-2", "trends"]
    assert build_plan(facts, [2024], Selection(units=[]), "vi")[-2].key == "2024/areas/huyen-c/annual_summary"
    with pytest.raises(RunError, match="khong-co"):
        build_plan(facts, None, Selection(areas=["khong-co"]), "vi")
    with pytest.raises(RunError, match="huyen-b"):
        build_plan(facts, None, Selection(units=["huyen-b"]), "vi")  # an area has a report, not a profile


class Stand:
    """A stand-in executor: a page and a summary.json with a members figure."""

    def __call__(self, jobs, data, notebooks, options):
        for job in jobs:
            summary = json.dumps({"indicators": {"members": {"value": 1234}, "fund_total_vnd": {"value": 5_600_000}}}).encode()
            files = {"summary.json": summary} if job.notebook == ANNUAL else {}
            yield JobResult(job.key, JobStatus.OK, 0.1, notebook=b"{}", html=b"<html><body>r</body></html>", files=files, worker="worker 1")


def test_the_index_is_a_tree_per_year_and_run_details_are_apart(tmp_path, province_csv):
    out = tmp_path / "out"
    run_batch(RunOptions(data=province_csv, out_dir=out, units=True), executor=Stand())
    index = (out / "index.html").read_text(encoding="utf-8")
    hrefs = re.findall(r'href="([^"]*)"', index)
    assert all((out / href).is_file() for href in hrefs)
    assert "2024/areas/huyen-b/annual_summary.html" in hrefs and "2024/units/xa-1.html" in hrefs and "runs.html" in hrefs
    section = index[index.index("Năm 2024"):index.index("Năm 2024") + 4000]
    assert section.index("huyện Bình Lạc") < section.index(">Xã Một<") < section.index("thành phố Cẩm Giang") < section.index(">Phường Ba<"), \
        "each area's profiles sit under it"
    assert "1.234 hội viên · quỹ 5.600.000 đồng" in index
    assert "Giây" not in index and "dùng lại" not in index, "run details are on runs.html"
    runs = (out / "runs.html").read_text(encoding="utf-8")
    assert "2024/areas/huyen-b/annual_summary.html" in runs and "Giây" in runs


def test_an_area_gone_from_the_data_loses_its_report(tmp_path, province_csv):
    out = tmp_path / "out"
    run_batch(RunOptions(data=province_csv, out_dir=out), executor=Stand())
    assert (out / "2024/areas/huyen-c/annual_summary.html").is_file()
    rows = [r for r in ROWS_2024 if "huyen-c" not in r and "phuong-3" not in r]
    province_csv.write_text("\n".join([HEADER, *rows, *ROWS_2025]) + "\n", encoding="utf-8")
    run_batch(RunOptions(data=province_csv, out_dir=out), executor=Stand())
    assert not (out / "2024/areas/huyen-c").exists()
    assert (out / "2024/areas/huyen-b/annual_summary.html").is_file()
