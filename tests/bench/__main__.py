"""`make bench`: the app's pages against bare references, on SQLite and (with TEST_DATABASE_URL)
PostgreSQL.

Two servers run side by side on the same database, each one uvicorn process with the same loop and
parser as `serve`: the app (tests/bench/server.py: the production app) and the reference
(tests/bench/reference.py: a minimal Litestar app, no middleware, raw driver, same templates). They
are measured one after the other, never at once, by wrk when it is installed (otherwise by a Python
generator), in a process of its own. On PostgreSQL the app is measured again with two workers.

Prints one line per figure:  BENCH <name> <engine> <value> <unit> ratio=<value / reference value>
For throughput a ratio above 1 is better; for p99 latency, below 1. `BENCH floor` is Litestar's
hello-world on the same server, for scale; `…_2workers` lines compare two workers with one.
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

from dialogue.cli import server_stack
from dialogue.core.settings import PROJECT_ROOT
from tests.bench.load import GENERATOR, Figure, Load, measure
from tests.live import LiveServer

CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "6"))
PUBLIC_QUESTIONS = 50
SIMILAR_CONNECTIONS = min(CONNECTIONS, 8)
QUEUE_QUESTIONS = int(os.environ.get("BENCH_QUEUE_QUESTIONS", "10000"))
GOALS = {"submit": 0.7, "submit_p99": 1.5, "conference_page": 0.8, "home_page": 0.8, "tracking_page": 0.8,
         "conference_page_2workers": 1.5, "submit_2workers": 1.5}


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
    # Their similar-question entries, as submissions would have written them: the `similar` figure
    # then looks up among the conference's questions, as its reference (rapidfuzz over all of them) does.
    from dialogue.questions import similarity
    await similarity.rebuild()
    await close_engine(engine)
asyncio.run(main())
""".replace("COUNT", str(PUBLIC_QUESTIONS)).replace("QUEUE)", str(QUEUE_QUESTIONS) + ")")

# A question for the tracking page: answered in public, with no session outcome nor commitments
# (the reference renders neither); the most eventful such question of the demo.
TRACKED = """SELECT q.tracking_code FROM question q JOIN answer a ON a.question = q.id
 WHERE a.state = 'published' AND q.public_consent
 AND NOT EXISTS (SELECT 1 FROM commitment c WHERE c.question = q.id)
 AND NOT EXISTS (SELECT 1 FROM agenda_item i WHERE i.question = q.id AND i.outcome <> '')
 ORDER BY (SELECT COUNT(*) FROM action_log l WHERE l.object_type = 'question' AND l.object_id = CAST(q.id AS TEXT))
 DESC, q.id LIMIT 1"""


def prepare(database_url: str) -> None:
    cli(database_url, "migrate")
    cli(database_url, "demo", "load")
    env = {**os.environ, "DATABASE_URL": database_url}
    subprocess.run([sys.executable, "-c", SEED], cwd=PROJECT_ROOT, env=env, check=True, timeout=120)


async def one_value(database_url: str, sql: str):
    if database_url.startswith("sqlite"):
        import sqlite3

        with sqlite3.connect(urlsplit(database_url).path) as connection:
            row = connection.execute(sql).fetchone()
            return row[0] if row else None
    connection = await asyncpg.connect(database_url)
    try:
        return await connection.fetchval(sql)
    finally:
        await connection.close()


def serve(database_url: str, factory: str, workers: int = 1) -> LiveServer:
    """A uvicorn process as `dialogue serve` starts it (loop, parser, limits), on a factory."""
    server = LiveServer(database_url, TRUSTED_PROXIES="127.0.0.1", DB_POOL_MAX="10")
    loop, parser = server_stack()
    server.command = [sys.executable, "-m", "uvicorn", "--factory", factory, "--host", "127.0.0.1",
                      "--port", str(server.port), "--loop", loop, "--http", parser, "--workers", str(workers),
                      "--limit-concurrency", "1000", "--timeout-keep-alive", "5", "--log-level", "warning",
                      "--no-access-log"]
    server.start()
    return server


async def organiser_cookies(url: str) -> str:
    """The Cookie header of a signed-in organiser."""
    async with httpx.AsyncClient(base_url=url) as client:
        page = await client.get("/sign-in")
        token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
        await client.post("/sign-in", data={"_csrf_token": token, "email": "organiser@dongda.demo",
                                            "password": "doithoai-demo-2026"})
        return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


