"""The organisers' pages of a conference's documents (edit the drafts, publish, correct) and the
public files of the published ones. Thin handlers over dialogue.documents."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from dialogue.core.errors import InvalidInput, NotFound
from dialogue.core.i18n import gettext as _
from dialogue.documents import commands, queries
from dialogue.documents.rendering import render_html
from dialogue.machine.actors import Role
from dialogue.reference.admin import list_agencies
from dialogue.web.admin import checked_id
from dialogue.web.forms import form_data
from dialogue.web.guards import actor_of, roles

R = Role
# The document is our own frozen HTML with its style inline and no script: it may style itself, nothing more.
DOCUMENT_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; "
                   "form-action 'none'; frame-ancestors 'self'")
MEDIA_TYPES = {"html": "text/html; charset=utf-8", "pdf": "application/pdf",
               "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
TASK_LISTS = tuple(f"task-{n}-cooperating" for n in range(commands.MAX_TASKS + 1))


def document_response(content: str | bytes, fmt: str, filename: str = "", private: bool = False) -> Response:
    from dialogue.web.public import content_disposition  # here: public.py imports this module

    headers = {"content-security-policy": DOCUMENT_POLICY,
               "cache-control": "private, no-store" if private else "public, max-age=3600"}
    if filename:
        headers["content-disposition"] = content_disposition(filename, inline=fmt != "docx")
    return Response(content=content if isinstance(content, bytes) else content.encode(), media_type=MEDIA_TYPES[fmt],
                    headers=headers)


class DocumentsController(Controller):
    path = "/organiser/conferences/{conference_id:int}/documents"
    guards = [roles(R.organiser, R.admin)]

    def _back(self, request: Request, conference_id: int, query: str = "saved=1") -> Redirect:
        return Redirect(path=request.app.route_reverse("organiser_documents", conference_id=conference_id)
                        + f"?{query}", status_code=303)

    @get("/", name="organiser_documents")
    async def index(self, request: Request, conference_id: FromPath[int]) -> Template:
        data = await queries.documents_page(actor_of(request), checked_id(conference_id), request.app.state.clock())
        return Template(template_name="organiser/documents.html", context=data)

    async def _form(self, request: Request, conference_id: int, document_id: int, *, values: dict | None = None,
                    errors: dict | None = None, conflict: dict | None = None, status_code: int = 200) -> Template:
        data = await queries.document_for_edit(actor_of(request), checked_id(document_id))
        if data["conference"]["id"] != checked_id(conference_id):
            raise NotFound(_("There is no such document."))
        agencies = await list_agencies(include_inactive=False)
        unit = data["conference"]["unit"]
        return Template(template_name="organiser/document_form.html", status_code=status_code, context={
            **data, "values": values, "errors": errors or {}, "conflict": conflict,
            "agency_choices": [(str(a["id"]), a["name"]) for a in agencies if a["unit"] == unit]
            or [(str(a["id"]), a["name"]) for a in agencies]})

    @get("/{document_id:int}/edit", name="organiser_document_edit")
    async def edit(self, request: Request, conference_id: FromPath[int], document_id: FromPath[int]) -> Template:
        return await self._form(request, conference_id, document_id)

    @post("/{document_id:int}/edit", name="organiser_document_save")
    async def save(self, request: Request, conference_id: FromPath[int],
                   document_id: FromPath[int]) -> Template | Redirect:
        form = await form_data(request, lists=TASK_LISTS)
        await self._form(request, conference_id, document_id)  # the same checks as the page: its conference, its rights
        try:
            await commands.save(actor_of(request), document_id, form, request.app.state.clock())
        except commands.DocumentConflict as conflict:
            return await self._form(request, conference_id, document_id, values=form, conflict=conflict.current,
                                    errors={"version": str(conflict)}, status_code=409)
        except InvalidInput as error:
            return await self._form(request, conference_id, document_id, values=form, errors=error.errors,
                                    status_code=400)
        return Redirect(path=request.app.route_reverse("organiser_document_edit", conference_id=conference_id,
                                                       document_id=document_id) + "?saved=1", status_code=303)

    @get("/{document_id:int}/preview", name="organiser_document_preview")
    async def preview(self, request: Request, conference_id: FromPath[int], document_id: FromPath[int]) -> Response:
        data = await queries.preview_data(actor_of(request), checked_id(document_id), request.app.state.clock())
        await self._form(request, conference_id, document_id)
        return document_response(render_html(data), "html", private=True)

    @get("/publish", name="organiser_documents_publish_confirm")
    async def confirm(self, request: Request, conference_id: FromPath[int]) -> Template:
        data = await queries.documents_page(actor_of(request), checked_id(conference_id), request.app.state.clock())
        return Template(template_name="organiser/documents_publish.html", context=data)

    @post("/publish", name="organiser_documents_publish")
    async def publish(self, request: Request, conference_id: FromPath[int]) -> Template | Redirect:
        try:
            result = await commands.publish(actor_of(request), checked_id(conference_id), request.app.state.clock(),
                                            request.app.state.settings.base_url)
        except InvalidInput as error:
            data = await queries.documents_page(actor_of(request), conference_id, request.app.state.clock())
            return Template(template_name="organiser/documents_publish.html", status_code=400,
                            context={**data, "errors": error.errors})
        if result.nothing_to_do:  # published already, or (nothing drafted) the page says what to do first
            return self._back(request, conference_id, "already=1" if await queries.latest_of(conference_id) else "")
        return self._back(request, conference_id, f"published={len(result.published)}&mails={result.mails}")

    @post("/{document_id:int}/correct", name="organiser_document_correct")
    async def correct(self, request: Request, conference_id: FromPath[int], document_id: FromPath[int]) -> Redirect:
        await self._form(request, conference_id, document_id)
        draft = await commands.correct(actor_of(request), document_id, request.app.state.clock())
        return Redirect(path=request.app.route_reverse("organiser_document_edit", conference_id=conference_id,
                                                       document_id=draft), status_code=303)
