"""Public pages: no account needed, work without JavaScript, on a 360 px phone."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Annotated
from urllib.parse import quote, urlsplit

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template

from dialogue.accounts.commands import address_key
from dialogue.agenda.queries import public_agenda, question_outcome
from dialogue.answers import attachments
from dialogue.answers import queries as answers
from dialogue.commitments import queries as commitment_queries
from dialogue.conferences import queries as conferences
from dialogue.core import validation
from dialogue.core.db import unavailable
from dialogue.core.errors import Conflict, InvalidInput, NotFound, Throttled
from dialogue.core.i18n import current_language
from dialogue.core.i18n import gettext as _
from dialogue.core.settings import LANGUAGES
from dialogue.core.text import safe_token, tidy
from dialogue.documents import queries as document_queries
from dialogue.inspections import queries as inspection_queries
from dialogue.machine.actors import Actor
from dialogue.mail import outbox
from dialogue.privacy import rules as privacy_rules
from dialogue.questions import intake, tracking
from dialogue.questions import queries as question_queries
from dialogue.ratings import commands as rating_commands
from dialogue.ratings import queries as ratings
from dialogue.web.documents import document_response
from dialogue.web.errors import unavailable_page
from dialogue.web.forms import form_data
from dialogue.web.guards import current_user
from dialogue.web.middleware import LANGUAGE_COOKIE
from dialogue.web.sessions import client_address

PER_PAGE = 20
MAX_ECHO = 10_000  # characters of a field shown back on the page that keeps a form (the body allows 5,000)
LIKE_LIMIT = 300  # characters of a search of the questions already asked
LIKE_TEXT_LIMIT = 2_000  # characters of the form's title and text that the script sends to look for them


def safe_next(target: str | None) -> str:
    """Only a path on this site: never another host (an open redirect), and always a valid
    Location header (control characters refused, anything else percent-encoded)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in target) or len(target) > 2000:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    return quote(target, safe="/?&=%#:@!$'()*+,;~-._")


def submission_policy(request: Request) -> intake.SubmissionPolicy:
    settings = request.app.state.settings
    return intake.SubmissionPolicy(per_address_per_hour=settings.submissions_per_hour, base_url=settings.base_url,
                                   channels=intake.offered_channels(settings))


async def _ask_context(request: Request, conference: dict, values: dict, errors: dict, like: str = "") -> dict:
    """The ask form's page. `like`: the words a resident searched the questions already asked with;
    without them, what they typed in the form (shown again with its errors), if anything."""
    now, channels = request.app.state.clock(), intake.offered_channels(request.app.state.settings)
    name = "name_vi" if current_language() == "vi" else "name_en"
    heading, text = (like, "") if like else (values.get("title", ""), values.get("body", ""))
    return {
        "conference": conference, "values": values, "errors": errors, "already_sent": False, "like": like,
        "asked_like": await question_queries.asked_like(conference, heading, text, now)
        if (heading or text).strip() else None,
        "topic_choices": [(str(t["id"]), t[name]) for t in await conferences.conference_topics(conference["id"])],
        "area_choices": [(str(a["id"]), a["name"]) for a in await conferences.area_options(conference)],
        "asked": await question_queries.public_questions(conference["id"]),
        "limits": {"title": intake.TITLE_LIMITS, "body": intake.BODY_LIMITS},
        "notify_choices": intake.notify_choices(channels),
    }


async def _track_context(question: tracking.PublicQuestion, now: dt.datetime) -> dict:
    """What the public tracking page shows: the public view, its timeline, the published answer
    (of the main question, for a merged one) and the follow-up of the commitments made for it."""
    return {"question": question, "code": question.code, "timeline": await tracking.timeline(question.id),
            "answer": await answers.published_answer(question.answer_source),
            "session_outcome": await question_outcome(question),
            "follow_up": await commitment_queries.public_follow_up(now, question_id=question.answer_source)}


