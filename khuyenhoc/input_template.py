"""An empty input workbook for commune staff: Vietnamese headers, instructions, Excel data validation."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from khuyenhoc.fsutil import atomic_write_bytes
from khuyenhoc.i18n import DEFAULT_LANG, column_header, rule_message, template_help, text
from khuyenhoc.schema import AMOUNT_RULES, COLUMNS, NOT_ABOVE, YEAR_RANGE, ColumnSpec

# the level words offered in the template's drop-down (every other alias is still read back)
LEVEL_CHOICES = ["xã", "phường", "thị trấn", "đặc khu", "huyện", "quận", "thị xã", "thành phố", "tỉnh", "trung ương"]

TEMPLATE_ROWS = 500
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def _guide_header(column: str, lang: str) -> str:
    """The header as written in the data sheet, with its translation when the guide is not in Vietnamese."""
    written = column_header(column, "vi")
    return written if lang == "vi" else f"{written} ({column_header(column, lang)})"


def build_template(lang: str = DEFAULT_LANG) -> Workbook:
    """The workbook: a data sheet with headers and validation, and an instructions sheet.

    The data sheet always carries the Vietnamese headers of the input contract, which the loader
    reads; ``lang`` is the language of the sheet names, the instructions and the error messages.
    """
    workbook = Workbook()
    data = workbook.active
    data.title = text("template.data_sheet", lang)
    write_headers(data, COLUMNS, 1)
    add_checks(data, COLUMNS, 2, TEMPLATE_ROWS + 1, lang)
    data.freeze_panes = "A2"
    add_instructions(workbook, COLUMNS, lang)
    return workbook


def write_headers(sheet: Worksheet, columns: Sequence[ColumnSpec], row: int) -> None:
    """The Vietnamese headers of ``columns`` in ``row``, bold on the header fill, each column wide enough."""
    for position, spec in enumerate(columns, start=1):
        cell = sheet.cell(row=row, column=position, value=column_header(spec.name, "vi"))
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[get_column_letter(position)].width = max(12, len(cell.value) + 4)


def add_checks(sheet: Worksheet, columns: Sequence[ColumnSpec], first_row: int, last_row: int, lang: str) -> None:
    """Excel's checks of each column's cells from ``first_row`` to ``last_row`` (see :func:`_validation`)."""
    letters = {spec.name: get_column_letter(position) for position, spec in enumerate(columns, start=1)}
    for spec in columns:
        rule = _validation(spec.name, spec.kind, lang, letters, first_row)
        if rule is not None:
            sheet.add_data_validation(rule)
            rule.add(f"{letters[spec.name]}{first_row}:{letters[spec.name]}{last_row}")


def add_instructions(workbook: Workbook, columns: Sequence[ColumnSpec], lang: str) -> Worksheet:
    """The instructions sheet: a title, then each column's header and how to fill it in."""
    guide = workbook.create_sheet(text("template.instructions_sheet", lang))
    guide.append([text("template.instructions_title", lang)])
    guide["A1"].font = Font(bold=True, size=13)
    guide.append([])
    guide.append([text("template.col_header", lang), text("template.col_rule", lang)])
    for cell in guide[3]:
        cell.font = Font(bold=True)
    for spec in columns:
        guide.append([_guide_header(spec.name, lang), template_help(spec.name, lang)])
    guide.column_dimensions["A"].width = 26 if lang == "vi" else 48
    guide.column_dimensions["B"].width = 100
    return guide


CAPPED = {part: (rule, limit) for rule, (part, limit) in NOT_ABOVE.items()}  # column -> (rule id, the column it may not exceed)
AMOUNTS = {value: (rule, count) for rule, (count, value) in AMOUNT_RULES.items()}  # a value in đồng -> (rule id, its count)


def _validation(name: str, kind: str, lang: str, letters: dict[str, str], row: int = 2) -> DataValidation | None:
    """Excel's check of a column's cells from ``row`` down (the rules of khuyenhoc.schema that one row can show), or None."""
    if name in CAPPED and CAPPED[name][1] in letters:  # a whole number from 0 up to the row's value in another column (when that one is filled)
        rule, limit = CAPPED[name]
        own, other = f"{letters[name]}{row}", f"{letters[limit]}{row}"  # relative: Excel moves them down the range
        formula = f"AND(ISNUMBER({own}),{own}>=0,{own}=INT({own}),OR(ISBLANK({other}),{own}<={other}))"
        column = text("template.column", lang, letter=letters[limit])
        return DataValidation(type="custom", formula1=formula, allow_blank=True, showErrorMessage=True,
                              error=_error(rule, lang, total=column, registered=column) + ". " + _error("non_negative", lang))
    if name in AMOUNTS and AMOUNTS[name][1] in letters:  # whole đồng from 0 up, and 0 when the row's count is 0 (a blank count leaves it free)
        rule, count = AMOUNTS[name]
        own, other = f"{letters[name]}{row}", f"{letters[count]}{row}"
        formula = f"AND(ISNUMBER({own}),{own}>=0,{own}=INT({own}),OR(ISBLANK({other}),{other}<>0,{own}=0))"
        return DataValidation(type="custom", formula1=formula, allow_blank=True, showErrorMessage=True,
                              error=_error(rule, lang) + ". " + _error("non_negative", lang))
    if name == "year":
        low, high = YEAR_RANGE
        return DataValidation(type="whole", operator="between", formula1=str(low), formula2=str(high), showErrorMessage=True,
                              error=_error("year_range", lang, low=low, high=high))
    if kind == "integer":
        return DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", showErrorMessage=True,
                              error=_error("non_negative", lang))
    if kind == "level":
        choices = LEVEL_CHOICES
        return DataValidation(type="list", formula1='"' + ",".join(choices) + '"', showErrorMessage=True, error=_error("level_value", lang))
    return None


def _error(rule: str, lang: str, **values: object) -> str:
    return rule_message(rule, lang, **values)[:120]  # two of them fit Excel's 255 characters


def write_template(path: str | Path, lang: str = DEFAULT_LANG) -> Path:
    """Write the template workbook to ``path`` atomically."""
    buffer = io.BytesIO()
    build_template(lang).save(buffer)
    return atomic_write_bytes(path, buffer.getvalue())
