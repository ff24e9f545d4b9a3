"""What a unit id may be: it names files and folders of the reports (no pandas here: the runner's no-op path uses it)."""

from __future__ import annotations

import re

# names Windows keeps for devices: a file or folder so named cannot be opened there (reports are read on Windows)
WINDOWS_RESERVED = ("con", "prn", "aux", "nul", *(f"com{n}" for n in range(1, 10)), *(f"lpt{n}" for n in range(1, 10)))
UNIT_ID_PATTERN = rf"^(?!(?:{'|'.join(WINDOWS_RESERVED)})$)[a-z0-9_-]{{1,64}}$"
_UNIT_ID = re.compile(UNIT_ID_PATTERN)


def is_unit_id(value: object) -> bool:
    """Whether ``value`` may be a unit id (a str that may name a file or folder of the reports)."""
    return isinstance(value, str) and _UNIT_ID.fullmatch(value) is not None
