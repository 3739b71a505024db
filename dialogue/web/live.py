"""Live pages: the screen in the hall, the public live page and the stream of changes they (and the
session console) follow.

The `live_event` table is the truth (dialogue/machine/events.py); a stream reads it after the
client's last event, then waits for a wake-up of its channel through Litestar's channels plugin
(in memory on SQLite, LISTEN/NOTIFY on PostgreSQL, so that every app process hears the changes made
through any other) or for a timeout, and reads it again. A missed wake-up therefore costs at most
one timeout, and a dropped connection loses nothing: the browser reconnects with the id of the last
event it received (Last-Event-ID) and gets what it missed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
from collections.abc import AsyncIterator, Callable
from typing import Annotated
from urllib.parse import urlsplit

import anyio
import segno
from litestar import Controller, Litestar, Request, get
from litestar.channels import ChannelsPlugin
from litestar.channels.backends.asyncpg import AsyncPgChannelsBackend
from litestar.channels.backends.memory import MemoryChannelsBackend
from litestar.params import FromPath, QueryParameter
from litestar.response import ServerSentEvent, ServerSentEventMessage, Template
from markupsafe import Markup

from dialogue.agenda import queries as agenda
from dialogue.conferences.queries import get_public_conference
from dialogue.core.db import outage, unavailable
from dialogue.core.settings import Settings
from dialogue.core.text import parse_id
from dialogue.machine import events

log = logging.getLogger("dialogue.live")

KEEP_ALIVE_SECONDS = 15.0  # a comment to keep proxies from closing the stream, and a look at the table anyway
RETRY_MS = 1000  # how soon the browser reconnects after a dropped connection
CHANGES_PER_READ = 50
LISTEN_AGAIN_SECONDS = 3.0  # how long a keep-alive waits to open the listening connection again
STREAM_PATH = "/conferences/{conference_id:int}/live/events"


class ReconnectingAsyncPgBackend(AsyncPgChannelsBackend):
    """Litestar's LISTEN/NOTIFY backend, which also opens its listening connection again when the
    database dropped it (a restart): on the next subscription, and whenever a stream's keep-alive
    comes round. Without this, no wake-up would arrive again until the app restarted."""

    async def _listening(self) -> None:
        if not self._listener_conn.is_closed():
            return
        log.warning("The live updates' listening connection was lost: opening it again")
        self._listener_conn = await self._connect()
        for channel in self._subscribed_channels:
            await self._listener_conn.add_listener(channel, self._listener)  # type: ignore[arg-type]

    async def ensure_listening(self) -> None:
        async with self._listener_lock:
            await self._listening()

    async def subscribe(self, channels) -> None:
        await self.ensure_listening()
        await super().subscribe(channels)


async def _keep_listening(channels: ChannelsPlugin) -> None:
    backend = channels._backend
    if isinstance(backend, ReconnectingAsyncPgBackend):
        with contextlib.suppress(Exception):  # the database is still away: the next keep-alive tries again
            await asyncio.wait_for(backend.ensure_listening(), LISTEN_AGAIN_SECONDS)


def make_channels(settings: Settings) -> ChannelsPlugin:
    """The wake-ups between the code that commits a change and the streams that follow it. On
    PostgreSQL the changes notify in their own transaction (machine/events.py) and every process
    LISTENs; SQLite serves one process, whose streams are woken in memory."""
    if settings.database_engine == "postgres":
        backend = ReconnectingAsyncPgBackend(dsn=settings.database_url)
    else:
        backend = MemoryChannelsBackend()
    # A slow stream's wake-ups beyond a few are worth nothing more: it reads the table anyway.
    return ChannelsPlugin(backend=backend, arbitrary_channels_allowed=True, subscriber_max_backlog=8,
                          subscriber_backlog_strategy="dropleft")


@contextlib.asynccontextmanager
async def live_lifespan(app: Litestar) -> AsyncIterator[None]:
    """Registers the waker (SQLite: PostgreSQL needs none) and ends every open stream at shutdown:
    uvicorn waits for open responses to end before it stops, and a stream would never end."""
    channels: ChannelsPlugin = app.plugins.get(ChannelsPlugin)
    closing = app.state.live_closing = asyncio.Event()
    if app.state.settings.database_engine != "postgres":
        events.set_waker(lambda names: channels.publish(b"1", names))
    restore = _end_streams_on_exit_signals(closing)
    try:
        yield
    finally:
        closing.set()
        restore()
        events.set_waker(None)


def _end_streams_on_exit_signals(closing: asyncio.Event) -> Callable[[], None]:
    """Chain SIGTERM and SIGINT to end the streams as soon as the server is asked to stop, then pass
    the signal on to whoever handled it (uvicorn, which then stops as usual). Returns the undo."""
    loop = asyncio.get_running_loop()
    previous: dict[int, Callable] = {}

    def handler(number: int, frame) -> None:
        loop.call_soon_threadsafe(closing.set)
        previous[number](number, frame)

    try:
        for number in (signal.SIGTERM, signal.SIGINT):
            before = signal.getsignal(number)
            if not callable(before):  # no server's handler to pass it on to (the default, or ignored)
                continue
            previous[number] = before
            signal.signal(number, handler)
    except ValueError:  # not the main thread (the test client): nothing to chain
        return lambda: None

    def restore() -> None:
        for number, before in previous.items():
            with contextlib.suppress(ValueError, TypeError):
                if signal.getsignal(number) is handler:
                    signal.signal(number, before)

    return restore


def _after(request: Request, after: str) -> int | None:
    """Where the client is: the id of the last event it got (Last-Event-ID, sent by the browser when
    it reconnects, wins over ?after=, which the page was rendered with); None: from now on."""
    for raw in (request.headers.get("last-event-id"), after):
        if raw:
            value = parse_id(raw)
            return value if value is not None else 0
    return None


async def _changes(conference_id: int, after: int | None, channels: ChannelsPlugin,
                   closing: asyncio.Event) -> AsyncIterator[ServerSentEventMessage]:
    """The stream's messages: what was missed, then each change as it comes. It holds no database
    connection while it waits, and ends when the client goes or the server stops."""
    channel = agenda.live_channel(conference_id)
    subscriber = await channels.subscribe([channel])  # before reading: a change from now on wakes it
    wake_ups = subscriber.iter_events()
    woken: asyncio.Future | None = None
    ending = asyncio.ensure_future(closing.wait())
    try:
        if after is None:
            after = await events.latest(channel)
        yield ServerSentEventMessage(comment="live", retry=RETRY_MS, data=None)
        while not closing.is_set():
            try:
                changes = await agenda.public_changes(conference_id, after, CHANGES_PER_READ)
            except Exception as error:
                if not unavailable(error):
                    raise
                outage.failed(error)  # one line for the outage, not a traceback per open screen
                break  # the page reconnects by itself and resumes from its last event

            for change in changes:
                after = change["id"]
                yield ServerSentEventMessage(id=change["id"], event="change",
                                             data=json.dumps({"kind": change["kind"]}))
            if len(changes) == CHANGES_PER_READ:
                continue  # more are waiting: read on before sleeping
            if woken is None:
                woken = asyncio.ensure_future(anext(wake_ups))
            done, _pending = await asyncio.wait({woken, ending}, timeout=KEEP_ALIVE_SECONDS,
                                                return_when=asyncio.FIRST_COMPLETED)
            if woken in done:
                if woken.exception() is not None:  # the subscription ended (the app stops)
                    break
                woken = None
                for _extra in range(subscriber.qsize):  # several wake-ups, one read
                    await anext(wake_ups)
            elif not done:
                await _keep_listening(channels)
                yield ServerSentEventMessage(comment="keep-alive", data=None)
    finally:
        # The client went (Litestar cancels the stream) or the server stops: let go of the
        # subscription even while being cancelled, or its channel would stay LISTENed to.
        with anyio.CancelScope(shield=True):
            for task in (woken, ending):
                if task is not None and not task.done():
                    task.cancel()
            await asyncio.gather(*(task for task in (woken, ending) if task is not None), return_exceptions=True)
            with contextlib.suppress(Exception):
                await wake_ups.aclose()
            with contextlib.suppress(Exception):
                await channels.unsubscribe(subscriber, [channel])


def qr_code(url: str) -> Markup:
    """The conference's address as a QR code, an inline SVG the screen scales (segno)."""
    svg = segno.make(url, error="m").svg_inline(scale=1, border=2, omitsize=True, dark="#000", light="#fff",
                                                svgclass="qr", lineclass=None)
    return Markup(svg)


