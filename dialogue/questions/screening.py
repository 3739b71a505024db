"""Screening: the organisers' decisions on a question (accept, reject, forward, merge and undo it),
and its public text. Every decision goes through the transition helper with the e-mails it causes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

from dialogue.conferences.queries import for_organiser as conference_for_organiser
from dialogue.core.db import write_transaction
from dialogue.core.errors import DomainError, InvalidInput, NotFound
from dialogue.core.i18n import gettext as _
from dialogue.core.text import paragraphs, parse_id, tidy, valid_id
from dialogue.machine import log
from dialogue.machine.actors import Actor, ObjectScope, require
from dialogue.machine.log import ActionLog
from dialogue.machine.transitions import transition
from dialogue.questions import similarity
from dialogue.questions.intake import display_code, normalise_code
from dialogue.questions.machine import QUESTION, REJECTION_CATEGORIES
from dialogue.questions.tables import Question
from dialogue.questions.tracking import update_mails
from dialogue.reference.units import scope_of_unit

MAX_BULK = 200  # questions one bulk action takes (a page of the queue holds 50)
QUESTION_SQL_COLUMNS = (
    Question.all_columns(), Question.topic.name_vi.as_alias("topic_vi"), Question.topic.name_en.as_alias("topic_en"),
    Question.unit.name.as_alias("unit_name"), Question.conference.title.as_alias("conference_title"),
    Question.conference.unit.as_alias("conference_unit"),
)


async def get_question(question_id: int) -> dict:
    """A question with its topic, area and conference: for staff views, after a permission check."""
    row = await Question.select(*QUESTION_SQL_COLUMNS).where(Question.id == question_id).first() \
        if valid_id(question_id) else None
    if row is None:
        raise NotFound(_("There is no such question."))
    return row


async def for_organiser(actor: Actor, question_id: int) -> dict:
    question = await get_question(question_id)
    require(actor, "organise", await scope_of_unit(question["conference_unit"]))
    return question


@dataclass
class BulkResult:
    """What a bulk action did: the questions done, and each refused one with the reason why."""

    done: list[int] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)


async def for_each(actor: Actor, conference_id: int | None, question_ids: Iterable[int],
                   step: Callable[[dict], Awaitable[object]]) -> BulkResult:
    """Run a single action's service on each question, each in its own transaction: one that is
    refused (changed meanwhile, not allowed, not found, of another conference) is reported and the
    others go on. With a conference, the actor must organise it, and only its questions are taken."""
    if conference_id is not None:
        await conference_for_organiser(actor, conference_id)
    result = BulkResult()
    for question_id in list(dict.fromkeys(question_ids))[:MAX_BULK]:  # each once, in the order chosen
        try:
            question = await for_organiser(actor, question_id)
            if conference_id is not None and question["conference"] != conference_id:
                raise NotFound(_("There is no such question."))
            await step(question)
        except DomainError as error:
            result.refused.append((question_id, str(error)))
        else:
            result.done.append(question_id)
    return result


def news_subject(question: dict):
    return lambda: _("News of your question %(code)s", code=display_code(question["tracking_code"]))


async def change(
    actor: Actor, question: dict, action: str, now: dt.datetime, base_url: str, *, updates: dict | None = None,
    reason: str = "", target: str | None = None, notify: bool = True, details: dict | None = None,
    permission: str = "organise", scope: ObjectScope | None = None, also=None, news: str = "",
) -> dict:
    """One step of a question's life by staff, with the news e-mail to those concerned. The actor
    needs `permission` on `scope` (by default: organising the conference's unit). `news` names the
    step for the e-mail when it tells more than this action (accepted and routed at once)."""
    scope = scope or await scope_of_unit(question["conference_unit"])
    mails = (lambda current: update_mails(current, "question_update", news_subject(question), now, base_url,
                                          reason=reason, action=news or action)) if notify else None
    return await transition(QUESTION, actor, question, action, now=now, permission=permission, scope=scope,
                            updates={**(updates or {}), "updated_at": now}, target=target, reason=reason,
                            details=details, also=also, mails=mails,
                            channels=[f"conference:{question['conference']}"])


def _rejection(form: dict) -> tuple[str, str, dict]:
    """The category and the reason of a rejection, or the messages for what is missing."""
    category, reason = form.get("category", ""), tidy(form.get("reason"))[:2000]
    errors = {}
    if category not in REJECTION_CATEGORIES:
        errors["category"] = _("Choose why the question is not accepted.")
    if not reason:
        errors["reason"] = _("Write the reason the asker will read.")
    return category, reason, errors


async def decide(actor: Actor, question_id: int, action: str, form: dict, now: dt.datetime, base_url: str) -> None:
    """Accept, reject or forward, each with the reason the asker reads."""
    question = await for_organiser(actor, question_id)
    if action not in ("accept", "reject", "forward"):
        raise NotFound(_("This action does not exist."))
    QUESTION.target_of(question["state"], action)
    reason = tidy(form.get("reason"))[:2000]
    updates: dict = {"decision_reason": reason}
    errors = {}
    if action == "reject":
        updates["decision_category"], reason, errors = _rejection(form)
    if action == "forward":
        body = tidy(form.get("forwarded_to"))[:250]
        if not body:
            errors["forwarded_to"] = _("Name the body the question is sent to.")
        updates["forwarded_to"] = body
        if not reason:
            errors["reason"] = _("Write the reason the asker will read.")
    if errors:
        raise InvalidInput(errors)
    await change(actor, question, action, now, base_url, updates=updates, reason=reason,
                 details={k: v for k, v in updates.items() if k != "decision_reason"})


async def reject_many(actor: Actor, conference_id: int, question_ids: list[int], form: dict, now: dt.datetime,
                      base_url: str) -> BulkResult:
    """Do not accept the chosen questions, with one category and one reason that each asker reads:
    each question as if rejected on its own."""
    await conference_for_organiser(actor, conference_id)
    _category, _reason, errors = _rejection(form)
    if not question_ids:
        errors["questions"] = _("Choose at least one question in the list.")
    if errors:
        raise InvalidInput(errors)
    return await for_each(actor, conference_id, question_ids,
                          lambda question: decide(actor, question["id"], "reject", form, now, base_url))


async def edit_public_text(actor: Actor, question_id: int, form: dict, now: dt.datetime) -> None:
    """The organisers' public summary and redacted text; the original stays as the asker wrote it."""
    question = await for_organiser(actor, question_id)
    summary = tidy(form.get("public_summary"))[:300]
    text = paragraphs(form.get("public_text"))[:4000]
    if text == question["body"]:
        text = ""
    diff = log.changes(question, {"public_summary": summary, "public_text": text})
    if not diff:
        return
    async with write_transaction():
        await Question.update({
            Question.public_summary: summary, Question.public_text: text, Question.updated_at: now,
        }).where(Question.id == question_id)
        await similarity.keep(question_id)
        await log.record(actor, "public_text_edited", "question", question_id, at=now, details=diff)


# --- Merging --------------------------------------------------------------------------------

async def _main_question(conference_id: int, main_raw: str, question_id: int | None = None) -> dict:
    """The main question others are joined with, by its id or tracking code: of this conference,
    not the question itself, and able to take others."""
    main_id = parse_id(main_raw)
    if main_id is None:
        code = normalise_code(main_raw)
        row = await Question.select(Question.id).where(Question.tracking_code == code).first() if code else None
        main_id = row["id"] if row else None
    main = await get_question(main_id) if main_id else None
    if main is None or main["conference"] != conference_id or main["id"] == question_id:
        raise InvalidInput({"main_question": _("Choose another question of the same conference.")})
    if not QUESTION.is_in("can_take_others", main["state"]):
        raise InvalidInput({"main_question": _(
            "That question cannot take others: it is itself merged, withdrawn or rejected.")})
    return main


async def merge(actor: Actor, question_id: int, main_raw: str, reason: str, now: dt.datetime, base_url: str) -> None:
    question = await for_organiser(actor, question_id)
    QUESTION.target_of(question["state"], "merge")
    main = await _main_question(question["conference"], main_raw, question["id"])
    await change(actor, question, "merge", now, base_url, updates={"merged_into": main["id"]},
                 reason=tidy(reason)[:2000] or _("It is the same matter as question %(code)s.",
                                                 code=display_code(main["tracking_code"])),
                 details={"merged_into": main["id"]})


async def merge_many(actor: Actor, conference_id: int, question_ids: list[int], main_raw: str, reason: str,
                     now: dt.datetime, base_url: str) -> tuple[dict, BulkResult]:
    """Join the chosen questions with one main question (chosen too, or not), each as if merged on
    its own. Returns the main question and what was done."""
    await conference_for_organiser(actor, conference_id)
    errors = {}
    try:
        main = await _main_question(conference_id, main_raw)
    except InvalidInput as error:
        errors, main = error.errors, None
    others = [question_id for question_id in question_ids if main is None or question_id != main["id"]]
    if not others:
        errors["questions"] = _("Choose at least one question in the list, besides the main one.")
    if errors or main is None:
        raise InvalidInput(errors)
    code = display_code(main["tracking_code"])
    return main, await for_each(actor, conference_id, others,
                                lambda question: merge(actor, question["id"], code, reason, now, base_url))


async def unmerge(actor: Actor, question_id: int, now: dt.datetime, base_url: str) -> None:
    """Undo a merge: the question returns to the state it had before it was merged."""
    question = await for_organiser(actor, question_id)
    QUESTION.target_of(question["state"], "unmerge")
    entry = await ActionLog.select(ActionLog.from_state).where(
        (ActionLog.object_type == "question") & (ActionLog.object_id == str(question_id))
        & (ActionLog.action == QUESTION.logged_as("merge"))).order_by(ActionLog.id, ascending=False).first()
    previous = entry["from_state"] if entry else Question.State.accepted.value
    await change(actor, question, "unmerge", now, base_url, updates={"merged_into": None}, target=previous,
                 reason=_("The question is handled on its own again."))
