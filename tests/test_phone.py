"""Notifications by phone: SMS and Zalo (ZNS) messages through the outbox, sent to a real HTTP server on
loopback that plays both providers (dialogue/mail/sink.py) — up, down, slow, refusing, rate limiting —
with the e-mail's guarantees (once per idempotency key, back-off, the last error kept, one worker per
message); the daily caps; the admins' cost counter; and the asker's choice on the ask form, heard at
each step of their question."""

import asyncio
import dataclasses
import datetime as dt
import json
import logging
import re
import time

import pytest

from dialogue.accounts.tables import StaffUser
from dialogue.answers import drafting
from dialogue.conferences.queries import get_conference
from dialogue.conferences.tables import Conference
from dialogue.core.db import write_steps, write_transaction
from dialogue.core.i18n import language
from dialogue.core.settings import get_settings
from dialogue.machine.actors import Actor
from dialogue.mail import outbox, phone
from dialogue.mail.providers import sms_sender, zalo_sender
from dialogue.mail.sender import ByChannel
from dialogue.mail.sink import ProviderSink
from dialogue.mail.tables import OutboxMessage
from dialogue.questions import intake, routing, screening
from dialogue.questions.tables import Follower, Question
from dialogue.reference.tables import AdminUnit
from tests.conftest import DEMO_ACCOUNTS, make_client, sign_in
from tests.pinned import NOW
from tests.test_commitments import concluded  # noqa: F401  (the fixture)
from tests.test_documents import END, day  # noqa: F401  (the fixture)
from tests.test_web_questions import NAME, submit

NUMBER = "+84987654321"  # the asker's mobile as stored; 0987 654 321 as typed (tests.test_web_questions.PHONE)
CODE = "K84G-GMBS-FZKPB"
TRACKING = f"https://doithoai.example.vn/q/{CODE}"
BASE = "https://testserver.local"  # the demo client's BASE_URL
TEMPLATES = (("question_update", "zns-update-1"), ("question_received", "zns-received-1"),
             ("conference_outcome", "zns-outcome-1"))


@pytest.fixture
def sink():
    server = ProviderSink().start()
    yield server
    server.stop()


def senders(sink: ProviderSink, timeout: float = 5.0, channels: tuple[str, ...] = ("sms", "zalo")) -> ByChannel:
    """The senders the app builds from SMS_URL and ZALO_URL, pointed at the sink."""
    every = {"sms": sms_sender(sink.sms_url, sink.api_key, "DOITHOAI", 800, timeout),
             "zalo": zalo_sender(sink.zalo_url, sink.access_token, TEMPLATES, 300, timeout)}
    return ByChannel({channel: every[channel] for channel in channels})


async def ward() -> dict:
    return await get_conference((await Conference.select(Conference.id).first())["id"])


async def queue(channel: str, n: int = 1, to: str | None = NUMBER, now: dt.datetime = NOW,
                unit_id: int | None = None) -> None:
    """n news messages of question CODE (to one number, or each to its own when `to` is None), added in
    one transaction as the services add them."""
    conference = await ward()
    messages = [phone.prepare(
        channel=channel, to=to or f"+8491234{i:04d}", kind="question_update", language_code="vi",
        subject="Tin về câu hỏi của bạn", now=now, unit_id=unit_id or conference["unit"], code=CODE,
        tracking_url=TRACKING, unit_name=conference["unit_name"], question={"state": "accepted"},
    ) for i in range(n)]
    async with write_transaction():
        await outbox.add(*messages)


async def rows(**where) -> list[dict]:
    query = OutboxMessage.select().order_by(OutboxMessage.id)
    for column, value in where.items():
        query = query.where(getattr(OutboxMessage, column) == value)
    return await query


# --- What a message is --------------------------------------------------------------------------------------------

def test_an_sms_is_folded_to_plain_letters_and_counted_in_billed_parts():
    assert phone.sms_text("Phường Đống Đa: câu hỏi “đã được” tiếp nhận – xem…") \
        == 'Phuong Dong Da: cau hoi "da duoc" tiep nhan - xem...'
    assert phone.sms_text("dòng 1\n\n dòng 2 ✓") == "dong 1 dong 2 ?"
    assert [phone.sms_segments("x" * n) for n in (1, 160, 161, 306, 307)] == [1, 1, 2, 2, 3]
    assert phone.sms_segments("~" * 80) == 1 and phone.sms_segments("~" * 81) == 2  # ~ takes two places


