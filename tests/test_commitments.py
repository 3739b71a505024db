"""Commitments after the conference: their life cycle (who may take which step on which agency's
commitment), overdue by the working-day calendar, extensions keeping the first date, progress notes,
the e-mails each public step sends once, the reminders, and the pages."""

import datetime as dt
import re

import pytest

from dialogue.accounts.tables import StaffUser
from dialogue.commitments import followup, queries
from dialogue.commitments.machine import COMMITMENT
from dialogue.commitments.tables import Commitment, CommitmentUpdate
from dialogue.conferences.tables import Conference
from dialogue.core.calendar import WorkingCalendar
from dialogue.core.errors import Conflict, Forbidden, InvalidInput
from dialogue.demo.concluded import load_concluded_demo
from dialogue.machine.actors import Actor
from dialogue.machine.events import LiveEvent
from dialogue.machine.log import ActionLog
from dialogue.mail.tables import OutboxMessage
from dialogue.questions.tables import Follower, Question
from dialogue.reference.tables import AdminUnit, Agency
from tests.conftest import DEMO_ACCOUNTS, csrf_token_from, post_form, sign_in
from tests.pinned import NOW, TODAY

BASE = "https://doithoai.example.vn"


async def actor(email: str) -> Actor:
    return Actor.staff(await StaffUser.select().where(StaffUser.email == email).first())


@pytest.fixture
async def concluded(demo_db):
    """The demo's concluded conference (held three weeks before TODAY) and its four open commitments:
    three for questions (lead KT-HT-ĐT; one with CA cooperating) and the chair's own."""
    unit = await AdminUnit.select().where(AdminUnit.id == (await Conference.select(Conference.unit).first())["unit"]) \
        .first()
    await load_concluded_demo(unit["id"], TODAY, with_follow_up=False)
    conference = await Conference.select().where(Conference.state == "concluded").first()
    rows = await Commitment.select().where(Commitment.conference == conference["id"]).order_by(Commitment.id)
    agencies = {a["short_name"]: a["id"] for a in await Agency.select(Agency.id, Agency.short_name)}
    officer = await actor(DEMO_ACCOUNTS["agency_officer"])
    return {
        "conference": conference, "commitments": rows, "agencies": agencies, "unit": unit["id"],
        "organiser": await actor(DEMO_ACCOUNTS["organiser"]), "secretary": await actor(DEMO_ACCOUNTS["secretary"]),
        "viewer": await actor(DEMO_ACCOUNTS["viewer"]), "admin": await actor(DEMO_ACCOUNTS["admin"]),
        "officer": officer, "head": await actor(DEMO_ACCOUNTS["agency_head"]),
        # an officer of the police (cooperating on the building-site commitment) and one of another agency
        "police": Actor(kind="staff", staff_id=officer.staff_id, role="agency_officer", agency_id=agencies["CA"]),
        "culture": Actor(kind="staff", staff_id=officer.staff_id, role="agency_officer", agency_id=agencies["VH-XH"]),
        "elsewhere": Actor(kind="staff", staff_id=officer.staff_id, role="organiser", unit_id=unit["id"] + 1000),
    }


def with_question(concluded, cooperating: str | None = None) -> dict:
    rows = [c for c in concluded["commitments"] if c["question"] is not None]
    if cooperating == "CA":
        return next(c for c in rows if "Thịnh Hào" in c["text"])
    return rows[0]


async def state_of(commitment_id: int) -> str:
    return (await Commitment.select(Commitment.state).where(Commitment.id == commitment_id).first())["state"]


LATER = NOW + dt.timedelta(hours=1)


