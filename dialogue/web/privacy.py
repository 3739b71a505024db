"""Personal data: the asker's own page behind the manage link (see, download, correct, hide, withdraw
consent, ask for erasure or object) and the data-protection officer's queue. Thin handlers over
dialogue.privacy.requests."""

from __future__ import annotations

import datetime as dt
import json

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from dialogue.core import validation
from dialogue.core.errors import Conflict, InvalidInput, NotFound
from dialogue.core.i18n import gettext as _
from dialogue.machine.actors import Role
from dialogue.machine.log import entries_for
from dialogue.privacy import requests, rules
from dialogue.questions import intake, tracking
from dialogue.web.confirmation import PRIVATE
from dialogue.web.forms import form_data
from dialogue.web.guards import actor_of, roles
from dialogue.web.public import MAX_ECHO, canonical_address, content_disposition

R = Role


def asker_notice(done: str) -> str:
    return {
        "contacts": _("Your contact details are corrected."),
        "public": _("Your question is no longer shown publicly: it has left the public pages, the open data and "
                    "the feeds."),
        "processing": _("Your consent is withdrawn and your name and contact details are erased. This page still "
                        "opens with your link."),
        "erasure": _("Your request is received and acknowledged. The data-protection officer will handle it by "
                     "the date shown below."),
        "objection": _("Your request is received and acknowledged. The data-protection officer will handle it by "
                       "the date shown below."),
    }.get(done, "")


