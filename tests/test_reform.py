"""Reports across the 2025 reform with the lineage table (issue 17, report side): what ended is shown in every table
so each "Cộng" is the sum of its rows in both years, the narrative splits the change, merged units are named."""

from __future__ import annotations

import io
import json
import re

import docx
import openpyxl
import pytest

from khuyenhoc.cli import main
from khuyenhoc.i18n import text
from khuyenhoc.indicators import analyse
from khuyenhoc.render import save
from khuyenhoc.render.excel import to_xlsx
from khuyenhoc.render.word import to_docx
from khuyenhoc.reports.annual import AnnualSummary
from khuyenhoc.reports.overview import BODY_ROWS
from khuyenhoc.reports.tables import report_tables
from khuyenhoc.table import load_table

ENDED = "Hội Khuyến học cấp huyện (kết thúc hoạt động từ tháng 7/2025)"
COLUMNS = ["Năm", "Mã đơn vị", "Tên đơn vị", "Cấp", "Mã đơn vị cấp trên", "Dân số", "Số hội viên", "Gia đình tú tài", "Gia đình cử nhân",
           "Dòng họ đăng ký", "Dòng họ đạt chuẩn", "Số lớp", "Lượt người", "Quỹ khuyến học (đồng)"]


def _row(year, unit, level, parent, members=0, fund=0):
    """One row of a small table (as tests/test_restate.py builds them)."""
    commune = level == "xã"
    return [year, unit, f"Đơn vị {unit}", level, parent, 1000 if commune else None, members, 0, 0, 0, 0, 0, 0, fund]


@pytest.fixture(scope="module")
def crossing(tmp_path_factory):
    """A synthetic province of 60 communes crossing the reform, written by ``khuyenhoc sample`` with its lineage sheet."""
    path = tmp_path_factory.mktemp("reform") / "tinh.xlsx"
    assert main(["sample", "--units", "60", "--years", "2023-2025", "--out", str(path)]) == 0
    return path


@pytest.fixture(scope="module")
def summary(crossing):
    return AnnualSummary(analyse(load_table(crossing)), 2025)


@pytest.fixture(scope="module")
def word(summary) -> bytes:
    """The summary's Word report, rendered once for the tests that read it."""
    return to_docx(summary)


@pytest.fixture(scope="module")
def workbook(summary) -> bytes:
    """The summary's Excel tables, rendered once for the tests that read them."""
    return to_xlsx(summary)


@pytest.fixture(scope="module")
def without_lineage(summary):
    """The same data without its lineage table."""
    from dataclasses import replace

    return AnnualSummary(analyse(replace(summary.table, lineage=None)), 2025)


def _vi_number(cell: str) -> float:
    return 0.0 if cell in ("—", "") else float(cell.replace(".", "").replace(",", "."))


def test_every_table_adds_up_in_both_years(summary):
    for table in report_tables(summary):
        columns = [i for i, c in enumerate(table.columns) if c.kind.value in ("count", "change") and "Bình quân" not in c.header]
        for index in columns:
            rows = sum(row[index] or 0 for row in table.rows)
            assert rows == pytest.approx(table.total[index] or 0), (table.key, table.columns[index].header)
    fund = next(table for table in report_tables(summary) if table.key == "fund")  # the groups' sections follow it
    ended = [row for row in fund.rows if row[1] == ENDED]
    assert len(ended) == 1 and ended[0][2] > 0 and ended[0][3] is None and ended[0][4] == -ended[0][2]


def test_the_word_and_excel_tables_add_up(word, workbook):
    document = docx.Document(io.BytesIO(word))
    checked = 0
    for table in document.tables:
        cells = [[c.text for c in row.cells] for row in table.rows]
        if not cells or cells[-1][1] != "Cộng" or not any(ENDED == row[1] for row in cells):
            continue
        header = cells[0]
        for index in (i for i, h in enumerate(header) if h.startswith("Quỹ năm")):
            assert sum(_vi_number(row[index]) for row in cells[1:-1]) == _vi_number(cells[-1][index])
            checked += 1
    assert checked == 2  # 2024 and 2025 of the fund table
    book = openpyxl.load_workbook(io.BytesIO(workbook))
    sheet = book[text("word.workbook_sheet_fund", "vi")]
    rows = list(sheet.iter_rows(values_only=True))
    total = next(i for i, row in enumerate(rows) if row[1] == "Cộng")
    assert any(row[1] == ENDED for row in rows[1:total])
    for index in (2, 3):  # fund 2024, fund 2025
        assert sum(float(row[index] or 0) for row in rows[1:total]) == pytest.approx(float(rows[total][index]))


