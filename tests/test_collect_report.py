"""What a collection leaves (tracking table, feedback notes, totals): khuyenhoc/collect_report.py."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from khuyenhoc.collect import Collection, FileResult, Status
from khuyenhoc.collect_report import Outputs, detail_lines, totals_lines, tracking_table, write_collection
from khuyenhoc.errors import KhuyenhocError


def _collection(tmp_path: Path) -> Collection:
    files = [FileResult(tmp_path / "a" / "xa.xlsx", "a/xa.xlsx"),
             FileResult(tmp_path / "b" / "xa.xlsx", "xa.xlsx", Status.REJECTED, reason="3 lỗi"),
             FileResult(tmp_path / "c" / "xa.xlsx", "xa.xlsx", Status.UNREADABLE, reason="không phải tệp Excel")]
    merged = pd.DataFrame({"Năm": [2025], "Mã đơn vị": ["xa-a"]})
    missing = pd.DataFrame({"unit_id": ["xa-z"], "unit_name": ["Xã Z"]})
    return Collection(files, merged, 2025, missing)


def test_outputs_sit_beside_the_merged_table_with_the_same_names_in_every_language():
    outputs = Outputs.beside("/data/tong-hop-2025.xlsx")
    assert outputs.tracking == Path("/data/tong-hop-2025-theo-doi.csv")
    assert outputs.feedback_dir == Path("/data/tong-hop-2025-phan-hoi")


def test_two_files_left_out_with_one_name_get_two_notes(tmp_path):
    collection = _collection(tmp_path)
    names = Outputs.beside(tmp_path / "tong-hop.csv").feedback_names(collection)
    assert {position: path.name for position, path in names.items()} == {1: "xa.xlsx.phan-hoi.txt", 2: "xa.xlsx-2.phan-hoi.txt"}


def test_the_tracking_table_lists_each_file_then_each_unit_missing(tmp_path):
    collection = _collection(tmp_path)
    feedback = Outputs.beside(tmp_path / "tong-hop.csv").feedback_names(collection)
    table = tracking_table(collection, feedback, "vi")
    assert table.columns.tolist() == ["Tệp", "Tình trạng", "Đơn vị", "Số dòng", "Số lỗi", "Lý do", "Tệp phản hồi"]
    assert table["Tình trạng"].tolist() == ["đã tổng hợp", "trả lại: có lỗi", "trả lại: không đọc được", "chưa nhận"]
    assert table.iloc[3][["Đơn vị", "Lý do"]].tolist() == ["xa-z", "Xã Z"]
    assert table["Tệp phản hồi"].tolist() == ["", "xa.xlsx.phan-hoi.txt", "xa.xlsx-2.phan-hoi.txt", ""]


def test_totals_and_details_as_printed(tmp_path):
    collection = _collection(tmp_path)
    lines = totals_lines(collection, "vi")
    assert lines[0] == "Tổng hợp số liệu từ các tệp gửi về:"
    rows = [re.fullmatch(r"  (.+?)\s{2,}(\S.*)", line).groups() for line in lines[1:]]
    assert rows == [("Đã nhận", "3 tệp"), ("Đã tổng hợp", "1 tệp"), ("Trả lại", "2 tệp"), ("Chưa nhận (thiếu)", "1 đơn vị")]
    assert totals_lines(collection, "en")[2].split()[-2:] == ["1", "file"]
    assert detail_lines(collection, "vi") == [
        "Các tệp chưa được tổng hợp:", "  xa.xlsx: trả lại: có lỗi — 3 lỗi", "  xa.xlsx: trả lại: không đọc được — không phải tệp Excel",
        "Các đơn vị chưa gửi số liệu năm 2025:", "  xa-z: Xã Z"]


def test_nothing_is_replaced_without_force(tmp_path):
    collection = _collection(tmp_path)
    outputs = Outputs.beside(tmp_path / "tong-hop.csv")
    write_collection(collection, outputs)
    assert outputs.merged.read_text(encoding="utf-8-sig").splitlines() == ["Năm,Mã đơn vị", "2025,xa-a"]
    assert sorted(p.name for p in outputs.feedback_dir.iterdir()) == ["xa.xlsx-2.phan-hoi.txt", "xa.xlsx.phan-hoi.txt"]
    before = outputs.tracking.read_bytes()
    with pytest.raises(KhuyenhocError, match="không ghi đè"):
        write_collection(collection, outputs)
    assert outputs.tracking.read_bytes() == before
    stale = outputs.feedback_dir / "old.xlsx.phan-hoi.txt"
    stale.write_text("from an earlier collection")
    mine = outputs.feedback_dir / "ghi-chu.txt"
    mine.write_text("the user's own note")
    write_collection(collection, outputs, force=True)
    assert not stale.exists() and mine.exists(), "only our notes of files no longer left out go"