def test_the_channel_rule_of_the_ask_form_and_of_corrections():
    assert intake.channel_error("email", "mai@example.vn", "") is None
    assert intake.channel_error("sms", "", "0987 654 321") is None
    assert intake.channel_error("zalo", "", NUMBER) is None
    assert intake.channel_error("none", "", "") is None
    with language("en"):
        assert "e-mail address" in intake.channel_error("email", "", "0987 654 321")
        assert "mobile number" in intake.channel_error("sms", "mai@example.vn", "")
        assert "Zalo account" in intake.channel_error("zalo", "mai@example.vn", " ")
        assert "landline" in intake.channel_error("sms", "", "024 3825 1234")
        assert "Choose how" in intake.channel_error("fax", "mai@example.vn", "")
    assert "số cố định" in intake.channel_error("zalo", "", "+842438251234")  # in the asker's language
    assert intake.default_channel("mai@example.vn", NUMBER) == "email"  # as before phones were a channel
    assert intake.default_channel("", NUMBER) == "sms"
    assert intake.default_channel("", "+842438251234") == "none"  # a landline takes no SMS


# --- Each channel's guarantees against the provider -----------------------------------------------------------

async def test_an_sms_is_taken_once_with_its_idempotency_key_and_costed(demo_db, sink):
    await queue("sms")
    assert await outbox.drain(senders(sink), NOW) == {"sent": 1, "failed": 0}
    [taken] = sink.taken
    [row] = await rows()
    assert taken.phone == "84987654321" and taken.brandname == "DOITHOAI"
    assert taken.request_id == taken.idempotency_key == row["message_id"]
    assert taken.text == row["text_body"] and taken.text.isascii()
    assert CODE in taken.text and TRACKING in taken.text and "Da chap nhan" in taken.text
    assert row["sent_at"] is not None and row["provider_ref"] == taken.msg_id and row["last_error"] == ""
    assert row["segments"] == phone.sms_segments(taken.text) and row["cost"] == row["segments"] * 800
    # Sent is sent: nothing goes again.
    assert await outbox.drain(senders(sink), NOW + dt.timedelta(hours=1)) == {"sent": 0, "failed": 0}
    assert len(sink.requests) == 1


async def test_a_zalo_message_is_a_zns_template_with_its_values(demo_db, sink):
    await queue("zalo")
    assert await outbox.drain(senders(sink), NOW) == {"sent": 1, "failed": 0}
    [taken] = sink.taken
    [row] = await rows()
    assert taken.phone == "84987654321" and taken.template_id == "zns-update-1"
    assert taken.template_data == {"code": CODE, "status": "Đã chấp nhận", "tracking_url": TRACKING}
    assert taken.request_id == taken.idempotency_key == row["message_id"]
    assert sink.requests[0].headers["access_token"] == sink.access_token
    assert row["provider_ref"] == taken.msg_id and row["cost"] == 300
    assert "Đã chấp nhận" in row["text_body"] and CODE in row["text_body"]  # readable by the organisers


@pytest.mark.parametrize("channel", ["sms", "zalo"])
async def test_with_the_provider_down_the_message_waits_and_goes_once_it_is_back(demo_db, channel):
    sink = ProviderSink()  # its port, with nothing listening yet: the connection is refused
    await queue(channel)
    assert await outbox.drain(senders(sink), NOW) == {"sent": 0, "failed": 1}
    [row] = await rows()
    assert row["sent_at"] is None and row["attempts"] == 1 and "ConnectError" in row["last_error"]
    assert row["next_attempt_at"] == NOW + dt.timedelta(minutes=1) and row["claimed_until"] is None
    assert await outbox.drain(senders(sink), NOW + dt.timedelta(seconds=30)) == {"sent": 0, "failed": 0}
    sink.start()
    try:
        assert await outbox.drain(senders(sink), NOW + dt.timedelta(minutes=1)) == {"sent": 1, "failed": 0}
    finally:
        sink.stop()
    assert [taken.request_id for taken in sink.taken] == [row["message_id"]]  # the same message, not a new one


