"""Signing in and out, and changing one's own password."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from litestar import Controller, Request, get, post
from litestar.datastructures import Cookie
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

from dialogue.accounts import commands as accounts
from dialogue.core.errors import InvalidInput, Throttled
from dialogue.core.settings import Settings
from dialogue.web.csrf import renew_csrf_token
from dialogue.web.forms import form_data
from dialogue.web.guards import HOMES, current_user, signed_in
from dialogue.web.public import safe_next
from dialogue.web.sessions import ROTATE, client_address

# One device cookie per account that signed in on this browser (a shared computer keeps each colleague's),
# sent back only to the sign-in form.
DEVICE_COOKIE = "dialogue_device_"


def throttle_policy(settings: Settings) -> accounts.ThrottlePolicy:
    return accounts.ThrottlePolicy(
        secret=settings.secret_key,
        max_failures=settings.login_max_failures,
        max_account_failures=settings.account_max_failures,
        max_address_failures=settings.address_max_failures,
        window=dt.timedelta(minutes=settings.login_window_minutes),
        max_delay=dt.timedelta(minutes=settings.login_max_delay_minutes),
        device_lifetime=dt.timedelta(days=settings.device_cookie_days),
    )


def device_cookie(request: Request, user: dict, policy: accounts.ThrottlePolicy, now: dt.datetime) -> Cookie:
    """Names this account on this browser: its sign-ins are then slowed only by its own failures."""
    settings: Settings = request.app.state.settings
    return Cookie(
        key=f"{DEVICE_COOKIE}{user['id']}", value=accounts.new_device_token(user["id"], now, policy),
        max_age=int(policy.device_lifetime.total_seconds()), path=request.app.route_reverse("sign_in_submit"),
        secure=settings.secure_cookies, httponly=True, samesite="lax",
    )


def start_session(request: Request, user: dict, signed_in_at: str) -> None:
    """A session with a fresh id (see RotatingSessionBackend) and a fresh CSRF token; signed_in_at bounds
    its whole life."""
    request.set_session({"uid": user["id"], "auth_version": user["auth_version"], "signed_in_at": signed_in_at,
                         ROTATE: True})
    renew_csrf_token(request)


class AuthController(Controller):
    path = "/"

    @get("/sign-in", name="sign_in")
    async def sign_in_form(
        self, request: Request, next_: Annotated[str | None, QueryParameter(name="next")] = None,
        signed_out: Annotated[str | None, QueryParameter(name="signed_out")] = None,
    ) -> Template | Redirect:
        user = current_user(request)
        if user is not None:
            return Redirect(path=request.app.route_reverse(HOMES[user["role"]]))
        return Template(template_name="auth/sign_in.html", context={
            "values": {}, "errors": {}, "next": safe_next(next_), "signed_out": bool(signed_out),
        })

    @post("/sign-in", name="sign_in_submit")
    async def sign_in(self, request: Request) -> Template | Redirect:
        form = await form_data(request)
        settings: Settings = request.app.state.settings
        now = request.app.state.clock()
        target = safe_next(form.get("next"))
        policy = throttle_policy(settings)
        devices = [value for name, value in request.cookies.items() if name.startswith(DEVICE_COOKIE)]
        try:
            user = await accounts.sign_in(
                form.get("email", ""), form.get("password", ""),
                client_address(request.scope, settings.trusted_proxies), now, policy, devices,
            )
        except (InvalidInput, Throttled) as error:
            errors = error.errors if isinstance(error, InvalidInput) else {"email": str(error)}
            return Template(
                template_name="auth/sign_in.html",
                context={"values": {"email": form.get("email", "")}, "errors": errors, "next": target,
                         "signed_out": False},
                status_code=429 if isinstance(error, Throttled) else 400,
            )
        await request.app.stores.get("sessions").delete_expired()
        start_session(request, user, now.isoformat())
        home = request.app.route_reverse(HOMES[user["role"]])
        return Redirect(path=target if target != "/" else home, status_code=303,
                        cookies=[device_cookie(request, user, policy, now)])

    @post("/sign-out", guards=[signed_in], name="sign_out")
    async def sign_out(self, request: Request) -> Redirect:
        user = current_user(request)
        if user is not None:
            await accounts.record_sign_out(user, request.app.state.clock())
        request.clear_session()
        renew_csrf_token(request)
        return Redirect(path=request.app.route_reverse("sign_in") + "?signed_out=1", status_code=303)

    @get("/account/password", guards=[signed_in], name="password")
    async def password_form(self, done: Annotated[str | None, QueryParameter(name="done")] = None) -> Template:
        return Template(template_name="auth/password.html", context={"errors": {}, "done": bool(done)})

    @post("/account/password", guards=[signed_in], name="password_submit")
    async def change_password(self, request: Request) -> Template | Redirect:
        form = await form_data(request)
        user = current_user(request)
        now = request.app.state.clock()
        try:
            version = await accounts.change_own_password(
                user, form.get("current_password", ""), form.get("new_password", ""),
                form.get("confirm_password", ""), now,
            )
        except InvalidInput as error:
            return Template(template_name="auth/password.html", context={"errors": error.errors, "done": False},
                            status_code=400)
        # Other sessions of this account end (their version is older); this one goes on, with a new id.
        start_session(request, {**user, "auth_version": version}, request.session["signed_in_at"])
        return Redirect(path=request.app.route_reverse("password") + "?done=1", status_code=303)
