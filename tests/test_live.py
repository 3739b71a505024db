"""The screen in the hall, the public live page and the stream of changes they and the console follow:
what they show (and never show), the stream reaching two clients within two seconds of a change made
through the console, catching up after a reconnection, nothing sent for a rolled-back change, and on
PostgreSQL a change made through one app process reaching a stream served by another."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from dialogue.agenda import commands, queries
from dialogue.answers.tables import Answer
from dialogue.conferences.tables import Conference
from dialogue.core.db import write_transaction
from dialogue.machine import events
from dialogue.machine.events import LiveEvent
from dialogue.questions.tables import Question
from tests import test_session
from tests.conftest import DEMO_ACCOUNTS, DEMO_PASSWORD, TEST_ENGINE, csrf_token_from, sign_in
from tests.test_session import NOW, start

day = test_session.day  # the fixture: the demo conference with six accepted questions


async def _agenda(day, count: int = 3) -> list[dict]:
    conference_id, organiser = day["conference"]["id"], day["organiser"]
    await commands.add_items(organiser, conference_id, [q["id"] for q in day["questions"][:count]], NOW)
    await start(day)
    return await queries.items_of(conference_id)


def _no_personal_data(html: str, day) -> None:
    for question in day["questions"]:
        assert question["asker_name"] not in html and question["asker_email"] not in html
        if question["asker_phone"]:
            assert question["asker_phone"] not in html


# --- The pages ---------------------------------------------------------------------------------

async def test_the_hall_screen_shows_the_current_item_and_the_answer_only_once_released(day, demo_client):
    conference_id, organiser = day["conference"]["id"], day["organiser"]
    items = await _agenda(day)
    screen = f"/conferences/{conference_id}/screen"

    before = await demo_client.get(screen)
    assert before.status_code == 200
    assert day["conference"]["title"] in before.text and "Hội trường" in before.text  # nothing current: title, venue
    assert '<meta http-equiv="refresh" content="10">' in before.text and "<noscript>" in before.text
    assert re.search(r"<svg[^>]*class=\"qr\"", before.text) and "testserver.local/conferences/" in before.text

    await commands.show_item(organiser, conference_id, items[1]["id"], NOW)
    shown = await demo_client.get(screen)
    question = day["questions"][1]
    assert "Câu hỏi 2/3" in shown.text and question["title"] in shown.text
    assert "Người dân" in shown.text or "Cá nhân" in shown.text or "Doanh nghiệp" in shown.text
    _no_personal_data(shown.text, day)
    fragment = await demo_client.get(screen + "?fragment=1")
    assert fragment.status_code == 200 and "<html" not in fragment.text and question["title"] in fragment.text

    # An answer approved but held for the session is not shown; once published, it is.
    await Answer.insert(Answer(question=question["id"], agency=day["kt"], body="Câu trả lời đã duyệt, chưa công bố.",
                               state="approved", version=1))
    assert "chưa công bố" not in (await demo_client.get(screen)).text
    await Answer.update({Answer.state: "published"}).where(Answer.question == question["id"])
    released = await demo_client.get(screen)
    assert "Câu trả lời đã duyệt, chưa công bố." in released.text and "Trả lời của" in released.text


async def test_a_question_not_public_is_shown_by_its_topic_only(day, demo_client):
    conference_id, organiser = day["conference"]["id"], day["organiser"]
    items = await _agenda(day, 1)
    question = day["questions"][0]
    await Question.update({Question.public_consent: False}).where(Question.id == question["id"])
    await commands.show_item(organiser, conference_id, items[0]["id"], NOW)
    html = (await demo_client.get(f"/conferences/{conference_id}/screen")).text
    assert question["title"] not in html and question["body"][:40] not in html
    assert "Câu hỏi 1/1" in html and "Một câu hỏi về" in html
    kt = day["kt"]
    await commands.save_outcome(organiser, conference_id, items[0]["id"], "answered", {
        "answered_by_agency": str(kt), "answered_by_position": "Trưởng phòng",
        "summary": "Ngõ nhà bà Nguyễn Thị X sẽ được nạo vét.", "version": str(items[0]["version"])}, NOW)
    for path in ("live", ""):  # the spot answer's summary restates the question: not shown either
        page = (await demo_client.get(f"/conferences/{conference_id}/{path}".rstrip("/"))).text
        assert "Ngõ nhà bà Nguyễn Thị X" not in page and "Trưởng phòng" in page


async def test_the_live_page_shows_the_current_item_and_the_outcomes_as_recorded(day, demo_client):
    conference_id, organiser = day["conference"]["id"], day["organiser"]
    items = await _agenda(day)
    live = f"/conferences/{conference_id}/live"
    html = (await demo_client.get(live)).text
    assert '<meta http-equiv="refresh" content="30">' in html and 'aria-current="step"' not in html

    await commands.show_item(organiser, conference_id, items[0]["id"], NOW)
    await commands.save_outcome(organiser, conference_id, items[0]["id"], "answered", {
        "answered_by_agency": str(day["kt"]), "answered_by_position": "Trưởng phòng Kinh tế",
        "summary": "Sẽ sửa đường trong tháng Một.", "version": "1"}, NOW)
    await commands.save_outcome(organiser, conference_id, items[1]["id"], "writing",
                                {"written_due_on": "31/12/2026", "version": "1"}, NOW)
    await commands.add_commitment(organiser, conference_id, items[2]["id"], {
        "commitment_text": "Lắp đèn chiếu sáng ngõ 5.", "lead_agency": str(day["kt"]), "due_on": "15/01/2027"}, NOW)
    await commands.add_commitment(organiser, conference_id, None, {
        "commitment_text": "Rà soát toàn bộ hệ thống thoát nước.", "lead_agency": str(day["kt"]),
        "due_on": "31/03/2027"}, NOW)
    await commands.save_conclusions(organiser, conference_id, {"conclusions": "Chủ tịch kết luận: làm ngay.",
                                                               "version": "1"}, NOW)
    html = (await demo_client.get(live)).text
    current = re.search(r'<li class="agenda__item agenda__item--current" aria-current="step">(.*?)</li>', html, re.S)
    assert current and day["questions"][0]["title"] in current.group(1) and "Đang thảo luận" in current.group(1)
    assert "Đã trả lời trực tiếp" in html and "Trưởng phòng Kinh tế" in html and "Sẽ sửa đường trong tháng Một." in html
    assert "31/12/2026" in html and "Lắp đèn chiếu sáng ngõ 5." in html and "15/01/2027" in html
    assert "Chủ tịch kết luận: làm ngay." in html and "Rà soát toàn bộ hệ thống thoát nước." in html
    _no_personal_data(html, day)
    fragment = (await demo_client.get(live + "?fragment=1")).text
    assert "<html" not in fragment and "Lắp đèn chiếu sáng ngõ 5." in fragment

    # The public conference page links the live page while the conference is in session.
    assert f'href="/conferences/{conference_id}/live"' in (await demo_client.get(f"/conferences/{conference_id}")).text
    await Conference.update({Conference.state: "concluded"}).where(Conference.id == conference_id)
    assert f'href="/conferences/{conference_id}/live"' not in (
        await demo_client.get(f"/conferences/{conference_id}")).text


async def test_the_console_follows_the_stream_and_links_the_screen(day, demo_client):
    conference_id = day["conference"]["id"]
    await _agenda(day, 1)
    await sign_in(demo_client, DEMO_ACCOUNTS["secretary"])
    html = (await demo_client.get(f"/session/conferences/{conference_id}/console")).text
    latest = await events.latest(f"conference:{conference_id}")
    assert latest > 0
    assert f'data-live-stream="/conferences/{conference_id}/live/events?after={latest}"' in html
    assert f'href="/conferences/{conference_id}/screen"' in html and "live.js" in html


@pytest.mark.parametrize("path", ["screen", "live", "live/events"])
async def test_draft_unknown_and_bad_conferences_are_not_found(day, demo_client, path):
    conference_id = day["conference"]["id"]
    await Conference.update({Conference.state: "draft"}).where(Conference.id == conference_id)
    assert (await demo_client.get(f"/conferences/{conference_id}/{path}")).status_code == 404
    assert (await demo_client.get(f"/conferences/987654/{path}")).status_code == 404
    assert (await demo_client.get(f"/conferences/99999999999999999999/{path}")).status_code in (400, 404)
    assert (await demo_client.get(f"/conferences/abc/{path}")).status_code in (400, 404)


# --- Wake-ups: after a commit only -------------------------------------------------------------

async def test_a_wake_up_is_sent_after_the_commit_and_never_for_a_rollback(day, demo_db):
    """On SQLite the registered waker is called after the commit; on PostgreSQL a NOTIFY runs in the
    transaction, which PostgreSQL delivers at commit only: a LISTENing connection sees it, or not."""
    conference_id, organiser = day["conference"]["id"], day["organiser"]
    items = await _agenda(day, 2)
    channel = f"conference:{conference_id}"
    woken: list[list[str]] = []
    listener = None
    heard: list[tuple[str, str]] = []
    if TEST_ENGINE == "postgres":
        import asyncpg

        listener = await asyncpg.connect(demo_db.database_url)
        await listener.add_listener(channel, lambda _connection, _pid, name, payload: heard.append((name, payload)))
    events.set_waker(woken.append)
    try:
        before = await LiveEvent.count()
        with pytest.raises(RuntimeError):
            async with write_transaction():
                await commands.show_item(organiser, conference_id, items[0]["id"], NOW)
                raise RuntimeError("the change fails after its event was written")
        await asyncio.sleep(0.3)
        assert await LiveEvent.count() == before and woken == [] and heard == []

        await commands.show_item(organiser, conference_id, items[1]["id"], NOW)
        await asyncio.sleep(0.3)
        if TEST_ENGINE == "postgres":
            assert heard == [(channel, "1")] and woken == []  # the channel as LISTEN quotes it
        else:
            assert woken == [[channel]]
    finally:
        events.set_waker(None)
        if listener is not None:
            await listener.close()


async def test_a_question_sent_in_one_unit_of_work_wakes_its_conference_after_the_commit(demo_db):
    """The submission writes its event in a unit of work (db.write_steps), built in SQLite's writer
    thread: its wake-up still reaches the waker, after the commit (on PostgreSQL: a NOTIFY)."""
    from tests.test_questions import open_conference, submit

    conference = await open_conference()
    channel = f"conference:{conference['id']}"
    woken: list[list[str]] = []
    heard: list[tuple[str, str]] = []
    listener = None
    if TEST_ENGINE == "postgres":
        import asyncpg

        listener = await asyncpg.connect(demo_db.database_url)
        await listener.add_listener(channel, lambda _connection, _pid, name, payload: heard.append((name, payload)))
    events.set_waker(woken.append)
    try:
        submitted = await submit(conference)
        await asyncio.sleep(0.3)
        question_channel = f"question:{submitted.question['id']}"
        if TEST_ENGINE == "postgres":
            assert heard == [(channel, "1")] and woken == []
        else:
            assert woken == [[question_channel, channel]]
        assert [e["kind"] for e in await events.since(channel)] == ["submitted"]
    finally:
        events.set_waker(None)
        if listener is not None:
            await listener.close()


# --- The stream, through real servers --------------------------------------------------------------

class EventStream:
    """One client of a conference's stream (httpx, streaming): its events arrive on a queue."""

    def __init__(self, url: str, headers: dict | None = None) -> None:
        self.url, self.headers = url, headers or {}
        self.received: asyncio.Queue[dict] = asyncio.Queue()
        self.text: list[str] = []  # every line, for what the stream must never carry
        self.opened = asyncio.Event()

    async def __aenter__(self) -> EventStream:
        self.client = httpx.AsyncClient(timeout=httpx.Timeout(10, read=None))
        self.task = asyncio.create_task(self._read())
        await asyncio.wait_for(self.opened.wait(), 10)
        return self

    async def __aexit__(self, *exc) -> None:
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)
        await self.client.aclose()

    async def _read(self) -> None:
        async with self.client.stream("GET", self.url, headers=self.headers) as response:
            self.status = response.status_code
            self.content_type = response.headers.get("content-type", "")
            event: dict = {}
            async for line in response.aiter_lines():
                self.text.append(line)
                if line.startswith(": live"):
                    self.opened.set()  # the stream is subscribed: a change from now on reaches it
                if line == "":
                    if "data" in event:
                        await self.received.put(event)
                    event = {}
                elif not line.startswith(":"):
                    field, _, value = line.partition(": ")
                    event[field] = value

    async def next(self, within: float) -> dict:
        return await asyncio.wait_for(self.received.get(), within)

    def drained(self) -> list[dict]:
        found = []
        while not self.received.empty():
            found.append(self.received.get_nowait())
        return found


