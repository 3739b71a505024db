"""The open-data API, /api/v1: the public record as JSON, read only, for journalists, the Fatherland
Front, researchers and other systems. Thin handlers over dialogue.opendata.reading.

Every response can be revalidated (a weak ETag of its body, Last-Modified where the records say when
they changed); lists are read with a cursor; errors are RFC 9457 problem details in the language of
Accept-Language (web/errors.py sends them for every path under API_PREFIXES, unmatched ones too);
every client address has API_REQUESTS_PER_MINUTE; any site may read it (CORS for GET, added with the
security headers). The OpenAPI 3.1 schema is generated from the typed handlers at
/schema/openapi.json; /api is its page for people.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from email.utils import format_datetime, parsedate_to_datetime
from typing import Annotated

import msgspec
from litestar import Controller, Request, Response, Router, get
from litestar.datastructures import MutableScopeHeaders
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.openapi.spec import Tag
from litestar.params import PathParameter, QueryParameter
from litestar.response import Template
from litestar.types import Message, Scope

from dialogue.core.clock import as_utc
from dialogue.core.errors import InvalidInput
from dialogue.core.i18n import current_language
from dialogue.core.i18n import gettext as _
from dialogue.opendata import reading, records
from dialogue.web.sessions import client_address

API_PREFIXES = ("/api/v1/", "/open311/")
SCHEMA_PATH = "/schema"
MAX_ID = 2**31 - 1


def is_api(path: str) -> bool:
    return path.startswith(API_PREFIXES) or path.rstrip("/") in ("/api/v1", "/open311")


# --- Responses -------------------------------------------------------------------------------------

class Problem(msgspec.Struct):
    """An error, as RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    errors: dict[str, str] | None = None


PROBLEMS = {status: ResponseSpec(Problem, description=description, media_type="application/problem+json")
            for status, description in ((400, "The request has a parameter we cannot use."),
                                        (404, "There is no such record, or it is not public."),
                                        (429, "Too many requests from this address: wait Retry-After seconds."))}
NOT_MODIFIED = {304: ResponseSpec(None, description="Not modified since the ETag (or Last-Modified) you sent.")}


def http_date(moment: dt.datetime) -> str:
    return format_datetime(as_utc(moment).replace(microsecond=0), usegmt=True)


def conditional(request: Request, record: msgspec.Struct | list, last_modified: dt.datetime | None = None, *,
                body: bytes | None = None, media_type: str = "application/json") -> Response:
    """The record as JSON (or the body given) with a weak ETag of it (weak: the body may be compressed
    on the way), or 304 when the client's copy is still right."""
    body = msgspec.json.encode(record) if body is None else body
    tag = f'W/"{hashlib.sha256(body).hexdigest()[:32]}"'
    headers = {"etag": tag, "cache-control": "no-cache", "content-language": current_language(),
               "vary": "Accept-Language"}
    if last_modified is not None:
        headers["last-modified"] = http_date(last_modified)
    if _still_fresh(request, tag, last_modified):
        return Response(content=b"", status_code=304, headers=headers)
    return Response(content=body, media_type=media_type, headers=headers)


def _still_fresh(request: Request, tag: str, last_modified: dt.datetime | None) -> bool:
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:  # it wins over If-Modified-Since (RFC 9110 §13.2.2)
        given = {value.strip().removeprefix("W/") for value in if_none_match.split(",")}
        return "*" in given or tag.removeprefix("W/") in given
    since = request.headers.get("if-modified-since")
    if since and last_modified is not None:
        try:
            return as_utc(last_modified).replace(microsecond=0) <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False  # a date we cannot read: send the record
    return False


def links(request: Request) -> reading.Links:
    base, reverse = request.app.state.settings.base_url, request.app.route_reverse
    return reading.Links(
        conference=lambda conference_id: base + reverse("conference", conference_id=conference_id),
        question=lambda code: base + reverse("track", code=code),
        answer_file=lambda file_id: base + reverse("file", file_id=file_id),
        commitment=lambda conference_id, commitment_id: base + reverse(
            "public_commitment", conference_id=conference_id, commitment_id=commitment_id),
        evidence_file=lambda file_id: base + reverse("commitment_file", file_id=file_id),
        agency=lambda agency_id: base + reverse("agency_public", agency_id=agency_id),
    )


# --- Parameters ------------------------------------------------------------------------------------

Id = Annotated[int | None, QueryParameter(ge=1, le=MAX_ID)]
Cursor = Annotated[str, QueryParameter(max_length=100,
                                       description="The `next` of the page before; empty for the first.")]
Limit = Annotated[int, QueryParameter(ge=1, le=reading.MAX_LIMIT, description="Records per page.")]
Since = Annotated[dt.datetime | None, QueryParameter(
    description="Only records changed at or after this moment (ISO 8601; without a zone, UTC).")]
