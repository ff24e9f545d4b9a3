"""What a batch run shows in the terminal: a progress bar and a closing table."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from khuyenhoc.formatting import format_number
from khuyenhoc.i18n import text
from khuyenhoc.runner.batch import RunOutcome


class RichProgress:
    """Progress bar over the jobs that execute (cached ones are not counted)."""

    def __init__(self, console: Console, lang: str) -> None:
        self.console = console
        self.lang = lang
        self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                            console=console, transient=True)
        self.task = None

    def start(self, total: int) -> None:
        if total:
            self.bar.start()
            self.task = self.bar.add_task(text("run.progress", self.lang), total=total)

    def advance(self, entry: dict) -> None:  # noqa: ARG002 - the batch passes each finished entry
        if self.task is not None:
            self.bar.advance(self.task)

    def stop(self) -> None:
        self.bar.stop()


def closing_report(console: Console, outcome: RunOutcome, out_dir: str, seconds: float, lang: str) -> None:
    """The table of what ran, what was cached, what failed, and the time each took; then one line per failure."""
    for warning in outcome.warnings:
        console.print(warning, style="yellow", markup=False, highlight=False)
    table = Table(show_edge=False)
    table.add_column(text("run.col.run", lang))
    table.add_column(text("run.col.status", lang))
    table.add_column(text("run.col.seconds", lang), justify="right")
    styles = {"ok": "green", "cached": "dim", "failed": "bold red"}
    for entry in outcome.entries:
        status = entry["status"]
        table.add_row(entry["key"], f"[{styles[status]}]{text(f'run.status.{status}', lang)}[/]", format_number(entry["seconds"], 1, lang))
    console.print(table)
    console.print(text("run.summary", lang, ok=outcome.count("ok"), cached=outcome.count("cached"), failed=outcome.count("failed"),
                       seconds=format_number(seconds, 1, lang)))
    for entry in outcome.failed:
        console.print(text("run.failure", lang, run=entry["key"], error=entry["error"]), style="red", markup=False, highlight=False)
    if outcome.interrupted:
        console.print(text("run.interrupted", lang), style="yellow")
    console.print(text("run.open", lang, path=f"{out_dir}/index.html"), markup=False, highlight=False)
