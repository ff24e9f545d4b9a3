"""The validation report a person reads: capped, while the Python API keeps every problem."""

from __future__ import annotations

import pandas as pd
import pytest

from khuyenhoc.cli import EXIT_FAILED, main
from khuyenhoc.errors import DataValidationError
from khuyenhoc.i18n import column_header, text
from khuyenhoc.report import REPORT_LIMIT, validation_report
from khuyenhoc.table import load_table


@pytest.fixture
def notes_only(tmp_path, sample_frame):
    """2,000 rows with only the note filled: a dozen required cells missing in each."""
    frame = pd.DataFrame({column: [None] * 2000 for column in sample_frame.columns})
    frame["note"] = "chưa nhập"
    frame.rename(columns=lambda c: column_header(c, "vi")).to_csv(tmp_path / "ghi-chu.csv", index=False)
    return tmp_path / "ghi-chu.csv"


def test_the_api_keeps_every_problem_and_the_report_lists_200_then_counts(notes_only):
    with pytest.raises(DataValidationError) as caught:
        load_table(notes_only, lang="en")
    problems = caught.value.problems
    assert len(problems) > 20_000  # every one of them, for programs
    report = validation_report(str(notes_only), problems=problems, lang="en").splitlines()
    listed = [line for line in report if line.startswith("  Row ")]
    assert len(listed) == REPORT_LIMIT
    rest = len(problems) - REPORT_LIMIT
    more = report.index(text("problems.more", "en", count=f"{rest:,}"))
    counted = report[more + 1 : -1]
    expected = problems.iloc[REPORT_LIMIT:].groupby(["rule", "column"], sort=False).size()
    assert len(counted) == len(expected)
    first_rule, first_column = expected.index[0]
    assert counted[0] == "  " + text("problems.more_line", "en", count=f"{expected.iloc[0]:,}", column=f"'{first_column}'",
                                     message=problems[problems["rule"] == first_rule]["message"].iloc[0], rule=first_rule)
    assert sum(int(line.split()[0].replace(",", "")) for line in counted) == rest
    assert report[-1] == text("problems.fix", "en")


def test_validate_prints_a_bounded_report(notes_only, capsys):
    assert main(["validate", str(notes_only)]) == EXIT_FAILED
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    assert len(lines) < REPORT_LIMIT + 40
    with pytest.raises(DataValidationError) as caught:
        load_table(notes_only)
    count = f"{len(caught.value.problems):,}".replace(",", ".")  # Vietnamese thousands
    assert lines[0] == text("problems.header", "vi", file=notes_only, count=count)
    assert any(line.startswith("… và ") and "mục nữa" in line for line in lines)


def test_a_short_report_lists_every_problem(write_csv, sample_frame):
    sample_frame.loc[3, "members"] = -1
    with pytest.raises(DataValidationError) as caught:
        load_table(write_csv(sample_frame))
    report = validation_report("x.csv", problems=caught.value.problems)
    assert text("problems.more", "vi", count=1).split("1")[0] not in report
    assert len(report.splitlines()) == 3


def test_a_long_or_unprintable_value_is_cut_and_escaped(write_csv, sample_frame):
    """Issue 22, item 14: a 5,000-character value was echoed whole; a control character raw."""
    frame = sample_frame.astype(object)
    frame.loc[3, "note"] = "x" * 5000
    frame.loc[4, "unit_name"] = "Xã\x00 An"
    with pytest.raises(DataValidationError) as caught:
        load_table(write_csv(frame))
    report = validation_report("data.csv", problems=caught.value.problems)
    long_line = next(line for line in report.splitlines() if "Dòng 5" in line)
    assert "“" + "x" * 79 + "…”" in long_line and "x" * 81 not in long_line
    assert "“Xã\\x00 An”" in report and "\x00" not in report
