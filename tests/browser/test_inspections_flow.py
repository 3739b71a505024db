"""Surprise re-inspection on a phone: the inspector lands on the area's rounds, opens the demo's
closed round, is told clearly what is wrong with a bad plan, plans a round and records a visit; anyone
reads the closed round's report from the concluded conference's page. axe passes, the pages fit
360 px, and the Nu HTML checker sees every page."""

import pytest

from tests.browser.conftest import assert_accessible, assert_fits_the_phone
from tests.browser.test_session_flow import sign_in

CONCLUDED = "Hội nghị đối thoại chuyên đề về trật tự đô thị và vệ sinh môi trường phường Đống Đa năm 2026"
ROUND = "Kiểm tra đột xuất việc thực hiện cam kết sau Hội nghị đối thoại chuyên đề về trật tự đô thị"


@pytest.fixture(scope="module")
def lively(live_server):
    live_server.cli("demo", "load")  # the lively ward, with its concluded conference followed up and inspected
    return live_server


async def test_the_inspector_plans_and_records_and_anyone_reads_the_report(lively, page):
    await sign_in(page, lively.url, "inspector@dongda.demo")
    await page.get_by_role("heading", level=1, name="Kiểm tra đột xuất").wait_for()
    await assert_accessible(page)
    await assert_fits_the_phone(page)
    await page.get_by_label("Báo cáo hoàn thành từ ngày (ngày/tháng/năm)").fill("01/01/2020")
    await page.get_by_label("Đến ngày (ngày/tháng/năm)").fill("ngày mai")
    await page.get_by_label("Số cam kết chọn ngẫu nhiên").fill("0")
    await page.get_by_role("button", name="Chọn mẫu kiểm tra").click()
    await page.get_by_text("Nhập một số nguyên từ 1 đến 500.").first.wait_for()
    await assert_accessible(page)
    await assert_fits_the_phone(page)
    await page.get_by_label("Đến ngày (ngày/tháng/năm)").fill("31/12/2020")
    await page.get_by_label("Số cam kết chọn ngẫu nhiên").fill("1")
    await page.get_by_role("button", name="Chọn mẫu kiểm tra").click()
    await page.get_by_text("Không có cam kết nào của địa bàn").first.wait_for()
    await page.get_by_role("link", name=ROUND).first.click()
    await page.get_by_text("Chưa thực hiện").first.wait_for()
    await assert_accessible(page)
    await assert_fits_the_phone(page)
    await page.get_by_role("link", name="Báo cáo công khai").click()
    await page.get_by_role("heading", level=1, name="Báo cáo kiểm tra đột xuất").wait_for()

    await page.get_by_role("button", name="Đăng xuất").click()
    await page.goto(lively.url + "/conferences")
    await page.get_by_role("link", name=CONCLUDED).first.click()
    await page.get_by_role("link", name=ROUND).click()
    await page.get_by_role("heading", level=1, name="Báo cáo kiểm tra đột xuất").wait_for()
    await page.get_by_text("Thực hiện một phần").first.wait_for()
    await assert_accessible(page)
    await assert_fits_the_phone(page)
