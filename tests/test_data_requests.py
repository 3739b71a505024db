"""Personal-data requests from the asker's manage link, on both databases: the data page and its
download, correction, the end of public display on every public surface, withdrawal of consent to
processing, and the requests the data-protection officer handles within their legal deadline in
working days (holidays counted), with the officer's queue scoped to their unit.

Built on the demo's concluded conference (test_accountability's record): the drainage question is
public with a published answer and its asker's name, phone and e-mail are known to the test."""

import datetime as dt
import json

import pytest

from dialogue.accounts.tables import StaffUser
from dialogue.conferences.tables import Conference
from dialogue.core.errors import NotFound
from dialogue.machine.actors import Actor
from dialogue.machine.log import ActionLog
from dialogue.mail.tables import OutboxMessage
from dialogue.privacy import requests
from dialogue.privacy.tables import DataRequest
from dialogue.questions import intake, similarity
from dialogue.questions.tables import Question
from dialogue.reference.tables import AdminUnit, Holiday
from tests.conftest import DEMO_ACCOUNTS, post_form, sign_in
from tests.pinned import NOW
from tests.test_accountability import SECRET, concluded_record

TOKEN = "asker-own-link-token-0123456789abcdefgh"
DPO = "privacy@dongda.demo"


@pytest.fixture
async def record(demo_db):
    return await concluded_record(demo_db)


async def question_of(record: dict, name: str) -> dict:
    """The question, with a manage link the test knows (intake keeps only its hash)."""
    code = intake.normalise_code(record["codes"][name])
    await Question.update({Question.manage_token_hash: intake.token_hash(TOKEN)}).where(Question.tracking_code == code)
    return await Question.select().where(Question.tracking_code == code).first()


def data_page(record: dict, name: str) -> str:
    return f"/q/{record['codes'][name]}/manage/{TOKEN}/data"


async def staff(email: str) -> Actor:
    return Actor.staff(await StaffUser.select().where(StaffUser.email == email).first())


async def test_the_asker_sees_and_downloads_everything_held_with_who_read_it(record, demo_client):
    drainage = await question_of(record, "drainage")
    await sign_in(demo_client, DEMO_ACCOUNTS["organiser"])
    assert (await demo_client.get(f"/organiser/questions/{drainage['id']}")).status_code == 200
    demo_client.cookies.clear()

    page = await demo_client.get(data_page(record, "drainage"))
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    for value in (SECRET["asker_name"], SECRET["asker_email"], "0912 345 679", "Nguyễn Thị Lan"):
        assert value in page.text, value  # Nguyễn Thị Lan: the organiser who opened the contact details

    download = await demo_client.get(data_page(record, "drainage") + ".json")
    assert download.status_code == 200 and "attachment" in download.headers["content-disposition"]
    assert download.headers["cache-control"] == "no-store"
    data = json.loads(download.content)
    assert data["question"]["full_name"] == SECRET["asker_name"]
    assert data["question"]["email"] == SECRET["asker_email"] and data["question"]["phone"] == SECRET["asker_phone"]
    assert [view["full_name"] for view in data["staff_access"]] == ["Nguyễn Thị Lan"]
    assert data["staff_access"][0]["where"] == "organiser_question"
    assert data["question"]["text"] == drainage["body"]
    # the download is itself an access request, done the moment it was made
    access = await DataRequest.select().where(DataRequest.question == drainage["id"]).first()
    assert (access["kind"], access["state"], access["completed_at"] is not None) == ("access", "done", True)
    assert (await demo_client.get(data_page(record, "drainage") + ".json")).status_code == 200  # a second tap
    assert await DataRequest.count().where(DataRequest.question == drainage["id"]) == 1  # is the same request

    # another question's code with this token opens nothing, and says nothing
    other = await demo_client.get(data_page(record, "lights"))
    assert other.status_code == 404 and SECRET["asker_name"] not in other.text


