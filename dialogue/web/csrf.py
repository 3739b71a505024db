"""CSRF protection that answers 403, never 500, whatever the token looks like.

Litestar 2's CSRFMiddleware compares tokens with secrets.compare_digest, which raises
TypeError on non-ASCII text, and trusts that the form body parses. This subclass refuses
such tokens as a mismatch, turns a body that cannot be parsed into a refusal, and
ignores a malformed cookie so that the next page issues a good one. It also renews the
token when a handler asks (renew_csrf_token: at sign-in and sign-out), so that a token
known before a change of who is signed in is worth nothing after it.

A visitor without a CSRF cookie gets one only from a page that has a form: the token is made when
a template first asks for it (`csrf_token()`), not for every request. Reading pages is most of the
traffic, and none of it needs a token, a cookie or the hashing that makes them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import PermissionDeniedException
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.middleware.csrf import CSRFMiddleware, generate_csrf_token
from litestar.types import Empty, Message, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState

from dialogue.web.middleware import cookie_value

MAX_TOKEN_LENGTH = 256
RENEW = "dialogue.renew_csrf"
LAZY_SECRET = "dialogue.csrf_secret"  # in the scope of a safe request without a cookie: a token may be made


def renew_csrf_token(connection: ASGIConnection) -> None:
    """Give this response a new CSRF cookie: forms rendered before it no longer post."""
    connection.scope[RENEW] = True  # type: ignore[literal-required]


def csrf_token(context: Mapping[str, Any], /) -> str:
    """The template callable `csrf_token()`: the request's token, made now if this visitor has none."""
    scope = context["request"].scope
    state = ScopeState.from_scope(scope)
    if state.csrf_token is Empty:
        secret = scope.get(LAZY_SECRET)
        if secret is None:
            return ""
        state.csrf_token = generate_csrf_token(secret)
    return state.csrf_token


def _plausible(token: str | None) -> bool:
    return bool(token) and len(token) <= MAX_TOKEN_LENGTH and token.isascii()  # type: ignore[union-attr]


class SafeCSRFMiddleware(CSRFMiddleware):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            cookie = cookie_value(scope, self.config.cookie_name)
            if cookie is not None and (not _plausible(cookie) or self._decode_csrf_token(cookie) is None):
                scope["headers"] = _without_cookie(scope["headers"], self.config.cookie_name)
                cookie = None
            if cookie is None and scope["method"] in self.config.safe_methods:
                await self._without_token_yet(scope, receive, send)
                return
            if scope["method"] not in self.config.safe_methods:
                # Parse the form here (Litestar caches it for the handler), so that a body
                # that is not the form it claims to be is refused rather than crashing.
                request = scope["litestar_app"].request_class(scope=scope, receive=receive)
                try:
                    await request.form()
                except RequestEntityTooLarge:
                    raise  # 413, said as such (before the body is read when its length is announced)
                except Exception as error:
                    raise PermissionDeniedException("CSRF token verification failed") from error

            async def send_renewing(message: Message) -> None:
                if message["type"] == "http.response.start" and scope.get(RENEW):
                    self._set_cookie_if_needed(message, generate_csrf_token(self.config.secret))
                await send(message)

            await super().__call__(scope, receive, send_renewing)
            return
        await super().__call__(scope, receive, send)

    async def _without_token_yet(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A safe request from a visitor with no (valid) cookie: the cookie goes out only if the page
        asked for a token."""
        scope[LAZY_SECRET] = self.config.secret  # type: ignore[literal-required]
        state = ScopeState.from_scope(scope)

        async def send_if_made(message: Message) -> None:
            if message["type"] == "http.response.start" and state.csrf_token is not Empty:
                self._set_cookie_if_needed(message, state.csrf_token)
            await send(message)

        await self.app(scope, receive, send_if_made)

    def _csrf_tokens_match(self, request_csrf_token: str, cookie_csrf_token: str) -> bool:
        if not isinstance(request_csrf_token, str) or not _plausible(request_csrf_token):
            return False
        if not _plausible(cookie_csrf_token):
            return False
        return super()._csrf_tokens_match(request_csrf_token, cookie_csrf_token)


def _without_cookie(headers, name: str):
    """The request headers with one cookie taken out of every Cookie header."""
    kept = []
    for key, value in headers:
        if key == b"cookie":
            parts = [part for part in value.decode("latin-1").split(";") if part.strip().split("=", 1)[0] != name]
            if not parts:
                continue
            value = ";".join(parts).strip().encode("latin-1")
        kept.append((key, value))
    return kept
