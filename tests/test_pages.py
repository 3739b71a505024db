"""The public layout, the language switch and the error pages."""

import re

import pytest
from litestar import get
from litestar.testing import AsyncTestClient

from dialogue.demo import load_demo
from tests.conftest import FakeClock
from tests.pinned import TODAY


async def test_home_is_in_vietnamese_by_default_and_lists_the_demo_conference(client, db):
    await load_demo(TODAY)
    response = await client.get("/")
    assert response.status_code == 200
    assert '<html lang="vi">' in response.text
    assert "Gửi câu hỏi đến chính quyền địa phương" in response.text
    assert "Hội nghị đối thoại giữa Chủ tịch UBND phường Đống Đa với Nhân dân năm 2026" in response.text
    assert "Phường Đống Đa, Thành phố Hà Nội" in response.text
    assert "Đang nhận câu hỏi" in response.text
    assert re.search(r"\d\d:\d\d, \d\d/\d\d/\d{4}", response.text), "dates are shown as HH:MM, dd/mm/yyyy"


async def test_home_without_conferences_says_so(client):
    response = await client.get("/")
    assert "Chưa có hội nghị nào được thông báo." in response.text


async def test_the_language_switch_remembers_english_and_comes_back(client):
    response = await client.get("/language/en", params={"next": "/?page=2"}, follow_redirects=False)
    assert response.status_code in (302, 303)
    assert response.headers["location"] == "/?page=2"
    cookie = response.headers["set-cookie"]
    assert "lang=en" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("samesite", "SameSite")

    english = await client.get("/")
    assert '<html lang="en">' in english.text and "Put your question to your local government" in english.text
    assert 'href="/language/vi?next=/"' in english.text

    await client.get("/language/vi")
    assert "Gửi câu hỏi" in (await client.get("/")).text


@pytest.mark.parametrize("target",
                         ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"])
async def test_the_language_switch_never_redirects_off_site(client, target):
    response = await client.get("/language/en", params={"next": target}, follow_redirects=False)
    assert response.headers["location"] == "/"


async def test_an_unknown_language_changes_nothing(client):
    response = await client.get("/language/fr", follow_redirects=False)
    assert "set-cookie" not in response.headers or "lang=" not in response.headers["set-cookie"]


@pytest.mark.parametrize("language, title", [("vi", "Không tìm thấy trang"), ("en", "Page not found")])
async def test_404_page_is_friendly_in_both_languages(client, language, title):
    client.cookies.set("lang", language)
    response = await client.get("/khong-co-trang-nay")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert f'<html lang="{language}">' in response.text and title in response.text
    assert response.headers["content-security-policy"].startswith("default-src 'self'")


@pytest.mark.parametrize("language, title", [("vi", "Hệ thống gặp sự cố"), ("en", "Something went wrong on our side")])
async def test_500_page_is_friendly_and_leaks_nothing(db, language, title):
    from dialogue.web.app import create_app

    @get("/boom", sync_to_thread=False)
    def boom() -> str:
        raise RuntimeError("secret detail: password=hunter2 at /srv/dialogue/x.py")

    app = create_app(db, clock=FakeClock())
    app.register(boom)
    async with AsyncTestClient(app=app, base_url="https://testserver.local") as client:
        client.cookies.set("lang", language)
        response = await client.get("/boom")
    assert response.status_code == 500
    assert title in response.text
    for leak in ("hunter2", "RuntimeError", "Traceback", "/srv/dialogue"):
        assert leak not in response.text


async def test_every_response_carries_the_security_headers(client):
    for path in ("/", "/nope", "/static/style.css"):
        headers = (await client.get(path)).headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert "script-src 'self'" in headers["content-security-policy"]
        assert "unsafe-inline" not in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
        assert headers["strict-transport-security"].startswith("max-age=")


async def test_the_stylesheet_is_served_with_a_versioned_address(client):
    page = (await client.get("/")).text
    href = re.search(r'href="(/static/style\.css\?v=[0-9a-f]{10})"', page).group(1)
    response = await client.get(href)
    assert response.status_code == 200 and "--brand" in response.text


async def test_static_files_are_cached_for_a_year_under_their_version_and_compressed_once(client):
    import gzip

    page = (await client.get("/")).text
    href = re.search(r'href="(/static/style\.css\?v=[0-9a-f]{10})"', page).group(1)
    response = await client.get(href, headers={"accept-encoding": "gzip"})
    assert response.status_code == 200 and response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["content-encoding"] == "gzip" and "--brand" in response.text  # httpx unpacks it
    assert response.headers["content-type"] == "text/css; charset=utf-8"
    assert int(response.headers["content-length"]) == len(gzip.compress(response.content, 9, mtime=0))
    plain = await client.get(href, headers={"accept-encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.content == response.content
    # An old or missing version is served, to be checked again next time; its ETag saves the body.
    stale = await client.get("/static/style.css?v=0000000000")
    assert stale.headers["cache-control"] == "public, no-cache" and stale.content == response.content
    again = await client.get("/static/style.css", headers={"if-none-match": stale.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    head = await client.head(href, headers={"accept-encoding": "identity"})
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str(len(plain.content))  # the length a GET would bring
    for missing in ("/static/nope.css", "/static/..%2Fapp.py", "/static/", "/static/.hidden"):
        assert (await client.get(missing)).status_code == 404, missing


async def test_a_malformed_language_cookie_is_ignored(client):
    client.cookies.set("lang", "../../etc")
    assert '<html lang="vi">' in (await client.get("/")).text
