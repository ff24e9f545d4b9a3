"""Collecting returned workbooks: each checked alone, the valid merged (and accepted by validate), the rest named with a reason."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from khuyenhoc.cli import EXIT_OK, main
from khuyenhoc import collect as collect_module
from khuyenhoc.collect import Status, collect, gather
from khuyenhoc.commune_workbooks import write_unit_workbooks
from khuyenhoc.errors import KhuyenhocError
from khuyenhoc.sample import synthetic_table, to_csv_text
from khuyenhoc.table import load_table
from khuyenhoc.validate import check
from workbooks import fill, letter_of


@pytest.fixture(scope="module")
def province(tmp_path_factory) -> Path:
    """A province, one district, three communes: every rule below shows on three communes (each collect reads every file)."""
    path = tmp_path_factory.mktemp("province") / "tinh.csv"
    path.write_text(to_csv_text(synthetic_table(3, range(2023, 2025), seed=3, shape="three-tier")), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def province_table(province):
    """The province as validated (read-only)."""
    return load_table(province)


@pytest.fixture(scope="module")
def sent(province, tmp_path_factory) -> Path:
    """The workbooks sent out for 2025: a province, its districts, their communes."""
    out = tmp_path_factory.mktemp("sent") / "gui"
    write_unit_workbooks(province, 2025, out)
    return out


@pytest.fixture(scope="module")
def filled(sent, tmp_path_factory) -> Path:
    """Every workbook filled in with last year's figures (once per module: filling is the costly part)."""
    folder = tmp_path_factory.mktemp("filled") / "nhan"
    for path in sorted(sent.iterdir()):
        fill(path, folder / path.name)
    return folder


@pytest.fixture
def back(filled, tmp_path) -> Path:
    """The filled workbooks as returned, a copy of their own for each test (tests edit and remove them)."""
    folder = tmp_path / "nhan"
    shutil.copytree(filled, folder)
    return folder


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def test_every_valid_file_merged_into_a_table_validate_accepts(back, province, province_table, tmp_path, capsys):
    before = _digests(back)
    out = tmp_path / "tong-hop.csv"
    assert main(["collect", str(back), "--out", str(out), "--expect", str(province)]) == EXIT_OK
    printed = capsys.readouterr().out
    count = len(before)
    assert [" ".join(line.split()) for line in printed.splitlines()[:5]] == [
        "Tổng hợp số liệu từ các tệp gửi về:", f"Đã nhận {count} tệp", f"Đã tổng hợp {count} tệp", "Trả lại 0 tệp", "Chưa nhận (thiếu) 0 đơn vị"]
    assert f"Đã ghi bảng tổng hợp {out}: {count} dòng từ {count} tệp." in printed
    assert _digests(back) == before  # the files received are never modified
    merged = load_table(out)
    assert len(merged.frame) == count and merged.years == [2025]
    last = province_table.frame.query("year == 2024").set_index("unit_id")
    now = merged.frame.set_index("unit_id")
    assert (now["members"] == last.loc[now.index, "members"]).all() and (now["fund_vnd"] == last.loc[now.index, "fund_vnd"]).all()
    assert (now["parent_id"].fillna("") == last.loc[now.index, "parent_id"].fillna("")).all()
    assert now.loc[now["level"] == "commune", "learning_families"].notna().all()  # the optional groups came back too
    assert list(merged.warnings["rule"]) == ["ignored_column"] and merged.warnings["column"].iloc[0] == "Tệp nguồn"
    raw = pd.read_csv(out, encoding="utf-8-sig")
    assert list(raw["Tệp nguồn"]) == sorted(f"{unit}.xlsx" for unit in raw["Mã đơn vị"])
    assert not (tmp_path / "tong-hop-phan-hoi").exists()


