"""manifest.json: every run's parameters, status, timing, input checksums and outputs.

During a run each result is appended to ``manifest.jsonl`` (one JSON line, flushed and synced: a cost
per result that does not grow with the manifest); the run compacts the journal into manifest.json
(written whole, atomically) when it ends. A run that was killed leaves its journal: the next load
replays it, ignoring a torn last line, so every result is there whole or not at all.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from khuyenhoc.fsutil import atomic_write_text, sha256_checksum
from khuyenhoc.i18n import DEFAULT_LANG
from khuyenhoc.ids import is_unit_id
from khuyenhoc.runner import owned
from khuyenhoc.runner.edits import is_recorded
from khuyenhoc.runner.records import DataFacts, JobStatus

MANIFEST = "manifest.json"
JOURNAL = "manifest.jsonl"
FORMAT = 2
PAGES = "pages"  # index.html and runs.html as last written: {name: stamp}; None: an earlier version's folder
WRITING = "writing"  # key -> files a run was writing when it was killed (path -> sha256, size)
KEPT = "kept"  # the user's files runs kept (see runner.edits), while they exist
REMOVED = "removed"  # the reports the last run that removed any removed, and when


def file_checksum(path: Path) -> str:
    """sha256 of a file's bytes, as ``sha256:<hex>``."""
    return sha256_checksum(path.read_bytes())


def _lines(content: bytes) -> tuple[list[dict], int]:
    """The whole records of a journal's bytes (results, and notes of files about to be written), and how many
    of its lines are something else."""
    records, other = [], 0
    for line in content.split(b"\n"):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            record = None
        if isinstance(record, dict) and (isinstance(record.get("key"), str) or _is_note(record)):
            records.append(record)
        else:
            other += 1
    return records, other


def _is_note(record: dict) -> bool:
    return isinstance(record.get("writing"), str) and isinstance(record.get("files"), dict)


def is_journal(content: bytes) -> bool:
    """Whether bytes are a journal of ours: whole records, and records torn by a kill mid-write (the start of one:
    a later run appends after it on a new line)."""
    return all(_lines(line)[1] == 0 or line.startswith(b'{"') for line in content.split(b"\n") if line.strip())


def journal_entries(out_dir: Path, lang: str = DEFAULT_LANG) -> list[dict]:
    """The results a run appended to its journal, in order; a line that is not a whole JSON object (the last one,
    torn by a kill) is ignored. A journal path that is a link or not the runner's file is refused (RunError)."""
    content = owned.read_own(out_dir / JOURNAL, is_journal, lang)
    return _lines(content)[0] if content else []


