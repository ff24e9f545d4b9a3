"""The yearly report's tables, one per declared section: previous year, this year and change written once."""

from __future__ import annotations

import io

import openpyxl
import pytest

from khuyenhoc.indicators import analyse
from khuyenhoc.render.excel import to_xlsx
from khuyenhoc.reports import sections, tables
from khuyenhoc.reports.annual import AnnualSummary
from khuyenhoc.reports.sections import SECTIONS, Column, Section
from khuyenhoc.reports.tables import Kind, report_tables, section_table


@pytest.fixture(scope="module")
def town(sample_table) -> AnnualSummary:
    return AnnualSummary(analyse(sample_table), 2013, area_id="thi-hoi")


def test_one_table_per_section_in_order(town):
    assert [section.key for section in SECTIONS] == ["members", "families", "training", "fund", "organisation", "learning_citizens",
                                                     "support", "centres"]
    # a file without the optional groups (the bundled sample) shows the four sections it always had, no group's
    assert [table.key for table in report_tables(town)] == ["members", "families", "training", "fund"]


def test_a_column_with_its_previous_year_and_change(town):
    members = report_tables(town)[0]
    assert [column.header for column in members.columns] == [
        "TT", "Đơn vị", "Hội viên năm 2012", "Hội viên năm 2013", "Tăng, giảm", "Dân số", "Tỷ lệ hội viên trên dân số (%)"]
    assert [column.kind for column in members.columns[2:]] == [Kind.COUNT, Kind.COUNT, Kind.CHANGE, Kind.COUNT, Kind.DECIMAL]
    assert members.rows[0][:6] == (1, "Phường Đức Xuân", 1730.0, 1680.0, -50.0, 9300.0)
    assert members.total[:6] == (None, "Cộng", 8639, 9123, 484, 45600)
    assert members.unit_note == "Đơn vị tính: người"


def test_without_a_previous_year_the_columns_are_this_years_only(sample_table):
    members = report_tables(AnnualSummary(analyse(sample_table), 2009))[0]
    assert [column.header for column in members.columns] == ["TT", "Đơn vị", "Hội viên năm 2009", "Dân số", "Tỷ lệ hội viên trên dân số (%)"]
    assert members.total[:4] == (None, "Cộng", 7468, 43477)


def test_the_area_associations_own_fund_row(town):
    fund = report_tables(town)[-1]
    assert fund.rows[-1] == (None, "Quỹ do Hội Khuyến học thị xã Bắc Kạn trực tiếp quản lý", 31_500_000.0, 35_235_000.0, 3_735_000.0, None)
    assert fund.total[:5] == (None, "Cộng", 302_380_000, 343_380_000, 41_000_000)
    assert fund.shown("vi")[-1][:4] == ["", "Cộng", "302.380.000", "343.380.000"]


def test_a_new_section_is_one_declaration(town, monkeypatch):
    """Declared once, it is a table of the report and a sheet of the workbook (its texts reuse the fund's here)."""
    extra = Section("fund", (Column("fund_commune_vnd", "fund_in", with_previous=False),), unit="vnd")
    table = section_table(town, extra)
    assert [column.header for column in table.columns] == ["TT", "Đơn vị", "Quỹ năm 2013"]
    assert table.total == (None, "Cộng", town.values["fund_commune_vnd"])
    monkeypatch.setattr(tables, "SECTIONS", (*SECTIONS, extra))
    monkeypatch.setattr(sections, "SECTIONS", (*SECTIONS, extra))
    assert len(report_tables(town)) == 4 + 1  # the four sections of a file without groups, and the new one
    workbook = openpyxl.load_workbook(io.BytesIO(to_xlsx(town)))
    assert len(workbook.sheetnames) == 4 + 1
