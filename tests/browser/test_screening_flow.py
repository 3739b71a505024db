"""An organiser screens, merges and routes a batch of questions on a phone; an agency officer
then sees only their own agency's."""

import re

from tests.browser.conftest import assert_accessible, assert_fits_the_phone
from tests.conftest import DEMO_PASSWORD


async def sign_in(page, url: str, email: str) -> None:
    await page.goto(url + "/sign-in")
    await page.get_by_label("Địa chỉ thư điện tử").fill(email)
    await page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    await page.get_by_role("button", name="Đăng nhập").click()


async def test_organiser_screens_merges_and_routes_then_agencies_see_their_own(live_server, page):
    await live_server.load_demo()  # the 42 demo questions
    await sign_in(page, live_server.url, "organiser@dongda.demo")
    await page.goto(live_server.url + "/organiser/conferences/1/queue")
    await assert_accessible(page)
    await page.get_by_label("Tìm kiếm (có dấu hoặc không dấu)").fill("hoang cau")
    await page.get_by_role("button", name="Lọc").click()
    await page.get_by_role("link", name="Ngõ 120 Hoàng Cầu bị ngập khi mưa to").click()
    await page.get_by_role("heading", level=2, name="Câu hỏi tương tự").wait_for()
    await assert_fits_the_phone(page)
    await assert_accessible(page)
    # Merge it into the main question, which the similar list proposes first.
    await page.get_by_text("Gộp với câu hỏi tương tự").click()
    await page.get_by_role("button", name="Gộp", exact=True).click()
    await page.get_by_text("Đã gộp với câu hỏi tương tự").first.wait_for()

    # Accept and route a batch from the queue.
    await page.goto(live_server.url + "/organiser/conferences/1/queue?q=hoang+cau")
    boxes = page.locator('input[name="question"]')
    for n in range(await boxes.count()):
        await boxes.nth(n).check()
    await page.get_by_role("button", name=re.compile("Chấp nhận các câu hỏi đã chọn")).first.click()
    await page.get_by_text(re.compile("Đã chấp nhận 3 câu hỏi")).wait_for()
    await assert_accessible(page)

    await page.get_by_role("button", name="Đăng xuất").click()
    await sign_in(page, live_server.url, "officer@dongda.demo")
    await page.get_by_role("link", name=re.compile("Hoàng Cầu")).first.wait_for()
    await assert_accessible(page)
    await page.get_by_role("button", name="Đăng xuất").click()
    await sign_in(page, live_server.url, "police@dongda.demo")
    await page.get_by_role("heading", level=1, name="Công an phường Đống Đa").wait_for()
    assert "Hoàng Cầu" not in await page.content()
