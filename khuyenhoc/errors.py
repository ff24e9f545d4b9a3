"""Every error khuyenhoc raises on purpose, under one root."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is not imported for errors that never carry a table
    import pandas as pd

PROBLEM_COLUMNS = ["file", "row", "column", "value", "rule", "message"]


class KhuyenhocError(Exception):
    """Root of every error this package raises on purpose."""


class InputFileError(KhuyenhocError):
    """A file that cannot be read at all (missing, empty, wrong format or encoding)."""

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class DataValidationError(KhuyenhocError):
    """The data broke the input contract; ``problems`` lists every failure.

    ``problems`` has the columns file, row (as numbered in a spreadsheet, the
    header being row 1 when it is the first line), column (the header as
    written in the file), value, rule (a stable id) and message (translated).
    """

    def __init__(self, problems: pd.DataFrame, lang: str = "vi") -> None:
        self.problems = problems.reset_index(drop=True)[PROBLEM_COLUMNS]
        self.lang = lang
        from khuyenhoc.i18n import text

        first = self.problems.iloc[0] if len(self.problems) else {"row": "?", "column": "?", "message": ""}
        super().__init__(text("problems.summary", lang, count=len(self.problems), row=first["row"], column=first["column"], message=first["message"]))


class UsageError(KhuyenhocError):
    """The command was asked for something that cannot be done (exit code 2)."""


class RunError(KhuyenhocError):
    """A batch run could not start or could not be published."""
