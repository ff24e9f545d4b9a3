"""The batch runner: plan → cache check → execute (pool or Dask) → export → publish → index."""

from khuyenhoc.runner.batch import RunOptions, RunOutcome, run_batch

__all__ = ["RunOptions", "RunOutcome", "run_batch"]
