"""The note for a file left out: each problem where Excel shows it, the value written, the rule, the fix."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from khuyenhoc.collect import Duplicate, FileResult, Status, Waiting
from khuyenhoc.feedback import feedback_text, problem_lines
from khuyenhoc.report import REPORT_LIMIT


def _problems(*rows: tuple) -> pd.DataFrame:
    return pd.DataFrame([{"file": "x.xlsx", "row": r, "column": c, "value": v, "rule": rule, "message": m} for r, c, v, rule, m in rows])


def test_each_problem_in_the_senders_terms():
    problems = _problems((4, "Số hội viên", "9,123", "fractional", "Phải là số nguyên, không có phần lẻ (đây là số đếm); hãy ghi “9.123”"),
                         (5, "Dân số", "", "population_required", "Dòng của xã phải ghi dân số"),
                         (5, "Quỹ", 12.5, "fractional", "Phải là số nguyên"),
                         (1, "Gia đình tú tài", "", "missing_column", "Thiếu cột bắt buộc “Gia đình tú tài”"))
    lines = problem_lines(problems, {"Số hội viên": "G", "Dân số": "F", "Quỹ": "N"})
    assert lines == [
        "1. Ô G4 (dòng 4, cột G “Số hội viên”): đã ghi “9,123”",
        "   Lỗi: Phải là số nguyên, không có phần lẻ (đây là số đếm); hãy ghi “9.123”",
        "   Cách sửa: ghi “9.123”",
        "2. Ô F5 (dòng 5, cột F “Dân số”): để trống",
        "   Lỗi: Dòng của xã phải ghi dân số",
        "   Cách ghi cột này: Số dân của xã, phường (dòng của Hội cấp huyện, tỉnh, trung ương để trống)",
        "3. Ô N5 (dòng 5, cột N “Quỹ”): đã ghi “12,5”",  # an Excel number shown the Vietnamese way
        "   Lỗi: Phải là số nguyên",
        "   Cách ghi cột này: Quỹ khuyến học cuối năm, tính bằng đồng, ví dụ 35.235.000",
        "4. Dòng 1, cột “Gia đình tú tài”: để trống",
        "   Lỗi: Thiếu cột bắt buộc “Gia đình tú tài”",
        "   Cách ghi cột này: Số gia đình đạt chuẩn Gia đình tú tài",
    ]


def test_english_lines():
    problems = _problems((4, "Số hội viên", "Sông Cầu", "unit_id_format", "Only a-z"))
    assert problem_lines(problems, {"Số hội viên": "B"}, "en")[:3] == [
        "1. Cell B4 (row 4, column B 'Số hội viên'): written 'Sông Cầu'", "   Problem: Only a-z", "   Fix: write 'song-cau'"]


def test_a_long_list_is_cut_and_counted():
    problems = _problems(*[(r, "Số hội viên", "x", "not_integer", "m") for r in range(2, REPORT_LIMIT + 12)])
    lines = problem_lines(problems, {})
    assert lines[-1] == "… và 10 lỗi nữa (cùng loại với các lỗi trên; bảng đầy đủ ở người tổng hợp)."
    assert sum(line[0].isdigit() for line in lines) == REPORT_LIMIT


def test_notes_for_files_left_out_for_other_reasons():
    unreadable = FileResult(Path("a.pdf"), "a.pdf", Status.UNREADABLE, reason="không đọc được tệp (chỉ nhận CSV hoặc XLSX)")
    assert feedback_text(unreadable) == ("Phản hồi về tệp a.pdf\n\nKhông đọc được tệp: không đọc được tệp (chỉ nhận CSV hoặc XLSX). "
                                         "Hãy gửi lại tệp Excel (.xlsx) hoặc CSV UTF-8 theo mẫu, không đặt mật khẩu.\n")
    twin = FileResult(Path("b.xlsx"), "b.xlsx", Status.DUPLICATE, duplicate=Duplicate(2025, "xa-b", "b (2).xlsx"))
    assert "Số liệu năm 2025 của đơn vị “xa-b” có ở cả tệp này và b (2).xlsx, nên chưa tổng hợp tệp nào." in feedback_text(twin)
    held = FileResult(Path("c.xlsx"), "c.xlsx", Status.HELD, waiting=Waiting(4, "Năm 2025 không có đơn vị mã “h1”"))
    assert "Tệp không có lỗi nhưng chưa tổng hợp được: dòng 4: Năm 2025 không có đơn vị mã “h1”." in feedback_text(held, "vi")


def test_one_problem_is_said_in_the_singular():
    one = FileResult(Path("d.xlsx"), "d.xlsx", Status.REJECTED, problems=_problems((4, "Số hội viên", "x", "not_integer", "m")))
    assert feedback_text(one, "en").splitlines()[2] == ("The file was not merged because of the problem below. Please fix this cell in "
                                                        "the file and send it again (same file name).")
    assert feedback_text(one).splitlines()[2].startswith("Tệp chưa được đưa vào bảng tổng hợp vì có lỗi dưới đây.")
