"""What staff read after each step of an answer: the question's history says a publication once,
and the agency page's notice says what the step did."""

import datetime as dt

import pytest

from dialogue.accounts.tables import StaffUser
from dialogue.answers import drafting
from dialogue.conferences.tables import Conference
from dialogue.core.rendering import log_sentence
from dialogue.demo import load_demo
from dialogue.machine.actors import Actor
from dialogue.machine.log import ActionLog
from dialogue.questions import queries, routing, screening
from dialogue.questions.tables import Question
from dialogue.reference.tables import Agency
from tests.conftest import DEMO_ACCOUNTS, post_form, sign_in
from tests.pinned import NOW, TODAY

BASE = "https://doithoai.example.vn"
FLOOD = "Ngập úng ngõ 120 Hoàng Cầu mỗi khi mưa lớn"
TEXT = {"body": "Phường đã đưa cống ngõ 120 Hoàng Cầu vào kế hoạch cải tạo quý I/2027.", "legal_basis": ""}


async def actor(email: str) -> Actor:
    return Actor.staff(await StaffUser.select().where(StaffUser.email == email).first())


def now() -> dt.datetime:
    return NOW


@pytest.fixture
async def routed(demo_db):
    """The flood question, accepted and routed to the economy office (the ward police contributing)."""
    await load_demo(TODAY)
    organiser = await actor(DEMO_ACCOUNTS["organiser"])
    question = await Question.select().where(Question.title == FLOOD).first()
    kt = await Agency.select(Agency.id).where(Agency.short_name == "KT-HT-ĐT").first()
    ca = await Agency.select(Agency.id).where(Agency.short_name == "CA").first()
    await screening.decide(organiser, question["id"], "accept", {}, now(), BASE)
    await routing.assign(organiser, question["id"], {"lead_agency": str(kt["id"])}, now(), BASE,
                         lists={"contributing": [str(ca["id"])]})
    return question


async def set_policy(policy: str) -> None:
    await Conference.update({Conference.release_policy: policy}).where(Conference.id > 0)


async def test_a_published_answer_reads_once_in_the_history(routed):
    await set_policy("on_approval")
    officer, head = await actor(DEMO_ACCOUNTS["agency_officer"]), await actor(DEMO_ACCOUNTS["agency_head"])
    await drafting.save_draft(officer, routed["id"], TEXT, now())
    await drafting.submit(officer, routed["id"], now())
    await drafting.review(head, routed["id"], "approve", "", now(), BASE)
    # The log keeps both changes of state (the answer's and the question's) ...
    logged = [e["action"] for e in await ActionLog.select(ActionLog.action).where(
        (ActionLog.object_type == "question") & (ActionLog.object_id == str(routed["id"])))]
    assert "answer_publish" in logged and "answered" in logged
    # ... and the question's history tells the publication in one sentence.
    organiser = await actor(DEMO_ACCOUNTS["organiser"])
    history = [log_sentence(e) for e in (await queries.screening_page(organiser, routed["id"], now()))["history"]]
    published = [s for s in history if "đã công bố câu trả lời" in s or "published the answer" in s]
    assert len(published) == 1, history
    assert history[-1] == published[0]


async def test_a_publication_without_the_question_answered_still_shows(routed):
    """When the question was withdrawn meanwhile, only the answer's step is left: it still shows."""
    from dialogue.machine.log import one_line_per_step

    at = now()
    head = {"actor_kind": "staff", "actor": 3, "actor_ref": "", "actor_name": "Trần", "reason": "", "at": at,
            "object_type": "question", "object_id": "1"}
    alone = [{**head, "action": "answer_approve"}, {**head, "action": "answer_publish"}]
    assert [e["action"] for e in one_line_per_step(alone)] == ["answer_approve", "answer_publish"]
    both = [*alone, {**head, "action": "answered"}]
    assert [e["action"] for e in one_line_per_step(both)] == ["answer_approve", "answered"]
    later = [*alone, {**head, "action": "answered", "at": at + dt.timedelta(seconds=1)}]
    assert len(one_line_per_step(later)) == 3  # not the same step


def notice(html: str) -> str:
    """The text of the page's success notice."""
    import re

    found = re.search(r'<p class="notice notice--success" role="status">(.*?)</p>', html, re.S)
    return found.group(1).strip() if found else ""


async def step(client, question_id: int, path: str, data: dict) -> str:
    page = f"/agency/questions/{question_id}"
    response = await post_form(client, f"{page}/{path}", data, page=page)
    assert response.status_code == 200, response.text
    return notice(response.text)


@pytest.mark.parametrize("policy, approved", [
    ("on_approval", "Đã phê duyệt và công bố câu trả lời"),
    ("at_session", "Đã phê duyệt câu trả lời; câu trả lời được giữ lại"),
])
async def test_each_step_says_what_it_did(routed, demo_client, policy, approved):
    await set_policy(policy)
    question = routed["id"]
    await sign_in(demo_client, DEMO_ACCOUNTS["agency_officer"])
    assert await step(demo_client, question, "answer/save", {**TEXT, "version": ""}) == "Đã lưu bản nháp."
    from tests.test_answers import PDF

    page = await demo_client.get(f"/agency/questions/{question}")
    from tests.conftest import csrf_token_from

    attached = await demo_client.post(f"/agency/questions/{question}/files",
                                      data={"_csrf_token": csrf_token_from(page.text)},
                                      files={"file": ("kế hoạch.pdf", PDF, "application/pdf")})
    assert notice(attached.text) == "Đã đính kèm tệp."
    assert await step(demo_client, question, "answer/at-session", {"at_session": "yes"}) \
        == "Đã đánh dấu: trả lời trực tiếp tại hội nghị."
    assert await step(demo_client, question, "answer/at-session", {"at_session": "no"}) \
        == "Đã đánh dấu: trả lời bằng văn bản."
    assert await step(demo_client, question, "answer/submit", {**TEXT, "version": "1"}) \
        == "Đã lưu và trình lãnh đạo cơ quan phê duyệt."
    await sign_in(demo_client, DEMO_ACCOUNTS["agency_head"])
    assert await step(demo_client, question, "answer/return", {"comment": "Nêu rõ thời gian."}) \
        == "Đã trả lại câu trả lời cho cán bộ soạn thảo, kèm nhận xét của bạn."
    await sign_in(demo_client, DEMO_ACCOUNTS["agency_officer"])
    await step(demo_client, question, "answer/submit", {**TEXT, "version": "2"})
    await sign_in(demo_client, DEMO_ACCOUNTS["agency_head"])
    assert (await step(demo_client, question, "answer/approve", {})).startswith(approved)
    await sign_in(demo_client, "police@dongda.demo")  # contributing: its part (refused once approved)
    page = await demo_client.get(f"/agency/questions/{question}?done=part")
    assert notice(page.text) == "Đã lưu phần trả lời của cơ quan bạn."
    assert notice((await demo_client.get(f"/agency/questions/{question}?done=<b>x</b>")).text) == ""