def test_the_narrative_splits_the_change(summary):
    restated = summary.reform.restatement
    ended = restated.ended_total()["fund_total"]
    written = "\n".join(summary.narrative())
    assert ended > 0
    assert "(tính trên địa giới năm 2025)" in written
    assert "đều giảm so với năm 2024 (tính trên địa giới năm 2025)." in written, "the limitations say the basis too"
    assert summary.sections()["members"][0].startswith("Năm 2025, ")  # the mergers open the organisation part
    assert "Hội Khuyến học cấp huyện (kết thúc hoạt động từ tháng 7/2025) quản lý" in written
    like = summary.values["fund_total_vnd"] - (restated.compared["fund_total"] - ended)
    from khuyenhoc.formatting import format_vnd
    assert format_vnd(abs(like), "vi") in written  # the change of today's units on today's boundaries
    assert format_vnd(abs(summary.values["fund_change_vnd"]), "vi") in written  # and the whole change, said with the split


def test_no_fund_fell_conclusion_driven_by_the_ended_level(summary):
    """The communes' funds rose 1 % on the new boundaries while the district level's 2024 fund ended, so the whole
    fund fell: the report says the communes' fund rose, splits the fall, and asks for no more attention to the fund."""
    from dataclasses import replace

    from khuyenhoc.restate import restatement

    table = summary.table
    restated = restatement(table, 2025)
    like = restated.compared["fund_total"] - restated.ended_total()["fund_total"]
    frame = table.frame.copy()
    communes = (frame["year"] == 2025) & (frame["level"] == "commune")
    own = float(frame.loc[(frame["year"] == 2025) & ~communes, "fund_vnd"].sum())
    factor = (like * 1.01 - own) / float(frame.loc[communes, "fund_vnd"].sum())
    frame.loc[communes, "fund_vnd"] = (frame.loc[communes, "fund_vnd"].astype("float64") * factor).round().astype("int64")
    frame.loc[communes, "members"] = frame.loc[communes, "members"] * 2
    summary = AnnualSummary(analyse(replace(table, frame=frame)), 2025)  # a table of its own: the shared one is unchanged
    assert summary.values["fund_change_vnd"] < 0  # the whole fund fell: the district associations' fund ended
    written = "\n".join(summary.narrative())
    assert "chú trọng hơn việc xây dựng quỹ" not in written
    assert "quỹ khuyến học giảm" not in written
    fund = next(p for p in written.split("\n") if p.startswith("Tính đến cuối năm 2025, tổng quỹ khuyến học"))
    assert ", tăng " in fund and "(1,0%) so với năm 2024 (tính trên địa giới năm 2025)" in fund
    assert "Tính cả phần này, tổng quỹ khuyến học năm 2025 giảm" in written


def test_the_area_report_names_the_mergers(summary):
    written = "\n".join(summary.narrative())
    mergers = summary.reform.restatement.mergers
    assert len(mergers) > 1
    assert f"Năm 2025, {sum(len(m.sources) for m in mergers)} đơn vị đã hợp nhất thành {len(mergers)} đơn vị mới" in written
    table = summary.mergers_table()
    assert len(table) == len(mergers)
    assert table.iloc[0].tolist()[1].count(";") == len(mergers[0].sources) - 1


def test_summary_json_records_the_basis(summary, tmp_path):
    save(summary, tmp_path, figures={})  # the charts are not what this checks
    document = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    basis = document["provenance"]["comparison_basis"]
    assert basis["restated_on_boundaries_of"] == 2025
    assert basis["lineage_checksum"] == summary.table.lineage.links_checksum()
    assert basis["ended"]["district"]["fund_total"] > 0


