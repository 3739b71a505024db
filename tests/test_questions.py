"""Submitting, tracking, withdrawing and following questions, as services."""

import asyncio
import datetime as dt
import uuid

import pytest

from dialogue.conferences.tables import Conference
from dialogue.core import validation
from dialogue.core.errors import Conflict, InvalidInput, NotFound, Throttled
from dialogue.core.i18n import language
from dialogue.machine.events import LiveEvent
from dialogue.machine.log import ActionLog
from dialogue.mail.tables import OutboxMessage
from dialogue.questions import intake as questions
from dialogue.questions import tracking
from dialogue.questions.tables import Follower, Question
from dialogue.reference.tables import Topic

POLICY = questions.SubmissionPolicy(per_address_per_hour=3, base_url="https://doithoai.example.vn")


async def open_conference() -> dict:
    conference = await Conference.select().first()
    return conference


def inside_window(conference: dict) -> dt.datetime:
    return conference["questions_open_at"] + dt.timedelta(days=1)


async def good_form(conference: dict, **changes) -> dict:
    topic = await Topic.select(Topic.id).where(Topic.code == "environment").first()
    form = {
        "form_token": changes.pop("form_token", "token-" + uuid.uuid4().hex),
        "asker_kind": "resident", "asker_name": "Nguyễn Văn Bình", "asker_email": "binh@example.vn",
        "asker_phone": "0912 345 678", "unit": str(conference["unit"]), "topic": str(topic["id"]),
        "title": "Ngập úng ngõ 120 Hoàng Cầu mỗi khi mưa lớn",
        "body": "Mỗi khi mưa lớn, ngõ 120 phố Hoàng Cầu ngập sâu 40 cm, nước tràn vào nhà dân.\r\n\r\n"
                "Đề nghị phường cho biết kế hoạch cải tạo cống thoát nước.",
        "answer_mode": "writing", "public_consent": "yes", "data_consent": "yes",
    }
    form.update(changes)
    return form


async def submit(conference: dict, now: dt.datetime | None = None, address: str = "203.0.113.7", **changes):
    return await questions.submit_question(conference["id"], await good_form(conference, **changes), address, "vi",
                                           now or inside_window(conference), POLICY)


# --- Formats ---------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, stored", [
    ("0912 345 678", "+84912345678"), ("+84 912 345 678", "+84912345678"), ("84912345678", "+84912345678"),
    ("0386.123.456", "+84386123456"), ("(+84) 703-123-456", "+84703123456"), ("0587 123 456", "+84587123456"),
    # fixed lines: Hà Nội (024), Hồ Chí Minh City (028), Đà Nẵng (0236), Hải Dương (0220)
    ("024 3825 1234", "+842438251234"), ("(024) 38.25.12.34", "+842438251234"), ("+84 24 3825 1234", "+842438251234"),
    ("028 3822 1234", "+842838221234"), ("0236 382 1234", "+842363821234"), ("0220 3851 234", "+842203851234"),
])
def test_vietnamese_mobile_and_fixed_numbers_are_stored_in_plus_84_form(raw, stored):
    assert validation.phone_number(raw) == stored


@pytest.mark.parametrize("raw", ["024 3825 123", "0912 345 67", "09123abc78", "0123456789", "+1 415 555 0100",
                                 "1800 1234", "1900 1234", "０９１２３４５６７８"])
def test_foreign_short_lettered_and_service_numbers_are_refused(raw):
    with pytest.raises(ValueError):
        validation.phone_number(raw)


@pytest.mark.parametrize("raw, stored, failed", [
    ("0100233488", "0100233488", False),
    ("0100233488-001", "0100233488-001", False),
    ("0100 233 488 001", "0100233488-001", False),
    ("001099012345", "001099012345", False),  # a household business: the owner's 12-digit personal ID
    ("0100233480", "0100233480", True),  # a wrong check digit is a warning, not a refusal
])
def test_tax_codes(raw, stored, failed):
    code = validation.tax_code(raw)
    assert (code.value, code.checksum_failed) == (stored, failed)