async def test_the_lead_agency_starts_reports_and_the_organisers_verify(concluded):
    c, officer, head, organiser = with_question(concluded), concluded["officer"], concluded["head"], \
        concluded["organiser"]
    assert await followup.allowed_actions(officer, c | {"conference_unit": concluded["unit"],
                                                        "cooperating_ids": []}) >= {"start", "report_done", "progress"}
    await followup.start(officer, c["id"], NOW, BASE)
    assert await state_of(c["id"]) == "in_progress"
    await followup.post_progress(officer, c["id"], {"note": "Đã khảo sát xong hiện trạng rãnh.", "percent": "40"},
                                 NOW, BASE)
    with pytest.raises(InvalidInput) as error:
        await followup.report_done(head, c["id"], {"summary": "  "}, LATER, BASE)
    assert "summary" in error.value.errors
    await followup.report_done(head, c["id"], {"summary": "Đã cải tạo 120 m rãnh thoát nước."}, LATER, BASE)
    with pytest.raises(InvalidInput):
        await followup.verify(organiser, c["id"], {"outcome": "great"}, LATER, BASE)
    await followup.verify(organiser, c["id"], {"outcome": "kept", "note": "Đã kiểm tra thực tế."}, LATER, BASE)
    row = await Commitment.select().where(Commitment.id == c["id"]).first()
    assert (row["state"], row["outcome"], row["progress"], row["done_summary"]) == (
        "verified", "kept", 100, "Đã cải tạo 120 m rãnh thoát nước.")
    assert row["closed_at"] is not None and row["version"] == c["version"] + 4
    actions = [e["action"] for e in await ActionLog.select(ActionLog.action).where(
        (ActionLog.object_type == "commitment") & (ActionLog.object_id == str(c["id"]))).order_by(ActionLog.id)]
    assert actions == ["commitment_record", "commitment_start", "commitment_progress", "commitment_report_done",
                       "commitment_verify"]
    channels = {e["channel"] for e in await LiveEvent.select().where(LiveEvent.kind == "commitment_verify")}
    assert channels == {f"commitment:{c['id']}", f"conference:{c['conference']}", f"question:{c['question']}"}
    # verified is settled: only a dispute (the asker or a re-inspection finds it not done) reopens it
    assert await followup.allowed_actions(concluded["admin"], await followup.get_commitment(c["id"])) == {"dispute"}
    with pytest.raises(Conflict):
        await followup.cancel(organiser, c["id"], {"reason": "Không cần nữa."}, LATER, BASE)


STEPS = {  # action -> (a state it is allowed from, the form it needs)
    "start": ("open", {}), "report_done": ("in_progress", {"summary": "Đã xong."}),
    "progress": ("in_progress", {"note": "Đang làm.", "percent": "50"}),
    "verify": ("reported_done", {"outcome": "partly_kept"}), "dispute": ("reported_done", {"reason": "Chưa làm."}),
    "resume": ("disputed", {}), "extend": ("in_progress", {"due_on": "30/06/2027", "reason": "Chờ vốn."}),
    "cancel": ("open", {"reason": "Đã có dự án khác."}),
}
# who may take each step on the building-site commitment (lead KT-HT-ĐT, cooperating CA)
ALLOWED = {
    "start": {"officer", "head", "admin"}, "report_done": {"officer", "head", "admin"},
    "progress": {"officer", "head", "police", "admin"}, "resume": {"officer", "head", "organiser", "admin"},
    "verify": {"organiser", "admin"}, "dispute": {"organiser", "admin"}, "extend": {"organiser", "admin"},
    "cancel": {"organiser", "admin"},
}
ACTORS = ("officer", "head", "police", "culture", "organiser", "secretary", "viewer", "elsewhere", "admin")


async def take(step: str, who: Actor, commitment_id: int, form: dict) -> None:
    if step in ("start", "resume"):
        await getattr(followup, step)(who, commitment_id, NOW, BASE)
    elif step == "progress":
        await followup.post_progress(who, commitment_id, form, NOW, BASE)
    else:
        await getattr(followup, step)(who, commitment_id, form, NOW, BASE)


@pytest.mark.parametrize("step", sorted(STEPS))
async def test_each_step_is_allowed_to_its_roles_and_agencies_only(concluded, step):
    c = with_question(concluded, "CA")
    source, form = STEPS[step]
    for name in ACTORS:
        await Commitment.update({Commitment.state: source, Commitment.due_on: c["due_on"]}) \
            .where(Commitment.id == c["id"])
        current = await followup.get_commitment(c["id"])
        offered = step in await followup.allowed_actions(concluded[name], current)
        assert offered == (name in ALLOWED[step]), (step, name)
        if name in ALLOWED[step]:
            await take(step, concluded[name], c["id"], form)
        else:
            with pytest.raises(Forbidden):
                await take(step, concluded[name], c["id"], form)
            assert await state_of(c["id"]) == source


@pytest.mark.parametrize("step", sorted(STEPS))
async def test_each_step_is_refused_from_the_states_the_machine_does_not_allow(concluded, step):
    c = with_question(concluded, "CA")
    _source, form = STEPS[step]
    for state in COMMITMENT.states:
        allowed = COMMITMENT.allows(state, step) if step != "progress" else COMMITMENT.is_in("takes_progress", state)
        if allowed:
            continue
        await Commitment.update({Commitment.state: state}).where(Commitment.id == c["id"])
        assert step not in await followup.allowed_actions(concluded["admin"], await followup.get_commitment(c["id"]))
        with pytest.raises(Conflict):
            await take(step, concluded["admin"], c["id"], form)
        assert await state_of(c["id"]) == state


