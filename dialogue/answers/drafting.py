"""The lead agency's answer: officers draft it, their head approves or returns it, contributing
agencies add their parts, and the organisers may send an approved answer that is still held back.

Only the agencies a question is assigned to may touch its answer: the lead agency the answer,
contributing agencies their parts. Every step goes through the transition helper (the answer's
machine), logged on the question, whose history shows the answer's steps.
"""

from __future__ import annotations

import datetime as dt

from dialogue.answers.machine import ANSWER
from dialogue.answers.queries import answer_of, state_of
from dialogue.answers.release import publish
from dialogue.answers.tables import Answer, AnswerPart, AnswerPromise
from dialogue.commitments.commands import too_far_ahead
from dialogue.conferences.queries import get_conference
from dialogue.conferences.tables import Conference
from dialogue.core.calendar import WorkingCalendar, local_today
from dialogue.core.db import write_transaction
from dialogue.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from dialogue.core.i18n import gettext as _
from dialogue.core.text import paragraphs, parse_day, parse_id, tidy
from dialogue.machine import log
from dialogue.machine.actors import Actor, ObjectScope
from dialogue.machine.transitions import transition
from dialogue.questions.machine import QUESTION
from dialogue.questions.routing import agency_question, contributes, lead_of
from dialogue.questions.screening import for_organiser
from dialogue.reference.calendar import working_calendar
from dialogue.reference.units import scope_of_unit

MAX_BODY = 20_000


class AnswerConflict(Conflict):
    """Someone saved the answer since this writer loaded it."""

    def __init__(self, current: dict | None) -> None:
        super().__init__(_("Someone else saved this answer while you were writing. Your text is kept below; "
                           "compare it with the saved one and save again."))
        self.current = current


def _agency_scope(agency_id: int) -> ObjectScope:
    return ObjectScope(agency_ids=frozenset({agency_id}))


async def _lead(actor: Actor, question_id: int) -> tuple[dict, dict]:
    """The question and the actor's lead assignment; Forbidden for anyone else."""
    question, assignments = await agency_question(actor, question_id)
    lead = lead_of(assignments, actor.agency_id)
    if lead is None:
        raise Forbidden(_("Only the lead agency writes the answer; contributing agencies add their part."))
    if not QUESTION.is_in("answerable", question["state"]):
        raise Conflict(_("This question is not waiting for an answer."))
    return question, lead


def _check_text(form: dict) -> tuple[str, str]:
    body = paragraphs(form.get("body"))
    legal_basis = paragraphs(form.get("legal_basis"))[:2000]
    if not body:
        raise InvalidInput({"body": _("Write the answer.")})
    if len(body) > MAX_BODY:
        raise InvalidInput({"body": _("Use at most %(count)s characters.", count=MAX_BODY)})
    return body, legal_basis


async def _save(actor: Actor, question_id: int, lead: dict, answer: dict | None, form: dict, now: dt.datetime) -> int:
    """Save the draft (inside the caller's transaction). `version` is the one the writer started
    from: if someone saved since, the save is refused with the text as it now stands."""
    body, legal_basis = _check_text(form)
    if answer is None:
        await Answer.insert(Answer(question=question_id, agency=lead["agency"], body=body, legal_basis=legal_basis,
                                   state=Answer.State.draft.value, version=1, updated_by=actor.staff_id,
                                   updated_at=now))
        await log.record(actor, ANSWER.logged_as("save"), "question", question_id, at=now,
                         to_state=Answer.State.draft.value)
        return 1
    if form.get("version", "") != str(answer["version"]):
        raise AnswerConflict(answer)
    version = answer["version"] + 1
    await transition(ANSWER, actor, answer, "save", now=now, permission="answer",
                     scope=_agency_scope(lead["agency"]), expect={"version": answer["version"]},
                     updates={"body": body, "legal_basis": legal_basis, "version": version,
                              "updated_by": actor.staff_id, "updated_at": now},
                     log_object=("question", question_id))
    return version


async def save_draft(actor: Actor, question_id: int, form: dict, now: dt.datetime) -> int:
    question, lead = await _lead(actor, question_id)
    answer = await answer_of(question_id)
    ANSWER.target_of(state_of(answer), "save")
    _check_text(form)
    try:
        async with write_transaction():
            return await _save(actor, question_id, lead, answer, form, now)
    except Conflict as error:
        if isinstance(error, AnswerConflict):
            raise
        raise AnswerConflict(await answer_of(question_id)) from None


async def submit(actor: Actor, question_id: int, now: dt.datetime, form: dict | None = None) -> None:
    """Send the answer to the agency head; with a form, save its text first — in one transaction,
    so that "save and submit" either does both or neither."""
    question, lead = await _lead(actor, question_id)
    answer = await answer_of(question_id)
    if answer is None and not (form or {}).get("body"):
        raise InvalidInput({"body": _("Write and save the answer first.")})
    async with write_transaction():
        if (form or {}).get("body"):
            ANSWER.target_of(state_of(answer), "save")
            await _save(actor, question_id, lead, answer, form or {}, now)
            answer = await answer_of(question_id)
        await transition(ANSWER, actor, answer, "submit", now=now, permission="answer",
                         scope=_agency_scope(lead["agency"]), updates={"return_comment": ""},
                         log_object=("question", question_id))


# What the leaders' figures count an answer by (dialogue/accountability): the day the agency's head
# approved it and the working days since the question reached the agency. An answer the organisers
# send back is the agency's to answer again, so it no longer counts as answered.
NOT_ANSWERED = {"answered_on": None, "working_days": None}


