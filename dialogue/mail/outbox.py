"""The outbox: e-mails are rows written in the same transaction as the change that causes them,
then delivered by a worker, at least once, with a stable Message-ID.

Two workers never claim the same row: each claim is one conditional
UPDATE … RETURNING, which only one transaction can win on SQLite and PostgreSQL alike.

A worker claims one message at a time, right before it sends it, and renews the claim while the
send is under way; so a slow mail server never lets a second worker take a message that the first
is still holding, and a worker that died lets go of its message within one lease (a minute). The
message is marked sent in its own short transaction as soon as the server accepts it, retried a
few times if the database is briefly away.
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

from dialogue.core.db import write_transaction
from dialogue.core.i18n import language
from dialogue.core.rendering import service_environment
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


async def add(*messages: OutboxMessage) -> None:
    """Queue prepared e-mails with their attachments. Call inside the transaction of the change that
    causes them: the messages and their files are saved together or not at all."""
    if not messages:
        return
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


async def enqueue(**kwargs) -> None:
    """Render and queue one e-mail, inside the caller's transaction (see prepare() for hot paths)."""
    await add(prepare(**kwargs))


async def claim(worker: str, now: dt.datetime, limit: int = 20, lease: dt.timedelta = LEASE) -> list[dict]:
    """Claim up to `limit` due messages for this worker, oldest first."""
    due = await OutboxMessage.select(OutboxMessage.id).where(
        OutboxMessage.sent_at.is_null() & (OutboxMessage.next_attempt_at <= now)
        & (OutboxMessage.claimed_until.is_null() | (OutboxMessage.claimed_until < now))
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
            ).returning(OutboxMessage.id)
        if won:
            message = await OutboxMessage.select().where(OutboxMessage.id == row["id"]).first()
            message["attachments"] = await OutboxAttachment.select(
                OutboxAttachment.filename, OutboxAttachment.content_type, OutboxAttachment.data,
            ).where(OutboxAttachment.message == row["id"]).order_by(OutboxAttachment.id)
            claimed.append(message)
    return claimed


async def _renew(message_id: int, worker: str, clock: Callable[[], dt.datetime], lease: dt.timedelta) -> None:
    """Keep the claim alive while the send is under way (cancelled when it ends)."""
    while True:
        await asyncio.sleep(lease.total_seconds() / 3)
        try:
            async with write_transaction():
                await OutboxMessage.update({OutboxMessage.claimed_until: clock() + lease}).where(
                    (OutboxMessage.id == message_id) & (OutboxMessage.claimed_by == worker)
                    & OutboxMessage.sent_at.is_null())
        except Exception as error:  # the database is away: the send goes on; the lease may lapse
            log.warning("Could not renew the claim on e-mail %s: %s", message_id, error)


async def _mark_sent(message: dict, at: dt.datetime) -> bool:
    """Record that the server accepted the message, in its own short transaction, trying again a few
    times: a database that is away for a moment must not make the message go out twice. The secret
    links in its text are masked then: once it has gone, a copy of the database (a backup) must not
    hold links that still withdraw a question or dispute a commitment in the asker's name."""
    for pause in (*MARK_SENT_RETRIES, None):
        try:
            async with write_transaction():
                await OutboxMessage.update({
                    OutboxMessage.sent_at: at, OutboxMessage.attempts: message["attempts"] + 1,
                    OutboxMessage.last_error: "", OutboxMessage.claimed_until: None,
                    OutboxMessage.text_body: _mask(message["text_body"]),
                    OutboxMessage.html_body: _mask(message["html_body"]),
                    OutboxMessage.headers: _mask(message["headers"] or ""),
                }).where(OutboxMessage.id == message["id"])
            return True
        except Exception as error:
            if pause is None:
                log.error("E-mail %s was sent but could not be marked sent: it may go out again (%s)",
                          message["id"], error)
                return False
            await asyncio.sleep(pause)
    return False


async def _release(message: dict, worker: str) -> None:
    """Give a claimed message back at once (the worker stops before sending it)."""
    with suppress(Exception):
        async with write_transaction():
            await OutboxMessage.update({OutboxMessage.claimed_by: "", OutboxMessage.claimed_until: None}).where(
                (OutboxMessage.id == message["id"]) & (OutboxMessage.claimed_by == worker)
                & OutboxMessage.sent_at.is_null())


