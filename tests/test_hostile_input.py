"""No input of any shape produces a 500: every route, hostile query strings and forms, as each kind of user."""

import pytest
from litestar import Litestar

from tests.conftest import DEMO_ACCOUNTS, csrf_token_from, sign_in

HOSTILE = [
    "", " ", "\x00", "a\x00b", "x" * 5_000, "😀" * 300, "<script>alert(1)</script>", "' OR 1=1 --",
    "%00", "../../etc/passwd", "١٢٣", "9" * 30, "-1", "0", "1e9", "null", "\u202e\u200b", "Đống Đa",
]
FIELDS = [
    "email", "password", "next", "full_name", "role", "agency", "unit", "language", "active", "name", "short_name",
    "code", "name_vi", "name_en", "audience", "default_agency", "position", "day", "kind", "current_password",
    "new_password", "confirm_password",
]


def concrete_paths(app: Litestar) -> list[tuple[str, set[str]]]:
    """Every route of the app with its methods, ids filled in with an existing and a huge one."""
    paths = []
    for route in app.routes:
        if route.path.startswith("/static"):
            continue
        methods = set(getattr(route, "methods", set())) - {"HEAD", "OPTIONS"}
        for filled in {route.path.replace("{user_id:int}", "2").replace("{agency_id:int}", "1")
                       .replace("{topic_id:int}", "1").replace("{holiday_id:int}", "1").replace("{code:str}", "en"),
                       route.path.replace("{user_id:int}", "99999999999").replace("{agency_id:int}", "-5")
                       .replace("{topic_id:int}", "0").replace("{holiday_id:int}", "abc").replace("{code:str}", "%00")}:
            paths.append((filled, methods))
    return paths


@pytest.mark.parametrize("role", [None, "admin", "agency_officer"])
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
            if "POST" in methods and path != "/sign-out":
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
