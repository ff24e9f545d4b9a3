"""The runner's records: typed values every runner module shares (a leaf of ``runner``: it imports no other runner
module but ``edits``' :class:`~khuyenhoc.runner.edits.Kept`).

What a run is asked (:class:`RunOptions`, :class:`Selection`), what it plans (:class:`Job`), what it knows about the
data (:class:`DataFacts`), what a job produced (:class:`JobResult`), what the manifest keeps of it
(:class:`RunEntry`), what each step answers (:class:`Decided`, :class:`Executed`, :class:`RunOutcome`) and what it
tells whoever shows its progress (:class:`Progress`).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, fields
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Protocol

from khuyenhoc.errors import RunError
from khuyenhoc.hierarchy import COMMUNE, Hierarchy
from khuyenhoc.i18n import DEFAULT_LANG
from khuyenhoc.runner.edits import Kept

DEFAULT_CELL_TIMEOUT = 600.0
LOCAL = "local"  # --scheduler local: a Dask cluster of this machine's processes
SNAPSHOT_DIR = "snapshot"


class JobStatus(StrEnum):
    """What became of a job (a str, so it reads and writes as plain text in manifest.json)."""

    OK = "ok"
    CACHED = "cached"
    FAILED = "failed"


@dataclass(frozen=True)
class Job:
    """One notebook run. Paths are relative to the output folder."""

    key: str  # e.g. "2013/annual_summary", "2013/areas/thi-hoi/annual_summary", "2013/units/duc-xuan", "trends"
    notebook: str  # plan.ANNUAL, plan.UNIT or plan.TRENDS
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

    def cache_key(self, data_digest: str, notebook_checksum: str, version: str) -> str:
        """A digest of every input: the data it reads (:func:`khuyenhoc.runner.cache_keys.data_digests`), notebook
        content, parameters, package version."""
        inputs = {"data": data_digest, "notebook": notebook_checksum, "parameters": self.parameters, "version": version}
        return "sha256:" + hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class DataFacts:
    """What planning needs to know about the data (kept in the manifest for no-op re-runs)."""

    checksum: str
    source: str
    years: list[int]
    units: dict[int, list[str]]  # year -> commune-level unit_ids (the ones that get profiles)
    unit_names: dict[str, str]
    illustrative: bool
    synthetic: bool = False
    parents: dict[int, dict[str, str | None]] = field(default_factory=dict)  # year -> unit_id -> whom it reports to
    rows: dict[int, dict[str, str]] = field(default_factory=dict)  # year -> unit_id -> a digest of its validated row
    scopes: dict[int, dict[str, str]] = field(default_factory=dict)  # year -> unit_id -> a digest of its (area's) indicators

    @cached_property
    def hierarchy(self) -> Hierarchy:
        """The tree of the data, by the reports' own rules (khuyenhoc.hierarchy); the levels it knows: its communes."""
        levels = {int(year): dict.fromkeys(units, COMMUNE) for year, units in self.units.items()}
        return Hierarchy({int(year): parents for year, parents in self.parents.items()}, levels)

    def children(self, year: int) -> dict[str, list[str]]:
        """area_id -> the units reporting to it in ``year``, in the data's order."""
        return self.hierarchy.children_map(year)

    def roots(self, year: int) -> list[str]:
        return self.hierarchy.roots(year)

    def areas(self, year: int) -> list[str]:
        """The units with children in ``year``, top-down."""
        return self.hierarchy.areas(year)

    def single_root(self, year: int) -> str | None:
        """The one root with children, when the year has exactly one root: the whole file is its report."""
        return self.hierarchy.single_root(year)

    def to_dict(self) -> dict:
        """As the manifest records it (``manifest["data"]``, without the version that validated it)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> DataFacts:
        """The facts a manifest recorded; KeyError, TypeError or ValueError when they are not whole."""
        return cls(data["checksum"], data["source"], [int(y) for y in data["years"]],
                   {int(y): list(u) for y, u in data["units"].items()}, dict(data["unit_names"]), bool(data["illustrative"]),
                   bool(data.get("synthetic", False)), {int(y): dict(p) for y, p in data["parents"].items()},
                   {int(y): dict(r) for y, r in data["rows"].items()}, {int(y): dict(v) for y, v in data["scopes"].items()})


@dataclass(frozen=True)
class Selection:
    """Which reports a run makes besides the whole file's and the trend: ``None`` = all, ``[]`` = none."""

    areas: list[str] | None = None
    units: list[str] | None = field(default_factory=list)


@dataclass
class RunOptions:
    """Everything ``khuyenhoc run`` takes."""

    data: Path
    out_dir: Path
    years: list[int] | None = None
    units: bool | list[str] = False  # True or [] = every commune's profile; a list = those units
    areas: list[str] | None = None  # None or [] = every area's report; a list = those areas
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)
    lang: str = DEFAULT_LANG
    force: bool = False
    cell_timeout: float | None = DEFAULT_CELL_TIMEOUT
    notebooks_dir: Path | None = None
    scheduler: str | None = None
    sheet: str | None = None
    targets: Path | None = None  # a targets file over the national targets (issue 12)
    lineage: Path | None = None  # a lineage table (issue 17); without it, the data workbook's sheet "Kế thừa" if any
    org: str | None = None  # the association issuing the Word reports; default: each area's name
    place: str | None = None  # where the Word reports are signed
    kernel_template: str | None = None  # set by the run, not the user: where its shared kernel template listens

    def report_parameters(self, targets_checksum: str | None) -> dict:
        """What every yearly report is also given: the Word report's issuer and place, and which targets
        file applies (by checksum: the file itself travels in the run's snapshot)."""
        given = {"org": self.org, "place": self.place, "targets_checksum": targets_checksum}
        return {name: value for name, value in given.items() if value}

    def selection(self) -> Selection:
        """Which area reports and unit profiles the run makes besides the whole file's."""
        units = self.units
        return Selection(areas=self.areas or None, units=None if units is True or units == [] else (list(units) if units else []))