@pytest.mark.parametrize("channel", ["sms", "zalo"])
async def test_a_slow_provider_times_out_and_the_resend_is_recognised(demo_db, sink, channel):
    """The provider took the message but answered too late: the outbox cannot know, and sends it again
    with the same key; the provider sends it once."""
    await queue(channel)
    sink.delay = 2.0
    assert await outbox.drain(senders(sink, timeout=0.3), NOW) == {"sent": 0, "failed": 1}
    [row] = await rows()
    assert "Timeout" in row["last_error"] and row["attempts"] == 1
    sink.delay = 0
    assert await outbox.drain(senders(sink), NOW + dt.timedelta(minutes=1)) == {"sent": 1, "failed": 0}
    assert len(sink.requests) == 2 and len(sink.taken) == 1
    assert {request.headers["idempotency-key"] for request in sink.requests} == {row["message_id"]}
    assert (await rows())[0]["provider_ref"] == sink.taken[0].msg_id


@pytest.mark.parametrize(("channel", "refusal", "kept"), [
    ("sms", ("05", "Brandname is not registered"), "code 05 (Brandname is not registered)"),
    ("zalo", ("-1123", "Template is not approved"), "error -1123 (Template is not approved)"),
])
async def test_a_refusal_keeps_the_providers_code_and_backs_off(demo_db, sink, channel, refusal, kept):
    await queue(channel)
    sink.refusal = refusal
    assert await outbox.drain(senders(sink), NOW) == {"sent": 0, "failed": 1}
    [row] = await rows()
    assert kept in row["last_error"] and row["next_attempt_at"] == NOW + dt.timedelta(minutes=1)
    later = NOW + dt.timedelta(minutes=1)
    assert await outbox.drain(senders(sink), later) == {"sent": 0, "failed": 1}
    [row] = await rows()
    assert row["attempts"] == 2 and row["next_attempt_at"] == later + dt.timedelta(minutes=5)  # backing off
    sink.refusal = None
    assert await outbox.drain(senders(sink), later + dt.timedelta(minutes=5)) == {"sent": 1, "failed": 0}
    assert (await rows())[0]["last_error"] == "" and len(sink.taken) == 1


@pytest.mark.parametrize("channel", ["sms", "zalo"])
async def test_a_rate_limited_provider_is_left_alone_as_long_as_it_asks(demo_db, sink, channel):
    await queue(channel, n=2, to=None)
    sink.rate_limit(retry_after=120)
    started = time.monotonic()
    assert await outbox.drain(senders(sink), NOW) == {"sent": 0, "failed": 1}
    took = dt.timedelta(seconds=time.monotonic() - started)  # the round's time runs on from NOW as it runs
    assert len(sink.requests) == 1  # the second message was not tried in the same round
    first, second = await rows()
    assert "429" in first["last_error"] and "Retry-After: 120" in first["last_error"]
    # 120 s from the moment, within the round, that the provider said so
    assert NOW + dt.timedelta(seconds=120) <= first["next_attempt_at"] <= NOW + dt.timedelta(seconds=120) + took
    # The whole channel waits as long as the provider asked, the message that was not tried too
    assert NOW + dt.timedelta(seconds=120) <= second["next_attempt_at"] <= NOW + dt.timedelta(seconds=120) + took
    assert await outbox.drain(senders(sink), NOW + dt.timedelta(seconds=61)) == {"sent": 0, "failed": 0}
    assert len(sink.requests) == 1
    assert await outbox.drain(senders(sink), NOW + dt.timedelta(seconds=121) + took) == {"sent": 2, "failed": 0}
    assert len(sink.taken) == 2


async def test_two_workers_send_each_phone_message_once(demo_db, sink):
    await queue("sms", n=15, to=None)
    await queue("zalo", n=15, to=None)
    sink.delay = 0.02  # slow enough for the two workers to interleave
    send = senders(sink)
    first, second = await asyncio.gather(outbox.drain(send, NOW, worker="a", limit=30),
                                         outbox.drain(send, NOW, worker="b", limit=30))
    assert first["sent"] + second["sent"] == 30 and first["sent"] and second["sent"]
    assert len(sink.requests) == 30  # no message was sent twice
    assert sorted(t.request_id for t in sink.taken) == sorted(r["message_id"] for r in await rows())
    assert all(row["sent_at"] is not None for row in await rows())


