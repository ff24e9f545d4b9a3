"""runner/console.py: the closing lines name counts, failures and the user's kept files; the bar names what runs."""

from __future__ import annotations

import io

from rich.console import Console

from khuyenhoc.runner.console import RichProgress, closing_report, kept_lines
from khuyenhoc.runner.edits import Kept
from khuyenhoc.runner.records import JobStatus, RunEntry, RunOutcome


def _outcome(**extra) -> RunOutcome:
    entries = [RunEntry("2013/annual_summary", "annual_summary", {}, JobStatus.OK, 2.0),
               RunEntry("trends", "trends", {}, JobStatus.CACHED, 0.0),
               RunEntry("2012/annual_summary", "annual_summary", {}, JobStatus.FAILED, 1.0, error="ô 3: ValueError: hỏng")]
    return RunOutcome(entries, **extra)


def test_the_closing_lines_count_each_status_and_name_only_the_failures():
    stream = io.StringIO()
    closing_report(Console(file=stream, width=200), _outcome(warnings=["cảnh báo"]), "reports", 12.345, "vi")
    assert stream.getvalue().splitlines() == [
        "cảnh báo",
        "Đã chạy xong 3 sổ tay: 1 chạy mới, 1 dùng lại kết quả cũ, 1 lỗi; 12,3 giây.",
        "LỖI 2012/annual_summary: ô 3: ValueError: hỏng",
        "Kết quả: reports/index.html",
    ]


def test_kept_files_and_removed_reports_are_said_once_each():
    removed = [{"key": f"2013/units/x{n}", "title": ""} for n in range(12)]
    lines = kept_lines(_outcome(kept=[Kept("2013/a.docx", "2013/a.edited-20261204-181200.docx"), Kept("2012/b.html")], removed=removed), "en")
    assert lines[0] == ("Kept a file changed after khuyenhoc wrote it: 2013/a.docx → 2013/a.edited-20261204-181200.docx; "
                        "the new report is written to 2013/a.docx")
    assert lines[1] == "Left a file changed after khuyenhoc wrote it in place: 2012/b.html (this report is no longer made)"
    shown = ", ".join(f"2013/units/x{n}" for n in range(10))
    assert lines[2] == f"Removed 12 reports on years, units or areas no longer in the data: {shown} and 2 more (see runs.html)"


def test_the_bar_names_the_jobs_the_workers_hold():
    progress = RichProgress(Console(file=io.StringIO()), "vi")
    progress.start(["a", "b", "c", "d", "e"], parallel=4)
    assert progress._running() == "a, b, c +1"
    progress.advance(RunEntry("b", "trends", {}, JobStatus.OK, 1.0))
    assert progress._running() == "a, c, d +1" and progress.bar.tasks[0].completed == 1
    progress.stop()
