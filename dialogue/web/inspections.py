"""Surprise re-inspection rounds: the staff pages (the unit's rounds and the plan form, each round
with its sample, a finding form per commitment, evidence and the close button) and the public report
of a closed round with its Word file. Thin handlers over dialogue.inspections."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from dialogue.core.errors import InvalidInput
from dialogue.core.i18n import gettext as _
from dialogue.core.uploads import MAX_BYTES
from dialogue.core.vocabulary import word
from dialogue.inspections import queries, rounds
from dialogue.inspections.machine import FINDINGS, ROUND
from dialogue.machine.actors import Actor, Role
from dialogue.machine.log import entries_for
from dialogue.web.admin import checked_id
from dialogue.web.forms import form_data
from dialogue.web.guards import actor_of, current_user, roles
from dialogue.web.public import content_disposition

R = Role
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def notice_of(done: str) -> str:
    return {
        "planned": _("The round is planned and its sample drawn. No agency is told: visit them unannounced."),
        "finding": _("The finding is recorded."),
        "not_done": _("The finding is recorded. When the round is closed, the commitment is disputed (its work "
                      "reopens) and the asker is told why; until then nobody outside the round is told."),
        "evidence": _("The file is attached. It becomes public with the report."),
        "closed": _("The round is closed. Its report is public and each finding is on the commitment's timeline."),
    }.get(done, "")


class InspectionsController(Controller):
    path = "/inspection-rounds"
    guards = [roles(R.admin, R.organiser, R.inspector)]

    async def _list(self, request: Request, errors: dict | None = None, values: dict | None = None,
                    status_code: int = 200) -> Template:
        actor = actor_of(request)
        return Template(template_name="inspections/rounds.html", status_code=status_code, context={
            "rounds": await queries.rounds_for(actor), "errors": errors or {}, "values": values or {},
            "asks_unit": actor.unit_id is None, "unit_name": await queries.unit_name(actor.unit_id),
            "notice": notice_of(request.query_params.get("done", "")) if status_code == 200 else "",
        })

    @get("/", name="inspection_rounds")
    async def list_rounds(self, request: Request) -> Template:
        return await self._list(request)

    @post("/", name="inspection_round_plan")
    async def plan(self, request: Request) -> Template | Redirect:
        form = await form_data(request)
        try:
            round_id = await rounds.plan(actor_of(request), form, request.app.state.clock())
        except InvalidInput as error:
            return await self._list(request, error.errors, form, 400)
        return Redirect(path=request.app.route_reverse("inspection_round", round_id=round_id) + "?done=planned",
                        status_code=303)

    async def _page(self, request: Request, round_id: int, errors: dict | None = None, values: dict | None = None,
                    failed: int | str = "", status_code: int = 200) -> Template:
        actor = actor_of(request)
        round_row, items = await queries.staff_round(actor, checked_id(round_id))
        return Template(template_name="inspections/round.html", status_code=status_code, context={
            "round": round_row, "items": items,
            "takes_findings": ROUND.is_in("takes_findings", round_row["state"]),
            "is_public": ROUND.is_in("public", round_row["state"]),
            "finding_choices": [(f, word("inspection_finding", f)) for f in FINDINGS],
            "missing": sum(1 for item in items if item["finding"] is None),
            "history": await entries_for("inspection_round", round_row["id"]),
            "errors": errors or {}, "values": values or {}, "failed": failed, "max_mb": MAX_BYTES // (1024 * 1024),
            "notice": notice_of(request.query_params.get("done", "")) if status_code == 200 else "",
        })

    @get("/{round_id:int}", name="inspection_round")
    async def round_page(self, request: Request, round_id: FromPath[int]) -> Template:
        return await self._page(request, round_id)

    @post("/{round_id:int}/items/{item_id:int}", name="inspection_finding")
    async def finding(self, request: Request, round_id: FromPath[int], item_id: FromPath[int]) -> Template | Redirect:
        form = await form_data(request)
        try:
            await rounds.record_finding(actor_of(request), checked_id(round_id), checked_id(item_id), form,
                                        request.app.state.clock())
        except InvalidInput as error:
            return await self._page(request, round_id, error.errors, form, item_id, 400)
        done = "not_done" if form.get("finding") == "not_done" else "finding"
        return Redirect(path=request.app.route_reverse("inspection_round", round_id=round_id)
                        + f"?done={done}#item-{item_id}", status_code=303)

    @post("/{round_id:int}/items/{item_id:int}/evidence", name="inspection_evidence",
          request_max_body_size=MAX_BYTES + 100_000)  # the file and its form
    async def evidence(self, request: Request, round_id: FromPath[int], item_id: FromPath[int]) -> Template | Redirect:
        form = await request.form()
        upload = form.get("file")
        data = await upload.read() if hasattr(upload, "read") else b""
        try:
            await rounds.attach_evidence(actor_of(request), checked_id(round_id), checked_id(item_id),
                                         getattr(upload, "filename", "") or "", data, request.app.state.clock())
        except InvalidInput as error:
            return await self._page(request, round_id, error.errors, {}, f"evidence-{item_id}", 400)
        return Redirect(path=request.app.route_reverse("inspection_round", round_id=round_id)
                        + f"?done=evidence#item-{item_id}", status_code=303)

    @post("/{round_id:int}/close", name="inspection_round_close")
    async def close(self, request: Request, round_id: FromPath[int]) -> Template | Redirect:
        try:
            await rounds.close(actor_of(request), checked_id(round_id), request.app.state.clock(),
                               request.app.state.settings.base_url)
        except InvalidInput as error:
            return await self._page(request, round_id, error.errors, {}, "close", 400)
        return Redirect(path=request.app.route_reverse("inspection_round", round_id=round_id) + "?done=closed",
                        status_code=303)


class PublicInspectionsController(Controller):
    """A closed round's report is public; an unclosed round does not exist for the public."""

    path = "/inspections"

    @get("/{round_id:int}", name="public_inspection")
    async def report(self, round_id: FromPath[int]) -> Template:
        return Template(template_name="inspections/report.html",
                        context={"round": await queries.public_round(round_id)})

    @get("/{round_id:int}/report.docx", name="public_inspection_docx")
    async def report_docx(self, round_id: FromPath[int]) -> Response:
        name, data = await queries.public_report_docx(round_id)
        return Response(content=data, media_type=DOCX, headers={"content-disposition": content_disposition(name)})

    @get("/files/{file_id:int}", name="inspection_file")
    async def file(self, request: Request, file_id: FromPath[int]) -> Response:
        user = current_user(request)
        row = await queries.evidence_file(Actor.staff(user) if user else None, file_id)
        return Response(content=bytes(row["data"]), media_type=row["content_type"], headers={
            "content-disposition": content_disposition(row["filename"]), "cache-control": "private, no-store"})
