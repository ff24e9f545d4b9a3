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
