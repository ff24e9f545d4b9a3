"""Faults during a batch: dying kernels, hanging cells, interrupts, unwritable output."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from khuyenhoc.errors import RunError
from khuyenhoc.paths import NOTEBOOKS_DIR, SAMPLE_DATA
from khuyenhoc.runner import RunOptions, run_batch
from khuyenhoc.runner.lock import LOCK_NAME, RunLock

pytestmark = pytest.mark.slow


def notebooks_with(tmp_path: Path, source: str) -> Path:
    """A copy of the bundled notebooks whose annual summary runs ``source`` right after its parameters."""
    folder = tmp_path / "notebooks"
    folder.mkdir(exist_ok=True)
    for path in Path(NOTEBOOKS_DIR).glob("*.ipynb"):
        notebook = nbformat.read(path, as_version=4)
        if path.name == "annual_summary.ipynb":
            notebook.cells.insert(2, nbformat.v4.new_code_cell(source))
        nbformat.write(notebook, folder / path.name)
    return folder


def _descendants(pid: int) -> set[int]:
    """Every live process below ``pid`` (from /proc)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pids: set[int]) -> set[int]:
    """The processes among ``pids`` still running (zombies count as gone)."""
    running = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            running.add(pid)
    return running


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('if int(year) == 2012:\n    import os\n    os._exit(1)', "nhân Python (kernel) dừng đột ngột"),
        ('if int(year) == 2012:\n    import time\n    time.sleep(60)', "một ô chạy quá thời gian cho phép (5 giây)"),
        ('if int(year) == 2012:\n    raise RuntimeError("số liệu lạ")', "RuntimeError: số liệu lạ"),
    ],
    ids=["kernel-dies", "cell-hangs", "cell-raises"],
)
def test_each_fault_fails_only_its_run(tmp_path, source, expected):
    out = tmp_path / "out"
    options = RunOptions(data=SAMPLE_DATA, out_dir=out, years=[2012, 2013], jobs=2, cell_timeout=5,
                         notebooks_dir=notebooks_with(tmp_path, source))
    outcome = run_batch(options)
    statuses = {e["key"]: e["status"] for e in outcome.entries}
    assert statuses == {"2012/annual_summary": "failed", "2013/annual_summary": "ok", "trends": "ok"}
    failure = outcome.failed[0]
    assert expected in failure["error"]
    assert outcome.exit_code == 1
    assert json.loads((out / "2013" / "summary.json").read_text(encoding="utf-8"))["indicators"]["members"]["value"] == 9123
    assert not (out / "2012" / "annual_summary.html").exists()


def _wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_an_interrupted_run_leaves_a_consistent_folder(tmp_path, signum):
    out = tmp_path / "out"
    process = subprocess.Popen([sys.executable, "-m", "khuyenhoc", "run", "--out", str(out), "--jobs", "2"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    manifest = out / "manifest.json"
    assert _wait_for(lambda: manifest.exists() and json.loads(manifest.read_text())["runs"], 120), "a first result"
    below = _descendants(process.pid)  # workers and their kernels
    assert below, "the run has worker processes"
    process.send_signal(signum)
    output, _ = process.communicate(timeout=120)
    assert process.returncode == 130, output
    assert "Đã dừng giữa chừng" in output
    runs = json.loads(manifest.read_text(encoding="utf-8"))["runs"]
    assert 1 <= len(runs) < 6
    for entry in runs.values():
        assert entry["status"] == "ok"
        for path in entry["outputs"]:
            assert (out / path).stat().st_size > 0
    finished = {e["parameters"].get("year") for e in runs.values() if e["notebook"] == "annual_summary"}
    for year in {2009, 2010, 2011, 2012, 2013} - finished:
        assert not (out / str(year)).exists(), f"{year} was not finished and left nothing"
    assert not list(out.rglob("*.tmp"))
    with RunLock(out):  # the interrupted run let go of its lock
        pass
    assert (out / "index.html").is_file()
    assert _wait_for(lambda: not _alive(below), 20), f"no worker or kernel outlives the run: {_alive(below)}"


def test_a_second_run_on_the_same_folder_is_refused(tmp_path):
    out = tmp_path / "out"
    process = subprocess.Popen([sys.executable, "-m", "khuyenhoc", "run", "--out", str(out), "--years", "2013", "--jobs", "1"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert _wait_for(lambda: (out / LOCK_NAME).exists(), 60)
        second = subprocess.run([sys.executable, "-m", "khuyenhoc", "run", "--out", str(out), "--years", "2013"],
                                capture_output=True, text=True, timeout=60)
        assert second.returncode == 1
        assert "đang được một lần chạy khác dùng" in second.stderr
        assert "Traceback" not in second.stderr
    finally:
        process.communicate(timeout=300)
    assert process.returncode == 0


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write into read-only folders")
def test_a_read_only_folder_fails_clearly(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o500)
    try:
        with pytest.raises(RunError, match="không ghi được"):
            run_batch(RunOptions(data=SAMPLE_DATA, out_dir=out, years=[2013]), executor=lambda *a: iter(()))
    finally:
        out.chmod(0o700)


def test_an_unwritable_lock_is_a_clear_error(tmp_path):
    out = tmp_path / "out"
    (out / LOCK_NAME).mkdir(parents=True)  # the lock file cannot be opened for writing
    with pytest.raises(RunError, match="không ghi được"):
        run_batch(RunOptions(data=SAMPLE_DATA, out_dir=out, years=[2013]), executor=lambda *a: iter(()))


def test_disk_full_fails_that_run_and_keeps_earlier_outputs(tmp_path, monkeypatch):
    out = tmp_path / "out"
    assert run_batch(RunOptions(data=SAMPLE_DATA, out_dir=out, years=[2013], jobs=1)).exit_code == 0
    good = {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and p.name not in ("manifest.json", "index.html")}
    from khuyenhoc.runner import publish as publish_module

    real = publish_module.atomic_write_bytes

    def full_for_html(path, data):
        if str(path).endswith(".html"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(path, data)

    monkeypatch.setattr(publish_module, "atomic_write_bytes", full_for_html)
    outcome = run_batch(RunOptions(data=SAMPLE_DATA, out_dir=out, years=[2013], jobs=1, force=True))
    assert outcome.exit_code == 1
    assert all(e["status"] == "failed" for e in outcome.entries)
    assert all("No space left on device" in e["error"] for e in outcome.entries)
    for path, content in good.items():
        assert path.read_bytes() == content or path.suffix in (".ipynb", ".png", ".json", ".md"), path
    assert (out / "2013" / "annual_summary.html").read_bytes() == good[out / "2013" / "annual_summary.html"]
    assert not list(out.rglob("*.tmp"))
