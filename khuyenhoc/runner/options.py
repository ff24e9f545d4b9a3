"""What a run is asked to do and how its notebooks are executed: typed values every runner module shares (a leaf module)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from khuyenhoc.i18n import DEFAULT_LANG
from khuyenhoc.runner.plan import Job, Selection

if TYPE_CHECKING:
    from khuyenhoc.runner.execute import JobResult
    from khuyenhoc.runner.manifest import RunEntry

DEFAULT_CELL_TIMEOUT = 600.0
LOCAL = "local"  # --scheduler local: a Dask cluster of this machine's processes
SNAPSHOT_DIR = "snapshot"


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


# An executor takes the jobs to run, the run's copy of the data, the notebooks folder and the options,
# and yields their results as they finish. The validated snapshot is in snapshot_dir(data) when the run made one.
Executor = Callable[[list[Job], Path, Path, RunOptions], Iterator["JobResult"]]


class Progress(Protocol):
    """What the batch tells whoever shows its progress (the terminal's is runner.console.RichProgress)."""

    def validating(self, path: Path) -> None: ...  # before the data is read and checked

    def start(self, keys: list[str], parallel: int) -> None: ...  # the jobs to execute, in the order handed out

    def advance(self, entry: RunEntry) -> None: ...  # one job's manifest entry, as it lands

    def stop(self) -> None: ...


def snapshot_dir(data: Path) -> Path:
    """Where a run keeps the validated snapshot of its copy of the data (beside it, in the run's own folder)."""
    return data.parent / SNAPSHOT_DIR
