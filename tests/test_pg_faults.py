"""PostgreSQL connections that die under BEGIN or COMMIT (pg_terminate_backend): the transaction
fails, its connection goes back to the pool, the next transaction works, and the pool closes at once."""

import asyncio

import asyncpg
import pytest

from dialogue.core.db import close_engine, current_engine, start_pool, write_transaction
from dialogue.mail.tables import OutboxMessage
from tests.conftest import TEST_ENGINE
from tests.faults import SwitchableProxy

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


async def test_a_database_that_hangs_under_begin_leaks_no_connection_and_shutdown_is_prompt(db):
    from dialogue.core.db import make_engine
    from tests.conftest import make_settings

    proxy = SwitchableProxy.in_front_of(db.database_url)
    proxy.up()
    engine = make_engine(make_settings(proxy.database_url))
    await start_pool(engine, 2)
    try:
        async with engine.transaction():
            pass
        proxy.freeze()  # the database stops answering: BEGIN waits…
        for _ in range(2):
            with pytest.raises(TimeoutError):
                async with asyncio.timeout(0.5):  # …until the request gives up on it
                    async with engine.transaction():
                        pass
        assert engine.pool.get_idle_size() == engine.pool.get_size()  # both connections given back
        async with asyncio.timeout(10):
            await close_engine(engine)
    finally:
        proxy.close()


async def test_shutdown_does_not_wait_for_a_connection_that_is_never_given_back(pool):
    import time

    held = await pool.pool.acquire()  # a request stuck somewhere with its connection
    started = time.monotonic()
    await close_engine(pool)
    assert time.monotonic() - started < 10
    assert pool.pool is None
    del held  # cut off: the pool took it back when it terminated
