"""An officer drafts, the head returns it, the officer fixes it, the head approves, the organisers
publish the held answers, and the resident reads the answer on the tracking page — on a phone."""

import re

from tests.browser.conftest import assert_accessible, assert_fits_the_phone
from tests.conftest import DEMO_PASSWORD

TITLE = "Đèn chiếu sáng ngõ 35 Thái Hà hỏng đã ba tháng"


async def sign_in(page, url: str, email: str) -> None:
    await page.goto(url + "/sign-in")
    await page.get_by_label("Địa chỉ thư điện tử").fill(email)
    await page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    await page.get_by_role("button", name="Đăng nhập").click()


async def sign_out(page) -> None:
    await page.get_by_role("button", name="Đăng xuất").click()


async def test_the_answer_goes_from_draft_to_the_resident(live_server, page):
    await live_server.load_demo()
    # The organiser accepts the question and routes it to its topic's agency.
    await sign_in(page, live_server.url, "organiser@dongda.demo")
    await page.goto(live_server.url + "/organiser/conferences/1/queue?q=thai+ha+den")
    await page.get_by_role("link", name=TITLE).click()
    question_url = page.url
    await page.get_by_role("button", name="Chấp nhận", exact=True).click()
    await page.get_by_role("button", name="Chuyển đến cơ quan", exact=True).click()
    code = (await page.locator(".tracking-code-inline").inner_text()).strip()
    await sign_out(page)

    # The officer drafts and sends it for approval.
    await sign_in(page, live_server.url, "officer@dongda.demo")
    await page.get_by_role("link", name=TITLE).click()
    await assert_fits_the_phone(page)
    await assert_accessible(page)
    await page.get_by_role("textbox", name="Câu trả lời", exact=True).fill("Phường sẽ thay bóng đèn trong tuần này.")
    await page.get_by_role("button", name="Lưu và trình phê duyệt").click()
    await page.get_by_text("Chờ lãnh đạo cơ quan phê duyệt").first.wait_for()
    await sign_out(page)

    # The head returns it with a comment.
    await sign_in(page, live_server.url, "head@dongda.demo")
    await page.get_by_role("link", name=TITLE).first.click()
    await page.get_by_label("Nội dung cần chỉnh sửa").fill("Nêu rõ ngày hoàn thành.")
    await page.get_by_role("button", name="Trả lại cán bộ soạn thảo").click()
    await page.get_by_text("Đã trả lại để chỉnh sửa").first.wait_for()
    await assert_accessible(page)
    await sign_out(page)

    # The officer fixes it; the head approves.
    await sign_in(page, live_server.url, "officer@dongda.demo")
    await page.get_by_role("link", name=TITLE).click()
    await page.get_by_text("Nêu rõ ngày hoàn thành.").wait_for()
    await page.get_by_role("textbox", name="Câu trả lời", exact=True).fill(
        "Phường đã giao đơn vị chiếu sáng thay toàn bộ bóng đèn ngõ 35 Thái Hà, hoàn thành trước ngày 05/12/2026.")
    await page.get_by_role("button", name="Lưu và trình phê duyệt").click()
    await sign_out(page)
    await sign_in(page, live_server.url, "head@dongda.demo")
    await page.get_by_role("link", name=TITLE).first.click()
    await page.get_by_role("button", name="Phê duyệt câu trả lời").click()
    await page.get_by_text("Đã phê duyệt, chờ công bố").first.wait_for()
    await sign_out(page)

    # The conference holds answers for the session: the organisers publish them now.
    await sign_in(page, live_server.url, "organiser@dongda.demo")
    await page.goto(live_server.url + "/organiser/conferences/1")
    await page.get_by_role("button", name="Công bố ngay các câu trả lời đã phê duyệt").click()
    await page.get_by_text(re.compile("Đã công bố 1 câu trả lời")).wait_for()
    await sign_out(page)

    await page.goto(f"{live_server.url}/q/{code}")
    await page.get_by_role("heading", level=2, name="Câu trả lời", exact=True).wait_for()
    await page.get_by_text("hoàn thành trước ngày 05/12/2026").wait_for()
    await assert_fits_the_phone(page)
    await assert_accessible(page)
    assert question_url
