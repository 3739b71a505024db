"""Public accountability on a phone: the concluded conference's results (filtered without
JavaScript by the GET form, searched without accents), a commitment's history, the agencies' list
and an agency's page with its figures. axe passes, the pages fit 360 px, and the Nu HTML checker
sees every page."""

import re

import pytest

from tests.browser.conftest import assert_accessible, assert_fits_the_phone

CONCLUDED = "Hội nghị đối thoại chuyên đề về trật tự đô thị và vệ sinh môi trường phường Đống Đa năm 2026"
LIGHTS = "Thay thế bốn cột đèn hỏng trong ngõ 180 Tây Sơn"
OVERDUE = "Kiểm tra, lập biên bản và xử lý công trình xây dựng tại số 15 ngõ Thịnh Hào 1"
ECONOMY = "Phòng Kinh tế, Hạ tầng và Đô thị phường Đống Đa"


@pytest.fixture(scope="module")
def lively(live_server):
    live_server.cli("demo", "load")  # the lively ward, with its concluded conference followed up
    return live_server


async def test_the_results_page_on_a_phone(lively, page):
    await page.goto(lively.url + "/conferences")
    await page.get_by_role("link", name=CONCLUDED).first.click()
    await page.get_by_role("link", name="Kết quả: trả lời và cam kết").click()
    await page.get_by_role("heading", level=1, name="Kết quả của hội nghị").wait_for()
    await page.get_by_text(re.compile(r"Quá hạn \d+ ngày làm việc")).first.wait_for()
    await assert_accessible(page)
    await assert_fits_the_phone(page)

    await page.get_by_label("Tìm kiếm (có dấu hoặc không dấu)").fill("den chieu sang")
    await page.get_by_role("button", name="Xem").click()
    await page.get_by_text(LIGHTS, exact=True).wait_for()
    assert await page.locator(".commitment strong", has_text=OVERDUE).count() == 0
    await page.get_by_label("Tình trạng cam kết").select_option(label="Quá hạn")
    await page.get_by_role("button", name="Xem").click()
    await page.get_by_text("Không có kết quả nào khớp với bộ lọc.", exact=False).wait_for()
    await assert_accessible(page)
    await page.get_by_role("link", name="Bỏ bộ lọc").click()
    await page.locator(".commitment strong", has_text=OVERDUE).wait_for()

    await page.get_by_role("link", name="Quá trình thực hiện và minh chứng").nth(3).click()
    await page.get_by_role("heading", level=1, name="Cam kết và quá trình theo dõi thực hiện").wait_for()
    await assert_accessible(page)
    await assert_fits_the_phone(page)


async def test_an_agency_page_on_a_phone(lively, page):
    await page.goto(lively.url + "/")
    await page.get_by_role("link", name="Các cơ quan và kết quả thực hiện").click()
    await page.get_by_role("heading", level=1, name="Cơ quan", exact=True).wait_for()
    await assert_accessible(page)
    await assert_fits_the_phone(page)
    await page.get_by_role("link", name=ECONOMY).click()
    await page.get_by_role("heading", level=1, name=ECONOMY).wait_for()
    await page.get_by_role("heading", level=2, name="Số liệu").wait_for()
    await page.get_by_text("Cam kết đã thực hiện", exact=True).wait_for()
    await page.get_by_role("link", name=OVERDUE).wait_for()
    await assert_accessible(page)
    await assert_fits_the_phone(page)
