"""The answer facts the leaders' figures count (dialogue/accountability/measures.py), kept in the
transaction of every change that moves them.

`answer_fact` holds one row per question with an answer due now: routed to a lead agency (its assignment still active),
in a state that awaits or has its answer (QUESTION.sets["answerable"]), with a due date. `answer_month`
holds their sums per conference unit, lead agency and month of due date: how many fall due, and how
many were given on time (approved by the head on or before the due date) or late.

Both are derived, never edited: `refresh(question)` recomputes the question's fact from the tables it
comes from and moves its counts from the old month row to the new one. The question and answer
machines run it after every change of state (StateMachine.watch), which is every way a question is
routed, returned, withdrawn, merged or answered, and an answer approved or sent back. `rebuild()`
recomputes everything from scratch (a migration, the province generator, a repair) and
`tests/test_dashboard.py` checks that the kept sums equal a rebuild after a life of real commands.
"""

from __future__ import annotations

import datetime as dt

from piccolo.engine.sqlite import SQLiteEngine

from dialogue.answers.machine import ANSWER
from dialogue.answers.tables import AnswerFact, AnswerMonth
from dialogue.core.db import current_engine, write_transaction
from dialogue.questions.machine import QUESTION
from dialogue.questions.tables import Assignment

ANSWERABLE = ", ".join(f"'{state}'" for state in sorted(QUESTION.sets["answerable"]))
# The fact of one question (or of all, without the last condition), from the tables it comes from.
FACT_SELECT = (
    "SELECT q.id AS question, c.unit AS unit, s.agency AS agency, q.answer_due_on AS due_on,"
    " a.answered_on AS answered_on, a.working_days AS working_days"
    " FROM question q JOIN conference c ON c.id = q.conference"
    " JOIN assignment s ON s.question = q.id AND s.role = '" + Assignment.Role.lead.value + "' AND s.active = {}"
    " LEFT JOIN answer a ON a.question = q.id"
    f" WHERE q.state IN ({ANSWERABLE}) AND q.answer_due_on IS NOT NULL")


def _day(value) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def counts_of(fact: dict) -> dict[str, int]:
    """What one fact adds to its month's row. The same rule as measures.ANSWER_STATUS_SQL: on time
    when approved on or before the due date, late when approved after it."""
    answered, due = _day(fact["answered_on"]), _day(fact["due_on"])
    return {"due": 1, "on_time": int(answered is not None and answered <= due),
            "late": int(answered is not None and answered > due)}


def month_key(fact: dict) -> tuple[str, str]:
    month = _day(fact["due_on"]).strftime("%Y-%m")
    return f"{fact['unit']}:{fact['agency']}:{month}", month


async def _add(fact: dict, sign: int) -> None:
    key, month = month_key(fact)
    counts = {name: sign * value for name, value in counts_of(fact).items()}
    # An upsert both engines know (SQLite 3.24+): the unique key finds the row, the sums move.
    await AnswerMonth.raw(
        "INSERT INTO answer_month (key, unit, agency, month, due, on_time, late) VALUES ({}, {}, {}, {}, {}, {}, {})"
        " ON CONFLICT (key) DO UPDATE SET due = answer_month.due + excluded.due,"
        " on_time = answer_month.on_time + excluded.on_time, late = answer_month.late + excluded.late",
        key, fact["unit"], fact["agency"], month, counts["due"], counts["on_time"], counts["late"])


def _same(old: dict | None, new: dict | None) -> bool:
    if old is None or new is None:
        return old is new
    return all(_day(old[k]) == _day(new[k]) if k in ("due_on", "answered_on") else old[k] == new[k]
               for k in ("unit", "agency", "due_on", "answered_on", "working_days"))


async def refresh(question_id: int) -> None:
    """Bring the question's fact and its month's sums up to date (inside the caller's transaction)."""
    old = await AnswerFact.select(AnswerFact.question, AnswerFact.unit, AnswerFact.agency, AnswerFact.due_on,
                                  AnswerFact.answered_on, AnswerFact.working_days) \
        .where(AnswerFact.question == question_id).first()
    rows = await AnswerFact.raw(FACT_SELECT + " AND q.id = {}", True, question_id)
    new = rows[0] if rows else None
    if _same(old, new):
        return
    if old is not None:
        await AnswerFact.delete().where(AnswerFact.question == question_id)
        await _add(old, -1)
    if new is not None:
        await AnswerFact.insert(AnswerFact(question=question_id, unit=new["unit"], agency=new["agency"],
                                           due_on=_day(new["due_on"]), answered_on=_day(new["answered_on"]),
                                           working_days=new["working_days"]))
        await _add(new, +1)


async def _question_changed(question: dict) -> None:
    await refresh(question["id"])


async def _answer_changed(answer: dict) -> None:
    await refresh(answer["question"])


QUESTION.watch(_question_changed)
ANSWER.watch(_answer_changed)


def rebuild_statements(sqlite: bool) -> list[str]:
    """Every fact and sum recomputed from the tables they come from (no parameters: for migrations too)."""
    active = "1" if sqlite else "TRUE"
    month = "substr(due_on, 1, 7)" if sqlite else "to_char(due_on, 'YYYY-MM')"
    key = f"CAST(unit AS TEXT) || ':' || CAST(agency AS TEXT) || ':' || {month}"
    return [
        "DELETE FROM answer_month",
        "DELETE FROM answer_fact",
        "INSERT INTO answer_fact (question, unit, agency, due_on, answered_on, working_days) "
        + FACT_SELECT.replace("{}", active).replace("SELECT q.id AS question", "SELECT q.id", 1),
        f"INSERT INTO answer_month (key, unit, agency, month, due, on_time, late) SELECT {key}, unit, agency, {month},"
        " COUNT(*), SUM(CASE WHEN answered_on IS NOT NULL AND answered_on <= due_on THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN answered_on IS NOT NULL AND answered_on > due_on THEN 1 ELSE 0 END)"
        f" FROM answer_fact GROUP BY unit, agency, {month}",
    ]


async def rebuild() -> None:
    async with write_transaction():
        for statement in rebuild_statements(isinstance(current_engine(), SQLiteEngine)):
            await AnswerFact.raw(statement)
