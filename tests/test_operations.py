"""What an operator needs: /healthz, /readyz with its checks, /metrics for Prometheus (guarded),
request ids in responses and logs, and the backup command."""

import json
import logging
import sqlite3
import subprocess
import sys

import pytest

from dialogue.core import logs
from dialogue.core.settings import PROJECT_ROOT
from dialogue.demo import ACCOUNTS
from dialogue.mail.tables import OutboxMessage
from tests.conftest import TEST_ENGINE, FakeClock, make_client


async def test_healthz_and_readyz(demo_client):
    health = await demo_client.get("/healthz")
    assert health.status_code == 200 and health.text == "ok\n"
    ready = await demo_client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"ready": True, "checks": {"database": "ok", "migrations": "ok"}}


async def test_readyz_says_what_is_missing_when_migrations_are_not_applied(demo_db):
    await OutboxMessage.raw("DELETE FROM migration WHERE id = (SELECT MAX(id) FROM migration)")
    async with make_client(demo_db, FakeClock()) as client:
        ready = await client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["checks"]["migrations"].startswith("1 not applied")


async def test_metrics_are_for_the_monitoring_system_only(demo_db):
    async with make_client(demo_db, FakeClock()) as client:
        await client.get("/")
        metrics = await client.get("/metrics")  # the test client is not on this machine's loopback
        assert metrics.status_code == 404
    from dataclasses import replace

    async with make_client(replace(demo_db, metrics_token="s3cret-token-for-prometheus"), FakeClock()) as client:
        await client.get("/")
        assert (await client.get("/metrics", headers={"authorization": "Bearer wrong"})).status_code == 404
        assert (await client.get("/metrics", headers={"authorization": b"Bearer \xe9"})).status_code == 404
        metrics = await client.get("/metrics", headers={"authorization": "Bearer s3cret-token-for-prometheus"})
    assert metrics.status_code == 200
    text = metrics.text
    assert "dialogue_requests_total" in text and "dialogue_request_duration_seconds" in text
    assert "dialogue_outbox_waiting" in text and "dialogue_outbox_oldest_seconds" in text


async def test_every_response_carries_a_request_id_and_the_logs_too(demo_client):
    response = await demo_client.get("/", headers={"x-request-id": "proxy-given-id-123"})
    assert response.headers["x-request-id"] == "proxy-given-id-123"
    made = await demo_client.get("/", headers={"x-request-id": "bad id with spaces"})
    again = await demo_client.get("/")
    assert len(made.headers["x-request-id"]) == 32 and made.headers["x-request-id"] != again.headers["x-request-id"]
    record = logging.LogRecord("dialogue.web", logging.ERROR, __file__, 1, "Lỗi thử", None, None)
    token = logs.request_id.set("abc12345")
    try:
        logs.RequestIdFilter().filter(record)
    finally:
        logs.request_id.reset(token)
    line = json.loads(logs.JsonFormatter().format(record))
    assert line["request_id"] == "abc12345" and line["message"] == "Lỗi thử" and line["level"] == "ERROR"


@pytest.mark.skipif(TEST_ENGINE != "sqlite", reason="SQLite's online backup (PostgreSQL: pg_dump)")
def test_backup_copies_a_consistent_sqlite_database(demo_db, tmp_path):
    target = tmp_path / "backup.sqlite3"
    result = subprocess.run([sys.executable, "-m", "dialogue", "backup", str(target)], cwd=PROJECT_ROOT,
                            env={"DATABASE_URL": demo_db.database_url, "PATH": "/usr/bin:/bin"},
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "integrity_check: ok" in result.stdout
    with sqlite3.connect(target) as copy:
        assert copy.execute("SELECT COUNT(*) FROM staff_user").fetchone()[0] == len(ACCOUNTS)  # the demo accounts


@pytest.mark.skipif(TEST_ENGINE != "postgres", reason="the PostgreSQL pass")
def test_backup_on_postgresql_prints_the_pg_dump_command(demo_db, tmp_path):
    result = subprocess.run([sys.executable, "-m", "dialogue", "backup", str(tmp_path / "x.dump")],
                            cwd=PROJECT_ROOT, env={"DATABASE_URL": demo_db.database_url, "PATH": "/usr/bin:/bin"},
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "pg_dump" in result.stdout and "--format=custom" in result.stdout
