"""Where an object belongs in the tree of administrative units, for permission checks, and which
agencies and topics serve a unit.

An agency or topic serves its own unit and, when that unit is a province, the province's communes:
a question of a ward may go to the ward's agencies or the province's, never to another ward's.
"""

from __future__ import annotations

from collections.abc import Iterable

from dialogue.core.text import tidy
from dialogue.machine.actors import Actor, ObjectScope, Role
from dialogue.reference.tables import AdminUnit, Agency, Topic


async def unit_path(unit_id: int | None) -> tuple[int, ...]:
    """The unit and its ancestors, nearest first (a commune, then its province)."""
    path: list[int] = []
    while unit_id is not None and unit_id not in path and len(path) < 5:
        path.append(unit_id)
        row = await AdminUnit.select(AdminUnit.parent).where(AdminUnit.id == unit_id).first()
        unit_id = row["parent"] if row else None
    return tuple(path)


async def scope_of_unit(unit_id: int | None, agency_ids: set[int] | None = None) -> ObjectScope:
    return ObjectScope(unit_path=await unit_path(unit_id), agency_ids=frozenset(agency_ids or ()))


async def units_seen_by(actor: Actor) -> list[int] | None:
    """The units whose work a staff member sees: their own and, for a province, its communes.
    None for an admin, who sees everything; [] for staff attached to no unit."""
    if actor.role == Role.admin.value:
        return None
    if actor.unit_id is None:
        return []
    children = await AdminUnit.select(AdminUnit.id).where(AdminUnit.parent == actor.unit_id)
    return [actor.unit_id, *(row["id"] for row in children)]


async def unit_by_code(code: str | None) -> int | None:
    code = tidy(code)[:10]  # typed by a person: no control characters reach the database
    row = await AdminUnit.select(AdminUnit.id).where(AdminUnit.code == code).first() if code else None
    return row["id"] if row else None


async def unit_code(unit_id: int | None) -> str:
    row = await AdminUnit.select(AdminUnit.code).where(AdminUnit.id == unit_id).first() if unit_id else None
    return row["code"] if row else ""


async def agencies_serving(unit_ids: Iterable[int]) -> list[dict]:
    """The active agencies of these units, by name. Pass a unit's path (unit_path) for the agencies
    that serve that unit."""
    return await Agency.select(
        Agency.id, Agency.name, Agency.short_name, Agency.unit, Agency.unit.name.as_alias("unit_name"),
    ).where(Agency.unit.is_in(list(unit_ids) or [0]) & (Agency.active == True)).order_by(Agency.name)


async def topic_serves(topic: dict, unit_id: int | None) -> bool:
    """A topic of no unit serves every unit; otherwise its unit or the province above it."""
    return topic["unit"] is None or topic["unit"] in await unit_path(unit_id)


async def topics_serving(unit_id: int | None) -> list[dict]:
    """The active topics a conference of this unit may take, in list order."""
    path = list(await unit_path(unit_id)) or [0]
    return await Topic.select(Topic.all_columns(), Topic.unit.name.as_alias("unit_name")).where(
        (Topic.active == True) & (Topic.unit.is_null() | Topic.unit.is_in(path))
    ).order_by(Topic.position).order_by(Topic.id)
