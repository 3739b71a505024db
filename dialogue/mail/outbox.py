"""The outbox: messages (e-mails, SMS, Zalo) are rows written in the same transaction as the change
that causes them, then delivered by a worker, at least once, with a stable Message-ID (for a phone
message, the idempotency key its provider is given).

Two workers never claim the same row: each claim is one conditional
UPDATE … RETURNING, which only one transaction can win on SQLite and PostgreSQL alike.

A worker claims one message at a time, right before it sends it, and renews the claim while the
send is under way; so a slow mail server never lets a second worker take a message that the first
is still holding, and a worker that died lets go of its message within one lease (a minute). The
message is marked sent in its own short transaction as soon as the server accepts it, retried a
few times if the database is briefly away.

Phone messages cost money, so a loop must never send a thousand: add() counts, inside the caller's
transaction, what went to the same number and from the same unit in the last 24 hours, and a message
past either daily cap is kept with its skipped_reason and never claimed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass

from dialogue.core.calendar import TZ
from dialogue.core.db import RowInsert, on_postgres, serialise, write_transaction
from dialogue.core.i18n import language
from dialogue.core.rendering import service_environment
from dialogue.core.settings import get_settings
from dialogue.core.vocabulary import N_, declare
from dialogue.mail.tables import OutboxAttachment, OutboxMessage

log = logging.getLogger("dialogue.mail")
LEASE = dt.timedelta(seconds=60)  # a claim not renewed by then (the worker died) is taken again
SEND_TIMEOUT = 30.0  # seconds for a whole send; the lease is renewed meanwhile (a third of it at a time)
MARK_SENT_RETRIES = (0.5, 1, 2, 4, 8)  # seconds between tries to record an accepted send
BACKOFF = [dt.timedelta(minutes=m) for m in (1, 5, 15, 60, 180, 720)]  # then every 12 hours
# The secret part of the links residents get by e-mail: the manage link (/q/<code>/manage/<token>, which can
# withdraw the question), the follower's /follow/<token>/confirm and /follow/<token>/unsubscribe, and the
# asker's /confirm/<token> (which can dispute a commitment in their name).
SECRET_IN_LINK = re.compile(r"(/manage/|/follow/|/confirm/)[A-Za-z0-9_%.~-]+")
MASK = "•••"
PHONE_CHANNELS = ("sms", "zalo")
CHANNELS = ("email", *PHONE_CHANNELS)
CAP_WINDOW = dt.timedelta(hours=24)
CAP_LOCK = "outbox:phone-caps"  # PostgreSQL: one transaction at a time counts and adds phone messages
ASKER_CAP, UNIT_CAP = "asker_cap", "unit_cap"
ERASED, CONTACT_CHANGED = "erased", "contact_changed"  # set by privacy/: the asker's data went, or they changed it
declare("skipped_reason", {  # why a message was never sent, in words (organisers' messages page)
    ASKER_CAP: N_("Not sent: this number had reached its daily limit of messages"),
    UNIT_CAP: N_("Not sent: the unit had reached its daily limit of phone messages"),
    ERASED: N_("Not sent: the asker's contact details were erased"),
    CONTACT_CHANGED: N_("Not sent: the asker gave another contact"),
})
# What a message waits for when no provider of its channel is configured in this process.
UNSERVED = {
    "email": "No mail server is configured (SMTP_URL): the e-mail waits until one is.",
    "sms": "No SMS provider is configured (SMS_URL): the message waits until one is.",
    "zalo": "No Zalo provider is configured (ZALO_URL): the message waits until one is.",
}


@dataclass(frozen=True)
class Receipt:
    """What a phone provider said when it took a message: its id for it, and the price in đồng."""

    provider_ref: str = ""
    cost: int = 0


class RetryLater(Exception):
    """The provider asked to be left alone for `seconds` (HTTP 429 with Retry-After)."""

    def __init__(self, seconds: float, message: str) -> None:
        super().__init__(message)
        self.seconds = seconds


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    html: str


def render(template: str, language_code: str, subject: str | Callable[[], str], **context) -> Email:
    """Render emails/<template>.txt and .html in the asker's language (subject may be a callable
    so that it is translated in that language too)."""
    env = service_environment()
    with language(language_code):
        title = subject() if callable(subject) else subject
        context = {**context, "subject": title}
        text = env.get_template(f"emails/{template}.txt").render(**context)
        html = env.get_template(f"emails/{template}.html").render(**context)
    return Email(to=context.get("to", ""), subject=title, text=text, html=html)


def prepare(
    *, to: str, template: str, language_code: str, subject: Callable[[], str], kind: str, now: dt.datetime,
    unit_id: int | None = None, headers: dict[str, str] | None = None, domain: str = "dialogue.local",
    attachments: tuple[Attachment, ...] = (), **context,
) -> OutboxMessage:
    """Render one e-mail into an outbox row, not yet saved. Rendering takes milliseconds: do it
    before the transaction, so that the write lock is held only for the inserts. Its attachments
    ride along on the row and are saved with it by add()."""
    email = render(template, language_code, subject, to=to, **context)
    message = OutboxMessage(
        message_id=f"<{uuid.uuid4().hex}@{domain}>", to_address=to, subject=email.subject[:300],
        text_body=email.text, html_body=email.html, headers=json.dumps(headers or {}), kind=kind,
        unit=unit_id, created_at=now, next_attempt_at=now,
    )
    message.pending_attachments = tuple(attachments)
    return message


def _cap_counts(messages: tuple[OutboxMessage, ...]) -> list[tuple[tuple[str, object], object]]:
    """For the phone messages among these: a count query for each number and each unit they go to,
    of the phone messages of the last 24 hours that were not skipped."""
    phone = [m for m in messages if m.channel in PHONE_CHANNELS]
    if not phone:
        return []
    since = min(m.created_at for m in phone) - CAP_WINDOW
    counted = "channel IN ('sms', 'zalo') AND skipped_reason = '' AND created_at > {}"
    checks = [(("number", number), OutboxMessage.raw(
        f"SELECT COUNT(*) AS n FROM outbox_message WHERE to_address = {{}} AND {counted}", number, since))
        for number in dict.fromkeys(m.to_address for m in phone)]
    checks += [(("unit", unit), OutboxMessage.raw(
        f"SELECT COUNT(*) AS n FROM outbox_message WHERE unit = {{}} AND {counted}", unit, since))
        for unit in dict.fromkeys(m.unit for m in phone) if unit is not None]
    return checks


def _apply_caps(messages: tuple[OutboxMessage, ...], counts: dict[tuple[str, object], int]) -> None:
    """Mark the phone messages past a daily cap as skipped, in order (the first ones of a batch go)."""
    settings = get_settings()
    for message in messages:
        if message.channel not in PHONE_CHANNELS:
            continue
        number, unit = ("number", message.to_address), ("unit", message.unit)
        if counts[number] >= settings.phone_messages_per_asker_per_day:
            message.skipped_reason = ASKER_CAP
        elif message.unit is not None and counts[unit] >= settings.phone_messages_per_unit_per_day:
            message.skipped_reason = UNIT_CAP
        else:
            counts[number] += 1
            if message.unit is not None:
                counts[unit] += 1
            continue
        log.warning("A %s message (%s) was not sent: past the daily cap (%s) of %s", message.channel, message.kind,
                    message.skipped_reason, "the number" if message.skipped_reason == ASKER_CAP else
                    f"unit {message.unit}")


async def add(*messages: OutboxMessage) -> None:
    """Queue prepared messages with their attachments. Call inside the transaction of the change that
    causes them: the messages and their files are saved together or not at all. Phone messages past a
    daily cap are saved as skipped (see the module's notes)."""
    if not messages:
        return
    checks = _cap_counts(messages)
    if checks:
        await serialise(CAP_LOCK)
        _apply_caps(messages, {key: (await query)[0]["n"] for key, query in checks})
    await OutboxMessage.insert(*messages)
    attached = {m.message_id: m.pending_attachments for m in messages if getattr(m, "pending_attachments", ())}
    if attached:
        # Found again by their Message-IDs (unique): both engines give every new row's id this way.
        ids = {row["message_id"]: row["id"] for row in await OutboxMessage.select(
            OutboxMessage.id, OutboxMessage.message_id).where(OutboxMessage.message_id.is_in(list(attached)))}
        await OutboxAttachment.insert(*(
            OutboxAttachment(message=ids[message_id], filename=a.filename[:200], content_type=a.content_type[:100],
                             data=a.data)
            for message_id, files in attached.items() for a in files))


def insert_steps(*messages: OutboxMessage) -> list:
    """add() as steps of a unit of work (core.db.write_steps), for the hot paths that write that way
    (a question's submission): the caps' counts, then the inserts. Messages without attachments."""
    checks = _cap_counts(messages)
    if not checks:
        return [RowInsert(*messages)]

    def insert(done: list[list[dict]]) -> RowInsert:
        counted = done[-len(checks):]
        _apply_caps(messages, {key: rows[0]["n"] for (key, _query), rows in zip(checks, counted, strict=True)})
        return RowInsert(*messages)

    lock = [OutboxMessage.raw("SELECT pg_advisory_xact_lock(hashtext({}))", CAP_LOCK)] if on_postgres() else []
    return [*lock, *(query for _key, query in checks), insert]


async def enqueue(**kwargs) -> None:
    """Render and queue one e-mail, inside the caller's transaction (see prepare() for hot paths)."""
    await add(prepare(**kwargs))


async def claim(worker: str, now: dt.datetime, limit: int = 20, lease: dt.timedelta = LEASE,
                channels: tuple[str, ...] | list[str] = CHANNELS) -> list[dict]:
    """Claim up to `limit` due messages of these channels for this worker, oldest first. A skipped
    message (a daily cap, an erased address) is never claimed."""
    due = await OutboxMessage.select(OutboxMessage.id).where(
        OutboxMessage.sent_at.is_null() & (OutboxMessage.next_attempt_at <= now)
        & (OutboxMessage.claimed_until.is_null() | (OutboxMessage.claimed_until < now))
        & (OutboxMessage.skipped_reason == "") & OutboxMessage.channel.is_in(list(channels))
    ).order_by(OutboxMessage.id).limit(limit + 4)  # a few more, in case another worker wins some
    claimed = []
    for row in due:
        if len(claimed) >= limit:
            break
        async with write_transaction():
            won = await OutboxMessage.update({
                OutboxMessage.claimed_by: worker, OutboxMessage.claimed_until: now + lease,
            }).where(
                (OutboxMessage.id == row["id"]) & OutboxMessage.sent_at.is_null()
                & (OutboxMessage.claimed_until.is_null() | (OutboxMessage.claimed_until < now))
                & (OutboxMessage.skipped_reason == "")
            ).returning(OutboxMessage.id)
        if won:
            message = await OutboxMessage.select().where(OutboxMessage.id == row["id"]).first()
            message["attachments"] = await OutboxAttachment.select(
                OutboxAttachment.filename, OutboxAttachment.content_type, OutboxAttachment.data,
            ).where(OutboxAttachment.message == row["id"]).order_by(OutboxAttachment.id)
            claimed.append(message)
    return claimed


class _Renewal:
    """Keeps a claim alive while its send is under way, until stop(). Stopped, not cancelled: a task
    cancelled in the middle of its renewal could leave the SQLite writer inside a transaction that no
    one ends (a BEGIN run, its await cancelled), and every later write would fail."""

    def __init__(self, message_id: int, worker: str, clock: Callable[[], dt.datetime], lease: dt.timedelta) -> None:
        self.done = asyncio.Event()
        self.task = asyncio.create_task(_renew(message_id, worker, clock, lease, self.done))

    async def stop(self) -> None:
        """Ends after the renewal in flight, if any, has written."""
        self.done.set()
        await self.task


async def _renew(message_id: int, worker: str, clock: Callable[[], dt.datetime], lease: dt.timedelta,
                 done: asyncio.Event) -> None:
    """Renew the claim every third of the lease until `done` is set."""
    while True:
        with suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), timeout=lease.total_seconds() / 3)
        if done.is_set():
            return
        try:
            async with write_transaction():
                await OutboxMessage.update({OutboxMessage.claimed_until: clock() + lease}).where(
                    (OutboxMessage.id == message_id) & (OutboxMessage.claimed_by == worker)
                    & OutboxMessage.sent_at.is_null())
        except Exception as error:  # the database is away: the send goes on; the lease may lapse
            log.warning("Could not renew the claim on e-mail %s: %s", message_id, error)


