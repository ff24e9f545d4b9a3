"""A run's checking list: every figure of the data that moved implausibly from the year before (``findings.table_checks``),
in one CSV file beside the reports, for the secretary to check with the units. Not part of any report's judgement."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from typing import TYPE_CHECKING

from khuyenhoc.fsutil import atomic_write_bytes
from khuyenhoc.i18n import text

if TYPE_CHECKING:
    from khuyenhoc.table import YearlyTable


# The checking list's file name in each language (a file name, not prose: ASCII, no diacritics).
CHECKS_FILE = {"vi": "kiem-tra-so-lieu.csv", "en": "data-checks.csv"}


def checks_path(out_dir: Path, lang: str) -> Path:
    """Where a run lists the figures to check (named in the run's language)."""
    return Path(out_dir) / CHECKS_FILE[lang]


def write_checks(table: YearlyTable, out_dir: Path, lang: str) -> int:
    """Write the checking list of ``table`` (a header row only when there is nothing to check); how many checks."""
    from khuyenhoc.findings import table_checks  # late: a no-op re-run (recorded_checks) imports no pandas
    from khuyenhoc.formatting import format_indicator
    from khuyenhoc.i18n import indicator_label
    from khuyenhoc.reports.formatted import check_message
    from khuyenhoc.safetext import csv_quoted

    checks = table_checks(table)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([text(key, lang) for key in ("checks.col_year", "checks.col_unit_id", "col.unit_name", "col.indicator",
                                                 "checks.col_before", "checks.col_now", "col.message")])
    for check in checks:
        writer.writerow([check.year, csv_quoted(check.unit_id), csv_quoted(check.unit_name), indicator_label(check.indicator, lang),
                         format_indicator(check.indicator, check.reference, lang), format_indicator(check.indicator, check.value, lang),
                         csv_quoted(check_message(check, lang))])
    atomic_write_bytes(checks_path(out_dir, lang), buffer.getvalue().encode("utf-8-sig"))  # the BOM: Excel reads it as UTF-8
    return len(checks)


def recorded_checks(out_dir: Path, lang: str) -> int | None:
    """How many checks the list an earlier run wrote holds (a run on unchanged data does not read it again); None
    when there is no list."""
    try:
        content = checks_path(out_dir, lang).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    return max(sum(1 for _ in csv.reader(io.StringIO(content))) - 1, 0)