def _json_default(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


class MyDataController(Controller):
    """The asker's personal-data page: the manage link (its secret token) proves who they are."""

    path = "/q/{code:str}/manage/{token:str}"

    async def _page(self, request: Request, code: str, token: str, *, errors: dict | None = None,
                    values: dict | None = None, failed: str = "", refused: str = "", status_code: int = 200
                    ) -> Template:
        question = await tracking.get_for_asker(code, token)
        now = request.app.state.clock()
        data = await requests.personal_data(question, now)
        contacts = values if failed == "contacts" and values else {
            "asker_name": question["asker_name"], "asker_email": question["asker_email"],
            "asker_phone": validation.display_phone(question["asker_phone"]), "notify_by": question["notify_by"]}
        return Template(template_name="public/my_data.html", status_code=status_code, headers=PRIVATE, context={
            "question": question, "data": data, "code": intake.display_code(question["tracking_code"]),
            "token": token, "requests": await requests.requests_of(question["id"], now),
            "erased": bool(question["personal_data_erased_at"]),
            "can_withdraw": tracking.QUESTION.allows(question["state"], "withdraw"),
            "notify_choices": [(choice, label) for choice, label, _needs in intake.notify_choices(
                intake.offered_channels(request.app.state.settings, keeping=question["notify_by"]))],
            "contacts": contacts, "errors": errors or {}, "values": values or {}, "failed": failed,
            "refused": refused, "rules": rules,
            "notice": asker_notice(request.query_params.get("done", "")) if status_code == 200 else "",
        })

    def _done(self, request: Request, code: str, token: str, done: str) -> Redirect:
        path = request.app.route_reverse("my_data", code=code, token=token)
        return Redirect(path=f"{path}?done={done}#top", status_code=303)

    @get("/data", name="my_data")
    async def page(self, request: Request, code: FromPath[str], token: FromPath[str]) -> Template | Redirect:
        if redirect := canonical_address(request, code):
            return redirect
        return await self._page(request, code, token)

    @get("/data.json", name="my_data_json")
    async def download(self, request: Request, code: FromPath[str], token: FromPath[str]) -> Response:
        question = await tracking.get_for_asker(code, token)
        now = request.app.state.clock()
        await requests.record_access(question, now)
        body = json.dumps(await requests.personal_data(question, now), ensure_ascii=False, indent=2,
                          default=_json_default)
        name = f"du-lieu-ca-nhan-{intake.display_code(question['tracking_code'])}.json"
        return Response(content=body.encode(), media_type="application/json; charset=utf-8", headers={
            **PRIVATE, "content-disposition": content_disposition(name)})

    async def _act(self, request: Request, code: str, token: str, form_name: str, work) -> Template | Redirect:
        if redirect := canonical_address(request, code):
            return redirect
        form = await form_data(request)
        question = await tracking.get_for_asker(code, token)
        try:
            await work(question, form, request.app.state.clock())
        except InvalidInput as error:
            return await self._page(request, code, token, errors=error.errors, failed=form_name, status_code=400,
                                    values={key: value[:MAX_ECHO] for key, value in form.items()})
        except Conflict as error:
            return await self._page(request, code, token, refused=str(error), failed=form_name, status_code=409,
                                    values={key: value[:MAX_ECHO] for key, value in form.items()})
        return self._done(request, code, token, form_name)

    @post("/data/contacts", name="my_data_contacts")
    async def correct(self, request: Request, code: FromPath[str], token: FromPath[str]) -> Template | Redirect:
        return await self._act(request, code, token, "contacts",
                               lambda question, form, now: requests.correct_contacts(
                                   question, form, now,
                                   intake.offered_channels(request.app.state.settings, keeping=question["notify_by"])))

    @post("/data/public", name="my_data_public")
    async def hide(self, request: Request, code: FromPath[str], token: FromPath[str]) -> Template | Redirect:
        return await self._act(request, code, token, "public",
                               lambda question, form, now: requests.withdraw_public(question, now))

    @post("/data/processing", name="my_data_processing")
    async def withdraw_processing(self, request: Request, code: FromPath[str], token: FromPath[str]
                                  ) -> Template | Redirect:
        base_url = request.app.state.settings.base_url
        return await self._act(request, code, token, "processing", lambda question, form, now: (
            requests.withdraw_processing(question, form.get("choice", ""), now, base_url)))

    @post("/data/erasure", name="my_data_erasure")
    async def ask_erasure(self, request: Request, code: FromPath[str], token: FromPath[str]) -> Template | Redirect:
        base_url = request.app.state.settings.base_url
        return await self._act(request, code, token, "erasure", lambda question, form, now: requests.ask(
            question, "erasure", form.get("erasure-details", ""), now, base_url))

    @post("/data/objection", name="my_data_objection")
    async def object_to(self, request: Request, code: FromPath[str], token: FromPath[str]) -> Template | Redirect:
        base_url = request.app.state.settings.base_url
        return await self._act(request, code, token, "objection", lambda question, form, now: requests.ask(
            question, "objection", form.get("objection-details", ""), now, base_url))


def officer_notice(done: str) -> str:
    return {
        "extend": _("The deadline is extended and the asker is told why."),
        "complete": _("The request is carried out and the asker can read what was done."),
        "refuse": _("The request is refused and the asker is told why."),
    }.get(done, "")


class DataRequestsController(Controller):
    """The data-protection officer's queue of the unit's requests, each with its working days left."""

    path = "/data-requests"
    guards = [roles(R.admin, R.data_protection)]

    @get("/", name="data_requests")
    async def queue(self, request: Request) -> Template:
        show = "closed" if request.query_params.get("show") == "closed" else "open"
        return Template(template_name="staff/data_requests.html", context={
            "rows": await requests.queue(actor_of(request), request.app.state.clock(), show), "show": show})

    async def _page(self, request: Request, request_id: int, *, errors: dict | None = None,
                    values: dict | None = None, failed: str = "", status_code: int = 200) -> Template:
        now = request.app.state.clock()
        row, question = await requests.request_for(actor_of(request), request_id, now)
        return Template(template_name="staff/data_request.html", status_code=status_code, context={
            "row": row, "question": question, "code": intake.display_code(question["tracking_code"]),
            "history": await entries_for("data_request", row["id"]), "rules": rules,
            "errors": errors or {}, "values": values or {}, "failed": failed,
            "notice": officer_notice(request.query_params.get("done", "")) if status_code == 200 else ""})

    @get("/{request_id:int}", name="data_request")
    async def page(self, request: Request, request_id: FromPath[int]) -> Template:
        return await self._page(request, request_id)

    @post("/{request_id:int}/{action:str}", name="data_request_act")
    async def act(self, request: Request, request_id: FromPath[int], action: FromPath[str]) -> Template | Redirect:
        work = {"extend": requests.extend, "complete": requests.complete, "refuse": requests.refuse}.get(action)
        if work is None:
            raise NotFound(_("This page does not exist."))
        form = await form_data(request)
        text = form.get("outcome", "") if action == "complete" else form.get("reason", "")
        try:
            await work(actor_of(request), request_id, text, request.app.state.clock(),
                       request.app.state.settings.base_url)
        except InvalidInput as error:
            return await self._page(request, request_id, errors=error.errors, failed=action, status_code=400,
                                    values={key: value[:MAX_ECHO] for key, value in form.items()})
        path = request.app.route_reverse("data_request", request_id=request_id)
        return Redirect(path=f"{path}?done={action}", status_code=303)
