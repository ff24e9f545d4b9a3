"""runner/pool.py: the local executor's parts that need no worker (the pool itself runs in test_runner.py and
test_runner_faults.py, whose dying workers exercise the retry)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from khuyenhoc.runner import pool
from khuyenhoc.runner.records import Job


def _job(key: str) -> Job:
    return Job(key, "trends", {}, f"{key}.ipynb", f"{key}.html")


def test_a_started_marker_is_one_short_file_name_per_job():
    run_dir = Path("/run/abc")
    first, again, other = pool._marker(run_dir, _job("2013/units/xa-a")), pool._marker(run_dir, _job("2013/units/xa-a")), pool._marker(run_dir, _job("trends"))
    assert first == again and first != other
    assert first.parent == run_dir / "started" and len(first.name) == 32 and "/" not in first.name


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the fork server is Linux's")
def test_workers_fork_from_a_server_that_preloaded_the_heavy_modules():
    context = pool._pool_context()
    assert context.get_start_method() == "forkserver"


def test_the_pool_executor_starts_its_server_when_prepared(monkeypatch):
    started = []
    monkeypatch.setattr(pool, "start_pool_server", lambda: started.append(True))
    executor = pool.LocalPool()
    executor.prepare()
    assert started == [True] and executor.local_kernels
