"""Run one notebook in a fresh kernel and return everything it produced, in memory.

Executors (a local process pool, a Dask worker) call :func:`execute_job`; nothing
here writes into the output folder. Each worker process starts its next kernel
while the current notebook runs (each kernel still serves exactly one notebook).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from khuyenhoc.i18n import DEFAULT_LANG, text
from khuyenhoc.runner.plan import Job

KERNEL_NAME = "python3"
WARM_IMPORTS = "import khuyenhoc.display, khuyenhoc.summary"
START_TIMEOUT = 120


@dataclass
class JobResult:
    """What one run produced: executed notebook, HTML and saved files as bytes."""

    key: str
    status: str  # "ok" or "failed"
    seconds: float
    notebook: bytes | None = None
    html: bytes | None = None
    files: dict[str, bytes] = field(default_factory=dict)  # relative to the job's files_dir
    error: str | None = None
    worker: str = ""


class _Kernels:
    """This process's kernels: the one running now and the one prepared for the next notebook."""

    def __init__(self) -> None:
        self.spare = None
        self.current = None

    @staticmethod
    def start():
        """A new kernel on private IPC sockets (no TCP ports to race for), importing the package as it boots."""
        # The async manager: with a blocking one, nbclient neither enforces cell timeouts nor notices a dead kernel.
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        sockets = Path(tempfile.mkdtemp(prefix="khuyenhoc-kernel-"))
        manager = AsyncKernelManager(kernel_name=KERNEL_NAME, transport="ipc", ip=str(sockets / "k"),
                                     connection_file=str(sockets / "connection.json"))
        manager.khuyenhoc_sockets = sockets
        try:
            run_sync(manager.start_kernel)(extra_arguments=[f"--IPKernelApp.exec_lines={WARM_IMPORTS}"],
                                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except BaseException:
            _stop(manager)
            raise
        return manager

    def take(self, prepare_next: bool):
        manager, self.spare = self.spare, None
        if manager is None or not _alive(manager):
            _stop(manager)
            manager = self.start()
        self.current = manager
        if prepare_next:
            self.spare = self.start()
        return manager

    def stop_all(self) -> None:
        for manager in (self.current, self.spare):
            _stop(manager)
        self.current = self.spare = None


def _alive(manager) -> bool:
    from jupyter_core.utils import run_sync

    return bool(run_sync(manager.is_alive)())


def _stop(manager) -> None:
    if manager is None:
        return
    from jupyter_core.utils import run_sync

    try:
        run_sync(manager.shutdown_kernel)(now=True)
    except Exception:  # noqa: BLE001 - a kernel that is already gone is fine
        pass
    shutil.rmtree(getattr(manager, "khuyenhoc_sockets", ""), ignore_errors=True)


KERNELS = _Kernels()
SCRATCH: set[Path] = set()  # this process's job folders, removed even when it is stopped by a signal


def _on_signal(signum: int, _frame: object) -> None:
    KERNELS.stop_all()
    for scratch in list(SCRATCH):
        shutil.rmtree(scratch, ignore_errors=True)
    os._exit(128 + signum)


def worker_init() -> None:
    """Process-pool initializer: stop this worker's kernels when it is told to stop."""
    import logging
    from multiprocessing import util

    logging.getLogger("papermill").setLevel(logging.ERROR)

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    util.Finalize(None, KERNELS.stop_all, exitpriority=10)
    import papermill  # noqa: F401 - imported once per worker, not once per notebook
    import nbconvert  # noqa: F401


def _error_line(error: BaseException, lang: str, cell_timeout: float | None = None) -> str:
    """One line saying which cell raised what, in the run's language."""
    from papermill.exceptions import PapermillExecutionError

    if isinstance(error, PapermillExecutionError):
        return text("run.error.cell", lang, cell=error.exec_count or error.cell_index, ename=error.ename, evalue=error.evalue).strip()
    name = type(error).__name__
    if name == "DeadKernelError":
        return text("run.error.kernel_died", lang)
    if name == "CellTimeoutError":
        return text("run.error.timeout", lang, seconds=f"{cell_timeout:g}" if cell_timeout else "?")
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return text("run.error.other", lang, name=name, detail=first_line)


def execute_job(job: Job, data_path: str, notebooks_dir: str, cell_timeout: float | None = None,
                prepare_next: bool = False) -> JobResult:
    """Execute ``job``'s notebook on ``data_path`` in a fresh kernel; never raises for notebook failures."""
    import nbformat
    import papermill

    from khuyenhoc.runner.export import to_html
    from khuyenhoc.runner.plan import ANNUAL, NOTEBOOK_FILES

    started = time.perf_counter()
    worker = f"{socket.gethostname()}:{os.getpid()}"
    lang = job.parameters.get("lang", DEFAULT_LANG)
    scratch = Path(tempfile.mkdtemp(prefix="khuyenhoc-job-"))
    SCRATCH.add(scratch)
    try:
        parameters = dict(job.parameters, data_path=str(data_path))
        if job.notebook == ANNUAL:
            parameters["output_dir"] = str(scratch / "files")
        executed = scratch / "executed.ipynb"
        error = None
        try:
            manager = KERNELS.take(prepare_next)
            papermill.execute_notebook(
                str(Path(notebooks_dir) / NOTEBOOK_FILES[job.notebook]), str(executed), parameters=parameters,
                kernel_name=KERNEL_NAME, km=manager, progress_bar=False, log_output=False, cwd=str(scratch),
                start_timeout=START_TIMEOUT, execution_timeout=cell_timeout,
            )
        except Exception as raised:  # noqa: BLE001 - every failure becomes a failed result
            error = _error_line(raised, lang, cell_timeout)
        finally:
            _stop(KERNELS.current)
            KERNELS.current = None
        notebook_bytes = executed.read_bytes() if executed.is_file() else None
        if error is not None:
            return JobResult(job.key, "failed", time.perf_counter() - started, notebook_bytes, error=error, worker=worker)
        notebook = nbformat.reads(notebook_bytes.decode("utf-8"), as_version=4)
        html = to_html(notebook, text(job.title_key, lang, **job.title_values), lang).encode("utf-8")
        files_root = scratch / "files"
        files = {p.relative_to(files_root).as_posix(): p.read_bytes() for p in sorted(files_root.rglob("*")) if p.is_file()} if files_root.is_dir() else {}
        return JobResult(job.key, "ok", time.perf_counter() - started, notebook_bytes, html, files, worker=worker)
    except Exception as raised:  # noqa: BLE001 - export problems too
        return JobResult(job.key, "failed", time.perf_counter() - started, error=_error_line(raised, lang), worker=worker)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        SCRATCH.discard(scratch)