PathId = Annotated[int, PathParameter(ge=1, le=MAX_ID)]
Code = Annotated[str, PathParameter(max_length=40, description="A tracking code, XXXX-XXXX-XXXXX.")]


def _since(moment: dt.datetime | None, field: str = "updated_since") -> dt.datetime | None:
    """The moment in UTC (without a zone, it is UTC); one at the calendar's edge is refused politely."""
    if moment is None:
        return None
    try:
        return as_utc(moment)
    except (OverflowError, ValueError):
        raise InvalidInput({field: _("Give a moment between the years 2000 and 9000.")}) from None


def read(path: str, summary: str):
    """A GET of the API, with its errors and its 304 in the schema."""
    return get(path, summary=summary, responses={**PROBLEMS, **NOT_MODIFIED})


class OpenDataController(Controller):
    path = "/"
    tags = ["open data"]

    @read("/conferences", "Public conferences, oldest first")
    async def conferences(self, request: Request, cursor: Cursor = "", limit: Limit = reading.DEFAULT_LIMIT,
                          unit: Annotated[int | None, QueryParameter(ge=1, le=MAX_ID, description=(
                              "A commune, or a province (its communes' conferences too)."))] = None,
                          state_: Annotated[str, QueryParameter(name="state", max_length=20, description=", ".join(
                              reading.PUBLIC_CONFERENCE_STATES))] = "") -> Response[records.ConferencePage]:
        return conditional(request, await reading.conferences(links(request), unit=unit, state=state_, cursor=cursor,
                                                              limit=limit))

    @read("/conferences/{conference_id:int}", "One public conference")
    async def conference(self, request: Request, conference_id: PathId) -> Response[records.Conference]:
        return conditional(request, await reading.conference(links(request), conference_id))

    @read("/questions", "Public questions (their published text only), oldest first")
    async def questions(self, request: Request, cursor: Cursor = "", limit: Limit = reading.DEFAULT_LIMIT,
                        conference: Id = None, unit: Id = None, topic: Id = None,
                        agency: Annotated[int | None, QueryParameter(ge=1, le=MAX_ID, description=(
                            "Questions this agency was asked to answer (lead or contributing)."))] = None,
                        state_: Annotated[str, QueryParameter(name="state", max_length=20, description=", ".join(
                            reading.PUBLIC_QUESTION_STATES))] = "",
                        updated_since: Since = None) -> Response[records.QuestionPage]:
        page = await reading.questions(links(request), conference=conference, unit=unit, topic=topic, agency=agency,
                                       state=state_, updated_since=_since(updated_since), cursor=cursor, limit=limit)
        return conditional(request, page)  # a list: its ETag only (one that left it has no date here)

    @read("/questions/{code:str}", "One public question, by its tracking code")
    async def question(self, request: Request, code: Code) -> Response[records.Question]:
        found = await reading.question(links(request), code)
        return conditional(request, found, found.updated_at)

    @read("/questions/{code:str}/answer", "The published answer of a public question")
    async def question_answer(self, request: Request, code: Code) -> Response[records.Answer]:
        found = await reading.answer(links(request), code)
        return conditional(request, found, found.published_at)

    @read("/answers", "Published answers, oldest first")
    async def answers(self, request: Request, cursor: Cursor = "", limit: Limit = reading.DEFAULT_LIMIT,
                      conference: Id = None, agency: Id = None, published_since: Since = None,
                      ) -> Response[records.AnswerPage]:
        page = await reading.answers(links(request), conference=conference, agency=agency,
                                     published_since=_since(published_since, "published_since"), cursor=cursor,
                                     limit=limit)
        return conditional(request, page)

    @read("/commitments", "Commitments of public conferences, with their history")
    async def commitments(self, request: Request, cursor: Cursor = "", limit: Limit = reading.DEFAULT_LIMIT,
                          conference: Id = None,
                          agency: Annotated[int | None, QueryParameter(ge=1, le=MAX_ID, description=(
                              "Commitments this agency leads or cooperates on."))] = None,
                          state_: Annotated[str, QueryParameter(name="state", max_length=20, description=", ".join(
                              reading.COMMITMENT_STATES))] = "",
                          updated_since: Since = None) -> Response[records.CommitmentPage]:
        page = await reading.commitments(links(request), request.app.state.clock(), conference=conference,
                                         agency=agency, state=state_, updated_since=_since(updated_since),
                                         cursor=cursor, limit=limit)
        return conditional(request, page)

    @read("/commitments/{commitment_id:int}", "One commitment, with its history")
    async def commitment(self, request: Request, commitment_id: PathId) -> Response[records.Commitment]:
        found = await reading.commitment(links(request), request.app.state.clock(), commitment_id)
        return conditional(request, found, found.updated_at)

    @read("/agencies", "Agencies")
    async def agencies(self, request: Request, cursor: Cursor = "", limit: Limit = reading.DEFAULT_LIMIT,
                       unit: Id = None) -> Response[records.AgencyPage]:
        return conditional(request, await reading.agencies(links(request), unit=unit, cursor=cursor, limit=limit))

    @read("/agencies/{agency_id:int}", "One agency with its scorecard figures")
    async def agency(self, request: Request, agency_id: PathId) -> Response[records.AgencyWithFigures]:
        return conditional(request, await reading.agency(links(request), request.app.state.clock(), agency_id,
                                                         request.app.state.settings.rating_min_count))

    @read("/units", "Administrative units (provinces and communes)")
    async def units(self, request: Request, cursor: Cursor = "", limit: Limit = reading.DEFAULT_LIMIT,
                    level: Annotated[str, QueryParameter(max_length=20,
                                                         description=", ".join(reading.UNIT_LEVELS))] = "",
                    parent: Id = None,
                    current: Annotated[bool, QueryParameter(description="Only the units that exist today.")] = True,
                    ) -> Response[records.UnitPage]:
        return conditional(request, await reading.units(level=level, parent=parent, current=current, cursor=cursor,
                                                        limit=limit))

    @read("/topics", "Topics questions are filed under")
    async def topics(self, request: Request, cursor: Cursor = "",
                     limit: Limit = reading.DEFAULT_LIMIT) -> Response[records.TopicPage]:
        return conditional(request, await reading.topics(cursor=cursor, limit=limit))