async def _mark_sent(message: dict, at: dt.datetime, receipt: Receipt | None = None) -> bool:
    """Record that the server accepted the message, in its own short transaction, trying again a few
    times: a database that is away for a moment must not make the message go out twice. The secret
    links in its text are masked then: once it has gone, a copy of the database (a backup) must not
    hold links that still withdraw a question or dispute a commitment in the asker's name. A phone
    provider's receipt gives the message's id there and its cost."""
    values = {
        OutboxMessage.sent_at: at, OutboxMessage.attempts: message["attempts"] + 1,
        OutboxMessage.last_error: "", OutboxMessage.claimed_until: None,
        OutboxMessage.text_body: _mask(message["text_body"]),
        OutboxMessage.html_body: _mask(message["html_body"]),
        OutboxMessage.headers: _mask(message["headers"] or ""),
        OutboxMessage.payload: _mask(message.get("payload") or ""),
    }
    if receipt is not None:
        values |= {OutboxMessage.provider_ref: receipt.provider_ref, OutboxMessage.cost: receipt.cost}
    words = {column: values.pop(column) for column in (
        OutboxMessage.text_body, OutboxMessage.html_body, OutboxMessage.headers, OutboxMessage.payload)}
    for pause in (*MARK_SENT_RETRIES, None):
        try:
            async with write_transaction():
                await OutboxMessage.update(values).where(OutboxMessage.id == message["id"])
                # The masked words go back only to a row still addressed: one whose asker's data was erased
                # while it was being sent (its address emptied) keeps them erased.
                await OutboxMessage.update(words).where(
                    (OutboxMessage.id == message["id"]) & (OutboxMessage.to_address != ""))
            return True
        except Exception as error:
            if pause is None:
                log.error("E-mail %s was sent but could not be marked sent: it may go out again (%s)",
                          message["id"], error)
                return False
            await asyncio.sleep(pause)
    return False


