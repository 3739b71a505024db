"""PostgreSQL connections that die under BEGIN or COMMIT (pg_terminate_backend): the transaction
fails, its connection goes back to the pool, the next transaction works, and the pool closes at once."""

import asyncio

import asyncpg
import pytest

from dialogue.core.db import close_engine, current_engine, start_pool, write_transaction
from dialogue.mail.tables import OutboxMessage
from tests.conftest import TEST_ENGINE

pytestmark = pytest.mark.skipif(TEST_ENGINE != "postgres", reason="PostgreSQL's own connections (the PostgreSQL pass)")
DEAD = (asyncpg.PostgresError, asyncpg.InterfaceError, ConnectionError, OSError)


async def terminate(database_url: str, pid: int) -> None:
    admin = await asyncpg.connect(database_url)
    try:
        await admin.execute("SELECT pg_terminate_backend($1)", pid)
    finally:
        await admin.close()


async def backend_pid() -> int:
    return (await OutboxMessage.raw("SELECT pg_backend_pid() AS pid"))[0]["pid"]


@pytest.fixture
async def pool(db):
    engine = current_engine()
    await start_pool(engine, 1)  # one connection: the next transaction must take the one that died
    yield engine
    if engine.pool:
        await close_engine(engine)


def everything_returned(engine) -> bool:
    return engine.pool.get_idle_size() == engine.pool.get_size()


async def test_a_connection_killed_while_idle_fails_its_begin_and_goes_back_to_the_pool(pool, db):
    async with write_transaction():
        pid = await backend_pid()
    await terminate(db.database_url, pid)
    await asyncio.sleep(0.2)
    failures = 0
    for _ in range(3):  # the dead connection fails its BEGIN once; then the pool opens a new one
        try:
            async with write_transaction():
                assert await backend_pid() != pid
        except DEAD:
            failures += 1
    assert failures <= 1
    assert everything_returned(pool)
    await asyncio.wait_for(close_engine(pool), timeout=10)  # shutdown does not wait on a leaked connection


async def test_a_connection_killed_before_commit_goes_back_to_the_pool(pool, db):
    with pytest.raises(DEAD):
        async with write_transaction():
            await OutboxMessage.count()
            await terminate(db.database_url, await backend_pid())
            await asyncio.sleep(0.2)
    assert everything_returned(pool)
    for _ in range(2):  # the next transactions are new ones, not nested in the dead one
        try:
            async with write_transaction():
                assert await OutboxMessage.count() == 0
        except DEAD:
            pass
    async with write_transaction():
        assert await OutboxMessage.count() == 0
    await asyncio.wait_for(close_engine(pool), timeout=10)


class FreezingProxy:
    """A TCP proxy in front of PostgreSQL that can stop passing bytes: a database that hangs (stopped,
    or the network gone) without closing anything."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.frozen = asyncio.Event()
        self.server: asyncio.AbstractServer | None = None
        self.port = 0

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                while self.frozen.is_set():
                    await asyncio.sleep(0.05)
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        await asyncio.gather(self._pipe(reader, upstream_writer), self._pipe(upstream_reader, writer))

    async def stop(self) -> None:
        self.server.close()


async def test_a_database_that_hangs_under_begin_leaks_no_connection_and_shutdown_is_prompt(db):
    from urllib.parse import urlsplit, urlunsplit

    from dialogue.core.db import make_engine
    from tests.conftest import make_settings

    parts = urlsplit(db.database_url)
    proxy = FreezingProxy(parts.port or 5432)
    await proxy.start()
    engine = make_engine(make_settings(db.database_url))  # (it asks the server's version, directly)
    engine.config["dsn"] = urlunsplit(parts._replace(netloc=f"{parts.username}@127.0.0.1:{proxy.port}"))
    await start_pool(engine, 2)
    try:
        async with engine.transaction():
            pass
        proxy.frozen.set()  # the database stops answering: BEGIN waits…
        for _ in range(2):
            with pytest.raises(TimeoutError):
                async with asyncio.timeout(0.5):  # …until the request gives up on it
                    async with engine.transaction():
                        pass
        assert engine.pool.get_idle_size() == engine.pool.get_size()  # both connections given back
        async with asyncio.timeout(10):
            await close_engine(engine)
    finally:
        proxy.frozen.clear()
        await proxy.stop()


async def test_shutdown_does_not_wait_for_a_connection_that_is_never_given_back(pool):
    import time

    held = await pool.pool.acquire()  # a request stuck somewhere with its connection
    started = time.monotonic()
    await close_engine(pool)
    assert time.monotonic() - started < 10
    assert pool.pool is None
    del held  # cut off: the pool took it back when it terminated
