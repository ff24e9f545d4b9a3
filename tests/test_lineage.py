"""The lineage table: read through the reader's conventions, every problem at once, notes, and the CLI flags."""

from __future__ import annotations

import pytest

from khuyenhoc.cli import main
from khuyenhoc.errors import DataValidationError
from khuyenhoc.lineage import parse_share, read_lineage
from khuyenhoc.sample import synthetic_lineage, synthetic_table, write_sample_files
from khuyenhoc.table import load_table
from province_data import HEADER, ROWS_2024, ROWS_2025

LINEAGE_HEADER = "Năm,Mã đơn vị cũ,Mã đơn vị mới,Tỷ lệ"


@pytest.fixture
def province(tmp_path):
    path = tmp_path / "tinh.csv"
    path.write_text("\n".join([HEADER, *ROWS_2024, *ROWS_2025]) + "\n", encoding="utf-8")
    return path


def _lineage(tmp_path, *rows: str, header: str = LINEAGE_HEADER):
    path = tmp_path / "ke-thua.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def _problems(province, lineage):
    with pytest.raises(DataValidationError) as caught:
        load_table(province, lineage=lineage, lang="en")
    return caught.value.problems


def test_headers_are_matched_like_the_data_headers(tmp_path, province):
    path = _lineage(tmp_path, "2025,xa-1,xa-12,", "2025,xa-2,xa-12,100%", header="nam;MA DON VI CU;Mã đơn vị mới;Tỉ lệ".replace(";", ","))
    table = load_table(province, lineage=path)
    assert table.lineage.links.to_dict("records") == [
        {"year": 2025, "from_unit_id": "xa-1", "to_unit_id": "xa-12", "share": 1.0},
        {"year": 2025, "from_unit_id": "xa-2", "to_unit_id": "xa-12", "share": 1.0},
    ]
    assert list(table.lineage.links.index) == [2, 3]  # rows as the user sees them


def test_shares_as_written():
    assert parse_share("0,4") == 0.4 and parse_share("0.4") == 0.4 and parse_share("40%") == 0.4 and parse_share("1") == 1.0
    assert parse_share("bốn") is None


def test_every_problem_at_once_with_row_column_and_rule(tmp_path, province):
    path = tmp_path / "ke-thua.csv"
    path.write_text("\n".join([LINEAGE_HEADER, "2025,xa-9,xa-12,1", "2025,xa-1,xa-99,1", '2025,xa-2,xa-12,"1,5"', "2025,xa-2,xa-12,abc",
                               "20x5,Xa 1,xa-12,", "2025,xa-1,,1", "2025,xa-1,xa-99,1"]) + "\n", encoding="utf-8")
    problems = _problems(province, path)
    found = {(int(p.row), p.column, p.rule) for p in problems.itertuples()}
    assert (2, "Mã đơn vị cũ", "lineage_from_missing") in found
    assert (3, "Mã đơn vị mới", "lineage_to_missing") in found
    assert (4, "Tỷ lệ", "lineage_share_range") in found
    assert (5, "Tỷ lệ", "lineage_share_number") in found
    assert (6, "Năm", "lineage_year") in found
    assert (6, "Mã đơn vị cũ", "unit_id_format") in found
    assert (7, "Mã đơn vị mới", "required") in found
    assert (8, "Mã đơn vị mới", "lineage_duplicate") in found
    assert set(problems["file"]) == {str(path)}
    assert "2024" in problems.loc[problems["rule"] == "lineage_from_missing", "message"].iloc[0]


def test_shares_of_one_old_unit_add_up_to_at_most_one(tmp_path, province):
    path = _lineage(tmp_path, "2025,xa-1,xa-12,0,6".replace("0,6", '"0,6"'), '2025,xa-1,phuong-3,"0,5"')
    problems = _problems(province, path)
    assert list(problems["rule"]) == ["lineage_share_sum"] and problems["row"].iloc[0] == 3
    assert "1.1" in problems["message"].iloc[0] or "1,1" in problems["message"].iloc[0]


def test_a_unit_merged_away_cannot_continue(tmp_path, province):
    problems = _problems(province, _lineage(tmp_path, "2025,phuong-3,xa-12,1"))
    assert list(problems["rule"]) == ["lineage_continuing"] and problems["row"].iloc[0] == 2
    # a part split off while the rest continues is said with the unit's own row
    table = load_table(province, lineage=_lineage(tmp_path, '2025,phuong-3,xa-12,"0,2"', '2025,phuong-3,phuong-3,"0,8"'))
    assert table.lineage.sources(2025, "phuong-3") == [("phuong-3", 0.8)]


