"""The follow-up of commitments: the agencies' list, the organisers' list per conference (with a
form to add one by hand), and one page per commitment with the steps the signed-in person may take.
Thin handlers over dialogue.commitments."""

from __future__ import annotations

from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from dialogue.commitments import followup
from dialogue.commitments import queries as commitment_queries
from dialogue.commitments.machine import COMMITMENT, WHO
from dialogue.conferences.queries import get_conference
from dialogue.core.calendar import local_today
from dialogue.core.errors import Forbidden, InvalidInput
from dialogue.core.i18n import gettext as _
from dialogue.core.text import parse_id
from dialogue.core.uploads import MAX_BYTES
from dialogue.core.vocabulary import word
from dialogue.machine.actors import Role
from dialogue.machine.log import entries_for, one_line_per_step
from dialogue.reference.admin import get_agency, list_agencies
from dialogue.reference.calendar import working_calendar
from dialogue.web.admin import checked_id
from dialogue.web.forms import form_data
from dialogue.web.guards import actor_of, roles
from dialogue.web.public import content_disposition

R = Role
STEPS = {  # the path's word -> the service's command
    "start": lambda actor, cid, form, now, base: followup.start(actor, cid, now, base),
    "resume": lambda actor, cid, form, now, base: followup.resume(actor, cid, now, base),
    "report-done": followup.report_done, "verify": followup.verify, "dispute": followup.dispute,
    "extend": followup.extend, "cancel": followup.cancel, "progress": followup.post_progress,
}


def step_notice(done: str) -> str:
    notices = {
        "start": _("The work is marked as started. The asker and followers are told by e-mail."),
        "resume": _("The work is taken up again. The asker and followers are told by e-mail."),
        "report-done": _("Reported done. The organisers will verify it; the asker and followers are told by e-mail."),
        "verify": _("Verified, with its outcome. The asker and followers are told by e-mail."),
        "dispute": _("The report is disputed and the work reopened. The asker and followers are told by e-mail."),
        "extend": _("The due date is extended; the first date stays shown. The asker and followers are told "
                    "by e-mail."),
        "cancel": _("The commitment is cancelled. The asker and followers are told by e-mail."),
        "progress": _("The progress note is posted on the public timeline. The asker and followers are told "
                      "by e-mail."),
        "added": _("The commitment is added to the conference's follow-up."),
        "evidence": _("The file is attached and shown on the public timeline."),
    }
    return notices.get(done, "")


class CommitmentController(Controller):
    path = "/commitments"
    guards = [roles(R.admin, R.organiser, R.viewer, R.agency_officer, R.agency_head, R.inspector)]

    async def _page(self, request: Request, commitment_id: int, errors: dict | None = None,
                    values: dict | None = None, failed: str = "", status_code: int = 200) -> Template:
        actor, now = actor_of(request), request.app.state.clock()
        commitment = await followup.get_commitment(checked_id(commitment_id))
        if not await followup.may_read(actor, commitment):
            raise Forbidden(_("You do not have permission to do this."))
        allowed = await followup.allowed_actions(actor, commitment)
        history = one_line_per_step(await entries_for("commitment", commitment["id"]))
        return Template(template_name="staff/commitment.html", status_code=status_code, context={
            "commitment": commitment, "can": {action: action in allowed for action in WHO},
            "due": commitment_queries.due_of(commitment, local_today(now), await working_calendar()),
            "notes": await commitment_queries.progress_notes(commitment["id"]), "history": history,
            "outcome_choices": [(o, word("commitment_outcome", o)) for o in followup.OUTCOMES],
            "conference": await get_conference(commitment["conference"]),
            "errors": errors or {}, "values": values or {}, "failed": failed,
            "notice": step_notice(request.query_params.get("done", "")) if status_code == 200 else "",
            "is_agency": actor.agency_id is not None,
            "files": (await commitment_queries.evidence_of([commitment["id"]])).get(commitment["id"], []),
            "max_mb": MAX_BYTES // (1024 * 1024),
        })

    @get("/{commitment_id:int}", name="commitment")
    async def commitment(self, request: Request, commitment_id: FromPath[int]) -> Template:
        return await self._page(request, commitment_id)

    @post("/{commitment_id:int}/{step:str}", name="commitment_step")
    async def step(self, request: Request, commitment_id: FromPath[int], step: FromPath[str]) -> Template | Redirect:
        if step not in STEPS:
            return await self._page(request, commitment_id, status_code=404)
        form = await form_data(request)
        try:
            await STEPS[step](actor_of(request), checked_id(commitment_id), form, request.app.state.clock(),
                              request.app.state.settings.base_url)
        except InvalidInput as error:
            return await self._page(request, commitment_id, error.errors, form, step, 400)
        return Redirect(path=request.app.route_reverse("commitment", commitment_id=commitment_id)
                        + f"?done={step}", status_code=303)


    @post("/{commitment_id:int}/evidence", name="commitment_evidence",
          request_max_body_size=MAX_BYTES + 100_000)  # the file and its form
    async def evidence(self, request: Request, commitment_id: FromPath[int]) -> Template | Redirect:
        form = await request.form()
        upload = form.get("file")
        data = await upload.read() if hasattr(upload, "read") else b""
        try:
            await followup.attach_evidence(actor_of(request), checked_id(commitment_id),
                                           getattr(upload, "filename", "") or "", data, request.app.state.clock(),
                                           request.app.state.settings.base_url)
        except InvalidInput as error:
            return await self._page(request, commitment_id, error.errors, {}, "evidence", 400)
        return Redirect(path=request.app.route_reverse("commitment", commitment_id=commitment_id)
                        + "?done=evidence", status_code=303)


