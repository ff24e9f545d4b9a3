"""manifest.json: every run's parameters, status, timing, input checksums and outputs.

During a run each result is appended to ``manifest.jsonl`` (one JSON line, flushed and synced: a cost
per result that does not grow with the manifest); the run compacts the journal into manifest.json
(written whole, atomically) when it ends. A run that was killed leaves its journal: the next load
replays it, ignoring a torn last line, so every result is there whole or not at all.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from khuyenhoc.fsutil import atomic_write_text, sha256_checksum
from khuyenhoc.runner.plan import DataFacts, JobStatus

MANIFEST = "manifest.json"
JOURNAL = "manifest.jsonl"
FORMAT = 2


@dataclass
class RunEntry:
    """One report's record in the manifest (``manifest["runs"][key]`` is its :meth:`to_dict`)."""

    key: str
    notebook: str
    parameters: dict
    status: JobStatus
    seconds: float
    cache_key: str = ""  # empty unless the run succeeded: only a success is reused
    inputs: dict = field(default_factory=dict)  # data (the file's checksum), notebook checksum, package version
    outputs: list[str] = field(default_factory=list)  # paths relative to the output folder
    checksums: dict = field(default_factory=dict)  # path -> sha256, size, mtime_ns
    html: str | None = None
    error: str | None = None
    worker: str = ""
    previous_html: str | None = None  # a failed run's earlier good report, still in place
    title: str = ""
    finished_at: str = ""
    figures: dict = field(default_factory=dict)  # key figures the index shows
    timings: dict = field(default_factory=dict)  # CPU seconds by stage

    def __getitem__(self, name: str) -> object:
        """Read like the manifest's JSON (``entry["status"]``)."""
        return getattr(self, name)

    def get(self, name: str, default: object = None) -> object:
        return getattr(self, name, default)

    def to_dict(self) -> dict:
        return asdict(self) | {"status": str(self.status)}

    @classmethod
    def from_dict(cls, entry: dict) -> RunEntry:
        """The entry of a manifest's JSON (one :func:`readable` says can be read); unknown fields are left out."""
        known = {f.name for f in fields(cls)}
        return cls(**{name: value for name, value in entry.items() if name in known} | {"status": JobStatus(entry["status"])})


def file_checksum(path: Path) -> str:
    """sha256 of a file's bytes, as ``sha256:<hex>``."""
    return sha256_checksum(path.read_bytes())


def load(out_dir: Path) -> dict:
    """The manifest of ``out_dir`` with the results of its journal, or an empty one (an unreadable manifest counts as empty)."""
    try:
        manifest = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or not isinstance(manifest.get("runs"), dict):
        manifest = {"format": FORMAT, "runs": {}}
    for entry in journal_entries(out_dir):
        manifest["runs"][entry["key"]] = entry
    return manifest


def journal_entries(out_dir: Path) -> list[dict]:
    """The results a run appended to its journal, in order; a line that is not a whole JSON object (the last one,
    torn by a kill) is ignored."""
    try:
        content = (out_dir / JOURNAL).read_bytes()
    except OSError:
        return []
    entries = []
    for line in content.split(b"\n"):
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and isinstance(entry.get("key"), str):
            entries.append(entry)
    return entries


class Journal:
    """The run's append-only record of results (``manifest.jsonl``): one line per result, synced before the next."""

    def __init__(self, out_dir: Path) -> None:
        self.path = out_dir / JOURNAL
        self.handle = None

    def append(self, entry: dict) -> None:
        """Add one result, whole: a line is written, flushed and synced (raises OSError when it cannot be)."""
        if self.handle is None:
            self.handle = open(self.path, "ab")  # noqa: SIM115 - kept open for the run, closed by compact()
            if self.handle.tell():  # a killed run's torn last line must not run into this one
                self.handle.write(b"\n")
        self.handle.write(json.dumps(entry, ensure_ascii=False).encode("utf-8") + b"\n")
        self.handle.flush()
        os.fsync(self.handle.fileno())

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None

    def compact(self, manifest: dict) -> None:
        """Write the whole manifest (which holds every journalled result) and remove the journal."""
        self.close()
        save(self.path.parent, manifest)
        self.path.unlink(missing_ok=True)


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


def drop_unreadable(manifest: dict) -> list[str]:
    """Remove the run entries that cannot be read (hand-edited, truncated by another tool); return their keys."""
    dropped = [key for key, entry in manifest["runs"].items() if not readable(key, entry)]
    for key in dropped:
        del manifest["runs"][key]
    return dropped


def save(out_dir: Path, manifest: dict) -> None:
    """Write the manifest whole or not at all."""
    atomic_write_text(out_dir / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=False) + "\n")


def facts_from(manifest: dict, checksum: str, version: str) -> DataFacts | None:
    """The data facts recorded for this exact data content and package version, if any."""
    data = manifest.get("data")
    if not isinstance(data, dict) or data.get("checksum") != checksum or data.get("validated_with") != version:
        return None
    try:
        return DataFacts(data["checksum"], data["source"], [int(y) for y in data["years"]],
                         {int(y): list(u) for y, u in data["units"].items()}, dict(data["unit_names"]), bool(data["illustrative"]),
                         bool(data.get("synthetic", False)), {int(y): dict(p) for y, p in data["parents"].items()},
                         {int(y): dict(r) for y, r in data["rows"].items()}, {int(y): dict(v) for y, v in data["scopes"].items()})
    except (KeyError, TypeError, ValueError):
        return None


def record_facts(manifest: dict, facts: DataFacts, version: str) -> None:
    """Remember the validated data's facts, for the next run."""
    manifest["data"] = asdict(facts) | {"validated_with": version}


def stamps(out_dir: Path, outputs: list[str]) -> dict[str, dict]:
    """Each output's checksum, size and modification time, as the manifest records them."""
    records = {}
    for relative in outputs:
        path = out_dir / relative
        status = path.stat()
        records[relative] = {"sha256": file_checksum(path), "size": status.st_size, "mtime_ns": status.st_mtime_ns}
    return records


def _unchanged(path: Path, record: object) -> bool:
    """The file is the one recorded: same size and time, or else same checksum."""
    if not isinstance(record, dict):
        return False
    try:
        status = os.stat(path, follow_symlinks=False)
        if status.st_size != record.get("size"):
            return False
        return status.st_mtime_ns == record.get("mtime_ns") or file_checksum(path) == record.get("sha256")
    except OSError:
        return False


def is_cached(entry: dict | None, key: str, out_dir: Path) -> bool:
    """True when an earlier successful run had the same inputs and each of its outputs is still the file it wrote.

    A run killed between two of a job's files leaves a mix of old and new files: their
    checksums no longer match the entry, so the job runs again.
    """
    if not (isinstance(entry, dict) and entry.get("cache_key") == key and entry.get("status") in (JobStatus.OK, JobStatus.CACHED)):
        return False
    recorded = entry.get("checksums") or {}
    return all(_unchanged(out_dir / path, recorded.get(path)) for path in entry.get("outputs", []))
