"""A whole batch: validate once, plan, skip what is cached, execute the rest, publish, index."""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Collection, Generator, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from khuyenhoc import __version__
from khuyenhoc.errors import DataValidationError, InputFileError, RunError
from khuyenhoc.fsutil import sha256_checksum
from khuyenhoc.i18n import text
from khuyenhoc.runner import manifest as manifests
from khuyenhoc.runner.execute import JobResult
from khuyenhoc.runner.inputs import data_digests
from khuyenhoc.runner.kernels import shared_template
from khuyenhoc.runner.lifeline import wind_down_deadline
from khuyenhoc.runner.lock import RunLock
from khuyenhoc.runner.manifest import RunEntry
from khuyenhoc.runner.options import LOCAL, Executor, Progress, RunOptions, snapshot_dir
from khuyenhoc.runner.plan import NOTEBOOK_FILES, TRENDS, DataFacts, Job, JobStatus, build_plan
from khuyenhoc.runner.checks import checks_path, recorded_checks, write_checks
from khuyenhoc.runner.edits import Kept
from khuyenhoc.runner.figures import key_figures
from khuyenhoc.runner.publish import (
    DataStamp,
    PublishError,
    add_provenance,
    planned_files,
    publish,
    remove_leftovers,
    remove_outputs,
    remove_stale,
    sweep_names,
    write_index,
)
from khuyenhoc.runner.scratch import run_folder


@dataclass
class RunOutcome:
    """What happened to each job of the plan."""

    entries: list[RunEntry]
    interrupted: bool = False
    warnings: list[str] = field(default_factory=list)  # said once, before the closing lines
    kept: list[Kept] = field(default_factory=list)  # the user's files this run did not replace or delete
    removed: list[dict] = field(default_factory=list)  # reports on data that is gone: {"key", "title"}
    checks: int | None = None  # figures to check, listed in runner.checks' file (None: no list)

    def count(self, status: JobStatus) -> int:
        return sum(1 for e in self.entries if e.status == status)

    @property
    def failed(self) -> list[RunEntry]:
        return [e for e in self.entries if e.status == JobStatus.FAILED]

    @property
    def exit_code(self) -> int:
        return 130 if self.interrupted else (1 if self.failed else 0)


