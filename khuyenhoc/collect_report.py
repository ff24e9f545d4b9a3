"""What a collection leaves: the merged table, the tracking CSV, a feedback note per file left out, and the totals."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from babel.numbers import format_decimal

from khuyenhoc.collect import Collection, Status
from khuyenhoc.errors import KhuyenhocError
from khuyenhoc.feedback import feedback_text
from khuyenhoc.formatting import LOCALES
from khuyenhoc.fsutil import atomic_write_bytes
from khuyenhoc.i18n import DEFAULT_LANG, text, text_count
from khuyenhoc.spreadsheet import csv_text, export_excel, write_csv


# file names are the same in every language (as the reports' are), so a re-run in English finds the same files
TRACKING_NAME = "{stem}-theo-doi.csv"
FEEDBACK_FOLDER = "{stem}-phan-hoi"
FEEDBACK_NAME = "{name}.phan-hoi.txt"


@dataclass(frozen=True)
class Outputs:
    """Where a collection's files go, all beside the merged table."""

    merged: Path
    tracking: Path
    feedback_dir: Path

    @classmethod
    def beside(cls, merged: str | Path) -> Outputs:
        merged = Path(merged)
        return cls(merged, merged.with_name(TRACKING_NAME.format(stem=merged.stem)), merged.with_name(FEEDBACK_FOLDER.format(stem=merged.stem)))

    def feedback_names(self, collection: Collection) -> dict[int, Path]:
        """File position -> its feedback note (``<name>.phan-hoi.txt``; ``-2``, ``-3``… when two files share a name)."""
        taken: set[str] = set()
        names = {}
        for position, result in enumerate(collection.files):
            if result.status is Status.MERGED:
                continue
            name, count = FEEDBACK_NAME.format(name=result.name), 1
            while name in taken:
                count += 1
                name = FEEDBACK_NAME.format(name=f"{result.name}-{count}")
            taken.add(name)
            names[position] = self.feedback_dir / name
        return names


def tracking_table(collection: Collection, feedback: dict[int, Path], lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """One row per file received (what became of it and why), then one per expected unit that sent nothing."""
    rows = [{
        text("col.file", lang): result.name, text("collect.col.status", lang): result.status.label(lang),
        text("collect.col.units", lang): ", ".join(result.units), text("collect.col.rows", lang): result.rows,
        text("collect.col.problems", lang): len(result.problems), text("collect.col.reason", lang): result.reason,
        text("collect.col.feedback", lang): feedback[position].name if position in feedback else "",
    } for position, result in enumerate(collection.files)]
    rows += [{
        text("col.file", lang): "", text("collect.col.status", lang): text("collect.status.missing", lang),
        text("collect.col.units", lang): unit_id, text("collect.col.rows", lang): 0, text("collect.col.problems", lang): 0,
        text("collect.col.reason", lang): name, text("collect.col.feedback", lang): "",
    } for unit_id, name in zip(collection.missing["unit_id"], collection.missing["unit_name"], strict=True)]
    columns = ["col.file", "collect.col.status", "collect.col.units", "collect.col.rows", "collect.col.problems", "collect.col.reason",
               "collect.col.feedback"]
    return pd.DataFrame(rows, columns=[text(key, lang) for key in columns])


def write_collection(collection: Collection, outputs: Outputs, force: bool = False, lang: str = DEFAULT_LANG) -> dict[int, Path]:
    """Write the merged table (when some file was valid), the tracking CSV and the feedback notes, each whole.

    Nothing is written when one of them exists and ``force`` is not set. With ``force``, notes left in the
    feedback folder by an earlier collection of files that are merged now are removed (ours by their name).
    """
    feedback = outputs.feedback_names(collection)
    targets = [outputs.tracking, *feedback.values()] + ([outputs.merged] if collection.merged is not None else [])
    existing = [path for path in targets if os.path.lexists(path)]
    if existing and not force:
        raise KhuyenhocError(text("collect.exist", lang, count=len(existing), first=existing[0]))
    if collection.merged is not None:
        if outputs.merged.suffix.lower() == ".xlsx":
            export_excel(collection.merged, outputs.merged, sheet_name=text("template.data_sheet", lang), index=False)
        else:
            write_csv(collection.merged, outputs.merged)
    for position, path in feedback.items():
        atomic_write_bytes(path, ("\ufeff" + feedback_text(collection.files[position], lang)).encode("utf-8"))
    if force and outputs.feedback_dir.is_dir():
        suffix = FEEDBACK_NAME.format(name="")
        for stale in outputs.feedback_dir.iterdir():
            if stale.name.endswith(suffix) and stale not in feedback.values() and stale.is_file() and not stale.is_symlink():
                stale.unlink()
    atomic_write_bytes(outputs.tracking, csv_text(tracking_table(collection, feedback, lang)).encode("utf-8"))
    return feedback


def _count(number: int, lang: str) -> str:
    return format_decimal(number, locale=LOCALES[lang])


def totals_lines(collection: Collection, lang: str = DEFAULT_LANG) -> list[str]:
    """The printed table: files received, merged, sent back; units missing."""
    merged = len(collection.merged_files)
    def counted(key: str, number: int) -> str:
        return text_count(key, number, lang, count=_count(number, lang))

    rows = [(text("collect.received", lang), counted("collect.files", len(collection.files))),
            (text("collect.merged", lang), counted("collect.files", merged)),
            (text("collect.sent_back", lang), counted("collect.files", len(collection.left_out))),
            (text("collect.missing", lang), counted("collect.units", len(collection.missing)))]
    width = max(len(label) for label, _ in rows)
    return [text("collect.title", lang)] + [f"  {label:<{width}}  {value:>12}" for label, value in rows]


def detail_lines(collection: Collection, lang: str = DEFAULT_LANG) -> list[str]:
    """One line per file left out (with its reason) and per unit missing."""
    lines = []
    if collection.left_out:
        lines.append(text("collect.left_out", lang))
        lines += ["  " + text("collect.left_out_line", lang, file=r.name, status=r.status.label(lang), reason=r.reason) for r in collection.left_out]
    if len(collection.missing):
        lines.append(text("collect.missing_title", lang, year=collection.year))
        lines += ["  " + text("collect.missing_line", lang, unit_id=u, name=n)
                  for u, n in zip(collection.missing["unit_id"], collection.missing["unit_name"], strict=True)]
    return lines

