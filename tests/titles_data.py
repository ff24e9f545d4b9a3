"""A small hand-made district with the learning-society titles (issue 12), shared by the targets tests."""

HEADER = ("Năm,Mã đơn vị,Tên đơn vị,Cấp,Mã đơn vị cấp trên,Dân số,Số hội viên,Gia đình tú tài,Gia đình cử nhân,Dòng họ đăng ký,"
          "Dòng họ đạt chuẩn,Số lớp,Lượt người,Quỹ khuyến học (đồng),Số hộ gia đình,Gia đình học tập,Số dòng họ,Dòng họ học tập,"
          "\"Số thôn, tổ dân phố\",Cộng đồng học tập")
COUNTS = "1000,100,10,2,1,1,3,60,1.000.000"  # population ... fund: the same on every commune row; not what these tests are about
# xa-d reports no families in 2022, and in 2025 its households but not its learning families (blank, not 0).
# Clans and communities are reported in 2025 only; xa-d has 0 clans (a zero denominator: no share).
ROWS = [
    "2022,huyen-x,Huyện Xuân Hòa,huyện,,,0,0,0,0,0,0,0,5.000.000,,,,,,",
    f"2022,xa-a,Xã An,xã,huyen-x,{COUNTS},100,60,,,,",
    f"2022,xa-b,Xã Bình,xã,huyen-x,{COUNTS},200,120,,,,",
    f"2022,xa-c,Xã Cát,xã,huyen-x,{COUNTS},100,50,,,,",
    f"2022,xa-d,Xã Đông,xã,huyen-x,{COUNTS},,,,,,",
    "2023,huyen-x,Huyện Xuân Hòa,huyện,,,0,0,0,0,0,0,0,5.000.000,,,,,,",
    f"2023,xa-a,Xã An,xã,huyen-x,{COUNTS},100,63,,,,",
    f"2023,xa-b,Xã Bình,xã,huyen-x,{COUNTS},200,126,,,,",
    f"2023,xa-c,Xã Cát,xã,huyen-x,{COUNTS},100,55,,,,",
    f"2023,xa-d,Xã Đông,xã,huyen-x,{COUNTS},100,70,,,,",
    "2024,huyen-x,Huyện Xuân Hòa,huyện,,,0,0,0,0,0,0,0,5.000.000,,,,,,",
    f"2024,xa-a,Xã An,xã,huyen-x,{COUNTS},100,68,,,,",
    f"2024,xa-b,Xã Bình,xã,huyen-x,{COUNTS},200,128,,,,",
    f"2024,xa-c,Xã Cát,xã,huyen-x,{COUNTS},100,58,,,,",
    f"2024,xa-d,Xã Đông,xã,huyen-x,{COUNTS},100,75,,,,",
    "2025,huyen-x,Huyện Xuân Hòa,huyện,,,0,0,0,0,0,0,0,5.000.000,,,,,,",
    f"2025,xa-a,Xã An,xã,huyen-x,{COUNTS},100,72,10,7,5,1",
    f"2025,xa-b,Xã Bình,xã,huyen-x,{COUNTS},200,130,5,3,,",
    f"2025,xa-c,Xã Cát,xã,huyen-x,{COUNTS},100,60,,,,",
    f"2025,xa-d,Xã Đông,xã,huyen-x,{COUNTS},100,,0,0,,",
]
