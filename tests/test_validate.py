"""Every rule of the input contract: a bad file for each, checking row, column header, value and message."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from khuyenhoc.schema import AMOUNT_RULES, SHARE_RULES, TITLE_RULES
from khuyenhoc.targets import TARGET_RULES
from khuyenhoc.lineage import NOTES as LINEAGE_NOTES
from khuyenhoc.lineage import RULES as LINEAGE_RULES

from khuyenhoc.errors import PROBLEM_COLUMNS, DataValidationError
from khuyenhoc.i18n import column_header, quote, rule_message, text
from khuyenhoc.i18n.vi import RULES
from khuyenhoc.reader import read_raw
from khuyenhoc.sample import to_csv_text
from khuyenhoc.schema import TEXT_LIMIT, YEAR_RANGE
from khuyenhoc.indicators import compute
from khuyenhoc.table import load_table
from khuyenhoc.validate import check, clean_text, normalise_level

WARNING_RULES = {"unit_name_changed", "ignored_column", "skipped_total_row"}
# rules about areas, with a bad file each in tests/test_tree.py
HIERARCHY_CASES = {"parent_missing", "parent_level", "parent_cycle", "parent_changed", "parent_none", "population_blank_for_areas"}


def vi(column: str) -> str:
    return column_header(column, "vi")


def row_of(position: int) -> int:
    """The spreadsheet row of the sample frame's row ``position`` when the header is row 1."""
    return position + 2


def csv_row(header_line: str, **cells: object) -> str:
    """A CSV line lined up with a header line: ``cells`` by canonical name, the rest blank."""
    written = {vi(name): str(value) for name, value in cells.items()}
    return ",".join(written.get(h, "") for h in header_line.split(","))


def problems_of(path: Path, lang: str = "vi", sheet: str | None = None) -> pd.DataFrame:
    with pytest.raises(DataValidationError) as caught:
        load_table(path, sheet=sheet, lang=lang)
    return caught.value.problems


def only(problems: pd.DataFrame) -> dict:
    assert len(problems) == 1, problems.to_string()
    return problems.iloc[0].to_dict()


# rule -> (edit of the sample as (position, column, written value), expected row, column, value, message params)
# Positions: the sample has 9 rows a year (8 communes, then the district row), 2009 first.
CELL_CASES = {
    "required": ((3, "unit_name", "   "), "unit_name", "   ", {}),
    "integer": ((4, "members", "khoảng 1.200"), "members", "khoảng 1.200", {}),
    "fractional": ((5, "training_classes", "12,5"), "training_classes", "12,5", {}),
    "non_negative": ((6, "fund_vnd", "-1.000.000"), "fund_vnd", "-1.000.000", {}),
    "year_range": ((7, "year", "1900"), "year", "1900", {"low": YEAR_RANGE[0], "high": YEAR_RANGE[1]}),
    "unit_id_format": ((10, "unit_id", "Song Cau"), "unit_id", "Song Cau", {}),
    "level_value": ((11, "level", "thôn"), "level", "thôn", {}),
    "population_required": ((12, "population", ""), "population", "", {}),
    "text_too_long": ((13, "note", "x" * (TEXT_LIMIT + 1)), "note", "x" * (TEXT_LIMIT + 1), {"limit": TEXT_LIMIT}),
    "control_character": ((14, "unit_name", "Xã\x01 Dương\x7f Quang"), "unit_name", "Xã\x01 Dương\x7f Quang", {"chars": "U+0001, U+007F"}),
}


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("rule", sorted(CELL_CASES))
def test_a_bad_cell_is_reported_at_its_row_and_header(write_csv, sample_frame, rule, lang):
    (position, column, written), reported_column, value, params = CELL_CASES[rule]
    frame = sample_frame.astype(object)
    frame.loc[position, column] = written
    problem = only(problems_of(write_csv(frame), lang))
    assert problem["rule"] == rule
    assert problem["row"] == row_of(position)
    assert problem["column"] == vi(reported_column)
    assert problem["value"] == value
    message = rule_message(rule, lang, **params)
    if rule in SUGGESTED:  # a fix that is certain is spelt out
        message = text("problems.suggest", lang, message=message, value=quote(SUGGESTED[rule], lang))
    assert problem["message"] == message


