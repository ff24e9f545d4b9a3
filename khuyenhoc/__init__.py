"""khuyenhoc: analytics for Vietnam's study-encouragement associations (Hội Khuyến học)."""

from __future__ import annotations

__version__ = "0.1.0"

from khuyenhoc.errors import DataValidationError, InputFileError, KhuyenhocError  # noqa: E402
from khuyenhoc.indicators import INDICATORS, REGISTRY, compute, compute_frame, to_json  # noqa: E402
from khuyenhoc.table import YearlyTable, load_table, table_from_frame  # noqa: E402

__all__ = [
    "INDICATORS",
    "REGISTRY",
    "DataValidationError",
    "InputFileError",
    "KhuyenhocError",
    "YearlyTable",
    "__version__",
    "compute",
    "compute_frame",
    "load_table",
    "table_from_frame",
    "to_json",
]
