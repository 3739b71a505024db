"""The words of the synthetic province (dialogue/demo/province.py): its departments, the offices of a
commune, the topics and a few dozen question, answer and commitment templates whose {place} is an
alley, a street or a hamlet, so that a million questions read like a real province's."""

from __future__ import annotations

# short name, name, the head's position, topic codes it answers for the whole city
DEPARTMENTS = [
    ("SXD", "Sở Xây dựng Hà Nội", "Giám đốc Sở", ("construction", "traffic")),
    ("SNNMT", "Sở Nông nghiệp và Môi trường Hà Nội", "Giám đốc Sở", ("land", "environment")),
    ("STC", "Sở Tài chính Hà Nội", "Giám đốc Sở", ("clearance", "tax", "business_registration")),
    ("CATP", "Công an thành phố Hà Nội", "Giám đốc Công an thành phố", ("security", "fire_safety")),
    ("SYT", "Sở Y tế Hà Nội", "Giám đốc Sở", ("education_health",)),
    ("SGDĐT", "Sở Giáo dục và Đào tạo Hà Nội", "Giám đốc Sở", ()),
    ("SVHTT", "Sở Văn hóa và Thể thao Hà Nội", "Giám đốc Sở", ()),
    ("SNV", "Sở Nội vụ Hà Nội", "Giám đốc Sở", ("social", "labour")),
    ("STP", "Sở Tư pháp Hà Nội", "Giám đốc Sở", ("civil_status",)),
    ("SCT", "Sở Công Thương Hà Nội", "Giám đốc Sở", ()),
    ("SKHCN", "Sở Khoa học và Công nghệ Hà Nội", "Giám đốc Sở", ("procedures",)),
    ("SDL", "Sở Du lịch Hà Nội", "Giám đốc Sở", ()),
    ("SQHKT", "Sở Quy hoạch - Kiến trúc Hà Nội", "Giám đốc Sở", ()),
    ("TTTP", "Thanh tra thành phố Hà Nội", "Chánh Thanh tra thành phố", ()),
    ("VPUBND", "Văn phòng UBND thành phố Hà Nội", "Chánh Văn phòng", ()),
]
# Systematically late: they answer late four times in ten (every other agency about once in twenty).
LATE_DEPARTMENTS = ("SXD", "SNNMT", "STC")

# short name, name before the commune's name (ward, commune), the head's position
COMMUNE_OFFICES = [
    ("VP", ("Văn phòng HĐND và UBND", "Văn phòng HĐND và UBND"), "Chánh Văn phòng"),
    ("KT", ("Phòng Kinh tế, Hạ tầng và Đô thị", "Phòng Kinh tế"), "Trưởng phòng"),
    ("VH-XH", ("Phòng Văn hóa - Xã hội", "Phòng Văn hóa - Xã hội"), "Trưởng phòng"),
    ("CA", ("Công an", "Công an"), "Trưởng Công an"),
    ("TTPVHCC", ("Trung tâm Phục vụ hành chính công", "Trung tâm Phục vụ hành chính công"), "Giám đốc Trung tâm"),
]

# code, Vietnamese, English, audience, the commune office that answers, weight (how often asked)
TOPICS = [
    ("land", "Đất đai, cấp giấy chứng nhận", "Land and land-use certificates", "everyone", "KT", 17),
    ("clearance", "Bồi thường, giải phóng mặt bằng", "Compensation and site clearance", "everyone", "KT", 8),
    ("construction", "Trật tự xây dựng, quản lý đô thị", "Construction order and urban management", "everyone",
     "KT", 13),
    ("traffic", "Giao thông, đường sá, chiếu sáng", "Roads, traffic and street lighting", "everyone", "KT", 11),
    ("environment", "Môi trường, rác thải, ngập úng", "Environment, waste and flooding", "everyone", "KT", 12),
    ("social", "Chính sách xã hội, người có công", "Social policy and support for people with merit", "residents",
     "VH-XH", 8),
    ("education_health", "Giáo dục, y tế", "Education and health", "residents", "VH-XH", 7),
    ("security", "An ninh, trật tự", "Security and public order", "everyone", "CA", 7),
    ("civil_status", "Hộ tịch, cư trú", "Civil status and residence", "residents", "TTPVHCC", 5),
    ("procedures", "Thủ tục hành chính", "Administrative procedures", "businesses", "TTPVHCC", 4),
    ("business_registration", "Đăng ký hộ kinh doanh", "Household business registration", "businesses", "KT", 3),
    ("labour", "Lao động, bảo hiểm xã hội", "Labour and social insurance", "businesses", "VH-XH", 2),
    ("fire_safety", "Phòng cháy, chữa cháy", "Fire safety", "businesses", "CA", 2),
    ("tax", "Thuế, phí, lệ phí", "Taxes, fees and charges", "businesses", "VP", 1),
]

