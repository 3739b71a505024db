"""A resident who has only a phone: she asks on a 360 px phone giving no e-mail, chooses SMS, and hears
by SMS (through the loopback provider the app really sends to) when her question is received, when the
organiser accepts it, and when its answer is published. From the private link in her first SMS she
opens her data page, downloads everything held about her, and stops the public display of her
question, which then leaves its public page at once. axe passes, each page fits the phone, and the Nu
HTML checker reads every page."""

import json
import re
import time
from pathlib import Path

from dialogue.mail.sink import ProviderSink
from tests.browser.conftest import assert_accessible, assert_fits_the_phone
from tests.browser.test_screening_flow import sign_in
from tests.pinned import NOW

TITLE = "Đèn đường ngõ 158 Nguyễn Khánh Toàn không sáng về đêm"
BODY = ("Từ đầu tháng, ba cột đèn trong ngõ 158 Nguyễn Khánh Toàn không sáng, người đi bộ và trẻ em đi học "
        "thêm về rất nguy hiểm. Đề nghị phường cho kiểm tra, sửa chữa sớm.")
PHONE = "0987 654 321"
E164 = "+84987654321"


def sms_about(provider: ProviderSink, code: str, count: int, seconds: float = 30) -> list[str]:
    """The texts of the SMS the provider took that name this code, once there are `count` of them."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        texts = [taken.text for taken in list(provider.taken) if taken.channel == "sms" and code in taken.text]
        if len(texts) >= count:
            return texts
        time.sleep(0.2)
    raise AssertionError(f"{count} SMS about {code} expected; the provider took {[t.text for t in provider.taken]}")


async def publish_an_answer(database_url: str, code: str) -> None:
    """The agency's part, through the same services its pages call: routed to the economy office, answered
    by its officer and approved by its head, the conference releasing answers on approval."""
    from dialogue.accounts.tables import StaffUser
    from dialogue.answers import drafting
    from dialogue.conferences.tables import Conference
    from dialogue.core.db import bind_engine, close_engine, make_engine
    from dialogue.machine.actors import Actor
    from dialogue.piccolo_app import ALL_TABLES
    from dialogue.questions import intake, routing
    from dialogue.questions.tables import Question
    from dialogue.reference.tables import Agency
    from tests.conftest import make_settings

    engine = make_engine(make_settings(database_url))
    bind_engine(engine, ALL_TABLES)
    try:
        question = await Question.select().where(Question.tracking_code == intake.normalise_code(code)).first()
        await Conference.update({Conference.release_policy: Conference.ReleasePolicy.on_approval.value}).where(
            Conference.id == question["conference"])
        staff = {row["email"]: Actor.staff(row) for row in await StaffUser.select()}
        economy = await Agency.select(Agency.id).where(Agency.short_name == "KT-HT-ĐT").first()
        base = "http://127.0.0.1"
        await routing.assign(staff["organiser@dongda.demo"], question["id"], {"lead_agency": str(economy["id"])},
                             NOW, base)
        await drafting.submit(staff["officer@dongda.demo"], question["id"], NOW,
                              {"body": "Phường đã thay bóng và sửa nguồn điện ba cột đèn ngõ 158.", "legal_basis": ""})
        await drafting.review(staff["head@dongda.demo"], question["id"], "approve", "", NOW, base)
    finally:
        await close_engine(engine)


async def test_a_resident_with_only_a_phone_hears_by_sms_and_manages_her_data(phone_server, sink, page):
    await page.goto(phone_server.url + "/conferences/1/ask")
    await page.get_by_label("Họ và tên").fill("Vũ Thị Hồng")
    await page.get_by_label("Số điện thoại").fill(PHONE)
    await page.get_by_label("Qua tin nhắn SMS").check()
    await page.get_by_label("Lĩnh vực").select_option(label="Giao thông, đường sá, chiếu sáng")
    await page.get_by_label("Tiêu đề").fill(TITLE)
    await page.get_by_label("Nội dung câu hỏi").fill(BODY)
    await page.get_by_label("Câu hỏi của tôi có thể được công khai").check()
    await page.get_by_label("Tôi đồng ý cho xử lý dữ liệu cá nhân").check()
    await assert_fits_the_phone(page)
    await assert_accessible(page)
    await page.get_by_role("button", name="Gửi câu hỏi").click()
    await page.get_by_role("heading", level=1, name="Câu hỏi của bạn đã được tiếp nhận").wait_for()
    code = (await page.locator(".tracking-code").inner_text()).strip()
    await assert_fits_the_phone(page)
    await assert_accessible(page)

    received = sms_about(sink, code, 1)[0]
    assert received.isascii() and E164.removeprefix("+") in [t.phone for t in sink.taken]
    manage = re.search(r"https?://\S+/manage/\S+", received).group(0)

    # The organiser accepts it: a second SMS.
    await sign_in(page, phone_server.url, "organiser@dongda.demo")
    await page.goto(phone_server.url + "/organiser/conferences/1/queue?q=" + "ngo 158 nguyen khanh toan")
    await page.locator('input[name="question"]').first.check()
    await page.get_by_role("button", name=re.compile("Chấp nhận các câu hỏi đã chọn")).first.click()
    await page.get_by_text(re.compile("Đã chấp nhận 1 câu hỏi")).wait_for()
    await page.get_by_role("button", name="Đăng xuất").click()
    sms_about(sink, code, 2)

    # The agency answers and the answer is published: a third SMS.
    await publish_an_answer(phone_server.database_url, code)
    texts = sms_about(sink, code, 3)
    assert len({t for t in texts}) == 3  # three steps, three different messages

    # From the link in her first SMS: her data, its download, and the end of public display.
    assert TITLE in await (await page.context.request.get(f"{phone_server.url}/q/{code}")).text()
    await page.goto(manage)
    await page.get_by_role("link", name=re.compile("Dữ liệu cá nhân của bạn")).click()
    await page.get_by_role("heading", level=1, name="Dữ liệu cá nhân của bạn").wait_for()
    await page.get_by_text(E164).first.wait_for()
    await assert_fits_the_phone(page)
    await assert_accessible(page)
    async with page.expect_download() as download_info:
        await page.get_by_role("link", name=re.compile("Tải toàn bộ về")).click()
    data = json.loads(Path(await (await download_info.value).path()).read_text(encoding="utf-8"))
    assert data["question"]["phone"] == E164 and data["question"]["email"] == ""
    assert data["question"]["news_by"] == "sms" and len(data["messages"]) >= 3

    await page.get_by_role("button", name="Ngừng công khai").click()
    await page.get_by_role("status").get_by_text(re.compile("không còn được công khai")).wait_for()
    await assert_accessible(page)
    public = await (await page.context.request.get(f"{phone_server.url}/q/{code}")).text()
    assert TITLE not in public and BODY[:40] not in public
