"""The leaders' pages over a whole province (`make bench`, after the other figures).

The data set is `python -m dialogue demo province` (126 communes, 5 years, about a million questions),
built once per engine and kept between runs: var/bench/province.sqlite3, and the PostgreSQL database
dialogue_bench_province beside TEST_DATABASE_URL's. A marker says the build finished; `make clean`
removes the SQLite one, `DROP DATABASE dialogue_bench_province` the other.

For each page (the province's dashboard, a commune's, a drill-down list, the monthly report as Word):
- the statements the page runs are recorded by calling the service once (measures.fetch is wrapped);
- their database time is the sum of their run times through the raw driver, the median of five runs;
- the page is loaded by 16 signed-in users at once against the app, and the same statements by the
  same load against the reference server (tests/bench/reference.py, /reference/statements/<name>).
Prints:  BENCH dashboard_province <engine> <req/s> ratio=<app / reference>, its p99 against the goal
of 300 ms, and its database time against the goal of 100 ms.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import pickle
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx

from dialogue.core.settings import PROJECT_ROOT
from tests.bench.load import Load, measure

USERS = 16
PAGE_GOALS = ("dashboard_province", "dashboard_commune", "drilldown")  # the goal is for the pages
P99_GOAL_MS = 300.0
DB_GOAL_MS = 100.0
SQLITE_PATH = PROJECT_ROOT / "var" / "bench" / "province.sqlite3"
PG_NAME = "dialogue_bench_province"
MARK = "complete: demo province"
LEADER = "leader@hanoi.demo"
PASSWORD = "doithoai-demo-2026"


def run(database_url: str, *args: str, timeout: int = 1800) -> None:
    env = {**os.environ, "DATABASE_URL": database_url, "PICCOLO_CONF": "piccolo_conf"}
    subprocess.run([sys.executable, "-m", *args], cwd=PROJECT_ROOT, env=env, check=True, timeout=timeout)


def sqlite_data_set() -> str:
    url = f"sqlite:///{SQLITE_PATH}"
    marker = SQLITE_PATH.with_suffix(".complete")
    if not marker.exists():
        SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
        for stale in SQLITE_PATH.parent.glob(SQLITE_PATH.name + "*"):
            stale.unlink()
        print("# building the province data set on SQLite (once; kept in var/bench/)", flush=True)
        started = time.monotonic()
        run(url, "dialogue", "migrate")
        run(url, "dialogue", "demo", "province")
        marker.write_text(MARK)
        print(f"# built in {time.monotonic() - started:.0f} s", flush=True)
    else:
        run(url, "dialogue", "migrate")
    return url


async def postgres_data_set(admin_url: str) -> str:
    url = urlunsplit(urlsplit(admin_url)._replace(path=f"/{PG_NAME}"))
    admin = await asyncpg.connect(admin_url)
    try:
        comment = await admin.fetchval("SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                                       "WHERE datname = $1", PG_NAME)
        if comment != MARK:
            await admin.execute(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)')
            await admin.execute(f'CREATE DATABASE "{PG_NAME}"')
            print("# building the province data set on PostgreSQL (once; kept as "
                  f"{PG_NAME})", flush=True)
            started = time.monotonic()
            run(url, "dialogue", "migrate")
            run(url, "dialogue", "demo", "province")
            target = await asyncpg.connect(url)
            try:  # the visibility map and statistics autovacuum would make later, made now
                await target.execute("VACUUM ANALYZE")
            finally:
                await target.close()
            await admin.execute(f"COMMENT ON DATABASE \"{PG_NAME}\" IS '{MARK}'")
            print(f"# built in {time.monotonic() - started:.0f} s", flush=True)
        else:
            run(url, "dialogue", "migrate")
    finally:
        await admin.close()
    return url


RECORD = '''
import asyncio, datetime as dt, pickle, sys
from dialogue.core.db import bind_engine, close_engine, make_engine, current_engine
from dialogue.core.settings import get_settings
from dialogue.piccolo_app import ALL_TABLES
from dialogue.accountability import dashboard as board, measures
from dialogue.accountability.scope import Period
from dialogue.accounts.tables import StaffUser
from dialogue.reference.tables import AdminUnit

async def main(out):
    engine = make_engine(get_settings()); bind_engine(engine, ALL_TABLES)
    leader = await StaffUser.select(StaffUser.unit).where(StaffUser.email == "LEADER").first()
    province = await AdminUnit.select(AdminUnit.id, AdminUnit.code, AdminUnit.name, AdminUnit.level) \\
        .where(AdminUnit.id == leader["unit"]).first()
    busiest = (await AdminUnit.raw(
        "SELECT c.unit AS unit, COUNT(*) AS n FROM question q JOIN conference c ON c.id = q.conference "
        "GROUP BY c.unit ORDER BY n DESC LIMIT 1"))[0]["unit"]
    commune = await AdminUnit.select(AdminUnit.id, AdminUnit.code, AdminUnit.name, AdminUnit.level) \\
        .where(AdminUnit.id == busiest).first()
    now = dt.datetime.now(dt.timezone.utc)
    today = now.date()
    month = Period.month((today.replace(day=1) - dt.timedelta(days=1)))
    recorded = []
    original = measures.fetch

    async def recording(sql, *args):
        recorded.append(measures.query(sql, *args).compile_string(engine_type=current_engine().engine_type))
        return await original(sql, *args)

    measures.fetch = recording
    pages = {}

    async def page(name, path, work):
        recorded.clear()
        await work()
        pages[name] = {"path": path, "statements": list(recorded)}

    province_scope = await board.scope_for(province, month, today)
    commune_scope = await board.scope_for(commune, month, today)
    query = f"?unit={province['id']}&period={month.code}"
    await page("dashboard_province", "/dashboard" + query, lambda: board.dashboard(province_scope))
    await page("dashboard_commune", f"/dashboard?unit={commune['id']}&period={month.code}",
               lambda: board.dashboard(commune_scope))
    await page("drilldown", "/dashboard/items" + query + "&figure=answers&status=late",
               lambda: board.items(province_scope, "answers", "late", None, None))
    # The report each commune's leaders take to their meeting (the province's, with every agency of
    # its communes, is timed once: python-docx takes seconds for its thousands of table cells).
    await page("monthly_report", f"/dashboard/report?unit={commune['id']}&month={month.code}&format=docx",
               lambda: board.monthly_report(commune, month.start, now))
    pages["monthly_report"]["province_path"] = \
        f"/dashboard/report?unit={province['id']}&month={month.code}&format=docx"
    await close_engine(engine)
    with open(out, "wb") as file:
        pickle.dump(pages, file)

asyncio.run(main(sys.argv[1]))
'''.replace("LEADER", LEADER)


def record(database_url: str, out: Path) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url}
    subprocess.run([sys.executable, "-c", RECORD, str(out)], cwd=PROJECT_ROOT, env=env, check=True, timeout=600)
    return pickle.loads(out.read_bytes())


async def database_ms(database_url: str, statements: list) -> float:
    """The statements' time through the raw driver, one after the other: the median of five runs."""
    runs = []
    if database_url.startswith("sqlite"):
        import sqlite3

        connection = sqlite3.connect(urlsplit(database_url).path)
        try:
            for _n in range(5):
                started = time.perf_counter()
                for sql, args in statements:
                    connection.execute(sql, args).fetchall()
                runs.append(time.perf_counter() - started)
        finally:
            connection.close()
    else:
        connection = await asyncpg.connect(database_url)
        try:
            for _n in range(5):
                started = time.perf_counter()
                for sql, args in statements:
                    await connection.fetch(sql, *args)
                runs.append(time.perf_counter() - started)
        finally:
            await connection.close()
    return statistics.median(runs) * 1000


