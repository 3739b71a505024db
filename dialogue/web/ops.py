"""What an operator needs: /healthz (the process answers), /readyz (it can serve: database reachable,
migrations applied, mail worker alive) and /metrics (Prometheus: requests and latency through
Litestar's Prometheus middleware, plus the outbox, the database pool and the reminders)."""

from __future__ import annotations

import asyncio
import datetime as dt
import hmac
from pathlib import Path

from litestar import Controller, Request, get
from litestar.exceptions import NotFoundException
from litestar.plugins.prometheus import PrometheusConfig, PrometheusController
from litestar.response import Response
from prometheus_client import Counter, Gauge

from dialogue.core.db import applied_migrations, pool_use
from dialogue.mail import outbox, sender
from dialogue.piccolo_app import APP_CONFIG
from dialogue.web.sessions import client_address

PROMETHEUS = PrometheusConfig(app_name="dialogue", prefix="dialogue", group_path=True,
                              exclude=["^/static/", "^/metrics", "^/healthz", "^/readyz",
                                       "/live/events$"])  # a stream lasts hours: not a latency
OUTBOX_WAITING = Gauge("dialogue_outbox_waiting", "E-mails not sent yet")
OUTBOX_OLDEST = Gauge("dialogue_outbox_oldest_seconds", "Age of the oldest e-mail not sent yet")
OUTBOX_FAILING = Gauge("dialogue_outbox_failing", "E-mails not sent yet that failed at least once")
POOL_SIZE = Gauge("dialogue_db_pool_connections", "PostgreSQL pool connections open")
POOL_IN_USE = Gauge("dialogue_db_pool_in_use", "PostgreSQL pool connections in use")
REMINDERS = Counter("dialogue_reminders", "Reminder e-mails queued", ["kind"])
CHECK_SECONDS = 3


def _known_migrations() -> int:
    return sum(1 for path in Path(APP_CONFIG.migrations_folder_path).glob("dialogue_*.py"))


async def readiness(settings) -> dict[str, str]:
    """Each check's result: "ok" or what is wrong."""
    checks: dict[str, str] = {}
    try:
        async with asyncio.timeout(CHECK_SECONDS):
            applied = await applied_migrations("dialogue")
        known = _known_migrations()
        checks["database"] = "ok"
        checks["migrations"] = "ok" if applied >= known else \
            f"{known - applied} not applied: run `python -m dialogue migrate`"
    except Exception as error:  # unreachable, or no migration table at all
        checks["database"] = f"unavailable: {type(error).__name__}"
        checks["migrations"] = "unknown"
    if settings.background_tasks and (settings.smtp_url or settings.sms_url or settings.zalo_url):
        beat = sender.heartbeat.get("worker")
        late = settings.outbox_poll_seconds * 3 + outbox.SEND_TIMEOUT * 2
        alive = beat is not None and asyncio.get_running_loop().time() - beat < late
        checks["mail_worker"] = "ok" if alive else "not running"
    return checks


class OpsController(Controller):
    include_in_schema = False

    @get("/healthz", name="healthz", cache_control=None)
    async def healthz(self) -> Response:
        return Response(content="ok\n", media_type="text/plain")

    @get("/readyz", name="readyz")
    async def readyz(self, request: Request) -> Response:
        checks = await readiness(request.app.state.settings)
        ready = all(value == "ok" for value in checks.values())
        return Response(content={"ready": ready, "checks": checks}, status_code=200 if ready else 503,
                        headers={"cache-control": "no-store"})


class MetricsController(PrometheusController):
    """Prometheus' page, for the monitoring system only: with METRICS_TOKEN set, it must come as
    `Authorization: Bearer <token>`; without it, only from this machine."""

    path = "/metrics"
    include_in_schema = False

    @get()
    async def get(self, request: Request) -> Response:  # type: ignore[override]
        settings = request.app.state.settings
        given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        allowed = hmac.compare_digest(given.encode(), settings.metrics_token.encode()) if settings.metrics_token else \
            client_address(request.scope, settings.trusted_proxies) in ("127.0.0.1", "::1")
        if not allowed:
            raise NotFoundException()
        await _refresh(request.app.state.clock())
        return await super().get.fn(self)


async def _refresh(now: dt.datetime) -> None:
    """The figures read at scrape time."""
    try:
        async with asyncio.timeout(CHECK_SECONDS):
            figures = await outbox.backlog(now)
    except Exception:
        return  # the database is away: /readyz says so; the other figures still go out
    OUTBOX_WAITING.set(figures["waiting"])
    OUTBOX_FAILING.set(figures["failing"])
    OUTBOX_OLDEST.set(figures["oldest_seconds"])
    if (pool := pool_use()) is not None:
        POOL_SIZE.set(pool[0])
        POOL_IN_USE.set(pool[1])
