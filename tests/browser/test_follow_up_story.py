"""A commitment's whole story, walked through the real pages on a 360 px phone, each person signed in
through the sign-in page: the lead agency's officer posts progress with a geotagged photo and reports
the work done; a week later the asker, from the e-mailed link, says "no" with a reason; the organiser
finds the dispute first on the conference's list; the agency takes the work up again and reports it
done again; an inspector plans a surprise round over that day, finds it done and closes the round;
then anyone reads the whole story, in order, on the question's page, the commitment's page, the
conference's results and the lead agency's page, with no staff name, no asker contact and no GPS in
the photo. axe passes on every page, the pages fit 360 px, and the Nu HTML checker sees every page."""

import io
import re

import pytest

from tests.browser.conftest import assert_accessible, assert_fits_the_phone
from tests.browser.test_confirmation_flow import confirmation_link
from tests.browser.test_session_flow import sign_in
from tests.pinned import TODAY

CONCLUDED = "Hội nghị đối thoại chuyên đề về trật tự đô thị và vệ sinh môi trường phường Đống Đa năm 2026"
DRAINAGE = "Khảo sát và lập phương án cải tạo rãnh thoát nước ngõ 42 phố Hoàng Cầu"
ECONOMY = "Phòng Kinh tế, Hạ tầng và Đô thị phường Đống Đa"
PHOTO = "rãnh-ngõ-42.jpg"
NOTE = "Đã nạo vét ba phần tư chiều dài rãnh, đang thay nắp đan."
FIRST_DONE = "Đã nạo vét và thay nắp toàn bộ rãnh ngõ 42."
REASON = "Đoạn cuối ngõ 42 chưa được nạo vét, mưa vẫn ngập."
SECOND_DONE = "Đã nạo vét nốt đoạn cuối ngõ 42 và thông tuyến ra cống chính."
FINDINGS = "Rãnh thông suốt đến cuối ngõ, nắp đan mới, không còn đọng nước."
STORY = [  # the commitment's public timeline, in this order
    "Cập nhật tiến độ (75%)", NOTE, "Đã đính kèm minh chứng", PHOTO, "Cơ quan báo cáo đã hoàn thành", FIRST_DONE,
    "Báo cáo bị phản hồi là chưa đạt: việc thực hiện được mở lại (ý kiến của người hỏi)", REASON,
    "Đã tiếp tục thực hiện", "Cơ quan báo cáo đã hoàn thành", SECOND_DONE,
    "Kiểm tra đột xuất: đã thực hiện (kiểm tra ngày", FINDINGS, "Báo cáo kiểm tra đột xuất",
]
# Who must never show publicly: the staff who acted (the demo's accounts), nor the asker's contacts.
STAFF = ["officer@dongda.demo", "Lê Văn Hùng", "organiser@dongda.demo", "Nguyễn Thị Lan",
         "inspector@dongda.demo", "Bùi Thị Mai"]


def geotagged_jpeg() -> bytes:
    """A real photo as a phone takes it: a JPEG with the place it was taken in its EXIF GPS data."""
    from PIL import Image

    exif = Image.Exif()
    exif.get_ifd(0x8825).update({1: "N", 2: (21.0, 1.0, 30.0), 3: "E", 4: (105.0, 49.0, 12.0)})
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 110, 80)).save(out, "JPEG", exif=exif)
    return out.getvalue()


def gps_of(jpeg: bytes) -> dict:
    from PIL import Image

    return dict(Image.open(io.BytesIO(jpeg)).getexif().get_ifd(0x8825))


async def asker_contacts(database_url: str, commitment_id: int) -> list[str]:
    """The asker's name, e-mail and phone, which no public page may show."""
    from dialogue.commitments.tables import Commitment
    from dialogue.core.db import bind_engine, close_engine, make_engine
    from dialogue.piccolo_app import ALL_TABLES
    from dialogue.questions.tables import Question
    from tests.conftest import make_settings

    engine = make_engine(make_settings(database_url))
    bind_engine(engine, ALL_TABLES)
    try:
        commitment = await Commitment.select(Commitment.question).where(Commitment.id == commitment_id).first()
        asker = await Question.select(Question.asker_name, Question.asker_email, Question.asker_phone).where(
            Question.id == commitment["question"]).first()
    finally:
        await close_engine(engine)
    return [value for value in asker.values() if value]


async def timeline_of(page, scope="") -> str:
    """The text of the drainage commitment's public timeline on this page."""
    item = page.locator(f"{scope} li.commitment", has_text=DRAINAGE)
    return await item.locator("ol.timeline").inner_text()


def assert_in_order(text: str, parts: list[str]) -> None:
    at = 0
    for part in parts:
        found = text.find(part, at)
        assert found >= 0, f"{part!r} missing (or out of order) after position {at} in:\n{text}"
        at = found + len(part)


async def assert_tells_no_one(page, contacts: list[str]) -> None:
    text = await page.locator("main").inner_text()
    for secret in [*STAFF, *contacts]:
        assert secret not in text


