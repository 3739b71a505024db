"""A second conference of the demo ward, held two days ago and in session: its agenda is built from
accepted questions, so the console can be run at once (`make run`, then sign in as the secretary)."""

from __future__ import annotations

import datetime as dt

from dialogue.accounts.tables import StaffUser
from dialogue.agenda import commands as agenda
from dialogue.conferences.tables import Conference, ConferenceTopic
from dialogue.core.calendar import TZ
from dialogue.core.text import fold
from dialogue.machine import log as audit
from dialogue.machine.actors import Actor
from dialogue.questions import similarity
from dialogue.questions.intake import new_tracking_code, token_hash
from dialogue.questions.tables import Question
from dialogue.reference.tables import Topic

TITLE = "Hội nghị đối thoại giữa Chủ tịch UBND phường Đống Đa với doanh nghiệp, hộ kinh doanh năm 2026"
BASE_URL = "http://127.0.0.1:8000"

# kind, name, topic, title, text, answer in writing?
QUESTIONS = [
    ("business", "Công ty TNHH Minh Phát", "procedures", "Thời gian giải quyết thủ tục cấp phép quảng cáo",
     "Doanh nghiệp nộp hồ sơ cấp phép biển quảng cáo đã 20 ngày chưa có kết quả. Đề nghị phường cho biết "
     "thời hạn giải quyết.", False),
    ("business", "Hộ kinh doanh Lan Anh", "business_registration", "Đăng ký hộ kinh doanh trực tuyến",
     "Hộ kinh doanh muốn đăng ký thay đổi ngành nghề trực tuyến thì nộp hồ sơ ở đâu và mất bao lâu?", True),
    ("business", "Cửa hàng Thành Công", "fire_safety", "Kiểm tra phòng cháy tại các cửa hàng nhỏ",
     "Các cửa hàng diện tích dưới 50 m² có phải lập hồ sơ phòng cháy chữa cháy không?", False),
    ("organisation", "Hiệp hội doanh nghiệp nhỏ và vừa phường", "tax", "Hỗ trợ hộ kinh doanh kê khai thuế",
     "Đề nghị phường phối hợp tổ chức tập huấn kê khai thuế cho hộ kinh doanh trong quý I.", False),
    ("resident", "Nguyễn Thị Thu", "fire_safety", "Điểm tập kết bình chữa cháy khu phố",
     "Khu phố chưa có điểm đặt bình chữa cháy công cộng, đề nghị phường bố trí.", True),
    ("business", "Công ty CP Dịch vụ Hoàng Cầu", "labour", "Thủ tục báo cáo sử dụng lao động",
     "Doanh nghiệp dưới 10 lao động có phải báo cáo tình hình sử dụng lao động hằng năm không?", False),
]


async def load_session_demo(unit_id: int, today: dt.date) -> int:
    """The conference (once), its questions accepted, its agenda, and the session started.
    Returns 1 when it was added, 0 when it was there already."""
    if await Conference.exists().where((Conference.unit == unit_id) & (Conference.title == TITLE)):
        return 0
    held = dt.datetime.combine(today - dt.timedelta(days=2), dt.time(8), TZ)
    await conference_in_session(unit_id, TITLE, Conference.Kind.businesses.value, held, QUESTIONS,
                                "Đối thoại với doanh nghiệp, hộ kinh doanh về thủ tục hành chính, thuế, phòng cháy "
                                "và lao động.", "doanhnghiep")
    return 1


async def conference_in_session(unit_id: int, title: str, kind: str, held: dt.datetime, questions: list,
                                description: str, mailbox: str) -> dict:
    """A closed conference held at `held`, its questions accepted and put on the agenda (grouped by
    topic), and its session started: what the console runs. Returns the conference, its question ids
    and the organiser who built it."""
    organiser = Actor.staff(await StaffUser.select().where(StaffUser.email == "organiser@dongda.demo").first())
    rows = await Conference.insert(Conference(
        title=title, title_folded=fold(title), kind=kind, unit=unit_id,
        co_organiser="Ủy ban Mặt trận Tổ quốc Việt Nam phường Đống Đa", starts_at=held,
        ends_at=held + dt.timedelta(hours=3), venue="Hội trường UBND phường Đống Đa, số 8 phố Hoàng Cầu, Hà Nội",
        description=description,
        questions_open_at=held - dt.timedelta(days=30), questions_close_at=held - dt.timedelta(days=5),
        release_policy=Conference.ReleasePolicy.on_approval.value, state=Conference.State.closed.value,
        created_at=held - dt.timedelta(days=40),
    )).returning(Conference.id)
    conference_id = rows[0]["id"]
    topics = {t["code"]: t["id"] for t in await Topic.select(Topic.id, Topic.code)}
    await ConferenceTopic.insert(*[ConferenceTopic(conference=conference_id, topic=topics[code])
                                   for code in dict.fromkeys(q[2] for q in questions)])
    question_ids = []
    for n, (asker_kind, name, topic, question_title, body, writing) in enumerate(questions):
        received = held - dt.timedelta(days=20 - n)
        code = new_tracking_code()
        inserted = await Question.insert(Question(
            conference=conference_id, tracking_code=code, manage_token_hash=token_hash(code + "-demo"),
            form_token=f"demo-{mailbox}-{n}", asker_kind=asker_kind, asker_name=name,
            asker_email=f"{mailbox}{n}@example.vn",
            organisation_name=name if asker_kind != "resident" else "",
            tax_code="0100233488" if asker_kind == "business" else "",
            unit=unit_id, topic=topics[topic], title=question_title, body=body,
            search_folded=fold(question_title + " " + body),
            answer_mode="writing" if writing else "session", public_consent=True, data_consent_at=received,
            language="vi", state=Question.State.accepted.value, submitted_from="demo", created_at=received,
            updated_at=received,
        )).returning(Question.id)
        question_id = inserted[0]["id"]
        await similarity.keep(question_id)
        await audit.record(Actor.public(code), "submitted", "question", question_id, at=received, to_state="submitted")
        await audit.record(organiser, "accept", "question", question_id, at=received + dt.timedelta(days=1),
                           from_state="submitted", to_state="accepted")
        question_ids.append(question_id)
    prepared = held - dt.timedelta(days=3)
    await agenda.add_items(organiser, conference_id, question_ids, prepared)
    await agenda.group_by_topic(organiser, conference_id, prepared)
    await agenda.change_conference_state(organiser, conference_id, "start", held, "", BASE_URL)  # takes its start time
    return {"id": conference_id, "questions": question_ids, "organiser": organiser}
