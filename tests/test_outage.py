"""The database going away under the app (PostgreSQL behind a proxy the test switches off): pages
answer 503 with Retry-After instead of 500, the question form keeps everything typed with the same
form token, sending it again once the database is back makes one question, and the outage is
logged once, not once per request."""

import logging

import pytest

from dialogue.conferences.tables import Conference
from dialogue.core.db import outage
from dialogue.questions.tables import Question
from tests.conftest import TEST_ENGINE, FakeClock, csrf_token_from, make_client, make_settings
from tests.faults import SwitchableProxy

pytestmark = pytest.mark.skipif(TEST_ENGINE != "postgres", reason="a database server to stop (the PostgreSQL pass)")


@pytest.fixture
def proxy(demo_db):
    switch = SwitchableProxy.in_front_of(demo_db.database_url)
    switch.up()
    yield switch, switch.database_url
    switch.close()


async def test_an_outage_answers_503_keeps_the_question_and_sending_again_makes_one(proxy, demo_db):
    switch, through_proxy = proxy
    conference = await Conference.select().first()
    clock = FakeClock()
    async with make_client(make_settings(through_proxy), clock) as client:
        form_page = await client.get(f"/conferences/{conference['id']}/ask", follow_redirects=True)
        assert form_page.status_code == 200
        token = form_page.url.params["form"]
        unit = await Conference.select(Conference.unit).where(Conference.id == conference["id"]).first()
        fields = {
            "_csrf_token": csrf_token_from(form_page.text), "form_token": token, "asker_kind": "resident",
            "asker_name": "Ngô Thị Mận", "asker_email": "ngothiman@example.vn", "unit": str(unit["unit"]),
            "topic": "", "title": "Đèn đường ngõ 5 Khâm Thiên không sáng",
            "body": "Ba cột đèn trong ngõ 5 Khâm Thiên không sáng từ đầu tháng, đề nghị phường kiểm tra.",
            "answer_mode": "writing", "data_consent": "yes",
        }
        from dialogue.reference.tables import Topic
        fields["topic"] = str((await Topic.select(Topic.id).first())["id"])

        switch.down()
        lines: list[str] = []
        handler = logging.Handler()
        handler.emit = lambda record: lines.append(record.getMessage())
        logging.getLogger("dialogue").addHandler(handler)
        try:
            first = await client.post(f"/conferences/{conference['id']}/ask", data=fields)
            second = await client.post(f"/conferences/{conference['id']}/ask", data=fields)
            page = await client.get(f"/conferences/{conference['id']}")
        finally:
            logging.getLogger("dialogue").removeHandler(handler)
        assert first.status_code == second.status_code == page.status_code == 503
        assert first.headers["retry-after"] and page.headers["retry-after"]
        assert "Đèn đường ngõ 5 Khâm Thiên không sáng" in first.text and fields["body"] in first.text
        assert f'value="{token}"' in first.text  # the same form token
        assert "Traceback" not in first.text
        assert len(lines) == 1 and "unavailable" in lines[0]  # one line per outage, no traceback per request

        switch.up()
        again = await client.post(f"/conferences/{conference['id']}/ask",
                                  data={**fields, "_csrf_token": csrf_token_from(first.text)})
        assert again.status_code == 200
        resent = await client.post(f"/conferences/{conference['id']}/ask",
                                   data={**fields, "_csrf_token": csrf_token_from(first.text)})
        assert resent.status_code == 200
        assert outage.since is None  # "the database is back" was logged once pages were served again
    assert await Question.count().where(Question.form_token == token) == 1
