"""Oversized requests are refused with 413 and a clear page, before the body is read when its length
is announced; forms are small, uploads may carry a whole attachment."""

import pytest

from dialogue.answers import attachments
from dialogue.conferences.tables import Conference
from dialogue.web.app import FORM_BODY_LIMIT


@pytest.fixture
async def conference_id(demo_db):
    return (await Conference.select(Conference.id).first())["id"]


async def test_a_form_larger_than_the_limit_is_413_with_a_page_in_the_users_language(demo_client, conference_id):
    page = await demo_client.get(f"/conferences/{conference_id}/ask", follow_redirects=True)
    body = "a" * (FORM_BODY_LIMIT + 10)
    response = await demo_client.post(f"/conferences/{conference_id}/ask", data={"body": body})
    assert response.status_code == 413
    assert "quá lớn" in response.text  # Vietnamese by default
    assert body[:1000] not in response.text  # nothing echoed back
    assert page.status_code == 200


async def test_a_9_mb_body_is_413_not_a_400_page_that_echoes_it(demo_client, conference_id):
    response = await demo_client.post(f"/conferences/{conference_id}/ask", content=b"title=" + b"x" * 9_000_000,
                                      headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413 and len(response.content) < 50_000


async def test_a_long_field_under_the_limit_is_kept_but_not_echoed_beyond_its_size(demo_client, conference_id):
    from tests.conftest import csrf_token_from

    page = await demo_client.get(f"/conferences/{conference_id}/ask", follow_redirects=True)
    response = await demo_client.post(f"/conferences/{conference_id}/ask", data={
        "_csrf_token": csrf_token_from(page.text), "form_token": page.url.params["form"], "title": "t",
        "body": "đ" * 100_000})
    assert response.status_code == 400
    assert "đ" * 10_000 in response.text and "đ" * 10_001 not in response.text


def test_uploads_may_be_as_large_as_an_attachment():
    from dialogue.web.app import create_app
    from tests.conftest import make_settings

    app = create_app(make_settings("sqlite:////tmp/unused-limits.sqlite3"))
    upload = next(route for route in app.routes if route.path.endswith("/files") and "POST" in route.methods)
    handler = next(h for h in upload.route_handlers if "POST" in h.http_methods)
    assert handler.resolve_request_max_body_size() > attachments.MAX_BYTES
    assert app.request_max_body_size == FORM_BODY_LIMIT < attachments.MAX_BYTES
