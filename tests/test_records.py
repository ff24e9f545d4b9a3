"""runner/records.py: the runner's typed records read and write as the manifest's JSON and answer what the run asks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from khuyenhoc.runner.edits import Kept
from khuyenhoc.runner.records import (
    DataFacts,
    Job,
    JobResult,
    JobStatus,
    RunEntry,
    RunOptions,
    RunOutcome,
    Selection,
    snapshot_dir,
)

FACTS = DataFacts("sha256:abc", "so-lieu.csv", [2012, 2013], {2013: ["xa-a", "xa-b"]}, {"tinh": "Tỉnh", "xa-a": "Xã A"}, True, False,
                  {2013: {"tinh": None, "huyen": "tinh", "xa-a": "huyen", "xa-b": "huyen"}}, {2013: {"xa-a": "01"}}, {2013: {"huyen": "02"}})


def test_job_status_is_plain_text_in_json():
    assert json.dumps({"status": JobStatus.CACHED}) == '{"status": "cached"}'
    assert JobStatus("failed") is JobStatus.FAILED


def test_a_jobs_failed_notebook_sits_beside_its_notebook_and_its_key_covers_every_input():
    job = Job("2013/units/xa-a", "unit_profile", {"year": 2013, "unit_id": "xa-a"}, "2013/units/xa-a.ipynb", "2013/units/xa-a.html")
    assert job.failed_path == "2013/units/xa-a.failed.ipynb"
    key = job.cache_key("d1", "n1", "1.0")
    assert key.startswith("sha256:") and len(key) == len("sha256:") + 64
    assert key == job.cache_key("d1", "n1", "1.0")
    others = {job.cache_key("d2", "n1", "1.0"), job.cache_key("d1", "n2", "1.0"), job.cache_key("d1", "n1", "1.1"),
              Job(job.key, job.notebook, {"year": 2012, "unit_id": "xa-a"}, job.notebook_path, job.html_path).cache_key("d1", "n1", "1.0")}
    assert key not in others and len(others) == 4


def test_data_facts_travel_through_the_manifest_whole():
    stored = json.loads(json.dumps(FACTS.to_dict()))  # JSON keys are text: the years come back as int
    assert stored["units"] == {"2013": ["xa-a", "xa-b"]}
    assert DataFacts.from_dict(stored) == FACTS
    with pytest.raises(KeyError):
        DataFacts.from_dict({key: value for key, value in stored.items() if key != "scopes"})


def test_data_facts_answer_from_one_hierarchy():
    assert FACTS.roots(2013) == ["tinh"]
    assert FACTS.children(2013) == {"tinh": ["huyen"], "huyen": ["xa-a", "xa-b"]}
    assert FACTS.areas(2013) == ["tinh", "huyen"]
    assert FACTS.single_root(2013) == "tinh"
    assert FACTS.single_root(2012) is None


@pytest.mark.parametrize(("units", "areas", "expected"), [
    (False, None, Selection(None, [])),
    (True, None, Selection(None, None)),
    ([], ["huyen"], Selection(["huyen"], None)),
    (["xa-a"], [], Selection(None, ["xa-a"])),
])
def test_run_options_say_which_reports_besides_the_whole_files(units, areas, expected):
    assert RunOptions(Path("d.csv"), Path("out"), units=units, areas=areas).selection() == expected


def test_report_parameters_leave_out_what_was_not_given():
    options = RunOptions(Path("d.csv"), Path("out"), org="Hội Khuyến học tỉnh An Hòa")
    assert options.report_parameters(None) == {"org": "Hội Khuyến học tỉnh An Hòa"}
    assert options.report_parameters("abc") == {"org": "Hội Khuyến học tỉnh An Hòa", "targets_checksum": "abc"}


def test_the_snapshot_sits_in_the_runs_own_folder():
    assert snapshot_dir(Path("/run/abc/so-lieu.csv")) == Path("/run/abc/snapshot")


def test_a_run_entry_is_a_typed_record_not_a_dict():
    entry = RunEntry("trends", "trends", {"start_year": 2009}, JobStatus.OK, 1.5, outputs=["trends.html"])
    stored = entry.to_dict()
    assert stored["status"] == "ok" and type(stored["status"]) is str
    assert RunEntry.from_dict(stored | {"from_a_later_version": 1}) == entry
    with pytest.raises(TypeError):
        entry["status"]  # noqa: B018 - the dict-like shim is gone
    assert not hasattr(entry, "get")


def test_job_results_start_with_no_files():
    first, second = JobResult("a", JobStatus.OK, 1.0), JobResult("b", JobStatus.OK, 1.0)
    first.files["summary.json"] = b"{}"
    assert second.files == {} and first.worker == "" and first.timings == {}


def test_an_outcome_counts_and_exits_as_the_shell_expects():
    ok = RunEntry("a", "trends", {}, JobStatus.OK, 1.0)
    cached = RunEntry("b", "trends", {}, JobStatus.CACHED, 0.0)
    failed = RunEntry("c", "trends", {}, JobStatus.FAILED, 0.0, error="boom")
    outcome = RunOutcome([ok, cached, failed], kept=[Kept("2013/x.html")])
    assert (outcome.count(JobStatus.OK), outcome.count(JobStatus.CACHED), outcome.count(JobStatus.FAILED)) == (1, 1, 1)
    assert outcome.failed == [failed] and outcome.exit_code == 1
    assert RunOutcome([ok, cached]).exit_code == 0
    assert RunOutcome([ok, failed], interrupted=True).exit_code == 130
