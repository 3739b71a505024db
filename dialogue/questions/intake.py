"""Questions from the public: the form, its checks, and the submission with its tracking code.

A submission is one transaction: the question, its action-log entry and its confirmation
message in the outbox. The asker proves who they are with a secret manage link; only its
hash is stored. The tracking code alone opens the public view.

The asker chooses how they hear about their question (notify_by): by e-mail, SMS or Zalo, each only
to a contact they gave, or not at all. Without a choice: e-mail when they gave an address (as before
the phone channels existed), SMS when they gave only a mobile number.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import math
import secrets
from dataclasses import dataclass

import phonenumbers

from dialogue.conferences.queries import accepting_questions, area_options, conference_topics, get_conference
from dialogue.core import validation
from dialogue.core.clock import as_utc
from dialogue.core.db import RowInsert, on_postgres, write_steps
from dialogue.core.errors import Conflict, InvalidInput, Throttled
from dialogue.core.i18n import gettext as _
from dialogue.core.settings import get_settings
from dialogue.core.text import fold, paragraphs, parse_id, safe_token, tidy
from dialogue.core.vocabulary import N_, declare, word
from dialogue.machine import events
from dialogue.machine import log as audit
from dialogue.machine.actors import Actor
from dialogue.mail import outbox, phone
from dialogue.mail.tables import OutboxMessage
from dialogue.questions import similarity
from dialogue.questions.tables import Question
from dialogue.reference.calendar import SCREENING_DAYS, working_calendar

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # no I, L, O, U: nothing to misread over the phone
CODE_LENGTH = 13  # 13 × 5 bits = 65 bits of randomness
TITLE_LIMITS = (10, 150)
BODY_LIMITS = (30, 4000)
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


PHONE_CHANNELS = (Question.NotifyBy.sms.value, Question.NotifyBy.zalo.value)
NOTIFY_CHOICES = tuple(choice.value for choice in Question.NotifyBy)  # in the order the forms offer them


@dataclass(frozen=True)
class SubmissionPolicy:
    per_address_per_hour: int
    base_url: str
    channels: tuple[str, ...] = NOTIFY_CHOICES  # the ways an asker may choose to hear (offered_channels)


class FormAlreadyUsed(InvalidInput):
    """A form already used to send a question came back with another question in it: after Back and
    an edit, or a form address someone shared. It is shown again with a fresh token."""

    def __init__(self) -> None:
        super().__init__({"form": _(
            "This form has already been used to send a question. If this is another question, "
            "check it and press Send again.")})


@dataclass(frozen=True)
class Submitted:
    question: dict
    manage_token: str | None  # None when the same form was sent again: the link went by e-mail
    conference: dict | None = None  # read for the submission: the page of its confirmation shows it


def new_tracking_code() -> str:
    return "".join(secrets.choice(CROCKFORD) for _ in range(CODE_LENGTH))


def normalise_code(raw: str | None) -> str:
    """The code a person typed or read out, or "" if it is none: case, dashes and spaces ignored,
    O read as 0, I and L as 1. Anything else (a file extension, a stray ~, a character too many)
    makes it no code, rather than being dropped: /q/CODE.bak is not the page of CODE."""
    text = (raw or "").upper().translate(_READ_AS)
    text = "".join(ch for ch in text if ch not in " -")
    return text if len(text) == CODE_LENGTH and all(ch in CROCKFORD for ch in text) else ""


def display_code(code: str) -> str:
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def tracking_url(base_url: str, code: str) -> str:
    return f"{base_url}/q/{display_code(code)}"


def manage_url(base_url: str, code: str, token: str) -> str:
    return f"{base_url}/q/{display_code(code)}/manage/{token}"


SIGNED = "s-"  # a signed manage token starts so; the random ones of intake never do (base64 of 32 bytes)


def signed_manage_token(code: str) -> str:
    """A manage token that later e-mails to the asker can carry (inviting a rating): the random token
    of intake is stored only hashed, so it cannot be written again. This one is the question's code
    signed with the app's secret key: it opens only this question's private page, and only for whoever
    holds the asker's e-mail, like the first one."""
    digest = hmac.new(get_settings().secret_key.encode(), f"manage|{code}".encode(), hashlib.sha256).digest()
    return SIGNED + base64.urlsafe_b64encode(digest).decode().rstrip("=")


