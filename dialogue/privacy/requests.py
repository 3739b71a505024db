"""Personal-data requests (Law 91/2025/QH15, Decree 356/2025/NĐ-CP) from the asker's manage link,
and the data-protection officer's handling of those a person must decide.

Every request is recorded with its legal deadlines and acknowledged the moment it is made (the page
says so; an asker with an e-mail address also gets it in writing). What the system can do itself it
does at once, in the same transaction as the request: the asker's data page and its download, a
correction of the contact details, the end of public display (the question leaves every public page,
the API and the feeds, which all read the consent as they answer), and the withdrawal of consent to
processing (the contact details are erased; the question goes on without them, or is withdrawn, as
the asker chooses). Erasure and objections go to the unit's data-protection officer, who carries
them out, extends the deadline once, or refuses with a reason.
"""

from __future__ import annotations

import datetime as dt

from dialogue.conferences.queries import get_conference
from dialogue.core.calendar import local_today
from dialogue.core.db import write_transaction
from dialogue.core.errors import Conflict, InvalidInput, NotFound
from dialogue.core.i18n import gettext as _
from dialogue.core.text import parse_id, tidy
from dialogue.core.vocabulary import N_, declare_action
from dialogue.machine import events, log
from dialogue.machine.actors import Actor, ObjectScope, may
from dialogue.machine.transitions import transition
from dialogue.mail import outbox
from dialogue.mail.tables import OutboxMessage
from dialogue.privacy import rules
from dialogue.privacy.access import views_of
from dialogue.privacy.erasure import erase_personal_data, skip_waiting
from dialogue.privacy.machine import REQUEST
from dialogue.privacy.tables import DataRequest
from dialogue.questions import similarity, tracking
from dialogue.questions.intake import (
    NOTIFY_CHOICES,
    PHONE_CHANNELS,
    chosen_contact,
    contact_values,
    display_code,
    manage_url,
    phone_notice,
    signed_manage_token,
)
from dialogue.questions.machine import QUESTION
from dialogue.questions.queries import PERSONAL_DATA_VIEWED
from dialogue.questions.tables import Question
from dialogue.ratings.tables import Rating
from dialogue.reference.calendar import working_calendar
from dialogue.reference.units import scope_of_unit, units_seen_by

K = DataRequest.Kind
CORRECTED, HIDDEN = "personal_data_corrected", "public_consent_withdrawn"
declare_action(CORRECTED, N_("corrected their contact details"))
declare_action(HIDDEN, N_("withdrew consent to the public display of the question"))
MAX_DETAILS = 2000


# --- Deadlines ---------------------------------------------------------------------------------------------


async def deadlines(received: dt.datetime, processor_involved: bool) -> tuple[dt.date, dt.date]:
    """(acknowledge by, carry out by), in working days from the day of receipt."""
    calendar = await working_calendar()
    days = rules.DUE_DAYS_WITH_PROCESSOR if processor_involved else rules.DUE_DAYS
    return calendar.add_working_days(received, rules.ACKNOWLEDGE_DAYS), calendar.add_working_days(received, days)


def due_on(request: dict) -> dt.date:
    return request["extended_due_on"] or request["due_on"]


async def with_due(rows: list[dict], now: dt.datetime) -> list[dict]:
    """Each request with {"on", "left", "overdue"} while it is open (the due-date partial reads it)."""
    calendar, today = await working_calendar(), local_today(now)
    for row in rows:
        due = due_on(row)
        row["is_open"] = REQUEST.is_in("open", row["state"])
        row["due"] = {"on": due, "left": calendar.working_days_left(today, due), "overdue": today > due} \
            if row["is_open"] else None
        row["can"] = REQUEST.allowed(row["state"])
        row["erases"] = row["kind"] == K.erasure.value  # carrying it out erases the asker's data
    return rows


# --- What the asker sees and downloads ---------------------------------------------------------------------


async def requests_of(question_id: int, now: dt.datetime) -> list[dict]:
    rows = await DataRequest.select().where(DataRequest.question == question_id).order_by(DataRequest.id)
    return await with_due(rows, now)


