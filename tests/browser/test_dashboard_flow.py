"""A leader on a phone: the ward's dashboard for last month, which agency is late, the late items
behind the figure (their count is the figure's), and the month's report downloaded as a Word file
ready for the meeting. axe passes on each page, each fits 360 px, the Nu HTML checker sees them all."""

import asyncio
import datetime as dt
import io
import re
from pathlib import Path

import pytest
from docx import Document

from dialogue.core.db import bind_engine, close_engine, make_engine
from dialogue.piccolo_app import ALL_TABLES
from tests.browser.conftest import assert_accessible, assert_fits_the_phone
from tests.browser.test_staff_pages import sign_in
from tests.conftest import make_settings
from tests.pinned import TODAY

pytestmark = pytest.mark.xdist_group("dashboard_flow")


async def load_lively(database_url: str) -> None:
    from dialogue.demo import load_demo

    engine = make_engine(make_settings(database_url))
    bind_engine(engine, ALL_TABLES)
    try:
        await load_demo(TODAY, lively=True)  # a month of the ward's work up to the pinned day
    finally:
        await close_engine(engine)


@pytest.fixture(scope="module")
def lively(live_server):
    asyncio.run(load_lively(live_server.database_url))
    return live_server


async def test_a_leader_finds_the_late_agency_and_takes_the_report_to_the_meeting(lively, page):
    await sign_in(page, lively.url, "viewer@dongda.demo")
    await page.wait_for_url(re.compile("/dashboard"))
    await assert_accessible(page)
    # Last month, chosen as a leader would: the form works without JavaScript.
    last_month = (TODAY.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    await page.get_by_label("Khoảng thời gian").select_option(last_month)
    await page.get_by_role("button", name="Xem").click()
    await page.wait_for_url(re.compile(f"period={last_month}"))
    await assert_fits_the_phone(page)
    await assert_accessible(page)
    await page.get_by_role("img", name=re.compile("Tỷ lệ trả lời đúng hạn theo cơ quan")).wait_for()

    # The ranking puts the late agency first; it has answers overdue now.
    first = page.locator("tr.agency-row").first
    agency = (await first.locator("th").inner_text()).strip()
    overdue_link = first.get_by_role("link", name=re.compile(r"\d+ câu hỏi"))
    shown = int(re.search(r"(\d+)", await overdue_link.inner_text()).group(1))
    assert shown > 0, f"{agency} is ranked first but has nothing overdue"
    await overdue_link.click()
    await page.wait_for_url(re.compile("/dashboard/items"))
    assert int(await page.locator("#item-count").get_attribute("data-count")) == shown
    assert await page.locator("tr.item-row").count() == min(shown, 50)
    await page.get_by_text(agency).first.wait_for()
    await assert_fits_the_phone(page)
    await assert_accessible(page)

    # Back to the dashboard, and the month's report as a Word document.
    await page.get_by_role("link", name=re.compile("Quay lại bảng theo dõi")).click()
    async with page.expect_download() as download_info:
        await page.get_by_role("link", name="Word").click()
    download = await download_info.value
    assert download.suggested_filename.endswith(".docx")
    document = Document(io.BytesIO(Path(await download.path()).read_bytes()))
    text = "\n".join(p.text for p in document.paragraphs) + "\n".join(
        cell.text for table in document.tables for row in table.rows for cell in row.cells)
    assert "BÁO CÁO" in text and agency in text
