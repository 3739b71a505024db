"""Live events: what changed, recorded in the transaction of the change, for pages that follow it.

Every transition records one row per channel it concerns ("question:12", "conference:3"). The row
is written with the change or not at all, so a page that streams these events (the live session
console, the hall screen) never shows a change that was rolled back, and a process that serves the
stream sees the changes of every other process.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from piccolo.columns import JSON, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class LiveEvent(Table, tablename="live_event"):
    at = Timestamptz(default=TimestamptzNow(), index=True)
    channel = Varchar(length=60, index=True, help_text="What a page follows: 'conference:3', 'question:12'.")
    kind = Varchar(length=60, help_text="The action, as the action log names it.")
    payload = JSON(default="{}")


def insert(at: dt.datetime, channels: Iterable[str], kind: str, payload: dict):
    """The insert of the event into each channel, not yet run (for a unit of work, db.write_steps)."""
    return LiveEvent.insert(*[LiveEvent(at=at, channel=channel[:60], kind=kind[:60], payload=payload)
                              for channel in dict.fromkeys(channels)])


async def record(at: dt.datetime, channels: Iterable[str], kind: str, payload: dict) -> None:
    """Append the event to each channel (inside the caller's transaction)."""
    channels = list(channels)
    if channels:
        await insert(at, channels, kind, payload)


async def since(channel: str, after_id: int = 0, limit: int = 100) -> list[dict]:
    """The channel's events after a given one, oldest first (what a reconnecting stream asks for)."""
    return await LiveEvent.select().where((LiveEvent.channel == channel) & (LiveEvent.id > after_id)) \
        .order_by(LiveEvent.id).limit(limit).output(load_json=True)
