"""The e-mail outbox: written in the transaction of the change that causes the e-mail."""

from __future__ import annotations

from piccolo.columns import Bytea, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.reference import LazyTableReference
from piccolo.table import Table


class OutboxMessage(Table, tablename="outbox_message"):
    """One message to one person, by e-mail or to a phone (SMS, Zalo): `message_id` is also the
    idempotency key a phone provider is given, so that a resend is recognisably the same."""

    message_id = Varchar(length=200, unique=True, help_text="Stable Message-ID: a resend is recognisably the same.")
    channel = Varchar(length=5, default="email", index=True, help_text="email, sms or zalo.")
    to_address = Varchar(length=254, help_text="An e-mail address, or a phone number in E.164 (+849…).")
    subject = Varchar(length=300)
    text_body = Text()
    html_body = Text()
    headers = Text(default="{}", help_text="Extra headers as JSON (List-Unsubscribe…).")
    kind = Varchar(length=40, index=True)
    unit = ForeignKey(LazyTableReference("AdminUnit", module_path="dialogue.reference.tables"), null=True, default=None,
                      help_text="Whose organisers may read it (by reference only: mail sits below the domains).")
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    next_attempt_at = Timestamptz(default=TimestamptzNow(), index=True)
    attempts = Integer(default=0)
    last_error = Text(default="")
    claimed_by = Varchar(length=64, default="")
    claimed_until = Timestamptz(null=True, default=None)
    sent_at = Timestamptz(null=True, default=None, index=True)
    payload = Text(default="", help_text="A phone message's template and parameters as JSON (Zalo ZNS).")
    segments = Integer(default=0, help_text="An SMS's parts, each billed.")
    cost = Integer(default=0, help_text="What the provider charges for it, in đồng, counted when sent.")
    skipped_reason = Varchar(length=20, default="", help_text="Never sent: asker_cap or unit_cap (a daily cap).")
    provider_ref = Varchar(length=100, default="", help_text="The provider's id for the message it accepted.")


class OutboxAttachment(Table, tablename="outbox_attachment"):
    """A file sent with an outbox message (the monthly report's Word file): written in the same
    transaction as its message, read when the message is claimed."""

    message = ForeignKey(OutboxMessage, null=False, on_delete=OnDelete.cascade, index=True)
    filename = Varchar(length=200)
    content_type = Varchar(length=100)
    data = Bytea()
