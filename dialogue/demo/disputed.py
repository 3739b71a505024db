"""The demo's disputed commitment: in the concluded conference, the organisers add a commitment for
the question about rubbish at the Ô Chợ Dừa market; the economy office reports it done; a week later
the reminder job asks the asker whether it was really done, and the asker answers "no" through the
link in that e-mail, with a reason. All through the real commands, as of days after the session."""

from __future__ import annotations

import datetime as dt
import re

from dialogue.accounts.tables import StaffUser
from dialogue.commitments import confirmation, followup
from dialogue.commitments.tables import Commitment
from dialogue.conferences.queries import get_conference
from dialogue.conferences.tables import Conference
from dialogue.core.calendar import TZ
from dialogue.core.db import write_transaction
from dialogue.demo.concluded import TITLE
from dialogue.demo.session import BASE_URL
from dialogue.machine.actors import Actor
from dialogue.mail.tables import OutboxMessage
from dialogue.questions.tables import Question
from dialogue.reference.tables import Agency

TEXT = "Điều chỉnh giờ thu gom rác tại điểm tập kết chợ Ô Chợ Dừa: thu gom xong trước 7 giờ sáng hằng ngày"
REASON = ("Tuần này rác ở điểm tập kết cạnh chợ vẫn để đến 10 giờ sáng mới thu gom, mùi hôi vẫn như cũ. "
          "Đề nghị phường kiểm tra lại giờ thu gom thực tế.")


async def load_disputed_demo(unit_id: int, today: dt.date) -> None:
    """Once: nothing is added when the commitment is there already (or the conference is not)."""
    conference = await Conference.select(Conference.id).where(
        (Conference.unit == unit_id) & (Conference.title == TITLE)).first()
    if conference is None or await Commitment.exists().where(Commitment.text == TEXT):
        return
    question = await Question.select(Question.id).where(
        (Question.conference == conference["id"]) & (Question.title == "Thu gom rác tại điểm tập kết chợ Ô Chợ Dừa")
    ).first()
    agency = await Agency.select(Agency.id).where((Agency.short_name == "KT-HT-ĐT") & (Agency.unit == unit_id)).first()
    if question is None or agency is None:
        return

    def day(n: int, hour: int = 9) -> dt.datetime:  # days after the session (held three weeks before today)
        return dt.datetime.combine(today - dt.timedelta(days=21 - n), dt.time(hour), TZ)

    organiser, officer, head = [Actor.staff(await StaffUser.select().where(StaffUser.email == email).first())
                                for email in ("organiser@dongda.demo", "officer@dongda.demo", "head@dongda.demo")]
    commitment_id = await followup.record_by_organiser(
        organiser, await get_conference(conference["id"]), question["id"], {
            "commitment_text": TEXT, "lead_agency": str(agency["id"]),
            "due_on": (today - dt.timedelta(days=7)).strftime("%d/%m/%Y"),
            "expected_output": "Lịch thu gom mới của công ty môi trường, niêm yết tại chợ"}, day(2))
    await followup.start(officer, commitment_id, day(3), BASE_URL)
    await followup.report_done(head, commitment_id, {
        "summary": "Đã làm việc với công ty môi trường đô thị: từ ngày 01/12 xe thu gom đến điểm tập kết chợ "
                   "Ô Chợ Dừa lúc 5 giờ 30 sáng; lịch mới đã niêm yết tại cổng chợ."}, day(6, 15), BASE_URL)
    asked = day(14, 8)  # the reminder job, a week after the report
    async with write_transaction():
        await confirmation.send_requests(asked, BASE_URL)
    mail = await OutboxMessage.select(OutboxMessage.text_body).where(
        (OutboxMessage.kind == "commitment_confirm") & OutboxMessage.text_body.like(f"%/confirm/{commitment_id}.%")
    ).first()
    if mail is None:  # the asker left no e-mail address: nobody to ask
        return
    token = re.search(r"/confirm/(\S+)", mail["text_body"]).group(1)
    await confirmation.dispute(token, {"reason": REASON}, day(15, 20), BASE_URL)