SUGGESTED = {"unit_id_format": "song-cau"}  # "Song Cau" → its slug; 12,5 is a real fraction: no suggestion


@pytest.mark.parametrize(("column", "written", "message"), [
    ("members", "9,123", "Phải là số nguyên, không có phần lẻ (đây là số đếm); hãy ghi “9.123”"),
    ("fund_vnd", "343,380", "Phải là số nguyên, không có phần lẻ (đây là số đếm); hãy ghi “343.380”"),
    ("members", "9,12", "Phải là số nguyên, không có phần lẻ (đây là số đếm)"),  # not a thousands group: no guess
    ("unit_id", "Sông Cầu", "Mã đơn vị chỉ gồm 1–64 ký tự a-z, 0-9, “_” hoặc “-” (chữ thường, không dấu, không khoảng trắng) "
                            "và không là tên Windows giữ riêng (con, prn, aux, nul, com1–9, lpt1–9); hãy ghi “song-cau”"),
    ("unit_id", "Đức  Xuân ", "Mã đơn vị chỉ gồm 1–64 ký tự a-z, 0-9, “_” hoặc “-” (chữ thường, không dấu, không khoảng trắng) "
                              "và không là tên Windows giữ riêng (con, prn, aux, nul, com1–9, lpt1–9); hãy ghi “duc-xuan”"),
])
def test_a_certain_fix_is_suggested(write_csv, sample_frame, column, written, message):
    frame = sample_frame.astype(object)
    frame.loc[4, column] = written
    assert only(problems_of(write_csv(frame)))["message"] == message


def test_clans_recognised_above_registered(write_csv, sample_frame):
    position = 13
    registered = int(sample_frame.at[position, "clans_registered"])
    sample_frame.loc[position, "clans_recognised"] = registered + 2
    problem = only(problems_of(write_csv(sample_frame)))
    assert (problem["rule"], problem["row"], problem["column"], problem["value"]) == (
        "clans_recognised_le_registered", 15, "Dòng họ đạt chuẩn", str(registered + 2))
    assert problem["message"] == rule_message("clans_recognised_le_registered", "vi", registered=registered)
    assert f"({registered})" in problem["message"]


def test_participants_without_classes(write_csv, sample_frame):
    position = 15  # 2010, huyen-tung
    participants = int(sample_frame.at[position, "training_participants"])
    assert participants > 0
    sample_frame.loc[position, "training_classes"] = 0
    problem = only(problems_of(write_csv(sample_frame), "en"))
    assert (problem["rule"], problem["row"], problem["column"], problem["value"]) == (
        "participants_without_classes", 17, "Lượt người", str(participants))
    assert problem["message"] == "With no training classes, participant-times must be 0"


def test_unique_year_unit_reports_the_second_row(write_csv, sample_frame):
    sample_frame.loc[15, ["unit_id", "unit_name"]] = sample_frame.loc[14, ["unit_id", "unit_name"]].to_numpy()
    problem = only(problems_of(write_csv(sample_frame)))
    assert (problem["rule"], problem["row"], problem["column"], problem["value"]) == ("unique_year_unit", 17, "Mã đơn vị", "duong-quang")
    assert problem["message"] == rule_message("unique_year_unit", "vi", year=2010)
    assert "2010" in problem["message"]


def test_without_parent_ids_one_area_row_per_year(write_csv, sample_frame):
    # a file without parent_id, as before areas: 2011 has a ward written as a district ('quận') before the real district row
    frame = sample_frame.drop(columns="parent_id").astype(object)
    frame.loc[18, ["level", "population"]] = ["quận", None]
    problem = only(problems_of(write_csv(frame), "en"))
    assert (problem["rule"], problem["row"], problem["column"], problem["value"]) == ("one_area_per_year", 28, "Cấp", "thị xã")
    assert problem["message"].startswith("2011 has more than one row above commune level; with several associations")


