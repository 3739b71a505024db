"""`make bench`: question submission and the public conference page, each against its raw-driver
reference, on SQLite and (with TEST_DATABASE_URL) PostgreSQL, served by uvicorn with one worker.

Prints one line per figure:  BENCH <name> <engine> <value> <unit> ratio=<value / reference value>
For throughput a ratio above 1 is better; for p99 latency, below 1.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from urllib.parse import quote_plus, urlsplit, urlunsplit

import asyncpg
import httpx

from dialogue.core.settings import PROJECT_ROOT
from tests.bench.load import Result, run
from tests.live import LiveServer

CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "64"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "6"))
PUBLIC_QUESTIONS = 50
SIMILAR_CONNECTIONS = min(CONNECTIONS, 8)
QUEUE_QUESTIONS = int(os.environ.get("BENCH_QUEUE_QUESTIONS", "10000"))


def cli(database_url: str, *args: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url, "PICCOLO_CONF": "piccolo_conf"}
    subprocess.run([sys.executable, "-m", "dialogue", *args], cwd=PROJECT_ROOT, env=env, check=True,
                   capture_output=True, timeout=300)


SEED = """
import asyncio, datetime as dt, secrets
from dialogue.core.db import bind_engine, close_engine, make_engine
from dialogue.core.settings import get_settings
from dialogue.piccolo_app import ALL_TABLES
from dialogue.conferences.tables import Conference, ConferenceTopic
from dialogue.questions.tables import Question
from dialogue.reference.tables import AdminUnit
async def main():
    engine = make_engine(get_settings()); bind_engine(engine, ALL_TABLES)
    conference = await Conference.select().first()
    topics = [t["topic"] for t in await ConferenceTopic.select(ConferenceTopic.topic)
              .where(ConferenceTopic.conference == conference["id"])]
    now = dt.datetime.now(dt.timezone.utc)
    rows = [Question(conference=conference["id"], tracking_code=f"BENCH{n:08d}", manage_token_hash="x" * 64,
        form_token=f"seed-{n}", asker_kind="resident", asker_name="Nguyễn Văn A", asker_email="a@example.vn",
        unit=conference["unit"], topic=topics[n % len(topics)],
        title=f"Câu hỏi số {n} về ngập úng và chiếu sáng ngõ phố",
        body="Đề nghị phường cho biết kế hoạch cải tạo hệ thống thoát nước và chiếu sáng tại khu dân cư. " * 3,
        search_folded="", answer_mode="writing", public_consent=True, data_consent_at=now, state="accepted",
        created_at=now - dt.timedelta(minutes=n), updated_at=now) for n in range(COUNT)]
    await Question.insert(*rows)
    # The screening queue: QUEUE questions waiting, from the demo's 42 with variations.
    from dialogue.demo.questions import QUESTIONS
    from dialogue.core.text import fold
    places = ["Hoàng Cầu", "Thái Hà", "Chùa Bộc", "Tây Sơn", "Xã Đàn", "Trường Chinh", "Kim Liên", "Láng"]
    batch = []
    for n in range(QUEUE):
        kind, name, topic, title, body, session, public = QUESTIONS[n % len(QUESTIONS)]
        title = f"{title} (ngõ {n % 300}, {places[n % len(places)]})"
        batch.append(Question(conference=conference["id"], tracking_code=f"Q{n:012d}", manage_token_hash="x" * 64,
            form_token=f"queue-{n}", asker_kind=kind, asker_name=name, asker_email="a@example.vn",
            unit=conference["unit"], topic=topics[n % len(topics)], title=title, body=body,
            search_folded=fold(title + " " + body), answer_mode="writing", public_consent=public,
            data_consent_at=now, state="submitted", created_at=now - dt.timedelta(days=20, minutes=-n), updated_at=now))
        if len(batch) == 500:
            await Question.insert(*batch)
            batch = []
    if batch:
        await Question.insert(*batch)
    await close_engine(engine)
