"""The leaders' figures, counted by the database.

Every figure is a count of rows that meet one condition; the same condition written once here
gives both the count (an aggregate query, grouped by agency, topic, month…) and the list of items
behind it (the drill-down), so the list's length always equals the figure.

Four kinds of item, each within a scope (the conferences of a unit, or of a province and its
communes) and a period:
- questions received in the period (by the day they came in);
- answers due in the period, one per question routed to a lead agency: on time, late (by the day
  the agency's head approved the answer), overdue (not approved, due date passed) or open;
- commitments due in the period, by state: kept, partly kept, not kept, awaiting verification,
  disputed, cancelled, overdue or in progress;
- inspection findings recorded in the period (done, partly done, not done).
Also, whatever the period: what is overdue on the day the figures are read ("backlog").

The SQL is the same on SQLite and PostgreSQL but for dates (ISO text on SQLite) and month buckets.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from piccolo.engine.sqlite import SQLiteEngine
from piccolo.querystring import QueryString

from dialogue.accountability.scope import Scope
from dialogue.answers.machine import ANSWER
from dialogue.commitments.machine import COMMITMENT
from dialogue.commitments.tables import Commitment
from dialogue.core.db import current_engine
from dialogue.core.vocabulary import N_
from dialogue.questions.machine import QUESTION
from dialogue.questions.tables import Assignment, Question

CS = Commitment.State
OUTCOME = Commitment.Outcome

# The statuses of an answer due, in the order they are shown; each answer due has exactly one.
ANSWER_STATUSES = {
    "on_time": N_("On time"), "late": N_("Late"), "overdue": N_("Overdue"), "open": N_("Not yet due"),
}
ANSWER_STATUS_SQL = (
    "CASE WHEN a.answered_on IS NOT NULL AND a.answered_on <= q.answer_due_on THEN 'on_time'"
    " WHEN a.answered_on IS NOT NULL THEN 'late'"
    " WHEN q.answer_due_on < {today} THEN 'overdue' ELSE 'open' END")
# Those whose time has come: the on-time rate is on_time out of these (open ones are not yet due).
ANSWERS_DUE = ("on_time", "late", "overdue")

COMMITMENT_STATUSES = {
    "kept": N_("Kept"), "partly_kept": N_("Partly kept"), "not_kept": N_("Not kept"),
    "reported_done": N_("Reported done, awaiting verification"), "in_progress": N_("In progress, not yet due"),
    "overdue": N_("Overdue"), "disputed": N_("Disputed"), "cancelled": N_("Cancelled"),
}
COMMITMENT_STATUS_SQL = (
    f"CASE WHEN m.state = '{CS.verified.value}' AND m.outcome = '{OUTCOME.kept.value}' THEN 'kept'"
    f" WHEN m.state = '{CS.verified.value}' AND m.outcome = '{OUTCOME.partly_kept.value}' THEN 'partly_kept'"
    f" WHEN m.state = '{CS.verified.value}' THEN 'not_kept'"
    f" WHEN m.state = '{CS.cancelled.value}' THEN 'cancelled'"
    f" WHEN m.state = '{CS.disputed.value}' THEN 'disputed'"
    f" WHEN m.state = '{CS.reported_done.value}' THEN 'reported_done'"
    " WHEN m.due_on < {today} THEN 'overdue' ELSE 'in_progress' END")

FINDINGS = {"done": N_("Found done"), "partly": N_("Found partly done"), "not_done": N_("Found not done")}

RECEIVED_BY = {"topic": "q.topic", "asker_kind": "q.asker_kind", "area": "q.unit"}


def _quoted(values) -> str:
    return ", ".join(f"'{value}'" for value in sorted(values))


# Questions an agency must answer: routed and not withdrawn, merged or returned.
ANSWERABLE = _quoted(QUESTION.sets["answerable"])
LIVE_COMMITMENTS = _quoted(COMMITMENT.sets["live"] - COMMITMENT.sets["disputed"])
assert ANSWER.sets["published"], "answers have a published state"


def _sqlite() -> bool:
    return isinstance(current_engine(), SQLiteEngine)


def _day(value: dt.date):
    """Dates are ISO text in SQLite's columns, and compare as such."""
    return value.isoformat() if _sqlite() else value


def _moment(value: dt.datetime):
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S+00:00") if _sqlite() else value


def _month_of(column: str) -> str:
    return f"substr({column}, 1, 7)" if _sqlite() else f"to_char({column}, 'YYYY-MM')"


