"""Delivery: e-mail over SMTP with aiosmtplib (SMTP_URL), phone messages through their providers
(SMS_URL, ZALO_URL; dialogue/mail/providers.py), by one worker that sends each row by its channel."""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
from contextlib import suppress
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

import aiosmtplib

from dialogue.core.clock import Clock
from dialogue.core.db import outage, unavailable
from dialogue.core.settings import Settings
from dialogue.mail.outbox import Receipt, Send, drain
from dialogue.mail.providers import sms_sender, zalo_sender

log = logging.getLogger("dialogue.mail")
heartbeat: dict[str, float] = {}  # "worker": when the outbox loop last went round (loop time), for /readyz


def build_message(row: dict, sender: str) -> EmailMessage:
    message = EmailMessage()  # the default policy encodes Vietnamese subjects and names as UTF-8
    message["From"] = sender
    message["To"] = row["to_address"]
    message["Subject"] = row["subject"]
    message["Message-ID"] = row["message_id"]
    message["Date"] = email.utils.format_datetime(row["created_at"])
    for key, value in json.loads(row["headers"] or "{}").items():
        message[key] = value
    message.set_content(row["text_body"], charset="utf-8")
    message.add_alternative(row["html_body"], subtype="html", charset="utf-8")
    for attached in row.get("attachments") or ():  # the text and HTML parts become one part of a mixed message
        maintype, _, subtype = attached["content_type"].partition("/")
        message.add_attachment(bytes(attached["data"]), maintype=maintype or "application",
                               subtype=subtype or "octet-stream", filename=attached["filename"])
    return message


def smtp_sender(smtp_url: str, mail_from: str, timeout: float = 30) -> Send:
    """A send function for the outbox: smtp://host:port, smtp+starttls://user:pass@host:587 or smtps://…:465."""
    parts = urlsplit(smtp_url)
    tls = parts.scheme == "smtps"
    starttls = parts.scheme == "smtp+starttls"
    options = {
        "hostname": parts.hostname or "127.0.0.1",
        "port": parts.port or (465 if tls else 587 if starttls else 25),
        "use_tls": tls,
        "start_tls": starttls,
        "timeout": timeout,
    }
    if parts.username:
        options.update(username=unquote(parts.username), password=unquote(parts.password or ""))

    async def send(row: dict) -> None:
        # Not aiosmtplib.send(): its context manager says QUIT on the way out, and a cancelled send
        # (shutdown) would then wait on a stuck server for a whole timeout. The connection is dropped
        # instead, once the server has accepted the message or the send has failed.
        client = aiosmtplib.SMTP(**options)
        try:
            await client.connect()
            await client.send_message(build_message(row, mail_from))
        finally:
            client.close()

    return send


class ByChannel:
    """One send function for the outbox that sends each row through its channel's sender. The outbox
    claims only rows of the channels it has (`channels`): the others wait, saying why."""

    def __init__(self, senders: dict[str, Send]) -> None:
        self.senders = senders
        self.channels = tuple(senders)

    async def __call__(self, row: dict) -> Receipt | None:
        return await self.senders[row["channel"]](row)


def channel_senders(settings: Settings) -> ByChannel:
    """The senders of the channels these settings configure (none, some, or all three)."""
    senders: dict[str, Send] = {}
    if settings.smtp_url:
        senders["email"] = smtp_sender(settings.smtp_url, settings.mail_from)
    if settings.sms_url:
        senders["sms"] = sms_sender(settings.sms_url, settings.sms_api_key, settings.sms_sender, settings.sms_price)
    if settings.zalo_url:
        senders["zalo"] = zalo_sender(settings.zalo_url, settings.zalo_access_token, settings.zalo_templates,
                                      settings.zalo_price)
    return ByChannel(senders)


async def run_worker(send: Send, clock: Clock, poll_seconds: float, stop: asyncio.Event) -> None:
    """The background loop started in the app's lifespan (never under tests). Once `stop` is set it
    claims nothing more; the lifespan cancels a send still under way after its grace period, and the
    cancelled send gives its message back at once."""
    while not stop.is_set():
        heartbeat["worker"] = asyncio.get_running_loop().time()
        try:
            await drain(send, clock(), stopping=stop.is_set)
            outage.recovered()  # a round went through: the database answers
        except Exception as error:
            if unavailable(error):
                outage.failed(error)  # one line per outage, not a traceback every few seconds
            else:
                log.exception("The outbox worker failed; it will try again")
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=poll_seconds)
