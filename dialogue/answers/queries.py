"""What is read of answers: one question's answer and parts, the published ones, the agency's inbox
and what the agency page may offer."""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass

from dialogue.answers.machine import ANSWER
from dialogue.answers.tables import Answer, AnswerFile, AnswerPart, AnswerPromise
from dialogue.core.calendar import local_today
from dialogue.core.db import Prepared
from dialogue.machine.actors import Actor, Role
from dialogue.questions.machine import QUESTION
from dialogue.questions.routing import contributes, due_status, lead_of
from dialogue.questions.tables import Assignment, Question
from dialogue.reference.calendar import working_calendar

A = Answer.State


# The reads of a tracking page (every view of it), built once.
ANSWER_OF = Prepared(Answer, lambda question: Answer.select(
    Answer.all_columns(), Answer.agency.name.as_alias("agency_name"), Answer.approved_by.role.as_alias("approver_role"),
).where(Answer.question == question))
PARTS = Prepared(AnswerPart, lambda question: AnswerPart.select(
    AnswerPart.all_columns(), AnswerPart.agency.name.as_alias("agency_name"),
).where(AnswerPart.question == question).order_by(AnswerPart.id))
PROMISES = Prepared(AnswerPromise, lambda question: AnswerPromise.select().where(AnswerPromise.question == question)
                    .order_by(AnswerPromise.id))
FILES = Prepared(AnswerFile, lambda question: AnswerFile.select(AnswerFile.id, AnswerFile.filename, AnswerFile.size)
                 .where(AnswerFile.question == question).order_by(AnswerFile.id))


async def answer_of(question_id: int) -> dict | None:
    return await ANSWER_OF.first(question_id)


def state_of(answer: dict | None) -> str:
    return answer["state"] if answer else ""


async def parts_of(question_id: int) -> list[dict]:
    return await PARTS.rows(question_id)


async def promises_of(question_id: int) -> list[dict]:
    """The "we will …" promises of the question's answer, in the order they were added."""
    return await PROMISES.rows(question_id)


@dataclass(frozen=True)
class PublicPromise:
    """A promise of a published answer; its follow-up is the commitment it became."""

    text: str
    due_on: dt.date
    expected_output: str


@dataclass(frozen=True)
class PublicPart:
    agency_name: str
    body: str


@dataclass(frozen=True)
class PublicFile:
    id: int
    filename: str
    size: int


@dataclass(frozen=True)
class PublicAnswer:
    """A published answer as the public reads it: no drafts, no internal comments, no staff names."""

    body: str
    legal_basis: str
    agency_name: str
    approver_role: str
    published_at: dt.datetime
    parts: tuple[PublicPart, ...]
    files: tuple[PublicFile, ...]
    promises: tuple[PublicPromise, ...] = ()


async def published_answer(question_id: int) -> PublicAnswer | None:
    """The answer the public may read: published ones only."""
    answer = await answer_of(question_id)
    if not answer or not ANSWER.is_in("published", answer["state"]):
        return None
    return _public_answer(answer, await parts_of(question_id), await FILES.rows(question_id),
                          await promises_of(question_id))


def _public_answer(answer: dict, parts: list[dict], files: list[dict], promises: list[dict]) -> PublicAnswer:
    return PublicAnswer(
        body=answer["body"], legal_basis=answer["legal_basis"], agency_name=answer["agency_name"],
        approver_role=answer["approver_role"] or "", published_at=answer["published_at"],
        parts=tuple(PublicPart(p["agency_name"], p["body"]) for p in parts),
        files=tuple(PublicFile(f["id"], f["filename"], f["size"]) for f in files),
        promises=tuple(PublicPromise(p["text"], p["due_on"], p["expected_output"]) for p in promises),
    )


async def published_answers(answers: list[dict]) -> dict[int, PublicAnswer]:
    """{question id: public answer} for answer rows already read (with `agency_name`, `approver_role`)
    and known to be published: their parts, files and promises in three reads, not three per answer."""
    ids = [a["question"] for a in answers] or [0]
    parts = await AnswerPart.select(AnswerPart.all_columns(), AnswerPart.agency.name.as_alias("agency_name")) \
        .where(AnswerPart.question.is_in(ids)).order_by(AnswerPart.id)
    files = await AnswerFile.select(AnswerFile.id, AnswerFile.question, AnswerFile.filename, AnswerFile.size) \
        .where(AnswerFile.question.is_in(ids)).order_by(AnswerFile.id)
    promises = await AnswerPromise.select().where(AnswerPromise.question.is_in(ids)).order_by(AnswerPromise.id)
    return {a["question"]: _public_answer(a, [p for p in parts if p["question"] == a["question"]],
                                          [f for f in files if f["question"] == a["question"]],
                                          [p for p in promises if p["question"] == a["question"]]) for a in answers}