async def _stop_and_mark_sent(renewal: _Renewal, message: dict, at: dt.datetime, receipt: Receipt | None) -> None:
    with suppress(Exception):
        await renewal.stop()
    await _mark_sent(message, at, receipt)


async def _stop_and_release(renewal: _Renewal, message: dict, worker: str) -> None:
    with suppress(Exception):
        await renewal.stop()
    await _release(message, worker)


async def _release(message: dict, worker: str) -> None:
    """Give a claimed message back at once (the worker stops before sending it)."""
    with suppress(Exception):
        async with write_transaction():
            await OutboxMessage.update({OutboxMessage.claimed_by: "", OutboxMessage.claimed_until: None}).where(
                (OutboxMessage.id == message["id"]) & (OutboxMessage.claimed_by == worker)
                & OutboxMessage.sent_at.is_null())


async def _record_failure(message: dict, error: BaseException, now: dt.datetime) -> None:
    """Count the attempt, keep the error and wait: the back-off, or as long as the provider asked."""
    attempts = message["attempts"] + 1
    delay = dt.timedelta(seconds=error.seconds) if isinstance(error, RetryLater) else \
        BACKOFF[min(attempts - 1, len(BACKOFF) - 1)]
    async with write_transaction():
        await OutboxMessage.update({
            OutboxMessage.attempts: attempts,
            OutboxMessage.last_error: f"{type(error).__name__}: {error}"[:2000],
            OutboxMessage.next_attempt_at: now + delay, OutboxMessage.claimed_by: "",
            OutboxMessage.claimed_until: None,
        }).where(OutboxMessage.id == message["id"])
        if isinstance(error, RetryLater):
            # The provider, not the message, asked to be left alone: nothing of that channel goes before then
            # (by any worker), or each next message would meet the same 429.
            await OutboxMessage.update({OutboxMessage.next_attempt_at: now + delay}).where(
                (OutboxMessage.channel == message["channel"]) & OutboxMessage.sent_at.is_null()
                & (OutboxMessage.skipped_reason == "") & (OutboxMessage.next_attempt_at < now + delay))
    log.warning("Message %s (%s) failed (attempt %s): %s", message["id"], message["channel"], attempts, error)