STREETS = [
    "Hoàng Cầu", "Thái Hà", "Tây Sơn", "Chùa Bộc", "Kim Mã", "Đội Cấn", "Hoàng Hoa Thám", "Lạc Long Quân",
    "Nguyễn Trãi", "Trường Chinh", "Giải Phóng", "Minh Khai", "Lĩnh Nam", "Tam Trinh", "Nguyễn Văn Cừ",
    "Ngọc Lâm", "Cầu Giấy", "Xuân Thủy", "Hồ Tùng Mậu", "Phạm Văn Đồng", "Quang Trung", "Tô Hiệu",
    "Lê Trọng Tấn", "Nguyễn Khang", "Trần Cung", "Hoàng Quốc Việt", "Láng", "Bạch Mai", "Định Công", "Kim Giang",
]
HAMLETS = ["Đông", "Đoài", "Thượng", "Hạ", "Trung", "Nam", "Bắc", "Tiền", "Hậu", "Văn", "Yên", "Phú"]

# How a place is named: in a ward, alleys and streets; in a commune, hamlets and villages.
WARD_PLACES = ["ngõ {n} phố {street}", "ngách {m}/{n} phố {street}", "tổ dân phố số {k}", "khu tập thể {street}",
               "đoạn phố {street} gần số nhà {n}"]
COMMUNE_PLACES = ["thôn {hamlet}", "xóm {k} thôn {hamlet}", "đường liên thôn {hamlet} - {hamlet2}",
                  "khu dân cư số {k}", "cánh đồng thôn {hamlet}"]

