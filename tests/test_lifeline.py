"""A run that is told to stop ends within its grace period, even when stopping its workers hangs."""

from __future__ import annotations

import subprocess
import sys
import time

PROBE = """
import time
from khuyenhoc.runner import lifeline
lifeline.farewell = "Đã dừng giữa chừng"
lifeline.wind_down_deadline(seconds=1.0)
lifeline.wind_down_deadline(seconds=60.0)  # a second interrupt does not move the deadline
time.sleep(60)  # a worker that never answers
"""


def test_the_wind_down_deadline_ends_a_hung_run():
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 130
    assert result.stdout.strip() == "Đã dừng giữa chừng"
    assert time.monotonic() - started < 20
