"""Run the batch's notebooks as tasks on a Dask cluster (``khuyenhoc run --scheduler``).

Imported only when a scheduler is asked for; dask is the optional extra
``khuyenhoc[dask]``. The client ships the validated data and the notebooks to
the workers; a worker executes in its own scratch folder and returns every
output in memory, and the client publishes them exactly as a local run does.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from khuyenhoc import __version__
from khuyenhoc.errors import RunError, UsageError
from khuyenhoc.i18n import text
from khuyenhoc.paths import origin_path
from khuyenhoc.runner.execute import execute_job
from khuyenhoc.runner.executors import DASK, register
from khuyenhoc.runner.kernels import KernelPool
from khuyenhoc.runner.plan import NOTEBOOK_FILES
from khuyenhoc.runner.records import LOCAL, SNAPSHOT_DIR, Job, JobResult, JobStatus, RunOptions, snapshot_dir

ADDRESS = re.compile(r"(?:(?:tcp|tls)://)?(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9_.-]+):\d{1,5}/?")
QUIET_LOGGERS = ("distributed", "tornado")  # their warnings on an interrupted run are noise to a user
WORKER_LOGGING = "DASK_LOGGING__DISTRIBUTED"  # dask's setting for the level of the "distributed" loggers


def check_address(address: str, lang: str) -> str:
    """``address`` if it can name a scheduler (``local``, ``tcp://HOST:PORT``, ``HOST:PORT``); else a UsageError."""
    if address != LOCAL and not ADDRESS.fullmatch(address):
        raise UsageError(text("cli.scheduler", lang, address=address))
    return address


@dataclass(frozen=True)
class Bundle:
    """What a worker needs besides the package: the data file, its origin record, the notebooks and the
    validated snapshot's files (so no worker validates the data again)."""

    data_name: str
    data: bytes
    origin: bytes | None
    notebooks: dict[str, bytes]
    snapshot: dict[str, bytes] = field(default_factory=dict)

    @property
    def digest(self) -> str:
        parts = [self.data_name.encode(), self.data, self.origin or b"", *(self.notebooks[k] for k in sorted(self.notebooks)),
                 *(name.encode() + b"\0" + self.snapshot[name] for name in sorted(self.snapshot))]
        return hashlib.sha256(b"\0".join(parts)).hexdigest()[:16]


_MATERIALISED: dict[str, Path] = {}  # per worker process: bundle digest -> folder
_pool: KernelPool | None = None  # per worker process: its kernels (closed by remove_bundles when a run ends)


def _worker_root(run_dir: str | None) -> Path:
    """Where this worker keeps a run's files: the run's own folder when the cluster is the client's (``--scheduler
    local``), else a folder of this worker process that the next run sweeps if the worker was killed."""
    from khuyenhoc.runner.scratch import process_folder

    return Path(run_dir) if run_dir else process_folder()


def _kernels(root: Path, template: str | None) -> KernelPool:
    global _pool
    if _pool is None or _pool.root != root:
        if _pool is not None:
            _pool.close()
        _pool = KernelPool(root, template)
    return _pool


def _materialise(bundle: Bundle, root: Path) -> Path:
    """Write the bundle once per worker process into a private folder in ``root``."""
    folder = _MATERIALISED.get(bundle.digest)
    if folder is None or not folder.is_dir():
        for stale in _MATERIALISED.values():  # an earlier run's copy of the data: not needed any more
            shutil.rmtree(stale, ignore_errors=True)
        _MATERIALISED.clear()
        folder = Path(tempfile.mkdtemp(prefix=f"khuyenhoc-bundle-{bundle.digest}-", dir=root))
        (folder / "notebooks").mkdir()
        (folder / bundle.data_name).write_bytes(bundle.data)
        if bundle.origin is not None:
            origin_path(folder / bundle.data_name).write_bytes(bundle.origin)
        for name, content in bundle.notebooks.items():
            (folder / "notebooks" / name).write_bytes(content)
        if bundle.snapshot:
            (folder / SNAPSHOT_DIR).mkdir()
            for name, content in bundle.snapshot.items():
                (folder / SNAPSHOT_DIR / name).write_bytes(content)
        _MATERIALISED[bundle.digest] = folder
    return folder


def run_on_worker(job: Job, bundle: Bundle, cell_timeout: float | None, kernel_template: str | None = None,
                  run_dir: str | None = None) -> JobResult:
    """The task: execute one job on this worker and return its outputs (its kernel forked from the client's
    template and its files in the client's run folder when the cluster runs on the client's machine)."""
    from distributed import get_worker

    root = _worker_root(run_dir)
    pool = _kernels(root, kernel_template)
    folder = _materialise(bundle, root)
    snapshot = str(folder / SNAPSHOT_DIR) if bundle.snapshot else None
    # Like a pool worker, prepare the next kernel while this one runs (stopped by remove_bundles when the run ends).
    result = execute_job(job, str(folder / bundle.data_name), str(folder / "notebooks"), cell_timeout, prepare_next=True,
                         snapshot_path=snapshot, pool=pool)
    result.worker = str(get_worker().name)  # the name the cluster gives it, not this machine's address
    return result


def remove_bundles() -> int:
    """Run on each worker when a run ends: the association's data does not stay on machines it was sent to;
    the kernel prepared for a next notebook and the kernel template end too."""
    global _pool
    if _pool is not None:
        _pool.close()
        _pool = None
    count = len(_MATERIALISED)
    for folder in _MATERIALISED.values():
        shutil.rmtree(folder, ignore_errors=True)
    _MATERIALISED.clear()
    return count


def _worker_version() -> str:
    return __version__


def make_bundle(data: Path, notebooks: Path) -> Bundle:
    """Read the data, its origin record and the notebooks on the client."""
    record = origin_path(data)
    snapshot = snapshot_dir(data)
    return Bundle(data.name, data.read_bytes(), record.read_bytes() if record.is_file() else None,
                  {file: (notebooks / file).read_bytes() for file in NOTEBOOK_FILES.values()},
                  {path.name: path.read_bytes() for path in sorted(snapshot.iterdir()) if path.suffix in (".parquet", ".csv")} if snapshot.is_dir() else {})


@contextmanager
def local_worker_logging() -> Iterator[None]:
    """Processes of a local cluster started inside the block log nothing below CRITICAL from ``distributed``.

    They are the run's children and write to its terminal; while the run closes them (at the end, or on Ctrl-C) a
    worker can log a heartbeat that met a closing connection at ERROR level, noise to a user. What matters reaches
    the run anyway: a task's failure through its future, a lost worker as ``KilledWorker``. dask reads the level from
    ``DASK_LOGGING__DISTRIBUTED`` when a worker process imports it (the nannies pass their environment on to the
    workers they restart), so the variable is set only while the cluster starts, and a value the user set is kept.
    """
    previous = os.environ.get(WORKER_LOGGING)
    if previous is None:
        os.environ[WORKER_LOGGING] = "critical"
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(WORKER_LOGGING, None)


def connect(address: str, workers: int, folder: Path | None = None):
    """A client for ``address`` (tcp://host:port), or for a new LocalCluster of ``workers`` processes keeping their
    files in ``folder`` (the run's)."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as error:
        raise RunError("--scheduler needs dask: pip install \"khuyenhoc[dask]\"") from error
    if address == LOCAL:
        from khuyenhoc.runner.lifeline import interrupts_ignored

        import dask

        # Ctrl-C reaches the run, which closes the cluster: no worker prints a traceback. The scheduler's, the nannies'
        # and the workers' scratch space ("temporary-directory", dask's documented setting) goes in the run's folder.
        with interrupts_ignored(), local_worker_logging(), \
                dask.config.set({"temporary-directory": str(folder) if folder is not None else None}):
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None,
                                   local_directory=str(folder) if folder is not None else None)
        try:
            return Client(cluster), cluster
        except BaseException:
            cluster.close()
            raise
    try:
        return Client(address, timeout="30s"), None
    except (OSError, TimeoutError, ValueError) as error:  # ValueError: an address dask cannot parse
        raise RunError(f"{address}: {error}") from error


@dataclass
class DaskExecutor:
    """The ``dask`` executor (:mod:`khuyenhoc.runner.executors`): each job a task on the cluster at ``address``."""

    address: str

    @property
    def local_kernels(self) -> bool:
        """A local cluster's workers fork their kernels from the run's template; a remote one's start their own."""
        return self.address == LOCAL

    def prepare(self) -> None:
        """Nothing to start ahead: the cluster is connected to when the jobs are handed out."""

    def __call__(self, jobs: list[Job], data: Path, notebooks: Path, options: RunOptions) -> Iterator[JobResult]:
        from distributed import as_completed
        from distributed.client import FutureCancelledError
        from distributed.scheduler import KilledWorker

        address = self.address
        lang = options.lang
        for name in QUIET_LOGGERS:
            logging.getLogger(name).setLevel(logging.ERROR)
        local = address == LOCAL
        client, cluster = connect(address, options.jobs, data.parent if local else None)
        futures = []
        try:
            versions = set(client.run(_worker_version).values())
            if versions - {__version__}:
                raise RunError(text("run.worker_version", lang, mine=__version__, theirs=", ".join(sorted(versions))))
            bundle = client.scatter(make_bundle(data, notebooks), broadcast=True)
            batch = uuid.uuid4().hex[:8]
            template = options.kernel_template if local else None  # a remote worker cannot reach it
            run_dir = str(data.parent) if local else None
            futures = [client.submit(run_on_worker, job, bundle, options.cell_timeout, template, run_dir, key=f"khuyenhoc-{batch}-{job.key}",
                                     pure=False) for job in jobs]
            by_future = {future.key: job for future, job in zip(futures, jobs, strict=True)}
            for future in as_completed(futures):
                job = by_future[future.key]
                try:
                    result = future.result()
                except KilledWorker:
                    result = JobResult(job.key, JobStatus.FAILED, 0.0, error=text("run.error.worker_died", lang))
                except (FutureCancelledError, Exception) as error:  # noqa: BLE001 - one task's failure is that task's
                    result = JobResult(job.key, JobStatus.FAILED, 0.0, error=text("run.error.other", lang, name=type(error).__name__, detail=error))
                future.release()
                yield result
        except BaseException:
            if futures:
                client.cancel(futures)
            raise
        finally:
            try:
                client.run(remove_bundles)
            except Exception:  # noqa: BLE001, S110 - a worker that is gone took its folder with it
                pass
            client.close()
            if cluster is not None:
                cluster.close()


register(DASK, lambda options: DaskExecutor(options.scheduler or LOCAL))
