"""The batch runner: plan → cache check → execute (pool or Dask) → export → publish → index."""

from khuyenhoc.runner.batch import run_batch
from khuyenhoc.runner.records import RunOptions, RunOutcome

__all__ = ["RunOptions", "RunOutcome", "run_batch"]
