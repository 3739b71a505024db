"""The asker's confirmation of a commitment reported done: the request the reminder job sends once
per report (CONFIRMATION_DAYS calendar days after it, only to askers with an e-mail address), and
the one-click links (yes; no with a reason) that are single-use, expire, and refuse anything forged."""

import asyncio
import datetime as dt
import re

import pytest

from dialogue.commitments import confirmation, followup, reminders
from dialogue.commitments.queries import public_timeline
from dialogue.commitments.tables import Commitment, CommitmentConfirmation
from dialogue.machine.log import ActionLog
from dialogue.mail.tables import OutboxMessage
from dialogue.questions.tables import Follower, Question
from tests.conftest import DEMO_ACCOUNTS, sign_in
from tests.pinned import NOW
from tests.test_commitments import BASE, concluded, state_of, with_question  # noqa: F401  (the fixture)

WEEK = NOW + dt.timedelta(days=7)


async def reported(concluded, which: int = 0) -> dict:  # noqa: F811
    """A commitment for a question, reported done by the lead agency at NOW."""
    c = [x for x in concluded["commitments"] if x["question"] is not None][which]
    await followup.report_done(concluded["officer"], c["id"], {"summary": "Đã nạo vét 120 m rãnh thoát nước."},
                               NOW, BASE)
    return c


async def requested(at: dt.datetime = WEEK, **kwargs) -> dict[int, str]:
    """Run the reminder job; the confirmation links it sent, by commitment."""
    await reminders.tick(at, BASE, **kwargs)
    links = {}
    for mail in await OutboxMessage.select().where(OutboxMessage.kind == "commitment_confirm"):
        token = re.search(r"/confirm/([0-9]+\.[A-Za-z0-9_-]+)", mail["text_body"]).group(1)
        links[int(token.split(".")[0])] = token
    return links


async def confirmations() -> list[dict]:
    return await CommitmentConfirmation.select().order_by(CommitmentConfirmation.id)


async def test_the_request_goes_after_the_set_days_once_per_report_to_the_asker_only(concluded):  # noqa: F811
    c = await reported(concluded)
    question = await Question.select().where(Question.id == c["question"]).first()
    await Follower.insert(Follower(question=c["question"], email="theo.doi@example.vn", token="tok-f", language="en",
                                   created_at=NOW, confirmed_at=NOW))
    # calendar days: six days and 23 hours later, nothing yet
    assert (await reminders.tick(WEEK - dt.timedelta(hours=1), BASE))["commitment_confirm"] == 0
    assert (await reminders.tick(WEEK, BASE))["commitment_confirm"] == 1
    assert (await reminders.tick(WEEK + dt.timedelta(days=1), BASE))["commitment_confirm"] == 0  # once
    mails = await OutboxMessage.select().where(OutboxMessage.kind == "commitment_confirm")
    assert [m["to_address"] for m in mails] == [question["asker_email"]]  # not the follower
    mail = mails[0]
    assert c["text"] in mail["text_body"] and "Đã nạo vét 120 m rãnh thoát nước." in mail["text_body"]
    assert "thực sự" in mail["subject"]  # the asker's language: Vietnamese
    token = re.search(r"/confirm/(\S+)", mail["text_body"]).group(1)
    assert f"/confirm/{token}" in mail["html_body"]
    # only the hash is stored
    row = (await confirmations())[0]
    assert token not in str(row) and token.split(".")[1] not in row["token_hash"]
    assert row["expires_at"] == WEEK + dt.timedelta(days=30)
    # the organisers' mail viewer masks the link (it can dispute in the asker's name)
    from dialogue.mail.outbox import SECRET_IN_LINK
    assert token not in SECRET_IN_LINK.sub("/confirm/•••", mail["text_body"] + mail["html_body"])


async def test_a_new_report_after_a_dispute_gets_a_new_request(concluded):  # noqa: F811
    c = await reported(concluded)
    links = await requested()
    await confirmation.dispute(links[c["id"]], {"reason": "Đoạn cuối ngõ vẫn ngập."}, WEEK, BASE)
    await followup.resume(concluded["officer"], c["id"], WEEK, BASE)
    await followup.report_done(concluded["officer"], c["id"], {"summary": "Đã làm nốt đoạn cuối."}, WEEK, BASE)
    assert (await reminders.tick(WEEK + dt.timedelta(days=3), BASE))["commitment_confirm"] == 0
    assert (await reminders.tick(WEEK + dt.timedelta(days=7), BASE))["commitment_confirm"] == 1
    assert len(await confirmations()) == 2


