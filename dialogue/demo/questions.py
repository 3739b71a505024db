"""Forty-odd questions a ward really receives before its dialogue conference, near-duplicates
included (missing accents, đ typed as d, words reordered), for the demo's screening queue."""

# kind, name, topic, title, text, answer at the session?, may be public?
QUESTIONS = [
    ("resident", "Nguyễn Văn Bình", "environment", "Ngập úng ngõ 120 Hoàng Cầu mỗi khi mưa lớn",
     "Mỗi khi mưa lớn, ngõ 120 phố Hoàng Cầu ngập sâu 30–40 cm, nước tràn vào nhà dân. "
     "Đề nghị phường cho biết kế hoạch cải tạo cống thoát nước.", True, True),
    ("resident", "Trần Thị Hồng", "environment", "Ngõ 120 Hoàng Cầu bị ngập khi mưa to",
     "Cứ mưa to là ngõ 120 Hoàng Cầu ngập, xe máy chết máy, nước vào nhà. Bao giờ phường nạo vét cống?", False, True),
    ("resident", "Le Van Tam", "environment", "ngap ung ngo 120 hoang cau",
     "Ngo 120 Hoang Cau ngap nang moi khi mua lon, de nghi phuong cai tao he thong thoat nuoc.", False, False),
    ("resident", "Phạm Thị Lan", "environment", "Cống thoát nước ngõ 120 Hoàng Cầu tắc, mưa là ngập",
     "Hệ thống thoát nước ngõ 120 Hoàng Cầu xuống cấp và tắc nghẽn; mưa lớn là ngập. "
     "Đề nghị nạo vét và nâng cấp.", True, True),
    ("resident", "Hoàng Minh Đức", "construction", "Công trình xây dựng không phép tại số 12 ngõ Thái Thịnh",
     "Nhà số 12 ngõ Thái Thịnh đang xây thêm tầng 5 không có giấy phép, gây nứt tường nhà bên cạnh. "
     "Đề nghị phường kiểm tra, xử lý.", False, True),
    ("resident", "Hoang Minh Duc", "construction", "Xay dung khong phep so 12 ngo Thai Thinh",
     "Nha so 12 ngo Thai Thinh xay them tang khong phep, lam nut tuong nha toi. De nghi kiem tra.", False, False),
    ("resident", "Vũ Thị Mai", "environment", "Rác thải tập kết sai giờ tại đầu ngõ 95 Chùa Bộc",
     "Xe thu gom rác tập kết tại đầu ngõ 95 Chùa Bộc từ 17 giờ đến 22 giờ, gây mùi hôi và cản trở giao thông. "
     "Đề nghị bố trí lại giờ và điểm tập kết.", False, True),
    ("resident", "Đặng Văn Hùng", "environment", "Điểm tập kết rác đầu ngõ 95 Chùa Bộc gây ô nhiễm",
     "Điểm tập kết rác ở đầu ngõ 95 phố Chùa Bộc bốc mùi, rác để đến tối mới chở đi. "
     "Đề nghị chuyển điểm tập kết.", False, True),
    ("resident", "Bùi Thị Thu", "traffic", "Đèn chiếu sáng ngõ 35 Thái Hà hỏng đã ba tháng",
     "Đèn chiếu sáng ngõ 35 phố Thái Hà hỏng đã ba tháng, "
     "buổi tối rất tối và mất an toàn. Đề nghị sửa chữa.", False, True),
    ("resident", "Ngô Quang Vinh", "traffic", "Ngõ 35 Thái Hà không có đèn, tối om",
     "Ba tháng nay đèn đường trong ngõ 35 Thái Hà không sáng, người già và trẻ em đi lại rất nguy hiểm.", False, True),
    ("resident", "Lý Thị Ngọc", "traffic", "Vỉa hè phố Tây Sơn bị chiếm dụng để xe và bán hàng",
     "Vỉa hè phố Tây Sơn đoạn gần ngã tư Thái Hà bị chiếm dụng làm nơi để xe và bán hàng, "
     "người đi bộ phải đi xuống lòng đường.", True, True),
    ("resident", "Trịnh Văn Long", "traffic", "Chiếm dụng vỉa hè phố Tây Sơn",
     "Đề nghị phường xử lý tình trạng các cửa hàng trên phố Tây Sơn lấn chiếm vỉa hè "
     "làm nơi trông giữ xe.", False, True),
    ("resident", "Đỗ Thị Hạnh", "land", "Bao giờ được cấp giấy chứng nhận quyền sử dụng đất tại khu tập thể Kim Liên",
     "Gia đình tôi nộp hồ sơ cấp giấy chứng nhận quyền sử dụng đất tại khu tập thể Kim Liên từ năm 2023 nhưng chưa "
     "được cấp. Đề nghị cho biết tiến độ.", True, True),
    ("resident", "Đỗ Thị Hạnh", "land", "Hồ sơ cấp sổ đỏ khu tập thể Kim Liên chậm",
     "Hồ sơ đề nghị cấp sổ đỏ của tôi tại khu tập thể Kim Liên quá hạn nhiều tháng. "
     "Tôi cần biết lý do chậm và thời gian giải quyết.", False, False),
    ("resident", "Phan Văn Khải", "land", "Cấp giấy chứng nhận cho nhà tự xây trên đất ông cha để lại",
     "Nhà tôi xây trên đất ông cha để lại từ năm 1985, chưa có giấy tờ. "
     "Thủ tục cấp giấy chứng nhận như thế nào và mất bao lâu?", False, True),
    ("resident", "Nguyễn Thị Thủy", "clearance", "Bồi thường giải phóng mặt bằng dự án mở rộng đường Láng",
     "Gia đình tôi bị thu hồi 20 m² đất để mở rộng đường Láng. Đơn giá bồi thường thấp hơn giá thị trường. "
     "Đề nghị xem xét lại.", True, True),
    ("resident", "Tạ Văn Sơn", "clearance", "Đơn giá bồi thường mở rộng đường Láng quá thấp",
     "Mức bồi thường đất cho các hộ dân bị ảnh hưởng khi mở rộng đường Láng chưa thỏa đáng. "
     "Đề nghị công khai cách tính.", False, True),
    ("resident", "Kiều Thị Lan", "social", "Chế độ cho người có công chưa được chi trả đúng hạn",
     "Mẹ tôi là vợ liệt sĩ, ba tháng nay chưa nhận được trợ cấp. Đề nghị phường kiểm tra và chi trả.", False, True),
    ("resident", "Lưu Văn Nam", "social", "Xét hộ cận nghèo năm 2026",
     "Gia đình tôi thu nhập thấp, có người ốm đau dài ngày. "
     "Điều kiện và thủ tục xét hộ cận nghèo năm 2026 như thế nào?", False, True),
    ("resident", "Mai Thị Phương", "education_health", "Tuyển sinh lớp 1 trường Tiểu học Trung Phụng",
     "Con tôi có hộ khẩu tại phường nhưng không được xếp vào Trường Tiểu học Trung Phụng gần nhà. "
     "Đề nghị cho biết tiêu chí phân tuyến.", True, True),
    ("resident", "Mai Thi Phuong", "education_health", "Phan tuyen tuyen sinh lop 1 truong Trung Phung",
     "De nghi phuong giai thich cach phan tuyen tuyen sinh lop 1 truong Tieu hoc "
     "Trung Phung nam hoc toi.", False, False),
    ("resident", "Cao Văn Thắng", "education_health", "Trạm y tế phường cần thêm ngày tiêm chủng",
     "Trạm y tế phường chỉ tiêm chủng mở rộng một buổi mỗi tháng, rất đông. Đề nghị tăng thêm buổi tiêm.", False, True),
    ("resident", "Hà Thị Yến", "security", "Tiếng ồn karaoke khuya tại phố Đặng Tiến Đông",
     "Quán karaoke ở phố Đặng Tiến Đông hát đến 1–2 giờ sáng, ảnh hưởng giấc ngủ của cả khu. "
     "Đề nghị công an phường xử lý.", False, True),
    ("resident", "Ha Thi Yen", "security", "Karaoke gay on sau 12 gio dem pho Dang Tien Dong",
     "Karaoke pho Dang Tien Dong hat den khuya, de nghi cong an phuong kiem tra xu ly tieng on.", False, False),
    ("resident", "Đinh Văn Toàn", "security", "Trộm cắp xe máy tại ngõ 178 Thái Hà",
     "Thời gian gần đây ngõ 178 Thái Hà liên tục xảy ra trộm cắp xe máy ban đêm. "
     "Đề nghị tăng cường tuần tra, lắp camera.", True, True),
    ("resident", "Tô Thị Bích", "civil_status", "Thủ tục đăng ký khai sinh trực tuyến",
     "Tôi muốn đăng ký khai sinh cho con qua dịch vụ công trực tuyến nhưng không biết cần những giấy tờ "
     "gì. Đề nghị hướng dẫn.", False, True),
    ("resident", "Dương Văn Lâm", "civil_status", "Xác nhận cư trú mất nhiều thời gian",
     "Xin xác nhận thông tin cư trú phải chờ 5 ngày. Đề nghị rút ngắn thời gian giải quyết.", False, True),
    ("resident", "Nguyễn Văn Bình", "construction", "Lấn chiếm đất công làm nhà xe tại tổ dân phố 12",
     "Một số hộ dân ở tổ dân phố 12 lấn chiếm đất công để dựng nhà xe. Đề nghị phường kiểm tra, xử lý.", False, True),
    ("resident", "Lê Thị Kim", "environment", "Cây xanh trên phố Nguyễn Lương Bằng có nguy cơ gãy đổ",
     "Nhiều cây xanh trên phố Nguyễn Lương Bằng đã mục gốc, mùa mưa bão có nguy cơ gãy đổ. "
     "Đề nghị cắt tỉa và thay thế.", False, True),
    ("resident", "Phùng Văn Hải", "environment", "Bụi từ công trường xây dựng trên phố Xã Đàn",
     "Công trường trên phố Xã Đàn không che chắn, xe chở vật liệu làm rơi vãi đất cát, "
     "bụi rất nhiều. Đề nghị xử lý.", False, True),
    ("resident", "Vương Thị Hoa", "traffic", "Ổ gà trên đường Trường Chinh đoạn gần ngã tư Vọng",
     "Đường Trường Chinh đoạn gần ngã tư Vọng có nhiều ổ gà, đã có người ngã xe. Đề nghị sửa chữa sớm.", False, True),
    ("resident", "Chu Văn An", "land", "Tranh chấp ranh giới đất với hộ liền kề",
     "Hộ liền kề xây tường lấn sang đất nhà tôi 30 cm. Tôi đã khiếu nại lên phường nhưng chưa được giải quyết. "
     "Tôi tố cáo cán bộ địa chính làm sai.", False, False),
    ("resident", "Hồ Thị Liên", "social", "Hỗ trợ người cao tuổi sống một mình",
     "Phường có chính sách gì hỗ trợ người cao tuổi sống một mình, không có người chăm sóc?", False, True),
    ("business", "Trần Quốc Bảo", "fire_safety", "Thủ tục thẩm duyệt phòng cháy chữa cháy cho nhà hàng",
     "Công ty chúng tôi mở nhà hàng 3 tầng trên phố Tôn Đức Thắng. "
     "Thủ tục thẩm duyệt và nghiệm thu phòng cháy chữa cháy mất bao lâu?", True, True),
    ("business", "Tran Quoc Bao", "fire_safety", "Tham duyet PCCC nha hang 3 tang",
     "Xin huong dan thu tuc tham duyet phong chay chua chay cho nha hang 3 tang, "
     "thoi gian giai quyet bao lau?", False, False),
    ("business", "Lê Thị Hoa", "business_registration", "Đăng ký hộ kinh doanh sau khi bỏ cấp huyện",
     "Từ 1/7/2025 không còn cấp huyện, hộ kinh doanh đăng ký ở đâu và cần những giấy tờ gì?", False, True),
    ("business", "Nguyễn Minh Tú", "business_registration", "Hộ kinh doanh đăng ký tại phường như thế nào",
     "Tôi muốn đăng ký hộ kinh doanh quán cà phê. Sau khi sắp xếp chính quyền hai cấp, nộp hồ sơ ở đâu?", False, True),
    ("business", "Võ Thanh Hải", "tax", "Kê khai thuế hộ kinh doanh bỏ thuế khoán từ 2026",
     "Từ năm 2026 bỏ thuế khoán, hộ kinh doanh kê khai thuế thế nào? "
     "Có được hỗ trợ phần mềm hóa đơn điện tử không?", True, True),
    ("business", "Phạm Văn Dũng", "labour", "Đóng bảo hiểm xã hội cho lao động thời vụ",
     "Doanh nghiệp nhỏ thuê lao động thời vụ 2 tháng có phải đóng bảo hiểm xã hội bắt buộc không?", False, True),
    ("organisation", "Ban đại diện tổ dân phố 7", "environment", "Đề nghị lắp thùng rác phân loại tại tổ dân phố 7",
     "Tổ dân phố 7 đề nghị phường trang bị thùng rác phân loại tại nguồn để người dân "
     "thực hiện phân loại rác.", True, True),
    ("organisation", "Hội Cựu chiến binh phường", "social", "Kinh phí hoạt động của Hội Cựu chiến binh",
     "Kinh phí hỗ trợ hoạt động năm 2026 của Hội Cựu chiến binh phường được bố trí như thế "
     "nào sau khi sắp xếp?", False, True),
    ("resident", "Kim Thị Sen", "education_health", "Nhà văn hóa tổ dân phố xuống cấp",
     "Nhà văn hóa tổ dân phố 5 dột nát, không đủ chỗ sinh hoạt. Đề nghị phường sửa chữa.", False, True),
]