def snapshot_dir(data: Path) -> Path:
    """Where a run keeps the validated snapshot of its copy of the data (beside it, in the run's own folder)."""
    return data.parent / SNAPSHOT_DIR


@dataclass
class JobResult:
    """What one run produced: executed notebook, HTML and saved files as bytes."""

    key: str
    status: JobStatus  # OK or FAILED
    seconds: float
    notebook: bytes | None = None
    html: bytes | None = None
    files: dict[str, bytes] = field(default_factory=dict)  # relative to the job's files_dir
    error: str | None = None
    worker: str = ""  # this process's id; each executor replaces it with the name the manifest shows
    timings: dict[str, float] = field(default_factory=dict)  # CPU seconds: kernel_start, cells, export (see execute_job)


@dataclass
class RunEntry:
    """One report's record in the manifest (``manifest["runs"][key]`` is its :meth:`to_dict`)."""

    key: str
    notebook: str
    parameters: dict
    status: JobStatus
    seconds: float
    cache_key: str = ""  # empty unless the run succeeded: only a success is reused
    inputs: dict = field(default_factory=dict)  # data (the file's checksum), notebook checksum, package version
    outputs: list[str] = field(default_factory=list)  # paths relative to the output folder
    checksums: dict = field(default_factory=dict)  # path -> sha256, size, mtime_ns
    html: str | None = None
    error: str | None = None
    worker: str = ""
    previous_html: str | None = None  # a failed run's earlier good report, still in place
    title: str = ""
    finished_at: str = ""
    figures: dict = field(default_factory=dict)  # key figures the index shows
    timings: dict = field(default_factory=dict)  # CPU seconds by stage

    def to_dict(self) -> dict:
        return asdict(self) | {"status": str(self.status)}

    @classmethod
    def from_dict(cls, entry: dict) -> RunEntry:
        """The entry of a manifest's JSON (one :func:`khuyenhoc.runner.manifest.readable` says can be read);
        unknown fields are left out."""
        known = {f.name for f in fields(cls)}
        return cls(**{name: value for name, value in entry.items() if name in known} | {"status": JobStatus(entry["status"])})


@dataclass
class RunOutcome:
    """What happened to each job of the plan."""

    entries: list[RunEntry]
    interrupted: bool = False
    warnings: list[str] = field(default_factory=list)  # said once, before the closing lines
    kept: list[Kept] = field(default_factory=list)  # the user's files this run did not replace or delete
    removed: list[dict] = field(default_factory=list)  # reports on data that is gone: {"key", "title"}
    checks: int | None = None  # figures to check, listed in runner.checks' file (None: no list)

    def count(self, status: JobStatus) -> int:
        return sum(1 for e in self.entries if e.status == status)

    @property
    def failed(self) -> list[RunEntry]:
        return [e for e in self.entries if e.status == JobStatus.FAILED]

    @property
    def exit_code(self) -> int:
        return 130 if self.interrupted else (1 if self.failed else 0)


@dataclass
class Decided:
    """The plan step's answer: the manifest as loaded, every job's cache key, the cached entries, what to execute."""

    manifest: object  # khuyenhoc.runner.manifest.Manifest
    keys: dict[str, str]
    cached: dict[str, RunEntry]
    todo: list[Job]
    refused: list[JobResult]  # jobs failed before they start (a notebook without its parameters cell)


@dataclass
class Executed:
    """The execute step's answer: the entries of the results that landed, and whether the run was cut short."""

    entries: dict[str, RunEntry]
    interrupted: bool = False
    write_error: RunError | None = None


class Progress(Protocol):
    """The progress events: what the batch tells whoever shows its progress (the terminal's is runner.console.RichProgress)."""

    def validating(self, path: Path, lineage: Path | None = None) -> None: ...  # before the data (and its lineage) is read and checked

    def start(self, keys: list[str], parallel: int) -> None: ...  # the jobs to execute, in the order handed out

    def advance(self, entry: RunEntry) -> None: ...  # one job's manifest entry, as it lands

    def stop(self) -> None: ...


class Executor(Protocol):
    """Runs jobs: takes the jobs, the run's copy of the data, the notebooks folder and the options, and yields their
    results as they finish. The validated snapshot is in :func:`snapshot_dir` (data) when the run made one.
    A plain function of these four arguments is one too (:mod:`khuyenhoc.runner.executors` holds the named ones)."""

    def __call__(self, jobs: list[Job], data: Path, notebooks: Path, options: RunOptions) -> Iterator[JobResult]: ...
