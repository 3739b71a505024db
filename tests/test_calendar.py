"""Working-day arithmetic across Tết and a swapped working Saturday (pure, no database)."""

import datetime as dt

import holidays

from dialogue.core.calendar import WorkingCalendar

VN = holidays.Vietnam(years=range(2026, 2028))
CALENDAR = WorkingCalendar(frozenset(VN), frozenset(d for d in VN.weekend_workdays if d.year >= 2026))


def test_day_one_is_the_first_working_day_after_receipt():
    friday = dt.date(2026, 11, 27)
    assert CALENDAR.add_working_days(friday, 1) == dt.date(2026, 11, 30)  # Monday
    assert CALENDAR.add_working_days(friday, 10) == dt.date(2026, 12, 11)


def test_received_late_evening_counts_in_vietnam_time():
    # 18:30 UTC on Friday is 01:30 on Saturday in Hà Nội: received on Saturday.
    received = dt.datetime(2026, 11, 27, 18, 30, tzinfo=dt.UTC)
    assert CALENDAR.add_working_days(received, 1) == dt.date(2026, 11, 30)


def test_tet_is_skipped():
    # Tết 2026: 16–20 February are days off; received Friday 13 Feb.
    assert CALENDAR.add_working_days(dt.date(2026, 2, 13), 1) == dt.date(2026, 2, 23)
    assert CALENDAR.add_working_days(dt.date(2026, 2, 13), 10) == dt.date(2026, 3, 6)


def test_a_swapped_working_saturday_counts():
    # Saturday 22 Aug 2026 is worked; Monday 31 Aug, 1 and 2 Sep are days off.
    assert CALENDAR.is_working_day(dt.date(2026, 8, 22))
    assert CALENDAR.add_working_days(dt.date(2026, 8, 21), 1) == dt.date(2026, 8, 22)
    assert CALENDAR.add_working_days(dt.date(2026, 8, 28), 1) == dt.date(2026, 9, 3)


def test_days_left_and_overdue():
    due = dt.date(2026, 12, 11)  # a Friday
    assert CALENDAR.working_days_left(dt.date(2026, 12, 11), due) == 0
    assert CALENDAR.working_days_left(dt.date(2026, 12, 4), due) == 5
    assert CALENDAR.working_days_left(dt.date(2026, 12, 14), due) == -1  # Monday after: one working day late
    assert CALENDAR.working_days_left(dt.date(2026, 12, 13), due) == 0  # the weekend is not late yet
