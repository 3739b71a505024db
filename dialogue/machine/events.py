"""Live events: what changed, recorded in the transaction of the change, for pages that follow it.

Every transition records one row per channel it concerns ("question:12", "conference:3"). The row
is written with the change or not at all, so a page that streams these events (the session console,
the hall screen, the public live page) never shows a change that was rolled back, and a process that
serves the stream sees the changes of every other process.

The table is the truth (ordered ids, catch-up after a dropped connection); a wake-up only tells the
processes serving streams to read it now rather than at their next periodic look. This module is
the one place that announces: a wake-up is sent for committed changes only.

- On PostgreSQL, `SELECT pg_notify(channel, '1')` runs in the change's own transaction: PostgreSQL
  delivers it at commit only, and to every process LISTENing (the channels backend of each app
  process, dialogue/web/live.py), so several app processes follow each other's changes.
- On SQLite (one process) the wake-up is handed to the function the app registered at start-up
  (`set_waker`), through db.after_commit(): after the commit, never on a rollback.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from piccolo.columns import JSON, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from dialogue.core import db


class LiveEvent(Table, tablename="live_event"):
    at = Timestamptz(default=TimestamptzNow(), index=True)
    channel = Varchar(length=60, index=True, help_text="What a page follows: 'conference:3', 'question:12'.")
    kind = Varchar(length=60, help_text="The action, as the action log names it.")
    payload = JSON(default="{}")


Waker = Callable[[list[str]], None]
_waker: list[Waker] = []  # the app's, while it runs (the machine layer knows nothing of HTTP)


def set_waker(waker: Waker | None) -> None:
    """The function that wakes this process's streams of these channels (None: no app is running)."""
    _waker[:] = [waker] if waker else []


def _wake(channels: list[str]) -> None:
    if _waker:
        _waker[0](channels)


class _Together:
    """Several queries as one step of a unit of work (db.write_steps): run in order, the rows of
    the last one returned."""

    def __init__(self, *queries) -> None:
        self.queries = queries

    @property
    def querystrings(self) -> list:
        return [querystring for query in self.queries for querystring in query.querystrings]

    def __await__(self):
        return self._run().__await__()

    async def _run(self) -> list[dict]:
        rows: list[dict] = []
        for query in self.queries:
            rows = await query
        return rows


def _notify(channel: str):
    return LiveEvent.raw("SELECT pg_notify({}, '1')", channel)


def _announced(channels: list[str]) -> list:
    """The wake-up of these channels once the change commits: on PostgreSQL the queries to run in
    its transaction; on SQLite none (a callback is registered instead)."""
    if db.on_postgres():
        return [_notify(channel) for channel in channels]
    db.after_commit(lambda: _wake(channels))
    return []


def insert(at: dt.datetime, channels: Iterable[str], kind: str, payload: dict):
    """The insert of the event into each channel and its wake-up, not yet run (for a unit of work,
    db.write_steps, which must be under way: the wake-up waits for its commit)."""
    channels = [channel[:60] for channel in dict.fromkeys(channels)]
    query = db.RowInsert(*[LiveEvent(at=at, channel=channel, kind=kind[:60], payload=payload)
                               for channel in channels])
    return _Together(query, *_announced(channels))


async def record(at: dt.datetime, channels: Iterable[str], kind: str, payload: dict) -> None:
    """Append the event to each channel (inside the caller's transaction) and announce it."""
    channels = [channel[:60] for channel in dict.fromkeys(channels)]
    if channels:
        await LiveEvent.insert(*[LiveEvent(at=at, channel=channel, kind=kind[:60], payload=payload)
                                 for channel in channels])
        for query in _announced(channels):
            await query


async def since(channel: str, after_id: int = 0, limit: int = 100) -> list[dict]:
    """The channel's events after a given one, oldest first (what a reconnecting stream asks for)."""
    return await LiveEvent.select().where((LiveEvent.channel == channel) & (LiveEvent.id > after_id)) \
        .order_by(LiveEvent.id).limit(limit).output(load_json=True)


async def latest(channel: str) -> int:
    """The id of the channel's newest event (0: none): where a page just rendered starts following."""
    row = await LiveEvent.select(LiveEvent.id).where(LiveEvent.channel == channel) \
        .order_by(LiveEvent.id, ascending=False).first()
    return row["id"] if row else 0
