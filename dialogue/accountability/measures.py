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
from dialogue.questions.tables import Question

CS = Commitment.State
OUTCOME = Commitment.Outcome

# The statuses of an answer due, in the order they are shown; each answer due has exactly one.
ANSWER_STATUSES = {
    "on_time": N_("On time"), "late": N_("Late"), "overdue": N_("Overdue"), "open": N_("Not yet due"),
}
# On answer_fact (answers/facts.py keeps it, and its monthly sums by the same rule: facts.counts_of).
ANSWER_STATUS_SQL = (
    "CASE WHEN f.answered_on IS NOT NULL AND f.answered_on <= f.due_on THEN 'on_time'"
    " WHEN f.answered_on IS NOT NULL THEN 'late'"
    " WHEN f.due_on < {today} THEN 'overdue' ELSE 'open' END")
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
    """Answers due in the period (or, for the backlog, every answer not given whose due date has
    passed), from the answer facts: one row per question routed to a lead agency."""
    if whole_backlog:
        return Source(f"FROM answer_fact f WHERE f.unit IN ({_units(scope)}) AND f.answered_on IS NULL"
                      " AND f.due_on < {}", (_day(scope.today),))
    return Source(f"FROM answer_fact f WHERE f.unit IN ({_units(scope)}) AND f.due_on BETWEEN {{}} AND {{}}",
                  (_day(scope.period.start), _day(scope.period.end)))


def _indexed_by(index: str) -> str:
    """SQLite's planner, given a province's conferences, walks every commitment by conference; it is
    told which index to read. PostgreSQL chooses well by itself (and has no such clause)."""
    return f" INDEXED BY {index}" if _sqlite() else ""