async def test_a_dispute_reopens_the_work(concluded):
    c, organiser, officer = with_question(concluded), concluded["organiser"], concluded["officer"]
    await followup.report_done(officer, c["id"], {"summary": "Đã xong."}, NOW, BASE)
    with pytest.raises(InvalidInput):
        await followup.dispute(organiser, c["id"], {"reason": ""}, NOW, BASE)
    await followup.dispute(organiser, c["id"], {"reason": "Người dân phản ánh rãnh vẫn ngập."}, NOW, BASE)
    assert await state_of(c["id"]) == "disputed"
    disputed = [e for e in (await queries.public_timeline([c["id"]]))[c["id"]] if e.action == "commitment_dispute"]
    assert [e.by_asker for e in disputed] == [False]  # the organisers' word, not the asker's own
    await followup.resume(officer, c["id"], NOW, BASE)
    assert await state_of(c["id"]) == "in_progress"


async def test_a_verified_commitment_found_not_done_is_disputed_and_loses_its_outcome(concluded):
    c, organiser, officer = with_question(concluded), concluded["organiser"], concluded["officer"]
    await followup.report_done(officer, c["id"], {"summary": "Đã xong."}, NOW, BASE)
    await followup.verify(organiser, c["id"], {"outcome": "kept"}, NOW, BASE)
    await followup.dispute(organiser, c["id"], {"reason": "Kiểm tra lại: rãnh vẫn ngập."}, NOW, BASE)
    row = await followup.get_commitment(c["id"])
    assert (row["state"], row["outcome"], row["closed_at"]) == ("disputed", None, None)


async def test_an_extension_keeps_the_first_due_date(concluded):
    c, organiser = with_question(concluded), concluded["organiser"]
    first = c["due_on"]
    with pytest.raises(InvalidInput) as error:
        await followup.extend(organiser, c["id"], {"due_on": first.strftime("%d/%m/%Y"), "reason": ""}, NOW, BASE)
    assert set(error.value.errors) == {"due_on", "reason"}
    await followup.extend(organiser, c["id"], {"due_on": "31/03/2027", "reason": "Chờ bố trí vốn."}, NOW, BASE)
    await followup.start(concluded["officer"], c["id"], NOW, BASE)
    await followup.extend(organiser, c["id"], {"due_on": "30/06/2027", "reason": "Mùa mưa đến sớm."}, LATER, BASE)
    row = await Commitment.select().where(Commitment.id == c["id"]).first()
    assert (row["state"], row["due_on"], row["original_due_on"]) == ("extended", dt.date(2027, 6, 30), first)
    entries = await ActionLog.select().where(ActionLog.action == "commitment_extend").order_by(ActionLog.id)
    assert [e["reason"] for e in entries] == ["Chờ bố trí vốn.", "Mùa mưa đến sớm."]


def test_overdue_counts_working_days_across_weekends_tet_and_swapped_days():
    tet = frozenset(dt.date(2027, 2, 5) + dt.timedelta(days=n) for n in range(9))  # Fri 5 – Sat 13 Feb 2027
    calendar = WorkingCalendar(days_off=tet, swapped_workdays=frozenset({dt.date(2027, 2, 20)}))  # a Saturday
    open_ = {"state": "in_progress"}
    friday = {**open_, "due_on": dt.date(2027, 1, 29)}
    assert followup.overdue_days(friday, dt.date(2027, 1, 29), calendar) == 0  # due today
    assert followup.overdue_days(friday, dt.date(2027, 1, 31), calendar) == 0  # the weekend after
    assert followup.overdue_days(friday, dt.date(2027, 2, 1), calendar) == 1  # Monday
    before_tet = {**open_, "due_on": dt.date(2027, 2, 4)}
    assert followup.overdue_days(before_tet, dt.date(2027, 2, 12), calendar) == 0  # all Tết
    assert followup.overdue_days(before_tet, dt.date(2027, 2, 15), calendar) == 1  # the Monday after
    assert followup.overdue_days(before_tet, dt.date(2027, 2, 19), calendar) == 5
    assert followup.overdue_days(before_tet, dt.date(2027, 2, 20), calendar) == 6  # the swapped Saturday counts
    assert followup.overdue_days(before_tet, dt.date(2027, 2, 21), calendar) == 6
    for settled in ("reported_done", "verified", "cancelled"):
        assert followup.overdue_days({**before_tet, "state": settled}, dt.date(2027, 2, 19), calendar) == 0


