"""Screening (organisers) and the agency inbox: thin handlers over the questions and answers domains."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated
from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template

from dialogue.answers import attachments, drafting, release
from dialogue.answers import queries as answer_queries
from dialogue.conferences.queries import conference_topics
from dialogue.core.errors import InvalidInput, NotFound
from dialogue.core.i18n import gettext as _
from dialogue.core.text import parse_id
from dialogue.core.vocabulary import word
from dialogue.machine.actors import Role
from dialogue.questions import queries, routing, screening
from dialogue.questions.intake import display_code
from dialogue.questions.machine import QUESTION, REJECTION_CATEGORIES
from dialogue.reference.admin import get_agency
from dialogue.web.admin import checked_id
from dialogue.web.forms import form_data
from dialogue.web.guards import actor_of, roles

R = Role
FILTERS = ("state", "topic", "asker_kind", "unit", "agency", "overdue", "returned", "q")
BULK_REPORT = "queue_report"  # what the last bulk action did, kept in the session for the page after it


def queue_filters(request: Request) -> dict[str, str]:
    return {key: (request.query_params.get(key) or "")[:100] for key in FILTERS}


class ScreeningController(Controller):
    path = "/organiser"
    guards = [roles(R.organiser, R.admin)]

    @get("/conferences/{conference_id:int}/queue", name="conference_queue")
    async def queue(self, request: Request, conference_id: FromPath[int],
                    page: Annotated[int, QueryParameter(name="page", ge=1, le=100000)] = 1) -> Template:
        return await self._queue(request, conference_id, page)

    async def _queue(self, request: Request, conference_id: int, page: int, errors: dict | None = None,
                     values: dict | None = None, chosen: Iterable[int] = (), status_code: int = 200) -> Template:
        filters = queue_filters(request)
        data = await queries.queue(actor_of(request), checked_id(conference_id), filters,
                                   request.app.state.clock(), page)
        report = None
        if status_code == 200 and BULK_REPORT in request.session:  # shown once, after the redirect
            session = dict(request.session)
            report = session.pop(BULK_REPORT)
            request.set_session(session)
        return Template(template_name="organiser/queue.html", status_code=status_code, context={
            **data, "filters": filters, "topics": await conference_topics(conference_id),
            "question_states": list(QUESTION.states),
            "query_string": urlencode({k: v for k, v in filters.items() if v}),
            "errors": errors or {}, "values": values or {}, "chosen": set(chosen), "report": report,
            "rejection_categories": [(c, word("rejection_category", c)) for c in REJECTION_CATEGORIES],
        })

    @post("/conferences/{conference_id:int}/queue/{action:str}", name="conference_queue_bulk")
    async def bulk(self, request: Request, conference_id: FromPath[int], action: FromPath[str]) -> Template | Redirect:
        """A bulk action on the chosen questions of the queue: each through the single action's
        service; then the queue as it was (same filters and page) with what was done and refused."""
        actor, now, base_url = actor_of(request), request.app.state.clock(), request.app.state.settings.base_url
        conference_id = checked_id(conference_id)
        form = await request.form()
        ids = [i for i in (parse_id(v) for v in form.getall("question", []) if isinstance(v, str)) if i]
        values = {key: str(form.get(key) or "")[:4000]
                  for key in ("category", "reason", "main_question", "merge_reason")}
        page = parse_id(request.query_params.get("page")) or 1
        main = None
        try:
            if action == "accept-and-route":
                result = await routing.accept_and_route(actor, ids, now, base_url, conference_id=conference_id)
            elif action == "reject":
                result = await screening.reject_many(actor, conference_id, ids, values, now, base_url)
            elif action == "merge":
                main, result = await screening.merge_many(actor, conference_id, ids, values["main_question"],
                                                          values["merge_reason"], now, base_url)
            else:
                raise NotFound(_("This action does not exist."))
        except InvalidInput as error:
            return await self._queue(request, conference_id, page, error.errors, values, ids, status_code=400)
        named = await queries.labels([question_id for question_id, _why in result.refused])
        request.set_session({**request.session, BULK_REPORT: {
            "action": action, "done": len(result.done),
            "main": display_code(main["tracking_code"]) if main else "",
            "refused": [{**named.get(question_id, {"code": "", "title": str(question_id)}), "why": why}
                        for question_id, why in result.refused],
        }})
        kept = {key: value for key, value in queue_filters(request).items() if value}
        query = urlencode({**kept, "page": page} if page > 1 else kept)
        return Redirect(path=request.app.route_reverse("conference_queue", conference_id=conference_id)
                        + (f"?{query}" if query else ""), status_code=303)

    async def _page(self, request: Request, question_id: int, errors: dict | None = None, values: dict | None = None,
                    status_code: int = 200, failed_action: str = "") -> Template:
        page = await queries.screening_page(actor_of(request), checked_id(question_id), request.app.state.clock())
        answer = await answer_queries.answer_of(question_id)
        return Template(template_name="organiser/question.html", status_code=status_code, context={
            **page, "agency_choices": [(str(a["id"]), a["name"]) for a in page["agencies"]],
            "errors": errors or {}, "values": values or {},
            "failed_action": failed_action,  # which of the page's forms the errors and values belong to
            "answer": answer, "answer_actions": answer_queries.ANSWER.allowed(answer_queries.state_of(answer)),
            "parts": await answer_queries.parts_of(question_id), "files": await attachments.files_of(question_id),
        })

    @post("/conferences/{conference_id:int}/release", name="conference_release")
    async def release(self, request: Request, conference_id: FromPath[int]) -> Redirect:
        published = await release.release(actor_of(request), checked_id(conference_id), request.app.state.clock(),
                                          request.app.state.settings.base_url)
        return Redirect(path=request.app.route_reverse("organiser_conference", conference_id=conference_id)
                        + f"?released={published}", status_code=303)

    @get("/questions/{question_id:int}", name="organiser_question")
    async def question(self, request: Request, question_id: FromPath[int]) -> Template:
        return await self._page(request, question_id)

    @post("/questions/{question_id:int}/{action:str}", name="organiser_question_action")
    async def act(self, request: Request, question_id: FromPath[int], action: FromPath[str]) -> Template | Redirect:
        actor, now = actor_of(request), request.app.state.clock()
        base_url = request.app.state.settings.base_url
        question = await screening.for_organiser(actor, checked_id(question_id))
        form = await form_data(request, lists=("contributing",))
        try:
            if action in ("accept", "reject", "forward"):
                await screening.decide(actor, question_id, action, form, now, base_url)
            elif action == "merge":
                await screening.merge(actor, question_id, form.get("main_question", ""), form.get("reason", ""), now,
                                      base_url)
            elif action == "unmerge":
                await screening.unmerge(actor, question_id, now, base_url)
            elif action == "assign":
                await routing.assign(actor, question_id, form, now, base_url, lists={
                    "contributing": [v for v in form.get("contributing", "").split(",") if v]})
            elif action == "public-text":
                await screening.edit_public_text(actor, question_id, form, now)
            elif action == "answer-return":
                await drafting.organiser_return(actor, question_id, form.get("return_reason", ""), now)
            else:
                return await self._page(request, question_id, status_code=404)
        except InvalidInput as error:
            return await self._page(request, question_id, error.errors, form, status_code=400, failed_action=action)
        return Redirect(path=request.app.route_reverse("organiser_question", question_id=question["id"])
                        + f"?done={action}", status_code=303)


def step_notice(done: str) -> str:
    """What the agency page says after a step (?done=<step>): what happened, not just "saved"."""
    notices = {
        "save": _("The draft is saved."),
        "submit": _("Saved and sent to the agency head for approval."),
        "published": _("The answer is approved and published. The asker and followers are told by e-mail."),
        "held": _("The answer is approved; it is held and will be published with the others when the session starts."),
        "return": _("The answer is returned to the officer with your comment."),
        "part": _("Your agency's part of the answer is saved."),
        "file": _("The file is attached."),
        "at-session": _("Marked: to be answered in person at the session."),
        "promise": _("The promise is added. It becomes a commitment, followed up in public, when the answer is "
                     "published."),
        "promise-remove": _("The promise is removed."),
        "in-writing": _("Marked: to be answered in writing."),
    }
    return notices.get(done, "")


class AgencyController(Controller):
    path = "/agency"
    guards = [roles(R.agency_officer, R.agency_head)]

    @get("/", name="agency_home")
    async def inbox(self, request: Request,
                    role: Annotated[str, QueryParameter(name="role", max_length=20)] = "") -> Template:
        actor = actor_of(request)
        items = await answer_queries.agency_inbox(actor, request.app.state.clock(), role)
        return Template(template_name="staff/agency.html", context={
            "agency": await get_agency(actor.agency_id), "items": items, "role": role,
            "counts": answer_queries.inbox_counts(items), "is_head": actor.role == R.agency_head.value,
        })

    async def _page(self, request: Request, question_id: int, errors: dict | None = None, values: dict | None = None,
                    status_code: int = 200, conflict: dict | None = None) -> Template:
        actor = actor_of(request)
        done = request.query_params.get("done", "") if status_code == 200 else ""
        question, assignments = await routing.agency_question(actor, checked_id(question_id))
        answer = await answer_queries.answer_of(question_id)
        parts = await answer_queries.parts_of(question_id)
        return Template(template_name="agency/question.html", status_code=status_code, context={
            "question": question, "code": display_code(question["tracking_code"]), "assignments": assignments,
            "can": answer_queries.agency_can(actor, question, assignments, answer), "answer": answer, "parts": parts,
            "my_part": next((p for p in parts if p["agency"] == actor.agency_id), None), "conflict": conflict,
            "conflict_changes": answer_queries.changes_between(conflict["body"], (values or {}).get("body", ""))
            if conflict else [],
            "files": await attachments.files_of(question_id), "max_mb": attachments.MAX_BYTES // (1024 * 1024),
            "promises": await answer_queries.promises_of(question_id),
            "errors": errors or {}, "values": values or {}, "notice": step_notice(done),
        })

    @get("/questions/{question_id:int}", name="agency_question")
    async def question(self, request: Request, question_id: FromPath[int]) -> Template:
        return await self._page(request, question_id)

    @post("/questions/{question_id:int}/answer/{step:str}", name="agency_answer_step")
    async def answer_step(
        self, request: Request, question_id: FromPath[int], step: FromPath[str],
    ) -> Template | Redirect:
        actor, now = actor_of(request), request.app.state.clock()
        form = await form_data(request)
        checked_id(question_id)
        done = step  # what the notice on the page will say was done
        try:
            if step == "save":
                await drafting.save_draft(actor, question_id, form, now)
            elif step == "submit":
                await drafting.submit(actor, question_id, now, form)
            elif step in ("approve", "return"):
                state = await drafting.review(actor, question_id, step, form.get("comment", ""), now,
                                              request.app.state.settings.base_url)
                done = {"published": "published", "approved": "held"}.get(state, step)
            elif step == "part":
                await drafting.save_part(actor, question_id, form.get("part", ""), now)
            elif step == "promise":
                await drafting.add_promise(actor, question_id, form, now)
            elif step == "promise-remove":
                await drafting.remove_promise(actor, question_id, form.get("promise"), now)
            elif step == "at-session":
                at_session = form.get("at_session") == "yes"
                await attachments.mark_at_session(actor, question_id, at_session, now)
                done = "at-session" if at_session else "in-writing"
            else:
                return await self._page(request, question_id, status_code=404)
        except drafting.AnswerConflict as conflict:
            return await self._page(request, question_id, {"body": str(conflict)}, form, 409, conflict.current)
        except InvalidInput as error:
            return await self._page(request, question_id, error.errors, form, 400)
        return Redirect(path=request.app.route_reverse("agency_question", question_id=question_id) + f"?done={done}",
                        status_code=303)

    @post("/questions/{question_id:int}/files", name="agency_upload",
          request_max_body_size=attachments.MAX_BYTES + 100_000)  # the file and its form
    async def upload(self, request: Request, question_id: FromPath[int]) -> Template | Redirect:
        actor = actor_of(request)
        form = await request.form()
        upload = form.get("file")
        data = await upload.read() if hasattr(upload, "read") else b""
        filename = getattr(upload, "filename", "") or ""
        try:
            await attachments.attach(actor, checked_id(question_id), filename, data, request.app.state.clock())
        except InvalidInput as error:
            return await self._page(request, question_id, error.errors, {}, 400)
        return Redirect(path=request.app.route_reverse("agency_question", question_id=question_id) + "?done=file",
                        status_code=303)

    @post("/questions/{question_id:int}/return", name="agency_return")
    async def return_question(self, request: Request, question_id: FromPath[int]) -> Template | Redirect:
        form = await form_data(request)
        actor = actor_of(request)
        try:
            await routing.return_to_organisers(actor, checked_id(question_id), form.get("reason", ""),
                                                 request.app.state.clock(), request.app.state.settings.base_url)
        except InvalidInput as error:
            return await self._page(request, question_id, error.errors, form, 400)
        return Redirect(path=request.app.route_reverse("agency_home") + "?returned=1", status_code=303)