@pytest.mark.parametrize("raw", ["", "12345", "01002334881", "MST0100233488", "0100233488-01"])
def test_malformed_tax_codes_are_refused(raw):
    with pytest.raises(ValueError):
        validation.tax_code(raw)


def test_names_are_normalised_and_checked():
    assert validation.person_name("  Nguye\u0302\u0303n\u200b  Thị   Ánh ") == "Nguyễn Thị Ánh"
    assert validation.person_name("Hoàng Văn Nam-O'Neil") == "Hoàng Văn Nam-O'Neil"
    for bad in ("", "  ", "A", "Nguyễn Văn 3", "<b>Bình</b>", "x" * 101):
        with pytest.raises(ValueError):
            validation.person_name(bad)


# --- Submitting ------------------------------------------------------------------------------

async def test_a_submission_writes_the_question_its_log_entry_and_its_email_together(demo_db):
    conference = await open_conference()
    submitted = await submit(conference)
    question = submitted.question
    assert question["state"] == "submitted" and question["asker_phone"] == "+84912345678"
    assert question["body"].count("\n\n") == 1 and "\r" not in question["body"]
    assert question["search_folded"].startswith("ngap ung ngo 120 hoang cau")
    assert len(question["tracking_code"]) == 13 and set(question["tracking_code"]) <= set(questions.CROCKFORD)
    assert submitted.manage_token and questions.token_hash(submitted.manage_token) == question["manage_token_hash"]
    assert submitted.manage_token not in str(await Question.select().where(Question.id == question["id"]).first())
    entry = await ActionLog.select().where(ActionLog.object_type == "question").first()
    assert (entry["action"], entry["actor_kind"], entry["actor_ref"]) \
        == ("submitted", "public", question["tracking_code"])
    mail = await OutboxMessage.select().first()
    assert mail["to_address"] == "binh@example.vn" and mail["kind"] == "question_received"
    code = questions.display_code(question["tracking_code"])
    assert code in mail["subject"] and mail["subject"].startswith("Câu hỏi của bạn đã được tiếp nhận")
    assert submitted.manage_token in mail["text_body"] and "Nguyễn Văn Bình" in mail["html_body"]
    events = await LiveEvent.select(LiveEvent.channel, LiveEvent.kind)
    assert {(e["channel"], e["kind"]) for e in events} \
        == {(f"question:{question['id']}", "submitted"), (f"conference:{conference['id']}", "submitted")}