async def test_a_correction_keeps_what_was_typed_on_error_and_logs_fields_not_values(record, demo_client):
    drainage = await question_of(record, "drainage")
    page = data_page(record, "drainage")
    bad = await post_form(demo_client, page + "/contacts", {
        "asker_name": "Trần Văn Bốn", "asker_email": "không-phải-email", "asker_phone": "0912 345 678",
        "notify_by": "email"}, page=page)
    assert bad.status_code == 400
    assert "Trần Văn Bốn" in bad.text and "không-phải-email" in bad.text and 'href="#asker_email"' in bad.text
    assert (await Question.select(Question.asker_name).where(Question.id == drainage["id"]).first())["asker_name"] \
        == SECRET["asker_name"]

    good = await post_form(demo_client, page + "/contacts", {
        "asker_name": "Trần Văn Bốn", "asker_email": "tran.van.bon@example.vn", "asker_phone": "0912 345 678",
        "notify_by": "email"}, page=page, follow_redirects=False)
    assert good.status_code == 303
    row = await Question.select().where(Question.id == drainage["id"]).first()
    assert (row["asker_name"], row["asker_email"], row["asker_phone"]) == (
        "Trần Văn Bốn", "tran.van.bon@example.vn", "+84912345678")
    logged = await ActionLog.select().where(ActionLog.action == "personal_data_corrected").first()
    assert "tran.van.bon" not in json.dumps(logged["details"]) and "asker_email" in json.dumps(logged["details"])
    kinds = [(r["kind"], r["state"]) for r in await DataRequest.select().where(DataRequest.question == drainage["id"])]
    assert kinds == [("correction", "done")]


async def test_a_channel_without_its_contact_is_refused_politely(record, demo_client):
    await question_of(record, "drainage")
    page = data_page(record, "drainage")
    response = await post_form(demo_client, page + "/contacts", {
        "asker_name": "Trần Văn Bốn", "asker_email": "tran.van.bon@example.vn", "asker_phone": "",
        "notify_by": "sms"}, page=page)
    assert response.status_code == 400 and 'href="#notify_by"' in response.text
    assert "tran.van.bon@example.vn" in response.text


async def test_withdrawing_public_consent_removes_the_question_from_every_public_surface(record, demo_client):
    drainage = await question_of(record, "drainage")
    conference = record["conference"]["id"]
    heading = drainage["public_summary"] or drainage["title"]
    code = record["codes"]["drainage"]
    economy = record["agencies"]["KT-HT-ĐT"]
    # each surface, and what shows the question there: its heading, or (an answer's record) its code
    surfaces = {path: heading for path in (
        f"/q/{code}", f"/conferences/{conference}/results", f"/conferences/{conference}/results.csv",
        f"/conferences/{conference}/feed.atom", f"/api/v1/questions?conference={conference}",
        f"/open311/v2/requests.json?service_request_id={code}", f"/open311/v2/requests.xml?service_request_id={code}",
        f"/agencies/{economy}", f"/agencies/{economy}/feed.atom")}
    surfaces[f"/api/v1/answers?conference={conference}"] = code
    for path, shown in surfaces.items():
        response = await demo_client.get(path)
        assert response.status_code == 200 and shown in response.text, path
    assert (await demo_client.get(f"/api/v1/questions/{code}")).status_code == 200
    # the ask form's "asked before" suggestions offer it to someone typing the same question
    open_conference = await Conference.select().where(Conference.state == "open").first()

    async def suggested() -> list[int]:
        found = await similarity.similar_public(open_conference, drainage["title"], drainage["body"], NOW)
        return [row["id"] for row in found]
    assert drainage["id"] in await suggested()

    done = await post_form(demo_client, data_page(record, "drainage") + "/public", {},
                           page=data_page(record, "drainage"), follow_redirects=False)
    assert done.status_code == 303

    for path, shown in surfaces.items():
        response = await demo_client.get(path)
        assert response.status_code in (200, 404) and shown not in response.text, path
    assert (await demo_client.get(f"/api/v1/questions/{code}")).status_code == 404
    assert drainage["id"] not in await suggested()
    # the asker still sees everything, and the answer is still theirs to read
    mine = await demo_client.get(f"/q/{code}/manage/{TOKEN}")
    assert mine.status_code == 200 and drainage["title"] in mine.text
    assert [(r["kind"], r["state"]) for r in await DataRequest.select().where(
        DataRequest.question == drainage["id"])] == [("withdraw_public", "done")]


