"""One way to change state: each change of a question, an answer or a conference is one transaction
with its log entry, its e-mails and its live event, or nothing at all.

Faults are injected in the database itself: a trigger makes the last write of a transition (its live
event) or its e-mail fail, and the test checks that nothing of the change was left behind.
"""

import datetime as dt

import pytest

from dialogue.accounts.tables import StaffUser
from dialogue.answers import drafting, release
from dialogue.answers import queries as answer_queries
from dialogue.answers.tables import Answer
from dialogue.commitments.machine import COMMITMENT
from dialogue.conferences.machine import CONFERENCE
from dialogue.conferences.queries import get_conference
from dialogue.conferences.tables import Conference
from dialogue.core.db import current_engine
from dialogue.core.i18n import language
from dialogue.demo import load_demo
from dialogue.documents.machine import DOCUMENT
from dialogue.machine.actors import Actor
from dialogue.machine.events import LiveEvent
from dialogue.machine.log import ActionLog
from dialogue.mail.tables import OutboxMessage
from dialogue.questions import reminders, routing, screening
from dialogue.questions.machine import QUESTION
from dialogue.questions.tables import Assignment, Question, ReminderSent
from dialogue.reference.tables import Agency
from tests.conftest import DEMO_ACCOUNTS, TEST_ENGINE
from tests.pinned import NOW, TODAY

BASE = "https://doithoai.example.vn"
FLOOD = "Ngập úng ngõ 120 Hoàng Cầu mỗi khi mưa lớn"
TEXT = {"body": "Phường đã đưa cống ngõ 120 Hoàng Cầu vào kế hoạch cải tạo quý I/2027.", "legal_basis": ""}


async def actor(email: str) -> Actor:
    return Actor.staff(await StaffUser.select().where(StaffUser.email == email).first())


async def fail_inserts_into(table: str) -> None:
    """From now on, every insert into this table fails (a fault in the middle of a transaction)."""
    engine = current_engine()
    if TEST_ENGINE == "sqlite":
        await engine.run_ddl(f"CREATE TRIGGER fail_{table} BEFORE INSERT ON {table} "
                             "BEGIN SELECT RAISE(ABORT, 'injected fault'); END")
    else:
        await engine.run_ddl("CREATE OR REPLACE FUNCTION injected_fault() RETURNS trigger AS $$ "
                             "BEGIN RAISE EXCEPTION 'injected fault'; END $$ LANGUAGE plpgsql")
        await engine.run_ddl(f"CREATE TRIGGER fail_{table} BEFORE INSERT ON {table} "
                             "FOR EACH ROW EXECUTE FUNCTION injected_fault()")


async def heal(table: str) -> None:
    await current_engine().run_ddl(f"DROP TRIGGER fail_{table}" + ("" if TEST_ENGINE == "sqlite" else f" ON {table}"))


async def snapshot(question_id: int) -> dict:
    """Everything a change of this question could have touched."""
    return {
        "question": await Question.select().where(Question.id == question_id).first(),
        "assignments": await Assignment.select().where(Assignment.question == question_id).order_by(Assignment.id),
        "answer": await Answer.select().where(Answer.question == question_id).first(),
        "log": await ActionLog.count(),
        "mail": await OutboxMessage.count(),
        "events": await LiveEvent.count(),
    }


@pytest.fixture
async def demo(demo_db):
    await load_demo(TODAY)
    return demo_db


async def flood() -> dict:
    return await Question.select().where(Question.title == FLOOD).first()


async def agency(short_name: str) -> int:
    return (await Agency.select(Agency.id).where(Agency.short_name == short_name).first())["id"]


async def routed_flood() -> dict:
    organiser = await actor(DEMO_ACCOUNTS["organiser"])
    question = await flood()
    await screening.decide(organiser, question["id"], "accept", {}, NOW, BASE)
    await routing.assign(organiser, question["id"], {"lead_agency": str(await agency("KT-HT-ĐT"))}, NOW, BASE)
    return question


async def test_a_transition_writes_its_log_entry_its_mail_and_its_live_event_together(demo):
    organiser = await actor(DEMO_ACCOUNTS["organiser"])
    question = await flood()
    before = await snapshot(question["id"])
    await screening.decide(organiser, question["id"], "accept", {"reason": "Đúng thẩm quyền."}, NOW, BASE)
    after = await snapshot(question["id"])
    assert after["question"]["state"] == "accepted"
    assert (after["log"], after["mail"]) == (before["log"] + 1, before["mail"] + 1)
    assert after["events"] == before["events"] + 2  # the question's channel and its conference's
    events = await LiveEvent.select().order_by(LiveEvent.id, ascending=False).limit(2).output(load_json=True)
    assert {e["channel"] for e in events} == {f"question:{question['id']}", f"conference:{question['conference']}"}
    assert {e["kind"] for e in events} == {"accept"}
    assert events[0]["payload"] == {"entity": "question", "id": question["id"], "from": "submitted", "to": "accepted"}


async def test_routing_moves_the_assignments_and_the_state_together_or_not_at_all(demo):
    organiser = await actor(DEMO_ACCOUNTS["organiser"])
    question = await flood()
    await screening.decide(organiser, question["id"], "accept", {}, NOW, BASE)
    before = await snapshot(question["id"])
    await fail_inserts_into("live_event")
    with pytest.raises(Exception, match="injected fault"):
        await routing.assign(organiser, question["id"], {"lead_agency": str(await agency("KT-HT-ĐT"))}, NOW, BASE)
    assert await snapshot(question["id"]) == before  # no assignment, still accepted, no mail, no log
    await heal("live_event")
    await routing.assign(organiser, question["id"], {"lead_agency": str(await agency("KT-HT-ĐT"))}, NOW, BASE)
    assert (await snapshot(question["id"]))["question"]["state"] == "assigned"


