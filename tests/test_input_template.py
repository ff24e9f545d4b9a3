"""The Excel input template: Vietnamese headers, an instructions sheet, data validation; filled in, it loads."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from khuyenhoc import compute, load_table
from khuyenhoc.cli import EXIT_OK, main
from khuyenhoc.schema import AMOUNT_RULES, CANONICAL, INTEGER_COLUMNS, NOT_ABOVE, YEAR_RANGE, canonical_column
from khuyenhoc.input_template import TEMPLATE_ROWS, build_template

VIETNAMESE_HEADERS = [
    "Năm", "Mã đơn vị", "Tên đơn vị", "Cấp", "Mã đơn vị cấp trên", "Dân số", "Số hội viên", "Gia đình tú tài", "Gia đình cử nhân",
    "Dòng họ đăng ký", "Dòng họ đạt chuẩn", "Số lớp", "Lượt người", "Quỹ khuyến học (đồng)", "Ghi chú",
    "Số hộ gia đình", "Gia đình học tập", "Số dòng họ", "Dòng họ học tập", "Số thôn, tổ dân phố", "Cộng đồng học tập",
    "Số cơ quan, đơn vị", "Đơn vị học tập",
    "Số chi hội", "Số ban khuyến học", "Số người lớn", "Công dân học tập", "Số suất học bổng", "Giá trị học bổng (đồng)",
    "Số lượt hỗ trợ", "Giá trị hỗ trợ (đồng)", "Số lượt khen thưởng", "Giá trị khen thưởng (đồng)",
    "Số lớp tại trung tâm học tập cộng đồng", "Lượt học viên trung tâm học tập cộng đồng",
]


@pytest.fixture(scope="module")
def template_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "mau-nhap-lieu.xlsx"
    assert main(["template", str(path)]) == EXIT_OK
    return path


def _validations_by_column(worksheet) -> dict[str, list]:
    """Column name (canonical) -> the data validations whose ranges cover that column's data rows."""
    headers = [cell.value for cell in worksheet[1]]
    found: dict[str, list] = {}
    for rule in worksheet.data_validations.dataValidation:
        for cell_range in rule.sqref.ranges:
            assert (cell_range.min_row, cell_range.max_row) == (2, TEMPLATE_ROWS + 1), str(cell_range)
            for column in range(cell_range.min_col, cell_range.max_col + 1):
                found.setdefault(canonical_column(headers[column - 1]), []).append(rule)
    return found