def test_without_lineage_a_year_when_no_level_ended_is_reported_as_before(summary):
    from dataclasses import replace

    plain = AnnualSummary(analyse(replace(summary.table, lineage=None)), 2024)  # 2023 -> 2024: the same three tiers
    assert plain.reform is None
    written = "\n".join(plain.narrative())
    assert "địa giới" not in written and "kết thúc hoạt động" not in written and "bảng kế thừa" not in written


def _both_years(table, column: str) -> tuple[float, float]:
    """The 2024 and 2025 sums of ``column`` over the units with rows in both years (computed from the frame)."""
    frame = table.frame
    before, now = frame[frame["year"] == 2024].set_index("unit_id"), frame[frame["year"] == 2025].set_index("unit_id")
    both = before.index.intersection(now.index)
    return float(before.loc[both, column].sum()), float(now.loc[both, column].sum())


def test_without_lineage_the_ended_level_is_named_and_only_units_in_both_years_are_compared(without_lineage):
    """No lineage table, but the district level ended in 2025: the report compares the units with rows in both years,
    names what ended and what is no longer in the data, and says no lineage table was given."""
    from khuyenhoc.formatting import format_number, format_vnd

    reform = without_lineage.reform
    assert reform is not None and reform.implicit and not reform.restatement.mergers
    table = without_lineage.table
    merged = set(table.frame.loc[table.frame["unit_id"].str.startswith("m"), "unit_id"])
    assert set(reform.restatement.started) == merged  # the merged communes: nothing says what they came from
    written = "\n".join(without_lineage.narrative())
    assert written.count("Chưa có bảng kế thừa") == 1, "why the comparison is so, said once"
    assert "Mức tăng, giảm này cũng chỉ so sánh các đơn vị có số liệu cả hai năm." in written
    assert "(chỉ so sánh các đơn vị có số liệu cả hai năm)" in written
    assert "địa giới" not in written  # nothing is restated
    assert ENDED + " quản lý" in written
    was, now = _both_years(table, "members")
    members = next(p for p in written.split("\n") if p.startswith("Năm 2025, toàn tỉnh có"))
    assert f"{'giảm' if now < was else 'tăng'} {format_number(abs(now - was), 0, 'vi')} người" in members
    was, now = _both_years(table, "fund_vnd")
    fund = next(p for p in written.split("\n") if p.startswith("Tính đến cuối năm 2025"))
    assert f"{'giảm' if now < was else 'tăng'} {format_vnd(abs(now - was), 'vi')}" in fund
    assert f"Tính cả các phần trên, tổng quỹ khuyến học năm 2025 giảm {format_vnd(abs(without_lineage.values['fund_change_vnd']), 'vi')}" in written
    gone = len(set(table.frame.loc[table.frame["year"] == 2024, "unit_id"]) - set(table.frame.loc[table.frame["year"] == 2025, "unit_id"]))
    districts = int(((table.frame["year"] == 2024) & (table.frame["level"] == "district")).sum())
    assert f"{gone - districts} Hội Khuyến học cấp xã không còn trong số liệu năm 2025" in written


def test_without_lineage_every_table_adds_up_in_both_years(without_lineage):
    unlisted = "Hội Khuyến học cấp xã không còn trong số liệu năm 2025 (chưa có bảng kế thừa)"
    for table in report_tables(without_lineage):
        previous = [i for i, c in enumerate(table.columns) if c.kind.value == "count" and "2024" in c.header]
        current = [i for i, c in enumerate(table.columns) if c.kind.value == "count" and "2025" in c.header]
        for index in previous + current:
            rows = sum(row[index] or 0 for row in table.rows)
            assert rows == pytest.approx(table.total[index] or 0), (table.key, table.columns[index].header)
        if previous:
            labels = [row[1] for row in table.rows]
            assert unlisted in labels, table.key
    fund = next(table for table in report_tables(without_lineage) if table.key == "fund")
    assert [row[1] for row in fund.rows if row[0] is None][-2:] == [ENDED, unlisted]


