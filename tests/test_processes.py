"""Several server processes on one PostgreSQL database (`serve --workers N`, or several machines): two
uvicorn processes with the real app share a session, a CSRF token, a form token, the outbox, the reminder
job and the submission limit, each as if there were one. On SQLite, `serve` refuses more than one worker.

Each test starts two LiveServer processes on the test's own copy of the demo database and reads what they
wrote with asyncpg. Every wait polls until a deadline; nothing asserts how long anything took."""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager

import asyncpg
import httpx
import pytest
from aiosmtpd.controller import Controller

from dialogue.core.settings import PROJECT_ROOT
from tests.conftest import DEMO_ACCOUNTS, DEMO_PASSWORD, TEST_ENGINE, csrf_token_from
from tests.live import LiveServer, free_port
from tests.pinned import NOW, TODAY

postgres_only = pytest.mark.skipif(
    TEST_ENGINE != "postgres", reason="several app processes need PostgreSQL (the PostgreSQL pass)")
CONFERENCE = 1  # the demo's conference that takes questions on the pinned day


# --- Helpers -------------------------------------------------------------------------------------

@contextmanager
def two_processes(database_url: str, **env: str) -> Iterator[tuple[LiveServer, LiveServer]]:
    """Two app processes on one database, started at the same moment (their start-up work races)."""
    env = {"DB_POOL_MAX": "4", "SMTP_URL": "", **env}  # no SMTP_URL: e-mails wait in the outbox
    servers = (LiveServer(database_url, **env), LiveServer(database_url, **env))
    while servers[1].port == servers[0].port:  # two free ports, picked before either process binds one
        servers = (servers[0], LiveServer(database_url, **env))
    try:
        for server in servers:
            server.launch()
        for server in servers:
            server.wait_until_listening()
        yield servers
    finally:
        for server in servers:
            server.stop()


async def rows(database_url: str, sql: str, *args) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(database_url)
    try:
        return await connection.fetch(sql, *args)
    finally:
        await connection.close()


async def until(check: Callable[[], Awaitable[bool]], within: float, what: str) -> None:
    deadline = time.monotonic() + within
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {within} s")
        await asyncio.sleep(0.2)


class Inbox:
    """A real SMTP server on loopback that keeps the Message-ID of everything it accepts."""

    def __init__(self) -> None:
        self.port = free_port()
        self.message_ids: list[str] = []
        self.lock = threading.Lock()
        self.delay = 0.0  # seconds before each message is accepted (a relay that takes its time)
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.delay)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.message_ids.append(message["Message-ID"])
        return "250 OK"

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def received(self) -> list[str]:
        with self.lock:
            return list(self.message_ids)


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    server = Inbox()
    server.controller.start()
    yield server
    server.controller.stop()


async def ask_form(client: httpx.AsyncClient) -> dict:
    """The ask page as a browser gets it: its own form token (from the redirect), CSRF token, area, topic."""
    response = await client.get(f"/conferences/{CONFERENCE}/ask", follow_redirects=True)
    assert response.status_code == 200, response.text
    page = response.text
    unit = re.search(r'<option value="(\d+)" selected', page) or re.search(r'id="unit".*?value="(\d+)"', page, re.S)
    topic = re.search(r'id="topic".*?<option value="(\d+)"', page, re.S)
    form_token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    return {
        "_csrf_token": csrf_token_from(page), "form_token": form_token,
        "asker_kind": "resident", "asker_name": "Phạm Minh Tuấn", "asker_email": "tuan@example.vn",
        "unit": unit.group(1), "topic": topic.group(1), "title": "Đề nghị lắp đèn chiếu sáng ngõ 72 Tôn Thất Tùng",
        "body": "Ngõ 72 Tôn Thất Tùng không có đèn chiếu sáng, buổi tối rất nguy hiểm cho người đi bộ.",
        "answer_mode": "writing", "data_consent": "yes",
    }


