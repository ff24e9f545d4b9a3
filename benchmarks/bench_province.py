"""What a whole province costs: every area report and every unit profile over three years, through ``khuyenhoc run``.

A synthetic province (``khuyenhoc sample``: about 200 communes, 2023-2025, districts until 2025 by default) is
written to a temporary CSV; ``khuyenhoc run --units`` then makes the whole file's, every area's and every commune's
reports, and the trends. Prints the wall time, notebooks per second, and the CPU seconds the manifest records for
each job (kernel_start, cells, export, publish) summed and averaged by kind of notebook; then what one area
report costs in this process, step by step (``--cost``: the steps the annual_summary notebook runs, no kernel).

    python benchmarks/bench_province.py [--units 200] [--years 2023-2025] [--shape auto] [--jobs 2]
                                        [--profiles N] [--cost-only] [--keep DIR]

``--profiles N`` runs the profiles of the first N communes only (a quicker look); ``--cost-only`` skips the run.
Figures only: nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

STAGES = ("kernel_start", "cells", "export", "publish")


def _kind(entry: dict) -> str:
    """annual (the whole file), area, profile or trends."""
    if entry.get("notebook") == "annual_summary":
        return "area" if entry.get("parameters", {}).get("area_id") else "annual"
    return {"unit_profile": "profile"}.get(entry.get("notebook", ""), entry.get("notebook", "?"))


def summarise(manifest: dict) -> dict[str, dict[str, float]]:
    """By kind of notebook: how many ran, their wall seconds and CPU seconds by stage (sums)."""
    kinds: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for entry in manifest.get("runs", {}).values():
        row = kinds[_kind(entry)]
        row["jobs"] += 1
        row["failed"] += entry.get("status") != "ok"
        row["seconds"] += entry.get("seconds") or 0.0
        for stage in STAGES:
            row[stage] += (entry.get("timings") or {}).get(stage, 0.0)
    return {kind: dict(row) for kind, row in kinds.items()}


def print_summary(kinds: dict[str, dict[str, float]], wall: float) -> None:
    jobs = sum(row["jobs"] for row in kinds.values())
    print(f"run: {jobs} notebooks in {wall:.1f} s wall = {jobs / wall:.2f} notebooks/s")
    print(f"{'kind':8} {'jobs':>5} {'failed':>6} {'wall s/job':>10} " + " ".join(f"{s + ' CPU s/job':>20}" for s in STAGES)
          + f" {'CPU s/job':>10} {'CPU s total':>11}")
    for kind, row in sorted(kinds.items()):
        n = row["jobs"]
        cpu = sum(row[s] for s in STAGES)
        print(f"{kind:8} {n:5.0f} {row['failed']:6.0f} {row['seconds'] / n:10.2f} " + " ".join(f"{row[s] / n:20.2f}" for s in STAGES)
              + f" {cpu / n:10.2f} {cpu:11.1f}")


def make_province(folder: Path, units: int, years: str, shape: str) -> Path:
    from khuyenhoc.cli import main as cli

    data = folder / "province.csv"
    cli(["sample", "--units", str(units), "--years", years, "--shape", shape, "--out", str(data), "--force"])
    return data


def run_province(data: Path, out: Path, jobs: int, profiles: int | None) -> float:
    """``khuyenhoc run`` of every area report, the profiles (all, or the first ``profiles`` communes) and the trends."""
    from khuyenhoc.cli import main as cli
    from khuyenhoc.table import load_table

    if profiles is None:
        units = ["--units"]
    else:
        frame = load_table(data).frame
        communes = list(dict.fromkeys(frame.loc[frame["level"] == "commune", "unit_id"]))[:profiles]
        units = ["--units", *communes]
    started = time.perf_counter()
    cli(["run", "--data", str(data), "--out", str(out), "--jobs", str(jobs), "--force", *units])
    return time.perf_counter() - started


def _cpu(step: Callable[[], object]) -> tuple[float, object]:
    started = time.process_time()
    result = step()
    return time.process_time() - started, result


def area_cost(data: Path, repeat: int = 3) -> dict[tuple[str, int], dict[str, float]]:
    """CPU seconds of each step of the largest area's report (the province), each year: the median of ``repeat``."""
    from IPython.core.formatters import DisplayFormatter

    from khuyenhoc.render import charts
    from khuyenhoc.render.excel import save_xlsx
    from khuyenhoc.render.markdown import summary_json, summary_markdown
    from khuyenhoc.render.word import save_docx
    from khuyenhoc.reports.annual import AnnualSummary
    from khuyenhoc.snapshot import load_analysis, write_snapshot
    from khuyenhoc.table import load_table

    formatter = DisplayFormatter()
    table = load_table(data)
    folder = Path(tempfile.mkdtemp(prefix="kh-bench-province-cost-"))
    analysis = load_analysis(write_snapshot(table, folder / "snapshot"))
    frame = table.frame
    province = frame.loc[frame["level"] == "province", "unit_id"].iloc[0]
    results: dict[tuple[str, int], dict[str, float]] = {}
    for year in table.years:
        runs: dict[str, list[float]] = defaultdict(list)
        for _ in range(repeat):
            seconds, summary = _cpu(lambda: AnnualSummary(analysis, year, "vi", area_id=province))  # noqa: B023
            runs["summary"].append(seconds)
            tables = [summary.key_indicators(), summary.comparison(), summary.ranking(), summary.findings_table()]
            runs["tables shown"].append(_cpu(lambda: [formatter.format(t) for t in tables])[0])  # noqa: B023
            seconds, figures = _cpu(lambda: charts.annual_figures(summary) | charts.target_figures(summary))  # noqa: B023
            runs["charts drawn"].append(seconds)
            runs["charts shown (PNG)"].append(_cpu(lambda: [charts.to_png(f) for f in figures.values()])[0])  # noqa: B023
            runs["target charts again (save)"].append(_cpu(lambda: [charts.to_png(f) for f in charts.target_figures(summary).values()])[0])  # noqa: B023
            runs["json + markdown"].append(_cpu(lambda: (summary_json(summary), summary_markdown(summary)))[0])  # noqa: B023
            runs["word"].append(_cpu(lambda: save_docx(summary, folder / "a.docx"))[0])  # noqa: B023
            runs["excel"].append(_cpu(lambda: save_xlsx(summary, folder / "a.xlsx"))[0])  # noqa: B023
        results[(province, year)] = {step: statistics.median(values) for step, values in runs.items()}
        results[(province, year)]["units"] = len(summary.units)
    return results