async def follow(question_id: int, email: str) -> None:
    await Follower.insert(Follower(question=question_id, email=email, token=f"tok-{email}", language="en",
                                   created_at=NOW, confirmed_at=NOW))


async def test_every_public_step_tells_the_asker_and_followers_once(concluded):
    c, organiser, officer = with_question(concluded), concluded["organiser"], concluded["officer"]
    question = await Question.select().where(Question.id == c["question"]).first()
    await follow(c["question"], "theo.doi@example.vn")
    await follow(c["question"], question["asker_email"].upper())  # the asker following too: one e-mail
    before = await OutboxMessage.count()
    steps = [
        lambda: followup.start(officer, c["id"], NOW, BASE),
        lambda: followup.post_progress(officer, c["id"], {"note": "Đã đặt hàng ống cống.", "percent": "30"}, NOW,
                                       BASE),
        lambda: followup.extend(organiser, c["id"], {"due_on": "31/03/2027", "reason": "Chờ bố trí vốn."}, NOW,
                                BASE),
        lambda: followup.report_done(officer, c["id"], {"summary": "Đã thay 60 m ống cống."}, NOW, BASE),
        lambda: followup.dispute(organiser, c["id"], {"reason": "Đoạn cuối ngõ chưa làm."}, NOW, BASE),
        lambda: followup.resume(officer, c["id"], NOW, BASE),
        lambda: followup.report_done(officer, c["id"], {"summary": "Đã làm nốt đoạn cuối."}, NOW, BASE),
        lambda: followup.verify(organiser, c["id"], {"outcome": "partly_kept"}, NOW, BASE),
    ]
    for n, step in enumerate(steps, start=1):
        await step()
        assert await OutboxMessage.count() == before + 2 * n
    mails = await OutboxMessage.select().where(OutboxMessage.id > 0).order_by(OutboxMessage.id)
    mails = mails[-16:]
    assert sorted({m["to_address"].casefold() for m in mails}) == sorted(
        {"theo.doi@example.vn", question["asker_email"].casefold()})
    follower_mails = [m for m in mails if m["to_address"] == "theo.doi@example.vn"]
    assert "Work has started on a commitment" in follower_mails[0]["subject"]  # in the follower's language
    assert "Đã đặt hàng ống cống." in follower_mails[1]["text_body"] and "30%" in follower_mails[1]["text_body"]
    assert "31/03/2027" in follower_mails[2]["text_body"] and "Chờ bố trí vốn." in follower_mails[2]["text_body"]
    assert "Partly kept" in follower_mails[-1]["text_body"]
    asker_mails = [m for m in mails if m["to_address"] == question["asker_email"]]
    assert "đã bắt đầu" in asker_mails[0]["subject"].casefold()  # the asker's language: Vietnamese
    # each part of the text on its own line (trim_blocks once glued "…chưa đồng ý.Lý do: …")
    assert "\nLý do: Đoạn cuối ngõ chưa làm.\n" in "".join(m["text_body"] for m in asker_mails)
    assert "\nReason: Chờ bố trí vốn.\n" in follower_mails[2]["text_body"]
    assert "\nĐã đặt hàng ống cống.\n" in follower_mails[1]["text_body"]
    for mail in mails:
        assert not re.search(r"[.:](Lý do|Những việc|Kết quả|Thời hạn được|Reason|What was done|Outcome|The due)",
                             mail["text_body"]), mail["text_body"]
    # the chair's own commitment has no asker: its steps send nothing
    general = next(x for x in concluded["commitments"] if x["question"] is None)
    count = await OutboxMessage.count()
    await followup.start(officer, general["id"], NOW, BASE)
    assert await OutboxMessage.count() == count


async def test_progress_notes_are_checked_and_kept(concluded):
    c, police = with_question(concluded, "CA"), concluded["police"]
    with pytest.raises(InvalidInput) as error:
        await followup.post_progress(police, c["id"], {"note": "", "percent": "120"}, NOW, BASE)
    assert set(error.value.errors) == {"note", "percent"}
    await followup.post_progress(police, c["id"], {"note": "Đã phối hợp lập biên bản.", "percent": "70"}, NOW, BASE)
    update = await CommitmentUpdate.select().where(CommitmentUpdate.commitment == c["id"]).first()
    assert (update["note"], update["percent"], update["agency"]) == (
        "Đã phối hợp lập biên bản.", 70, concluded["agencies"]["CA"])
    row = await Commitment.select().where(Commitment.id == c["id"]).first()
    assert row["progress"] == 0 and row["state"] == "open"  # a cooperating agency's percentage is its own


