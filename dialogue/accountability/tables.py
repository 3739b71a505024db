"""What the accountability job remembers: which monthly reports it has sent."""

from __future__ import annotations

from piccolo.columns import Date, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from dialogue.reference.tables import AdminUnit


class MonthlyReportSent(Table, tablename="monthly_report_sent"):
    """One row per unit and month once its report is queued: a second worker's insert of the same
    key fails, so the report goes out once however many processes run the job."""

    key = Varchar(length=40, unique=True, help_text="<unit id>:<YYYY-MM>.")
    unit = ForeignKey(AdminUnit, null=False)
    month = Date(help_text="The first day of the month reported on.")
    recipients = Integer(default=0)
    sent_at = Timestamptz(default=TimestamptzNow())
