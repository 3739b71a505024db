"""Signing in through the web: sessions, expiry, throttling, guards, CSRF and cookies."""

import re

import pytest

from dialogue.accounts.tables import SessionRecord, StaffUser
from dialogue.web.sessions import SESSION_COOKIE, client_address
from tests.conftest import DEMO_ACCOUNTS, DEMO_PASSWORD, csrf_token_from, make_client, post_form, sign_in


async def test_signing_in_lands_on_the_roles_home_with_a_fresh_session_id(demo_client):
    # An attacker plants a session id before sign-in (session fixation).
    demo_client.cookies.set(SESSION_COOKIE, "planted-by-attacker", domain="testserver.local")
    response = await sign_in(demo_client, DEMO_ACCOUNTS["organiser"])
    assert response.headers["location"] == "/organiser"
    session_id = demo_client.cookies.get(SESSION_COOKIE)
    assert session_id and session_id != "planted-by-attacker" and len(session_id) == 64
    assert not await SessionRecord.exists().where(SessionRecord.key == "planted-by-attacker")
    page = await demo_client.get("/organiser")
    assert page.status_code == 200 and "Nguyễn Thị Lan" in page.text


async def test_anonymous_visitors_get_no_session(demo_client):
    response = await demo_client.get("/")
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")
    assert await SessionRecord.count() == 0


async def test_reading_pages_sets_no_cookie_and_a_page_with_a_form_sets_the_csrf_cookie(demo_client):
    """A page without a form costs no token; the first page with one brings the cookie its form needs."""
    for path in ("/", "/conferences/1", "/agencies", "/privacy", "/no-such-page"):
        response = await demo_client.get(path)
        assert "set-cookie" not in response.headers, path
    form = await demo_client.get("/sign-in")
    token = csrf_token_from(form.text)
    assert token and f"dialogue_csrf={token}" in form.headers["set-cookie"]
    again = await demo_client.get("/sign-in")  # the cookie is kept, not replaced on each page
    assert "set-cookie" not in again.headers and csrf_token_from(again.text) == token
    response = await demo_client.post("/sign-in", data={"_csrf_token": token, "email": "a@b.vn", "password": "x"})
    assert response.status_code != 403


