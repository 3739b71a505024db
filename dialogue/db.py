"""Database engines: SQLite (embedded default) and PostgreSQL (production).

Piccolo binds every table to an engine. The app binds them once, when it is
created, to the engine its settings name; tests bind them to a fresh database
for every test the same way.
"""

from __future__ import annotations

import sqlite3
from contextlib import asynccontextmanager
from pathlib import Path
from typing import AsyncIterator

import aiosqlite
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType, dict_factory

from dialogue.settings import Settings

# Pragmas every SQLite connection runs with. WAL is a property of the file and
# is set once in prepare_sqlite_file(); these are per connection.
SQLITE_CONNECTION_PRAGMAS = (
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 10000",
    "PRAGMA synchronous = NORMAL",
)


class AppSQLiteEngine(SQLiteEngine):
    """Piccolo's SQLite engine with this app's pragmas on every connection."""

    async def _configure(self, connection: aiosqlite.Connection) -> aiosqlite.Connection:
        connection.row_factory = dict_factory  # type: ignore[assignment]
        for pragma in SQLITE_CONNECTION_PRAGMAS:
            await connection.execute(pragma)
        return connection

    async def get_connection(self) -> aiosqlite.Connection:
        return await self._configure(await aiosqlite.connect(**self.connection_kwargs))

    async def _run_in_new_connection(self, query, args=None, query_type="generic", table=None):
        async with aiosqlite.connect(**self.connection_kwargs) as connection:
            await self._configure(connection)
            async with connection.execute(query, args or []) as cursor:
                await connection.commit()
                return await cursor.fetchall()


def prepare_sqlite_file(path: Path) -> None:
    """Create the folder and switch the file to WAL, which persists in the file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA journal_mode = WAL")


def make_engine(settings: Settings) -> Engine:
    if settings.database_engine == "sqlite":
        prepare_sqlite_file(settings.sqlite_path)
        return AppSQLiteEngine(path=str(settings.sqlite_path), timeout=10)
    # No extensions: the app needs none, and CREATE EXTENSION needs a superuser.
    return PostgresEngine(config={"dsn": settings.database_url}, extensions=())


def all_tables() -> list:
    from dialogue.tables import ALL_TABLES

    return ALL_TABLES


def bind_engine(engine: Engine) -> None:
    """Point every table of the app at this engine."""
    for table in all_tables():
        table._meta.db = engine


def current_engine() -> Engine:
    return all_tables()[0]._meta.db


@asynccontextmanager
async def write_transaction() -> AsyncIterator[None]:
    """A transaction that writes. On SQLite it begins IMMEDIATE, so that two writers
    queue on the write lock at the start instead of failing with "database is locked"
    when a read lock would have to be upgraded."""
    engine = current_engine()
    if isinstance(engine, SQLiteEngine):
        async with engine.transaction(transaction_type=TransactionType.immediate):
            yield
    else:
        async with engine.transaction():
            yield


async def start_pool(engine: Engine, max_size: int) -> None:
    """A PostgreSQL pool for the app's lifetime. max_size 0 means none: each query then opens
    its own connection, which the tests need (their client runs the app on another event loop)."""
    if isinstance(engine, PostgresEngine) and max_size > 0:
        await engine.start_connection_pool(max_size=max_size)


async def close_pool(engine: Engine) -> None:
    if isinstance(engine, PostgresEngine) and engine.pool:
        await engine.close_connection_pool()
