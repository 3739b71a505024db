"""Test harness: a fresh, migrated database for every test, on SQLite or PostgreSQL.

The suite runs once per engine (`make test` runs it twice): TEST_ENGINE=postgres
with TEST_DATABASE_URL=postgres://… selects PostgreSQL. Migrations are applied
once per run to a template; each test gets a copy of it (a file copy on SQLite,
CREATE DATABASE … TEMPLATE on PostgreSQL).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from typing import AsyncIterator, Iterator
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from dialogue.db import bind_engine, make_engine
from dialogue.settings import PROJECT_ROOT, Settings

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


async def pg_admin(sql: str) -> None:
    connection = await asyncpg.connect(TEST_DATABASE_URL)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def template_database(tmp_path_factory) -> Iterator[str]:
    """A migrated database to copy for each test."""
    if TEST_ENGINE == "sqlite":
        path = tmp_path_factory.mktemp("template") / "template.sqlite3"
        url = f"sqlite:///{path}"
        migrate(url)
        yield url
        return
    import asyncio

    name = f"dialogue_tpl_{RUN_ID}"
    asyncio.run(pg_admin(f'CREATE DATABASE "{name}"'))
    url = with_database(TEST_DATABASE_URL, name)
    migrate(url)
    yield url
    asyncio.run(pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
async def database_url(template_database: str, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh database for this test only."""
    if TEST_ENGINE == "sqlite":
        source = Path(urlsplit(template_database).path)
        target = tmp_path / "test.sqlite3"
        shutil.copyfile(source, target)
        yield f"sqlite:///{target}"
        return
    name = f"dialogue_t_{RUN_ID}_{uuid.uuid4().hex[:8]}"
    template = urlsplit(template_database).path.lstrip("/")
    await pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    yield with_database(TEST_DATABASE_URL, name)
    await pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def make_settings(database_url: str, **overrides) -> Settings:
    return Settings(
        env="development",
        secret_key="test-secret-key-" + "x" * 40,
        database_url=database_url,
        base_url="https://testserver.local",
        background_tasks=False,
        db_pool_max=0,
        **overrides,
    )


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(database_url)


@pytest.fixture
def db(settings: Settings) -> Settings:
    """Tables bound to this test's database, for calling services directly."""
    bind_engine(make_engine(settings))
    return settings


@pytest.fixture
async def client(db: Settings) -> AsyncIterator[AsyncTestClient]:
    from dialogue.web.app import create_app

    async with AsyncTestClient(app=create_app(db), base_url="https://testserver.local") as test_client:
        yield test_client
