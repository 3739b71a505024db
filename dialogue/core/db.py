"""Database engines: SQLite (embedded default) and PostgreSQL (production).

Piccolo binds every table to an engine. The app binds them once, when it is
created, to the engine its settings name; tests bind them to a fresh database
for every test the same way.

Piccolo's stock SQLite engine opens a connection for every query and begins
transactions DEFERRED, so concurrent writers fail with "database is locked" and
throughput collapses under load. AppSQLiteEngine keeps long-lived connections
instead: one writer, which every write and every transaction queue for, and a
small pool of readers, which WAL lets read while a write is under way.
"""

from __future__ import annotations

import asyncio
import contextvars
import errno
import functools
import inspect
import logging
import socket
import sqlite3
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiosqlite
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory
from piccolo.querystring import QueryString
from piccolo.table import Table
from piccolo.utils.sql_values import convert_to_sql_value

from dialogue.core.settings import Settings

# Pragmas every SQLite connection runs with. WAL is a property of the file and is
# set once in prepare_sqlite_file(); these are per connection.
SQLITE_CONNECTION_PRAGMAS = (
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 10000",
    "PRAGMA synchronous = NORMAL",  # safe with WAL: a power cut may lose the last commits, never corrupt
)
READ_PREFIXES = ("SELECT", "WITH", "PRAGMA", "EXPLAIN")
log = logging.getLogger("dialogue.db")


class _Writer:
    """The one writing connection: a plain sqlite3 connection owned by a thread of its own.

    A whole unit of work (BEGIN … COMMIT) can run in that thread in one hop, so the write lock
    is held for the database's time only, not for as many trips through a busy event loop."""

    def __init__(self, connection_kwargs: dict) -> None:
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-writer")
        self.connection_kwargs = {**connection_kwargs, "check_same_thread": False}
        self.connection: sqlite3.Connection | None = None

    def _connection(self) -> sqlite3.Connection:  # in the writer thread
        if self.connection is None:
            connection = sqlite3.connect(**self.connection_kwargs)
            connection.row_factory = dict_factory
            for pragma in SQLITE_CONNECTION_PRAGMAS:
                connection.execute(pragma)
            self.connection = connection
        return self.connection

    async def run(self, work: Callable[[sqlite3.Connection], Any]) -> Any:
        # In the caller's context: a step that registers an after-commit callback (after_commit) is
        # built in this thread, and must reach the caller's list of callbacks.
        context = contextvars.copy_context()
        return await asyncio.get_running_loop().run_in_executor(
            self.executor, functools.partial(context.run, lambda: work(self._connection())))

    async def fetch(self, query: str, args: list | tuple = ()) -> list[dict]:
        return await self.run(lambda connection: connection.execute(query, args).fetchall())

    async def execute(self, query: str) -> None:  # what Piccolo's savepoints call
        await self.fetch(query)

    async def close(self) -> None:
        def close(connection: sqlite3.Connection) -> None:
            connection.close()
            self.connection = None

        if self.connection is not None:
            await self.run(close)
        self.executor.shutdown(wait=False)


@dataclass
class _Connections:
    """The connections of one event loop (the app has one; tests have two: theirs and the client's)."""

    write_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    writer: _Writer | None = None
    idle_readers: list[aiosqlite.Connection] = field(default_factory=list)
    all_readers: list[aiosqlite.Connection] = field(default_factory=list)
    reader_slots: asyncio.Semaphore | None = None