def snapshot(data: Path, folder: Path, lang: str, sheet: str | None = None) -> tuple[Path, str]:
    """Copy the data file and its origin record into ``folder``; return the copy and a checksum of both.

    Every notebook of the run reads this copy, so saving the file mid-run cannot mix
    two versions; the origin record (and the sheet read) are in the checksum because
    they change the reports.
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
    identity = content + (b"\0origin\0" + origin if origin else b"") + (b"\0sheet\0" + sheet.encode() if sheet else b"")
    return copy, sha256_checksum(identity)


def validate(path: Path, lang: str, shown_as: Path | None = None, sheet: str | None = None, lineage: Path | None = None):
    """Read and validate the run's copy of the data (-> YearlyTable), with its lineage table; errors name ``shown_as``,
    the file the user named."""
    from khuyenhoc.table import load_table

    try:
        return load_table(path, sheet=sheet, lang=lang, lineage=lineage)
    except DataValidationError as error:
        if shown_as is not None:
            error.problems["file"] = error.problems["file"].str.replace(str(path), str(shown_as), regex=False)  # the data and its sheets
        raise
    except InputFileError as error:
        raise InputFileError(shown_as or path, error.reason) from error


def facts_of(table, checksum: str) -> DataFacts:
    """What planning needs to know about a validated table."""
    communes = table.frame[table.frame["level"] == "commune"]
    units = {int(y): list(communes.loc[communes["year"] == y, "unit_id"]) for y in table.years}
    links = table.tree.links
    parents = {int(y): dict(zip(rows["unit_id"], rows["parent_id"], strict=True)) for y, rows in links.groupby("year", sort=True)}
    return DataFacts(checksum, Path(table.source).name, table.years, units, table.unit_names, table.illustrative, table.synthetic, parents,
                     *_digests(table))


def _digests(table) -> tuple[dict[int, dict[str, str]], dict[int, dict[str, str]]]:
    """year -> unit_id -> a digest of its validated row; and of its indicators (an area's over its subtree)."""
    import pandas as pd

    def by_year(years, units, hashes) -> dict[int, dict[str, str]]:
        found: dict[int, dict[str, str]] = {}
        for year, unit, value in zip(years, units, hashes, strict=True):
            found.setdefault(int(year), {})[unit] = format(int(value), "016x")
        return found

    frame = table.frame
    rows = by_year(frame["year"], frame["unit_id"], pd.util.hash_pandas_object(frame, index=False))
    frames = table.indicator_frames
    scopes = {}
    for values in (frames.units, frames.areas):  # an area's own indicators replace its row's
        for year, found in by_year(values.index.get_level_values(0), values.index.get_level_values(1),
                                   pd.util.hash_pandas_object(values, index=False)).items():
            scopes.setdefault(year, {}).update(found)
    return rows, scopes


def data_facts(path: Path, checksum: str, manifest: dict, lang: str, shown_as: Path | None = None,
               sheet: str | None = None) -> DataFacts:
    """The facts about the data: from the manifest when this exact content was validated before, else by validating."""
    known = manifests.facts_from(manifest, checksum, __version__)
    return known if known is not None else facts_of(validate(path, lang, shown_as, sheet), checksum)


def _pool_context():
    """Linux: workers fork from a server that imported the heavy modules once (and dies with the run)."""
    import multiprocessing

    if not sys.platform.startswith("linux"):
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["khuyenhoc.runner._forkserver", "khuyenhoc.runner.execute", "khuyenhoc.runner.kernels", "khuyenhoc.runner.export",
                                    "papermill", "nbconvert"])
    return context


QUIET_TRACKER = "ignore::UserWarning:multiprocessing.resource_tracker"  # "leaked semaphore objects" after a kill -9
SOCKET_PATH_LIMIT = 107  # bytes of a Unix socket's path (Linux)


def _start_pool_server() -> None:
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
    from concurrent.futures.process import BrokenProcessPool

    from khuyenhoc.runner.execute import pool_task, worker_init

    run_dir = data.parent
    snapshot = str(snapshot_dir(data)) if snapshot_dir(data).is_dir() else None
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
        for process in list(getattr(pool, "_processes", {}).values()):
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


HELD_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


@contextmanager
def _interrupts_deferred() -> Iterator[None]:
    """Hold SIGINT, SIGTERM and SIGHUP while a block runs, then honour them as KeyboardInterrupt."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = {signum: signal.getsignal(signum) for signum in HELD_SIGNALS}
    for signum in previous:
        signal.signal(signum, lambda number, _frame: (received.append(number), wind_down_deadline()))
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


def _notebook_checksums(notebooks: Path, plan: list[Job], lang: str) -> dict[str, str]:
    """The checksum of each notebook the plan uses; a missing one is named (an unused one may be missing)."""
    sums = {}
    for name in dict.fromkeys(job.notebook for job in plan):
        path = notebooks / NOTEBOOK_FILES[name]
        try:
            sums[name] = manifests.file_checksum(path)
        except FileNotFoundError:
            raise RunError(text("run.notebook_missing", lang, folder=notebooks, file=NOTEBOOK_FILES[name])) from None
        except OSError as error:
            raise RunError(f"{path}: {error.strerror or error}") from error
    return sums


def _without_parameters(notebooks: Path, names: set[str]) -> set[str]:
    """The notebooks among ``names`` with no cell tagged ``parameters``: they cannot receive a run's parameters."""
    missing = set()
    for name in names:
        try:
            cells = json.loads((notebooks / NOTEBOOK_FILES[name]).read_text(encoding="utf-8")).get("cells", [])
        except (OSError, ValueError, AttributeError):
            continue  # papermill reports an unreadable notebook itself, as that job's failure
        if not any("parameters" in (cell.get("metadata", {}).get("tags") or []) for cell in cells if isinstance(cell, dict)):
            missing.add(name)
    return missing


