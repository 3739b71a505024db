"""The legal deadlines and the working-day calendar they are counted in, read from the holiday table."""

from __future__ import annotations

from dialogue.core.calendar import WorkingCalendar
from dialogue.reference.tables import Holiday

SCREENING_DAYS = 10  # Law 42/2013 Art. 28: accepted, refused or forwarded within 10 working days
FORWARD_DAYS = 5  # Decree 20/2008: matters for another body are forwarded within 5 working days


async def working_calendar() -> WorkingCalendar:
    """The holiday table, the only source of working days at run time."""
    rows = await Holiday.raw("SELECT day, kind FROM holiday")
    return WorkingCalendar(
        days_off=frozenset(r["day"] for r in rows if r["kind"] == Holiday.Kind.holiday.value),
        swapped_workdays=frozenset(r["day"] for r in rows if r["kind"] == Holiday.Kind.workday.value),
    )
