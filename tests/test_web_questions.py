"""The public side through the web: conferences, the question form, tracking, the manage link,
following; and the organiser's conference pages and e-mail page."""

import datetime as dt
import re

import pytest
from icalendar import Calendar

from dialogue.accounts.commands import hash_password
from dialogue.accounts.tables import StaffUser
from dialogue.conferences.tables import Conference
from dialogue.machine.log import ActionLog
from dialogue.mail.tables import OutboxMessage
from dialogue.questions.tables import Follower, Question
from dialogue.reference.tables import AdminUnit, Topic
from tests.conftest import DEMO_ACCOUNTS, csrf_token_from, make_client, post_form, sign_in

NAME, EMAIL, PHONE = "Trần Thị Mai", "mai.tran@example.vn", "0987 654 321"


async def conference_id() -> int:
    return (await Conference.select(Conference.id).first())["id"]


async def ask_page(client):
    cid = await conference_id()
    page = await client.get(f"/conferences/{cid}/ask")
    assert page.status_code == 200, page.text
    return cid, page


def hidden(page_text: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', page_text).group(1)


async def question_form(client, **changes) -> tuple[int, dict]:
    cid, page = await ask_page(client)
    topic = await Topic.select(Topic.id).where(Topic.code == "construction").first()
    unit = await AdminUnit.select(AdminUnit.id).where(AdminUnit.code == "00235").first()
    form = {
        "_csrf_token": csrf_token_from(page.text), "form_token": hidden(page.text, "form_token"),
        "asker_kind": "resident", "asker_name": NAME, "asker_email": EMAIL, "asker_phone": PHONE,
        "unit": str(unit["id"]), "topic": str(topic["id"]),
        "title": "Công trình xây dựng không phép tại số 12 ngõ Thái Thịnh",
        "body": "Nhà số 12 ngõ Thái Thịnh đang xây thêm tầng 5 không có giấy phép, gây nứt tường nhà bên cạnh. "
                "Đề nghị phường kiểm tra và xử lý.",
        "answer_mode": "session", "public_consent": "yes", "data_consent": "yes",
    }
    form.update(changes)
    return cid, form


async def submit(client, **changes):
    cid, form = await question_form(client, **changes)
    return await client.post(f"/conferences/{cid}/ask", data=form)


async def test_the_conference_page_offers_the_form_and_a_calendar_file(demo_client):
    cid = await conference_id()
    page = await demo_client.get(f"/conferences/{cid}")
    assert page.status_code == 200 and f'href="/conferences/{cid}/ask"' in page.text
    ics = await demo_client.get(f"/conferences/{cid}/calendar.ics")
    assert ics.headers["content-type"] == "text/calendar; charset=utf-8"  # the charset once
    event = Calendar.from_ical(ics.content).walk("VEVENT")[0]
    assert str(event["summary"]).startswith("Hội nghị đối thoại giữa Chủ tịch UBND phường Đống Đa")
    assert event.decoded("dtstart").tzinfo is not None and "Hoàng Cầu" in str(event["location"])


async def test_the_form_has_unticked_consents_a_honeypot_and_explains_complaints(demo_client):
    _, page = await ask_page(demo_client)
    assert re.search(r'id="data_consent" name="data_consent" value="yes"\s*>', page.text), "never pre-ticked"
    assert 'name="website"' in page.text and "Khiếu nại, tố cáo không phải là câu hỏi" in page.text
    assert len(hidden(page.text, "form_token")) >= 40


async def test_a_failed_submission_keeps_everything_and_names_each_problem(demo_client):
    response = await submit(demo_client, asker_phone="024 3825 123", title="Ngắn", data_consent="")
    assert response.status_code == 400
    for kept in (NAME, EMAIL, "024 3825 123", "Ngắn", "Nhà số 12 ngõ Thái Thịnh"):
        assert kept in response.text
    for field in ("asker_phone", "title", "data_consent"):
        assert f'href="#{field}"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert await Question.count() == 0


async def test_long_text_is_not_cut_by_the_page_but_refused_by_the_server_and_kept(demo_client):
    _, page = await ask_page(demo_client)
    for field in ("title", "body"):
        tag = re.search(rf'<(?:input|textarea)[^>]* id="{field}"[^>]*>', page.text).group(0)
        assert "maxlength" not in tag and "data-count-max" in tag
    script = re.search(r'<script src="(/static/count\.js\?v=\w+)" defer></script>', page.text).group(1)
    served = await demo_client.get(script)
    assert served.status_code == 200 and "javascript" in served.headers["content-type"]
    body = "Đường ngõ 8 Đông Tác xuống cấp nghiêm trọng. " * 90
    response = await submit(demo_client, body=body)
    assert response.status_code == 400 and body.strip() in response.text
    assert "không quá 4000 ký tự" in response.text and await Question.count() == 0


async def test_no_browser_keeps_a_private_page_while_public_pages_stay_cacheable(demo_client):
    """A ward office's shared computer keeps its cache after sign-out: the confirmation with the private
    link, the asker's own pages and every signed-in page say no-store; the public ones do not."""
    sent = await submit(demo_client)
    assert sent.headers["cache-control"] == "private, no-store" and sent.headers["x-robots-tag"] == "noindex"
    manage = re.search(r'<a href="https://testserver.local(/q/[^"]+/manage/[^"]+)"', sent.text).group(1)
    code = manage.split("/")[2]
    assert (await demo_client.get(manage)).headers["cache-control"] == "private, no-store"
    assert (await demo_client.get(manage.replace("/manage/", "/manage/x"))).headers["cache-control"] == \
        "private, no-store"  # a mistyped link's page too
    assert (await demo_client.get(manage + "/data")).headers["cache-control"] == "no-store"  # its own, kept
    public = await demo_client.get(f"/q/{code}")
    assert public.status_code == 200 and "no-store" not in public.headers.get("cache-control", "")
    await sign_in(demo_client, DEMO_ACCOUNTS["organiser"])
    for path in ("/organiser/mail", "/organiser", "/"):
        assert (await demo_client.get(path)).headers["cache-control"] == "private, no-store", path
    static = await demo_client.get("/static/notify.js")  # says its own: the same for everyone
    assert static.status_code == 200 and static.headers["cache-control"].startswith("public")


async def test_a_question_is_received_and_tracked_without_personal_data(demo_client):
    response = await submit(demo_client)
    assert response.status_code == 200
    code = re.search(r'<p class="tracking-code"><strong>([0-9A-Z-]+)</strong>', response.text).group(1)
    manage = re.search(r'<a href="https://testserver.local(/q/[^"]+/manage/[^"]+)"', response.text).group(1)
    assert len(code) == 15 and await Question.count() == 1

    tracking = await demo_client.get(f"/q/{code.lower()}")
    assert tracking.status_code == 200 and code in tracking.text and "Đã tiếp nhận" in tracking.text
    for private in (NAME, EMAIL, "0987", "+84987654321", "Nhà số 12"):
        assert private not in tracking.text

    own = await demo_client.get(manage)
    assert own.status_code == 200
    for shown in (NAME, EMAIL, PHONE, "Nhà số 12 ngõ Thái Thịnh"):
        assert shown in own.text
    assert 'name="robots" content="noindex"' in own.text

    withdrawn = await post_form(demo_client, manage + "/withdraw", {"reason": "Đã được xử lý"}, page=manage,
                                follow_redirects=False)
    assert withdrawn.status_code == 303
    assert (await Question.select(Question.state).first())["state"] == "withdrawn"
    again = await demo_client.get(f"/q/{code}")
    assert "Người hỏi đã rút câu hỏi" in again.text or "rút" in again.text


async def test_a_resubmitted_form_creates_one_question(demo_client):
    cid, form = await question_form(demo_client)
    first = await demo_client.post(f"/conferences/{cid}/ask", data=form)
    second = await demo_client.post(f"/conferences/{cid}/ask", data=form)
    assert first.status_code == second.status_code == 200
    assert await Question.count() == 1
    assert "/manage/" in first.text and "/manage/" not in second.text


async def test_each_form_has_its_token_in_its_address(demo_client):
    """Back and reload fetch the form page again: it must carry the same token every time."""
    cid = await conference_id()
    fresh = await demo_client.get(f"/conferences/{cid}/ask", follow_redirects=False)
    assert fresh.status_code == 303
    address = fresh.headers["location"]
    token = re.fullmatch(rf"/conferences/{cid}/ask\?form=([A-Za-z0-9_-]{{43}})", address).group(1)
    again = await demo_client.get(address)
    assert again.headers["cache-control"] == "no-store" and hidden(again.text, "form_token") == token
    assert hidden((await demo_client.get(address)).text, "form_token") == token
    other = (await demo_client.get(f"/conferences/{cid}/ask", follow_redirects=False)).headers["location"]
    assert other != address
    for bad in ("", "short", "x" * 65, "a%00" + "b" * 40):
        response = await demo_client.get(f"/conferences/{cid}/ask?form={bad}", follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] != f"/conferences/{cid}/ask?form={bad}"


async def test_a_used_form_sent_again_shows_the_first_question_and_another_question_is_kept(demo_client):
    cid, form = await question_form(demo_client)
    first = await demo_client.post(f"/conferences/{cid}/ask", data=form)
    address = f"/conferences/{cid}/ask?form={form['form_token']}"
    back = await demo_client.get(address)  # Back: the same form, which now says it was sent
    assert "Bạn đã gửi một câu hỏi bằng mẫu này" in back.text
    again = await demo_client.post(f"/conferences/{cid}/ask", data={**form, "title": f"  {form['title']} "})
    code = re.search(r'<p class="tracking-code"><strong>([0-9A-Z-]+)</strong>', first.text).group(1)
    assert again.status_code == 200 and code in again.text and "/manage/" not in again.text

    # The used form with another question in it (edited after Back, or a shared address): kept, not
    # sent, not mistaken for the first one; it comes back with a new token.
    another = "Một câu hỏi khác về trật tự đô thị"
    other = await demo_client.post(f"/conferences/{cid}/ask", data={**form, "title": another})
    assert other.status_code == 400 and another in other.text
    assert code not in other.text and "đã được dùng để gửi một câu hỏi" in other.text
    assert hidden(other.text, "form_token") != form["form_token"]
    assert await Question.count() == 1 and await OutboxMessage.count() == 1
    sent = await demo_client.post(f"/conferences/{cid}/ask", data={
        **form, "title": another, "form_token": hidden(other.text, "form_token")})
    assert sent.status_code == 200 and "/manage/" in sent.text and await Question.count() == 2


async def test_a_landline_is_a_phone_number(demo_client):
    response = await submit(demo_client, asker_email="", asker_phone="024 3825 1234")
    assert response.status_code == 200, response.text
    assert (await Question.select(Question.asker_phone).first())["asker_phone"] == "+842438251234"


async def test_the_submission_limit_keeps_what_was_typed(demo_db, clock):
    settings = demo_db.with_(submissions_per_hour=1)
    conference = await Conference.select().first()
    clock.now = conference["questions_open_at"] + dt.timedelta(hours=2)
    async with make_client(settings, clock) as client:
        assert (await submit(client)).status_code == 200
        refused = await submit(client, title="Câu hỏi thứ hai về trật tự xây dựng")
        assert refused.status_code == 429
        assert "Câu hỏi thứ hai về trật tự xây dựng" in refused.text and NAME in refused.text
        assert "60 phút" in refused.text


async def test_outside_the_window_the_form_is_closed_politely(demo_db, clock):
    conference = await Conference.select().first()
    cid = conference["id"]
    clock.now = conference["questions_close_at"] + dt.timedelta(minutes=1)
    async with make_client(demo_db, clock) as client:
        page = await client.get(f"/conferences/{cid}/ask")
        assert page.status_code == 410 and "Lỗi" not in page.text
        assert "Đã hết thời gian nhận câu hỏi" in page.text and "đã dừng nhận câu hỏi vào" in page.text
        assert long_day_vi(conference["questions_close_at"]) in page.text
        for link in (f"/conferences/{cid}", f"/conferences/{cid}#questions", "/conferences?taking=1"):
            assert f'href="{link}"' in page.text
        assert f'/conferences/{cid}/ask"' not in (await client.get(f"/conferences/{cid}")).text
        listed = await client.get("/conferences", params={"taking": "1"})
        assert "Chủ tịch UBND phường Đống Đa" not in listed.text

        clock.now = conference["questions_open_at"] - dt.timedelta(days=1)
        early = await client.get(f"/conferences/{cid}/ask")
        assert early.status_code == 200 and "Hội nghị này nhận câu hỏi từ" in early.text


async def test_a_conference_closed_early_says_when_and_keeps_a_question_sent_too_late(demo_db, clock):
    conference = await Conference.select().first()
    cid = conference["id"]
    clock.now = conference["questions_open_at"] + dt.timedelta(days=2)
    async with make_client(demo_db, clock) as client, make_client(demo_db, clock) as organiser:
        assert "Chủ tịch UBND phường Đống Đa" in (await client.get("/conferences", params={"taking": "1"})).text
        _, form = await question_form(client)  # a resident opens the form…
        await sign_in(organiser, DEMO_ACCOUNTS["organiser"])  # …while the organisers close the conference
        closed = await post_form(organiser, f"/organiser/conferences/{cid}/state/close", {"confirmed": "yes"},
                                 page=f"/organiser/conferences/{cid}", follow_redirects=False)
        assert closed.status_code == 303
        late = await client.post(f"/conferences/{cid}/ask", data=form)
        assert late.status_code == 410 and "Câu hỏi của bạn chưa được gửi" in late.text
        assert form["title"] in late.text and "Nhà số 12 ngõ Thái Thịnh" in late.text
        assert long_day_vi(clock.now) in late.text and await Question.count() == 0


def long_day_vi(moment: dt.datetime) -> str:
    from dialogue.core.i18n import format_long_day, language

    with language("vi"):
        return format_long_day(moment)


async def test_unknown_codes_and_links_are_not_found(demo_client):
    for path in ("/q/AAAA-BBBB-CCCCC", "/q/xyz", "/q/AAAA-BBBB-CCCCC/manage/abc", "/follow/nope/confirm",
                 "/conferences/999999", "/conferences/99999999999999"):
        assert (await demo_client.get(path)).status_code == 404, path


async def test_a_mistyped_tracking_code_is_kept_with_its_error(demo_client):
    for typed, message in (("7K3M-9QX", "nhập đủ 13 chữ cái và chữ số"), ("7K3M-9QX2-4HPAB", "Không có câu hỏi nào")):
        response = await demo_client.get("/q", params={"code": typed}, follow_redirects=False)
        assert response.status_code == 400 and f'value="{typed}"' in response.text and message in response.text
        assert 'aria-invalid="true"' in response.text and 'href="#code"' in response.text


async def test_a_tracking_address_is_its_code_or_a_tolerant_spelling_of_it(demo_client):
    response = await submit(demo_client)
    code = re.search(r'<p class="tracking-code"><strong>([0-9A-Z-]+)</strong>', response.text).group(1)
    token = re.search(r'/manage/([A-Za-z0-9_-]+)"', response.text).group(1)
    found = await demo_client.get("/q", params={"code": code.lower().replace("-", " ")}, follow_redirects=False)
    assert found.status_code == 303 and found.headers["location"] == f"/q/{code}"
    tolerant = [code.lower(), code.replace("-", ""), code.replace("0", "O").replace("1", "l")]
    for spelling in tolerant:
        if spelling == code:
            continue
        for path in (f"/q/{spelling}", f"/q/{spelling}/manage/{token}"):
            moved = await demo_client.get(path + "?followed=1", follow_redirects=False)
            assert moved.status_code in (301, 308), path
            assert moved.headers["location"] == path.replace(spelling, code) + "?followed=1"
    for path in (f"/q/{code}", f"/q/{code}/manage/{token}"):
        assert (await demo_client.get(path)).status_code == 200
        for junk in (".bak", "~", "0", ".html", "%20x"):
            odd = path.replace(code, code + junk)
            assert (await demo_client.get(odd, follow_redirects=False)).status_code == 404, odd
    assert (await demo_client.get(f"/q/{code}/manage/{token}.bak")).status_code == 404


async def test_the_home_page_offers_to_ask_at_each_conference_taking_questions(demo_db, clock):
    conference = await Conference.select().first()
    clock.now = conference["questions_open_at"] + dt.timedelta(days=1)
    async with make_client(demo_db, clock) as client:
        home = await client.get("/")
        assert f'class="button" href="/conferences/{conference["id"]}/ask" aria-describedby' in home.text
        assert f'href="/conferences/{conference["id"]}/ask"' in (await client.get("/conferences")).text
        clock.now = conference["questions_close_at"] + dt.timedelta(days=1)
        assert f'/conferences/{conference["id"]}/ask"' not in (await client.get("/")).text


async def test_a_question_waiting_to_be_screened_says_so_and_by_when(demo_client):
    response = await submit(demo_client, public_consent="")
    code = re.search(r'<p class="tracking-code"><strong>([0-9A-Z-]+)</strong>', response.text).group(1)
    due = (await Question.select(Question.screening_due_on).first())["screening_due_on"]
    page = (await demo_client.get(f"/q/{code}")).text
    assert "Câu hỏi đang chờ ban tổ chức xem xét" in page and long_day_vi(due) in page
    assert "không được công khai" not in page


async def test_the_error_summary_names_each_field_and_the_message_beside_it_stays_short(demo_client):
    response = await submit(demo_client, title="Ngắn", data_consent="")
    summary = re.search(r'<div class="error-summary".*?</div>', response.text, re.S).group(0)
    assert '<a href="#title">Tiêu đề: Vui lòng viết ít nhất 10 ký tự.</a>' in summary
    assert '<a href="#data_consent">Đồng ý xử lý dữ liệu cá nhân: ' in summary
    inline = r'id="title-error"><span class="visually-hidden">Lỗi:</span> Vui lòng viết ít nhất 10'
    assert re.search(inline, response.text)


async def test_the_form_links_to_a_full_privacy_notice(demo_client):
    _, page = await ask_page(demo_client)
    assert 'href="/privacy"' in page.text and "Nghị định" not in page.text  # the law is on its own page
    notice = await demo_client.get("/privacy")
    assert notice.status_code == 200
    for needed in ("Ủy ban nhân dân", "91/2025/QH15", "356/2025/NĐ-CP", "trong vòng 15 ngày",
                   "không bao giờ được công khai", "Quyền của bạn", "Cách thực hiện các quyền này"):
        assert needed in notice.text, needed


async def test_public_pages_describe_themselves(demo_client):
    response = await submit(demo_client)
    code = re.search(r'<p class="tracking-code"><strong>([0-9A-Z-]+)</strong>', response.text).group(1)
    cid = await conference_id()
    descriptions = set()
    for path in ("/", "/conferences", f"/conferences/{cid}", f"/conferences/{cid}/ask", f"/q/{code}", "/privacy"):
        page = (await demo_client.get(path)).text
        found = re.findall(r'<meta name="description" content="([^"]{20,})">', page)
        assert len(found) == 1, path
        descriptions.add(found[0])
    assert len(descriptions) == 6


async def test_following_by_email(demo_client):
    response = await submit(demo_client)
    code = re.search(r'<p class="tracking-code"><strong>([0-9A-Z-]+)</strong>', response.text).group(1)
    bad = await post_form(demo_client, f"/q/{code}/follow", {"follow_email": "lan@"}, page=f"/q/{code}")
    assert bad.status_code == 400 and 'value="lan@"' in bad.text
    done = await post_form(demo_client, f"/q/{code}/follow", {"follow_email": "lan@example.vn"}, page=f"/q/{code}")
    assert done.status_code == 200 and "Cảm ơn" in done.text
    token = (await Follower.select().first())["token"]
    assert (await demo_client.get(f"/follow/{token}/confirm")).status_code == 200
    assert (await Follower.select().first())["confirmed_at"] is not None
    # One-click unsubscribe from a mail program: a bare POST, no CSRF token, no cookie.
    demo_client.cookies.clear()
    response = await demo_client.post(f"/follow/{token}/unsubscribe", data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert (await Follower.select().first())["unsubscribed_at"] is not None


async def test_conferences_are_listed_and_searched_without_diacritics(demo_client):
    for query in ({"q": "hoi nghi dong da"}, {"q": "ĐỐNG ĐA"}, {"unit": "00235"}, {"kind": "residents"}):
        page = await demo_client.get("/conferences", params=query)
        assert "Chủ tịch UBND phường Đống Đa" in page.text, query
    none = await demo_client.get("/conferences", params={"q": "hai phong", "kind": "businesses"})
    assert "Chủ tịch UBND phường Đống Đa" not in none.text and "Không có hội nghị" in none.text


# --- The organiser ---------------------------------------------------------------------------

CONFERENCE_FORM = {
    "title": "Đối thoại với doanh nghiệp phường Đống Đa quý I/2027", "kind": "businesses", "unit": "00235",
    "co_organiser": "Ủy ban MTTQ Việt Nam phường Đống Đa", "starts_day": "15/03/2027", "starts_time": "14:00",
    "ends_day": "15/03/2027", "ends_time": "17:00", "venue": "Hội trường UBND phường",
    "questions_open_day": "01/02/2027", "questions_open_time": "08:00",
    "questions_close_day": "05/03/2027", "questions_close_time": "17:00", "release_policy": "on_approval",
    "description": "Đối thoại về thủ tục hành chính, thuế và phòng cháy chữa cháy.", "answer_days": "7",
}


async def test_an_organiser_creates_edits_and_opens_a_conference(demo_client):
    await sign_in(demo_client, DEMO_ACCOUNTS["organiser"])
    bad = await post_form(demo_client, "/organiser/conferences/new", {
        **CONFERENCE_FORM, "unit": "00001", "starts_day": "31/02/2027", "questions_close_day": "20/03/2027"})
    assert bad.status_code == 400 and "Đối thoại với doanh nghiệp" in bad.text
    for field in ("unit", "starts_day"):
        assert f'href="#{field}"' in bad.text

    created = await post_form(demo_client, "/organiser/conferences/new", CONFERENCE_FORM, follow_redirects=False)
    assert created.status_code == 303
    conference = await Conference.select().where(Conference.kind == "businesses").first()
    assert conference["state"] == "draft"
    assert conference["starts_at"] == dt.datetime(2027, 3, 15, 7, 0, tzinfo=dt.UTC)  # 14:00 in Hà Nội
    assert conference["answer_days"] == 7
    page = f"/organiser/conferences/{conference['id']}"

    refused = await post_form(demo_client, f"{page}/state/open", {}, page=page)
    assert refused.status_code == 400 and 'href="#topics"' in refused.text  # no topic yet

    topics = [t["id"] for t in await Topic.select(Topic.id).where(Topic.audience == "businesses")]
    edit_page = await demo_client.get(f"{page}/edit")
    assert 'value="15/03/2027"' in edit_page.text and 'value="14:00"' in edit_page.text
    response = await demo_client.post(f"{page}/edit", data={
        **CONFERENCE_FORM, "_csrf_token": csrf_token_from(edit_page.text), "topics": [str(t) for t in topics]},
        follow_redirects=False)
    assert response.status_code == 303
    opened = await post_form(demo_client, f"{page}/state/open", {}, page=page, follow_redirects=False)
    assert opened.status_code == 303
    assert (await Conference.select(Conference.state).where(Conference.id == conference["id"]).first())["state"] \
        == "open"
    history = (await demo_client.get(page)).text
    assert "Nguyễn Thị Lan" in history
    assert (await post_form(demo_client, f"{page}/state/conclude", {}, page=page)).status_code == 409
    assert (await post_form(demo_client, f"{page}/state/explode", {}, page=page)).status_code == 404


async def test_steps_that_cannot_be_taken_back_are_confirmed_on_a_page_that_says_what_they_do(demo_db, clock):
    conference = await Conference.select().first()
    page = f"/organiser/conferences/{conference['id']}"
    clock.now = conference["questions_close_at"] - dt.timedelta(days=2)
    async with make_client(demo_db, clock) as client:
        await sign_in(client, DEMO_ACCOUNTS["organiser"])
        shown = (await client.get(page)).text
        assert f'href="{page}/state/close">Dừng nhận câu hỏi</a>' in shown  # an action, named as one
        assert f'href="{page}/state/start">Khai mạc hội nghị</a>' in shown

        one_click = await post_form(client, f"{page}/state/close", {}, page=page, follow_redirects=False)
        assert one_click.status_code == 303 and one_click.headers["location"] == f"{page}/state/close"
        assert (await Conference.select(Conference.state).first())["state"] == "open"

        confirm = await client.get(f"{page}/state/close")
        assert confirm.status_code == 200 and "Dừng nhận câu hỏi?" in confirm.text
        assert "Người dân không thể gửi câu hỏi nữa" in confirm.text  # what will happen
        assert "Bước này sớm hơn kế hoạch" in confirm.text and "17:00" in confirm.text  # before its time
        done = await client.post(f"{page}/state/close", data={
            "_csrf_token": csrf_token_from(confirm.text), "confirmed": "yes", "reason": "Đủ câu hỏi"},
            follow_redirects=False)
        assert done.status_code == 303 and (await Conference.select(Conference.state).first())["state"] == "closed"
        assert "Đủ câu hỏi" in (await client.get(page)).text
        assert (await client.get(f"{page}/state/close")).status_code == 409  # not from here any more
        assert (await client.get(f"{page}/state/explode")).status_code == 404


async def test_the_organiser_sees_questions_arrive_and_reads_the_email(demo_client):
    await submit(demo_client)
    await sign_in(demo_client, DEMO_ACCOUNTS["organiser"])
    page = await demo_client.get(f"/organiser/conferences/{await conference_id()}")
    assert "Công trình xây dựng không phép" in page.text and "Đã tiếp nhận" in page.text
    mail = await demo_client.get("/organiser/mail")
    assert "Câu hỏi của bạn đã được tiếp nhận" in mail.text
    assert EMAIL not in mail.text and EMAIL[0] + "•••@" + EMAIL.split("@")[1] in mail.text  # the list only hints
    message = await OutboxMessage.select(OutboxMessage.id).first()
    detail = await demo_client.get(f"/organiser/mail/{message['id']}")
    assert detail.status_code == 200 and "/manage/" in detail.text and EMAIL in detail.text
    # opening a message to the asker is a reading of their data: the asker's data page lists it
    views = await ActionLog.select(ActionLog.details).where(ActionLog.action == "personal_data_viewed") \
        .output(load_json=True)
    assert [view["details"]["where"] for view in views] == ["organiser_mail"]


async def test_organisers_of_another_area_see_nothing_of_this_one(demo_client):
    other = await AdminUnit.select(AdminUnit.id).where(AdminUnit.code == "00004").first()  # Ba Đình ward
    await StaffUser.insert(StaffUser(email="organiser@badinh.demo", full_name="Phạm Văn Tú", role="organiser",
                                     unit=other["id"], password_hash=hash_password("mật khẩu ba đình")))
    await submit(demo_client)
    await sign_in(demo_client, "organiser@badinh.demo", "mật khẩu ba đình")
    cid = await conference_id()
    assert (await demo_client.get(f"/organiser/conferences/{cid}")).status_code == 403
    assert (await demo_client.get(f"/organiser/conferences/{cid}/edit")).status_code == 403
    assert (await post_form(demo_client, f"/organiser/conferences/{cid}/state/close", {},
                            page="/organiser")).status_code == 403
    assert "Hội nghị đối thoại giữa Chủ tịch UBND phường Đống Đa" not in (await demo_client.get("/organiser")).text
    assert EMAIL not in (await demo_client.get("/organiser/mail")).text
    message = await OutboxMessage.select(OutboxMessage.id).first()
    assert (await demo_client.get(f"/organiser/mail/{message['id']}")).status_code == 404
    created = await post_form(demo_client, "/organiser/conferences/new", CONFERENCE_FORM)
    assert created.status_code == 400 and "chỉ có thể tổ chức" in created.text


@pytest.mark.parametrize("role", ["agency_officer", "agency_head", "viewer", "secretary"])
async def test_other_roles_cannot_use_the_organiser_pages(demo_client, role):
    await sign_in(demo_client, DEMO_ACCOUNTS[role])
    for path in ("/organiser", "/organiser/mail", "/organiser/conferences/new",
                 f"/organiser/conferences/{await conference_id()}"):
        assert (await demo_client.get(path)).status_code == 403, (role, path)


async def test_a_province_organiser_reads_the_mail_of_its_communes(demo_client):
    hanoi = await AdminUnit.select(AdminUnit.id).where(AdminUnit.code == "01").first()
    await StaffUser.insert(StaffUser(email="organiser@hanoi.demo", full_name="Đỗ Thu Hà", role="organiser",
                                     unit=hanoi["id"], password_hash=hash_password("mật khẩu hà nội")))
    await submit(demo_client)  # a question to the Đống Đa ward conference: its mail belongs to the ward
    await sign_in(demo_client, "organiser@hanoi.demo", "mật khẩu hà nội")
    message = await OutboxMessage.select(OutboxMessage.id).first()
    assert f"/organiser/mail/{message['id']}" in (await demo_client.get("/organiser/mail")).text
    assert EMAIL in (await demo_client.get(f"/organiser/mail/{message['id']}")).text