async def _messages_to(question: dict) -> list[dict]:
    """The messages sent (or waiting) to the asker about this question: when, how, what about."""
    addresses = [a for a in (question["asker_email"], question["asker_phone"]) if a]
    if not addresses:
        return []
    code = f"%{display_code(question['tracking_code'])}%"
    return await OutboxMessage.select(
        OutboxMessage.created_at, OutboxMessage.channel, OutboxMessage.kind, OutboxMessage.to_address,
        OutboxMessage.subject, OutboxMessage.sent_at, OutboxMessage.skipped_reason,
    ).where(OutboxMessage.to_address.is_in(addresses)
            & (OutboxMessage.text_body.like(code) | OutboxMessage.payload.like(code))).order_by(OutboxMessage.id)


async def personal_data(question: dict, now: dt.datetime) -> dict:
    """Everything held about the asker of this question, as plain values (the page and the JSON file)."""
    conference = await get_conference(question["conference"])
    ratings = await Rating.select(
        Rating.created_at, Rating.subject, Rating.information, Rating.procedure, Rating.attitude, Rating.result,
        Rating.feedback, Rating.overall, Rating.comment,
    ).where(Rating.question == question["id"]).order_by(Rating.id)
    return {
        "generated_at": now,
        "controller": _("People's Committee of %(unit)s", unit=conference["unit_name"]),
        "question": {
            "tracking_code": display_code(question["tracking_code"]),
            "conference": question["conference_title"],
            "sent_at": question["created_at"],
            "asker_kind": question["asker_kind"],
            "full_name": question["asker_name"],
            "email": question["asker_email"],
            "phone": question["asker_phone"],
            "organisation_name": question["organisation_name"],
            "tax_code": question["tax_code"],
            "network_address": question["submitted_from"],
            "area": question["unit_name"],
            "topic": question["topic_vi"],
            "title": question["title"],
            "text": question["body"],
            "published_heading": question["public_summary"],
            "published_text": question["public_text"],
            "answer_wanted": question["answer_mode"],
            "news_by": question["notify_by"],
            "language": question["language"],
            "state": question["state"],
            "may_be_shown_publicly": bool(question["public_consent"]),
            "consent_to_processing_at": question["data_consent_at"],
            "personal_data_erased_at": question["personal_data_erased_at"],
        },
        "messages": await _messages_to(question),
        "ratings": ratings,
        "staff_access": await views_of(question["id"]),
        "requests": [{key: row[key] for key in (
            "kind", "state", "details", "received_at", "acknowledged_at", "acknowledge_due_on", "due_on",
            "extended_due_on", "completed_at", "outcome")} for row in await requests_of(question["id"], now)],
    }


# --- Requests the asker makes ------------------------------------------------------------------------------


async def _processor_involved(question: dict) -> bool:
    """The asker's phone number went to the SMS or Zalo provider (a processor): the longer deadline."""
    if question["notify_by"] in PHONE_CHANNELS:
        return True
    if not question["asker_phone"]:
        return False
    return await OutboxMessage.exists().where(
        OutboxMessage.channel.is_in(list(PHONE_CHANNELS)) & (OutboxMessage.to_address == question["asker_phone"]))


async def _record(question: dict, kind: str, now: dt.datetime, *, details: str = "", outcome: str = "",
                  processor_involved: bool = False, done: bool = False) -> dict:
    """The request row, acknowledged now, and its log entries; inside the caller's transaction."""
    acknowledge_by, due = await deadlines(now, processor_involved)
    conference = await get_conference(question["conference"])
    state = DataRequest.State.done.value if done else DataRequest.State.received.value
    row = DataRequest(
        question=question["id"], unit=conference["unit"], kind=kind, state=state, details=details,
        language=question["language"], processor_involved=processor_involved, received_at=now, acknowledged_at=now,
        acknowledge_due_on=acknowledge_by, due_on=due, completed_at=now if done else None, outcome=outcome)
    await row.save()
    asker = Actor.public(question["tracking_code"])
    await log.record(asker, "data_request_received", "data_request", row.id, at=now, to_state="received",
                     details={"kind": kind, "question": question["id"]})
    if done:
        await log.record(asker, REQUEST.logged_as("complete"), "data_request", row.id, at=now,
                         from_state="received", to_state=state)
    return {**row.to_dict(), "id": row.id}


async def record_access(question: dict, now: dt.datetime) -> None:
    """The asker downloaded their data: an access request, done the moment it was made. Downloads
    within a day are one request (a second tap, a retry), not a row each in the officer's list."""
    async with write_transaction():
        if await DataRequest.exists().where(
                (DataRequest.question == question["id"]) & (DataRequest.kind == K.access.value)
                & (DataRequest.received_at > now - dt.timedelta(days=1))):
            return
        await _record(question, K.access.value, now, done=True,
                      outcome=_("The data was given to the asker as a file."))