def test_mistakes_are_sent_back_and_the_rest_merged(back, tmp_path, capsys):
    commune = sorted(back.glob("u*.xlsx"))[0]
    fill(commune, members="1.680,5", training_classes=0)
    out = tmp_path / "tong-hop.csv"
    assert main(["collect", str(back), "--out", str(out)]) == 1
    printed = capsys.readouterr().out
    assert re.search(r"\n  Trả lại +1 tệp\n", printed)
    assert f"  {commune.name}: trả lại: có lỗi — 2 lỗi; lỗi đầu tiên: dòng 4, cột “Số hội viên”: Phải là số nguyên" in printed
    merged = load_table(out)
    assert commune.stem not in set(merged.frame["unit_id"]) and len(merged.frame) == len(list(back.iterdir())) - 1
    note = (tmp_path / "tong-hop-phan-hoi" / f"{commune.name}.phan-hoi.txt").read_text(encoding="utf-8-sig")
    members, participants = letter_of(commune, "members"), letter_of(commune, "training_participants")
    assert note.splitlines()[:4] == [
        f"Phản hồi về tệp {commune.name}", "",
        "Tệp chưa được đưa vào bảng tổng hợp vì có 2 lỗi dưới đây. Hãy sửa các ô này trong tệp rồi gửi lại (giữ nguyên tên tệp).", ""]
    assert f"1. Ô {members}4 (dòng 4, cột {members} “Số hội viên”): đã ghi “1.680,5”" in note
    assert "   Lỗi: Phải là số nguyên, không có phần lẻ (đây là số đếm)" in note
    assert "   Cách ghi cột này: Số hội viên cuối năm" in note
    assert f"2. Ô {participants}4 (dòng 4, cột {participants} “Lượt người”)" in note
    assert "   Lỗi: Không có lớp tập huấn thì lượt người phải bằng 0" in note


def test_a_unit_in_two_files_is_named_and_neither_merged(back, tmp_path, capsys):
    commune = sorted(back.glob("u*.xlsx"))[1]
    shutil.copy(commune, back / f"{commune.stem} (sửa).xlsx")
    collection = collect([back])
    twins = [f for f in collection.files if f.status is Status.DUPLICATE]
    assert [f.name for f in twins] == [f"{commune.stem} (sửa).xlsx", commune.name]
    assert twins[1].reason == f"số liệu năm 2025 của “{commune.stem}” cũng có trong {commune.stem} (sửa).xlsx; không tổng hợp tệp nào trong số đó"
    assert commune.stem not in set(collection.merged["Mã đơn vị"])