async def published_for_conference(conference_id: int) -> dict[int, dict]:
    """{question id: published answer} for a conference's public page."""
    rows = await Answer.raw(  # SQL: this is on every view of a conference's public page
        "SELECT a.question, a.body, a.published_at, g.name AS agency_name FROM answer a "
        "JOIN agency g ON g.id = a.agency JOIN question q ON q.id = a.question "
        "WHERE a.state = {} AND q.conference = {}", A.published.value, conference_id)
    return {row["question"]: row for row in rows}


def changes_between(saved: str, mine: str) -> list[str]:
    """What differs between the saved text and the writer's, line by line ("- saved", "+ mine")."""
    return [line for line in difflib.ndiff(saved.splitlines(), mine.splitlines()) if line[:1] in "+-"]


@dataclass(frozen=True)
class AgencyCan:
    """What the agency page offers this actor on this question: decided here, never in a template."""

    write: bool = False  # save the lead answer's draft, attach files
    submit: bool = False  # send it to the head
    review: bool = False  # approve or return (the head)
    mark_at_session: bool = False
    add_part: bool = False  # a contributing agency's part
    return_question: bool = False  # "not ours"
    is_lead: bool = False


def agency_can(actor: Actor, question: dict, assignments: list[dict], answer: dict | None) -> AgencyCan:
    state = state_of(answer)
    is_lead = lead_of(assignments, actor.agency_id) is not None
    with_agency = QUESTION.is_in("with_agency", question["state"])
    return AgencyCan(
        is_lead=is_lead,
        write=is_lead and QUESTION.is_in("answerable", question["state"]) and ANSWER.allows(state, "save"),
        submit=is_lead and answer is not None and ANSWER.allows(state, "submit"),
        review=is_lead and actor.role == Role.agency_head.value and ANSWER.allows(state, "approve"),
        mark_at_session=is_lead and answer is not None and question["answer_mode"] == Question.AnswerMode.session.value
        and not ANSWER.is_in("published", state),
        add_part=contributes(assignments, actor.agency_id) and with_agency and ANSWER.is_in("open_to_parts", state),
        return_question=is_lead and QUESTION.allows(question["state"], "return") and ANSWER.is_in("editable", state),
    )


async def agency_inbox(actor: Actor, now: dt.datetime, role: str = "") -> list[dict]:
    """The actor's agency's active assignments, soonest due first. Only ever their own agency's."""
    if actor.agency_id is None:
        return []
    query = Assignment.select(
        Assignment.role, Assignment.due_on, Assignment.assigned_at, Assignment.question.id.as_alias("id"),
        Assignment.question.id.as_alias("question_id"),
        Assignment.question.tracking_code.as_alias("tracking_code"), Assignment.question.title.as_alias("title"),
        Assignment.question.state.as_alias("state"), Assignment.question.answer_mode.as_alias("answer_mode"),
        Assignment.question.topic.name_vi.as_alias("topic_vi"), Assignment.question.topic.name_en.as_alias("topic_en"),
    ).where((Assignment.agency == actor.agency_id) & (Assignment.active == True))
    if role in {r.value for r in Assignment.Role}:
        query = query.where(Assignment.role == role)
    rows = await query.order_by(Assignment.due_on)
    states = {a["question"]: a["state"] for a in await Answer.select(Answer.question, Answer.state).where(
        Answer.question.is_in([r["id"] for r in rows] or [0]))}
    calendar, today = await working_calendar(), local_today(now)
    for row in rows:
        row["answer_state"] = states.get(row["id"], "")
        row["due"] = due_status(row["due_on"], calendar, today)
        is_lead = row["role"] == Assignment.Role.lead.value
        row["waiting_approval"] = is_lead and ANSWER.allows(row["answer_state"], "approve")
        row["not_started"] = is_lead and not row["answer_state"]
    return rows


def inbox_counts(items: list[dict]) -> dict[str, int]:
    """The agency's dashboard figures, from its inbox."""
    return {
        "total": len(items),
        "overdue": sum(1 for i in items if i["due"] and i["due"]["overdue"]),
        "due_soon": sum(1 for i in items if i["due"] and not i["due"]["overdue"] and i["due"]["left"] <= 2),
        "to_approve": sum(1 for i in items if i["waiting_approval"]),
        "not_started": sum(1 for i in items if i["not_started"]),
    }
