"""Due dates come from the app's own holiday table (seeded by the demo from the holidays library,
edited by the admin): a question received just before Tết 2027 is due after the Tết days off.

Tết 2027: Thursday 4 to Wednesday 10 February are days off. Ten working days after Wednesday
3 February are 11, 12, 15–19, 22, 23 and 24 February; counted without the holiday table, the
tenth would be 17 February.
"""

import datetime as dt

import pytest

from dialogue.accounts.tables import StaffUser
from dialogue.conferences.tables import Conference
from dialogue.demo import load_demo
from dialogue.machine.actors import Actor
from dialogue.questions import intake, queries, routing, screening
from dialogue.questions.tables import Assignment, Question
from dialogue.reference.calendar import working_calendar
from dialogue.reference.tables import Agency, Holiday
from tests.conftest import DEMO_ACCOUNTS
from tests.pinned import TODAY

BASE = "https://doithoai.example.vn"
BEFORE_TET = dt.datetime(2027, 2, 3, 3, 0, tzinfo=dt.UTC)  # Wednesday 3 February 2027, 10:00 in Hà Nội
FLOOD = "Ngập úng ngõ 120 Hoàng Cầu mỗi khi mưa lớn"


@pytest.fixture
async def demo(demo_db):
    await load_demo(TODAY)
    return demo_db


async def organiser() -> Actor:
    return Actor.staff(await StaffUser.select().where(StaffUser.email == DEMO_ACCOUNTS["organiser"]).first())


async def test_the_demo_holiday_table_holds_tet_2027(demo):
    days_off = {row["day"] for row in await Holiday.select(Holiday.day).where(
        (Holiday.kind == "holiday") & (Holiday.day >= dt.date(2027, 2, 1)) & (Holiday.day <= dt.date(2027, 2, 28)))}
    assert {dt.date(2027, 2, day) for day in range(4, 11)} <= days_off


async def test_a_question_routed_just_before_tet_is_due_after_it(demo):
    question = await Question.select().where(Question.title == FLOOD).first()
    kt = await Agency.select(Agency.id).where(Agency.short_name == "KT-HT-ĐT").first()
    who = await organiser()
    await screening.decide(who, question["id"], "accept", {}, BEFORE_TET, BASE)
    await routing.assign(who, question["id"], {"lead_agency": str(kt["id"])}, BEFORE_TET, BASE)
    routed = await Question.select().where(Question.id == question["id"]).first()
    assert routed["answer_due_on"] == dt.date(2027, 2, 24)
    lead = await Assignment.select().where((Assignment.question == question["id"]) & (Assignment.active == True)) \
        .first()
    assert lead["due_on"] == dt.date(2027, 2, 24)

    # The queue counts the working days left on the same table: on Tuesday 23 February, one.
    conference = question["conference"]
    the_day_before = dt.datetime(2027, 2, 23, 3, 0, tzinfo=dt.UTC)
    row = next(r for r in (await queries.queue(who, conference, {"q": "ngap ung 120"}, the_day_before))["rows"]
               if r["id"] == question["id"])
    assert row["due"] == {"on": dt.date(2027, 2, 24), "left": 1, "overdue": False}


async def test_a_day_off_the_admin_adds_moves_the_due_date(demo):
    await Holiday.insert(Holiday(day=dt.date(2027, 2, 11), kind="holiday", name="Nghỉ thêm", source="admin"))
    question = await Question.select().where(Question.title == FLOOD).first()
    kt = await Agency.select(Agency.id).where(Agency.short_name == "KT-HT-ĐT").first()
    who = await organiser()
    await screening.decide(who, question["id"], "accept", {}, BEFORE_TET, BASE)
    await routing.assign(who, question["id"], {"lead_agency": str(kt["id"])}, BEFORE_TET, BASE)
    assert (await Question.select().where(Question.id == question["id"]).first())["answer_due_on"] \
        == dt.date(2027, 2, 25)


async def test_a_question_received_just_before_tet_is_screened_after_it(demo):
    conference = await Conference.select().first()
    await Conference.update({Conference.questions_open_at: BEFORE_TET - dt.timedelta(days=7),
                             Conference.questions_close_at: BEFORE_TET + dt.timedelta(days=7)}) \
        .where(Conference.id == conference["id"])
    topic = (await Question.select(Question.topic).where(Question.title == FLOOD).first())["topic"]
    policy = intake.SubmissionPolicy(per_address_per_hour=3, base_url=BASE)
    form = {"form_token": "tet-2027", "asker_kind": "resident", "asker_name": "Nguyễn Văn Bình",
            "asker_email": "binh@example.vn", "asker_phone": "0912 345 678", "unit": str(conference["unit"]),
            "topic": str(topic), "title": "Rác tồn đọng sau Tết ở ngõ 120 Hoàng Cầu",
            "body": "Năm nào sau Tết rác cũng tồn đọng ở đầu ngõ 120 Hoàng Cầu. Đề nghị phường bố trí thu gom.",
            "answer_mode": "writing", "public_consent": "yes", "data_consent": "yes"}
    await intake.submit_question(conference["id"], form, "203.0.113.9", "vi", BEFORE_TET, policy)
    asked = await Question.select().where(Question.form_token == "tet-2027").first()
    assert asked["screening_due_on"] == dt.date(2027, 2, 24)


async def test_the_working_calendar_reads_days_off_and_worked_weekend_days_from_the_table(demo):
    await Holiday.insert(Holiday(day=dt.date(2027, 2, 13), kind="workday", name="Làm bù", source="admin"))
    calendar = await working_calendar()
    assert {dt.date(2027, 2, day) for day in range(4, 11)} <= calendar.days_off
    assert dt.date(2026, 8, 22) in calendar.swapped_workdays  # the library's swap, seeded by the demo
    assert dt.date(2027, 2, 13) in calendar.swapped_workdays and dt.date(2027, 2, 13) not in calendar.days_off
    assert dt.date(2026, 8, 22) not in calendar.days_off and dt.date(2027, 2, 4) not in calendar.swapped_workdays
    # Saturday 13 February is worked: the tenth working day after 3 February comes a day sooner.
    assert calendar.add_working_days(BEFORE_TET, 10) == dt.date(2027, 2, 23)


async def test_an_empty_holiday_table_counts_weekdays_only(db):
    calendar = await working_calendar()
    assert calendar.days_off == frozenset() and calendar.swapped_workdays == frozenset()
    assert calendar.add_working_days(BEFORE_TET, 10) == dt.date(2027, 2, 17)
