"""The transition helper's own rules, called directly on a demo question: who may call it, the
compare-and-set, what the log entry, the live event, the extra writes and the e-mails receive,
and that a refusal leaves nothing behind."""

import datetime as dt

import pytest

from dialogue.accounts.tables import StaffUser
from dialogue.core.errors import Conflict, Forbidden
from dialogue.core.i18n import language
from dialogue.demo import load_demo
from dialogue.machine.actors import Actor, ObjectScope
from dialogue.machine.events import LiveEvent
from dialogue.machine.log import ActionLog
from dialogue.machine.transitions import transition
from dialogue.mail.tables import OutboxMessage
from dialogue.questions.machine import QUESTION
from dialogue.questions.tables import Question
from dialogue.reference.units import scope_of_unit
from tests.conftest import DEMO_ACCOUNTS
from tests.pinned import NOW, TODAY

FLOOD = "Ngập úng ngõ 120 Hoàng Cầu mỗi khi mưa lớn"


@pytest.fixture
async def flood(demo_db) -> dict:
    await load_demo(TODAY)
    return await Question.select().where(Question.title == FLOOD).first()


async def organiser() -> Actor:
    return Actor.staff(await StaffUser.select().where(StaffUser.email == DEMO_ACCOUNTS["organiser"]).first())


async def here(question: dict) -> ObjectScope:
    return await scope_of_unit(question["unit"])


async def counts() -> tuple[int, int, int]:
    return await ActionLog.count(), await LiveEvent.count(), await OutboxMessage.count()


async def state_of(question: dict) -> str:
    return (await Question.select(Question.state).where(Question.id == question["id"]).first())["state"]


async def test_a_step_writes_the_state_the_log_and_the_event_and_returns_the_object(flood):
    who = await organiser()
    seen = {}

    async def also(current):
        seen["also"] = current

    async def mails(current):
        seen["mails"] = current
        return [OutboxMessage(message_id="<t@dialogue.local>", to_address="binh@example.vn", subject="Cập nhật",
                              text_body="", html_body="", headers="{}", kind="question_update", created_at=NOW,
                              next_attempt_at=NOW)]

    current = await transition(QUESTION, who, flood, "accept", now=NOW, permission="organise",
                               scope=await here(flood), updates={"decision_reason": "Đúng thẩm quyền."},
                               reason="Đúng thẩm quyền.", details={"by": "hand"}, also=also, mails=mails,
                               channels=["conference:1", "conference:1"])
    assert current == {**flood, "decision_reason": "Đúng thẩm quyền.", "state": "accepted"}
    assert seen["also"] == current and seen["mails"] == current
    row = await Question.select().where(Question.id == flood["id"]).first()
    assert (row["state"], row["decision_reason"]) == ("accepted", "Đúng thẩm quyền.")
    entry = await ActionLog.select().order_by(ActionLog.id, ascending=False).first().output(load_json=True)
    assert {k: entry[k] for k in ("actor_kind", "actor", "actor_ref", "action", "object_type", "object_id",
                                  "from_state", "to_state", "reason", "details")} == {
        "actor_kind": "staff", "actor": who.staff_id, "actor_ref": who.ref, "action": "accept",
        "object_type": "question", "object_id": str(flood["id"]), "from_state": "submitted",
        "to_state": "accepted", "reason": "Đúng thẩm quyền.", "details": {"by": "hand"}}
    assert entry["at"] == NOW
    events = await LiveEvent.select().order_by(LiveEvent.id).output(load_json=True)
    assert [(e["channel"], e["kind"]) for e in events] == [(f"question:{flood['id']}", "accept"),
                                                           ("conference:1", "accept")]
    assert events[0]["payload"] == {"entity": "question", "id": flood["id"], "from": "submitted", "to": "accepted"}
    assert events[0]["at"] == NOW
    mail = await OutboxMessage.select().first()
    assert mail["to_address"] == "binh@example.vn" and mail["subject"] == "Cập nhật"


async def test_the_log_may_file_the_step_under_another_object(flood):
    who = await organiser()
    await transition(QUESTION, who, flood, "accept", now=NOW, permission="organise", scope=await here(flood),
                     log_object=("answer", 77))
    entry = await ActionLog.select().order_by(ActionLog.id, ascending=False).first().output(load_json=True)
    assert (entry["object_type"], entry["object_id"]) == ("answer", "77")
    assert (entry["reason"], entry["details"]) == ("", {})  # none given: none recorded
    assert (await LiveEvent.select().first())["channel"] == "answer:77"


