"""The bundled notebooks in JupyterLab, driven in a real browser (issue 13).

Starts ``jupyter lab`` on 127.0.0.1 (a free port, no token, no browser) over a copy of the notebooks,
opens each one in headless Chromium, checks that opening it leaves it unmodified, runs every cell, and
checks that no cell failed, the expected headings show and a figure is drawn. The server is stopped by
its PID.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from browsers import MARKS, launched

from khuyenhoc.paths import NOTEBOOKS_DIR

pytestmark = MARKS
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")

STARTUP_LIMIT = 120.0  # seconds to wait for the server to answer (not a timing assertion: a deadline for a hung start)
RUN_LIMIT_MS = 300_000  # a notebook's cells, on a busy 2-core machine
# notebook -> headings it must show once run (markdown headings and the report's own title)
HEADINGS = {
    "annual_summary.ipynb": ["Tổng kết năm (sổ tay phân tích)", "Tổng kết công tác khuyến học năm 2013"],
    "unit_profile.ipynb": ["Hồ sơ một đơn vị (sổ tay phân tích)", "Hồ sơ Hội Khuyến học"],
    "trends.ipynb": ["Diễn biến các chỉ tiêu (sổ tay phân tích)", "Diễn biến các chỉ tiêu khuyến học"],
    "explore.ipynb": ["Khám phá số liệu khuyến học", "1. Đọc và kiểm tra tệp", "6. Xuất ra Excel"],
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server over a copy of the bundled notebooks; yields its base URL and folder."""
    base = tmp_path_factory.mktemp("lab")
    root = base / "notebooks"
    shutil.copytree(NOTEBOOKS_DIR, root)
    for path in root.glob("*.ipynb"):  # the stored notebooks name the reference Python; this kernel may be another patch release
        notebook = json.loads(path.read_text(encoding="utf-8"))
        notebook["metadata"]["language_info"]["version"] = platform.python_version()
        path.write_text(json.dumps(notebook, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    home = base / "home"
    env = dict(os.environ, HOME=str(home), JUPYTER_CONFIG_DIR=str(home / "config"), JUPYTER_RUNTIME_DIR=str(home / "runtime"),
               JUPYTERLAB_SETTINGS_DIR=str(home / "settings"), JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"))
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
         "--IdentityProvider.token=", "--ServerApp.password=", f"--ServerApp.root_dir={root}",
         "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
         *(["--allow-root"] if os.geteuid() == 0 else [])],  # CI containers run as root
        env=env, cwd=root, stdout=subprocess.DEVNULL, stderr=(base / "lab.log").open("wb"), start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_LIMIT
        while not _answers(f"{url}/api/status"):
            assert server.poll() is None, (base / "lab.log").read_text(errors="replace")[-3000:]
            assert time.monotonic() < deadline, "jupyter lab did not answer"
            time.sleep(0.5)
        yield url, root
    finally:
        _stop(server)


def _stop(server: subprocess.Popen) -> None:
    """Stop the server we started, by its PID (its process group: the kernels it started too)."""
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


@pytest.fixture(scope="module")
def browser():
    with launched(sync_api) as chromium:
        yield chromium


def _idle(page) -> None:
    """Wait until the notebook's kernel is connected and idle."""
    page.wait_for_selector(".jp-NotebookPanel-toolbar .jp-Toolbar-kernelStatus, .jp-Notebook-ExecutionIndicator", timeout=120_000)
    page.wait_for_function(
        "() => { const s = document.querySelector('.jp-Notebook-ExecutionIndicator');"
        " return s && s.getAttribute('data-status') === 'idle'; }", timeout=120_000)


def test_every_notebook_opens_clean_and_runs_in_jupyterlab(lab, browser, tmp_path):
    url, root = lab
    names = sorted(p.name for p in root.glob("*.ipynb"))
    assert set(HEADINGS) <= set(names)
    for name in names:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{url}/lab/tree/{name}?reset")  # a fresh workspace: only this notebook open
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120_000)
        _idle(page)
        page.wait_for_timeout(1500)  # let Lab apply anything it would change on opening (kernel info, metadata)
        assert page.locator(".jp-mod-current.jp-mod-dirty, .lm-TabBar-tab.jp-mod-dirty").count() == 0, f"{name} is marked modified on opening"

        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        code_cells = page.locator(".jp-Notebook .jp-CodeCell").count()
        page.wait_for_function(
            "(count) => { const prompts = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')]"
            ".map(p => p.textContent.trim());"
            " return prompts.length === count && prompts.every(p => /^\\[\\d+\\]:$/.test(p)); }",
            arg=code_cells, timeout=RUN_LIMIT_MS)
        _idle(page)
        page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)

        errors = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]').all_text_contents()
        assert not [e for e in errors if "Traceback" in e or "Error" in e], f"{name}: {errors}"
        headings = page.locator(".jp-Notebook h1, .jp-Notebook h2").all_text_contents()  # off-screen cells have no inner text
        for expected in HEADINGS.get(name, []):
            assert any(expected in heading for heading in headings), f"{name}: {expected!r} not in {headings}"
        figures = page.locator(".jp-OutputArea-output img")
        assert figures.count() >= 1, f"{name}: no figure"
        figures.first.scroll_into_view_if_needed()
        assert figures.first.evaluate("img => img.complete && img.naturalWidth > 0"), f"{name}: the figure did not render"
        page.close()
    assert (root / "kham-pha.xlsx").is_file()  # the exploration notebook's export step wrote its workbook
