"""Where an object belongs in the tree of administrative units, for permission checks."""

from __future__ import annotations

from dialogue.machine.actors import ObjectScope
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
