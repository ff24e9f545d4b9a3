"""Collect a country's returned workbooks: time and peak memory of `khuyenhoc template --units-from` and `khuyenhoc collect`.

A synthetic two-tier country (``--units`` communes under their provinces, one year) is written, a pre-filled workbook
is made for every unit, each is filled in with last year's figures (a few with mistakes, one sent twice, one not a
workbook) and the folder is collected. Usage: ``python benchmarks/bench_collect.py [--units 3300] [--keep DIR]``.
"""

from __future__ import annotations

import argparse
import io
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import openpyxl

from khuyenhoc.commune_workbooks import HEADER_ROW, INPUT_ROW, KEYS, REFERENCE_ROW
from khuyenhoc.sample import synthetic_table, to_csv_text
from khuyenhoc.schema import canonical_column

MISTAKE_EVERY = 100  # one workbook in a hundred comes back with a count typed as a fraction


def _child_peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def _run(argv: list[str]) -> tuple[float, int]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "khuyenhoc", *argv], capture_output=True, text=True)
    seconds = time.perf_counter() - started
    print(done.stdout.strip()[:1500])
    if done.stderr.strip():
        print(done.stderr.strip()[:1500])
    return seconds, done.returncode


def _fill(sent: Path, back: Path) -> int:
    """Fill every workbook with last year's figures (some with a mistake); returns how many were filled."""
    back.mkdir(parents=True)
    paths = sorted(sent.glob("*.xlsx"))
    for number, path in enumerate(paths):
        workbook = openpyxl.load_workbook(path)
        sheet = workbook.worksheets[0]
        for column in range(1, sheet.max_column + 1):
            name = canonical_column(sheet.cell(HEADER_ROW, column).value)
            if name not in KEYS and name != "note":
                sheet.cell(INPUT_ROW, column).value = sheet.cell(REFERENCE_ROW, column).value
            if name == "members" and number % MISTAKE_EVERY == 7:
                sheet.cell(INPUT_ROW, column).value = "1.234,5"
        buffer = io.BytesIO()
        workbook.save(buffer)
        (back / path.name).write_bytes(buffer.getvalue())
    shutil.copy(back / paths[-1].name, back / f"{paths[-1].stem} (gui lai).xlsx")  # sent twice
    (back / "anh-chup-bao-cao.jpg").write_bytes(b"\xff\xd8\xff\xe0 not a workbook")
    return len(paths)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=3300, help="communes (default 3300: the country after July 2025)")
    parser.add_argument("--keep", type=Path, help="work in this (new) folder and keep it")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-collect-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        data = work / "nam-truoc.csv"
        data.write_text(to_csv_text(synthetic_table(args.units, range(2025, 2026), seed=0, shape="two-tier")), encoding="utf-8")
        sent, back = work / "gui", work / "nhan"
        template_seconds, code = _run(["template", "--units-from", str(data), "--year", "2026", "--out", str(sent)])
        template_peak = _child_peak_mib()
        assert code == 0, code
        started = time.perf_counter()
        filled = _fill(sent, back)
        fill_seconds = time.perf_counter() - started
        collect_seconds, code = _run(["collect", str(back), "--out", str(work / "tong-hop.csv"), "--expect", str(data)])
        collect_peak = _child_peak_mib()  # the largest child so far: collect's unless the template's was larger
        print()
        print(f"units: {filled} workbooks ({args.units} communes and their provinces), files collected: {filled + 2}")
        print(f"template --units-from: {template_seconds:.1f} s ({1000 * template_seconds / filled:.1f} ms per workbook), "
              f"peak memory {template_peak:.0f} MiB")
        print(f"filling them in (openpyxl, not khuyenhoc): {fill_seconds:.1f} s")
        print(f"collect: {collect_seconds:.1f} s ({1000 * collect_seconds / (filled + 2):.1f} ms per file), exit code {code}, "
              f"peak memory {collect_peak:.0f} MiB (largest of the two commands)")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