# topic code -> (title, text) templates: short titles (the column holds 150 characters)
QUESTIONS = {
    "land": [
        ("Hồ sơ cấp giấy chứng nhận tại {place} chậm", "Gia đình tôi nộp hồ sơ cấp giấy chứng nhận quyền sử dụng "
         "đất tại {place} đã hơn một năm nhưng chưa được cấp. Đề nghị cho biết lý do và thời gian giải quyết."),
        ("Cấp sổ đỏ cho đất ông cha để lại ở {place}", "Nhà tôi ở {place} trên đất ông cha để lại, chưa có giấy tờ. "
         "Thủ tục cấp giấy chứng nhận như thế nào, mất bao lâu?"),
        ("Tranh chấp ranh giới đất tại {place}", "Hộ liền kề lấn sang phần đất của gia đình tôi tại {place} khoảng "
         "hai mét. Đề nghị chính quyền đo đạc và hòa giải."),
    ],
    "clearance": [
        ("Đơn giá bồi thường tại {place} quá thấp", "Gia đình tôi bị thu hồi đất tại {place} để làm dự án. Đơn giá "
         "bồi thường thấp hơn giá thị trường. Đề nghị xem xét lại và công khai cách tính."),
        ("Chậm bố trí tái định cư cho hộ dân {place}", "Các hộ dân {place} đã bàn giao mặt bằng từ lâu nhưng chưa "
         "được bố trí tái định cư. Đề nghị cho biết tiến độ."),
    ],
    "construction": [
        ("Công trình xây dựng không phép tại {place}", "Một công trình tại {place} đang xây thêm tầng không có giấy "
         "phép, gây nứt tường nhà bên cạnh. Đề nghị kiểm tra, xử lý."),
        ("Lấn chiếm lối đi chung tại {place}", "Một số hộ tại {place} xây lấn ra lối đi chung, xe cứu hỏa không "
         "vào được. Đề nghị xử lý dứt điểm."),
        ("Vật liệu xây dựng đổ tràn ra đường ở {place}", "Công trình tại {place} tập kết cát, gạch ra lòng đường "
         "nhiều tuần nay, gây bụi và mất an toàn giao thông."),
    ],
    "traffic": [
        ("Đèn chiếu sáng {place} hỏng đã lâu", "Đèn chiếu sáng tại {place} hỏng đã ba tháng, buổi tối rất tối và "
         "mất an toàn. Đề nghị sửa chữa."),
        ("Mặt đường {place} xuống cấp", "Mặt đường {place} bong tróc, nhiều ổ gà, trời mưa đọng nước. Đề nghị "
         "sớm sửa chữa, nâng cấp."),
        ("Vỉa hè {place} bị chiếm dụng", "Vỉa hè tại {place} bị chiếm làm nơi để xe và bán hàng, người đi bộ phải "
         "xuống lòng đường. Đề nghị xử lý."),
    ],
    "environment": [
        ("Ngập úng tại {place} mỗi khi mưa lớn", "Mỗi khi mưa lớn, {place} ngập sâu 30–40 cm, nước tràn vào nhà "
         "dân. Đề nghị cho biết kế hoạch cải tạo hệ thống thoát nước."),
        ("Điểm tập kết rác tại {place} gây ô nhiễm", "Điểm tập kết rác tại {place} bốc mùi, rác để đến tối mới chở "
         "đi. Đề nghị bố trí lại giờ thu gom và điểm tập kết."),
        ("Cơ sở sản xuất gây tiếng ồn ở {place}", "Một xưởng sản xuất tại {place} hoạt động cả đêm, gây tiếng ồn và "
         "khói bụi. Đề nghị kiểm tra."),
    ],
    "social": [
        ("Chế độ người có công tại {place} chậm chi trả", "Mẹ tôi ở {place} là vợ liệt sĩ, ba tháng nay chưa nhận "
         "được trợ cấp. Đề nghị kiểm tra và chi trả."),
        ("Xét hộ cận nghèo cho gia đình ở {place}", "Gia đình tôi ở {place} thu nhập thấp, có người ốm đau dài "
         "ngày. Điều kiện và thủ tục xét hộ cận nghèo như thế nào?"),
    ],
    "education_health": [
        ("Tuyển sinh lớp 1 cho trẻ ở {place}", "Con tôi cư trú tại {place} nhưng không được xếp vào trường tiểu học "
         "gần nhà. Đề nghị cho biết tiêu chí phân tuyến."),
        ("Trạm y tế thiếu thuốc cho người dân {place}", "Người cao tuổi ở {place} đi khám tại trạm y tế thường "
         "xuyên bị báo hết thuốc bảo hiểm. Đề nghị khắc phục."),
    ],
    "security": [
        ("Trộm cắp xe máy tại {place}", "Thời gian gần đây tại {place} liên tiếp xảy ra trộm cắp xe máy ban đêm. "
         "Đề nghị tăng cường tuần tra."),
        ("Tụ tập gây mất trật tự ở {place}", "Nhóm thanh niên thường tụ tập tại {place} sau 23 giờ, rú ga, gây "
         "mất trật tự. Đề nghị xử lý."),
    ],
    "civil_status": [
        ("Đăng ký thường trú cho con tại {place}", "Tôi muốn đăng ký thường trú cho con tại nhà ở {place}. Cần "
         "những giấy tờ gì và nộp ở đâu?"),
        ("Trích lục khai sinh cho người ở {place}", "Bố tôi ở {place} cần trích lục bản sao giấy khai sinh nhưng "
         "sổ gốc bị thất lạc. Đề nghị hướng dẫn."),
    ],
    "procedures": [
        ("Hồ sơ một cửa của hộ ở {place} trả chậm", "Hồ sơ tôi nộp tại bộ phận một cửa cho nhà ở {place} đã quá "
         "hạn hai tuần mà chưa có kết quả, không được thông báo lý do."),
    ],
    "business_registration": [
        ("Đăng ký hộ kinh doanh tại {place}", "Tôi muốn mở cửa hàng ăn uống tại {place}. Thủ tục đăng ký hộ kinh "
         "doanh và các điều kiện cần có là gì?"),
    ],
    "labour": [
        ("Doanh nghiệp ở {place} nợ bảo hiểm xã hội", "Công ty nơi tôi làm việc ở {place} nợ bảo hiểm xã hội của "
         "người lao động nhiều tháng. Đề nghị kiểm tra."),
    ],
    "fire_safety": [
        ("Nguy cơ cháy nổ tại {place}", "Nhiều hộ tại {place} vừa ở vừa kinh doanh, chứa hàng dễ cháy, lối thoát "
         "nạn bị chắn. Đề nghị kiểm tra phòng cháy, chữa cháy."),
    ],
    "tax": [
        ("Lệ phí trước bạ nhà đất tại {place}", "Tôi được tặng cho nhà đất tại {place}. Trường hợp nào được miễn "
         "lệ phí trước bạ và thủ tục thế nào?"),
    ],
}

