"""Who acts, and who may do what to which object: the one place for these rules.

A route guard only says "this role may use this page"; every command that reads or changes an
object also asks `require(actor, action, scope_of_object)` (the transition helper asks it for
every change of state), so an officer of agency A can never reach agency B's items by any route
or id. Where an object belongs (its units and agencies) is worked out by the domain that owns it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from dialogue.core.errors import Forbidden
from dialogue.core.i18n import gettext as _
from dialogue.core.vocabulary import N_, declare


class Role(str, Enum):
    admin = "admin"
    organiser = "organiser"  # commune/ward People's Committee office, Fatherland Front
    secretary = "secretary"  # records the live session
    agency_officer = "agency_officer"
    agency_head = "agency_head"
    viewer = "viewer"  # leadership: read-only dashboards
    inspector = "inspector"  # surprise re-inspections of commitments reported done
    data_protection = "data_protection"  # answers askers' personal-data requests (Law 91/2025)


declare("role", {
    Role.admin.value: N_("Administrator"), Role.organiser.value: N_("Organiser"),
    Role.secretary.value: N_("Secretary"), Role.agency_officer.value: N_("Agency officer"),
    Role.agency_head.value: N_("Agency head"), Role.viewer.value: N_("Leadership (read only)"),
    Role.inspector.value: N_("Inspector"), Role.data_protection.value: N_("Data protection officer"),
})

R = Role
# action -> roles that may take it at all (scope is checked separately)
ROLE_ACTIONS: dict[str, frozenset[Role]] = {
    "administer": frozenset({R.admin}),
    "read": frozenset({R.admin, R.organiser, R.secretary, R.viewer, R.agency_officer, R.agency_head, R.inspector}),
    "organise": frozenset({R.admin, R.organiser}),  # conferences, screening, routing
    "record_session": frozenset({R.admin, R.organiser, R.secretary}),
    "answer": frozenset({R.agency_officer, R.agency_head}),
    "approve": frozenset({R.agency_head}),
    # a commitment's own work: start, progress notes, report done (the scope says which agency's)
    "work_on_commitment": frozenset({R.admin, R.agency_officer, R.agency_head}),
    # surprise re-inspection rounds of the unit: plan, record findings (a "not done" disputes), close
    "inspect": frozenset({R.admin, R.organiser, R.inspector}),
    # an agency's API tokens for its own systems: create, revoke
    "manage_tokens": frozenset({R.admin, R.agency_head}),
    # askers' personal-data requests of the unit: the queue, extend a deadline, complete or refuse
    "handle_data_requests": frozenset({R.admin, R.data_protection}),
}
AGENCY_ROLES = frozenset({R.agency_officer.value, R.agency_head.value})
UNIT_ROLES = frozenset({R.organiser.value, R.secretary.value, R.viewer.value, R.inspector.value,
                        R.data_protection.value})


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
    def staff(cls, user: dict) -> Actor:
        return cls(kind="staff", staff_id=user["id"], role=user["role"], ref=user["email"],
                   agency_id=user.get("agency"), unit_id=user.get("unit"))

    @classmethod
    def public(cls, reference: str) -> Actor:
        return cls(kind="public", ref=reference)

    @classmethod
    def system(cls, name: str) -> Actor:
        return cls(kind="system", ref=name)

    @classmethod
    def token(cls, token_id: int, name: str, agency_id: int) -> Actor:
        """An agency's own system, by its API token: the agency's officer, never its head (so it
        never approves); what it may use besides is the token's scopes (web/agency_api.py)."""
        return cls(kind="token", ref=f"token {token_id}: {name}", role=R.agency_officer.value, agency_id=agency_id)


@dataclass(frozen=True)
class ObjectScope:
    """Where an object belongs: the units above it (its own first) and the agencies it is assigned to."""

    unit_path: tuple[int, ...] = ()
    agency_ids: frozenset[int] = field(default_factory=frozenset)


ADMIN_SCOPE = ObjectScope()  # what only an admin may touch: reference data, accounts


def may(actor: Actor, action: str, scope: ObjectScope) -> bool:
    allowed = {role.value for role in ROLE_ACTIONS.get(action, frozenset())}
    if actor.kind not in ("staff", "token") or actor.role not in allowed:
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