def test_cli_writes_the_template(capsys, tmp_path):
    path = tmp_path / "moi" / "mau.xlsx"
    assert main(["template", str(path)]) == EXIT_OK
    assert capsys.readouterr().out == f"Đã ghi mẫu nhập liệu: {path}\n"
    assert path.read_bytes()[:4] == b"PK\x03\x04"
    assert [p.name for p in path.parent.iterdir()] == ["mau.xlsx"]  # no temporary file left behind
    capsys.readouterr()


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_cli_refuses_to_overwrite_a_workbook_unless_forced(capsys, tmp_path, lang):
    """A commune sends back its filled-in workbook under the template's name: writing the template again must not erase it."""
    from khuyenhoc.i18n import text

    path = tmp_path / "mau.xlsx"
    path.write_bytes(b"filled in by the commune")
    assert main(["template", str(path), "--lang", lang]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err == f"khuyenhoc: {text('error.exists', lang, path=path)}\n"
    assert str(path) in err and "--force" in err
    assert path.read_bytes() == b"filled in by the commune"
    assert main(["template", str(path), "--force", "--lang", lang]) == EXIT_OK
    assert path.read_bytes()[:4] == b"PK\x03\x04"


def test_data_sheet_has_the_vietnamese_headers_in_order(template_path):
    workbook = openpyxl.load_workbook(template_path)
    assert workbook.sheetnames == ["Số liệu", "Hướng dẫn"]
    data = workbook["Số liệu"]
    assert workbook.worksheets[0].title == "Số liệu"  # the loader reads the first sheet
    assert [cell.value for cell in data[1]] == VIETNAMESE_HEADERS
    assert [canonical_column(cell.value) for cell in data[1]] == CANONICAL
    assert data.max_row == 1  # empty: no example rows to delete
    assert data.freeze_panes == "A2"
    assert all(cell.font.bold for cell in data[1])


def test_instructions_sheet_explains_every_column(template_path):
    guide = openpyxl.load_workbook(template_path)["Hướng dẫn"]
    rows = [row for row in guide.iter_rows(values_only=True)]
    assert rows[0][0] == "Hướng dẫn nhập liệu"
    assert rows[2] == ("Cột", "Cách ghi")
    explained = {header: help_text for header, help_text in rows[3:]}
    assert list(explained) == VIETNAMESE_HEADERS
    assert all(help_text for help_text in explained.values())
    assert "35.235.000" in explained["Quỹ khuyến học (đồng)"]
    assert "duc-xuan" in explained["Mã đơn vị"]


def test_every_numeric_column_has_excel_data_validation(template_path):
    data = openpyxl.load_workbook(template_path)["Số liệu"]
    by_column = _validations_by_column(data)
    capped = {part for part, _ in NOT_ABOVE.values()} | {value for _, value in AMOUNT_RULES.values()}
    for column in INTEGER_COLUMNS:
        rules = by_column.get(column, [])
        assert len(rules) == 1, column
        rule = rules[0]
        if column in capped:
            continue  # test_counts_that_may_not_exceed_another_are_checked_in_excel
        assert rule.type == "whole", column  # whole numbers only: no 12,5 classes
        assert rule.showErrorMessage, column
        assert rule.error, column
        if column == "year":
            assert (rule.operator, rule.formula1, rule.formula2) == ("between", str(YEAR_RANGE[0]), str(YEAR_RANGE[1]))
            assert rule.error == f"Năm phải nằm trong khoảng {YEAR_RANGE[0]}–{YEAR_RANGE[1]}"
        else:
            assert (rule.operator, rule.formula1) == ("greaterThanOrEqual", "0"), column
            assert rule.error == "Không được là số âm"
    level = by_column["level"][0]
    assert level.type == "list"
    choices = level.formula1.strip('"').split(",")
    assert {"xã", "phường", "thị trấn", "đặc khu", "huyện", "quận", "thị xã", "thành phố", "tỉnh", "trung ương"} == set(choices)
    assert len(level.formula1) <= 257  # Excel's limit on an inline list
    assert not set(by_column) & {"unit_name", "note"}


def test_counts_that_may_not_exceed_another_are_checked_in_excel(template_path):
    data = openpyxl.load_workbook(template_path)["Số liệu"]
    letters = {cell.value: cell.column_letter for cell in data[1]}
    by_column = _validations_by_column(data)
    families = by_column["learning_families"][0]
    own, total = letters["Gia đình học tập"], letters["Số hộ gia đình"]
    assert str(families.sqref) == f"{own}2:{own}501" and families.type == "custom" and families.allow_blank
    assert families.formula1 == f"AND(ISNUMBER({own}2),{own}2>=0,{own}2=INT({own}2),OR(ISBLANK({total}2),{own}2<={total}2))"
    assert families.error == f"Số Gia đình học tập không được lớn hơn số hộ gia đình (cột {total}). Không được là số âm"
    clans = by_column["clans_recognised"][0]
    assert clans.formula1.endswith(f"{letters['Dòng họ đạt chuẩn']}2<={letters['Dòng họ đăng ký']}2))")
    assert clans.error.startswith(f"Số dòng họ đạt chuẩn không được lớn hơn số dòng họ đăng ký (cột {letters['Dòng họ đăng ký']})")
    citizens = by_column["learning_citizens"][0]
    own, total = letters["Công dân học tập"], letters["Số người lớn"]
    assert citizens.formula1 == f"AND(ISNUMBER({own}2),{own}2>=0,{own}2=INT({own}2),OR(ISBLANK({total}2),{own}2<={total}2))"
    assert citizens.error == f"Số Công dân học tập không được lớn hơn số người lớn (cột {total}). Không được là số âm"
    custom = {part for part, _ in NOT_ABOVE.values()} | {value for _, value in AMOUNT_RULES.values()}
    assert {column for column, rules in by_column.items() if rules[0].type == "custom"} == custom


def test_a_value_in_dong_is_checked_against_its_count_in_excel(template_path):
    data = openpyxl.load_workbook(template_path)["Số liệu"]
    letters = {cell.value: cell.column_letter for cell in data[1]}
    by_column = _validations_by_column(data)
    for count, value, message in (("Số suất học bổng", "Giá trị học bổng (đồng)", "suất học bổng"),
                                  ("Số lượt hỗ trợ", "Giá trị hỗ trợ (đồng)", "lượt hỗ trợ"),
                                  ("Số lượt khen thưởng", "Giá trị khen thưởng (đồng)", "lượt khen thưởng")):
        rule = by_column[canonical_column(value)][0]
        own, other = letters[value], letters[count]
        assert rule.type == "custom" and rule.allow_blank and str(rule.sqref) == f"{own}2:{own}501"
        assert rule.formula1 == f"AND(ISNUMBER({own}2),{own}2>=0,{own}2=INT({own}2),OR(ISBLANK({other}2),{other}2<>0,{own}2=0))"
        assert rule.error.startswith(f"Không có {message} nào") and rule.error.endswith(". Không được là số âm")
        assert len(rule.error) <= 255


def test_english_template_keeps_loadable_headers(tmp_path, capsys):
    path = tmp_path / "template-en.xlsx"
    assert main(["template", str(path), "--lang", "en"]) == EXIT_OK
    assert capsys.readouterr().out == f"Wrote the input template: {path}\n"
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["Data", "Instructions"]
    assert [canonical_column(cell.value) for cell in workbook["Data"][1]] == CANONICAL
    rows = list(workbook["Instructions"].iter_rows(values_only=True))
    assert rows[0][0] == "How to fill in the data"
    assert rows[3][0] == "Năm (Year)"
    assert _validations_by_column(workbook["Data"])["members"][0].error == "Must not be negative"


def _fill(template: Path, frame: pd.DataFrame, target: Path) -> Path:
    workbook = openpyxl.load_workbook(template)
    data = workbook.worksheets[0]
    headers = [canonical_column(cell.value) for cell in data[1]]
    for values in frame.reindex(columns=headers).itertuples(index=False):  # columns the frame lacks stay blank
        data.append([None if pd.isna(v) else (v.item() if hasattr(v, "item") else v) for v in values])  # numpy -> Python
    workbook.save(target)
    return target


def test_filled_template_loads_and_gives_the_golden_figures(template_path, sample_frame, tmp_path):
    path = _fill(template_path, sample_frame, tmp_path / "so-lieu.xlsx")
    table = load_table(path)
    assert len(table.frame) == len(sample_frame) == 45
    assert table.years == [2009, 2010, 2011, 2012, 2013]
    assert table.illustrative  # the notes say so
    values = compute(table, 2013)
    assert values["members"] == 9123
    assert values["fund_total_vnd"] == 343_380_000
    assert values["fund_district_vnd"] == 35_235_000
    assert values["training_participants"] == 13649
    assert values["units_without_training"] >= 1
    # the data validations survive filling and saving
    assert len(openpyxl.load_workbook(path).worksheets[0].data_validations.dataValidation) == len(INTEGER_COLUMNS) + 1


def test_filled_template_with_the_groups_gives_their_figures(template_path, tmp_path):
    from groups_data import write

    frame = load_table(write(tmp_path)).frame
    table = load_table(_fill(template_path, frame, tmp_path / "nhom.xlsx"))
    values = compute(table, 2024)
    assert (values["branches"], values["learning_citizens_pct"], values["scholarships_change_vnd"], values["learners_per_centre_class"]) == (
        20, 40.0, -4_000_000, 26.25)
    assert compute(table, 2023, "xa-b")["learning_citizens"] is None  # a blank cell stays "not reported"


def test_filled_template_with_a_mistake_is_reported_at_its_cell(template_path, sample_frame, tmp_path):
    from khuyenhoc.errors import DataValidationError

    frame = sample_frame.copy()
    frame["training_classes"] = frame["training_classes"].astype(object)
    frame.loc[4, "training_classes"] = "12,5"
    path = _fill(template_path, frame, tmp_path / "sai.xlsx")
    with pytest.raises(DataValidationError) as caught:
        load_table(path)
    problems = caught.value.problems
    assert list(problems[["row", "column", "rule"]].itertuples(index=False, name=None)) == [(6, "Số lớp", "fractional")]


def test_build_template_is_the_same_workbook(template_path):
    built = build_template()
    written = openpyxl.load_workbook(template_path)
    assert [c.value for c in built.worksheets[0][1]] == [c.value for c in written.worksheets[0][1]]
    assert built.sheetnames == written.sheetnames