# --- Pages ------------------------------------------------------------------------------------------------------

async def test_the_agency_sees_its_commitments_and_takes_its_steps_on_the_page(concluded, demo_client):
    await sign_in(demo_client, DEMO_ACCOUNTS["agency_officer"])
    listing = await demo_client.get("/agency/commitments/")
    assert listing.status_code == 200
    for c in concluded["commitments"]:
        assert f"/commitments/{c['id']}" in listing.text
    assert "working days overdue" in listing.text or "ngày làm việc" in listing.text  # the 10-day one is late
    c = with_question(concluded)
    page = (await demo_client.get(f"/commitments/{c['id']}")).text
    assert f"/commitments/{c['id']}/start" in page and f"/commitments/{c['id']}/progress" in page
    assert f"/commitments/{c['id']}/verify" not in page and f"/commitments/{c['id']}/extend" not in page
    response = await post_form(demo_client, f"/commitments/{c['id']}/start", {}, page=f"/commitments/{c['id']}",
                               follow_redirects=False)
    assert response.status_code == 303 and await state_of(c["id"]) == "in_progress"
    bad = await post_form(demo_client, f"/commitments/{c['id']}/progress",
                          {"note": "Đã đào xong 40 m rãnh.", "percent": "abc"}, page=f"/commitments/{c['id']}")
    assert bad.status_code == 400 and "Đã đào xong 40 m rãnh." in bad.text and 'aria-invalid="true"' in bad.text
    good = await post_form(demo_client, f"/commitments/{c['id']}/progress",
                           {"note": "Đã đào xong 40 m rãnh.", "percent": "40"}, page=f"/commitments/{c['id']}")
    assert good.status_code == 200 and "Đã đào xong 40 m rãnh." in good.text and "40%" in good.text
    # a step the machine allows but the officer may not take is refused whatever is posted
    refused = await post_form(demo_client, f"/commitments/{c['id']}/cancel", {"reason": "Thử."},
                              page=f"/commitments/{c['id']}")
    assert refused.status_code == 403 and await state_of(c["id"]) == "in_progress"


async def test_an_agency_cannot_open_another_agencys_commitment(concluded, demo_client):
    c = with_question(concluded)
    await Commitment.update({Commitment.lead_agency: concluded["agencies"]["VH-XH"]}).where(Commitment.id == c["id"])
    await sign_in(demo_client, DEMO_ACCOUNTS["agency_officer"])
    assert (await demo_client.get(f"/commitments/{c['id']}")).status_code == 403
    assert f"/commitments/{c['id']}" not in (await demo_client.get("/agency/commitments/")).text


async def test_a_due_date_more_than_three_years_ahead_is_refused_on_every_path(concluded, demo_client):
    c, organiser = with_question(concluded), concluded["organiser"]
    for too_far in ("31/12/9999", "08/12/2029"):
        with pytest.raises(InvalidInput) as error:
            await followup.extend(organiser, c["id"], {"due_on": too_far, "reason": "Chờ vốn."}, NOW, BASE)
        assert set(error.value.errors) == {"due_on"} and "07/12/2029" in error.value.errors["due_on"]
    await followup.extend(organiser, c["id"], {"due_on": "07/12/2029", "reason": "Chờ vốn."}, NOW, BASE)  # the last day
    await sign_in(demo_client, DEMO_ACCOUNTS["organiser"])
    listing = f"/organiser/conferences/{concluded['conference']['id']}/commitments/"
    refused = await post_form(demo_client, listing, {
        "commitment_text": "Lắp biển cảnh báo ngập tại đầu ngõ.", "lead_agency": str(concluded["agencies"]["KT-HT-ĐT"]),
        "due_on": "31/12/9999"}, page=listing)
    assert refused.status_code == 400 and "31/12/9999" in refused.text
    assert "Lắp biển cảnh báo ngập tại đầu ngõ." in refused.text and "muộn nhất là ngày 07/12/2029" in refused.text
    assert await Commitment.count().where(Commitment.text == "Lắp biển cảnh báo ngập tại đầu ngõ.") == 0


