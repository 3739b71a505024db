"""The append-only action log: who did what to which object, when, from which state to which, and why.

Every change of state is written here, in the same transaction as the change; the history blocks
and the public timelines are read from it. Database triggers refuse UPDATE and DELETE."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Any

from piccolo.columns import JSON, ForeignKey, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.reference import LazyTableReference
from piccolo.table import Table

from dialogue.core.db import RowInsert
from dialogue.core.vocabulary import action_sentence
from dialogue.machine.actors import Actor


class ActionLog(Table, tablename="action_log"):
    """Who did what to which object, when, from which state to which, and why.

    Rows are only ever inserted: database triggers refuse UPDATE and DELETE.
    """

    class ActorKind(str, Enum):
        staff = "staff"
        public = "public"  # an asker, known by the reference of their question
        system = "system"  # scheduled jobs, commands
        token = "token"  # an agency's own system, by its API token (accounts/tokens.py)

    at = Timestamptz(default=TimestamptzNow(), index=True)
    actor_kind = Varchar(length=8, choices=ActorKind)
    actor = ForeignKey(
        LazyTableReference("StaffUser", module_path="dialogue.accounts.tables"), null=True, default=None,
        help_text="Known to the log by reference only: the log sits below the domains.")
    actor_ref = Varchar(length=120, default="", help_text="Public reference or command name when not staff.")
    action = Varchar(length=60, index=True)
    object_type = Varchar(length=40, index=True)
    object_id = Varchar(length=40, index=True)
    from_state = Varchar(length=40, default="")
    to_state = Varchar(length=40, default="")
    reason = Text(default="")
    details = JSON(default="{}")


def _plain(value: Any) -> Any:
    """Values as JSON can hold them (dates as ISO text)."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def changes(before: dict, after: dict) -> dict:
    """{field: [old, new]} for the fields that differ."""
    return {key: _plain([before.get(key), value]) for key, value in after.items() if before.get(key) != value}


def entry(
    actor: Actor, action: str, object_type: str, object_id: Any, *, at: dt.datetime,
    from_state: str = "", to_state: str = "", reason: str = "", details: dict | None = None,
):
    """The insert of one entry, not yet run (for db.write_steps)."""
    return RowInsert(ActionLog(
        at=at, actor_kind=actor.kind, actor=actor.staff_id, actor_ref=actor.ref[:120],
        action=action, object_type=object_type, object_id=str(object_id),
        from_state=from_state, to_state=to_state, reason=reason, details=_plain(details or {}),
    ))


async def record(actor: Actor, action: str, object_type: str, object_id: Any, *, at: dt.datetime, **fields) -> None:
    """Append one entry. Call it inside the transaction that makes the change."""
    await entry(actor, action, object_type, object_id, at=at, **fields)


def _same_step(first: dict, second: dict) -> bool:
    """Two entries that tell one step: same object, same actor, same moment, same sentence."""
    return (all(first.get(key) == second.get(key) for key in (
        "at", "actor_kind", "actor", "actor_ref", "object_type", "object_id", "reason"))
        and action_sentence(first["action"]) == action_sentence(second["action"]))


def one_line_per_step(entries: list[dict]) -> list[dict]:
    """Entries as a history shows them. One step can change two machines at once (publishing an
    answer also answers its question): the log keeps both entries, the history one sentence, the
    later entry's (the question's own step, which its public timeline shows too)."""
    lines: list[dict] = []
    for entry in entries:
        if lines and _same_step(lines[-1], entry):
            lines[-1] = entry
        else:
            lines.append(entry)
    return lines


async def entries_for(
    object_type: str, object_id: Any, limit: int = 200, leaving_out: tuple[str, ...] = (),
) -> list[dict]:
    """An object's history, oldest first, one line per step, without the actions `leaving_out` names
    (reads that are logged but are no step of the object's life)."""
    where = (ActionLog.object_type == object_type) & (ActionLog.object_id == str(object_id))
    if leaving_out:
        where &= ActionLog.action.not_in(list(leaving_out))
    return one_line_per_step(await ActionLog.select(
        ActionLog.all_columns(), ActionLog.actor.full_name.as_alias("actor_name"),
    ).where(where).order_by(ActionLog.id).limit(limit).output(load_json=True))


async def recent_entries(limit: int = 100, offset: int = 0, object_type: str | None = None) -> list[dict]:
    """The latest entries, newest first, one line per step (so a page may hold a few fewer)."""
    query = ActionLog.select(ActionLog.all_columns(), ActionLog.actor.full_name.as_alias("actor_name"))
    if object_type:
        query = query.where(ActionLog.object_type == object_type)
    return one_line_per_step(
        await query.order_by(ActionLog.id, ascending=False).limit(limit).offset(offset).output(load_json=True))
