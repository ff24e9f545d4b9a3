"""Plain-text reports for the terminal: validation problems and indicator tables."""

from __future__ import annotations

import pandas as pd

from babel.numbers import format_decimal

from khuyenhoc.formatting import LOCALES, format_indicator
from khuyenhoc.i18n import DEFAULT_LANG, indicator_label, text, unit_name
from khuyenhoc.indicators import REGISTRY


def _quote(value: object, lang: str) -> str:
    return f"«{value}»" if lang == "vi" else f"'{value}'"


def problem_line(problem: pd.Series, lang: str = DEFAULT_LANG) -> str:
    """One problem as a sentence: where, what value, what rule."""
    row, column = text("col.row", lang), text("col.column", lang)
    written = problem["value"]
    if isinstance(written, float):  # an Excel number cell: show it as the user's locale writes it
        written = format_decimal(written, locale=LOCALES[lang])
    value = "" if written in ("", None) else f" = {_quote(written, lang)}"
    return f"  {row} {problem['row']}, {column.lower()} {_quote(problem['column'], lang)}{value}: {problem['message']} [{problem['rule']}]"


def validation_report(source: str, problems: pd.DataFrame | None = None, warnings: pd.DataFrame | None = None, lang: str = DEFAULT_LANG) -> str:
    """The full report of a validation: every problem, then warnings."""
    lines = []
    if problems is not None and len(problems):
        lines.append(text("problems.header", lang, file=source, count=len(problems)))
        lines += [problem_line(p, lang) for _, p in problems.iterrows()]
        lines.append(text("problems.fix", lang))
    if warnings is not None and len(warnings):
        lines.append(text("warnings.header", lang))
        lines += [problem_line(w, lang) for _, w in warnings.iterrows()]
    return "\n".join(lines)


def indicator_rows(values: dict[str, int | float | None], lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """id, label, value, unit and formatted value of each indicator.

    ``value`` keeps each number as computed (9123 stays an integer, not 9123.0; undefined stays None).
    """
    rows = pd.DataFrame(
        [
            {"id": key, "label": indicator_label(key, lang), "unit": REGISTRY[key].unit,
             "unit_label": unit_name(REGISTRY[key].unit, lang), "formatted": format_indicator(key, value, lang)}
            for key, value in values.items()
        ],
        columns=["id", "label", "unit", "unit_label", "formatted"],
    )
    rows.insert(2, "value", pd.Series(list(values.values()), index=rows.index, dtype=object))
    return rows


def indicator_table(values: dict[str, int | float | None], lang: str = DEFAULT_LANG) -> str:
    """Indicators as two aligned columns: label and formatted value."""
    rows = indicator_rows(values, lang)
    width = int(rows["label"].str.len().max())
    return "\n".join(f"{label:<{width}}  {formatted:>24}" for label, formatted in zip(rows["label"], rows["formatted"], strict=True))
