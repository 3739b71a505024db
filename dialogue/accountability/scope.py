"""What a leader's figures are about: a unit (a commune, or a province with its communes) and a
period (a month, a quarter or a year), as of a day."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from dialogue.core.calendar import TZ
from dialogue.core.i18n import gettext as _

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
FIRST_YEAR = 2000


def _month_start(year: int, month: int) -> dt.date:
    return dt.date(year, month, 1)


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """Whole days from `start` to `end`, both included; `code` is how a link names it."""

    kind: str  # month, quarter, year
    start: dt.date
    end: dt.date
    code: str

    @classmethod
    def month(cls, day: dt.date) -> Period:
        start = day.replace(day=1)
        return cls("month", start, _next_month(start) - dt.timedelta(days=1), start.strftime("%Y-%m"))

    @classmethod
    def parse(cls, text: str | None, today: dt.date) -> Period | None:
        """'2026-10', '2026-Q4' or '2026'; None for anything else (or a year out of range)."""
        text = (text or "").strip()[:10]
        if found := _MONTH.match(text):
            year, month = int(found[1]), int(found[2])
            return cls.month(_month_start(year, month)) if _valid_year(year, today) and 1 <= month <= 12 else None
        if found := _QUARTER.match(text):
            year, quarter = int(found[1]), int(found[2])
            if not _valid_year(year, today):
                return None
            start = _month_start(year, 3 * quarter - 2)
            end = _next_month(_next_month(_next_month(start))) - dt.timedelta(days=1)
            return cls("quarter", start, end, f"{year}-Q{quarter}")
        if found := _YEAR.match(text):
            year = int(found[1])
            return cls("year", dt.date(year, 1, 1), dt.date(year, 12, 31), str(year)) if _valid_year(year, today) \
                else None
        return None

    def label(self) -> str:
        if self.kind == "month":
            return _("%(month)s/%(year)s", month=f"{self.start.month:02d}", year=self.start.year)
        if self.kind == "quarter":
            return _("Quarter %(quarter)s/%(year)s", quarter=(self.start.month - 1) // 3 + 1, year=self.start.year)
        return _("Year %(year)s", year=self.start.year)

    def months(self, count: int = 12) -> list[dt.date]:
        """The first days of the `count` months that end with the period's last month, oldest first."""
        month = self.end.replace(day=1)
        found = [month]
        while len(found) < count:
            month = (month - dt.timedelta(days=1)).replace(day=1)
            found.append(month)
        return found[::-1]

    def utc_bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """The period as moments: from local midnight of its first day to local midnight after its last."""
        start = dt.datetime.combine(self.start, dt.time(), TZ).astimezone(dt.UTC)
        end = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(), TZ).astimezone(dt.UTC)
        return start, end


def _valid_year(year: int, today: dt.date) -> bool:
    return FIRST_YEAR <= year <= today.year + 1


def period_choices(today: dt.date, months: int = 12) -> list[Period]:
    """What the period selector offers: this month and the eleven before, this quarter and the three
    before, this year and the last."""
    choices = Period.month(today).months(months)[::-1]
    found = [Period.month(day) for day in choices]
    quarter = (today.month - 1) // 3 + 1
    year = today.year
    for _step in range(4):
        found.append(Period.parse(f"{year}-Q{quarter}", today))
        quarter, year = (quarter - 1, year) if quarter > 1 else (4, year - 1)
    found += [Period.parse(str(today.year), today), Period.parse(str(today.year - 1), today)]
    return [period for period in found if period is not None]


@dataclass(frozen=True)
class Scope:
    """The unit whose conferences are counted (with its communes when it is a province), the
    period, and the day the figures are read on (what is overdue depends on it)."""

    unit: dict  # id, code, name, level
    unit_ids: tuple[int, ...]
    period: Period
    today: dt.date
