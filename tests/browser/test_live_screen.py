"""The screen in the hall follows the secretary: three items shown in turn, a question from the floor
and a commitment recorded, while a second browser shows the hall screen (1920×1080) and a third the
public live page on a phone; each changes within two seconds without being reloaded. A second person
on the console sees the secretary's changes too. axe and the Nu HTML checker pass on the console,
the hall screen (also at 1280×720, without scrolling) and the live page."""

import time

import pytest

from tests.browser.conftest import PHONE, assert_accessible, assert_fits_the_phone
from tests.browser.test_session_flow import SESSION_TITLE, sign_in

ITEMS = ["Thời gian giải quyết thủ tục cấp phép quảng cáo", "Đăng ký hộ kinh doanh trực tuyến",
         "Kiểm tra phòng cháy tại các cửa hàng nhỏ"]  # the demo session's agenda, grouped by topic
WITHIN_MS = 2000
PROMISE = "Kiểm tra phòng cháy tại các cửa hàng nhỏ trong quý I."
FLOOR = "Đề nghị phường hướng dẫn thủ tục cấp phép biển hiệu."


@pytest.fixture(scope="module")
def session_demo(live_server):
    live_server.cli("demo", "load")  # the lively ward, with its second conference in session
    return live_server


async def not_reloaded(page) -> bool:
    """The marker set when the page was loaded is still there: the page was updated in place."""
    return await page.evaluate("window.__marker === 'loaded once'")


async def no_scrolling(page) -> bool:
    return await page.evaluate("document.documentElement.scrollHeight <= document.documentElement.clientHeight")


async def test_the_hall_screen_and_the_live_page_follow_the_secretary(session_demo, browser, html_pages):
    contexts = []

    async def open_context(**options):
        context = await browser.new_context(**options)
        html_pages.watch(context)
        contexts.append(context)
        return await context.new_page()

    try:
        console = await open_context(viewport={"width": 1280, "height": 800})
        await sign_in(console, session_demo.url, "secretary@dongda.demo")
        await console.get_by_role("link", name=SESSION_TITLE).click()
        await console.get_by_role("heading", level=1, name="Bàn điều hành hội nghị").wait_for()
        console_url = console.url
        await assert_accessible(console)

        # The projector's computer: not signed in, opens the address the console links.
        screen_path = await console.get_by_role("link", name="Mở màn hình hội trường").get_attribute("href")
        live_path = await console.get_by_role("link", name="Trang theo dõi trực tiếp").get_attribute("href")
        screen = await open_context(viewport={"width": 1920, "height": 1080})
        await screen.goto(session_demo.url + screen_path)
        await screen.get_by_text("Đã kết nối").wait_for(timeout=WITHIN_MS)
        await screen.evaluate("window.__marker = 'loaded once'")
        assert await screen.locator(".screen__qr svg").count() == 1
        await assert_accessible(screen)

        phone = await open_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
        await phone.goto(session_demo.url + live_path)
        await phone.get_by_role("heading", level=1, name="Trực tiếp từ hội nghị").wait_for()
        await phone.get_by_text("Cập nhật ngay khi có thay đổi").wait_for(timeout=WITHIN_MS)
        await phone.evaluate("window.__marker = 'loaded once'")
        await assert_accessible(phone)
        await assert_fits_the_phone(phone)

        # A second person on the console (an organiser) follows the secretary's changes.
        other = await open_context(viewport={"width": 1280, "height": 800})
        await sign_in(other, session_demo.url, "organiser@dongda.demo")
        await other.goto(console_url)
        await other.get_by_text("Thay đổi của người khác hiện ra ngay khi được lưu").wait_for(timeout=WITHIN_MS)
        await other.evaluate("window.__marker = 'loaded once'")

        for n, title in enumerate(ITEMS, start=1):
            await console.get_by_role("button", name=f"Hiện lên màn hình (nội dung {n})").click()
            await console.get_by_text("Đã lưu.").first.wait_for()
            started = time.monotonic()
            await screen.locator(".screen__heading", has_text=title).wait_for(timeout=WITHIN_MS)
            await screen.locator(".screen__position", has_text=f"Câu hỏi {n}/").wait_for(timeout=WITHIN_MS)
            await phone.locator("[aria-current='step']", has_text=title).wait_for(timeout=WITHIN_MS)
            await other.locator(".console-now", has_text=title).wait_for(timeout=WITHIN_MS)
            assert time.monotonic() - started < 2.5
            assert await not_reloaded(screen) and await not_reloaded(phone) and await not_reloaded(other)
            assert await no_scrolling(screen)
        await assert_accessible(screen)
        await screen.set_viewport_size({"width": 1280, "height": 720})
        assert await no_scrolling(screen)
        await assert_accessible(screen)

        # A commitment for item 3: the live page shows it.
        await console.get_by_role("link", name="Ghi kết quả (nội dung 3)").click()
        await console.get_by_label("Việc sẽ thực hiện").first.fill(PROMISE)
        await console.get_by_label("Cơ quan chủ trì").first.select_option(index=1)
        await console.get_by_label("Hoặc trong số ngày làm việc").first.fill("10")
        await console.get_by_role("button", name="Ghi cam kết").first.click()
        await console.get_by_text("Đã lưu.").first.wait_for()
        await phone.get_by_text(PROMISE).wait_for(timeout=WITHIN_MS)
        await phone.get_by_text("Trang đã được cập nhật.").wait_for(state="attached", timeout=WITHIN_MS)

        # The organiser starts typing the conclusions: the secretary's next change does not touch them,
        # a banner offers to reload instead.
        await other.locator("#conclusions").fill("Đang soạn kết luận…")

        # A question from the floor, shown at once: the screen follows.
        await console.locator("#topic").select_option(index=1)
        await console.get_by_label("Nội dung câu hỏi", exact=True).fill(FLOOR)
        await console.get_by_label("Hiện lên màn hình ngay").check()
        await console.get_by_role("button", name="Ghi câu hỏi").click()
        await console.get_by_text("Câu hỏi đã được ghi và xếp sau nội dung đang thảo luận.").wait_for()
        await screen.get_by_text(FLOOR).first.wait_for(timeout=WITHIN_MS)
        await other.get_by_text("Có thay đổi mới từ người khác").wait_for(timeout=WITHIN_MS)
        assert await other.locator("#conclusions").input_value() == "Đang soạn kết luận…"
        assert await not_reloaded(screen) and await not_reloaded(phone) and await not_reloaded(other)

        await assert_accessible(console)
        await assert_accessible(other)
        await assert_accessible(screen)
        await assert_accessible(phone)
        await assert_fits_the_phone(phone)
    finally:
        await html_pages.settle()
        for context in contexts:
            await context.close()


async def test_the_hall_screen_and_the_live_page_without_javascript(session_demo, browser, html_pages):
    context = await browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 720})
    html_pages.watch(context)
    page = await context.new_page()
    try:
        await page.goto(session_demo.url + "/")
        await page.get_by_role("link", name=SESSION_TITLE).first.click()
        await page.get_by_role("link", name="Theo dõi trực tiếp hội nghị").click()
        await page.get_by_role("heading", level=1, name="Trực tiếp từ hội nghị").wait_for()
        await page.get_by_text("Tự cập nhật sau mỗi 30 giây").wait_for()
        screen = page.url.replace("/live", "/screen")
        await page.goto(screen)
        await page.get_by_text("Tự cập nhật sau mỗi 10 giây").wait_for()
        assert await no_scrolling(page)
    finally:
        await html_pages.settle()
        await context.close()