asyncio.run(main())
""".replace("COUNT", str(PUBLIC_QUESTIONS)).replace("QUEUE)", str(QUEUE_QUESTIONS) + ")")


def prepare(database_url: str) -> None:
    cli(database_url, "migrate")
    cli(database_url, "demo", "load")
    env = {**os.environ, "DATABASE_URL": database_url}
    subprocess.run([sys.executable, "-c", SEED], cwd=PROJECT_ROOT, env=env, check=True, timeout=120)


async def organiser_cookies(server: LiveServer) -> str:
    """The Cookie header of a signed-in organiser."""
    async with httpx.AsyncClient(base_url=server.url) as client:
        page = await client.get("/sign-in")
        token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
        await client.post("/sign-in", data={"_csrf_token": token, "email": "organiser@dongda.demo",
                                            "password": "doithoai-demo-2026"})
        return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


async def form_for(server: LiveServer) -> tuple[str, str, dict]:
    """A CSRF cookie and token and a valid question form, as a browser would have them."""
    async with httpx.AsyncClient(base_url=server.url) as client:
        page = await client.get("/conferences/1/ask", follow_redirects=True)  # to the form's own address
        csrf_cookie = client.cookies.get("dialogue_csrf")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
    unit = re.search(r'id="unit".*?<option value="(\d+)"', page.text, re.S).group(1)
    topic = re.search(r'id="topic".*?<option value="(\d+)"', page.text, re.S).group(1)
    form = {
        "_csrf_token": token, "asker_kind": "resident", "asker_name": "Phạm Minh Tuấn",
        "asker_email": "tuan@example.vn", "asker_phone": "0912 345 678", "unit": unit, "topic": topic,
        "title": "Đề nghị lắp đèn chiếu sáng ngõ 72 Tôn Thất Tùng",
        "body": "Ngõ 72 Tôn Thất Tùng không có đèn chiếu sáng, buổi tối rất nguy hiểm cho người đi bộ. "
                "Đề nghị phường lắp đặt đèn trong quý tới.",
        "answer_mode": "writing", "public_consent": "yes", "data_consent": "yes",
    }
    return csrf_cookie, token, form


def post_request(host: str, path: str, cookie: str, form: dict):
    """A new form (unique token) for every request, each from one of 60,000 addresses of a ward
    behind the trusted proxy: the submission limit runs as it does in production."""
    encoded = "&".join(f"{k}={quote_plus(v)}" for k, v in form.items())
    run_id = uuid.uuid4().hex[:8]

    def make(n: int) -> bytes:
        body = f"{encoded}&form_token=bench-{run_id}-{n}".encode()
        client = f"10.{n % 250}.{(n // 250) % 250}.{(n // 62500) % 250 + 1}"
        return (f"POST {path} HTTP/1.1\r\nHost: {host}\r\nCookie: dialogue_csrf={cookie}\r\n"
                f"X-Forwarded-For: {client}\r\n"
                f"Content-Type: application/x-www-form-urlencoded\r\n"
                f"Content-Length: {len(body)}\r\n\r\n").encode() + body
    return make


def get_request(host: str, path: str, cookie: str = ""):
    cookie_line = f"Cookie: {cookie}\r\n" if cookie else ""
    raw = f"GET {path} HTTP/1.1\r\nHost: {host}\r\n{cookie_line}\r\n".encode()
    return lambda n: raw


async def question_id(database_url: str) -> int:
    """A question of the queue to look up similar ones for."""
    if database_url.startswith("sqlite"):
        import sqlite3

        with sqlite3.connect(urlsplit(database_url).path) as connection:
            return connection.execute("SELECT id FROM question WHERE tracking_code = 'Q000000000007'").fetchone()[0]
    connection = await asyncpg.connect(database_url)
    try:
        return await connection.fetchval("SELECT id FROM question WHERE tracking_code = 'Q000000000007'")
    finally:
        await connection.close()


def report(name: str, engine: str, app: Result, reference: Result) -> None:
    for result, label in ((app, "app"), (reference, "reference")):
        if result.errors or not result.latencies:
            print(f"# {name} {engine} {label}: {result.errors} errors, statuses {result.statuses}", flush=True)
    ratio = app.throughput / reference.throughput if reference.throughput else float("nan")
    print(f"BENCH {name} {engine} {app.throughput:.1f} req/s ratio={ratio:.2f}", flush=True)
    p99, ref_p99 = app.percentile(99) * 1000, reference.percentile(99) * 1000
    print(f"BENCH {name}_p99 {engine} {p99:.1f} ms ratio={p99 / ref_p99:.2f}", flush=True)
    print(f"# {name} {engine}: reference {reference.throughput:.1f} req/s, p99 {ref_p99:.1f} ms; "
          f"app p50 {app.percentile(50) * 1000:.1f} ms", flush=True)


async def bench_engine(engine: str, database_url: str) -> None:
    server = LiveServer(database_url, TRUSTED_PROXIES="127.0.0.1", DB_POOL_MAX="10")
    server.env["DIALOGUE_APP"] = "bench"
    server.command = [sys.executable, "-m", "uvicorn", "--factory", "tests.bench.server:create_bench_app",
                      "--host", "127.0.0.1", "--port", str(server.port), "--log-level", "warning", "--no-access-log"]
    server.start()
    try:
        cookie, _token, form = await form_for(server)
        host = f"127.0.0.1:{server.port}"
        url = server.url
        # Alternate app and reference so that drift of the machine affects both alike.
        app = await run(url, post_request(host, "/conferences/1/ask", cookie, form), CONNECTIONS, SECONDS)
        reference = await run(url, post_request(host, "/bench/reference/ask/1", cookie, form), CONNECTIONS, SECONDS)
        report("submit", engine, app, reference)
        app = await run(url, get_request(host, "/conferences/1"), CONNECTIONS, SECONDS)
        reference = await run(url, get_request(host, "/bench/reference/conference/1"), CONNECTIONS, SECONDS)
        report("conference_page", engine, app, reference)
        staff = await organiser_cookies(server)
        app = await run(url, get_request(host, "/organiser/conferences/1/queue", staff), CONNECTIONS, SECONDS)
        reference = await run(url, get_request(host, "/bench/reference/queue/1", staff), CONNECTIONS, SECONDS)
        report("queue", engine, app, reference)
        target = await question_id(database_url)
        # A similarity lookup reads and scores every question of the conference (~0.1 s of CPU):
        # at 64 connections none would finish within the measurement, so this one uses 8.
        app = await run(url, get_request(host, f"/bench/similar/{target}"), SIMILAR_CONNECTIONS, SECONDS)
        reference = await run(url, get_request(host, f"/bench/reference/similar/{target}"), SIMILAR_CONNECTIONS,
                              SECONDS)
        report("similar", engine, app, reference)
    finally:
        server.stop()


async def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        sqlite_url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        prepare(sqlite_url)
        await bench_engine("sqlite", sqlite_url)
    admin_url = os.environ.get("TEST_DATABASE_URL", "")
    if not admin_url:
        print("# SKIPPED: PostgreSQL (set TEST_DATABASE_URL=postgres://… to include it)", flush=True)
        return
    name = f"dialogue_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(admin_url)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        url = urlunsplit(urlsplit(admin_url)._replace(path=f"/{name}"))
        prepare(url)
        await bench_engine("postgres", url)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    print(f"# bench: {CONNECTIONS} connections, {SECONDS:.0f} s per figure, one uvicorn worker, "
          f"{dt.datetime.now():%Y-%m-%d %H:%M}", flush=True)
    asyncio.run(main())