# topic code -> (answer, legal basis)
ANSWERS = {
    "land": ("Hồ sơ của gia đình đã được kiểm tra; đủ điều kiện cấp giấy chứng nhận. Cơ quan chuyên môn sẽ trả kết "
             "quả trong 15 ngày làm việc.", "Luật Đất đai năm 2024; Nghị định 101/2024/NĐ-CP"),
    "clearance": ("Đơn giá bồi thường được áp dụng theo bảng giá đất của thành phố; hội đồng bồi thường sẽ rà soát "
                  "lại và trả lời từng hộ.", "Luật Đất đai năm 2024; Nghị định 88/2024/NĐ-CP"),
    "construction": ("Đội trật tự đô thị đã kiểm tra, lập biên bản vi phạm và đình chỉ thi công phần xây dựng không "
                     "phép; chủ công trình phải tự khắc phục trong 30 ngày.", "Nghị định 16/2022/NĐ-CP"),
    "traffic": ("Đơn vị quản lý đã đưa tuyến đường vào kế hoạch duy tu; đèn chiếu sáng được thay trong tháng.",
                "Quyết định phân cấp quản lý hạ tầng đô thị của UBND thành phố"),
    "environment": ("Đơn vị thu gom đã điều chỉnh giờ thu gom; tuyến cống được đưa vào kế hoạch nạo vét, cải tạo.",
                    "Luật Bảo vệ môi trường năm 2020"),
    "social": ("Hồ sơ đã được rà soát; khoản trợ cấp còn thiếu sẽ được chi trả trong kỳ chi trả gần nhất.",
               "Pháp lệnh Ưu đãi người có công với cách mạng năm 2020"),
    "education_health": ("Phân tuyến tuyển sinh căn cứ nơi cư trú; trạm y tế đã được bổ sung thuốc bảo hiểm.",
                         "Luật Giáo dục năm 2019; Luật Khám bệnh, chữa bệnh năm 2023"),
    "security": ("Công an đã tăng cường tuần tra vào ban đêm và lập chuyên án xử lý các đối tượng vi phạm.",
                 "Luật Công an nhân dân năm 2018"),
    "civil_status": ("Người dân nộp hồ sơ trực tuyến trên Cổng dịch vụ công hoặc tại Trung tâm Phục vụ hành chính "
                     "công; thời hạn giải quyết 7 ngày làm việc.", "Luật Cư trú năm 2020; Luật Hộ tịch năm 2014"),
    "procedures": ("Trung tâm đã xin lỗi người dân vì trả kết quả chậm; hồ sơ đã được giải quyết xong.",
                   "Nghị định 61/2018/NĐ-CP"),
    "business_registration": ("Hồ sơ đăng ký hộ kinh doanh nộp tại Trung tâm Phục vụ hành chính công; giải quyết "
                              "trong 3 ngày làm việc.", "Nghị định 01/2021/NĐ-CP"),
    "labour": ("Cơ quan bảo hiểm xã hội đã làm việc với doanh nghiệp; doanh nghiệp cam kết nộp đủ trong quý.",
               "Luật Bảo hiểm xã hội năm 2024"),
    "fire_safety": ("Công an đã kiểm tra, hướng dẫn các hộ sắp xếp hàng hóa và mở lối thoát nạn.",
                    "Luật Phòng cháy, chữa cháy và cứu nạn, cứu hộ năm 2024"),
    "tax": ("Trường hợp tặng cho giữa vợ chồng, cha mẹ và con được miễn lệ phí trước bạ; hồ sơ nộp kèm giấy tờ "
            "chứng minh quan hệ.", "Nghị định 10/2022/NĐ-CP"),
}

