"""runner/execute.py: a failure becomes one line saying which cell raised what (the kernels themselves are in
test_kernels.py; a whole notebook run in test_safe_sharing.py and test_runner.py)."""

from __future__ import annotations

from pathlib import Path

from nbclient.exceptions import CellTimeoutError, DeadKernelError
from papermill.exceptions import PapermillExecutionError

from khuyenhoc.runner.execute import _error_line, pool_task


def test_a_cells_error_names_the_cell_and_the_exception():
    error = PapermillExecutionError(4, 7, "raise ValueError()", "ValueError", "hỏng năm 2012", ["Traceback"])
    assert _error_line(error, "vi") == "ô 7: ValueError: hỏng năm 2012"


def test_a_dead_kernel_a_timeout_and_anything_else_are_said_in_the_runs_language():
    assert _error_line(DeadKernelError("gone"), "vi") == "nhân Python (kernel) dừng đột ngột"
    assert _error_line(CellTimeoutError("slow"), "vi", cell_timeout=600.0) == "một ô chạy quá thời gian cho phép (600 giây)"
    assert _error_line(OSError("disk full\nmore"), "en") == "OSError: disk full"


def test_a_pool_task_notes_that_its_job_started_before_running_it(tmp_path, monkeypatch):
    import khuyenhoc.runner.execute as execute

    marker = tmp_path / "started" / "abc"
    marker.parent.mkdir()
    seen = []
    monkeypatch.setattr(execute, "execute_job", lambda *args: seen.append((marker.exists(), args)) or "result")
    assert pool_task("job", "d.csv", "nb", 5.0, True, str(marker), "snap") == "result"
    assert seen == [(True, ("job", "d.csv", "nb", 5.0, True, "snap"))]
    assert Path(marker).is_file()
