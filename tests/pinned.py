"""The one date the whole suite runs on, whatever day it is run.

The demo is loaded as of TODAY and every clock starts at NOW, so a due date, an open conference
or a year of holidays reads the same on any run date.
"""

from __future__ import annotations

import datetime as dt
import time

TODAY = dt.date(2026, 12, 7)  # a Monday; no holiday from 25 November to 31 December
NOW = dt.datetime(2026, 12, 7, 3, 0, tzinfo=dt.UTC)  # 10:00 in Hà Nội on TODAY


def running_clock(start: dt.datetime = NOW):
    """A clock that starts at `start` and moves on in real time (for the live server, which waits)."""
    origin = time.monotonic()
    return lambda: start + dt.timedelta(seconds=time.monotonic() - origin)
