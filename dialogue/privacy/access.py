"""Who of the staff read an asker's name and contact details, and when (Law 91/2025/QH15: the asker
may know who processed their data). Each reading is an action-log entry "personal_data_viewed" on the
question, written by the service that hands the data to staff (questions.queries.screening_page, the
data-protection officer's request page); here it is read back for the asker's data page and download
and for the data-protection officer."""

from __future__ import annotations

import datetime as dt
import re

from dialogue.core.db import write_transaction
from dialogue.core.vocabulary import N_, declare
from dialogue.machine import log
from dialogue.machine.actors import Actor
from dialogue.machine.log import ActionLog
from dialogue.questions.queries import PERSONAL_DATA_VIEWED
from dialogue.questions.tables import Question

DISPLAY_CODE = re.compile(r"\b([0-9A-Z]{4})-([0-9A-Z]{4})-([0-9A-Z]{5})\b")

# The pages that show staff an asker's details: the `where` of each reading
declare("personal_data_where", {
    "organiser_question": N_("the organisers' page of the question"),
    "data_request": N_("the data-protection officer's page of a request"),
    "organiser_mail": N_("a message sent to them, on the organisers' page of messages"),
})


async def record_message_read(actor: Actor, message: dict, now: dt.datetime) -> None:
    """An organiser opened one message (its whole address and words): when it went to the asker of the
    question it names, that is a reading of the asker's data, logged as the question page's is. (The
    list of messages shows addresses only in part: web/organiser.py.)"""
    address = message.get("to_address") or ""
    text = " ".join(message.get(key) or "" for key in ("subject", "text_body", "payload"))
    codes = {"".join(parts) for parts in DISPLAY_CODE.findall(text)}
    if not address or not codes:
        return
    askers = await Question.select(Question.id).where(
        Question.tracking_code.is_in(sorted(codes)) & ((Question.asker_email == address)
                                                       | (Question.asker_phone == address)))
    if askers:
        async with write_transaction():
            for asker in askers:
                await log.record(actor, PERSONAL_DATA_VIEWED, "question", asker["id"], at=now,
                                 details={"where": "organiser_mail"})


async def views_of(question_id: int) -> list[dict]:
    """Each reading of this question's asker's details, newest first: `at`, the staff member's
    `full_name` and `position`, their `role` (a code: word("role", …) says it) and `where` (a code:
    word("personal_data_where", …) says it)."""
    rows = await ActionLog.select(
        ActionLog.at, ActionLog.details, ActionLog.actor.full_name.as_alias("full_name"),
        ActionLog.actor.position.as_alias("position"), ActionLog.actor.role.as_alias("role"),
    ).where((ActionLog.object_type == "question") & (ActionLog.object_id == str(question_id))
            & (ActionLog.action == PERSONAL_DATA_VIEWED)).order_by(ActionLog.id, ascending=False).output(load_json=True)
    return [{"at": row["at"], "full_name": row["full_name"] or "", "position": row["position"] or "",
             "role": row["role"] or "", "where": (row["details"] or {}).get("where", "")} for row in rows]