async def test_a_row_already_due_in_year_9999_still_shows_its_pages(concluded, demo_client):
    c = with_question(concluded)
    await Commitment.update({Commitment.due_on: dt.date(9999, 12, 31)}).where(Commitment.id == c["id"])
    conference = await demo_client.get(f"/conferences/{concluded['conference']['id']}")
    assert conference.status_code == 200 and "31/12/9999" in conference.text
    await sign_in(demo_client, DEMO_ACCOUNTS["organiser"])
    page = await demo_client.get(f"/commitments/{c['id']}")
    assert page.status_code == 200 and "31/12/9999" in page.text


async def test_the_organisers_filter_verify_extend_and_add(concluded, demo_client):
    conference_id = concluded["conference"]["id"]
    c = with_question(concluded)
    await followup.report_done(concluded["officer"], c["id"], {"summary": "Đã cải tạo rãnh."}, NOW, BASE)
    await sign_in(demo_client, DEMO_ACCOUNTS["organiser"])
    listing = f"/organiser/conferences/{conference_id}/commitments/"
    everything = (await demo_client.get(listing)).text
    assert all(f"/commitments/{x['id']}\"" in everything for x in concluded["commitments"])
    overdue = (await demo_client.get(listing + "?overdue=1")).text
    late = [x for x in concluded["commitments"] if x["due_on"] < TODAY and x["id"] != c["id"]]
    assert late and {f"/commitments/{x['id']}\"" in overdue for x in concluded["commitments"]} == {True, False}
    assert all(f"/commitments/{x['id']}\"" in overdue for x in late)
    reported = (await demo_client.get(listing + "?state=reported_done")).text
    assert f"/commitments/{c['id']}\"" in reported and reported.count("/commitments/") - reported.count(
        "/commitments/\"") >= 1
    page = (await demo_client.get(f"/commitments/{c['id']}")).text
    assert f"/commitments/{c['id']}/verify" in page and f"/commitments/{c['id']}/start" not in page
    missing = await post_form(demo_client, f"/commitments/{c['id']}/verify", {}, page=f"/commitments/{c['id']}")
    assert missing.status_code == 400
    done = await post_form(demo_client, f"/commitments/{c['id']}/verify", {"outcome": "kept"},
                           page=f"/commitments/{c['id']}")
    assert done.status_code == 200 and await state_of(c["id"]) == "verified"
    other = next(x for x in concluded["commitments"] if x["question"] is not None and x["id"] != c["id"])
    extended = await post_form(demo_client, f"/commitments/{other['id']}/extend",
                               {"due_on": "15/04/2027", "reason": "Chờ phê duyệt kinh phí."},
                               page=f"/commitments/{other['id']}")
    assert extended.status_code == 200 and "15/04/2027" in extended.text
    assert other["due_on"].strftime("%d/%m/%Y") in extended.text  # the first date, still shown
    question = (await Question.select(Question.id).where(Question.conference == conference_id).first())["id"]
    added = await post_form(demo_client, listing, {
        "question": str(question), "commitment_text": "Lắp biển cảnh báo ngập tại đầu ngõ.",
        "lead_agency": str(concluded["agencies"]["KT-HT-ĐT"]), "due_on": "31/01/2027"}, page=listing)
    assert added.status_code == 200 and "Lắp biển cảnh báo ngập tại đầu ngõ." in added.text
    row = await Commitment.select().where(Commitment.text == "Lắp biển cảnh báo ngập tại đầu ngõ.").first()
    assert (row["origin"], row["question"], row["state"]) == ("organiser", question, "open")
    wrong = await post_form(demo_client, listing, {"commitment_text": "", "due_on": "hôm nay"}, page=listing)
    assert wrong.status_code == 400 and "hôm nay" in wrong.text


async def test_the_public_sees_the_follow_up_without_staff_names(concluded, demo_client):
    c = with_question(concluded)
    officer, organiser = concluded["officer"], concluded["organiser"]
    await followup.start(officer, c["id"], NOW, BASE)
    await followup.post_progress(officer, c["id"], {"note": "Đã khảo sát hiện trạng.", "percent": "25"}, NOW, BASE)
    await followup.extend(organiser, c["id"], {"due_on": "31/03/2027", "reason": "Chờ bố trí vốn."}, LATER, BASE)
    question = await Question.select().where(Question.id == c["question"]).first()
    code = question["tracking_code"]
    track = (await demo_client.get(f"/q/{code[:4]}-{code[4:8]}-{code[8:]}")).text
    assert c["text"] in track and "Đã khảo sát hiện trạng." in track and "25%" in track
    assert "31/03/2027" in track and c["due_on"].strftime("%d/%m/%Y") in track and "Chờ bố trí vốn." in track
    staff_names = [row["full_name"] for row in await StaffUser.select(StaffUser.full_name)]
    assert not [name for name in staff_names if name in track]
    conference = (await demo_client.get(f"/conferences/{concluded['conference']['id']}")).text
    assert 'id="commitments"' in conference and c["text"] in conference
    assert conference.count("due--overdue") >= 1  # the commitment due ten working days after the session
    section = conference.split('id="commitments"')[1].split("</section>")[0]
    assert not [name for name in staff_names if name in section]
    # a question's tracking code is linked only while the question itself is public
    await Question.update({Question.public_consent: False}).where(Question.id == c["question"])
    section = (await demo_client.get(f"/conferences/{concluded['conference']['id']}")).text \
        .split('id="commitments"')[1].split("</section>")[0]
    assert f"{code[:4]}-{code[4:8]}-{code[8:]}" not in section and c["text"] in section


