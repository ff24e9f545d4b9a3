"""A country in one run (issue 10): figures printed, nothing asserted.

    python benchmarks/bench_country.py [--part manual,country,dask,noop] [--fraction 0.1] [--jobs 2] [--keep]

manual   against papermill + nbconvert by hand, same notebooks, same machine: 4 yearly summaries, the trend and
         12 unit profiles (3 communes x 4 years) of a synthetic two-tier table; khuyenhoc with --jobs J, the
         manual loop serial (papermill then ``jupyter nbconvert --to html --no-input``, per notebook). Target >= 8x.
country  a two-tier synthetic country (34 provinces, 3,300 communes, one year): every area report and the unit
         profiles of ``--fraction`` of the communes (1.0 = all) with --jobs J. Prints wall time, client peak memory,
         output size, CPU seconds per notebook split into kernel start, cells, export and publish (from the
         manifest), and the figures extrapolated to every commune when the fraction is below 1.
         Targets: under 30 min, client < 1 GB, output < 1.5 GB (for the whole country).
dask     the same run through ``--scheduler local`` with J workers: within 15 % of the local pool.
noop     a no-op re-run of the whole country (every report and profile) on a folder whose outputs a stand-in
         executor wrote (the re-run only checks them): target under 5 s.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from khuyenhoc.paths import NOTEBOOKS_DIR

UNITS, YEAR = 3300, 2025
CLIENT = ("import resource, sys\nfrom khuyenhoc.cli import main\ncode = main(sys.argv[1:])\n"
          "print('MAXRSS_KB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\nsys.exit(code)\n")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def _khuyenhoc(args: list[str], log: Path) -> dict:
    """Run ``khuyenhoc ARGS`` as its own process: wall seconds, CPU of it and its children, the client's peak memory."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    with log.open("ab") as out:
        done = subprocess.run([sys.executable, "-c", CLIENT, *args], stdout=out, stderr=subprocess.PIPE, env=_env(), check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    rss = next((int(line.split()[1]) for line in done.stderr.decode().splitlines() if line.startswith("MAXRSS_KB")), 0)
    if done.returncode not in (0, 1):
        print(done.stderr.decode()[-2000:])
    return {"wall": wall, "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), "rss_mb": rss / 1024,
            "code": done.returncode}


def _sample(path: Path, units: int, years: str) -> Path:
    subprocess.run([sys.executable, "-m", "khuyenhoc", "sample", "--units", str(units), "--years", years, "--shape", "two-tier",
                    "--out", str(path), "--force"], check=True, stdout=subprocess.DEVNULL, env=_env())
    return path


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))["runs"]


def _stages(runs: dict) -> dict[str, dict[str, float]]:
    """Mean CPU seconds per stage, by kind of report (area reports and the whole file's; unit profiles; trend)."""
    kinds: dict[str, list[dict]] = {}
    for entry in runs.values():
        if entry.get("status") == "ok" and entry.get("timings"):
            kind = {"unit_profile": "profile", "annual_summary": "yearly", "trends": "trend"}[entry["notebook"]]
            kinds.setdefault(kind, []).append(entry["timings"])
    return {kind: {stage: statistics.mean(t.get(stage, 0.0) for t in rows) for stage in ("kernel_start", "cells", "export", "publish")}
            | {"n": len(rows)} for kind, rows in kinds.items()}


def _print_stages(stages: dict) -> None:
    for kind, values in stages.items():
        total = sum(values[s] for s in ("kernel_start", "cells", "export", "publish"))
        print(f"  {kind:8} n={values['n']:5}  CPU s/notebook: kernel start {values['kernel_start']:.2f}, cells {values['cells']:.2f}, "
              f"export {values['export']:.2f}, publish {values['publish']:.3f}  = {total:.2f}")


def manual(work: Path, jobs: int, repeat: int = 3) -> None:
    data = _sample(work / "manual.csv", 12, "2022-2025")
    units = ["u000001", "u000002", "u000003"]
    years = ["2022", "2023", "2024", "2025"]
    out = work / "manual-khuyenhoc"
    walls = []
    for attempt in range(repeat):  # the first run makes the folder; the others re-run everything (--force)
        walls.append(_khuyenhoc(["run", "--data", str(data), "--out", str(out), "--jobs", str(jobs), "--units", *units,
                                 *(["--force"] if attempt else [])], work / "manual.log")["wall"])
    mine = {"wall": statistics.median(walls)}
    runs = _manifest(out)
    count = sum(1 for e in runs.values() if e["status"] == "ok")
    by_hand = work / "by-hand"
    by_hand.mkdir()
    papermill, jupyter = Path(sys.executable).parent / "papermill", Path(sys.executable).parent / "jupyter"
    commands = []
    for year in years:
        commands.append(("annual_summary.ipynb", f"{year}-summary", ["-p", "year", year]))
        for unit in units:
            commands.append(("unit_profile.ipynb", f"{year}-{unit}", ["-p", "year", year, "-p", "unit_id", unit]))
    commands.append(("trends.ipynb", "trends", []))
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    for notebook, name, parameters in commands:
        executed = by_hand / f"{name}.ipynb"
        subprocess.run([str(papermill), str(NOTEBOOKS_DIR / notebook), str(executed), "-p", "data_path", str(data), *parameters,
                        "--cwd", str(by_hand)], check=True, capture_output=True, env=_env())
        subprocess.run([str(jupyter), "nbconvert", "--to", "html", "--no-input", str(executed)], check=True, capture_output=True, env=_env())
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print(f"manual: {len(commands)} notebooks by hand (papermill + nbconvert, serial): {wall:.1f} s wall, {cpu:.1f} CPU s")
    print(f"        khuyenhoc run --jobs {jobs}: {count} notebooks, median {mine['wall']:.1f} s wall of {', '.join(f'{w:.1f}' for w in walls)} "
          f"(it also writes summary.json/.md, Word/Excel files, figures, manifest, index)")
    print(f"        speed-up {wall / mine['wall']:.1f}x wall (target >= 8x)")
    _print_stages(_stages(runs))


