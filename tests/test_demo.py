"""The demo `make run` loads is a living ward: its public pages show questions and answers, its
staff pages have work in every state, and loading it again adds nothing."""

import datetime as dt

import pytest

from dialogue.answers.tables import Answer
from dialogue.conferences.tables import Conference
from dialogue.demo import load_demo
from dialogue.machine.log import ActionLog
from dialogue.questions.intake import display_code
from dialogue.questions.tables import Question
from tests.conftest import FakeClock, make_client

TODAY = dt.date(2026, 12, 1)


@pytest.fixture
async def lively(db):
    added = await load_demo(TODAY, lively=True)
    assert added["questions"] == 42
    return db


async def test_the_ward_has_work_in_every_state(lively):
    states = {row["state"]: row["n"] for row in await Question.raw(  # the first conference's
        "SELECT state, COUNT(*) AS n FROM question WHERE conference = (SELECT MIN(id) FROM conference) "
        "GROUP BY state")}
    assert states == {"submitted": 4, "assigned": 18, "answered": 6, "merged": 12, "rejected": 1, "forwarded": 1}
    overdue = await Question.count().where((Question.state == "assigned") & (Question.answer_due_on < TODAY))
    assert overdue >= 3
    assert await Answer.count().where(Answer.state == "submitted") == 1  # waiting for the head
    assert await ActionLog.count().where(ActionLog.action == "answered") == 6
    assert await load_demo(TODAY, lively=True) == {
        "agencies": 0, "topics": 0, "conferences": 0, "accounts": 0, "questions": 0}


async def test_the_data_protection_officer_has_two_requests_due_in_working_days(lively):
    from dialogue.accounts.tables import StaffUser
    from dialogue.machine.actors import Actor
    from dialogue.privacy import requests

    officer = Actor.staff(await StaffUser.select().where(StaffUser.email == "privacy@dongda.demo").first())
    now = dt.datetime.combine(TODAY, dt.time(3), dt.UTC)
    rows = await requests.queue(officer, now)
    assert [row["kind"] for row in rows] == ["erasure", "objection"]  # the one due sooner first
    assert all(row["due"] and 0 < row["due"]["left"] <= 15 for row in rows)
    assert rows[0]["due"]["left"] < rows[1]["due"]["left"]


async def test_the_public_pages_show_questions_and_published_answers(lively):
    clock = FakeClock(dt.datetime(2026, 12, 1, 3, 0, tzinfo=dt.UTC))
    conference = await Conference.select().first()
    flood = await Question.select().where(Question.form_token == "demo-0").first()
    async with make_client(lively, clock) as client:
        home = await client.get("/")
        assert conference["title"] in home.text
        page = await client.get(f"/conferences/{conference['id']}")
        assert page.status_code == 200
        assert "Ngập úng ngõ 120 Hoàng Cầu" in page.text and "Quý I/2027".lower() in page.text.lower()
        assert "Nguyễn Văn Bình" not in page.text  # never who asked
        track = await client.get(f"/q/{display_code(flood['tracking_code'])}")
        assert "Công ty Thoát nước Hà Nội" in track.text and "Quyết định số 215/QĐ-UBND" in track.text


async def test_a_second_conference_is_in_session_with_its_agenda_ready(lively):
    from dialogue.agenda.queries import items_of

    conference = await Conference.select().where(Conference.state == "in_session").first()
    assert conference is not None and conference["starts_at"].date() < TODAY
    items = await items_of(conference["id"])
    assert len(items) == 6 and all(item["state"] == "accepted" for item in items)
    topics = [item["topic"] for item in items]
    assert topics == sorted(topics, key=topics.index)  # grouped by topic
    assert await ActionLog.count().where((ActionLog.action == "conference_start")
                                         & (ActionLog.object_id == str(conference["id"]))) == 1