def test_without_lineage_no_fund_fell_conclusion_driven_by_the_ended_level(summary):
    """As with a lineage: the communes' funds rose while the district level's fund ended, so the whole fund fell."""
    from dataclasses import replace

    table = replace(summary.table, lineage=None)
    frame = table.frame.copy()
    before = frame[frame["year"] == 2024].set_index("unit_id")
    both = (frame["year"] == 2025) & frame["unit_id"].isin(before.index)
    frame.loc[both, "fund_vnd"] = (before.loc[frame.loc[both, "unit_id"], "fund_vnd"].to_numpy() * 1.01).round().astype("int64")
    plain = AnnualSummary(analyse(replace(table, frame=frame)), 2025)
    assert plain.values["fund_change_vnd"] < 0  # the whole fund fell: the district associations' fund ended
    written = "\n".join(plain.narrative())
    assert "chú trọng hơn việc xây dựng quỹ" not in written and "quỹ khuyến học giảm" not in written
    fund = next(p for p in written.split("\n") if p.startswith("Tính đến cuối năm 2025, tổng quỹ khuyến học"))
    assert ", tăng " in fund and "(1,0%) so với năm 2024 (chỉ so sánh các đơn vị có số liệu cả hai năm)" in fund


def test_without_lineage_the_trend_marks_the_reform_and_keeps_the_reported_figures(summary):
    from dataclasses import replace

    from khuyenhoc.reports.trends import Trends

    analysis = analyse(replace(summary.table, lineage=None))
    trends = Trends(analysis, 2023, 2025)
    assert trends.markers() == [(2025, "Sắp xếp lại năm 2025")]
    assert "Chưa có bảng kế thừa" in trends.notes[-1]
    assert trends.values()["fund_total_vnd"].tolist() == analysis.frames.whole["fund_total_vnd"].tolist()


def test_a_merged_communes_profile_lists_its_predecessors_and_a_restated_history(summary):
    from khuyenhoc.reports.profile import UnitProfile

    merger = summary.reform.restatement.mergers[0]
    profile = UnitProfile(summary.analysis, 2025, merger.unit_id)
    names = summary.table.unit_names
    sources = profile.narrative()[-1]
    assert sources.startswith(f"{names[merger.unit_id]} được hình thành năm 2025 từ ")
    assert all(names[s.unit_id].lower() in sources.lower() for s in merger.sources)
    assert list(profile.trend_table().columns) == ["Chỉ tiêu", "2023 (tính lại)", "2024 (tính lại)", "2025"]
    history = profile.trend_values()
    frame = summary.table.frame.set_index(["year", "unit_id"])
    before = sum(float(frame.at[(2024, s.unit_id), "members"]) * s.share for s in merger.sources)
    assert history.at[2024, "members"] == before
    assert profile.years == [2023, 2024, 2025]
    assert "tăng" in profile.narrative()[0] or "giảm" in profile.narrative()[0]  # it has a previous year


def test_a_split_is_named_with_its_share():
    import pandas as pd

    from khuyenhoc.reports.reform import sources_paragraph
    from khuyenhoc.table import table_from_frame

    rows = [_row(2024, "p", "tỉnh", None, fund=5), _row(2024, "a", "xã", "p", 100, 10), _row(2024, "b", "xã", "p", 50, 5),
            _row(2025, "p", "tỉnh", None, fund=5), _row(2025, "n", "xã", "p", 120, 12), _row(2025, "b", "xã", "p", 90, 9)]
    links = pd.DataFrame([(2025, "a", "n", 0.6), (2025, "a", "b", 0.4)], columns=["Năm", "Mã đơn vị cũ", "Mã đơn vị mới", "Tỷ lệ"])
    table = table_from_frame(pd.DataFrame(rows, columns=COLUMNS), lineage=links)
    assert sources_paragraph(table, "n", 2025, "vi").startswith("Đơn vị n được hình thành năm 2025 từ 60% của Đơn vị a.")
    assert sources_paragraph(table, "b", 2025, "en").startswith("Đơn vị b was formed in 2025 from Đơn vị b, 40% of Đơn vị a.")
    assert sources_paragraph(table, "p", 2025, "vi") is None


