"""A resident on a phone finds the open conference, sends a question (correcting one mistake),
and reads the tracking page; an organiser then sees it and the e-mail it caused."""

import re

from tests.browser.conftest import assert_accessible, assert_fits_the_phone
from tests.conftest import DEMO_PASSWORD


async def test_a_resident_asks_a_question_on_a_phone(live_server, page):
    await page.goto(live_server.url + "/")
    await assert_accessible(page)
    await page.get_by_role("link", name=re.compile("Hội nghị đối thoại giữa Chủ tịch UBND phường Đống Đa")).click()
    await page.get_by_role("heading", level=1, name=re.compile("Đống Đa")).wait_for()
    await assert_fits_the_phone(page)
    await assert_accessible(page)

    await page.get_by_role("link", name="Đặt câu hỏi").click()
    await page.get_by_role("heading", level=1, name="Đặt câu hỏi").wait_for()
    await assert_fits_the_phone(page)
    await assert_accessible(page)

    await page.get_by_label("Họ và tên").fill("Lê Thị Thu Hà")
    await page.get_by_label("Địa chỉ thư điện tử").fill("thuha@example.vn")
    await page.get_by_label("Số điện thoại di động").fill("0912 34 567")  # one digit short: a mistake
    await page.get_by_label("Lĩnh vực").select_option(label="Môi trường, rác thải, ngập úng")
    await page.get_by_label("Tiêu đề").fill("Rác thải tập kết sai giờ tại đầu ngõ 95 Chùa Bộc")
    await page.get_by_label("Nội dung câu hỏi").fill(
        "Xe thu gom rác tập kết tại đầu ngõ 95 Chùa Bộc từ 17 giờ đến 22 giờ, gây mùi hôi và cản trở giao thông. "
        "Đề nghị phường bố trí lại giờ và điểm tập kết.")
    await page.get_by_label("Câu hỏi của tôi có thể được công khai").check()
    await page.get_by_label("Tôi đồng ý cho xử lý dữ liệu cá nhân").check()
    await page.get_by_role("button", name="Gửi câu hỏi").click()

    summary = page.get_by_role("alert")
    await summary.wait_for()
    await assert_accessible(page)
    assert await page.get_by_label("Tiêu đề").input_value() == "Rác thải tập kết sai giờ tại đầu ngõ 95 Chùa Bộc"
    assert await page.get_by_label("Tôi đồng ý cho xử lý dữ liệu cá nhân").is_checked()
    await summary.get_by_role("link").first.click()
    assert await page.evaluate("document.activeElement.id") == "asker_phone"
    await page.get_by_label("Số điện thoại di động").fill("0912 345 678")
    await page.get_by_role("button", name="Gửi câu hỏi").click()

    await page.get_by_role("heading", level=1, name="Câu hỏi của bạn đã được tiếp nhận").wait_for()
    code = (await page.locator(".tracking-code").inner_text()).strip()
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{5}", code)
    await assert_fits_the_phone(page)
    await assert_accessible(page)

    await page.get_by_role("link", name="Theo dõi câu hỏi của tôi").click()
    await page.get_by_text(code).first.wait_for()
    body = await page.content()
    assert "Lê Thị Thu Hà" not in body and "thuha@example.vn" not in body and "0912" not in body
    await assert_fits_the_phone(page)
    await assert_accessible(page)

    # The organiser sees it arrive and reads the e-mail it caused.
    await page.goto(live_server.url + "/sign-in")
    await page.get_by_label("Địa chỉ thư điện tử").fill("organiser@dongda.demo")
    await page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    await page.get_by_role("button", name="Đăng nhập").click()
    await page.get_by_role("link", name=re.compile("Hội nghị đối thoại giữa Chủ tịch")).click()
    await page.get_by_text("Rác thải tập kết sai giờ tại đầu ngõ 95 Chùa Bộc").wait_for()
    await assert_accessible(page)
    await page.goto(live_server.url + "/organiser/mail")
    await page.get_by_role("link", name=re.compile(code)).click()
    await page.get_by_text("thuha@example.vn").first.wait_for()
    await assert_accessible(page)


async def test_the_tracking_code_form_on_the_home_page(live_server, page):
    await page.goto(live_server.url + "/")
    await page.get_by_label("Mã tra cứu").fill("abc")
    await page.get_by_role("button", name="Tìm câu hỏi của tôi").click()
    await page.get_by_text("Mã tra cứu gồm 13 chữ cái và chữ số").wait_for()
    await assert_accessible(page)