async def _note_unserved(channels: list[str]) -> None:
    """Say on the messages of a channel no provider serves here why they wait (once each): they are
    never dropped, and go as soon as a worker with that channel's provider runs."""
    for channel in CHANNELS:
        if channel in channels:
            continue
        waiting = (OutboxMessage.channel == channel) & OutboxMessage.sent_at.is_null() \
            & (OutboxMessage.skipped_reason == "") & (OutboxMessage.last_error == "")
        if await OutboxMessage.exists().where(waiting):
            async with write_transaction():
                await OutboxMessage.update({OutboxMessage.last_error: UNSERVED[channel]}).where(waiting)


# A send function takes a claimed row and returns when the server or provider took it (a phone
# provider's receipt, or None), or raises. It serves the channels it names in a `channels` attribute;
# one without serves e-mail (the SMTP sender).
Send = Callable[[dict], Awaitable[Receipt | None]]


async def drain(send: Send, now: dt.datetime, worker: str | None = None, limit: int = 20, *,
                lease: dt.timedelta = LEASE, send_timeout: float = SEND_TIMEOUT,
                stopping: Callable[[], bool] = lambda: False, channels: tuple[str, ...] | None = None,
                ) -> dict[str, int]:
    """Send up to `limit` due messages of the channels `send` serves, claiming each one just before it
    goes. Returns {"sent": n, "failed": n}. Safe to run in several processes. `now` is the time at the
    start; time then runs on from it. `stopping()` true: no new claim is made. A provider that asks to
    wait (429) is not sent anything more this round."""
    worker = worker or uuid.uuid4().hex[:12]
    active = list(channels if channels is not None else getattr(send, "channels", ("email",)))
    await _note_unserved(active)
    started = time.monotonic()

    def clock() -> dt.datetime:
        return now + dt.timedelta(seconds=time.monotonic() - started)

    counts = {"sent": 0, "failed": 0}
    for _ in range(limit):
        if stopping() or not active:
            break
        claimed = await claim(worker, clock(), 1, lease, active)
        if not claimed:
            break
        message = claimed[0]
        renewal = _Renewal(message["id"], worker, clock, lease)
        try:
            receipt = await asyncio.wait_for(send(message), timeout=send_timeout)
        except asyncio.CancelledError:  # shutting down in the middle of a send: let another worker take it
            await asyncio.shield(_stop_and_release(renewal, message, worker))
            raise
        except RetryLater as error:  # from the moment the provider said so
            await renewal.stop()
            await _record_failure(message, error, clock())
            counts["failed"] += 1
            active.remove(message["channel"])
            continue
        except Exception as error:
            await renewal.stop()
            await _record_failure(message, error, now)  # the back-off counts from this round's start
            counts["failed"] += 1
            continue
        # Shielded: a shutdown that cancels the worker now must not leave an accepted message unmarked
        # (it would go out again after the lease).
        await asyncio.shield(_stop_and_mark_sent(renewal, message, clock(), receipt))
        counts["sent"] += 1
    return counts