def test_the_trend_marks_the_reform_and_is_drawn_on_the_latest_boundaries(summary):
    from khuyenhoc.render.charts import trends_figures
    from khuyenhoc.reports.trends import Trends

    trends = Trends(summary.analysis, 2023, 2025)
    assert trends.reform_years == [2025]
    assert trends.markers() == [(2025, "Sắp xếp lại năm 2025")]
    assert any(note.startswith("Năm 2025: sắp xếp lại tổ chức hành chính.") for note in trends.notes)
    values = trends.values()
    assert (values["fund_district_vnd"] == 0).all()  # the ended level is in no year of the latest boundaries
    whole = summary.analysis.frames.whole
    assert values.at[2024, "fund_total_vnd"] == whole.at[2024, "fund_total_vnd"] - whole.at[2024, "fund_district_vnd"]
    figure = trends_figures(trends)["indicators"]
    assert figure.khuyenhoc_alt.endswith("Sắp xếp lại năm 2025.")
    lines = [line for axes in figure.axes for line in axes.get_lines() if line.get_linestyle() == "--"]
    assert lines and all(line.get_xdata()[0] == 2024.5 for line in lines)


def test_the_mergers_table_is_in_the_word_and_excel_reports(summary, word, workbook):
    document = docx.Document(io.BytesIO(word))
    merged = [t for t in document.tables if t.rows[0].cells[1].text == "Đơn vị mới"]
    assert len(merged) == 1 and len(merged[0].rows) == 1 + len(summary.reform.restatement.mergers)
    # a body table when it is no longer than one (BODY_ROWS), else an annex; numbered after the section tables either way
    kind = "Phụ lục" if len(merged[0].rows) - 1 > BODY_ROWS else "Bảng"
    captions = [p.text for p in document.paragraphs if p.text.startswith(kind + " ") and ". " in p.text]
    assert re.fullmatch(kind + r" \d+\. Các đơn vị hợp nhất năm 2025", captions[-1])
    book = openpyxl.load_workbook(io.BytesIO(workbook))
    assert book.sheetnames[-1] == "Hợp nhất"


def test_a_part_moved_across_the_border_keeps_the_table_adding_up():
    """a (in p1) goes half to b (p1) and half to c (p2): p1's 2025 report shows what left it."""
    import pandas as pd

    from khuyenhoc.table import table_from_frame

    rows = [_row(2024, "p1", "tỉnh", None, fund=5), _row(2024, "a", "xã", "p1", 100, 10), _row(2024, "b", "xã", "p1", 50, 6),
            _row(2024, "p2", "tỉnh", None, fund=3), _row(2024, "c", "xã", "p2", 40, 4),
            _row(2025, "p1", "tỉnh", None, fund=5), _row(2025, "b", "xã", "p1", 110, 12),
            _row(2025, "p2", "tỉnh", None, fund=3), _row(2025, "c", "xã", "p2", 95, 9)]
    links = pd.DataFrame([(2025, "a", "b", 0.5), (2025, "a", "c", 0.5)], columns=["Năm", "Mã đơn vị cũ", "Mã đơn vị mới", "Tỷ lệ"])
    table = table_from_frame(pd.DataFrame(rows, columns=COLUMNS), lineage=links)
    members = report_tables(AnnualSummary(analyse(table), 2025, area_id="p1"))[0]
    assert [row[1:5] for row in members.rows] == [("Đơn vị b", 100.0, 110.0, 10.0),
                                                  ("Phần chuyển sang (+) hoặc nhận từ (−) đơn vị ngoài địa bàn", 50.0, None, -50.0)]
    assert members.total[2:5] == (150.0, 110.0, -40.0)


