"""Erasing an asker's personal data while keeping the public record.

Used by the three ways data goes: the asker withdraws consent to processing, the data-protection
officer carries out an erasure request, and the retention job. What goes: the name, contacts,
business name and tax code, the network address, the asker's copies of messages sent to them, the
words of their satisfaction ratings, of their own data requests and of their disputes, confirmation
links, and their original wording where the organisers published the question in their own words.
What stays: the question as the organisers published it, its answer, its commitments and their history
(Law 10/2022 Art. 12 makes the conference's results public), the ratings' scores, and the action
log (it never names the asker: a public actor is known by the tracking code).
"""

from __future__ import annotations

import datetime as dt

from dialogue.commitments.tables import CommitmentConfirmation
from dialogue.core.text import fold
from dialogue.core.vocabulary import N_, declare_action
from dialogue.machine import log
from dialogue.machine.actors import Actor
from dialogue.mail.outbox import ERASED
from dialogue.mail.tables import OutboxMessage
from dialogue.privacy.tables import DataRequest
from dialogue.questions import similarity
from dialogue.questions.intake import display_code
from dialogue.questions.tables import Follower, Question
from dialogue.ratings.tables import Rating

declare_action("personal_data_erased", N_("erased the asker's personal data"))


async def erase_personal_data(question: dict, *, actor: Actor, now: dt.datetime, reason: str) -> bool:
    """Erase the asker's personal data of this question (a row with its contact columns). Call inside
    the caller's write transaction. False, and nothing written, when it was already erased."""
    if question.get("personal_data_erased_at"):
        return False
    addresses = [address for address in (question["asker_email"], question["asker_phone"]) if address]
    # Where the organisers published the question in their own words (personal details taken out), the
    # asker's original words go and the published ones take their place: what stays is the public record.
    words = {}
    if question.get("public_summary") or question.get("public_text"):
        title = (question["public_summary"] or question["title"])[:150]
        body = question["public_text"] or question["body"]
        words = {Question.title: title, Question.body: body, Question.search_folded: fold(f"{title} {body}")}
    # updated_at stays: it is the public record's time of change (the API's), and that record is unchanged.
    await Question.update({
        Question.asker_name: "", Question.asker_email: "", Question.asker_phone: "",
        Question.organisation_name: "", Question.tax_code: "", Question.tax_code_unverified: False,
        Question.submitted_from: "", Question.notify_by: Question.NotifyBy.none.value,
        Question.personal_data_erased_at: now, **words,
    }).where(Question.id == question["id"])
    if words:
        await similarity.keep(question["id"])
    if addresses:
        await forget_messages(addresses, question["tracking_code"])
        # The asker who also followed their question by e-mail
        await Follower.delete().where((Follower.question == question["id"]) & Follower.email.is_in(addresses))
    await Rating.update({Rating.comment: ""}).where(Rating.question == question["id"])
    # the asker's own words in their earlier requests (what they objected to, why they asked for erasure)
    await DataRequest.update({DataRequest.details: ""}).where(DataRequest.question == question["id"])
    await CommitmentConfirmation.update({CommitmentConfirmation.expires_at: now}).where(
        (CommitmentConfirmation.question == question["id"]) & CommitmentConfirmation.used_at.is_null())
    # a dispute's words as typed (the public timeline keeps its copy with contacts removed)
    await CommitmentConfirmation.update({CommitmentConfirmation.reason: ""}).where(
        CommitmentConfirmation.question == question["id"])
    await log.record(actor, "personal_data_erased", "question", question["id"], at=now, reason=reason)
    return True


async def forget_messages(addresses: list[str], tracking_code: str) -> None:
    """Empty the copies of the messages sent to these addresses about this question (each names its
    tracking code), not those about the same person's other questions, which they have not asked to
    erase. Sent copies keep their kind, date and cost (the unit's counter), not the words or the
    address; messages still waiting are never sent. Call inside the caller's write transaction."""
    code = f"%{display_code(tracking_code)}%"
    mine = OutboxMessage.to_address.is_in(addresses) & (
        OutboxMessage.text_body.like(code) | OutboxMessage.payload.like(code))
    await OutboxMessage.update({
        OutboxMessage.skipped_reason: ERASED, OutboxMessage.claimed_until: None,
    }).where(mine & OutboxMessage.sent_at.is_null() & (OutboxMessage.skipped_reason == ""))
    await OutboxMessage.update({
        OutboxMessage.to_address: "", OutboxMessage.subject: "", OutboxMessage.text_body: "",
        OutboxMessage.html_body: "", OutboxMessage.headers: "{}", OutboxMessage.payload: "",
    }).where(mine)


async def skip_waiting(addresses: list[str], tracking_code: str, reason: str) -> None:
    """Never send the messages about this question still waiting for these addresses (the asker gave
    another contact): marked skipped with the reason, words kept. Inside the caller's transaction."""
    code = f"%{display_code(tracking_code)}%"
    await OutboxMessage.update({OutboxMessage.skipped_reason: reason, OutboxMessage.claimed_until: None}).where(
        OutboxMessage.to_address.is_in(addresses) & OutboxMessage.sent_at.is_null()
        & (OutboxMessage.skipped_reason == "")
        & (OutboxMessage.text_body.like(code) | OutboxMessage.payload.like(code)))
