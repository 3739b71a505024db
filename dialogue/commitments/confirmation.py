"""The asker's own word on a commitment reported done.

CONFIRMATION_DAYS calendar days after a report of "done" (calendar days: the asker's wait, not the
administration's), the reminder job e-mails the question's asker, once per report, a link that asks
whether the work was really done. The link needs no account:

- it carries the commitment's id and a random secret; only the SHA-256 of both is stored, so a copy
  of the database gives no usable link, and the stored hash is compared in constant time;
- it works once, and only until it expires (CONFIRMATION_LINK_DAYS), and only while the commitment
  is still reported done or verified, as the asker saw it (checked again inside the answer's
  transaction);
- opening it changes nothing (mail scanners open links): the answer is a POST, which checks the
  token again.

"Yes" is logged and shown on the public timeline, with no change of state. "No" is the machine's
`dispute` by the asker (a public actor, proved by the link): the work reopens, the asker's reason (with
contact details taken out) goes on the public timeline, and the conference's organisers are told.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from dialogue.accounts.tables import StaffUser
from dialogue.commitments.followup import commitment_mails
from dialogue.commitments.machine import COMMITMENT, CONFIRMED
from dialogue.commitments.tables import Commitment, CommitmentConfirmation
from dialogue.conferences.queries import get_conference
from dialogue.core.db import write_transaction
from dialogue.core.errors import Conflict, InvalidInput, NotFound
from dialogue.core.i18n import gettext as _
from dialogue.core.text import paragraphs, valid_id
from dialogue.machine import events, log
from dialogue.machine.actors import Actor, Role
from dialogue.machine.log import ActionLog
from dialogue.machine.transitions import transition
from dialogue.mail import outbox
from dialogue.questions.intake import chosen_contact, display_code, phone_notice, tracking_url
from dialogue.questions.screening import get_question
from dialogue.questions.tables import Question

MAX_REASON = 1000
SECRET_BYTES = 32
TOKEN = re.compile(r"^([1-9][0-9]{0,9})\.([A-Za-z0-9_-]{20,100})$")


class LinkGone(NotFound):
    """The link was good but is no more: used, expired, or the commitment has moved on (410)."""


def _hash(commitment_id: int, secret: str) -> str:
    return hashlib.sha256(f"{commitment_id}.{secret}".encode()).hexdigest()


def confirmation_url(base_url: str, token: str) -> str:
    return f"{base_url}/confirm/{token}"


# --- The request, sent by the reminder job ----------------------------------------------------------------------

async def send_requests(now: dt.datetime, base_url: str, days: int = 7, link_days: int = 30) -> int:
    """Ask the askers, once per report, whether the work reported done at least `days` calendar days
    ago was really done: only for reports of the last `days + link_days` days (older ones had their
    chance, or came before this feature: a first deployment must not mail every past asker at once).
    Inside the caller's transaction (the reminder job's): of two workers, only the one that inserts
    the request (its report is unique) queues the e-mail (or the SMS or Zalo message the asker chose).
    Returns how many."""
    newest, oldest = now - dt.timedelta(days=days), now - dt.timedelta(days=days + link_days)
    items = await Commitment.select(
        Commitment.all_columns(), Commitment.lead_agency.name.as_alias("lead_agency_name"),
        Commitment.question.asker_email.as_alias("asker_email"),
        Commitment.question.asker_phone.as_alias("asker_phone"), Commitment.question.notify_by.as_alias("notify_by"),
    ).where(Commitment.state.is_in(sorted(COMMITMENT.sets["confirmable"])) & Commitment.question.is_not_null()
            & (Commitment.question.notify_by != "none"))
    if not items:
        return 0
    reports = await ActionLog.select(ActionLog.id, ActionLog.object_id, ActionLog.at).where(
        (ActionLog.object_type == "commitment") & (ActionLog.action == COMMITMENT.logged_as("report_done"))
        & ActionLog.object_id.is_in([str(item["id"]) for item in items])).order_by(ActionLog.id)
    latest = {int(row["object_id"]): row for row in reports}  # the last report of each
    sent = 0
    for item in items:
        report = latest.get(item["id"])
        contact = chosen_contact(item)
        if report is None or not oldest <= report["at"] <= newest or contact is None:
            continue
        secret = secrets.token_urlsafe(SECRET_BYTES)
        claimed = await CommitmentConfirmation.insert(CommitmentConfirmation(
            report=report["id"], commitment=item["id"], question=item["question"],
            token_hash=_hash(item["id"], secret), created_at=now, expires_at=now + dt.timedelta(days=link_days),
        )).on_conflict(action="DO NOTHING").returning(CommitmentConfirmation.id)
        if not claimed:
            continue
        question = await get_question(item["question"])
        conference = await get_conference(question["conference"])
        token = f"{item['id']}.{secret}"
        subject = lambda code=display_code(question["tracking_code"]): _(  # noqa: E731
            "Was it really done? A commitment for your question %(code)s", code=code)
        if contact[0] != "email":
            await outbox.add(phone_notice(
                *contact, question["tracking_code"], template="commitment_confirm", language_code=question["language"],
                subject=subject, now=now, conference=conference, base_url=base_url,
                private_url=confirmation_url(base_url, token), commitment=item))
            sent += 1
            continue
        await outbox.enqueue(
            to=question["asker_email"], template="commitment_confirm", language_code=question["language"],
            subject=subject,
            kind="commitment_confirm", now=now, unit_id=conference["unit"], question=question,
            conference=conference, commitment=item, code=display_code(question["tracking_code"]),
            confirm_url=confirmation_url(base_url, token), no_url=confirmation_url(base_url, token) + "#no",
            tracking_url=tracking_url(base_url, question["tracking_code"]),
            expires_at=now + dt.timedelta(days=link_days))
        sent += 1
    return sent


# --- The link --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ConfirmationView:
    """What the confirmation page shows: what was promised, what the agency said it did. Nothing of the asker."""

    token: str
    commitment_id: int
    text: str
    lead_agency: str
    due_on: dt.date
    done_summary: str
    reported_on: dt.datetime
    question_code: str
    conference_title: str
    expires_at: dt.datetime


async def _find(token: str) -> tuple[dict, dict]:
    """The request and its commitment for a well-formed, known token; NotFound for anything else
    (a mangled or forged link, another commitment's secret), with nothing revealed."""
    match = TOKEN.match(token or "")
    if not match or not valid_id(int(match.group(1))):
        raise NotFound(_("This link does not work. Use the link in the e-mail exactly as it is."))
    commitment_id, secret = int(match.group(1)), match.group(2)
    expected = _hash(commitment_id, secret)
    found = None
    for row in await CommitmentConfirmation.select().where(CommitmentConfirmation.commitment == commitment_id):
        if hmac.compare_digest(row["token_hash"], expected):
            found = row
    if found is None:
        raise NotFound(_("This link does not work. Use the link in the e-mail exactly as it is."))
    commitment = await Commitment.select(
        Commitment.all_columns(), Commitment.lead_agency.name.as_alias("lead_agency_name"),
        Commitment.conference.title.as_alias("conference_title"),
    ).where(Commitment.id == commitment_id).first()
    if commitment is None or commitment["question"] != found["question"]:
        raise NotFound(_("This link does not work. Use the link in the e-mail exactly as it is."))
    return found, commitment


def _usable(request: dict, commitment: dict, now: dt.datetime) -> None:
    if request["used_at"] is not None:
        raise LinkGone(_("You have already answered through this link. Thank you."))
    if request["expires_at"] < now:
        raise LinkGone(_("This link has expired. The organisers can still be told through the conference's "
                         "contact details."))
    if not COMMITMENT.is_in("confirmable", commitment["state"]):
        raise LinkGone(_("This commitment has moved on since the e-mail was sent: see where it stands now on "
                         "the question's page."))


async def _checked(token: str, now: dt.datetime) -> tuple[dict, dict]:
    """The request and its commitment, if the link is genuine and may still be answered."""
    request, commitment = await _find(token)
    _usable(request, commitment, now)
    return request, commitment


async def _view(token: str, request: dict, commitment: dict) -> ConfirmationView:
    question = await Question.select(Question.tracking_code).where(Question.id == request["question"]).first()
    report = await ActionLog.select(ActionLog.at).where(ActionLog.id == request["report"]).first()
    return ConfirmationView(
        token=token, commitment_id=commitment["id"], text=commitment["text"],
        lead_agency=commitment["lead_agency_name"], due_on=commitment["due_on"],
        done_summary=commitment["done_summary"], reported_on=report["at"] if report else request["created_at"],
        question_code=display_code(question["tracking_code"]), conference_title=commitment["conference_title"],
        expires_at=request["expires_at"])


async def open_link(token: str, now: dt.datetime) -> ConfirmationView:
    """The page behind the link. Reading only: nothing changes until the asker answers."""
    return await _view(token, *await _checked(token, now))


async def _use(request: dict, answer: str, reason: str, now: dt.datetime) -> None:
    """Mark the link used (inside the answer's transaction): of two clicks, only one gets through."""
    used = await CommitmentConfirmation.update({
        CommitmentConfirmation.used_at: now, CommitmentConfirmation.answer: answer,
        CommitmentConfirmation.reason: reason,
    }).where((CommitmentConfirmation.id == request["id"]) & CommitmentConfirmation.used_at.is_null()) \
        .returning(CommitmentConfirmation.id)
    if not used:
        raise LinkGone(_("You have already answered through this link. Thank you."))


async def _still_as_seen(commitment: dict) -> None:
    """Inside the answer's transaction: the commitment is still confirmable and unchanged since the
    link was checked, or the link is gone. A no-op update, so that it also holds the row until commit."""
    held = await Commitment.update({Commitment.version: commitment["version"]}).where(
        (Commitment.id == commitment["id"]) & (Commitment.version == commitment["version"])
        & Commitment.state.is_in(sorted(COMMITMENT.sets["confirmable"]))).returning(Commitment.id)
    if not held:
        raise LinkGone(_("This commitment has moved on since the e-mail was sent: see where it stands now on "
                         "the question's page."))


async def confirm(token: str, now: dt.datetime) -> ConfirmationView:
    """"Yes, it was done": logged, on the public timeline; the commitment stays as it is."""
    request, commitment = await _checked(token, now)
    view = await _view(token, request, commitment)
    question = await Question.select(Question.tracking_code, Question.conference).where(
        Question.id == request["question"]).first()
    async with write_transaction():
        await _still_as_seen(commitment)
        await _use(request, CommitmentConfirmation.Answer.yes.value, "", now)
        await log.record(Actor.public(question["tracking_code"]), CONFIRMED, "commitment", commitment["id"], at=now,
                         details={"confirmation": request["id"]})
        await events.record(now, [f"commitment:{commitment['id']}", f"conference:{commitment['conference']}",
                                  f"question:{request['question']}"], CONFIRMED,
                            {"entity": "commitment", "id": commitment["id"]})
    return view


def without_contacts(text: str, question: dict) -> str:
    """The asker's words as the public timeline shows them, with what can be matched mechanically
    taken out: the asker's full name, e-mail address and phone number as given with the question,
    any e-mail address, and any run of 9 or more digits (with spaces, dots or dashes), which also
    takes out amounts such as "10.000.000 đồng". A given name alone, an address or a nickname stay:
    the form asks the asker not to write them, and this is only a safety net."""
    for known in (question.get("asker_name"), question.get("asker_email"), question.get("asker_phone")):
        if known and len(known) >= 3:
            text = re.sub(re.escape(known), "[…]", text, flags=re.IGNORECASE)
    text = re.sub(r"[\w.+-]+@[\w-]+(\.[\w-]+)+", "[…]", text)
    return re.sub(r"\+?\d[\d .-]{7,}\d", "[…]", text)


async def dispute(token: str, form: dict, now: dt.datetime, base_url: str) -> ConfirmationView:
    """"No, and here is why": the commitment is disputed by the asker and its work reopens; the
    organisers are told. An empty or too long reason changes nothing (InvalidInput, the text kept);
    nor does a commitment changed since the link was checked (the transition's own check inside the
    transaction): Conflict, so that the page is shown again with the reason kept, or LinkGone."""
    request, commitment = await _checked(token, now)
    view = await _view(token, request, commitment)
    reason = paragraphs(form.get("reason"))
    if not reason:
        raise InvalidInput({"reason": _("Say what is still not done.")})
    if len(reason) > MAX_REASON:
        raise InvalidInput({"reason": _("Use at most %(count)s characters.", count=MAX_REASON)})
    question = await get_question(request["question"])
    public_reason = without_contacts(reason, question)

    async def mails(current: dict):
        full = await Commitment.select(
            Commitment.all_columns(), Commitment.lead_agency.name.as_alias("lead_agency_name"),
        ).where(Commitment.id == current["id"]).first()
        current = {**full, **current}
        return [*await commitment_mails(current, "dispute", now, base_url, reason=public_reason),
                *await organiser_mails(current, question, public_reason, now, base_url)]

    try:
        async with write_transaction():
            await _use(request, CommitmentConfirmation.Answer.no.value, reason, now)
            await transition(
                COMMITMENT, Actor.public(question["tracking_code"]), commitment, "dispute", now=now, permission=None,
                updates={"updated_at": now, "version": commitment["version"] + 1, "outcome": None,
                         "closed_at": None},
                expect={"version": commitment["version"]}, reason=public_reason,
                details={"confirmation": request["id"], "by": "asker"}, mails=mails,
                channels=[f"conference:{commitment['conference']}", f"question:{request['question']}"])
    except Conflict:
        raise Conflict(_("This commitment changed while you were writing. Check where it stands above and send "
                         "your answer again if it still holds.")) from None
    return view


async def organiser_mails(commitment: dict, question: dict, reason: str, now: dt.datetime, base_url: str) -> list:
    """The conference's organisers, told that an asker disputes a report: one e-mail each."""
    conference = await get_conference(commitment["conference"])
    people = await StaffUser.select(StaffUser.email, StaffUser.language).where(
        (StaffUser.unit == conference["unit"]) & (StaffUser.role == Role.organiser.value) & (StaffUser.active == True))
    code = display_code(question["tracking_code"])
    return [outbox.prepare(
        to=person["email"], template="commitment_disputed", language_code=person["language"],
        subject=lambda: _("The asker of question %(code)s says a commitment is not done", code=code),
        kind="commitment_disputed", now=now, unit_id=conference["unit"], conference=conference,
        commitment=commitment, code=code, reason=reason,
        commitment_url=f"{base_url}/commitments/{commitment['id']}",
        list_url=f"{base_url}/organiser/conferences/{conference['id']}/commitments/?state="
                 f"{Commitment.State.disputed.value}") for person in people]
