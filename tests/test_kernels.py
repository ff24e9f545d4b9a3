"""Kernels forked from a warm template (issue 10, step 3): a fresh process per notebook, nbclient's contract kept."""

from __future__ import annotations

import os
import sys

import nbformat
import pytest
from nbclient import NotebookClient

from khuyenhoc.runner import kernels

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork template: Linux only")]

PROBE = """import os, sys
print(os.getpid(), os.getppid(), os.getcwd(), get_ipython().history_manager.hist_file, 'pandas' in sys.modules, 'leaked' in globals())
leaked = 1"""


def _probe(kernel: kernels.Kernel) -> list[str]:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(PROBE)])
    NotebookClient(notebook, km=kernel.manager, timeout=60).execute()
    return notebook.cells[0].outputs[0]["text"].split()


def test_each_notebook_gets_a_new_forked_process_in_its_own_folder():
    try:
        with kernels.fresh_kernel(prepare_next=True) as first:
            one = _probe(first)
            folder = str(first.folder)
        with kernels.fresh_kernel() as second:
            two = _probe(second)
        template = kernels.TEMPLATE.process.pid
    finally:
        kernels.KERNELS.stop_all()
    assert one[0] != two[0], "one process per notebook"
    assert int(one[1]) == int(two[1]) == template, "forked from the template"
    assert one[2] == folder and os.path.basename(two[2]).startswith("khuyenhoc-job-"), "the job's scratch folder is the kernel's cwd"
    assert one[3] == two[3] == ":memory:", "IPython history in memory"
    assert one[4] == "True", "pandas is already imported"
    assert one[5] == two[5] == "False", "nothing leaks from one notebook to the next"
    assert not os.path.exists(folder), "the scratch folder goes with its kernel"


def test_without_the_template_kernels_are_plain_subprocesses(monkeypatch):
    monkeypatch.setattr(kernels, "TEMPLATE", kernels._Template())
    kernels.TEMPLATE.failed = True
    try:
        with kernels.fresh_kernel() as kernel:
            pid, parent, cwd, history, *_ = _probe(kernel)
    finally:
        kernels.KERNELS.stop_all()
    assert int(parent) == os.getpid() and history == ":memory:" and cwd == str(kernel.folder)


def _resources() -> tuple[int, int]:
    """This process's OS threads and open file descriptors."""
    return len(os.listdir(f"/proc/{os.getpid()}/task")), len(os.listdir(f"/proc/{os.getpid()}/fd"))


def test_a_worker_keeps_no_threads_or_sockets_of_finished_notebooks():
    """nbclient leaves running the channels of a kernel it did not start: one heartbeat thread, a zmq context and
    about a dozen descriptors per notebook, which slowed a 3,300-notebook run to a crawl before it was stopped."""
    try:
        with kernels.fresh_kernel(prepare_next=True) as kernel:
            _probe(kernel)
        before = _resources()
        for _ in range(4):
            with kernels.fresh_kernel(prepare_next=True) as kernel:
                _probe(kernel)
        after = _resources()
    finally:
        kernels.KERNELS.stop_all()
    # the leak was 3 threads and ~12 descriptors per notebook; other code may open or close a descriptor meanwhile
    assert after[0] <= before[0] and after[1] <= before[1] + 3, f"threads and descriptors (before, after four notebooks): {before}, {after}"


def test_stopping_a_kernel_stops_the_channels_of_its_clients():
    from jupyter_core.utils import run_sync

    try:
        with kernels.fresh_kernel() as kernel:
            client = kernel.manager.client()
            client.start_channels()
            run_sync(client.wait_for_ready)(timeout=60)  # kernel_info answered on shell, IOPub connected
            assert client.channels_running and kernel.manager.khuyenhoc_clients == [client]
    finally:
        kernels.KERNELS.stop_all()
    assert not client.channels_running and client.context.closed
