"""Test harness: a fresh, migrated database for every test, on SQLite or PostgreSQL.

The suite runs once per engine (`make test` runs it twice): TEST_ENGINE=postgres
with TEST_DATABASE_URL=postgres://… selects PostgreSQL. Migrations are applied
once per run to a template; each test gets a copy of it (a file copy on SQLite,
CREATE DATABASE … TEMPLATE on PostgreSQL).

`make test` runs each pass on pytest-xdist workers (`-n 2`). Each worker is its own process with its
own RUN_ID and tmp_path_factory, so templates, copies and ports never collide between workers.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from dialogue.core.db import bind_engine, close_engine, make_engine
from dialogue.core.settings import PROJECT_ROOT, Settings
from dialogue.piccolo_app import ALL_TABLES
from tests.pinned import NOW, TODAY

TEST_ENGINE = os.environ.get("TEST_ENGINE", "sqlite")
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
RUN_ID = uuid.uuid4().hex[:8]

if TEST_ENGINE not in ("sqlite", "postgres"):
    raise pytest.UsageError(f"TEST_ENGINE must be sqlite or postgres, not {TEST_ENGINE!r}")
if TEST_ENGINE == "postgres" and not TEST_DATABASE_URL:
    raise pytest.UsageError("TEST_ENGINE=postgres needs TEST_DATABASE_URL=postgres://user@host:port/database")


def pytest_report_header(config) -> str:
    return f"dialogue: database engine {TEST_ENGINE}" + (f" ({TEST_DATABASE_URL})" if TEST_ENGINE == "postgres" else "")


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def migrate(database_url: str) -> None:
    """Apply the migrations the way `make migrate` does, in a child process."""
    env = {**os.environ, "DATABASE_URL": database_url, "PICCOLO_CONF": "piccolo_conf"}
    result = subprocess.run(
        [sys.executable, "-m", "dialogue", "migrate"], cwd=PROJECT_ROOT, env=env,
        capture_output=True, text=True, timeout=120,
    )
    if result.returncode != 0:
        raise RuntimeError(f"migrations failed on {database_url}:\n{result.stdout}\n{result.stderr}")


async def pg_admin(*statements: str) -> None:
    connection = await asyncpg.connect(TEST_DATABASE_URL)
    try:
        for sql in statements:
            await connection.execute(sql)
    finally:
        await connection.close()


def no_commit_flush(name: str) -> str:
    """A test database need not survive a server crash: its commits return without waiting for the WAL
    flush (what readers see is unchanged). Set per database, since CREATE DATABASE … TEMPLATE does not copy it."""
    return f'ALTER DATABASE "{name}" SET synchronous_commit = off'


class BackgroundDrops:
    """Drops each test's PostgreSQL database in a thread of its own. DROP DATABASE waits for a checkpoint
    (about half a second here), which the next test need not wait for; the session waits for all at its end."""

    def __init__(self) -> None:
        self.names: list[str | None] = []
        self.ready = threading.Condition()
        self.failures: list[str] = []
        self.thread = threading.Thread(target=self._run, name="drop-databases", daemon=True)
        self.thread.start()

    def drop(self, name: str | None) -> None:
        with self.ready:
            self.names.append(name)
            self.ready.notify()

    def _run(self) -> None:
        import asyncio

        while True:
            with self.ready:
                self.ready.wait_for(lambda: self.names)
                name = self.names.pop(0)
            if name is None:
                return
            try:
                asyncio.run(pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            except Exception as error:  # reported when the session ends
                self.failures.append(f"{name}: {error!r}")

    def finish(self) -> None:
        self.drop(None)
        self.thread.join()
        assert not self.failures, f"test databases not dropped: {self.failures}"


@pytest.fixture(scope="session")
def pg_drops() -> Iterator[BackgroundDrops | None]:
    """Torn down after the templates (they depend on it): every copy is dropped before the run ends."""
    if TEST_ENGINE != "postgres":
        yield None
        return
    drops = BackgroundDrops()
    yield drops
    drops.finish()


@pytest.fixture(scope="session")
def template_database(tmp_path_factory, pg_drops) -> Iterator[str]:
    """A migrated database to copy for each test."""
    if TEST_ENGINE == "sqlite":
        path = tmp_path_factory.mktemp("template") / "template.sqlite3"
        url = f"sqlite:///{path}"
        migrate(url)
        yield url
        return
    import asyncio

    name = f"dialogue_tpl_{RUN_ID}"
    asyncio.run(pg_admin(f'CREATE DATABASE "{name}"', no_commit_flush(name)))
    url = with_database(TEST_DATABASE_URL, name)
    migrate(url)
    yield url
    asyncio.run(pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def demo_template_database(template_database: str, tmp_path_factory) -> Iterator[str]:
    """The migrated template with the demo loaded as of TODAY (units, agencies, topics, accounts, conference)."""
    import asyncio

    if TEST_ENGINE == "sqlite":
        path = tmp_path_factory.mktemp("demo-template") / "demo.sqlite3"
        checkpoint(template_database)
        shutil.copyfile(urlsplit(template_database).path, path)
        url = f"sqlite:///{path}"
        asyncio.run(load_demo_into(url, TODAY, with_questions=False))
        yield url
        return
    name = f"dialogue_demo_{RUN_ID}"
    asyncio.run(pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{urlsplit(template_database).path.lstrip("/")}"',
                         no_commit_flush(name)))
    url = with_database(TEST_DATABASE_URL, name)
    asyncio.run(load_demo_into(url, TODAY, with_questions=False))
    yield url
    asyncio.run(pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def load_demo_into(database_url: str, today: dt.date, with_questions: bool = True) -> None:
    """The demo as `dialogue demo load` loads it, but as of a pinned day rather than the day of the run."""
    from dialogue.demo import load_demo

    engine = make_engine(make_settings(database_url))
    bind_engine(engine, ALL_TABLES)
    try:
        await load_demo(today, with_questions=with_questions)
    finally:
        await close_engine(engine)


def checkpoint(sqlite_url: str) -> None:
    """Fold the WAL into the main file, so that copying the file copies everything."""
    import sqlite3

    with sqlite3.connect(urlsplit(sqlite_url).path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")


async def _copy_of(template_url: str, tmp_path: Path, drops: BackgroundDrops | None) -> AsyncIterator[str]:
    if TEST_ENGINE == "sqlite":
        checkpoint(template_url)
        target = tmp_path / f"test-{uuid.uuid4().hex[:6]}.sqlite3"
        shutil.copyfile(Path(urlsplit(template_url).path), target)
        yield f"sqlite:///{target}"
        return
    name = f"dialogue_t_{RUN_ID}_{uuid.uuid4().hex[:8]}"
    await pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{urlsplit(template_url).path.lstrip("/")}"',
                   no_commit_flush(name))
    yield with_database(TEST_DATABASE_URL, name)
    drops.drop(name)


@pytest.fixture
async def database_url(template_database: str, tmp_path: Path, pg_drops) -> AsyncIterator[str]:
    """A fresh, empty (migrated) database for this test only."""
    async for url in _copy_of(template_database, tmp_path, pg_drops):
        yield url


@pytest.fixture
async def demo_database_url(demo_template_database: str, tmp_path: Path, pg_drops) -> AsyncIterator[str]:
    """A fresh database with the demo loaded, for this test only."""
    async for url in _copy_of(demo_template_database, tmp_path, pg_drops):
        yield url


# As under `make run`, SMS and Zalo have providers, so that the forms offer them (intake.offered_channels);
# nothing listens there: tests that send hand the outbox worker their own senders.
NO_ONE_LISTENING = "http://127.0.0.1:9"


def make_settings(database_url: str, **overrides) -> Settings:
    return Settings(**{
        "env": "development",
        "secret_key": "test-secret-key-" + "x" * 40,
        "database_url": database_url,
        "base_url": "https://testserver.local",
        "background_tasks": False,
        "db_pool_max": 0,
        "sms_url": NO_ONE_LISTENING + "/sms",
        "zalo_url": NO_ONE_LISTENING + "/zalo",
        **overrides,
    })


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(database_url)


class FakeClock:
    """A clock the test moves by hand: services and the app read it, nobody sleeps. It starts at
    the suite's pinned moment, never at the time of the run."""

    def __init__(self, now: dt.datetime | None = None) -> None:
        self.now = now or NOW

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[Settings]:
    """Tables bound to this test's (empty) database, for calling services directly."""
    engine = make_engine(settings)
    bind_engine(engine, ALL_TABLES)
    yield settings
    await close_engine(engine)


