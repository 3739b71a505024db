"""The agency's API tokens (accounts/tokens.py): its head, or an admin, names one, chooses what it may
do and for how long, copies it from the page that creates it (it is never shown again), and revokes
it."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get, post
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template

from dialogue.accounts import tokens
from dialogue.core.errors import InvalidInput
from dialogue.core.text import parse_id
from dialogue.machine.actors import Role
from dialogue.web.forms import form_data
from dialogue.web.guards import actor_of, roles

R = Role


def agency_of(request: Request, raw: str) -> int:
    """The head's own agency; for an admin, the one asked for."""
    actor = actor_of(request)
    if actor.role == R.admin.value:
        return parse_id(raw) or 0
    return actor.agency_id or 0


class TokensController(Controller):
    path = "/agency/tokens"
    guards = [roles(R.agency_head, R.admin)]

    async def _page(self, request: Request, agency_id: int, errors: dict | None = None, values: dict | None = None,
                    created: str = "", status_code: int = 200) -> Template:
        actor = actor_of(request)
        agency = await tokens.agency_named(agency_id)  # None: an admin who has not chosen one yet
        return Template(template_name="agency/tokens.html", status_code=status_code, context={
            "agency": agency, "scopes": tokens.SCOPES,
            "tokens": await tokens.of_agency(actor, agency_id, request.app.state.clock()) if agency else [],
            "errors": errors or {}, "values": values or {"days": str(tokens.DEFAULT_DAYS), "scopes": ["read"]},
            "created": created, "max_days": tokens.MAX_DAYS,
            "agencies": await tokens.agency_choices() if actor.role == R.admin.value else [],
        })

    @get("/", name="agency_tokens")
    async def list(self, request: Request,
                   agency: Annotated[str, QueryParameter(name="agency", max_length=12)] = "") -> Template:
        return await self._page(request, agency_of(request, agency))

    @post("/", name="agency_token_create")
    async def create(self, request: Request) -> Template:
        form = await form_data(request, lists=("scopes",))
        agency_id = agency_of(request, form.get("agency", ""))
        values = {**form, "scopes": [s for s in form.get("scopes", "").split(",") if s]}
        try:
            _token_id, plain = await tokens.create(actor_of(request), agency_id, values, request.app.state.clock())
        except InvalidInput as error:
            return await self._page(request, agency_id, error.errors, values, status_code=400)
        return await self._page(request, agency_id, created=plain)

    @post("/{token_id:int}/revoke", name="agency_token_revoke")
    async def revoke(self, request: Request, token_id: FromPath[int]) -> Redirect:
        form = await form_data(request)
        await tokens.revoke(actor_of(request), token_id, request.app.state.clock())
        agency = parse_id(form.get("agency", ""))
        return Redirect(path=request.app.route_reverse("agency_tokens") + (f"?agency={agency}" if agency else ""),
                        status_code=303)
