"""manifest.json: every run's parameters, status, timing, input checksums and outputs; written atomically."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from khuyenhoc.fsutil import atomic_write_text, sha256_checksum
from khuyenhoc.runner.plan import DataFacts

MANIFEST = "manifest.json"
FORMAT = 2


def file_checksum(path: Path) -> str:
    """sha256 of a file's bytes, as ``sha256:<hex>``."""
    return sha256_checksum(path.read_bytes())


def load(out_dir: Path) -> dict:
    """The manifest of ``out_dir``, or an empty one (an unreadable manifest counts as empty)."""
    try:
        manifest = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"format": FORMAT, "runs": {}}
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or not isinstance(manifest.get("runs"), dict):
        return {"format": FORMAT, "runs": {}}
    return manifest


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
                         {int(y): list(u) for y, u in data["units"].items()}, dict(data["unit_names"]), bool(data["illustrative"]), bool(data.get("synthetic", False)))
    except (KeyError, TypeError, ValueError):
        return None


def record_facts(manifest: dict, facts: DataFacts, version: str) -> None:
    """Remember the validated data's facts, for the next run."""
    manifest["data"] = asdict(facts) | {"validated_with": version}


def is_cached(entry: dict | None, key: str, out_dir: Path) -> bool:
    """True when an earlier successful run had the same inputs and its outputs are all still there."""
    return (
        isinstance(entry, dict)
        and entry.get("cache_key") == key
        and entry.get("status") in ("ok", "cached")
        and all((out_dir / p).is_file() for p in entry.get("outputs", []))
    )
