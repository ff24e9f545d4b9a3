"""A whole batch: validate once, plan, skip what is cached, execute the rest, publish, index."""

from __future__ import annotations

import itertools
import json
import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from khuyenhoc import __version__
from khuyenhoc.errors import RunError
from khuyenhoc.fsutil import sha256_checksum
from khuyenhoc.i18n import text
from khuyenhoc.runner import manifest as manifests
from khuyenhoc.runner.cache_keys import data_digests
from khuyenhoc.runner.data import copy_data_file, facts_of, has_lineage_sheet, lineage_checksum, read_targets, validate
from khuyenhoc.runner.checks import checks_path, recorded_checks, write_checks
from khuyenhoc.runner.edits import Kept
from khuyenhoc.runner.executors import executor_for
from khuyenhoc.runner.lifeline import wind_down_deadline
from khuyenhoc.runner.template import shared_template
from khuyenhoc.runner.lock import RunLock
from khuyenhoc.runner.manifest import Journal, Manifest
from khuyenhoc.runner.plan import NOTEBOOK_FILES, TRENDS, build_plan
from khuyenhoc.runner.records import (
    DataFacts,
    Decided,
    Executed,
    Executor,
    Job,
    JobResult,
    JobStatus,
    Progress,
    RunEntry,
    RunOptions,
    RunOutcome,
    snapshot_dir,
)
from khuyenhoc.runner.figures import key_figures
from khuyenhoc.runner.site import write_index
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
)
from khuyenhoc.runner.scratch import run_folder


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


def _say_validating(progress: Progress | None, path: Path, lineage: Path | None) -> None:
    if progress is not None and hasattr(progress, "validating"):
        progress.validating(path, lineage)