def print_cost(results: dict[tuple[str, int], dict[str, float]]) -> None:
    steps = [step for step in next(iter(results.values())) if step != "units"]
    print("one area report, in process (CPU s, median): " + ", ".join(f"{a} {y}: {r['units']:.0f} units" for (a, y), r in results.items()))
    print(f"{'step':28} " + " ".join(f"{y:>8}" for _, y in results))
    for step in steps:
        print(f"{step:28} " + " ".join(f"{r[step]:8.3f}" for r in results.values()))
    print(f"{'total':28} " + " ".join(f"{sum(r[s] for s in steps):8.3f}" for r in results.values()))
    print("COST " + json.dumps({str(y): {s: round(r[s], 4) for s in steps} for (_, y), r in results.items()}))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=200)
    parser.add_argument("--years", default="2023-2025")
    parser.add_argument("--shape", default="auto", choices=["auto", "three-tier", "two-tier"])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--profiles", type=int, default=None, help="only the first N communes' profiles (default: all)")
    parser.add_argument("--repeat", type=int, default=3, help="repeats of the in-process area report cost")
    parser.add_argument("--cost-only", action="store_true", help="only the in-process cost of one area report")
    parser.add_argument("--keep", type=Path, default=None, help="folder to keep the data and reports in (default: a temporary one)")
    args = parser.parse_args(argv)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="kh-bench-province-"))
    folder.mkdir(parents=True, exist_ok=True)
    data = make_province(folder, args.units, args.years, args.shape)
    if not args.cost_only:
        out = folder / "reports"
        wall = run_province(data, out, args.jobs, args.profiles)
        print_summary(summarise(json.loads((out / "manifest.json").read_text(encoding="utf-8"))), wall)
    print_cost(area_cost(data, args.repeat))
    return 0


if __name__ == "__main__":
    sys.exit(main())
