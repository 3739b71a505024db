"""The organiser stops questions through a confirmation page; a resident who follows an ask link
afterwards reads a real page about it, not an error."""

import re

from tests.browser.conftest import assert_accessible, assert_fits_the_phone
from tests.conftest import DEMO_PASSWORD


async def test_stopping_questions_is_confirmed_and_residents_are_told(live_server, browser, page):
    await page.goto(live_server.url + "/sign-in")
    await page.get_by_label("Địa chỉ thư điện tử").fill("organiser@dongda.demo")
    await page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    await page.get_by_role("button", name="Đăng nhập").click()
    await page.get_by_role("link", name=re.compile("Hội nghị đối thoại giữa Chủ tịch")).click()
    await page.get_by_role("link", name="Dừng nhận câu hỏi").click()
    await page.get_by_role("heading", level=1, name="Dừng nhận câu hỏi?").wait_for()
    await page.get_by_text("Bước này sớm hơn kế hoạch").wait_for()
    await assert_fits_the_phone(page)
    await assert_accessible(page)
    await page.get_by_role("link", name="Hủy, quay lại trang hội nghị").click()
    await page.get_by_role("link", name="Dừng nhận câu hỏi").click()
    await page.get_by_label("Ghi chú vào lịch sử").fill("Đã đủ câu hỏi cho hội nghị")
    await page.get_by_role("button", name="Dừng nhận câu hỏi").click()
    await page.get_by_text("Hội nghị đã chuyển sang trạng thái: Đã hết hạn nhận câu hỏi").wait_for()
    await assert_accessible(page)

    resident = await browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740})
    ask = await resident.new_page()
    response = await ask.goto(live_server.url + "/conferences/1/ask")
    assert response.status == 410
    await ask.get_by_role("heading", level=1, name="Đã hết thời gian nhận câu hỏi").wait_for()
    await ask.get_by_text("Hội nghị này đã dừng nhận câu hỏi vào").wait_for()
    await ask.get_by_role("link", name="Các hội nghị đang nhận câu hỏi").click()
    await ask.get_by_text("Không có hội nghị").first.wait_for()
    await resident.close()