def test_the_district_row_may_leave_population_blank(write_csv, sample_frame):
    assert sample_frame.loc[sample_frame["level"] == "thị xã", "population"].isna().all()
    table = load_table(write_csv(sample_frame))
    assert table.frame.loc[table.frame["level"] == "district", "population"].isna().all()


@pytest.mark.parametrize("column", ["year", "unit_id", "level", "members", "fund_vnd"])
def test_required_cells(write_csv, sample_frame, column):
    frame = sample_frame.astype(object)
    frame.loc[20, column] = None
    problem = only(problems_of(write_csv(frame)))
    assert (problem["rule"], problem["row"], problem["column"], problem["value"]) == ("required", 22, vi(column), "")


def test_missing_columns_are_reported_on_the_header_row_without_cascades(write_csv, sample_frame):
    problems = problems_of(write_csv(sample_frame.drop(columns=["members", "clans_registered"])), "en")
    assert problems[["row", "column", "value", "rule"]].to_dict("records") == [
        {"row": 1, "column": "Số hội viên", "value": "", "rule": "missing_column"},
        {"row": 1, "column": "Dòng họ đăng ký", "value": "", "rule": "missing_column"},
    ]
    assert list(problems["message"]) == ["Required column 'Số hội viên' is missing", "Required column 'Dòng họ đăng ký' is missing"]


def test_duplicate_column(tmp_path, sample_frame):
    frame = sample_frame.rename(columns=vi)
    frame.insert(7, "Hội viên", frame[vi("members")])
    path = tmp_path / "dup.csv"
    path.write_text(frame.to_csv(index=False), encoding="utf-8")
    problem = only(problems_of(path))
    assert (problem["rule"], problem["row"], problem["column"], problem["value"]) == ("duplicate_column", 1, "Hội viên", "Hội viên")
    assert problem["message"] == "Có hai cột cùng là “Hội viên”; chỉ giữ một cột"


def test_duplicate_column_is_reported_under_its_own_header(tmp_path, sample_frame):
    """The second column is named as it is written, not as the first one that took the name."""
    frame = sample_frame.rename(columns=vi)
    frame["members"] = frame[vi("members")]
    path = tmp_path / "dup.csv"
    path.write_text(frame.to_csv(index=False), encoding="utf-8")
    problem = only(problems_of(path, "en"))
    assert (problem["row"], problem["column"], problem["value"]) == (1, "members", "members")
    assert problem["message"] == "Two columns both mean 'members'; keep only one"


@pytest.mark.parametrize("positions", [[0, 9], [8, 17]])  # one commune in two years; the district row in two years
def test_rows_without_a_year_are_not_compared_as_duplicates(write_csv, sample_frame, positions):
    frame = sample_frame.astype(object)
    frame.loc[positions, "year"] = None
    problems = problems_of(write_csv(frame))
    assert problems[["row", "column", "rule"]].to_records(index=False).tolist() == [(row_of(p), "Năm", "required") for p in positions]
    assert not problems["message"].str.contains("<NA>|nan|None").any()


def test_every_rule_has_a_bad_file_here():
    covered = set(CELL_CASES) | {"clans_recognised_le_registered", "participants_without_classes", "unique_year_unit",
                                 "one_area_per_year", "missing_column", "duplicate_column"} | WARNING_RULES | HIERARCHY_CASES
    covered |= set(TITLE_RULES) | set(TARGET_RULES)  # titles: test_a_recognised_count_above_its_total_is_refused; targets: test_targets.py
    covered |= set(LINEAGE_RULES) | set(LINEAGE_NOTES)  # the lineage table: test_lineage.py
    covered |= set(SHARE_RULES) | set(AMOUNT_RULES)  # issue 19's groups: test_group_rules_* below
    assert covered == set(RULES)