def test_a_merged_provinces_report_compares_with_both_old_provinces():
    """p1 (with a district) and p2 merge into p12: its comparison is with both, district rows included."""
    import pandas as pd

    from khuyenhoc.table import table_from_frame

    rows = [_row(2024, "p1", "tỉnh", None, fund=7), _row(2024, "d1", "huyện", "p1", fund=30), _row(2024, "a", "xã", "d1", 1000, 100),
            _row(2024, "p2", "tỉnh", None, fund=3), _row(2024, "c", "xã", "p2", 200, 20),
            _row(2025, "p12", "tỉnh", None, fund=11), _row(2025, "a", "xã", "p12", 1100, 110), _row(2025, "c", "xã", "p12", 210, 21)]
    links = pd.DataFrame([(2025, "p1", "p12", 1), (2025, "p2", "p12", 1)], columns=["Năm", "Mã đơn vị cũ", "Mã đơn vị mới", "Tỷ lệ"])
    summary = AnnualSummary(analyse(table_from_frame(pd.DataFrame(rows, columns=COLUMNS), lineage=links)), 2025, area_id="p12")
    assert summary.previous_values()["members"] == 1200 and summary.previous_values()["fund_total_vnd"] == 160
    shown = summary.comparison().set_index("Chỉ tiêu")
    assert shown.at["Số hội viên", "Năm 2024"].startswith("1.200")
    fund = next(table for table in report_tables(summary) if table.key == "fund")  # the groups' sections follow it
    assert sum(row[2] or 0 for row in fund.rows) == fund.total[2] == 160
    assert summary.trend_values().at[2024, "members"] == 1200
    assert "2 đơn vị đã hợp nhất thành 1 đơn vị mới: Đơn vị p12 (từ Đơn vị p1, Đơn vị p2)" in "\n".join(summary.narrative())


def test_without_lineage_an_areas_report_follows_its_own_rows(tmp_path):
    """The hand-made province: tinh-a's districts ended in 2025 (its own subtree says so, which its report's cache key
    covers); xa-1 and xa-2 are no longer in the data and xa-12 is new. The tp-d area, new in 2025, has no comparison."""
    from province_data import HEADER, ROWS_2024, ROWS_2025

    path = tmp_path / "tinh.csv"
    path.write_text("\n".join([HEADER, *ROWS_2024, *ROWS_2025]) + "\n", encoding="utf-8")
    analysis = analyse(load_table(path))
    area = AnnualSummary(analysis, 2025, area_id="tinh-a")
    reform = area.reform
    assert reform is not None and reform.implicit
    assert reform.restatement.started == ("xa-12",)
    assert set(reform.ended_levels()) == {"district", "commune"}
    assert reform.ended_levels()["district"]["fund_total"] == 20_000_000 + 10_000_000  # huyen-b, huyen-c
    assert reform.ended_levels()["commune"]["members"] == 1800 and reform.ended_levels()["commune"]["fund_total"] == 42_000_000
    # like for like: phuong-3 (1.500 -> 1.400) and tinh-a's own row; xa-12 (1.900) not compared
    assert reform.like_for_like(area.values)["members_change"] == -100
    fund = next(table for table in report_tables(area) if table.key == "fund")
    for index in (2, 3):  # fund 2024, fund 2025
        assert sum(row[index] or 0 for row in fund.rows) == pytest.approx(fund.total[index])
    assert AnnualSummary(analysis, 2025, area_id="tp-d").reform is None


