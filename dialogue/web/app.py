"""The application factory: settings in, a configured Litestar app out."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from litestar import Litestar
from litestar.config.compression import CompressionConfig
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.middleware import DefineMiddleware
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.stores.memory import MemoryStore
from litestar.template.config import TemplateConfig

from dialogue.accountability import monthly
from dialogue.accounts.session_store import DatabaseStore
from dialogue.commitments import reminders as commitment_reminders
from dialogue.core.clock import Clock, utc_now
from dialogue.core.db import bind_engine, close_engine, make_engine, outage, start_pool, unavailable
from dialogue.core.rendering import build_environment
from dialogue.core.settings import Settings, get_settings
from dialogue.mail.sender import channel_senders, run_worker
from dialogue.piccolo_app import ALL_TABLES
from dialogue.privacy import retention
from dialogue.questions import reminders
from dialogue.web.accountability import AccountabilityController
from dialogue.web.admin import AdminController
from dialogue.web.api import ApiDocsController, api_routers, cors_hook, openapi_config
from dialogue.web.auth import AuthController
from dialogue.web.commitments import (
    AgencyCommitmentsController,
    CommitmentController,
    EvidenceController,
    OrganiserCommitmentsController,
)
from dialogue.web.confirmation import ConfirmationController
from dialogue.web.csrf import SafeCSRFMiddleware, csrf_token
from dialogue.web.dashboard import DashboardController
from dialogue.web.documents import DocumentsController
from dialogue.web.errors import EXCEPTION_HANDLERS, outage_over_hook
from dialogue.web.inspections import InspectionsController, PublicInspectionsController
from dialogue.web.live import STREAM_PATH, LiveController, live_lifespan, make_channels
from dialogue.web.middleware import LanguageMiddleware, RequestIdMiddleware, security_headers_hook
from dialogue.web.ops import PROMETHEUS, REMINDERS, MetricsController, OpsController
from dialogue.web.organiser import OrganiserController
from dialogue.web.privacy import DataRequestsController, MyDataController
from dialogue.web.public import PublicController
from dialogue.web.ratings import OrganiserRatingsController
from dialogue.web.reports import ReportsController
from dialogue.web.screening import AgencyController, ScreeningController
from dialogue.web.session import SessionController
from dialogue.web.sessions import StaffMiddleware, session_config
from dialogue.web.staff import StaffController
from dialogue.web.static import static_file
from dialogue.web.tokens import TokensController

log = logging.getLogger("dialogue")
CSRF_COOKIE = "dialogue_csrf"
# The largest form body: the longest text fields (20,000 characters of conclusions, percent-encoded
# UTF-8) fit several times over; anything larger is refused with 413 before it is read.
FORM_BODY_LIMIT = 1_000_000


async def run_reminders(clock: Clock, settings: Settings, stop: asyncio.Event) -> None:
    """The deadline reminder job: safe with several processes (each reminder is claimed once)."""
    while not stop.is_set():
        try:
            for kind, count in (await reminders.tick(clock(), settings.base_url)).items():
                REMINDERS.labels(kind=kind).inc(count)
            for kind, count in (await commitment_reminders.tick(
                    clock(), settings.base_url, settings.commitment_escalation_days, settings.confirmation_days,
                    settings.confirmation_link_days)).items():
                REMINDERS.labels(kind=kind).inc(count)
            for kind, count in (await monthly.tick(clock(), settings, settings.base_url)).items():
                REMINDERS.labels(kind=kind).inc(count)
            # askers' personal data past its retention (privacy/retention.py): a bounded batch per run
            for kind, count in (await retention.tick(clock(), settings)).items():
                REMINDERS.labels(kind=kind).inc(count)
        except Exception as error:
            if unavailable(error):
                outage.failed(error)
            else:
                log.exception("The reminder job failed; it will try again")
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=settings.reminder_minutes * 60)


def create_app(settings: Settings | None = None, clock: Clock = utc_now) -> Litestar:
    """The app for these settings. `clock` gives the time to every service (tests pin it)."""
    settings = settings or get_settings()
    engine = make_engine(settings)
    bind_engine(engine, ALL_TABLES)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        for notice in settings.notices:
            log.warning(notice)
        await start_pool(engine, settings.db_pool_max)
        stop = asyncio.Event()
        loops = []
        # Background loops never start under tests: they call outbox.drain and reminders.tick
        # themselves, with a pinned clock.
        if settings.background_tasks:
            loops.append(asyncio.create_task(run_reminders(clock, settings, stop)))
            send = channel_senders(settings)
            if send.channels:
                loops.append(asyncio.create_task(run_worker(send, clock, settings.outbox_poll_seconds, stop)))
            if not settings.smtp_url:
                log.warning("SMTP_URL is not set: e-mails wait in the outbox until it is.")
            if not settings.sms_url or not settings.zalo_url:
                log.warning("SMS_URL or ZALO_URL is not set: messages of that channel wait in the outbox until it is.")
        try:
            yield
        finally:
            # A bounded shutdown: the loops stop claiming work at once; what is still running after
            # the grace period (a send to a slow mail server) is cancelled and gives its claim back.
            stop.set()
            if loops:
                _, running = await asyncio.wait(loops, timeout=settings.shutdown_grace_seconds)
                for task in running:
                    task.cancel()
                await asyncio.gather(*loops, return_exceptions=True)
            await close_engine(engine)

    csrf = CSRFConfig(
        secret=settings.secret_key, cookie_name=CSRF_COOKIE, cookie_secure=settings.secure_cookies,
        cookie_httponly=True, cookie_samesite="lax", exclude=["^/static/"],
    )
    templates = JinjaTemplateEngine.from_environment(build_environment(reload=settings.template_reload))
    templates.register_template_callable("csrf_token", csrf_token)  # made when a page has a form (web/csrf.py)
    return Litestar(
        route_handlers=[
            PublicController, AuthController, StaffController, DashboardController, AdminController,
            OrganiserController,
            ScreeningController, AgencyController, SessionController, DocumentsController, LiveController,
            OpsController, MetricsController, CommitmentController, AgencyCommitmentsController,
            OrganiserCommitmentsController, EvidenceController, ConfirmationController, AccountabilityController,
            OrganiserRatingsController, InspectionsController, PublicInspectionsController, ReportsController,
            static_file, ApiDocsController, TokensController, MyDataController, DataRequestsController,
            *api_routers(settings.api_requests_per_minute, settings.trusted_proxies),
        ],
        middleware=[
            RequestIdMiddleware,
            PROMETHEUS.middleware,
            DefineMiddleware(LanguageMiddleware, default_language=settings.default_language),
            DefineMiddleware(SafeCSRFMiddleware, config=csrf),
            session_config(settings.session_idle_minutes, settings.secure_cookies).middleware,
            DefineMiddleware(StaffMiddleware, max_hours=settings.session_max_hours, clock=clock),
        ],
        stores={"sessions": DatabaseStore(clock), "api_rate_limit": MemoryStore()},
        template_config=TemplateConfig(instance=templates),
        exception_handlers=EXCEPTION_HANDLERS,
        before_send=[security_headers_hook(hsts=settings.base_url.startswith("https://")), outage_over_hook,
                     cors_hook],
        # Not the live stream: gzip would hold its small messages back. Not static files: gzipped once.
        # Level 5, not Litestar's 9: a dashboard of 130 KB compresses in half the time, 4 % larger.
        compression_config=CompressionConfig(backend="gzip", minimum_size=1024, gzip_compress_level=5,
                                             exclude=[STREAM_PATH.replace("{conference_id:int}", "[0-9]+"),
                                                      "^/static/"]),
        plugins=[make_channels(settings)],
        lifespan=[lifespan, live_lifespan],
        state=State({"settings": settings, "clock": clock}),
        openapi_config=openapi_config(),  # the API's routers only: every other layer is left out
        include_in_schema=False,
        request_max_body_size=FORM_BODY_LIMIT,  # uploads raise it on their own route (web/screening.py)
        debug=False,
    )
