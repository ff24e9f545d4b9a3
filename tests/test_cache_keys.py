"""runner/cache_keys.py: a job's data digest moves with exactly the rows that job reads."""

from __future__ import annotations

from dataclasses import replace

from khuyenhoc.runner.cache_keys import data_digests
from khuyenhoc.runner.plan import build_plan
from khuyenhoc.runner.records import DataFacts, Selection

PARENTS = {"tinh": None, "h1": "tinh", "h2": "tinh", "a": "h1", "b": "h1", "c": "h2"}
ROWS = {year: {unit: f"{year}-{unit}" for unit in PARENTS} for year in (2012, 2013)}


def _facts(rows: dict | None = None, names: dict | None = None) -> DataFacts:
    return DataFacts("sha256:file", "d.csv", [2012, 2013], {y: ["a", "b", "c"] for y in (2012, 2013)},
                     names or {u: u.upper() for u in PARENTS}, False, False, {y: dict(PARENTS) for y in (2012, 2013)},
                     rows or ROWS, {y: {u: f"s{y}{u}" for u in PARENTS} for y in (2012, 2013)})


def _digests(facts: DataFacts) -> dict[str, str]:
    return data_digests(facts, build_plan(facts, None, Selection(None, None), "vi"))


def _edited(year: int, unit: str) -> DataFacts:
    rows = {y: dict(found) for y, found in ROWS.items()}
    rows[year][unit] = "edited"
    return _facts(rows)


def test_every_job_has_a_digest():
    digests = _digests(_facts())
    assert set(digests) == {"2012/annual_summary", "2013/annual_summary", "2012/areas/h1/annual_summary", "2012/areas/h2/annual_summary",
                            "2013/areas/h1/annual_summary", "2013/areas/h2/annual_summary", "trends",
                            *(f"{y}/units/{u}" for y in (2012, 2013) for u in "abc")}
    assert digests == _digests(_facts()), "the same data, the same digests"


def test_a_communes_row_changes_its_own_its_siblings_and_its_areas_reports_only():
    before, after = _digests(_facts()), _digests(_edited(2013, "a"))
    changed = {key for key in before if before[key] != after[key]}
    assert changed == {"2013/units/a", "2013/units/b", "2013/areas/h1/annual_summary"}, "the whole file's report reads the checksum"


def test_a_row_of_last_year_changes_this_years_area_comparison_and_later_profiles():
    before, after = _digests(_facts()), _digests(_edited(2012, "c"))
    changed = {key for key in before if before[key] != after[key]}
    assert changed == {"2012/units/c", "2013/units/c", "2012/areas/h2/annual_summary", "2013/areas/h2/annual_summary"}


def test_the_whole_file_and_the_trend_read_the_files_checksum():
    before, after = _digests(_facts()), _digests(replace(_facts(), checksum="sha256:other"))
    assert {key for key in before if before[key] != after[key]} == {"2012/annual_summary", "2013/annual_summary", "trends"}


def test_a_name_changes_the_reports_that_show_it():
    names = {u: u.upper() for u in PARENTS} | {"b": "Xã Bình"}
    before, after = _digests(_facts()), _digests(_facts(names=names))
    changed = {key for key in before if before[key] != after[key]}
    assert changed == {f"{y}/units/{u}" for y in (2012, 2013) for u in "ab"} | {f"{y}/areas/h1/annual_summary" for y in (2012, 2013)}
