"""What a batch run shows in the terminal: the check of the data, a progress bar that names what is running
with its rate and time left, and closing lines with the counts per status and only the failures."""

from __future__ import annotations

import time
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from khuyenhoc.formatting import format_number
from khuyenhoc.i18n import text
from khuyenhoc.runner.records import JobStatus, RunEntry, RunOutcome
from khuyenhoc.runner.checks import checks_path

SHOWN_RUNNING = 3  # names of running notebooks on the bar (the rest as "+N")
SHOWN_REMOVED = 10  # removed reports named in the closing lines (all of them are on runs.html)


class RichProgress:
    """Progress over the jobs that execute (cached ones are not counted)."""

    def __init__(self, console: Console, lang: str) -> None:
        self.console = console
        self.lang = lang
        self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[rate]}"),
                            TimeElapsedColumn(), TextColumn("·"), TimeRemainingColumn(), TextColumn("{task.fields[running]}"),
                            console=console, transient=True)
        self.task = None
        self.waiting: list[str] = []
        self.parallel = 1
        self.started = 0.0

    def validating(self, path: object, lineage: object = None) -> None:
        """Said before the data (and its lineage table) is read and checked (it can take seconds)."""
        said = text("run.validating", self.lang, path=path) if lineage is None else text("run.validating_lineage", self.lang, path=path, lineage=lineage)
        self.console.print(said, markup=False, highlight=False)

    def start(self, keys: list[str], parallel: int = 1) -> None:
        """``keys`` in the order they are handed to the workers, ``parallel`` at a time."""
        self.waiting, self.parallel, self.started = list(keys), max(1, parallel), time.monotonic()
        if keys:
            self.bar.start()
            self.task = self.bar.add_task(text("run.progress", self.lang), total=len(keys), rate="", running=self._running())

    def _running(self) -> str:
        """The first jobs not finished yet: workers take jobs in order, so these are the ones running."""
        now = self.waiting[: self.parallel]
        more = f" +{len(now) - SHOWN_RUNNING}" if len(now) > SHOWN_RUNNING else ""
        return ", ".join(now[:SHOWN_RUNNING]) + more

    def advance(self, entry: RunEntry) -> None:
        if self.task is None:
            return
        if entry.key in self.waiting:
            self.waiting.remove(entry.key)
        done = self.bar.tasks[0].completed + 1
        minutes = max(time.monotonic() - self.started, 1e-9) / 60
        rate = text("run.rate", self.lang, rate=format_number(done / minutes, 1, self.lang))
        self.bar.update(self.task, advance=1, rate=rate, running=self._running())

    def stop(self) -> None:
        self.bar.stop()


def closing_report(console: Console, outcome: RunOutcome, out_dir: str, seconds: float, lang: str) -> None:
    """Warnings, then one line of counts per status, then one line per failure (the full list is in the index and
    the manifest: thousands of rows would scroll the failures away)."""
    for warning in outcome.warnings:
        console.print(warning, style="yellow", markup=False, highlight=False)
    console.print(text("run.summary", lang, total=len(outcome.entries), ok=outcome.count(JobStatus.OK), cached=outcome.count(JobStatus.CACHED),
                       failed=outcome.count(JobStatus.FAILED), seconds=format_number(seconds, 1, lang)), markup=False, highlight=False)
    for entry in outcome.failed:
        console.print(text("run.failure", lang, run=entry.key, error=entry.error), style="red", markup=False, highlight=False)
    for line in kept_lines(outcome, lang):
        console.print(line, style="yellow", markup=False, highlight=False)
    if outcome.checks:
        console.print(text("checks.found", lang, count=format_number(outcome.checks, 0, lang), path=checks_path(Path(out_dir), lang)),
                      style="yellow", markup=False, highlight=False)
    if outcome.interrupted:
        console.print(text("run.interrupted", lang), style="yellow")
    console.print(text("run.open", lang, path=f"{out_dir}/index.html"), markup=False, highlight=False)


def kept_lines(outcome: RunOutcome, lang: str) -> list[str]:
    """One line per user's file the run kept (runner.edits), and one naming the reports it removed."""
    lines = [text("run.kept_aside", lang, path=k.path, aside=k.aside) if k.aside else text("run.kept_in_place", lang, path=k.path)
             for k in outcome.kept]
    if outcome.removed:
        keys = [r["key"] for r in outcome.removed]
        shown = ", ".join(keys[:SHOWN_REMOVED])
        if len(keys) > SHOWN_REMOVED:
            shown = text("run.removed_more", lang, shown=shown, count=len(keys) - SHOWN_REMOVED)
        lines.append(text("run.removed", lang, count=len(keys), reports=shown))
    return lines
