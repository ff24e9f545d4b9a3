"""An empty input workbook for commune staff: Vietnamese headers, instructions, Excel data validation."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from khuyenhoc.fsutil import atomic_write_bytes
from khuyenhoc.i18n import DEFAULT_LANG, column_header, rule_message, template_help, text
from khuyenhoc.schema import AMOUNT_RULES, COLUMNS, NOT_ABOVE, YEAR_RANGE

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
    last_row = TEMPLATE_ROWS + 1
    letters = {spec.name: get_column_letter(position) for position, spec in enumerate(COLUMNS, start=1)}
    for position, spec in enumerate(COLUMNS, start=1):
        cell = data.cell(row=1, column=position, value=column_header(spec.name, "vi"))
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        letter = get_column_letter(position)
        data.column_dimensions[letter].width = max(12, len(cell.value) + 4)
        cells = f"{letter}2:{letter}{last_row}"
        rule = _validation(spec.name, spec.kind, lang, letters)
        if rule is not None:
            data.add_data_validation(rule)
            rule.add(cells)
    data.freeze_panes = "A2"

    guide = workbook.create_sheet(text("template.instructions_sheet", lang))
    guide.append([text("template.instructions_title", lang)])
    guide["A1"].font = Font(bold=True, size=13)
    guide.append([])
    guide.append([text("template.col_header", lang), text("template.col_rule", lang)])
    for cell in guide[3]:
        cell.font = Font(bold=True)
    for spec in COLUMNS:
        guide.append([_guide_header(spec.name, lang), template_help(spec.name, lang)])
    guide.column_dimensions["A"].width = 26 if lang == "vi" else 48
    guide.column_dimensions["B"].width = 100
    return workbook


CAPPED = {part: (rule, limit) for rule, (part, limit) in NOT_ABOVE.items()}  # column -> (rule id, the column it may not exceed)
AMOUNTS = {value: (rule, count) for rule, (count, value) in AMOUNT_RULES.items()}  # a value in đồng -> (rule id, its count)


def _validation(name: str, kind: str, lang: str, letters: dict[str, str]) -> DataValidation | None:
    """Excel's check of a column's cells (the rules of khuyenhoc.schema that one row can show), or None."""
    if name in CAPPED:  # a whole number from 0 up to the row's value in another column (when that one is filled)
        rule, limit = CAPPED[name]
        own, other = f"{letters[name]}2", f"{letters[limit]}2"  # relative: Excel moves them down the range
        formula = f"AND(ISNUMBER({own}),{own}>=0,{own}=INT({own}),OR(ISBLANK({other}),{own}<={other}))"
        column = text("template.column", lang, letter=letters[limit])
        return DataValidation(type="custom", formula1=formula, allow_blank=True, showErrorMessage=True,
                              error=_error(rule, lang, total=column, registered=column) + ". " + _error("non_negative", lang))
    if name in AMOUNTS:  # a whole number of đồng from 0 up, and 0 when the row's count is 0 (a blank count leaves it free)
        rule, count = AMOUNTS[name]
        own, other = f"{letters[name]}2", f"{letters[count]}2"
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
