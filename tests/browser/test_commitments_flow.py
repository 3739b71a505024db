"""The follow-up of commitments on a phone: the agency officer finds the overdue commitment in the
agency's list and posts a progress note; the organiser filters the conference's commitments and
opens one; anyone reads the follow-up on the concluded conference's public page. axe passes, the
pages fit 360 px, and the Nu HTML checker sees every page."""

import pytest

from tests.browser.conftest import assert_accessible, assert_fits_the_phone
from tests.browser.test_session_flow import sign_in

CONCLUDED = "Hội nghị đối thoại chuyên đề về trật tự đô thị và vệ sinh môi trường phường Đống Đa năm 2026"
OVERDUE = "Kiểm tra, lập biên bản và xử lý công trình xây dựng tại số 15 ngõ Thịnh Hào 1"


@pytest.fixture(scope="module")
def lively(live_server):
    live_server.cli("demo", "load")  # the lively ward, with its concluded conference followed up
    return live_server


async def test_an_officer_posts_progress_on_an_overdue_commitment(lively, page):
    await sign_in(page, lively.url, "officer@dongda.demo")
    await page.goto(lively.url + "/agency/commitments/")
    await page.get_by_role("heading", level=1, name="Các cam kết của cơ quan").wait_for()
    await assert_accessible(page)
    await assert_fits_the_phone(page)
    await page.get_by_role("link", name=OVERDUE).click()
    await page.get_by_text("Quá hạn").first.wait_for()
    await page.get_by_role("textbox", name="Cập nhật tiến độ").fill("Đã lập biên bản vi phạm; chờ quyết định xử phạt.")
    await page.get_by_label("Phần trăm khối lượng đã hoàn thành").fill("abc")
    await page.get_by_role("button", name="Đăng cập nhật").click()
    await page.get_by_text("Nhập một số nguyên từ 0 đến 100.").first.wait_for()
    await assert_accessible(page)
    await page.get_by_label("Phần trăm khối lượng đã hoàn thành").fill("50")
    await page.get_by_role("button", name="Đăng cập nhật").click()
    await page.get_by_text("Đã đăng cập nhật tiến độ lên diễn biến công khai.").wait_for()
    await page.get_by_text("Đã lập biên bản vi phạm; chờ quyết định xử phạt.").first.wait_for()
    await assert_accessible(page)
    await assert_fits_the_phone(page)


async def test_the_organiser_filters_and_the_public_reads_the_follow_up(lively, page):
    await sign_in(page, lively.url, "organiser@dongda.demo")
    await page.goto(lively.url + "/organiser")
    await page.get_by_role("link", name=CONCLUDED).first.click()
    await page.get_by_role("link", name="Các cam kết", exact=True).click()
    await page.get_by_role("heading", level=1, name="Các cam kết của hội nghị").wait_for()
    await page.get_by_label("Chỉ cam kết quá hạn").check()
    await page.get_by_role("button", name="Lọc").click()
    await page.get_by_role("link", name=OVERDUE).wait_for()
    assert await page.get_by_role("link", name="Thay thế bốn cột đèn hỏng").count() == 0
    await assert_accessible(page)
    await assert_fits_the_phone(page)
    await page.get_by_role("link", name=OVERDUE).click()
    await page.get_by_role("heading", name="Gia hạn thời hạn").wait_for()
    await assert_accessible(page)
    await assert_fits_the_phone(page)

    await page.get_by_role("button", name="Đăng xuất").click()
    await page.goto(lively.url + "/conferences")
    await page.get_by_role("link", name=CONCLUDED).first.click()
    section = page.locator("#commitments")
    await section.get_by_text("Thay thế bốn cột đèn hỏng trong ngõ 180 Tây Sơn").wait_for()
    await section.get_by_text("Đã thực hiện").first.wait_for()  # verified: kept
    await section.get_by_text("thời hạn ban đầu").first.wait_for()  # the extended one keeps its first date
    await assert_accessible(page)
    await assert_fits_the_phone(page)