async def correct_contacts(question: dict, form: dict, now: dt.datetime,
                           channels: tuple[str, ...] = NOTIFY_CHOICES) -> dict:
    """The asker corrects their name, e-mail address, phone number and the way they hear from us
    (one of `channels`, intake.offered_channels). Carried out at once; the log names the fields that
    changed, never their values."""
    if question["personal_data_erased_at"]:
        raise Conflict(_("Your personal data has been erased: there is nothing left to correct."))
    # no choice sent (a hand-made post, a form from before): the asker's channel stays as it was
    values, errors = contact_values({**form, "notify_by": form.get("notify_by") or question["notify_by"]}, channels)
    if errors:
        raise InvalidInput(errors)
    changed = sorted(key for key, value in values.items() if question[key] != value)
    if not changed:
        return question
    async with write_transaction():
        # updated_at stays: it dates the public record (the API's), which contacts are no part of
        await Question.update({getattr(Question, key): values[key] for key in changed}).where(
            Question.id == question["id"])
        await _record(question, K.correction.value, now, done=True, details=", ".join(changed),
                      outcome=_("The contact details were corrected."))
        await log.record(Actor.public(question["tracking_code"]), CORRECTED, "question",
                         question["id"], at=now, details={"fields": changed})
        # what still waits for the old contact goes nowhere: later news takes the new one
        old = [question[key] for key in ("asker_email", "asker_phone") if key in changed and question[key]]
        if old:
            await skip_waiting(old, question["tracking_code"], outbox.CONTACT_CHANGED)
    return {**question, **values}


async def withdraw_public(question: dict, now: dt.datetime) -> None:
    """The asker withdraws consent to public display: from this moment no public page, API record,
    feed or file shows the question's words (they all read the consent when they answer); the hall
    screen and live pages are told to refresh."""
    if not question["public_consent"]:
        return
    async with write_transaction():
        await Question.update({Question.public_consent: False, Question.updated_at: now}).where(
            Question.id == question["id"])
        await similarity.keep(question["id"])  # no longer offered as a similar question on the public form
        await _record(question, K.withdraw_public.value, now, done=True,
                      outcome=_("The question is no longer shown publicly."))
        await log.record(Actor.public(question["tracking_code"]), HIDDEN, "question", question["id"], at=now)
        await events.record(now, [f"conference:{question['conference']}", f"question:{question['id']}"],
                            "public_consent_withdrawn", {"entity": "question", "id": question["id"]})


WITHDRAW_CHOICES = ("continue", "withdraw")


async def withdraw_processing(question: dict, choice: str, now: dt.datetime, base_url: str) -> None:
    """The asker withdraws consent to processing: their name and contacts are erased now. The
    question goes on without them ("continue": it is still answered, on its public page), or is
    withdrawn ("withdraw", while it still can be). When a provider also holds their phone number, the
    request stays open for the data-protection officer to have the provider's copy erased."""
    if choice not in WITHDRAW_CHOICES:
        raise InvalidInput({"choice": _("Choose what happens to your question.")})
    if question["personal_data_erased_at"]:
        raise Conflict(_("Your personal data has already been erased."))
    if choice == "withdraw" and not QUESTION.allows(question["state"], "withdraw"):
        raise InvalidInput({"choice": _("Your question can no longer be withdrawn: its answer is published. "
                                        "Choose to let it go on without your details.")})
    processor = await _processor_involved(question)
    asker = Actor.public(question["tracking_code"])
    async with write_transaction():
        if choice == "withdraw":
            # its followers and the askers of questions merged into it are told, as for any withdrawal (the
            # asker's own message is never sent: the erasure below stops it)
            subject = lambda: _("Your question has been withdrawn: %(code)s",  # noqa: E731
                                code=display_code(question["tracking_code"]))
            question = await transition(
                QUESTION, asker, question, "withdraw", now=now, permission=None,
                channels=[f"conference:{question['conference']}"],
                mails=lambda current: tracking.update_mails(current, "question_withdrawn", subject, now, base_url,
                                                            reason=""))
        await erase_personal_data(question, actor=asker, now=now,
                                  reason="consent to processing withdrawn")
        outcome = _("Your name and contact details are erased.") if not processor else _(
            "Your name and contact details are erased here; the message provider will be asked to erase "
            "its copy of your phone number.")
        await _record(question, K.withdraw_processing.value, now, details=choice, outcome=outcome,
                      processor_involved=processor, done=not processor)


