"""A resident on a phone about to ask what was already asked: the ask form shows the question
already accepted as they type (the same engine as the organisers' hint), with how likely it is the
same matter and why; without JavaScript the search box and the form's button do the same, and the
button keeps everything typed. An organiser then sees the hint on the new question's page."""

import asyncio
import datetime as dt
import re
import uuid

import pytest

from dialogue.accounts.tables import StaffUser
from dialogue.conferences.tables import Conference
from dialogue.core.db import bind_engine, close_engine, make_engine
from dialogue.machine.actors import Actor
from dialogue.piccolo_app import ALL_TABLES
from dialogue.questions import intake, screening
from dialogue.reference.tables import Topic
from tests.browser.conftest import assert_accessible, assert_fits_the_phone
from tests.browser.test_staff_pages import sign_in
from tests.conftest import make_settings
from tests.pinned import NOW

pytestmark = pytest.mark.xdist_group("similar_questions")

ASKED = "Ngập úng ngõ 42 phố Hoàng Cầu mỗi khi mưa lớn"


async def ask_and_accept(database_url: str) -> None:
    """A question asked through the real submission and accepted by the organiser: public."""
    engine = make_engine(make_settings(database_url))
    bind_engine(engine, ALL_TABLES)
    try:
        conference = await Conference.select().where(Conference.state == "open").first()
        topic = await Topic.select(Topic.id).where(Topic.code == "environment").first()
        submitted = await intake.submit_question(conference["id"], {
            "form_token": uuid.uuid4().hex, "asker_kind": "resident", "asker_name": "Vũ Văn Bình",
            "asker_email": "binh@example.vn", "unit": str(conference["unit"]), "topic": str(topic["id"]),
            "title": ASKED, "body": "Mỗi trận mưa lớn ngõ 42 phố Hoàng Cầu ngập sâu 30–40 cm, nước tràn vào nhà dân. "
                                    "Đề nghị phường cải tạo hệ thống thoát nước của ngõ.",
            "answer_mode": "writing", "public_consent": "yes", "data_consent": "yes",
        }, "203.0.113.9", "vi", max(NOW, conference["questions_open_at"] + dt.timedelta(hours=1)),
            intake.SubmissionPolicy(per_address_per_hour=10, base_url="https://example.vn"))
        organiser = await StaffUser.select().where(StaffUser.email == "organiser@dongda.demo").first()
        await screening.decide(Actor.staff(organiser), submitted.question["id"], "accept", {}, NOW, "https://example.vn")
    finally:
        await close_engine(engine)


@pytest.fixture(scope="module")
def asked(live_server):
    asyncio.run(ask_and_accept(live_server.database_url))
    return live_server


async def open_the_form(page, url: str) -> None:
    await page.goto(url + "/")
    await page.get_by_role("link", name=re.compile("Hội nghị đối thoại giữa Chủ tịch UBND phường Đống Đa")).click()
    await page.get_by_role("link", name="Đặt câu hỏi").click()
    await page.get_by_role("heading", level=1, name="Đặt câu hỏi").wait_for()


async def test_the_form_shows_the_question_already_asked_as_the_resident_types(asked, page):
    await open_the_form(page, asked.url)
    await page.get_by_label("Tiêu đề").fill("Ngõ 42 Hoàng Cầu bị ngập khi mưa to")
    await page.get_by_label("Nội dung câu hỏi").fill("Mưa lớn là ngõ 42 phố Hoàng Cầu ngập sâu, nước tràn vào nhà.")
    results = page.locator("#asked-like-results")
    await results.get_by_role("link", name=ASKED).wait_for()
    assert "Rất có thể cùng một vụ việc" in await results.inner_text()
    await assert_fits_the_phone(page)
    await assert_accessible(page)

    # Another alley's flooding is not offered as the same matter.
    await page.get_by_label("Tiêu đề").fill("Ngõ 24 Hoàng Cầu bị ngập khi mưa to")
    await page.get_by_label("Nội dung câu hỏi").fill("Mưa lớn là ngõ 24 phố Hoàng Cầu ngập sâu, nước tràn vào nhà.")
    await results.get_by_text("Chưa có câu hỏi công khai nào giống câu hỏi này.").wait_for()

    # Sent anyway, the organiser sees the same engine's hint on its page, with why.
    await page.get_by_label("Họ và tên").fill("Lê Thị Thu Hà")
    await page.get_by_label("Địa chỉ thư điện tử").fill("thuha@example.vn")
    await page.get_by_label("Lĩnh vực").select_option(label="Môi trường, rác thải, ngập úng")
    await page.get_by_label("Tiêu đề").fill("Ngõ 42 Hoàng Cầu bị ngập khi mưa to")
    await page.get_by_label("Nội dung câu hỏi").fill("Mưa lớn là ngõ 42 phố Hoàng Cầu ngập sâu, nước tràn vào nhà.")
    await page.get_by_label("Tôi đồng ý cho xử lý dữ liệu cá nhân").check()
    await page.get_by_role("button", name="Gửi câu hỏi").click()
    await page.get_by_role("heading", level=1, name="Câu hỏi của bạn đã được tiếp nhận").wait_for()
    await sign_in(page, asked.url, "organiser@dongda.demo")
    await page.get_by_role("link", name=re.compile("Hội nghị đối thoại giữa Chủ tịch")).click()
    await page.get_by_role("link", name="Ngõ 42 Hoàng Cầu bị ngập khi mưa to").click()
    hints = page.locator(".similar-list")
    await hints.get_by_role("link", name=ASKED).wait_for()
    assert "cùng ngõ, ngách, hẻm" in await hints.inner_text()
    await assert_fits_the_phone(page)
    await assert_accessible(page)


async def test_without_javascript_the_search_and_the_button_keep_what_was_typed(asked, browser):
    context = await browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740})
    page = await context.new_page()
    await open_the_form(page, asked.url)
    await page.get_by_text("Câu hỏi của bạn đã có người hỏi chưa?").click()  # the search, folded
    await page.get_by_label("Địa điểm và vấn đề, trong vài từ").fill("ngập ngõ 42 Hoàng Cầu")
    await page.get_by_role("button", name="Tìm trong các câu hỏi đã gửi").click()
    await page.locator("#asked-like-results").get_by_role("link", name=ASKED).wait_for()
    await assert_fits_the_phone(page)

    await page.get_by_label("Họ và tên").fill("Lê Thị Thu Hà")
    await page.get_by_label("Tiêu đề").fill("Ngõ 42 Hoàng Cầu ngập khi mưa")
    await page.get_by_label("Nội dung câu hỏi").fill("Mưa lớn là ngõ 42 phố Hoàng Cầu ngập sâu, nước tràn vào nhà.")
    await page.get_by_role("button", name="Tìm các câu hỏi giống của tôi trước").click()
    await page.locator("#asked-like-results").get_by_role("link", name=ASKED).wait_for()
    assert await page.get_by_label("Họ và tên").input_value() == "Lê Thị Thu Hà"
    assert await page.get_by_label("Tiêu đề").input_value() == "Ngõ 42 Hoàng Cầu ngập khi mưa"
    await context.close()