async def test_not_sent_to_an_asker_without_an_email_address_nor_once_the_commitment_moved_on(concluded):  # noqa: F811
    first, second = await reported(concluded, 0), await reported(concluded, 1)
    await Question.update({Question.asker_email: ""}).where(Question.id == first["question"])
    await followup.dispute(concluded["organiser"], second["id"], {"reason": "Kiểm tra thấy chưa làm."}, NOW, BASE)
    assert (await reminders.tick(WEEK, BASE))["commitment_confirm"] == 0
    assert await confirmations() == []


async def test_reports_older_than_the_days_and_the_links_life_get_no_request(concluded):  # noqa: F811
    """A first deployment (or a job that was down) asks only about reports still recent enough."""
    old, recent = await reported(concluded, 0), concluded["commitments"][1]
    later = NOW + dt.timedelta(days=10)
    await followup.report_done(concluded["officer"], recent["id"], {"summary": "Đã lắp đèn."}, later, BASE)
    # 38 days on: the first report is older than 7 + 30 days, the second is 28 days old
    assert (await reminders.tick(NOW + dt.timedelta(days=38), BASE))["commitment_confirm"] == 1
    assert [row["commitment"] for row in await confirmations()] == [recent["id"]]
    assert old["id"] != recent["id"]
    assert await OutboxMessage.count().where(OutboxMessage.kind == "commitment_confirm") == 1


async def test_the_days_are_settings():
    from dialogue.core.settings import SettingsError, load_settings

    settings = load_settings({"SECRET_KEY": "x" * 40})
    assert (settings.confirmation_days, settings.confirmation_link_days) == (7, 30)
    changed = load_settings({"SECRET_KEY": "x" * 40, "CONFIRMATION_DAYS": "3", "CONFIRMATION_LINK_DAYS": "10"})
    assert (changed.confirmation_days, changed.confirmation_link_days) == (3, 10)
    with pytest.raises(SettingsError):
        load_settings({"SECRET_KEY": "x" * 40, "CONFIRMATION_LINK_DAYS": "0"})


async def test_two_workers_send_one_request(concluded):  # noqa: F811
    await reported(concluded, 0)
    await reported(concluded, 1)
    first, second = await asyncio.gather(reminders.tick(WEEK, BASE), reminders.tick(WEEK, BASE))
    assert first["commitment_confirm"] + second["commitment_confirm"] == 2
    assert await OutboxMessage.count().where(OutboxMessage.kind == "commitment_confirm") == 2
    assert len(await confirmations()) == 2


# --- The links ----------------------------------------------------------------------------------------------------

async def test_yes_is_logged_and_public_and_changes_no_state(concluded, demo_client):  # noqa: F811
    c = await reported(concluded)
    token = (await requested())[c["id"]]
    for _ in range(2):  # opening the link (a mail scanner, twice) changes nothing
        page = await demo_client.get(f"/confirm/{token}")
        assert page.status_code == 200 and c["text"] in page.text and "Đã nạo vét 120 m rãnh" in page.text
        assert page.headers["referrer-policy"] == "no-referrer" and "no-store" in page.headers["cache-control"]
    assert (await confirmations())[0]["used_at"] is None
    done = await demo_client.post(f"/confirm/{token}/yes")
    assert done.status_code == 200 and "/q/" in done.text
    assert await state_of(c["id"]) == "reported_done"
    row = (await confirmations())[0]
    assert (row["answer"], row["used_at"]) == ("yes", NOW)  # the client's clock
    entry = await ActionLog.select().where(ActionLog.action == "commitment_confirmed").first()
    assert entry["actor_kind"] == "public" and entry["object_id"] == str(c["id"])
    timeline = (await public_timeline([c["id"]]))[c["id"]]
    assert timeline[-1].action == "commitment_confirmed"
    question = await Question.select().where(Question.id == c["question"]).first()
    code = question["tracking_code"]
    demo_client.cookies.set("dialogue_lang", "en")
    track = (await demo_client.get(f"/q/{code[:4]}-{code[4:8]}-{code[8:]}", headers={"accept-language": "en"})).text
    assert "The asker confirmed the work was done" in track or "Người hỏi đã xác nhận" in track