async def test_a_zalo_message_without_its_template_id_waits_saying_which_setting(demo_db, sink):
    conference = await ward()
    async with write_transaction():
        await outbox.add(phone.prepare(channel="zalo", to=NUMBER, kind="answer_published", language_code="vi",
                                       subject="S", now=NOW, unit_id=conference["unit"], code=CODE,
                                       tracking_url=TRACKING, unit_name=conference["unit_name"]))
    assert await outbox.drain(senders(sink), NOW) == {"sent": 0, "failed": 1}
    [row] = await rows()
    assert "No ZNS template id for 'answer_published'" in row["last_error"] and "ZALO_TEMPLATES" in row["last_error"]
    assert sink.requests == []  # nothing was sent that Zalo would refuse


async def test_a_channel_with_no_provider_waits_and_says_why(demo_db, sink):
    await queue("sms")
    await queue("zalo")
    assert await outbox.drain(senders(sink, channels=("zalo",)), NOW) == {"sent": 1, "failed": 0}
    [sms] = await rows(channel="sms")
    assert sms["sent_at"] is None and sms["attempts"] == 0
    assert sms["last_error"] == "No SMS provider is configured (SMS_URL): the message waits until one is."
    assert (await outbox.backlog(NOW))["waiting"] == 1  # waiting, not dropped
    assert await outbox.drain(senders(sink), NOW) == {"sent": 1, "failed": 0}
    assert (await rows(channel="sms"))[0]["last_error"] == ""


# --- The daily caps -------------------------------------------------------------------------------------------------

async def test_one_number_gets_at_most_its_daily_share(demo_db, sink, caplog):
    assert get_settings().phone_messages_per_asker_per_day == 5
    for hour in range(5):
        await queue("sms", now=NOW + dt.timedelta(hours=hour))
    with caplog.at_level(logging.WARNING, logger="dialogue.mail"):
        await queue("zalo", now=NOW + dt.timedelta(hours=6))  # SMS and Zalo count together
        # the hot path of a submission writes its message as steps of one unit of work: capped the same way
        conference = await ward()
        late = phone.prepare(channel="sms", to=NUMBER, kind="question_received", language_code="vi", subject="S",
                             now=NOW + dt.timedelta(hours=7), unit_id=conference["unit"], code=CODE,
                             tracking_url=TRACKING, private_url=f"{TRACKING}/manage/secret", unit_name="Đống Đa")
        await write_steps(*outbox.insert_steps(late))
    assert [r["skipped_reason"] for r in await rows()] == [""] * 5 + ["asker_cap"] * 2
    assert "past the daily cap (asker_cap)" in caplog.text
    await queue("sms", to="+84912000111", now=NOW + dt.timedelta(hours=7))  # another number is not held back
    assert (await rows())[-1]["skipped_reason"] == ""

    assert await outbox.drain(senders(sink), NOW + dt.timedelta(hours=8)) == {"sent": 6, "failed": 0}
    assert await outbox.drain(senders(sink), NOW + dt.timedelta(days=3)) == {"sent": 0, "failed": 0}
    assert len(sink.taken) == 6 and (await outbox.backlog(NOW))["waiting"] == 0  # skipped: never claimed
    # A day after the first, the number has room again.
    await queue("sms", now=NOW + dt.timedelta(hours=24, minutes=1))
    assert (await rows())[-1]["skipped_reason"] == ""


@pytest.fixture
def unit_cap_of_three(monkeypatch):
    monkeypatch.setenv("PHONE_MESSAGES_PER_UNIT_PER_DAY", "3")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()  # the environment is restored after this: the next reading sees it


async def test_one_unit_sends_at_most_its_daily_share(demo_db, unit_cap_of_three):
    await queue("sms", n=4, to=None)  # four askers, in one transaction
    assert [r["skipped_reason"] for r in await rows()] == ["", "", "", "unit_cap"]
    other = await AdminUnit.select(AdminUnit.id).where(AdminUnit.code == "00004").first()  # Ba Đình ward
    await queue("zalo", to="+84912000222", unit_id=other["id"])
    assert (await rows())[-1]["skipped_reason"] == ""
    conference = await ward()
    async with write_transaction():  # e-mail has no cap
        await outbox.enqueue(to="mai@example.vn", template="follow_confirm", language_code="vi", subject=lambda: "S",
                             kind="follow_confirm", now=NOW, unit_id=conference["unit"],
                             question={"tracking_code": "K84GGMBSFZKPB", "title": "Ngập"}, conference=conference,
                             code=CODE, tracking_url=TRACKING, confirm_url="https://x/c", unsubscribe_url="https://x/u")
    assert (await rows(channel="email"))[0]["skipped_reason"] == ""