async def _manage_context(request: Request, question: dict, token: str) -> dict:
    """The asker's own page tells the question's whole story, in order: what they sent, the answer,
    the commitments made for it (state, dates, progress notes, evidence, their public timeline), the
    question's timeline, then what they may rate and what they rated."""
    now, source = request.app.state.clock(), question["merged_into"] or question["id"]
    return {
        "question": question, "code": intake.display_code(question["tracking_code"]), "token": token,
        "can_withdraw": tracking.QUESTION.allows(question["state"], "withdraw"),
        "timeline": await tracking.timeline(question["id"]),
        "answer": await answers.published_answer(source),
        "session_outcome": await question_outcome(tracking.public_view(question), for_asker=True),
        "follow_up": await commitment_queries.public_follow_up(now, question_id=source),
        "subjects": await rating_commands.subjects_of(question), "dimensions": rating_commands.DIMENSIONS,
        "scores": rating_commands.SCORES, "not_applicable": rating_commands.NOT_APPLICABLE,
        "comment_max": rating_commands.MAX_COMMENT, "rating_minimum": request.app.state.settings.rating_min_count,
        "failed": "", "errors": {}, "values": {}, "refused": "",
    }


async def told_where(question: dict, now: dt.datetime, link_shown: bool = True) -> tuple[str, bool]:
    """(where the confirmation with the private link went, in words; whether it was held back): a daily
    cap may have stopped an SMS or Zalo message, and the asker must then keep the link on screen.
    `link_shown`: false when the form came again (a double tap, a retry) and the page cannot show it."""
    contact = intake.chosen_contact(question)
    if contact is None:  # no messages chosen, or only a landline given
        return _("We will send you no messages about this question: follow it with its tracking code and your "
                 "private link."), False
    channel, address = contact
    # only phone messages have daily caps: an e-mail address, however many messages it had, is not read
    held = await outbox.held_back(address, intake.display_code(question["tracking_code"]), now) \
        if channel in intake.PHONE_CHANNELS else ""
    if held and not link_shown:
        return _("We could not send you a message: that day's limit of messages had been reached. Your tracking "
                 "code shows every step."), True
    if held:  # at submission only a daily cap can hold it back
        return _("We could not send you a message now: today's limit of messages has been reached. Keep your "
                 "private link below; your tracking code shows every step."), True
    phone = validation.display_phone(question["asker_phone"])
    return {
        "email": _("We have sent a confirmation to %(email)s with this code and a private link to your question.",
                   email=address),
        "sms": _("We are sending an SMS to %(phone)s with this code and a private link to your question. We will "
                 "tell you there how it goes on.", phone=phone),
        "zalo": _("We are sending a Zalo message to %(phone)s with this code and a private link to your question. "
                  "We will tell you there how it goes on.", phone=phone),
    }[channel], False


def content_disposition(filename: str, inline: bool = False) -> str:
    """attachment (or inline); an ASCII fallback name and the real one (RFC 6266/5987), nothing that
    can break out."""
    fallback = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "._-") else "_" for ch in filename) or "file"
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def taking_questions(rows: list[dict], now) -> set[int]:
    """The conferences of a list that take questions now: each card offers to ask."""
    return {row["id"] for row in rows if conferences.accepting_questions(row, now)}


async def home_page(request: Request, code: str = "", errors: dict | None = None) -> Template:
    """The home page; with a tracking code that found nothing, that code and why (status 400)."""
    rows = await conferences.upcoming_public_conferences()
    return Template(template_name="public/home.html", status_code=400 if errors else 200, context={
        "conferences": rows, "accepting": taking_questions(rows, request.app.state.clock()),
        "code": code, "errors": errors or {}})


def closed_page(conference: dict, window: conferences.QuestionWindow, kept: dict | None = None) -> Template:
    """For those who follow an ask link when the conference is not taking questions: when questions
    open, or since when they stopped (410: that form is gone for good), and where to go instead."""
    return Template(template_name="public/ask_closed.html", status_code=200 if window.opens_at else 410,
                    context={"conference": conference, "window": window, "kept": kept or {}})