@pytest.fixture(scope="module")
def lively(live_server):
    live_server.cli("demo", "load")  # the lively ward, with its concluded conference followed up and inspected
    return live_server


async def inspection_figure(page, url: str) -> tuple[int, int, int]:
    """On the lead agency's public page, the figure "found done by surprise inspections" (found done,
    checked) and the rows found done of the list it is counted from."""
    await page.goto(url + "/agencies")
    await page.get_by_role("link", name=ECONOMY).click()
    value = await page.locator("#figure-inspected .figure__value").inner_text()
    done, checked = value.split("/")
    return int(done), int(checked), await page.locator("tr.finding-row[data-finding=done]").count()


async def test_a_commitment_is_followed_until_an_inspection_finds_it_done(lively, page):
    url = lively.url
    done_before, checked_before, rows_before = await inspection_figure(page, url)

    # 1. The lead agency's officer: progress with a geotagged photo, then "done".
    await sign_in(page, url, "officer@dongda.demo")
    await page.goto(url + "/agency/commitments/")
    await page.get_by_role("link", name=DRAINAGE).click()
    commitment_id = int(re.search(r"/commitments/(\d+)", page.url).group(1))
    await page.get_by_role("textbox", name="Cập nhật tiến độ").fill(NOTE)
    await page.get_by_label("Phần trăm khối lượng đã hoàn thành").fill("75")
    await page.get_by_role("button", name="Đăng cập nhật").click()
    await page.get_by_text("Đã đăng cập nhật tiến độ lên diễn biến công khai.").wait_for()
    photo = geotagged_jpeg()
    assert gps_of(photo)  # the test's photo does carry its place
    await page.get_by_label("Tài liệu hoặc ảnh").set_input_files(
        files=[{"name": PHOTO, "mimeType": "image/jpeg", "buffer": photo}])
    await page.get_by_role("button", name="Đính kèm", exact=True).click()
    await page.get_by_text("Đã đính kèm tệp").wait_for()
    await page.get_by_role("link", name=PHOTO).wait_for()
    await assert_accessible(page)
    await assert_fits_the_phone(page)
    await page.get_by_role("textbox", name="Những việc đã làm").fill(FIRST_DONE)
    await page.get_by_role("button", name="Báo cáo hoàn thành").click()
    await page.get_by_text("Đã báo cáo hoàn thành.").wait_for()
    await assert_accessible(page)
    await page.get_by_role("button", name="Đăng xuất").click()

    # 2. A week later the asker is asked by e-mail, and says "no", with a reason.
    token = await confirmation_link(lively.database_url, url, commitment_id)
    await page.goto(f"{url}/confirm/{token}")
    await page.get_by_role("heading", level=1, name="Việc này đã thực sự được làm chưa?").wait_for()
    await page.get_by_text(FIRST_DONE).wait_for()
    await assert_accessible(page)
    await assert_fits_the_phone(page)
    await page.get_by_role("textbox", name="Việc gì vẫn chưa được làm?").fill(REASON)
    await page.get_by_role("button", name="Gửi: việc này chưa được làm").click()
    await page.get_by_role("heading", level=1, name="Xin cảm ơn").wait_for()
    await assert_accessible(page)

    # 3. The organiser sees the dispute first on the conference's commitments and opens it.
    await sign_in(page, url, "organiser@dongda.demo")
    await page.goto(url + "/organiser")
    await page.get_by_role("link", name=CONCLUDED).first.click()
    await page.get_by_role("link", name="Các cam kết", exact=True).click()
    await page.get_by_role("heading", level=1, name="Các cam kết của hội nghị").wait_for()
    rows = await page.locator("table tbody tr").all_inner_texts()
    disputed = [n for n, text in enumerate(rows) if "Có ý kiến chưa đồng ý" in text]
    assert disputed == list(range(len(disputed)))  # the disputed ones come first …
    assert any(DRAINAGE in rows[n] for n in disputed)  # … this one among them
    await assert_accessible(page)
    await assert_fits_the_phone(page)
    await page.get_by_role("link", name=DRAINAGE).click()
    await page.get_by_text(REASON).first.wait_for()
    await assert_accessible(page)
    await page.get_by_role("button", name="Đăng xuất").click()

    # 4. The agency takes the work up again and reports it done again.
    await sign_in(page, url, "officer@dongda.demo")
    await page.goto(url + "/agency/commitments/")
    await page.get_by_role("link", name=DRAINAGE).click()
    await page.get_by_text(REASON).first.wait_for()  # the officer reads why
    await page.get_by_role("button", name="Tiếp tục thực hiện").click()
    await page.get_by_role("textbox", name="Những việc đã làm").fill(SECOND_DONE)
    await page.get_by_role("button", name="Báo cáo hoàn thành").click()
    await page.get_by_text("Đã báo cáo hoàn thành.").wait_for()
    await assert_accessible(page)
    await assert_fits_the_phone(page)
    await page.get_by_role("button", name="Đăng xuất").click()

    # 5. The inspector plans a round over the day of the report, with this commitment, finds it done, closes.
    await sign_in(page, url, "inspector@dongda.demo")
    await page.get_by_role("heading", level=1, name="Kiểm tra đột xuất").wait_for()
    today = f"{TODAY:%d/%m/%Y}"
    await page.get_by_label("Báo cáo hoàn thành từ ngày (ngày/tháng/năm)").fill(today)
    await page.get_by_label("Đến ngày (ngày/tháng/năm)").fill(today)
    await page.get_by_label("Số cam kết chọn ngẫu nhiên").fill("1")
    await page.get_by_label("Cam kết chỉ định thêm").fill(str(commitment_id))
    await page.get_by_role("button", name="Chọn mẫu kiểm tra").click()
    await page.get_by_role("heading", level=2, name="Mẫu kiểm tra").wait_for()
    await assert_accessible(page)
    await assert_fits_the_phone(page)
    ours = page.locator("li.commitment", has=page.get_by_role("link", name=f"Cam kết số {commitment_id}"))
    await ours.get_by_text(SECOND_DONE).wait_for()  # what the agency reported, to check on the ground
    sample = page.locator("li.commitment").filter(has=page.get_by_role("button", name="Ghi kết quả kiểm tra"))
    for n in range(await sample.count()):  # this commitment, and the one drawn at random if it is another
        item = sample.nth(n)
        await item.get_by_role("radio", name="Đã thực hiện", exact=True).check()
        await item.get_by_role("textbox", name="Nhận xét").fill(FINDINGS)
        await item.get_by_role("textbox", name="Ngày kiểm tra (ngày/tháng/năm)").fill(today)
        async with page.expect_navigation():
            await item.get_by_role("button", name="Ghi kết quả kiểm tra").click()
        await page.get_by_role("status").wait_for()
    await page.get_by_role("button", name="Kết thúc đợt kiểm tra và công khai báo cáo").click()
    await page.get_by_role("link", name="Báo cáo công khai").wait_for()
    await assert_accessible(page)
    await page.get_by_role("button", name="Đăng xuất").click()

    # 6. Anyone: the question's page, the commitment's page, the results, the agency's page.
    contacts = await asker_contacts(lively.database_url, commitment_id)
    await page.goto(url + "/conferences")
    await page.get_by_role("link", name=CONCLUDED).first.click()
    await page.get_by_role("link", name="Kết quả: trả lời và cam kết").click()
    await page.get_by_role("heading", level=1, name="Kết quả của hội nghị").wait_for()
    result = page.locator(".commitment", has_text=DRAINAGE)
    await result.get_by_text("Đã báo cáo hoàn thành").first.wait_for()  # reported done again, not yet verified
    await assert_accessible(page)
    await assert_fits_the_phone(page)
    await assert_tells_no_one(page, contacts)

    await result.get_by_role("link", name="Quá trình thực hiện và minh chứng").click()
    await page.get_by_role("heading", level=1, name="Cam kết và quá trình theo dõi thực hiện").wait_for()
    assert_in_order(await timeline_of(page), STORY)
    await assert_accessible(page)
    await assert_fits_the_phone(page)
    await assert_tells_no_one(page, contacts)
    served = await page.request.get(url + await page.get_by_role("link", name=PHOTO).first.get_attribute("href"))
    assert served.headers["content-type"] == "image/jpeg"
    assert gps_of(await served.body()) == {}  # the photo is public, its place is not
    # the inspection's finding links to the round's public report
    await page.locator("li.commitment", has_text=DRAINAGE).locator("ol.timeline").get_by_role(
        "link", name="Báo cáo kiểm tra đột xuất").last.click()
    await page.get_by_role("heading", level=1, name="Báo cáo kiểm tra đột xuất").wait_for()
    await page.get_by_text(FINDINGS).first.wait_for()
    await assert_accessible(page)
    await assert_fits_the_phone(page)
    await assert_tells_no_one(page, contacts)
    await page.get_by_role("link", name=DRAINAGE).click()  # and the report leads back to the commitment
    await page.get_by_role("heading", level=1, name="Cam kết và quá trình theo dõi thực hiện").wait_for()

    await page.get_by_role("link", name=re.compile(r"^[A-Z0-9]{4}-[A-Z0-9]{4}")).first.click()  # the question
    assert "/q/" in page.url
    assert_in_order(await timeline_of(page), STORY)
    await page.get_by_role("link", name=PHOTO).first.wait_for()  # the evidence, on the question's page too
    await assert_accessible(page)
    await assert_fits_the_phone(page)
    await assert_tells_no_one(page, contacts)

    done_after, checked_after, rows_after = await inspection_figure(page, url)
    added = rows_after - rows_before  # this finding, and the drawn one's if the agency leads it too
    assert added >= 1 and (done_after, checked_after) == (done_before + added, checked_before + added)
    finding = page.locator("tr.finding-row", has_text=DRAINAGE)
    assert await finding.count() == 1
    assert f"Đã thực hiện {today}" in " ".join((await finding.inner_text()).split())
    await assert_accessible(page)
    await assert_fits_the_phone(page)