def test_without_lineage_a_unit_moved_in_from_another_area_is_compared_with_its_own_previous_year():
    """p1's district d1 ended; c2 is no longer in the data; c3 moved from p2 to p1; c4 is new. p1's change compares
    c1, c3 and p1's own row in both years; its table adds up with a row for what moved in."""
    import pandas as pd

    from khuyenhoc.table import table_from_frame

    rows = [_row(2024, "p1", "tỉnh", None, fund=5), _row(2024, "d1", "huyện", "p1", fund=7),
            _row(2024, "c1", "xã", "d1", 100, 10), _row(2024, "c2", "xã", "d1", 50, 6),
            _row(2024, "p2", "tỉnh", None, fund=3), _row(2024, "d2", "huyện", "p2"), _row(2024, "c3", "xã", "d2", 40, 4),
            _row(2025, "p1", "tỉnh", None, fund=5), _row(2025, "c1", "xã", "p1", 110, 11), _row(2025, "c3", "xã", "p1", 45, 5),
            _row(2025, "c4", "xã", "p1", 30, 2), _row(2025, "p2", "tỉnh", None, fund=3)]
    summary = AnnualSummary(analyse(table_from_frame(pd.DataFrame(rows, columns=COLUMNS))), 2025, area_id="p1")
    assert summary.reform is not None and summary.reform.implicit
    like = summary.reform.like_for_like(summary.values)
    assert like["members_change"] == (110 + 45) - (100 + 40)
    assert like["fund_change_vnd"] == (5 + 11 + 5) - (5 + 10 + 4)
    members = report_tables(summary)[0]
    assert [row[1:5] for row in members.rows] == [
        ("Đơn vị c1", 100.0, 110.0, 10.0), ("Đơn vị c3", 40.0, 45.0, 5.0), ("Đơn vị c4", None, 30.0, None),
        ("Hội Khuyến học cấp xã không còn trong số liệu năm 2025 (chưa có bảng kế thừa)", 50.0, None, -50.0),
        ("Phần chuyển sang (+) hoặc nhận từ (−) đơn vị ngoài địa bàn", -40.0, None, 40.0)]
    assert members.total[2:5] == (150.0, 185.0, 35.0)


def test_without_lineage_a_level_that_ended_while_every_unit_kept_its_id_needs_no_lineage():
    """Only the district ended; the communes kept their ids: the comparison is exact, and the report does not ask for
    a lineage table it does not need."""
    import pandas as pd

    from khuyenhoc.table import table_from_frame

    rows = [_row(2024, "p1", "tỉnh", None, fund=5), _row(2024, "d1", "huyện", "p1", fund=7),
            _row(2024, "c1", "xã", "d1", 100, 10), _row(2024, "c2", "xã", "d1", 50, 6),
            _row(2025, "p1", "tỉnh", None, fund=5), _row(2025, "c1", "xã", "p1", 110, 11), _row(2025, "c2", "xã", "p1", 45, 8)]
    summary = AnnualSummary(analyse(table_from_frame(pd.DataFrame(rows, columns=COLUMNS))), 2025)
    assert summary.reform.implicit and not summary.reform.needs_lineage
    written = "\n".join(summary.narrative())
    assert "bảng kế thừa" not in written
    assert "Mức tăng, giảm nêu trên chỉ so sánh các đơn vị có số liệu cả hai năm. Năm 2024, " + ENDED + " quản lý 7 đồng" in written
    fund = next(table for table in report_tables(summary) if table.key == "fund")
    assert [row[1] for row in fund.rows if row[0] is None] == ["Quỹ do Hội Khuyến học Đơn vị p1 trực tiếp quản lý", ENDED]


def _plain_table(rows):
    import pandas as pd

    from khuyenhoc.table import table_from_frame

    return table_from_frame(pd.DataFrame(rows, columns=COLUMNS))


def test_without_lineage_a_moved_in_unit_is_not_growth_even_when_nothing_else_ended_or_started():
    """The districts held no members, every commune kept its id, c3 moved from p2 to p1: p1's members did not grow."""
    rows = [_row(2024, "p1", "tỉnh", None, fund=5), _row(2024, "d1", "huyện", "p1", fund=7), _row(2024, "c1", "xã", "d1", 100, 10),
            _row(2024, "p2", "tỉnh", None, fund=3), _row(2024, "d2", "huyện", "p2"), _row(2024, "c3", "xã", "d2", 40, 4),
            _row(2025, "p1", "tỉnh", None, fund=5), _row(2025, "c1", "xã", "p1", 100, 10), _row(2025, "c3", "xã", "p1", 40, 4),
            _row(2025, "p2", "tỉnh", None, fund=3)]
    summary = AnnualSummary(analyse(_plain_table(rows)), 2025, area_id="p1")
    assert summary.values["members_change"] == 40  # the raw change: c3 counted as growth
    like = summary.reform.like_for_like(summary.values)
    assert like["members_change"] == 0 and like["fund_change_vnd"] == 0
    assert "tăng 40 người" not in "\n".join(summary.narrative())


