"""The asker's confirmation link (/confirm/<token>): was the commitment reported done really done?
No account; the token in the address is the proof. Opening the page changes nothing (mail scanners
open links); each answer is a POST that checks the token again. Thin handlers over
dialogue.commitments.confirmation."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Template

from dialogue.commitments import confirmation
from dialogue.core.errors import Conflict, InvalidInput, NotFound
from dialogue.web.forms import form_data

MAX_ECHO = 5_000  # characters of the reason shown back when it is refused (the limit is 1,000)
# The address carries a secret: no other site may see it in a Referer, no cache or index keep the page.
PRIVATE = {"cache-control": "no-store", "referrer-policy": "no-referrer", "x-robots-tag": "noindex"}


def gone(error: NotFound) -> Template:
    """A link that does not work: 410 for one that worked once (used, expired, moved on), 404 otherwise."""
    status = 410 if isinstance(error, confirmation.LinkGone) else 404
    return Template(template_name="public/confirm_gone.html", status_code=status, headers=PRIVATE,
                    context={"message": str(error)})


class ConfirmationController(Controller):
    path = "/confirm"

    @get("/{token:str}", name="confirm_commitment")
    async def page(self, request: Request, token: FromPath[str]) -> Template:
        try:
            view = await confirmation.open_link(token, request.app.state.clock())
        except NotFound as error:
            return gone(error)
        return Template(template_name="public/confirm.html", headers=PRIVATE,
                        context={"view": view, "errors": {}, "values": {}})

    # Exempt from CSRF like the unsubscribe form: the secret token in the address is the authority,
    # and both handlers check it again before anything changes.
    @post("/{token:str}/yes", exclude_from_csrf=True, name="confirm_commitment_yes")
    async def yes(self, request: Request, token: FromPath[str]) -> Template:
        try:
            view = await confirmation.confirm(token, request.app.state.clock())
        except NotFound as error:
            return gone(error)
        return Template(template_name="public/confirm_done.html", headers=PRIVATE,
                        context={"view": view, "confirmed": True})

    @post("/{token:str}/no", exclude_from_csrf=True, name="confirm_commitment_no")
    async def no(self, request: Request, token: FromPath[str]) -> Template:
        form = await form_data(request)
        clock, settings = request.app.state.clock, request.app.state.settings
        try:
            view = await confirmation.dispute(token, form, clock(), settings.base_url)
        except (InvalidInput, Conflict) as error:
            # The form again with the reason kept: refused, or the commitment changed meanwhile (then
            # the page shows it as it is now, unless the link can no longer be used at all).
            try:
                view = await confirmation.open_link(token, clock())
            except NotFound as gone_error:
                return gone(gone_error)
            invalid = isinstance(error, InvalidInput)
            return Template(template_name="public/confirm.html", status_code=400 if invalid else 409, headers=PRIVATE,
                            context={"view": view, "errors": error.errors if invalid else {"reason": str(error)},
                                     "values": {"reason": (form.get("reason") or "")[:MAX_ECHO]}})
        except NotFound as error:
            return gone(error)
        return Template(template_name="public/confirm_done.html", headers=PRIVATE,
                        context={"view": view, "confirmed": False})