def confirmed(response: httpx.Response) -> bool:
    """The page that says the question was received, with its tracking code."""
    return response.status_code == 200 and 'class="tracking-code"' in response.text


def client_of(server: LiveServer, cookies: httpx.Cookies | None = None) -> httpx.AsyncClient:
    # Cookies are sent to every port of a host: a jar handed from one client to the other is what a
    # browser holds in front of a load balancer.
    return httpx.AsyncClient(base_url=server.url, timeout=30, cookies=cookies)


async def signed_in(server: LiveServer) -> tuple[httpx.AsyncClient, str]:
    """A client signed in as the demo organiser through the real sign-in form; and where sign-in landed."""
    client = client_of(server)
    token = csrf_token_from((await client.get("/sign-in")).text)
    response = await client.post("/sign-in", data={
        "_csrf_token": token, "email": DEMO_ACCOUNTS["organiser"], "password": DEMO_PASSWORD})
    assert response.status_code == 303, response.text
    return client, response.headers["location"]


# --- SQLite: one process -------------------------------------------------------------------------

def test_serve_refuses_several_workers_on_sqlite(tmp_path):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "DATABASE_URL": f"sqlite:///{tmp_path}/one.sqlite3",
           "SECRET_KEY": "z" * 40, "SMTP_URL": "smtp://127.0.0.1:25", "PORT": str(free_port())}
    # Its own process group: were it not refused, the server and its workers are ended together below.
    process = subprocess.Popen([sys.executable, "-m", "dialogue", "serve", "--workers", "2"], cwd=PROJECT_ROOT,
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    try:
        out, err = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise AssertionError("serve --workers 2 on SQLite started a server instead of refusing") from None
    assert process.returncode != 0
    assert "--workers 2 needs PostgreSQL" in err and "docs/operations.md" in err
    assert "running at" not in out and not (tmp_path / "one.sqlite3").exists()


@postgres_only
def test_serve_runs_two_workers_on_postgresql(demo_database_url):
    port = free_port()
    env = {**os.environ, "DATABASE_URL": demo_database_url, "SECRET_KEY": "z" * 40, "SMTP_URL": "",
           "PORT": str(port), "DB_POOL_MAX": "2"}
    process = subprocess.Popen([sys.executable, "-m", "dialogue", "serve", "--workers", "2"], cwd=PROJECT_ROOT,
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, "serve --workers 2 on PostgreSQL exited"
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "serve --workers 2 did not answer within 60 s"
            time.sleep(0.2)
    finally:
        process.terminate()  # uvicorn's supervisor stops its workers
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


# --- Two processes on PostgreSQL -----------------------------------------------------------------

@postgres_only
async def test_a_session_made_through_one_process_is_honoured_by_the_other(demo_database_url):
    with two_processes(demo_database_url) as (first, second):
        other = client_of(second)
        home = "/organiser"
        before = await other.get(home)
        assert before.status_code == 303 and before.headers["location"].startswith("/sign-in")
        await other.aclose()

        client, home = await signed_in(first)
        other = client_of(second, client.cookies)
        try:
            assert (await client.get(home)).status_code == 200
            page = await other.get(home)
            assert page.status_code == 200 and "sign-out" in page.text

            # Signing out through the second ends the session in the first too.
            response = await other.post("/sign-out", data={"_csrf_token": csrf_token_from(page.text)})
            assert response.status_code == 303
            after = await client.get(home)
            assert after.status_code == 303 and after.headers["location"].startswith("/sign-in")
        finally:
            await client.aclose()
            await other.aclose()


@postgres_only
async def test_a_csrf_token_from_one_process_is_accepted_by_the_other(demo_database_url):
    with two_processes(demo_database_url) as (first, second):
        async with client_of(first) as client:
            form = await ask_form(client)  # the CSRF cookie and token come from the first process
            async with client_of(second, client.cookies) as other:
                response = await other.post(f"/conferences/{CONFERENCE}/ask", data=form)
                assert confirmed(response), response.text
            async with client_of(second) as stranger:  # the control: no cookie, the same token
                refused = await stranger.post(f"/conferences/{CONFERENCE}/ask",
                                              data={**form, "form_token": "another-form-" + "x" * 30})
                assert refused.status_code == 403
    assert len(await rows(demo_database_url, "SELECT id FROM question")) == 1


@postgres_only
async def test_one_form_sent_to_both_processes_at_once_makes_one_question(demo_database_url):
    with two_processes(demo_database_url) as servers:
        clients = [client_of(server) for server in servers]
        try:
            forms = [await ask_form(clients[0]) for _ in range(5)]
            clients[1].cookies = clients[0].cookies  # the CSRF cookie that goes with the forms' tokens
            # Each form sent three times to each process, all at once: double clicks behind a load balancer.
            responses = await asyncio.gather(*(
                client.post(f"/conferences/{CONFERENCE}/ask", data=form)
                for form in forms for client in clients for _ in range(3)))
        finally:
            for client in clients:
                await client.aclose()
    assert all(confirmed(response) for response in responses)
    tokens = Counter(row["form_token"] for row in await rows(demo_database_url, "SELECT form_token FROM question"))
    assert tokens == {form["form_token"]: 1 for form in forms}
    mails = await rows(demo_database_url, "SELECT id FROM outbox_message WHERE kind = 'question_received'")
    assert len(mails) == 5  # the e-mail is in the question's transaction: one each too


@postgres_only
async def test_thirty_emails_queued_through_both_processes_are_each_sent_once(demo_database_url, inbox):
    # The questions go in through both processes, alternately, while no worker sends (no SMTP_URL) ...
    with two_processes(demo_database_url, SUBMISSIONS_PER_HOUR="1000") as servers:
        clients = [client_of(server) for server in servers]
        try:
            for n in range(30):
                client = clients[n % 2]
                form = await ask_form(client)
                response = await client.post(f"/conferences/{CONFERENCE}/ask", data={
                    **form, "asker_email": f"nguoidan{n}@example.vn", "title": f"Câu hỏi số {n} về chiếu sáng"})
                assert confirmed(response), response.text
        finally:
            for client in clients:
                await client.aclose()
    # ... then two processes start at once with their workers and find all thirty waiting. The relay takes
    # a tenth of a second a message, so that both workers are still sending while the other claims.
    inbox.delay = 0.1
    with two_processes(demo_database_url, SMTP_URL=inbox.url, OUTBOX_POLL_SECONDS="1"):
        async def all_sent() -> bool:
            waiting = await rows(demo_database_url, "SELECT id FROM outbox_message WHERE sent_at IS NULL")
            return not waiting and len(inbox.received()) >= 30

        await until(all_sent, 60, "the outbox emptied by the two workers")
        await asyncio.sleep(1.5)  # one more round of both workers (1 s apart): a second copy would show now
    queued = await rows(demo_database_url, "SELECT message_id, kind FROM outbox_message")
    kinds = Counter(row["kind"] for row in queued)
    # Their reminder loops also run the monthly report job, on the day of the run: once past the month's
    # report day, the demo leader's report of last month is queued, once between the two processes.
    assert kinds["question_received"] == 30 and set(kinds) <= {"question_received", "monthly_report"}
    assert kinds["monthly_report"] <= 1
    received = Counter(inbox.received())
    assert set(received) == {row["message_id"] for row in queued}
    assert received.most_common(1)[0][1] == 1, "an e-mail was sent twice"


@postgres_only
async def test_a_due_reminder_is_sent_once_by_two_processes(demo_db, inbox):
    from dialogue.accounts.tables import StaffUser
    from dialogue.demo import load_demo
    from dialogue.machine.actors import Actor
    from dialogue.questions import routing
    from dialogue.questions.tables import Assignment, Question

    url = demo_db.database_url
    await load_demo(TODAY)  # the demo's questions, waiting to be screened
    organiser = Actor.staff(await StaffUser.select().where(StaffUser.email == DEMO_ACCOUNTS["organiser"]).first())
    question = await Question.select(Question.id).where(Question.state == "submitted").first()
    await routing.accept_and_route(organiser, [question["id"]], NOW, "http://127.0.0.1")
    # Due last Friday: overdue on the pinned Monday, so each process's first reminder run finds it.
    await Assignment.update({Assignment.due_on: TODAY - dt.timedelta(days=3)}).where(
        Assignment.question == question["id"])

    with two_processes(url, SMTP_URL=inbox.url, OUTBOX_POLL_SECONDS="1", REMINDER_MINUTES="1"):
        async def reminder_sent() -> bool:
            sent = await rows(url, "SELECT message_id FROM outbox_message WHERE kind = 'reminder_overdue' "
                                   "AND sent_at IS NOT NULL")
            waiting = await rows(url, "SELECT id FROM outbox_message WHERE sent_at IS NULL")
            return bool(sent) and not waiting and sent[0]["message_id"] in inbox.received()

        await until(reminder_sent, 60, "the overdue reminder sent")
        await asyncio.sleep(1.5)  # one more round of both workers
    reminders = await rows(url, "SELECT message_id, to_address FROM outbox_message WHERE kind LIKE 'reminder%'")
    assert [row["to_address"] for row in reminders] == [DEMO_ACCOUNTS["organiser"]]
    assert len(await rows(url, "SELECT id FROM reminder_sent")) == 1
    received = Counter(inbox.received())
    assert received[reminders[0]["message_id"]] == 1
    assert set(received) == {row["message_id"] for row in await rows(url, "SELECT message_id FROM outbox_message")}
    assert max(received.values()) == 1


@postgres_only
async def test_the_submission_limit_counts_what_both_processes_took(demo_database_url):
    with two_processes(demo_database_url, SUBMISSIONS_PER_HOUR="4") as servers:
        clients = [client_of(server) for server in servers]
        try:
            statuses = []
            for n in range(6):  # one after another, alternately through each process
                client = clients[n % 2]
                form = await ask_form(client)
                response = await client.post(f"/conferences/{CONFERENCE}/ask",
                                             data={**form, "title": f"Câu hỏi số {n} về chiếu sáng"})
                statuses.append(response.status_code)
                assert confirmed(response) == (response.status_code == 200)
        finally:
            for client in clients:
                await client.aclose()
    assert statuses == [200, 200, 200, 200, 429, 429]  # the fifth and sixth: one to each process
    assert len(await rows(demo_database_url, "SELECT id FROM question")) == 4



def received_figure(page: str) -> int:
    block = re.search(r'id="figure-received".*?class="figure__value"><a [^>]*>([\d.,]+)</a>', page, re.S)
    return int(re.sub(r"[.,]", "", block.group(1)))


@postgres_only
async def test_the_dashboard_kept_by_each_process_shows_a_change_made_through_the_other(demo_database_url):
    """Each process keeps the dashboard's figures until the action log moves: a question sent through
    one process is counted on the next load through the other."""
    with two_processes(demo_database_url) as (first, second):
        client, _home = await signed_in(first)
        other = client_of(second, client.cookies)
        try:
            pages = [await c.get("/dashboard") for c in (client, other, other)]  # both keep the figures
            assert all(page.status_code == 200 for page in pages), pages[0].text
            before = {received_figure(page.text) for page in pages}
            assert len(before) == 1
            async with client_of(first) as resident:
                assert confirmed(await resident.post(f"/conferences/{CONFERENCE}/ask", data=await ask_form(resident)))
            after = await other.get("/dashboard")
            assert received_figure(after.text) == before.pop() + 1
        finally:
            await client.aclose()
            await other.aclose()