def test_a_recognised_count_above_its_total_is_refused(tmp_path):
    from titles_data import HEADER, ROWS

    rows = [row.replace("2025,xa-a,Xã An,xã,huyen-x,1000,100,10,2,1,1,3,60,1.000.000,100,72,",
                        "2025,xa-a,Xã An,xã,huyen-x,1000,100,10,2,1,1,3,60,1.000.000,100,172,")
            for row in ROWS]
    path = tmp_path / "titles.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    problems = problems_of(path)
    assert problems[["row", "column", "value", "rule"]].to_dict("records") == [
        {"row": 18, "column": "Gia đình học tập", "value": "172", "rule": "learning_families_le_households"}]
    assert problems["message"].iloc[0] == "Số Gia đình học tập không được lớn hơn số hộ gia đình (100)"


def test_a_title_row_shifts_every_reported_row(tmp_path, sample_frame):
    frame = sample_frame.astype(object)
    frame.loc[0, "members"] = "1.2.3"
    frame.loc[44, "fund_vnd"] = "35.235.000,5 đồng"
    path = tmp_path / "title.csv"
    path.write_text("HỘI KHUYẾN HỌC THỊ XÃ BẮC KẠN;;;\n" + to_csv_text(frame, sep=";"), encoding="utf-8-sig")
    problems = problems_of(path)
    assert problems[["row", "column", "value", "rule"]].to_dict("records") == [
        {"row": 3, "column": "Số hội viên", "value": "1.2.3", "rule": "integer"},
        {"row": 47, "column": vi("fund_vnd"), "value": "35.235.000,5 đồng", "rule": "fractional"},
    ]


def test_headers_are_reported_as_written(tmp_path, sample_frame):
    frame = sample_frame.astype(object)
    frame.loc[2, "members"] = "-5"
    frame.loc[2, "unit_id"] = "phung chi kien"
    odd = dict(zip(["year", "unit_id", "unit_name", "level", "population", "members", "baccalaureate_families", "bachelor_families",
                    "clans_registered", "clans_recognised", "training_classes", "training_participants", "fund_vnd", "note"],
                   ["NAM", "  ma don vi ", "Ten don vi", "CẤP", "dan so", "HOI VIEN", "gia dinh tu tai", "gia dinh cu nhan",
                    "dong ho dang ky", "dong ho dat chuan", "so lop tap huan", "luot nguoi tham gia", "QUỸ", "ghi chu"], strict=True))
    written = [odd.get(c, vi(c)) for c in frame.columns]
    path = tmp_path / "headers.csv"
    path.write_text(",".join(written) + "\n" + to_csv_text(frame).split("\n", 1)[1], encoding="utf-8")
    problems = problems_of(path)
    assert problems[["row", "column", "value", "rule"]].to_dict("records") == [
        {"row": 4, "column": "ma don vi", "value": "phung chi kien", "rule": "unit_id_format"},
        {"row": 4, "column": "HOI VIEN", "value": "-5", "rule": "non_negative"},
    ]


def test_every_problem_at_once_sorted_by_row_then_column(write_csv, sample_frame):
    frame = sample_frame.astype(object)
    frame.loc[30, "fund_vnd"] = "nhiều"
    frame.loc[30, "members"] = "-1"
    frame.loc[5, "level"] = "ấp"
    frame.loc[5, "year"] = "hai nghìn"
    frame.loc[40, "clans_recognised"] = 99
    frame.loc[41, "unit_id"] = frame.loc[40, "unit_id"]
    problems = problems_of(write_csv(frame))
    assert list(problems.columns) == PROBLEM_COLUMNS
    assert problems[["row", "column", "rule"]].to_records(index=False).tolist() == [
        (7, "Năm", "integer"),
        (7, "Cấp", "level_value"),
        (32, "Số hội viên", "non_negative"),
        (32, vi("fund_vnd"), "integer"),
        (42, "Dòng họ đạt chuẩn", "clans_recognised_le_registered"),
        (43, "Mã đơn vị", "unique_year_unit"),
    ]


