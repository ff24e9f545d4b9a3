"""What a unit id may be: it names files and folders of the reports (no pandas here: the runner's no-op path uses it)."""

from __future__ import annotations

UNIT_ID_PATTERN = r"^[a-z0-9_-]{1,64}$"