def is_manage_token(code: str, token: str, stored_hash: str) -> bool:
    """Whether this token opens the question's private page: the random one of intake (compared by
    its hash) or one signed for this code."""
    if not token or len(token) > 200:
        return False
    if token.startswith(SIGNED):
        return hmac.compare_digest(token.encode(), signed_manage_token(code).encode())
    return hmac.compare_digest(token_hash(token), stored_hash or "")


# --- The asker's channel ---------------------------------------------------------------------

declare("notify_by", {  # word("notify_by", …): how an asker hears about their question (also a message's channel)
    Question.NotifyBy.email.value: N_("By e-mail"), Question.NotifyBy.sms.value: N_("By SMS"),
    Question.NotifyBy.zalo.value: N_("On Zalo"), Question.NotifyBy.none.value: N_("No messages"),
})


def offered_channels(settings, keeping: str = "") -> tuple[str, ...]:
    """The ways an asker may choose to hear about their question here, in the forms' order: e-mail and
    no messages always, SMS and Zalo only where their provider is configured. A choice nobody can deliver
    would leave the asker waiting in silence, their private link in a message that never leaves.
    `keeping`: the asker's present choice, which their correction of their details may keep."""
    configured = {Question.NotifyBy.sms.value: settings.sms_url, Question.NotifyBy.zalo.value: settings.zalo_url}
    return tuple(choice for choice in NOTIFY_CHOICES if configured.get(choice, True) or choice == keeping)


