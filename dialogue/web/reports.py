"""The monthly report's downloads for leaders, organisers and admins: a thin handler over
dialogue.accountability.report_files (which unit and month, which format, who may see it)."""

from __future__ import annotations

from litestar import Controller, Request, Response, get

from dialogue.accountability import report_files
from dialogue.machine.actors import Role
from dialogue.web.documents import DOCUMENT_POLICY
from dialogue.web.guards import actor_of, roles
from dialogue.web.public import content_disposition

R = Role


class ReportsController(Controller):
    path = "/dashboard"
    guards = [roles(R.viewer, R.organiser, R.admin)]

    @get("/report", name="monthly_report")
    async def monthly_report(self, request: Request) -> Response:
        params = request.query_params
        fmt = params.get("format") or "docx"
        found = await report_files.report_file(actor_of(request), params.get("unit"), params.get("month"), fmt,
                                               request.app.state.clock())
        headers = {"cache-control": "private, no-store", "content-security-policy": DOCUMENT_POLICY}
        if found.media_type != report_files.MEDIA_TYPES["html"]:  # the printable page opens, the files download
            headers["content-disposition"] = content_disposition(found.name)
        return Response(content=found.content, media_type=found.media_type, headers=headers)