def answered(lead: dict, now: dt.datetime, calendar: WorkingCalendar) -> dict:
    """The answer's accounting facts when the head approves it now."""
    day = local_today(now)
    return {"answered_on": day, "working_days": calendar.working_days_between(local_today(lead["assigned_at"]), day)}


async def review(actor: Actor, question_id: int, decision: str, comment: str, now: dt.datetime, base_url: str) -> str:
    """The lead agency's head approves (published at once if the conference says so) or returns.
    Returns the answer's state after: returned, approved (held for the session) or published."""
    question, lead = await _lead(actor, question_id)
    answer = await answer_of(question_id)
    if answer is None:
        raise Conflict(_("The answer cannot take that step from its present state."))
    comment = tidy(comment)[:2000]
    scope = _agency_scope(lead["agency"])
    if decision == "return":
        if not comment:
            raise InvalidInput({"comment": _("Say what the officer should change.")})
        await transition(ANSWER, actor, answer, "return", now=now, permission="approve", scope=scope,
                         updates={"return_comment": comment}, reason=comment, log_object=("question", question_id))
        return Answer.State.returned.value
    if decision != "approve":
        raise NotFound(_("This action does not exist."))
    conference = await get_conference(question["conference"])
    facts = answered(lead, now, await working_calendar())
    async with write_transaction():
        approved = await transition(ANSWER, actor, answer, "approve", now=now, permission="approve", scope=scope,
                                    updates={"approved_by": actor.staff_id, "approved_at": now, **facts},
                                    log_object=("question", question_id))
        if conference["release_policy"] == Conference.ReleasePolicy.on_approval.value:
            await publish(actor, question, approved, now, base_url)
            return Answer.State.published.value
    return approved["state"]


async def organiser_return(actor: Actor, question_id: int, reason: str, now: dt.datetime) -> None:
    """Before a held answer is published, the organisers may send it back, with their reason."""
    question = await for_organiser(actor, question_id)
    answer = await answer_of(question_id)
    reason = tidy(reason)[:2000]
    if not reason:
        raise InvalidInput({"return_reason": _("Say what the agency should change.")})
    if answer is None:
        raise Conflict(_("The answer cannot take that step from its present state."))
    await transition(ANSWER, actor, answer, "organiser_return", now=now, permission="organise",
                     scope=await scope_of_unit(question["conference_unit"]),
                     updates={"return_comment": reason, **NOT_ANSWERED},
                     reason=reason, log_object=("question", question_id))


async def save_part(actor: Actor, question_id: int, body: str, now: dt.datetime) -> None:
    """A contributing agency's part; the lead agency's head approves the answer with it."""
    question, assignments = await agency_question(actor, question_id)
    if not contributes(assignments, actor.agency_id):
        raise Forbidden(_("Only a contributing agency adds a part."))
    answer = await answer_of(question_id)
    if not ANSWER.is_in("open_to_parts", state_of(answer)):
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
        await log.record(actor, "answer_part_saved", "question", question_id, at=now)


# --- Promises: "we will …", made commitments when the answer is published (answers/release.py) ---------------

MAX_PROMISE = 2000
MAX_PROMISES = 10


async def _editable(actor: Actor, question_id: int) -> None:
    """The lead agency may change the answer's promises while it may change its text."""
    await _lead(actor, question_id)
    ANSWER.target_of(state_of(await answer_of(question_id)), "save")


async def add_promise(actor: Actor, question_id: int, form: dict, now: dt.datetime) -> int:
    """A promise the answer makes: what the agency will do, by when, and what it will produce."""
    await _editable(actor, question_id)
    errors = {}
    text = paragraphs(form.get("promise_text"))
    if not text:
        errors["promise_text"] = _("Say what your agency will do.")
    elif len(text) > MAX_PROMISE:
        errors["promise_text"] = _("Use at most %(count)s characters.", count=MAX_PROMISE)
    due_on = parse_day(form.get("promise_due_on"))
    if due_on is None:
        errors["promise_due_on"] = _("Enter a date as dd/mm/yyyy, for example 31/03/2027.")
    elif due_on < local_today(now):
        errors["promise_due_on"] = _("The due date cannot be in the past.")
    elif message := too_far_ahead(due_on, now):
        errors["promise_due_on"] = message
    output = paragraphs(form.get("promise_output"))
    if len(output) > MAX_PROMISE:
        errors["promise_output"] = _("Use at most %(count)s characters.", count=MAX_PROMISE)
    if await AnswerPromise.count().where(AnswerPromise.question == question_id) >= MAX_PROMISES:
        errors["promise_text"] = _("An answer can make at most %(n)s promises.", n=MAX_PROMISES)
    if errors:
        raise InvalidInput(errors)
    async with write_transaction():
        rows = await AnswerPromise.insert(AnswerPromise(
            question=question_id, text=text, due_on=due_on, expected_output=output, created_by=actor.staff_id,
            created_at=now)).returning(AnswerPromise.id)
        await log.record(actor, "answer_promise_added", "question", question_id, at=now, reason=text,
                         details={"promise": rows[0]["id"], "due_on": due_on})
    return rows[0]["id"]


async def remove_promise(actor: Actor, question_id: int, promise_id: str | None, now: dt.datetime) -> None:
    await _editable(actor, question_id)
    promise = await AnswerPromise.select().where(
        (AnswerPromise.id == (parse_id(promise_id) or 0)) & (AnswerPromise.question == question_id)
        & AnswerPromise.commitment.is_null()).first()
    if promise is None:
        raise NotFound(_("This item no longer exists."))
    async with write_transaction():
        await AnswerPromise.delete().where(AnswerPromise.id == promise["id"])
        await log.record(actor, "answer_promise_removed", "question", question_id, at=now, reason=promise["text"])
