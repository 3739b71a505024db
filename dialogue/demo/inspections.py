"""A surprise re-inspection of the concluded conference's commitments, closed two days ago.

Besides the notice's tasks, the organisers entered three commitments afterwards for the conference's
questions, which their agencies reported done within the fortnight (one verified). The ward then
drew an unannounced sample of the commitments reported done, added by hand those it wanted seen
whatever the draw, and its inspector visited them: the street lights found done, the market's waste
collection partly done, the no-parking signs of Xã Đàn not done. The round is closed and its report (a page and a Word
file) public; closing it disputed the commitment found not done, whose work reopened."""

from __future__ import annotations

import datetime as dt

from dialogue.accounts.tables import StaffUser
from dialogue.commitments import followup
from dialogue.commitments.queries import of_conference
from dialogue.conferences.tables import Conference
from dialogue.core.calendar import TZ
from dialogue.demo.concluded import TITLE
from dialogue.demo.session import BASE_URL
from dialogue.inspections import rounds
from dialogue.inspections.tables import InspectionItem, InspectionRound
from dialogue.machine.actors import Actor
from dialogue.questions.tables import Question
from dialogue.reference.tables import Agency

SEED = "20261116"
ROUND_TITLE = "Kiểm tra đột xuất việc thực hiện cam kết sau Hội nghị đối thoại chuyên đề về trật tự đô thị"
# question (words of its title), what will be done, lead agency, reported done (who, what), verified?
ADDED = [
    ("Thu gom rác", "Điều chỉnh giờ thu gom rác tại điểm tập kết chợ Ô Chợ Dừa: thu hai lần mỗi ngày, lúc 6 giờ "
     "và 17 giờ", "KT-HT-ĐT", "head@dongda.demo",
     "Đơn vị thu gom đã chuyển sang thu hai lần mỗi ngày tại điểm chợ Ô Chợ Dừa từ ngày 01/12.", False),
    ("vỉa hè", "Lắp biển cấm đỗ xe và kẻ vạch phân làn sử dụng vỉa hè phố Xã Đàn", "CA", "police@dongda.demo",
     "Đã lắp biển cấm đỗ xe và kẻ vạch phân làn vỉa hè phố Xã Đàn.", True),
    ("Ngập úng", "Nạo vét hố ga đầu ngõ 42 phố Hoàng Cầu trước mùa mưa", "KT-HT-ĐT", "head@dongda.demo",
     "Đã nạo vét ba hố ga đầu ngõ 42 phố Hoàng Cầu.", False),
]
# what the inspector found, by words of the commitment
FINDINGS = [
    ("bốn cột đèn", "done", "Bốn cột đèn LED mới sáng bình thường; tổ dân phố xác nhận."),
    ("chợ Ô Chợ Dừa", "partly", "Buổi sáng thu gom đúng 6 giờ; buổi chiều đến 19 giờ mới thu, rác tồn đọng gây mùi."),
    ("Xã Đàn", "not_done", "Chưa có biển cấm đỗ xe; vạch phân làn mới kẻ một đoạn khoảng 20 m, xe máy vẫn đỗ "
     "kín vỉa hè."),
    ("hố ga", "done", "Ba hố ga đã được nạo vét, nắp thông thoáng."),
]


async def _actor(email: str) -> Actor:
    return Actor.staff(await StaffUser.select().where(StaffUser.email == email).first())


async def load_inspection_demo(unit_id: int, today: dt.date) -> int:
    """The round (once), through the real commands. Returns 1 when it was added, 0 otherwise (already
    there, or the concluded conference has no follow-up: its documents could not be published)."""
    if await InspectionRound.exists().where(InspectionRound.title == ROUND_TITLE):
        return 0
    conference = await Conference.select().where((Conference.unit == unit_id) & (Conference.title == TITLE)).first()
    if conference is None or not await of_conference(conference["id"]):
        return 0
    held = conference["starts_at"]

    def day(n: int, hour: int = 9) -> dt.datetime:
        return dt.datetime.combine((held + dt.timedelta(days=n)).astimezone(TZ).date(), dt.time(hour), TZ)

    organiser, inspector = await _actor("organiser@dongda.demo"), await _actor("inspector@dongda.demo")
    agencies = {row["short_name"]: row["id"] for row in await Agency.select(Agency.id, Agency.short_name)
                .where(Agency.unit == unit_id)}
    questions = await Question.select(Question.id, Question.title).where(Question.conference == conference["id"])
    for words, text, lead, reporter, summary, verified in ADDED:
        question = next(q["id"] for q in questions if words.casefold() in q["title"].casefold())
        commitment_id = await followup.record_by_organiser(organiser, conference, question, {
            "commitment_text": text, "lead_agency": str(agencies[lead]), "due_on": day(12).strftime("%d/%m/%Y"),
        }, day(1, 15))
        await followup.report_done(await _actor(reporter), commitment_id, {"summary": summary}, day(8, 16), BASE_URL)
        if verified:
            await followup.verify(organiser, commitment_id, {"outcome": "kept"}, day(9), BASE_URL)
    period_from, period_to = day(0).date(), day(14).date()
    # The organiser wants the reported lights, market and signs seen whatever the draw: those the
    # seeded draw leaves out are added by hand (the same pure draw the plan makes).
    population = await rounds.population(unit_id, period_from, period_to)
    drawn = rounds.draw(population, SEED, 2)
    texts = {row["id"]: row["text"] for row in await of_conference(conference["id"])}
    wanted = [cid for cid in population if any(w in texts.get(cid, "") for w in ("bốn cột đèn", "chợ Ô", "Xã Đàn"))]
    round_id = await rounds.plan(inspector, {
        "title": ROUND_TITLE, "period_from": period_from.strftime("%d/%m/%Y"),
        "period_to": period_to.strftime("%d/%m/%Y"), "sample_size": "2", "seed": SEED,
        "chosen": ",".join(str(cid) for cid in wanted if cid not in drawn),
    }, day(16, 8))
    items = await InspectionItem.select(InspectionItem.id, InspectionItem.commitment) \
        .where(InspectionItem.round == round_id).order_by(InspectionItem.id)
    for n, item in enumerate(items):
        words, finding, findings = next(f for f in FINDINGS if f[0] in texts[item["commitment"]])
        await rounds.record_finding(inspector, round_id, item["id"], {
            "finding": finding, "findings": findings, "visited_on": day(17 + n % 2).strftime("%d/%m/%Y"),
        }, day(17 + n % 2, 16))
    await rounds.close(inspector, round_id, day(19, 10), BASE_URL)
    return 1
