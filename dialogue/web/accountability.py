"""Public accountability: each conference's results (page, CSV, Atom feed), each commitment's public
page, and the agencies' pages with their figures and feeds. No account needed; thin handlers over
dialogue.accountability. The filters are read as text and checked there, so that a bad address
still gives the page with a polite word, never an error."""

from __future__ import annotations

from urllib.parse import urlencode

from litestar import Controller, Request, Response, get
from litestar.params import FromPath
from litestar.response import Template

from dialogue.accountability import agencies, feeds, results
from dialogue.conferences.queries import get_public_conference
from dialogue.core.i18n import current_language
from dialogue.web.public import content_disposition

FILTERS = ("topic", "agency", "state", "q", "page")
ATOM = "application/atom+xml"


def filters_of(request: Request) -> dict[str, str]:
    return {name: request.query_params.get(name) or "" for name in FILTERS}


def absolute(request: Request, name: str, **params) -> str:
    return request.app.state.settings.base_url.rstrip("/") + request.app.route_reverse(name, **params)


def feed_links(request: Request, feed: str, page: str) -> feeds.FeedLinks:
    return feeds.FeedLinks(
        feed=feed, page=page,
        answer=lambda e: absolute(request, "track", code=e.code),
        commitment=lambda e: absolute(request, "public_commitment", conference_id=e.conference_id,
                                      commitment_id=e.commitment_id))


def atom_response(content: bytes) -> Response:
    return Response(content=content, media_type=ATOM, headers={"cache-control": "public, max-age=300"})


class AccountabilityController(Controller):
    path = "/"

    @get("/conferences/{conference_id:int}/results", name="conference_results")
    async def conference_results(self, request: Request, conference_id: FromPath[int]) -> Template:
        conference = await get_public_conference(conference_id)
        page = await results.results_page(conference_id, filters_of(request), request.app.state.clock())
        filters = page["filters"]
        return Template(template_name="public/results.html", context={
            **page, "conference": conference, "query": urlencode(filters.query(page="")),
            "page_query": lambda n: urlencode(filters.query(page=n if n > 1 else ""))})

    @get("/conferences/{conference_id:int}/results.csv", name="conference_results_csv")
    async def conference_results_csv(self, request: Request, conference_id: FromPath[int]) -> Response:
        await get_public_conference(conference_id)
        page = await results.results_page(conference_id, filters_of(request), request.app.state.clock())
        name = f"ket-qua-hoi-nghi-{conference_id}.csv" if current_language() == "vi" \
            else f"conference-{conference_id}-results.csv"
        return Response(content=results.csv_file(page["items"]), media_type="text/csv; charset=utf-8",
                        headers={"content-disposition": content_disposition(name)})

    @get("/conferences/{conference_id:int}/feed.atom", name="conference_feed")
    async def conference_feed(self, request: Request, conference_id: FromPath[int]) -> Response:
        conference = await get_public_conference(conference_id)
        now = request.app.state.clock()
        links = feed_links(request, absolute(request, "conference_feed", conference_id=conference_id),
                           absolute(request, "conference_results", conference_id=conference_id))
        return atom_response(feeds.atom(
            feeds.feed_title(conference["title"]), conference["unit_name"], current_language(),
            await feeds.conference_entries(conference_id, now), links, now))

    @get("/conferences/{conference_id:int}/commitments/{commitment_id:int}", name="public_commitment")
    async def commitment(self, request: Request, conference_id: FromPath[int],
                         commitment_id: FromPath[int]) -> Template:
        conference = await get_public_conference(conference_id)
        commitment = await results.public_commitment(conference_id, commitment_id, request.app.state.clock())
        return Template(template_name="public/commitment.html", context={
            "conference": conference, "commitment": commitment, "follow_up": [commitment]})

    @get("/agencies", name="agencies")
    async def agency_list(self) -> Template:
        return Template(template_name="public/agencies.html", context={"agencies": await agencies.agency_list()})

    @get("/agencies/{agency_id:int}", name="agency_public")
    async def agency(self, request: Request, agency_id: FromPath[int]) -> Template:
        return Template(template_name="public/agency.html",
                        context=await agencies.agency_page(agency_id, request.app.state.clock(),
                                                           request.app.state.settings.rating_min_count))

    @get("/agencies/{agency_id:int}/feed.atom", name="agency_feed")
    async def agency_feed(self, request: Request, agency_id: FromPath[int]) -> Response:
        agency = await agencies.public_agency(agency_id)
        now = request.app.state.clock()
        links = feed_links(request, absolute(request, "agency_feed", agency_id=agency_id),
                           absolute(request, "agency_public", agency_id=agency_id))
        return atom_response(feeds.atom(feeds.feed_title(agency["name"]), agency["name"], current_language(),
                                        await feeds.agency_entries(agency, now), links, now))