class Journal:
    """The run's append-only record of results (``manifest.jsonl``): one line per result, synced before the next.

    It is opened as the lock is (:mod:`khuyenhoc.runner.owned`): never through a link, and only a file
    this run creates or a killed run's journal is appended to."""

    def __init__(self, out_dir: Path, lang: str = DEFAULT_LANG) -> None:
        self.path = out_dir / JOURNAL
        self.lang = lang
        self.handle: int | None = None

    def append(self, entry: dict) -> None:
        """Add one result, whole: a line is written, flushed and synced (raises OSError when it cannot be,
        RunError when the journal path is not ours)."""
        self._write(entry, sync=True)

    def _write(self, record: dict, sync: bool) -> None:
        if self.handle is None:
            self.handle = owned.open_for_append(self.path, is_journal, self.lang)
            if os.fstat(self.handle).st_size:  # a killed run's torn last line must not run into this one
                os.write(self.handle, b"\n")
        os.write(self.handle, json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n")
        if sync:
            os.fsync(self.handle)

    def note_writing(self, key: str, files: dict[str, dict]) -> None:
        """Say which files (path -> sha256 and size) a result is about to write, so that a run killed meanwhile
        leaves files the next run knows as its own. Not synced: it guards against a kill, not a power cut."""
        self._write({"writing": key, "files": files}, sync=False)

    def close(self) -> None:
        if self.handle is not None:
            os.close(self.handle)
            self.handle = None


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _optional_str(value: object) -> bool:
    return value is None or isinstance(value, str)


def readable(key: str, entry: object) -> bool:
    """Whether a run entry has every field, of the right type, that caching and the index read."""
    return (
        isinstance(entry, dict)
        and entry.get("key") == key
        and isinstance(entry.get("notebook"), str)
        and isinstance(entry.get("parameters"), dict)
        and entry.get("status") in set(JobStatus)
        and isinstance(entry.get("outputs"), list) and all(isinstance(path, str) for path in entry["outputs"])
        and _number(entry.get("seconds"))
        and all(_optional_str(entry.get(name)) for name in ("title", "error", "html", "previous_html", "cache_key"))
        and isinstance(entry.get("checksums", {}), dict)
    )


def stamps(out_dir: Path, outputs: list[str], known: dict[str, str] | None = None) -> dict[str, dict]:
    """Each output's checksum, size and modification time, as the manifest records them (``known``: path ->
    the checksum of the bytes just written, not read again)."""
    records = {}
    for relative in outputs:
        path = out_dir / relative
        status = path.stat()
        checksum = (known or {}).get(relative) or file_checksum(path)
        records[relative] = {"sha256": checksum, "size": status.st_size, "mtime_ns": status.st_mtime_ns}
    return records


class Manifest:
    """manifest.json of an output folder with its journal replayed: ``content`` is the JSON (``content["runs"]``: key ->
    a :class:`~khuyenhoc.runner.records.RunEntry`'s dict)."""

    def __init__(self, out_dir: Path, content: dict | None = None) -> None:
        self.out_dir = out_dir
        self.content = content if content is not None else {"format": FORMAT, "runs": {}, PAGES: {}, WRITING: {}}

    @classmethod
    def load(cls, out_dir: Path, lang: str = DEFAULT_LANG) -> Manifest:
        """The manifest of ``out_dir`` with the results of its journal, or an empty one (an unreadable manifest counts
        as empty). A journal path that is a link or not the runner's file is refused (RunError)."""
        try:
            content = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            content = None
        if not isinstance(content, dict) or content.get("format") != FORMAT or not isinstance(content.get("runs"), dict):
            content = {"format": FORMAT, "runs": {}, PAGES: {}}  # no pages recorded: one already there is not ours
        elif not isinstance(content.get(PAGES), dict):
            content[PAGES] = None  # an earlier version's manifest: its pages are taken as its own
        content[WRITING] = content[WRITING] if isinstance(content.get(WRITING), dict) else {}
        manifest = cls(out_dir, content)
        manifest.replay(journal_entries(out_dir, lang))
        return manifest

    def replay(self, records: list[dict]) -> None:
        """Fold a journal's records in, in order: results replace their entries, notes say what was being written."""
        writing = self.writing
        for record in records:
            if _is_note(record):
                writing[record["writing"]] = record["files"]
            else:
                self.runs[record["key"]] = record
                writing.pop(record["key"], None)  # its files are recorded now

    @property
    def runs(self) -> dict[str, dict]:
        return self.content["runs"]

    @property
    def writing(self) -> dict[str, dict]:
        """key -> the files a killed run was writing for it."""
        return self.content.setdefault(WRITING, {})

    def save(self) -> None:
        """Write the manifest whole or not at all."""
        atomic_write_text(self.out_dir / MANIFEST, json.dumps(self.content, ensure_ascii=False, indent=2, sort_keys=False) + "\n")

    def compact(self) -> None:
        """Write the whole manifest (which holds every journalled result) and remove the journal (closed first)."""
        self.save()
        (self.out_dir / JOURNAL).unlink(missing_ok=True)

    def records_of(self, key: str) -> dict[str, list]:
        """Path -> what the runner knows it wrote there for ``key``: the entry's recorded checksums, and the files
        a killed run was writing (a file of either is the runner's, not the user's)."""
        entry = self.runs.get(key)
        recorded = entry.get("checksums") if isinstance(entry, dict) and isinstance(entry.get("checksums"), dict) else {}
        noted = self.writing.get(key)
        records: dict[str, list] = {path: [record] for path, record in recorded.items()}
        for path, record in (noted if isinstance(noted, dict) else {}).items():
            records.setdefault(path, []).append(record)
        return records

    def drop_unreadable(self) -> list[str]:
        """Remove the run entries that cannot be read (hand-edited, truncated by another tool); return their keys."""
        dropped = [key for key, entry in self.runs.items() if not readable(key, entry)]
        for key in dropped:
            del self.runs[key]
        return dropped

    def unsafe_facts(self) -> bool:
        """Whether the recorded data facts hold an id that may not name a file (a hand-edited manifest): such facts
        are not used (the data is validated again), as an unreadable run entry is dropped."""
        data = self.content.get("data")
        if not isinstance(data, dict):
            return False
        try:
            ids = [unit for units in data.get("units", {}).values() for unit in units]
            ids += [unit for parents in data.get("parents", {}).values() for pair in parents.items() for unit in pair if unit is not None]
            return not all(is_unit_id(unit) for unit in ids)
        except (AttributeError, TypeError):
            return True

    def facts(self, checksum: str, version: str) -> DataFacts | None:
        """The data facts recorded for this exact data content and package version, if any (and safe)."""
        data = self.content.get("data")
        if not isinstance(data, dict) or data.get("checksum") != checksum or data.get("validated_with") != version:
            return None
        if self.unsafe_facts():
            return None
        try:
            return DataFacts.from_dict(data)
        except (KeyError, TypeError, ValueError, AttributeError):
            return None

    def record_facts(self, facts: DataFacts, version: str) -> None:
        """Remember the validated data's facts, for the next run."""
        self.content["data"] = facts.to_dict() | {"validated_with": version}

    def is_cached(self, key: str, cache_key: str) -> bool:
        """True when an earlier successful run of ``key`` had the same inputs (``cache_key``) and each of its outputs is
        still the file it wrote.

        A run killed between two of a job's files leaves a mix of old and new files: their
        checksums no longer match the entry, so the job runs again.
        """
        entry = self.runs.get(key)
        if not (isinstance(entry, dict) and entry.get("cache_key") == cache_key and entry.get("status") in (JobStatus.OK, JobStatus.CACHED)):
            return False
        recorded = entry.get("checksums") or {}
        return all(is_recorded(self.out_dir / path, recorded.get(path)) for path in entry.get("outputs", []))
