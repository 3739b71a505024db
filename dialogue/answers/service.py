"""Answers: officers draft, their head approves or returns, the organisers may return an approved
answer that is still held, and answers are published by the conference's release policy.

Only the agencies a question is assigned to may touch its answer: the lead agency the answer,
contributing agencies their parts. Every step writes the action log; publication e-mails the asker
and followers in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import difflib

from dialogue.core.db import write_transaction
from dialogue.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from dialogue.core.i18n import gettext as _
from dialogue.machine import log as audit
from dialogue.questions import intake as questions
from dialogue.machine.actors import Actor
from dialogue.conferences.service import get_conference
from dialogue.machine.actors import ObjectScope, require
from dialogue.reference.units import scope_of_unit
from dialogue.questions.screening import agency_question, get_question
from dialogue.answers.tables import Answer, AnswerPart
from dialogue.questions.tables import Question
from dialogue.core.text import paragraphs, tidy

A = Answer.State
# action -> (answer states it may start from, state it leads to). The only table of answer transitions.
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "save": (frozenset({"", A.draft.value, A.returned.value}), A.draft.value),  # "": no answer yet
    "submit": (frozenset({A.draft.value, A.returned.value}), A.submitted.value),
    "approve": (frozenset({A.submitted.value}), A.approved.value),
    "return": (frozenset({A.submitted.value}), A.returned.value),  # by the agency head
    "organiser_return": (frozenset({A.approved.value}), A.returned.value),  # held answers only
    "publish": (frozenset({A.approved.value}), A.published.value),
}
MAX_BODY = 20_000


async def answer_of(question_id: int) -> dict | None:
    return await Answer.select(
        Answer.all_columns(), Answer.agency.name.as_alias("agency_name"),
        Answer.approved_by.role.as_alias("approver_role"),
    ).where(Answer.question == question_id).first()


async def parts_of(question_id: int) -> list[dict]:
    return await AnswerPart.select(AnswerPart.all_columns(), AnswerPart.agency.name.as_alias("agency_name")) \
        .where(AnswerPart.question == question_id).order_by(AnswerPart.id)


def _state(answer: dict | None) -> str:
    return answer["state"] if answer else ""


def _check(answer: dict | None, action: str) -> str:
    sources, target = TRANSITIONS[action]
    if _state(answer) not in sources:
        raise Conflict(_("The answer cannot take that step from its present state."))
    return target


async def _lead(actor: Actor, question_id: int) -> tuple[dict, dict]:
    """The question and the actor's lead assignment; Forbidden for anyone else."""
    question, assignments = await agency_question(actor, question_id)
    lead = next((a for a in assignments if a["role"] == "lead" and a["agency"] == actor.agency_id), None)
    if lead is None:
        raise Forbidden(_("Only the lead agency writes the answer; contributing agencies add their part."))
    if question["state"] not in ("assigned", "answered"):
        raise Conflict(_("This question is not waiting for an answer."))
    return question, lead


async def save_draft(actor: Actor, question_id: int, form: dict, now: dt.datetime) -> int:
    """Save the draft. `version` is the one the writer started from: if someone saved since, the
    save is refused with the text as it now stands, so nobody overwrites another silently."""
    question, lead = await _lead(actor, question_id)
    answer = await answer_of(question_id)
    _check(answer, "save")
    body = paragraphs(form.get("body"))
    legal_basis = paragraphs(form.get("legal_basis"))[:2000]
    if not body:
        raise InvalidInput({"body": _("Write the answer.")})
    if len(body) > MAX_BODY:
        raise InvalidInput({"body": _("Use at most %(count)s characters.", count=MAX_BODY)})
    version = form.get("version", "")
    if answer is not None and version != str(answer["version"]):
        raise AnswerConflict(answer)
    async with write_transaction():
        if answer is None:
            await Answer.insert(Answer(question=question_id, agency=lead["agency"], body=body, legal_basis=legal_basis,
                                       state=A.draft.value, version=1, updated_by=actor.staff_id, updated_at=now))
            new_version = 1
        else:
            new_version = answer["version"] + 1
            changed = await Answer.update({
                Answer.body: body, Answer.legal_basis: legal_basis, Answer.state: A.draft.value,
                Answer.version: new_version, Answer.updated_by: actor.staff_id, Answer.updated_at: now,
            }).where((Answer.id == answer["id"]) & (Answer.version == answer["version"])).returning(Answer.id)
            if not changed:
                raise AnswerConflict(await answer_of(question_id))
        await audit.record(actor, "answer_saved", "question", question_id, at=now,
                           from_state=_state(answer), to_state=A.draft.value)
    return new_version