async def signed_in_secretary(url: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=url, follow_redirects=False, timeout=10)
    token = csrf_token_from((await client.get("/sign-in")).text)
    response = await client.post("/sign-in", data={"_csrf_token": token, "email": DEMO_ACCOUNTS["secretary"],
                                                   "password": DEMO_PASSWORD})
    assert response.status_code == 303, response.text
    return client


async def show_through_the_console(client: httpx.AsyncClient, conference_id: int, item_id: int) -> None:
    console = f"/session/conferences/{conference_id}/console"
    token = csrf_token_from((await client.get(console)).text)
    response = await client.post(f"{console}/items/{item_id}/show", data={"_csrf_token": token})
    assert response.status_code == 303, response.text


@pytest.fixture
async def served(day, demo_db) -> AsyncIterator:
    """The conference in session with three items, served by uvicorn in its own process (the
    database is the test's: the test reads what the server writes)."""
    from tests.live import LiveServer

    items = await _agenda(day)
    server = LiveServer(demo_db.database_url)
    server.start()
    try:
        yield {"server": server, "url": server.url, "conference": day["conference"]["id"], "items": items,
               "day": day, "database_url": demo_db.database_url}
    finally:
        server.stop()


async def test_a_change_made_on_the_console_reaches_two_clients_within_two_seconds(served):
    conference_id, items = served["conference"], served["items"]
    stream = f"{served['url']}/conferences/{conference_id}/live/events"
    secretary = await signed_in_secretary(served["url"])
    try:
        async with EventStream(stream) as first, EventStream(stream) as second:
            assert first.status == 200 and first.content_type.startswith("text/event-stream")
            assert "retry: 1000" in first.text
            for item in items[:2]:
                started = time.monotonic()
                await show_through_the_console(secretary, conference_id, item["id"])
                for client in (first, second):
                    event = await client.next(within=2)
                    assert event["event"] == "change" and json.loads(event["data"]) == {"kind": "agenda_current"}
                assert time.monotonic() - started < 2
            ids = [int(e["id"]) for e in (first.drained() or [])]
            assert ids == []  # one change, one event: nothing more
    finally:
        await secretary.aclose()


