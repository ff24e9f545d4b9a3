"""Characters text may not carry: control characters refused in input and options, removed defensively by the Word
and Excel writers, and shown escaped (and cut) in messages. No pandas here: the command line checks options with it."""

from __future__ import annotations

import re

# C0 controls except tab, line feed and carriage return (whitespace a cell may hold), DEL and the C1 controls:
# never text anyone meant to write; python-docx and openpyxl refuse most of them
CONTROL_CLASS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
CONTROL = re.compile(f"[{CONTROL_CLASS}]")
NO_CONTROL_PATTERN = rf"^[^{CONTROL_CLASS}]*\Z"  # a whole text without any (pandera's str_matches)
# what XML 1.0 (so .docx and .xlsx) cannot hold at all
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f]")  # in a one-line message, line breaks and tabs are escaped too
SHOWN_LIMIT = 80  # characters of a value echoed in a message
# what spreadsheet programs read as the start of a formula in a CSV cell (OWASP, "CSV Injection")
CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?[\d.,]+%?\Z")  # "-5,6" or "-2.5%": a number to Excel, not a formula


def control_characters(value: str) -> list[str]:
    """The control characters of ``value`` as U+XXXX codes, each once, in order of appearance."""
    return list(dict.fromkeys(f"U+{ord(found):04X}" for found in CONTROL.findall(value)))


def xml_safe(value: str) -> str:
    """``value`` without the characters XML cannot hold (what a writer stores when validation was bypassed)."""
    return _XML_ILLEGAL.sub("", value)


def shown(value: object, limit: int = SHOWN_LIMIT) -> str:
    """``value`` for a one-line message: control characters, tabs and line breaks escaped (``\\x00``), cut to
    ``limit`` characters with "…"."""
    written = _UNPRINTABLE.sub(lambda found: f"\\x{ord(found.group()):02x}", str(value))
    return written if len(written) <= limit else written[: limit - 1] + "…"


def truncated(value: str, limit: int) -> str:
    """``value`` cut to at most ``limit`` characters, ending with "…" when cut."""
    return value if len(value) <= limit else value[: limit - 1] + "…"


def csv_quoted(value: object) -> object:
    """A text cell for a CSV file opened in a spreadsheet program: one that would start a formula (``=``, ``+``,
    ``-``, ``@``, tab, carriage return) gets a leading ``'`` (the OWASP advice); numbers, and text that is only a
    signed number ("-5,6"), are left alone."""
    if isinstance(value, str) and value.startswith(CSV_FORMULA_START) and not PLAIN_NUMBER.match(value):
        return f"'{value}"
    return value


def csv_unquoted(value: object) -> object:
    """The cell :func:`csv_quoted` was given: its ``'`` taken off again, so a CSV the package wrote reads back as it was
    (a unit id ``-xa-a`` stays valid). Any other text is left alone."""
    if isinstance(value, str) and value.startswith("'") and csv_quoted(value[1:]) == value:
        return value[1:]
    return value
