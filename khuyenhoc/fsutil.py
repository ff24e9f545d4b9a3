"""Write files whole or not at all (temporary file in the same folder, then rename)."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


def sha256_checksum(data: bytes) -> str:
    """sha256 of bytes, as ``sha256:<hex>`` (the form every checksum in manifests and summaries takes)."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically: readers see the old file or the new one, never half."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes 0600; reports are meant to be shared
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def atomic_write_text(path: str | Path, content: str) -> Path:
    """Write UTF-8 text atomically."""
    return atomic_write_bytes(path, content.encode("utf-8"))
