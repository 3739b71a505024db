"""The organisers' view of a conference's satisfaction ratings: figures and anonymous comments.
The asker's rating form lives on their private page (web/public.py)."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.params import FromPath
from litestar.response import Template

from dialogue.conferences.queries import get_conference
from dialogue.machine.actors import Role
from dialogue.ratings import queries as ratings
from dialogue.ratings.commands import DIMENSIONS
from dialogue.web.admin import checked_id
from dialogue.web.guards import actor_of, roles

R = Role


class OrganiserRatingsController(Controller):
    path = "/organiser/conferences/{conference_id:int}/ratings"
    guards = [roles(R.organiser, R.admin)]

    @get("/", name="conference_ratings")
    async def show(self, request: Request, conference_id: FromPath[int]) -> Template:
        conference = await get_conference(checked_id(conference_id))
        view = await ratings.staff_view(actor_of(request), conference, request.app.state.settings.rating_min_count)
        return Template(template_name="organiser/ratings.html", context={**view, "dimensions": DIMENSIONS})