def _units(scope: Scope) -> str:
    # Unit ids are integers read from the database, never typed by anyone: safe to inline, and an
    # inlined list lets both engines plan the IN with the index.
    return ", ".join(str(int(unit)) for unit in scope.unit_ids) or "0"


@dataclass(frozen=True)
class Source:
    """The rows a figure counts: a FROM … WHERE with its arguments (`{}` placeholders)."""

    sql: str
    args: tuple


def answers_due(scope: Scope, *, whole_backlog: bool = False) -> Source:
    """Answers due in the period (or, for the backlog, every answer due before today)."""
    period = "q.answer_due_on < {}" if whole_backlog else "q.answer_due_on BETWEEN {} AND {}"
    args = (_day(scope.today),) if whole_backlog else (_day(scope.period.start), _day(scope.period.end))
    return Source(
        "FROM assignment s JOIN question q ON q.id = s.question JOIN conference c ON c.id = q.conference"
        " LEFT JOIN answer a ON a.question = q.id"
        f" WHERE s.role = '{Assignment.Role.lead.value}' AND s.active = {{}} AND q.state IN ({ANSWERABLE})"
        f" AND c.unit IN ({_units(scope)}) AND {period}",
        (True, *args))


def commitments_due(scope: Scope, *, whole_backlog: bool = False) -> Source:
    period = f"m.due_on < {{}} AND m.state IN ({LIVE_COMMITMENTS})" if whole_backlog \
        else "m.due_on BETWEEN {} AND {}"
    args = (_day(scope.today),) if whole_backlog else (_day(scope.period.start), _day(scope.period.end))
    return Source("FROM commitment m JOIN conference c ON c.id = m.conference"
                  f" WHERE c.unit IN ({_units(scope)}) AND {period}", args)


def received(scope: Scope) -> Source:
    start, end = scope.period.utc_bounds()
    return Source("FROM question q JOIN conference c ON c.id = q.conference"
                  f" WHERE c.unit IN ({_units(scope)}) AND q.created_at >= {{}} AND q.created_at < {{}}",
                  (_moment(start), _moment(end)))


def findings(scope: Scope) -> Source:
    """Findings recorded on the ground in the period, of the unit's closed or open rounds."""
    return Source(
        "FROM inspection_item i JOIN inspection_round r ON r.id = i.round JOIN commitment m ON m.id = i.commitment"
        f" WHERE r.unit IN ({_units(scope)}) AND i.finding IS NOT NULL AND i.visited_on BETWEEN {{}} AND {{}}",
        (_day(scope.period.start), _day(scope.period.end)))


def ratings(scope: Scope) -> Source:
    start, end = scope.period.utc_bounds()
    return Source("FROM rating g JOIN conference c ON c.id = g.conference"
                  f" WHERE c.unit IN ({_units(scope)}) AND g.created_at >= {{}} AND g.created_at < {{}}",
                  (_moment(start), _moment(end)))


async def fetch(sql: str, *args) -> list[dict]:
    return await Question.raw(sql, *args)


def query(sql: str, *args) -> QueryString:
    """The statement as Piccolo would run it (the bench runs the same through the raw driver)."""
    return QueryString(sql, *args)


def _status_sql(status_sql: str, scope: Scope) -> tuple[str, tuple]:
    return status_sql.replace("{today}", "{}"), (_day(scope.today),)


async def answer_counts(source: Source, scope: Scope) -> dict[int, dict[str, int]]:
    """Per lead agency: how many answers due are in each status."""
    status, status_args = _status_sql(ANSWER_STATUS_SQL, scope)
    rows = await fetch(f"SELECT s.agency AS agency, {status} AS status, COUNT(*) AS n {source.sql}"
                       " GROUP BY s.agency, status", *status_args, *source.args)
    found: dict[int, dict[str, int]] = {}
    for row in rows:
        found.setdefault(row["agency"], dict.fromkeys(ANSWER_STATUSES, 0))[row["status"]] = row["n"]
    return found


