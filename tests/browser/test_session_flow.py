"""The secretary runs the session from the console: three items shown on the screen in turn, an
answer on the spot, a written answer, a commitment, a question from the floor with its printed
slip — on a phone (360 px) and on a laptop (1280 px), with axe passing on every page."""

import re

import pytest

from tests.browser.conftest import assert_accessible, assert_fits_the_phone
from tests.conftest import DEMO_PASSWORD

SESSION_TITLE = "Hội nghị đối thoại giữa Chủ tịch UBND phường Đống Đa với doanh nghiệp, hộ kinh doanh năm 2026"


async def sign_in(page, url: str, email: str) -> None:
    await page.goto(url + "/sign-in")
    await page.get_by_label("Địa chỉ thư điện tử").fill(email)
    await page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    await page.get_by_role("button", name="Đăng nhập").click()


@pytest.fixture(scope="module")
def session_demo(live_server):
    live_server.cli("demo", "load")  # the lively ward, with its second conference in session
    return live_server


@pytest.mark.parametrize("width", [360, 1280])
async def test_the_secretary_runs_three_items_a_floor_question_and_a_commitment(session_demo, browser, width):
    context = await browser.new_context(viewport={"width": width, "height": 800})
    page = await context.new_page()
    try:
        await sign_in(page, session_demo.url, "secretary@dongda.demo")
        await page.get_by_role("link", name=SESSION_TITLE).click()
        await page.get_by_role("heading", level=1, name="Bàn điều hành hội nghị").wait_for()
        await assert_accessible(page)
        if width == 360:
            await assert_fits_the_phone(page)

        # Item 1 on the screen, answered on the spot.
        await page.get_by_role("button", name="Hiện lên màn hình (nội dung 1)").click()
        now = page.locator(".console-now")
        await now.get_by_text("1.", exact=False).first.wait_for()
        await page.get_by_role("link", name="Ghi kết quả (nội dung 1)").click()
        await page.get_by_label("Cơ quan trả lời").select_option(index=1)
        await page.get_by_label("Chức vụ của người trả lời").fill("Trưởng phòng Kinh tế, Hạ tầng và Đô thị")
        await page.get_by_label("Tóm tắt nội dung trả lời").fill("Hồ sơ được giải quyết trong 5 ngày làm việc.")
        await page.get_by_role("button", name="Lưu: đã trả lời trực tiếp").click()
        await page.get_by_text("Đã lưu.").first.wait_for()
        await assert_accessible(page)

        # Item 2: to be answered in writing.
        await page.get_by_role("button", name="Hiện lên màn hình (nội dung 2)").click()
        await page.get_by_role("link", name="Ghi kết quả (nội dung 2)").click()
        await page.get_by_label("Hạn trả lời bằng văn bản (ngày/tháng/năm)").fill("31/12/2099")
        await page.get_by_role("button", name="Lưu: trả lời bằng văn bản").click()
        await page.get_by_text("Đã lưu.").first.wait_for()

        # Item 3: a commitment, due in working days.
        await page.get_by_role("button", name="Hiện lên màn hình (nội dung 3)").click()
        await page.get_by_role("link", name="Ghi kết quả (nội dung 3)").click()
        await page.get_by_label("Việc sẽ thực hiện").first.fill("Kiểm tra phòng cháy tại các cửa hàng nhỏ.")
        await page.get_by_label("Cơ quan chủ trì").first.select_option(index=1)
        await page.get_by_label("Hoặc trong số ngày làm việc").first.fill("10")
        await page.get_by_role("button", name="Ghi cam kết").first.click()
        recorded = page.locator("#commitments + ul")
        await recorded.get_by_text("Kiểm tra phòng cháy tại các cửa hàng nhỏ.").first.wait_for()
        await assert_accessible(page)
        if width == 360:
            await assert_fits_the_phone(page)

        # A question from the floor, and its slip.
        await page.locator("#topic").select_option(index=1)
        await page.get_by_label("Nội dung câu hỏi", exact=True).fill(
            "Đề nghị phường hướng dẫn thủ tục cấp phép biển hiệu.")
        await page.get_by_role("button", name="Ghi câu hỏi").click()
        await page.get_by_text("Câu hỏi đã được ghi và xếp sau nội dung đang thảo luận.").wait_for()
        await page.get_by_role("link", name="In phiếu có mã theo dõi").click()
        code = (await page.locator(".slip .tracking-code").inner_text()).strip()
        assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{5}", code)
        await assert_accessible(page)
        if width == 360:
            await assert_fits_the_phone(page)
        track = await page.goto(session_demo.url + f"/q/{code}")
        assert track.status == 200
    finally:
        await context.close()
