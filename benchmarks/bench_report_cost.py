"""What one report costs as the table grows: a unit profile and an area report on a 10-unit and a 10,000-unit
synthetic table, in one process, each step timed (what the notebook cells do, without the kernel).

    python benchmarks/bench_report_cost.py [--units 10 10000] [--repeat 5]

Prints seconds per step (the median of ``--repeat``); the target (issue 10) is a unit profile on the
large table within 1.3x of one on the small table. Figures only: nothing is asserted.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from IPython.core.formatters import DisplayFormatter

from khuyenhoc.cli import main as cli
from khuyenhoc.render import charts
from khuyenhoc.render import display as show
from khuyenhoc.reports.annual import AnnualSummary
from khuyenhoc.reports.profile import UnitProfile
from khuyenhoc.snapshot import load_analysis, write_snapshot
from khuyenhoc.table import load_table

FORMATTER = DisplayFormatter()


def _shown(calls: list) -> None:
    """Render what the notebook displays, as the kernel would (so HTML and PNG formatting count)."""
    import IPython.display

    for obj in calls:
        FORMATTER.format(obj)
    _ = IPython.display


def _timed(step: Callable[[], object], repeat: int) -> float:
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        step()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds)


def _capture(cell: Callable[[], None]) -> Callable[[], None]:
    """Run a cell with IPython's display() replaced by the formatter (no kernel here)."""
    def run() -> None:
        captured: list = []
        original = show.display
        show.display = lambda *objs, **_: captured.extend(objs)
        try:
            cell()
        finally:
            show.display = original
        _shown(captured)
    return run


def profile_steps(snapshot: Path, year: int, unit: str, lang: str = "vi") -> dict[str, Callable[[], None]]:
    analysis = load_analysis(snapshot)
    profile = UnitProfile(analysis, year, unit, lang)
    return {
        "load_analysis": lambda: load_analysis(snapshot),
        "unit: profile": lambda: UnitProfile(analysis, year, unit, lang),
        "unit: title": _capture(lambda: show.title(profile)),
        "unit: figures_table": _capture(lambda: show.table(profile.figures_table())),
        "unit: trend_table": _capture(lambda: show.table(profile.trend_table())),
        "unit: place": _capture(lambda: show.table(profile.place())),
        "unit: charts": _capture(lambda: [show.figure(f) for f in charts.profile_figures(UnitProfile(analysis, year, unit, lang)).values()]),
    }


def area_steps(snapshot: Path, year: int, area: str, lang: str = "vi") -> dict[str, Callable[[], None]]:
    analysis = load_analysis(snapshot)

    def everything() -> None:
        summary = AnnualSummary(analysis, year, lang, area_id=area)
        show.title(summary)
        show.paragraphs(summary.narrative(with_notes=False))
        show.table(summary.key_indicators())
        show.table(summary.comparison())
        for chart in charts.annual_figures(summary).values():
            show.figure(chart)
        show.table(summary.ranking())
        show.table(summary.findings_table())

    return {"area: summary": lambda: AnnualSummary(analysis, year, lang, area_id=area), "area: whole notebook": _capture(everything)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, nargs="+", default=[10, 10_000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="kh-bench-cost-"))
    results: dict[int, dict[str, float]] = {}
    for units in args.units:
        data = folder / f"u{units}.csv"
        cli(["sample", "--units", str(units), "--years", "2024-2025", "--shape", "two-tier", "--out", str(data)])
        table = load_table(data)
        snapshot = write_snapshot(table, folder / f"snap{units}")
        year = table.years[-1]
        unit = next(u for u in table.frame.loc[table.frame["level"] == "commune", "unit_id"])
        area = table.tree.parent(unit, year)
        steps = profile_steps(snapshot, year, unit) | area_steps(snapshot, year, area)
        results[units] = {name: _timed(step, args.repeat) for name, step in steps.items()}
    small, large = args.units[0], args.units[-1]
    print(f"{'step':28} " + " ".join(f"{u:>10,} units" for u in args.units) + "   ratio")
    for name in results[small]:
        ratio = results[large][name] / results[small][name] if results[small][name] else float("nan")
        print(f"{name:28} " + " ".join(f"{results[u][name] * 1000:13.1f} ms" for u in args.units) + f"   {ratio:5.2f}x")
    profile = [n for n in results[small] if n.startswith("unit: ")]
    totals = {u: sum(results[u][n] for n in profile) for u in args.units}
    print(f"unit profile cells (sum): {totals[small] * 1000:.1f} ms vs {totals[large] * 1000:.1f} ms = {totals[large] / totals[small]:.2f}x"
          " (target <= 1.3x)")


if __name__ == "__main__":
    main()