# --- The cost counter -----------------------------------------------------------------------------------------------

async def test_the_admin_reads_each_units_phone_costs_for_the_month(demo_client, sink):
    conference = await ward()
    long_news = phone.prepare(channel="sms", to="+84912000333", kind="question_received", language_code="vi",
                              subject="S", now=NOW, unit_id=conference["unit"], code=CODE, tracking_url=TRACKING,
                              private_url=f"{TRACKING}/manage/" + "s" * 43, unit_name=conference["unit_name"])
    assert long_news.segments == 2
    async with write_transaction():
        await outbox.add(long_news)
    await queue("sms")  # one part
    await queue("zalo")
    for _ in range(5):
        await queue("zalo", to="+84912000444")  # the fifth and sixth to that number are stopped
    await queue("zalo", to="+84912000444")
    assert await outbox.drain(senders(sink), NOW, limit=50) == {"sent": 8, "failed": 0}

    month = await outbox.monthly_phone_costs(2026, 12)
    [unit] = month["units"]
    assert unit["unit_name"] == conference["unit_name"]
    assert (unit["sms"], unit["sms_parts"], unit["zalo"], unit["asker_cap"], unit["unit_cap"]) == (2, 3, 6, 1, 0)
    assert unit["cost"] == 3 * 800 + 6 * 300 == month["total"]["cost"]
    assert (await outbox.monthly_phone_costs(2026, 11))["units"] == []

    await sign_in(demo_client, DEMO_ACCOUNTS["admin"])
    page = await demo_client.get("/admin/phone-costs")
    assert page.status_code == 200
    assert 'href="/admin/phone-costs"' in page.text  # in the admin menu
    row = re.search(r"<tr>\s*<th scope=\"row\"[^>]*>" + conference["unit_name"] + r"</th>(.*?)</tr>", page.text, re.S)
    assert re.findall(r"<td[^>]*>([^<]*)</td>", row.group(1)) == ["2", "3", "6", "4.200 đ", "1", "0"]
    assert "12/2026" in page.text and "?month=2026-11" in page.text
    assert "Chưa có tin nhắn SMS hay Zalo nào" in (await demo_client.get("/admin/phone-costs?month=2026-11")).text
    assert (await demo_client.get("/admin/phone-costs?month=bad")).status_code == 200  # this month, then
    await sign_in(demo_client, DEMO_ACCOUNTS["organiser"])
    assert (await demo_client.get("/admin/phone-costs")).status_code == 403


# --- The asker's choice, heard at every step ---------------------------------------------------------------------

async def test_the_ask_form_offers_each_channel_and_explains_a_choice_without_its_contact(demo_client):
    from tests.test_web_questions import ask_page

    _cid, page = await ask_page(demo_client)
    assert re.findall(r'name="notify_by" value="(\w+)"', page.text) == ["email", "sms", "zalo", "none"]
    assert 'data-needs="asker_phone"' in page.text and "notify.js" in page.text

    refused = await submit(demo_client, asker_email="", notify_by="email")
    assert refused.status_code == 400
    assert 'href="#notify_by"' in refused.text and 'id="notify_by-error"' in refused.text
    assert "Để nhận tin qua thư điện tử" in refused.text  # the message, in Vietnamese
    assert NAME in refused.text and "0987 654 321" in refused.text  # everything typed is kept
    assert re.search(r'name="notify_by" value="email" checked', refused.text)
    landline = await submit(demo_client, asker_email="", asker_phone="024 3825 1234", notify_by="sms")
    assert landline.status_code == 400 and "số cố định" in landline.text
    assert await Question.count() == 0