class AnswerConflict(Conflict):
    """Someone saved the answer since this writer loaded it."""

    def __init__(self, current: dict | None) -> None:
        super().__init__(_("Someone else saved this answer while you were writing. Your text is kept below; "
                           "compare it with the saved one and save again."))
        self.current = current


async def _move(actor: Actor, question: dict, answer: dict, action: str, now: dt.datetime, **updates) -> None:
    target = _check(answer, action)
    changed = await Answer.update({Answer.state: target, **{getattr(Answer, k): v for k, v in updates.items()}}) \
        .where((Answer.id == answer["id"]) & (Answer.state == answer["state"])).returning(Answer.id)
    if not changed:
        raise Conflict(_("Someone else changed this answer at the same time. Reload the page."))
    await audit.record(actor, f"answer_{action}", "question", question["id"], at=now, from_state=answer["state"],
                       to_state=target, reason=updates.get("return_comment", ""))


async def submit(actor: Actor, question_id: int, now: dt.datetime) -> None:
    question, _lead_assignment = await _lead(actor, question_id)
    answer = await answer_of(question_id)
    if answer is None:
        raise InvalidInput({"body": _("Write and save the answer first.")})
    async with write_transaction():
        await _move(actor, question, answer, "submit", now, return_comment="")


async def review(actor: Actor, question_id: int, decision: str, comment: str, now: dt.datetime, base_url: str) -> None:
    """The lead agency's head approves (published at once if the conference says so) or returns."""
    question, lead = await _lead(actor, question_id)
    require(actor, "approve", _agency_scope(lead["agency"]))
    answer = await answer_of(question_id)
    if answer is None:
        raise Conflict(_("The answer cannot take that step from its present state."))
    comment = tidy(comment)[:2000]
    if decision == "return":
        if not comment:
            raise InvalidInput({"comment": _("Say what the officer should change.")})
        async with write_transaction():
            await _move(actor, question, answer, "return", now, return_comment=comment)
        return
    if decision != "approve":
        raise NotFound(_("This action does not exist."))
    conference = await get_conference(question["conference"])
    async with write_transaction():
        await _move(actor, question, answer, "approve", now, approved_by=actor.staff_id, approved_at=now)
        if conference["release_policy"] == "on_approval":
            await _publish(actor, question, {**answer, "state": A.approved.value}, now, base_url)


def _agency_scope(agency_id: int) -> ObjectScope:
    return ObjectScope(agency_ids=frozenset({agency_id}))


async def _publish(actor: Actor, question: dict, answer: dict, now: dt.datetime, base_url: str) -> None:
    """Publish one approved answer (inside the caller's transaction)."""
    await _move(actor, question, answer, "publish", now, published_at=now)
    await Question.update({Question.state: "answered", Question.updated_at: now}).where(Question.id == question["id"])
    await audit.record(actor, "answered", "question", question["id"], at=now, from_state=question["state"],
                       to_state="answered")
    published = await answer_of(question["id"])
    await questions.notify({**question, "state": "answered"}, "answer_published", lambda: _(
        "Your question %(code)s has been answered", code=questions.display_code(question["tracking_code"])),
        now, base_url, answer=published, parts=await parts_of(question["id"]))


