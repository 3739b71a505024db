"""Files attached to answers: type decided from the content, size limited, kept in the database,
and served only to those who may read the answer."""

from __future__ import annotations

import datetime as dt

from dialogue.answers.machine import ANSWER
from dialogue.answers.queries import answer_of, state_of
from dialogue.answers.tables import Answer, AnswerFile
from dialogue.core.db import write_transaction
from dialogue.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from dialogue.core.i18n import gettext as _
from dialogue.core.text import valid_id
from dialogue.core.uploads import MAX_BYTES, checked_file  # noqa: F401  (MAX_BYTES: the web layer reads the limit here)
from dialogue.machine import log as audit
from dialogue.machine.actors import Actor, ObjectScope, may
from dialogue.questions.routing import agency_question, assignments_of, lead_of
from dialogue.questions.screening import get_question
from dialogue.reference.units import scope_of_unit

MAX_FILES = 10


async def attach(actor: Actor, question_id: int, filename: str, data: bytes, now: dt.datetime) -> int:
    """Attach a file to the lead agency's answer while it can still be edited."""
    question, assignments = await agency_question(actor, question_id)
    if lead_of(assignments, actor.agency_id) is None:
        raise Forbidden(_("Only the lead agency writes the answer; contributing agencies add their part."))
    answer = await answer_of(question_id)
    if not ANSWER.is_in("editable", state_of(answer)):
        raise Conflict(_("Files can be added only while the answer is a draft."))
    name, content_type = checked_file(filename, data)
    if await AnswerFile.count().where(AnswerFile.question == question_id) >= MAX_FILES:
        raise InvalidInput({"file": _("An answer can have at most %(n)s files.", n=MAX_FILES)})
    async with write_transaction():
        rows = await AnswerFile.insert(AnswerFile(
            question=question_id, filename=name, content_type=content_type, size=len(data), data=data,
            uploaded_by=actor.staff_id, created_at=now,
        )).returning(AnswerFile.id)
        await audit.record(actor, "answer_file_added", "question", question_id, at=now,
                           details={"file": name, "bytes": len(data)})
    return rows[0]["id"]


async def files_of(question_id: int) -> list[dict]:
    return await AnswerFile.select(AnswerFile.id, AnswerFile.filename, AnswerFile.content_type, AnswerFile.size) \
        .where(AnswerFile.question == question_id).order_by(AnswerFile.id)


async def download(actor: Actor | None, file_id: int) -> dict:
    """The file, for the public once its answer is published; before that, only for the agencies
    it is assigned to and the organisers of its area. Anyone else: not found (nothing revealed)."""
    row = await AnswerFile.select().where(AnswerFile.id == file_id).first() if valid_id(file_id) else None
    if row is None:
        raise NotFound(_("This item no longer exists."))
    answer = await answer_of(row["question"])
    if answer and ANSWER.is_in("published", answer["state"]):
        return row
    if actor is not None:
        question = await get_question(row["question"])
        agencies = {a["agency"] for a in await assignments_of(row["question"])}
        scope = ObjectScope(unit_path=(await scope_of_unit(question["conference_unit"])).unit_path,
                            agency_ids=frozenset(agencies))
        if may(actor, "read", scope):  # admins, staff of the area, staff of the assigned agencies
            return row
    raise NotFound(_("This item no longer exists."))


async def mark_at_session(actor: Actor, question_id: int, at_session: bool, now: dt.datetime) -> None:
    """The lead agency marks its answer as one to be given in person at the session."""
    question, assignments = await agency_question(actor, question_id)
    if lead_of(assignments, actor.agency_id) is None:
        raise Forbidden(_("Only the lead agency writes the answer; contributing agencies add their part."))
    answer = await answer_of(question_id)
    if answer is None:
        raise InvalidInput({"body": _("Write and save the answer first.")})
    async with write_transaction():
        await Answer.update({Answer.at_session: at_session}).where(Answer.id == answer["id"])
        await audit.record(actor, "answer_at_session" if at_session else "answer_in_writing", "question",
                           question_id, at=now)
