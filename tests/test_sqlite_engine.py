"""The SQLite write path: long-lived connections, queued writers, readers that never wait for writes."""

import asyncio
import datetime as dt
import re

import httpx
import pytest

from dialogue.core.db import AppSQLiteEngine, current_engine, write_transaction
from dialogue.machine import log as audit
from dialogue.machine.actors import Actor
from dialogue.machine.log import ActionLog
from tests.conftest import TEST_ENGINE
from tests.live import serve_copy_of

# The SQLite engine's own behaviour: the PostgreSQL pass deselects these (-m "not sqlite_only").
pytestmark = [pytest.mark.sqlite_only,
              pytest.mark.skipif(TEST_ENGINE != "sqlite", reason="the SQLite engine's own behaviour")]
NOW = dt.datetime(2026, 11, 25, 3, 0, tzinfo=dt.UTC)


async def pragmas(run) -> dict:
    return {
        "journal_mode": (await run("PRAGMA journal_mode"))[0]["journal_mode"],
        "synchronous": (await run("PRAGMA synchronous"))[0]["synchronous"],
        "foreign_keys": (await run("PRAGMA foreign_keys"))[0]["foreign_keys"],
        "busy_timeout": (await run("PRAGMA busy_timeout"))[0]["timeout"],
    }


async def test_the_pragmas_are_in_force_on_readers_and_the_writer(db):
    engine = current_engine()
    assert isinstance(engine, AppSQLiteEngine)
    expected = {"journal_mode": "wal", "synchronous": 1, "foreign_keys": 1, "busy_timeout": 10000}
    assert await pragmas(lambda sql: ActionLog.raw(sql)) == expected  # a reader
    async with write_transaction():
        assert await pragmas(lambda sql: ActionLog.raw(sql)) == expected  # the writer


async def test_concurrent_writers_queue_and_all_land(db):
    async def write(n: int) -> None:
        async with write_transaction():
            await audit.record(Actor.system("load"), "something_done", "thing", n, at=NOW)
            await asyncio.sleep(0)  # yield inside the transaction: others must wait, not fail
            await audit.record(Actor.system("load"), "something_else", "thing", n, at=NOW)

    await asyncio.gather(*(write(n) for n in range(200)))
    assert await ActionLog.count() == 400


async def test_a_reader_is_not_blocked_by_a_long_write(db):
    writing, reader_done = asyncio.Event(), asyncio.Event()
    seen_during_write = []

    async def long_write() -> None:
        async with write_transaction():
            await audit.record(Actor.system("slow"), "something_done", "thing", 1, at=NOW)
            writing.set()
            await asyncio.wait_for(reader_done.wait(), timeout=10)  # hold the write until the read is done
            seen_during_write.append(True)

    async def read() -> None:
        await writing.wait()
        assert await ActionLog.count() == 0  # the uncommitted row is invisible, and the read did not wait
        reader_done.set()

    await asyncio.gather(long_write(), read())
    assert seen_during_write == [True] and await ActionLog.count() == 1


async def test_a_failed_transaction_rolls_back_and_frees_the_writer(db):
    with pytest.raises(RuntimeError):
        async with write_transaction():
            await audit.record(Actor.system("x"), "something_done", "thing", 1, at=NOW)
            raise RuntimeError("boom")
    assert await ActionLog.count() == 0
    async with write_transaction():
        await audit.record(Actor.system("x"), "something_done", "thing", 2, at=NOW)
    assert await ActionLog.count() == 1


async def test_many_concurrent_submissions_through_uvicorn_all_land_once(demo_template_database, tmp_path):
    with serve_copy_of(demo_template_database, tmp_path, SUBMISSIONS_PER_HOUR="100000") as server:
        async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
            page = (await client.get("/conferences/1/ask", follow_redirects=True)).text
            csrf = re.search(r'name="_csrf_token" value="([^"]+)"', page).group(1)
            unit = re.search(r'<option value="(\d+)" selected', page) \
                or re.search(r'id="unit".*?value="(\d+)"', page, re.S)
            topic = re.search(r'id="topic".*?<option value="(\d+)"', page, re.S)
            form = {
                "_csrf_token": csrf, "asker_kind": "resident", "asker_name": "Phạm Minh Tuấn",
                "asker_email": "tuan@example.vn", "unit": unit.group(1), "topic": topic.group(1),
                "title": "Đề nghị lắp đèn chiếu sáng ngõ 72 Tôn Thất Tùng",
                "body": "Ngõ 72 Tôn Thất Tùng không có đèn chiếu sáng, buổi tối rất nguy hiểm cho người đi bộ.",
                "answer_mode": "writing", "data_consent": "yes",
            }

            async def send(token: str) -> int:
                response = await client.post("/conferences/1/ask", data={**form, "form_token": token})
                return response.status_code

            statuses = await asyncio.gather(*(send(f"form-{n}") for n in range(120)))
            doubled = await asyncio.gather(*(send("the-same-form") for _ in range(10)))
    assert statuses == [200] * 120 and doubled == [200] * 10
    engine = AppSQLiteEngine(path=str(tmp_path / "live.sqlite3"))  # the server's own database
    try:
        rows = await engine._run("SELECT form_token, tracking_code FROM question", [])
    finally:
        await engine.close()
    tokens = [row["form_token"] for row in rows]
    assert len(tokens) == 121 and len(set(tokens)) == 121
    assert len({row["tracking_code"] for row in rows}) == 121