def test_missing_column_is_named(tmp_path, province):
    problems = _problems(province, _lineage(tmp_path, "2025,xa-1,1,", header="Năm,Mã đơn vị cũ,Tỷ lệ,Ghi chú"))
    assert "missing_column" in set(problems["rule"]) and "Mã đơn vị mới" in set(problems["column"])


def test_lineage_problems_come_with_the_data_problems(tmp_path, province):
    bad = tmp_path / "bad.csv"
    bad.write_text(province.read_text(encoding="utf-8").replace("2024,xa-2,Xã Hai,xã,huyen-b,4000,800", "2024,xa-2,Xã Hai,xã,huyen-b,4000,-800"),
                   encoding="utf-8")
    problems = _problems(bad, _lineage(tmp_path, '2025,xa-1,xa-12,"2"'))
    assert {"non_negative", "lineage_share_range"} <= set(problems["rule"])
    assert set(problems["file"]) == {str(bad), str(tmp_path / "ke-thua.csv")}


def test_units_ending_or_starting_without_lineage_are_notes(tmp_path, province):
    table = load_table(province, lineage=_lineage(tmp_path, "2025,xa-1,xa-12,", "2025,xa-2,xa-12,"), lang="en")
    notes = table.warnings.set_index("rule")
    assert "huyen-b, huyen-c" in notes.loc["lineage_ended", "message"]
    started = table.warnings[table.warnings["rule"] == "lineage_started"]
    assert sorted(started["value"]) == ["phuong-4", "tp-d"]
    # without lineage, no such notes
    assert "lineage_ended" not in set(load_table(province).warnings["rule"])


def test_workbook_sheet_is_read_without_a_flag(tmp_path):
    frame = synthetic_table(60, range(2024, 2026))
    lineage = synthetic_lineage(60, range(2024, 2026))
    assert list(lineage.itertuples(index=False, name=None))[:2] == [(2025, "u000001", "m000001", 1.0), (2025, "u000002", "m000001", 1.0)]
    path = write_sample_files(tmp_path / "tinh.xlsx", frame, {"synthetic": True}, lineage)
    table = load_table(path)
    assert table.lineage is not None and len(table.lineage.links) == len(lineage)
    assert read_lineage(path, sheet="Kế thừa").headers["share"] == "Tỷ lệ"
    assert len(load_table(path, lineage=path).lineage.links) == len(lineage), "--lineage on a workbook reads its sheet Kế thừa"