async def organiser_return(actor: Actor, question_id: int, reason: str, now: dt.datetime) -> None:
    """Before a held answer is published, the organisers may send it back, with their reason."""
    question = await get_question(question_id)
    require(actor, "organise", await scope_of_unit(question["conference_unit"]))
    answer = await answer_of(question_id)
    reason = tidy(reason)[:2000]
    if not reason:
        raise InvalidInput({"return_reason": _("Say what the agency should change.")})
    if answer is None:
        raise Conflict(_("The answer cannot take that step from its present state."))
    async with write_transaction():
        await _move(actor, question, answer, "organiser_return", now, return_comment=reason)


async def release(actor: Actor, conference_id: int, now: dt.datetime, base_url: str) -> int:
    """Publish every approved answer of the conference together: atomic, and idempotent
    (a second release finds nothing left to publish)."""
    conference = await get_conference(conference_id)
    require(actor, "organise", await scope_of_unit(conference["unit"]))
    return await release_held(actor, conference_id, now, base_url)


async def release_held(actor: Actor, conference_id: int, now: dt.datetime, base_url: str) -> int:
    held = await Answer.select(Answer.question).where(
        (Answer.state == A.approved.value) & (Answer.question.conference == conference_id))
    async with write_transaction():
        for row in held:
            question = await get_question(row["question"])
            answer = await answer_of(row["question"])
            if answer and answer["state"] == A.approved.value:
                await _publish(actor, question, answer, now, base_url)
    return len(held)


async def save_part(actor: Actor, question_id: int, body: str, now: dt.datetime) -> None:
    """A contributing agency's part; the lead agency's head approves the answer with it."""
    question, assignments = await agency_question(actor, question_id)
    if not any(a["role"] == "contributing" and a["agency"] == actor.agency_id for a in assignments):
        raise Forbidden(_("Only a contributing agency adds a part."))
    answer = await answer_of(question_id)
    if _state(answer) in (A.approved.value, A.published.value):
        raise Conflict(_("The answer has been approved; ask the lead agency to reopen it."))
    body = paragraphs(body)[:MAX_BODY]
    if not body:
        raise InvalidInput({"part": _("Write your agency's part.")})
    async with write_transaction():
        existing = await AnswerPart.select(AnswerPart.id).where(
            (AnswerPart.question == question_id) & (AnswerPart.agency == actor.agency_id)).first()
        if existing:
            await AnswerPart.update({AnswerPart.body: body, AnswerPart.updated_by: actor.staff_id,
                                     AnswerPart.updated_at: now}).where(AnswerPart.id == existing["id"])
        else:
            await AnswerPart.insert(AnswerPart(question=question_id, agency=actor.agency_id, body=body,
                                               updated_by=actor.staff_id, updated_at=now))
        await audit.record(actor, "answer_part_saved", "question", question_id, at=now)


async def published_for_conference(conference_id: int) -> dict[int, dict]:
    """{question id: published answer} for a conference's public page."""
    rows = await Answer.raw(  # SQL: this is on every view of a conference's public page
        "SELECT a.question, a.body, a.published_at, g.name AS agency_name FROM answer a "
        "JOIN agency g ON g.id = a.agency JOIN question q ON q.id = a.question "
        "WHERE a.state = 'published' AND q.conference = {}", conference_id)
    return {row["question"]: row for row in rows}


def changes_between(saved: str, mine: str) -> list[str]:
    """What differs between the saved text and the writer's, line by line ("- saved", "+ mine")."""
    return [line for line in difflib.ndiff(saved.splitlines(), mine.splitlines()) if line[:1] in "+-"]


async def published_answer(question_id: int) -> dict | None:
    """The answer the public may read: published ones only."""
    answer = await answer_of(question_id)
    return answer if answer and answer["state"] == A.published.value else None