async def test_no_disputes_with_the_reason_and_tells_the_organisers_once(concluded, demo_client):  # noqa: F811
    c = await reported(concluded)
    question = await Question.select().where(Question.id == c["question"]).first()
    token = (await requested())[c["id"]]
    before = await OutboxMessage.count()
    empty = await demo_client.post(f"/confirm/{token}/no", data={"reason": "   "})
    assert empty.status_code == 400 and 'aria-invalid="true"' in empty.text
    long = "Rãnh vẫn ngập " * 100
    too_long = await demo_client.post(f"/confirm/{token}/no", data={"reason": long})
    assert too_long.status_code == 400 and long.strip() in too_long.text  # what was typed is kept
    assert await state_of(c["id"]) == "reported_done" and (await confirmations())[0]["used_at"] is None
    assert await OutboxMessage.count() == before
    last = (await OutboxMessage.select(OutboxMessage.id).order_by(OutboxMessage.id, ascending=False).first())["id"]
    reason = f"Đoạn cuối ngõ vẫn ngập khi mưa. Gọi tôi: 0912 345 678, {question['asker_email']}"
    done = await demo_client.post(f"/confirm/{token}/no", data={"reason": reason})
    assert done.status_code == 200
    row = await Commitment.select().where(Commitment.id == c["id"]).first()
    assert row["state"] == "disputed"
    entry = await ActionLog.select().where(ActionLog.action == "commitment_dispute").first()
    assert entry["actor_kind"] == "public" and "Đoạn cuối ngõ vẫn ngập khi mưa." in entry["reason"]
    assert "0912" not in entry["reason"] and question["asker_email"] not in entry["reason"]  # contacts kept out
    assert (await confirmations())[0]["reason"] == reason  # the asker's words as typed, for the organisers
    public = (await demo_client.get(f"/conferences/{c['conference']}/commitments/{c['id']}")).text
    assert "được mở lại (ý kiến của người hỏi)" in public  # the public reads whose word reopened the work
    organisers = await OutboxMessage.select().where(OutboxMessage.kind == "commitment_disputed")
    assert [m["to_address"] for m in organisers] == [DEMO_ACCOUNTS["organiser"]]
    assert "Đoạn cuối ngõ vẫn ngập khi mưa." in organisers[0]["text_body"]
    told = await OutboxMessage.select().where((OutboxMessage.kind == "commitment_update") & (OutboxMessage.id > last))
    assert [m["to_address"] for m in told] == [question["asker_email"]]
    # a second "no" (a double click) changes nothing and sends nothing
    again = await demo_client.post(f"/confirm/{token}/no", data={"reason": reason})
    assert again.status_code == 410
    assert await OutboxMessage.count().where(OutboxMessage.kind == "commitment_disputed") == 1
    # the organisers' list puts it first; the lead agency sees it too
    await sign_in(demo_client, DEMO_ACCOUNTS["organiser"])
    listing = (await demo_client.get(f"/organiser/conferences/{c['conference']}/commitments/")).text
    first_link = re.search(r'href="/commitments/(\d+)"', listing).group(1)
    assert first_link == str(c["id"])
    page = (await demo_client.get(f"/commitments/{c['id']}")).text
    assert "Đoạn cuối ngõ vẫn ngập khi mưa." in page


async def test_an_expired_link_changes_nothing(concluded, demo_client, clock):  # noqa: F811
    c = await reported(concluded)
    token = (await requested())[c["id"]]
    clock.now = WEEK + dt.timedelta(days=30, minutes=1)
    assert (await demo_client.get(f"/confirm/{token}")).status_code == 410
    assert (await demo_client.post(f"/confirm/{token}/yes")).status_code == 410
    assert (await demo_client.post(f"/confirm/{token}/no", data={"reason": "Chưa làm."})).status_code == 410
    assert await state_of(c["id"]) == "reported_done" and (await confirmations())[0]["used_at"] is None


async def test_a_used_link_works_no_more(concluded, demo_client, clock):  # noqa: F811
    c = await reported(concluded)
    token = (await requested())[c["id"]]
    clock.now = WEEK
    assert (await demo_client.post(f"/confirm/{token}/yes")).status_code == 200
    assert (await demo_client.get(f"/confirm/{token}")).status_code == 410
    assert (await demo_client.post(f"/confirm/{token}/yes")).status_code == 410
    assert (await demo_client.post(f"/confirm/{token}/no", data={"reason": "Chưa làm."})).status_code == 410
    assert await state_of(c["id"]) == "reported_done"
    assert await ActionLog.count().where(ActionLog.action == "commitment_confirmed") == 1


async def test_a_tampered_link_is_refused(concluded, demo_client, clock):  # noqa: F811
    c = await reported(concluded)
    token = (await requested())[c["id"]]
    clock.now = WEEK
    last = token[-1]
    tampered = token[:-1] + ("A" if last != "A" else "B")
    for bad in (tampered, token + "x", token[:-5], "1.abc", "không-phải-mã", token.replace(".", "-"), "0." + token):
        assert (await demo_client.get(f"/confirm/{bad}")).status_code == 404, bad
        assert (await demo_client.post(f"/confirm/{bad}/no", data={"reason": "Chưa làm."})).status_code == 404
        assert (await demo_client.post(f"/confirm/{bad}/yes")).status_code == 404
    assert await state_of(c["id"]) == "reported_done" and (await confirmations())[0]["used_at"] is None


