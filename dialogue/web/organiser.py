"""The organiser's pages: conferences (editing and life cycle), what arrived, and the e-mail sent."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get, post
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template

from dialogue.agenda import commands as agenda_commands
from dialogue.answers import release
from dialogue.conferences import commands
from dialogue.conferences import queries as conferences
from dialogue.conferences.machine import BY_PUBLISHING, CONFERENCE, CONFIRMED_STEPS
from dialogue.core.errors import Conflict, InvalidInput, NotFound
from dialogue.core.i18n import gettext as _
from dialogue.core.i18n import local
from dialogue.machine import log as audit
from dialogue.machine.actors import Role, may
from dialogue.mail import outbox
from dialogue.privacy import access
from dialogue.questions import queries as question_queries
from dialogue.reference.units import scope_of_unit, unit_by_code, unit_code, units_seen_by
from dialogue.web.admin import checked_id
from dialogue.web.forms import form_data
from dialogue.web.guards import actor_of, current_user, roles

R = Role


def kind_options() -> list[tuple[str, str]]:
    return [("residents", _("Dialogue with residents")), ("businesses", _("Dialogue with businesses")),
            ("thematic", _("Thematic dialogue"))]


def policy_options() -> list[tuple[str, str]]:
    return [("on_approval", _("As soon as each answer is approved")),
            ("at_session", _("All together when the session starts"))]


def form_values(conference: dict) -> dict:
    """A stored conference as the form shows it (local dates and times)."""
    values = {key: conference.get(key) or "" for key in (
        "title", "kind", "co_organiser", "venue", "online_url", "description", "release_policy")}
    values["unit"] = conference.get("unit_code") or ""
    values["answer_days"] = str(conference.get("answer_days") or 10)
    for prefix in ("starts", "ends", "questions_open", "questions_close"):
        moment = conference.get(f"{prefix}_at")
        values[f"{prefix}_day"] = local(moment).strftime("%d/%m/%Y") if moment else ""
        values[f"{prefix}_time"] = local(moment).strftime("%H:%M") if moment else ""
    return values


class OrganiserController(Controller):
    path = "/organiser"
    guards = [roles(R.organiser, R.admin)]

    @get("/", name="organiser_home")
    async def home(self, request: Request) -> Template:
        return Template(template_name="organiser/home.html", context={
            "conferences": await conferences.conferences_in_units(await units_seen_by(actor_of(request)))})

    async def _form_context(self, request: Request, conference: dict | None, values: dict) -> dict:
        """The form with the topics of the unit it is for: the unit typed (if the actor may organise
        it), else the conference's, else the actor's own; an admin with no unit yet sees every topic."""
        actor = actor_of(request)
        unit = await unit_by_code(values.get("unit") or "")
        if unit is None or not may(actor, "organise", await scope_of_unit(unit)):
            unit = conference["unit"] if conference else actor.unit_id
        return {"conference": conference, "kinds": kind_options(), "policies": policy_options(), "form_unit": unit,
                "all_topics": await conferences.topic_choices(unit, conference["id"] if conference else None),
                "values": values, "errors": {}}

    @get("/conferences/new", name="organiser_conference_new")
    async def new(self, request: Request) -> Template:
        values = {"kind": "residents", "release_policy": "on_approval",
                  "unit": await unit_code(current_user(request)["unit"]), "answer_days": "10"}
        context = await self._form_context(request, None, values)
        # all the unit's topics to start with; for an admin who has not chosen a unit, those of every unit
        values["topics"] = ",".join(str(t["id"]) for t in context["all_topics"]
                                    if context["form_unit"] is not None or t["unit"] is None)
        return Template(template_name="organiser/conference_form.html", context=context)

    @post("/conferences/new", name="organiser_conference_create")
    async def create(self, request: Request) -> Template | Redirect:
        form = await form_data(request, lists=("topics",))
        try:
            conference_id = await commands.save_conference(actor_of(request), form, request.app.state.clock())
        except InvalidInput as error:
            return Template(template_name="organiser/conference_form.html", status_code=400,
                            context={**await self._form_context(request, None, form), "errors": error.errors})
        return Redirect(path=request.app.route_reverse("organiser_conference", conference_id=conference_id)
                        + "?saved=1", status_code=303)

    async def _conference(self, request: Request, conference_id: int) -> dict:
        return await conferences.for_organiser(actor_of(request), checked_id(conference_id))

    async def _page(self, request: Request, conference: dict, errors: dict, status_code: int = 200) -> Template:
        conference_id = conference["id"]
        return Template(template_name="organiser/conference.html", status_code=status_code, context={
            "conference": conference, "counts": await question_queries.state_counts(conference_id),
            "questions": await question_queries.questions_of(actor_of(request), conference_id),
            "topics": await conferences.conference_topics(conference_id),
            "actions": sorted(CONFERENCE.allowed(conference["state"]) - BY_PUBLISHING,
                              key=list(CONFERENCE.actions).index),
            "confirmed_steps": CONFIRMED_STEPS,
            "history": await audit.entries_for("conference", conference_id), "errors": errors,
        })

    @get("/conferences/{conference_id:int}", name="organiser_conference")
    async def show(self, request: Request, conference_id: FromPath[int]) -> Template:
        return await self._page(request, await self._conference(request, conference_id), {})

    @get("/conferences/{conference_id:int}/edit", name="organiser_conference_edit")
    async def edit(self, request: Request, conference_id: FromPath[int]) -> Template:
        conference = await self._conference(request, conference_id)
        values = form_values(conference)
        values["topics"] = ",".join(str(t["id"]) for t in await conferences.conference_topics(conference_id))
        return Template(template_name="organiser/conference_form.html",
                        context=await self._form_context(request, conference, values))

    @post("/conferences/{conference_id:int}/edit", name="organiser_conference_update")
    async def update(self, request: Request, conference_id: FromPath[int]) -> Template | Redirect:
        conference = await self._conference(request, conference_id)
        form = await form_data(request, lists=("topics",))
        try:
            await commands.save_conference(actor_of(request), form, request.app.state.clock(), conference_id)
        except InvalidInput as error:
            return Template(template_name="organiser/conference_form.html", status_code=400,
                            context={**await self._form_context(request, conference, form), "errors": error.errors})
        return Redirect(path=request.app.route_reverse("organiser_conference", conference_id=conference_id)
                        + "?saved=1", status_code=303)

    @get("/conferences/{conference_id:int}/state/{action:str}", name="organiser_conference_step")
    async def confirm_step(self, request: Request, conference_id: FromPath[int], action: FromPath[str]) -> Template:
        """The page that says what a step will do, with the button that takes it (works without JS)."""
        conference = await self._conference(request, conference_id)
        if action not in CONFERENCE.actions:
            raise NotFound(_("This action does not exist."))
        if not CONFERENCE.allows(conference["state"], action) or action in BY_PUBLISHING:
            raise Conflict(_("This step is not possible from the conference's present state."))
        return Template(template_name="organiser/conference_step.html", context={
            "conference": conference, "action": action,
            "preview": await release.step_preview(conference, action, request.app.state.clock())})

    @post("/conferences/{conference_id:int}/state/{action:str}", name="organiser_conference_state")
    async def change_state(
        self, request: Request, conference_id: FromPath[int], action: FromPath[str],
    ) -> Template | Redirect:
        conference = await self._conference(request, conference_id)
        form = await form_data(request)
        if action in CONFIRMED_STEPS and CONFERENCE.allows(conference["state"], action) \
                and form.get("confirmed") != "yes":
            # A step that cannot be taken back is taken only from its confirmation page.
            return Redirect(path=request.app.route_reverse("organiser_conference_step", conference_id=conference_id,
                                                           action=action), status_code=303)
        try:
            await agenda_commands.change_conference_state(
                actor_of(request), conference_id, action, request.app.state.clock(), form.get("reason", ""),
                request.app.state.settings.base_url)
        except InvalidInput as error:
            return await self._page(request, conference, error.errors, status_code=400)  # with what is missing
        return Redirect(path=request.app.route_reverse("organiser_conference", conference_id=conference["id"])
                        + "?changed=1", status_code=303)

    # --- What the system sent ---------------------------------------------------------------

    @get("/mail", name="organiser_mail")
    async def mail(self, request: Request,
                   page: Annotated[int, QueryParameter(name="page", ge=1, le=100000)] = 1) -> Template:
        rows = await outbox.messages_for(await units_seen_by(actor_of(request)), limit=51, offset=(page - 1) * 50)
        return Template(template_name="organiser/mail.html", context={
            "messages": rows[:50], "page": page, "has_next": len(rows) > 50})

    @get("/mail/{message_id:int}", name="organiser_mail_message")
    async def mail_message(self, request: Request, message_id: FromPath[int]) -> Template:
        actor = actor_of(request)
        row = await outbox.message_for(checked_id(message_id), await units_seen_by(actor))
        if row is None:
            raise NotFound(_("This item no longer exists."))
        await access.record_message_read(actor, row, request.app.state.clock())
        return Template(template_name="organiser/mail_message.html", context={"message": row})

