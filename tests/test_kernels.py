"""Kernels forked from a warm template through jupyter_client's provisioner seam: a fresh process per notebook,
nbclient's contract kept; a pool that owns its kernels, folders and template."""

from __future__ import annotations

import os
import signal
import sys
import time

import nbformat
import pytest
from nbclient import NotebookClient

from khuyenhoc.runner.kernels import Kernel, KernelPool
from khuyenhoc.runner.provisioner import PROVISIONER, ForkProvisioner, ForkSpecs
from khuyenhoc.runner.template import FORK_SWITCH, alive, shared_template

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork template: Linux only")

PROBE = """import os, sys
print(os.getpid(), os.getppid(), os.getcwd(), get_ipython().history_manager.hist_file, 'pandas' in sys.modules, 'leaked' in globals())
leaked = 1"""


def _probe(kernel: Kernel) -> list[str]:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(PROBE)])
    NotebookClient(notebook, km=kernel.manager, timeout=60).execute()
    return notebook.cells[0].outputs[0]["text"].split()


def test_the_provisioner_is_registered_and_selected_by_the_kernel_spec():
    """jupyter_client finds it through its entry point; the spec's metadata names it with the template's address."""
    from jupyter_client.provisioning.factory import KernelProvisionerFactory

    factory = KernelProvisionerFactory.instance()
    assert factory.get_provisioner_entries()[PROVISIONER] == "khuyenhoc.runner.provisioner:ForkProvisioner"
    spec = ForkSpecs(template="/run/template.sock").get_kernel_spec("python3")
    assert spec.metadata["kernel_provisioner"] == {"provisioner_name": PROVISIONER, "config": {"template": "/run/template.sock"}}
    made = factory.create_provisioner_instance("k1", spec, parent=None)
    assert isinstance(made, ForkProvisioner) and made.template == "/run/template.sock"
    assert "kernel_provisioner" not in ForkSpecs(template=None).get_kernel_spec("python3").metadata


@linux_only
def test_kernels_are_forks_of_the_template_and_each_notebook_gets_a_new_one(tmp_path, monkeypatch):
    """The fast test that the fork path was really used: the kernel's parent is the template."""
    monkeypatch.delenv(FORK_SWITCH, raising=False)
    with KernelPool(tmp_path) as pool:
        with pool.kernel(prepare_next=True) as first:
            one = _probe(first)
            folder, sockets = first.folder, first.sockets
            assert isinstance(first.manager.provisioner, ForkProvisioner)
        with pool.kernel() as second:
            two = _probe(second)
        template = pool.own.pid
        assert one[0] != two[0], "one process per notebook"
        assert int(one[1]) == int(two[1]) == template == first.template == second.template, "forked from the template"
        assert one[2] == str(folder) and os.path.dirname(two[2]) == str(tmp_path), "the job's scratch folder, in the pool's root, is the kernel's cwd"
        assert one[3] == two[3] == ":memory:", "IPython history in memory"
        assert one[4] == "True", "pandas is already imported"
        assert one[5] == two[5] == "False", "nothing leaks from one notebook to the next"
        assert not folder.exists() and not sockets.exists(), "the kernel's folders go with it"
    assert not alive(template), "the pool's own template ends with the pool"
    assert list(tmp_path.iterdir()) == [], "nothing the pool made is left"


@linux_only
def test_the_fork_path_does_not_switch_itself_off(tmp_path, monkeypatch):
    """A template that cannot fork is an error, never a silent fall back to plain subprocesses."""
    monkeypatch.delenv(FORK_SWITCH, raising=False)
    with KernelPool(tmp_path, template=str(tmp_path / "nobody-listens.sock")) as pool:
        with pool.kernel() as kernel:
            assert kernel.template == pool.own.pid, "an unreachable template is replaced by a fresh one, which forks"
    with KernelPool(tmp_path) as pool:
        monkeypatch.setattr(pool, "replace_template", lambda: (_ for _ in ()).throw(OSError("kernel template did not start")))
        with pytest.raises(OSError):
            pool.start()


@pytest.mark.slow
def test_switched_off_kernels_are_plain_subprocesses(tmp_path, monkeypatch):
    monkeypatch.setenv(FORK_SWITCH, "0")
    with KernelPool(tmp_path) as pool, pool.kernel() as kernel:
        pid, parent, cwd, history, *_ = _probe(kernel)
        assert pool.own is None and kernel.template is None
    assert int(parent) == os.getpid() and history == ":memory:" and cwd == str(kernel.folder)


@pytest.mark.slow
@linux_only
def test_a_dead_shared_template_is_replaced(tmp_path, monkeypatch):
    monkeypatch.delenv(FORK_SWITCH, raising=False)
    with shared_template(tmp_path) as address, KernelPool(tmp_path, address) as pool:
        with pool.kernel(prepare_next=True) as kernel:
            shared = kernel.template
            os.kill(shared, signal.SIGKILL)
            deadline = time.monotonic() + 10
            while kernel.alive() and time.monotonic() < deadline:
                time.sleep(0.05)
            assert not kernel.alive() and kernel.lost_its_template(), "its kernels die with the template"
        pool.replace_template()
        with pool.kernel() as kernel:
            assert kernel.template == pool.own.pid != shared and _probe(kernel)[1] == str(pool.own.pid)


def _resources() -> tuple[int, int]:
    """This process's OS threads and open file descriptors (once what is unreachable is collected: older
    jupyter_client releases a stopped client's zmq context only then)."""
    import gc

    gc.collect()
    return len(os.listdir(f"/proc/{os.getpid()}/task")), len(os.listdir(f"/proc/{os.getpid()}/fd"))


@pytest.mark.slow
@linux_only
def test_a_worker_keeps_no_threads_or_sockets_of_finished_notebooks(tmp_path):
    """nbclient leaves running the channels of a kernel it did not start: one heartbeat thread, a zmq context and
    about a dozen descriptors per notebook, which slowed a 3,300-notebook run to a crawl before it was stopped."""
    with KernelPool(tmp_path) as pool:
        with pool.kernel(prepare_next=True) as kernel:
            _probe(kernel)
        before = _resources()
        for _ in range(4):
            with pool.kernel(prepare_next=True) as kernel:
                _probe(kernel)
        after = _resources()
    # the leak was 3 threads and ~12 descriptors per notebook; other code may open or close a descriptor meanwhile
    assert after[0] <= before[0] and after[1] <= before[1] + 3, f"threads and descriptors (before, after four notebooks): {before}, {after}"


@pytest.mark.slow
@linux_only
def test_stopping_a_kernel_stops_the_channels_of_its_clients(tmp_path):
    from jupyter_core.utils import run_sync

    with KernelPool(tmp_path) as pool, pool.kernel() as kernel:
        client = kernel.manager.client()
        client.start_channels()
        run_sync(client.wait_for_ready)(timeout=60)  # kernel_info answered on shell, IOPub connected
        assert client.channels_running and kernel.manager.clients == [client]
    assert not client.channels_running and kernel.manager is None
