"""The note sent back with a file left out: its problems in the sender's terms (cell, value, rule, fix)."""

from __future__ import annotations

from dataclasses import asdict

import pandas as pd
from openpyxl.utils import get_column_letter

from khuyenhoc.collect import FileResult, Status
from khuyenhoc.i18n import DEFAULT_LANG, quote, template_help, text, text_count
from khuyenhoc.report import REPORT_LIMIT, shown_value
from khuyenhoc.schema import canonical_column
from khuyenhoc.validate import suggested_fix

INDENT = "   "  # under the problem's number


def column_letters(result: FileResult) -> dict[str, str]:
    """Header as written -> the column letter Excel shows for it (the same position in a CSV opened in Excel)."""
    if result.raw is None:
        return {}
    return {result.raw.headers[name]: get_column_letter(position + 1) for name, position in result.raw.positions.items()
            if name in result.raw.headers}


def fix_line(problem: pd.Series, lang: str = DEFAULT_LANG) -> str | None:
    """What to write: the certain fix when there is one (9,123 → 9.123), else how the column is filled in."""
    certain = suggested_fix(problem["rule"], problem["value"])
    if certain is not None:
        return INDENT + text("feedback.fix", lang, fix=text("feedback.fix_value", lang, value=quote(certain, lang)))
    column = canonical_column(problem["column"])
    return INDENT + text("feedback.how", lang, help=template_help(column, lang)) if column is not None else None


def problem_lines(problems: pd.DataFrame, letters: dict[str, str], lang: str = DEFAULT_LANG) -> list[str]:
    """Each problem of the table ``validate`` reports, as the sender finds it in Excel: cell, value, rule, fix;
    the first :data:`~khuyenhoc.report.REPORT_LIMIT` of them, then how many more."""
    lines = []
    for number, (_, problem) in enumerate(problems.head(REPORT_LIMIT).iterrows(), start=1):
        written = shown_value(problem["value"], lang)
        value = text("feedback.written", lang, value=quote(written, lang)) if written else text("feedback.blank", lang)
        letter = letters.get(problem["column"])
        where = {"number": number, "row": problem["row"], "column": problem["column"], "value": value}
        lines.append(text("feedback.cell", lang, cell=f"{letter}{problem['row']}", letter=letter, **where) if letter
                     else text("feedback.row", lang, **where))
        lines.append(INDENT + text("feedback.rule", lang, message=problem["message"]))
        fix = fix_line(problem, lang)
        if fix:
            lines.append(fix)
    if len(problems) > REPORT_LIMIT:
        lines.append(text_count("feedback.more", len(problems) - REPORT_LIMIT, lang))
    return lines


def feedback_text(result: FileResult, lang: str = DEFAULT_LANG) -> str:
    """The whole note for a file left out (plain text: it reads the same in an e-mail, a chat or Notepad)."""
    lines = [text("feedback.title", lang, file=result.name), ""]
    if result.status is Status.UNREADABLE:
        lines.append(text("feedback.unreadable", lang, reason=result.reason))
    elif result.status is Status.DUPLICATE:
        lines.append(text("feedback.duplicate", lang, **asdict(result.duplicate)))
    elif result.status is Status.HELD:
        lines.append(text("feedback.held", lang, **asdict(result.waiting)))
    else:
        lines += [text_count("feedback.rejected", len(result.problems), lang), ""]
        lines += problem_lines(result.problems, column_letters(result), lang)
    return "\n".join(lines) + "\n"
