"""The similar-question lookup at scale (`make bench`, after the other figures): its time with 10,000 and
100,000 questions in one conference, and its quality when the labelled questions sit among them.

For each engine (SQLite; PostgreSQL when TEST_DATABASE_URL is set) and each size N, a migrated database
holds the demo's reference data and, in its first conference, N generated Vietnamese citizen questions
(`Generator`, seeded: the same questions every run) plus the questions of tests/data/similar/dev.json.
Built once and kept between runs: var/bench/similar-<N>.sqlite3, and the PostgreSQL databases
dialogue_bench_similar_<N> beside TEST_DATABASE_URL's. A marker (a file beside the SQLite one, the
database's comment on PostgreSQL) records what is there: the questions, with the hash of the migrations
that make question_match and its index (built again when one of them is edited in place); the dev set,
by its hash (seeded again when it changes); the entries of question_match, by the hash of the modules
that compute them (similarity.rebuild() runs again when likeness.py, similarity.py or text.py change,
and its time is printed). `make clean` removes the SQLite ones; `DROP DATABASE` the others.

Then, in this process with the tables bound (and the app's pool of connections on PostgreSQL), one after
the other: 20 lookups to warm up, then `similarity.similar()` for the dev set's questions and random
generated ones (300 in all), each timed, with what the lookup spends in its parts (the index's
statements through Piccolo, the re-rank in Python, the details of the hints). The statements the index's
part sent for each lookup (the phrase index's statement, then the candidates' profiles) are then run
again through the raw driver (sqlite3, asyncpg) with the same parameters: the reference the lookup's p99
is compared with.

Prints:
  BENCH similar <engine> <N> candidates p99=… ms (goal …: met) p50=… prefilter_p99=… ratio=… candidates=…
  BENCH similar_quality <engine> dev among <N> recall@3=… hard_negative_error=…
  BENCH similar_quality <engine> dev|holdout recall@3=… hard_negative_error=…   (the bare sets)
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import os
import random
import re
import sqlite3
import statistics
import time
import unicodedata
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from dialogue.core.settings import PROJECT_ROOT

SIZES = (10_000, 100_000)
GOALS_MS = {10_000: 20.0, 100_000: 50.0}  # the lookup's p99 (issue 17)
LOOKUPS = 300  # timed: the dev set's questions, and generated ones up to this
WARM_UP = 20
RAW_SECONDS, RAW_AT_LEAST = 45.0, 100  # the raw driver's reference: what it may take, and its fewest statements
FOLDER = PROJECT_ROOT / "var" / "bench"
PG_PREFIX = "dialogue_bench_similar_"
GENERATOR_VERSION = 1  # bump when the generator changes: the data sets are built again
TOKEN = "bench-similar-"  # the generated questions' form_token prefix
# What the entries of question_match are computed by: when one changes, they are computed again.
ENTRY_SOURCES = ("dialogue/questions/likeness.py", "dialogue/questions/similarity.py", "dialogue/core/text.py")


def say(text: str) -> None:
    print(text, flush=True)


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[98]


# --- The generated questions -----------------------------------------------------------------------

FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý",
          "Đinh", "Trịnh", "Mạc", "Tô", "Lương", "Kiều", "Chu", "Quách", "Cao", "Đoàn", "Lã", "Tạ", "Vương")
MIDDLE = ("Văn", "Hữu", "Đình", "Quang", "Công", "Đức", "Minh", "Thế", "Khắc", "Trọng", "Xuân", "Như", "Bá", "Huy",
          "Tất", "Sĩ", "Thị", "Duy", "Phúc", "Cảnh")
GIVEN = ("An", "Bình", "Cẩn", "Diệu", "Đạt", "Giao", "Hạnh", "Khải", "Lâm", "Mậu", "Nghiêm", "Oanh", "Phong", "Quế",
         "Sáng", "Tiệp", "Uyên", "Vỹ", "Xuyến", "Yên", "Bảo", "Chiểu", "Doãn", "Hiến", "Kỷ", "Lãng", "Miên", "Nhạn",
         "Phụng", "Quỳnh", "Thạc", "Trứ", "Vịnh", "Tường", "Cát", "Hoành", "Khuê", "Lộc", "Ngạn", "Thuần")
PLACE_FIRST = ("Bến", "Cầu", "Hồ", "Gò", "Bãi", "Đồng", "Lạc", "Phú", "Tân", "An", "Vĩnh", "Thái", "Hòa", "Long",
               "Mỹ", "Trung", "Kim", "Ngọc", "Thanh", "Bình", "Yên", "Thạch", "Vạn", "Phước")
PLACE_SECOND = ("Sen", "Đá", "Gạo", "Mây", "Cói", "Sỏi", "Lĩnh", "Thịnh", "Khánh", "Hưng", "Đông", "Tây", "Nam",
                "Bắc", "Lợi", "Phước", "Hải", "Xuyên", "Giang", "Điền", "Trạch", "Lư", "Quán", "Vọng")
ASKERS = ("Nguyễn Văn Hùng", "Trần Thị Lan", "Lê Minh Tuấn", "Phạm Thu Hà", "Hoàng Văn Nam", "Vũ Thị Mai",
          "Đặng Quốc Bảo", "Bùi Thị Hoa", "Đỗ Đức Thắng", "Ngô Thị Hằng", "Dương Văn Long", "Lý Thị Ngọc")

# Each problem: the kinds of place it is asked about, headings, facts (sentences) and requests. "{p}"
# is the place; a heading that starts with it gets a capital.
PROBLEMS = (
    ("alley street group", (
        "Ngập úng kéo dài tại {p}", "{p} ngập sâu mỗi khi mưa lớn", "Đề nghị xử lý tình trạng ngập ở {p}",
        "Mưa to là {p} lại ngập"), (
        "Cứ mỗi trận mưa lớn là {p} ngập đến nửa bánh xe máy, nước rút rất chậm.",
        "Nước ngập tràn cả vào nhà dân, nhiều hộ phải kê đồ đạc lên cao.",
        "Có hôm nước đọng đến 3-4 tiếng mới rút hết, học sinh không đi học được.",
        "Xe máy chết máy giữa đường, người già và trẻ nhỏ đi lại rất nguy hiểm.",
        "Tình trạng ngập úng ở {p} đã diễn ra nhiều năm nhưng chưa được khắc phục."), (
        "Đề nghị phường có phương án chống ngập cho khu vực này.",
        "Đề nghị cải tạo hệ thống thoát nước để {p} hết ngập.", "Mong phường sớm khảo sát và xử lý dứt điểm.")),
    ("alley street group", (
        "Cống thoát nước ở {p} bị tắc", "Hố ga bốc mùi hôi thối tại {p}", "Nắp cống vỡ nguy hiểm ở {p}",
        "Đề nghị nạo vét cống rãnh {p}"), (
        "Cống thoát nước ở {p} bị tắc, rác và bùn đất đọng lại rất nhiều.",
        "Hố ga bốc mùi hôi thối, nhất là những ngày nắng nóng.",
        "Nắp cống bị vỡ một góc, đã có người đi xe máy bị sụp bánh.",
        "Rãnh thoát nước ở {p} không có nắp đậy, trẻ con đi qua rất nguy hiểm.",
        "Từ khi làm lại vỉa hè, miệng cống bị lấp mất nên nước không thoát được."), (
        "Đề nghị cho nạo vét cống và thay nắp cống mới.", "Đề nghị đơn vị thoát nước kiểm tra, khơi thông.",
        "Kính đề nghị phường chỉ đạo xử lý sớm trước mùa mưa.")),
    ("alley street", (
        "Mặt đường {p} xuống cấp nghiêm trọng", "Nhiều ổ gà trên {p}", "Đề nghị sửa chữa, nâng cấp {p}",
        "{p} lún sụt, đi lại khó khăn"), (
        "Mặt đường {p} bong tróc, xuất hiện nhiều ổ gà sâu.",
        "Đoạn đường bị lún sụt sau đợt thi công đường ống, đến nay chưa được hoàn trả.",
        "Trời mưa thì nước đọng trong ổ gà, người đi đường không nhìn thấy nên hay bị ngã.",
        "Đường bê tông ở {p} làm từ lâu, nay nứt vỡ, gồ ghề.",
        "Xe tải chở vật liệu đi qua thường xuyên làm đường hỏng thêm."), (
        "Đề nghị phường sớm tu sửa, thảm lại mặt đường.",
        "Mong phường đưa tuyến đường này vào kế hoạch nâng cấp năm tới.",
        "Đề nghị yêu cầu đơn vị thi công hoàn trả mặt đường như cũ.")),
    ("alley street group project", (
        "Đèn chiếu sáng ở {p} hỏng nhiều tháng", "{p} tối om vì không có đèn đường",
        "Đề nghị lắp đèn chiếu sáng cho {p}", "Đèn đường {p} lúc sáng lúc tắt"), (
        "Hệ thống đèn chiếu sáng ở {p} bị hỏng đã nhiều tháng nay.",
        "Buổi tối khu vực này tối om, phụ nữ và học sinh đi về muộn rất sợ.",
        "Có mấy cột đèn bị tắt hẳn, cột còn lại thì chập chờn.",
        "Thiếu ánh sáng nên đã xảy ra mấy vụ giật túi xách ở {p}.",
        "Bóng đèn cao áp đầu ngõ cháy từ trước Tết mà chưa ai thay."), (
        "Đề nghị phường cho kiểm tra, thay bóng đèn hỏng.", "Đề nghị bổ sung thêm cột đèn chiếu sáng.",
        "Mong phường sớm bố trí kinh phí lắp đèn.")),
    ("alley street group", (
        "Rác không được thu gom thường xuyên ở {p}", "Điểm tập kết rác tự phát tại {p}", "Rác thải bốc mùi ở {p}",
        "Đề nghị tăng tần suất thu gom rác {p}"), (
        "Xe thu gom rác chỉ vào {p} hai ba ngày một lần, rác để lâu bốc mùi.",
        "Đầu ngõ thành điểm tập kết rác tự phát, chó mèo bới tung ra đường.",
        "Một số người ở nơi khác mang rác đến {p} đổ trộm vào ban đêm.",
        "Các hộ vẫn đóng phí vệ sinh đầy đủ nhưng rác không được thu đúng giờ.",
        "Rác xây dựng đổ thành đống lớn bên lề đường đã mấy tuần."), (
        "Đề nghị yêu cầu đơn vị thu gom thực hiện đúng lịch.",
        "Đề nghị xử lý nghiêm các trường hợp đổ rác không đúng nơi quy định.",
        "Kính đề nghị phường bố trí lại điểm tập kết rác cho hợp lý.")),
    ("alley house group", (
        "Karaoke gây ồn đến khuya tại {p}", "Tiếng ồn từ quán karaoke ở {p}",
        "Loa kéo hát karaoke làm ảnh hưởng khu dân cư {p}"), (
        "Quán karaoke ở {p} mở nhạc rất to đến 12 giờ đêm.",
        "Một số hộ dùng loa kéo công suất lớn hát karaoke cả ngày cuối tuần.",
        "Người già, trẻ nhỏ và người ốm không thể nghỉ ngơi được.",
        "Tổ dân phố đã nhắc nhở nhiều lần nhưng tình trạng vẫn tiếp diễn.",
        "Tiếng ồn vượt quá mức cho phép, nhất là sau 22 giờ."), (
        "Đề nghị công an phường kiểm tra, xử lý.", "Đề nghị phường có biện pháp chấm dứt tình trạng gây ồn.",
        "Mong chính quyền xử phạt nghiêm để người dân được nghỉ ngơi.")),
    ("street", (
        "Lấn chiếm vỉa hè kinh doanh tại {p}", "Vỉa hè {p} bị chiếm làm chỗ để xe",
        "Hàng quán bày bán tràn ra lòng đường {p}"), (
        "Các hộ kinh doanh ở {p} bày hàng kín vỉa hè, người đi bộ phải đi xuống lòng đường.",
        "Quán ăn kê bàn ghế ra tận lòng đường vào buổi tối.", "Vỉa hè bị chiếm làm điểm trông giữ xe thu tiền.",
        "Lực lượng trật tự đến thì dọn, đi lại bày ra như cũ.",
        "Học sinh đi học phải đi giữa dòng xe rất nguy hiểm."), (
        "Đề nghị phường ra quân lập lại trật tự vỉa hè.", "Đề nghị xử lý dứt điểm, không để tái lấn chiếm.",
        "Mong phường trả lại vỉa hè cho người đi bộ.")),
    ("house alley", (
        "Công trình xây dựng sai phép tại {p}", "Nhà {p} cơi nới vượt số tầng", "Xây dựng không phép ở {p}",
        "Công trình ở {p} gây lún nứt nhà bên cạnh"), (
        "Hộ gia đình ở {p} đang xây thêm tầng, vượt quá giấy phép được cấp.",
        "Công trình không che chắn, vật liệu rơi xuống đường.",
        "Việc thi công móng làm nhà bên cạnh bị lún, nứt tường.",
        "Công trình xây dựng làm việc cả ban đêm gây ồn.", "Vật liệu xây dựng tập kết chiếm hết lối đi chung."), (
        "Đề nghị phường kiểm tra trật tự xây dựng và xử lý vi phạm.",
        "Đề nghị buộc chủ công trình bồi thường thiệt hại cho các hộ liền kề.",
        "Kính đề nghị cử cán bộ xuống kiểm tra thực tế.")),
    ("house group", (
        "Chậm cấp giấy chứng nhận quyền sử dụng đất cho hộ dân {p}", "Hồ sơ cấp sổ đỏ ở {p} nộp lâu chưa có kết quả",
        "Vướng mắc tách thửa đất tại {p}"), (
        "Gia đình tôi ở {p} nộp hồ sơ cấp giấy chứng nhận quyền sử dụng đất từ năm ngoái nhưng chưa có kết quả.",
        "Đất ở ổn định từ năm 1990, không tranh chấp nhưng vẫn chưa được cấp sổ.",
        "Cán bộ địa chính hẹn nhiều lần mà không trả lời rõ vướng ở đâu.",
        "Muốn tách thửa cho con nhưng không biết diện tích tối thiểu áp dụng thế nào.",
        "Thửa đất nằm trong quy hoạch treo nhiều năm, không làm được thủ tục gì."), (
        "Đề nghị phường cho biết hồ sơ đang vướng ở đâu và thời gian giải quyết.",
        "Mong phường hướng dẫn cụ thể thủ tục cấp giấy chứng nhận.",
        "Đề nghị công khai quy hoạch để người dân yên tâm.")),
    ("street house", (
        "Bồi thường giải phóng mặt bằng dự án mở rộng {p}", "Đơn giá đền bù đất ở {p} quá thấp",
        "Chậm bố trí tái định cư cho hộ dân {p}"), (
        "Nhà tôi ở {p} nằm trong diện thu hồi đất để mở rộng đường.",
        "Đơn giá bồi thường thấp hơn nhiều so với giá thị trường.",
        "Đã bàn giao mặt bằng hơn một năm nhưng chưa được bố trí tái định cư.",
        "Phần diện tích còn lại sau thu hồi quá nhỏ, không thể xây nhà.",
        "Chưa được nhận khoản hỗ trợ di dời và thuê nhà tạm."), (
        "Đề nghị xem xét lại phương án bồi thường.", "Đề nghị công khai đơn giá và phương án tái định cư.",
        "Mong phường kiến nghị cấp trên giải quyết thỏa đáng.")),
    ("group project", (
        "Tuyển sinh lớp 1 cho trẻ ở {p}", "Trường mầm non gần {p} quá tải", "Thiếu trường học cho con em {p}"), (
        "Con tôi năm nay vào lớp 1, nhà ở {p} nhưng lại bị phân tuyến về trường rất xa.",
        "Trường mầm non công lập gần nhất đã quá tải, nhiều cháu không được nhận.",
        "Các khoản thu đầu năm học nhiều, phụ huynh chưa được giải thích rõ.",
        "Lớp học quá đông, hơn 50 học sinh một lớp.",
        "Đường vào trường không có vạch sang đường, giờ tan học rất ùn tắc."), (
        "Đề nghị phường phối hợp phòng giáo dục điều chỉnh tuyến tuyển sinh.",
        "Mong phường kiến nghị xây thêm trường cho khu vực.", "Đề nghị công khai các khoản thu của nhà trường.")),
    ("group house", (
        "Cấp thẻ bảo hiểm y tế cho người cao tuổi ở {p}", "Trạm y tế phường thiếu thuốc cho người bệnh ở {p}",
        "Thẻ bảo hiểm y tế của trẻ em ở {p} in sai thông tin"), (
        "Mẹ tôi đã trên 80 tuổi, ở {p}, nhưng đến nay chưa được cấp thẻ bảo hiểm y tế.",
        "Trạm y tế phường thường xuyên thiếu thuốc điều trị huyết áp, tiểu đường.",
        "Làm thủ tục khám chữa bệnh bảo hiểm y tế mất cả buổi.",
        "Cháu nhà tôi dưới 6 tuổi mà thẻ bảo hiểm y tế in sai ngày sinh.",
        "Nhân viên y tế chưa hướng dẫn rõ thủ tục gia hạn thẻ."), (
        "Đề nghị phường rà soát và cấp thẻ kịp thời.", "Đề nghị trạm y tế bổ sung đủ thuốc.",
        "Mong được hướng dẫn cụ thể thủ tục.")),
    ("group house", (
        "Chậm chi trả trợ cấp cho người có công ở {p}", "Xét duyệt hộ nghèo, cận nghèo tại {p} chưa công khai",
        "Trợ cấp cho người khuyết tật ở {p}"), (
        "Bố tôi là người có công với cách mạng, ở {p}, đã ba tháng chưa nhận được trợ cấp.",
        "Danh sách hộ nghèo, cận nghèo năm nay không được niêm yết công khai ở nhà văn hóa.",
        "Con tôi khuyết tật nặng nhưng hồ sơ hưởng trợ cấp xã hội nộp đã lâu chưa được duyệt.",
        "Người cao tuổi phải đi lại nhiều lần mới nhận được tiền chính sách.",
        "Có hộ khá giả vẫn được vào danh sách hỗ trợ, người dân thắc mắc."), (
        "Đề nghị phường chi trả đúng hạn.", "Đề nghị công khai danh sách và tiêu chí xét duyệt.",
        "Mong phường xem xét giải quyết sớm cho gia đình.")),
    ("ward", (
        "Thủ tục đăng ký thường trú ở bộ phận một cửa kéo dài", "Hẹn trả kết quả chứng thực nhiều lần ở {p}",
        "Dịch vụ công trực tuyến của {p} hay lỗi", "Làm căn cước cho người già ở {p}"), (
        "Tôi nộp hồ sơ đăng ký thường trú tại bộ phận một cửa {p} đã quá hạn mà chưa có kết quả.",
        "Cán bộ tiếp nhận yêu cầu bổ sung giấy tờ nhiều lần, mỗi lần một kiểu.",
        "Cổng dịch vụ công trực tuyến thường xuyên báo lỗi khi nộp hồ sơ.",
        "Người già yếu không tự đi làm căn cước được, gia đình đề nghị làm tại nhà nhưng chưa được.",
        "Phiếu hẹn trả kết quả ghi một ngày nhưng đến nơi lại hẹn sang tuần sau."), (
        "Đề nghị phường rút ngắn thời gian giải quyết thủ tục.", "Đề nghị niêm yết rõ thành phần hồ sơ.",
        "Mong cán bộ một cửa hướng dẫn một lần đầy đủ.")),
    ("street project", (
        "Thuế khoán hộ kinh doanh ở {p} tăng cao", "Thủ tục đăng ký hộ kinh doanh tại {p}",
        "Lệ phí cho hộ kinh doanh ở {p}"), (
        "Mức thuế khoán của các hộ kinh doanh ở {p} năm nay tăng gần gấp đôi.",
        "Doanh thu giảm nhưng thuế vẫn tính theo mức cũ, các hộ kinh doanh rất khó khăn.",
        "Đăng ký hộ kinh doanh phải đi lại nhiều lần vì thiếu hướng dẫn.",
        "Chúng tôi chưa được hướng dẫn xuất hóa đơn điện tử.",
        "Có hộ kinh doanh lớn lại đóng thuế thấp hơn hộ nhỏ."), (
        "Đề nghị rà soát lại mức thuế khoán cho phù hợp.", "Đề nghị hướng dẫn thủ tục cụ thể cho người dân.",
        "Mong được đối thoại trực tiếp với cơ quan thuế.")),
    ("project street", (
        "Chợ tạm {p} gây mất vệ sinh", "Chợ cóc họp trên {p} gây ùn tắc", "Tiểu thương {p} phản ánh về ki ốt"), (
        "Chợ tạm ở {p} họp từ sáng sớm, nước thải và rác tràn ra đường.",
        "Người bán hàng bày cả xuống lòng đường, xe cộ không đi được.",
        "Tiểu thương được bố trí ki ốt chật, không có mái che.",
        "Ban quản lý chợ thu phí nhưng không dọn vệ sinh.", "Chợ cóc họp tự phát gây ùn tắc giờ cao điểm."), (
        "Đề nghị phường sắp xếp lại chợ.", "Đề nghị giải tỏa chợ cóc, đưa người bán vào chợ.",
        "Mong phường cải tạo chợ cho sạch sẽ, an toàn.")),
    ("street group project", (
        "Cây xanh nghiêng có nguy cơ đổ ở {p}", "Đề nghị cắt tỉa cây xanh {p} trước mùa mưa bão",
        "Cây đổ sau bão chưa được dọn ở {p}", "Sân chơi cho trẻ em ở {p} xuống cấp"), (
        "Cây xà cừ ở {p} nghiêng hẳn ra đường, rễ làm nứt vỉa hè.",
        "Nhiều cành khô có thể gãy rơi xuống người đi đường.",
        "Sau cơn bão vừa rồi cây đổ chắn ngang đường vẫn chưa được dọn.",
        "Sân chơi và máy tập thể dục ở {p} hỏng, gỉ sét, rất nguy hiểm cho trẻ em.",
        "Cây xanh mọc sát đường dây điện, mỗi lần mưa gió lại chập điện."), (
        "Đề nghị công ty cây xanh cắt tỉa, gia cố.", "Đề nghị thay cây mới phù hợp hơn.",
        "Mong phường sửa chữa sân chơi cho trẻ em.")),
    ("alley group project", (
        "Mất nước sinh hoạt kéo dài tại {p}", "Nước máy ở {p} đục, có mùi", "Nước yếu không lên được tầng 2 ở {p}"), (
        "Đã một tuần nay {p} bị mất nước sinh hoạt, không có thông báo trước.",
        "Nước máy chảy ra đục ngầu, có mùi lạ, không dám dùng để nấu ăn.",
        "Nước yếu, các hộ phải mua máy bơm hút trực tiếp.",
        "Đồng hồ nước nhảy số bất thường trong khi gia đình dùng như mọi tháng.",
        "Đường ống cấp nước cũ bị vỡ nhiều lần."), (
        "Đề nghị công ty cấp nước kiểm tra và khắc phục.", "Đề nghị có xe chở nước sạch trong thời gian chờ sửa.",
        "Mong được trả lời về chất lượng nước.")),
    ("alley street group", (
        "Mất điện thường xuyên ở {p}", "Dây điện chằng chịt, võng thấp tại {p}", "Cột điện nghiêng ở {p}"), (
        "Khu vực {p} mất điện nhiều lần trong tuần, mỗi lần vài tiếng.",
        "Dây điện, dây cáp viễn thông chằng chịt, võng thấp ngang đầu người.",
        "Cột điện bị nghiêng sau vụ xe tải va chạm, có nguy cơ đổ.",
        "Điện yếu, các thiết bị trong nhà không hoạt động được vào buổi tối.",
        "Trạm biến áp quá tải, mùa hè là nhảy aptomat liên tục."), (
        "Đề nghị điện lực kiểm tra, nâng cấp trạm biến áp.", "Đề nghị bó gọn, hạ ngầm dây cáp.",
        "Mong phường phối hợp với điện lực xử lý sớm.")),
    ("alley group project", (
        "Xưởng sản xuất gây ô nhiễm ở {p}", "Khói bụi từ bãi vật liệu tại {p}", "Mùi hôi từ cơ sở chăn nuôi ở {p}",
        "Đốt rác gây khói ở {p}"), (
        "Xưởng sơn ở {p} hoạt động cả ngày đêm, mùi sơn và bụi bay vào nhà dân.",
        "Bãi tập kết cát đá không che chắn, bụi mịn phủ kín nhà cửa.",
        "Cơ sở nuôi lợn xả nước thải ra mương, mùi hôi thối nồng nặc.",
        "Có người đốt rác, đốt lá vào buổi chiều, khói đen bay khắp khu dân cư.",
        "Nhiều người trong khu vực bị ho, viêm họng kéo dài."), (
        "Đề nghị kiểm tra việc xử lý khí thải, nước thải.", "Đề nghị di dời cơ sở gây ô nhiễm ra khỏi khu dân cư.",
        "Mong phường xử phạt nghiêm các trường hợp vi phạm.")),
    ("alley group street", (
        "Trộm cắp xe máy xảy ra nhiều ở {p}", "Thanh niên tụ tập gây mất trật tự tại {p}",
        "Đề nghị lắp camera an ninh cho {p}"), (
        "Thời gian gần đây ở {p} liên tiếp xảy ra các vụ trộm xe máy.",
        "Nhóm thanh niên tụ tập uống rượu, nẹt pô đến khuya.",
        "Có đối tượng lạ thường xuyên lảng vảng, nghi mua bán ma túy.",
        "Người dân không dám để xe trước cửa nhà.", "Đã báo công an khu vực nhưng chưa thấy chuyển biến."), (
        "Đề nghị công an phường tăng cường tuần tra.", "Đề nghị lắp camera an ninh tại các điểm giao cắt.",
        "Mong phường sớm đảm bảo an ninh trật tự cho người dân.")),
    ("street alley", (
        "Xe tải trọng lớn đi vào {p}", "Ùn tắc giao thông giờ cao điểm ở {p}", "Đỗ xe lộn xộn tại {p}",
        "Đề nghị làm gờ giảm tốc ở {p}"), (
        "Xe tải chở vật liệu đi vào {p} cả ngày, đường hẹp rất nguy hiểm.",
        "Giờ tan tầm ùn tắc kéo dài, xe máy leo cả lên vỉa hè.",
        "Ô tô đỗ hai bên đường, xe cứu thương, xe cứu hỏa không vào được.",
        "Xe chạy tốc độ cao qua khu dân cư, đã xảy ra tai nạn với học sinh.",
        "Không có biển báo, đèn tín hiệu ở nút giao."), (
        "Đề nghị cấm xe tải trọng lớn vào giờ cao điểm.", "Đề nghị làm gờ giảm tốc và lắp biển báo.",
        "Mong phường phân luồng giao thông hợp lý.")),
    ("project", (
        "Ban quản trị {p} chưa công khai quỹ bảo trì", "Thang máy {p} hỏng liên tục",
        "Phí dịch vụ ở {p} tăng không thông báo", "Hệ thống phòng cháy chữa cháy {p} không hoạt động"), (
        "Ban quản trị {p} chưa công khai việc sử dụng quỹ bảo trì 2%.",
        "Thang máy hỏng liên tục, có lần người dân bị kẹt bên trong gần một tiếng.",
        "Phí dịch vụ tăng mà chất lượng vệ sinh, bảo vệ không thay đổi.",
        "Hệ thống phòng cháy chữa cháy không hoạt động, bình chữa cháy hết hạn.",
        "Chủ đầu tư chưa bàn giao hồ sơ nhà chung cư cho ban quản trị."), (
        "Đề nghị phường tổ chức hội nghị nhà chung cư.", "Đề nghị kiểm tra công tác phòng cháy chữa cháy.",
        "Mong phường yêu cầu ban quản trị công khai tài chính.")),
    ("alley group", (
        "Chó thả rông không rọ mõm ở {p}", "Chó cắn người tại {p}", "Nuôi chó gây ồn và mất vệ sinh ở {p}"), (
        "Nhiều hộ ở {p} thả rông chó, không rọ mõm, phóng uế bừa bãi.",
        "Tuần trước một cháu bé bị chó cắn phải đi tiêm phòng dại.",
        "Chó sủa suốt đêm, hàng xóm không ngủ được.",
        "Người đi tập thể dục buổi sáng bị chó đuổi, ngã xe.", "Chủ nuôi không tiêm phòng cho chó."), (
        "Đề nghị phường xử lý việc thả rông chó.", "Đề nghị tổ chức tiêm phòng dại cho chó mèo.",
        "Mong phường nhắc nhở các hộ nuôi chó.")),
    ("alley group project", (
        "Phun thuốc diệt muỗi phòng sốt xuất huyết ở {p}", "Nhiều ca sốt xuất huyết tại {p}",
        "Ao tù nước đọng sinh muỗi ở {p}"), (
        "Ở {p} đã có nhiều người mắc sốt xuất huyết trong tháng này.",
        "Ao tù, nước đọng sau nhà dân là nơi muỗi sinh sản.",
        "Chưa thấy trạm y tế phun thuốc diệt muỗi đợt nào.",
        "Bãi đất trống đầy rác, lốp xe cũ đọng nước mưa.", "Trẻ em trong khu vực bị muỗi đốt nhiều."), (
        "Đề nghị tổ chức phun thuốc diệt muỗi.", "Đề nghị phát quang, san lấp ao tù nước đọng.",
        "Mong trạm y tế tuyên truyền phòng chống dịch.")),
)
OPENINGS = ("Kính gửi UBND phường {w}.", "Kính gửi lãnh đạo phường {w}.", "Kính gửi Ủy ban nhân dân phường {w},",
            "Kính thưa các đồng chí lãnh đạo phường.", "Kính gửi hội nghị đối thoại phường {w}.")
INTRODUCTIONS = ("Tôi là cư dân {p}.", "Gia đình tôi sống ở {p} đã hơn {n} năm.", "Tôi xin phản ánh sự việc tại {p}.",
                 "Thay mặt các hộ dân {p}, tôi xin phản ánh như sau.",
                 "Tôi là tổ trưởng tổ dân phố, xin phản ánh ý kiến của bà con {p}.")
DETAILS = ("Sự việc đã kéo dài khoảng {n} tháng nay.",
           "Chúng tôi đã phản ánh qua tổ dân phố từ tháng {m} nhưng chưa được giải quyết.",
           "Nhiều hộ dân trong khu vực rất bức xúc.", "Tôi có gửi kèm ảnh chụp hiện trường qua Zalo của tổ trưởng.",
           "Vào giờ cao điểm tình trạng càng nghiêm trọng hơn.", "Khu vực này có khoảng {k} hộ dân sinh sống.",
           "Trước đây đã có cán bộ xuống ghi nhận nhưng sau đó không thấy xử lý.",
           "Năm ngoái phường đã hứa giải quyết trong quý {q} nhưng chưa thực hiện.",
           "Việc này ảnh hưởng trực tiếp đến sinh hoạt hằng ngày của người dân.",
           "Chúng tôi mong được trả lời cụ thể thời gian thực hiện.",
           "Tại hội nghị lần trước bà con cũng đã nêu vấn đề này.", "Người dân sẵn sàng phối hợp với phường.")
CLOSINGS = ("Xin trân trọng cảm ơn.", "Rất mong nhận được phản hồi sớm.",
            "Mong phường quan tâm giải quyết. Xin cảm ơn!",
            "Người dân chúng tôi rất mong được trả lời công khai tại hội nghị.")
STATES = (("submitted", 40), ("accepted", 15), ("assigned", 15), ("answered", 25), ("rejected", 3), ("merged", 2))


def without_marks(text: str) -> str:
    """The text as typed on a phone without Vietnamese input: no diacritics, đ as d, capitals kept."""
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))


def folded(text: str) -> str:
    return without_marks(text).lower()


@dataclass
class Place:
    short: str  # in the heading: "ngõ 45 Lê Văn An"
    long: str  # in the text: "ngõ 45 phố Lê Văn An, tổ dân phố số 7"


class Generator:
    """Realistic, diverse questions of residents of one ward (after the 2025 mergers: with the names of the
    former wards it was made of), from a seeded random generator: the same ones every run. Street and ward
    names are invented, and none appears in the labelled sets, so that no generated question is an
    unlabelled duplicate of a labelled one."""

    def __init__(self, avoid: str) -> None:
        self.random = r = random.Random(17)
        avoid = f" {folded(avoid)} "
        names: list[str] = []
        while len(names) < 412:  # 400 streets (after people and places), then 12 wards (after places)
            if len(names) < 400 and r.random() < 0.7:
                parts = [r.choice(FAMILY), r.choice(MIDDLE), r.choice(GIVEN)] if r.random() < 0.7 \
                    else [r.choice(FAMILY), r.choice(GIVEN)]
            else:
                parts = [r.choice(PLACE_FIRST), r.choice(PLACE_SECOND)]
            name = " ".join(parts)
            if name not in names and f" {folded(name)} " not in avoid:
                names.append(name)
        self.streets, self.wards = names[:400], names[400:]
        codes = [f"{r.choice(('CT', 'HH', 'N0', 'A', 'B', 'OCT', 'VP'))}{r.randint(1, 9)}" for _ in range(20)]
        self.projects = ([f"chung cư {code}" for code in dict.fromkeys(codes)]
                         + [f"{kind} {r.choice(self.streets)}" for kind in (
                             "khu đô thị", "chợ", "trường tiểu học", "trường mầm non", "công viên", "khu tập thể")
                            for _ in range(4)])

    def street(self) -> tuple[str, str]:
        name = self.random.choice(self.streets)
        return name, f"{self.random.choice(('phố ', 'đường ', ''))}{name}"

    def group(self) -> str:
        r = self.random
        return r.choice((f"tổ dân phố số {r.randint(1, 60)}", f"TDP {r.randint(1, 60)}", f"tổ {r.randint(1, 60)}",
                         f"khu phố {r.randint(1, 12)}", f"cụm dân cư số {r.randint(1, 9)}"))

    def place(self, kind: str, ward: str) -> Place:
        r = self.random
        name, road = self.street()
        if kind == "alley":
            n = r.randint(1, 999)
            marker = r.choice(("ngõ", "ngõ", "ngõ", "hẻm", "hẻm", "kiệt", "ngách"))
            if marker == "ngách":
                alley = f"ngách {r.randint(1, 99)} ngõ {n}"
            elif marker == "hẻm" and r.random() < 0.3:
                alley = f"hẻm {n}/{r.randint(1, 99)}"
            else:
                alley = f"{marker} {n}"
            group = f", {self.group()}" if r.random() < 0.3 else ""
            return Place(f"{alley} {name}", f"{alley} {road}{group}")
        if kind == "house":
            house = r.randint(1, 999)
            if r.random() < 0.5:
                alley = f"ngõ {r.randint(1, 999)}"
                return Place(f"nhà số {house} {alley} {name}", f"nhà số {house} {alley} {road}")
            return Place(f"số {house} {name}", r.choice((f"số nhà {house} {road}", f"nhà số {house} {road}")))
        if kind == "group":
            group = self.group()
            return Place(group, f"{group}{r.choice(('', f', phường {ward}', f' ({road})'))}")
        if kind == "street":
            road = road if road != name else f"đường {name}"
            if r.random() < 0.3:
                start = r.randint(1, 400)
                return Place(road, f"đoạn từ số {start} đến số {start + r.randint(10, 200)} {road}")
            return Place(road, road)
        if kind == "project":
            project = r.choice(self.projects)
            return Place(project, project)
        return Place(f"phường {ward}", f"phường {ward}")

    def fill(self, sentence: str, place: Place, ward: str) -> str:
        r = self.random
        return sentence.format(p=place.long, w=ward, n=r.randint(2, 30), m=r.randint(1, 12), k=r.randint(20, 400),
                               q=r.randint(1, 4))

    def question(self) -> tuple[str, str]:
        """A heading and a text of 100 to 800 characters."""
        r = self.random
        wheres, headings, facts, requests = r.choice(PROBLEMS)
        ward = self.wards[0] if r.random() < 0.5 else r.choice(self.wards)
        place = self.place(r.choice(wheres.split()), ward)
        heading = r.choice(headings).format(p=place.short)
        heading = heading[0].upper() + heading[1:]
        target = int(r.triangular(100, 800, 260))
        # (position, sentence): what a question says, in this order; the place and a request always.
        facts = r.sample(facts, len(facts))
        with_place = next(fact for fact in facts if "{p}" in fact)
        if r.random() < 0.5:
            chosen = [(1, r.choice(INTRODUCTIONS)), (2, facts[0])]
        else:
            chosen = [(2, with_place)]
        chosen.append((5, r.choice(requests)))
        aside = r.choice(r.choice(PROBLEMS)[2])  # another matter mentioned in passing
        optional = [(0, r.choice(OPENINGS)), (6, r.choice(CLOSINGS)),
                    *((2, fact) for fact in facts if fact not in (s for _, s in chosen)),
                    *((3, detail) for detail in r.sample(DETAILS, 4)),
                    (4, "Ngoài ra, " + aside[0].lower() + aside[1:])]
        r.shuffle(optional)
        sentences = [(position, self.fill(sentence, place, ward)) for position, sentence in chosen]
        length = sum(len(s) + 1 for _, s in sentences)
        for position, sentence in optional:
            sentence = self.fill(sentence, place, ward)
            if length + len(sentence) + 1 <= target or length < 100:
                sentences.append((position, sentence))
                length += len(sentence) + 1
        body = " ".join(s for _, s in sorted(sentences, key=lambda item: item[0]))
        while len(body) > 800:
            body = body[: body.rindex(". ", 0, 800) + 1]
        return self.written(heading[:150], body)

    def written(self, heading: str, body: str) -> tuple[str, str]:
        """As residents type: mostly with diacritics; some without, some in lower case, some abbreviated."""
        r = self.random
        way = r.random()
        if way < 0.08:
            return folded(heading), folded(body)
        if way < 0.22:
            return without_marks(heading), without_marks(body)
        if way < 0.30:
            def abbreviate(text: str) -> str:
                text = re.sub(r"\bphường (?=[A-ZĐ])", "P. ", text)
                return text.replace("tổ dân phố", "TDP").replace("Ủy ban nhân dân", "UBND")
            return abbreviate(heading), abbreviate(body)
        return heading, body


def labelled_text() -> str:
    from tests.similar_quality import load

    return " ".join(f"{q['title']} {q['body']}" for name in ("dev", "holdout") for q in load(name).questions)


# --- The data sets -----------------------------------------------------------------------------------------

QUESTION_COLUMNS = ("id", "conference", "tracking_code", "manage_token_hash", "form_token", "asker_kind", "asker_name",
                    "asker_email", "unit", "topic", "title", "body", "search_folded", "answer_mode", "public_consent",
                    "data_consent_at", "language", "state", "merged_into", "origin", "created_at", "updated_at")


def question_rows(generator: Generator, count: int, first_id: int, conference: int, unit: int,
                  topics: list[int]) -> list[tuple]:
    from dialogue.core.text import fold
    from tests.pinned import NOW

    r = generator.random
    states, weights = zip(*STATES, strict=True)
    rows = []
    for n in range(count):
        question_id = first_id + n
        title, body = generator.question()
        created = NOW - dt.timedelta(minutes=r.randint(60, 90 * 24 * 60))
        state = r.choices(states, weights)[0]
        merged_into = r.randint(first_id, question_id - 1) if state == "merged" and n else None
        if state == "merged" and merged_into is None:
            state = "submitted"
        rows.append((question_id, conference, f"SIM{question_id:010d}", "x" * 64, f"{TOKEN}{question_id}",
                     "resident", r.choice(ASKERS), "", unit, r.choice(topics), title, body, fold(f"{title} {body}"),
                     "writing", r.random() < 0.7, created, "vi", state, merged_into, "online", created, created))
    return rows


class Marker:
    """What a data set holds, as JSON: a file beside the SQLite database, the PostgreSQL database's comment."""

    def __init__(self, engine: str, size: int, url: str, admin_url: str = "") -> None:
        self.engine, self.size, self.url, self.admin_url = engine, size, url, admin_url

    async def read(self) -> dict:
        if self.engine == "sqlite":
            path = sqlite_path(self.size).with_suffix(".json")
            return json.loads(path.read_text()) if path.exists() else {}
        admin = await asyncpg.connect(self.admin_url)
        try:
            comment = await admin.fetchval("SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                                           "WHERE datname = $1", urlsplit(self.url).path.lstrip("/"))
        finally:
            await admin.close()
        try:
            return json.loads(comment or "{}")
        except ValueError:
            return {}

    async def write(self, state: dict) -> None:
        text = json.dumps(state)
        if self.engine == "sqlite":
            sqlite_path(self.size).with_suffix(".json").write_text(text)
            return
        admin = await asyncpg.connect(self.admin_url)
        try:
            name = urlsplit(self.url).path.lstrip("/")
            await admin.execute(f"COMMENT ON DATABASE \"{name}\" IS '{text.replace(chr(39), chr(39) * 2)}'")
        finally:
            await admin.close()


def sqlite_path(size: int) -> Path:
    return FOLDER / f"similar-{size}.sqlite3"


def pg_url(admin_url: str, name: str) -> str:
    return urlunsplit(urlsplit(admin_url)._replace(path=f"/{name}"))


def sources_hash() -> str:
    digest = hashlib.sha256()
    for source in ENTRY_SOURCES:
        digest.update((PROJECT_ROOT / source).read_bytes())
    return digest.hexdigest()[:16]


def schema_hash() -> str:
    """The migrations that make question_match and its index: one edited in place (as during development)
    is not applied again to a database that has it, so the data set is built again."""
    digest = hashlib.sha256()
    for path in sorted((PROJECT_ROOT / "migrations" / "dialogue").glob("*.py")):
        text = path.read_bytes()
        if b"question_match" in text:
            digest.update(path.name.encode() + text)
    return f"{GENERATOR_VERSION}:{digest.hexdigest()[:16]}"


def dev_hash() -> str:
    from tests.similar_quality import SETS

    return hashlib.sha256((SETS / "dev.json").read_bytes()).hexdigest()[:16]


@asynccontextmanager
async def bound(database_url: str) -> AsyncIterator:
    """The app's tables bound to the database, as tests/similar_quality.prepared binds them."""
    from dialogue.core.db import bind_engine, close_engine, make_engine
    from dialogue.piccolo_app import ALL_TABLES
    from tests.conftest import make_settings

    engine = make_engine(make_settings(database_url))
    bind_engine(engine, ALL_TABLES)
    try:
        yield engine
    finally:
        await close_engine(engine)


async def first_conference() -> dict:
    from dialogue.conferences.tables import Conference, ConferenceTopic

    conference = await Conference.select(Conference.id, Conference.unit).order_by(Conference.id).first()
    topics = await ConferenceTopic.select(ConferenceTopic.topic).where(ConferenceTopic.conference == conference["id"])
    return {**conference, "topics": [row["topic"] for row in topics]}


async def insert_questions(engine: str, url: str, size: int) -> None:
    """The N generated questions, by the raw driver in one transaction (executemany, COPY)."""
    from tests.conftest import NOW, load_demo_into

    await load_demo_into(url, NOW.date(), with_questions=False)
    async with bound(url):
        conference = await first_conference()
    generator = Generator(labelled_text())
    started = time.monotonic()
    if engine == "sqlite":
        connection = sqlite3.connect(urlsplit(url).path, isolation_level=None, timeout=30)
        try:
            connection.execute("PRAGMA synchronous = OFF")
            connection.execute("BEGIN IMMEDIATE")
            first = connection.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM question").fetchone()[0]
            sql = (f"INSERT INTO question ({', '.join(QUESTION_COLUMNS)})"
                   f" VALUES ({', '.join('?' * len(QUESTION_COLUMNS))})")
            for start in range(0, size, 10_000):
                connection.executemany(sql, question_rows(generator, min(10_000, size - start), first + start,
                                                          conference["id"], conference["unit"], conference["topics"]))
                say(f"#   {start + min(10_000, size - start):,} questions generated and inserted "
                    f"({time.monotonic() - started:.0f} s)")
            connection.execute("COMMIT")
            connection.execute("PRAGMA synchronous = NORMAL")
            connection.execute("ANALYZE")
        finally:
            connection.close()
        return
    connection = await asyncpg.connect(url)
    try:
        async with connection.transaction():
            first = await connection.fetchval("SELECT COALESCE(MAX(id), 0) + 1 FROM question")
            for start in range(0, size, 10_000):
                rows = question_rows(generator, min(10_000, size - start), first + start, conference["id"],
                                     conference["unit"], conference["topics"])
                await connection.copy_records_to_table("question", records=rows, columns=QUESTION_COLUMNS)
                say(f"#   {start + len(rows):,} questions generated and inserted ({time.monotonic() - started:.0f} s)")
            await connection.execute("SELECT setval(pg_get_serial_sequence('question', 'id'), "
                                     "(SELECT MAX(id) + 1 FROM question), false)")
        await connection.execute("ANALYZE")
    finally:
        await connection.close()


async def seed_dev(url: str) -> None:
    """The dev set's questions in the same conference (those of an older version removed first)."""
    from dialogue.core.db import write_transaction
    from dialogue.questions.tables import Question, SimilarityEntry
    from tests.conftest import NOW
    from tests.similar_quality import load, seed

    async with bound(url):
        old = [row["id"] for row in await Question.select(Question.id).where(Question.form_token.like("dev-%"))]
        if old:
            async with write_transaction():
                await SimilarityEntry.delete().where(SimilarityEntry.question.is_in(old))
                await Question.delete().where(Question.id.is_in(old))
        conference = await first_conference()
        await seed(load("dev"), conference["id"], conference["unit"], conference["topics"][0], NOW)


async def rebuild_entries(engine_name: str, url: str) -> tuple[int, float]:
    """question_match recomputed by similarity.rebuild(), timed; then the statistics brought up to date."""
    from dialogue.questions import similarity

    async with bound(url):
        started = time.perf_counter()
        count = await similarity.rebuild()
        seconds = time.perf_counter() - started
    if engine_name == "sqlite":
        with sqlite3.connect(urlsplit(url).path) as connection:
            connection.execute("ANALYZE")
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    else:
        connection = await asyncpg.connect(url)
        try:  # what autovacuum would do a little later
            await connection.execute("VACUUM ANALYZE question_match")
        finally:
            await connection.close()
    return count, seconds


async def data_set(engine: str, size: int, admin_url: str = "") -> str:
    """The database of this size on this engine, built or brought up to date; its URL."""
    from tests.conftest import migrate

    label = f"{engine} {size:,}"
    if engine == "sqlite":
        path = sqlite_path(size)
        url = f"sqlite:///{path}"
    else:
        url = pg_url(admin_url, f"{PG_PREFIX}{size}")
    marker = Marker(engine, size, url, admin_url)
    state = await marker.read()
    if state.get("questions") != schema_hash():
        why = "the first time" if "questions" not in state else "the generator or question_match's migrations changed"
        say(f"# building the {label} questions data set ({why}; kept in "
            f"{'var/bench/' if engine == 'sqlite' else urlsplit(url).path.lstrip('/')})")
        started = time.monotonic()
        if engine == "sqlite":
            FOLDER.mkdir(parents=True, exist_ok=True)
            for stale in FOLDER.glob(path.name + "*"):
                stale.unlink()
            path.with_suffix(".json").unlink(missing_ok=True)
        else:
            admin = await asyncpg.connect(admin_url)
            try:
                name = urlsplit(url).path.lstrip("/")
                await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                await admin.execute(f'CREATE DATABASE "{name}"')
            finally:
                await admin.close()
        migrate(url)
        await insert_questions(engine, url, size)
        state = {"questions": schema_hash()}
        await marker.write(state)
        say(f"# {size:,} questions inserted in {time.monotonic() - started:.0f} s")
    else:
        migrate(url)
    if state.get("dev") != dev_hash():
        await seed_dev(url)
        state["dev"] = dev_hash()
        await marker.write(state)
    if state.get("entries") != sources_hash():
        why = "the first time" if "entries" not in state else "likeness.py, similarity.py or text.py changed"
        say(f"# {label}: similarity.rebuild() ({why})…")
        count, seconds = await rebuild_entries(engine, url)
        state.update(entries=sources_hash(), rebuilt=count, rebuild_s=round(seconds, 1),
                     rebuilt_at=f"{dt.datetime.now():%Y-%m-%d %H:%M}")
        await marker.write(state)
        say(f"BENCH similar_rebuild {engine} {size} {seconds:.1f} s ({count} entries, "
            f"{seconds / count * 1000:.2f} ms each)")
    else:
        say(f"# similar_rebuild {engine} {size}: entries up to date; similarity.rebuild() took {state['rebuild_s']} s "
            f"for {state['rebuilt']} entries on {state['rebuilt_at']}")
    return url


# --- Timing ------------------------------------------------------------------------------------------------

class Instrumented:
    """similarity's parts wrapped to time them, for the lookups run inside; and the statements the index's
    part sends (similarity.candidates(), whatever table it reads through) kept as they were sent, with
    their parameters, for the raw driver to run again."""

    def __init__(self, engine) -> None:
        from dialogue.questions import similarity

        self.similarity, self.engine = similarity, engine
        self.originals = {name: getattr(similarity, name) for name in ("candidates", "rank", "_details")}
        self.calls: list[dict] = []

    def __enter__(self) -> Instrumented:
        originals, engine = self.originals, self.engine
        sending = engine.run_querystring

        async def candidates(terms, scope, *args, **kwargs):
            sent = []

            async def recording(querystring, *run_args, **run_kwargs):
                sent.append(querystring)
                return await sending(querystring, *run_args, **run_kwargs)

            engine.run_querystring = recording  # every Piccolo query of the engine goes through it
            started = time.perf_counter()
            try:
                rows = await originals["candidates"](terms, scope, *args, **kwargs)
            finally:
                elapsed = (time.perf_counter() - started) * 1000
                del engine.run_querystring  # the class's own again
            self.calls[-1].update(prefilter=elapsed, found=len(rows), sent=sent)
            return rows

        def rank(*args, **kwargs):
            started = time.perf_counter()
            hints = originals["rank"](*args, **kwargs)
            self.calls[-1]["rank"] = (time.perf_counter() - started) * 1000
            return hints

        async def details(*args, **kwargs):
            started = time.perf_counter()
            rows = await originals["_details"](*args, **kwargs)
            self.calls[-1]["details"] = (time.perf_counter() - started) * 1000
            return rows

        self.similarity.candidates, self.similarity.rank, self.similarity._details = candidates, rank, details
        return self

    def __exit__(self, *exc) -> None:
        for name, original in self.originals.items():
            setattr(self.similarity, name, original)

    async def lookup(self, row: dict) -> list[dict]:
        self.calls.append({"prefilter": 0.0, "rank": 0.0, "details": 0.0, "found": 0, "sent": []})
        started = time.perf_counter()
        hints = await self.similarity.similar(row)
        self.calls[-1]["lookup"] = (time.perf_counter() - started) * 1000
        return hints

    def statements(self) -> list[list[tuple[str, list]]]:
        """Each lookup's statements of the index, compiled for the raw driver (lookups with none left out)."""
        return [[querystring.compile_string(engine_type=self.engine.engine_type) for querystring in call["sent"]]
                for call in self.calls if call["sent"]]


async def raw_times(url: str, statements: list[list[tuple[str, list]]]) -> list[float]:
    """The statements one by one through the raw driver, after a warm-up of the first ones, ms; as many as
    RAW_SECONDS allow (at least RAW_AT_LEAST), so that a slow index keeps the run bounded."""
    times: list[float] = []
    if url.startswith("sqlite"):
        from dialogue.core.db import SQLITE_CONNECTION_PRAGMAS

        connection = sqlite3.connect(urlsplit(url).path)

        async def run(sql: str, args: list) -> None:
            connection.execute(sql, args).fetchall()

        close = connection.close
        for pragma in SQLITE_CONNECTION_PRAGMAS:
            connection.execute(pragma)
    else:
        connection = await asyncpg.connect(url)

        async def run(sql: str, args: list) -> None:
            await connection.fetch(sql, *args)

        close = connection.close
    try:
        for lookup in statements[:WARM_UP]:
            for sql, args in lookup:
                await run(sql, args)
        ends = time.monotonic() + RAW_SECONDS
        for lookup in statements:  # each lookup's statements, one after the other (the index's part of it)
            if len(times) >= RAW_AT_LEAST and time.monotonic() > ends:
                break
            started = time.perf_counter()
            for sql, args in lookup:
                await run(sql, args)
            times.append((time.perf_counter() - started) * 1000)
    finally:
        result = close()
        if asyncio.iscoroutine(result):
            await result
    return times


def distribution(values: list[float]) -> str:
    return f"{statistics.median(values):.1f}/{p99(values):.1f}"


async def bench_size(engine: str, size: int, url: str) -> None:
    from dialogue.core.db import start_pool
    from dialogue.questions.tables import Question
    from tests.similar_quality import load, score

    labelled = load("dev")
    load_before = os.getloadavg()[0]  # other work on the machine shows in the figures
    async with bound(url) as piccolo:
        await start_pool(piccolo, 10)  # as the app runs on PostgreSQL (nothing on SQLite)
        dev = {row["id"]: row["form_token"].removeprefix("dev-") for row in await Question.select(
            Question.id, Question.form_token).where(Question.form_token.like("dev-%"))}
        generated = [row["id"] for row in await Question.raw(
            f"SELECT id FROM question WHERE form_token LIKE '{TOKEN}%' ORDER BY id")]
        r = random.Random(17)
        picked = r.sample(generated, WARM_UP + max(LOOKUPS - len(dev), 50))
        warm, timed = picked[:WARM_UP], picked[WARM_UP:] + list(dev)
        r.shuffle(timed)
        rows = {row["id"]: row for row in await Question.select().where(Question.id.is_in(warm + timed))}
        shown: dict[str, list[dict]] = {}
        with Instrumented(piccolo) as instrumented:
            for question_id in warm:
                await instrumented.lookup(rows[question_id])
            instrumented.calls.clear()
            for question_id in timed:
                hints = await instrumented.lookup(rows[question_id])
                if question_id in dev:
                    shown[dev[question_id]] = [{**hint, "label": dev.get(hint["id"], "")} for hint in hints]
        calls, statements = instrumented.calls, instrumented.statements()
    raw = await raw_times(url, statements)
    load_after = os.getloadavg()[0]
    lookups = [call["lookup"] for call in calls]
    lookup_p99, raw_p99 = p99(lookups), p99(raw)
    goal = GOALS_MS[size]
    say(f"BENCH similar {engine} {size} candidates p99={lookup_p99:.1f} ms (goal {goal:.0f}: "
        f"{verdict(lookup_p99 < goal)}) p50={statistics.median(lookups):.1f} ms prefilter_p99={raw_p99:.1f} ms "
        f"ratio={lookup_p99 / raw_p99:.2f} candidates={statistics.mean(c['found'] for c in calls):.0f}")
    rest = [call["lookup"] - call["prefilter"] - call["rank"] - call["details"] for call in calls]
    say(f"# similar {engine} {size}: {len(calls)} lookups ({len(shown)} of the dev set; the raw driver's reference "
        f"on {len(raw)} of their statements; load average {load_before:.1f} before, {load_after:.1f} after), "
        f"median/p99 ms: prefilter through Piccolo {distribution([c['prefilter'] for c in calls])}, "
        f"the same through the raw driver {distribution(raw)}, re-rank {distribution([c['rank'] for c in calls])}, "
        f"details {distribution([c['details'] for c in calls])}, the rest (the profile's read, the search terms) "
        f"{distribution(rest)}; "
        f"candidates min/max {min(c['found'] for c in calls)}/{max(c['found'] for c in calls)}")
    scores = score(labelled, shown)
    say(f"BENCH similar_quality {engine} dev among {size} recall@3={scores.recall_at_3:.3f} "
        f"hard_negative_error={scores.hard_negative_error:.3f}")


# --- The bare sets ----------------------------------------------------------------------------------------

BARE = f"{PG_PREFIX}bare"


async def bare_quality(engine: str, admin_url: str = "") -> None:
    """tests.similar_quality.measure() on each labelled set alone; on PostgreSQL in a copy of a migrated
    database holding the demo's reference data (kept as dialogue_bench_similar_bare)."""
    from tests.conftest import NOW, load_demo_into, migrate
    from tests.similar_quality import measure

    if engine == "postgres":
        url = pg_url(admin_url, BARE)
        marker = Marker(engine, 0, url, admin_url)
        admin = await asyncpg.connect(admin_url)
        try:
            if (await marker.read()).get("demo") != schema_hash():
                await admin.execute(f'DROP DATABASE IF EXISTS "{BARE}" WITH (FORCE)')
                await admin.execute(f'CREATE DATABASE "{BARE}"')
                migrate(url)
                await load_demo_into(url, NOW.date(), with_questions=False)
                await marker.write({"demo": schema_hash()})
            else:
                migrate(url)
        finally:
            await admin.close()
    for name in ("dev", "holdout"):
        if engine == "sqlite":
            scores, _times = await measure(name)
        else:
            copy = f"{PG_PREFIX}bare_{name}"
            admin = await asyncpg.connect(admin_url)
            try:
                await admin.execute(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')
                await admin.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{BARE}"')
                try:
                    scores, _times = await measure(name, pg_url(admin_url, copy))
                finally:
                    await admin.execute(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')
            finally:
                await admin.close()
        say(f"BENCH similar_quality {engine} {name} recall@3={scores.recall_at_3:.3f} "
            f"hard_negative_error={scores.hard_negative_error:.3f}")


async def main() -> None:
    engines = ["sqlite"]
    admin_url = os.environ.get("TEST_DATABASE_URL", "")
    if admin_url:
        engines.append("postgres")
    else:
        say("# SKIPPED: similar on PostgreSQL (set TEST_DATABASE_URL=postgres://… to include it)")
    for engine in engines:
        for size in SIZES:
            started = time.monotonic()
            url = await data_set(engine, size, admin_url)
            await bench_size(engine, size, url)
            say(f"# similar {engine} {size}: {time.monotonic() - started:.0f} s")
        started = time.monotonic()
        await bare_quality(engine, admin_url)
        say(f"# similar_quality {engine} bare sets: {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    say(f"# similar: lookups at {', '.join(f'{n:,}' for n in SIZES)} questions, {os.cpu_count()} cores, "
        f"{dt.datetime.now():%Y-%m-%d %H:%M}")
    asyncio.run(main())
