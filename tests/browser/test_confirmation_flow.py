"""The asker's word on a phone: an officer reports a commitment done with a photo as evidence; a
week later the reminder job e-mails the asker a confirmation link; the resident opens it on a 360 px
phone and says "no", with a reason (a first try without one keeps nothing lost); the organiser finds
the disputed commitment first on the conference's list. axe passes on every page, the pages fit
360 px, and the Nu HTML checker sees every page."""

import datetime as dt
import re

import pytest

from tests.browser.conftest import assert_accessible, assert_fits_the_phone
from tests.browser.test_session_flow import sign_in
from tests.pinned import NOW
from tests.test_commitments import jpeg_with_exif

CONCLUDED = "Hội nghị đối thoại chuyên đề về trật tự đô thị và vệ sinh môi trường phường Đống Đa năm 2026"
DRAINAGE = "Khảo sát và lập phương án cải tạo rãnh thoát nước ngõ 42 phố Hoàng Cầu"
REASON = "Mới nạo vét một nửa ngõ, đoạn cuối ngõ 42 vẫn ngập khi mưa."


@pytest.fixture(scope="module")
def lively(live_server):
    live_server.cli("demo", "load")  # the lively ward, with its concluded conference followed up
    return live_server


async def confirmation_link(database_url: str, base_url: str, commitment_id: int) -> str:
    """Run the reminder job a week and a day later, as the app's would, and read the link it e-mailed."""
    from dialogue.commitments import reminders
    from dialogue.core.db import bind_engine, close_engine, make_engine
    from dialogue.mail.tables import OutboxMessage
    from dialogue.piccolo_app import ALL_TABLES
    from tests.conftest import make_settings

    engine = make_engine(make_settings(database_url))
    bind_engine(engine, ALL_TABLES)
    try:
        await reminders.tick(NOW + dt.timedelta(days=8), base_url)
        mail = await OutboxMessage.select(OutboxMessage.text_body).where(
            (OutboxMessage.kind == "commitment_confirm")
            & OutboxMessage.text_body.like(f"%/confirm/{commitment_id}.%")).first()
    finally:
        await close_engine(engine)
    return re.search(r"/confirm/(\S+)", mail["text_body"]).group(1)


async def test_the_resident_disputes_a_report_from_the_email_link(lively, page):
    await sign_in(page, lively.url, "officer@dongda.demo")
    await page.goto(lively.url + "/agency/commitments/")
    await page.get_by_role("link", name=DRAINAGE).click()
    commitment_id = int(re.search(r"/commitments/(\d+)", page.url).group(1))
    await page.get_by_label("Tài liệu hoặc ảnh").set_input_files(
        files=[{"name": "rãnh-sau-nạo-vét.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_exif()}])
    await page.get_by_role("button", name="Đính kèm", exact=True).click()
    await page.get_by_text("Đã đính kèm tệp").wait_for()
    await page.get_by_role("textbox", name="Những việc đã làm").fill("Đã nạo vét và thay nắp toàn bộ rãnh ngõ 42.")
    await page.get_by_role("button", name="Báo cáo hoàn thành").click()
    await page.get_by_text("Đã báo cáo hoàn thành.").wait_for()
    await assert_accessible(page)
    await page.get_by_role("button", name="Đăng xuất").click()

    token = await confirmation_link(lively.database_url, lively.url, commitment_id)
    await page.goto(f"{lively.url}/confirm/{token}")
    await page.get_by_role("heading", level=1, name="Việc này đã thực sự được làm chưa?").wait_for()
    await page.get_by_text("Đã nạo vét và thay nắp toàn bộ rãnh ngõ 42.").wait_for()
    await assert_accessible(page)
    await assert_fits_the_phone(page)
    await page.get_by_role("button", name="Gửi: việc này chưa được làm").click()  # nothing typed yet
    await page.get_by_text("Hãy cho biết việc gì vẫn chưa được làm.").first.wait_for()
    await assert_accessible(page)
    await assert_fits_the_phone(page)
    await page.get_by_role("textbox", name="Việc gì vẫn chưa được làm?").fill(REASON)
    await page.get_by_role("button", name="Gửi: việc này chưa được làm").click()
    await page.get_by_role("heading", level=1, name="Xin cảm ơn").wait_for()
    await assert_accessible(page)
    await assert_fits_the_phone(page)
    await page.get_by_role("link", name=re.compile("Xem tình hình câu hỏi")).click()
    await page.get_by_text(REASON).first.wait_for()  # on the public timeline
    await page.get_by_role("link", name="rãnh-sau-nạo-vét.jpg").first.wait_for()  # the evidence, public
    await assert_accessible(page)
    # the link works once
    again = await page.goto(f"{lively.url}/confirm/{token}")
    assert again.status == 410
    await assert_accessible(page)

    await sign_in(page, lively.url, "organiser@dongda.demo")
    await page.goto(lively.url + "/organiser")
    await page.get_by_role("link", name=CONCLUDED).first.click()
    await page.get_by_role("link", name="Các cam kết", exact=True).click()
    await page.get_by_role("heading", level=1, name="Các cam kết của hội nghị").wait_for()
    # the disputed ones first (the demo's, its inspection's "not done" and this one), this one among them
    rows = await page.locator("table tbody tr").all_inner_texts()
    disputed = [n for n, text in enumerate(rows) if "Có ý kiến chưa đồng ý" in text]
    assert len(disputed) >= 2 and disputed == list(range(len(disputed)))
    assert any(DRAINAGE in rows[n] for n in disputed)
    await assert_accessible(page)
    await assert_fits_the_phone(page)
    await page.get_by_role("link", name=DRAINAGE).click()
    await page.get_by_text(REASON).first.wait_for()
    await assert_accessible(page)