def test_an_unparsable_cell_is_reported_once(write_csv, sample_frame):
    """A count that cannot be read is not also reported as blank, negative or breaking a row rule."""
    frame = sample_frame.astype(object)
    frame.loc[0, "population"] = "chín nghìn"
    frame.loc[0, "clans_registered"] = "một"
    problems = problems_of(write_csv(frame))
    assert problems[["row", "column", "rule"]].to_records(index=False).tolist() == [
        (2, "Dân số", "integer"), (2, "Dòng họ đăng ký", "integer")]


def test_problems_name_the_file(write_csv, sample_frame):
    frame = sample_frame.astype(object)
    frame.loc[0, "members"] = "?"
    path = write_csv(frame, name="so-lieu-2013.csv")
    problems = problems_of(path)
    assert problems["file"].tolist() == [str(path)]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_unit_name_change_is_a_warning(write_csv, sample_frame, lang):
    sample_frame.loc[9, "unit_name"] = "Phường Đức Xuân (mới)"
    table = load_table(write_csv(sample_frame), lang=lang)
    warning = only(table.warnings)
    assert (warning["rule"], warning["row"], warning["column"], warning["value"]) == ("unit_name_changed", 11, "Tên đơn vị", "Phường Đức Xuân (mới)")
    names = "“Phường Đức Xuân”, “Phường Đức Xuân (mới)”" if lang == "vi" else "'Phường Đức Xuân', 'Phường Đức Xuân (mới)'"
    assert warning["message"] == rule_message("unit_name_changed", lang, unit_id="duc-xuan", names=names)


def test_ignored_column_and_totals_row_are_warnings(tmp_path, sample_frame):
    lines = to_csv_text(sample_frame).splitlines()
    lines[0] += ",STT"
    lines[1:] = [f"{line},{n}" for n, line in enumerate(lines[1:], start=1)]
    lines.append(csv_row(lines[0], unit_name="TỔNG CỘNG", members=9123, baccalaureate_families=854, bachelor_families=257,
                         clans_registered=6, clans_recognised=6, training_classes=288, training_participants=13649, fund_vnd=343380000))
    path = tmp_path / "extra.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    table = load_table(path, lang="en")
    assert table.warnings[["row", "column", "value", "rule", "message"]].to_dict("records") == [
        {"row": 1, "column": "STT", "value": "STT", "rule": "ignored_column",
         "message": "Ignored column 'STT', which is not part of the input contract"},
        {"row": 47, "column": "Tên đơn vị", "value": "TỔNG CỘNG", "rule": "skipped_total_row", "message": "Skipped a totals row"},
    ]
    assert len(table.frame) == 45


def test_a_row_missing_its_keys_is_reported_not_skipped(tmp_path, sample_frame):
    path = tmp_path / "keys.csv"
    content = to_csv_text(sample_frame)
    path.write_text(content + csv_row(content.split("\n", 1)[0], unit_name="Phường Mới", level="phường", population=100, members=10,
                                      baccalaureate_families=1, bachelor_families=1, clans_registered=0, clans_recognised=0,
                                      training_classes=0, training_participants=0, fund_vnd=0) + "\n", encoding="utf-8")
    problems = problems_of(path)
    assert problems[["row", "column", "rule"]].to_records(index=False).tolist() == [(47, "Năm", "required"), (47, "Mã đơn vị", "required")]


def test_check_types_the_cells(write_csv, sample_frame):
    frame = sample_frame.astype(object)
    frame.loc[0, "members"] = "1.399"
    frame.loc[0, "fund_vnd"] = "45.168.000 đồng"
    frame.loc[0, "unit_name"] = " \u00a0Phu\u031bo\u031b\u0300ng Đức Xuân  "  # NFD, padded
    raw = read_raw(write_csv(frame))
    typed, problems, warnings = check(raw)
    assert problems.empty and warnings.empty
    assert typed.at[2, "members"] == 1399
    assert typed.at[2, "fund_vnd"] == 45_168_000
    assert typed.at[2, "unit_name"] == "Phường Đức Xuân"
    assert typed.at[2, "level"] == "commune"
    assert typed.at[10, "level"] == "district"
    assert {str(typed[c].dtype) for c in ["year", "members", "population", "fund_vnd"]} == {"Int64"}


