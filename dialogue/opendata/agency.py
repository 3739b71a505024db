"""What an agency's own system reads and sends with its API token (web/agency_api.py): the questions
assigned to the agency and the commitments it leads or cooperates on; an answer draft, sent for its
head's approval; a progress note. Through the same services as the agency's pages, with the token's
actor (an officer of the agency): an item of another agency is not found, whatever its id."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from msgspec import Meta, Struct

from dialogue.answers import drafting
from dialogue.answers.queries import agency_inbox, answer_of, state_of
from dialogue.answers.tables import Answer
from dialogue.commitments import followup
from dialogue.commitments.queries import for_agency
from dialogue.core.errors import NotFound
from dialogue.core.i18n import gettext as _
from dialogue.machine.actors import Actor
from dialogue.opendata import records
from dialogue.opendata.reading import Links, commitment_records
from dialogue.questions.intake import CODE_LENGTH, display_code, normalise_code
from dialogue.questions.tables import Question


class AssignedQuestion(Struct):
    """A question assigned to the agency, as its officers read it; never who asked or how to reach them."""

    code: str
    conference: int
    topic_vi: str
    topic_en: str
    title: str
    text: Annotated[str, Meta(description="The question as asked: the agency answers it.")]
    state: str
    role: Annotated[str, Meta(description="lead (writes the answer) or contributing (adds a part).")]
    due_on: dt.date | None
    assigned_at: dt.datetime
    answer_state: Annotated[str, Meta(description="draft, submitted, returned, approved, published, or empty.")]
    answer_version: Annotated[int | None, Meta(description=(
        "The answer's version: send it with a new draft of an answer that exists (null: none yet)."))]


class AssignedCommitment(Struct):
    role: Annotated[str, Meta(description="lead or cooperating.")]
    commitment: records.Commitment


class AnswerState(Struct):
    question: str
    answer_state: str
    answer_version: int


class ProgressNote(Struct):
    commitment: int
    update: int


async def assigned_questions(actor: Actor, now: dt.datetime) -> list[AssignedQuestion]:
    inbox = await agency_inbox(actor, now)  # with each answer's state
    ids = [row["question_id"] for row in inbox] or [0]
    texts = {row["id"]: row for row in await Question.select(Question.id, Question.conference, Question.body)
             .where(Question.id.is_in(ids))}
    versions = {row["question"]: row["version"] for row in await Answer.select(Answer.question, Answer.version)
                .where(Answer.question.is_in(ids))}
    return [AssignedQuestion(
        code=display_code(row["tracking_code"]), conference=texts[row["question_id"]]["conference"],
        topic_vi=row["topic_vi"], topic_en=row["topic_en"], title=row["title"], text=texts[row["question_id"]]["body"],
        state=row["state"], role=row["role"], due_on=row["due_on"], assigned_at=row["assigned_at"],
        answer_state=row["answer_state"], answer_version=versions.get(row["question_id"])) for row in inbox]


async def assigned_commitments(actor: Actor, now: dt.datetime, links: Links) -> list[AssignedCommitment]:
    rows = await for_agency(actor, now)
    roles = {row["id"]: row["role"] for row in rows}
    ordered = sorted(rows, key=lambda row: row["id"])
    return [AssignedCommitment(roles[c.id], c) for c in await commitment_records(ordered, now, links)]


async def _assigned_question_id(actor: Actor, raw_code: str, now: dt.datetime) -> int:
    code = normalise_code(raw_code)
    for row in await agency_inbox(actor, now) if len(code) == CODE_LENGTH else []:
        if row["tracking_code"] == code:
            return row["question_id"]
    raise NotFound(_("No question with this code is assigned to your agency."))


async def send_draft(actor: Actor, raw_code: str, body: str, legal_basis: str, version: int | None,
                     now: dt.datetime) -> AnswerState:
    """The answer's text saved and sent to the agency's head, in one transaction (as "save and
    submit" on the answer page); the head approves it in the browser. Over an answer that exists
    (returned by the head, or begun in the browser), `version` must be the one it was read at:
    otherwise someone changed it since, and it is a conflict."""
    question_id = await _assigned_question_id(actor, raw_code, now)
    await drafting.submit(actor, question_id, now, {
        "body": body, "legal_basis": legal_basis, "version": "" if version is None else str(version)})
    answer = await answer_of(question_id)
    return AnswerState(display_code(normalise_code(raw_code)), state_of(answer), answer["version"])


async def post_progress(actor: Actor, commitment_id: int, note: str, percent: int | None, now: dt.datetime,
                        base_url: str) -> ProgressNote:
    if commitment_id not in {row["id"] for row in await for_agency(actor, now)}:
        raise NotFound(_("There is no such commitment among your agency's."))
    form = {"note": note, "percent": "" if percent is None else str(percent)}
    return ProgressNote(commitment_id, await followup.post_progress(actor, commitment_id, form, now, base_url))
