"""What the charts cost, and a fingerprint of every one of them to compare before and after a change.

Builds every chart of the sample town (2013) and of a synthetic province of 200 communes (2024: three tiers, 2025:
two), in Vietnamese and English: the yearly report's charts and its targets chart, the profiles of a few units
(the first, the middle and the last compared unit, and an area), and the trends. Prints the CPU seconds spent
building the figures and rendering their PNGs; with ``--fingerprint FILE`` writes, for each chart, the SHA-256 of
its PNG and the positions and labels of every tick, so two versions of the code can be compared with ``diff``.

    python benchmarks/bench_charts.py [--fingerprint FILE] [--repeat N]

Figures only: nothing is asserted.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from pathlib import Path


def _cpu() -> float:
    times = __import__("os").times()
    return times.user + times.system


def every_chart(analysis, year: int, lang: str) -> dict:
    """name -> figure: every chart a run draws for ``year`` (yearly report, targets, some profiles, trends)."""
    from khuyenhoc.render import charts
    from khuyenhoc.reports.annual import AnnualSummary
    from khuyenhoc.reports.profile import UnitProfile
    from khuyenhoc.reports.trends import Trends

    summary = AnnualSummary(analysis, year, lang)
    figures = charts.annual_figures(summary) | charts.target_figures(summary)
    units = list(summary.units)
    chosen = dict.fromkeys([units[0], units[len(units) // 2], units[-1]])
    for unit in chosen:
        for key, figure in charts.profile_figures(UnitProfile(analysis, year, unit, lang)).items():
            figures[f"profile_{unit}_{key}"] = figure
    figures["trends"] = charts.trends_figures(Trends(analysis, min(analysis.years), year, lang))["indicators"]
    return figures


def fingerprint(figure, png: bytes) -> dict:
    """The PNG's SHA-256 and every visible panel's tick positions and labels (the figure is drawn already)."""
    axes_ticks = []
    for axes in figure.axes:
        if axes.get_visible():
            axes_ticks.append([[list(map(float, axis.get_ticklocs())), [t.get_text() for t in axis.get_ticklabels()]]
                               for axis in (axes.xaxis, axes.yaxis)])
    return {"png": hashlib.sha256(png).hexdigest(), "ticks": axes_ticks}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fingerprint", type=Path, help="write each chart's PNG hash and ticks to this JSON file")
    parser.add_argument("--repeat", type=int, default=1, help="build and render everything this many times")
    arguments = parser.parse_args()

    from khuyenhoc.indicators import analyse
    from khuyenhoc.paths import SAMPLE_DATA
    from khuyenhoc.render import charts
    from khuyenhoc.sample import synthetic_table
    from khuyenhoc.table import load_table, table_from_frame

    town = analyse(load_table(SAMPLE_DATA))
    province = analyse(table_from_frame(synthetic_table(200, [2023, 2024, 2025], seed=1)))
    cases = [("town", town, 2013), ("province", province, 2024), ("province", province, 2025)]
    prints: dict[str, dict] = {}
    build = render = 0.0
    count = 0
    for _ in range(arguments.repeat):
        for where, analysis, year in cases:
            for lang in ("vi", "en"):
                start = _cpu()
                figures = every_chart(analysis, year, lang)
                built = _cpu()
                pngs = {name: charts.to_png(figure) for name, figure in figures.items()}
                rendered = _cpu()
                build, render, count = build + built - start, render + rendered - built, count + len(figures)
                print(f"{where}-{year}-{lang}: {len(figures)} charts, build {built - start:.2f} CPU-s, png {rendered - built:.2f} CPU-s")
                for name, figure in figures.items():
                    prints[f"{where}-{year}-{lang}/{name}"] = fingerprint(figure, pngs[name])
    print(f"total: {count} charts, build {build:.2f} CPU-s, png {render:.2f} CPU-s, {(build + render) / count * 1000:.0f} ms a chart")
    if arguments.fingerprint:
        arguments.fingerprint.write_text(json.dumps(prints, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"wall {time.perf_counter() - started:.1f} s")