def test_clean_text_and_levels():
    cells = pd.Series(["  Xã  ", None, "", "Phu\u031bo\u031b\u0300ng", 12, float("nan"), "THỊ XÃ", "Cap Huyen"], dtype=object)
    cleaned = clean_text(cells)
    assert cleaned.tolist() == ["Xã", None, None, "Phường", "12", None, "THỊ XÃ", "Cap Huyen"]
    assert normalise_level(cleaned).tolist() == ["commune", None, None, "commune", "12", None, "district", "district"]


def _group_rows(**changes: str) -> list[str]:
    """The groups file (tests/groups_data.py) with whole rows replaced: ``changes`` maps the start of a row to its new text."""
    from groups_data import ROWS

    out = []
    for row in ROWS:
        start = next((key for key in changes if row.startswith(key)), None)
        out.append(row if start is None else changes[start])
    return out


def test_the_groups_file_is_valid_and_its_blanks_stay_blank(tmp_path):
    from groups_data import write

    table = load_table(write(tmp_path))
    frame = table.frame.set_index(["year", "unit_id"])
    assert frame.loc[(2023, "xa-b"), "scholarships_vnd"] == 15_000_000  # "15.000.000 đồng"
    assert frame.loc[(2024, "xa-a"), "scholarships_vnd"] == 6_000_000  # "6.000.000đ"
    assert frame.loc[(2023, "xa-b"), "support_vnd"] == 0  # a 0 written is a 0
    assert pd.isna(frame.loc[(2023, "xa-b"), "learning_citizens"])  # a blank is not reported, not 0
    assert frame.loc[[(2024, "xa-c")], ["branches", "adults", "scholarships", "centre_learners"]].isna().all(axis=None)
    assert str(frame["branches"].dtype) == "Int64"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_group_rules_learning_citizens_not_above_adults(tmp_path, lang):
    from groups_data import COUNTS, write

    bad = f"2024,xa-b,Xã Bình,xã,huyen-x,{COUNTS},8,2,600,601,20,15.000.000,2,1.000.000,30,3.000.000,3,60"
    problems = problems_of(write(tmp_path, _group_rows(**{"2024,xa-b": bad})), lang)
    assert only(problems) | {"message": None, "file": None} == {
        "file": None, "row": 8, "column": "Công dân học tập", "value": "601", "rule": "learning_citizens_le_adults", "message": None}
    expected = {"vi": "Số Công dân học tập không được lớn hơn số người lớn (600)", "en": "Learning citizens must not exceed adults (600)"}
    assert problems["message"].iloc[0] == expected[lang]


@pytest.mark.parametrize(("cells", "column", "value", "rule"), [
    ("20,15.000.000,0,1.000.000,30,3.000.000", "Giá trị hỗ trợ (đồng)", "1.000.000", "support_vnd_without_support"),
    ("0,15.000.000,2,1.000.000,30,3.000.000", "Giá trị học bổng (đồng)", "15.000.000", "scholarships_vnd_without_scholarships"),
    ("20,15.000.000,2,1.000.000,0,3.000.000", "Giá trị khen thưởng (đồng)", "3.000.000", "awards_vnd_without_awards"),
])
def test_group_rules_a_value_in_dong_without_its_count(tmp_path, cells, column, value, rule):
    from groups_data import COUNTS, write

    bad = f"2024,xa-b,Xã Bình,xã,huyen-x,{COUNTS},8,2,600,240,{cells},3,60"
    problem = only(problems_of(write(tmp_path, _group_rows(**{"2024,xa-b": bad}))))
    assert (problem["row"], problem["column"], problem["value"], problem["rule"]) == (8, column, value, rule)
    assert problem["message"] == rule_message(rule, "vi")