def _country_args(data: Path, out: Path, fraction: float, jobs: int) -> list[str]:
    step = max(1, round(1 / fraction)) if fraction < 1 else 1
    units = [f"u{index:06d}" for index in range(1, UNITS + 1, step)]
    return ["run", "--data", str(data), "--out", str(out), "--jobs", str(jobs), "--units", *units]


def country(work: Path, fraction: float, jobs: int, scheduler: str | None = None) -> dict:
    data = work / "country.csv"
    if not data.exists():
        _sample(data, UNITS, f"{YEAR}-{YEAR}")
    name = "dask" if scheduler else "pool"
    out = work / f"country-{name}"
    args = _country_args(data, out, fraction, jobs) + (["--scheduler", scheduler] if scheduler else [])
    measured = _khuyenhoc(args, work / f"country-{name}.log")
    runs = _manifest(out)
    stages = _stages(runs)
    ok = sum(1 for e in runs.values() if e["status"] == "ok")
    failed = [e["key"] for e in runs.values() if e["status"] == "failed"]
    profiles = stages.get("profile", {}).get("n", 0)
    size = _size(out)
    print(f"country ({name}{', ' + scheduler if scheduler else ''}, --jobs {jobs}): {ok} notebooks ({profiles} profiles, "
          f"{len(failed)} failed) in {measured['wall']:.1f} s wall, {measured['cpu']:.0f} CPU s; client peak {measured['rss_mb']:.0f} MB; "
          f"output {size / 2**20:.1f} MB")
    _print_stages(stages)
    if profiles and profiles < UNITS:
        def cpu(values: dict) -> float:
            return sum(values[s] for s in ("kernel_start", "cells", "export", "publish"))

        measured_cpu = sum(cpu(v) * v["n"] for v in stages.values())
        full_cpu = measured_cpu + cpu(stages["profile"]) * (UNITS - profiles)
        profile_bytes = sum(_size_of(out, e) for e in runs.values() if e["notebook"] == "unit_profile" and e["status"] == "ok") / profiles
        print(f"  extrapolated to all {UNITS} communes ({UNITS + ok - profiles} notebooks; this run's wall time x the CPU seconds of the "
              f"whole run / this run's, {full_cpu:.0f} / {measured_cpu:.0f}): {measured['wall'] * full_cpu / measured_cpu / 60:.1f} min; "
              f"output {(size + profile_bytes * (UNITS - profiles)) / 2**30:.2f} GB")
    return measured | {"ok": ok}


def _size_of(out: Path, entry: dict) -> int:
    return sum((out / path).stat().st_size for path in entry.get("outputs", []) if (out / path).is_file())


def noop(work: Path, jobs: int) -> None:
    """Write every output of the whole country with a stand-in executor, then time the real no-op re-run."""
    from khuyenhoc.runner import RunOptions, run_batch
    from khuyenhoc.runner.plan import ANNUAL
    from khuyenhoc.runner.records import JobResult, JobStatus

    data = work / "country.csv"
    if not data.exists():
        _sample(data, UNITS, f"{YEAR}-{YEAR}")
    out = work / "country-noop"

    def stand_in(jobs_, *rest):
        for job in jobs_:
            files = {"summary.json": b'{"provenance": {}}'} if job.notebook == ANNUAL else {}
            yield JobResult(job.key, JobStatus.OK, 0.0, b"{}", b"<html><body>stand-in</body></html>", files, worker="w")

    started = time.perf_counter()
    run_batch(RunOptions(data=data, out_dir=out, units=True, jobs=jobs), executor=stand_in)
    print(f"noop: the stand-in wrote {len(_manifest(out))} reports' files in {time.perf_counter() - started:.1f} s")
    measured = _khuyenhoc(["run", "--data", str(data), "--out", str(out), "--units", "--jobs", str(jobs)], work / "noop.log")
    again = _khuyenhoc(["run", "--data", str(data), "--out", str(out), "--units", "--jobs", str(jobs)], work / "noop.log")
    print(f"noop: a no-op re-run of the whole country: {measured['wall']:.2f} s, again {again['wall']:.2f} s "
          f"(client peak {measured['rss_mb']:.0f} MB; target < 5 s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", default="manual,country,dask,noop")
    parser.add_argument("--fraction", type=float, default=0.1, help="share of the communes that get a profile (default 0.1)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kh-bench-country-"))
    parts = args.part.split(",")
    print(f"bench_country: {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}; work folder {work}")
    try:
        if "manual" in parts:
            manual(work, args.jobs)
        pool = country(work, args.fraction, args.jobs) if "country" in parts else None
        if "dask" in parts:
            dask = country(work, args.fraction, args.jobs, scheduler="local")
            if pool:
                print(f"dask vs pool: {dask['wall'] / pool['wall']:.2f}x the local pool's wall time (target within 1.15x)")
        if "noop" in parts:
            noop(work, args.jobs)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
