"""Benchmark the core library at national scale (a script, not a test: it prints, never asserts).

A synthetic table of 10,000 units x 20 years (plus one district row a year, 200,020 rows) is
written to a temporary CSV with the Vietnamese headers; then we time

* the whole job: ``load_table`` (read + validate) followed by ``compute`` for one year;
* ``compute`` alone on the loaded table;

and report the peak memory of each (tracemalloc, Python allocations including NumPy/pandas
buffers) and the process's peak resident set size (``resource.getrusage``).

Targets on a 2-core machine: whole under 3 s, compute under 0.5 s, peak under 1 GB.

    python benchmarks/bench_core.py [--units 10000] [--years 20] [--repeat 3]
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from khuyenhoc.indicators import compute
from khuyenhoc.sample import synthetic_table, to_csv_text
from khuyenhoc.table import load_table

FIRST_YEAR = 2005
TARGETS = {"whole_s": 3.0, "compute_s": 0.5, "peak_mb": 1024.0}


def _timed(fn, repeat: int) -> tuple[float, float, object]:
    """(best wall seconds over ``repeat`` runs, peak traced MB of one run, last result)."""
    best = float("inf")
    result = None
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    gc.collect()
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return best, peak / 2**20, result


def _maxrss_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 2**20 if sys.platform == "darwin" else rss / 2**10  # bytes on macOS, KiB on Linux


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--years", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs; the best is reported")
    args = parser.parse_args(argv)

    years = range(FIRST_YEAR, FIRST_YEAR + args.years)
    year = years[-1]
    with tempfile.TemporaryDirectory(prefix="khuyenhoc-bench-") as folder:
        path = Path(folder) / "synthetic.csv"
        start = time.perf_counter()
        path.write_text(to_csv_text(synthetic_table(args.units, years)), encoding="utf-8")
        made = time.perf_counter() - start
        size_mb = path.stat().st_size / 2**20

        def whole():
            table = load_table(path)
            return table, compute(table, year)

        whole_s, whole_peak, (table, values) = _timed(whole, args.repeat)
        compute_s, compute_peak, _ = _timed(lambda: compute(table, year), max(args.repeat, 5))

    print(f"table: {len(table.frame):,} rows ({args.units:,} units x {args.years} years + district rows), "
          f"CSV {size_mb:.1f} MB, generated and written in {made:.2f} s")
    print(f"check: {year} members = {values['members']:,}, fund_total_vnd = {values['fund_total_vnd']:,}")
    rows = [
        ("load + validate + compute", whole_s, TARGETS["whole_s"], whole_peak),
        ("compute alone", compute_s, TARGETS["compute_s"], compute_peak),
    ]
    print(f"{'step':<28}{'seconds':>9}{'target':>9}{'peak MB':>10}")
    for name, seconds, target, peak in rows:
        flag = "" if seconds < target else "  (over target)"
        print(f"{name:<28}{seconds:>9.3f}{target:>9.1f}{peak:>10.1f}{flag}")
    rss = _maxrss_mb()
    flag = "" if rss < TARGETS["peak_mb"] else "  (over target)"
    print(f"peak resident memory of the process: {rss:.0f} MB (target {TARGETS['peak_mb']:.0f} MB){flag}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
