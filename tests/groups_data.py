"""A small hand-made district with the optional groups of issue 19, shared by the schema, validation and indicator tests.

Headers as people write them: one without diacritics, one in capitals. xa-b reports its adults but not its learning
citizens in 2023 and no awards or centres then; xa-c reports none of the groups (blank, not 0)."""

HEADER = ("Năm,Mã đơn vị,Tên đơn vị,Cấp,Mã đơn vị cấp trên,Dân số,Số hội viên,Gia đình tú tài,Gia đình cử nhân,Dòng họ đăng ký,"
          "Dòng họ đạt chuẩn,Số lớp,Lượt người,Quỹ khuyến học (đồng),so chi hoi,SỐ BAN KHUYẾN HỌC,Số người lớn,Công dân học tập,"
          "Số suất học bổng,Giá trị học bổng (đồng),Số lượt hỗ trợ,Giá trị hỗ trợ (đồng),Số lượt khen thưởng,Giá trị khen thưởng (đồng),"
          "Số lớp tại trung tâm học tập cộng đồng,Lượt học viên trung tâm học tập cộng đồng")
COUNTS = "1000,100,10,2,1,1,3,60,1.000.000"  # population ... fund: the same on every commune row
NONE = ",,,,,,,,,,,"  # the twelve group columns left blank
ROWS = [
    f"2023,huyen-x,Huyện Xuân Hòa,huyện,,,0,0,0,0,0,0,0,5.000.000,{NONE}",
    f"2023,xa-a,Xã An,xã,huyen-x,{COUNTS},10,2,700,210,10,10.000.000,5,2.000.000,40,4.000.000,4,120",
    f"2023,xa-b,Xã Bình,xã,huyen-x,{COUNTS},8,1,600,,20,15.000.000 đồng,0,0,,,,",
    f"2023,xa-c,Xã Cát,xã,huyen-x,{COUNTS},{NONE}",
    f"2024,huyen-x,Huyện Xuân Hòa,huyện,,,0,0,0,0,0,0,0,5.000.000,{NONE}",
    f"2024,xa-a,Xã An,xã,huyen-x,{COUNTS},12,2,700,280,6,6.000.000đ,5,2.500.000,50,5.000.000,5,150",
    f"2024,xa-b,Xã Bình,xã,huyen-x,{COUNTS},8,2,600,240,20,15.000.000,2,1.000.000,30,3.000.000,3,60",
    f"2024,xa-c,Xã Cát,xã,huyen-x,{COUNTS},{NONE}",
]


def write(tmp_path, rows: list[str] | None = None, name: str = "groups.csv"):
    """The file (``rows`` instead of ``ROWS`` when given); its data rows are spreadsheet rows 2 onwards."""
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *(ROWS if rows is None else rows)]) + "\n", encoding="utf-8")
    return path