class EvidenceController(Controller):
    """Evidence files are public, like the timeline that lists them."""

    path = "/follow-up/files"

    @get("/{file_id:int}", name="commitment_file")
    async def file(self, file_id: FromPath[int]) -> Response:
        row = await commitment_queries.evidence_file(file_id)
        return Response(content=bytes(row["data"]), media_type=row["content_type"], headers={
            "content-disposition": content_disposition(row["filename"]), "cache-control": "public, max-age=3600",
        })


class AgencyCommitmentsController(Controller):
    path = "/agency/commitments"
    guards = [roles(R.agency_officer, R.agency_head)]

    @get("/", name="agency_commitments")
    async def agency_commitments(self, request: Request) -> Template:
        actor = actor_of(request)
        items = await commitment_queries.for_agency(actor, request.app.state.clock())
        return Template(template_name="staff/commitments.html", context={
            "agency": await get_agency(actor.agency_id), "items": items, "conference": None, "notice": "",
            "overdue_count": sum(1 for i in items if i["overdue"]),
        })


FILTERS = commitment_queries.COMMITMENT_FILTERS


class OrganiserCommitmentsController(Controller):
    path = "/organiser/conferences/{conference_id:int}/commitments"
    guards = [roles(R.organiser, R.admin)]

    async def _list(self, request: Request, conference_id: int, errors: dict | None = None,
                    values: dict | None = None, status_code: int = 200) -> Template:
        conference = await get_conference(checked_id(conference_id))
        filters = {key: (request.query_params.get(key) or "")[:20] for key in FILTERS}
        items = await commitment_queries.for_conference(actor_of(request), conference, filters,
                                                        request.app.state.clock())
        agencies = [a for a in await list_agencies(include_inactive=False) if a["unit"] == conference["unit"]] \
            or await list_agencies(include_inactive=False)
        questions = await commitment_queries.questions_to_commit_on(conference["id"])
        return Template(template_name="staff/commitments.html", status_code=status_code, context={
            "conference": conference, "items": items, "filters": filters, "agency": None,
            "overdue_count": sum(1 for i in items if i["overdue"]),
            "state_choices": [(s, word("commitment_state", s)) for s in COMMITMENT.states],
            "agency_choices": [(str(a["id"]), a["name"]) for a in agencies],
            "question_choices": [(str(q["id"]), f'{q["code"]} — {q["public_summary"] or q["title"]}')
                                 for q in questions],
            "query_string": urlencode({k: v for k, v in filters.items() if v}),
            "errors": errors or {}, "values": values or {},
            "notice": step_notice(request.query_params.get("done", "")) if status_code == 200 else "",
        })

    @get("/", name="conference_commitments")
    async def conference_commitments(self, request: Request, conference_id: FromPath[int]) -> Template:
        return await self._list(request, conference_id)

    @post("/", name="conference_commitment_add")
    async def add(self, request: Request, conference_id: FromPath[int]) -> Template | Redirect:
        conference = await get_conference(checked_id(conference_id))
        form = await form_data(request, lists=("cooperating",))
        try:
            await followup.record_by_organiser(actor_of(request), conference, parse_id(form.get("question")), form,
                                               request.app.state.clock())
        except InvalidInput as error:
            return await self._list(request, conference_id, error.errors, form, 400)
        return Redirect(path=request.app.route_reverse("conference_commitments", conference_id=conference_id)
                        + "?done=added", status_code=303)
