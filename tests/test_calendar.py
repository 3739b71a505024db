"""Working-day arithmetic across Tết and a swapped working Saturday (pure, no database)."""

import datetime as dt
import random

import holidays

from dialogue.core.calendar import TZ, WorkingCalendar, local_today

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


def test_the_calendar_of_no_holidays_counts_weekdays():
    plain = WorkingCalendar()
    assert plain.days_off == frozenset() and plain.swapped_workdays == frozenset()
    assert [plain.is_working_day(dt.date(2026, 12, d)) for d in range(7, 14)] == [True] * 5 + [False] * 2
    assert plain.add_working_days(dt.date(2026, 12, 11), 1) == dt.date(2026, 12, 14)  # Friday -> Monday
    assert plain.add_working_days(dt.date(2026, 12, 12), 1) == dt.date(2026, 12, 14)  # Saturday -> Monday
    assert plain.add_working_days(dt.date(2026, 12, 7), 5) == dt.date(2026, 12, 14)


def test_no_days_is_the_day_of_receipt():
    assert CALENDAR.add_working_days(dt.date(2026, 12, 12), 0) == dt.date(2026, 12, 12)
    assert CALENDAR.add_working_days(dt.datetime(2026, 12, 11, 20, 0, tzinfo=dt.UTC), 0) == dt.date(2026, 12, 12)


def test_a_day_both_off_and_swapped_is_worked():
    day = dt.date(2026, 12, 12)  # a Saturday
    both = WorkingCalendar(frozenset({day}), frozenset({day}))
    assert both.is_working_day(day)
    assert not WorkingCalendar(frozenset({dt.date(2026, 12, 14)})).is_working_day(dt.date(2026, 12, 14))


def test_received_early_morning_in_utc_is_the_same_day_in_vietnam():
    # 16:59 UTC on Thursday is 23:59 on Thursday in Hà Nội; 17:00 UTC is already Friday.
    assert CALENDAR.add_working_days(dt.datetime(2026, 12, 10, 16, 59, tzinfo=dt.UTC), 1) == dt.date(2026, 12, 11)
    assert CALENDAR.add_working_days(dt.datetime(2026, 12, 10, 17, 0, tzinfo=dt.UTC), 1) == dt.date(2026, 12, 14)


def test_days_left_skip_weekends_and_holidays_both_ways():
    due = dt.date(2027, 2, 11)  # the first working day after Tết 2027
    assert CALENDAR.working_days_left(dt.date(2027, 2, 3), due) == 1  # 4–10 February are days off
    assert CALENDAR.working_days_left(dt.date(2027, 2, 2), due) == 2
    assert CALENDAR.working_days_left(dt.date(2027, 2, 12), dt.date(2027, 2, 3)) == -2  # 11 and 12 February
    assert CALENDAR.working_days_left(dt.date(2027, 2, 10), dt.date(2027, 2, 3)) == 0  # late only in days off
    assert CALENDAR.working_days_left(dt.date(2026, 12, 7), dt.date(2026, 12, 8)) == 1


def test_the_local_day_is_vietnams():
    assert local_today(dt.datetime(2026, 12, 10, 16, 59, tzinfo=dt.UTC)) == dt.date(2026, 12, 10)
    assert local_today(dt.datetime(2026, 12, 10, 17, 0, tzinfo=dt.UTC)) == dt.date(2026, 12, 11)
    assert str(TZ) == "Asia/Ho_Chi_Minh"


# --- Far dates: the arithmetic must equal the day-by-day count, and never walk it -------------------------------

def _walked_days_left(calendar: WorkingCalendar, today: dt.date, due: dt.date) -> int:
    """The plain day-by-day count the arithmetic replaces (the reference)."""
    first, last, sign = (today, due, 1) if due >= today else (due, today, -1)
    days = ((first + dt.timedelta(days=n + 1)) for n in range((last - first).days))
    return sign * sum(1 for day in days if calendar.is_working_day(day))


def _walked_add(calendar: WorkingCalendar, day: dt.date, days: int) -> dt.date:
    counted = 0
    while counted < days:
        day += dt.timedelta(days=1)
        counted += calendar.is_working_day(day)
    return day


def test_the_arithmetic_equals_the_day_by_day_count_over_random_ranges():
    draw = random.Random(13)
    around_tet = dt.date(2025, 12, 1)  # ranges start before 2026 and end after 2027: Tết, swaps, plain years
    for _ in range(1000):
        today = around_tet + dt.timedelta(days=draw.randrange(0, 800))
        due = today + dt.timedelta(days=draw.randrange(-400, 400))
        assert CALENDAR.working_days_left(today, due) == _walked_days_left(CALENDAR, today, due), (today, due)
        days = draw.randrange(0, 400)
        assert CALENDAR.add_working_days(today, days) == _walked_add(CALENDAR, today, days), (today, days)
    for day in (dt.date(2026, 2, 13), dt.date(2026, 8, 21), dt.date(2027, 2, 3)):  # Tết 2026, a swap, Tết 2027
        for days in range(30):
            assert CALENDAR.add_working_days(day, days) == _walked_add(CALENDAR, day, days)


class _CountingCalendar(WorkingCalendar):
    """Counts the days it is asked about one by one."""

    looked_at = 0

    def is_working_day(self, day: dt.date) -> bool:
        type(self).looked_at += 1
        return super().is_working_day(day)


def test_a_due_date_in_year_9999_is_counted_without_walking_to_it():
    calendar = _CountingCalendar(CALENDAR.days_off, CALENDAR.swapped_workdays)
    today, far = dt.date(2026, 11, 27), dt.date(9999, 12, 31)
    left = calendar.working_days_left(today, far)
    assert calendar.looked_at < 1000
    # From 2028 on there are no listed days off: plain weekdays, counted here the slow way once.
    assert left == CALENDAR.working_days_left(today, dt.date(2028, 1, 1)) + sum(
        1 for n in range(dt.date(2028, 1, 2).toordinal(), far.toordinal() + 1) if (n - 1) % 7 < 5)
    assert calendar.working_days_left(far, today) == -calendar.working_days_between(today, far)
    assert calendar.add_working_days(dt.date(9999, 12, 27), 3) == dt.date(9999, 12, 30)  # Mon 27 -> Thu 30
    assert calendar.looked_at < 1000
