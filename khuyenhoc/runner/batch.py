"""A whole batch: validate once, plan, skip what is cached, execute the rest, publish, index."""

from __future__ import annotations

import os
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from khuyenhoc import __version__
from khuyenhoc.errors import DataValidationError, InputFileError, RunError
from khuyenhoc.fsutil import sha256_checksum
from khuyenhoc.i18n import DEFAULT_LANG, text
from khuyenhoc.runner import manifest as manifests
from khuyenhoc.runner.execute import JobResult
from khuyenhoc.runner.lock import RunLock
from khuyenhoc.runner.plan import NOTEBOOK_FILES, TRENDS, DataFacts, Job, build_plan
from khuyenhoc.runner.publish import add_provenance, publish, write_index

DEFAULT_CELL_TIMEOUT = 600.0


@dataclass
class RunOptions:
    """Everything ``khuyenhoc run`` takes."""

    data: Path
    out_dir: Path
    years: list[int] | None = None
    units: bool = False
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)
    lang: str = DEFAULT_LANG
    force: bool = False
    cell_timeout: float | None = DEFAULT_CELL_TIMEOUT
    notebooks_dir: Path | None = None
    scheduler: str | None = None


@dataclass
class RunOutcome:
    """What happened to each job of the plan."""

    entries: list[dict]
    interrupted: bool = False

    def count(self, status: str) -> int:
        return sum(1 for e in self.entries if e["status"] == status)

    @property
    def failed(self) -> list[dict]:
        return [e for e in self.entries if e["status"] == "failed"]

    @property
    def exit_code(self) -> int:
        return 130 if self.interrupted else (1 if self.failed else 0)


# An executor takes the jobs to run and yields their results as they finish.
Executor = Callable[[list[Job], Path, Path, RunOptions], Iterator[JobResult]]


def snapshot(data: Path, folder: Path, lang: str) -> tuple[Path, str]:
    """Copy the data file and its origin record into ``folder``; return the copy and a checksum of both.

    Every notebook of the run reads this copy, so saving the file mid-run cannot mix
    two versions; the origin record is in the checksum because it changes the reports.
    """
    from khuyenhoc.paths import origin_path

    try:
        content = data.read_bytes()
    except OSError as error:
        reason = text("error.file_missing", lang) if isinstance(error, FileNotFoundError) else (error.strerror or str(error))
        raise InputFileError(data, reason) from error
    copy = folder / data.name
    copy.write_bytes(content)
    record = origin_path(data)
    origin = record.read_bytes() if record.is_file() else b""
    if origin:
        origin_path(copy).write_bytes(origin)
    return copy, sha256_checksum(content + b"\0origin\0" + origin if origin else content)


def data_facts(path: Path, checksum: str, manifest: dict, lang: str, shown_as: Path | None = None) -> DataFacts:
    """The facts about the data: from the manifest when this exact content was validated before, else by validating.

    ``shown_as`` is the file the user named (``path`` may be a snapshot of it): errors name that one.
    """
    known = manifests.facts_from(manifest, checksum, __version__)
    if known is not None:
        return known
    from khuyenhoc.table import load_table

    try:
        table = load_table(path, lang=lang)
    except DataValidationError as error:
        if shown_as is not None:
            error.problems["file"] = str(shown_as)
        raise
    except InputFileError as error:
        raise InputFileError(shown_as or path, error.reason) from error
    communes = table.frame[table.frame["level"] == "commune"]
    units = {int(y): list(communes.loc[communes["year"] == y, "unit_id"]) for y in table.years}
    names = dict(zip(table.frame["unit_id"], table.frame["unit_name"], strict=True))
    return DataFacts(checksum, path.name, table.years, units, names, table.illustrative, table.synthetic)


def local_pool(jobs: list[Job], data: Path, notebooks: Path, options: RunOptions) -> Iterator[JobResult]:
    """Run jobs in worker processes, ``options.jobs`` at a time; each worker prepares its next kernel ahead."""
    import concurrent.futures
    import multiprocessing

    from khuyenhoc.runner.execute import execute_job, worker_init

    workers = max(1, min(options.jobs, len(jobs)))
    if sys.platform.startswith("linux"):
        context = multiprocessing.get_context("forkserver")
        # Workers fork from a server that has imported these once, instead of importing them each.
        context.set_forkserver_preload(["khuyenhoc.runner.execute", "khuyenhoc.runner.export", "papermill", "nbconvert"])
    else:
        context = multiprocessing.get_context("spawn")
    pool = concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=worker_init)
    try:
        futures = {
            pool.submit(execute_job, job, str(data), str(notebooks), options.cell_timeout, index < len(jobs) - workers)
            for index, job in enumerate(jobs)
        }
        for future in concurrent.futures.as_completed(futures):
            futures.discard(future)  # hand each result on and let it go: thousands of reports must not pile up here
            yield future.result()
    except BaseException:
        for process in list(getattr(pool, "_processes", {}).values()):
            process.terminate()  # workers stop their kernels on SIGTERM
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    else:
        pool.shutdown(wait=True)


