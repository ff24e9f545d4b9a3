"""Debian's headless Chromium for the browser tests: where it is, why a test is skipped, how it is started."""

from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
# no network chatter, no sandbox as root, and containers often have a tiny /dev/shm
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-dev-shm-usage"]
MARKS = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no browser: {CHROMIUM} is missing (Debian: apt-get install chromium)"),
]


def launched(sync_api):
    """A context manager yielding a headless Chromium (playwright's sync API passed in: it may be missing)."""
    from contextlib import contextmanager

    @contextmanager
    def browser():
        with sync_api.sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
            yield chromium
            chromium.close()

    return browser()
