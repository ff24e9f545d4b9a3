"""Benchmark unit profiles on the local pool against ``--scheduler local`` (a script, not a test: it prints, never asserts).

Issue 4, section "Benchmark". In ONE run, on the same machine and the same data:

1. ``khuyenhoc sample --units N --years Y-Y --out DATA.csv`` writes a synthetic table of N communes for one year;
2. ``khuyenhoc run --data DATA.csv --years Y --units --jobs J --out D1`` (the local process pool) is timed;
3. ``khuyenhoc run ... --scheduler local --jobs J --out D2`` (a throw-away Dask LocalCluster of J workers) is timed.

Both are the console script of this interpreter's venv, run as subprocesses. Each runs N unit profiles plus the
year's annual summary and the trends notebook (N + 2 notebooks). For each the script prints the notebooks run,
the wall seconds, notebooks per second, and the peak memory of the client process (the ``khuyenhoc run``
process itself, polled with psutil every ``--interval`` s; without psutil, /usr/bin/time -v's "Maximum resident
set size", which also covers every reaped descendant). Then the relative difference of the two throughputs and
a verdict against the target "within 20 %" (the cluster path must not cost the single-machine user anything).

Other people may use the machine meanwhile: the load average before and after each run and the CPU that
processes outside the measured tree took during it are printed next to the figures. They may also edit the
package meanwhile (the install is editable), so by default both runs import a frozen copy of khuyenhoc/,
notebooks/ and data/ taken at start and put first on PYTHONPATH; ``--live`` runs the checkout itself and says
when it changed during the benchmark (the comparison is then void).

The "where the time goes" section splits each run into start-up (launch to the first notebook's start, from
papermill's timestamps in the executed notebooks), steady state and wind-down; shows the per-notebook time the
worker measured (manifest 'seconds') against the time papermill spent (kernel start and HTML export are outside
it); the kernel wait before the first cell; the bytes each result carries back; and sampled CPU by process kind.

    python benchmarks/bench_cluster.py [--units 200] [--jobs 2] [--year 2013] [--keep] [--cluster-first] [--live]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

TARGET = 0.20  # the two throughputs within 20 % of each other


def _tool(name: str) -> Path:
    """A console script of the venv this interpreter belongs to."""
    path = Path(sys.executable).parent / name
    if not path.exists():
        sys.exit(f"bench_cluster: {path} not found; run this with the Python of the venv where khuyenhoc[dask] is installed")
    return path


SNAPSHOT: list[Path] = []  # a frozen copy of the package, first on PYTHONPATH (see _snapshot)


def _environment() -> dict[str, str]:
    """The current environment with this venv's bin first on PATH (as an activated venv would have it), and the
    snapshot of the package first on PYTHONPATH."""
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    if SNAPSHOT:
        env["PYTHONPATH"] = os.pathsep.join([*map(str, SNAPSHOT), *filter(None, [env.get("PYTHONPATH")])])
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def _load() -> str:
    return "/".join(f"{v:.2f}" for v in os.getloadavg())


class _Monitor:
    """Polls a process tree with psutil: peak RSS of the root (the client), peak summed RSS of the tree, and the
    last seen CPU seconds of every process, by kind. Also the machine's busy CPU, to tell what others took."""

    KINDS = (("ipykernel_launcher", "kernels"), ("forkserver", "pool workers (forkserver)"),
             ("spawn_main", "dask workers (spawned)"), ("resource_tracker", "resource tracker"))

    def __init__(self, pid: int, interval: float) -> None:
        import psutil

        self.psutil, self.interval = psutil, interval
        self.root = psutil.Process(pid)
        self.root_pid = pid
        self.client_peak = 0
        self.tree_peak = 0
        self.seen: dict[tuple[int, float], list] = {}  # (pid, create time) -> [kind, cpu seconds]
        self.machine_before = self._machine_busy()
        self.self_before = sum(psutil.Process().cpu_times()[:2])
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _machine_busy(self) -> float:
        times = self.psutil.cpu_times()
        return sum(times) - times.idle - getattr(times, "iowait", 0.0)

    def _kind(self, process) -> str:
        if process.pid == self.root_pid:
            return "client (khuyenhoc run)"
        try:
            command = " ".join(process.cmdline())
        except self.psutil.Error:
            return "other"
        return next((kind for marker, kind in self.KINDS if marker in command), "other")

    def _sample(self) -> None:
        try:
            processes = [self.root, *self.root.children(recursive=True)]
        except self.psutil.Error:
            return
        tree = 0
        for process in processes:
            try:
                with process.oneshot():
                    rss = process.memory_info().rss
                    cpu = sum(process.cpu_times()[:2])
                    key = (process.pid, process.create_time())
            except self.psutil.Error:
                continue
            tree += rss
            if process.pid == self.root_pid:
                self.client_peak = max(self.client_peak, rss)
            entry = self.seen.get(key)
            if entry is None or entry[0] == "other":
                entry = self.seen[key] = [self._kind(process), cpu]
            entry[1] = max(entry[1], cpu)
        self.tree_peak = max(self.tree_peak, tree)

    def _loop(self) -> None:
        while not self.done.wait(self.interval):
            self._sample()

    def stop(self) -> dict:
        self._sample()
        self.done.set()
        self.thread.join()
        by_kind: dict[str, list] = {}
        for kind, cpu in self.seen.values():
            slot = by_kind.setdefault(kind, [0.0, 0])
            slot[0] += cpu
            slot[1] += 1
        total = sum(v[0] for v in by_kind.values())
        machine = self._machine_busy() - self.machine_before
        sampler = sum(self.psutil.Process().cpu_times()[:2]) - self.self_before
        return {"client_peak": self.client_peak, "tree_peak": self.tree_peak, "by_kind": by_kind, "total": total,
                "others": max(0.0, machine - total - sampler), "sampler": sampler}


