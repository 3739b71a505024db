"""Answers approved before the leaders' figures existed get their answer day (the local day of the
head's approval; Vietnam keeps UTC+7 all year) and their working days from routing to approval,
counted with the holiday table as it stands. A separate migration: a migration's raw steps run
before its new columns are added."""

import datetime as dt

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.sqlite import SQLiteEngine
from piccolo.querystring import QueryString

ID = "2026-11-28T03:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "answered_on_backfill"
VIETNAM = dt.timezone(dt.timedelta(hours=7))


def _moment(value) -> dt.datetime:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def _day(value) -> dt.date:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="dialogue", description=DESCRIPTION)

    async def run():
        from dialogue.core.calendar import WorkingCalendar

        engine = engine_finder()
        sqlite = isinstance(engine, SQLiteEngine)

        async def run_sql(sql: str, *args):
            return await engine.run_querystring(QueryString(sql, *args))

        holidays = await run_sql("SELECT day, kind FROM holiday")
        calendar = WorkingCalendar(
            days_off=frozenset(_day(r["day"]) for r in holidays if r["kind"] == "holiday"),
            swapped_workdays=frozenset(_day(r["day"]) for r in holidays if r["kind"] == "workday"))
        rows = await run_sql(
            "SELECT answer.id, answer.approved_at, ("
            " SELECT MAX(assignment.assigned_at) FROM assignment WHERE assignment.question = answer.question"
            " AND assignment.role = 'lead') AS assigned_at"
            " FROM answer WHERE answer.approved_at IS NOT NULL AND answer.answered_on IS NULL"
            " AND answer.state IN ('approved', 'published')")
        for row in rows:
            answered_on = _moment(row["approved_at"]).astimezone(VIETNAM).date()
            assigned_on = _moment(row["assigned_at"]).astimezone(VIETNAM).date() if row["assigned_at"] else answered_on
            days = calendar.working_days_between(assigned_on, answered_on)
            await run_sql("UPDATE answer SET answered_on = {}, working_days = {} WHERE id = {}",
                          answered_on.isoformat() if sqlite else answered_on, days, row["id"])

    manager.add_raw(run)
    return manager