ASKED_KINDS = (K.erasure.value, K.objection.value)


def _words(value, field: str) -> str:
    """A free-text field, tidied; too long is a polite error on `field` that keeps the text (never cut)."""
    text = tidy(value)
    if len(text) > MAX_DETAILS:
        raise InvalidInput({field: _("Use at most %(count)s characters (you wrote %(written)s).",
                                     count=MAX_DETAILS, written=len(text))})
    return text


async def ask(question: dict, kind: str, details: str, now: dt.datetime, base_url: str) -> dict:
    """An erasure request or an objection (restriction) for the data-protection officer, acknowledged at
    once (in writing too, to an asker with an e-mail address)."""
    if kind not in ASKED_KINDS:
        raise NotFound(_("This page does not exist."))
    details = _words(details, f"{kind}-details")
    if kind == K.objection.value and not details:
        raise InvalidInput({f"{kind}-details": _("Say which processing you object to, or want restricted, and why.")})
    if kind == K.erasure.value and question["personal_data_erased_at"]:
        raise Conflict(_("Your personal data has already been erased."))
    open_same = await DataRequest.exists().where(
        (DataRequest.question == question["id"]) & (DataRequest.kind == kind)
        & DataRequest.state.is_in(sorted(REQUEST.sets["open"])))
    if open_same:
        raise Conflict(_("You have already made this request; it is being handled. Its deadline is shown below."))
    async with write_transaction():
        request = await _record(question, kind, now, details=details,
                                processor_involved=await _processor_involved(question))
        await outbox.add(*await _asker_mails(question, request, "data_request_received", now, base_url))
    return request


async def _asker_mails(question: dict, request: dict, event: str, now: dt.datetime, base_url: str) -> list:
    """The written acknowledgement, extension, refusal or completion of a request, on the channel the
    asker chose (e-mail, SMS or Zalo), in their language. Not once their data is erased: the manage
    page says it, and no copy of the address stays."""
    contact = chosen_contact(question)
    if contact is None or (event == "data_request_complete" and request["kind"] == K.erasure.value):
        return []
    channel, address = contact
    conference = await get_conference(question["conference"])
    code = question["tracking_code"]
    subjects = {
        "data_request_received": lambda: _("We have received your personal-data request (%(code)s)",
                                           code=display_code(code)),
        "data_request_extend": lambda: _("The deadline of your personal-data request is extended (%(code)s)",
                                         code=display_code(code)),
        "data_request_refuse": lambda: _("Your personal-data request was refused (%(code)s)", code=display_code(code)),
        "data_request_complete": lambda: _("Your personal-data request is done (%(code)s)", code=display_code(code)),
    }
    context = {"event": event, "request": request, "due": due_on(request)}
    private_url = manage_url(base_url, code, signed_manage_token(code)) + "/data"
    if channel != "email":
        return [phone_notice(channel, address, code, template="data_request", language_code=question["language"],
                             subject=subjects[event], now=now, conference=conference, base_url=base_url,
                             private_url=private_url, **context)]
    return [outbox.prepare(
        to=address, template="data_request", language_code=question["language"], subject=subjects[event],
        kind=event, now=now, unit_id=conference["unit"], conference=conference, code=display_code(code),
        private_url=private_url, **context,
    )]


# --- The data-protection officer's queue -------------------------------------------------------------------


async def queue(actor: Actor, now: dt.datetime, show: str = "open") -> list[dict]:
    """The requests of the units the officer serves (all for an admin), the open ones soonest due
    first; or the closed ones, newest first."""
    units = await units_seen_by(actor)
    if not may(actor, "handle_data_requests", await scope_of_unit(actor.unit_id)) and units is not None:
        return []
    query = DataRequest.select(
        DataRequest.all_columns(), DataRequest.question.tracking_code.as_alias("tracking_code"),
        DataRequest.unit.name.as_alias("unit_name"),
    )
    if units is not None:
        query = query.where(DataRequest.unit.is_in(units or [0]))
    open_states = sorted(REQUEST.sets["open"])
    if show == "open":
        rows = await query.where(DataRequest.state.is_in(open_states)).order_by(DataRequest.id)
        rows = await with_due(rows, now)
        rows.sort(key=lambda row: (due_on(row), row["id"]))
    else:
        rows = await with_due(await query.where(DataRequest.state.not_in(open_states))
                              .order_by(DataRequest.id, ascending=False).limit(200), now)
    for row in rows:
        row["code"] = display_code(row["tracking_code"])
    return rows


