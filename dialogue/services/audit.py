"""The action log: every change of state is written here, in the same transaction as the change."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from dialogue.tables import ActionLog


@dataclass(frozen=True)
class Actor:
    """Who acts: a signed-in staff member, a member of the public (by reference), or the system."""

    kind: str
    staff_id: int | None = None
    ref: str = ""
    role: str = ""
    agency_id: int | None = None
    unit_id: int | None = None

    @classmethod
    def staff(cls, user: dict) -> "Actor":
        return cls(kind="staff", staff_id=user["id"], role=user["role"], ref=user["email"],
                   agency_id=user.get("agency"), unit_id=user.get("unit"))

    @classmethod
    def public(cls, reference: str) -> "Actor":
        return cls(kind="public", ref=reference)

    @classmethod
    def system(cls, name: str) -> "Actor":
        return cls(kind="system", ref=name)


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
    return ActionLog.insert(ActionLog(
        at=at, actor_kind=actor.kind, actor=actor.staff_id, actor_ref=actor.ref[:120],
        action=action, object_type=object_type, object_id=str(object_id),
        from_state=from_state, to_state=to_state, reason=reason, details=_plain(details or {}),
    ))


async def record(actor: Actor, action: str, object_type: str, object_id: Any, *, at: dt.datetime, **fields) -> None:
    """Append one entry. Call it inside the transaction that makes the change."""
    await entry(actor, action, object_type, object_id, at=at, **fields)


async def entries_for(object_type: str, object_id: Any, limit: int = 200) -> list[dict]:
    return await ActionLog.select(
        ActionLog.all_columns(), ActionLog.actor.full_name.as_alias("actor_name"),
    ).where((ActionLog.object_type == object_type) & (ActionLog.object_id == str(object_id))) \
        .order_by(ActionLog.id).limit(limit).output(load_json=True)


async def recent_entries(limit: int = 100, offset: int = 0, object_type: str | None = None) -> list[dict]:
    query = ActionLog.select(ActionLog.all_columns(), ActionLog.actor.full_name.as_alias("actor_name"))
    if object_type:
        query = query.where(ActionLog.object_type == object_type)
    return await query.order_by(ActionLog.id, ascending=False).limit(limit).offset(offset).output(load_json=True)
