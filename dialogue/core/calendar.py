"""Working days by the Vietnamese calendar: pure arithmetic over the holiday table's days.

Monday to Friday are working days except days off; a Saturday or Sunday listed as a working
day (a swap) is worked. Day 1 of a deadline is the first working day after the day of receipt.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Ho_Chi_Minh")  # Vietnam (UTC+7): the one time zone of the app


@dataclass(frozen=True)
class WorkingCalendar:
    days_off: frozenset[dt.date] = field(default_factory=frozenset)
    swapped_workdays: frozenset[dt.date] = field(default_factory=frozenset)
    # Sorted once, so that a count over any range is two binary searches (a page counts one per row).
    _weekdays_off: tuple[dt.date, ...] = field(init=False, repr=False, compare=False)
    _swapped_weekends: tuple[dt.date, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_weekdays_off", tuple(sorted(
            day for day in self.days_off if day.weekday() < 5 and day not in self.swapped_workdays)))
        object.__setattr__(self, "_swapped_weekends", tuple(sorted(
            day for day in self.swapped_workdays if day.weekday() >= 5)))

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.swapped_workdays:
            return True
        return day.weekday() < 5 and day not in self.days_off

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end` (0 if `end` is not after `start`).
        Weekdays are counted arithmetically and only the listed days off and swaps inside the range
        are looked at, so a date far off (a row saying 31/12/9999) costs no more than a near one."""
        if end <= start:
            return 0
        swapped_weekends = bisect_right(self._swapped_weekends, end) - bisect_right(self._swapped_weekends, start)
        weekdays_off = bisect_right(self._weekdays_off, end) - bisect_right(self._weekdays_off, start)
        return _weekdays_through(end) - _weekdays_through(start) - weekdays_off + swapped_weekends

    def add_working_days(self, received: dt.date | dt.datetime, days: int) -> dt.date:
        """The due date: `days` working days after the day of receipt (in Vietnam's time): the first
        day by which that many are counted, found by halving the range (never day by day)."""
        day = received.astimezone(TZ).date() if isinstance(received, dt.datetime) else received
        if days <= 0:
            return day
        # Every full week has at least 5 working days less the days off listed for it.
        low, high = 1, 7 * (days // 5 + 1) + 7 * len(self.days_off)
        high = min(high, (dt.date.max - day).days)
        while low < high:
            middle = (low + high) // 2
            if self.working_days_between(day, day + dt.timedelta(days=middle)) >= days:
                high = middle
            else:
                low = middle + 1
        return day + dt.timedelta(days=low)

    def working_days_left(self, today: dt.date, due: dt.date) -> int:
        """Working days from today to the due date: 0 on the due date, negative once overdue."""
        if due >= today:
            return self.working_days_between(today, due)
        return -self.working_days_between(due, today)


def _weekdays_through(day: dt.date) -> int:
    """Mondays to Fridays from 1 January of year 1 (a Monday) to `day`, both included."""
    weeks, rest = divmod(day.toordinal(), 7)
    return weeks * 5 + min(rest, 5)


def local_today(now: dt.datetime) -> dt.date:
    return now.astimezone(TZ).date()
