"""khuyenhoc: analytics for Vietnam's study-encouragement associations (Hội Khuyến học).

The public names below are imported on first use, so that ``khuyenhoc run`` can
answer a no-op re-run without importing pandas.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__version__ = "0.2.1"

_EXPORTS = {
    "DataValidationError": "khuyenhoc.errors",
    "InputFileError": "khuyenhoc.errors",
    "KhuyenhocError": "khuyenhoc.errors",
    "INDICATORS": "khuyenhoc.indicators",
    "REGISTRY": "khuyenhoc.indicators",
    "compute": "khuyenhoc.indicators",
    "compute_frame": "khuyenhoc.indicators",
    "indicators_frame": "khuyenhoc.indicators",
    "pivot_indicator": "khuyenhoc.indicators",
    "to_json": "khuyenhoc.indicators",
    "YearlyTable": "khuyenhoc.table",
    "load_table": "khuyenhoc.table",
    "check_file": "khuyenhoc.table",
    "findings_frame": "khuyenhoc.reports.formatted",
    "checks_frame": "khuyenhoc.reports.formatted",
    "export_excel": "khuyenhoc.excel_export",
    "table_from_frame": "khuyenhoc.table",
    "Lineage": "khuyenhoc.lineage",
    "restatement": "khuyenhoc.restate",
    "restated_history": "khuyenhoc.restate",
    "Analysis": "khuyenhoc.indicators",
    "analyse": "khuyenhoc.indicators",
}
__all__ = ["__version__", *_EXPORTS]

if TYPE_CHECKING:
    from khuyenhoc.errors import DataValidationError, InputFileError, KhuyenhocError
    from khuyenhoc.lineage import Lineage
    from khuyenhoc.restate import restated_history, restatement
    from khuyenhoc.indicators import INDICATORS, REGISTRY, Analysis, analyse, compute, compute_frame, indicators_frame, pivot_indicator, to_json
    from khuyenhoc.excel_export import export_excel
    from khuyenhoc.reports.formatted import checks_frame, findings_frame
    from khuyenhoc.table import YearlyTable, check_file, load_table, table_from_frame


def __getattr__(name: str) -> object:
    """Import a public name on first use."""
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'khuyenhoc' has no attribute {name!r}")


def __dir__() -> list[str]:
    """The public API (what ``kh.<Tab>`` completes), not this module's helpers."""
    return sorted(__all__)