async def median_working_days(source: Source) -> dict[int | None, float]:
    """Per lead agency (and None: all of them), the median working days from routing to the head's
    approval over the answers given; worked out by the database with window functions."""
    given = f"{source.sql} AND a.working_days IS NOT NULL"
    ranked = ("SELECT @GROUP@ AS agency, a.working_days AS days,"
              " ROW_NUMBER() OVER (PARTITION BY @GROUP@ ORDER BY a.working_days) AS rn,"
              " COUNT(*) OVER (PARTITION BY @GROUP@) AS n " + given)
    found: dict[int | None, float] = {}
    for part, key in (("s.agency", "agency"), ("0", None)):
        rows = await fetch(
            f"SELECT agency, AVG(days * 1.0) AS median FROM ({ranked.replace('@GROUP@', part)}) t"
            " WHERE rn IN ((n + 1) / 2, (n + 2) / 2) GROUP BY agency", *source.args)
        for row in rows:
            found[row["agency"] if key else None] = round(float(row["median"]), 1)
    return found


async def commitment_counts(source: Source, scope: Scope) -> dict[int, dict[str, int]]:
    status, status_args = _status_sql(COMMITMENT_STATUS_SQL, scope)
    rows = await fetch(f"SELECT m.lead_agency AS agency, {status} AS status, COUNT(*) AS n {source.sql}"
                       " GROUP BY m.lead_agency, status", *status_args, *source.args)
    found: dict[int, dict[str, int]] = {}
    for row in rows:
        found.setdefault(row["agency"], dict.fromkeys(COMMITMENT_STATUSES, 0))[row["status"]] = row["n"]
    return found


async def backlog_counts(scope: Scope) -> dict[int, dict[str, int]]:
    """Per agency: answers and commitments overdue on the day, whatever their period."""
    found: dict[int, dict[str, int]] = {}
    answers = answers_due(scope, whole_backlog=True)
    for row in await fetch(f"SELECT s.agency AS agency, COUNT(*) AS n {answers.sql} AND a.answered_on IS NULL"
                           " GROUP BY s.agency", *answers.args):
        found.setdefault(row["agency"], {"answers": 0, "commitments": 0})["answers"] = row["n"]
    commitments = commitments_due(scope, whole_backlog=True)
    for row in await fetch(f"SELECT m.lead_agency AS agency, COUNT(*) AS n {commitments.sql}"
                           " GROUP BY m.lead_agency", *commitments.args):
        found.setdefault(row["agency"], {"answers": 0, "commitments": 0})["commitments"] = row["n"]
    return found


async def finding_counts(source: Source) -> dict[int, dict[str, int]]:
    found: dict[int, dict[str, int]] = {}
    for row in await fetch(f"SELECT m.lead_agency AS agency, i.finding AS finding, COUNT(*) AS n {source.sql}"
                           " GROUP BY m.lead_agency, i.finding", *source.args):
        found.setdefault(row["agency"], dict.fromkeys(FINDINGS, 0))[row["finding"]] = row["n"]
    return found


async def satisfaction(source: Source) -> dict[int, dict]:
    """Per agency rated: how many ratings and their average overall score (hidden by the caller
    below the minimum count)."""
    return {row["agency"]: {"count": row["n"], "average": round(float(row["average"]), 2)}
            for row in await fetch(f"SELECT g.agency AS agency, COUNT(*) AS n, AVG(g.overall * 1.0) AS average"
                                   f" {source.sql} GROUP BY g.agency", *source.args)}


async def received_counts(source: Source, by: str) -> dict:
    """How many questions came in, by topic, asker kind or area (the unit the question concerns)."""
    column = RECEIVED_BY[by]
    return {row["key"]: row["n"] for row in await fetch(
        f"SELECT {column} AS key, COUNT(*) AS n {source.sql} GROUP BY {column}", *source.args)}


async def answer_trend(scope: Scope, months: list[dt.date]) -> dict[tuple[int | None, str], dict[str, int]]:
    """For each lead agency (and None: all) and month of due date: answers on time and answers due."""
    trend_scope = Scope(scope.unit, scope.unit_ids,
                        type(scope.period)("trend", months[0], scope.period.end, ""), scope.today)
    source = answers_due(trend_scope)
    status, status_args = _status_sql(ANSWER_STATUS_SQL, scope)
    month = _month_of("q.answer_due_on")
    rows = await fetch(f"SELECT s.agency AS agency, {month} AS month, {status} AS status, COUNT(*) AS n"
                       f" {source.sql} GROUP BY s.agency, month, status", *status_args, *source.args)
    found: dict[tuple[int | None, str], dict[str, int]] = {}
    for row in rows:
        if row["status"] not in ANSWERS_DUE:
            continue
        for key in ((row["agency"], row["month"]), (None, row["month"])):
            counts = found.setdefault(key, {"on_time": 0, "due": 0})
            counts["due"] += row["n"]
            counts["on_time"] += row["n"] if row["status"] == "on_time" else 0
    return found


