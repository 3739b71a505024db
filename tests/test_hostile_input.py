"""No input of any shape produces a 500: every route, hostile query strings and forms, as each kind of user."""

import pytest
from litestar import Litestar

from tests.conftest import DEMO_ACCOUNTS, csrf_token_from, make_client, sign_in

HOSTILE = [
    "", " ", "\x00", "a\x00b", "x" * 5_000, "😀" * 300, "<script>alert(1)</script>", "' OR 1=1 --",
    "%00", "../../etc/passwd", "١٢٣", "9" * 30, "-1", "0", "1e9", "null", "\u202e\u200b", "Đống Đa",
]
FIELDS = [
    "email", "password", "next", "full_name", "role", "agency", "unit", "language", "active", "name", "short_name",
    "code", "name_vi", "name_en", "audience", "default_agency", "position", "day", "kind", "current_password",
    "new_password", "confirm_password", "form_token", "asker_kind", "asker_name", "asker_email", "asker_phone",
    "organisation_name", "tax_code", "tax_code_confirmed", "topic", "title", "body", "answer_mode", "public_consent",
    "data_consent", "website", "follow_email", "reason", "topics", "starts_day", "starts_time", "ends_day",
    "ends_time", "questions_open_day", "questions_open_time", "questions_close_day", "questions_close_time",
    "release_policy", "online_url", "venue", "co_organiser", "description", "title",
    "notify_by", "choice", "erasure-details", "objection-details", "outcome",
]
FILLINGS = [
    {"int": "1", "user_id": "3", "str": "en"},  # things that exist (user 3: not the admin, who must stay signed in)
    {"int": "99999999999", "str": "%00"},  # beyond the database's integers; a NUL
    {"int": "0", "str": "K84G-GMBS-FZKPB"},
]


def concrete_paths(app: Litestar) -> list[tuple[str, set[str]]]:
    """Every route of the app with its methods, path parameters filled in several ways."""
    import re

    paths = []
    for route in app.routes:
        if route.path.startswith("/static") or route.path.endswith("/live/events"):
            continue  # a live stream never ends: tests/test_live.py sends it hostile input through a real server
        methods = set(getattr(route, "methods", set())) - {"HEAD", "OPTIONS"}
        for filling in FILLINGS:
            filled = re.sub(r"\{(\w+):(int|str)\}",
                            lambda m, filling=filling: filling.get(m.group(1), filling[m.group(2)]), route.path)
            paths.append((filled, methods))
    return sorted(set((p, frozenset(m)) for p, m in paths))


@pytest.fixture
async def demo_client(demo_db, clock):
    """Limits raised: this test is about the shape of input, not about throttling."""
    settings = demo_db.with_(address_max_failures=100_000, login_max_failures=100_000, account_max_failures=100_000,
                             submissions_per_hour=100_000)
    async with make_client(settings, clock) as client:
        yield client


@pytest.mark.parametrize("role", [None, "admin", "organiser", "agency_officer", "data_protection"])
async def test_no_route_answers_500_to_hostile_input(demo_client, role):
    if role:
        await sign_in(demo_client, DEMO_ACCOUNTS[role])
    app = demo_client.app
    token = csrf_token_from((await demo_client.get("/sign-in" if role is None else "/account/password")).text)
    for path, methods in concrete_paths(app):
        for value in HOSTILE:
            if "GET" in methods:
                response = await demo_client.get(path, params={f: value for f in ("q", "province", "year", "page",
                                                                                      "next", "saved")})
                assert response.status_code < 500, (path, value, response.status_code)
            if "POST" in methods and path not in ("/sign-out",):
                form = {field: value for field in FIELDS}
                response = await demo_client.post(path, data={**form, "_csrf_token": token}, follow_redirects=False)
                assert response.status_code < 500, (path, value, response.status_code)
                if role and response.status_code == 303 and "sign-in" in response.headers.get("location", ""):
                    await sign_in(demo_client, DEMO_ACCOUNTS[role])  # a password change ended the session
                    token = csrf_token_from((await demo_client.get("/account/password")).text)


async def test_hostile_input_is_shown_back_escaped(demo_client):
    await sign_in(demo_client, DEMO_ACCOUNTS["admin"])
    token = csrf_token_from((await demo_client.get("/admin/agencies/new")).text)
    response = await demo_client.post("/admin/agencies/new", data={
        "_csrf_token": token, "name": "<script>alert(1)</script>", "short_name": "", "unit": "x"})
    assert response.status_code == 400
    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