def test_without_lineage_a_level_missing_from_one_years_export_is_not_a_reorganisation():
    """2024 was exported without its district rows, which are back in 2025: no reform, no marker, no 'kết thúc'."""
    from khuyenhoc.reports.trends import Trends

    rows = [_row(2023, "p1", "tỉnh", None, fund=5), _row(2023, "d1", "huyện", "p1", fund=7), _row(2023, "c1", "xã", "d1", 100, 10),
            _row(2024, "p1", "tỉnh", None, fund=5), _row(2024, "c1", "xã", "p1", 100, 10),
            _row(2025, "p1", "tỉnh", None, fund=5), _row(2025, "d1", "huyện", "p1", fund=7), _row(2025, "c1", "xã", "d1", 100, 10)]
    analysis = analyse(_plain_table(rows))
    summary = AnnualSummary(analysis, 2024)
    assert summary.reform is None and "kết thúc" not in "\n".join(summary.narrative())
    assert Trends(analysis, 2023, 2025).markers() == []


def test_without_lineage_units_new_this_year_are_named_even_when_nothing_ended_of_that_quantity():
    """Only the districts ended (no members); c2 is new: the members' paragraph says c2 is not compared."""
    rows = [_row(2024, "p1", "tỉnh", None, fund=5), _row(2024, "d1", "huyện", "p1", fund=7), _row(2024, "c1", "xã", "d1", 100, 10),
            _row(2025, "p1", "tỉnh", None, fund=5), _row(2025, "c1", "xã", "p1", 110, 11), _row(2025, "c2", "xã", "p1", 30, 2)]
    summary = AnnualSummary(analyse(_plain_table(rows)), 2025)
    members = summary.sections()["members"]
    assert any("1 đơn vị chỉ có số liệu từ năm 2025 (30 hội viên) không được so sánh." in p for p in members)
    assert summary.reform.like_for_like(summary.values)["members_change"] == 10


@pytest.mark.parametrize("with_lineage", [False, True])
def test_a_provinces_fund_does_not_fall_because_its_district_associations_ended(with_lineage):
    """A report comparing provinces in 2025: pA's district held 5.000.000 đồng in 2024 and ended; its communes and its
    own fund are unchanged. No finding, data check or flag says pA's fund fell; a real fall (pB) still counts."""
    import pandas as pd

    from khuyenhoc.render.markdown import compared
    from khuyenhoc.table import table_from_frame

    million = 1_000_000
    rows = [_row(2024, "pa", "tỉnh", None, fund=5 * million), _row(2024, "da", "huyện", "pa", fund=5 * million),
            _row(2024, "ca", "xã", "da", 100, 10 * million),
            _row(2024, "pb", "tỉnh", None, fund=5 * million), _row(2024, "db", "huyện", "pb"), _row(2024, "cb", "xã", "db", 100, 10 * million),
            _row(2025, "pa", "tỉnh", None, fund=5 * million), _row(2025, "ca", "xã", "pa", 100, 10 * million),
            _row(2025, "pb", "tỉnh", None, fund=5 * million), _row(2025, "cb", "xã", "pb", 100, 7 * million)]
    links = pd.DataFrame([(2025, "ca", "ca"), (2025, "cb", "cb")], columns=["Năm", "Mã đơn vị cũ", "Mã đơn vị mới"])
    table = table_from_frame(pd.DataFrame(rows, columns=COLUMNS), lineage=links if with_lineage else None)
    summary = AnnualSummary(analyse(table), 2025)
    assert summary.units == ["pa", "pb"]
    fell = {(f.kind, f.unit_id): (f.reference, f.value) for f in summary.findings if f.kind == "fund_fell"}
    assert fell == {("fund_fell", "pb"): (15 * million, 12 * million)}, "pa's 20 → 15 million is its district's 5 that ended"
    assert [c.unit_id for c in summary.checks] == []
    attention = {row["unit_id"]: row["attention"] for row in compared(summary)}
    assert attention == {"pa": [], "pb": ["fund_fell"]}
