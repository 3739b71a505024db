"""The minutes and the conclusions notice: drafted at the end of the session from what was recorded,
edited by the organisers, published once (numbers, frozen renderings, the conference concluded,
tasks handed to the follow-up, askers told), corrected by a new version; and who may touch them."""

import datetime as dt
import io
import json

import pytest
from docx import Document
from pypdf import PdfReader

from dialogue.accounts.tables import StaffUser
from dialogue.agenda import commands as session_commands
from dialogue.agenda import queries as session_queries
from dialogue.agenda.tables import ConferenceSession
from dialogue.commitments.tables import Commitment, CommitmentAgency
from dialogue.conferences.tables import Conference
from dialogue.core.errors import Conflict, Forbidden, InvalidInput
from dialogue.demo import load_demo
from dialogue.documents import commands, queries
from dialogue.documents.tables import ConferenceDocument
from dialogue.machine.actors import Actor
from dialogue.machine.events import LiveEvent
from dialogue.machine.log import ActionLog
from dialogue.mail.tables import OutboxMessage
from dialogue.questions import routing, screening
from dialogue.questions.tables import Question
from dialogue.reference.tables import Agency
from tests.conftest import DEMO_ACCOUNTS, post_form, sign_in

BASE = "https://testserver.local"
NOW = dt.datetime(2026, 12, 10, 1, 0, tzinfo=dt.UTC)  # 08:00 in Hà Nội, a Thursday
END = NOW + dt.timedelta(hours=3, minutes=20)


async def actor(email: str) -> Actor:
    return Actor.staff(await StaffUser.select().where(StaffUser.email == email).first())


async def record_a_session(conference_id: int, organiser: Actor, secretary: Actor, questions: list[dict],
                           agencies: dict[str, int]) -> None:
    """The day as the console records it: the session started from the conference page, three
    items (answered on the spot, in writing, a commitment), attendance, conclusions and a
    commitment of the conclusions."""
    kt, ca = agencies["KT-HT-ĐT"], agencies["CA"]
    await session_commands.add_items(organiser, conference_id, [q["id"] for q in questions[:3]], NOW)
    await session_commands.change_conference_state(organiser, conference_id, "start", NOW, base_url=BASE)
    items = await session_queries.items_of(conference_id)
    await session_commands.save_outcome(secretary, conference_id, items[0]["id"], "answered", {
        "answered_by_agency": str(kt), "answered_by_position": "Trưởng phòng Kinh tế, Hạ tầng và Đô thị",
        "summary": "Phường sẽ cải tạo hệ thống thoát nước ngõ 120 trong quý I năm 2027.", "version": "1"}, NOW)
    await session_commands.save_outcome(secretary, conference_id, items[1]["id"], "writing",
                                        {"written_due_on": "15/01/2027", "version": "1"}, NOW)
    await session_commands.add_commitment(secretary, conference_id, items[2]["id"], {
        "commitment_text": "Lắp đèn chiếu sáng ngõ 35 phố Hoàng Cầu.", "lead_agency": str(kt),
        "cooperating": str(ca), "due_on": "31/03/2027"}, NOW)
    started = (await session_queries.session_of(conference_id))["started_clock"]  # the form shows the time taken
    assert started == "08:00"
    await session_commands.save_attendance(secretary, conference_id, {"started_at": started,
        "residents": "120", "businesses": "8", "organisations": "3",
        "chair": "Nguyễn Văn Hải, Phó Chủ tịch UBND phường", "secretary": "Trần Minh Đức",
        "co_organiser": "Lê Thị Hoa, Chủ tịch Ủy ban MTTQ phường"}, NOW)
    await session_commands.add_attendee(secretary, conference_id, {
        "agency": str(kt), "name": "Phạm Quốc Bảo", "position": "Trưởng phòng"}, NOW)
    await session_commands.save_conclusions(secretary, conference_id, {
        "conclusions": "Các cơ quan giải quyết dứt điểm kiến nghị về thoát nước và chiếu sáng trước mùa mưa.",
        "version": "1"}, NOW)
    await session_commands.add_commitment(secretary, conference_id, None, {
        "commitment_text": "Rà soát toàn bộ hệ thống thoát nước của phường.", "lead_agency": str(kt),
        "due_on": "30/06/2027"}, NOW)