async def test_withdrawing_consent_to_processing_erases_contacts_and_the_question_goes_on(record, demo_client):
    drainage = await question_of(record, "drainage")
    code, other_code = record["codes"]["drainage"], record["codes"]["lights"]
    sent = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    for n, about in enumerate((code, other_code)):  # the same person asked about the street lights too
        await OutboxMessage.insert(OutboxMessage(
            message_id=f"<m{n}@test>", to_address=SECRET["asker_email"], subject=f"Câu hỏi {about}",
            text_body=f"Câu hỏi {about} đã có trả lời.", html_body="", kind="answer_published", created_at=sent,
            next_attempt_at=sent, sent_at=sent))
    page = data_page(record, "drainage")
    missing = await post_form(demo_client, page + "/processing", {}, page=page)
    assert missing.status_code == 400 and 'href="#choice"' in missing.text

    done = await post_form(demo_client, page + "/processing", {"choice": "continue"}, page=page,
                           follow_redirects=False)
    assert done.status_code == 303
    row = await Question.select().where(Question.id == drainage["id"]).first()
    assert (row["asker_name"], row["asker_email"], row["asker_phone"], row["notify_by"]) == ("", "", "", "none")
    assert row["state"] == drainage["state"] and row["personal_data_erased_at"] is not None
    # their copy of the message about this question is emptied; the one about their other question is not theirs
    # to erase here
    left = await OutboxMessage.select().where(OutboxMessage.message_id.is_in(["<m0@test>", "<m1@test>"])) \
        .order_by(OutboxMessage.message_id)
    assert [(m["to_address"], m["text_body"]) for m in left] == [
        ("", ""), (SECRET["asker_email"], f"Câu hỏi {other_code} đã có trả lời.")]
    # its public page is unchanged; the asker's page still opens, and says the data is erased
    assert (drainage["public_summary"] or drainage["title"]) in (await demo_client.get(f"/q/{code}")).text
    again = await demo_client.get(page)
    assert again.status_code == 200 and SECRET["asker_name"] not in again.text
    assert [(r["kind"], r["state"]) for r in await DataRequest.select().where(
        DataRequest.question == drainage["id"])] == [("withdraw_processing", "done")]
    twice = await post_form(demo_client, page + "/processing", {"choice": "continue"}, page=page)
    assert twice.status_code == 409


async def test_withdrawing_consent_can_withdraw_the_question_while_it_is_unanswered(record, demo_client):
    rubbish = await question_of(record, "rubbish")
    page = data_page(record, "rubbish")
    done = await post_form(demo_client, page + "/processing", {"choice": "withdraw"}, page=page,
                           follow_redirects=False)
    assert done.status_code == 303
    row = await Question.select().where(Question.id == rubbish["id"]).first()
    assert row["state"] == "withdrawn" and row["asker_name"] == ""


async def test_an_answered_question_cannot_be_withdrawn_with_the_consent(record, demo_client):
    await question_of(record, "drainage")
    page = data_page(record, "drainage")
    response = await post_form(demo_client, page + "/processing", {"choice": "withdraw"}, page=page)
    assert response.status_code == 400 and 'href="#choice"' in response.text


async def ensure_holiday(day: dt.date) -> None:
    if not await Holiday.exists().where(Holiday.day == day):
        await Holiday.insert(Holiday(day=day, kind="holiday", name="Tết Dương lịch"))


