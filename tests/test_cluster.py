"""The batch on a real Dask LocalCluster: same outputs as the local pool, and a worker dying mid-run."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from khuyenhoc.paths import NOTEBOOKS_DIR, SAMPLE_DATA
from khuyenhoc.runner import RunOptions, run_batch

pytestmark = [pytest.mark.slow,  # distributed is imported by the tests that use it: collecting them stays cheap
              pytest.mark.skipif(importlib.util.find_spec("distributed") is None, reason="the dask extra is not installed")]


@pytest.fixture(scope="module")
def cluster():
    """Two worker processes on loopback, started and closed here."""
    import distributed

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as local:
        yield local


def _summary(path: Path) -> dict:
    document = json.loads(path.read_text(encoding="utf-8"))
    document["provenance"].pop("generated_at")
    return document


def _files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_cluster_outputs_equal_the_local_pool(cluster, tmp_path):
    local, remote = tmp_path / "local", tmp_path / "cluster"
    years = [2012, 2013]
    assert run_batch(RunOptions(data=SAMPLE_DATA, out_dir=local, years=years, jobs=2)).exit_code == 0
    outcome = run_batch(RunOptions(data=SAMPLE_DATA, out_dir=remote, years=years, jobs=2, scheduler=cluster.scheduler_address))
    assert outcome.exit_code == 0
    assert _files(local) == _files(remote)
    for year in years:
        assert _summary(local / str(year) / "summary.json") == _summary(remote / str(year) / "summary.json")
        assert (local / str(year) / "summary.md").read_text() == (remote / str(year) / "summary.md").read_text()
    runs = json.loads((remote / "manifest.json").read_text())["runs"]
    names = {str(worker["name"]) for worker in cluster.scheduler_info["workers"].values()}
    assert all(entry["worker"] in names for entry in runs.values()), "the worker's name, not its address"
    again = run_batch(RunOptions(data=SAMPLE_DATA, out_dir=remote, years=years, scheduler=cluster.scheduler_address))
    assert [e.status for e in again.entries] == ["cached"] * 3, "caching is the same on a cluster"


def test_bundles_are_removed_from_the_workers_when_the_run_ends(cluster, tmp_path):
    """Issue 8, item 12: the association's data does not stay in the workers' temp folders."""
    import tempfile

    import distributed

    from khuyenhoc.runner.cluster import LOCAL, check_address

    before = set(Path(tempfile.gettempdir()).glob("khuyenhoc-bundle-*"))
    notebooks = Path(__file__).parent / "notebooks" / "tiny"
    outcome = run_batch(RunOptions(data=SAMPLE_DATA, out_dir=tmp_path / "out", years=[2013], jobs=2,
                                   scheduler=cluster.scheduler_address, notebooks_dir=notebooks))
    assert outcome.exit_code == 0
    assert set(Path(tempfile.gettempdir()).glob("khuyenhoc-bundle-*")) - before == set()
    with distributed.Client(cluster.scheduler_address) as client:
        assert all(not folders for folders in client.run(lambda: list(__import__("khuyenhoc.runner.cluster", fromlist=["x"])._MATERIALISED)).values())
    assert check_address(LOCAL, "vi") == LOCAL and check_address("tcp://10.0.0.5:8786", "vi")


def test_a_worker_killed_mid_run_is_retried_elsewhere(cluster, tmp_path):
    import nbformat

    folder = tmp_path / "notebooks"
    folder.mkdir()
    marker = tmp_path / "killed-once"
    for path in Path(NOTEBOOKS_DIR).glob("*.ipynb"):
        notebook = nbformat.read(path, as_version=4)
        if path.name == "annual_summary.ipynb":
            notebook.cells.insert(2, nbformat.v4.new_code_cell(
                "import os, pathlib, signal\n"
                f"marker = pathlib.Path({str(marker)!r})\n"
                "if int(year) == 2012 and not marker.exists():\n"
                "    marker.touch()\n"
                "    os.kill(int(os.environ['JPY_PARENT_PID']), signal.SIGKILL)  # the Dask worker whose kernel this is\n"
                "    import time; time.sleep(30)"))
        nbformat.write(notebook, folder / path.name)
    out = tmp_path / "out"
    outcome = run_batch(RunOptions(data=SAMPLE_DATA, out_dir=out, years=[2012, 2013], jobs=2,
                                   scheduler=cluster.scheduler_address, notebooks_dir=folder))
    assert marker.exists(), "a worker was killed"
    assert {e.key: e.status for e in outcome.entries} == {"2012/annual_summary": "ok", "2013/annual_summary": "ok", "trends": "ok"}
    assert json.loads((out / "2012" / "summary.json").read_text())["indicators"]["members"]["value"] == 8639
    cluster.wait_for_workers(2, timeout=60)


def test_dask_is_not_imported_without_a_scheduler(tmp_path):
    script = (
        "import sys\n"
        "from khuyenhoc.runner import RunOptions, run_batch\n"
        "from khuyenhoc.paths import SAMPLE_DATA\n"
        f"run_batch(RunOptions(data=SAMPLE_DATA, out_dir=__import__('pathlib').Path({str(tmp_path / 'out')!r}), years=[2013], jobs=1))\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_sample_command_writes_a_valid_synthetic_table(tmp_path):
    from khuyenhoc.cli import main
    from khuyenhoc.table import load_table

    path = tmp_path / "national.csv"
    assert main(["sample", "--units", "50", "--years", "2010-2012", "--out", str(path)]) == 0
    table = load_table(path)
    assert table.synthetic and not table.illustrative
    assert table.years == [2010, 2011, 2012]
    assert (table.frame["level"] == "commune").sum() == 3 * 50
    assert len(table.tree.areas(2012)) == 4  # one province over three districts (50 communes / 14,3 a district)
    assert main(["sample", "--units", "50", "--years", "2012-2010", "--out", str(path)]) == 2


def test_an_interrupted_dask_run_prints_no_dask_warnings(tmp_path):
    """Issue 8, item 16: Ctrl-C on `--scheduler local` says it stopped, without `distributed … WARNING` lines."""
    import signal
    import time

    import nbformat

    folder = tmp_path / "notebooks"
    folder.mkdir()
    for path in (Path(__file__).parent / "notebooks" / "tiny").glob("*.ipynb"):
        notebook = nbformat.read(path, as_version=4)
        if path.name == "annual_summary.ipynb":
            notebook.cells.insert(1, nbformat.v4.new_code_cell("import time\nif int(year) != 2013:\n    time.sleep(60)"))
        nbformat.write(notebook, folder / path.name)
    out = tmp_path / "out"
    process = subprocess.Popen([sys.executable, "-m", "khuyenhoc", "run", "--out", str(out), "--scheduler", "local", "--jobs", "2",
                                "--notebooks", str(folder)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 120
    while not (out / "manifest.jsonl").exists() and time.monotonic() < deadline and process.poll() is None:  # a first result
        time.sleep(0.2)
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=120)
    assert process.returncode == 130, output
    assert "Đã dừng giữa chừng" in output
    assert "WARNING" not in output and "distributed." not in output, output


def test_local_workers_log_only_critical_messages_and_the_environment_is_left_as_it_was(tmp_path):
    """What the CI run of the interruption test printed: a worker's heartbeat ERROR while the cluster closed."""
    script = (
        "import logging, os\n"
        "from khuyenhoc.runner.cluster import connect\n"
        "def log():\n"
        "    logging.getLogger('distributed.worker').error('an error a closing worker logs')\n"
        "    logging.getLogger('distributed.worker').critical('a critical message')\n"
        f"client, cluster = connect('local', 1, __import__('pathlib').Path({str(tmp_path)!r}))\n"
        "client.run(log)\n"
        "print('after start:', os.environ.get('DASK_LOGGING__DISTRIBUTED'))\n"
        "client.close(); cluster.close()\n"
    )
    env = {key: value for key, value in os.environ.items() if key != "DASK_LOGGING__DISTRIBUTED"}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 0, result.stderr
    assert "after start: None" in result.stdout
    assert "a critical message" in result.stderr
    assert "an error a closing worker logs" not in result.stderr
