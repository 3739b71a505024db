"""/api/v1/agency: an agency's own system, with its API token (accounts/tokens.py), reads the items
assigned to the agency and sends answer drafts and progress notes. `Authorization: Bearer <token>`;
no cookie is read, so no CSRF token is needed. A scope the token lacks is 403; an item of another
agency is 404 (opendata/agency.py)."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Components, SecurityScheme
from litestar.params import JSONBody, PathParameter

from dialogue.accounts import tokens
from dialogue.opendata import agency
from dialogue.web.api import MAX_ID, PROBLEMS, Problem, conditional, links

TOKEN_PROBLEMS = {
    **PROBLEMS,
    401: ResponseSpec(Problem, description="No token, or an unknown, expired or revoked one.",
                      media_type="application/problem+json"),
    403: ResponseSpec(Problem, description="The token's scopes do not allow this.",
                      media_type="application/problem+json"),
    409: ResponseSpec(Problem, description="The answer changed since it was read (send its answer_version), "
                                           "or is no longer waiting for a draft.",
                      media_type="application/problem+json"),
}
SECURITY = [{"agency_token": []}]
COMPONENTS = Components(security_schemes={"agency_token": SecurityScheme(
    type="http", scheme="bearer", description="An agency's API token (dlg_…), created by its head at /agency/tokens.")})


class Draft(msgspec.Struct):
    body: Annotated[str, msgspec.Meta(min_length=1, max_length=20_000)]
    legal_basis: Annotated[str, msgspec.Meta(max_length=2_000)] = ""
    version: Annotated[int, msgspec.Meta(ge=1, le=1_000_000, description=(
        "The answer_version read with the question, when an answer exists."))] | None = None


class Progress(msgspec.Struct):
    note: Annotated[str, msgspec.Meta(min_length=1, max_length=5_000)]
    percent: Annotated[int, msgspec.Meta(ge=0, le=100)] | None = None


async def authenticated(request: Request, scope: str) -> tokens.Authenticated:
    header = request.headers.get("authorization", "")
    kind, _sep, plain = header.partition(" ")
    try:
        if kind.lower() != "bearer":
            raise tokens.NotAuthenticated()
        found = await tokens.authenticate(plain.strip(), request.app.state.clock(), request.method, request.url.path)
    except tokens.NotAuthenticated:
        raise NotAuthorizedException(headers={"www-authenticate": 'Bearer realm="agency"'}) from None
    if scope not in found.scopes:
        raise PermissionDeniedException()
    return found


class AgencyApiController(Controller):
    path = "/agency"
    tags = ["agency systems (token)"]
    security = SECURITY

    @get("/questions", summary="The questions assigned to the token's agency", responses=TOKEN_PROBLEMS)
    async def questions(self, request: Request) -> Response[list[agency.AssignedQuestion]]:
        found = await authenticated(request, "read")
        return conditional(request, await agency.assigned_questions(found.actor, request.app.state.clock()))

    @get("/commitments", summary="The commitments the token's agency leads or cooperates on",
         responses=TOKEN_PROBLEMS)
    async def commitments(self, request: Request) -> Response[list[agency.AssignedCommitment]]:
        found = await authenticated(request, "read")
        return conditional(request, await agency.assigned_commitments(found.actor, request.app.state.clock(),
                                                                      links(request)))

    # No cookie is read here, only the bearer token: nothing for CSRF to protect.
    @post("/questions/{code:str}/draft", summary="Send an answer draft for the agency head's approval",
          responses=TOKEN_PROBLEMS, status_code=201, exclude_from_csrf=True, name="agency_api_draft")
    async def draft(self, request: Request, code: Annotated[str, PathParameter(max_length=40)],
                    data: JSONBody[Draft]) -> agency.AnswerState:
        found = await authenticated(request, "drafts")
        return await agency.send_draft(found.actor, code, data.body, data.legal_basis, data.version,
                                       request.app.state.clock())

    @post("/commitments/{commitment_id:int}/progress", summary="Post a progress note on a commitment",
          responses=TOKEN_PROBLEMS, status_code=201, exclude_from_csrf=True, name="agency_api_progress")
    async def progress(self, request: Request,
                       commitment_id: Annotated[int, PathParameter(ge=1, le=MAX_ID)],
                       data: JSONBody[Progress]) -> agency.ProgressNote:
        found = await authenticated(request, "progress")
        return await agency.post_progress(found.actor, commitment_id, data.note, data.percent,
                                          request.app.state.clock(), request.app.state.settings.base_url)
