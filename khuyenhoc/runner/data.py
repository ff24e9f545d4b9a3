"""The run's data: the copy every notebook reads, its validation, what planning knows of it (:class:`DataFacts`),
and the checksums of the files that change every report (the lineage table, the targets file)."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from khuyenhoc import __version__
from khuyenhoc.errors import DataValidationError, InputFileError
from khuyenhoc.fsutil import sha256_checksum
from khuyenhoc.i18n import text
from khuyenhoc.paths import origin_path
from khuyenhoc.runner.manifest import Manifest
from khuyenhoc.runner.records import DataFacts


def copy_data_file(data: Path, folder: Path, lang: str, sheet: str | None = None) -> tuple[Path, str]:
    """Copy the data file and its origin record into ``folder``; return the copy and a checksum of both.

    Every notebook of the run reads this copy, so saving the file mid-run cannot mix
    two versions; the origin record (and the sheet read) are in the checksum because
    they change the reports.
    """
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

    from khuyenhoc.indicators import analyse

    def by_year(years, units, hashes) -> dict[int, dict[str, str]]:
        found: dict[int, dict[str, str]] = {}
        for year, unit, value in zip(years, units, hashes, strict=True):
            found.setdefault(int(year), {})[unit] = format(int(value), "016x")
        return found

    frame = table.frame
    rows = by_year(frame["year"], frame["unit_id"], pd.util.hash_pandas_object(frame, index=False))
    frames = analyse(table).frames  # computed once: the snapshot saves the same analysis
    scopes = {}
    for values in (frames.units, frames.areas):  # an area's own indicators replace its row's
        for year, found in by_year(values.index.get_level_values(0), values.index.get_level_values(1),
                                   pd.util.hash_pandas_object(values, index=False)).items():
            scopes.setdefault(year, {}).update(found)
    return rows, scopes


def data_facts(path: Path, checksum: str, manifest: Manifest, lang: str, shown_as: Path | None = None,
               sheet: str | None = None) -> DataFacts:
    """The facts about the data: from the manifest when this exact content was validated before, else by validating."""
    known = manifest.facts(checksum, __version__)
    return known if known is not None else facts_of(validate(path, lang, shown_as, sheet), checksum)


def has_lineage_sheet(data: Path) -> bool:
    """Whether the data workbook carries its lineage (a sheet ``Kế thừa``)."""
    from khuyenhoc.sheets import lineage_sheet  # the workbook's index only: a no-op re-run still imports no pandas

    return lineage_sheet(data) is not None


def lineage_checksum(table) -> str | None:
    """The checksum of the table's lineage links as checked (every job's parameters carry it: changes depend on it)."""
    if table is None or table.lineage is None:
        return None
    return table.lineage.links_checksum()  # the same value summary.json records


def read_targets(path: Path | None, lang: str, units: Collection[str] | None = None) -> tuple[bytes | None, list[str]]:
    """The targets file's bytes once it is checked against the data's ``units`` (a bad file is refused before anything
    runs; None without one), and its warnings as lines to say."""
    if path is None:
        return None, []
    from khuyenhoc.targets import load_targets

    checked = load_targets(path, lang, units)
    return Path(path).read_bytes(), [f"{path}: {text('col.row', lang)} {w['row']}: {w['message']}" for w in checked.warnings]
