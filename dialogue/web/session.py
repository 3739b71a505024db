"""The conference day: the organisers' agenda and the console the secretary, the chair and the
organisers run the session on. Thin handlers over dialogue.agenda; each form posts one entry and
redirects back, so nothing waits for a "save all"."""

from __future__ import annotations

import secrets

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from dialogue.agenda import commands, queries
from dialogue.conferences.queries import area_options, conference_topics
from dialogue.core.errors import InvalidInput
from dialogue.core.i18n import current_language
from dialogue.core.text import parse_id
from dialogue.core.vocabulary import word
from dialogue.documents import commands as documents
from dialogue.documents import queries as document_queries
from dialogue.machine.actors import Role
from dialogue.questions.intake import offered_channels, tracking_url
from dialogue.reference.admin import list_agencies
from dialogue.web.admin import checked_id
from dialogue.web.forms import form_data
from dialogue.web.guards import actor_of, roles

R = Role
GENERAL = "general_"  # the prefix of the conclusions' commitment form, beside the item's on one page
OUTCOME_STEPS = ("answered", "writing")


def _general(form: dict) -> dict:
    return {key.removeprefix(GENERAL): value for key, value in form.items()}


class SessionController(Controller):
    path = "/session/conferences"
    guards = [roles(R.organiser, R.secretary, R.admin)]

    # --- The agenda (organisers) -----------------------------------------------------------

    async def _agenda(self, request: Request, conference_id: int, errors: dict | None = None,
                      status_code: int = 200) -> Template:
        data = await queries.agenda_page(actor_of(request), checked_id(conference_id))
        return Template(template_name="session/agenda.html", status_code=status_code,
                        context={**data, "errors": errors or {}})

    def _back_to_agenda(self, request: Request, conference_id: int, anchor: str = "") -> Redirect:
        return Redirect(path=request.app.route_reverse("agenda", conference_id=conference_id) + "?saved=1" + anchor,
                        status_code=303)

    @get("/{conference_id:int}/agenda", name="agenda")
    async def agenda(self, request: Request, conference_id: FromPath[int]) -> Template:
        return await self._agenda(request, conference_id)

    @post("/{conference_id:int}/agenda/add", name="agenda_add")
    async def agenda_add(self, request: Request, conference_id: FromPath[int]) -> Redirect:
        form = await form_data(request, lists=("question",))
        ids = [i for i in (parse_id(v) for v in form.get("question", "").split(",")) if i]
        await commands.add_items(actor_of(request), checked_id(conference_id), ids, request.app.state.clock())
        return self._back_to_agenda(request, conference_id)

    @post("/{conference_id:int}/agenda/group", name="agenda_group")
    async def agenda_group(self, request: Request, conference_id: FromPath[int]) -> Redirect:
        await commands.group_by_topic(actor_of(request), checked_id(conference_id), request.app.state.clock())
        return self._back_to_agenda(request, conference_id)

    @post("/{conference_id:int}/agenda/items/{item_id:int}/{step:str}", name="agenda_item_step")
    async def agenda_item(self, request: Request, conference_id: FromPath[int], item_id: FromPath[int],
                          step: FromPath[str]) -> Template | Redirect:
        actor, now = actor_of(request), request.app.state.clock()
        checked_id(conference_id), checked_id(item_id)
        form = await form_data(request)
        try:
            if step in ("up", "down"):
                await commands.move_item(actor, conference_id, item_id, step, now)
            elif step == "remove":
                await commands.remove_item(actor, conference_id, item_id, now)
            elif step == "minutes":
                await commands.set_minutes(actor, conference_id, item_id, form.get("minutes", ""), now)
            else:
                return await self._agenda(request, conference_id, status_code=404)
        except InvalidInput as error:
            return await self._agenda(request, conference_id, error.errors, 400)
        return self._back_to_agenda(request, conference_id, f"#item-{item_id}")

    # --- The console -----------------------------------------------------------------------

    async def _console(self, request: Request, conference_id: int, *, focus: int | None = None,
                       errors: dict | None = None, values: dict | None = None, conflict: dict | None = None,
                       status_code: int = 200) -> Template:
        data = await queries.console_page(actor_of(request), checked_id(conference_id), focus)
        conference = data["conference"]
        agencies = await list_agencies(include_inactive=False)
        return Template(template_name="session/console.html", status_code=status_code, context={
            **data, "errors": errors or {}, "values": values or {}, "conflict": conflict,
            "agency_choices": [(str(a["id"]), a["name"]) for a in agencies if a["unit"] == conference["unit"]]
            or [(str(a["id"]), a["name"]) for a in agencies],
            "kind_choices": [(kind, word("asker_kind", kind)) for kind in queries.ASKER_KINDS],
            "topic_choices": [(str(t["id"]), t["name_vi"] if current_language() == "vi" else t["name_en"])
                              for t in await conference_topics(conference["id"])],
            "area_choices": [(str(a["id"]), a["name"]) for a in await area_options(conference)],
            "form_token": secrets.token_urlsafe(16),
            "documents": await document_queries.documents_of(conference["id"]) if data["can_organise"] else [],
        })

    def _back_to_console(self, request: Request, conference_id: int, item_id: int | None = None,
                         anchor: str = "", extra: str = "") -> Redirect:
        path = request.app.route_reverse("console", conference_id=conference_id) + "?saved=1"
        if item_id:
            path += f"&item={item_id}"
        return Redirect(path=path + extra + anchor, status_code=303)

    @get("/{conference_id:int}/console", name="console")
    async def console(self, request: Request, conference_id: FromPath[int]) -> Template:
        return await self._console(request, conference_id, focus=parse_id(request.query_params.get("item")))

    @post("/{conference_id:int}/console/items/{item_id:int}/show", name="console_show")
    async def show(self, request: Request, conference_id: FromPath[int], item_id: FromPath[int]) -> Redirect:
        await commands.show_item(actor_of(request), checked_id(conference_id), checked_id(item_id),
                                 request.app.state.clock())
        return self._back_to_console(request, conference_id)

    @post("/{conference_id:int}/console/items/{item_id:int}/outcome/{kind:str}", name="console_outcome")
    async def outcome(self, request: Request, conference_id: FromPath[int], item_id: FromPath[int],
                      kind: FromPath[str]) -> Template | Redirect:
        form = await form_data(request)
        checked_id(conference_id), checked_id(item_id)
        try:
            await commands.save_outcome(actor_of(request), conference_id, item_id, kind, form,
                                        request.app.state.clock())
        except commands.SessionConflict as conflict:
            return await self._console(request, conference_id, focus=item_id, errors={"summary": str(conflict)},
                                       values=form, conflict=conflict.current, status_code=409)
        except InvalidInput as error:
            return await self._console(request, conference_id, focus=item_id, errors=error.errors, values=form,
                                       status_code=400)
        return self._back_to_console(request, conference_id, item_id, "#outcome")

    @post("/{conference_id:int}/console/items/{item_id:int}/commitment", name="console_commitment")
    async def commitment(self, request: Request, conference_id: FromPath[int],
                         item_id: FromPath[int]) -> Template | Redirect:
        form = await form_data(request, lists=("cooperating",))
        checked_id(conference_id), checked_id(item_id)
        try:
            await commands.add_commitment(actor_of(request), conference_id, item_id, form, request.app.state.clock())
        except InvalidInput as error:
            return await self._console(request, conference_id, focus=item_id, errors=error.errors, values=form,
                                       status_code=400)
        return self._back_to_console(request, conference_id, item_id, "#commitments")

    @post("/{conference_id:int}/console/conclusions", name="console_conclusions")
    async def conclusions(self, request: Request, conference_id: FromPath[int]) -> Template | Redirect:
        form = await form_data(request)
        checked_id(conference_id)
        try:
            await commands.save_conclusions(actor_of(request), conference_id, form, request.app.state.clock())
        except commands.SessionConflict as conflict:
            return await self._console(request, conference_id, errors={"conclusions": str(conflict)}, values=form,
                                       conflict=conflict.current, status_code=409)
        except InvalidInput as error:
            return await self._console(request, conference_id, errors=error.errors, values=form, status_code=400)
        return self._back_to_console(request, conference_id, anchor="#conclusions-title")

    @post("/{conference_id:int}/console/conclusions/commitment", name="console_general_commitment")
    async def general_commitment(self, request: Request, conference_id: FromPath[int]) -> Template | Redirect:
        form = await form_data(request, lists=(GENERAL + "cooperating",))
        checked_id(conference_id)
        try:
            await commands.add_commitment(actor_of(request), conference_id, None, _general(form),
                                          request.app.state.clock())
        except InvalidInput as error:
            return await self._console(request, conference_id, errors={GENERAL + k: v for k, v in error.errors.items()},
                                       values=form, status_code=400)
        return self._back_to_console(request, conference_id, anchor="#conclusions-title")

    @post("/{conference_id:int}/console/attendance", name="console_attendance")
    async def attendance(self, request: Request, conference_id: FromPath[int]) -> Template | Redirect:
        form = await form_data(request)
        checked_id(conference_id)
        try:
            await commands.save_attendance(actor_of(request), conference_id, form, request.app.state.clock())
        except InvalidInput as error:
            return await self._console(request, conference_id, errors=error.errors, values=form, status_code=400)
        return self._back_to_console(request, conference_id, anchor="#attendance")

    @post("/{conference_id:int}/console/attendees", name="console_attendee_add")
    async def attendee_add(self, request: Request, conference_id: FromPath[int]) -> Template | Redirect:
        form = await form_data(request)
        checked_id(conference_id)
        try:
            await commands.add_attendee(actor_of(request), conference_id, form, request.app.state.clock())
        except InvalidInput as error:
            return await self._console(request, conference_id, errors=error.errors, values=form, status_code=400)
        return self._back_to_console(request, conference_id, anchor="#attendance")

    @post("/{conference_id:int}/console/attendees/{attendee_id:int}/remove", name="console_attendee_remove")
    async def attendee_remove(self, request: Request, conference_id: FromPath[int],
                              attendee_id: FromPath[int]) -> Redirect:
        await commands.remove_attendee(actor_of(request), checked_id(conference_id), checked_id(attendee_id),
                                       request.app.state.clock())
        return self._back_to_console(request, conference_id, anchor="#attendance")

    @post("/{conference_id:int}/console/floor", name="console_floor")
    async def floor(self, request: Request, conference_id: FromPath[int]) -> Template | Redirect:
        form = await form_data(request)
        checked_id(conference_id)
        try:
            question = await commands.record_floor(actor_of(request), conference_id, form, request.app.state.clock(),
                                                   offered_channels(request.app.state.settings))
        except InvalidInput as error:
            return await self._console(request, conference_id, errors=error.errors, values=form, status_code=400)
        return self._back_to_console(request, conference_id, anchor="#floor", extra=f"&floor={question['id']}")

    @post("/{conference_id:int}/console/end", name="console_end")
    async def end(self, request: Request, conference_id: FromPath[int]) -> Redirect:
        """The end of the session: its end time, and the drafts of the minutes and the notice."""
        changed = await documents.end_session(actor_of(request), checked_id(conference_id), request.app.state.clock())
        path = request.app.route_reverse("console", conference_id=conference_id)
        return Redirect(path=path + ("?ended=1" if changed else "?ended=0") + "#end", status_code=303)

    @get("/{conference_id:int}/floor/{question_id:int}/slip", name="floor_slip")
    async def slip(self, request: Request, conference_id: FromPath[int], question_id: FromPath[int]) -> Template:
        data = await queries.floor_slip(actor_of(request), checked_id(conference_id), checked_id(question_id))
        code = data["code"].replace("-", "")
        return Template(template_name="session/slip.html", context={
            **data, "tracking_url": tracking_url(request.app.state.settings.base_url, code)})