async def test_a_reconnecting_client_gets_exactly_the_events_it_missed(served):
    conference_id, items = served["conference"], served["items"]
    stream = f"{served['url']}/conferences/{conference_id}/live/events"
    secretary = await signed_in_secretary(served["url"])
    try:
        async with EventStream(stream) as client:
            await show_through_the_console(secretary, conference_id, items[0]["id"])
            last_seen = (await client.next(within=2))["id"]
        # The connection dropped; meanwhile the secretary moves on twice.
        await show_through_the_console(secretary, conference_id, items[1]["id"])
        await show_through_the_console(secretary, conference_id, items[2]["id"])
        missed = [row["id"] for row in await events.since(f"conference:{conference_id}", int(last_seen))]
        assert len(missed) == 2
        async with EventStream(stream, headers={"Last-Event-ID": last_seen}) as again:
            caught_up = [int((await again.next(within=2))["id"]) for _ in missed]
            assert caught_up == missed
            await asyncio.sleep(0.5)
            assert again.drained() == []  # exactly those: nothing before, nothing twice
        async with EventStream(f"{stream}?after={missed[0]}") as by_query:
            assert [int((await by_query.next(within=2))["id"])] == missed[1:]
        async with EventStream(stream) as fresh:  # a new client starts from now
            await asyncio.sleep(0.5)
            assert fresh.drained() == []
    finally:
        await secretary.aclose()