async def test_without_a_provider_sms_and_zalo_are_not_offered_and_a_mobile_alone_gets_no_messages(demo_db, clock):
    """A deployment without SMS_URL and ZALO_URL: a choice nobody could deliver is not offered, a choice
    sent anyway (a form from before, a hand-made post) is a polite error, and a phone-only asker keeps
    their private link on screen instead of waiting for an SMS that never leaves."""
    from tests.test_web_questions import ask_page

    async with make_client(dataclasses.replace(demo_db, sms_url="", zalo_url=""), clock) as client:
        _cid, page = await ask_page(client)
        assert re.findall(r'name="notify_by" value="(\w+)"', page.text) == ["email", "none"]
        assert "Nếu không chọn: thư điện tử nếu bạn đã cho địa chỉ." in page.text  # not "SMS to a mobile"
        refused = await submit(client, asker_email="", notify_by="sms")
        assert refused.status_code == 400 and "Cách nhận tin này (Qua tin nhắn SMS) hiện chưa có ở đây" in refused.text
        assert NAME in refused.text and "0987 654 321" in refused.text  # everything typed is kept
        assert await Question.count() == 0
        sent = await submit(client, asker_email="")
        assert sent.status_code == 200 and "/manage/" in sent.text and "tin nhắn SMS" not in sent.text
    assert (await Question.select(Question.notify_by).first())["notify_by"] == "none"
    assert await OutboxMessage.count() == 0


def test_the_offered_channels_follow_the_providers_and_keep_an_askers_present_choice(demo_db):
    assert intake.offered_channels(demo_db) == ("email", "sms", "zalo", "none")
    bare = dataclasses.replace(demo_db, sms_url="", zalo_url="")
    assert intake.offered_channels(bare) == ("email", "none")
    assert intake.offered_channels(bare, keeping="zalo") == ("email", "zalo", "none")  # may still correct a name
    assert intake.default_channel("", NUMBER, ("email", "none")) == "none"
    assert intake.channel_error("zalo", "", NUMBER, ("email", "none")) == (
        "Cách nhận tin này (Qua Zalo) hiện chưa có ở đây. Vui lòng chọn cách khác để nhận thông tin về câu hỏi.")


async def test_an_asker_who_chose_sms_hears_by_sms_once_per_step(demo_client, sink, clock):
    """A resident who gave an e-mail and a phone chose SMS, and follows their own question by e-mail:
    each step reaches them once, by SMS."""
    sent = await submit(demo_client, notify_by="sms")
    assert sent.status_code == 200, sent.text
    assert "tin nhắn SMS tới 0987 654 321" in sent.text
    question = await Question.select().first()
    assert question["notify_by"] == "sms" and question["asker_phone"] == NUMBER
    await Follower.insert(Follower(question=question["id"], email=question["asker_email"], token="f" * 40,
                                   language="vi", confirmed_at=NOW, created_at=NOW))
    organiser = Actor.staff(await StaffUser.select().where(StaffUser.email == DEMO_ACCOUNTS["organiser"]).first())
    await screening.decide(organiser, question["id"], "accept", {"reason": "Thuộc thẩm quyền."}, clock(), BASE)
    kinds = [(row["channel"], row["kind"]) for row in await rows()]
    assert kinds == [("sms", "question_received"), ("sms", "question_update")]  # no e-mail, not to the follower