def test_a_value_without_a_count_reported_is_allowed(tmp_path):
    from groups_data import COUNTS, write

    row = f"2024,xa-b,Xã Bình,xã,huyen-x,{COUNTS},8,2,600,240,,15.000.000,2,1.000.000,30,3.000.000,3,60"  # count blank: not checked
    table = load_table(write(tmp_path, _group_rows(**{"2024,xa-b": row})))
    assert table.frame.set_index(["year", "unit_id"]).loc[(2024, "xa-b"), "scholarships_vnd"] == 15_000_000
    values = compute(table, 2024)
    assert (values["scholarships"], values["scholarships_vnd"]) == (6, 21_000_000)  # each total sums the rows reporting it
    assert values["value_per_scholarship_vnd"] == 1_000_000  # 6.000.000 / 6: only xa-a reports both


def test_group_cells_are_checked_like_every_count_with_row_and_written_header(tmp_path):
    from groups_data import COUNTS, write

    bad = f"2024,xa-b,Xã Bình,xã,huyen-x,{COUNTS},-8,2,\"600,5\",240,20,mười triệu,2,1.000.000,30,3.000.000,3,60"
    problems = problems_of(write(tmp_path, _group_rows(**{"2024,xa-b": bad})))
    assert problems[["row", "column", "value", "rule"]].to_dict("records") == [
        {"row": 8, "column": "so chi hoi", "value": "-8", "rule": "non_negative"},
        {"row": 8, "column": "Số người lớn", "value": "600,5", "rule": "fractional"},
        {"row": 8, "column": "Giá trị học bổng (đồng)", "value": "mười triệu", "rule": "integer"},
    ]


@pytest.mark.parametrize("written", ["con", "nul", "aux", "prn", "com1", "lpt9"])
def test_windows_reserved_ids_are_refused(write_csv, sample_frame, written):
    """Issue 22, item 15: leaders open the reports on Windows, where a file or folder named con, nul… cannot be opened."""
    frame = sample_frame.astype(object)
    frame.loc[4, "unit_id"] = written
    problem = only(problems_of(write_csv(frame)))
    assert (problem["rule"], problem["row"], problem["value"]) == ("unit_id_format", row_of(4), written)
    assert "con, prn, aux, nul" in problem["message"]


def test_a_reserved_id_in_capitals_gets_no_suggestion(write_csv, sample_frame):
    """"CON" lower-cased is still reserved: the validator must not suggest "con"; "COM10" is an ordinary id."""
    frame = sample_frame.astype(object)
    frame.loc[4, "unit_id"] = "CON"
    frame.loc[5, "unit_id"] = "COM10"
    problems = problems_of(write_csv(frame))
    assert list(problems["rule"]) == ["unit_id_format", "unit_id_format"]
    assert problems["message"].iloc[0] == rule_message("unit_id_format", "vi")
    assert problems["message"].iloc[1].endswith("hãy ghi “com10”")


def test_a_cell_breaking_several_rules_lists_them_in_one_order(write_csv, sample_frame):
    """The rules over a row first, then the column's own (count cells are checked all at once, text column by column)."""
    frame = sample_frame.astype(object)
    frame.loc[3, "clans_recognised"] = -1  # negative, and (registered being negative too) above the registered count
    frame.loc[3, "clans_registered"] = -5
    frame.loc[5, "unit_name"] = "\x07" + "a" * (TEXT_LIMIT + 1)  # too long and with a control character
    frame.loc[7, "members"] = None  # a blank required count
    problems = problems_of(write_csv(frame))
    listed = list(zip(problems["row"], problems["column"], problems["rule"], strict=True))
    assert listed == [
        (row_of(3), vi("clans_registered"), "non_negative"),
        (row_of(3), vi("clans_recognised"), "clans_recognised_le_registered"),
        (row_of(3), vi("clans_recognised"), "non_negative"),
        (row_of(5), vi("unit_name"), "text_too_long"),
        (row_of(5), vi("unit_name"), "control_character"),
        (row_of(7), vi("members"), "required"),
    ]