async def test_an_erasure_request_is_due_in_working_days_and_handled_by_the_units_officer(record, demo_client, clock):
    """Received Monday 21 December 2026: acknowledged at once (due by Wednesday 23); carried out within
    15 working days, New Year's Day a holiday: Tuesday 12 January 2027; extended once by 15: 2 February."""
    drainage = await question_of(record, "drainage")
    await ensure_holiday(dt.date(2027, 1, 1))
    clock.advance(days=14)
    page = data_page(record, "drainage")
    asked = await post_form(demo_client, page + "/erasure", {"erasure-details": "Tôi muốn xoá hết thông tin."},
                            page=page, follow_redirects=True)
    assert asked.status_code == 200 and "12/01/2027" in asked.text
    request = await DataRequest.select().where(DataRequest.question == drainage["id"]).first()
    assert (request["kind"], request["state"], request["processor_involved"]) == ("erasure", "received", False)
    assert request["acknowledged_at"] == clock()
    assert (request["acknowledge_due_on"], request["due_on"]) == (dt.date(2026, 12, 23), dt.date(2027, 1, 12))
    told = await OutboxMessage.select().where(OutboxMessage.kind == "data_request_received").first()
    assert told["to_address"] == SECRET["asker_email"] and "12/01/2027" in told["text_body"]
    again = await post_form(demo_client, page + "/erasure", {}, page=page)
    assert again.status_code == 409  # one open erasure request at a time

    # the organiser has no queue; the unit's officer has, with working days left
    await sign_in(demo_client, DEMO_ACCOUNTS["organiser"])
    assert (await demo_client.get("/data-requests/")).status_code == 403
    demo_client.cookies.clear()
    await sign_in(demo_client, DPO)
    queue = await demo_client.get("/data-requests/")
    assert queue.status_code == 200 and record["codes"]["drainage"] in queue.text
    assert "15 ngày làm việc" in queue.text or "15 working days" in queue.text
    opened = await demo_client.get(f"/data-requests/{request['id']}")
    assert opened.status_code == 200 and SECRET["asker_name"] in opened.text
    assert await ActionLog.count().where((ActionLog.action == "personal_data_viewed")
                                         & (ActionLog.object_id == str(drainage["id"]))) == 1

    path = f"/data-requests/{request['id']}"
    empty = await post_form(demo_client, f"{path}/extend", {"reason": ""}, page=path)
    assert empty.status_code == 400 and 'href="#extend-reason"' in empty.text
    extended = await post_form(demo_client, f"{path}/extend", {"reason": "Cần xác minh với đơn vị cung cấp."},
                               page=path, follow_redirects=False)
    assert extended.status_code == 303
    row = await DataRequest.select().where(DataRequest.id == request["id"]).first()
    assert (row["state"], row["extended_due_on"]) == ("extended", dt.date(2027, 2, 2))
    assert row["outcome"] == "Cần xác minh với đơn vị cung cấp."  # the words stay on the request, not in the
    assert not await ActionLog.exists().where(ActionLog.reason.like("%xác minh%"))  # append-only log
    assert await OutboxMessage.count().where(OutboxMessage.kind == "data_request_extend") == 1
    twice = await post_form(demo_client, f"{path}/extend", {"reason": "Lần nữa"}, page=path)
    assert twice.status_code == 409

    done = await post_form(demo_client, f"{path}/complete", {"outcome": "Đã xoá họ tên và liên lạc."}, page=path,
                           follow_redirects=False)
    assert done.status_code == 303
    question = await Question.select().where(Question.id == drainage["id"]).first()
    assert (question["asker_name"], question["asker_email"], question["public_consent"]) == ("", "", False)
    assert (await DataRequest.select().where(DataRequest.id == request["id"]).first())["state"] == "done"
    demo_client.cookies.clear()
    mine = await demo_client.get(page)
    assert "Đã xoá họ tên và liên lạc." in mine.text and SECRET["asker_name"] not in mine.text


async def test_an_officer_of_another_unit_can_neither_see_nor_handle_a_request(record, demo_db, clock):
    drainage = await question_of(record, "drainage")
    question = {**drainage, **await requests_question(drainage["id"])}
    request = await requests.ask(question, "objection", "Không đồng ý công khai tên khu phố.", NOW, "https://x")
    elsewhere = await AdminUnit.select(AdminUnit.id).where(
        (AdminUnit.id != request["unit"]) & AdminUnit.parent.is_not_null()).first()
    await StaffUser.insert(StaffUser(email="dpo.other@example.vn", full_name="Cán Bộ Khác", password_hash="x",
                                     role="data_protection", unit=elsewhere["id"]))
    other = await staff("dpo.other@example.vn")
    assert await requests.queue(other, NOW) == []
    with pytest.raises(NotFound):
        await requests.request_for(other, request["id"], NOW)
    for act in (requests.refuse, requests.extend, requests.complete):  # as if it did not exist
        with pytest.raises(NotFound):
            await act(other, request["id"], "Không", NOW, "https://x")
    officer = await staff(DPO)
    assert [row["id"] for row in await requests.queue(officer, NOW)] == [request["id"]]
    refused = await requests.refuse(officer, request["id"], "Việc công khai do Luật 10/2022 quy định.", NOW,
                                    "https://x")
    assert refused["state"] == "refused"
    told = await OutboxMessage.select().where(OutboxMessage.kind == "data_request_refuse").first()
    assert "Luật 10/2022" in told["text_body"]


async def requests_question(question_id: int) -> dict:
    from dialogue.questions import tracking

    return await tracking.get_by_id(question_id)


async def test_an_objection_needs_its_reason(record, demo_client):
    await question_of(record, "drainage")
    page = data_page(record, "drainage")
    response = await post_form(demo_client, page + "/objection", {"objection-details": "   "}, page=page)
    assert response.status_code == 400 and 'href="#objection-details"' in response.text
    long = "Tôi phản đối việc công khai khu phố của tôi. " * 50  # 2,250 characters: never cut without a word
    before = await DataRequest.count()
    response = await post_form(demo_client, page + "/objection", {"objection-details": long}, page=page)
    assert response.status_code == 400 and "bạn đã viết 2249" in response.text and long.strip() in response.text
    assert await DataRequest.count() == before


