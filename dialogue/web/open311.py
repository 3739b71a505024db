"""Open311 GeoReport v2, read only, at /open311/v2 (dialogue.opendata.open311): discovery, services
(the topics), requests (the public questions) and FixMyStreet's servicerequestupdates, each as .json
and .xml. `jurisdiction_id` is accepted and not needed: one deployment is one jurisdiction. Errors
are problem details, as on the rest of the API."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from litestar import Controller, Request, Response, get
from litestar.params import PathParameter, QueryParameter

from dialogue.core.errors import NotFound
from dialogue.core.i18n import gettext as _
from dialogue.opendata import open311
from dialogue.web.api import NOT_MODIFIED, PROBLEMS, conditional, links

XML = "text/xml; charset=utf-8"
CHANGESET = dt.datetime(2026, 11, 28, tzinfo=dt.UTC)  # when this view last changed shape

Jurisdiction = Annotated[str, QueryParameter(name="jurisdiction_id", max_length=100, description=(
    "Accepted for compatibility; one deployment is one jurisdiction."))]
Ids = Annotated[str, QueryParameter(name="service_request_id", max_length=2000, description=(
    "Tracking codes, comma-separated: the rest of the query is then ignored."))]
ServiceCode = Annotated[str, QueryParameter(name="service_code", max_length=2000, description=(
    "Topic codes, comma-separated."))]
Start = Annotated[str, QueryParameter(name="start_date", max_length=40, description=(
    "A W3C date or date-time: requested (for updates, changed) at or after it; default: 90 days before end_date."))]
End = Annotated[str, QueryParameter(name="end_date", max_length=40,
                                    description="A W3C date or date-time; default: now.")]
Status = Annotated[str, QueryParameter(name="status", max_length=20, description=(
    "open, closed, or both, comma-separated."))]


def answer(request: Request, records, root: str, item: str, fmt: str) -> Response:
    if fmt == "xml":
        return conditional(request, records, body=open311.to_xml(root, item, records), media_type=XML)
    return conditional(request, records)


def read(path: str, summary: str, xml: bool = False):
    return get(path, summary=summary, responses={**PROBLEMS, **NOT_MODIFIED},
               media_type=XML if xml else "application/json")


class Open311Controller(Controller):
    path = "/"
    tags = ["Open311 GeoReport v2"]

    @read("/discovery.json", "Discovery (JSON)")
    async def discovery_json(self, request: Request) -> Response[open311.Discovery]:
        return answer(request, await open311.discovery(request.app.state.settings.base_url, CHANGESET), "", "", "json")

    @read("/discovery.xml", "Discovery (XML)", xml=True)
    async def discovery_xml(self, request: Request) -> Response[bytes]:
        found = await open311.discovery(request.app.state.settings.base_url, CHANGESET)
        return answer(request, found, "discovery", "", "xml")

    @read("/services.json", "Services: the topics (JSON)")
    async def services_json(self, request: Request, jurisdiction: Jurisdiction = "") -> Response[list[open311.Service]]:
        return answer(request, await open311.services(), "services", "service", "json")

    @read("/services.xml", "Services: the topics (XML)", xml=True)
    async def services_xml(self, request: Request, jurisdiction: Jurisdiction = "") -> Response[bytes]:
        return answer(request, await open311.services(), "services", "service", "xml")

    async def _requests(self, request: Request, ids: str, service_code: str, start: str, end: str,
                        status: str) -> list[open311.ServiceRequest]:
        return await open311.requests(links(request), request.app.state.clock(), ids=ids, service_code=service_code,
                                      start=start, end=end, status=status)

    @read("/requests.json", "Service requests: the public questions (JSON)")
    async def requests_json(self, request: Request, jurisdiction: Jurisdiction = "", ids: Ids = "",
                            service_code: ServiceCode = "", start: Start = "", end: End = "",
                            status: Status = "") -> Response[list[open311.ServiceRequest]]:
        found = await self._requests(request, ids, service_code, start, end, status)
        return answer(request, found, "service_requests", "request", "json")

    @read("/requests.xml", "Service requests: the public questions (XML)", xml=True)
    async def requests_xml(self, request: Request, jurisdiction: Jurisdiction = "", ids: Ids = "",
                           service_code: ServiceCode = "", start: Start = "", end: End = "",
                           status: Status = "") -> Response[bytes]:
        found = await self._requests(request, ids, service_code, start, end, status)
        return answer(request, found, "service_requests", "request", "xml")

    @read("/requests/{name:str}", "One service request: CODE.json or CODE.xml")
    async def one_request(self, request: Request, name: Annotated[str, PathParameter(max_length=60, description=(
            "The tracking code and the format: XXXX-XXXX-XXXXX.json or .xml."))],
                          jurisdiction: Jurisdiction = "") -> Response[list[open311.ServiceRequest]]:
        code, _dot, fmt = name.rpartition(".")
        if fmt not in ("json", "xml"):
            raise NotFound(_("Ask for %(json)s or %(xml)s.", json=f"{code or name}.json", xml=f"{code or name}.xml"))
        return answer(request, await open311.request(links(request), code), "service_requests", "request", fmt)

    @read("/servicerequestupdates.json", "The public steps of service requests (FixMyStreet's extension, JSON)")
    async def updates_json(self, request: Request, jurisdiction: Jurisdiction = "", start: Start = "",
                           end: End = "") -> Response[list[open311.ServiceRequestUpdate]]:
        found = await open311.updates(request.app.state.clock(), start=start, end=end)
        return answer(request, found, "service_request_updates", "request_update", "json")

    @read("/servicerequestupdates.xml", "The public steps of service requests (FixMyStreet's extension, XML)",
          xml=True)
    async def updates_xml(self, request: Request, jurisdiction: Jurisdiction = "", start: Start = "",
                          end: End = "") -> Response[bytes]:
        found = await open311.updates(request.app.state.clock(), start=start, end=end)
        return answer(request, found, "service_request_updates", "request_update", "xml")