def _run(command: list, log: Path, interval: float, use_psutil: bool) -> dict:
    """Run ``command``; its wall seconds, memory/CPU figures and the load average around it. Exits on failure."""
    load_before = _load()
    time_v = not use_psutil and Path("/usr/bin/time").exists()
    argv = (["/usr/bin/time", "-v"] if time_v else []) + [str(c) for c in command]
    with log.open("ab") as out:
        out.write(f"\n$ {' '.join(argv)}\n".encode())
        out.flush()
        launched = time.time()
        started = time.perf_counter()
        process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=_environment())
        monitor = _Monitor(process.pid, interval) if use_psutil else None
        returncode = process.wait()
        wall = time.perf_counter() - started
        sample = monitor.stop() if monitor else None
    text = log.read_text(encoding="utf-8", errors="replace")
    if returncode not in (0, 1):  # 1: some notebooks failed; counted below
        sys.exit(f"bench_cluster: exit {returncode} from: {' '.join(argv)}\n" + "\n".join(text.splitlines()[-30:]))
    result = {"wall": wall, "launched": launched, "returncode": returncode, "sample": sample,
              "load_before": load_before, "load_after": _load()}
    if sample:
        result["client_peak"], result["memory_source"] = sample["client_peak"], "psutil RSS of the client process"
    elif time_v:
        found = re.findall(r"Maximum resident set size \(kbytes\): (\d+)", text)
        result["client_peak"] = int(found[-1]) * 1024 if found else 0
        result["memory_source"] = "/usr/bin/time -v max RSS (client or any reaped descendant)"
    else:
        result["client_peak"], result["memory_source"] = 0, "not measured (neither psutil nor /usr/bin/time)"
    return result


def _checkout() -> tuple[Path, Path]:
    """The package folder and the notebooks folder this interpreter imports (the editable checkout)."""
    import khuyenhoc
    from khuyenhoc.paths import NOTEBOOKS_DIR

    return Path(khuyenhoc.__file__).resolve().parent, NOTEBOOKS_DIR


def _digest(package: Path, notebooks: Path) -> str:
    """A digest of the package's files and the notebooks as they are on disk now."""
    import hashlib

    digest = hashlib.sha256()
    for folder in (package, notebooks):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def _git_state(package: Path) -> str:
    """The checkout's commit and whether the package or notebooks have uncommitted changes."""
    root = package.parent
    try:
        head = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--", package.name, "notebooks"],
                               capture_output=True, text=True, check=True).stdout.split("\n")
    except (OSError, subprocess.CalledProcessError):
        return "not a git checkout"
    changed = [line[3:] for line in dirty if line.strip()]
    return f"git {head}" + (f" with uncommitted changes in {', '.join(changed)}" if changed else ", clean")