# topic code -> what is promised (with {place}), and what the work must produce
COMMITMENTS = {
    "land": ("Hoàn thành cấp giấy chứng nhận cho các hộ đủ điều kiện tại {place}", "Danh sách hộ đã được cấp"),
    "clearance": ("Rà soát lại đơn giá bồi thường cho các hộ tại {place}", "Phương án bồi thường điều chỉnh"),
    "construction": ("Cưỡng chế tháo dỡ phần xây dựng vi phạm tại {place}", "Biên bản cưỡng chế"),
    "traffic": ("Sửa chữa mặt đường và thay đèn chiếu sáng tại {place}", "Biên bản nghiệm thu"),
    "environment": ("Nạo vét, cải tạo hệ thống thoát nước tại {place}", "Biên bản nghiệm thu và ảnh hiện trường"),
    "social": ("Chi trả đủ trợ cấp còn thiếu cho các hộ tại {place}", "Danh sách chi trả có ký nhận"),
    "education_health": ("Bổ sung đủ thuốc bảo hiểm cho trạm y tế phục vụ {place}", "Báo cáo cấp phát thuốc"),
    "security": ("Duy trì tuần tra ban đêm tại {place}", "Nhật ký tuần tra"),
    "civil_status": ("Hướng dẫn và giải quyết hồ sơ cư trú tồn đọng của người dân {place}", "Báo cáo kết quả"),
    "procedures": ("Giải quyết dứt điểm hồ sơ quá hạn của người dân {place}", "Báo cáo kết quả"),
    "business_registration": ("Hỗ trợ các hộ kinh doanh tại {place} hoàn thiện hồ sơ", "Danh sách hộ đã đăng ký"),
    "labour": ("Đôn đốc doanh nghiệp tại {place} nộp đủ bảo hiểm xã hội", "Xác nhận của cơ quan bảo hiểm"),
    "fire_safety": ("Kiểm tra phòng cháy, chữa cháy các hộ kinh doanh tại {place}", "Biên bản kiểm tra"),
    "tax": ("Niêm yết công khai hướng dẫn miễn lệ phí trước bạ tại {place}", "Ảnh niêm yết"),
}

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Phan",
          "Trịnh", "Đinh", "Lưu", "Tạ", "Kiều", "Mai"]
FAMILY_WEIGHTS = [38, 11, 10, 7, 5, 4, 3, 3, 3, 2, 2, 2, 1, 4, 1, 1, 1, 1, 1, 1]
# (middle names, given names): a man's and a woman's
NAMES = [
    (["Văn", "Minh", "Quang", "Đức", "Hữu", "Xuân", "Anh", "Bảo", "Thanh"],
     ["Bình", "Tâm", "Đức", "Hùng", "Vinh", "Long", "Khải", "Sơn", "Nam", "Huy", "Dũng", "Hải", "Tuấn", "Quân",
      "Minh"]),
    (["Thị", "Thu", "Ngọc", "Thanh", "Minh", "Bảo"],
     ["Hồng", "Lan", "Mai", "Thu", "Ngọc", "Hạnh", "Thủy", "Phương", "Hà", "Linh", "Trang", "Yến", "Hoa", "Thảo",
      "Hương"]),
]
COMPANIES = ["Công ty TNHH Thương mại {f} {g}", "Công ty Cổ phần Xây dựng {f} {g}", "Công ty TNHH Dịch vụ {g}",
             "Hợp tác xã Nông nghiệp {g}", "Công ty Cổ phần Thực phẩm {f} {g}"]
ORGANISATIONS = ["Chi hội Cựu chiến binh {place}", "Chi hội Phụ nữ {place}", "Ban công tác Mặt trận {place}",
                 "Chi hội Người cao tuổi {place}"]

FORWARDED_TO = ["Tòa án nhân dân khu vực 1 - Hà Nội", "Bảo hiểm xã hội thành phố Hà Nội", "Thuế thành phố Hà Nội",
                "Công ty Điện lực Hà Nội", "Công ty Nước sạch Hà Nội"]
REJECTIONS = [
    ("complaint", "Nội dung là khiếu nại quyết định hành chính, được giải quyết theo thủ tục khiếu nại; đề nghị "
                  "ông/bà gửi đơn đến Bộ phận tiếp công dân."),
    ("denunciation", "Nội dung là tố cáo, được giải quyết theo Luật Tố cáo; đề nghị gửi đơn đến cơ quan có "
                     "thẩm quyền."),
    ("not_question", "Nội dung không nêu câu hỏi hay kiến nghị cụ thể."),
]
DONE = "Đã hoàn thành: {output} đã được gửi kèm báo cáo; người dân {place} đã được thông báo kết quả."
PROGRESS = ["Đã khảo sát hiện trạng và lập phương án thực hiện.", "Đã bố trí kinh phí, đang triển khai thi công.",
            "Đã hoàn thành phần lớn khối lượng, đang hoàn thiện hồ sơ nghiệm thu."]
FINDINGS = {"done": "Kiểm tra thực tế: đã thực hiện đúng như báo cáo; người dân xác nhận.",
            "partly": "Kiểm tra thực tế: mới thực hiện một phần, còn tồn tại cần tiếp tục khắc phục.",
            "not_done": "Kiểm tra thực tế: chưa thực hiện như báo cáo; hiện trạng chưa thay đổi."}