async def test_a_phone_asker_withdrawing_consent_waits_for_the_provider_within_twenty_days(record, demo_client):
    drainage = await question_of(record, "drainage")
    await ensure_holiday(dt.date(2027, 1, 1))
    await Question.update({Question.notify_by: "sms"}).where(Question.id == drainage["id"])
    page = data_page(record, "drainage")
    await post_form(demo_client, page + "/processing", {"choice": "continue"}, page=page)
    row = await DataRequest.select().where(DataRequest.question == drainage["id"]).first()
    assert (row["state"], row["processor_involved"]) == ("received", True)
    # 20 working days from Monday 7 December 2026, New Year's Day off: Tuesday 5 January 2027
    assert row["due_on"] == dt.date(2027, 1, 5)
    assert (await Question.select().where(Question.id == drainage["id"]).first())["asker_phone"] == ""


async def test_a_phone_only_asker_is_acknowledged_by_sms(record, demo_client):
    drainage = await question_of(record, "drainage")
    await Question.update({Question.notify_by: "sms", Question.asker_email: ""}).where(Question.id == drainage["id"])
    page = data_page(record, "drainage")
    await post_form(demo_client, page + "/objection", {"objection-details": "Không muốn nhận tin nhắn nữa."}, page=page)
    sms = await OutboxMessage.select().where(OutboxMessage.channel == "sms").order_by(OutboxMessage.id,
                                                                                      ascending=False).first()
    assert sms["to_address"] == SECRET["asker_phone"]
    assert record["codes"]["drainage"] in sms["text_body"] and "/data" in sms["text_body"]
    assert sms["text_body"].isascii()  # brandname SMS go without diacritics



async def test_a_correction_stops_what_waits_for_the_old_contact(record, demo_client):
    from dialogue.mail import outbox

    drainage = await question_of(record, "drainage")
    code = record["codes"]["drainage"]
    waiting = outbox.prepare(to=SECRET["asker_email"], template="question_withdrawn", language_code="vi",
                             subject="x", kind="question_update", now=NOW, conference={"unit_name": "P", "title": "H"},
                             question={"title": "T"}, code=code, tracking_url=f"https://x/q/{code}", reason="",
                             unsubscribe_url="")
    await OutboxMessage.insert(waiting)
    page = data_page(record, "drainage")
    await post_form(demo_client, page + "/contacts", {
        "asker_name": SECRET["asker_name"], "asker_email": "moi@example.vn", "asker_phone": "",
        "notify_by": "email"}, page=page)
    row = await OutboxMessage.select().where(OutboxMessage.message_id == waiting.message_id).first()
    assert (row["skipped_reason"], row["sent_at"]) == ("contact_changed", None)
    assert (await Question.select(Question.asker_email).where(Question.id == drainage["id"]).first())[
        "asker_email"] == "moi@example.vn"


async def test_erasure_keeps_the_published_wording_not_the_original(record, demo_client):
    drainage = await question_of(record, "drainage")
    await Question.update({Question.body: drainage["body"] + " Nhà tôi số 15, ông Trần Văn Tâm.",
                           Question.public_text: drainage["body"]}).where(Question.id == drainage["id"])
    page = data_page(record, "drainage")
    await post_form(demo_client, page + "/processing", {"choice": "continue"}, page=page)
    row = await Question.select().where(Question.id == drainage["id"]).first()
    assert row["body"] == drainage["body"] and "Trần Văn Tâm" not in row["search_folded"] + row["body"]


async def test_withdrawing_consent_and_the_question_tells_its_followers(record, demo_client):
    from dialogue.questions.tables import Follower

    rubbish = await question_of(record, "rubbish")
    await Follower.insert(Follower(question=rubbish["id"], email="hang.xom@example.vn", token="f" * 40,
                                   language="vi", confirmed_at=NOW, created_at=NOW))
    page = data_page(record, "rubbish")
    await post_form(demo_client, page + "/processing", {"choice": "withdraw"}, page=page)
    told = await OutboxMessage.select().where(OutboxMessage.to_address == "hang.xom@example.vn").first()
    assert told["kind"] == "question_withdrawn" and told["skipped_reason"] == ""