def commitments_due(scope: Scope, *, whole_backlog: bool = False) -> Source:
    if whole_backlog:  # still to do (not disputed), due date passed: the indexes are in the migrations
        period, index = f"m.due_on < {{}} AND m.state IN ({LIVE_COMMITMENTS})", "commitment_state_due"
        args: tuple = (_day(scope.today),)
    else:
        period, index = "m.due_on BETWEEN {} AND {}", "commitment_due_scope"
        args = (_day(scope.period.start), _day(scope.period.end))
    return Source(f"FROM commitment m{_indexed_by(index)} JOIN conference c ON c.id = m.conference"
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


def _months(start: dt.date, end: dt.date) -> tuple[str, str]:
    return start.strftime("%Y-%m"), end.strftime("%Y-%m")


async def answer_counts(scope: Scope) -> dict[int, dict[str, int]]:
    """Per lead agency: how many answers due in the period are in each status. The monthly sums
    give those due, on time and late; the facts give those not yet due (due today or later, not
    given); what is left of those due was not given in time: overdue."""
    first, last = _months(scope.period.start, scope.period.end)
    rows = await fetch(f"SELECT agency, SUM(due) AS due, SUM(on_time) AS on_time, SUM(late) AS late"
                       f" FROM answer_month WHERE unit IN ({_units(scope)}) AND month BETWEEN {{}} AND {{}}"
                       " GROUP BY agency", first, last)
    waiting = await _not_yet_due(scope, scope.period.start, scope.period.end, by_month=False)
    found: dict[int, dict[str, int]] = {}
    for row in rows:
        open_ = waiting.get(row["agency"], 0)
        found[row["agency"]] = {"on_time": int(row["on_time"]), "late": int(row["late"]), "open": open_,
                                "overdue": int(row["due"]) - int(row["on_time"]) - int(row["late"]) - open_}
    return {agency: counts for agency, counts in found.items() if any(counts.values())}


async def _not_yet_due(scope: Scope, start: dt.date, end: dt.date, *, by_month: bool) -> dict:
    """Answers not given whose due date is today or later, within start–end: per agency (and month)."""
    first = max(start, scope.today)
    if first > end:
        return {}
    month = f", {_month_of('f.due_on')} AS month" if by_month else ""
    group = ", month" if by_month else ""
    rows = await fetch(f"SELECT f.agency AS agency{month}, COUNT(*) AS n FROM answer_fact f"
                       f" WHERE f.unit IN ({_units(scope)}) AND f.answered_on IS NULL"
                       f" AND f.due_on BETWEEN {{}} AND {{}} GROUP BY f.agency{group}", _day(first), _day(end))
    return {(row["agency"], row["month"]) if by_month else row["agency"]: row["n"] for row in rows}


async def median_working_days(source: Source) -> dict[int | None, float]:
    """Per lead agency (and None: all of them), the median working days from routing to the head's
    approval over the answers given; worked out by the database with window functions."""
    given = f"{source.sql} AND f.working_days IS NOT NULL"
    ranked = ("SELECT @GROUP@ AS agency, f.working_days AS days,"
              " ROW_NUMBER() OVER (PARTITION BY @GROUP@ ORDER BY f.working_days) AS rn,"
              " COUNT(*) OVER (PARTITION BY @GROUP@) AS n " + given)
    found: dict[int | None, float] = {}
    for part, key in (("f.agency", "agency"), ("0", None)):
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
    for row in await fetch(f"SELECT f.agency AS agency, COUNT(*) AS n {answers.sql} GROUP BY f.agency",
                           *answers.args):
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


async def received_counts(source: Source) -> dict[str, dict]:
    """How many questions came in, by topic, by asker kind and by area (the unit the question
    concerns): one grouped count by all three, summed here per dimension."""
    columns = ", ".join(f"{column} AS {by}" for by, column in RECEIVED_BY.items())
    rows = await fetch(f"SELECT {columns}, COUNT(*) AS n {source.sql} GROUP BY {', '.join(RECEIVED_BY.values())}",
                       *source.args)
    found: dict[str, dict] = {by: {} for by in RECEIVED_BY}
    for row in rows:
        for by in RECEIVED_BY:
            found[by][row[by]] = found[by].get(row[by], 0) + row["n"]
    return found


async def answer_trend(scope: Scope, months: list[dt.date]) -> dict[tuple[int | None, str], dict[str, int]]:
    """For each lead agency (and None: all) and month of due date: answers on time, and answers whose
    time has come (on time, late or overdue; not those not yet due). From the monthly sums."""
    first, last = _months(months[0], scope.period.end)
    rows = await fetch(f"SELECT agency, month, SUM(due) AS due, SUM(on_time) AS on_time FROM answer_month"
                       f" WHERE unit IN ({_units(scope)}) AND month BETWEEN {{}} AND {{}} GROUP BY agency, month",
                       first, last)
    waiting = await _not_yet_due(scope, months[0], scope.period.end, by_month=True)
    found: dict[tuple[int | None, str], dict[str, int]] = {}
    for row in rows:
        due = int(row["due"]) - waiting.get((row["agency"], row["month"]), 0)
        for key in ((row["agency"], row["month"]), (None, row["month"])):
            counts = found.setdefault(key, {"on_time": 0, "due": 0})
            counts["due"] += due
            counts["on_time"] += int(row["on_time"])
    return found


# The drill-down: the items behind one figure, with the same conditions as the counts.
ITEM_LIMIT = 50


async def _narrowed(source: Source, status_sql: str, status_args: tuple, status: str | None, agency_column: str,
                    agency: int | None) -> tuple[int, str, list]:
    """The figure's rows narrowed to one status and one agency (the same CASE as the counts), and
    how many there are."""
    where, args = source.sql, list(source.args)
    if status is not None:
        where += f" AND {status_sql} = {{}}"
        args += [*status_args, status]
    if agency is not None:
        where += f" AND {agency_column} = {{}}"
        args.append(agency)
    return (await fetch(f"SELECT COUNT(*) AS n {where}", *args))[0]["n"], where, args


async def answer_items(source: Source, scope: Scope, status: str | None, agency: int | None,
                       offset: int = 0, limit: int = ITEM_LIMIT) -> tuple[int, list[dict]]:
    status_sql, status_args = _status_sql(ANSWER_STATUS_SQL, scope)
    total, where, args = await _narrowed(source, status_sql, status_args, status, "f.agency", agency)
    listed = where.replace("FROM answer_fact f", "FROM answer_fact f JOIN question q ON q.id = f.question"
                           " JOIN conference c ON c.id = q.conference", 1)
    rows = await fetch(
        f"SELECT q.id, q.tracking_code, q.title, q.public_summary, f.due_on AS due_on, q.conference,"
        f" c.title AS conference_title, f.agency, f.answered_on, f.working_days, {status_sql} AS status {listed}"
        f" ORDER BY f.due_on, f.question LIMIT {int(limit)} OFFSET {{}}",
        *status_args, *args, max(0, offset))
    return total, rows


async def commitment_items(source: Source, scope: Scope, status: str | None, agency: int | None,
                           offset: int = 0, limit: int = ITEM_LIMIT) -> tuple[int, list[dict]]:
    status_sql, status_args = _status_sql(COMMITMENT_STATUS_SQL, scope)
    total, where, args = await _narrowed(source, status_sql, status_args, status, "m.lead_agency", agency)
    rows = await fetch(
        f"SELECT m.id, m.text, m.due_on, m.original_due_on, m.state, m.outcome, m.progress, m.conference,"
        f" c.title AS conference_title, m.lead_agency AS agency, {status_sql} AS status {where}"
        f" ORDER BY m.due_on, m.id LIMIT {int(limit)} OFFSET {{}}", *status_args, *args, max(0, offset))
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
