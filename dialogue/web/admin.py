"""The admin's pages: staff accounts, agencies, topics, holidays, the unit map, the action log.

Thin handlers: read the form, call a service, render. Validation, permission and the
action log are the services' business.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Annotated

from litestar import Controller, Request, get, post
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template

from dialogue.accounts import commands as accounts
from dialogue.conferences import queries as conference_queries
from dialogue.core.calendar import local_today
from dialogue.core.errors import InvalidInput, NotFound
from dialogue.core.i18n import gettext as _
from dialogue.core.text import parse_id, valid_id
from dialogue.core.vocabulary import word
from dialogue.inspections import queries as inspection_queries
from dialogue.machine import log as audit
from dialogue.machine.actors import Role
from dialogue.mail import outbox
from dialogue.questions import queries as question_queries
from dialogue.reference import admin as reference
from dialogue.reference.admin import HolidayKind
from dialogue.reference.loading import list_holidays, list_units
from dialogue.web.forms import form_data
from dialogue.web.guards import actor_of, roles

R = Role
LOG_PAGE = 50


def checked_id(value: int) -> int:
    """Ids beyond what the database holds are simply not found (rather than a driver error)."""
    if not valid_id(value):
        raise NotFound(_("This item no longer exists."))
    return value


def role_options() -> list[tuple[str, str]]:
    return [(role.value, word("role", role.value)) for role in R]


def audience_options() -> list[tuple[str, str]]:
    return [("everyone", _("Everyone")), ("residents", _("Residents")), ("businesses", _("Businesses"))]


def holiday_kind_options() -> list[tuple[str, str]]:
    return [(HolidayKind.holiday.value, _("Day off")), (HolidayKind.workday.value, _("Working day (swap)"))]


async def agency_options() -> list[tuple[str, str]]:
    return [(str(a["id"]), f"{a['short_name']} — {a['name']} ({a['unit_name']})")
            for a in await reference.list_agencies(False)]


async def _question_labels(question_ids: list[int]) -> dict[int, str]:
    labels = await question_queries.labels(question_ids)
    return {question_id: f"{label['code']} · {label['title']}" for question_id, label in labels.items()}


# The objects the action log names: how to name them from their ids, and their staff page (route, parameter).
LOG_OBJECTS: dict[str, tuple[Callable[[list[int]], Awaitable[dict[int, str]]], str, str]] = {
    "question": (_question_labels, "organiser_question", "question_id"),
    "conference": (conference_queries.titles, "organiser_conference", "conference_id"),
    "staff_user": (accounts.staff_names, "admin_account", "user_id"),
    "agency": (reference.agency_names, "admin_agency", "agency_id"),
    "topic": (reference.topic_names, "admin_topic", "topic_id"),
    "holiday": (reference.holiday_names, "admin_holiday", "holiday_id"),
    "inspection_round": (inspection_queries.round_titles, "inspection_round", "round_id"),
}


def object_kind(object_type: str) -> str:
    """What an object is, for one the log can no longer name (deleted since)."""
    kinds = {"question": _("Question"), "conference": _("Conference"), "staff_user": _("Staff account"),
             "agency": _("Agency"), "topic": _("Topic"), "holiday": _("Day off"),
             "admin_unit": _("Administrative units"), "inspection_round": _("Inspection round")}
    return kinds.get(object_type, object_type)


async def with_objects(request: Request, entries: list[dict]) -> list[dict]:
    """Log entries with the name of their object and a link to its staff page (one query per kind
    of object on the page, not one per entry)."""
    wanted: dict[str, set[int]] = {}
    for entry in entries:
        object_id = parse_id(entry["object_id"])
        if entry["object_type"] in LOG_OBJECTS and object_id:
            wanted.setdefault(entry["object_type"], set()).add(object_id)
    names = {kind: await LOG_OBJECTS[kind][0](sorted(ids)) for kind, ids in wanted.items()}
    for entry in entries:
        kind, object_id = entry["object_type"], parse_id(entry["object_id"])
        name = names.get(kind, {}).get(object_id) if object_id else None
        if name:
            _names, route, parameter = LOG_OBJECTS[kind]
            entry["object_name"] = name
            entry["object_url"] = request.app.route_reverse(route, **{parameter: object_id})
        elif kind == "admin_unit":
            entry["object_name"], entry["object_url"] = object_kind(kind), request.app.route_reverse("admin_units")
        else:
            entry["object_name"], entry["object_url"] = f"{object_kind(kind)} {entry['object_id']}", ""
    return entries


async def _edit(
    request: Request, template: str, save: Callable[[dict], Awaitable[int]], done: Callable[[int], str],
    context: dict,
) -> Template | Redirect:
    """Save a submitted form, or show it again with its messages and everything typed."""
    form = await form_data(request)
    try:
        object_id = await save(form)
    except InvalidInput as error:
        return Template(template_name=template, context={**context, "values": form, "errors": error.errors},
                        status_code=400)
    return Redirect(path=done(object_id), status_code=303)


class AdminController(Controller):
    path = "/admin"
    guards = [roles(R.admin)]

    @get("/", name="admin_home")
    async def home(self, request: Request) -> Template:
        return Template(template_name="admin/home.html", context={
            "entries": await with_objects(request, await audit.recent_entries(limit=10))})

    # --- Accounts ---------------------------------------------------------------------

    @get("/accounts", name="admin_accounts")
    async def accounts_list(self) -> Template:
        return Template(template_name="admin/accounts.html", context={"accounts": await accounts.list_accounts()})

    async def _account_context(self, account: dict | None = None) -> dict:
        return {"account": account, "roles": role_options(), "agencies": await agency_options(), "errors": {}}

    @get("/accounts/new", name="admin_account_new")
    async def account_new(self) -> Template:
        return Template(template_name="admin/account_form.html",
                        context={**await self._account_context(), "values": {"language": "vi"}})

    @post("/accounts/new", name="admin_account_create")
    async def account_create(self, request: Request) -> Template | Redirect:
        actor, now = actor_of(request), request.app.state.clock()
        return await _edit(request, "admin/account_form.html",
                           lambda form: accounts.create_account(actor, form, now),
                           lambda _id: request.app.route_reverse("admin_accounts") + "?saved=1",
                           await self._account_context())

    @get("/accounts/{user_id:int}", name="admin_account")
    async def account_view(self, user_id: FromPath[int]) -> Template:
        account = await accounts.get_account(checked_id(user_id))
        values = {**account, "unit": account["unit_code"] or "", "agency": str(account["agency"] or ""),
                  "active": "yes" if account["active"] else ""}
        return Template(template_name="admin/account_form.html", context={
            **await self._account_context(account), "values": values,
            "history": await audit.entries_for("staff_user", user_id),
        })

    @post("/accounts/{user_id:int}", name="admin_account_update")
    async def account_update(self, request: Request, user_id: FromPath[int]) -> Template | Redirect:
        account = await accounts.get_account(checked_id(user_id))
        actor, now = actor_of(request), request.app.state.clock()

        async def save(form: dict) -> int:
            await accounts.update_account(actor, user_id, form, now)
            return user_id

        return await _edit(request, "admin/account_form.html", save,
                           lambda _id: request.app.route_reverse("admin_account", user_id=user_id) + "?saved=1",
                           {**await self._account_context(account), "history": []})

    @post("/accounts/{user_id:int}/password", name="admin_account_password")
    async def account_password(self, request: Request, user_id: FromPath[int]) -> Template | Redirect:
        account = await accounts.get_account(checked_id(user_id))
        actor, now = actor_of(request), request.app.state.clock()

        async def save(form: dict) -> int:
            await accounts.reset_password(actor, user_id, form.get("password", ""), now)
            return user_id

        values = {**account, "unit": account["unit_code"] or "", "agency": str(account["agency"] or ""),
                  "active": "yes" if account["active"] else ""}
        response = await _edit(request, "admin/account_form.html", save,
                               lambda _id: request.app.route_reverse("admin_account", user_id=user_id)
                               + "?password_reset=1",
                               {**await self._account_context(account), "history": []})
        if isinstance(response, Template):
            response.context["values"] = values  # keep the account form filled, not the password
        return response

    # --- Agencies ---------------------------------------------------------------------

    @get("/agencies", name="admin_agencies")
    async def agencies_list(self) -> Template:
        return Template(template_name="admin/agencies.html", context={"agencies": await reference.list_agencies()})

    @get("/agencies/new", name="admin_agency_new")
    async def agency_new(self) -> Template:
        return Template(template_name="admin/agency_form.html", context={"agency": None, "values": {}, "errors": {}})

    @post("/agencies/new", name="admin_agency_create")
    async def agency_create(self, request: Request) -> Template | Redirect:
        actor, now = actor_of(request), request.app.state.clock()
        return await _edit(request, "admin/agency_form.html", lambda form: reference.save_agency(actor, form, now),
                           lambda _id: request.app.route_reverse("admin_agencies") + "?saved=1", {"agency": None})

    @get("/agencies/{agency_id:int}", name="admin_agency")
    async def agency_view(self, agency_id: FromPath[int]) -> Template:
        agency = await reference.get_agency(checked_id(agency_id))
        values = {**agency, "unit": agency["unit_code"], "active": "yes" if agency["active"] else ""}
        return Template(template_name="admin/agency_form.html", context={
            "agency": agency, "values": values, "errors": {}, "history": await audit.entries_for("agency", agency_id),
        })

    @post("/agencies/{agency_id:int}", name="admin_agency_update")
    async def agency_update(self, request: Request, agency_id: FromPath[int]) -> Template | Redirect:
        agency = await reference.get_agency(checked_id(agency_id))
        actor, now = actor_of(request), request.app.state.clock()
        return await _edit(request, "admin/agency_form.html",
                           lambda form: reference.save_agency(actor, form, now, agency_id),
                           lambda _id: request.app.route_reverse("admin_agencies") + "?saved=1",
                           {"agency": agency, "history": []})

    # --- Topics -----------------------------------------------------------------------

    @get("/topics", name="admin_topics")
    async def topics_list(self) -> Template:
        return Template(template_name="admin/topics.html", context={"topics": await reference.list_topics()})

    async def _topic_context(self, topic: dict | None) -> dict:
        return {"topic": topic, "audiences": audience_options(), "agencies": await agency_options(), "errors": {}}

    @get("/topics/new", name="admin_topic_new")
    async def topic_new(self) -> Template:
        return Template(template_name="admin/topic_form.html", context={
            **await self._topic_context(None), "values": {"audience": "everyone", "position": "0"}})

    @post("/topics/new", name="admin_topic_create")
    async def topic_create(self, request: Request) -> Template | Redirect:
        actor, now = actor_of(request), request.app.state.clock()
        return await _edit(request, "admin/topic_form.html", lambda form: reference.save_topic(actor, form, now),
                           lambda _id: request.app.route_reverse("admin_topics") + "?saved=1",
                           await self._topic_context(None))

    @get("/topics/{topic_id:int}", name="admin_topic")
    async def topic_view(self, topic_id: FromPath[int]) -> Template:
        topic = await reference.get_topic(checked_id(topic_id))
        values = {**topic, "unit": topic["unit_code"] or "", "default_agency": str(topic["default_agency"] or ""),
                  "active": "yes" if topic["active"] else ""}
        return Template(template_name="admin/topic_form.html", context={
            **await self._topic_context(topic), "values": values, "history": await audit.entries_for("topic", topic_id),
        })

    @post("/topics/{topic_id:int}", name="admin_topic_update")
    async def topic_update(self, request: Request, topic_id: FromPath[int]) -> Template | Redirect:
        topic = await reference.get_topic(checked_id(topic_id))
        actor, now = actor_of(request), request.app.state.clock()
        return await _edit(request, "admin/topic_form.html",
                           lambda form: reference.save_topic(actor, form, now, topic_id),
                           lambda _id: request.app.route_reverse("admin_topics") + "?saved=1",
                           {**await self._topic_context(topic), "history": []})

    # --- Holidays ---------------------------------------------------------------------

    @get("/holidays", name="admin_holidays")
    async def holidays_list(
        self, request: Request, year: Annotated[int | None, QueryParameter(name="year", ge=2000, le=2100)] = None,
    ) -> Template:
        year = year or request.app.state.clock().year
        return Template(template_name="admin/holidays.html",
                        context={"year": year, "holidays": await list_holidays(year)})

    @get("/holidays/new", name="admin_holiday_new")
    async def holiday_new(self) -> Template:
        return Template(template_name="admin/holiday_form.html", context={
            "holiday": None, "values": {"kind": "holiday"}, "errors": {}, "kinds": holiday_kind_options()})

    @post("/holidays/new", name="admin_holiday_create")
    async def holiday_create(self, request: Request) -> Template | Redirect:
        actor, now = actor_of(request), request.app.state.clock()
        return await _edit(request, "admin/holiday_form.html", lambda form: reference.save_holiday(actor, form, now),
                           lambda _id: request.app.route_reverse("admin_holidays") + "?saved=1",
                           {"holiday": None, "kinds": holiday_kind_options()})

    @get("/holidays/{holiday_id:int}", name="admin_holiday")
    async def holiday_view(self, holiday_id: FromPath[int]) -> Template:
        holiday = await reference.get_holiday(checked_id(holiday_id))
        values = {**holiday, "day": holiday["day"].strftime("%d/%m/%Y")}
        return Template(template_name="admin/holiday_form.html", context={
            "holiday": holiday, "values": values, "errors": {}, "kinds": holiday_kind_options()})

    @post("/holidays/{holiday_id:int}", name="admin_holiday_update")
    async def holiday_update(self, request: Request, holiday_id: FromPath[int]) -> Template | Redirect:
        holiday = await reference.get_holiday(checked_id(holiday_id))
        actor, now = actor_of(request), request.app.state.clock()
        return await _edit(request, "admin/holiday_form.html",
                           lambda form: reference.save_holiday(actor, form, now, holiday_id),
                           lambda _id: request.app.route_reverse("admin_holidays")
                           + f"?year={holiday['day'].year}&saved=1",
                           {"holiday": holiday, "kinds": holiday_kind_options()})

    @post("/holidays/{holiday_id:int}/delete", name="admin_holiday_delete")
    async def holiday_delete(self, request: Request, holiday_id: FromPath[int]) -> Redirect:
        holiday = await reference.get_holiday(checked_id(holiday_id))
        await reference.delete_holiday(actor_of(request), holiday_id, request.app.state.clock())
        return Redirect(path=request.app.route_reverse("admin_holidays") + f"?year={holiday['day'].year}&deleted=1",
                        status_code=303)

    # --- Units and the log ------------------------------------------------------------

    @get("/units", name="admin_units")
    async def units_list(
        self, province: Annotated[str | None, QueryParameter(name="province", max_length=10)] = None,
        q: Annotated[str | None, QueryParameter(name="q", max_length=100)] = None,
    ) -> Template:
        units = await list_units(province=province or None, search=q or None, include_retired=True)
        return Template(template_name="admin/units.html",
                        context={"units": units[:500], "total": len(units), "province": province or "", "q": q or ""})

    @post("/units/reload", name="admin_units_reload")
    async def units_reload(self, request: Request) -> Template:
        report = await reference.reload_units(actor_of(request), request.app.state.clock())
        units = await list_units(include_retired=True)
        return Template(template_name="admin/units.html",
                        context={"units": units, "total": len(units), "province": "", "q": "", "report": report})

    @get("/phone-costs", name="admin_phone_costs")
    async def phone_costs(
        self, request: Request, month: Annotated[str, QueryParameter(name="month", max_length=7)] = "",
    ) -> Template:
        """What SMS and Zalo messages cost each unit in a month (this month unless `month`=YYYY-MM)."""
        today = local_today(request.app.state.clock())
        chosen = re.fullmatch(r"(20[0-9]{2})-(0[1-9]|1[0-2])", month)
        year, number = (int(chosen.group(1)), int(chosen.group(2))) if chosen else (today.year, today.month)
        previous = (year - 1, 12) if number == 1 else (year, number - 1)
        following = (year + 1, 1) if number == 12 else (year, number + 1)
        return Template(template_name="admin/phone_costs.html", context={
            **await outbox.monthly_phone_costs(year, number), "year": year, "month": number,
            "previous": f"{previous[0]}-{previous[1]:02d}",
            "next": f"{following[0]}-{following[1]:02d}" if following <= (today.year, today.month) else "",
            "limits": {"asker": request.app.state.settings.phone_messages_per_asker_per_day,
                       "unit": request.app.state.settings.phone_messages_per_unit_per_day}})

    @get("/log", name="admin_log")
    async def log(self, request: Request,
                  page: Annotated[int, QueryParameter(name="page", ge=1, le=100000)] = 1) -> Template:
        entries = await audit.recent_entries(limit=LOG_PAGE + 1, offset=(page - 1) * LOG_PAGE)
        return Template(template_name="admin/log.html", context={
            "entries": await with_objects(request, entries[:LOG_PAGE]), "page": page,
            "has_next": len(entries) > LOG_PAGE})