def test_unreadable_files_are_named_without_a_traceback(back, tmp_path, capsys):
    (back / "ghi-chu.pdf").write_bytes(b"%PDF-1.4 not a table")
    (back / "rong.xlsx").write_bytes(b"")
    (back / "mat-khau.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)  # how Excel stores a password-protected workbook
    (back / "hong.xlsx").write_bytes(b"PK\x03\x04 broken zip")
    (back / "chi-tieu-de.csv").write_text("Năm,Mã đơn vị,Tên đơn vị,Cấp\n", encoding="utf-8")
    assert main(["collect", str(back), "--out", str(tmp_path / "m.csv")]) == 1
    out, err = capsys.readouterr()
    assert err == ""
    assert "  ghi-chu.pdf: trả lại: không đọc được — không đọc được tệp (chỉ nhận CSV hoặc XLSX)" in out
    assert "  rong.xlsx: trả lại: không đọc được — tệp rỗng, không có dữ liệu" in out
    assert "  mat-khau.xlsx: trả lại: không đọc được — tệp được đặt mật khẩu (mã hoá) hoặc là tệp Excel cũ dạng .xls" in out
    assert "  hong.xlsx: trả lại: không đọc được — không đọc được tệp (chỉ nhận CSV hoặc XLSX)" in out
    assert "  chi-tieu-de.csv: trả lại: không đọc được — tệp chỉ có dòng tiêu đề, không có dòng số liệu nào" in out
    note = (tmp_path / "m-phan-hoi" / "mat-khau.xlsx.phan-hoi.txt").read_text(encoding="utf-8-sig")
    assert "Không đọc được tệp: tệp được đặt mật khẩu (mã hoá)" in note


def test_expected_units_with_no_file_are_named(back, province, province_table, tmp_path, capsys):
    gone = sorted(back.glob("u*.xlsx"))[-1]
    gone.unlink()
    assert main(["collect", str(back), "--out", str(tmp_path / "m.csv"), "--expect", str(province)]) == 1
    out = capsys.readouterr().out
    name = province_table.unit_names[gone.stem]
    assert re.search(r"\n  Chưa nhận \(thiếu\) +1 đơn vị\n", out)
    assert f"Các đơn vị chưa gửi số liệu năm 2025:\n  {gone.stem}: {name}\n" in out
    tracking = pd.read_csv(tmp_path / "m-theo-doi.csv", encoding="utf-8-sig", keep_default_na=False)
    assert tracking.iloc[-1].to_dict() == {"Tệp": "", "Tình trạng": "chưa nhận", "Đơn vị": gone.stem, "Số dòng": 0, "Số lỗi": 0,
                                           "Lý do": name, "Tệp phản hồi": ""}


def test_expect_with_an_area(back, province, province_table, tmp_path):
    district = province_table.frame.query("year == 2024 and level == 'district'")["unit_id"].iloc[0]
    keep = set(province_table.tree.descendants(district, 2024)) | {district}
    for path in back.iterdir():
        if path.stem not in keep:
            path.unlink()
    assert sorted(p.stem for p in back.iterdir()) == sorted(keep)
    collection = collect([back], expect=province, area=district)
    assert collection.missing.empty and collection.year == 2025
    (back / f"{sorted(keep - {district})[0]}.xlsx").unlink()
    assert list(collect([back], expect=province, area=district).missing["unit_id"]) == [sorted(keep - {district})[0]]


def test_a_unit_whose_parent_sent_nothing_waits(back, tmp_path, monkeypatch):
    """Valid alone, but its district's row is missing: held (with a note saying so), the others merged; then merged once it comes.
    Each file is validated alone once, and the files together once per set of files merged."""
    district = next(p for p in sorted(back.glob("h*.xlsx")))
    aside = tmp_path / "aside"
    aside.mkdir()
    shutil.move(district, aside / district.name)
    checked = []
    monkeypatch.setattr(collect_module, "check", lambda raw, lang: checked.append(raw.path.name) or check(raw, lang))
    collection = collect([back])
    monkeypatch.undo()
    assert sorted(checked) == sorted(["merged", *(p.name for p in back.glob("u*.xlsx")), "merged"])  # all; alone; the rest
    held = [f for f in collection.files if f.status is Status.HELD]
    assert held and all(f.reason.startswith(f"dòng 4: Năm 2025 không có đơn vị mã “{district.stem}” để làm cấp trên") for f in held)
    assert set(collection.merged["Mã đơn vị"]).isdisjoint({f.raw.frame["unit_id"].iloc[0] for f in held})
    assert load_table(_write(collection.merged, tmp_path / "a.csv")).frame["parent_id"].ne(district.stem).all()
    shutil.move(aside / district.name, district)
    assert all(f.status is Status.MERGED for f in collect([back]).files)


def _write(frame: pd.DataFrame, path: Path) -> Path:
    path.write_text(frame.to_csv(index=False), encoding="utf-8")
    return path


def test_never_replaces_outputs_without_force(back, tmp_path, capsys):
    commune = sorted(back.glob("u*.xlsx"))[0]
    fill(commune, members=-1)
    out = tmp_path / "m.xlsx"
    assert main(["collect", str(back), "--out", str(out)]) == 1
    written = _digests(tmp_path) | _digests(tmp_path / "m-phan-hoi")
    capsys.readouterr()
    assert main(["collect", str(back), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("khuyenhoc: 3 tệp kết quả đã có (ví dụ ") and err.endswith("Chưa ghi tệp nào.\n")
    assert _digests(tmp_path) | _digests(tmp_path / "m-phan-hoi") == written
    fill(commune, members=12)  # fixed and sent again: with --force its old note goes
    assert main(["collect", str(back), "--out", str(out), "--force"]) == EXIT_OK
    assert list((tmp_path / "m-phan-hoi").iterdir()) == []
    assert len(load_table(out).frame) == len(list(back.iterdir()))


def test_outputs_inside_the_folder_are_not_read_back(back, capsys):
    out = back / "tong-hop.csv"
    assert main(["collect", str(back), "--out", str(out)]) == EXIT_OK
    assert main(["collect", str(back), "--out", str(out), "--force"]) == EXIT_OK
    assert re.search(rf"Đã nhận +{len(list(back.glob('*.xlsx')))} tệp", capsys.readouterr().out)


def test_files_and_csv_any_layout(back, tmp_path, sample_frame, write_csv):
    """Files named one by one, and a CSV the reader accepts (semicolons, a title row) beside workbooks."""
    rows = sample_frame[sample_frame["year"] == 2013]
    csv = write_csv(rows, "bac-kan.csv", sep=";")
    csv.write_text("Báo cáo năm 2013\n" + csv.read_text(encoding="utf-8"), encoding="utf-8")
    collection = collect([csv, *sorted(back.glob("h*.xlsx"))[:1]])
    assert [f.status for f in collection.files] == [Status.MERGED, Status.HELD]  # the district waits for its province
    assert len(collection.merged) == len(rows)


def test_english(back, tmp_path, capsys):
    fill(sorted(back.glob("u*.xlsx"))[0], members="abc")
    assert main(["collect", str(back), "--out", str(tmp_path / "m.csv"), "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("Collecting the files sent back:\n  Received ")
    assert "  Sent back        1 file\n" in out
    assert "sent back: problems — 1 problem: row 4, column 'Số hội viên'" in out
    assert pd.read_csv(tmp_path / "m.csv", encoding="utf-8-sig").columns[-1] == "Source file"


def test_nothing_to_collect(tmp_path, capsys):
    with pytest.raises(KhuyenhocError, match="không có tệp nào để tổng hợp"):
        gather([tmp_path])
    (tmp_path / ".~lock.x.xlsx#").write_text("x")
    (tmp_path / "~$x.xlsx").write_text("x")
    assert main(["collect", str(tmp_path), "--out", str(tmp_path / "m.csv")]) == 1
    assert capsys.readouterr().err == f"khuyenhoc: không có tệp nào để tổng hợp trong {tmp_path}\n"


@pytest.mark.parametrize("argv", [["collect", "x", "--out", "m.json"], ["collect", "x", "--out", "m.csv", "--area", "h1"]])
def test_collect_usage_errors(argv, capsys):
    assert main(argv) == 2
    assert capsys.readouterr().err.startswith("khuyenhoc: --")


@pytest.mark.slow
def test_the_merged_table_runs(back, tmp_path):
    """The whole cycle: the merged table of the returned workbooks is what `khuyenhoc run` reads."""
    out = tmp_path / "tong-hop.xlsx"
    assert main(["collect", str(back), "--out", str(out)]) == EXIT_OK
    reports = tmp_path / "bao-cao"
    assert main(["run", "--data", str(out), "--out", str(reports), "--jobs", "1"]) == EXIT_OK
    page = (reports / "2025" / "annual_summary.html").read_text(encoding="utf-8")
    assert "tỉnh giả lập 01" in page.lower() and (reports / "index.html").is_file()


def _csv(folder: Path, name: str, frame: pd.DataFrame) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(to_csv_text(frame), encoding="utf-8")
    return path


def test_each_file_is_judged_alone_even_when_checked_together(sample_frame, tmp_path):
    """The files are checked together first; what decides is each file alone: a parent at the wrong level inside
    one file is that file's problem (sent back), even when another file's bad unit id stops the tree checks of the
    files together; a unit twice in one file is that file's problem, not a duplicate across files."""
    rows = sample_frame[sample_frame["year"] == 2013].assign(parent_id="thi-hoi")
    rows.loc[rows["unit_id"] == "thi-hoi", "parent_id"] = None
    folder = tmp_path / "nhan"
    _csv(folder, "a-dung.csv", rows[rows["unit_id"].isin(["thi-hoi", "song-cau"])])
    wrong_level = rows[rows["unit_id"].isin(["duc-xuan", "xuat-hoa"])].copy()
    wrong_level.loc[wrong_level["unit_id"] == "xuat-hoa", "parent_id"] = "duc-xuan"  # a commune under a commune
    _csv(folder, "b-sai-cap.csv", wrong_level)
    _csv(folder, "c-sai-ma.csv", rows[rows["unit_id"] == "nong-thuong"].assign(unit_id="Nông Thượng"))
    _csv(folder, "d-hai-lan.csv", pd.concat([rows[rows["unit_id"] == "huyen-tung"]] * 2))
    collection = collect([folder])
    status = {f.name: (f.status, list(f.problems["rule"])) for f in collection.files}
    assert status == {"a-dung.csv": (Status.MERGED, []), "b-sai-cap.csv": (Status.REJECTED, ["parent_level"]),
                      "c-sai-ma.csv": (Status.REJECTED, ["unit_id_format"]), "d-hai-lan.csv": (Status.REJECTED, ["unique_year_unit"])}
    assert sorted(collection.merged["Mã đơn vị"]) == ["song-cau", "thi-hoi"]