def with_lineage_beside(options: RunOptions) -> RunOptions:
    """``options`` naming the lineage table beside the data (``NAME-ke-thua.csv``) when none is given and the data has
    no lineage sheet of its own: the run reads what ``load_table`` reads (its copy of the data has nothing beside it)."""
    from khuyenhoc.sheets import lineage_beside

    beside = None if options.lineage is not None else lineage_beside(Path(options.data))
    return options if beside is None else replace(options, lineage=beside)


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
    options = with_lineage_beside(options)
    with run_folder() as folder:
        data, checksum = copy_data_file(options.data, folder, options.lang, options.sheet)
        recorded = Manifest.load(out_dir, options.lang)
        warnings = [text("run.manifest_facts_dropped", options.lang)] if recorded.unsafe_facts() else []
        with_lineage = options.lineage is not None or has_lineage_sheet(data)  # changes then depend on it: validate every time
        known = None if with_lineage else recorded.facts(checksum, __version__)
        if known is None:
            _say_validating(progress, options.data, options.lineage)
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
            _say_validating(self.progress, self.options.data, self.options.lineage)
            self.table = validate(self.data, self.options.lang, self.options.data, self.options.sheet, self.options.lineage)
        write_snapshot(self.table, snapshot_dir(self.data), targets=self.targets)

    def run(self, executor: Executor | None, progress: Progress | None) -> RunOutcome:
        """plan → execute → finish."""
        decided = self.decide()
        options = self.options
        named = None  # a registered executor, when the caller gave none (made only when there is work: dask is imported then)
        with ExitStack() as stack:
            if decided.todo:
                named = executor_for(options) if executor is None else None
                # the pool's or a local cluster's workers fork kernels from it; a remote cluster's start their own
                local = named is not None and named.local_kernels
                address = stack.enter_context(shared_template(self.data.parent)) if local else None
                options = replace(options, kernel_template=address)
                if named is not None:
                    named.prepare()
                self.write_snapshot()  # while the template and the pool's server import what they need
            executed = self.execute(decided, executor or named, progress, options)
        return self.finish(decided, executed)

    def decide(self) -> Decided:
        """What this run does: the cached entries, the jobs to execute (the longest first) and those refused."""
        options, out_dir, lang = self.options, self.options.out_dir, self.options.lang
        manifest = Manifest.load(out_dir, lang)
        self.warnings += [text("run.manifest_dropped", lang, entry=key) for key in manifest.drop_unreadable()]
        remove_leftovers(out_dir, self._written_paths(manifest))  # temporary files of a run that was killed mid-write
        stale = remove_stale(out_dir, manifest.content, self.facts)
        self.kept += stale.kept
        self.removed += stale.removed
        manifest.record_facts(self.facts, __version__)
        digests = data_digests(self.facts, self.plan)
        keys = {job.key: job.cache_key(digests[job.key], self.notebook_sums[job.notebook], __version__) for job in self.plan}
        cached: dict[str, RunEntry] = {}
        todo: list[Job] = []
        for job in self.plan:
            if not options.force and manifest.is_cached(job.key, keys[job.key]):
                cached[job.key] = replace(RunEntry.from_dict(manifest.runs[job.key]), status=JobStatus.CACHED, seconds=0.0)
            else:
                todo.append(job)
        unusable = _without_parameters(self.notebooks, {job.notebook for job in todo})
        refused = [JobResult(job.key, JobStatus.FAILED, 0.0, error=text("run.error.no_parameters", lang, notebook=NOTEBOOK_FILES[job.notebook]))
                   for job in todo if job.notebook in unusable]
        todo = [job for job in todo if job.notebook not in unusable]
        todo.sort(key=lambda job: job.notebook != TRENDS)  # the longest single job first, so none runs alone at the end
        return Decided(manifest, keys, cached, todo, refused)

    def _written_paths(self, manifest: Manifest) -> dict[str, set[str]]:
        """Where the runner writes and what: the site pages, every recorded or noted output, the plan's paths."""
        paths = [manifests.MANIFEST, "index.html", "runs.html", "search.js", checks_path(self.options.out_dir, self.options.lang).name]
        for entry in manifest.runs.values():
            paths += [*entry.get("outputs", []), *(p for p in (entry.get("html"), entry.get("previous_html")) if p)]
        for files in manifest.writing.values():
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
        results = executor(todo, self.data, self.notebooks, options) if todo and executor is not None else iter(())
        journal = Journal(out_dir, lang)
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
        manifest.runs.update({key: entry.to_dict() for key, entry in entries.items()})
        for key in executed.entries:
            manifest.writing.pop(key, None)  # its files are recorded now
        self._record_notices(manifest)
        write_error = executed.write_error
        checks = None
        try:
            try:
                # the checking list is rewritten whenever the data was read; a run on unchanged data keeps the earlier one
                checks = write_checks(self.table, out_dir, lang) if self.table is not None else recorded_checks(out_dir, lang)
                self.kept += write_index(out_dir, manifest.content, self.facts, lang, self.stamp, self.when, checks)
            finally:
                manifest.compact()  # with the pages' stamps when they were written
        except OSError as error:
            write_error = write_error or RunError(_cannot_write(out_dir, error, lang))
        if write_error is not None:
            raise write_error
        return RunOutcome([entries[job.key] for job in self.plan if job.key in entries], executed.interrupted, self.warnings,
                          self.kept, self.removed, checks)

    def _record_notices(self, manifest: Manifest) -> None:
        """What runs.html lists: the user's files kept by any run (while they exist), the reports the last run removed."""
        out_dir, manifest = self.options.out_dir, manifest.content
        when = self.when.isoformat(timespec="seconds")
        earlier = manifest.get(manifests.KEPT) if isinstance(manifest.get(manifests.KEPT), list) else []
        kept = [item for item in earlier if isinstance(item, dict) and isinstance(item.get("aside") or item.get("path"), str)]
        kept += [item.to_dict() | {"when": when} for item in self.kept]
        manifest[manifests.KEPT] = [item for item in kept if _exists(out_dir, item.get("aside") or item["path"])]
        if self.removed:
            manifest[manifests.REMOVED] = {"when": when, "reports": self.removed}

    def settle(self, job: Job, result: JobResult, key: str, manifest: Manifest, journal: Journal) -> RunEntry:
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
        records = manifest.records_of(job.key)
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
        previous = manifest.runs.get(job.key) or {}
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