@pytest.fixture
async def demo_db(demo_database_url: str) -> AsyncIterator[Settings]:
    """Tables bound to a database holding the demo."""
    settings = make_settings(demo_database_url)
    engine = make_engine(settings)
    bind_engine(engine, ALL_TABLES)
    yield settings
    await close_engine(engine)


def make_client(settings: Settings, clock: FakeClock) -> AsyncTestClient:
    from dialogue.web.app import create_app

    return AsyncTestClient(app=create_app(settings, clock=clock), base_url="https://testserver.local")


@pytest.fixture
async def client(db: Settings, clock: FakeClock) -> AsyncIterator[AsyncTestClient]:
    async with make_client(db, clock) as test_client:
        yield test_client


@pytest.fixture
async def demo_client(demo_db: Settings, clock: FakeClock) -> AsyncIterator[AsyncTestClient]:
    async with make_client(demo_db, clock) as test_client:
        yield test_client


DEMO_PASSWORD = "doithoai-demo-2026"
DEMO_ACCOUNTS = {
    "admin": "admin@dongda.demo", "organiser": "organiser@dongda.demo", "secretary": "secretary@dongda.demo",
    "agency_officer": "officer@dongda.demo", "agency_head": "head@dongda.demo", "viewer": "viewer@dongda.demo",
    "inspector": "inspector@dongda.demo", "data_protection": "privacy@dongda.demo",
}


def csrf_token_from(html: str) -> str:
    import re

    return re.search(r'name="_csrf_token" value="([^"]*)"', html).group(1)


async def post_form(client: AsyncTestClient, path: str, data: dict, page: str | None = None, **kwargs):
    """Submit a form as a browser would: fetch a page for the CSRF token, then post with it."""
    html = (await client.get(page or path)).text
    return await client.post(path, data={"_csrf_token": csrf_token_from(html), **data}, **kwargs)


async def sign_in(client: AsyncTestClient, email: str, password: str = DEMO_PASSWORD):
    response = await post_form(client, "/sign-in", {"email": email, "password": password}, follow_redirects=False)
    assert response.status_code == 303, response.text
    return response
