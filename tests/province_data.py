"""A small hand-made province, three tiers in 2024 and two in 2025, shared by the area tests."""

HEADER = ("Năm,Mã đơn vị,Tên đơn vị,Cấp,Mã đơn vị cấp trên,Dân số,Số hội viên,Gia đình tú tài,Gia đình cử nhân,"
          "Dòng họ đăng ký,Dòng họ đạt chuẩn,Số lớp,Lượt người,Quỹ khuyến học (đồng)")
# A province with two districts (one a "thành phố" under the province) in 2024; in 2025 the districts are
# gone, xa-1 and xa-2 are merged into xa-12, phuong-3 reports to the province, and a new city-province appears.
ROWS_2024 = [
    "2024,tinh-a,Tỉnh An Hòa,tỉnh,,,0,0,0,0,0,0,0,50.000.000",
    "2024,huyen-b,Huyện Bình Lạc,huyện,tinh-a,,0,0,0,0,0,0,0,20.000.000",
    "2024,huyen-c,Thành phố Cẩm Giang,thành phố,tinh-a,,0,0,0,0,0,0,0,10.000.000",
    "2024,xa-1,Xã Một,xã,huyen-b,5000,1000,50,10,2,1,10,400,30.000.000",
    "2024,xa-2,Xã Hai,xã,huyen-b,4000,800,40,8,1,1,0,0,12.000.000",
    "2024,phuong-3,Phường Ba,phường,huyen-c,6000,1500,70,20,3,2,5,250,40.000.000",
]
ROWS_2025 = [
    "2025,tinh-a,Tỉnh An Hòa,tỉnh,,,0,0,0,0,0,0,0,60.000.000",
    "2025,xa-12,Xã Một Hai,xã,tinh-a,9100,1900,95,20,3,3,12,500,45.000.000",
    "2025,phuong-3,Phường Ba,phường,tinh-a,6100,1400,72,21,3,3,0,0,42.000.000",
    "2025,tp-d,Thành phố Đông Sơn,thành phố,,,0,0,0,0,0,0,0,5.000.000",
    "2025,phuong-4,Phường Bốn,phường,tp-d,3000,600,30,5,1,0,2,80,9.000.000",
]
