"""The ``khuyenhoc`` command: its outputs, exit codes, and error messages without tracebacks."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from khuyenhoc.cli import EXIT_FAILED, EXIT_OK, EXIT_USAGE, main
from khuyenhoc.indicators import IDS, INDICATORS, compute
from khuyenhoc.paths import SAMPLE_DATA


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code: int, out: str, err: str, path: Path, reason: str) -> None:
    assert code == EXIT_FAILED
    assert out == ""
    assert "Traceback" not in err
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert err.startswith(f"khuyenhoc: {path}")
    assert reason in err
    assert "unexpected error" not in err


# --- indicators ------------------------------------------------------------


def test_indicators_table_in_vietnamese(capsys):
    code, out, err = run(capsys, "indicators", "--year", "2013")
    assert code == EXIT_OK and err == ""
    lines = out.splitlines()
    assert lines[0] == "Chỉ tiêu năm 2013 — toàn địa bàn"
    assert lines[1] == "Số liệu minh hoạ: không phải số liệu chính thức của đơn vị nào."
    assert len(lines) == 2 + len([i for i in INDICATORS if not i.optional])  # the file has none of the optional groups: no rows of "—"
    rows = {line.rsplit("  ", 1)[0].strip(): line.rsplit("  ", 1)[1].strip() for line in lines[2:]}
    assert rows["Số hội viên"] == "9.123 người"
    assert rows["Tổng quỹ khuyến học"] == "343.380.000 đồng"
    assert rows["Tỷ lệ tăng hội viên so với năm trước"] == "+5,6%"
    assert rows["Quỹ của các xã, phường"] == "308.145.000 đồng"
    assert rows["Quỹ của Hội cấp huyện"] == "35.235.000 đồng"
    assert rows["Lượt người tham gia tập huấn"] == "13.649 lượt người"
    assert rows["Bình quân lượt người mỗi lớp"] == "47,4 lượt/lớp"
    assert rows["Số đơn vị không tổ chức tập huấn"] == "1 đơn vị"


def test_indicators_table_in_english(capsys):
    code, out, _ = run(capsys, "indicators", "--year", "2013", "--lang", "en")
    assert code == EXIT_OK
    lines = out.splitlines()
    assert lines[0] == "Indicators for 2013 — whole area"
    assert lines[1] == "Illustrative figures: not the official figures of any unit."
    assert "9,123 people" in out
    assert "343,380,000 VND" in out
    assert "+5.6%" in out
    assert "1 unit\n" in out  # singular after one
    assert "người" not in out and "đồng" not in out


def test_indicators_json_has_the_documented_shape(capsys, sample_table):
    code, out, _ = run(capsys, "indicators", "--year", "2013", "--format", "json")
    assert code == EXIT_OK
    document = json.loads(out)
    assert {"year", "scope", "indicators"} <= set(document)
    assert document["year"] == 2013 and document["scope"] == "all"
    assert document["illustrative"] is True
    assert list(document["indicators"]) == IDS
    for key, entry in document["indicators"].items():
        assert set(entry) == {"value", "unit", "label_vi", "label_en"}, key
    members = document["indicators"]["members"]
    assert members == {"value": 9123, "unit": "person", "label_vi": "Số hội viên", "label_en": "Members"}
    assert document["indicators"]["fund_total_vnd"]["value"] == 343_380_000
    assert document["indicators"]["fund_total_vnd"]["unit"] == "vnd"
    assert round(document["indicators"]["members_growth_pct"]["value"], 1) == 5.6
    expected = compute(sample_table, 2013)
    assert {key: entry["value"] for key, entry in document["indicators"].items()} == pytest.approx(expected)


def test_indicators_json_uses_null_for_undefined_values(capsys):
    code, out, _ = run(capsys, "indicators", "--year", "2009", "--format", "json")
    assert code == EXIT_OK
    assert "NaN" not in out and "Infinity" not in out
    indicators = json.loads(out)["indicators"]
    assert indicators["members_change"]["value"] is None
    assert indicators["members_growth_pct"]["value"] is None
    assert indicators["fund_change_vnd"]["value"] is None
    assert indicators["members"]["value"] == 7468


def test_indicators_csv(capsys):
    code, out, _ = run(capsys, "indicators", "--year", "2013", "--format", "csv")
    assert code == EXIT_OK
    assert out.startswith("\ufeffid,")  # a byte-order mark: Excel then reads the diacritics as UTF-8
    rows = list(csv.DictReader(io.StringIO(out.removeprefix("\ufeff"))))
    assert list(rows[0]) == ["id", "label", "value", "unit", "unit_label", "formatted"]
    by_id = {row["id"]: row for row in rows}
    assert list(by_id) == IDS
    assert by_id["members"]["value"] == "9123"  # an integer stays an integer, not 9123.0
    assert by_id["members"]["formatted"] == "9.123 người"
    assert by_id["fund_total_vnd"]["value"] == "343380000"
    assert by_id["fund_total_vnd"]["formatted"] == "343.380.000 đồng"
    assert float(by_id["members_growth_pct"]["value"]) == pytest.approx(5.6025, abs=1e-4)


@pytest.fixture
def groups_file(tmp_path) -> Path:
    from groups_data import write

    return write(tmp_path)


def test_indicators_of_a_file_with_the_groups_in_every_format(capsys, groups_file):
    code, out, _ = run(capsys, "indicators", "--data", str(groups_file), "--year", "2024", "--format", "json")
    assert code == EXIT_OK
    indicators = json.loads(out)["indicators"]
    assert indicators["learning_citizens_pct"] == {"value": 40.0, "unit": "percent", "label_vi": "Tỷ lệ người lớn đạt danh hiệu Công dân học tập",
                                                   "label_en": "Adults recognised as learning citizens"}
    assert indicators["scholarships_change_vnd"]["value"] == -4_000_000 and indicators["branches"]["value"] == 20
    code, out, _ = run(capsys, "indicators", "--data", str(groups_file), "--year", "2024", "--format", "csv")
    by_id = {row["id"]: row for row in csv.DictReader(io.StringIO(out.removeprefix("\ufeff")))}
    assert list(by_id) == IDS
    assert (by_id["value_per_award_vnd"]["value"], by_id["value_per_award_vnd"]["formatted"]) == ("100000", "100.000 đồng/lượt")
    assert by_id["learning_citizens_change_pp"]["formatted"] == "'+10,0 điểm phần trăm"  # text starting with + : quoted (OWASP)
    assert by_id["learners_per_centre_class"]["formatted"] == "26,3 lượt học viên/lớp"
    code, out, _ = run(capsys, "indicators", "--data", str(groups_file), "--year", "2024", "--lang", "en")
    rows = {line.rsplit("  ", 1)[0].strip(): line.rsplit("  ", 1)[1].strip() for line in out.splitlines()[1:]}
    assert rows["Association branches (chi hội)"] == "20 branches"
    assert rows["Scholarships"] == "26 scholarships"
    assert rows["Fund per inhabitant"] == "2,667 VND per inhabitant"
    assert "Households recognised as learning families" not in rows  # the titles are not in this file


def test_indicators_csv_in_english_leaves_undefined_values_empty(capsys):
    code, out, _ = run(capsys, "indicators", "--year", "2009", "--format", "csv", "--lang", "en")
    assert code == EXIT_OK
    by_id = {row["id"]: row for row in csv.DictReader(io.StringIO(out.removeprefix("\ufeff")))}
    assert by_id["members"]["label"] == "Members"
    assert by_id["members"]["formatted"] == "7,468 people"
    assert by_id["members_change"]["value"] == ""
    assert by_id["members_change"]["formatted"] == "—"


def test_indicators_for_one_unit(capsys, sample_table):
    expected = compute(sample_table, 2013, "duc-xuan")
    code, out, _ = run(capsys, "indicators", "--year", "2013", "--unit", "duc-xuan", "--format", "json")
    assert code == EXIT_OK
    document = json.loads(out)
    assert document["scope"] == "duc-xuan"
    assert {key: entry["value"] for key, entry in document["indicators"].items()} == pytest.approx(expected)
    assert 0 < document["indicators"]["members"]["value"] < 9123
    assert document["indicators"]["fund_district_vnd"]["value"] == 0

    code, out, _ = run(capsys, "indicators", "--year", "2013", "--unit", "duc-xuan")
    assert code == EXIT_OK
    assert out.splitlines()[0] == "Chỉ tiêu năm 2013 — Phường Đức Xuân (duc-xuan)"
    assert "Số liệu minh hoạ" in out
    members = f"{expected['members']:,}".replace(",", ".") + " người"
    assert members in out


def test_indicators_with_an_explicit_data_file(capsys, sample_frame, write_csv):
    path = write_csv(sample_frame, sep=";")
    code, out, _ = run(capsys, "indicators", "--data", str(path), "--year", "2013", "--format", "json")
    assert code == EXIT_OK
    document = json.loads(out)
    assert document["indicators"]["members"]["value"] == 9123
    assert document["illustrative"] is True  # every row carries the sample writer's marker note, and there is no origin record


def test_unknown_year_or_unit_is_a_one_line_error(capsys):
    code, out, err = run(capsys, "indicators", "--year", "1999")
    assert code == EXIT_FAILED and out == ""
    assert err.count("\n") == 1 and "1999" in err and "2009, 2010, 2011, 2012, 2013" in err
    code, out, err = run(capsys, "indicators", "--year", "2013", "--unit", "khong-co", "--lang", "en")
    assert code == EXIT_FAILED and out == ""
    assert err == "khuyenhoc: there is no unit 'khong-co' in 2013\n"


# --- validate --------------------------------------------------------------


def test_validate_the_sample(capsys):
    before = hashlib.sha256(SAMPLE_DATA.read_bytes()).hexdigest()
    code, out, err = run(capsys, "validate", str(SAMPLE_DATA))
    assert code == EXIT_OK and err == ""
    assert out == "Dữ liệu hợp lệ: 45 dòng, 9 đơn vị, các năm 2009, 2010, 2011, 2012, 2013.\n"
    assert hashlib.sha256(SAMPLE_DATA.read_bytes()).hexdigest() == before
    code, out, _ = run(capsys, "validate", str(SAMPLE_DATA), "--lang", "en")
    assert out == "The data is valid: 45 rows, 9 units, years 2009, 2010, 2011, 2012, 2013.\n"


@pytest.fixture
def bad_file(sample_frame, write_csv) -> Path:
    frame = sample_frame.copy()
    frame.loc[3, "members"] = -5  # spreadsheet row 5 (header is row 1)
    frame.loc[10, "clans_recognised"] = frame.loc[10, "clans_registered"] + 1  # row 12
    return write_csv(frame, "bad.csv")


def test_validate_a_bad_file_reports_every_problem_with_row_and_column(capsys, bad_file):
    before = bad_file.read_bytes()
    code, out, err = run(capsys, "validate", str(bad_file))
    assert code == EXIT_FAILED
    assert out == ""
    assert "Traceback" not in err
    lines = err.splitlines()
    assert lines[0] == f"Tệp {bad_file}: có 2 lỗi trong dữ liệu"
    assert lines[1] == "  Dòng 5, cột “Số hội viên” = “-5”: Không được là số âm"
    assert lines[2].startswith("  Dòng 12, cột “Dòng họ đạt chuẩn” = “2”: ")
    assert "[" not in err  # rule ids only with --verbose
    assert bad_file.read_bytes() == before
    code, _, err = run(capsys, "validate", str(bad_file), "--verbose")
    assert err.splitlines()[1] == "  Dòng 5, cột “Số hội viên” = “-5”: Không được là số âm [non_negative]"
    assert err.splitlines()[2].endswith("[clans_recognised_le_registered]")


def test_validate_a_bad_file_in_english(capsys, bad_file):
    code, _, err = run(capsys, "validate", str(bad_file), "--lang", "en")
    assert code == EXIT_FAILED
    assert f"File {bad_file}: 2 problem(s) in the data" in err
    assert "  Row 5, column 'Số hội viên' = '-5': Must not be negative" in err.splitlines()


def test_indicators_on_a_bad_file_prints_the_report(capsys, bad_file):
    code, out, err = run(capsys, "indicators", "--data", str(bad_file), "--year", "2013")
    assert code == EXIT_FAILED and out == ""
    assert "Dòng 5, cột “Số hội viên”" in err


def test_validate_an_empty_file(capsys, tmp_path):
    path = tmp_path / "rong.csv"
    path.write_bytes(b"")
    assert_one_line_error(*run(capsys, "validate", str(path)), path, "tệp rỗng")
    path.write_text("  \n\n", encoding="utf-8")
    assert_one_line_error(*run(capsys, "validate", str(path), "--lang", "en"), path, "the file is empty")


def test_validate_a_file_with_headers_but_no_rows(capsys, tmp_path):
    path = tmp_path / "chi-tieu-de.csv"
    path.write_text("Năm,Mã đơn vị,Tên đơn vị,Cấp,Dân số,Số hội viên,Gia đình tú tài,Gia đình cử nhân,"
                    "Dòng họ đăng ký,Dòng họ đạt chuẩn,Số lớp,Lượt người,Quỹ khuyến học\n", encoding="utf-8")
    assert_one_line_error(*run(capsys, "validate", str(path), "--lang", "en"), path, "no data rows")


def test_validate_a_missing_file(capsys, tmp_path):
    path = tmp_path / "khong-co.csv"
    assert_one_line_error(*run(capsys, "validate", str(path)), path, "không tìm thấy tệp")
    assert not path.exists()
    assert_one_line_error(*run(capsys, "indicators", "--data", str(path), "--year", "2013", "--lang", "en"), path, "file not found")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("anh.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4),
        ("du-lieu.bin", bytes(range(256)) * 8),
        ("hong.xlsx", b"PK\x03\x04" + b"\x00\xff" * 300),  # looks like a zip, is not one
    ],
)
def test_validate_a_binary_file(capsys, tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    code, out, err = run(capsys, "validate", str(path))
    assert_one_line_error(code, out, err, path, "không đọc được")
    assert path.read_bytes() == content


def test_validate_a_zip_that_is_not_a_workbook(capsys, tmp_path):
    path = tmp_path / "nen.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "xin chào")
    assert_one_line_error(*run(capsys, "validate", str(path)), path, "không đọc được tệp")


def test_validate_a_directory(capsys, tmp_path):
    code, out, err = run(capsys, "validate", str(tmp_path))
    assert code == EXIT_FAILED and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err


# --- usage ----------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["bogus"],
        ["indicators"],  # --year is required
        ["indicators", "--year", "hai-nghin"],
        ["indicators", "--year", "2013", "--format", "xml"],
        ["indicators", "--year", "2013", "--lang", "fr"],
        ["validate"],
    ],
)
def test_usage_errors_exit_2(capsys, argv):
    code, out, err = run(capsys, *argv)
    assert code == EXIT_USAGE
    assert out == ""
    assert "usage: khuyenhoc" in err
    assert "Traceback" not in err


def test_template_needs_an_xlsx_path(capsys, tmp_path):
    target = tmp_path / "mau.csv"
    code, out, err = run(capsys, "template", str(target))
    assert code == EXIT_USAGE and out == ""
    assert err == "khuyenhoc: mẫu nhập liệu là một tệp Excel: hãy ghi đường dẫn có đuôi .xlsx\n"
    assert not target.exists()


def test_help_and_version_exit_0(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == EXIT_OK and "indicators" in out and "validate" in out and "template" in out
    code, out, _ = run(capsys, "--version")
    assert code == EXIT_OK and out.startswith("khuyenhoc ")


# --- the installed console script ------------------------------------------------


def _console_script() -> str | None:
    beside = Path(sys.executable).with_name("khuyenhoc")
    return str(beside) if beside.exists() else shutil.which("khuyenhoc")


def test_installed_console_script(tmp_path):
    """The script's exit code and its one-line error (the same command's output in-process: test_validate_a_missing_file);
    its output on a pipe: test_a_closed_pipe_is_not_an_error."""
    script = _console_script()
    if script is None:
        pytest.skip("the khuyenhoc console script is not installed (pip install -e .)")
    missing = subprocess.run([script, "validate", "khong-co.csv"], capture_output=True, text=True, encoding="utf-8",
                             cwd=tmp_path, timeout=60, check=False)
    assert missing.returncode == 1
    assert missing.stderr == "khuyenhoc: khong-co.csv: không tìm thấy tệp\n"


def test_a_closed_pipe_is_not_an_error(tmp_path):
    """`khuyenhoc indicators … | head`, end to end (the installed script when there is one): the first line, exit code 0."""
    import shlex

    script = _console_script()
    command = shlex.quote(script) if script else f"{shlex.quote(sys.executable)} -m khuyenhoc"
    pipeline = f"{command} indicators --year 2013 | head -n 1"
    result = subprocess.run(["bash", "-o", "pipefail", "-c", pipeline], capture_output=True, text=True, encoding="utf-8",
                            cwd=tmp_path, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Chỉ tiêu năm 2013 — toàn địa bàn\n"
    assert "BrokenPipe" not in result.stderr and "lỗi" not in result.stderr


def test_validation_error_message_is_in_the_chosen_language(write_csv, sample_frame):
    from khuyenhoc.errors import DataValidationError
    from khuyenhoc.table import load_table

    sample_frame.loc[0, "members"] = -1
    path = write_csv(sample_frame)
    for lang, expected in (("vi", "1 lỗi trong dữ liệu (lỗi đầu tiên: dòng 2, cột Số hội viên"),
                           ("en", "1 problem(s) in the data (first: row 2, column Số hội viên")):
        with pytest.raises(DataValidationError) as caught:
            load_table(path, lang=lang)
        assert str(caught.value).startswith(expected)


# --- sample -----------------------------------------------------------------


@pytest.mark.parametrize("existing", ["lon.csv", "lon.origin.json"])
def test_sample_refuses_to_overwrite_its_csv_or_origin_record_unless_forced(capsys, tmp_path, existing):
    from khuyenhoc.i18n import text

    out = tmp_path / "lon.csv"
    (tmp_path / existing).write_text("mine", encoding="utf-8")
    code, stdout, err = run(capsys, "sample", "--units", "2", "--years", "2020", "--out", str(out), "--lang", "en")
    assert code == EXIT_FAILED and stdout == ""
    assert err == f"khuyenhoc: {text('error.exists', 'en', path=tmp_path / existing)}\n"
    assert (tmp_path / existing).read_text(encoding="utf-8") == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == [existing]  # nothing else written either
    code, _, _ = run(capsys, "sample", "--units", "2", "--years", "2020", "--out", str(out), "--force")
    assert code == EXIT_OK
    assert json.loads((tmp_path / "lon.origin.json").read_text(encoding="utf-8"))["synthetic"] is True


def test_indicators_for_an_area_and_for_a_unit_of_a_province(capsys, tmp_path):
    from province_data import HEADER, ROWS_2024, ROWS_2025

    data = tmp_path / "tinh.csv"
    data.write_text("\n".join([HEADER, *ROWS_2024, *ROWS_2025]) + "\n", encoding="utf-8")
    code, out, _ = run(capsys, "indicators", "--data", str(data), "--year", "2024", "--unit", "huyen-b", "--format", "json")
    document = json.loads(out)
    assert code == EXIT_OK
    assert (document["scope"], document["scope_type"]) == ("huyen-b", "area")
    assert document["indicators"]["members"]["value"] == 1800
    assert document["indicators"]["fund_district_vnd"]["value"] == 20_000_000
    code, out, _ = run(capsys, "indicators", "--data", str(data), "--year", "2024", "--unit", "xa-1", "--format", "json")
    assert (json.loads(out)["scope_type"], json.loads(out)["indicators"]["members"]["value"]) == ("unit", 1000)
    code, out, _ = run(capsys, "indicators", "--data", str(data), "--year", "2025")
    assert out.splitlines()[0] == "Chỉ tiêu năm 2025 — toàn địa bàn"
    assert "3.900 người" in out
    code, out, _ = run(capsys, "indicators", "--data", str(data), "--year", "2024", "--unit", "huyen-c")
    assert out.splitlines()[0] == "Chỉ tiêu năm 2024 — Thành phố Cẩm Giang (huyen-c) và các đơn vị trực thuộc"


@pytest.mark.parametrize(("shape", "levels_2024", "levels_2025"), [
    ("auto", {"tỉnh", "huyện", "xã"}, {"tỉnh", "xã"}),
    ("three-tier", {"tỉnh", "huyện", "xã"}, {"tỉnh", "huyện", "xã"}),
    ("two-tier", {"tỉnh", "xã"}, {"tỉnh", "xã"}),
])
def test_sample_shapes(capsys, tmp_path, shape, levels_2024, levels_2025):
    import pandas as pd

    from khuyenhoc.table import load_table

    out_path = tmp_path / f"{shape}.csv"
    code, _, _ = run(capsys, "sample", "--units", "120", "--years", "2024-2025", "--shape", shape, "--out", str(out_path))
    assert code == EXIT_OK
    raw = pd.read_csv(out_path)
    assert set(raw.loc[raw["Năm"] == 2024, "Cấp"]) == levels_2024
    assert set(raw.loc[raw["Năm"] == 2025, "Cấp"]) == levels_2025
    table = load_table(out_path)
    assert table.synthetic and json.loads(out_path.with_name(f"{shape}.origin.json").read_text(encoding="utf-8"))["shape"] == shape
    if shape == "auto":  # districts dissolved, communes moved under the province, a few merged
        assert len(table.tree.areas(2024)) > len(table.tree.areas(2025)) == len(table.tree.roots(2025))
        merged = table.frame[(table.frame["year"] == 2025) & table.frame["unit_id"].str.startswith("m")]
        assert len(merged) >= 1 and (table.frame["year"] == 2025).sum() < (table.frame["year"] == 2024).sum()
        assert (table.warnings["rule"] == "parent_changed").any()


@pytest.mark.parametrize("command", [["indicators", "--year", "2013", "--format", "csv"], ["indicators", "--year", "2013", "--format", "xlsx"],
                                     ["template"]])
def test_a_folder_given_as_the_output_file_is_called_a_folder(tmp_path, capsys, command):
    """Issue 22, item 14: `--out DIR` was "already exists (add --force)", and with --force an IsADirectoryError."""
    folder = tmp_path / ("mau.xlsx" if command == ["template"] else "bao-cao")
    folder.mkdir()
    argv = [*command, str(folder)] if command == ["template"] else [*command, "--out", str(folder)]
    for extra in ([], ["--force"]):
        assert main([*argv, *extra]) == EXIT_FAILED
        err = capsys.readouterr().err
        assert err == f"khuyenhoc: {folder} là một thư mục, không phải tệp; hãy ghi đường dẫn của một tệp (có thể là một tệp trong thư mục đó)\n"
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize(("option", "value", "message"), [
    ("--org", "Hội Khuyến học\x01 An Hòa", "--org có ký tự điều khiển không nhìn thấy (U+0001); hãy gõ lại nội dung này"),
    ("--place", "An\x1bHòa", "--place có ký tự điều khiển không nhìn thấy (U+001B); hãy gõ lại nội dung này"),
    ("--org", "x" * 1001, "--org dài 1001 ký tự; tối đa 1000 ký tự"),
])
def test_run_options_a_report_cannot_carry_are_refused_before_the_run(tmp_path, capsys, option, value, message):
    """Issue 22, items 10 and 11: refused before the data is read or the folder made."""
    out = tmp_path / "reports"
    assert main(["run", "--out", str(out), option, value]) == EXIT_USAGE
    assert capsys.readouterr().err == f"khuyenhoc: {message}\n"
    assert not out.exists()


def test_the_shared_options_are_written_once_and_read_alike_by_every_command():
    from khuyenhoc.cli import build_parser, shared_options

    parser = build_parser()
    shared = shared_options()
    assert set(shared) == {"lang", "sheet", "lineage", "data"}
    assert vars(shared["data"].parse_args(["--data", "d.xlsx", "--sheet", "Số liệu"])) == {"data": "d.xlsx", "sheet": "Số liệu"}
    assert vars(shared["lang"].parse_args([])) == {"lang": "vi"}
    for argv in (["validate", "d.xlsx"], ["indicators", "--year", "2013"], ["targets", "--year", "2013"], ["run"]):
        args = parser.parse_args([*argv, "--sheet", "Số liệu", "--lineage", "k.csv", "--lang", "en"])
        assert (args.sheet, args.lineage, args.lang) == ("Số liệu", "k.csv", "en")
    for argv in (["template", "t.xlsx"], ["collect", "in", "--out", "m.csv"], ["sample", "--units", "3", "--years", "2012-2013", "--out", "s.csv"]):
        assert parser.parse_args(argv).lang == "vi"
    assert parser.parse_args(["run"]).data is None and parser.parse_args(["indicators", "--year", "2013", "--data", "d.csv"]).data == "d.csv"
