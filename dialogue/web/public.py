"""Public pages: no account needed, work without JavaScript."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from litestar import Controller, Request, get
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template
from typing_extensions import Annotated

from dialogue.services.conferences import upcoming_public_conferences
from dialogue.settings import LANGUAGES
from dialogue.web.middleware import LANGUAGE_COOKIE


def safe_next(target: str | None) -> str:
    """Only a path on this site: never another host (an open redirect), and always a valid
    Location header (control characters refused, anything else percent-encoded)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in target) or len(target) > 2000:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    return quote(target, safe="/?&=%#:@!$'()*+,;~-._")


class PublicController(Controller):
    path = "/"

    @get("/", name="home")
    async def home(self) -> Template:
        conferences = await upcoming_public_conferences()
        return Template(template_name="public/home.html", context={"conferences": conferences})

    @get("/language/{code:str}", name="language")
    async def switch_language(
        self, request: Request, code: FromPath[str], next_: Annotated[str | None, QueryParameter(name="next")] = None
    ) -> Redirect:
        response = Redirect(path=safe_next(next_))
        if code in LANGUAGES:
            response.set_cookie(
                LANGUAGE_COOKIE, code, max_age=365 * 24 * 3600, httponly=True, samesite="lax",
                secure=request.app.state.settings.secure_cookies,
            )
        return response
