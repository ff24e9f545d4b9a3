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

import pytest

from khuyenhoc.errors import RunError
from khuyenhoc.paths import NOTEBOOKS_DIR, SAMPLE_DATA
from khuyenhoc.runner import RunOptions, run_batch
from khuyenhoc.runner import manifest as manifests
from khuyenhoc.runner.lock import LOCK_NAME, RunLock

pytestmark = pytest.mark.slow


def notebooks_with(tmp_path: Path, source: str) -> Path:
    """A copy of the bundled notebooks whose annual summary runs ``source`` right after its parameters."""
    import nbformat

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
    statuses = {e.key: e.status for e in outcome.entries}
    assert statuses == {"2012/annual_summary": "failed", "2013/annual_summary": "ok", "trends": "ok"}
    failure = outcome.failed[0]
    assert expected in failure.error
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


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=["SIGINT", "SIGTERM", "SIGHUP"])
def test_an_interrupted_run_leaves_a_consistent_folder(tmp_path, signum):
    out = tmp_path / "out"
    process = subprocess.Popen([sys.executable, "-m", "khuyenhoc", "run", "--out", str(out), "--jobs", "2"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    manifest = out / "manifest.json"
    assert _wait_for(lambda: manifests.Manifest.load(out).runs, 120), "a first result (in the run's journal)"
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


def test_a_read_only_folder_fails_clearly(tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o500)
    if os.geteuid() == 0:  # root writes into read-only folders: the refusal the OS would give is faked
        from khuyenhoc.runner import lock

        real_open = os.open

        def refused(path, *args, **kwargs):
            if Path(path).parent == out:
                raise PermissionError(errno.EACCES, "Permission denied", str(path))
            return real_open(path, *args, **kwargs)

        monkeypatch.setattr(lock.os, "open", refused)
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
    good = {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and p.name not in ("manifest.json", "index.html", "runs.html")}
    from khuyenhoc.runner import publish as publish_module

    real = publish_module.atomic_write_bytes

    def full_for_html(path, data):
        if str(path).endswith(".html"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(path, data)

    monkeypatch.setattr(publish_module, "atomic_write_bytes", full_for_html)
    outcome = run_batch(RunOptions(data=SAMPLE_DATA, out_dir=out, years=[2013], jobs=1, force=True))
    assert outcome.exit_code == 1
    assert all(e.status == "failed" for e in outcome.entries)
    assert all("No space left on device" in e.error for e in outcome.entries)
    errors = {e.key: e.error for e in outcome.entries}
    assert errors["2013/annual_summary"].startswith("không ghi được vào 2013/annual_summary.html: "), "the file that failed, as DIR names it"
    assert errors["trends"].startswith("không ghi được vào trends.html: ")
    for path, content in good.items():
        assert path.read_bytes() == content or path.suffix in (".ipynb", ".png", ".json", ".md", ".docx", ".xlsx"), path
    assert (out / "2013" / "annual_summary.html").read_bytes() == good[out / "2013" / "annual_summary.html"]
    assert not list(out.rglob("*.tmp"))


FIXTURES = Path(__file__).parent / "notebooks"


def tiny_notebooks(tmp_path: Path, source: str = "") -> Path:
    """The small fixture notebooks (seconds, not minutes), the yearly one running ``source`` after its parameters."""
    import nbformat

    folder = tmp_path / "tiny"
    folder.mkdir(exist_ok=True)
    for path in (FIXTURES / "tiny").glob("*.ipynb"):
        notebook = nbformat.read(path, as_version=4)
        if source and path.name == "annual_summary.ipynb":
            notebook.cells.insert(1, nbformat.v4.new_code_cell(source))
        nbformat.write(notebook, folder / path.name)
    return folder


KILL_BETWEEN_RENAMES = """
import os, signal, sys, tempfile
from pathlib import Path
from khuyenhoc.runner import RunOptions, run_batch, publish
from khuyenhoc.runner.records import JobResult
from khuyenhoc.paths import SAMPLE_DATA

def executor(jobs, *rest):
    for job in sorted(jobs, key=lambda job: job.notebook != "annual_summary"):
        yield JobResult(job.key, "ok", 0.1, b'{"new": 1}', b"<html><body>new</body></html>",
                        {"summary.json": b'{"new": 1}', "summary.md": b"new"} if job.notebook == "annual_summary" else {})

real, calls = publish.atomic_write_bytes, []
def write_then_die(path, data):
    calls.append(path)
    if len(calls) == 2:  # the first file of the job is in place, the second one half-written: the run is killed
        handle, _ = tempfile.mkstemp(prefix=f".{Path(path).name}.", suffix=".tmp", dir=Path(path).parent)
        os.write(handle, data[:3])
        os.kill(os.getpid(), signal.SIGKILL)
    return real(path, data)
publish.atomic_write_bytes = write_then_die
run_batch(RunOptions(data=SAMPLE_DATA, out_dir=Path(sys.argv[1]), years=[2013], force=True), executor=executor)
"""


def test_a_run_killed_between_two_renames_is_not_cached(tmp_path):
    """Issue 8, item 6: a job whose files are half old, half new runs again; the half-written temporary file goes."""
    out = tmp_path / "out"
    assert run_batch(RunOptions(data=SAMPLE_DATA, out_dir=out, years=[2013], jobs=1, notebooks_dir=tiny_notebooks(tmp_path))).exit_code == 0
    killed = subprocess.run([sys.executable, "-c", KILL_BETWEEN_RENAMES, str(out)], capture_output=True, text=True, timeout=120)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert "new" in (out / "2013" / "summary.json").read_text(), "the new summary.json is in place"
    assert "<body>new</body>" not in (out / "2013" / "annual_summary.html").read_text(), "beside the old report"
    assert list(out.rglob("*.tmp")), "the killed run left a half-written file"
    ran = []

    def executor(jobs, *rest):
        ran.extend(job.key for job in jobs)
        return iter(())

    run_batch(RunOptions(data=SAMPLE_DATA, out_dir=out, years=[2013], notebooks_dir=tiny_notebooks(tmp_path)), executor=executor)
    assert ran == ["2013/annual_summary"], "the mixed job is not cached; trends is"
    assert not list(out.rglob("*.tmp"))


def test_a_dead_pool_worker_fails_only_its_job_and_is_replaced(tmp_path):
    """Issue 8, item 7: the notebook of 2012 kills its worker process every time it runs."""
    notebooks = tiny_notebooks(tmp_path, "import os, signal\nif int(year) == 2012:\n    os.kill(int(os.environ['JPY_PARENT_PID']), signal.SIGKILL)\n"
                                         "    import time; time.sleep(30)")
    out = tmp_path / "out"
    outcome = run_batch(RunOptions(data=SAMPLE_DATA, out_dir=out, years=[2011, 2012, 2013], jobs=2, notebooks_dir=notebooks))
    assert {e.key: e.status for e in outcome.entries} == {
        "2011/annual_summary": "ok", "2012/annual_summary": "failed", "2013/annual_summary": "ok", "trends": "ok"}
    assert outcome.failed[0].error == "máy chạy (worker) bị dừng nhiều lần khi chạy sổ tay này; đã bỏ qua"
    assert outcome.exit_code == 1
    assert json.loads((out / "manifest.json").read_text())["runs"]["2013/annual_summary"]["status"] == "ok"
    assert "máy chạy (worker) bị dừng" in (out / "index.html").read_text(encoding="utf-8")


def test_a_killed_run_takes_its_workers_kernels_and_temporary_files_with_it(tmp_path):
    """Issue 8, item 11: kill -9 of `khuyenhoc run`; the next run sweeps the temporary folder the dead one left."""
    import tempfile

    temp = Path(tempfile.mkdtemp(prefix="kh-", dir="/tmp"))  # short: the fork server's socket path must fit in 107 bytes
    environment = dict(os.environ, TMPDIR=str(temp))
    notebooks = tiny_notebooks(tmp_path, "import time\ntime.sleep(120)")
    out = tmp_path / "out"
    said = tmp_path / "said.txt"
    process = subprocess.Popen([sys.executable, "-m", "khuyenhoc", "run", "--out", str(out), "--jobs", "2", "--notebooks", str(notebooks)],
                               stdout=subprocess.DEVNULL, stderr=said.open("wb"), env=environment)

    def kernels() -> set[int]:
        return {pid for pid in _descendants(process.pid) if b"ipykernel" in Path(f"/proc/{pid}/cmdline").read_bytes()}

    try:
        assert _wait_for(lambda: len(kernels()) >= 2, 120), "kernels are running"
        below = _descendants(process.pid)
    finally:
        process.kill()
        process.wait()
    assert _wait_for(lambda: not _alive(below), 30), f"nothing outlives the run: {_alive(below)}"
    assert list(temp.glob("khuyenhoc-run-*")), "a killed run cannot clean up after itself"
    second = subprocess.run([sys.executable, "-m", "khuyenhoc", "run", "--out", str(out), "--years", "1900"],
                            capture_output=True, text=True, env=environment, timeout=120)
    assert second.returncode == 1, second.stderr
    assert list(temp.iterdir()) == [], "the next run swept it, Python's pymp-* folder inside it (and removed its own)"
    temp.rmdir()
    assert "leaked semaphore" not in said.read_text(encoding="utf-8", errors="replace"), "issue 22, item 15"
    assert not list(temp.rglob("bac-kan-2009-2013.csv")), "no copy of the data is left"


def test_ctrl_c_while_the_data_is_checked_prints_no_traceback(tmp_path):
    """Issue 22, item 12: Ctrl-C (to the terminal's whole process group) while the pool's fork server imports."""
    out = tmp_path / "out"
    notebooks = tiny_notebooks(tmp_path)
    run_batch(RunOptions(data=SAMPLE_DATA, out_dir=out, years=[2013], notebooks_dir=notebooks), executor=lambda *_: iter(()))
    process = subprocess.Popen([sys.executable, "-m", "khuyenhoc", "run", "--out", str(out), "--years", "2013", "--force",
                                "--notebooks", str(notebooks)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    seen = b""
    while b"Ki\xe1\xbb\x83m tra d\xe1\xbb\xaf li\xe1\xbb\x87u" not in seen:  # "Kiểm tra dữ liệu": the facts are known, the server started
        line = process.stdout.readline()
        assert line, seen.decode()
        seen += line
    os.killpg(process.pid, signal.SIGINT)
    rest, _ = process.communicate(timeout=120)
    output = (seen + rest).decode("utf-8", errors="replace")
    assert process.returncode == 130, output
    assert "Traceback" not in output and "KeyboardInterrupt" not in output, output


def test_a_dying_kernel_template_is_restarted_and_its_jobs_retried(tmp_path):
    """Issue 22, item 13: the notebook of 2012 kills the run's kernel template (its kernel's parent) once, mid-run;
    every kernel forked from it dies with it; their jobs run again on a fresh template."""
    if not sys.platform.startswith("linux"):
        pytest.skip("fork template: Linux only")
    marker = tmp_path / "template-killed"
    notebooks = tiny_notebooks(tmp_path, f"import os, signal, pathlib, time\nif int(year) == 2012 and not pathlib.Path({str(marker)!r}).exists():\n"
                                         f"    pathlib.Path({str(marker)!r}).write_text(str(os.getppid()))\n"
                                         "    os.kill(os.getppid(), signal.SIGKILL)\n    time.sleep(30)")
    out = tmp_path / "out"
    outcome = run_batch(RunOptions(data=SAMPLE_DATA, out_dir=out, years=[2011, 2012, 2013], jobs=2, notebooks_dir=notebooks))
    assert marker.exists(), "the template was killed"
    assert {e.key: e.status for e in outcome.entries} == {
        "2011/annual_summary": "ok", "2012/annual_summary": "ok", "2013/annual_summary": "ok", "trends": "ok"}
    assert outcome.exit_code == 0


@pytest.mark.parametrize("scheduler", [None, "local"], ids=["pool", "dask-local"])
def test_ctrl_c_leaves_nothing_in_the_temp_folder(tmp_path, scheduler):
    """Issue 22, item 3: the bundle, job and kernel folders (connection files with the kernel's key) live under the
    run's own folder, which goes on every exit path; Dask's workers print no traceback on Ctrl-C."""
    import tempfile

    if scheduler is not None:
        pytest.importorskip("distributed")
    temp = Path(tempfile.mkdtemp(prefix="kh-", dir="/tmp"))  # short: the fork server's socket path must fit in 107 bytes
    notebooks = tiny_notebooks(tmp_path, "import time\ntime.sleep(120)")
    out = tmp_path / "out"
    command = [sys.executable, "-m", "khuyenhoc", "run", "--out", str(out), "--jobs", "2", "--notebooks", str(notebooks)]
    process = subprocess.Popen(command + (["--scheduler", scheduler] if scheduler else []), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               env=dict(os.environ, TMPDIR=str(temp)), start_new_session=True)

    def kernels() -> set[int]:
        return {pid for pid in _descendants(process.pid) if b"ipykernel" in Path(f"/proc/{pid}/cmdline").read_bytes()}

    try:
        assert _wait_for(lambda: len(kernels()) >= 2, 180), "kernels are running"
        run_folders = list(temp.glob("khuyenhoc-run-*"))
        assert [path.name for path in temp.iterdir() if not path.name.startswith("khuyenhoc-run-")] == [], "everything is in the run's folder"
        assert list(temp.glob("khuyenhoc-run-*/**/connection.json")), "the kernels' connection files are in it"
        below = _descendants(process.pid)
        os.killpg(process.pid, signal.SIGINT)  # Ctrl-C: the terminal's whole process group
        output, _ = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    text = output.decode("utf-8", errors="replace")
    assert process.returncode == 130, text
    assert "Traceback" not in text and "KeyboardInterrupt" not in text, text
    assert _wait_for(lambda: not _alive(below), 30), f"nothing outlives the run: {_alive(below)}"
    assert run_folders and not any(folder.exists() for folder in run_folders)
    assert list(temp.iterdir()) == [], "nothing is left in the temp folder"
    temp.rmdir()