async def test_a_phone_only_asker_gets_an_sms_at_submission_acceptance_and_answer(demo_client, sink, clock):
    sent = await submit(demo_client, asker_email="", notify_by="sms")
    assert sent.status_code == 200, sent.text
    code, token = re.search(r'/q/([0-9A-Z-]+)/manage/([A-Za-z0-9_-]+)"', sent.text).groups()
    question = await Question.select().first()
    assert question["notify_by"] == "sms"

    organiser = Actor.staff(await StaffUser.select().where(StaffUser.email == DEMO_ACCOUNTS["organiser"]).first())
    await Conference.update({Conference.release_policy: "on_approval"}).where(Conference.id > 0)
    await routing.accept_and_route(organiser, [question["id"]], clock(), BASE)
    lead = next(a for a in await routing.assignments_of(question["id"]) if a["role"] == "lead")
    head = await StaffUser.select().where((StaffUser.agency == lead["agency"]) & (StaffUser.role == "agency_head")) \
        .first()
    writer = await StaffUser.select().where(StaffUser.agency == lead["agency"]).first()
    await drafting.save_draft(Actor.staff(writer), question["id"], {"body": "Phường sẽ kiểm tra công trình."}, clock())
    await drafting.submit(Actor.staff(writer), question["id"], clock())
    await drafting.review(Actor.staff(head), question["id"], "approve", "", clock(), BASE)

    assert [row["kind"] for row in await rows()] == ["question_received", "question_update", "answer_published"]
    assert await outbox.drain(senders(sink), clock()) == {"sent": 3, "failed": 0}
    received, accepted, answered = (taken.text for taken in sink.taken)
    assert all(t.phone == "84987654321" for t in sink.taken)
    assert all(code in text and f"{BASE}/q/{code}" in text for text in (received, accepted, answered))
    assert f"/q/{code}/manage/{token}" in received  # the private link, which a phone-only asker has nowhere else
    assert "da duoc tiep nhan" in received and "Co quan co trach nhiem dang xu ly" in accepted and "tra loi" in answered

    # Once sent, the stored copy holds no working link; organisers read the SMS with the link masked.
    stored = "\n".join(str(row) for row in await rows())
    assert token not in stored and f"/q/{code}/manage/•••" in stored
    await sign_in(demo_client, DEMO_ACCOUNTS["organiser"])
    listing = await demo_client.get("/organiser/mail")
    assert listing.status_code == 200 and "<td data-label=\"Kênh\">SMS</td>" in listing.text
    detail = await demo_client.get(f"/organiser/mail/{(await rows())[0]['id']}")
    assert token not in detail.text and "Số phần tin nhắn SMS" in detail.text and "1.600 đ" in detail.text


async def test_a_zalo_asker_gets_a_zns_message_whose_private_link_is_masked_once_sent(demo_client, sink, monkeypatch):
    monkeypatch.setenv("ZALO_TEMPLATES", "question_received=zns-received-1")
    get_settings.cache_clear()
    try:
        sent = await submit(demo_client, asker_email="", notify_by="zalo")
    finally:
        monkeypatch.delenv("ZALO_TEMPLATES")
        get_settings.cache_clear()
    assert sent.status_code == 200 and "tin nhắn Zalo tới 0987 654 321" in sent.text
    code, token = re.search(r'/q/([0-9A-Z-]+)/manage/([A-Za-z0-9_-]+)"', sent.text).groups()
    [row] = await rows()
    assert row["channel"] == "zalo" and json.loads(row["payload"])["template_id"] == "zns-received-1"
    assert await outbox.drain(senders(sink), NOW) == {"sent": 1, "failed": 0}
    [taken] = sink.taken
    assert taken.template_data == {"code": code, "status": "Đã tiếp nhận", "tracking_url": f"{BASE}/q/{code}",
                                   "private_url": f"{BASE}/q/{code}/manage/{token}"}
    [row] = await rows()
    assert token not in row["payload"] + row["text_body"] and f"/q/{code}/manage/•••" in row["payload"]


async def test_an_asker_who_wants_no_messages_gets_none(demo_client):
    sent = await submit(demo_client, notify_by="none")
    assert sent.status_code == 200 and "/manage/" in sent.text  # the private link is on the page
    assert (await Question.select(Question.notify_by).first())["notify_by"] == "none"
    assert await OutboxMessage.count() == 0


async def test_a_number_goes_to_a_phone_provider_only_by_the_askers_own_choice(demo_client):
    """The privacy notice promises consent by no pre-ticked box: a mobile alone, no choice made (without
    JavaScript, the choices not touched), is no SMS; the page keeps the private link instead."""
    sent = await submit(demo_client, asker_email="")
    assert sent.status_code == 200 and "/manage/" in sent.text and "tin nhắn SMS" not in sent.text
    assert (await Question.select(Question.notify_by).first())["notify_by"] == "none"
    assert await OutboxMessage.count() == 0