class AppSQLiteEngine(SQLiteEngine):
    """SQLite with long-lived connections: one serialised writer, a pool of readers."""

    def __init__(self, path: str, readers: int = 4, **connection_kwargs: Any) -> None:
        super().__init__(path=path, **connection_kwargs)
        self.readers = max(1, readers)
        self._by_loop: dict[asyncio.AbstractEventLoop, _Connections] = {}

    # --- connections ----------------------------------------------------------------------

    async def _open(self) -> aiosqlite.Connection:
        pending = aiosqlite.connect(**self.connection_kwargs)
        pending._thread.daemon = True  # a connection someone forgot to close must not hang the exit
        connection = await pending
        connection.row_factory = dict_factory  # type: ignore[assignment]
        for pragma in SQLITE_CONNECTION_PRAGMAS:
            await connection.execute(pragma)
        return connection

    def _connections(self) -> _Connections:
        loop = asyncio.get_running_loop()
        state = self._by_loop.get(loop)
        if state is None:
            state = self._by_loop[loop] = _Connections(reader_slots=asyncio.Semaphore(self.readers))
        return state

    def _writer(self, state: _Connections) -> _Writer:
        if state.writer is None:
            state.writer = _Writer(self.connection_kwargs)
        return state.writer

    @asynccontextmanager
    async def _reader(self) -> AsyncIterator[aiosqlite.Connection]:
        state = self._connections()
        assert state.reader_slots is not None
        async with state.reader_slots:
            if state.idle_readers:
                connection = state.idle_readers.pop()
            else:
                connection = await self._open()
                state.all_readers.append(connection)
            try:
                yield connection
            finally:
                state.idle_readers.append(connection)

    async def get_connection(self) -> aiosqlite.Connection:
        """A new connection of the caller's own (Piccolo's batch queries use this)."""
        return await self._open()

    async def close(self) -> None:
        """Close every connection this engine opened, in whichever loop it was opened."""
        states, self._by_loop = list(self._by_loop.values()), {}
        for state in states:
            if state.writer is not None:
                await state.writer.close()
            for connection in state.all_readers:
                try:
                    await connection.close()
                except Exception:
                    connection.stop()

    # --- running queries --------------------------------------------------------------------

    @staticmethod
    async def _fetch(connection: aiosqlite.Connection | _Writer, query: str, args: list) -> list[dict]:
        if isinstance(connection, _Writer):
            return await connection.fetch(query, args)
        async with connection.execute(query, args) as cursor:
            return await cursor.fetchall()

    async def run_querystring(self, querystring: QueryString, in_pool: bool = False):
        query, args = querystring.compile_string(engine_type=self.engine_type)
        if self.log_queries:
            self.print_query(query_id=self.get_query_id(), query=querystring.__str__())
        return await self._run(query, args)

    async def _run(self, query: str, args: list) -> list[dict]:
        transaction = self.current_transaction.get()
        if transaction is not None:
            return await self._fetch(transaction.connection, query, args)
        if query.lstrip().upper().startswith(READ_PREFIXES):
            async with self._reader() as connection:
                return await self._fetch(connection, query, args)
        state = self._connections()
        async with state.write_lock:  # one write at a time: the others queue here, not in SQLite
            return await self._writer(state).fetch(query, args)

    async def run_steps(self, steps: tuple[Step, ...]) -> list[list[dict]]:
        """Run a unit of work (see write_steps) in one trip to the writer thread."""

        def compiled(query) -> list[tuple[str, list]]:
            return [qs.compile_string(engine_type="sqlite") for qs in ([] if query is None else query.querystrings)]

        # The steps that do not depend on earlier results are built here, before the write lock:
        # building a Piccolo query costs more CPU than SQLite takes to run it.
        ready = [compiled(step) if _is_query(step) else step for step in steps]

        def work(connection: sqlite3.Connection) -> list[list[dict]]:
            results: list[list[dict]] = []
            connection.execute("BEGIN IMMEDIATE")
            try:
                for step in ready:
                    rows: list[dict] = []
                    for sql, args in (step if isinstance(step, list) else compiled(step(results))):
                        rows = connection.execute(sql, args).fetchall()
                    results.append(rows)
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            return results

        state = self._connections()
        async with state.write_lock:
            return await self._writer(state).run(work)

    async def run_ddl(self, ddl: str, in_pool: bool = False):
        return await self._run(ddl, [])

    def transaction(self, transaction_type: TransactionType = TransactionType.immediate,
                    allow_nested: bool = True) -> WriterTransaction:
        return WriterTransaction(engine=self, transaction_type=transaction_type, allow_nested=allow_nested)