def canonical_address(request: Request, code: str) -> Redirect | None:
    """A tracking code's tolerant spellings (lower case, no dashes, O for 0, I and L for 1) lead to
    its one address; anything else is not found (not /q/CODE.bak, not /q/CODE~)."""
    parsed = intake.normalise_code(code)
    if not parsed:
        raise NotFound(_("No question has this tracking code. Check the code in the confirmation we sent you or on the "
                         "page shown when you asked."))
    canonical = intake.display_code(parsed)
    if code == canonical:
        return None
    path = request.app.route_reverse(request.route_handler.name, **{**request.path_params, "code": canonical})
    query = f"?{request.url.query}" if request.url.query else ""
    return Redirect(path=path + query, status_code=301 if request.method in ("GET", "HEAD") else 308)


class PublicController(Controller):
    path = "/"

    @get("/", name="home")
    async def home(self, request: Request) -> Template:
        return await home_page(request)

    @get("/privacy", name="privacy")
    async def privacy(self, request: Request) -> Template:
        return Template(template_name="public/privacy.html", context={
            "retention_months": request.app.state.settings.retention_months,
            "deadlines": {"acknowledge": privacy_rules.ACKNOWLEDGE_DAYS, "due": privacy_rules.DUE_DAYS,
                          "with_processor": privacy_rules.DUE_DAYS_WITH_PROCESSOR,
                          "extension": privacy_rules.EXTENSION_DAYS}})

    @get("/language/{code:str}", name="language")
    async def switch_language(
        self, request: Request, code: FromPath[str], next_: Annotated[str | None, QueryParameter(name="next")] = None
    ) -> Redirect:
        response = Redirect(path=safe_next(next_))
        if code in LANGUAGES:
            response.set_cookie(
                LANGUAGE_COOKIE, code, max_age=365 * 24 * 3600, httponly=True, samesite="lax",
                secure=request.app.state.settings.secure_cookies,
            )
        return response

    # --- Conferences ------------------------------------------------------------------------

    @get("/conferences", name="conferences")
    async def conference_list(
        self, request: Request, q: Annotated[str, QueryParameter(name="q", max_length=200)] = "",
        unit: Annotated[str, QueryParameter(name="unit", max_length=10)] = "",
        kind: Annotated[str, QueryParameter(name="kind", max_length=20)] = "",
        page: Annotated[int, QueryParameter(name="page", ge=1, le=10000)] = 1,
        taking: Annotated[str, QueryParameter(name="taking", max_length=1)] = "",
    ) -> Template:
        rows, total = await conferences.search_public_conferences(
            q, unit, kind, page, PER_PAGE, taking_questions_at=request.app.state.clock() if taking else None)
        return Template(template_name="public/conferences.html", context={
            "conferences": rows, "accepting": taking_questions(rows, request.app.state.clock()),
            "total": total, "page": page, "pages": max(1, -(-total // PER_PAGE)),
            "q": q, "unit": unit, "kind": kind, "taking": bool(taking),
            "units": await conferences.units_with_conferences(),
        })

    @get("/conferences/{conference_id:int}", name="conference")
    async def conference_page(self, request: Request, conference_id: FromPath[int]) -> Template:
        conference = await conferences.get_public_conference(conference_id)
        answered = await answers.published_for_conference(conference_id)
        return Template(template_name="public/conference.html", context={
            "conference": conference,
            "accepting": conferences.accepting_questions(conference, request.app.state.clock()),
            "questions": await question_queries.public_questions(conference_id),
            "topics": await conferences.conference_topics(conference_id),
            "answered": answered, "agenda": await public_agenda(conference, answered),
            "documents": await document_queries.public_documents(conference_id),
            "follow_up": await commitment_queries.public_follow_up(request.app.state.clock(),
                                                                   conference_id=conference_id),
            "satisfaction": (await ratings.satisfaction_by_conference(
                [conference_id], minimum=request.app.state.settings.rating_min_count))[conference_id],
            "dimensions": rating_commands.DIMENSIONS,
            "inspections": await inspection_queries.closed_rounds_of_conference(conference_id),
        })

    @get("/conferences/{conference_id:int}/documents/{document_id:int}/{fmt:str}", name="public_document")
    async def document(self, conference_id: FromPath[int], document_id: FromPath[int], fmt: FromPath[str]) -> Response:
        """A published document as it was frozen: the printable page, the PDF or the Word file."""
        row, content = await document_queries.public_file(conference_id, document_id, fmt)
        return document_response(content if isinstance(content, str) else bytes(content), fmt,
                                 document_queries.file_name(row, fmt))

    @get("/conferences/{conference_id:int}/calendar.ics", name="conference_calendar")
    async def conference_calendar(self, request: Request, conference_id: FromPath[int]) -> Response:
        conference = await conferences.get_public_conference(conference_id)
        if conference["starts_at"] is None:
            return Redirect(path=request.app.route_reverse("conference", conference_id=conference_id))
        return Response(
            content=conferences.calendar_file(conference, request.app.state.settings.base_url),
            media_type="text/calendar",  # Litestar adds "; charset=utf-8" to text types itself
            headers={"content-disposition": f'attachment; filename="hoi-nghi-doi-thoai-{conference_id}.ics"'},
        )

    # --- Asking ----------------------------------------------------------------------------

    @get("/conferences/{conference_id:int}/ask", name="ask")
    async def ask_form(
        self, request: Request, conference_id: FromPath[int],
        form_token: Annotated[str, QueryParameter(name="form", max_length=100)] = "",
        like: Annotated[str, QueryParameter(name="like")] = "",
    ) -> Template | Redirect:
        conference = await conferences.get_public_conference(conference_id)
        window = await conferences.question_window(conference, request.app.state.clock())
        if not window.accepting:
            return closed_page(conference, window)
        if not safe_token(form_token) or not 32 <= len(form_token) <= 64:
            # Each form gets its token in its address, so that the page shown again by Back or a
            # reload (browsers fetch it again and restore what was typed, but not hidden fields)
            # carries the same token: sending it again then finds the first question.
            ask = request.app.route_reverse("ask", conference_id=conference_id)
            return Redirect(path=f"{ask}?form={secrets.token_urlsafe(32)}", status_code=303)
        like = tidy(like)[:LIKE_LIMIT]
        areas = await conferences.area_options(conference)
        values = {"form_token": form_token, "asker_kind": "resident", "answer_mode": "writing",
                  "unit": str(areas[0]["id"]) if len(areas) == 1 else ""}
        context = await _ask_context(request, conference, values, {}, like)
        # no-store: Back brings the form from the server, which then says it was already sent.
        return Template(template_name="public/ask.html", headers={"cache-control": "no-store"},
                        context={**context, "already_sent": await intake.form_used(form_token)})

    @get("/conferences/{conference_id:int}/asked-like", name="asked_like")
    async def asked_like(
        self, request: Request, conference_id: FromPath[int],
        title: Annotated[str, QueryParameter(name="title")] = "",
        text: Annotated[str, QueryParameter(name="text")] = "",
    ) -> Template:
        """The questions already asked that look like what is being typed in the ask form: the
        part of its page that the form's script (similar.js) replaces as the resident types."""
        conference = await conferences.get_public_conference(conference_id)
        title, text = tidy(title)[:LIKE_LIMIT], tidy(text)[:LIKE_TEXT_LIMIT]
        return Template(template_name="public/_asked_like.html", headers={"cache-control": "no-store"}, context={
            "conference": conference, "asked_like": await question_queries.asked_like(
                conference, title, text, request.app.state.clock()) if title or text else None})

    @post("/conferences/{conference_id:int}/ask", name="ask_submit")
    async def ask(self, request: Request, conference_id: FromPath[int]) -> Template:
        form = await form_data(request)
        try:
            return await self._ask(request, conference_id, form)
        except Exception as error:
            if not unavailable(error):
                raise
            # The database went away: the question may or may not have been saved. Everything typed
            # is kept, with the same form token, so that sending again finds the first question if
            # it was saved and cannot make a second one.
            return unavailable_page(request, error, Template(
                template_name="public/ask_retry.html", status_code=503, headers={"cache-control": "no-store"},
                context={"fields": {k: v[:MAX_ECHO] for k, v in form.items() if k != "_csrf_token"},
                         "conference_id": conference_id}))

    async def _ask(self, request: Request, conference_id: int, form: dict) -> Template:
        settings = request.app.state.settings
        if form.get("check"):  # "Look for questions like mine first": the form again, as typed, nothing sent
            conference = await conferences.get_public_conference(conference_id)
            window = await conferences.question_window(conference, request.app.state.clock())
            if not window.accepting:
                return closed_page(conference, window,
                                   kept={"title": form.get("title", ""), "body": form.get("body", "")})
            kept = {key: value[:MAX_ECHO] for key, value in form.items() if key not in ("check", "_csrf_token")}
            return Template(template_name="public/ask.html", headers={"cache-control": "no-store"},
                            context=await _ask_context(request, conference, kept, {}))
        address = address_key(client_address(request.scope, settings.trusted_proxies))
        try:
            submitted = await intake.submit_question(
                conference_id, form, address, current_language(), request.app.state.clock(), submission_policy(request))
        except Conflict:  # questions stopped while the form was being filled in: what was typed is shown
            conference = await conferences.get_public_conference(conference_id)  # 404 if it is not public
            window = await conferences.question_window(conference, request.app.state.clock())
            return closed_page(conference, window, kept={"title": form.get("title", ""), "body": form.get("body", "")})
        except (InvalidInput, Throttled) as error:
            errors = error.errors if isinstance(error, InvalidInput) else {"form": str(error)}
            token = form.get("form_token")
            if not token or isinstance(error, intake.FormAlreadyUsed):
                token = secrets.token_urlsafe(32)
            kept = {key: value[:MAX_ECHO] for key, value in form.items()}  # never echo more than a field holds
            conference = await conferences.get_public_conference(conference_id)
            return Template(template_name="public/ask.html", status_code=429 if isinstance(error, Throttled) else 400,
                            context=await _ask_context(request, conference, {**kept, "form_token": token}, errors))
        question = submitted.question
        base_url = settings.base_url
        return Template(template_name="public/submitted.html", context={
            "conference": submitted.conference, "question": question,
            "told": await told_where(question, request.app.state.clock(), link_shown=bool(submitted.manage_token)),
            "code": intake.display_code(question["tracking_code"]),
            "tracking_url": intake.tracking_url(base_url, question["tracking_code"]),
            "manage_url": intake.manage_url(base_url, question["tracking_code"], submitted.manage_token)
            if submitted.manage_token else None,
        })

    # --- Following a question ---------------------------------------------------------------

    @get("/q", name="track_lookup")
    async def track_lookup(
        self, request: Request, code: Annotated[str, QueryParameter(name="code", max_length=100)] = ""
    ) -> Template | Redirect:
        normalised = intake.normalise_code(code)
        if not normalised:
            return await home_page(request, code, {"code": _("Enter the 13 letters and digits of the code, for example "
                                                    "7K3M-9QX2-4HPAB.")})
        try:
            question = await tracking.public_question(normalised)
        except NotFound as error:
            return await home_page(request, code, {"code": str(error)})
        return Redirect(path=request.app.route_reverse("track", code=question.code), status_code=303)

    @get("/q/{code:str}", name="track")
    async def track(self, request: Request, code: FromPath[str],
                    followed: Annotated[str | None, QueryParameter(name="followed")] = None) -> Template | Redirect:
        if redirect := canonical_address(request, code):
            return redirect
        question = await tracking.public_question(code)
        return Template(template_name="public/track.html", context={
            **await _track_context(question, request.app.state.clock()), "errors": {}, "values": {},
            "followed": bool(followed)})

    @post("/q/{code:str}/follow", name="follow")
    async def follow(self, request: Request, code: FromPath[str]) -> Template | Redirect:
        if redirect := canonical_address(request, code):
            return redirect
        form = await form_data(request)
        question = await tracking.public_question(code)
        try:
            await tracking.request_follow(code, form.get("follow_email", ""), current_language(),
                                           request.app.state.clock(), request.app.state.settings.base_url)
        except InvalidInput as error:
            return Template(template_name="public/track.html", status_code=400, context={
                **await _track_context(question, request.app.state.clock()), "errors": error.errors, "values": form,
                "followed": False})
        track = request.app.route_reverse("track", code=question.code)
        return Redirect(path=track + "?followed=1#follow", status_code=303)

    @get("/follow/{token:str}/confirm", name="follow_confirm")
    async def follow_confirm(self, request: Request, token: FromPath[str]) -> Template:
        follower = await tracking.confirm_follow(token, request.app.state.clock())
        return Template(template_name="public/follow_done.html", context={
            "follower": follower, "code": intake.display_code(follower["code"]), "confirmed": True})

    @get("/follow/{token:str}/unsubscribe", name="unsubscribe")
    async def unsubscribe_form(self, token: FromPath[str]) -> Template:
        follower = await tracking.follower_by_token(token)
        return Template(template_name="public/unsubscribe.html", context={
            "token": token, "code": intake.display_code(follower["code"])})

    @post("/follow/{token:str}/unsubscribe", exclude_from_csrf=True, name="unsubscribe_submit")
    async def unsubscribe(self, request: Request, token: FromPath[str]) -> Template:
        # Exempt from CSRF on purpose: mail programs send the one-click unsubscribe (RFC 8058)
        # as a bare POST; the secret token in the address is the authority, and all it can do is stop mail.
        follower = await tracking.unsubscribe(token, request.app.state.clock())
        return Template(template_name="public/follow_done.html", context={
            "follower": follower, "code": intake.display_code(follower["code"]), "confirmed": False})

    @get("/files/{file_id:int}", name="file")
    async def file(self, request: Request, file_id: FromPath[int]) -> Response:
        user = current_user(request)
        row = await attachments.download(Actor.staff(user) if user else None, file_id)
        return Response(content=bytes(row["data"]), media_type=row["content_type"], headers={
            "content-disposition": content_disposition(row["filename"]), "cache-control": "private, max-age=3600",
        })

    # --- The asker's own view ----------------------------------------------------------------

    @get("/q/{code:str}/manage/{token:str}", name="manage")
    async def manage(self, request: Request, code: FromPath[str], token: FromPath[str],
                     withdrawn: Annotated[str | None, QueryParameter(name="withdrawn")] = None,
                     rated: Annotated[str | None, QueryParameter(name="rated", max_length=40)] = None,
                     ) -> Template | Redirect:
        if redirect := canonical_address(request, code):
            return redirect
        question = await tracking.get_for_asker(code, token)
        return Template(template_name="public/manage.html", context={
            **await _manage_context(request, question, token), "withdrawn": bool(withdrawn), "rated": rated or ""})

    @post("/q/{code:str}/manage/{token:str}/rate/{subject:str}", name="manage_rate")
    async def rate(self, request: Request, code: FromPath[str], token: FromPath[str],
                   subject: FromPath[str]) -> Template | Redirect:
        """The asker's rating of the answer or of a verified commitment (the manage link proves the asker)."""
        if redirect := canonical_address(request, code):
            return redirect
        form = await form_data(request)
        try:
            await rating_commands.rate(code, token, subject[:40], form, request.app.state.clock())
        except (InvalidInput, Conflict) as error:
            question = await tracking.get_for_asker(code, token)
            invalid = isinstance(error, InvalidInput)
            return Template(template_name="public/manage.html", status_code=400 if invalid else 409, context={
                **await _manage_context(request, question, token), "withdrawn": False, "rated": "",
                "failed": subject[:40], "errors": error.errors if invalid else {},
                "refused": "" if invalid else str(error),
                "values": {key: value[:MAX_ECHO] for key, value in form.items()}})
        manage = request.app.route_reverse("manage", code=code, token=token)
        return Redirect(path=f"{manage}?rated={quote(subject[:40])}#rate-{quote(subject[:40])}", status_code=303)

    @post("/q/{code:str}/manage/{token:str}/withdraw", name="manage_withdraw")
    async def withdraw(self, request: Request, code: FromPath[str], token: FromPath[str]) -> Redirect:
        if redirect := canonical_address(request, code):
            return redirect
        form = await form_data(request)
        question = await tracking.withdraw(code, token, form.get("reason", ""), request.app.state.clock(),
                                            request.app.state.settings.base_url)
        manage = request.app.route_reverse("manage", code=intake.display_code(question["tracking_code"]),
                                           token=token)
        return Redirect(path=manage + "?withdrawn=1", status_code=303)

