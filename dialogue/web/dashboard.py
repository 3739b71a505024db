"""The leaders' dashboard and the lists behind its figures: thin handlers over
dialogue.accountability.dashboard. Everything is a GET with its choices in the address, so a page
can be bookmarked, printed or sent to a colleague, and works without JavaScript."""

from __future__ import annotations

from urllib.parse import urlencode

from litestar import Controller, Request, get
from litestar.response import Template
from markupsafe import Markup

from dialogue.accountability import dashboard as board
from dialogue.accountability import measures
from dialogue.accountability.scope import period_choices
from dialogue.core.db import database_identity
from dialogue.core.i18n import current_language
from dialogue.core.i18n import gettext as _
from dialogue.core.rendering import format_percent
from dialogue.core.text import parse_id
from dialogue.machine.actors import Role
from dialogue.web.guards import actor_of, roles

R = Role
READERS = roles(R.viewer, R.organiser, R.admin)
RANKED_ROWS = 25  # a province has hundreds of agencies: the table shows the lowest ranked, or all when asked
CHART_ROWS = 15  # the on-time chart shows the lowest rates; the table below lists every agency
BREAKDOWN_ROWS = 20  # a province's areas are its 126 communes: the chart shows the 20 with most questions
TREND_LOWEST = 2  # the trend chart draws all agencies and the lowest-ranked ones
ON_TIME_TARGET = 80  # per cent: bars below it are marked
# The figures' part of the page as drawn, by database, version of the figures (board.data_version),
# scope, day and language: a province's charts and tables take longer to draw than to count.
FIGURES_KEPT = 64
_figures_html: dict[tuple, Markup] = {}


def _month(key: str) -> str:
    """'2026-11' as '11/26', an axis label."""
    return f"{key[5:7]}/{key[2:4]}"


def chart_context(figures: board.Dashboard, drill) -> dict:
    """What the charts are drawn from (templates/_partials/charts.html): rows and series with their
    display text and the drill-down address of each bar."""
    rated = [a for a in figures.agencies if a.answers_due]

    def on_time_rows(agencies: list[board.AgencyFigures]) -> list[dict]:
        return [{"label": a.name, "value": a.on_time_rate,
                 "display": f"{format_percent(a.on_time_rate)} ({a.answers['on_time']}/{a.answers_due})",
                 "href": drill(figure="answers", agency=a.id),
                 "highlight": a.on_time_rate is not None and a.on_time_rate < ON_TIME_TARGET} for a in agencies]

    def breakdown_rows(by: str, rows: list[dict]) -> list[dict]:
        return [{"label": row["label"], "count": row["count"], "href": drill(figure="received", status=by,
                                                                            key=row["key"])}
                for row in rows[:BREAKDOWN_ROWS]]

    def trend_words(trend: list[dict]) -> str:
        return ", ".join(f"{_month(m['month'])}: {format_percent(m['rate'])}" for m in trend)

    series = [{"label": _("All agencies"), "values": [m["rate"] for m in figures.total.trend]}]
    series += [{"label": a.short_name or a.name, "values": [m["rate"] for m in a.trend]} for a in rated[:TREND_LOWEST]]
    return {
        "answer_statuses": list(measures.ANSWER_STATUSES.items()),
        "commitment_statuses": list(measures.COMMITMENT_STATUSES.items()),
        "finding_statuses": list(measures.FINDINGS.items()),
        "on_time_rows": on_time_rows, "breakdown_rows": breakdown_rows, "trend_words": trend_words,
        "month_labels": [_month(m["month"]) for m in figures.total.trend], "trend_series": series,
        "breakdown_limit": BREAKDOWN_ROWS,
    }


def _page(value: str | None) -> int:
    number = parse_id(value)
    return number if number and number < 100_000 else 1


class DashboardController(Controller):
    path = "/dashboard"
    guards = [READERS]

    @get("/", name="dashboard")
    async def dashboard(self, request: Request) -> Template:
        now = request.app.state.clock()
        scope, units = await board.choose_scope(actor_of(request), request.query_params.get("unit"),
                                                request.query_params.get("period"), now)
        figures = await board.dashboard(scope, request.app.state.settings.rating_min_count)
        base = {"unit": scope.unit["id"], "period": scope.period.code}

        def drill(**params) -> str:
            return request.app.route_reverse("dashboard_items") + "?" + urlencode(
                {**base, **{k: v for k, v in params.items() if v not in (None, "")}})

        show_all = request.query_params.get("all") == "1"
        key = (database_identity(), figures.version, scope.unit["id"], scope.unit_ids, scope.period.code,
               scope.today, figures.rating_minimum, current_language(), show_all)
        html = _figures_html.get(key)
        if html is None:  # the figures' part of the page, drawn once per version of the figures
            html = Markup(request.app.template_engine.engine.get_template("staff/_dashboard_figures.html").render(
                request=request, board=figures, scope=scope, chart_rows=CHART_ROWS, drill=drill,
                ranked=figures.agencies if show_all else figures.agencies[:RANKED_ROWS],
                all_agencies=request.app.route_reverse("dashboard") + "?" + urlencode({**base, "all": 1})
                + "#agencies", **chart_context(figures, drill)))
            if len(_figures_html) >= FIGURES_KEPT:
                _figures_html.pop(next(iter(_figures_html)))
            _figures_html[key] = html
        return Template(template_name="staff/dashboard.html", context={
            "scope": scope, "units": units, "periods": period_choices(scope.today),
            "report_month": scope.period.end.strftime("%Y-%m"), "figures_html": html,
        })

    @get("/items", name="dashboard_items")
    async def items(self, request: Request) -> Template:
        params = request.query_params
        now = request.app.state.clock()
        scope, _units = await board.choose_scope(actor_of(request), params.get("unit"), params.get("period"), now)
        page = _page(params.get("page"))
        found = await board.items(scope, params.get("figure") or "", params.get("status"), params.get("agency"),
                                  params.get("key"), offset=(page - 1) * measures.ITEM_LIMIT)
        kept = {name: params.get(name) for name in ("unit", "period", "figure", "status", "agency", "key")}
        kept = {name: value for name, value in kept.items() if value}
        return Template(template_name="staff/dashboard_items.html", context={
            "found": found, "scope": scope, "page": page, "heading": found.heading, "kind": found.kind,
            "status_word": board.status_word,
            "may_open_questions": actor_of(request).role in (R.organiser.value, R.admin.value),
            "pages": max(1, -(-found.total // found.limit)),
            "page_query": lambda n: urlencode({**kept, "page": n}),
            "back": request.app.route_reverse("dashboard") + "?" + urlencode(
                {"unit": scope.unit["id"], "period": scope.period.code}),
        })
