"""Who may do what to which object: the one place for these rules.

A route guard only says "this role may use this page"; every service that reads or
changes an object also asks `require(actor, action, scope_of_object)`, so an officer of
agency A can never reach agency B's items by any route or id.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dialogue.errors import Forbidden
from dialogue.i18n import gettext as _
from dialogue.services.audit import Actor
from dialogue.tables import AdminUnit, StaffUser

R = StaffUser.Role

# action -> roles that may take it at all (scope is checked separately)
ROLE_ACTIONS: dict[str, set[str]] = {
    "administer": {R.admin},
    "read": {R.admin, R.organiser, R.secretary, R.viewer, R.agency_officer, R.agency_head},
    "organise": {R.admin, R.organiser},  # conferences, screening, routing
    "record_session": {R.admin, R.organiser, R.secretary},
    "answer": {R.agency_officer, R.agency_head},
    "approve": {R.agency_head},
}
AGENCY_ROLES = {R.agency_officer.value, R.agency_head.value}
UNIT_ROLES = {R.organiser.value, R.secretary.value, R.viewer.value}


@dataclass(frozen=True)
class ObjectScope:
    """Where an object belongs: the units above it (its own first) and the agencies it is assigned to."""

    unit_path: tuple[int, ...] = ()
    agency_ids: frozenset[int] = field(default_factory=frozenset)


def may(actor: Actor, action: str, scope: ObjectScope) -> bool:
    if actor.kind != "staff" or actor.role not in {role.value for role in ROLE_ACTIONS.get(action, set())}:
        return False
    if actor.role == R.admin.value:
        return True
    if actor.role in AGENCY_ROLES:
        return actor.agency_id is not None and actor.agency_id in scope.agency_ids
    if actor.role in UNIT_ROLES:
        return actor.unit_id is not None and actor.unit_id in scope.unit_path
    return False


def require(actor: Actor, action: str, scope: ObjectScope) -> None:
    if not may(actor, action, scope):
        raise Forbidden(_("You do not have permission to do this."))


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
