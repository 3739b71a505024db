"""Staff sessions: Litestar's server-side sessions on our database, with the session id
rotated at sign-in, and the signed-in user loaded for every request.

Anonymous visitors get no session row and no cookie: only signing in creates one.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection
from litestar.middleware.session.server_side import ServerSideSessionBackend, ServerSideSessionConfig
from litestar.types import ASGIApp, Empty, Message, Receive, Scope, ScopeSession, Send

from dialogue.accounts.commands import active_user
from dialogue.core.clock import Clock, as_utc

ROTATE = "_rotate"  # put in the session data by sign-in: the next response gets a new session id
ROTATED_ID = "dialogue.session_id"
SESSION_COOKIE = "dialogue_session"
UNAUTHENTICATED_PATHS = ("/static/",)


class RotatingSessionBackend(ServerSideSessionBackend):
    """The stock backend keeps whatever id the cookie carries; this one issues a fresh id at
    sign-in (against session fixation) and stores nothing for visitors who never sign in."""

    def get_session_id(self, connection: ASGIConnection) -> str:
        """The cookie's id, or the one given at sign-in; "" for a visitor who has none. The stock
        backend makes a random id for every such request, which only storing needs (below)."""
        cookie_id = connection.cookies.get(self.config.key)
        return connection.scope.get(ROTATED_ID) or (cookie_id if cookie_id and cookie_id != "null" else "")  # type: ignore[return-value]

    async def store_in_message(self, scope_session: ScopeSession, message: Message, connection: ASGIConnection) -> None:
        cookie_id = connection.cookies.get(self.config.key)
        has_cookie = bool(cookie_id) and cookie_id != "null"
        if scope_session is not Empty and not scope_session:
            if not has_cookie:
                return  # an anonymous visitor: no row, no cookie
            scope_session = Empty
        if scope_session is not Empty and scope_session.pop(ROTATE, False):  # type: ignore[union-attr]
            if has_cookie:
                await self.delete(cookie_id, store=self.config.get_store_from_app(connection.scope["app"]))
            connection.scope[ROTATED_ID] = self.generate_session_id()  # type: ignore[literal-required]
        elif not has_cookie and not connection.scope.get(ROTATED_ID):
            connection.scope[ROTATED_ID] = self.generate_session_id()  # type: ignore[literal-required]
        await super().store_in_message(scope_session, message, connection)


@dataclass
class RotatingSessionConfig(ServerSideSessionConfig):
    _backend_class = RotatingSessionBackend  # type: ignore[assignment]


def session_config(idle_minutes: int, secure: bool) -> RotatingSessionConfig:
    """The store's expiry is the idle timeout: every request of a signed-in user renews it."""
    return RotatingSessionConfig(
        key=SESSION_COOKIE, max_age=idle_minutes * 60, secure=secure, httponly=True, samesite="lax",
        exclude=["^/static/"], store="sessions",
    )


def client_address(scope: Scope, trusted_proxies: tuple[str, ...]) -> str:
    """The client's address: X-Forwarded-For is believed only when the peer is a trusted proxy,
    and then read from the right, skipping our own proxies."""
    peer = (scope.get("client") or ("unknown", 0))[0]
    networks = [ipaddress.ip_network(net) for net in trusted_proxies]

    def trusted(address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in net for net in networks)

    if not networks or not trusted(peer):
        return peer
    forwarded = ",".join(
        value.decode("latin-1") for key, value in scope.get("headers", []) if key == b"x-forwarded-for"
    )
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not trusted(hop):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # a forged, malformed hop: fall back to what we know
    return peer


class StaffMiddleware:
    """Put the signed-in user (a dict) or None in scope["user"], enforcing absolute expiry and
    ending sessions whose account was closed or whose password changed."""

    def __init__(self, app: ASGIApp, max_hours: int, clock: Clock) -> None:
        self.app = app
        self.max_age = dt.timedelta(hours=max_hours)
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope["user"] = None
            if not scope["path"].startswith(UNAUTHENTICATED_PATHS):
                scope["user"] = await self._load(scope)
        await self.app(scope, receive, send)

    async def _load(self, scope: Scope) -> dict[str, Any] | None:
        session = scope.get("session")
        if not session or session is Empty or "uid" not in session:
            return None
        try:
            signed_in_at = as_utc(dt.datetime.fromisoformat(session["signed_in_at"]))
            user = None
            if self.clock() - signed_in_at < self.max_age:
                user = await active_user(int(session["uid"]), int(session["auth_version"]))
        except (KeyError, TypeError, ValueError):
            user = None
        if user is None:
            scope["session"] = Empty  # ends the session: the store row is deleted on the way out
        return user
