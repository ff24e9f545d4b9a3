"""What a batch run executes: one job per notebook and parameter set, with its output paths."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from enum import StrEnum

from khuyenhoc.errors import RunError

ANNUAL, UNIT, TRENDS = "annual_summary", "unit_profile", "trends"
NOTEBOOK_FILES = {ANNUAL: "annual_summary.ipynb", UNIT: "unit_profile.ipynb", TRENDS: "trends.ipynb"}
SAFE_NAME = re.compile(r"[a-z0-9_-]{1,64}")


class JobStatus(StrEnum):
    """What became of a job (a str, so it reads and writes as plain text in manifest.json)."""

    OK = "ok"
    CACHED = "cached"
    FAILED = "failed"


def safe_name(name: str) -> str:
    """``name`` if it may name a file (a unit_id, a year); else a RunError."""
    if not SAFE_NAME.fullmatch(name):
        raise RunError(f"unsafe name for a file: {name!r}")
    return name


@dataclass(frozen=True)
class Job:
    """One notebook run. Paths are relative to the output folder."""

    key: str  # e.g. "2013/annual_summary", "2013/units/duc-xuan", "trends"
    notebook: str  # ANNUAL, UNIT or TRENDS
    parameters: dict = field(hash=False)  # without data_path, which each executor supplies
    notebook_path: str  # the executed notebook
    html_path: str
    files_dir: str | None = None  # where the notebook's own saved files go (annual summaries)
    title_key: str = ""
    title_values: dict = field(default_factory=dict, hash=False)
    expects: tuple[str, ...] = ()  # files (relative to files_dir) the notebook must save, or the job failed

    @property
    def failed_path(self) -> str:
        """Where a failed run's executed notebook is kept (the good outputs stay untouched)."""
        return self.notebook_path.removesuffix(".ipynb") + ".failed.ipynb"

    def cache_key(self, data_checksum: str, notebook_checksum: str, version: str) -> str:
        """A digest of every input: data content, notebook content, parameters, package version."""
        inputs = {"data": data_checksum, "notebook": notebook_checksum, "parameters": self.parameters, "version": version}
        return "sha256:" + hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class DataFacts:
    """What planning needs to know about the data (kept in the manifest for no-op re-runs)."""

    checksum: str
    source: str
    years: list[int]
    units: dict[int, list[str]]  # year -> commune-level unit_ids (the district row has no profile of its own)
    unit_names: dict[str, str]
    illustrative: bool
    synthetic: bool = False


def build_plan(facts: DataFacts, years: list[int] | None, with_units: bool, lang: str, sheet: str | None = None) -> list[Job]:
    """The jobs of a run: annual summaries per year, unit profiles per (year, unit) if asked, and trends once.

    ``years`` limits the yearly reports only: the trend always spans every year of the data.
    ``sheet`` (an XLSX sheet) is passed to every notebook when given.
    """
    common = {"lang": lang, "sheet": sheet} if sheet else {"lang": lang}
    chosen = sorted(set(facts.years if not years else years))
    missing = [y for y in chosen if y not in facts.years]
    if missing or not chosen:
        from khuyenhoc.i18n import text

        raise RunError(text("run.no_years", lang, missing=", ".join(map(str, missing)) or "—", years=", ".join(map(str, facts.years))))
    jobs = []
    for year in chosen:
        folder = safe_name(str(year))
        jobs.append(Job(f"{folder}/{ANNUAL}", ANNUAL, {"year": year, **common}, f"{folder}/{ANNUAL}.ipynb",
                        f"{folder}/{ANNUAL}.html", folder, "title.annual", {"year": year}, ("summary.json",)))
        if with_units:
            for unit in facts.units[year]:
                name = safe_name(unit)
                jobs.append(Job(f"{folder}/units/{name}", UNIT, {"year": year, "unit_id": unit, **common},
                                f"{folder}/units/{name}.ipynb", f"{folder}/units/{name}.html", None,
                                "title.unit", {"unit": facts.unit_names.get(unit, unit), "year": year}))
    jobs.append(trends_job(facts, common))
    return jobs


def trends_job(facts: DataFacts, common: dict) -> Job:
    """The trend over every year of the data; a single year is titled with that year alone."""
    start, end = min(facts.years), max(facts.years)
    title_key, values = ("title.trends", {"start": start, "end": end}) if start != end else ("title.trends_one", {"year": start})
    return Job(TRENDS, TRENDS, {"start_year": start, "end_year": end, **common}, "trends.ipynb", "trends.html",
               None, title_key, values)


def in_data(entry: dict, facts: DataFacts) -> bool:
    """Whether a manifest entry's report is about a year (and unit) the data still has."""
    parameters = entry.get("parameters") or {}
    if entry.get("notebook") == ANNUAL:
        return parameters.get("year") in facts.years
    if entry.get("notebook") == UNIT:
        return parameters.get("unit_id") in facts.units.get(parameters.get("year"), [])
    return entry.get("notebook") == TRENDS
