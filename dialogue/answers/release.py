"""Publishing answers: one at its approval, or all the answers held for the session together, when
the session starts or when the organisers say so. Publishing is atomic and idempotent: the answer
and its question change state together, with the e-mails to the askers and followers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dialogue.answers.machine import ANSWER
from dialogue.answers.queries import answer_of, parts_of
from dialogue.answers.tables import Answer, AnswerPromise
from dialogue.commitments.commands import record
from dialogue.commitments.tables import Commitment
from dialogue.conferences import commands as conference_commands
from dialogue.conferences.machine import CONFERENCE
from dialogue.conferences.queries import accepting_questions, get_conference
from dialogue.conferences.tables import Conference
from dialogue.core.clock import as_utc
from dialogue.core.db import write_transaction
from dialogue.core.i18n import format_moment, ngettext
from dialogue.core.i18n import gettext as _
from dialogue.core.vocabulary import word
from dialogue.machine.actors import Actor, ObjectScope, require
from dialogue.machine.transitions import transition
from dialogue.questions.intake import display_code
from dialogue.questions.machine import QUESTION
from dialogue.questions.screening import get_question
from dialogue.questions.tracking import update_mails
from dialogue.reference.units import scope_of_unit


async def publish(actor: Actor, question: dict, answer: dict, now: dt.datetime, base_url: str) -> None:
    """Publish one approved answer and mark its question answered (inside the caller's transaction,
    whose permission check covered the actor: the approving head, or the organisers)."""
    scope = ObjectScope(unit_path=(await scope_of_unit(question["conference_unit"])).unit_path,
                        agency_ids=frozenset({answer["agency"]}))
    permission = "approve" if actor.agency_id is not None else "organise"
    async with write_transaction():
        await transition(ANSWER, actor, answer, "publish", now=now, permission=permission, scope=scope,
                         updates={"published_at": now}, log_object=("question", question["id"]))
        await _promises_to_commitments(actor, question, answer, now, permission, scope)

        async def mails(current: dict):
            subject = lambda: _("Your question %(code)s has been answered",  # noqa: E731
                                code=display_code(question["tracking_code"]))
            return await update_mails(current, "answer_published", subject, now, base_url,
                                      answer=await answer_of(question["id"]), parts=await parts_of(question["id"]))

        if QUESTION.allows(question["state"], "answer"):  # not if it was merged or withdrawn meanwhile
            await transition(QUESTION, actor, question, "answer", now=now, permission=permission, scope=scope,
                             updates={"updated_at": now}, mails=mails,
                             channels=[f"conference:{question['conference']}"])


async def _promises_to_commitments(actor: Actor, question: dict, answer: dict, now: dt.datetime, permission: str,
                                   scope: ObjectScope) -> None:
    """Each "we will …" of the answer becomes a commitment of the answering agency, followed up like
    any other (inside the publication's transaction: both happen, or neither)."""
    conference = await get_conference(question["conference"])
    for promise in await AnswerPromise.select().where(
            (AnswerPromise.question == question["id"]) & AnswerPromise.commitment.is_null()).order_by(AnswerPromise.id):
        commitment_id = await record(actor, conference, question["id"], {
            "commitment_text": promise["text"], "lead_agency": str(answer["agency"]),
            "due_on": promise["due_on"].strftime("%d/%m/%Y"), "expected_output": promise["expected_output"],
        }, now, origin=Commitment.Origin.answer.value, permission=permission, scope=scope, past_ok=True)
        await AnswerPromise.update({AnswerPromise.commitment: commitment_id}).where(AnswerPromise.id == promise["id"])


async def release(actor: Actor, conference_id: int, now: dt.datetime, base_url: str) -> int:
    """"Publish the approved answers now": every held answer of the conference, together."""
    conference = await get_conference(conference_id)
    require(actor, "organise", await scope_of_unit(conference["unit"]))
    async with write_transaction():
        return await _release_held(actor, conference_id, now, base_url)


async def _release_held(actor: Actor, conference_id: int, now: dt.datetime, base_url: str) -> int:
    """Publish every approved answer of the conference (inside the caller's transaction). A second
    release finds nothing left to publish."""
    held = await Answer.select(Answer.question).where(
        (Answer.state == Answer.State.approved.value) & (Answer.question.conference == conference_id))
    published = 0
    for row in held:
        question = await get_question(row["question"])
        answer = await answer_of(row["question"])
        if answer and ANSWER.allows(answer["state"], "publish"):
            await publish(actor, question, answer, now, base_url)
            published += 1
    return published


@dataclass(frozen=True)
class StepPreview:
    """What a step of the conference's life will do, for the page that asks to confirm it."""

    effects: list[str]
    warnings: list[str]  # before its planned time, and what that means


async def held_answers(conference_id: int) -> int:
    """Approved answers waiting to be published (with the session, for a conference that holds them)."""
    return await Answer.count().where(
        (Answer.state == Answer.State.approved.value) & (Answer.question.conference == conference_id))


async def step_preview(conference: dict, action: str, now: dt.datetime) -> StepPreview:
    effects = [word("conference_step_effect", action)]
    warnings = []
    if action == "start" and conference["release_policy"] == Conference.ReleasePolicy.at_session.value:
        held = await held_answers(conference["id"])
        effects.append(ngettext(
            "The approved answer held for the session will be published now, and its asker and "
            "followers told by e-mail.",
            "The %(num)s approved answers held for the session will be published now, and their askers and "
            "followers told by e-mail.", held) if held else _("No approved answer is waiting to be published."))
    target = CONFERENCE.actions[action].target
    back = [name for name, step in CONFERENCE.actions.items()
            if step.target == conference["state"] and CONFERENCE.allows(target, name)]
    effects.append(_("You can go back later with “%(action)s”.", action=word("conference_action", back[0]))
                   if back else _("This step cannot be undone."))
    planned = {"close": conference["questions_close_at"], "start": conference["starts_at"],
               "conclude": conference["ends_at"]}.get(action)
    if planned is not None and now < as_utc(planned):
        when = format_moment(planned)
        warnings.append({
            "close": _("This is before the planned time: questions were to close at %(moment)s.", moment=when),
            "start": _("This is before the planned time: the session was to start at %(moment)s.", moment=when),
            "conclude": _("This is before the planned time: the conference was to end at %(moment)s.", moment=when),
        }[action])
    closes = conference["questions_close_at"]
    if action == "start" and accepting_questions(conference, now):
        warnings.append(_("Residents can still ask until %(moment)s: starting the session stops questions now.",
                          moment=format_moment(closes)))
    return StepPreview(effects, warnings)


async def change_conference_state(actor: Actor, conference_id: int, action: str, now: dt.datetime,
                                  reason: str = "", base_url: str = "",
                                  also: conference_commands.Writes | None = None) -> str:
    """A step of the conference's life cycle. Starting the session of a conference that holds its
    answers for the session publishes them in the same transaction: both happen, or neither. `also`
    are a higher domain's writes in the same transaction (the session's start time: see
    agenda.commands.change_conference_state)."""
    conference = await get_conference(conference_id)
    releases = action == "start" and conference["release_policy"] == Conference.ReleasePolicy.at_session.value

    async def writes(current: dict) -> None:
        if releases:
            await _release_held(actor, conference_id, now, base_url)
        if also is not None:
            await also(current)

    return await conference_commands.change_state(actor, conference_id, action, now, reason,
                                                  also=writes if releases or also is not None else None)
