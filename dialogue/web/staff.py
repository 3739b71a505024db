"""Each role's home page after sign-in."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.response import Redirect, Template

from dialogue.reference.admin import list_agencies
from dialogue.conferences.service import conferences_in_units
from dialogue.accounts.tables import StaffUser
from dialogue.web.guards import HOMES, current_user, roles, signed_in
from dialogue.web.organiser import units_of

R = StaffUser.Role


class StaffController(Controller):
    path = "/"

    @get("/staff", guards=[signed_in], name="staff")
    async def staff(self, request: Request) -> Redirect:
        return Redirect(path=request.app.route_reverse(HOMES[current_user(request)["role"]]))

    @get("/secretary", guards=[roles(R.secretary, R.admin)], name="secretary_home")
    async def secretary_home(self, request: Request) -> Template:
        user = current_user(request)
        return Template(template_name="staff/secretary.html",
                        context={"conferences": await conferences_in_units(units_of(user))})

    @get("/dashboard", guards=[roles(R.viewer, R.admin)], name="dashboard")
    async def dashboard(self, request: Request) -> Template:
        user = current_user(request)
        units = units_of(user)
        agencies = [a for a in await list_agencies(include_inactive=False) if units is None or a["unit"] in units]
        return Template(template_name="staff/dashboard.html", context={
            "conferences": await conferences_in_units(units), "agencies": agencies,
        })
