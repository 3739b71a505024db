"""A resident who gives only a mobile number asks on a phone, chooses SMS (the form offers only the
ways they gave a contact for), and gets an SMS at submission and at acceptance from the app's own
outbox worker, through the loopback provider; the organiser reads both SMS, private link masked."""

import asyncio
import re

from dialogue.mail.phone import sms_segments
from tests.browser.conftest import assert_accessible, assert_fits_the_phone
from tests.conftest import DEMO_PASSWORD

TITLE = "Đèn chiếu sáng ngõ 5 phố Tây Sơn hỏng ba tháng"


async def sms_received(sink, count: int) -> list:
    for _ in range(150):
        if len(sink.taken) >= count:
            return sink.taken
        await asyncio.sleep(0.1)
    raise AssertionError(f"the provider received {len(sink.taken)} SMS, not {count}")


async def test_a_resident_with_only_a_phone_hears_by_sms(phone_server, sink, page):
    await page.goto(phone_server.url + "/conferences/1/ask")
    await page.get_by_role("heading", level=1, name="Đặt câu hỏi").wait_for()
    sms, by_email = page.get_by_label("Qua tin nhắn SMS", exact=True), page.get_by_label("Qua thư điện tử", exact=True)
    question = page.get_by_role("group", name="Bạn muốn nhận thông tin về câu hỏi bằng cách nào?")
    assert await question.is_hidden()  # no contact given yet: "No messages" alone is no choice to ask about
    assert await sms.is_hidden() and await by_email.is_hidden()
    await page.get_by_label("Họ và tên").fill("Lê Văn Tám")
    await page.get_by_label("Số điện thoại").fill("0912 345 678")
    assert await sms.is_visible() and await by_email.is_hidden()  # offered once the mobile is typed
    assert await page.get_by_label("Không nhận tin nhắn", exact=True).is_visible()
    await sms.check()
    await page.get_by_label("Lĩnh vực").select_option(label="Môi trường, rác thải, ngập úng")
    await page.get_by_label("Tiêu đề").fill(TITLE)
    await page.get_by_label("Nội dung câu hỏi").fill(
        "Đèn chiếu sáng ở ngõ 5 phố Tây Sơn hỏng đã ba tháng, buổi tối rất tối và nguy hiểm cho người đi bộ.")
    await page.get_by_label("Tôi đồng ý cho xử lý dữ liệu cá nhân").check()
    await assert_fits_the_phone(page)
    await assert_accessible(page)
    await page.get_by_role("button", name="Gửi câu hỏi").click()

    await page.get_by_role("heading", level=1, name="Câu hỏi của bạn đã được tiếp nhận").wait_for()
    await page.get_by_text("tin nhắn SMS tới 0912 345 678").wait_for()
    code = (await page.locator(".tracking-code").inner_text()).strip()
    manage = await page.locator(".manage-link a").get_attribute("href")
    [received] = await sms_received(sink, 1)
    assert received.phone == "84912345678" and code in received.text and manage in received.text

    await page.goto(phone_server.url + "/sign-in")
    await page.get_by_label("Địa chỉ thư điện tử").fill("organiser@dongda.demo")
    await page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    await page.get_by_role("button", name="Đăng nhập").click()
    await page.goto(phone_server.url + "/organiser/conferences/1/queue?q=tay+son")
    await page.locator('input[name="question"]').first.check()
    await page.get_by_role("button", name=re.compile("Chấp nhận các câu hỏi đã chọn")).first.click()
    await page.get_by_text(re.compile("Đã chấp nhận 1 câu hỏi")).wait_for()
    _received, accepted = await sms_received(sink, 2)
    assert code in accepted.text and f"{phone_server.url}/q/{code}" in accepted.text
    assert "Co quan co trach nhiem dang xu ly" in accepted.text

    await page.goto(phone_server.url + "/organiser/mail")
    await assert_accessible(page)
    assert await page.locator("tr", has_text="+84•••5678").count() == 2  # the list hints at addresses
    await page.get_by_role("link", name=f"Câu hỏi của bạn đã được tiếp nhận: {code}").click()
    await page.get_by_text("Số phần tin nhắn SMS").wait_for()
    text = await page.content()
    assert manage.rsplit("/", 1)[1] not in text and f"/q/{code}/manage/•••" in text
    await assert_accessible(page)

    # The admin reads what the two SMS cost the ward this month.
    await page.get_by_role("button", name="Đăng xuất").click()
    await page.goto(phone_server.url + "/sign-in")
    await page.get_by_label("Địa chỉ thư điện tử").fill("admin@dongda.demo")
    await page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    await page.get_by_role("button", name="Đăng nhập").click()
    await page.goto(phone_server.url + "/admin/phone-costs")
    row = page.locator("tbody tr", has_text="Đống Đa")
    await row.wait_for()
    cells = await row.locator("td").all_inner_texts()
    assert cells[0] == "2" and cells[1] == str(sum(sms_segments(taken.text) for taken in sink.taken))
    await assert_fits_the_phone(page)
    await assert_accessible(page)
