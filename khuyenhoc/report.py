"""Plain-text reports for the terminal: validation problems and indicator tables."""

from __future__ import annotations

import pandas as pd
from babel.numbers import format_decimal

from khuyenhoc.formatting import LOCALES, format_indicator
from khuyenhoc.i18n import DEFAULT_LANG, indicator_label, quote, text, measure_name
from khuyenhoc.indicators import REGISTRY
from khuyenhoc.safetext import shown

REPORT_LIMIT = 200  # problems listed one per line; the rest are counted by rule and column


def shown_value(written: object, lang: str = DEFAULT_LANG) -> str:
    """A problem's value as the user wrote it, for a message: an Excel number cell as the user's locale writes it, text
    with its control characters escaped and cut (:func:`~khuyenhoc.safetext.shown`); "" for none."""
    if written is None or (isinstance(written, float) and written != written):
        return ""
    if isinstance(written, float):
        return format_decimal(written, locale=LOCALES[lang])
    return shown(written)  # escaped, cut to 80 characters


def problem_line(problem: pd.Series, lang: str = DEFAULT_LANG, verbose: bool = False) -> str:
    """One problem as a sentence: where, what value, what is wrong (and the rule's id with ``verbose``)."""
    row, column = text("col.row", lang), text("col.column", lang)
    written = shown_value(problem["value"], lang)
    value = "" if written == "" else f" = {quote(written, lang)}"
    rule = f" [{problem['rule']}]" if verbose else ""
    return f"  {row} {problem['row']}, {column.lower()} {quote(problem['column'], lang)}{value}: {problem['message']}{rule}"


def _listed(rows: pd.DataFrame, lang: str, verbose: bool = False) -> list[str]:
    """The first :data:`REPORT_LIMIT` rows one per line; the rest counted by rule and column."""
    lines = [problem_line(p, lang, verbose) for _, p in rows.head(REPORT_LIMIT).iterrows()]
    rest = rows.iloc[REPORT_LIMIT:]
    if len(rest):
        lines.append(text("problems.more", lang, count=_count(len(rest), lang)))
        for (rule, column), group in rest.groupby(["rule", "column"], sort=False):
            line = text("problems.more_line", lang, count=_count(len(group), lang), column=quote(column, lang), message=group["message"].iloc[0])
            lines.append("  " + line + (f" [{rule}]" if verbose else ""))
    return lines


def _count(number: int, lang: str) -> str:
    return format_decimal(number, locale=LOCALES[lang])


def validation_report(source: str, problems: pd.DataFrame | None = None, warnings: pd.DataFrame | None = None, lang: str = DEFAULT_LANG,
                      verbose: bool = False) -> str:
    """The report of a validation: problems, then warnings, each listed up to :data:`REPORT_LIMIT`
    lines and then counted by rule and column (the frames themselves keep every one). Rule ids
    (``[fractional]``) only with ``verbose``: people fixing a spreadsheet read the message."""
    lines = []
    if problems is not None and len(problems):
        files = list(dict.fromkeys(problems["file"])) if "file" in problems and problems["file"].nunique() > 1 else [None]
        for file in files:  # the data and its lineage table: each file's problems under its own name
            own = problems if file is None else problems[problems["file"] == file]
            lines.append(text("problems.header", lang, file=source if file is None else file, count=_count(len(own), lang)))
            lines += _listed(own, lang, verbose)
        lines.append(text("problems.fix", lang))
    if warnings is not None and len(warnings):
        lines.append(text("warnings.header", lang))
        lines += _listed(warnings, lang, verbose)
    return "\n".join(lines)


def indicator_rows(values: dict[str, int | float | None], lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """id, label, value, unit and formatted value of each indicator.

    ``value`` keeps each number as computed (9123 stays an integer, not 9123.0; undefined stays None).
    """
    rows = pd.DataFrame(
        [
            {"id": key, "label": indicator_label(key, lang), "unit": REGISTRY[key].measure,
             "unit_label": measure_name(REGISTRY[key].measure, lang), "formatted": format_indicator(key, value, lang)}
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