def short_address(url: str) -> str:
    """The address as one types it: without the scheme."""
    parts = urlsplit(url)
    return parts.netloc + parts.path


class LiveController(Controller):
    path = "/conferences"

    @get(STREAM_PATH.removeprefix("/conferences"), name="live_events")
    async def stream(self, request: Request, conference_id: FromPath[int],
                     after: Annotated[str, QueryParameter(name="after", max_length=20)] = "") -> ServerSentEvent:
        """The conference's changes as server-sent events: each an id and {"kind": …}, nothing more."""
        await get_public_conference(conference_id)
        return ServerSentEvent(_changes(conference_id, _after(request, after), request.app.plugins.get(ChannelsPlugin),
                                        request.app.state.live_closing))

    @get("/{conference_id:int}/screen", name="hall_screen")
    async def screen(self, request: Request, conference_id: FromPath[int],
                     fragment: Annotated[str, QueryParameter(name="fragment", max_length=1)] = "") -> Template:
        """The projector's page in the hall: readable from the back, updated by itself."""
        conference = await get_public_conference(conference_id)
        screen = await agenda.hall_screen(conference)
        address = request.app.state.settings.base_url + request.app.route_reverse(
            "conference", conference_id=conference_id)
        return Template(template_name="public/_screen_now.html" if fragment else "public/screen.html", context={
            "conference": conference, "screen": screen, "qr": qr_code(address), "address": short_address(address),
        })

    @get("/{conference_id:int}/live", name="live")
    async def live(self, request: Request, conference_id: FromPath[int],
                   fragment: Annotated[str, QueryParameter(name="fragment", max_length=1)] = "") -> Template:
        """The public live page: the agenda, the item being discussed and what is recorded."""
        conference = await get_public_conference(conference_id)
        return Template(template_name="public/_live_now.html" if fragment else "public/live.html", context={
            "conference": conference, "live": await agenda.live_page(conference)})