async def test_another_questions_token_does_not_open_this_commitment(concluded, demo_client, clock):  # noqa: F811
    first, second = await reported(concluded, 0), await reported(concluded, 1)
    assert first["question"] != second["question"]
    links = await requested()
    clock.now = WEEK
    secret = links[first["id"]].split(".")[1]
    borrowed = f"{second['id']}.{secret}"  # the first question's secret on the second's commitment
    assert (await demo_client.get(f"/confirm/{borrowed}")).status_code == 404
    assert (await demo_client.post(f"/confirm/{borrowed}/no", data={"reason": "Chưa làm."})).status_code == 404
    assert {await state_of(first["id"]), await state_of(second["id"])} == {"reported_done"}
    # and a link whose commitment was moved to another question is refused too
    await Commitment.update({Commitment.question: second["question"]}).where(Commitment.id == first["id"])
    assert (await demo_client.get(f"/confirm/{links[first['id']]}")).status_code == 404


async def test_a_link_for_a_commitment_that_moved_on_is_gone(concluded, demo_client, clock):  # noqa: F811
    c = await reported(concluded)
    token = (await requested())[c["id"]]
    await followup.dispute(concluded["organiser"], c["id"], {"reason": "Kiểm tra thấy chưa làm."}, WEEK, BASE)
    clock.now = WEEK
    assert (await demo_client.get(f"/confirm/{token}")).status_code == 410
    assert (await demo_client.post(f"/confirm/{token}/yes")).status_code == 410


async def test_odd_requests_change_nothing_and_never_fail(concluded, demo_client, clock):  # noqa: F811
    c = await reported(concluded)
    token = (await requested())[c["id"]]
    clock.now = WEEK
    assert (await demo_client.get(f"/confirm/{token}/yes")).status_code == 405  # a link opened is never an answer
    assert (await demo_client.get(f"/confirm/{'9' * 5000}.{'a' * 40}")).status_code == 404
    assert (await demo_client.get(f"/confirm/99999999999.{token.split('.')[1]}")).status_code == 404
    missing = await demo_client.post(f"/confirm/{token}/no", data={})  # no field at all
    assert missing.status_code == 400
    assert await state_of(c["id"]) == "reported_done" and (await confirmations())[0]["used_at"] is None


def organisers_meanwhile(monkeypatch, step):
    """The organisers take `step` once, just after the asker's link was checked and before the
    asker's answer is written: the race between two requests, made certain."""
    shown = confirmation._view
    done = []

    async def view_then_step(*args):
        view = await shown(*args)
        if not done:
            done.append(await step())
        return view

    monkeypatch.setattr(confirmation, "_view", view_then_step)


async def test_yes_on_a_commitment_disputed_meanwhile_writes_nothing(concluded, demo_client, clock,  # noqa: F811
                                                                     monkeypatch):
    c = await reported(concluded)
    token = (await requested())[c["id"]]
    clock.now = WEEK
    organisers_meanwhile(monkeypatch, lambda: followup.dispute(
        concluded["organiser"], c["id"], {"reason": "Kiểm tra thấy chưa làm."}, WEEK, BASE))
    answered = await demo_client.post(f"/confirm/{token}/yes")
    assert answered.status_code == 410 and await state_of(c["id"]) == "disputed"
    assert await ActionLog.count().where(ActionLog.action == "commitment_confirmed") == 0
    assert (await confirmations())[0]["used_at"] is None


async def test_no_on_a_commitment_changed_meanwhile_keeps_the_reason(concluded, demo_client, clock,  # noqa: F811
                                                                      monkeypatch):
    c = await reported(concluded)
    token = (await requested())[c["id"]]
    clock.now = WEEK
    before = await OutboxMessage.count()
    organisers_meanwhile(monkeypatch, lambda: followup.verify(
        concluded["organiser"], c["id"], {"outcome": "kept"}, WEEK, BASE))
    reason = "Đoạn cuối ngõ vẫn ngập khi mưa to."
    answered = await demo_client.post(f"/confirm/{token}/no", data={"reason": reason})
    assert answered.status_code == 409 and reason in answered.text and 'aria-invalid="true"' in answered.text
    assert await state_of(c["id"]) == "verified" and (await confirmations())[0]["used_at"] is None
    assert await OutboxMessage.count().where(OutboxMessage.kind == "commitment_disputed") == 0
    assert await OutboxMessage.count() == before + 1  # only the organisers' own verification told the asker
    # still usable: the asker sends the kept reason again, against the commitment as it is now
    again = await demo_client.post(f"/confirm/{token}/no", data={"reason": reason})
    assert again.status_code == 200 and await state_of(c["id"]) == "disputed"