async def leader_cookies(url: str) -> str:
    async with httpx.AsyncClient(base_url=url) as client:
        page = await client.get("/sign-in")
        token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
        await client.post("/sign-in", data={"_csrf_token": token, "email": LEADER, "password": PASSWORD})
        return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


async def bench_dashboards(engine: str, database_url: str, serve, seconds: float) -> None:
    statements_file = PROJECT_ROOT / "var" / "bench" / f"statements-{engine}.pickle"
    pages = record(database_url, statements_file)
    os.environ["BENCH_STATEMENTS"] = str(statements_file)
    app = serve(database_url, "tests.bench.server:create_bench_app")
    reference = serve(database_url, "tests.bench.reference:create_reference_app")
    try:
        cookie = await leader_cookies(app.url)
        async with httpx.AsyncClient(base_url=app.url, headers={"Cookie": cookie}, timeout=300) as client:
            for name, page in pages.items():  # each page once before the load: it must answer 200
                response = await client.get(page["path"])
                if response.status_code != 200:
                    print(f"# {name} {engine}: {page['path']} answered {response.status_code}", flush=True)
            started = time.perf_counter()
            response = await client.get(pages["monthly_report"]["province_path"])
            print(f"# monthly_report of the whole province {engine}: {response.status_code}, "
                  f"{len(response.content) // 1024} KB, {time.perf_counter() - started:.1f} s for one request",
                  flush=True)
        for name, page in pages.items():
            db_ms = await database_ms(database_url, page["statements"])
            app_figure = measure(app.url, Load(page["path"], {"Cookie": cookie}, connections=USERS, seconds=seconds))
            ref_figure = measure(reference.url, Load(f"/reference/statements/{name}", connections=USERS,
                                                     seconds=seconds))
            if app_figure.errors:
                print(f"# {name} {engine} app: {app_figure.errors} errors (responses other than 200)", flush=True)
            ratio = app_figure.throughput / ref_figure.throughput if ref_figure.throughput else 0.0
            print(f"BENCH {name} {engine} {app_figure.throughput:.1f} req/s ratio={ratio:.2f}", flush=True)
            goal = f" (goal ≤ {P99_GOAL_MS:.0f} ms with {USERS} users: {verdict(app_figure.p99_ms <= P99_GOAL_MS)})" \
                if name in PAGE_GOALS else " (no goal: a Word file made on demand)"
            print(f"BENCH {name}_p99 {engine} {app_figure.p99_ms:.1f} ms ratio="
                  f"{app_figure.p99_ms / ref_figure.p99_ms if ref_figure.p99_ms else 0:.2f}{goal}", flush=True)
            print(f"BENCH {name}_db {engine} {db_ms:.1f} ms ({len(page['statements'])} statements; goal < "
                  f"{DB_GOAL_MS:.0f} ms: {verdict(db_ms < DB_GOAL_MS)})", flush=True)
            print(f"# {name} {engine}: reference {ref_figure.throughput:.1f} req/s, p99 {ref_figure.p99_ms:.1f} ms;"
                  f" app p50 {app_figure.p50_ms:.1f} ms", flush=True)
    finally:
        app.stop()
        reference.stop()


async def main() -> None:
    from tests.bench.__main__ import SECONDS, serve

    engines = [("sqlite", sqlite_data_set())]
    admin_url = os.environ.get("TEST_DATABASE_URL", "")
    if admin_url:
        engines.append(("postgres", await postgres_data_set(admin_url)))
    else:
        print("# SKIPPED: the province on PostgreSQL (set TEST_DATABASE_URL=postgres://… to include it)", flush=True)
    for engine, url in engines:
        await bench_dashboards(engine, url, serve, SECONDS)


if __name__ == "__main__":
    print(f"# dashboards: {USERS} users, {dt.datetime.now():%Y-%m-%d %H:%M}", flush=True)
    asyncio.run(main())
