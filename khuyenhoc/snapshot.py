"""A validated table saved for the notebooks of one run: Parquet files read back in milliseconds.

``khuyenhoc run`` validates the data once and writes a snapshot of the validated frame and its
indicator frames; every notebook of the run rebuilds its :class:`~khuyenhoc.table.YearlyTable` from
it instead of reading and validating the file again. By hand, notebooks read the data file itself:
a snapshot is an optimisation of the runner, not a thing users make.

A snapshot is a folder: ``table.parquet`` (the frame, with the table's source, checksum, origin
record and warnings in its metadata) and ``whole.parquet``, ``units.parquet``, ``areas.parquet``
(:class:`~khuyenhoc.indicators.IndicatorFrames`), and ``lineage.parquet`` when the table has a lineage table.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from khuyenhoc.errors import PROBLEM_COLUMNS
from khuyenhoc.fsutil import atomic_write_bytes
from khuyenhoc.table import YearlyTable

FORMAT = 1
META_KEY = b"khuyenhoc"
TABLE_FILE = "table.parquet"
TARGETS_FILE = "targets.csv"
INDICATOR_FILES = ("whole", "units", "areas")
LINEAGE_FILE = "lineage.parquet"


def _to_bytes(frame: pd.DataFrame, meta: dict | None = None) -> bytes:
    table = pa.Table.from_pandas(frame, preserve_index=True)
    if meta is not None:
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), META_KEY: json.dumps(meta).encode()})
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue().to_pybytes()


def _read(path: Path) -> tuple[pd.DataFrame, dict]:
    table = pq.read_table(path)
    meta = json.loads((table.schema.metadata or {}).get(META_KEY, b"{}"))
    texts = [name for name in meta.get("object_columns", []) if name in table.column_names]
    frame = table.drop_columns(texts).to_pandas()
    for name in texts:  # the validated frame holds text as objects, None where blank (pandas would make them str)
        frame[name] = pd.Series(table.column(name).to_numpy(zero_copy_only=False), index=frame.index, dtype=object)
    return (frame[meta["columns"]] if texts else frame), meta


def snapshot_files(table: YearlyTable) -> dict[str, bytes]:
    """The files of ``table``'s snapshot, by name (computes its indicator frames if it has not yet)."""
    frame = table.frame
    meta = {
        "format": FORMAT, "source": table.source, "checksum": table.checksum, "origin": table.origin,
        "object_columns": [name for name in frame.columns if frame[name].dtype == object], "columns": list(frame.columns),
        "warnings": json.loads(table.warnings.to_json(orient="records", force_ascii=False)) if len(table.warnings) else [],
    }
    files = {TABLE_FILE: _to_bytes(frame, meta)}
    indicator_frames = table.indicator_frames
    for name in INDICATOR_FILES:
        files[f"{name}.parquet"] = _to_bytes(getattr(indicator_frames, name))
    if table.lineage is not None:
        files[LINEAGE_FILE] = _to_bytes(table.lineage.links, {"source": table.lineage.source, "checksum": table.lineage.checksum})
    return files


def write_snapshot(table: YearlyTable, folder: str | Path, targets: bytes | None = None) -> Path:
    """Save ``table`` (and its indicator frames) into ``folder``, each file whole; with ``targets`` (a checked
    targets file's bytes) also ``targets.csv``, the plan the run's reports are measured against. Return the folder."""
    folder = Path(folder)
    files = snapshot_files(table) | ({TARGETS_FILE: targets} if targets is not None else {})
    for name, content in files.items():
        atomic_write_bytes(folder / name, content)
    return folder


def snapshot_targets(folder: str | Path | None) -> Path | None:
    """The targets file a run saved beside its snapshot, or None (no snapshot, or national targets only)."""
    if folder is None:
        return None
    path = Path(folder) / TARGETS_FILE
    return path if path.is_file() else None


def load_snapshot(folder: str | Path) -> YearlyTable:
    """The table saved by :func:`write_snapshot`: the same frame, origin flags, source, checksum and indicator frames."""
    from khuyenhoc.indicators import IndicatorFrames

    folder = Path(folder)
    frame, meta = _read(folder / TABLE_FILE)
    if meta.get("format") != FORMAT:
        raise ValueError(f"{folder / TABLE_FILE}: not a khuyenhoc snapshot of format {FORMAT}")
    warnings = pd.DataFrame(meta["warnings"], columns=PROBLEM_COLUMNS) if meta["warnings"] else pd.DataFrame(columns=PROBLEM_COLUMNS)
    lineage = None
    if (folder / LINEAGE_FILE).is_file():
        from khuyenhoc.lineage import Lineage

        links, lineage_meta = _read(folder / LINEAGE_FILE)
        lineage = Lineage(links, lineage_meta["source"], lineage_meta["checksum"])
    table = YearlyTable(frame, meta["source"], meta["checksum"], meta["origin"], warnings, lineage)
    frames = {name: _read(folder / f"{name}.parquet")[0] for name in INDICATOR_FILES}
    table.__dict__["indicator_frames"] = IndicatorFrames(**frames)  # what the cached property would compute, already computed
    return table