def _mask(text: str) -> str:
    return SECRET_IN_LINK.sub(rf"\g<1>{MASK}", text)


def masked(row: dict) -> dict:
    """A message as staff may read it: every secret link token replaced by •••, the rest of the address kept.
    A message waiting to go out is stored whole (it must go out as it is) and masked only in this view;
    a sent one is stored masked (see _mark_sent)."""
    return {key: _mask(value) if isinstance(value, str) else value for key, value in row.items()}


async def held_back(address: str, display_code: str, now: dt.datetime) -> str:
    """Why the newest message to this address about this question (its code) was never sent ("" if it
    was not held back): an asker told on screen that an SMS is coming must learn when a cap stopped it."""
    if not address:
        return ""
    # a phone number's messages of the last day (the caps keep them few), newest first
    row = await OutboxMessage.select(OutboxMessage.skipped_reason).where(
        (OutboxMessage.to_address == address) & (OutboxMessage.created_at > now - CAP_WINDOW)
        & OutboxMessage.text_body.like(f"%{display_code}%")
    ).order_by(OutboxMessage.created_at, ascending=False).first()
    return row["skipped_reason"] if row else ""


def address_hint(address: str) -> str:
    """Enough of an address to tell messages apart, not enough to reach the person: t•••@example.vn,
    +84•••••4321. A list of messages shows this; the whole address is on the message's own page, whose
    reading of an asker's address is logged (privacy/access.py)."""
    if "@" in address:
        local, _, domain = address.partition("@")
        return f"{local[:1]}{MASK}@{domain}"
    if len(address) > 7:
        return f"{address[:3]}{MASK}{address[-4:]}"
    return MASK if address else ""