# --- The router, its limits, CORS and the schema -------------------------------------------------------

def rate_limit(requests_per_minute: int, trusted_proxies: tuple[str, ...]) -> RateLimitConfig:
    return RateLimitConfig(rate_limit=("minute", requests_per_minute), store="api_rate_limit",
                           identifier_for_request=lambda request: client_address(request.scope, trusted_proxies))


def api_routers(requests_per_minute: int, trusted_proxies: tuple[str, ...]) -> list[Router]:
    """/api/v1 and /open311/v2, sharing one limit per address."""
    from dialogue.web.agency_api import AgencyApiController
    from dialogue.web.open311 import Open311Controller

    limit = rate_limit(requests_per_minute, trusted_proxies).middleware
    return [Router("/api/v1", route_handlers=[OpenDataController, AgencyApiController], include_in_schema=True,
                   middleware=[limit]),
            Router("/open311/v2", route_handlers=[Open311Controller], include_in_schema=True, middleware=[limit])]


CORS_HEADERS = {
    "access-control-allow-origin": "*",
    "access-control-expose-headers": "ETag, Last-Modified, Content-Language, Retry-After, RateLimit-Limit, "
                                     "RateLimit-Remaining, RateLimit-Reset",
}
PREFLIGHT_HEADERS = {
    "access-control-allow-methods": "GET, HEAD, OPTIONS",
    "access-control-allow-headers": "Accept, Accept-Language, If-None-Match, If-Modified-Since",
    "access-control-max-age": "600",
}


async def cors_hook(message: Message, scope: Scope) -> None:
    """Any site may read the open data (no cookies are sent or needed): a before_send hook, so that
    errors and unknown paths under the API get the header too."""
    if message["type"] == "http.response.start" and is_api(scope.get("path", "")):
        headers = MutableScopeHeaders.from_message(message)
        for key, value in CORS_HEADERS.items():
            headers[key] = value
        if scope.get("method") == "OPTIONS":
            for key, value in PREFLIGHT_HEADERS.items():
                headers[key] = value


def agency_components():
    from dialogue.web.agency_api import COMPONENTS

    return COMPONENTS


def openapi_config() -> OpenAPIConfig:
    config = OpenAPIConfig(
        title="Dialogue open data API", version="1.0.0", path=SCHEMA_PATH,
        description="The public record of dialogue conferences: conferences, public questions, published "
                    "answers, commitments and their history, agencies and their figures. Read only; no "
                    "personal data. Errors are RFC 9457 problem details; `Accept-Language: en` for English.",
        tags=[Tag(name="open data"), Tag(name="Open311 GeoReport v2"), Tag(name="agency systems (token)")],
        components=agency_components(),
        render_plugins=[JsonRenderPlugin()],
    )
    config.default_plugin = None  # only /schema/openapi.json: no page that loads scripts from another site
    return config


class ApiDocsController(Controller):
    include_in_schema = False

    @get("/api", name="api_docs")
    async def docs(self, request: Request) -> Template:
        schema = request.app.openapi_schema.to_schema()
        return Template(template_name="public/api.html", context={
            "schema": schema, "base_url": request.app.state.settings.base_url,
            "limit": request.app.state.settings.api_requests_per_minute,
        })
