"""The e-mail outbox: written in the transaction of the change that causes the e-mail."""

from __future__ import annotations

from piccolo.columns import Bytea, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.reference import LazyTableReference
from piccolo.table import Table


class OutboxMessage(Table, tablename="outbox_message"):
    message_id = Varchar(length=200, unique=True, help_text="Stable Message-ID: a resend is recognisably the same.")
    to_address = Varchar(length=254)
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


class OutboxAttachment(Table, tablename="outbox_attachment"):
    """A file sent with an outbox message (the monthly report's Word file): written in the same
    transaction as its message, read when the message is claimed."""

    message = ForeignKey(OutboxMessage, null=False, on_delete=OnDelete.cascade, index=True)
    filename = Varchar(length=200)
    content_type = Varchar(length=100)
    data = Bytea()
