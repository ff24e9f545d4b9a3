"""Run one notebook in a fresh kernel and return everything it produced, in memory.

Executors (a local process pool, a Dask worker) call :func:`execute_job`; nothing
here writes into the output folder. Each worker process starts its next kernel
while the current notebook runs (each kernel still serves exactly one notebook).
"""

from __future__ import annotations

import os
import signal
import tempfile
import time
from pathlib import Path

from khuyenhoc.i18n import DEFAULT_LANG, text
from khuyenhoc.runner.kernels import KERNEL_NAME, START_TIMEOUT, KernelPool
from khuyenhoc.runner.records import Job, JobResult, JobStatus
from khuyenhoc.runner.scrub import PathScrubber, public_notebook

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
WORKERS = "workers"  # in the run's folder: one empty file per pool worker, named by its pid (the client stops them on an interrupt)


_worker: KernelPool | None = None  # a pool worker's kernels: worker_init makes it, the worker's exit closes it


def _on_signal(signum: int, _frame: object) -> None:
    if _worker is not None:
        _worker.kill_now()
    os._exit(128 + signum)


def worker_init(run_dir: str | None = None, kernel_template: str | None = None) -> None:
    """Process-pool initializer: this worker's kernels live in the run's own folder and fork from the run's template;
    they stop when the worker is told to stop, ends, or its fork server dies."""
    global _worker
    import logging
    from multiprocessing import util

    from khuyenhoc.runner.lifeline import die_with_parent

    logging.getLogger("papermill").setLevel(logging.ERROR)

    for signum in STOP_SIGNALS:
        signal.signal(signum, _on_signal)
    die_with_parent()
    if run_dir is not None:
        tempfile.tempdir = run_dir  # what the libraries a notebook calls write to the temp folder stays in the run's too
        os.environ["TMPDIR"] = run_dir
    _worker = KernelPool(run_dir, kernel_template)
    if run_dir is not None:
        (Path(run_dir) / WORKERS).mkdir(exist_ok=True)
        (Path(run_dir) / WORKERS / str(os.getpid())).touch()
    util.Finalize(_worker, _worker.close, exitpriority=10)  # a pool worker's exit runs no atexit handlers
    import nbconvert  # noqa: F401
    import papermill  # noqa: F401 - imported once per worker, not once per notebook


def _error_line(error: BaseException, lang: str, cell_timeout: float | None = None) -> str:
    """One line saying which cell raised what, in the run's language."""
    from papermill.exceptions import PapermillExecutionError

    if isinstance(error, PapermillExecutionError):
        return text("run.error.cell", lang, cell=error.exec_count or error.cell_index, ename=error.ename, evalue=error.evalue).strip()
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    name = type(error).__name__
    if isinstance(error, DeadKernelError):
        return text("run.error.kernel_died", lang)
    if isinstance(error, CellTimeoutError):
        return text("run.error.timeout", lang, seconds=f"{cell_timeout:g}" if cell_timeout else "?")
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return text("run.error.other", lang, name=name, detail=first_line)


def execute_job(job: Job, data_path: str, notebooks_dir: str, cell_timeout: float | None = None,
                prepare_next: bool = False, snapshot_path: str | None = None, pool: KernelPool | None = None) -> JobResult:
    """Execute ``job``'s notebook on ``data_path`` (read from ``snapshot_path``, its validated snapshot, when
    given) in a fresh kernel of ``pool`` (this worker's); never raises for notebook failures.

    A job whose kernel died with its template (every kernel forked from it dies) runs once more, on a fresh template.
    """
    if pool is None:
        if _worker is None:  # outside a pool worker (a test, a caller of its own): a pool for this job alone
            with KernelPool() as own:
                return execute_job(job, data_path, notebooks_dir, cell_timeout, False, snapshot_path, own)
        pool = _worker
    result, template_died = _execute_once(job, data_path, notebooks_dir, cell_timeout, prepare_next, snapshot_path, pool)
    if template_died:
        pool.replace_template()
        result, _ = _execute_once(job, data_path, notebooks_dir, cell_timeout, prepare_next, snapshot_path, pool)
    return result