def _data_stamp(options: RunOptions, facts: DataFacts) -> DataStamp:
    """What the footers say about the data: the file's name, the start of its checksum, the date it was saved."""
    try:
        saved = datetime.fromtimestamp(options.data.stat().st_mtime).date()
    except OSError:
        saved = datetime.now().date()
    return DataStamp(facts.source, facts.checksum, saved)


def _say_validating(progress: Progress | None, path: Path) -> None:
    if progress is not None and hasattr(progress, "validating"):
        progress.validating(path)


def run_batch(options: RunOptions, executor: Executor | None = None, progress: Progress | None = None) -> RunOutcome:
    """Run the yearly notebooks; publish into ``options.out_dir``.

    Raises DataValidationError/InputFileError for bad data (before the output folder or its
    lock is made) and RunError when the folder is locked or cannot be written. Finished
    results are published as they arrive, each file whole, and the manifest is rewritten
    after each, so an interrupted run leaves a consistent folder.
    """
    from khuyenhoc.paths import NOTEBOOKS_DIR

    notebooks = Path(options.notebooks_dir or NOTEBOOKS_DIR)
    out_dir = options.out_dir
    with run_folder() as folder:
        data, checksum = snapshot(options.data, folder, options.lang, options.sheet)
        recorded = manifests.load(out_dir, options.lang)
        warnings = [text("run.manifest_facts_dropped", options.lang)] if manifests.unsafe_facts(recorded) else []
        with_lineage = options.lineage is not None or _lineage_sheet(data)  # changes then depend on it: validate every time
        known = None if with_lineage else manifests.facts_from(recorded, checksum, __version__)
        if known is None:
            _say_validating(progress, options.data)
        table = None if known is not None else validate(data, options.lang, options.data, options.sheet, options.lineage)
        facts = known or facts_of(table, checksum)
        targets, target_warnings = read_targets(options.targets, options.lang, facts.unit_names)
        plan = build_plan(facts, options.years, options.selection(), options.lang, options.sheet,
                          options.report_parameters(sha256_checksum(targets)[:23] if targets else None), lineage_checksum(table))
        notebook_sums = _notebook_checksums(notebooks, plan, options.lang)
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise RunError(_cannot_write(out_dir, error, options.lang)) from error
        with RunLock(out_dir, options.lang):
            context = _Run(options, data, facts, plan, notebooks, notebook_sums, _data_stamp(options, facts), table, progress, targets,
                           warnings + target_warnings)
            return context.run(executor, progress)


def _lineage_sheet(data: Path) -> bool:
    """Whether the data workbook carries its lineage (a sheet ``Kế thừa``)."""
    from khuyenhoc.sheets import lineage_sheet  # the workbook's index only: a no-op re-run still imports no pandas

    return lineage_sheet(data) is not None


def lineage_checksum(table) -> str | None:
    """The checksum of the table's lineage links as checked (every job's parameters carry it: changes depend on it)."""
    if table is None or table.lineage is None:
        return None
    return sha256_checksum(table.lineage.to_csv_bytes())[:23]


def read_targets(path: Path | None, lang: str, units: Collection[str] | None = None) -> tuple[bytes | None, list[str]]:
    """The targets file's bytes once it is checked against the data's ``units`` (a bad file is refused before anything
    runs; None without one), and its warnings as lines to say."""
    if path is None:
        return None, []
    from khuyenhoc.targets import load_targets

    checked = load_targets(path, lang, units)
    return Path(path).read_bytes(), [f"{path}: {text('col.row', lang)} {w['row']}: {w['message']}" for w in checked.warnings]