async def request_for(actor: Actor, request_id: int | str | None, now: dt.datetime) -> tuple[dict, dict]:
    """A request and its question with the asker's details, for an officer of its unit (anyone else:
    not found). Opening it is a read of personal data: it is logged."""
    row, _scope = await _handled_by(actor, request_id)
    question = await tracking.get_by_id(row["question"])
    async with write_transaction():
        await log.record(actor, PERSONAL_DATA_VIEWED, "question", question["id"], at=now,
                         details={"where": "data_request"})
    return (await with_due([row], now))[0], question


async def _handled_by(actor: Actor, request_id: int | str | None) -> tuple[dict, ObjectScope]:
    """The request and its scope, if this actor handles its unit's requests; otherwise not found (as the
    page answers: no one learns which requests exist elsewhere)."""
    row = await DataRequest.select().where(DataRequest.id == (parse_id(str(request_id or "")) or 0)).first()
    scope = await scope_of_unit(row["unit"]) if row else None
    if row is None or not may(actor, "handle_data_requests", scope):
        raise NotFound(_("This request does not exist."))
    return row, scope


async def _act(actor: Actor, request_id: int | str | None, action: str, reason: str, now: dt.datetime,
               base_url: str, updates: dict, also=None) -> dict:
    row, scope = await _handled_by(actor, request_id)
    question = await tracking.get_by_id(row["question"])
    # The officer's words stay on the request (outcome), which erasure can clear; the append-only log
    # keeps only what was done.
    return await transition(
        REQUEST, actor, row, action, now=now, permission="handle_data_requests", scope=scope,
        updates=updates, also=(lambda current: also(question)) if also else None,
        mails=lambda current: _asker_mails(question, current, f"data_request_{action}", now, base_url),
        channels=[f"question:{question['id']}"])


async def extend(actor: Actor, request_id, reason: str, now: dt.datetime, base_url: str) -> dict:
    """Once, by 15 working days, saying why (the asker is told)."""
    reason = _words(reason, "reason")
    if not reason:
        raise InvalidInput({"reason": _("Say why more time is needed: the asker is told.")})
    row, _scope = await _handled_by(actor, request_id)
    calendar = await working_calendar()
    later = calendar.add_working_days(row["due_on"], rules.EXTENSION_DAYS)
    return await _act(actor, request_id, "extend", reason, now, base_url,
                      {"extended_due_on": later, "outcome": reason})


async def complete(actor: Actor, request_id, outcome: str, now: dt.datetime, base_url: str) -> dict:
    """Carry the request out. An erasure erases the asker's personal data and ends public display
    (the public record of the answer and commitments stays, as the law on grassroots democracy wants)."""
    outcome = _words(outcome, "outcome")
    row, _scope = await _handled_by(actor, request_id)
    if not outcome:
        raise InvalidInput({"outcome": _("Say what was done: the asker can read it on their page.")})

    async def erase(question: dict) -> None:
        if not question["personal_data_erased_at"]:
            await erase_personal_data(question, actor=actor, now=now, reason="erasure request")
        if question["public_consent"]:
            await Question.update({Question.public_consent: False, Question.updated_at: now}).where(
                Question.id == question["id"])
            await similarity.keep(question["id"])

    erasing = row["kind"] == K.erasure.value
    return await _act(actor, request_id, "complete", outcome, now, base_url,
                      {"outcome": outcome, "completed_at": now, "handled_by": actor.staff_id},
                      also=erase if erasing else None)


async def refuse(actor: Actor, request_id, reason: str, now: dt.datetime, base_url: str) -> dict:
    reason = _words(reason, "reason")
    if not reason:
        raise InvalidInput({"reason": _("Give the reason, and the law it rests on: the asker is told.")})
    return await _act(actor, request_id, "refuse", reason, now, base_url,
                      {"outcome": reason, "completed_at": now, "handled_by": actor.staff_id})