async def test_the_stream_carries_no_personal_data(served):
    conference_id, day = served["conference"], served["day"]
    await commands.record_floor(day["organiser"], conference_id, {
        "asker_kind": "resident", "unit": str(day["conference"]["unit"]), "topic": str(day["questions"][0]["topic"]),
        "body": "Câu hỏi tại hội trường về chiếu sáng.", "contact": "0912345678", "public_consent": "yes",
        "form_token": "floor-1"}, NOW)
    async with EventStream(f"{served['url']}/conferences/{conference_id}/live/events?after=0") as client:
        while True:
            try:
                event = await client.next(within=1)
            except TimeoutError:
                break
            assert set(json.loads(event["data"])) == {"kind"}
        stream_text = "\n".join(client.text)
    assert "agenda_changed" in stream_text and "floor_recorded" in stream_text
    for question in day["questions"]:
        assert question["asker_name"] not in stream_text and question["asker_email"] not in stream_text
    assert "0912345678" not in stream_text and "84912345678" not in stream_text
    assert "chiếu sáng" not in stream_text


async def test_the_server_stops_promptly_with_a_stream_open(served):
    server = served["server"]
    async with EventStream(f"{served['url']}/conferences/{served['conference']}/live/events"):
        started = time.monotonic()
        server.process.terminate()
        await asyncio.to_thread(server.process.wait, 10)
        assert time.monotonic() - started < 3
    # uvicorn ends by raising the signal it caught again, once it has shut down cleanly.
    assert server.process.returncode in (0, -signal.SIGTERM)