# --- Reminders --------------------------------------------------------------------------------------------------

async def test_reminders_go_once_per_commitment_threshold_and_due_date(concluded):
    from dialogue.commitments import reminders

    # held three weeks ago; due 10, 15, 20 and 30 working days after the session's day: 1 December (4
    # working days overdue on Monday 7 December), 8 December (tomorrow), 15 December (6 working days
    # left: not yet), 29 December
    by_due = {c["due_on"]: c for c in concluded["commitments"]}
    assert sorted(by_due) == [dt.date(2026, 12, 1), dt.date(2026, 12, 8), dt.date(2026, 12, 15),
                              dt.date(2026, 12, 29)]
    sent = await reminders.tick(NOW, BASE, escalation_days=10)
    assert sent == {"commitment_due_soon": 1, "commitment_overdue": 1, "commitment_escalated": 0,
                    "commitment_confirm": 0}
    head = await OutboxMessage.select().where(OutboxMessage.kind == "commitment_due_soon").first()
    assert head["to_address"] == DEMO_ACCOUNTS["agency_head"]
    assert by_due[dt.date(2026, 12, 8)]["text"] in head["text_body"]
    assert by_due[dt.date(2026, 12, 15)]["text"] not in head["text_body"]
    organisers = await OutboxMessage.select().where(OutboxMessage.kind == "commitment_overdue")
    assert [m["to_address"] for m in organisers] == [DEMO_ACCOUNTS["organiser"]]
    assert by_due[dt.date(2026, 12, 1)]["text"] in organisers[0]["text_body"]
    assert "4 ngày làm việc" in organisers[0]["text_body"]  # the organiser reads Vietnamese
    lines = organisers[0]["text_body"].splitlines()  # the heading, then one line per item and its link
    item = next(n for n, line in enumerate(lines) if by_due[dt.date(2026, 12, 1)]["text"] in line)
    assert lines[item].startswith("- ") and lines[item + 1].strip().startswith(BASE + "/commitments/")
    assert lines[item].endswith("4 ngày làm việc") and lines[item - 2].endswith(":")
    assert await reminders.tick(NOW + dt.timedelta(hours=1), BASE) == dict.fromkeys(sent, 0)  # once
    # more than the threshold overdue: the unit's leadership (its viewers) is told, once
    later = NOW + dt.timedelta(days=14)  # 21 December: the first is 14 working days overdue
    sent = await reminders.tick(later, BASE, escalation_days=10)
    assert sent["commitment_escalated"] == 1
    leadership = await OutboxMessage.select().where(OutboxMessage.kind == "commitment_escalated").first()
    assert leadership["to_address"] == DEMO_ACCOUNTS["viewer"]
    assert by_due[dt.date(2026, 12, 1)]["text"] in leadership["text_body"]
    assert (await reminders.tick(later, BASE, escalation_days=10))["commitment_escalated"] == 0
    # an extension gives the new date its own reminders; a settled commitment gets none
    first = by_due[dt.date(2026, 12, 1)]
    await followup.extend(concluded["organiser"], first["id"], {"due_on": "04/01/2027", "reason": "Chờ vật tư."},
                          later, BASE)
    await followup.cancel(concluded["organiser"], by_due[dt.date(2026, 12, 29)]["id"], {"reason": "Gộp vào dự án."},
                          later, BASE)
    sent = await reminders.tick(later + dt.timedelta(days=8), BASE)  # 29 December: 4 working days before 4 January
    assert sent["commitment_due_soon"] == 1
    mail = (await OutboxMessage.select().where(OutboxMessage.kind == "commitment_due_soon")
            .order_by(OutboxMessage.id, ascending=False).first())
    assert first["text"] in mail["text_body"] and by_due[dt.date(2026, 12, 29)]["text"] not in mail["text_body"]