def test_cli_flags(tmp_path, province, capsys):
    lineage = _lineage(tmp_path, "2025,xa-1,xa-12,", "2025,xa-2,xa-12,")
    assert main(["validate", str(province), "--lineage", str(lineage), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "Lineage table valid: 2 rows" in out and "2025: 2 district level unit(s) ended without a successor" in out
    assert out.index("Row 3,") < out.index("Row 10,")  # notes in the file's row order
    assert main(["indicators", "--data", str(province), "--lineage", str(lineage), "--year", "2025", "--unit", "xa-12", "--format", "json"]) == 0
    assert '"value": 100' in capsys.readouterr().out.split('"members_change"')[1][:40]
    assert main(["indicators", "--data", str(province), "--year", "2025", "--unit", "xa-12", "--format", "json"]) == 0
    assert '"value": null' in capsys.readouterr().out.split('"members_change"')[1][:40]
    assert main(["targets", "--data", str(province), "--lineage", str(lineage), "--year", "2025", "--unit", "xa-12"]) == 0
    broken = _lineage(tmp_path, "2025,xa-7,xa-12,")
    assert main(["validate", str(province), "--lineage", str(broken)]) == 1
    assert "xa-7" in capsys.readouterr().err
    args = ["run", "--data", str(province), "--lineage", str(broken), "--out", str(tmp_path / "r")]
    assert main(args) == 1  # refused before anything runs
    assert not (tmp_path / "r").exists()


def test_sample_writes_the_lineage_beside_a_csv(tmp_path, capsys):
    out = tmp_path / "t.csv"
    assert main(["sample", "--units", "60", "--years", "2024-2025", "--out", str(out)]) == 0
    beside = tmp_path / "t-ke-thua.csv"
    assert beside.read_text(encoding="utf-8").splitlines()[:2] == ["Năm,Mã đơn vị cũ,Mã đơn vị mới,Tỷ lệ", "2025,u000001,m000001,1"]
    table = load_table(out, lineage=beside)
    assert set(table.lineage.links["to_unit_id"]) == {u for u in table.frame["unit_id"] if u.startswith("m")}
    assert main(["sample", "--units", "60", "--years", "2024-2025", "--out", str(out)]) == 1  # nothing replaced without --force


def test_the_report_names_each_file_with_its_problems(tmp_path, province, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text(province.read_text(encoding="utf-8").replace("4000,800", "4000,-800"), encoding="utf-8")
    assert main(["validate", str(bad), "--lineage", str(_lineage(tmp_path, '2025,xa-1,xa-12,"2"')), "--lang", "en"]) == 1
    err = capsys.readouterr().err
    assert err.index("bad.csv") < err.index("Must not be negative") < err.index("ke-thua.csv") < err.index("more than 0")


def test_the_file_beside_the_data_is_read_without_a_flag(tmp_path, province):
    beside = tmp_path / "tinh-ke-thua.csv"  # province is tinh.csv
    beside.write_text(f"{LINEAGE_HEADER}\n2025,xa-1,xa-12,\n2025,xa-2,xa-12,\n", encoding="utf-8")
    table = load_table(province)
    assert table.lineage is not None and len(table.lineage.links) == 2 and table.lineage.source == str(beside)
    given = _lineage(tmp_path, "2025,xa-1,xa-12,")
    assert len(load_table(province, lineage=given).lineage.links) == 1, "a lineage given by name wins"
    beside.write_text(f"{LINEAGE_HEADER}\n2025,xa-7,xa-12,\n", encoding="utf-8")
    problems = _problems(province, None)
    assert list(problems["file"]) == [str(beside)] and problems["column"].iloc[0] == "Mã đơn vị cũ"


def test_a_workbooks_own_sheet_wins_over_a_file_beside_it(tmp_path):
    frame = synthetic_table(60, range(2024, 2026))
    lineage = synthetic_lineage(60, range(2024, 2026))
    path = write_sample_files(tmp_path / "tinh.xlsx", frame, {"synthetic": True}, lineage)
    (tmp_path / "tinh-ke-thua.csv").write_text(f"{LINEAGE_HEADER}\n2025,u000001,m000001,\n", encoding="utf-8")
    assert len(load_table(path).lineage.links) == len(lineage) > 1


def test_validate_says_when_a_level_ended_and_no_lineage_was_given(tmp_path, province, capsys):
    assert main(["validate", str(province), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert ("2025: no rows at district level (there were in 2024) and no lineage table was given: the 2025 reports "
            "compare only the units with figures in both years.") in out
    assert "(tinh-ke-thua.csv beside the data file" in out
    assert main(["validate", str(province), "--lineage", str(_lineage(tmp_path, "2025,xa-1,xa-12,", "2025,xa-2,xa-12,"))]) == 0
    assert "chưa có bảng kế thừa" not in capsys.readouterr().out


def test_validate_asks_for_no_lineage_when_every_unit_kept_its_id(tmp_path, capsys):
    from province_data import HEADER

    path = tmp_path / "same.csv"
    path.write_text("\n".join([HEADER,
                               "2024,tinh-a,Tỉnh An Hòa,tỉnh,,,0,0,0,0,0,0,0,50.000.000",
                               "2024,huyen-b,Huyện Bình Lạc,huyện,tinh-a,,0,0,0,0,0,0,0,20.000.000",
                               "2024,xa-1,Xã Một,xã,huyen-b,5000,1000,50,10,2,1,10,400,30.000.000",
                               "2025,tinh-a,Tỉnh An Hòa,tỉnh,,,0,0,0,0,0,0,0,60.000.000",
                               "2025,xa-1,Xã Một,xã,tinh-a,5000,1100,50,10,2,1,10,400,31.000.000"]) + "\n", encoding="utf-8")
    assert main(["validate", str(path), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "2025: no rows at district level (there were in 2024) and no lineage table was given" in out
    assert "To compare on the new boundaries" not in out