@contextmanager
def _interrupts_deferred() -> Iterator[None]:
    """Hold SIGINT and SIGTERM while a block runs, then honour them as KeyboardInterrupt."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    for signum in previous:
        signal.signal(signum, lambda number, _frame: received.append(number))
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if received:
        raise KeyboardInterrupt


def _executor(options: RunOptions) -> Executor:
    """The local process pool, or a Dask cluster when a scheduler is named (dask is imported only then)."""
    if not options.scheduler:
        return local_pool
    from khuyenhoc.runner.cluster import dask_executor

    return dask_executor(options.scheduler)


def _cannot_write(path: Path, error: OSError, lang: str) -> str:
    return text("run.cannot_write", lang, path=path, reason=error.strerror or error)


def run_batch(options: RunOptions, executor: Executor | None = None, progress=None) -> RunOutcome:
    """Run the yearly notebooks; publish into ``options.out_dir``.

    Raises DataValidationError/InputFileError for bad data and RunError when the
    folder is locked or cannot be written. Finished results are published as they
    arrive, each file whole, and the manifest is rewritten after each, so an
    interrupted run leaves a consistent folder.
    """
    from khuyenhoc.paths import NOTEBOOKS_DIR

    notebooks = Path(options.notebooks_dir or NOTEBOOKS_DIR)
    out_dir = options.out_dir
    with tempfile.TemporaryDirectory(prefix="khuyenhoc-data-") as folder:
        data, checksum = snapshot(options.data, Path(folder), options.lang)
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise RunError(_cannot_write(out_dir, error, options.lang)) from error
        with RunLock(out_dir, options.lang):
            return _run_locked(options, data, checksum, notebooks, executor, progress)


def _run_locked(options: RunOptions, data: Path, checksum: str, notebooks: Path, executor: Executor | None, progress) -> RunOutcome:
    """run_batch once the data is snapshotted and the folder locked."""
    out_dir = options.out_dir
    manifest = manifests.load(out_dir)
    facts = data_facts(data, checksum, manifest, options.lang, shown_as=options.data)
    plan = build_plan(facts, options.years, options.units, options.lang)
    manifests.record_facts(manifest, facts, __version__)
    try:
        notebook_sums = {name: manifests.file_checksum(notebooks / file) for name, file in NOTEBOOK_FILES.items()}
    except OSError as error:
        raise RunError(f"{notebooks}: {error.strerror or error}") from error
    entries: dict[str, dict] = {}
    todo: list[Job] = []
    keys = {job.key: job.cache_key(facts.checksum, notebook_sums[job.notebook], __version__) for job in plan}
    for job in plan:
        previous = manifest["runs"].get(job.key)
        if not options.force and manifests.is_cached(previous, keys[job.key], out_dir):
            entries[job.key] = dict(previous, status="cached", seconds=0.0)
        else:
            todo.append(job)
    todo.sort(key=lambda job: job.notebook != TRENDS)  # the longest single job first, so none runs alone at the end
    by_key = {job.key: job for job in todo}
    interrupted = False
    write_error: RunError | None = None
    results = (executor or _executor(options))(todo, data, notebooks, options) if todo else iter(())
    try:
        if progress is not None:
            progress.start(len(todo))
        for result in results:
            job = by_key[result.key]
            with _interrupts_deferred():  # a result and its manifest entry land together
                entries[job.key] = _settle(out_dir, job, result, keys[job.key], facts.checksum, notebook_sums[job.notebook], options.lang)
                manifest["runs"][job.key] = entries[job.key]
                manifests.save(out_dir, manifest)
            if progress is not None:
                progress.advance(entries[job.key])
    except KeyboardInterrupt:
        interrupted = True
    except OSError as error:  # the manifest itself could not be written (disk full, folder made read-only)
        write_error = RunError(_cannot_write(out_dir / manifests.MANIFEST, error, options.lang))
    finally:
        if progress is not None:
            progress.stop()
        close = getattr(results, "close", None)
        if close is not None:
            close()  # stops the workers (and their kernels) now, not whenever the generator is collected
    manifest["runs"].update(entries)
    try:
        manifests.save(out_dir, manifest)
        write_index(out_dir, manifest, facts, options.lang)
    except OSError as error:
        write_error = write_error or RunError(_cannot_write(out_dir, error, options.lang))
    if write_error is not None:
        raise write_error
    return RunOutcome([entries[job.key] for job in plan if job.key in entries], interrupted)


def _settle(out_dir: Path, job: Job, result: JobResult, key: str, data_checksum: str, notebook_checksum: str, lang: str) -> dict:
    """Publish one result and return its manifest entry (failed if its files could not be written)."""
    add_provenance(result, {"notebook": NOTEBOOK_FILES[job.notebook], "notebook_checksum": notebook_checksum})
    status, error = result.status, result.error
    try:
        outputs = publish(out_dir, job, result)
    except OSError as raised:
        outputs, status, error = [], "failed", _cannot_write(out_dir / job.notebook_path, raised, lang)
    return {
        "key": job.key, "notebook": job.notebook, "parameters": job.parameters, "status": status,
        "seconds": round(result.seconds, 3), "cache_key": key if status == "ok" else "",
        "inputs": {"data": data_checksum, "notebook": notebook_checksum, "package_version": __version__},
        "outputs": outputs, "html": job.html_path if status == "ok" else None, "error": error, "worker": result.worker,
        "previous_html": job.html_path if status != "ok" and (out_dir / job.html_path).is_file() else None,
        "title": text(job.title_key, lang, **job.title_values), "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
