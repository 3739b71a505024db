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
    await page.get_by_label("Số điện thoại").fill("0912 34 567")  # one digit short: a mistake
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
    await page.get_by_label("Số điện thoại").fill("0912 345 678")
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
    await page.get_by_label("Mã tra cứu").fill("7K3M-9QX2-4HPA")  # one character short
    await page.get_by_role("button", name="Tìm câu hỏi của tôi").click()
    await page.get_by_role("alert").get_by_text("Mã tra cứu: Vui lòng nhập đủ 13 chữ cái và chữ số").wait_for()
    assert await page.get_by_label("Mã tra cứu").input_value() == "7K3M-9QX2-4HPA"  # kept, to correct
    assert await page.get_by_label("Mã tra cứu").get_attribute("aria-invalid") == "true"
    await assert_fits_the_phone(page)
    await assert_accessible(page)


def questions_titled(live_server, title: str) -> int:
    """How many questions with this title the live server's database holds."""
    import sqlite3
    from urllib.parse import urlsplit

    with sqlite3.connect(urlsplit(live_server.env["DATABASE_URL"]).path) as connection:
        return connection.execute("SELECT count(*) FROM question WHERE title = ?", (title,)).fetchone()[0]


async def fill_the_form(page, title: str) -> None:
    await page.get_by_label("Họ và tên").fill("Đỗ Văn Nam")
    await page.get_by_label("Địa chỉ thư điện tử").fill("nam@example.vn")
    await page.get_by_label("Lĩnh vực").select_option(label="Môi trường, rác thải, ngập úng")
    await page.get_by_label("Tiêu đề").fill(title)
    await page.get_by_label("Nội dung câu hỏi").fill(
        "Cống thoát nước trước số 40 phố Hoàng Cầu bị tắc, mỗi khi mưa nước tràn lên vỉa hè. Đề nghị nạo vét.")
    await page.get_by_label("Tôi đồng ý cho xử lý dữ liệu cá nhân").check()


async def test_back_and_send_again_shows_the_first_question(live_server, browser):
    """Back from the confirmation shows the form again, filled in: sending it again must not make a
    second question (Chromium fetches the form page again on Back and restores what was typed, but
    not the hidden form token, so the token has to come with the page's address)."""
    for javascript in (True, False):
        context = await browser.new_context(java_script_enabled=javascript, viewport={"width": 360, "height": 740})
        page = await context.new_page()
        title = f"Cống thoát nước tắc trước số 40 Hoàng Cầu ({'có' if javascript else 'không'} JavaScript)"
        await page.goto(live_server.url + "/conferences/1/ask")
        await fill_the_form(page, title)
        await page.get_by_role("button", name="Gửi câu hỏi").click()
        await page.get_by_role("heading", level=1, name="Câu hỏi của bạn đã được tiếp nhận").wait_for()
        first_code = (await page.locator(".tracking-code").inner_text()).strip()
        assert await page.locator(".manage-link").count() == 1

        await page.go_back()
        assert await page.get_by_label("Tiêu đề").input_value() == title  # the browser kept what was typed
        await page.get_by_role("button", name="Gửi câu hỏi").click()
        await page.get_by_role("heading", level=1, name="Câu hỏi của bạn đã được tiếp nhận").wait_for()
        assert (await page.locator(".tracking-code").inner_text()).strip() == first_code
        assert await page.locator(".manage-link").count() == 0  # shown once, and sent by e-mail

        await page.reload()  # the browser sends the form once more
        await page.get_by_role("heading", level=1, name="Câu hỏi của bạn đã được tiếp nhận").wait_for()
        assert (await page.locator(".tracking-code").inner_text()).strip() == first_code
        assert questions_titled(live_server, title) == 1

        await page.go_back()  # the form now says it was sent, and offers a new one
        await page.get_by_text("Bạn đã gửi một câu hỏi bằng mẫu này").wait_for()
        if javascript:
            await assert_fits_the_phone(page)
            await assert_accessible(page)
        await page.get_by_role("link", name="Đặt câu hỏi khác").click()
        assert await page.get_by_label("Tiêu đề").input_value() == ""
        await context.close()


async def test_long_text_is_kept_and_counted(live_server, page):
    """Pasted text beyond the limit is neither cut nor sent: the count says how much too long, the
    server says so too, and everything typed is still there to shorten."""
    await page.goto(live_server.url + "/conferences/1/ask")
    count = page.locator("#title-count")
    await count.get_by_text("Còn lại 150 ký tự").wait_for()
    title = "Đề nghị " + "sửa đường " * 20  # 208 characters
    await fill_the_form(page, title)
    assert await page.get_by_label("Tiêu đề").input_value() == title
    await count.get_by_text(f"Dài quá {len(title.strip()) - 150} ký tự").wait_for()
    assert "title-count" in await page.get_by_label("Tiêu đề").get_attribute("aria-describedby")
    body = "Mặt đường ngõ 8 Đông Tác bong tróc, nhiều ổ gà. " * 90  # about 4,300 characters
    await page.get_by_label("Nội dung câu hỏi").fill(body)
    assert await page.get_by_label("Nội dung câu hỏi").input_value() == body
    await page.locator("#body-count").get_by_text("Dài quá").wait_for()
    await assert_fits_the_phone(page)
    await assert_accessible(page)

    await page.get_by_role("button", name="Gửi câu hỏi").click()
    await page.get_by_role("alert").wait_for()
    assert await page.get_by_label("Tiêu đề").input_value() == title
    assert await page.get_by_label("Nội dung câu hỏi").input_value() == body
    await page.get_by_role("alert").get_by_text("không quá 150 ký tự").wait_for()
    assert questions_titled(live_server, title.strip()) == 0
    await assert_accessible(page)
