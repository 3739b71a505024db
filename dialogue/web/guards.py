"""Route guards: small functions that raise. Object-level rules live in the services."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from dialogue.machine.actors import Actor, Role

R = Role

# Each role's home page (a route name), where sign-in lands.
HOMES = {
    R.admin.value: "admin_home",
    R.organiser.value: "organiser_home",
    R.secretary.value: "secretary_home",
    R.agency_officer.value: "agency_home",
    R.agency_head.value: "agency_home",
    R.viewer.value: "dashboard",
    R.inspector.value: "inspection_rounds",
    R.data_protection.value: "data_requests",
}


def current_user(connection: ASGIConnection) -> dict[str, Any] | None:
    return connection.scope.get("user")  # type: ignore[return-value]


def actor_of(connection: ASGIConnection) -> Actor:
    user = current_user(connection)
    if user is None:
        raise NotAuthorizedException()
    return Actor.staff(user)


def signed_in(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    if current_user(connection) is None:
        raise NotAuthorizedException()


def roles(*allowed: Role):
    names = {role.value for role in allowed}

    def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
        user = current_user(connection)
        if user is None:
            raise NotAuthorizedException()
        if user["role"] not in names:
            raise PermissionDeniedException()

    guard.__name__ = "roles_" + "_".join(sorted(names))
    return guard
