"""Each role's home page after sign-in."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.response import Redirect, Template

from dialogue.conferences.queries import conferences_in_units
from dialogue.machine.actors import Role
from dialogue.reference.units import units_seen_by
from dialogue.web.guards import HOMES, actor_of, current_user, roles, signed_in

R = Role


class StaffController(Controller):
    path = "/"

    @get("/staff", guards=[signed_in], name="staff")
    async def staff(self, request: Request) -> Redirect:
        return Redirect(path=request.app.route_reverse(HOMES[current_user(request)["role"]]))

    @get("/secretary", guards=[roles(R.secretary, R.admin)], name="secretary_home")
    async def secretary_home(self, request: Request) -> Template:
        return Template(template_name="staff/secretary.html",
                        context={"conferences": await conferences_in_units(await units_seen_by(actor_of(request)))})
