"""Working days by the Vietnamese calendar: pure arithmetic over the holiday table's days.

Monday to Friday are working days except days off; a Saturday or Sunday listed as a working
day (a swap) is worked. Day 1 of a deadline is the first working day after the day of receipt.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Ho_Chi_Minh")  # Vietnam (UTC+7): the one time zone of the app


@dataclass(frozen=True)
class WorkingCalendar:
    days_off: frozenset[dt.date] = field(default_factory=frozenset)
    swapped_workdays: frozenset[dt.date] = field(default_factory=frozenset)

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.swapped_workdays:
            return True
        return day.weekday() < 5 and day not in self.days_off

    def add_working_days(self, received: dt.date | dt.datetime, days: int) -> dt.date:
        """The due date: `days` working days after the day of receipt (in Vietnam's time)."""
        day = received.astimezone(TZ).date() if isinstance(received, dt.datetime) else received
        counted = 0
        while counted < days:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return day

    def working_days_left(self, today: dt.date, due: dt.date) -> int:
        """Working days from today to the due date: 0 on the due date, negative once overdue."""
        if due >= today:
            return sum(1 for n in range((due - today).days) if self.is_working_day(today + dt.timedelta(days=n + 1)))
        return -sum(1 for n in range((today - due).days) if self.is_working_day(due + dt.timedelta(days=n + 1)))


def local_today(now: dt.datetime) -> dt.date:
    return now.astimezone(TZ).date()