async def messages_for(unit_ids: list[int] | None, limit: int = 100, offset: int = 0) -> list[dict]:
    """What the system sent or will send, newest first, for the organisers of these units (None: all),
    secrets masked, each address only hinted at (to_hint)."""
    query = OutboxMessage.select().order_by(OutboxMessage.id, ascending=False).limit(limit).offset(offset)
    if unit_ids is not None:
        query = query.where(OutboxMessage.unit.is_in(unit_ids or [0]))
    return [{**masked(row), "to_address": "", "to_hint": address_hint(row["to_address"])} for row in await query]


async def message_for(message_id: int, unit_ids: list[int] | None) -> dict | None:
    """One message, secrets masked, if it belongs to one of these units (None: any)."""
    row = await OutboxMessage.select().where(OutboxMessage.id == message_id).first()
    if row is None or (unit_ids is not None and row["unit"] not in unit_ids):
        return None
    return masked(row)


async def backlog(now: dt.datetime) -> dict[str, float]:
    """What waits to be sent: how many, how many failed at least once, and the oldest one's age in seconds.
    Skipped messages (past a cap, or their address erased) wait for nothing."""
    waiting = OutboxMessage.sent_at.is_null() & (OutboxMessage.skipped_reason == "")
    oldest = await OutboxMessage.select(OutboxMessage.created_at).where(waiting).order_by(OutboxMessage.id).first()
    return {
        "waiting": await OutboxMessage.count().where(waiting),
        "failing": await OutboxMessage.count().where(waiting & (OutboxMessage.attempts > 0)),
        "oldest_seconds": max(0.0, (now - oldest["created_at"]).total_seconds()) if oldest else 0.0,
    }


async def phone_costs(start: dt.datetime, end: dt.datetime) -> list[dict]:
    """What phone messages cost each unit between two moments: the messages sent by SMS and by Zalo,
    the SMS parts, the cost in đồng (sent in the period), and the messages a daily cap stopped
    (queued in the period); one row per unit that had any, by the unit's name."""
    sent = await OutboxMessage.raw(
        "SELECT m.unit, u.name AS unit_name, m.channel, COUNT(*) AS messages, COALESCE(SUM(m.segments), 0) AS parts,"
        " COALESCE(SUM(m.cost), 0) AS cost FROM outbox_message m LEFT JOIN admin_unit u ON u.id = m.unit"
        " WHERE m.channel IN ('sms', 'zalo') AND m.sent_at >= {} AND m.sent_at < {}"
        " GROUP BY m.unit, u.name, m.channel", start, end)
    skipped = await OutboxMessage.raw(
        "SELECT m.unit, u.name AS unit_name, m.skipped_reason, COUNT(*) AS messages"
        " FROM outbox_message m LEFT JOIN admin_unit u ON u.id = m.unit"
        " WHERE m.skipped_reason IN ({}, {}) AND m.created_at >= {} AND m.created_at < {}"
        " GROUP BY m.unit, u.name, m.skipped_reason", ASKER_CAP, UNIT_CAP, start, end)
    units: dict = {}
    for row in [*sent, *skipped]:
        units.setdefault(row["unit"], {
            "unit": row["unit"], "unit_name": row["unit_name"] or "", "sms": 0, "sms_parts": 0, "zalo": 0, "cost": 0,
            ASKER_CAP: 0, UNIT_CAP: 0})
    for row in sent:
        unit = units[row["unit"]]
        unit[row["channel"]] += int(row["messages"])
        unit["cost"] += int(row["cost"])
        if row["channel"] == "sms":
            unit["sms_parts"] += int(row["parts"])
    for row in skipped:
        units[row["unit"]][row["skipped_reason"]] += int(row["messages"])
    return sorted(units.values(), key=lambda unit: (unit["unit_name"], unit["unit"] or 0))


async def monthly_phone_costs(year: int, month: int) -> dict:
    """phone_costs() of a calendar month in Vietnam's time, with the month's totals."""
    start = dt.datetime(year, month, 1, tzinfo=TZ)
    end = dt.datetime(year + month // 12, month % 12 + 1, 1, tzinfo=TZ)
    units = await phone_costs(start.astimezone(dt.UTC), end.astimezone(dt.UTC))
    figures = ("sms", "sms_parts", "zalo", "cost", ASKER_CAP, UNIT_CAP)
    return {"units": units, "total": {name: sum(unit[name] for unit in units) for name in figures}}
