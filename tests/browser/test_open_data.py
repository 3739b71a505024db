"""Issue 18's story in a browser at 360 px: a newcomer reads the API page and fetches the demo's public
questions with a plain HTTP client, getting what the conference page shows; an agency head creates a
token for the agency's document system, the system pulls the agency's items and sends a draft with
it, and the head approves that draft in the browser."""

import asyncio
import datetime as dt
import re
import uuid

import httpx
import pytest

from dialogue.accounts.tables import StaffUser
from dialogue.conferences.tables import Conference
from dialogue.core.db import bind_engine, close_engine, make_engine
from dialogue.machine.actors import Actor
from dialogue.piccolo_app import ALL_TABLES
from dialogue.questions import intake, routing, screening
from dialogue.reference.tables import Agency, Topic
from tests.browser.conftest import assert_accessible, assert_fits_the_phone
from tests.browser.test_staff_pages import sign_in
from tests.conftest import make_settings
from tests.pinned import NOW

pytestmark = pytest.mark.xdist_group("open_data")

TITLE = "Rác thải tồn đọng đầu ngõ 8 phố Hoàng Cầu"


async def ask_accept_route(database_url: str) -> str:
    """A question asked, accepted and routed to KT-HT-ĐT through the real services; its code."""
    engine = make_engine(make_settings(database_url))
    bind_engine(engine, ALL_TABLES)
    try:
        conference = await Conference.select().where(Conference.state == "open").first()
        topic = await Topic.select(Topic.id).where(Topic.code == "environment").first()
        submitted = await intake.submit_question(conference["id"], {
            "form_token": uuid.uuid4().hex, "asker_kind": "resident", "asker_name": "Trần Văn Kín",
            "asker_email": "kin@example.vn", "unit": str(conference["unit"]), "topic": str(topic["id"]),
            "title": TITLE, "body": "Rác thải ở đầu ngõ 8 phố Hoàng Cầu tồn đọng nhiều ngày, bốc mùi. "
                                    "Đề nghị phường tăng tần suất thu gom.",
            "answer_mode": "writing", "public_consent": "yes", "data_consent": "yes",
        }, "203.0.113.7", "vi", max(NOW, conference["questions_open_at"] + dt.timedelta(hours=1)),
            intake.SubmissionPolicy(per_address_per_hour=10, base_url="https://example.vn"))
        organiser = Actor.staff(await StaffUser.select().where(StaffUser.email == "organiser@dongda.demo").first())
        question = submitted.question["id"]
        await screening.decide(organiser, question, "accept", {}, NOW, "https://example.vn")
        agency = await Agency.select(Agency.id).where(Agency.short_name == "KT-HT-ĐT").first()
        await routing.assign(organiser, question, {"lead_agency": str(agency["id"])}, NOW, "https://example.vn")
        return intake.display_code(submitted.question["tracking_code"])
    finally:
        await close_engine(engine)


@pytest.fixture(scope="module")
def routed(live_server):
    return live_server, asyncio.run(ask_accept_route(live_server.database_url))


async def test_a_newcomer_reads_the_api_page_and_fetches_the_public_questions(routed, page):
    server, code = routed
    await page.goto(server.url + "/")
    await page.get_by_role("link", name="Dữ liệu mở (API)").click()
    await page.get_by_role("heading", level=1, name="API dữ liệu mở").wait_for()
    await assert_fits_the_phone(page)
    await assert_accessible(page)
    async with httpx.AsyncClient(base_url=server.url) as client:
        conferences = (await client.get("/api/v1/conferences")).json()["items"]
        open_one = next(c for c in conferences if c["state"] == "open")
        questions = (await client.get(f"/api/v1/questions?conference={open_one['id']}")).json()["items"]
    found = next(q for q in questions if q["code"] == code)
    assert found["heading"] == TITLE and "Trần Văn Kín" not in str(questions) and "kin@example.vn" not in str(questions)
    await page.goto(found["url"])  # the public page the record points at says the same
    await page.get_by_role("heading", name=TITLE).wait_for()


async def test_an_agency_system_sends_a_draft_that_its_head_approves_in_the_browser(routed, page):
    server, code = routed
    await sign_in(page, server.url, "head@dongda.demo")
    await page.get_by_role("link", name="Mã truy cập API cho hệ thống của cơ quan").click()
    await page.get_by_label("Tên").fill("Hệ thống quản lý văn bản")
    await page.get_by_label("Gửi dự thảo câu trả lời để thủ trưởng duyệt").check()
    await page.get_by_role("button", name="Tạo mã").click()
    token = (await page.locator("code.token").inner_text()).strip()
    assert re.fullmatch(r"dlg_[A-Za-z0-9_-]{40,}", token)
    await assert_fits_the_phone(page)
    await assert_accessible(page)

    async with httpx.AsyncClient(base_url=server.url, headers={"Authorization": f"Bearer {token}"}) as system:
        assigned = (await system.get("/api/v1/agency/questions")).json()
        assert code in {q["code"] for q in assigned}
        sent = await system.post(f"/api/v1/agency/questions/{code}/draft",
                                 json={"body": "Phường đã bố trí xe thu gom rác hằng ngày tại đầu ngõ 8."})
        assert sent.status_code == 201, sent.text

    await page.goto(server.url + "/agency")
    await page.get_by_role("link", name=TITLE).first.click()
    await page.get_by_text("Phường đã bố trí xe thu gom rác hằng ngày tại đầu ngõ 8.").first.wait_for()
    await page.get_by_role("button", name="Phê duyệt câu trả lời").click()
    await page.get_by_role("status").first.wait_for()
    await assert_accessible(page)
    # This conference holds approved answers until its session: the public API, like the public page,
    # does not have it yet.
    async with httpx.AsyncClient(base_url=server.url) as client:
        answer = await client.get(f"/api/v1/questions/{code}/answer")
        record = (await client.get(f"/api/v1/questions/{code}")).json()
    assert answer.status_code == 404 and not record["answered"]
