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

    found = {key: {"value": value, "measure": REGISTRY[key].measure, "precision": REGISTRY[key].precision, "signed": REGISTRY[key].signed}
             for key, value in values.items()}
    rows = _compared(summary_json)
    if rows:
        keys = sorted({key for row in rows for key in row["figures"] if key in REGISTRY})
        found["compared"] = {"rows": rows, "measures": {key: [REGISTRY[key].measure, REGISTRY[key].precision, REGISTRY[key].signed] for key in keys}}
    return found


def _compared(summary_json: bytes | None) -> list[dict]:
    """The compared units of a summary.json (render/markdown.py's ``compared``), checked for shape; [] without."""
    try:
        rows = json.loads(summary_json or b"{}").get("compared") or []
        return [{"unit_id": str(r["unit_id"]), "name": str(r["name"]), "level": r.get("level"),
                 "figures": {str(k): v for k, v in r["figures"].items() if v is None or (isinstance(v, int | float) and not isinstance(v, bool))},
                 "attention": [str(kind) for kind in r.get("attention") or [] if isinstance(kind, str)]}
                for r in rows]
    except (ValueError, AttributeError, KeyError, TypeError):
        return []


def value_text(value: object, spec: object, lang: str) -> str:
    """One recorded dashboard value, formatted from its recorded [measure, precision, signed]; "" when undefined."""
    if not isinstance(value, int | float) or isinstance(value, bool) or not isinstance(spec, list | tuple) or len(spec) != 3:
        return ""
    try:
        return format_value(value, str(spec[0]), int(spec[1]), lang, bool(spec[2]), False)
    except (KeyError, TypeError, ValueError, ArithmeticError):
        return ""


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
