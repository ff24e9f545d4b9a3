"""The key figures the index shows beside each report: recorded with their measure and precision when the report
is published, and formatted from that record with Babel alone (a no-op re-run never imports the analysis stack)."""

from __future__ import annotations

import json

from khuyenhoc.formatting import format_value
from khuyenhoc.i18n import text

KEY_FIGURES = ("members", "fund_total_vnd")  # in the order the index shows them
WITHOUT_UNIT = {"members"}  # its label says the unit ("1.399 hội viên")


def key_figures(summary_json: bytes | None) -> dict:
    """The key figures of a report's summary.json: id -> value, measure, precision, signed (from the registry,
    which a run that executed the report has imported anyway); {} when it has none or cannot be read."""
    try:
        indicators = json.loads(summary_json or b"{}").get("indicators", {})
        values = {key: indicators[key]["value"] for key in KEY_FIGURES if key in indicators}
    except (ValueError, AttributeError, KeyError, TypeError):
        return {}
    from khuyenhoc.indicators import REGISTRY

    return {key: {"value": value, "measure": REGISTRY[key].measure, "precision": REGISTRY[key].precision, "signed": REGISTRY[key].signed}
            for key, value in values.items()}


def _formatted(key: str, figure: object, lang: str) -> str | None:
    with_unit = key not in WITHOUT_UNIT
    if isinstance(figure, dict):
        try:
            if figure.get("value") is None:
                return None
            return format_value(figure["value"], str(figure["measure"]), int(figure["precision"]), lang, bool(figure.get("signed")), with_unit)
        except (KeyError, TypeError, ValueError, ArithmeticError):
            return None
    if isinstance(figure, int | float) and not isinstance(figure, bool):  # a manifest of an earlier version: a bare value
        from khuyenhoc.formatting import format_indicator

        return format_indicator(key, figure, lang, with_unit=with_unit)
    return None


def shown(figures: object, lang: str) -> str:
    """The key figures as the index writes them ("1.399 hội viên · quỹ 343.380.000 đồng"); "" without any."""
    if not isinstance(figures, dict):
        return ""
    parts = [(key, _formatted(key, figures.get(key), lang)) for key in KEY_FIGURES]
    return " · ".join(text(f"index.figure.{key}", lang, value=value) for key, value in parts if value is not None)
