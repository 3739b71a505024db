"""ASGI middleware of our own: the request's id, its language and the security headers."""

from __future__ import annotations

import itertools
import re
import uuid
from http.cookies import CookieError, SimpleCookie

from litestar.datastructures import MutableScopeHeaders
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from dialogue.core import i18n, logs
from dialogue.core.settings import LANGUAGES

LANGUAGE_COOKIE = "lang"

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
])

SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
    "cross-origin-opener-policy": "same-origin",
}


COOKIES = "dialogue.cookies"


def cookie_value(scope: Scope, name: str) -> str | None:
    """Read one cookie straight from the headers; a malformed header counts as absent. The headers
    are parsed once per request (the language, CSRF and session middleware each ask)."""
    cookies = scope.get(COOKIES)  # type: ignore[misc]
    if cookies is None or cookies[0] is not scope.get("headers"):
        cookies = scope[COOKIES] = (scope.get("headers"), _parse_cookies(scope))  # type: ignore[literal-required]
    return cookies[1].get(name)


def _parse_cookies(scope: Scope) -> dict[str, str]:
    found: dict[str, str] = {}
    for key, value in scope.get("headers", []):
        if key == b"cookie":
            jar = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except CookieError:
                continue
            for morsel_name, morsel in jar.items():
                found.setdefault(morsel_name, morsel.value)
    return found


# The machine-readable paths (the open-data API, Open311): their language comes from Accept-Language.
ACCEPT_LANGUAGE_PATHS = ("/api/v1", "/open311")


def accepted_language(header: str) -> str | None:
    """The first of our languages in an Accept-Language header, by its q-values ("en-US,vi;q=0.5")."""
    ranked = []
    for position, item in enumerate(header.split(",")[:20]):
        tag, _sep, params = item.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _eq, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        primary = tag.strip().split("-")[0].lower()
        if primary in LANGUAGES and quality > 0:
            ranked.append((-quality, position, primary))
    return min(ranked)[2] if ranked else None


def language_of_request(scope: Scope, default_language: str) -> str:
    """The `lang` cookie's language for pages; Accept-Language's for the API (default: the setting)."""
    if scope.get("path", "").startswith(ACCEPT_LANGUAGE_PATHS):
        header = next((value.decode("latin-1") for key, value in scope.get("headers", [])
                       if key == b"accept-language"), "")
        return accepted_language(header) or default_language
    chosen = cookie_value(scope, LANGUAGE_COOKIE)
    return chosen if chosen in LANGUAGES else default_language


class LanguageMiddleware:
    """Set the language of this request (language_of_request)."""

    def __init__(self, app: ASGIApp, default_language: str = "vi") -> None:
        self.app = app
        self.default_language = default_language

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            i18n.set_language(language_of_request(scope, self.default_language))
        await self.app(scope, receive, send)


ASKERS_OWN_PAGES = re.compile(r"^/(q/[^/]+/manage|confirm|follow)/")  # each reached by a secret link


def is_private(scope: Scope) -> bool:
    """A response no browser or proxy may keep (a shared ward-office computer keeps its cache after
    sign-out): every page for a signed-in user, an asker's own pages (their secret link), and what a
    form post answers (the confirmation page shows the private link once). Where a handler says how
    its response may be cached (static files, feeds, public documents), it is not overridden."""
    return bool(scope.get("user")) or scope.get("method") == "POST" or bool(ASKERS_OWN_PAGES.match(scope["path"]))


def security_headers_hook(hsts: bool):
    """A before_send hook: it sees every response, error pages for unknown paths included,
    which route middleware would not."""
    headers = dict(SECURITY_HEADERS)
    if hsts:
        headers["strict-transport-security"] = "max-age=31536000; includeSubDomains"

    async def add_security_headers(message: Message, scope: Scope) -> None:
        if message["type"] == "http.response.start":
            present = MutableScopeHeaders.from_message(message)
            for key, value in headers.items():
                if key not in present:
                    present[key] = value
            if "cache-control" not in present and is_private(scope):
                present["cache-control"] = "private, no-store"
                present["x-robots-tag"] = "noindex"

    return add_security_headers


PLAUSIBLE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
# Our own ids: random per process, then counted (unique without asking the system for randomness
# on every request, which uuid4 does).
PROCESS_ID = uuid.uuid4().hex[:16]
SEQUENCE = itertools.count(1)


class RequestIdMiddleware:
    """Every request gets an id (the proxy's X-Request-ID when it looks like one), which the logs
    carry and the response returns, so a user's report can be matched with the log lines."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = next((value.decode("latin-1") for key, value in scope["headers"] if key == b"x-request-id"), "")
        current = given if PLAUSIBLE_REQUEST_ID.fullmatch(given) else f"{PROCESS_ID}{next(SEQUENCE):016x}"
        token = logs.request_id.set(current)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableScopeHeaders.from_message(message)["x-request-id"] = current
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            logs.request_id.reset(token)