class WriterTransaction(SQLiteTransaction):
    """A transaction on the engine's writer connection, holding the write lock throughout."""

    async def __aenter__(self) -> WriterTransaction:
        if self._parent is not None:
            return self._parent
        engine: AppSQLiteEngine = self.engine  # type: ignore[assignment]
        self._state = engine._connections()
        await self._state.write_lock.acquire()
        try:
            self.connection = engine._writer(self._state)
            await self.begin()
        except BaseException:
            self._state.write_lock.release()
            raise
        self.context = self.engine.current_transaction.set(self)
        return self

    async def __aexit__(self, exception_type, exception, traceback) -> bool:
        if self._parent:
            return exception is None
        try:
            if exception:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                await self.commit()
        finally:
            self.engine.current_transaction.reset(self.context)
            self._state.write_lock.release()  # the connection stays open for the next writer
        return exception is None


def prepare_sqlite_file(path: Path) -> None:
    """Create the folder and switch the file to WAL, which persists in the file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA journal_mode = WAL")


class SafePostgresTransaction(PostgresTransaction):
    """Piccolo's transaction, except that its connection always goes back to the pool: when BEGIN
    fails (a connection the database dropped while it sat idle), when COMMIT or ROLLBACK fails, or
    when the task is cancelled. Piccolo's own keeps it then, and the pool (and so shutdown) waits
    for it forever."""

    async def __aenter__(self) -> PostgresTransaction:
        if self._parent is not None:
            return self._parent
        self.connection = await self.get_connection()
        try:
            self.transaction = self.connection.transaction()
            await self.begin()
        except BaseException:
            await self._give_back(broken=True)
            raise
        self.context = self.engine.current_transaction.set(self)
        return self

    async def __aexit__(self, exception_type, exception, traceback) -> bool:
        if self._parent:
            return exception is None
        broken = False
        try:
            if exception is None and not self._committed and not self._rolled_back:
                await self.commit()
            elif exception is not None and not self._rolled_back:
                try:
                    await self.rollback()
                except BaseException:  # the connection died too: the first error is what matters
                    broken = True
        except BaseException:
            broken = True
            raise
        finally:
            self.engine.current_transaction.reset(self.context)
            await self._give_back(broken)
        return exception is None

    async def _give_back(self, broken: bool) -> None:
        if broken:
            self.connection.terminate()  # never hand a half-dead connection to the next request
        if self.engine.pool:
            try:
                await self.engine.pool.release(self.connection, timeout=5)
            except Exception as error:
                log.warning("A database connection could not be returned cleanly: %s", error)
        elif not broken:
            await self.connection.close(timeout=5)


class AppPostgresEngine(PostgresEngine):
    def transaction(self, allow_nested: bool = True) -> PostgresTransaction:
        return SafePostgresTransaction(engine=self, allow_nested=allow_nested)


def make_engine(settings: Settings) -> Engine:
    if settings.database_engine == "sqlite":
        prepare_sqlite_file(settings.sqlite_path)
        return AppSQLiteEngine(path=str(settings.sqlite_path), readers=settings.sqlite_readers, timeout=10)
    # No extensions: the app needs none, and CREATE EXTENSION needs a superuser.
    return AppPostgresEngine(config={"dsn": settings.database_url}, extensions=())


_bound: list[Engine] = []  # the engine the tables were last bound to


def bind_engine(engine: Engine, tables: list) -> None:
    """Point these tables (the app passes all of its own) at this engine."""
    for table in tables:
        table._meta.db = engine
    _bound[:] = [engine]


def database_identity() -> str:
    """Which database the bound engine reads: the SQLite file or the PostgreSQL database (for caches
    that must never answer for another database, as the tests' one process binds many in turn)."""
    engine = current_engine()
    if isinstance(engine, SQLiteEngine):
        return "sqlite:" + str(engine.connection_kwargs.get("database", ""))
    config = getattr(engine, "config", {}) or {}
    return "postgres:" + str(config.get("dsn") or config.get("database") or id(engine))


def current_engine() -> Engine:
    if not _bound:
        raise RuntimeError("No database engine is bound yet: call bind_engine() at start-up.")
    return _bound[0]


# What runs once the unit of work under way commits (None: no unit of work is under way).
_after_commit: contextvars.ContextVar[list[Callable[[], None]] | None] = contextvars.ContextVar(
    "after_commit", default=None)
log = logging.getLogger("dialogue")


def after_commit(callback: Callable[[], None]) -> None:
    """Run `callback` once the outermost write_transaction() or write_steps() under way commits,
    never if it rolls back. Outside one, a write has already committed: it runs at once. Callbacks
    must be quick and must not write (they wake up other tasks: see machine/events.py)."""
    pending = _after_commit.get()
    if pending is None:
        _run_callbacks([callback])
    else:
        pending.append(callback)


def _run_callbacks(callbacks: list[Callable[[], None]]) -> None:
    for callback in callbacks:
        try:
            callback()
        except Exception:  # the change is committed: a failed wake-up must not turn it into an error
            log.exception("An after-commit callback failed")


@asynccontextmanager
async def _unit_of_work() -> AsyncIterator[bool]:
    """Collects the after-commit callbacks of the outermost unit; yields whether this one is it."""
    if _after_commit.get() is not None:
        yield False
        return
    pending: list[Callable[[], None]] = []
    token = _after_commit.set(pending)
    try:
        yield True
    finally:
        _after_commit.reset(token)
    _run_callbacks(pending)  # reached only when the block ended without an exception: committed


@asynccontextmanager
async def write_transaction() -> AsyncIterator[None]:
    """A transaction that writes. On SQLite it runs on the one writer connection and begins
    IMMEDIATE, so writers queue instead of failing with "database is locked". Callbacks given to
    after_commit() inside it run when the outermost one commits."""
    engine = current_engine()
    async with _unit_of_work():
        if isinstance(engine, SQLiteEngine):
            async with engine.transaction(transaction_type=TransactionType.immediate):
                yield
        else:
            async with engine.transaction():
                yield


# A step of a unit of work: a Piccolo query, or a function of the results so far that returns one
# (or None). Functions must only build queries: on SQLite they run in the writer's thread.
Step = Any | Callable[[list], Any]


def _is_query(step: Step) -> bool:
    """A query rather than a function. Asked of the class: hasattr on the instance would build the
    query (querystrings is a property) only to throw it away."""
    return hasattr(type(step), "querystrings")


async def write_steps(*steps: Step) -> list[list[dict]]:
    """Run write queries as one transaction and return each one's rows.

    On SQLite the whole unit goes to the writer thread in one trip, which keeps the write lock
    short under load; on PostgreSQL the steps run in an ordinary transaction."""
    engine = current_engine()
    async with _unit_of_work():
        if isinstance(engine, AppSQLiteEngine):
            return await engine.run_steps(steps)
        results: list[list[dict]] = []
        async with engine.transaction():
            for step in steps:
                query = step if _is_query(step) else step(results)
                results.append([] if query is None else await query)
        return results


async def start_pool(engine: Engine, max_size: int) -> None:
    """A PostgreSQL pool for the app's lifetime. max_size 0 means none: each query then opens
    its own connection, which the tests need (their client runs the app on another event loop)."""
    if isinstance(engine, PostgresEngine) and max_size > 0:
        # asyncpg opens min_size connections at once (10 by default, more than a small max allows).
        await engine.start_connection_pool(min_size=min(2, max_size), max_size=max_size)


POOL_CLOSE_SECONDS = 5


async def close_engine(engine: Engine) -> None:
    """Release what the engine holds: the PostgreSQL pool, or SQLite's long-lived connections. The
    pool waits for connections in use to come back, but not for ever: after a few seconds the
    stragglers are cut off, so shutdown stays bounded whatever is pending."""
    if isinstance(engine, PostgresEngine) and engine.pool:
        pool = engine.pool
        try:
            await asyncio.wait_for(pool.close(), POOL_CLOSE_SECONDS)
        except TimeoutError:
            log.warning("Database connections still in use after %s s at shutdown: closing them", POOL_CLOSE_SECONDS)
            pool.terminate()
        engine.pool = None
    elif isinstance(engine, AppSQLiteEngine):
        await engine.close()


def on_postgres() -> bool:
    """Whether the tables are bound to PostgreSQL (which tells other processes of a commit itself)."""
    return isinstance(current_engine(), PostgresEngine)


# --- Outages -------------------------------------------------------------------------------------

_UNREACHABLE = {errno.ECONNREFUSED, errno.ECONNRESET, errno.ECONNABORTED, errno.EHOSTUNREACH, errno.ENETUNREACH,
                errno.ETIMEDOUT, errno.EPIPE, errno.ENOTCONN, errno.EADDRNOTAVAIL}


def unavailable(error: BaseException) -> bool:
    """Whether an error means the database cannot be reached (stopped, restarting, overloaded), as
    opposed to a fault of ours: such a request gets 503 and the user may try again. Narrow on
    purpose: any other error stays a 500 with its traceback in the log."""
    import asyncpg  # the driver's own classes; imported here so SQLite-only installs never load it

    seen: set[int] = set()
    while error is not None and id(error) not in seen:  # the driver's error may be wrapped
        seen.add(id(error))
        if isinstance(error, (ConnectionError, TimeoutError, socket.gaierror, asyncpg.PostgresConnectionError,
                              asyncpg.CannotConnectNowError, asyncpg.TooManyConnectionsError,
                              asyncpg.AdminShutdownError, asyncpg.CrashShutdownError,
                              asyncpg.ConnectionDoesNotExistError, asyncpg.InternalClientError)):
            return True
        if isinstance(error, OSError) and error.errno in _UNREACHABLE:
            return True
        if isinstance(error, asyncpg.InterfaceError) and "connection" in str(error) \
                and ("closed" in str(error) or "released" in str(error)):
            return True
        if isinstance(error, sqlite3.OperationalError) and "locked" in str(error):
            return True
        error = error.__cause__ or error.__context__
    return False


class Outage:
    """One log line when the database goes away and one when it is back, not a traceback per request."""

    PROBE_SECONDS = 2.0

    def __init__(self) -> None:
        self.since: float | None = None
        self._probed = 0.0
        self._probes: set[asyncio.Task] = set()

    def failed(self, error: BaseException) -> None:
        if self.since is None:
            self.since = asyncio.get_running_loop().time()
            log.error("The database is unavailable (%s: %s); answering 503 until it is back",
                      type(error).__name__, error)

    def recovered(self) -> None:
        if self.since is not None:
            seconds = asyncio.get_running_loop().time() - self.since
            self.since = None
            log.warning("The database is back after %.0f s", seconds)

    def check_soon(self) -> None:
        """During an outage, ask the database itself (at most every two seconds, in the background)
        whether it is back: a page served without it (the privacy notice) proves nothing."""
        loop = asyncio.get_running_loop()
        if self.since is None or loop.time() - self._probed < self.PROBE_SECONDS:
            return
        self._probed = loop.time()
        task = loop.create_task(self._probe())
        self._probes.add(task)
        task.add_done_callback(self._probes.discard)

    async def _probe(self) -> None:
        try:
            async with asyncio.timeout(self.PROBE_SECONDS):
                await current_engine().run_querystring(QueryString("SELECT 1 AS up"))
        except Exception:
            return
        self.recovered()


outage = Outage()


async def applied_migrations(app_name: str) -> int:
    """How many of an app's migrations the database has applied (Piccolo's `migration` table)."""
    rows = await current_engine().run_querystring(
        QueryString("SELECT COUNT(*) AS n FROM migration WHERE app_name = {}", app_name))
    return rows[0]["n"]


def pool_use() -> tuple[int, int] | None:
    """The PostgreSQL pool's (open, in use) connections; None without a pool."""
    engine = current_engine()
    if isinstance(engine, PostgresEngine) and engine.pool:
        return engine.pool.get_size(), engine.pool.get_size() - engine.pool.get_idle_size()
    return None


async def serialise(key: str) -> None:
    """Inside a write transaction: wait until no other transaction holds `key`, and hold it until
    this one ends, so that a check made after it sees what the other committed (a number taken, a
    draft made). PostgreSQL: an advisory transaction lock. SQLite needs nothing: its one writer
    runs write transactions one after another already."""
    engine = current_engine()
    if isinstance(engine, PostgresEngine):
        await engine.run_querystring(QueryString("SELECT pg_advisory_xact_lock(hashtext({}))", key))


def unique_violation(error: BaseException) -> bool:
    """Whether an error is a unique key refusing a second row (on either engine)."""
    import asyncpg

    return isinstance(error, (asyncpg.UniqueViolationError, sqlite3.IntegrityError)) and (
        isinstance(error, asyncpg.UniqueViolationError) or "UNIQUE" in str(error))


# --- queries built once ------------------------------------------------------------------------


class Slot:
    """A value a Prepared query is given when it runs: where the query is built, Slot(0), Slot(1)…
    stand for the values of its first, second… argument."""

    __slots__ = ("index",)

    def __init__(self, index: int) -> None:
        self.index = index


class _Compiled(QueryString):
    """SQL compiled once, with the values of this run (the engines ask a QueryString for both)."""

    def __init__(self, sql: str, args: list) -> None:
        super().__init__("")
        self._frozen_compiled_strings = (sql, args)


class Prepared:
    """A Piccolo select built once and run many times with new values. Building a select with joins
    costs Piccolo 1 to 3 ms of CPU, more than SQLite takes to run it: on the public pages, which read
    the same few shapes on every view, that was most of a request. `build` takes one Slot per value
    and returns the select; a Slot stands only where a plain value would (==, <, >=…), not in is_in.
    The query is built once per engine type; the engine is the table's at each run (tests rebind it)."""

    def __init__(self, table: type[Table], build: Callable[..., Any]) -> None:
        self._table = table
        self._build = build
        self._arity = len(inspect.signature(build).parameters)
        self._compiled: dict[str, tuple[Any, str, list]] = {}

    def _compile(self, engine_type: str) -> tuple[Any, str, list]:
        query = self._build(*(Slot(i) for i in range(self._arity)))
        [querystring] = query.querystrings
        sql, args = querystring.compile_string(engine_type=engine_type)
        self._compiled[engine_type] = (query, sql, args)
        return query, sql, args

    async def rows(self, *values: Any) -> list[dict]:
        engine = self._table._meta.db
        query, sql, args = self._compiled.get(engine.engine_type) or self._compile(engine.engine_type)
        bound = [values[arg.index] if isinstance(arg, Slot) else arg for arg in args]
        return await query._process_results(await engine.run_querystring(_Compiled(sql, bound)))

    async def first(self, *values: Any) -> dict | None:
        rows = await self.rows(*values)
        return rows[0] if rows else None


class RowInsert:
    """The insert of rows (Table instances), like Piccolo's Table.insert(*rows) but with its SQL
    built once per table and engine type: a step of a unit of work (querystrings), or awaited
    alone. Piccolo builds an insert's SQL column by column for every row, which cost a question's
    submission more CPU than SQLite took to write it. Each row is its own statement; the rows of
    the last one (with `returning`, its id) are the result."""

    _sql: dict[tuple[type, str, bool], tuple[str, list[int]]] = {}

    def __init__(self, *rows: Table, returning_id: bool = False) -> None:
        self.rows = rows
        self.returning_id = returning_id
        self.table = type(rows[0]) if rows else Table

    def _template(self, engine_type: str) -> tuple[str, list[int]]:
        """The SQL of a one-row insert and the positions of the columns that are parameters (the
        others, such as the key's DEFAULT, are part of the text)."""
        key = (self.table, engine_type, self.returning_id)
        if key not in self._sql:
            query = self.table.insert(self.rows[0])
            if self.returning_id:
                query = query.returning(self.table._meta.primary_key)
            [querystring] = query.querystrings
            sql, _args = querystring.compile_string(engine_type=engine_type)
            row = self.rows[0]
            columns = self.table._meta.columns
            self._sql[key] = (sql, [i for i, column in enumerate(columns)
                                    if not isinstance(row[column._meta.name], QueryString)])
        return self._sql[key]

    @property
    def querystrings(self) -> list[QueryString]:
        if not self.rows:
            return []
        engine_type = self.table._meta.db.engine_type
        sql, positions = self._template(engine_type)
        columns = self.table._meta.columns
        statements = []
        for row in self.rows:
            values = [row[column._meta.name] for column in columns]
            if [i for i, value in enumerate(values) if not isinstance(value, QueryString)] != positions:
                return self.table.insert(*self.rows).querystrings  # an unusual row: Piccolo's own way
            statements.append(_Compiled(sql, [convert_to_sql_value(value=values[i], column=columns[i])
                                              for i in positions]))
        return statements

    def __await__(self):
        return self._run().__await__()

    async def _run(self) -> list[dict]:
        rows: list[dict] = []
        if not self.rows:
            return rows
        engine = self.table._meta.db
        for querystring in self.querystrings:
            rows = engine.transform_response_to_dicts(await engine.run_querystring(querystring)) or []
        return rows