@dataclass
class _Run:
    """One run once the data is snapshotted and validated, the plan made and the folder locked."""

    options: RunOptions
    data: Path
    facts: DataFacts
    plan: list[Job]
    notebooks: Path
    notebook_sums: dict[str, str]
    stamp: DataStamp
    table: object | None = None  # the validated YearlyTable, when this run had to read it
    progress: Progress | None = None
    targets: bytes | None = None  # the targets file as checked (read once: its checksum is in the plan's parameters)
    warnings: list[str] = field(default_factory=list)
    kept: list[Kept] = field(default_factory=list)  # the user's files this run kept (runner.edits)
    removed: list[dict] = field(default_factory=list)
    when: datetime = field(default_factory=datetime.now)  # the run's start: the time in the names of files moved aside

    def write_snapshot(self) -> None:
        """Save the validated table for the notebooks (validating now if the facts came from the manifest)."""
        from khuyenhoc.snapshot import write_snapshot

        if self.table is None:
            _say_validating(self.progress, self.options.data)
            self.table = validate(self.data, self.options.lang, self.options.data, self.options.sheet, self.options.lineage)
        write_snapshot(self.table, snapshot_dir(self.data), targets=self.targets)

    def run(self, executor: Executor | None, progress: Progress | None) -> RunOutcome:
        """plan → execute → finish."""
        decided = self.decide()
        options = self.options
        with ExitStack() as stack:
            if decided.todo:
                # the pool's or a local cluster's workers fork kernels from it; a remote cluster's start their own
                local = executor is None and options.scheduler in (None, LOCAL)
                address = stack.enter_context(shared_template(self.data.parent)) if local else None
                options = replace(options, kernel_template=address)
                if executor is None and not options.scheduler:
                    _start_pool_server()
                self.write_snapshot()  # while the template and the pool's server import what they need
            executed = self.execute(decided, executor, progress, options)
        return self.finish(decided, executed)

    def decide(self) -> Decided:
        """What this run does: the cached entries, the jobs to execute (the longest first) and those refused."""
        options, out_dir, lang = self.options, self.options.out_dir, self.options.lang
        manifest = manifests.load(out_dir, lang)
        self.warnings += [text("run.manifest_dropped", lang, entry=key) for key in manifests.drop_unreadable(manifest)]
        remove_leftovers(out_dir, self._written_paths(manifest))  # temporary files of a run that was killed mid-write
        stale = remove_stale(out_dir, manifest, self.facts)
        self.kept += stale.kept
        self.removed += stale.removed
        manifests.record_facts(manifest, self.facts, __version__)
        digests = data_digests(self.facts, self.plan)
        keys = {job.key: job.cache_key(digests[job.key], self.notebook_sums[job.notebook], __version__) for job in self.plan}
        cached: dict[str, RunEntry] = {}
        todo: list[Job] = []
        for job in self.plan:
            previous = manifest["runs"].get(job.key)
            if not options.force and manifests.is_cached(previous, keys[job.key], out_dir):
                cached[job.key] = replace(RunEntry.from_dict(previous), status=JobStatus.CACHED, seconds=0.0)
            else:
                todo.append(job)
        unusable = _without_parameters(self.notebooks, {job.notebook for job in todo})
        refused = [JobResult(job.key, JobStatus.FAILED, 0.0, error=text("run.error.no_parameters", lang, notebook=NOTEBOOK_FILES[job.notebook]))
                   for job in todo if job.notebook in unusable]
        todo = [job for job in todo if job.notebook not in unusable]
        todo.sort(key=lambda job: job.notebook != TRENDS)  # the longest single job first, so none runs alone at the end
        return Decided(manifest, keys, cached, todo, refused)

    def _written_paths(self, manifest: dict) -> dict[str, set[str]]:
        """Where the runner writes and what: the site pages, every recorded or noted output, the plan's paths."""
        paths = [manifests.MANIFEST, "index.html", "runs.html", checks_path(self.options.out_dir, self.options.lang).name]
        for entry in manifest["runs"].values():
            paths += [*entry.get("outputs", []), *(p for p in (entry.get("html"), entry.get("previous_html")) if p)]
        for files in manifest.get(manifests.WRITING, {}).values():
            paths += list(files) if isinstance(files, dict) else []
        for job in self.plan:
            paths += [job.notebook_path, job.html_path, job.failed_path, *(f"{job.files_dir}/{name}" if job.files_dir else name for name in job.expects)]
        return sweep_names(paths)

    def execute(self, decided: Decided, executor: Executor | None, progress: Progress | None, options: RunOptions) -> Executed:
        """Execute the jobs; settle each result as it lands (published, then one journal line)."""
        out_dir, lang = options.out_dir, options.lang
        by_key = {job.key: job for job in self.plan}
        done = Executed({})
        todo = decided.todo
        results = (executor or _executor(options))(todo, self.data, self.notebooks, options) if todo else iter(())
        journal = manifests.Journal(out_dir, lang)
        try:
            if progress is not None:
                progress.start([result.key for result in decided.refused] + [job.key for job in todo], options.jobs)
            for result in itertools.chain(decided.refused, results):
                job = by_key[result.key]
                with _interrupts_deferred():  # a result and its journal line land together
                    entry = done.entries[job.key] = self.settle(job, result, decided.keys[job.key], decided.manifest, journal)
                    journal.append(entry.to_dict())
                if progress is not None:
                    progress.advance(entry)
        except KeyboardInterrupt:
            done.interrupted = True
        except OSError as error:  # the journal itself could not be written (disk full, folder made read-only)
            done.write_error = RunError(_cannot_write(out_dir / manifests.JOURNAL, error, lang))
        except RunError as error:  # the journal's path is not ours (a link put there meanwhile)
            done.write_error = error
        finally:
            if progress is not None:
                progress.stop()
            close = getattr(results, "close", None)
            if close is not None:
                close()  # stops the workers (and their kernels) now, not whenever the generator is collected
            journal.close()
        return done

    def finish(self, decided: Decided, executed: Executed) -> RunOutcome:
        """Fold the results into manifest.json (the journal goes), write the index; the outcome in the plan's order."""
        out_dir, lang = self.options.out_dir, self.options.lang
        entries = {**decided.cached, **executed.entries}
        manifest = decided.manifest
        manifest["runs"].update({key: entry.to_dict() for key, entry in entries.items()})
        for key in executed.entries:
            manifest[manifests.WRITING].pop(key, None)  # its files are recorded now
        self._record_notices(manifest)
        write_error = executed.write_error
        checks = None
        try:
            try:
                # the checking list is rewritten whenever the data was read; a run on unchanged data keeps the earlier one
                checks = write_checks(self.table, out_dir, lang) if self.table is not None else recorded_checks(out_dir, lang)
                self.kept += write_index(out_dir, manifest, self.facts, lang, self.stamp, self.when)
            finally:
                manifests.Journal(out_dir, lang).compact(manifest)  # with the pages' stamps when they were written
        except OSError as error:
            write_error = write_error or RunError(_cannot_write(out_dir, error, lang))
        if write_error is not None:
            raise write_error
        return RunOutcome([entries[job.key] for job in self.plan if job.key in entries], executed.interrupted, self.warnings,
                          self.kept, self.removed, checks)

    def _record_notices(self, manifest: dict) -> None:
        """What runs.html lists: the user's files kept by any run (while they exist), the reports the last run removed."""
        out_dir = self.options.out_dir
        when = self.when.isoformat(timespec="seconds")
        earlier = manifest.get(manifests.KEPT) if isinstance(manifest.get(manifests.KEPT), list) else []
        kept = [item for item in earlier if isinstance(item, dict) and isinstance(item.get("aside") or item.get("path"), str)]
        kept += [item.to_dict() | {"when": when} for item in self.kept]
        manifest[manifests.KEPT] = [item for item in kept if _exists(out_dir, item.get("aside") or item["path"])]
        if self.removed:
            manifest[manifests.REMOVED] = {"when": when, "reports": self.removed}

    def settle(self, job: Job, result: JobResult, key: str, manifest: dict, journal: manifests.Journal) -> RunEntry:
        """Publish one result and return its manifest entry (failed if its files are missing or could not be written).

        The files are noted in the journal before they are written; a file at their paths that the runner did not
        write is kept (runner.edits). A failure keeps the job's earlier good outputs recorded until a success
        replaces them; a success removes the earlier ones it no longer makes.
        """
        out_dir, lang = self.options.out_dir, self.options.lang
        cpu = time.process_time()
        notebook_checksum = self.notebook_sums[job.notebook]
        result = _checked(job, result, {"notebook": NOTEBOOK_FILES[job.notebook], "notebook_checksum": notebook_checksum}, lang)
        status, error = result.status, result.error
        records = manifests.records_of(manifest, job.key)
        files = planned_files(job, result, self.stamp.line(lang))
        sums = {path: sha256_checksum(data) for path, data in files.items()}
        written: list[str] = []
        try:
            if files:
                journal.note_writing(job.key, {path: {"sha256": sums[path], "size": len(data)} for path, data in files.items()})
            published = publish(out_dir, job, files, records, self.when)
            self.kept += published.kept
            written = published.outputs
        except PublishError as raised:
            written, status, error = raised.written, JobStatus.FAILED, raised.message(lang)
        checksums = manifests.stamps(out_dir, written, sums)
        ok = status == JobStatus.OK
        previous = manifest["runs"].get(job.key) or {}
        earlier = [path for path in previous.get("outputs", []) if path not in written]
        if ok:
            self.kept += remove_outputs(out_dir, [path for path in earlier if path != job.failed_path], records)
            earlier = []
        else:
            earlier = [path for path in earlier if _exists(out_dir, path)]
            checksums |= {path: record for path, record in (previous.get("checksums") or {}).items() if path in earlier}
        return RunEntry(
            key=job.key, notebook=job.notebook, parameters=job.parameters, status=status, seconds=round(result.seconds, 3),
            cache_key=key if ok else "", inputs={"data": self.facts.checksum, "notebook": notebook_checksum, "package_version": __version__},
            outputs=written + earlier, checksums=checksums, html=job.html_path if ok else None, error=error, worker=result.worker,
            previous_html=job.html_path if not ok and job.html_path in earlier else None,
            title=text(job.title_key, lang, **job.title_values), finished_at=datetime.now(UTC).isoformat(timespec="seconds"),
            figures=key_figures(result.files.get("summary.json")) if ok else {},
            timings=dict(result.timings, publish=round(time.process_time() - cpu, 3)) if ok else {},  # CPU seconds by stage
        )


