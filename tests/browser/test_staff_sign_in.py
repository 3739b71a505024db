"""Every demo role signs in on a phone, lands on its own home, and signs out."""

import pytest

from tests.browser.conftest import assert_accessible, assert_fits_the_phone
from tests.conftest import DEMO_PASSWORD

HOMES = [
    ("admin@dongda.demo", "/admin", "Quản trị"),
    ("organiser@dongda.demo", "/organiser", "Người tổ chức"),
    ("secretary@dongda.demo", "/secretary", "Thư ký"),
    ("officer@dongda.demo", "/agency", "Phòng Kinh tế, Hạ tầng và Đô thị phường Đống Đa"),
    ("head@dongda.demo", "/agency", "Phòng Kinh tế, Hạ tầng và Đô thị phường Đống Đa"),
    ("viewer@dongda.demo", "/dashboard", "Bảng theo dõi"),
]


@pytest.mark.parametrize("email, home, heading", HOMES)
async def test_each_role_signs_in_to_its_home(live_server, page, email, home, heading):
    await page.goto(live_server.url + "/")
    await page.get_by_role("link", name="Cán bộ đăng nhập").click()
    await assert_accessible(page)
    await page.get_by_label("Địa chỉ thư điện tử").fill(email)
    await page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    await page.get_by_role("button", name="Đăng nhập").click()
    await page.wait_for_url(live_server.url + home)
    await page.get_by_role("heading", level=1, name=heading).wait_for()
    await assert_fits_the_phone(page)
    await assert_accessible(page)
    await page.get_by_role("button", name="Đăng xuất").click()
    await page.get_by_text("Bạn đã đăng xuất.").wait_for()


async def test_a_wrong_password_shows_the_error_summary(live_server, page):
    await page.goto(live_server.url + "/sign-in")
    await page.get_by_label("Địa chỉ thư điện tử").fill("organiser@dongda.demo")
    await page.get_by_label("Mật khẩu").fill("không phải mật khẩu")
    await page.get_by_role("button", name="Đăng nhập").click()
    summary = page.get_by_role("alert")
    await summary.get_by_text("Địa chỉ thư điện tử hoặc mật khẩu không đúng.").wait_for()
    assert await page.get_by_label("Địa chỉ thư điện tử").input_value() == "organiser@dongda.demo"
    await assert_accessible(page)


async def test_admin_pages_are_accessible_on_a_phone(live_server, page):
    await page.goto(live_server.url + "/sign-in")
    await page.get_by_label("Địa chỉ thư điện tử").fill("admin@dongda.demo")
    await page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    await page.get_by_role("button", name="Đăng nhập").click()
    await page.wait_for_url(live_server.url + "/admin")
    for path in ("/admin/accounts", "/admin/accounts/new", "/admin/agencies", "/admin/topics", "/admin/topics/1",
                 "/admin/holidays", "/admin/holidays/new", "/admin/units?q=dong+da", "/admin/log"):
        response = await page.goto(live_server.url + path)
        assert response.status == 200, path
        await assert_accessible(page)