def _execute_once(job: Job, data_path: str, notebooks_dir: str, cell_timeout: float | None, prepare_next: bool,
                  snapshot_path: str | None, pool: KernelPool) -> tuple[JobResult, bool]:
    """One attempt: the result, and whether its kernel died because its template did."""
    import nbformat

    from khuyenhoc.runner.export import to_html
    from khuyenhoc.runner.plan import ANNUAL

    started, cpu = time.perf_counter(), time.process_time()
    worker = str(os.getpid())
    lang = job.parameters.get("lang", DEFAULT_LANG)
    with pool.kernel(prepare_next) as kernel:
        # CPU seconds: starting kernels (this worker's share, and the kernel's own boot), running the cells (the
        # kernel, and papermill in this worker), exporting (this worker); the batch adds publishing (the client).
        booted = kernel.cpu_seconds()
        timings = {"kernel_start": time.process_time() - cpu + booted}
        scratch = kernel.folder
        hide = PathScrubber(scratch, data_path, notebooks_dir)
        try:
            parameters = dict(job.parameters, data_path=str(data_path))
            if snapshot_path is not None:
                parameters["snapshot_path"] = str(snapshot_path)
            if job.notebook == ANNUAL:
                parameters["output_dir"] = str(scratch / "files")
            cpu = time.process_time()
            executed, error = _execute(job, kernel, notebooks_dir, parameters, cell_timeout, lang)
            timings["cells"] = time.process_time() - cpu + max(0.0, kernel.cpu_seconds() - booted)
            if error is not None and kernel.lost_its_template():
                return JobResult(job.key, JobStatus.FAILED, time.perf_counter() - started, error=hide(error), worker=worker), True
            kernel.stop()  # its memory back before the export
            cpu = time.process_time()
            notebook = public_notebook(executed, dict(parameters, **hide.parameters(parameters)), hide, KERNEL_NAME) if executed is not None else None
            notebook_bytes = nbformat.writes(notebook).encode("utf-8") if notebook is not None else None
            if error is not None:
                return JobResult(job.key, JobStatus.FAILED, time.perf_counter() - started, notebook_bytes, error=hide(error), worker=worker), False
            html = to_html(notebook, text(job.title_key, lang, **job.title_values), lang).encode("utf-8")
            files_root = scratch / "files"
            files = {p.relative_to(files_root).as_posix(): p.read_bytes() for p in sorted(files_root.rglob("*")) if p.is_file()} if files_root.is_dir() else {}
            timings["export"] = time.process_time() - cpu
            return JobResult(job.key, JobStatus.OK, time.perf_counter() - started, notebook_bytes, html, files, worker=worker,
                             timings={name: round(value, 3) for name, value in timings.items()}), False
        except Exception as raised:  # noqa: BLE001 - export problems too
            return JobResult(job.key, JobStatus.FAILED, time.perf_counter() - started, error=hide(_error_line(raised, lang)), worker=worker), False


def _execute(job: Job, kernel, notebooks_dir: str, parameters: dict, cell_timeout: float | None, lang: str):
    """Run the notebook in ``kernel``: (the executed notebook or None, an error line or None).

    Papermill's returned notebook is used as it is; only a failed run's is read back from the file
    papermill writes when a cell raises (no save after each cell)."""
    import nbformat
    import papermill

    from khuyenhoc.runner.plan import NOTEBOOK_FILES

    executed = kernel.folder / "executed.ipynb"
    try:
        notebook = papermill.execute_notebook(
            str(Path(notebooks_dir) / NOTEBOOK_FILES[job.notebook]), str(executed), parameters=parameters,
            kernel_name=KERNEL_NAME, km=kernel.manager, progress_bar=False, log_output=False, cwd=str(kernel.folder),
            start_timeout=START_TIMEOUT, execution_timeout=cell_timeout, request_save_on_cell_execute=False,
        )
        return notebook, None
    except Exception as raised:  # noqa: BLE001 - every failure becomes a failed result
        return (nbformat.read(executed, as_version=4) if executed.is_file() else None), _error_line(raised, lang, cell_timeout)


def pool_task(job: Job, data_path: str, notebooks_dir: str, cell_timeout: float | None, prepare_next: bool,
              marker: str, snapshot_path: str | None = None) -> JobResult:
    """:func:`execute_job` in a pool worker, first noting (in ``marker``) that this job started here."""
    Path(marker).touch()
    return execute_job(job, data_path, notebooks_dir, cell_timeout, prepare_next, snapshot_path)
