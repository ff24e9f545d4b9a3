"""The local executor (``pool``): the jobs run in this machine's worker processes, ``--jobs`` at a time.

On Linux the workers fork from a server that imported the heavy modules once; each worker prepares its next
kernel ahead. A worker that dies is replaced (see :func:`local_pool`).
"""

from __future__ import annotations

import hashlib
import os
import signal
import sys
import threading
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path

from khuyenhoc.i18n import text
from khuyenhoc.runner.executors import POOL, register
from khuyenhoc.runner.records import Job, JobResult, JobStatus, RunOptions, snapshot_dir


def _pool_context():
    """Linux: workers fork from a server that imported the heavy modules once (and dies with the run)."""
    import multiprocessing

    if not sys.platform.startswith("linux"):
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["khuyenhoc.runner._forkserver", "khuyenhoc.runner.execute", "khuyenhoc.runner.kernels", "khuyenhoc.runner.provisioner",
                                    "khuyenhoc.runner.export",
                                    "papermill", "nbconvert"])
    return context


QUIET_TRACKER = "ignore::UserWarning:multiprocessing.resource_tracker"  # "leaked semaphore objects" after a kill -9
SOCKET_PATH_LIMIT = 107  # bytes of a Unix socket's path (Linux)


def start_pool_server() -> None:
    """Start the pool's fork server now (it returns at once; the server imports in the background).

    Its temporary folder (``pymp-*``, the server's socket) goes into a folder of ours the next run sweeps when
    this process was killed (:func:`khuyenhoc.runner.scratch.process_folder`). The server and Python's resource
    tracker start with Ctrl-C ignored (they end with the run; a Ctrl-C while the server imports must not print
    its traceback) and without the tracker's warning about the semaphores of a killed run, which it removes.
    """
    if not sys.platform.startswith("linux"):
        return
    import tempfile
    from multiprocessing import forkserver, util

    from khuyenhoc.runner.scratch import process_folder

    _pool_context()
    previous_tempdir, previous_handler = tempfile.tempdir, None
    try:
        folder = str(process_folder())
        if len(os.fsencode(folder)) + len("/pymp-12345678/listener-12345678") < SOCKET_PATH_LIMIT:  # else where Python puts it
            tempfile.tempdir = folder
        util.get_temp_dir()  # made now, inside that folder (unless this process made it before)
        if threading.current_thread() is threading.main_thread():
            previous_handler = signal.signal(signal.SIGINT, signal.SIG_IGN)  # inherited by what is started now
        sys.warnoptions.append(QUIET_TRACKER)  # passed to the processes started now as -W
        forkserver.ensure_running()
    finally:
        tempfile.tempdir = previous_tempdir
        if QUIET_TRACKER in sys.warnoptions:
            sys.warnoptions.remove(QUIET_TRACKER)
        if previous_handler is not None:
            signal.signal(signal.SIGINT, previous_handler)


def _pool_round(jobs: list[Job], data: Path, notebooks: Path, options: RunOptions, workers: int,
                names: dict[str, str]) -> Generator[JobResult, None, list[Job]]:
    """Run ``jobs`` on one process pool; yield their results; return the jobs lost when a worker process died."""
    import concurrent.futures
    import multiprocessing
    from concurrent.futures.process import BrokenProcessPool

    from khuyenhoc.runner.execute import pool_task, worker_init

    run_dir = data.parent
    snapshot = str(snapshot_dir(data)) if snapshot_dir(data).is_dir() else None
    others = set(multiprocessing.active_children())  # the processes this one started before the pool's workers
    pool = concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=_pool_context(), initializer=worker_init,
                                                  initargs=(str(run_dir), options.kernel_template))
    lost: list[Job] = []
    try:
        futures = {
            pool.submit(pool_task, job, str(data), str(notebooks), options.cell_timeout, index < len(jobs) - workers,
                        str(_marker(run_dir, job)), snapshot): job
            for index, job in enumerate(jobs)
        }
        for future in concurrent.futures.as_completed(futures):
            job = futures.pop(future)  # hand each result on and let it go: thousands of reports must not pile up here
            try:
                result = future.result()
            except BrokenProcessPool:
                lost.append(job)
                continue
            result.worker = names.setdefault(result.worker, f"worker {len(names) + 1}")
            yield result
    except BaseException:
        for process in set(multiprocessing.active_children()) - others:  # the pool's workers (no private attribute of the pool)
            process.terminate()  # workers stop their kernels on SIGTERM
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return lost


def _marker(run_dir: Path, job: Job) -> Path:
    """Where a worker notes that it started ``job`` (to tell which job was running when a worker died)."""
    return run_dir / "started" / hashlib.sha256(job.key.encode()).hexdigest()[:32]


def local_pool(jobs: list[Job], data: Path, notebooks: Path, options: RunOptions) -> Iterator[JobResult]:
    """Run jobs in worker processes, ``options.jobs`` at a time; each worker prepares its next kernel ahead.

    ``data`` lives in the run's own folder, where workers keep their scratch too. When a
    worker process dies, the pool is replaced: the jobs that had started are run again
    one at a time (a job that kills its worker again is failed), the others go on as before.
    """
    (data.parent / "started").mkdir(exist_ok=True)
    names: dict[str, str] = {}  # process id -> "worker N", as the manifest records it
    queue = list(jobs)
    while queue:
        lost = yield from _pool_round(queue, data, notebooks, options, max(1, min(options.jobs, len(queue))), names)
        started = [job for job in lost if _marker(data.parent, job).exists()] or lost
        queue = [job for job in lost if job not in started]
        for job in started:
            if (yield from _pool_round([job], data, notebooks, options, 1, names)):
                yield JobResult(job.key, JobStatus.FAILED, 0.0, error=text("run.error.worker_died", options.lang))


@dataclass
class LocalPool:
    """The ``pool`` executor (:mod:`khuyenhoc.runner.executors`)."""

    local_kernels: bool = True

    def prepare(self) -> None:
        start_pool_server()

    def __call__(self, jobs: list[Job], data: Path, notebooks: Path, options: RunOptions) -> Iterator[JobResult]:
        return local_pool(jobs, data, notebooks, options)


register(POOL, lambda _options: LocalPool())