async def test_a_phone_asker_hears_of_a_commitment_done_and_is_asked_whether_it_was(concluded, sink):  # noqa: F811
    from dialogue.commitments import followup, reminders

    commitment = next(c for c in concluded["commitments"] if c["question"] is not None)
    await Question.update({Question.notify_by: "sms", Question.asker_phone: NUMBER}).where(
        Question.id == commitment["question"])
    question = await Question.select().where(Question.id == commitment["question"]).first()
    code = intake.display_code(question["tracking_code"])
    await OutboxMessage.update({OutboxMessage.sent_at: NOW}).where(OutboxMessage.id > 0)  # the demo's own mail
    before = await OutboxMessage.count()
    await followup.report_done(concluded["officer"], commitment["id"], {"summary": "Đã nạo vét 120 m rãnh."}, NOW,
                               BASE)
    assert (await reminders.tick(NOW + dt.timedelta(days=7), BASE))["commitment_confirm"] == 1
    mine = [(row["channel"], row["kind"]) for row in (await rows())[before:]
            if row["to_address"] in (NUMBER, question["asker_email"])]
    assert mine == [("sms", "commitment_update"), ("sms", "commitment_confirm")]
    assert await outbox.drain(senders(sink), NOW + dt.timedelta(days=7)) == {"sent": 2, "failed": 0}
    done, confirm = (taken.text for taken in sink.taken)
    assert code in done and "Da bao cao hoan thanh" in done
    token = re.search(r"/confirm/([0-9]+\.[A-Za-z0-9_-]+)", confirm).group(1)
    assert code in confirm and f"{BASE}/q/{code}" in confirm
    assert token not in str(await rows())  # masked once sent: it could dispute the report in the asker's name


async def test_a_zalo_asker_hears_what_the_conference_said(day, sink):  # noqa: F811
    from dialogue.documents import commands

    asker = day["questions"][0]
    await Question.update({Question.notify_by: "zalo", Question.asker_phone: NUMBER}).where(Question.id == asker["id"])
    await commands.end_session(day["secretary"], day["conference"]["id"], END)
    await commands.publish(day["organiser"], day["conference"]["id"], END, BASE)
    outcome = await rows(kind="conference_outcome")
    assert [row["to_address"] for row in outcome if row["channel"] == "zalo"] == [NUMBER]
    assert asker["asker_email"] not in [row["to_address"] for row in outcome]  # one message, on Zalo
    await OutboxMessage.update({OutboxMessage.sent_at: NOW}).where(OutboxMessage.kind != "conference_outcome")
    assert (await outbox.drain(senders(sink), END, limit=50))["failed"] == 0
    [taken] = sink.taken
    code = intake.display_code(asker["tracking_code"])
    assert taken.template_id == "zns-outcome-1" and taken.template_data == {
        "code": code, "status": "Đã được xem xét tại hội nghị", "tracking_url": f"{BASE}/q/{code}"}


def test_retry_after_is_read_as_seconds_or_a_date_and_never_parks_a_message_for_long():
    from dialogue.mail.providers import retry_after

    now = dt.datetime(2026, 12, 7, 3, 0, tzinfo=dt.UTC)
    assert retry_after("120") == 120 and retry_after("") == 60 and retry_after("soon") == 60
    assert retry_after("Mon, 07 Dec 2026 03:05:00 GMT", now) == 300
    assert retry_after("31536000") == 24 * 3600


async def test_a_message_erased_while_it_is_being_sent_stays_erased(demo_db, sink):
    """The asker's data is erased (consent withdrawn, retention) while the provider takes its time: once
    the send ends, the worker marks it sent without writing its words back."""
    from dialogue.privacy.erasure import forget_messages

    await queue("sms")
    sink.delay = 1.0
    sending = asyncio.create_task(outbox.drain(senders(sink), NOW))
    while not sink.requests:
        await asyncio.sleep(0.05)
    async with write_transaction():
        await forget_messages([NUMBER], CODE.replace("-", ""))
    assert await sending == {"sent": 1, "failed": 0}
    [row] = await rows()
    assert row["sent_at"] is not None and (row["to_address"], row["text_body"], row["payload"]) == ("", "", "")


async def test_the_confirmation_page_says_when_a_cap_held_the_sms_back(demo_client, unit_cap_of_three):
    """The unit's daily share is spent: the question is received, its SMS is not sent, and the page
    says so instead of promising it, so that the asker keeps the private link shown there."""
    await queue("sms", n=3, to=None)
    sent = await submit(demo_client, asker_email="", notify_by="sms")
    assert sent.status_code == 200, sent.text
    assert "tin nhắn SMS tới" not in sent.text and "/manage/" in sent.text
    assert 'class="notice notice--warning" role="status"' in sent.text
    assert [r["skipped_reason"] for r in await rows()][-1] == "unit_cap"
