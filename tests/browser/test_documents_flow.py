"""After the session, on a phone: the secretary ends it on the console, the organiser edits the
conclusions notice, previews it and publishes both documents, and anyone reads them from the
conference's public page. axe passes on every page, the printable document included."""

import pytest

from tests.browser.conftest import assert_accessible, assert_fits_the_phone
from tests.browser.test_session_flow import SESSION_TITLE, sign_in


@pytest.fixture(scope="module")
def session_demo(live_server):
    live_server.cli("demo", "load")  # the lively ward, with its second conference in session
    return live_server


async def test_end_edit_publish_and_read_the_documents(session_demo, browser):
    url = session_demo.url
    secretary = await browser.new_context(viewport={"width": 360, "height": 740})
    page = await secretary.new_page()
    try:
        await sign_in(page, url, "secretary@dongda.demo")
        await page.get_by_role("link", name=SESSION_TITLE).click()
        await page.get_by_role("button", name="Kết thúc phiên họp và lập dự thảo văn bản").click()
        await page.get_by_text("Đã ghi nhận thời điểm kết thúc phiên họp").wait_for()
        await assert_accessible(page)
        await assert_fits_the_phone(page)
    finally:
        await secretary.close()

    organiser = await browser.new_context(viewport={"width": 360, "height": 740})
    page = await organiser.new_page()
    try:
        await sign_in(page, url, "organiser@dongda.demo")
        await page.goto(url + "/organiser")
        await page.get_by_role("link", name=SESSION_TITLE).first.click()
        await page.get_by_role("link", name="Biên bản và thông báo kết luận").click()
        await page.get_by_role("heading", level=1, name="Biên bản và thông báo kết luận").wait_for()
        await assert_accessible(page)
        await assert_fits_the_phone(page)
        await page.get_by_role("link", name="Sửa (Thông báo kết luận)").click()
        await page.get_by_label("Trích yếu (dưới tên loại văn bản)").fill(
            "Kết luận của Chủ tịch UBND phường tại hội nghị đối thoại với doanh nghiệp năm 2026")
        new_task = page.locator("fieldset.task-row").last
        await new_task.get_by_label("Nội dung nhiệm vụ (việc cần làm đối với vấn đề)").fill(
            "Tổ chức tập huấn kê khai thuế cho hộ kinh doanh.")
        await new_task.get_by_label("Cơ quan chủ trì").select_option(index=1)
        await new_task.get_by_label("Sản phẩm").fill("Lớp tập huấn")
        await new_task.get_by_label("Thời hạn (ngày/tháng/năm)").fill("31/03/2099")
        await page.get_by_role("button", name="Lưu bản nháp").click()
        await page.get_by_text("Đã lưu.").first.wait_for()
        await assert_accessible(page)
        await assert_fits_the_phone(page)
        await page.get_by_role("link", name="Xem trước văn bản").click()
        await page.get_by_text("DỰ THẢO: văn bản chưa được ban hành.").wait_for()
        await page.get_by_text("Tổ chức tập huấn kê khai thuế cho hộ kinh doanh.").wait_for()
        await page.goto(page.url.split("/documents/")[0] + "/documents/")
        await page.get_by_role("link", name="Ban hành văn bản").click()
        await page.get_by_role("heading", level=1, name="Ban hành văn bản?").wait_for()
        await assert_accessible(page)
        await page.get_by_role("button", name="Ban hành văn bản").click()
        await page.get_by_text("Đã ban hành 2 văn bản.").wait_for()
        await assert_accessible(page)
        await assert_fits_the_phone(page)
    finally:
        await organiser.close()

    public = await browser.new_context(viewport={"width": 360, "height": 740})
    page = await public.new_page()
    try:
        await page.goto(url + "/conferences")
        await page.get_by_role("link", name=SESSION_TITLE).first.click()
        await page.get_by_role("heading", name="Biên bản và thông báo kết luận").wait_for()
        await assert_accessible(page)
        await assert_fits_the_phone(page)
        await page.get_by_role("link", name="Xem và in (Thông báo kết luận").click()
        await page.get_by_text("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM").wait_for()
        await page.get_by_text("Tổ chức tập huấn kê khai thuế cho hộ kinh doanh.").wait_for()
        await assert_accessible(page)
        await assert_fits_the_phone(page)
    finally:
        await public.close()