async def test_tracking_codes_are_random_and_forgiving_when_read_aloud():
    codes = {questions.new_tracking_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert questions.normalise_code("k84g-gmbs-fzkpb") == "K84GGMBSFZKPB"
    assert questions.normalise_code(" K84G GMBS FZKPB ") == "K84GGMBSFZKPB"
    assert questions.normalise_code("k84g-gmbs-fzkpo") == "K84GGMBSFZKP0"  # O read as 0
    assert questions.normalise_code("K84G-GMBS-FZKIL") == "K84GGMBSFZK11"  # I and L read as 1
    for not_a_code in ("OIL1", "K84G-GMBS-FZKPB.bak", "K84G-GMBS-FZKPB~", "K84GGMBSFZKPBB", "K84G/GMBS/FZKPB",
                       "K84G-GMBS-FZKPU", ""):
        assert questions.normalise_code(not_a_code) == "", not_a_code


async def test_emoji_sequences_are_saved_whole(demo_db):
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"
    conference = await open_conference()
    body = f"Khu vui chơi cho các gia đình {family} ở ngõ 120 Hoàng Cầu đã xuống cấp, đề nghị sửa chữa."
    submitted = await submit(conference, body=body, title=f"Khu vui chơi cho gia đình {family}")
    stored = await Question.select(Question.title, Question.body).where(Question.id == submitted.question["id"]).first()
    assert stored == {"title": f"Khu vui chơi cho gia đình {family}", "body": body}


async def test_the_same_form_sent_twice_makes_one_question(demo_db):
    conference = await open_conference()
    first = await submit(conference, form_token="same-form")
    again = await submit(conference, form_token="same-form")
    assert again.question["id"] == first.question["id"] and again.manage_token is None
    assert await Question.count() == 1 and await OutboxMessage.count() == 1


@pytest.mark.parametrize("changes, fields", [
    ({"asker_name": "", "asker_email": "", "asker_phone": ""}, {"asker_name", "asker_email"}),
    ({"asker_email": "binh@", "asker_phone": "0243825123"}, {"asker_email", "asker_phone"}),
    ({"asker_kind": "business", "organisation_name": "", "tax_code": ""}, {"organisation_name", "tax_code"}),
    ({"title": "Ngập", "body": "Ngắn quá"}, {"title", "body"}),
    ({"body": "x" * 4001}, {"body"}),
    ({"topic": "999999", "unit": "1"}, {"topic", "unit"}),
    ({"topic": "9" * 40}, {"topic"}),
    ({"data_consent": ""}, {"data_consent"}),
    ({"answer_mode": "carrier pigeon", "asker_kind": "alien"}, {"answer_mode", "asker_kind"}),
])
async def test_each_mistake_is_named_on_its_field(demo_db, changes, fields):
    conference = await open_conference()
    with language("vi"), pytest.raises(InvalidInput) as error:
        await submit(conference, **changes)
    assert set(error.value.errors) == fields
    assert await Question.count() == 0


async def test_a_tax_code_with_a_wrong_check_digit_can_be_confirmed(demo_db):
    conference = await open_conference()
    business = {"asker_kind": "business", "organisation_name": "Công ty TNHH Hoàng Cầu", "tax_code": "0100233480"}
    with pytest.raises(InvalidInput) as error:
        await submit(conference, **business)
    assert set(error.value.errors) == {"tax_code"}
    submitted = await submit(conference, tax_code_confirmed="yes", **business)
    assert submitted.question["tax_code"] == "0100233480" and submitted.question["tax_code_unverified"] is True


async def test_questions_are_refused_outside_the_window(demo_db):
    conference = await open_conference()
    for moment in (conference["questions_open_at"] - dt.timedelta(minutes=1), conference["questions_close_at"]):
        with pytest.raises(Conflict):
            await submit(conference, now=moment)
    await Conference.update({Conference.state: "closed"}).where(Conference.id == conference["id"])
    with pytest.raises(Conflict):
        await submit(conference)


async def test_too_many_submissions_from_one_address_wait_and_keep_nothing_lost(demo_db):
    conference = await open_conference()
    now = inside_window(conference)
    for n in range(3):
        await submit(conference, now=now + dt.timedelta(minutes=n), form_token=f"t{n}")
    with pytest.raises(Throttled) as error:
        await submit(conference, now=now + dt.timedelta(minutes=10), form_token="t3")
    assert "50" in str(error.value)  # minutes until the oldest of the three leaves the hour
    await submit(conference, now=now + dt.timedelta(minutes=10), form_token="t4", address="198.51.100.1")
    await submit(conference, now=now + dt.timedelta(minutes=61), form_token="t5")


async def test_a_burst_of_forms_from_one_address_cannot_pass_the_limit_together(demo_db):
    """The count and the insert are one unit, one submission of an address at a time: ten forms sent
    at the same moment (as from a script, or through several app processes) make three questions."""
    conference = await open_conference()
    now = inside_window(conference)
    outcomes = await asyncio.gather(*(submit(conference, now=now, form_token=f"burst-{n}") for n in range(10)),
                                    return_exceptions=True)
    assert sum(not isinstance(o, BaseException) for o in outcomes) == 3
    assert all(isinstance(o, Throttled) for o in outcomes if isinstance(o, BaseException)), outcomes
    assert await Question.count() == 3


async def test_the_honeypot_refuses_robots(demo_db):
    conference = await open_conference()
    with pytest.raises(InvalidInput):
        await submit(conference, website="http://spam.example")
    assert await Question.count() == 0


# --- Tracking, withdrawing, following --------------------------------------------------------

async def test_a_question_is_public_only_when_accepted_and_consented(demo_db):
    conference = await open_conference()
    question = (await submit(conference)).question
    assert not tracking.is_public(question)
    assert tracking.is_public({**question, "state": "accepted"})
    assert not tracking.is_public({**question, "state": "accepted", "public_consent": False})


async def test_withdrawing_needs_the_secret_and_happens_once(demo_db):
    conference = await open_conference()
    submitted = await submit(conference)
    code = submitted.question["tracking_code"]
    for token in ("", "wrong", "x" * 300, submitted.manage_token[:-1]):
        with pytest.raises(NotFound):
            await tracking.withdraw(code, token, "", inside_window(conference), POLICY.base_url)
    withdrawn = await tracking.withdraw(questions.display_code(code).lower(), submitted.manage_token,
                                         "Đã được giải quyết", inside_window(conference), POLICY.base_url)
    assert withdrawn["state"] == "withdrawn"
    entry = await ActionLog.select().where(ActionLog.action == "withdrawn").first()
    assert (entry["from_state"], entry["to_state"], entry["reason"]) == ("submitted", "withdrawn", "Đã được giải quyết")
    assert await OutboxMessage.count().where(OutboxMessage.kind == "question_withdrawn") == 1
    with pytest.raises(Conflict):
        await tracking.withdraw(code, submitted.manage_token, "", inside_window(conference), POLICY.base_url)


async def test_an_answered_question_cannot_be_withdrawn(demo_db):
    conference = await open_conference()
    submitted = await submit(conference)
    await Question.update({Question.state: "answered"}).where(Question.id == submitted.question["id"])
    with pytest.raises(Conflict):
        await tracking.withdraw(submitted.question["tracking_code"], submitted.manage_token, "",
                                 inside_window(conference), POLICY.base_url)


async def test_following_is_double_opt_in_and_followers_hear_of_changes(demo_db):
    conference = await open_conference()
    submitted = await submit(conference)
    code, now = submitted.question["tracking_code"], inside_window(conference)
    with pytest.raises(InvalidInput):
        await tracking.request_follow(code, "not an address", "vi", now, POLICY.base_url)
    await tracking.request_follow(code, "Lan@Example.vn", "en", now, POLICY.base_url)
    follower = await Follower.select().first()
    assert follower["email"] == "lan@example.vn" and follower["confirmed_at"] is None
    confirm = await OutboxMessage.select().where(OutboxMessage.kind == "follow_confirm").first()
    assert f"/follow/{follower['token']}/confirm" in confirm["text_body"]
    assert confirm["subject"].startswith("Confirm that you want to follow")  # in the follower's language

    await tracking.withdraw(code, submitted.manage_token, "", now, POLICY.base_url)
    assert await OutboxMessage.count().where(OutboxMessage.to_address == "lan@example.vn") == 1  # not yet confirmed

    await tracking.confirm_follow(follower["token"], now)
    await Question.update({Question.state: "submitted"}).where(Question.id == submitted.question["id"])
    await tracking.withdraw(code, submitted.manage_token, "", now, POLICY.base_url)
    to_follower = await OutboxMessage.select().where(
        (OutboxMessage.to_address == "lan@example.vn") & (OutboxMessage.kind == "question_withdrawn")).first()
    assert f"/follow/{follower['token']}/unsubscribe" in to_follower["headers"]

    await tracking.unsubscribe(follower["token"], now)
    assert (await Follower.select().first())["unsubscribed_at"] is not None
    with pytest.raises(NotFound):
        await tracking.unsubscribe("no-such-token", now)
