"""One person gets one e-mail per event, however many of their questions it touches: an asker who
also follows, or whose two questions were merged, is told once; accepting and routing in bulk is
one step and one e-mail per question. Checked on the outbox rows themselves."""

import datetime as dt

import pytest

from dialogue.accounts.tables import StaffUser
from dialogue.answers import drafting
from dialogue.conferences.tables import Conference
from dialogue.demo import load_demo
from dialogue.machine.actors import Actor
from dialogue.machine.log import ActionLog
from dialogue.mail.tables import OutboxMessage
from dialogue.questions import intake, routing, screening
from dialogue.questions.tables import Follower, Question
from tests.conftest import DEMO_ACCOUNTS
from tests.pinned import NOW, TODAY

BASE = "https://doithoai.example.vn"
KIM_LIEN = "Bao giờ được cấp giấy chứng nhận quyền sử dụng đất tại khu tập thể Kim Liên"
KIM_LIEN_AGAIN = "Hồ sơ cấp sổ đỏ khu tập thể Kim Liên chậm"  # the same person, the same matter
HANH = "do.thi.hanh@example.vn"


async def actor(email: str) -> Actor:
    return Actor.staff(await StaffUser.select().where(StaffUser.email == email).first())


def now() -> dt.datetime:
    return NOW


async def question_titled(title: str) -> dict:
    return await Question.select().where(Question.title == title).first()


async def mails_to(address: str, kind: str | None = None) -> list[dict]:
    query = OutboxMessage.select().where(OutboxMessage.to_address == address)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    return await query.order_by(OutboxMessage.id)


@pytest.fixture
async def demo(demo_db):
    await load_demo(TODAY)
    # Đỗ Thị Hạnh asked twice, from one address, and follows her first question too.
    await Question.update({Question.asker_email: HANH}).where(Question.title.is_in([KIM_LIEN, KIM_LIEN_AGAIN]))
    first = await question_titled(KIM_LIEN)
    await Follower.insert(Follower(question=first["id"], email=HANH, token="t" * 40, language="vi",
                                   confirmed_at=now(), created_at=now()))
    return demo_db


async def test_an_asker_whose_questions_were_merged_and_who_follows_is_told_once(demo):
    organiser = await actor(DEMO_ACCOUNTS["organiser"])
    main, again = await question_titled(KIM_LIEN), await question_titled(KIM_LIEN_AGAIN)
    await screening.merge(organiser, again["id"], intake.display_code(main["tracking_code"]), "", now(), BASE)
    assert len(await mails_to(HANH)) == 1  # the merge of her second question

    await screening.decide(organiser, main["id"], "accept", {}, now(), BASE)
    assert len(await mails_to(HANH)) == 2  # one for the acceptance, not three (asker, merged asker, follower)

    await Conference.update({Conference.release_policy: "on_approval"}).where(Conference.id > 0)
    await routing.accept_and_route(organiser, [main["id"]], now(), BASE)
    lead = next(a for a in await routing.assignments_of(main["id"]) if a["role"] == "lead")
    head = await StaffUser.select().where((StaffUser.agency == lead["agency"]) & (StaffUser.role == "agency_head")) \
        .first()
    writer = await StaffUser.select().where(StaffUser.agency == lead["agency"]).first()
    await drafting.save_draft(Actor.staff(writer), main["id"], {"body": "Hồ sơ đang được thẩm định."}, now())
    await drafting.submit(Actor.staff(writer), main["id"], now())
    await drafting.review(Actor.staff(head), main["id"], "approve", "", now(), BASE)
    answered = await mails_to(HANH, "answer_published")
    assert len(answered) == 1
    assert "/follow/" not in answered[0]["text_body"]  # the asker's own mail: no follower's unsubscribe link


async def test_accept_and_route_in_bulk_is_one_step_and_one_email_per_question(demo):
    organiser = await actor(DEMO_ACCOUNTS["organiser"])
    flood = await question_titled("Ngập úng ngõ 120 Hoàng Cầu mỗi khi mưa lớn")
    noise = await question_titled("Tiếng ồn karaoke khuya tại phố Đặng Tiến Đông")
    result = await routing.accept_and_route(organiser, [flood["id"], noise["id"]], now(), BASE)
    assert sorted(result.done) == sorted([flood["id"], noise["id"]]) and result.refused == []
    for question in (flood, noise):
        mails = await mails_to(question["asker_email"])
        assert len(mails) == 1, [m["subject"] for m in mails]
        assert "Câu hỏi đã được chấp nhận và chuyển đến cơ quan có trách nhiệm." in mails[0]["text_body"]
        assert (await Question.select(Question.state).where(Question.id == question["id"]).first())["state"] \
            == "assigned"
        steps = [e["action"] for e in await ActionLog.select(ActionLog.action).where(
            (ActionLog.object_type == "question") & (ActionLog.object_id == str(question["id"])))]
        assert steps[-2:] == ["accept", "assign"]  # both steps are in the history


async def test_accept_and_route_reports_what_it_could_not_do(demo):
    organiser = await actor(DEMO_ACCOUNTS["organiser"])
    flood = await question_titled("Ngập úng ngõ 120 Hoàng Cầu mỗi khi mưa lớn")
    await screening.decide(organiser, flood["id"], "reject", {"category": "abusive", "reason": "Lời lẽ xúc phạm."},
                           now(), BASE)
    before = await OutboxMessage.count()
    result = await routing.accept_and_route(organiser, [flood["id"], 999999], now(), BASE)
    assert result.done == [] and [question_id for question_id, _why in result.refused] == [flood["id"], 999999]
    assert await OutboxMessage.count() == before
