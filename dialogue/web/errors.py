"""Domain and HTTP errors mapped to friendly pages, in one place. Nothing internal leaks."""

from __future__ import annotations

import logging
from urllib.parse import quote

from litestar import Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException
from litestar.response import Redirect, Template

from dialogue.core.db import outage, unavailable
from dialogue.core.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound, Throttled
from dialogue.core.i18n import current_language, set_language
from dialogue.core.i18n import gettext as _
from dialogue.web.api import Problem, is_api
from dialogue.web.middleware import LANGUAGE_COOKIE, language_of_request

log = logging.getLogger("dialogue.web")


def _titles() -> dict[int, tuple[str, str]]:
    return {
        400: (_("The request could not be understood"),
              _("Something in the request was not in the form we expected. Go back and try again.")),
        401: (_("Authentication needed"),
              _("This needs a valid access token: send it as Authorization: Bearer <token>.")),
        403: (_("You cannot do this"),
              _("You do not have permission for this page or action, or the form had expired. "
                "Go back, reload the page and try again.")),
        404: (_("Page not found"),
              _("We could not find the page you asked for. Check the address, or start again from the home page.")),
        405: (_("This action is not available here"),
              _("The page does not accept this kind of request. Start again from the home page.")),
        413: (_("What you sent is too large"),
              _("Send something smaller and try again.")),
        429: (_("Too many attempts"),
              _("Please wait a little and try again.")),
        500: (_("Something went wrong on our side"),
              _("The problem has been recorded. Please try again in a few minutes.")),
        503: (_("The service is briefly unavailable"),
              _("We cannot reach our database at the moment. Nothing you did caused this. "
                "Please try again in a minute.")),
    }


RETRY_AFTER_SECONDS = 30


def error_page(request: Request, status_code: int, detail: str | None = None,
               errors: dict[str, str] | None = None) -> Response:
    """The error as a page, or as problem details (RFC 9457) under the API's paths."""
    if is_api(request.url.path):
        return problem(request, status_code, detail, errors)
    # A request that matched no route never passed the language middleware.
    set_language(request.cookies.get(LANGUAGE_COOKIE) or request.app.state.settings.default_language)
    titles = _titles()
    title, message = titles.get(status_code, titles[500] if status_code >= 500 else titles[400])
    return Template(
        template_name="errors/error.html",
        context={"status_code": status_code, "title": title, "message": detail or message},
        status_code=status_code,
    )


def problem(request: Request, status_code: int, detail: str | None = None,
            errors: dict[str, str] | None = None) -> Response:
    # Its language from Accept-Language: an unmatched path never passed the language middleware.
    set_language(language_of_request(request.scope, request.app.state.settings.default_language))
    titles = _titles()
    title, message = titles.get(status_code, titles[500] if status_code >= 500 else titles[400])
    body = Problem(type="about:blank", title=title, status=status_code, detail=detail or message,
                   instance=request.url.path, errors=errors or None)
    return Response(content=body, status_code=status_code, media_type="application/problem+json",
                    headers={"content-language": current_language()})


def http_exception_handler(request: Request, exc: HTTPException) -> Response:
    errors = None
    if is_api(request.url.path) and exc.status_code == 400 and isinstance(exc.extra, list):
        # Litestar's validation: which parameter, and what was wrong with it
        errors = {str(item.get("key", "")): _("This value cannot be used here.")
                  for item in exc.extra if isinstance(item, dict)} or None
    response = error_page(request, exc.status_code, errors=errors)
    if exc.headers:
        response.headers.update(exc.headers)
    if exc.status_code == 429 and "RateLimit-Reset" in (exc.headers or {}):
        response.headers["retry-after"] = exc.headers["RateLimit-Reset"]  # Litestar sends none of its own
    return response


def sign_in_redirect_handler(request: Request, exc: NotAuthorizedException) -> Response:
    """A page for staff only, asked for without a session: sign in first, then come back."""
    if is_api(request.url.path):
        response = error_page(request, 401)
        response.headers.update(exc.headers or {"www-authenticate": "Bearer"})
        return response
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return Redirect(path=request.app.route_reverse("sign_in") + f"?next={quote(target, safe='')}", status_code=303)


def domain_error_handler(request: Request, exc: DomainError) -> Response:
    status = 403 if isinstance(exc, Forbidden) else 404 if isinstance(exc, NotFound) else \
        409 if isinstance(exc, Conflict) else 429 if isinstance(exc, Throttled) else 400
    return error_page(request, status, str(exc) or None, exc.errors if isinstance(exc, InvalidInput) else None)


def internal_error_handler(request: Request, exc: Exception) -> Response:
    if unavailable(exc):
        return unavailable_page(request, exc)
    log.exception("Unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_page(request, 500)


def unavailable_page(request: Request, exc: BaseException, response: Response | None = None) -> Response:
    """503 with Retry-After, logged once per outage (see core.db.Outage)."""
    outage.failed(exc)
    response = response or error_page(request, 503)
    response.headers["retry-after"] = str(RETRY_AFTER_SECONDS)
    return response


async def outage_over_hook(message, scope) -> None:
    """During an outage, a page served (2xx or 3xx) is the moment to ask the database whether it is
    back (a before_send hook: one comparison per response while nothing is wrong)."""
    if outage.since is not None and message["type"] == "http.response.start" and 200 <= message["status"] < 400:
        outage.check_soon()


EXCEPTION_HANDLERS = {
    NotAuthorizedException: sign_in_redirect_handler,
    DomainError: domain_error_handler,
    HTTPException: http_exception_handler,
    Exception: internal_error_handler,
}
