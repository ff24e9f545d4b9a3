"""The executors a run can use, by name, behind one protocol (as papermill's engines sit behind a registry).

``pool`` (:mod:`khuyenhoc.runner.pool`) runs the jobs in this machine's worker processes; ``dask``
(:mod:`khuyenhoc.runner.cluster`) runs them as tasks on a Dask cluster. A module registers its executor when it is
imported; the registry imports it the first time its name is asked for (so dask is imported only for ``--scheduler``).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol

from khuyenhoc.runner.records import Job, JobResult, RunOptions

POOL, DASK = "pool", "dask"
PROVIDERS = {POOL: "khuyenhoc.runner.pool", DASK: "khuyenhoc.runner.cluster"}  # name -> the module that registers it


class NamedExecutor(Protocol):
    """A registered executor: a :class:`~khuyenhoc.runner.records.Executor` the run can also prepare."""

    local_kernels: bool  # its workers run on this machine: they fork their kernels from the run's kernel template

    def prepare(self) -> None: ...  # start what it needs, while the run writes its snapshot

    def __call__(self, jobs: list[Job], data: Path, notebooks: Path, options: RunOptions) -> Iterator[JobResult]: ...


_FACTORIES: dict[str, Callable[[RunOptions], NamedExecutor]] = {}


def register(name: str, factory: Callable[[RunOptions], NamedExecutor]) -> None:
    """Make ``factory`` (the run's options -> an executor) the executor called ``name``."""
    _FACTORIES[name] = factory


def executor_name(options: RunOptions) -> str:
    """The executor a run's options ask for: Dask when a scheduler is named, else the local pool."""
    return DASK if options.scheduler else POOL


def get_executor(name: str, options: RunOptions) -> NamedExecutor:
    """The executor called ``name``, made for ``options`` (KeyError for a name nobody registered)."""
    if name not in _FACTORIES and name in PROVIDERS:
        importlib.import_module(PROVIDERS[name])
    return _FACTORIES[name](options)


def executor_for(options: RunOptions) -> NamedExecutor:
    return get_executor(executor_name(options), options)