async def test_rerouting_that_fails_keeps_the_agency_that_had_it(demo):
    organiser = await actor(DEMO_ACCOUNTS["organiser"])
    question = await routed_flood()
    before = await snapshot(question["id"])
    await fail_inserts_into("live_event")
    with pytest.raises(Exception, match="injected fault"):
        await routing.assign(organiser, question["id"], {"lead_agency": str(await agency("CA"))}, NOW, BASE)
    after = await snapshot(question["id"])
    assert after == before
    assert [a["active"] for a in after["assignments"]] == [True]


async def test_returning_to_the_organisers_that_fails_leaves_the_question_with_the_agency(demo):
    question = await routed_flood()
    officer = await actor(DEMO_ACCOUNTS["agency_officer"])
    before = await snapshot(question["id"])
    await fail_inserts_into("live_event")
    with pytest.raises(Exception, match="injected fault"):
        await routing.return_to_organisers(officer, question["id"], "Thuộc công an phường.", NOW, BASE)
    assert await snapshot(question["id"]) == before


async def test_save_and_submit_is_one_step(demo):
    question = await routed_flood()
    officer = await actor(DEMO_ACCOUNTS["agency_officer"])
    before = await snapshot(question["id"])
    await fail_inserts_into("live_event")  # the submit's event: the save before it must go too
    with pytest.raises(Exception, match="injected fault"):
        await drafting.submit(officer, question["id"], NOW, TEXT)
    assert await snapshot(question["id"]) == before and before["answer"] is None
    await heal("live_event")
    await drafting.submit(officer, question["id"], NOW, TEXT)
    assert (await answer_queries.answer_of(question["id"]))["state"] == "submitted"


async def test_starting_the_session_and_publishing_the_held_answers_is_one_step(demo):
    question = await routed_flood()
    await Conference.update({Conference.release_policy: "at_session"}).where(Conference.id > 0)
    officer, head = await actor(DEMO_ACCOUNTS["agency_officer"]), await actor(DEMO_ACCOUNTS["agency_head"])
    organiser = await actor(DEMO_ACCOUNTS["organiser"])
    await drafting.submit(officer, question["id"], NOW, TEXT)
    await drafting.review(head, question["id"], "approve", "", NOW, BASE)
    conference = await Conference.select().where(Conference.id == question["conference"]).first()
    before = await snapshot(question["id"])
    await fail_inserts_into("outbox_message")  # the publication e-mail, after the conference moved
    with pytest.raises(Exception, match="injected fault"):
        await release.change_conference_state(organiser, conference["id"], "start", NOW, base_url=BASE)
    assert await snapshot(question["id"]) == before
    assert (await Conference.select(Conference.state).where(Conference.id == conference["id"]).first())["state"] \
        == conference["state"]
    await heal("outbox_message")
    await release.change_conference_state(organiser, conference["id"], "start", NOW, base_url=BASE)
    assert (await answer_queries.answer_of(question["id"]))["state"] == "published"
    assert (await Question.select(Question.state).where(Question.id == question["id"]).first())["state"] == "answered"


async def test_the_start_step_says_what_it_publishes_and_warns_when_it_is_early(demo):
    question = await routed_flood()
    await Conference.update({Conference.release_policy: "at_session"}).where(Conference.id > 0)
    officer, head = await actor(DEMO_ACCOUNTS["agency_officer"]), await actor(DEMO_ACCOUNTS["agency_head"])
    await drafting.submit(officer, question["id"], NOW, TEXT)
    await drafting.review(head, question["id"], "approve", "", NOW, BASE)
    conference = await get_conference(question["conference"])
    with language("en"):
        start = await release.step_preview(conference, "start", NOW)
        close = await release.step_preview(conference, "close", NOW)
        late = await release.step_preview(conference, "close", conference["questions_close_at"] + dt.timedelta(hours=1))
    assert "The approved answer held for the session will be published now" in " ".join(start.effects)
    assert "This step cannot be undone." in start.effects
    assert any("the session was to start at 08:00" in w for w in start.warnings)
    assert any("starting the session stops questions now" in w for w in start.warnings)
    assert "residents can no longer ask" in start.effects[0] and "Residents can no longer ask" in close.effects[0]
    assert "You can go back later with “Start taking questions”." in close.effects
    assert any("questions were to close at 17:00" in w for w in close.warnings) and late.warnings == []


async def test_a_reminder_is_recorded_only_with_its_mail(demo):
    await routed_flood()
    late = NOW + dt.timedelta(days=30)
    await fail_inserts_into("outbox_message")
    with pytest.raises(Exception, match="injected fault"):
        await reminders.tick(late, BASE)
    assert await ReminderSent.count() == 0  # not recorded as sent: the next run sends it
    await heal("outbox_message")
    sent = await reminders.tick(late, BASE)
    assert sent["overdue"] >= 1
    assert await reminders.tick(late, BASE) == {"due_soon": 0, "overdue": 0}  # and only once


def test_the_machines_say_what_a_page_may_offer():
    assert QUESTION.allows("assigned", "withdraw") and not QUESTION.allows("answered", "withdraw")
    assert CONFERENCE.allowed("closed") == {"open", "start"}
    assert answer_queries.ANSWER.allowed("") == {"save"}


def test_every_machine_names_only_its_own_states():
    for machine in (QUESTION, CONFERENCE, answer_queries.ANSWER, COMMITMENT, DOCUMENT):
        for action in machine.actions.values():
            assert set(action.sources) - {""} <= set(machine.states), (machine.entity, action.name)
        for name, members in machine.sets.items():
            assert set(members) - {""} <= set(machine.states), (machine.entity, name)
