"""Staff pages on a phone (360 px): tables become cards that keep each value's label, the screening
queue's bulk actions and duplicate marks, the agency page's notices and the action log — each page
checked with axe and for sideways scrolling. With SCREENSHOT_DIR set, each page is also saved as
a picture there, to look at."""

import os
import re
from pathlib import Path

from tests.browser.conftest import assert_accessible, assert_fits_the_phone
from tests.conftest import DEMO_PASSWORD


async def sign_in(page, url: str, email: str) -> None:
    await page.goto(url + "/sign-in")
    await page.get_by_label("Địa chỉ thư điện tử").fill(email)
    await page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    await page.get_by_role("button", name="Đăng nhập").click()


async def check(page, name: str) -> None:
    """The page as it stands: accessible, no sideways scrolling (and saved, when asked)."""
    await assert_fits_the_phone(page)
    await assert_accessible(page)
    if os.environ.get("SCREENSHOT_DIR"):
        await page.screenshot(path=str(Path(os.environ["SCREENSHOT_DIR"]) / f"{name}.png"), full_page=True)


async def assert_cards(page) -> None:
    """Each row of the page's staff table is a card as wide as the screen allows, and each cell
    shows its column's name."""
    table = page.locator("table.stacked").first
    assert await table.locator("thead").evaluate("e => e.getBoundingClientRect().height") <= 1
    row = table.locator("tbody tr").first
    assert await row.evaluate("e => getComputedStyle(e).display") == "block"
    cells = row.locator("td")
    for n in range(await cells.count()):
        cell = cells.nth(n)
        label = await cell.evaluate("e => getComputedStyle(e, '::before').content")
        assert label == f'"{await cell.get_attribute("data-label")}: "'
        assert await cell.evaluate("e => e.getBoundingClientRect().width") > 250  # not one word per line


async def test_the_organiser_screens_in_bulk_on_a_phone(live_server, page):
    await live_server.load_demo()
    await sign_in(page, live_server.url, "organiser@dongda.demo")
    await page.goto(live_server.url + "/organiser/conferences/1/queue")
    await assert_cards(page)
    await page.get_by_text(re.compile("Có thể trùng với")).first.wait_for()
    await check(page, "queue")
    # No choice: the page says so and keeps what was typed.
    await page.get_by_text("Không chấp nhận các câu hỏi đã chọn").first.click()
    await page.get_by_label("Không thuộc nội dung của hội nghị này").check()
    await page.get_by_label("Lý do gửi đến từng người hỏi").first.fill("Nội dung không thuộc hội nghị.")
    await page.get_by_role("button", name="Không chấp nhận các câu hỏi đã chọn").click()
    await page.get_by_role("link", name="Hãy chọn ít nhất một câu hỏi trong danh sách.").wait_for()
    assert await page.get_by_label("Lý do gửi đến từng người hỏi").first.input_value() \
        == "Nội dung không thuộc hội nghị."
    await check(page, "queue-error")
    # Reject two with one reason.
    await page.goto(live_server.url + "/organiser/conferences/1/queue?q=karaoke")
    boxes = page.locator('input[name="question"]')
    for n in range(await boxes.count()):
        await boxes.nth(n).check()
    await page.get_by_text("Không chấp nhận các câu hỏi đã chọn").first.click()
    await page.get_by_label("Là khiếu nại: giải quyết theo thủ tục riêng").check()
    await page.get_by_label("Lý do gửi đến từng người hỏi").first.fill("Xin gửi đơn đến Ban tiếp công dân.")
    await page.get_by_role("button", name="Không chấp nhận các câu hỏi đã chọn").click()
    await page.get_by_text("Không chấp nhận 2 câu hỏi").wait_for()
    await check(page, "queue-report")
    # The log names what it shows.
    await page.get_by_role("link", name=re.compile("Tiếng ồn karaoke")).first.click()
    await page.wait_for_load_state()  # the click starts a navigation: check the page it leads to
    await check(page, "question")


async def test_the_action_log_and_the_agency_page_on_a_phone(live_server, page):
    await live_server.load_demo()
    await sign_in(page, live_server.url, "organiser@dongda.demo")
    await page.goto(live_server.url + "/organiser/conferences/1/queue?q=hoang+cau")
    await page.locator('input[name="question"]').first.check()
    await page.get_by_role("button", name=re.compile("Chấp nhận các câu hỏi đã chọn")).first.click()
    await page.get_by_text(re.compile("Đã chấp nhận 1 câu hỏi")).wait_for()
    await page.get_by_role("button", name="Đăng xuất").click()

    await sign_in(page, live_server.url, "officer@dongda.demo")
    await assert_cards(page)
    await check(page, "agency-inbox")
    await page.get_by_role("link", name=re.compile("Hoàng Cầu")).first.click()
    await page.get_by_role("textbox", name="Câu trả lời", exact=True).fill("Phường sẽ nạo vét cống trong tháng.")
    await page.get_by_role("button", name="Lưu và trình phê duyệt").click()
    await page.get_by_role("status").filter(has_text="Đã lưu và trình lãnh đạo cơ quan phê duyệt.").wait_for()
    await check(page, "agency-question")
    await page.get_by_role("button", name="Đăng xuất").click()

    await sign_in(page, live_server.url, "admin@dongda.demo")
    await page.goto(live_server.url + "/admin/log")
    await assert_cards(page)
    await page.get_by_role("link", name=re.compile("Hoàng Cầu")).first.wait_for()
    assert not re.search(r"\b(staff_user|question) \d+", await page.locator("main").inner_text())
    await check(page, "admin-log")
    for path in ("/admin/accounts", "/admin/agencies", "/admin/topics", "/organiser/mail", "/organiser/"):
        await page.goto(live_server.url + path)
        await assert_cards(page)
        await check(page, path.strip("/").replace("/", "-") or "home")
