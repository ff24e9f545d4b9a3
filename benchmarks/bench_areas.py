"""Benchmark areas at national scale (a script, not a test: it prints, never asserts).

A synthetic three-tier country (63 provinces, about 700 districts, 10,000 communes, 5 years;
``khuyenhoc sample --shape three-tier``) is written to a temporary CSV with the Vietnamese headers;
then we time load + validate (``load_table``) and the indicators of every area, every unit and the
whole file (``IndicatorFrames``), and print the peak resident memory of the process.

Targets (issue 9) on a 2-core machine: under 5 s and 1.5 GB.

    python benchmarks/bench_areas.py [--units 10000] [--years 5] [--shape three-tier]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from khuyenhoc.indicators import IndicatorFrames
from khuyenhoc.sample import synthetic_table, to_csv_text
from khuyenhoc.table import load_table

FIRST_YEAR = 2020
TARGETS = {"seconds": 5.0, "peak_mb": 1536.0}


def _maxrss_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 2**20 if sys.platform == "darwin" else rss / 2**10


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--shape", default="three-tier", choices=["three-tier", "two-tier", "auto"])
    args = parser.parse_args(argv)
    frame = synthetic_table(args.units, range(FIRST_YEAR, FIRST_YEAR + args.years), shape=args.shape)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "country.csv"
        path.write_text(to_csv_text(frame), encoding="utf-8")
        started = time.perf_counter()
        table = load_table(path)
        loaded = time.perf_counter()
        frames = IndicatorFrames.of(table)
        done = time.perf_counter()
    levels = table.frame.groupby("level").size().to_dict()
    areas = len(frames.areas)
    print(f"table: {len(table.frame):,} rows ({levels}), {args.years} years, {areas:,} area-years, shape {args.shape}")
    print(f"load + validate      {loaded - started:6.2f} s")
    print(f"every area/unit/all  {done - loaded:6.2f} s")
    print(f"total                {done - started:6.2f} s   (target < {TARGETS['seconds']:.0f} s)")
    print(f"peak resident        {_maxrss_mb():6.0f} MB  (target < {TARGETS['peak_mb']:.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