async def question_form(url: str) -> tuple[str, str]:
    """The CSRF cookie and a valid question form (without its form_token), as a browser has them."""
    async with httpx.AsyncClient(base_url=url) as client:
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
    return f"dialogue_csrf={csrf_cookie}", "&".join(f"{k}={quote_plus(v)}" for k, v in form.items())


def line(name: str, engine: str, value: float, unit: str, ratio: float, note: str = "") -> None:
    goal = GOALS.get(name)
    verdict = "" if goal is None else (" (goal ≤ %.1f: %s)" if name.endswith("p99") else " (goal ≥ %.1f: %s)") % (
        goal, "met" if (ratio <= goal if name.endswith("p99") else ratio >= goal) else "MISSED")
    print(f"BENCH {name} {engine} {value:.1f} {unit} ratio={ratio:.2f}{verdict}{note}", flush=True)


def report(name: str, engine: str, app: Figure, reference: Figure) -> None:
    for figure, label in ((app, "app"), (reference, "reference")):
        if figure.errors:
            print(f"# {name} {engine} {label}: {figure.errors} errors (responses other than 200)", flush=True)
    line(name, engine, app.throughput, "req/s", app.throughput / reference.throughput)
    line(f"{name}_p99", engine, app.p99_ms, "ms", app.p99_ms / reference.p99_ms)
    print(f"# {name} {engine}: reference {reference.throughput:.1f} req/s, p50 {reference.p50_ms:.1f} ms, "
          f"p99 {reference.p99_ms:.1f} ms; app p50 {app.p50_ms:.1f} ms", flush=True)


async def bench_engine(engine: str, database_url: str) -> None:
    app, reference = serve(database_url, "tests.bench.server:create_bench_app"), \
        serve(database_url, "tests.bench.reference:create_reference_app")
    try:
        floor = measure(reference.url, Load("/floor", connections=CONNECTIONS, seconds=SECONDS))
        print(f"BENCH floor {engine} {floor.throughput:.1f} req/s (Litestar's hello-world on this server, "
              f"p99 {floor.p99_ms:.1f} ms)", flush=True)
        cookie, form = await question_form(app.url)
        code = await one_value(database_url, TRACKED) or "BENCH00000007"
        target = await one_value(database_url, "SELECT id FROM question WHERE tracking_code = 'Q000000000007'")
        staff = await organiser_cookies(app.url)
        track = f"{code[:4]}-{code[4:8]}-{code[8:]}"
        pages = [  # name, the app's load, the reference's load
            ("submit", Load("/conferences/1/ask", {"Cookie": cookie}, form), Load("/reference/ask/1", {}, form)),
            ("conference_page", Load("/conferences/1"), Load("/reference/conference/1")),
            ("home_page", Load("/"), Load("/reference/home")),
            ("tracking_page", Load(f"/q/{track}"), Load(f"/reference/track/{track}")),
            ("queue", Load("/organiser/conferences/1/queue", {"Cookie": staff}), Load("/reference/queue/1")),
            # The reference's lookup reads and scores every question of the conference (~0.1 s of CPU):
            # at 32 connections few would finish within the measurement, so this one uses 8.
            ("similar", Load(f"/bench/similar/{target}", connections=SIMILAR_CONNECTIONS),
             Load(f"/reference/similar/{target}", connections=SIMILAR_CONNECTIONS)),
        ]
        one_worker = {}
        for name, app_load, reference_load in pages:
            for load in (app_load, reference_load):
                load.connections, load.seconds = min(load.connections, CONNECTIONS), SECONDS
            # One after the other, never at once; the machine's drift touches both alike.
            figure = measure(app.url, app_load)
            report(name, engine, figure, measure(reference.url, reference_load))
            one_worker[name] = (figure, app_load)
    finally:
        app.stop()
        reference.stop()
    if engine != "postgres":
        return
    two = serve(database_url, "tests.bench.server:create_bench_app", workers=2)
    try:
        for name in ("conference_page", "submit"):
            single, load = one_worker[name]
            figure = measure(two.url, load)
            line(f"{name}_2workers", engine, figure.throughput, "req/s", figure.throughput / single.throughput,
                 f" (vs {single.throughput:.1f} with one worker)")
    finally:
        two.stop()


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
    loop, parser = server_stack()
    generator = "wrk (-t1)" if GENERATOR == "wrk" else \
        "the Python generator (install Debian's wrk for a lighter one: apt-get install wrk)"
    print(f"# bench: {CONNECTIONS} connections, {SECONDS:g} s per figure, uvicorn with {loop} and {parser}, "
          f"load from {generator}, {os.cpu_count()} cores, {dt.datetime.now():%Y-%m-%d %H:%M}", flush=True)
    asyncio.run(main())
