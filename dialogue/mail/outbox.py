"""The outbox: e-mails are rows written in the same transaction as the change that causes them,
then delivered by a worker, at least once, with a stable Message-ID.

Two workers never claim the same row: each claim is one conditional
UPDATE … RETURNING, which only one transaction can win on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from dialogue.core.db import write_transaction
from dialogue.core.i18n import language
from dialogue.core.rendering import build_environment
from dialogue.mail.tables import OutboxMessage

log = logging.getLogger("dialogue.mail")
LEASE = dt.timedelta(minutes=5)  # a claim not finished by then (the worker died) is taken again
BACKOFF = [dt.timedelta(minutes=m) for m in (1, 5, 15, 60, 180, 720)]  # then every 12 hours
_environment = None
# The secret part of the links residents get by e-mail: the manage link (/q/<code>/manage/<token>, which can
# withdraw the question) and the follower's /follow/<token>/confirm and /follow/<token>/unsubscribe.
SECRET_IN_LINK = re.compile(r"(/manage/|/follow/)[A-Za-z0-9_%.~-]+")
MASK = "•••"


def _templates():
    global _environment
    if _environment is None:
        _environment = build_environment()
    return _environment


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    html: str


def render(template: str, language_code: str, subject: str | Callable[[], str], **context) -> Email:
    """Render emails/<template>.txt and .html in the asker's language (subject may be a callable
    so that it is translated in that language too)."""
    env = _templates()
    with language(language_code):
        title = subject() if callable(subject) else subject
        context = {**context, "subject": title}
        text = env.get_template(f"emails/{template}.txt").render(**context)
        html = env.get_template(f"emails/{template}.html").render(**context)
    return Email(to=context.get("to", ""), subject=title, text=text, html=html)


def prepare(
    *, to: str, template: str, language_code: str, subject: Callable[[], str], kind: str, now: dt.datetime,
    unit_id: int | None = None, headers: dict[str, str] | None = None, domain: str = "dialogue.local", **context,
) -> OutboxMessage:
    """Render one e-mail into an outbox row, not yet saved. Rendering takes milliseconds: do it
    before the transaction, so that the write lock is held only for the inserts."""
    email = render(template, language_code, subject, to=to, **context)
    return OutboxMessage(
        message_id=f"<{uuid.uuid4().hex}@{domain}>", to_address=to, subject=email.subject[:300],
        text_body=email.text, html_body=email.html, headers=json.dumps(headers or {}), kind=kind,
        unit=unit_id, created_at=now, next_attempt_at=now,
    )


async def add(*messages: OutboxMessage) -> None:
    """Queue prepared e-mails. Call inside the transaction of the change that causes them."""
    if messages:
        await OutboxMessage.insert(*messages)


async def enqueue(**kwargs) -> None:
    """Render and queue one e-mail, inside the caller's transaction (see prepare() for hot paths)."""
    await add(prepare(**kwargs))


async def claim(worker: str, now: dt.datetime, limit: int = 20) -> list[dict]:
    """Claim up to `limit` due messages for this worker."""
    due = await OutboxMessage.select(OutboxMessage.id).where(
        OutboxMessage.sent_at.is_null() & (OutboxMessage.next_attempt_at <= now)
        & (OutboxMessage.claimed_until.is_null() | (OutboxMessage.claimed_until < now))
    ).order_by(OutboxMessage.id).limit(limit)
    claimed = []
    for row in due:
        async with write_transaction():
            won = await OutboxMessage.update({
                OutboxMessage.claimed_by: worker, OutboxMessage.claimed_until: now + LEASE,
            }).where(
                (OutboxMessage.id == row["id"]) & OutboxMessage.sent_at.is_null()
                & (OutboxMessage.claimed_until.is_null() | (OutboxMessage.claimed_until < now))
            ).returning(OutboxMessage.id)
        if won:
            claimed.append(await OutboxMessage.select().where(OutboxMessage.id == row["id"]).first())
    return claimed


Send = Callable[[dict], Awaitable[None]]


async def drain(send: Send, now: dt.datetime, worker: str | None = None, limit: int = 20) -> dict[str, int]:
    """Send what is due. Returns {"sent": n, "failed": n}. Safe to run in several processes."""
    worker = worker or uuid.uuid4().hex[:12]
    counts = {"sent": 0, "failed": 0}
    for message in await claim(worker, now, limit):
        try:
            await send(message)
        except Exception as error:
            attempts = message["attempts"] + 1
            delay = BACKOFF[min(attempts - 1, len(BACKOFF) - 1)]
            async with write_transaction():
                await OutboxMessage.update({
                    OutboxMessage.attempts: attempts,
                    OutboxMessage.last_error: f"{type(error).__name__}: {error}"[:2000],
                    OutboxMessage.next_attempt_at: now + delay, OutboxMessage.claimed_by: "",
                    OutboxMessage.claimed_until: None,
                }).where(OutboxMessage.id == message["id"])
            log.warning("E-mail %s to %s failed (attempt %s): %s",
                        message["id"], message["to_address"], attempts, error)
            counts["failed"] += 1
            continue
        async with write_transaction():
            await OutboxMessage.update({
                OutboxMessage.sent_at: now, OutboxMessage.attempts: message["attempts"] + 1,
                OutboxMessage.last_error: "", OutboxMessage.claimed_until: None,
            }).where(OutboxMessage.id == message["id"])
        counts["sent"] += 1
    return counts


def masked(row: dict) -> dict:
    """A message as staff may read it: every secret link token replaced by •••, the rest of the address kept.
    Only the view is masked; the stored message goes out as it is."""
    return {key: SECRET_IN_LINK.sub(rf"\g<1>{MASK}", value) if isinstance(value, str) else value
            for key, value in row.items()}


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