def _snapshot(folder: Path) -> tuple[Path, str]:
    """Copy the package, notebooks and bundled data as they are on disk now into ``folder`` (byte-compiled), and put
    ``folder`` first on the PYTHONPATH of every process both runs start (client, pool and dask workers, kernels).

    The install is editable: without this, someone editing khuyenhoc/ during the benchmark makes the two sides run
    different code (or import a half-written file) and the comparison is void. Copies until the checkout holds
    still across a copy."""
    package, notebooks = _checkout()
    for _ in range(10):
        before = _digest(package, notebooks)
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(package, folder / package.name, ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copytree(notebooks, folder / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        data = package.parent / "data"
        if data.is_dir():
            shutil.copytree(data, folder / "data")
        if _digest(package, notebooks) == before == _digest(folder / package.name, folder / "notebooks"):
            break
        time.sleep(2)
    else:
        sys.exit("bench_cluster: the checkout kept changing while it was copied; try again, or use --live")
    # byte-compiled as a pip-installed package is (same for both sides; a checkout under PYTHONDONTWRITEBYTECODE has none)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(folder / package.name)], check=True, stdout=subprocess.DEVNULL)
    SNAPSHOT.append(folder)
    probe = "import khuyenhoc.paths as p; print(p.PACKAGE_DIR); print(p.NOTEBOOKS_DIR)"
    check = subprocess.run([str(_tool("python")), "-c", probe], check=False, capture_output=True, text=True, env=_environment(),
                           cwd=folder.parent)
    if check.returncode != 0 or check.stdout.split() != [str(folder / package.name), str(folder / "notebooks")]:
        sys.exit(f"bench_cluster: the snapshot at {folder} is not what the runs would import:\n{check.stdout}{check.stderr}")
    return folder, before


def _timestamp(value: str) -> float:
    return datetime.fromisoformat(value).timestamp()


def _outcome(out: Path) -> dict:
    """The manifest's account of the run, papermill's timestamps from each executed notebook, and output sizes."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    runs = list(manifest["runs"].values())
    phases, sizes = [], []
    for run in runs:
        if run["status"] != "ok":
            continue
        paths = [out / p for p in run["outputs"]]
        sizes.append({"notebook": run["notebook"], "bytes": sum(p.stat().st_size for p in paths if p.is_file()),
                      "html": (out / run["html"]).stat().st_size if run.get("html") else 0})
        try:
            notebook = json.loads((out / run["outputs"][0]).read_text(encoding="utf-8"))
            meta = notebook["metadata"]["papermill"]
            cells = [c["metadata"]["papermill"] for c in notebook["cells"] if c["metadata"].get("papermill", {}).get("start_time")]
            phases.append({"key": run["key"], "notebook": run["notebook"], "start": _timestamp(meta["start_time"]),
                           "end": _timestamp(meta["end_time"]), "first_cell": _timestamp(cells[0]["start_time"]),
                           "last_cell": _timestamp(cells[-1]["end_time"]), "seconds": run["seconds"]})
        except (OSError, ValueError, KeyError, IndexError):
            continue
    files = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    return {"runs": runs, "ok": sum(r["status"] == "ok" for r in runs), "failed": sum(r["status"] == "failed" for r in runs),
            "units": sum(r["notebook"] == "unit_profile" and r["status"] == "ok" for r in runs),
            "workers": sorted({r.get("worker", "") for r in runs}), "phases": phases, "sizes": sizes, "files": files}


def _mib(n: float) -> str:
    return f"{n / 2**20:.0f} MiB"


def _describe(name: str, run: dict, jobs: int) -> list[str]:
    """Where one run's time went."""
    o, lines = run["outcome"], []
    phases = sorted(o["phases"], key=lambda p: p["start"])
    if phases:
        first_start, first_end = phases[0]["start"], min(p["end"] for p in phases)
        last_end = max(p["end"] for p in phases)
        steady = [p for p in phases if first_end < p["end"] <= last_end]
        window = last_end - first_end
        lines.append(f"  {name}: launch -> first notebook start {first_start - run['launched']:.1f} s "
                     f"(CLI start, validation, pool/cluster start); first -> last notebook end {window:.1f} s for "
                     f"{len(steady)} notebooks = {len(steady) / window if window > 0 else float('nan'):.3f} notebooks/s "
                     f"(steady state); last notebook end -> exit {run['launched'] + run['wall'] - last_end:.1f} s")
        worker = [p["seconds"] for p in phases]
        paper = [p["end"] - p["start"] for p in phases]
        wait = [p["first_cell"] - p["start"] for p in phases]
        cells = [p["last_cell"] - p["first_cell"] for p in phases]
        outside = [w - q for w, q in zip(worker, paper, strict=True)]
        lines.append(f"    per notebook, mean: in the worker (manifest 'seconds') {statistics.mean(worker):.2f} s = papermill "
                     f"{statistics.mean(paper):.2f} s (of which kernel wait before the first cell {statistics.mean(wait):.2f} s, "
                     f"cells {statistics.mean(cells):.2f} s) + outside papermill {statistics.mean(outside):.2f} s "
                     "(taking/starting the kernel, HTML export, reading files)")
        lines.append(f"    sum of worker seconds / {jobs} slots = {sum(worker) / jobs:.1f} s against {run['wall']:.1f} s wall "
                     f"({sum(worker) / jobs / run['wall']:.0%} of the slots busy)")
        gaps = []
        by_worker: dict[str, list] = {}
        worker_of = {r["key"]: r.get("worker", "") for r in o["runs"]}
        for p in phases:
            by_worker.setdefault(worker_of[p["key"]], []).append(p)
        for items in by_worker.values():
            items.sort(key=lambda p: p["start"])
            gaps += [b["start"] - a["end"] for a, b in itertools.pairwise(items)]
        if gaps:
            lines.append(f"    gap between one notebook's end and the next one's start on the same worker: mean "
                         f"{statistics.mean(gaps):.2f} s, median {statistics.median(gaps):.2f} s, max {max(gaps):.2f} s "
                         f"({len(by_worker)} workers: {', '.join(f'{len(v)}' for v in by_worker.values())} notebooks)")
    if o["sizes"]:
        units = [s for s in o["sizes"] if s["notebook"] == "unit_profile"] or o["sizes"]
        lines.append(f"    result size per unit profile (executed .ipynb + HTML): mean "
                     f"{statistics.mean(s['bytes'] for s in units) / 1024:.0f} KiB "
                     f"(HTML {statistics.mean(s['html'] for s in units) / 1024:.0f} KiB); all results "
                     f"{sum(s['bytes'] for s in o['sizes']) / 2**20:.1f} MiB")
    sample = run["sample"]
    if sample:
        parts = ", ".join(f"{kind} {cpu:.1f} s ({count} proc.)" for kind, (cpu, count) in
                          sorted(sample["by_kind"].items(), key=lambda kv: -kv[1][0]))
        notebooks = max(1, o["ok"] + o["failed"])
        lines.append(f"    CPU (sampled): {sample['total']:.1f} CPU-s = {sample['total'] / notebooks:.2f} per notebook: {parts}")
        lines.append(f"    peak summed RSS of the whole tree (client + workers + kernels): {_mib(sample['tree_peak'])}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=200, help="synthetic communes, one unit profile each (default: 200)")
    parser.add_argument("--jobs", type=int, default=2, help="pool workers and LocalCluster workers (default: 2)")
    parser.add_argument("--year", type=int, default=2013, help="the one year of the synthetic table (default: 2013)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (data, both outputs, log) and print its path")
    parser.add_argument("--cluster-first", action="store_true", help="run the cluster path first (to see order effects)")
    parser.add_argument("--live", action="store_true",
                        help="run the checkout as it is instead of a frozen copy taken at start (edits during the run then void it)")
    parser.add_argument("--interval", type=float, default=0.25, help="psutil polling interval in seconds (default: 0.25)")
    args = parser.parse_args(argv)
    if args.units < 1 or args.jobs < 1:
        parser.error("--units and --jobs must be at least 1")
    try:
        import psutil  # noqa: F401

        use_psutil = True
    except ImportError:
        use_psutil = False
        print("bench_cluster: psutil not installed; memory from /usr/bin/time -v, no CPU breakdown", file=sys.stderr)

    khuyenhoc = _tool("khuyenhoc")
    tmp = Path(tempfile.mkdtemp(prefix="khuyenhoc-bench-cluster-"))
    try:
        log = tmp / "commands.log"
        data = tmp / "data.csv"
        package, notebooks = _checkout()
        state = _git_state(package)
        digest = _digest(package, notebooks) if args.live else _snapshot(tmp / "snapshot")[1]
        subprocess.run([str(khuyenhoc), "sample", "--units", str(args.units), "--years", str(args.year), "--out", str(data),
                        "--lang", "en"], check=True, env=_environment(), stdout=subprocess.DEVNULL)
        version = subprocess.run([str(khuyenhoc), "--version"], check=False, capture_output=True, text=True,
                                 env=_environment()).stdout.strip()
        try:
            import distributed

            dask_version = f"distributed {distributed.__version__}"
        except ImportError:
            dask_version = "distributed NOT importable in this interpreter"

        print("Unit profiles: local pool vs --scheduler local (issue 4, Benchmark)")
        print(f"  machine: {platform.platform()}, {os.cpu_count()} cores, load average (1/5/15 min) {_load()}; "
              f"Python {platform.python_version()} at {sys.executable}")
        print(f"  {version}, {dask_version}; data: {args.units} synthetic units, year {args.year}, "
              f"{data.stat().st_size:,} bytes at {data}")
        if args.live:
            print(f"  code: the checkout as it is, live ({package}; {state}); package+notebooks digest {digest}, checked after each run")
        else:
            print(f"  code: a frozen copy of the checkout ({state}; digest {digest}) at {SNAPSHOT[0]}, first on PYTHONPATH")
        print(f"  each run: {args.units} unit profiles + annual summary + trends = {args.units + 2} notebooks, --jobs {args.jobs}")
        sys.stdout.flush()

        base = [khuyenhoc, "run", "--data", data, "--years", str(args.year), "--units", "--jobs", str(args.jobs)]
        sides = [("local pool", base + ["--out", tmp / "D1"], tmp / "D1"),
                 ("--scheduler local", base + ["--scheduler", "local", "--out", tmp / "D2"], tmp / "D2")]
        if args.cluster_first:
            sides.reverse()
        results = {}
        for name, command, out in sides:
            print(f"  running {name} ...", flush=True)
            run = _run(command, log, args.interval, use_psutil)
            run["outcome"] = _outcome(out)
            run["source"] = _digest(*_checkout()) if args.live else _digest(SNAPSHOT[0] / "khuyenhoc", SNAPSHOT[0] / "notebooks")
            results[name] = run
            o = run["outcome"]
            print(f"    {run['wall']:.1f} s, {o['ok']} ok, {o['failed']} failed; load {run['load_before']} -> {run['load_after']}",
                  flush=True)

        print()
        print(f"Results (client memory: {results['local pool']['memory_source']}):")
        rates = {}
        for name, _command, _out in sorted(sides, key=lambda s: s[0] != "local pool"):
            run, o = results[name], results[name]["outcome"]
            count = o["ok"] + o["failed"]
            rates[name] = count / run["wall"]
            others = run["sample"]["others"] if run["sample"] else float("nan")
            print(f"  {name:18} {count:4d} notebooks ({o['units']} unit profiles ok, {o['failed']} failed) in {run['wall']:7.1f} s "
                  f"= {rates[name]:.3f} notebooks/s; client peak memory {_mib(run['client_peak'])}; "
                  f"load {run['load_before']} -> {run['load_after']}; other processes took {others:.0f} CPU-s "
                  f"({others / (run['wall'] * (os.cpu_count() or 1)):.0%} of the machine)")
        local, cluster = rates["local pool"], rates["--scheduler local"]
        difference = (cluster - local) / local
        files = {name: set(results[name]["outcome"]["files"]) for name in results}
        pairs = (("local pool", "--scheduler local"), ("--scheduler local", "local pool"))
        only = {name: sorted(files[name] - files[other]) for name, other in pairs}
        print(f"  same output files on both sides: {'yes' if not any(only.values()) else 'NO'}"
              + "".join(f"; only from {name}: {', '.join(paths[:4])}{' ...' if len(paths) > 4 else ''}"
                        for name, paths in only.items() if paths)
              + f"; dask workers seen in the manifest: {len(results['--scheduler local']['outcome']['workers'])}")
        for name, run in results.items():
            for entry in (e for e in run["outcome"]["runs"] if e["status"] == "failed"):
                print(f"  failed ({name}): {entry['key']}: {entry['error']}")
        moved = [name for name, run in results.items() if run["source"] != digest]
        if moved:
            print(f"  WARNING: the code changed on disk during the benchmark (by the end of: {', '.join(moved)}; now "
                  f"{_git_state(package)}); the two sides did not run the same code: the comparison is void")
        elif not args.live and _digest(package, notebooks) != digest:
            print(f"  (the checkout changed meanwhile, now {_git_state(package)}; both sides ran the frozen copy)")
        print()
        print("Where the time goes:")
        for name, _command, _out in sides:
            for line in _describe(name, results[name], args.jobs):
                print(line)
        print()
        print("Verdict:" + (" (void: the code changed during the benchmark, see the warning above)" if moved else ""))
        mark = "MET   " if abs(difference) <= TARGET else "MISSED"
        slower = "slower" if difference < 0 else "faster"
        print(f"  [{mark}] --scheduler local throughput {cluster:.3f} vs local pool {local:.3f} notebooks/s: "
              f"{abs(difference):.1%} {slower} (target: within {TARGET:.0%})"
              + ("; the cluster path is not the slower one" if difference > TARGET else ""))
        if args.keep:
            print(f"\nKept: {tmp} (data.csv, D1/ local pool, D2/ --scheduler local, commands.log"
                  + (", snapshot/ the code that ran)" if SNAPSHOT else ")"))
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