async def test_sign_in_returns_to_the_page_asked_for(demo_client):
    response = await demo_client.get("/admin/topics", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/sign-in?next=%2Fadmin%2Ftopics"
    page = await demo_client.get(response.headers["location"])
    response = await demo_client.post("/sign-in", data={
        "_csrf_token": csrf_token_from(page.text), "next": "/admin/topics",
        "email": DEMO_ACCOUNTS["admin"], "password": DEMO_PASSWORD,
    }, follow_redirects=False)
    assert response.headers["location"] == "/admin/topics"


async def test_a_wrong_password_keeps_the_email_and_explains(demo_client):
    response = await post_form(demo_client, "/sign-in", {"email": "organiser@dongda.demo", "password": "sai mật khẩu"})
    assert response.status_code == 400
    assert 'value="organiser@dongda.demo"' in response.text
    assert 'class="error-summary"' in response.text and 'href="#email"' in response.text
    assert "sai mật khẩu" not in response.text  # a password is never sent back


async def wrong_password(client, email: str, n: int = 0, **kwargs):
    response = await post_form(client, "/sign-in", {"email": email, "password": f"đoán-{n}-sai"}, **kwargs)
    assert response.status_code == 400, response.status_code
    return response


async def test_failures_of_one_account_from_one_address_make_it_wait_longer_and_longer(demo_client, clock):
    for n in range(5):
        await wrong_password(demo_client, "head@dongda.demo", n)
    for minutes in (1, 2, 4, 8, 16, 30, 30):  # doubling from a minute, up to LOGIN_MAX_DELAY_MINUTES
        refused = await post_form(demo_client, "/sign-in", {"email": "head@dongda.demo", "password": DEMO_PASSWORD})
        assert refused.status_code == 429
        assert f"Vui lòng chờ {minutes} phút" in refused.text and 'value="head@dongda.demo"' in refused.text
        clock.advance(minutes=minutes - 0.5)
        assert (await post_form(demo_client, "/sign-in", {"email": "head@dongda.demo", "password": DEMO_PASSWORD})
                ).status_code == 429
        clock.advance(minutes=0.5)
        await wrong_password(demo_client, "head@dongda.demo")  # allowed again: another failure
    clock.advance(minutes=30)
    await sign_in(demo_client, "head@dongda.demo")


async def test_a_colleague_behind_the_same_address_is_not_locked_out_by_anothers_failures(demo_client):
    for n in range(5):  # one colleague mistypes until told to wait…
        await wrong_password(demo_client, "head@dongda.demo", n)
    for n in range(25):  # …and a script behind the ward's shared address tries 25 names
        await wrong_password(demo_client, f"nhan-vien-{n}@dongda.demo", n)
    await sign_in(demo_client, DEMO_ACCOUNTS["organiser"])  # another colleague, same address


async def test_mass_scanning_slows_an_address_but_not_the_browsers_that_signed_in_before(demo_db, clock):
    settings = demo_db.with_(address_max_failures=10)
    async with make_client(settings, clock) as known, make_client(settings, clock) as new:
        await sign_in(known, DEMO_ACCOUNTS["organiser"])
        await post_form(known, "/sign-out", {}, page="/organiser")
        for n in range(10):
            await wrong_password(new, f"quet-{n}@dongda.demo", n)
        response = await post_form(new, "/sign-in", {"email": DEMO_ACCOUNTS["organiser"], "password": DEMO_PASSWORD})
        assert response.status_code == 429 and "Vui lòng chờ 1 phút" in response.text
        await sign_in(known, DEMO_ACCOUNTS["organiser"])  # same address, but this browser holds its device cookie


async def test_an_attacker_elsewhere_cannot_keep_out_someone_who_signed_in_before_on_this_browser(demo_db, clock):
    from dialogue.accounts import commands as accounts
    from dialogue.core.errors import InvalidInput, Throttled
    from dialogue.web.auth import throttle_policy

    async with make_client(demo_db, clock) as own, make_client(demo_db, clock) as borrowed:
        await sign_in(own, DEMO_ACCOUNTS["agency_head"])
        await post_form(own, "/sign-out", {}, page="/agency")
        # Someone guesses the head's password from 40 addresses, once each: no address reaches a limit.
        for n in range(40):
            with pytest.raises((InvalidInput, Throttled)):
                await accounts.sign_in(DEMO_ACCOUNTS["agency_head"], f"đoán-{n}", f"198.51.100.{n}", clock(),
                                       throttle_policy(demo_db))
        # A browser that never signed in as the head is slowed (a wait, never a lock)…
        response = await post_form(borrowed, "/sign-in", {"email": DEMO_ACCOUNTS["agency_head"],
                                                          "password": DEMO_PASSWORD})
        assert response.status_code == 429 and "phút" in response.text
        # …the head's own browser is not: only failures made with its device cookie count against it.
        await sign_in(own, DEMO_ACCOUNTS["agency_head"])
        await post_form(own, "/sign-out", {}, page="/agency")
        for n in range(5):
            await wrong_password(own, DEMO_ACCOUNTS["agency_head"], n)
        response = await post_form(own, "/sign-in", {"email": DEMO_ACCOUNTS["agency_head"], "password": DEMO_PASSWORD})
        assert response.status_code == 429 and "Vui lòng chờ 1 phút" in response.text
        clock.advance(minutes=1)
        await sign_in(own, DEMO_ACCOUNTS["agency_head"])


async def test_a_device_cookie_works_only_for_its_own_account_and_unaltered(demo_db, clock):
    settings = demo_db.with_(account_max_failures=3)
    async with make_client(settings, clock) as client, make_client(settings, clock) as someone_else:
        ids = {row["email"]: row["id"] for row in await StaffUser.select(StaffUser.id, StaffUser.email)}
        secretary, viewer = DEMO_ACCOUNTS["secretary"], DEMO_ACCOUNTS["viewer"]
        for email in (secretary, viewer):  # a shared computer: each colleague's cookie is kept
            await sign_in(client, email)
            await post_form(client, "/sign-out", {}, page="/account/password")
        own = client.cookies.get(f"dialogue_device_{ids[secretary]}", path="/sign-in")
        viewers = client.cookies.get(f"dialogue_device_{ids[viewer]}", path="/sign-in")
        assert own and viewers
        for n in range(3):
            await wrong_password(someone_else, secretary, n)
        await sign_in(client, secretary)  # slowed for other browsers, not for this one
        await post_form(client, "/sign-out", {}, page="/account/password")
        # the viewer's cookie under the secretary's name, or the secretary's altered, is worth nothing
        for forged in (viewers, f"{ids[secretary]}{viewers[len(str(ids[viewer])):]}", own[:-1] + "x"):
            client.cookies.set(f"dialogue_device_{ids[secretary]}", forged, domain="testserver.local", path="/sign-in")
            response = await post_form(client, "/sign-in", {"email": secretary, "password": DEMO_PASSWORD})
            assert response.status_code == 429, forged


async def test_the_device_cookie_is_long_lived_signed_and_sent_only_to_sign_in(demo_client):
    response = await sign_in(demo_client, DEMO_ACCOUNTS["viewer"])
    [cookie] = [c for c in response.headers.get_list("set-cookie") if c.startswith("dialogue_device_")]
    lowered = cookie.lower()
    assert "httponly" in lowered and "secure" in lowered and "samesite=lax" in lowered
    assert "path=/sign-in" in lowered and f"max-age={180 * 24 * 3600}" in lowered


async def test_unknown_and_known_accounts_get_the_same_answers_after_the_same_work(demo_client, monkeypatch):
    from dialogue.accounts import commands as accounts

    verified = []
    real_verify = accounts._verify

    async def counting_verify(password_hash: str, password: str) -> bool:
        verified.append(password_hash)
        return await real_verify(password_hash, password)

    monkeypatch.setattr(accounts, "_verify", counting_verify)
    pages = {}
    for email in ("nobody@dongda.demo", DEMO_ACCOUNTS["secretary"]):
        answers = []
        for n in range(6):  # five wrong passwords, then the wait
            response = await post_form(demo_client, "/sign-in", {"email": email, "password": f"đoán-{n}"})
            answers.append((response.status_code, response.text.replace(email, "…")))
        pages[email] = answers
    assert pages["nobody@dongda.demo"] == pages[DEMO_ACCOUNTS["secretary"]]
    assert [status for status, _ in pages["nobody@dongda.demo"]] == [400] * 5 + [429]
    assert len(verified) == 10  # a password hash verified for each refusal, of a real account or not


async def test_idle_sessions_end(demo_client, clock):
    await sign_in(demo_client, DEMO_ACCOUNTS["viewer"])
    clock.advance(minutes=59)
    assert (await demo_client.get("/dashboard")).status_code == 200
    clock.advance(minutes=59)  # active a minute ago: the idle clock restarted
    assert (await demo_client.get("/dashboard")).status_code == 200
    clock.advance(minutes=61)
    response = await demo_client.get("/dashboard", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/sign-in")


async def test_sessions_end_after_the_absolute_limit_however_active(demo_client, clock):
    await sign_in(demo_client, DEMO_ACCOUNTS["viewer"])
    for _ in range(23):  # a request every 30 minutes for 11.5 hours
        clock.advance(minutes=30)
        assert (await demo_client.get("/dashboard")).status_code == 200
    clock.advance(minutes=31)
    response = await demo_client.get("/dashboard", follow_redirects=False)
    assert response.status_code == 303
    assert await SessionRecord.count() == 0


async def test_signing_out_really_ends_the_session(demo_client):
    await sign_in(demo_client, DEMO_ACCOUNTS["secretary"])
    stolen = demo_client.cookies.get(SESSION_COOKIE)
    response = await post_form(demo_client, "/sign-out", {}, page="/secretary", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/sign-in?signed_out=1"
    assert not await SessionRecord.exists().where(SessionRecord.key == stolen)
    demo_client.cookies.set(SESSION_COOKIE, stolen, domain="testserver.local")  # replaying the old cookie gets nothing
    assert (await demo_client.get("/secretary", follow_redirects=False)).status_code == 303


async def test_sessions_survive_a_restart_of_the_app(demo_db, clock):
    async with make_client(demo_db, clock) as first:
        await sign_in(first, DEMO_ACCOUNTS["organiser"])
        session_id = first.cookies.get(SESSION_COOKIE)
    async with make_client(demo_db, clock) as second:  # a new process, same database
        second.cookies.set(SESSION_COOKIE, session_id, domain="testserver.local")
        response = await second.get("/organiser")
        assert response.status_code == 200 and "Nguyễn Thị Lan" in response.text


async def test_changing_the_password_ends_the_other_sessions_only(demo_db, clock):
    async with make_client(demo_db, clock) as laptop, make_client(demo_db, clock) as phone:
        await sign_in(laptop, DEMO_ACCOUNTS["agency_officer"])
        await sign_in(phone, DEMO_ACCOUNTS["agency_officer"])
        response = await post_form(laptop, "/account/password", {
            "current_password": DEMO_PASSWORD, "new_password": "mật khẩu mới của tôi",
            "confirm_password": "mật khẩu mới của tôi"}, follow_redirects=False)
        assert response.headers["location"] == "/account/password?done=1"
        assert (await laptop.get("/agency")).status_code == 200
        assert (await phone.get("/agency", follow_redirects=False)).status_code == 303


async def test_a_wrong_current_password_is_explained(demo_client):
    await sign_in(demo_client, DEMO_ACCOUNTS["agency_officer"])
    response = await post_form(demo_client, "/account/password", {
        "current_password": "không đúng", "new_password": "mật khẩu mới của tôi",
        "confirm_password": "mật khẩu mới của tôi"})
    assert response.status_code == 400 and 'href="#current_password"' in response.text


# --- Client addresses behind proxies ----------------------------------------------------------

def scope(peer: str, forwarded: str | None = None) -> dict:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    return {"client": (peer, 1234), "headers": headers}


@pytest.mark.parametrize("peer, forwarded, trusted, expected", [
    ("203.0.113.9", "198.51.100.1", (), "203.0.113.9"),  # no trusted proxies: the header is ignored
    ("203.0.113.9", "198.51.100.1", ("10.0.0.0/8",), "203.0.113.9"),  # peer not trusted: ignored
    ("10.0.0.2", "198.51.100.1", ("10.0.0.0/8",), "198.51.100.1"),
    ("10.0.0.2", "1.1.1.1, 198.51.100.1, 10.0.0.3", ("10.0.0.0/8",), "198.51.100.1"),  # spoofed left part ignored
    ("10.0.0.2", "not-an-ip", ("10.0.0.0/8",), "10.0.0.2"),
    ("10.0.0.2", None, ("10.0.0.0/8",), "10.0.0.2"),
])
def test_client_address_believes_only_trusted_proxies(peer, forwarded, trusted, expected):
    assert client_address(scope(peer, forwarded), trusted) == expected


async def test_an_untrusted_forwarded_header_cannot_dodge_the_address_limit(demo_db, clock):
    settings = demo_db.with_(address_max_failures=3, trusted_proxies=())
    async with make_client(settings, clock) as client:
        for n in range(3):
            await post_form(client, "/sign-in", {"email": f"x{n}@example.vn", "password": "sai-mật-khẩu"},
                            headers={"x-forwarded-for": f"198.51.100.{n}"})
        response = await post_form(client, "/sign-in", {"email": "viewer@dongda.demo", "password": DEMO_PASSWORD},
                                   headers={"x-forwarded-for": "198.51.100.77"})
        assert response.status_code == 429


# --- Role guards over every staff page ----------------------------------------------------------

PAGES = {
    "/admin": {"admin"},
    "/admin/accounts": {"admin"},
    "/admin/accounts/new": {"admin"},
    "/admin/agencies": {"admin"},
    "/admin/agencies/new": {"admin"},
    "/admin/topics": {"admin"},
    "/admin/topics/new": {"admin"},
    "/admin/holidays": {"admin"},
    "/admin/holidays/new": {"admin"},
    "/admin/units": {"admin"},
    "/admin/log": {"admin"},
    "/organiser": {"organiser", "admin"},
    "/secretary": {"secretary", "admin"},
    "/agency": {"agency_officer", "agency_head"},
    "/dashboard": {"viewer", "organiser", "admin"},
    "/inspection-rounds/": {"inspector", "organiser", "admin"},
    "/data-requests/": {"data_protection", "admin"},
    "/account/password": {"admin", "organiser", "secretary", "agency_officer", "agency_head", "viewer", "inspector",
                          "data_protection"},
}


@pytest.mark.parametrize("role", sorted(DEMO_ACCOUNTS))
async def test_each_role_reaches_exactly_its_pages(demo_client, role):
    await sign_in(demo_client, DEMO_ACCOUNTS[role])
    for path, allowed in PAGES.items():
        response = await demo_client.get(path, follow_redirects=False)
        expected = 200 if role in allowed else 403
        assert response.status_code == expected, (role, path, response.status_code)
        if expected == 403:
            assert "Bạn không thể thực hiện thao tác này" in response.text


async def test_anonymous_visitors_are_sent_to_sign_in_from_every_staff_page(demo_client):
    for path in PAGES:
        response = await demo_client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/sign-in?next="), path


async def test_staff_home_redirects_to_the_roles_page(demo_client):
    await sign_in(demo_client, DEMO_ACCOUNTS["agency_head"])
    response = await demo_client.get("/staff", follow_redirects=False)
    assert response.headers["location"] == "/agency"


async def test_an_agency_officer_sees_their_own_agency(demo_client):
    await sign_in(demo_client, "police@dongda.demo")
    page = await demo_client.get("/agency")
    assert "Công an phường Đống Đa" in page.text and "Phòng Kinh tế" not in page.text


# --- CSRF: 403 for every kind of bad token, never 500 -------------------------------------------

@pytest.mark.parametrize("token", [
    None, "", "wrong", "a" * 128, "x" * 100_000, "tôken-không-ascii", "\u0000\u0001", "😀" * 40,
])
async def test_posts_without_a_good_csrf_token_are_refused_with_403(demo_client, token):
    await demo_client.get("/sign-in")
    data = {"email": DEMO_ACCOUNTS["admin"], "password": DEMO_PASSWORD}
    if token is not None:
        data["_csrf_token"] = token
    response = await demo_client.post("/sign-in", data=data, follow_redirects=False)
    assert response.status_code == 403
    assert "Bạn không thể thực hiện thao tác này" in response.text


async def test_the_csrf_token_is_renewed_at_sign_in_and_at_sign_out(demo_client):
    """A token known before sign-in (read or planted by someone else) is worth nothing after it, and the
    signed-in token nothing after sign-out."""
    anonymous = csrf_token_from((await demo_client.get("/sign-in")).text)
    response = await demo_client.post("/sign-in", data={
        "_csrf_token": anonymous, "email": DEMO_ACCOUNTS["organiser"], "password": DEMO_PASSWORD,
    }, follow_redirects=False)
    assert response.status_code == 303 and "dialogue_csrf=" in str(response.headers.get_list("set-cookie"))
    password_change = {"current_password": "không đúng", "new_password": "mật khẩu mới của tôi",
                       "confirm_password": "mật khẩu mới của tôi"}
    stale = await demo_client.post("/account/password", data={"_csrf_token": anonymous, **password_change})
    assert stale.status_code == 403
    signed_in = csrf_token_from((await demo_client.get("/account/password")).text)
    assert signed_in != anonymous
    fresh = await demo_client.post("/account/password", data={"_csrf_token": signed_in, **password_change})
    assert fresh.status_code == 400 and 'href="#current_password"' in fresh.text  # past CSRF, to the form

    response = await demo_client.post("/sign-out", data={"_csrf_token": signed_in}, follow_redirects=False)
    assert response.status_code == 303 and "dialogue_csrf=" in str(response.headers.get_list("set-cookie"))
    stale = await demo_client.post("/sign-in", data={
        "_csrf_token": signed_in, "email": DEMO_ACCOUNTS["organiser"], "password": DEMO_PASSWORD,
    }, follow_redirects=False)
    assert stale.status_code == 403
    await sign_in(demo_client, DEMO_ACCOUNTS["organiser"])  # the new page's token works


UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Routes that take an unsafe method without a CSRF token, on purpose, each explained at its handler:
# the RFC 8058 one-click unsubscribe, which mail programs send as a bare POST.
# The one-click unsubscribe (RFC 8058: the mail client posts, with no page and no cookie) and the asker's
# yes/no on a reported commitment, whose unguessable, single-use link is itself the proof (re-checked on
# each post), as it is for the page that shows them.
# The asker's one-click links from e-mails; the agency systems' API writes (a bearer token, no cookie).
CSRF_EXEMPT = {"unsubscribe_submit", "confirm_commitment_yes", "confirm_commitment_no", "agency_api_draft",
               "agency_api_progress"}


def unsafe_routes(app) -> list[tuple[str, str, str, object]]:
    """(route name, concrete path, method, handler) for every unsafe method the app answers."""
    found = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            for method in sorted(set(handler.http_methods) & UNSAFE_METHODS):
                path = re.sub(r"\{\w+:int\}", "1", re.sub(r"\{\w+:str\}", "x", route.path))
                found.append((handler.name, path, method, handler))
    return found


async def test_every_unsafe_route_refuses_a_request_without_the_csrf_token(demo_client):
    """CSRF is a property of every route, not of /sign-in: each unsafe route is tried without the token, as
    someone its guards let in (shown by the same request with the token getting past them)."""
    routes = unsafe_routes(demo_client.app)
    assert {name for name, *_, handler in routes if handler.opt.get("exclude_from_csrf")} == CSRF_EXEMPT
    assert len(routes) > 20
    current = "nobody yet"
    for name, path, method, handler in routes:
        if name in CSRF_EXEMPT:
            continue
        who = None if not handler.resolve_guards() else "agency_head" if path.startswith("/agency/tokens") \
            else "agency_officer" if path.startswith("/agency") else "admin"
        if who != current:
            demo_client.cookies.clear()
            if who:
                await sign_in(demo_client, DEMO_ACCOUNTS[who])
            current = who
        token = csrf_token_from((await demo_client.get("/account/password" if who else "/sign-in")).text)
        refused = await demo_client.request(method, path, data={"reason": "x"}, follow_redirects=False)
        assert refused.status_code == 403, (name, method, path, refused.status_code)
        passed = await demo_client.request(method, path, data={"reason": "x", "_csrf_token": token},
                                           follow_redirects=False)
        assert passed.status_code != 403 and passed.status_code < 500, (name, method, path, passed.status_code)
        if who and passed.headers.get("location", "").startswith("/sign-in"):
            current = "signed out"  # sign-out (or a guard turning us away) ended the session: sign in again


@pytest.mark.parametrize("cookie", ["tôken", "%FF%FE", "a" * 5000, "", "null"])
async def test_a_malformed_csrf_cookie_is_refused_then_replaced(demo_client, cookie):
    page = await demo_client.get("/sign-in")
    token = csrf_token_from(page.text)
    demo_client.cookies.clear()
    response = await demo_client.post(
        "/sign-in", data={"_csrf_token": token, "email": "a@b.vn", "password": "x"},
        headers={"cookie": f"dialogue_csrf={cookie}".encode()},
    )
    assert response.status_code == 403
    fresh = await demo_client.get("/sign-in")
    assert fresh.status_code == 200 and "dialogue_csrf=" in fresh.headers.get("set-cookie", "")


@pytest.mark.parametrize("content_type, body", [
    ("multipart/form-data; boundary=xyz", b"--xyz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n"),
    ("multipart/form-data", b"garbage"),
    ("application/x-www-form-urlencoded", b"%ZZ=%%&&==\xff\xfe"),
    ("application/json", b'{"email": "admin@dongda.demo"}'),
    ("text/plain", b"\x00\x01\x02"),
])
async def test_malformed_bodies_are_refused_not_crashed(demo_client, content_type, body):
    await demo_client.get("/sign-in")
    response = await demo_client.post("/sign-in", content=body, headers={"content-type": content_type})
    assert response.status_code in (400, 403)


async def test_cookies_are_secure_httponly_and_samesite(demo_client):
    page = await demo_client.get("/sign-in")
    csrf_cookie = page.headers["set-cookie"]
    response = await demo_client.post("/sign-in", data={
        "_csrf_token": csrf_token_from(page.text), "email": DEMO_ACCOUNTS["viewer"], "password": DEMO_PASSWORD,
    }, follow_redirects=False)
    session_cookie = response.headers["set-cookie"]
    for cookie in (csrf_cookie, session_cookie):
        lowered = cookie.lower()
        assert "secure" in lowered and "httponly" in lowered and "samesite=lax" in lowered


@pytest.mark.parametrize("language, title",
                         [("vi", "Bạn không thể thực hiện thao tác này"), ("en", "You cannot do this")])
async def test_the_403_page_is_friendly_in_both_languages(demo_client, language, title):
    await sign_in(demo_client, DEMO_ACCOUNTS["viewer"])
    demo_client.cookies.set("lang", language, domain="testserver.local")
    response = await demo_client.get("/admin")
    assert response.status_code == 403 and title in response.text
