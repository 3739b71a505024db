"""The monthly report, sent by the reminder job to each unit's leadership (its active viewer
accounts) on the Nth working day of the month (MONTHLY_REPORT_WORKING_DAY), for the month before:
one e-mail per leader, in the leader's language, with a short summary, a link to the dashboard and
the Word file attached.

Once per unit and month however many processes run the job: the row `monthly_report_sent` with the
key '<unit id>:<YYYY-MM>' and the e-mails are written in one transaction, and of two workers only
the one whose insert of that unique key went through queues anything."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from urllib.parse import urlencode

from dialogue.accountability.dashboard import monthly_report
from dialogue.accountability.report_files import MEDIA_TYPES, file_name, previous_month, render_docx, report_view
from dialogue.accountability.tables import MonthlyReportSent
from dialogue.accounts.tables import StaffUser
from dialogue.core.calendar import WorkingCalendar, local_today
from dialogue.core.db import unavailable, write_transaction
from dialogue.core.i18n import gettext as _
from dialogue.core.settings import Settings
from dialogue.machine.actors import Role
from dialogue.mail import outbox
from dialogue.reference.calendar import working_calendar
from dialogue.reference.tables import AdminUnit

log = logging.getLogger("dialogue.accountability")
KIND = "monthly_report"
SUMMARY_AGENCIES = 3  # the e-mail names the agencies with the most overdue items, this many


def report_day(month: dt.date, calendar: WorkingCalendar, working_day: int) -> dt.date:
    """The Nth working day of the month (holidays and swapped working days counted)."""
    before = month - dt.timedelta(days=1)
    return calendar.add_working_days(before, working_day)


def _leaders():
    return (StaffUser.role == Role.viewer.value) & (StaffUser.active == True) & StaffUser.unit.is_not_null()


async def _units_due(month: dt.date) -> list[dict]:
    """The units with leaders whose report of this month has not gone yet."""
    ids = sorted({row["unit"] for row in await StaffUser.select(StaffUser.unit).where(_leaders())})
    sent = {row["key"] for row in await MonthlyReportSent.select(MonthlyReportSent.key).where(
        MonthlyReportSent.key.is_in([sent_key(unit, month) for unit in ids] or [""]))}
    units = await AdminUnit.select(AdminUnit.id, AdminUnit.code, AdminUnit.name, AdminUnit.level).where(
        AdminUnit.id.is_in(ids or [0])).order_by(AdminUnit.id)
    return [unit for unit in units if sent_key(unit["id"], month) not in sent]


def sent_key(unit_id: int, month: dt.date) -> str:
    return f"{unit_id}:{month.strftime('%Y-%m')}"


def _most_overdue(report) -> list[dict]:
    late = sorted((figure for figure in report.dashboard.agencies if figure.overdue_now),
                  key=lambda figure: (-figure.overdue_now, figure.name))
    return [{"name": figure.name, "answers": figure.backlog["answers"], "commitments": figure.backlog["commitments"]}
            for figure in late[:SUMMARY_AGENCIES]]


async def _send(unit: dict, month: dt.date, now: dt.datetime, base_url: str) -> int:
    """Make the unit's report and queue it to its leaders; 0 when another worker did it first."""
    report = await monthly_report(unit, month, now)
    view = await report_view(report)
    docx = await asyncio.to_thread(render_docx, view)  # a fraction of a second of CPU: off the event loop
    attachment = outbox.Attachment(file_name(view, "docx"), MEDIA_TYPES["docx"], docx)
    leaders = await StaffUser.select(StaffUser.email, StaffUser.language).where(
        _leaders() & (StaffUser.unit == unit["id"])).order_by(StaffUser.id)
    month_text = month.strftime("%m/%Y")
    query = {"unit": unit["id"], "period": month.strftime("%Y-%m")}
    total = report.dashboard.total
    context = {
        "conference": {"unit_name": unit["name"]}, "unit_name": unit["name"], "month_text": month_text,
        "dashboard_url": f"{base_url}/dashboard?{urlencode(query)}",
        "answers_due": total.answers_due, "on_time": total.answers["on_time"], "on_time_rate": total.on_time_rate,
        "overdue_answers": total.backlog["answers"], "overdue_commitments": total.backlog["commitments"],
        "agencies": _most_overdue(report), "filename": attachment.filename,
    }
    messages = [outbox.prepare(
        to=leader["email"], template=KIND, language_code=leader["language"], kind=KIND, now=now, unit_id=unit["id"],
        subject=lambda: _("Monthly report for %(month)s: answers and commitments, %(unit)s", month=month_text,
                          unit=unit["name"]),
        attachments=(attachment,), **context) for leader in leaders]
    async with write_transaction():
        won = await MonthlyReportSent.insert(MonthlyReportSent(
            key=sent_key(unit["id"], month), unit=unit["id"], month=month, recipients=len(messages), sent_at=now,
        )).on_conflict(action="DO NOTHING").returning(MonthlyReportSent.id)
        if not won:
            return 0  # another process sent this unit's report for this month
        await outbox.add(*messages)
    return len(messages)


async def tick(now: dt.datetime, settings: Settings, base_url: str) -> dict[str, int]:
    """One run of the job: the previous month's report to every unit's leaders that has not had it,
    once the month's report day has come. Returns how many e-mails it queued."""
    today = local_today(now)
    month = previous_month(today)
    calendar = await working_calendar()
    if today < report_day(today.replace(day=1), calendar, settings.monthly_report_working_day):
        return {KIND: 0}
    sent = 0
    for unit in await _units_due(month):
        try:
            sent += await _send(unit, month, now, base_url)
        except Exception as error:
            if unavailable(error):
                raise  # the database is away: the job says so once and tries again later
            # One unit's failure (a bug in its data) must not hold back the others; it is tried again next run.
            log.exception("The monthly report of unit %s could not be sent", unit["id"])
    return {KIND: sent}