def _exists(out_dir: Path, relative: str) -> bool:
    """Whether something (a link included) is at ``relative`` in the output folder."""
    return os.path.lexists(out_dir / relative)


@dataclass
class Decided:
    """The plan step's answer: the manifest as loaded, every job's cache key, the cached entries, what to execute."""

    manifest: dict
    keys: dict[str, str]
    cached: dict[str, RunEntry]
    todo: list[Job]
    refused: list[JobResult]  # jobs failed before they start (a notebook without its parameters cell)


@dataclass
class Executed:
    """The execute step's answer: the entries of the results that landed, and whether the run was cut short."""

    entries: dict[str, RunEntry]
    interrupted: bool = False
    write_error: RunError | None = None


def _checked(job: Job, result: JobResult, provenance: dict, lang: str) -> JobResult:
    """The result with the runner's provenance added, or failed when a file the job must save is missing or unreadable."""
    if result.status != JobStatus.OK:
        return result
    missing = [name for name in job.expects if name not in result.files]
    if missing:
        return replace(result, status=JobStatus.FAILED, error=text("run.error.missing_output", lang, file=missing[0]))
    try:
        add_provenance(result, provenance)
    except (ValueError, AttributeError) as error:  # a custom notebook left a truncated or odd summary.json
        detail = str(error).splitlines()[0] if str(error) else type(error).__name__
        return replace(result, status=JobStatus.FAILED, error=text("run.error.unreadable_output", lang, file="summary.json", detail=detail))
    return result