@pytest.mark.skipif(TEST_ENGINE != "postgres", reason="several app processes need PostgreSQL (LISTEN/NOTIFY)")
async def test_a_change_made_through_one_process_reaches_a_stream_served_by_another(served):
    from tests.live import LiveServer

    conference_id, items = served["conference"], served["items"]
    other = LiveServer(served["database_url"])
    other.start()
    secretary = await signed_in_secretary(served["url"])
    try:
        async with EventStream(f"{other.url}/conferences/{conference_id}/live/events") as client:
            await asyncio.sleep(0.2)
            started = time.monotonic()
            await show_through_the_console(secretary, conference_id, items[1]["id"])
            event = await client.next(within=2)
            assert json.loads(event["data"]) == {"kind": "agenda_current"}
            assert time.monotonic() - started < 2
            assert int(event["id"]) == await events.latest(f"conference:{conference_id}")
    finally:
        await secretary.aclose()
        other.stop()


async def test_hostile_positions_in_the_stream_are_read_as_from_the_start(served):
    conference_id = served["conference"]
    stream = f"{served['url']}/conferences/{conference_id}/live/events"
    first = (await events.since(f"conference:{conference_id}"))[0]["id"]
    for hostile in ("abc", "-1", "9" * 30, "1e9", "%00", "1 2"):
        async with EventStream(stream, headers={"Last-Event-ID": hostile}) as client:
            assert client.status == 200 and int((await client.next(within=2))["id"]) == first
    async with EventStream(stream + "?after=" + "١٢٣") as client:
        assert client.status == 200 and int((await client.next(within=2))["id"]) == first
    async with httpx.AsyncClient(timeout=5) as client:
        for path in ("99999999999999999999/live/events", "0/live/events", "abc/live/events"):
            assert (await client.get(f"{served['url']}/conferences/{path}")).status_code in (400, 404)


@pytest.mark.skipif(TEST_ENGINE != "postgres", reason="PostgreSQL's LISTEN connection (the PostgreSQL pass)")
async def test_the_listening_connection_is_opened_again_after_the_database_dropped_it(served):
    import asyncpg

    from dialogue.web.live import KEEP_ALIVE_SECONDS

    conference_id, items = served["conference"], served["items"]
    secretary = await signed_in_secretary(served["url"])
    try:
        async with EventStream(f"{served['url']}/conferences/{conference_id}/live/events") as client:
            admin = await asyncpg.connect(served["database_url"])
            try:  # what a database restart does to the app's listening connection
                await admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                    "WHERE datname = current_database() AND query LIKE 'LISTEN%'")
            finally:
                await admin.close()
            await show_through_the_console(secretary, conference_id, items[1]["id"])
            # No wake-up can come now; the keep-alive reads the table, and opens the connection again…
            assert json.loads((await client.next(within=KEEP_ALIVE_SECONDS + 5))["data"])["kind"] == "agenda_current"
            # …so the next change wakes the stream at once, as before the drop.
            started = time.monotonic()
            await show_through_the_console(secretary, conference_id, items[2]["id"])
            await client.next(within=2)
            assert time.monotonic() - started < 2
    finally:
        await secretary.aclose()
