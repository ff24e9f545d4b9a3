"""Put a run's results into the output folder (whole files only, never outside it) (the index pages: :mod:`.site`)."""

from __future__ import annotations

import html
import json
import os
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from khuyenhoc import __version__
from khuyenhoc.errors import RunError
from khuyenhoc.fsutil import atomic_write_bytes
from khuyenhoc.i18n import text
from khuyenhoc.runner import edits
from khuyenhoc.runner.edits import Kept
from khuyenhoc.runner.plan import in_data
from khuyenhoc.runner.records import DataFacts, Job, JobResult, JobStatus

DATE_FORMATS = {"vi": "%d/%m/%Y", "en": "%Y-%m-%d"}
LEFTOVER = re.compile(r"\.(.+)\.[a-z0-9_]{8}\.tmp")  # fsutil.atomic_write_bytes's temporary files: .<name>.<random>.tmp


def inside(out_dir: Path, relative: str) -> Path:
    """``out_dir / relative``, refusing any path that would leave ``out_dir``."""
    root = out_dir.resolve()
    target = (root / relative).resolve()
    if target == root or root not in target.parents:
        raise RunError(f"refusing to write outside {root}: {relative!r}")
    return target


@dataclass(frozen=True)
class DataStamp:
    """Which data a report comes from, as its footer says it."""

    source: str  # the data file's base name
    checksum: str  # sha256:<hex> of the data (and its origin record)
    saved: date  # when the data file was last saved

    def line(self, lang: str) -> str:
        return text("run.data_footer", lang, source=self.source, checksum=self.checksum[:19],
                    date=self.saved.strftime(DATE_FORMATS[lang]), version=__version__)


class PublishError(Exception):
    """A job's file could not be written: the path (relative to the output folder) and why."""

    def __init__(self, path: str, reason: str | None) -> None:
        super().__init__(path, reason)
        self.path, self.reason = path, reason
        self.written: list[str] = []  # the files of the result written before this one

    def message(self, lang: str) -> str:
        if self.reason is None:
            return text("run.error.outside", lang, path=self.path)
        return text("run.cannot_write", lang, path=self.path, reason=self.reason)


def add_provenance(result: JobResult, extra: dict) -> None:
    """Merge what only the runner knows (notebook checksum, ...) into the result's summary.json."""
    if "summary.json" not in result.files:
        return
    document = json.loads(result.files["summary.json"])
    document.setdefault("provenance", {}).update(extra)
    result.files["summary.json"] = (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _write(out_dir: Path, relative: str, data: bytes) -> None:
    """One file, whole, inside ``out_dir``; a PublishError naming it otherwise."""
    try:
        target = inside(out_dir, relative)
    except RunError:
        raise PublishError(relative, None) from None
    try:
        atomic_write_bytes(target, data)
    except OSError as error:
        raise PublishError(relative, error.strerror or str(error)) from error


def with_footer(page: bytes, line: str) -> bytes:
    """The HTML page with a footer saying which data it comes from."""
    footer = f'<footer class="khuyenhoc-data">{html.escape(line)}</footer>\n'.encode()
    at = page.rfind(b"</body>")
    return page[:at] + footer + page[at:] if at >= 0 else page + footer


def planned_files(job: Job, result: JobResult, footer: str = "") -> dict[str, bytes]:
    """What publishing a result writes, by path relative to the output folder: a failure only its failed notebook."""
    if result.status != JobStatus.OK:
        return {job.failed_path: result.notebook} if result.notebook is not None else {}
    files = {f"{job.files_dir}/{relative}" if job.files_dir else relative: data for relative, data in sorted(result.files.items())}
    files[job.notebook_path] = result.notebook or b""
    files[job.html_path] = with_footer(result.html or b"", footer) if footer else result.html or b""
    return files


@dataclass
class Published:
    """What publishing one result did: the files written (in order) and the user's files it kept."""

    outputs: list[str]
    kept: list[Kept]


def publish(out_dir: Path, job: Job, files: dict[str, bytes], records: dict, when: datetime) -> Published:
    """Write a result's files (:func:`planned_files`), each whole. A file at one of their paths that is not the one
    ``records`` holds (the job's last recorded checksums) is the user's: moved aside first (:mod:`.edits`).
    A success removes the job's earlier failed notebook (unless the user changed it).

    Raises PublishError naming the file that could not be written.
    """
    kept: list[Kept] = []
    written: list[str] = []
    try:
        for relative, data in files.items():
            try:
                inside(out_dir, relative)
                moved = edits.make_room(out_dir, relative, records.get(relative), when)
            except RunError:
                raise PublishError(relative, None) from None
            except OSError as error:
                raise PublishError(relative, error.strerror or str(error)) from error
            kept += [moved] if moved else []
            _write(out_dir, relative, data)
            written.append(relative)
    except PublishError as error:
        error.written = written
        raise
    if job.html_path in files:
        kept += remove_outputs(out_dir, [job.failed_path], records)
    return Published(written, kept)


def sweep_names(paths: list[str]) -> dict[str, set[str]]:
    """Folder (relative, "" for the top) -> the names the runner writes there, from output paths."""
    names: dict[str, set[str]] = {}
    for relative in paths:
        folder, _, name = relative.rpartition("/")
        names.setdefault(folder, set()).add(name)
    return names


def remove_leftovers(out_dir: Path, names: dict[str, set[str]]) -> None:
    """Delete the temporary files a killed run left half-written: only in the folders the runner writes to and only
    names its writer gives them (``.<name>.<8 random>.tmp``, :func:`khuyenhoc.fsutil.atomic_write_bytes`) for a
    ``<name>`` it writes there."""
    for folder, written in names.items():
        try:
            base = inside(out_dir, folder) if folder else out_dir
            listing = list(os.scandir(base))
        except (RunError, OSError):
            continue
        for item in listing:
            found = LEFTOVER.fullmatch(item.name)
            if found and found.group(1) in written and item.is_file(follow_symlinks=False):
                Path(item.path).unlink(missing_ok=True)


def remove_outputs(out_dir: Path, paths: list[str], records: dict) -> list[Kept]:
    """Delete outputs the runner no longer makes, each when it is the recorded file; return the user's, kept."""
    kept = []
    for relative in paths:
        try:
            inside(out_dir, relative)
        except RunError:
            continue
        found = edits.remove(out_dir, relative, records.get(relative))
        kept += [found] if found else []
    return kept


@dataclass
class Stale:
    """What removing the reports the data no longer has did: their keys and titles, and the user's files kept."""

    removed: list[dict]  # {"key", "title"}
    kept: list[Kept]


def remove_stale(out_dir: Path, manifest: dict, facts: DataFacts) -> Stale:
    """Drop the entries of reports on years, units or areas the data no longer has (:func:`in_data`) and delete
    their files, except those the user changed (kept in place, see :mod:`.edits`)."""
    stale = Stale([], [])
    for key in [key for key, entry in manifest["runs"].items() if not in_data(entry, facts)]:
        entry = manifest["runs"].pop(key)
        paths = sorted({*entry.get("outputs", []), *(p for p in (entry.get("html"), entry.get("previous_html")) if p)})
        stale.kept += remove_outputs(out_dir, paths, entry.get("checksums") or {})
        stale.removed.append({"key": key, "title": entry.get("title") or key})
    return stale
