"""Commitments after the conference: their life cycle (who may take which step on which agency's
commitment), overdue by the working-day calendar, extensions keeping the first date, progress notes,
the e-mails each public step sends once, the reminders, and the pages."""

import datetime as dt

import pytest

from dialogue.accounts.tables import StaffUser
from dialogue.commitments import followup
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
from tests.conftest import DEMO_ACCOUNTS
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
    await load_concluded_demo(unit["id"], TODAY)
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
    # settled: nothing more can be done, by anyone
    assert await followup.allowed_actions(concluded["admin"], await followup.get_commitment(c["id"])) == frozenset()
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
    await followup.resume(officer, c["id"], NOW, BASE)
    assert await state_of(c["id"]) == "in_progress"


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
