"""Two askers of the open conference use their rights from their private links, through the same
service the page uses, so that the data-protection officer's queue has work with its deadlines: one
asks for her data to be erased a fortnight ago (due in a few working days), one objects to how his
question is published two days ago."""

from __future__ import annotations

import datetime as dt

from dialogue.core.calendar import TZ
from dialogue.demo.life import BASE_URL
from dialogue.privacy import requests
from dialogue.privacy.tables import DataRequest
from dialogue.questions import tracking
from dialogue.questions.tables import Question

# the question (by its title), the request, what the asker wrote, calendar days before today
REQUESTS = [
    ("Đèn chiếu sáng ngõ 35 Thái Hà hỏng đã ba tháng", "erasure",
     "Tôi đã được trả lời, đề nghị xoá họ tên và địa chỉ thư điện tử của tôi.", 13),
    ("Ngõ 120 Hoàng Cầu bị ngập khi mưa to", "objection",
     "Tôi không muốn tên ngõ nhà tôi được nêu trên trang công khai; đề nghị chỉ ghi tên phường.", 2),
]


async def load_privacy_demo(conference_id: int, today: dt.date) -> int:
    """The requests (once). Returns how many were made."""
    questions = await Question.select(Question.id, Question.title).where(Question.conference == conference_id)
    by_title = {row["title"]: row["id"] for row in questions}
    if not by_title or await DataRequest.exists().where(DataRequest.question.is_in(list(by_title.values()))):
        return 0
    made = 0
    for title, kind, details, days_ago in REQUESTS:
        if title not in by_title:
            continue
        when = dt.datetime.combine(today - dt.timedelta(days=days_ago), dt.time(9, 30), TZ)
        await requests.ask(await tracking.get_by_id(by_title[title]), kind, details, when, BASE_URL)
        made += 1
    return made
