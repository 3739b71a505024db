"""Where an object belongs in the tree of administrative units, for permission checks."""

from __future__ import annotations

from dialogue.machine.actors import Actor, ObjectScope, Role
from dialogue.reference.tables import AdminUnit


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


async def unit_code(unit_id: int | None) -> str:
    row = await AdminUnit.select(AdminUnit.code).where(AdminUnit.id == unit_id).first() if unit_id else None
    return row["code"] if row else ""