def notify_choices(offered: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """The forms' choices of how to hear: (channel, its words, the contact field it needs, or "")."""
    needs = {Question.NotifyBy.email.value: "asker_email", Question.NotifyBy.sms.value: "asker_phone",
             Question.NotifyBy.zalo.value: "asker_phone"}
    return [(choice, word("notify_by", choice), needs.get(choice, "")) for choice in offered]


def _is_mobile(phone: str) -> bool:
    """Whether a number (as typed, or stored +84…) can take an SMS: a mobile, not a landline. A number
    that does not parse counts as one: the phone field says what is wrong with it."""
    try:
        number = phonenumbers.parse(phone, "VN")
    except phonenumbers.NumberParseException:
        return True
    return phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.FIXED_LINE


def channel_error(notify_by: str, email: str, phone: str, offered: tuple[str, ...] = NOTIFY_CHOICES) -> str | None:
    """Why this channel cannot be used with these contacts (a message for the asker), or None. The
    one rule of the ask form and of the asker's corrections; `offered`: offered_channels."""
    email, phone = tidy(email), tidy(phone)
    if notify_by not in NOTIFY_CHOICES:
        return _("Choose how you would like to hear about your question.")
    if notify_by not in offered:
        return _("This way of hearing (%(channel)s) is not available here yet. Choose another way to hear "
                 "about your question.", channel=word("notify_by", notify_by))
    if notify_by == Question.NotifyBy.email.value and not email:
        return _("To hear by e-mail, give your e-mail address above, or choose another way.")
    if notify_by == Question.NotifyBy.sms.value and not phone:
        return _("To hear by SMS, give your mobile number above, or choose another way.")
    if notify_by == Question.NotifyBy.zalo.value and not phone:
        return _("To hear on Zalo, give the mobile number of your Zalo account above, or choose another way.")
    if notify_by in PHONE_CHANNELS and not _is_mobile(phone):
        return _("SMS and Zalo messages go to a mobile number, and this is a landline. Give a mobile number, "
                 "or choose another way.")
    return None


def default_channel(email: str, phone: str, offered: tuple[str, ...] = NOTIFY_CHOICES) -> str:
    """The channel of a contact left in the hall, given there to be told: e-mail if an address, else
    SMS to a mobile (where SMS is offered). Online, an asker who does not choose hears by e-mail or not
    at all (contact_values)."""
    if email:
        return Question.NotifyBy.email.value
    if phone and _is_mobile(phone) and Question.NotifyBy.sms.value in offered:
        return Question.NotifyBy.sms.value
    return Question.NotifyBy.none.value


def chosen_contact(asker: dict) -> tuple[str, str] | None:
    """(channel, address) on which the asker of this question hears about it, or None: they chose no
    messages, or the contact is gone (erased)."""
    channel = asker.get("notify_by") or Question.NotifyBy.email.value
    address = asker.get("asker_email") if channel == Question.NotifyBy.email.value else \
        asker.get("asker_phone") if channel in PHONE_CHANNELS else ""
    return (channel, address) if address else None


def contacts_of(asker: dict) -> set[str]:
    """Every contact the asker gave, as compared for one message per person and event."""
    return {address.casefold() for address in (asker.get("asker_email"), asker.get("asker_phone")) if address}


def phone_notice(channel: str, to: str, code: str, *, template: str, language_code: str, subject,
                 now: dt.datetime, conference: dict, base_url: str, private_url: str = "",
                 **context) -> OutboxMessage:
    """The phone version of an e-mail to an asker: a short text about their question `code` (its
    tracking code and link), from the conference's unit."""
    return phone.prepare(
        channel=channel, to=to, kind=template, language_code=language_code, subject=subject, now=now,
        unit_id=conference["unit"], code=display_code(code), tracking_url=tracking_url(base_url, code),
        private_url=private_url, unit_name=conference.get("unit_name", ""), **context)


# --- Submitting ------------------------------------------------------------------------------

def _length(errors: dict, field: str, value: str, limits: tuple[int, int], missing: str) -> None:
    low, high = limits
    if not value:
        errors[field] = missing
    elif len(value) < low:
        errors[field] = _("Write at least %(count)s characters.", count=low)
    elif len(value) > high:
        errors[field] = _("Use at most %(count)s characters (you wrote %(written)s).", count=high, written=len(value))


def contact_values(form: dict, offered: tuple[str, ...] = NOTIFY_CHOICES) -> tuple[dict, dict[str, str]]:
    """The asker's name, e-mail address, phone number and channel, as the ask form and the asker's
    correction of their details take them: (values to store, errors). `offered`: offered_channels."""
    values: dict = {}
    errors: dict[str, str] = {}
    try:
        values["asker_name"] = validation.person_name(form.get("asker_name"))
    except ValueError as error:
        errors["asker_name"] = str(error)

    values["asker_email"] = values["asker_phone"] = ""
    if tidy(form.get("asker_email")):
        try:
            values["asker_email"] = validation.email_address(form.get("asker_email"))
        except ValueError as error:
            errors["asker_email"] = str(error)
    if tidy(form.get("asker_phone")):
        try:
            values["asker_phone"] = validation.phone_number(form.get("asker_phone"))
        except ValueError as error:
            errors["asker_phone"] = str(error)
    if not tidy(form.get("asker_email")) and not tidy(form.get("asker_phone")):
        errors["asker_email"] = _("Give an e-mail address or a phone number, so that we can reach you.")
    choice = tidy(form.get("notify_by"))
    if choice:
        problem = channel_error(choice, form.get("asker_email", ""), form.get("asker_phone", ""), offered)
        if problem:
            errors["notify_by"] = problem
        values["notify_by"] = choice
    else:  # a number goes to an SMS or Zalo provider only by the asker's own choice, never by default
        values["notify_by"] = Question.NotifyBy.email.value if values["asker_email"] else Question.NotifyBy.none.value
    return values, errors


async def validate_submission(conference: dict, form: dict, channels: tuple[str, ...] = NOTIFY_CHOICES,
                              ) -> tuple[dict, dict[str, str], dict[str, str]]:
    """(values to store, errors, warnings). A warning (a tax code's check digit) needs the asker's
    confirmation. `channels`: offered_channels."""
    errors: dict[str, str] = {}
    warnings: dict[str, str] = {}
    values: dict = {}

    kind = form.get("asker_kind", "")
    if kind not in {k.value for k in Question.AskerKind}:
        errors["asker_kind"] = _("Choose who is asking.")
    values["asker_kind"] = kind

    contacts, contact_errors = contact_values(form, channels)
    values.update(contacts)
    errors.update(contact_errors)

    values["organisation_name"] = values["tax_code"] = ""
    values["tax_code_unverified"] = False
    if kind in ("business", "organisation"):
        name = tidy(form.get("organisation_name"))
        if not name:
            errors["organisation_name"] = _("Enter the name of the business or organisation.")
        elif len(name) > 200:
            errors["organisation_name"] = _("Use at most %(count)s characters.", count=200)
        values["organisation_name"] = name
        if kind == "business" or tidy(form.get("tax_code")):
            try:
                code = validation.tax_code(form.get("tax_code"))
            except ValueError as error:
                errors["tax_code"] = str(error)
            else:
                values["tax_code"] = code.value
                if code.checksum_failed:
                    values["tax_code_unverified"] = True
                    if form.get("tax_code_confirmed") != "yes":
                        warnings["tax_code"] = _(
                            "The check digit of this tax code does not match. Check it; if it is right, "
                            "tick the box below to send it as it is."
                        )

    units = {str(unit["id"]): unit for unit in await area_options(conference)}
    unit_id = parse_id(form.get("unit"))
    if str(unit_id) not in units:
        errors["unit"] = _("Choose the area your question is about.")
    values["unit"] = unit_id

    topics = {topic["id"] for topic in await conference_topics(conference["id"])}
    topic_id = parse_id(form.get("topic"))
    if topic_id not in topics:
        errors["topic"] = _("Choose the topic of your question.")
    values["topic"] = topic_id

    values["title"] = tidy(form.get("title"))
    _length(errors, "title", values["title"], TITLE_LIMITS, _("Give your question a short title."))
    values["body"] = paragraphs(form.get("body"))
    _length(errors, "body", values["body"], BODY_LIMITS, _("Write your question."))

    mode = form.get("answer_mode", "")
    if mode not in {m.value for m in Question.AnswerMode}:
        errors["answer_mode"] = _("Choose how you would like the answer.")
    values["answer_mode"] = mode
    values["public_consent"] = form.get("public_consent") == "yes"
    if form.get("data_consent") != "yes":
        errors["data_consent"] = _("To send a question you need to agree to the processing of your personal data.")
    return values, errors, warnings


def _recent_query(address_key: str, now: dt.datetime, limit: int):
    """The address's latest submissions in the last hour, newest first, at most `limit` of them."""
    return Question.raw(
        "SELECT created_at FROM question WHERE submitted_from = {} AND created_at > {} "
        "ORDER BY created_at DESC LIMIT {}", address_key, now - dt.timedelta(hours=1), limit)


def _address_lock(address_key: str):
    """PostgreSQL: the address's submissions one at a time, until the transaction ends."""
    return Question.raw("SELECT pg_advisory_xact_lock(hashtext({}))", "submission:" + address_key)


def _refuse_if_over(recent: list[dict], limit: int, now: dt.datetime) -> None:
    """Raise Throttled (the unit of work is rolled back) when the address has sent its hour's share."""
    if len(recent) >= limit:
        wait = as_utc(recent[-1]["created_at"]) + dt.timedelta(hours=1) - now
        minutes = max(1, math.ceil(wait.total_seconds() / 60))
        raise Throttled(int(wait.total_seconds()), _(
            "Many questions have been sent from your connection in the last hour. Your question has not been "
            "lost: please wait %(minutes)s minutes and press Send again.", minutes=minutes))


async def _by_form_token(form_token: str) -> dict | None:
    rows = await Question.raw("SELECT * FROM question WHERE form_token = {}", form_token)
    return rows[0] if rows else None


async def form_used(form_token: str) -> bool:
    """Whether a question was sent with this form (the form shown again after Back says so)."""
    token = safe_token(form_token)[:64]
    return bool(token) and await _by_form_token(token) is not None


def _same_question(existing: dict, form: dict) -> bool:
    """The form sent again (double click, Back, reload, retry) rather than another question in a
    used form: the same title and text. Only then is the first question's confirmation shown."""
    return tidy(form.get("title")) == existing["title"] and paragraphs(form.get("body")) == existing["body"]


async def submit_question(
    conference_id: int, form: dict, address_key: str, language_code: str, now: dt.datetime, policy: SubmissionPolicy,
) -> Submitted:
    conference = await get_conference(conference_id)
    form_token = safe_token(form.get("form_token"))[:64]
    if form_token:
        existing = await _by_form_token(form_token)
        if existing:
            if _same_question(existing, form):
                return Submitted(existing, None, conference)  # a double click, Back and Send, a reload, a retry
            raise FormAlreadyUsed()
    if not accepting_questions(conference, now):
        raise Conflict(_("This conference is not taking questions now."))
    if form.get("website"):  # the honeypot: people never see this field, robots fill it
        raise InvalidInput({"form": _("Your question could not be sent. Please try again.")})
    values, errors, warnings = await validate_submission(conference, form, policy.channels)
    if errors or warnings:
        raise InvalidInput({**warnings, **errors})
    if not form_token:
        raise InvalidInput({"form": _("The form had expired. Please check your question and send it again.")})

    code = new_tracking_code()
    manage_token = secrets.token_urlsafe(32)
    screening_due = (await working_calendar()).add_working_days(now, SCREENING_DAYS)
    question = Question(
        screening_due_on=screening_due,
        conference=conference_id, tracking_code=code, manage_token_hash=token_hash(manage_token),
        form_token=form_token, search_folded=fold(values["title"] + " " + values["body"]),
        data_consent_at=now, language=language_code, state=Question.State.submitted.value,
        submitted_from=address_key, created_at=now, updated_at=now, **values,
    )
    row = {**question.to_dict(), "id": None}
    entry = similarity.new_entry({**row, "conference_unit": conference["unit"], "merged_into": None})
    subject = lambda: _("Your question has been received: %(code)s", code=display_code(code))  # noqa: E731
    contact = chosen_contact(row)
    if contact is None:
        mail = None
    elif contact[0] == Question.NotifyBy.email.value:
        mail = outbox.prepare(
            to=row["asker_email"], template="question_received", language_code=language_code, subject=subject,
            kind="question_received", now=now, unit_id=conference["unit"], question=row, conference=conference,
            code=display_code(code), tracking_url=tracking_url(policy.base_url, code),
            manage_url=manage_url(policy.base_url, code, manage_token),
        )
    else:  # a phone-only asker has no e-mail to keep the private link in: the message carries it
        mail = phone_notice(*contact, code, template="question_received", language_code=language_code,
                            subject=subject, now=now, conference=conference, base_url=policy.base_url,
                            private_url=manage_url(policy.base_url, code, manage_token), question=row)
    # The address's limit is counted inside the unit of work that adds the question, one submission
    # of an address at a time (SQLite's writer; a lock per address on PostgreSQL), so that a burst
    # of forms sent at once, to one process or several, cannot all pass the count together.
    limit = policy.per_address_per_hour
    guard = [*([_address_lock(address_key)] if on_postgres() else []), _recent_query(address_key, now, limit),
             lambda done: _refuse_if_over(done[-1], limit, now)]
    first = len(guard)  # the question's insert: its id is in done[first]
    try:
        # One unit of work: the question, its log entry and its message (within the daily caps), or nothing.
        done = await write_steps(
            *guard,
            RowInsert(question, returning_id=True),
            lambda done: entry.entry_insert(done[first][0]["id"]),
            lambda done: entry.phrases_insert(done[first][0]["id"]),
            lambda done: audit.entry(Actor.public(code), "submitted", "question", done[first][0]["id"], at=now,
                                     to_state=Question.State.submitted.value),
            lambda done: events.insert(now, [f"question:{done[first][0]['id']}", f"conference:{conference_id}"],
                                       "submitted", {"entity": "question", "id": done[first][0]["id"], "from": "",
                                                     "to": Question.State.submitted.value}),
            *(outbox.insert_steps(mail) if mail is not None else []),
        )
        row["id"] = done[first][0]["id"]
    except Throttled:
        raise  # the limit refused it: no second submission of this form to look for
    except Exception:
        # Two submissions of one form at the same moment: the unique form token lets one in.
        existing = await _by_form_token(form_token)
        if existing:
            return Submitted(existing, None, conference)
        raise
    return Submitted(row, manage_token, conference)