async def test_a_third_conference_is_concluded_with_its_documents_published(lively):
    from dialogue.commitments.tables import Commitment
    from dialogue.documents.tables import ConferenceDocument

    conference = await Conference.select().where(Conference.state == "concluded").first()
    assert conference is not None and conference["starts_at"].date() < TODAY
    documents = await ConferenceDocument.select().where(ConferenceDocument.conference == conference["id"])
    assert sorted((d["kind"], d["state"], d["number"]) for d in documents) == [
        ("minutes", "published", 1), ("notice", "published", 1)]
    assert all(d["pdf"][:5] == b"%PDF-" and d["docx"][:2] == b"PK" for d in documents)
    from dialogue.demo.inspections import ADDED, FINDINGS

    commitments = await Commitment.select().where(Commitment.conference == conference["id"])
    # three more the organisers entered afterwards for the surprise inspection (below)
    inspected = [c for c in commitments if c["text"] in {added[1] for added in ADDED}]
    commitments = [c for c in commitments if c not in inspected]
    assert len(commitments) == 5  # the notice's four, and the one the organisers added (then disputed)
    assert len([c for c in commitments if c["origin"] != "organiser"]) == 4
    assert sum(1 for c in commitments if c["question"] is None) == 1  # the chair's own
    # three weeks of follow-up: in progress (two notes), verified (kept), extended, left overdue, and one the
    # organisers added, reported done and disputed by its asker through the confirmation link
    states = sorted((c["state"], c["outcome"] or "", c["original_due_on"] is not None) for c in commitments)
    assert states == [("disputed", "", False), ("extended", "", True), ("in_progress", "", False),
                      ("open", "", False), ("verified", "kept", False)]
    disputed = next(c for c in commitments if c["state"] == "disputed")
    entry = await ActionLog.select().where((ActionLog.action == "commitment_dispute")
                                           & (ActionLog.object_id == str(disputed["id"]))).first()
    assert entry["actor_kind"] == "public" and "vẫn để đến 10 giờ sáng" in entry["reason"]
    assert next(c for c in commitments if c["state"] == "open")["due_on"] < TODAY  # overdue
    assert next(c for c in commitments if c["state"] == "in_progress")["progress"] == 60
    # and a surprise re-inspection of those reported done, closed with every kind of finding
    from dialogue.inspections.tables import InspectionItem, InspectionRound

    inspection = await InspectionRound.select().where(InspectionRound.state == "closed").first()
    findings = await InspectionItem.select(InspectionItem.finding).where(InspectionItem.round == inspection["id"])
    assert {"done", "partly", "not_done"} <= {row["finding"] for row in findings}
    # the one found not done was disputed by the round's close, with what the visit found
    assert sorted(c["state"] for c in inspected) == ["disputed", "reported_done", "reported_done"]
    reopened = next(c for c in inspected if c["state"] == "disputed")
    entry = await ActionLog.select().where((ActionLog.action == "commitment_dispute")
                                           & (ActionLog.object_id == str(reopened["id"]))).first()
    assert entry["actor_kind"] == "staff" and entry["at"] == inspection["closed_at"]
    assert entry["reason"] == next(f[2] for f in FINDINGS if f[1] == "not_done")


async def test_the_concluded_conference_page_shows_what_the_session_said_and_nothing_as_current(lively):
    conference = await Conference.select().where(Conference.state == "concluded").first()
    clock = FakeClock(dt.datetime(2026, 12, 1, 3, 0, tzinfo=dt.UTC))
    async with make_client(lively, clock) as client:
        page = await client.get(f"/conferences/{conference['id']}")
        screen = await client.get(f"/conferences/{conference['id']}/screen")
    assert page.status_code == 200 and screen.status_code == 200
    assert "đang thảo luận" not in page.text.lower()  # the session is over
    assert "được thu hai lần" in page.text  # the answer given on the spot, with who gave it
    assert "Phó Chủ tịch UBND phường" in page.text
    assert "Thay thế bốn cột đèn hỏng" in page.text  # a commitment made
    assert "1/TB-UBND" in page.text and "1/BB-UBND" in page.text
    assert "Ngập úng ngõ 42" not in screen.text  # the screen shows no item once the session is over
    assert "Vũ Văn Bình" not in page.text + screen.text
