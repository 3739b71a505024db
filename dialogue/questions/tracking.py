"""The asker's side after submission: the public tracking view, the secret manage link, withdrawal,
following a question by e-mail, and the e-mails every change of a question sends to those concerned."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from dialogue.conferences.queries import get_conference
from dialogue.core import validation
from dialogue.core.db import Prepared, write_transaction
from dialogue.core.errors import Conflict, InvalidInput, NotFound
from dialogue.core.i18n import gettext as _
from dialogue.core.text import safe_token, tidy
from dialogue.core.vocabulary import is_public_action, shows_reason_publicly
from dialogue.machine.actors import Actor
from dialogue.machine.log import ActionLog
from dialogue.machine.transitions import transition
from dialogue.mail import outbox
from dialogue.mail.tables import OutboxMessage
from dialogue.questions.intake import (
    CODE_LENGTH,
    chosen_contact,
    contacts_of,
    display_code,
    is_manage_token,
    manage_url,
    normalise_code,
    phone_notice,
    signed_manage_token,
    tracking_url,
)
from dialogue.questions.machine import QUESTION
from dialogue.questions.tables import Follower, Question

# --- The public view and the asker's own --------------------------------------------------------------------

# Every view of a tracking page reads these two: built once.
BY_CODE_COLUMNS = (
    Question.all_columns(),
    Question.topic.name_vi.as_alias("topic_vi"), Question.topic.name_en.as_alias("topic_en"),
    Question.unit.name.as_alias("unit_name"), Question.conference.title.as_alias("conference_title"),
)
BY_CODE = Prepared(Question, lambda code: Question.select(*BY_CODE_COLUMNS).where(Question.tracking_code == code))
TIMELINE = Prepared(ActionLog, lambda question: ActionLog.select(
    ActionLog.at, ActionLog.action, ActionLog.to_state, ActionLog.reason,
).where((ActionLog.object_type == "question") & (ActionLog.object_id == question)).order_by(ActionLog.id))


async def get_by_id(question_id: int) -> dict:
    """The question as the tracking pages read it, by its id (for staff services that found it otherwise)."""
    row = await Question.select(*BY_CODE_COLUMNS).where(Question.id == question_id).first()
    if row is None:
        raise NotFound(_("There is no such question."))
    return row


async def get_by_code(raw_code: str) -> dict:
    code = normalise_code(raw_code)
    row = await BY_CODE.first(code) if len(code) == CODE_LENGTH else None
    if row is None:
        raise NotFound(_("No question has this tracking code. Check the code in the confirmation we sent you or on the "
                         "page shown when you asked."))
    return row


@dataclass(frozen=True)
class PublicQuestion:
    """A question as anyone with its tracking code sees it. It cannot carry who asked or how to
    reach them, and it carries the title and text only while the question is public (accepted, and
    the asker agreed): a page or an API given this cannot show more by mistake."""

    id: int
    code: str  # XXXX-XXXX-XXXXX
    conference: int
    conference_title: str
    state: str
    topic_vi: str
    topic_en: str
    unit_name: str
    asker_kind: str
    created_at: dt.datetime
    is_public: bool
    heading: str  # the organisers' summary, or the title; "" while not public
    text: str  # the published (redacted) text, or the original; "" while not public
    answer_source: int  # whose answer to show: the main question's, for one merged into it
    screening_due_on: dt.date | None
    in_screening: bool  # waiting for the organisers' decision, due on screening_due_on


def public_view(question: dict) -> PublicQuestion:
    public = is_public(question)
    return PublicQuestion(
        id=question["id"], code=display_code(question["tracking_code"]), conference=question["conference"],
        conference_title=question["conference_title"], state=question["state"], topic_vi=question["topic_vi"],
        topic_en=question["topic_en"], unit_name=question["unit_name"], asker_kind=question["asker_kind"],
        created_at=question["created_at"], is_public=public,
        heading=(question["public_summary"] or question["title"]) if public else "",
        text=(question["public_text"] or question["body"]) if public else "",
        answer_source=question["merged_into"] or question["id"], screening_due_on=question["screening_due_on"],
        in_screening=QUESTION.is_in("screening", question["state"]),
    )


async def public_question(raw_code: str) -> PublicQuestion:
    """The public tracking view of the question with this code."""
    return public_view(await get_by_code(raw_code))


def is_public(question: dict) -> bool:
    """Shown to the public: accepted (and not since withdrawn, rejected…) and the asker agreed."""
    return QUESTION.is_in("public", question["state"]) and bool(question["public_consent"])


async def timeline(question_id: int) -> list[dict]:
    """The question's public timeline: what happened and when, never who among the staff. Which
    entries and reasons the public sees is declared with each action (questions/machine.py)."""
    rows = await TIMELINE.rows(str(question_id))
    return [{**row, "reason": row["reason"] if shows_reason_publicly(row["action"]) else ""}
            for row in rows if is_public_action(row["action"])]


async def get_for_asker(raw_code: str, token: str) -> dict:
    """The question, if the manage token is its own; otherwise not found (nothing is revealed)."""
    question = await get_by_code(raw_code)
    if not is_manage_token(question["tracking_code"], token, question["manage_token_hash"]):
        raise NotFound(_("This link does not open any question. Check that it was copied whole, from the "
                         "confirmation we sent you or the page shown when you asked."))
    return question


async def withdraw(raw_code: str, token: str, reason: str, now: dt.datetime, base_url: str) -> dict:
    """The asker withdraws their question (the manage link proves who they are)."""
    question = await get_for_asker(raw_code, token)
    if not QUESTION.allows(question["state"], "withdraw"):
        raise Conflict(_("This question can no longer be withdrawn."))
    reason = tidy(reason)[:500]
    subject = lambda: _("Your question has been withdrawn: %(code)s", code=display_code(question["tracking_code"]))  # noqa: E731
    return await transition(
        QUESTION, Actor.public(question["tracking_code"]), question, "withdraw", now=now, permission=None,
        reason=reason, channels=[f"conference:{question['conference']}"],
        mails=lambda current: update_mails(current, "question_withdrawn", subject, now, base_url,
                                                          reason=reason))


async def update_mails(question: dict, template: str, subject, now: dt.datetime, base_url: str,
                       **context) -> list[OutboxMessage]:
    """The messages about a change of this question: to its asker, its confirmed followers, and the
    askers (and followers) of the questions merged into it, each in their language, and to each
    person once (an asker who also follows, or whose two questions were merged). An asker hears by
    the channel they chose (an SMS or Zalo message names their own question); followers by e-mail.
    Called inside the change's transaction, so the recipients are those of the moment of the change."""
    code = question["tracking_code"]
    conference = await get_conference(question["conference"])
    merged = await Question.select(
        Question.id, Question.asker_email, Question.asker_phone, Question.notify_by, Question.language,
        Question.tracking_code,
    ).where((Question.merged_into == question["id"]) & (Question.state == Question.State.merged.value))
    # an asker's e-mail carries the link to their own question's private page (where they rate what they got)
    recipients = [(*contact, asker["language"], None, asker["tracking_code"], contacts_of(asker))
                  for asker in [question, *merged] if (contact := chosen_contact(asker))]
    for follower in await Follower.select().where(
        Follower.question.is_in([question["id"], *[m["id"] for m in merged]])
        & Follower.confirmed_at.is_not_null() & Follower.unsubscribed_at.is_null()
    ):
        recipients.append(("email", follower["email"], follower["language"], follower["token"], None,
                           {follower["email"].casefold()}))
    messages, told = [], set()
    for channel, address, language_code, follow_token, own_code, contacts in recipients:
        if address.casefold() in told:
            continue  # one message per person and event: the first (their own question's) is kept
        told |= contacts
        if channel != "email":
            messages.append(phone_notice(channel, address, own_code, template=template, language_code=language_code,
                                         subject=subject, now=now, conference=conference, base_url=base_url,
                                         question=question, **context))
            continue
        unsubscribe_url = f"{base_url}/follow/{follow_token}/unsubscribe" if follow_token else ""
        messages.append(outbox.prepare(
            to=address, template=template, language_code=language_code, subject=subject, kind=template, now=now,
            unit_id=conference["unit"], question=question, conference=conference, code=display_code(code),
            tracking_url=tracking_url(base_url, code), unsubscribe_url=unsubscribe_url,
            private_url=manage_url(base_url, own_code, signed_manage_token(own_code)) if own_code else "",
            headers={"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
            if unsubscribe_url else None, **context,
        ))
    return messages


async def request_follow(raw_code: str, email: str, language_code: str, now: dt.datetime, base_url: str) -> None:
    """Double opt-in: a confirmation link goes to the address; nothing is sent until it is used.
    The answer is the same whether or not the address already follows (no one learns who does)."""
    question = await get_by_code(raw_code)
    try:
        address = validation.email_address(email)
    except ValueError as error:
        raise InvalidInput({"follow_email": str(error)}) from None
    existing = await Follower.select().where(
        (Follower.question == question["id"]) & (Follower.email == address)).first()
    if existing and existing["confirmed_at"] and not existing["unsubscribed_at"]:
        return
    recent = await Follower.count().where(
        (Follower.email == address) & (Follower.created_at > now - dt.timedelta(hours=1)))
    if recent >= 5:
        return  # not a way to flood someone's inbox
    token = secrets.token_urlsafe(32)
    conference = await get_conference(question["conference"])
    async with write_transaction():
        if existing:
            await Follower.update({Follower.token: token, Follower.unsubscribed_at: None, Follower.confirmed_at: None,
                                   Follower.created_at: now, Follower.language: language_code}) \
                .where(Follower.id == existing["id"])
        else:
            await Follower.insert(Follower(question=question["id"], email=address, token=token,
                                           language=language_code, created_at=now))
        await outbox.enqueue(
            to=address, template="follow_confirm", language_code=language_code,
            subject=lambda: _("Confirm that you want to follow question %(code)s",
                              code=display_code(question["tracking_code"])),
            kind="follow_confirm", now=now, unit_id=conference["unit"], question=question, conference=conference,
            code=display_code(question["tracking_code"]),
            tracking_url=tracking_url(base_url, question["tracking_code"]),
            confirm_url=f"{base_url}/follow/{token}/confirm", unsubscribe_url=f"{base_url}/follow/{token}/unsubscribe",
        )


async def _follower(token: str) -> dict:
    token = safe_token(token)
    row = await Follower.select(Follower.all_columns(), Follower.question.tracking_code.as_alias("code")) \
        .where(Follower.token == token[:64]).first() if token else None
    if row is None:
        raise NotFound(_("This link is not valid any more."))
    return row


async def confirm_follow(token: str, now: dt.datetime) -> dict:
    follower = await _follower(token)
    if follower["confirmed_at"] is None or follower["unsubscribed_at"] is not None:
        await Follower.update({Follower.confirmed_at: now, Follower.unsubscribed_at: None}) \
            .where(Follower.id == follower["id"])
    return follower


async def unsubscribe(token: str, now: dt.datetime) -> dict:
    follower = await _follower(token)
    if follower["unsubscribed_at"] is None:
        await Follower.update({Follower.unsubscribed_at: now}).where(Follower.id == follower["id"])
    return follower


async def follower_by_token(token: str) -> dict:
    return await _follower(token)