@pytest.fixture
async def day(demo_db):
    """The demo conference in session with a recorded session (three items dealt with)."""
    await load_demo(dt.date(2026, 12, 1))
    organiser = await actor(DEMO_ACCOUNTS["organiser"])
    secretary = await actor(DEMO_ACCOUNTS["secretary"])
    conference = await Conference.select().where(Conference.kind == "residents").first()
    questions = await Question.select().where(Question.conference == conference["id"]).order_by(Question.id)
    agencies = {row["short_name"]: row["id"] for row in await Agency.select(Agency.id, Agency.short_name)}
    for q in questions[:3]:
        await screening.decide(organiser, q["id"], "accept", {}, NOW, BASE)
    await routing.assign(organiser, questions[0]["id"], {"lead_agency": str(agencies["KT-HT-ĐT"])}, NOW, BASE)
    await Question.update({Question.language: "en"}).where(Question.id == questions[1]["id"])
    await record_a_session(conference["id"], organiser, secretary, questions, agencies)
    return {"conference": conference, "questions": questions, "organiser": organiser, "secretary": secretary,
            "agencies": agencies}


async def drafts(conference_id: int) -> dict[str, dict]:
    return {row["kind"]: row for row in await queries.latest_of(conference_id)}


async def test_ending_the_session_drafts_both_documents_from_the_record_once(day):
    conference_id, secretary, questions = day["conference"]["id"], day["secretary"], day["questions"]
    session = await ConferenceSession.select().where(ConferenceSession.conference == conference_id).first()
    assert session["started_at"] == NOW and session["ended_at"] is None  # the start was taken at "start"
    assert await commands.end_session(secretary, conference_id, END) is True
    assert await commands.end_session(secretary, conference_id, END + dt.timedelta(minutes=5)) is False
    session = await ConferenceSession.select().where(ConferenceSession.conference == conference_id).first()
    assert session["ended_at"] == END
    docs = await drafts(conference_id)
    assert set(docs) == {"minutes", "notice"} and await ConferenceDocument.count() == 2
    minutes, notice = docs["minutes"]["content"], docs["notice"]["content"]
    assert minutes["time_line"] == "Vào lúc 08 giờ 00 phút, ngày 10 tháng 12 năm 2026."
    assert "11 giờ 20 phút" in minutes["closing_line"]
    assert "120 người dân" in minutes["participants"] and "Phạm Quốc Bảo" in minutes["participants"]
    records = minutes["items"]
    assert [r["question_id"] for r in records] == [q["id"] for q in questions[:3]]
    assert "quý I năm 2027" in records[0]["answer"] and "Trưởng phòng Kinh tế" in records[0]["answer"]
    assert "15/01/2027" in records[1]["answer"] and "Lắp đèn chiếu sáng" in records[2]["commitments"]
    assert records[0]["asker"].startswith(("Người", "Doanh", "Tổ chức", "Một"))
    assert [t["issue"] for t in notice["tasks"]] == ["Lắp đèn chiếu sáng ngõ 35 phố Hoàng Cầu.",
                                                      "Rà soát toàn bộ hệ thống thoát nước của phường."]
    assert notice["tasks"][0]["cooperating"] == [day["agencies"]["CA"]]
    assert (notice["signer_authority"], notice["signer_position"], notice["signer_name"]) == (
        "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Nguyễn Văn Hải")
    everything = json.dumps(docs["minutes"]["content"], ensure_ascii=False) + json.dumps(notice, ensure_ascii=False)
    for q in questions[:3]:
        assert q["asker_name"] not in everything and q["asker_email"] not in everything
        assert not q["asker_phone"] or q["asker_phone"] not in everything
    assert await ActionLog.count().where(ActionLog.action == "session_ended") == 1
    assert await LiveEvent.count().where((LiveEvent.channel == f"conference:{conference_id}")
                                         & (LiveEvent.kind == "session_ended")) == 1
