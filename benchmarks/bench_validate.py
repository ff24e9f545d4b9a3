"""CPU cost of validating and analysing a table (a script, not a test: it prints figures, never asserts).

For the bundled sample (45 rows) and synthetic provinces (200 communes a year, three-tier and two-tier, 3 years),
prints the median ``time.process_time`` of several calls of

* ``validate.check`` on the raw table (what ``load_table`` spends nearly all its time on);
* ``IndicatorFrames.of`` (what ``analyse`` computes once per table).

    python benchmarks/bench_validate.py [--repeat 15]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from khuyenhoc.indicators import IndicatorFrames
from khuyenhoc.reader import read_raw
from khuyenhoc.sample import synthetic_table, to_csv_text
from khuyenhoc.table import load_table
from khuyenhoc.validate import check

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample" / "bac-kan-2009-2013.csv"


def _median_ms(fn, repeat: int) -> float:
    fn()  # warm caches (imports, compiled regexes)
    times = []
    for _ in range(repeat):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return 1000 * statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        cases = {"sample (45 rows)": SAMPLE}
        for shape in ("three-tier", "two-tier"):
            path = Path(folder) / f"{shape}.csv"
            path.write_text(to_csv_text(synthetic_table(200, range(2021, 2024), shape=shape)), encoding="utf-8")
            cases[f"province 200 communes x 3 years, {shape}"] = path
        print(f"{'input':<45} {'rows':>5} {'check ms':>9} {'analyse ms':>11}")
        for name, path in cases.items():
            raw = read_raw(path)
            table = load_table(path)
            check_ms = _median_ms(lambda raw=raw: check(raw), args.repeat)
            analyse_ms = _median_ms(lambda table=table: IndicatorFrames.of(table), args.repeat)
            print(f"{name:<45} {len(raw.frame):>5} {check_ms:>9.1f} {analyse_ms:>11.1f}")


if __name__ == "__main__":
    main()