async def received_trend(scope: Scope, months: list[dt.date]) -> dict[str, int]:
    """Questions received per month (local months), over the months given."""
    trend_scope = Scope(scope.unit, scope.unit_ids,
                        type(scope.period)("trend", months[0], scope.period.end, ""), scope.today)
    source = received(trend_scope)
    local = "datetime(q.created_at, '+7 hours')" if _sqlite() else "q.created_at AT TIME ZONE 'Asia/Ho_Chi_Minh'"
    month = _month_of(local)
    return {row["month"]: row["n"] for row in await fetch(
        f"SELECT {month} AS month, COUNT(*) AS n {source.sql} GROUP BY month", *source.args)}


# The drill-down: the items behind one figure, with the same conditions as the counts.
ITEM_LIMIT = 50


async def answer_items(source: Source, scope: Scope, status: str | None, agency: int | None,
                       offset: int = 0) -> tuple[int, list[dict]]:
    status_sql, status_args = _status_sql(ANSWER_STATUS_SQL, scope)
    where, args = source.sql, list(source.args)
    if status is not None:
        where += f" AND {status_sql} = {{}}"
        args += [*status_args, status]
    if agency is not None:
        where += " AND s.agency = {}"
        args.append(agency)
    total = (await fetch(f"SELECT COUNT(*) AS n {where}", *args))[0]["n"]
    rows = await fetch(
        f"SELECT q.id, q.tracking_code, q.title, q.public_summary, q.answer_due_on AS due_on, q.conference,"
        f" c.title AS conference_title, s.agency, a.answered_on, a.working_days, {status_sql} AS status {where}"
        f" ORDER BY q.answer_due_on, q.id LIMIT {ITEM_LIMIT} OFFSET {{}}",
        *status_args, *args, max(0, offset))
    return total, rows


async def commitment_items(source: Source, scope: Scope, status: str | None, agency: int | None,
                           offset: int = 0) -> tuple[int, list[dict]]:
    status_sql, status_args = _status_sql(COMMITMENT_STATUS_SQL, scope)
    where, args = source.sql, list(source.args)
    if status is not None:
        where += f" AND {status_sql} = {{}}"
        args += [*status_args, status]
    if agency is not None:
        where += " AND m.lead_agency = {}"
        args.append(agency)
    total = (await fetch(f"SELECT COUNT(*) AS n {where}", *args))[0]["n"]
    rows = await fetch(
        f"SELECT m.id, m.text, m.due_on, m.original_due_on, m.state, m.outcome, m.progress, m.conference,"
        f" c.title AS conference_title, m.lead_agency AS agency, {status_sql} AS status {where}"
        f" ORDER BY m.due_on, m.id LIMIT {ITEM_LIMIT} OFFSET {{}}", *status_args, *args, max(0, offset))
    return total, rows


async def received_items(source: Source, by: str | None, key: str | None,
                         offset: int = 0) -> tuple[int, list[dict]]:
    where, args = source.sql, list(source.args)
    if by is not None:
        where += f" AND {RECEIVED_BY[by]} = {{}}"
        args.append(key)
    total = (await fetch(f"SELECT COUNT(*) AS n {where}", *args))[0]["n"]
    rows = await fetch(
        "SELECT q.id, q.tracking_code, q.title, q.public_summary, q.state, q.created_at, q.asker_kind, q.topic,"
        f" q.unit, q.conference, c.title AS conference_title {where}"
        f" ORDER BY q.created_at, q.id LIMIT {ITEM_LIMIT} OFFSET {{}}", *args, max(0, offset))
    return total, rows


async def finding_items(source: Source, finding: str | None, agency: int | None,
                        offset: int = 0) -> tuple[int, list[dict]]:
    where, args = source.sql, list(source.args)
    if finding is not None:
        where += " AND i.finding = {}"
        args.append(finding)
    if agency is not None:
        where += " AND m.lead_agency = {}"
        args.append(agency)
    total = (await fetch(f"SELECT COUNT(*) AS n {where}", *args))[0]["n"]
    rows = await fetch(
        "SELECT i.id, i.finding, i.visited_on, i.round, r.title AS round_title, m.id AS commitment, m.text,"
        f" m.lead_agency AS agency, m.conference {where}"
        f" ORDER BY i.visited_on, i.id LIMIT {ITEM_LIMIT} OFFSET {{}}", *args, max(0, offset))
    return total, rows