async def test_the_escalation_threshold_is_a_setting():
    from dialogue.core.settings import SettingsError, load_settings

    assert load_settings({"SECRET_KEY": "x" * 40}).commitment_escalation_days == 10
    assert load_settings({"SECRET_KEY": "x" * 40, "COMMITMENT_ESCALATION_DAYS": "5"}).commitment_escalation_days == 5
    with pytest.raises(SettingsError):
        load_settings({"SECRET_KEY": "x" * 40, "COMMITMENT_ESCALATION_DAYS": "0"})


# --- Evidence ---------------------------------------------------------------------------------------------------

GPS = b"GPSLatitude 21.0245 N GPSLongitude 105.8412 E"


def jpeg_with_exif() -> bytes:
    exif = b"Exif\x00\x00" + GPS
    app1 = b"\xff\xe1" + (len(exif) + 2).to_bytes(2, "big") + exif
    app0 = b"\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    quant = b"\xff\xdb\x00\x04\x00\x01"
    scan = b"\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00" + b"\x12\x34\x56\x78" + b"\xff\xd9"
    return b"\xff\xd8" + app0 + app1 + quant + scan


def png_with_text() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
    return (b"\x89PNG\r\n\x1a\n" + header + chunk(b"tEXt", b"Location\x00" + GPS) + chunk(b"eXIf", GPS)
            + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b""))


def test_photos_lose_their_metadata_and_keep_their_pixels():
    from dialogue.core.uploads import without_metadata

    jpeg = jpeg_with_exif()
    cleaned = without_metadata(jpeg, "image/jpeg")
    assert GPS not in cleaned and b"JFIF" in cleaned and cleaned.endswith(b"\x12\x34\x56\x78\xff\xd9")
    assert len(jpeg) - len(cleaned) == len(b"Exif\x00\x00" + GPS) + 4
    png = without_metadata(png_with_text(), "image/png")
    assert GPS not in png and b"IHDR" in png and b"IDAT" in png and png.endswith(b"IEND\xaeB`\x82")
    assert without_metadata(b"\xff\xd8\xff\xe1\xff\xff", "image/jpeg") is None  # damaged: refused
    assert without_metadata(b"%PDF-1.4 x", "application/pdf") == b"%PDF-1.4 x"


async def test_agencies_attach_evidence_that_the_public_can_open(concluded, demo_client):
    c = with_question(concluded, "CA")
    with pytest.raises(InvalidInput):
        await followup.attach_evidence(concluded["officer"], c["id"], "x.exe", b"MZ\x90\x00", NOW, BASE)
    with pytest.raises(Forbidden):
        await followup.attach_evidence(concluded["culture"], c["id"], "anh.jpg", jpeg_with_exif(), NOW, BASE)
    file_id = await followup.attach_evidence(concluded["police"], c["id"], "C:\\\\ảnh hiện trường.jpeg",
                                             jpeg_with_exif(), NOW, BASE)
    public = await demo_client.get(f"/follow-up/files/{file_id}")
    assert public.status_code == 200 and public.headers["content-type"] == "image/jpeg"
    assert GPS not in public.content and public.content.startswith(b"\xff\xd8")
    question = await Question.select().where(Question.id == c["question"]).first()
    code = question["tracking_code"]
    track = (await demo_client.get(f"/q/{code[:4]}-{code[4:8]}-{code[8:]}")).text
    assert f"/follow-up/files/{file_id}" in track and "ảnh hiện trường.jpg" in track
    await sign_in(demo_client, DEMO_ACCOUNTS["agency_officer"])
    page = f"/commitments/{c['id']}"
    html = (await demo_client.get(page)).text
    token = csrf_token_from(html)
    response = await demo_client.post(f"{page}/evidence", data={"_csrf_token": token},
                                      files={"file": ("bao-cao.pdf", b"%PDF-1.4 bao cao", "application/pdf")},
                                      follow_redirects=False)
    assert response.status_code == 303
    wrong = await demo_client.post(f"{page}/evidence", data={"_csrf_token": token},
                                   files={"file": ("virus.pdf", b"MZ not a pdf", "application/pdf")})
    assert wrong.status_code == 400 and 'id="file-error"' in wrong.text
    assert "bao-cao.pdf" in (await demo_client.get(page)).text
    assert (await demo_client.get("/follow-up/files/999999")).status_code == 404
