"""The demo ward a month into its question period: what its staff did with the questions, done with
the same commands the pages use (so every step has its log entry, its e-mails and its live event).

The questions arrive over the month before "today" (see _load_questions); here the organiser screens
them a day after they arrive, the agencies answer within a week, the head approves, and the
organisers publish the approved answers before the session. The newest questions still wait, and a
few routed questions have gone past their answer deadline.
"""

from __future__ import annotations

import datetime as dt

from dialogue.accounts.tables import StaffUser
from dialogue.answers import drafting, release
from dialogue.core.calendar import TZ
from dialogue.demo.questions import QUESTIONS
from dialogue.machine.actors import Actor
from dialogue.questions import routing, screening
from dialogue.questions.tables import Question
from dialogue.reference.tables import Topic

BASE_URL = "http://127.0.0.1:8000"

# Near-duplicates joined to the first question on the same matter (index → main index).
MERGED = {1: 0, 2: 0, 3: 0, 5: 4, 7: 6, 9: 8, 11: 10, 13: 12, 20: 19, 23: 22, 34: 33, 36: 35}
REJECTED = {31: ("complaint", "Đây là tranh chấp đất đai giữa các hộ gia đình, được hòa giải tại cơ sở và giải quyết "
                              "theo Luật Đất đai, không thuộc nội dung đối thoại. Đề nghị ông/bà gửi đơn đến Tổ hòa "
                              "giải tổ dân phố hoặc UBND phường để được hướng dẫn.")}
FORWARDED = {37: ("Thuế cơ sở 1 thành phố Hà Nội", "Việc kê khai thuế hộ kinh doanh thuộc thẩm quyền của cơ quan "
                                                    "thuế; câu hỏi đã được chuyển đến Thuế cơ sở 1 thành phố Hà Nội.")}
NEWEST_WAITING = 4  # the last questions to arrive are not screened yet
ANSWERS = {  # published before the session (index → answer, legal basis)
    0: ("Phường đã đưa tuyến cống ngõ 120 Hoàng Cầu vào kế hoạch cải tạo quý I/2027, với tổng kinh phí khoảng 1,2 "
        "tỷ đồng từ ngân sách phường.\nTrong thời gian chờ thi công, Công ty Thoát nước Hà Nội nạo vét cống định kỳ "
        "hằng tháng và bố trí máy bơm cơ động khi có mưa lớn.",
        "Quyết định số 215/QĐ-UBND ngày 15/10/2026 của UBND phường Đống Đa"),
    4: ("Ngày 05/11/2026, Đội trật tự đô thị phường đã kiểm tra công trình tại số 12 ngõ Thái Thịnh, lập biên bản vi "
        "phạm và đình chỉ thi công phần xây dựng tầng 5 không phép.\nChủ công trình đã bị xử phạt vi phạm hành chính "
        "và phải tự tháo dỡ phần vi phạm trong 30 ngày; phường sẽ cưỡng chế nếu không chấp hành.",
        "Nghị định 16/2022/NĐ-CP về xử phạt vi phạm hành chính về xây dựng"),
    6: ("Phường đã làm việc với Công ty Môi trường đô thị: từ ngày 01/12/2026, xe thu gom rác tại đầu ngõ 95 Chùa Bộc "
        "chỉ tập kết từ 20 giờ 30 đến 21 giờ 30 và rửa điểm tập kết sau mỗi lần thu gom.", ""),
    8: ("Đèn chiếu sáng ngõ 35 Thái Hà đã được thay mới toàn bộ 6 bóng đèn LED ngày 12/11/2026. Người dân phát hiện "
        "đèn hỏng có thể báo qua đường dây nóng của phường để được sửa trong 48 giờ.", ""),
    12: ("Hồ sơ cấp giấy chứng nhận của 46 hộ tại khu tập thể Kim Liên đã được phường thẩm định xong và chuyển "
         "Văn phòng đăng ký đất đai Hà Nội ngày 20/11/2026. Dự kiến các hộ nhận giấy chứng nhận trong tháng "
         "01/2027.",
         "Luật Đất đai 2024; Nghị định 101/2024/NĐ-CP"),
    35: ("Từ ngày 01/7/2025, hộ kinh doanh đăng ký tại UBND phường nơi đặt địa điểm kinh doanh. Hồ sơ nộp trực "
         "tiếp tại Trung tâm Phục vụ hành chính công phường hoặc trực tuyến trên Cổng Dịch vụ công quốc gia; thời hạn "
         "giải quyết 3 ngày làm việc.", "Nghị định 168/2025/NĐ-CP về đăng ký doanh nghiệp"),
}
AWAITING_APPROVAL = {10: "Phường đã giao Đội trật tự đô thị ra quân lập lại trật tự vỉa hè phố Tây Sơn hằng tuần, "
                         "xử lý các trường hợp để xe, bán hàng lấn chiếm."}


async def _actor(email: str) -> Actor:
    return Actor.staff(await StaffUser.select().where(StaffUser.email == email).first())


async def bring_to_life(conference_id: int, today: dt.date) -> None:
    organiser = await _actor("organiser@dongda.demo")
    officer, head = await _actor("officer@dongda.demo"), await _actor("head@dongda.demo")
    rows = await Question.select(Question.id, Question.created_at, Question.topic, Question.form_token) \
        .where(Question.conference == conference_id)
    by_index = {int(row["form_token"].removeprefix("demo-")): row for row in rows}
    defaults = {t["id"]: t["default_agency"] for t in await Topic.select(Topic.id, Topic.default_agency)}
    latest = dt.datetime.combine(today, dt.time(7), TZ)

    def day_after(index: int, days: float) -> dt.datetime:
        return min(by_index[index]["created_at"] + dt.timedelta(days=days), latest)

    for index in range(len(QUESTIONS) - NEWEST_WAITING):
        question_id = by_index[index]["id"]
        when = day_after(index, 1)
        if index in MERGED:
            await screening.merge(organiser, question_id, str(by_index[MERGED[index]]["id"]), "", when, BASE_URL)
        elif index in REJECTED:
            category, reason = REJECTED[index]
            await screening.decide(organiser, question_id, "reject", {"category": category, "reason": reason},
                                   when, BASE_URL)
        elif index in FORWARDED:
            body, reason = FORWARDED[index]
            await screening.decide(organiser, question_id, "forward", {"forwarded_to": body, "reason": reason},
                                   when, BASE_URL)
        else:
            await screening.decide(organiser, question_id, "accept", {}, when, BASE_URL)
            agency = defaults[by_index[index]["topic"]]
            await routing.assign(organiser, question_id, {"lead_agency": str(agency)}, when, BASE_URL)

    for index, (body, legal_basis) in ANSWERS.items():
        question_id = by_index[index]["id"]
        await drafting.submit(officer, question_id, day_after(index, 5), {"body": body, "legal_basis": legal_basis})
        await drafting.review(head, question_id, "approve", "", day_after(index, 6), BASE_URL)
    await release.release(organiser, conference_id, latest, BASE_URL)  # published ahead of the session
    for index, body in AWAITING_APPROVAL.items():
        await drafting.submit(officer, by_index[index]["id"], day_after(index, 5), {"body": body})
