"""Where bundled files live, in a source checkout and in an installed wheel."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
_CHECKOUT = PACKAGE_DIR.parent


def _bundled(name: str) -> Path:
    """``khuyenhoc/_<name>`` in a wheel; ``<name>/`` beside the package in a checkout."""
    inside = PACKAGE_DIR / f"_{name}"
    return inside if inside.is_dir() else _CHECKOUT / name


def origin_path(data_path: Path) -> Path:
    """Where the origin record of a data file lives: ``name.origin.json`` beside it."""
    return data_path.with_name(data_path.stem + ".origin.json")


def lineage_path(data_path: str | Path) -> Path:
    """Where a data file's lineage table lives beside it: ``NAME-ke-thua.csv`` (read without any flag, as the origin
    record is; a workbook may instead carry it on its sheet ``Kế thừa``)."""
    path = Path(data_path)
    return path.with_name(f"{path.stem}-ke-thua.csv")


DATA_DIR = _bundled("data")
NOTEBOOKS_DIR = _bundled("notebooks")
SAMPLE_DATA = DATA_DIR / "sample" / "bac-kan-2009-2013.csv"
PUBLISHED_DATA = DATA_DIR / "published" / "bac-kan-2013-report.csv"