async def _record_failure(message: dict, error: BaseException, now: dt.datetime) -> None:
    attempts = message["attempts"] + 1
    delay = BACKOFF[min(attempts - 1, len(BACKOFF) - 1)]
    async with write_transaction():
        await OutboxMessage.update({
            OutboxMessage.attempts: attempts,
            OutboxMessage.last_error: f"{type(error).__name__}: {error}"[:2000],
            OutboxMessage.next_attempt_at: now + delay, OutboxMessage.claimed_by: "",
            OutboxMessage.claimed_until: None,
        }).where(OutboxMessage.id == message["id"])
    log.warning("E-mail %s to %s failed (attempt %s): %s", message["id"], message["to_address"], attempts, error)


Send = Callable[[dict], Awaitable[None]]


async def drain(send: Send, now: dt.datetime, worker: str | None = None, limit: int = 20, *,
                lease: dt.timedelta = LEASE, send_timeout: float = SEND_TIMEOUT,
                stopping: Callable[[], bool] = lambda: False) -> dict[str, int]:
    """Send up to `limit` due messages, claiming each one just before it goes. Returns
    {"sent": n, "failed": n}. Safe to run in several processes. `now` is the time at the start;
    time then runs on from it. `stopping()` true: no new claim is made."""
    worker = worker or uuid.uuid4().hex[:12]
    started = time.monotonic()

    def clock() -> dt.datetime:
        return now + dt.timedelta(seconds=time.monotonic() - started)

    counts = {"sent": 0, "failed": 0}
    for _ in range(limit):
        if stopping():
            break
        claimed = await claim(worker, clock(), 1, lease)
        if not claimed:
            break
        message = claimed[0]
        renewal = asyncio.create_task(_renew(message["id"], worker, clock, lease))
        try:
            await asyncio.wait_for(send(message), timeout=send_timeout)
        except asyncio.CancelledError:  # shutting down in the middle of a send: let another worker take it
            renewal.cancel()
            await asyncio.shield(_release(message, worker))
            raise
        except Exception as error:
            renewal.cancel()
            await _record_failure(message, error, now)  # the back-off counts from this round's start
            counts["failed"] += 1
            continue
        renewal.cancel()
        # Shielded: a shutdown that cancels the worker now must not leave an accepted message unmarked
        # (it would go out again after the lease).
        await asyncio.shield(_mark_sent(message, clock()))
        counts["sent"] += 1
    return counts


def _mask(text: str) -> str:
    return SECRET_IN_LINK.sub(rf"\g<1>{MASK}", text)


def masked(row: dict) -> dict:
    """A message as staff may read it: every secret link token replaced by •••, the rest of the address kept.
    A message waiting to go out is stored whole (it must go out as it is) and masked only in this view;
    a sent one is stored masked (see _mark_sent)."""
    return {key: _mask(value) if isinstance(value, str) else value for key, value in row.items()}


async def messages_for(unit_ids: list[int] | None, limit: int = 100, offset: int = 0) -> list[dict]:
    """What the system sent or will send, newest first, for the organisers of these units (None: all),
    secrets masked."""
    query = OutboxMessage.select().order_by(OutboxMessage.id, ascending=False).limit(limit).offset(offset)
    if unit_ids is not None:
        query = query.where(OutboxMessage.unit.is_in(unit_ids or [0]))
    return [masked(row) for row in await query]


async def message_for(message_id: int, unit_ids: list[int] | None) -> dict | None:
    """One message, secrets masked, if it belongs to one of these units (None: any)."""
    row = await OutboxMessage.select().where(OutboxMessage.id == message_id).first()
    if row is None or (unit_ids is not None and row["unit"] not in unit_ids):
        return None
    return masked(row)


async def backlog(now: dt.datetime) -> dict[str, float]:
    """What waits to be sent: how many, how many failed at least once, and the oldest one's age in seconds."""
    waiting = OutboxMessage.sent_at.is_null()
    oldest = await OutboxMessage.select(OutboxMessage.created_at).where(waiting).order_by(OutboxMessage.id).first()
    return {
        "waiting": await OutboxMessage.count().where(waiting),
        "failing": await OutboxMessage.count().where(waiting & (OutboxMessage.attempts > 0)),
        "oldest_seconds": max(0.0, (now - oldest["created_at"]).total_seconds()) if oldest else 0.0,
    }
