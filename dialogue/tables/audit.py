"""The append-only action log: the source of every timeline and the audit trail."""

from __future__ import annotations

from enum import Enum

from piccolo.columns import JSON, ForeignKey, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from dialogue.tables.accounts import StaffUser


class ActionLog(Table, tablename="action_log"):
    """Who did what to which object, when, from which state to which, and why.

    Rows are only ever inserted: database triggers refuse UPDATE and DELETE.
    """

    class ActorKind(str, Enum):
        staff = "staff"
        public = "public"  # an asker, known by the reference of their question
        system = "system"  # scheduled jobs, commands

    at = Timestamptz(default=TimestamptzNow(), index=True)
    actor_kind = Varchar(length=8, choices=ActorKind)
    actor = ForeignKey(StaffUser, null=True, default=None)
    actor_ref = Varchar(length=120, default="", help_text="Public reference or command name when not staff.")
    action = Varchar(length=60, index=True)
    object_type = Varchar(length=40, index=True)
    object_id = Varchar(length=40, index=True)
    from_state = Varchar(length=40, default="")
    to_state = Varchar(length=40, default="")
    reason = Text(default="")
    details = JSON(default="{}")
