"""An asker rates the answer to their question on a phone, through their private link: a mistake
comes back with its message and the choices kept, then the thank-you shows what they gave; the
concluded conference's page shows its figures. axe passes, the pages fit 360 px, and the Nu HTML
checker sees every page."""

import pytest

from tests.browser.conftest import assert_accessible, assert_fits_the_phone

MAIN = "Hội nghị đối thoại giữa Chủ tịch UBND phường Đống Đa với Nhân dân năm 2026"
CONCLUDED = "Hội nghị đối thoại chuyên đề về trật tự đô thị và vệ sinh môi trường phường Đống Đa năm 2026"


@pytest.fixture(scope="module")
def lively(live_server):
    live_server.cli("demo", "load")  # the lively ward: answers published, the concluded conference rated
    return live_server


async def test_an_asker_rates_the_answer_on_a_phone(lively, page):
    await page.goto(lively.url + "/conferences")
    await page.get_by_role("link", name=MAIN).first.click()
    await page.get_by_role("link", name="Đọc toàn bộ câu trả lời").first.click()
    code = page.url.rstrip("/").rsplit("/", 1)[-1]
    await page.locator("#rate").wait_for()  # the public page says how the asker rates, without a form
    assert await page.locator("#rate form").count() == 0
    # the demo's private links: the code without dashes, then "-demo" (the real one is e-mailed at intake)
    await page.goto(f"{lively.url}/q/{code}/manage/{code.replace('-', '')}-demo")
    await page.get_by_role("heading", level=2, name="Đánh giá câu trả lời và các cam kết").wait_for()
    await assert_accessible(page)
    await assert_fits_the_phone(page)

    form = page.locator("#rate-answer form")
    await form.get_by_role("group", name="Tiếp cận thông tin").get_by_label("4 – hài lòng").check()
    await form.get_by_role("group", name="Thái độ của cán bộ, công chức").get_by_label("5 – rất hài lòng").check()
    await form.get_by_label("Góp ý").fill("Cán bộ trả lời rõ ràng.")
    await form.get_by_role("button", name="Gửi đánh giá").click()  # without the overall score
    await page.get_by_role("alert").get_by_text("Chọn mức độ hài lòng chung của bạn, từ 1 đến 5.").wait_for()
    form = page.locator("#rate-answer form")
    assert await form.get_by_role("group", name="Tiếp cận thông tin").get_by_label("4 – hài lòng").is_checked()
    assert await form.get_by_label("Góp ý").input_value() == "Cán bộ trả lời rõ ràng."
    await assert_accessible(page)
    await assert_fits_the_phone(page)

    await form.get_by_role("group", name="Nhìn chung, bạn hài lòng đến mức nào?").get_by_label(
        "4 – hài lòng").check()
    await form.get_by_role("button", name="Gửi đánh giá").click()
    await page.get_by_text("Cảm ơn bạn đã đánh giá.").wait_for()
    assert await page.locator("#rate-answer form").count() == 0
    await page.locator("#rate-answer").get_by_text("Cán bộ trả lời rõ ràng.").wait_for()
    await assert_accessible(page)
    await assert_fits_the_phone(page)


async def test_the_concluded_conference_shows_its_askers_satisfaction(lively, page):
    await page.goto(lively.url + "/conferences")
    await page.get_by_role("link", name=CONCLUDED).first.click()
    section = page.locator("#satisfaction")
    await section.get_by_role("heading", name="Mức độ hài lòng của người đặt câu hỏi").wait_for()
    await section.get_by_text("Từ 6 lượt đánh giá").wait_for()
    await assert_accessible(page)
    await assert_fits_the_phone(page)


async def test_the_organiser_reads_the_figures_and_comments(lively, page):
    from tests.browser.test_session_flow import sign_in

    await sign_in(page, lively.url, "organiser@dongda.demo")
    await page.goto(lively.url + "/organiser")
    await page.get_by_role("link", name=CONCLUDED).first.click()
    await page.get_by_role("link", name="Đánh giá mức độ hài lòng").click()
    await page.get_by_role("heading", level=1, name="Đánh giá mức độ hài lòng").wait_for()
    await page.get_by_text("Đèn đã sáng, cảm ơn phường.").wait_for()  # a demo comment, for staff only
    await assert_accessible(page)
    await assert_fits_the_phone(page)
