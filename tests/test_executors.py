"""runner/executors.py: the executors by name behind one protocol; a provider module is imported when first asked for."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from khuyenhoc.runner import executors
from khuyenhoc.runner.records import JobResult, JobStatus, RunOptions

OPTIONS = RunOptions(Path("d.csv"), Path("out"))


def test_the_options_name_the_executor():
    assert executors.executor_name(OPTIONS) == "pool"
    assert executors.executor_name(RunOptions(Path("d.csv"), Path("out"), scheduler="local")) == "dask"
    assert executors.executor_name(RunOptions(Path("d.csv"), Path("out"), scheduler="tcp://10.0.0.5:8786")) == "dask"


def test_the_pool_is_the_default_and_forks_from_the_local_template():
    from khuyenhoc.runner.pool import LocalPool

    pool = executors.executor_for(OPTIONS)
    assert isinstance(pool, LocalPool) and pool.local_kernels is True


def test_dask_is_registered_by_its_module_when_first_asked_for(monkeypatch):
    monkeypatch.delitem(sys.modules, "khuyenhoc.runner.cluster", raising=False)
    monkeypatch.setattr(executors, "_FACTORIES", {name: f for name, f in executors._FACTORIES.items() if name != executors.DASK})
    local = executors.executor_for(RunOptions(Path("d.csv"), Path("out"), scheduler="local"))
    remote = executors.get_executor("dask", RunOptions(Path("d.csv"), Path("out"), scheduler="tcp://10.0.0.5:8786"))
    assert "khuyenhoc.runner.cluster" in sys.modules
    assert (type(local).__name__, local.address, local.local_kernels) == ("DaskExecutor", "local", True)
    assert (remote.address, remote.local_kernels) == ("tcp://10.0.0.5:8786", False), "a remote worker cannot reach the template"


def test_a_registered_executor_is_found_by_its_name(monkeypatch):
    monkeypatch.setattr(executors, "_FACTORIES", dict(executors._FACTORIES))

    class Inline:
        local_kernels = False

        def prepare(self) -> None:
            pass

        def __call__(self, jobs, data, notebooks, options):
            return iter(JobResult(job.key, JobStatus.OK, 0.0) for job in jobs)

    executors.register("inline", lambda options: Inline())
    assert isinstance(executors.get_executor("inline", OPTIONS), Inline)
    with pytest.raises(KeyError):
        executors.get_executor("nowhere", OPTIONS)