async def test_the_command_names_the_target_when_the_machine_does_not(flood):
    who = await organiser()
    merged = await transition(QUESTION, who, flood, "merge", now=NOW, permission="organise", scope=await here(flood))
    back = await transition(QUESTION, who, merged, "unmerge", now=NOW, permission="organise",
                            scope=await here(flood), target="submitted")
    assert back["state"] == "submitted" == await state_of(flood)
    merged = await transition(QUESTION, who, back, "merge", now=NOW, permission="organise", scope=await here(flood))
    with pytest.raises(ValueError, match="needs the command to name its target"):
        await transition(QUESTION, who, merged, "unmerge", now=NOW, permission="organise", scope=await here(flood))
    assert await state_of(flood) == "merged"


async def test_refusals_leave_nothing_behind(flood):
    who = await organiser()
    before = await counts()
    elsewhere = ObjectScope(unit_path=(999999,))
    viewer = Actor.staff(await StaffUser.select().where(StaffUser.email == DEMO_ACCOUNTS["viewer"]).first())
    refusals = [
        (Forbidden, dict(actor=who, permission=None)),  # staff may not use the asker's way in
        (Forbidden, dict(actor=Actor.system("reminders"), permission=None)),
        (Forbidden, dict(actor=who, permission="organise", scope=elsewhere)),  # not their area
        (Forbidden, dict(actor=who, permission="organise")),  # no scope: an object of no area
        (Forbidden, dict(actor=viewer, permission="organise", scope=await here(flood))),  # not their role
        (Conflict, dict(actor=who, permission="organise", scope=await here(flood), action="answer")),
    ]
    for error, kwargs in refusals:
        with language("en"), pytest.raises(error) as refused:
            await transition(QUESTION, obj=flood, now=NOW, **{"action": "accept", **kwargs})
        assert str(refused.value) == ("You do not have permission to do this." if error is Forbidden else
                                      "This cannot be done from the present state. Reload the page to see what "
                                      "changed.")
    assert await counts() == before and await state_of(flood) == "submitted"


async def test_the_asker_may_act_on_their_own_question_without_a_permission(flood):
    asker = Actor.public(flood["tracking_code"])
    done = await transition(QUESTION, asker, flood, "withdraw", now=NOW, permission=None)
    assert done["state"] == "withdrawn" == await state_of(flood)
    entry = await ActionLog.select().order_by(ActionLog.id, ascending=False).first()
    assert (entry["actor_kind"], entry["actor"], entry["actor_ref"]) == ("public", None, flood["tracking_code"])


async def test_a_stale_object_is_a_conflict_and_changes_nothing(flood):
    who = await organiser()
    await transition(QUESTION, who, flood, "accept", now=NOW, permission="organise", scope=await here(flood))
    before = await counts()
    with language("en"), pytest.raises(Conflict) as refused:  # flood still says "submitted"
        await transition(QUESTION, who, flood, "reject", now=NOW, permission="organise", scope=await here(flood))
    assert str(refused.value) == "Someone else changed this at the same time. Reload the page to see what changed."
    with pytest.raises(Conflict):  # the extra columns add to the state's check, they do not replace it
        await transition(QUESTION, who, flood, "reject", now=NOW, permission="organise", scope=await here(flood),
                         expect={"title": FLOOD})
    assert await counts() == before and await state_of(flood) == "accepted"


async def test_expect_adds_columns_to_the_compare_and_set(flood):
    who = await organiser()
    with pytest.raises(Conflict):
        await transition(QUESTION, who, flood, "accept", now=NOW, permission="organise", scope=await here(flood),
                         expect={"title": "Một tiêu đề khác"})
    assert await state_of(flood) == "submitted"
    await transition(QUESTION, who, flood, "accept", now=NOW, permission="organise", scope=await here(flood),
                     expect={"title": FLOOD})
    assert await state_of(flood) == "accepted"


async def test_a_failing_extra_write_undoes_the_whole_step(flood):
    who = await organiser()
    before = await counts()

    async def breaks(_current):
        raise RuntimeError("the extra write failed")

    for hook in ("also", "mails"):
        with pytest.raises(RuntimeError):
            await transition(QUESTION, who, flood, "accept", now=NOW + dt.timedelta(hours=1), permission="organise",
                             scope=await here(flood), **{hook: breaks})
        assert await counts() == before and await state_of(flood) == "submitted"
