"""What is read of a conference's questions: the screening queue, counts, the public list."""

from __future__ import annotations

import datetime as dt

from dialogue.conferences.queries import area_options, get_conference
from dialogue.core.calendar import local_today
from dialogue.core.text import fold, parse_id
from dialogue.core.vocabulary import N_, declare_action
from dialogue.machine import log
from dialogue.machine.actors import Actor, require
from dialogue.questions import similarity
from dialogue.questions.intake import display_code
from dialogue.questions.machine import QUESTION
from dialogue.questions.routing import agencies_for, assignments_of, deadline, default_agency
from dialogue.questions.screening import for_organiser
from dialogue.questions.similarity import likely_duplicates, similar
from dialogue.questions.tables import Assignment, Question
from dialogue.reference.calendar import FORWARD_DAYS, working_calendar
from dialogue.reference.units import agencies_serving, scope_of_unit, unit_path

PAGE = 50
ACTIVE = Assignment.active == True
STATES_OF = {name: sorted(states) for name, states in QUESTION.sets.items()}
BULK_ACTIONS = frozenset({"accept", "assign", "reject", "merge"})  # what the queue's bulk actions do

# A staff member's reading of an asker's name or contacts (Law 91/2025: the asker may learn who read
# them; privacy/access.py lists them). Logged by whichever service hands the data to staff, with
# details {"where": the page}; no step of the question's life, so its history leaves them out.
PERSONAL_DATA_VIEWED = "personal_data_viewed"
declare_action(PERSONAL_DATA_VIEWED, N_("opened the asker's name and contact details"))


async def queue(actor: Actor, conference_id: int, filters: dict, now: dt.datetime, page: int = 1) -> dict:
    """The screening queue of one conference: filtered, searched, oldest first, paginated."""
    conference = await get_conference(conference_id)
    require(actor, "organise", await scope_of_unit(conference["unit"]))
    today = local_today(now)
    where = [Question.conference == conference_id]
    if filters.get("state") in {s.value for s in Question.State}:
        where.append(Question.state == filters["state"])
    if filters.get("returned") == "yes":
        where.append(Question.returned_by_agency == True)
    for key, column in (("topic", Question.topic), ("unit", Question.unit)):
        value = parse_id(filters.get(key))
        if value:
            where.append(column == value)
    if filters.get("asker_kind") in {k.value for k in Question.AskerKind}:
        where.append(Question.asker_kind == filters["asker_kind"])
    agency = parse_id(filters.get("agency"))
    if agency:
        where.append(Question.id.is_in(Assignment.select(Assignment.question).where(
            (Assignment.agency == agency) & (Assignment.active == True))))
    if filters.get("overdue") == "yes":
        where.append((Question.state.is_in(STATES_OF["screening"]) & (Question.screening_due_on < today))
                     | (Question.state.is_in(STATES_OF["with_agency"]) & (Question.answer_due_on < today)))
    for word in fold(filters.get("q", "")).split()[:8]:
        where.append(Question.search_folded.like(f"%{word[:50]}%"))

    query = Question.select(
        Question.id, Question.tracking_code, Question.title, Question.asker_kind, Question.state, Question.created_at,
        Question.screening_due_on, Question.answer_due_on, Question.returned_by_agency, Question.search_folded,
        Question.topic.name_vi.as_alias("topic_vi"), Question.topic.name_en.as_alias("topic_en"),
        Question.unit.name.as_alias("unit_name"),
    )
    count = Question.count()
    for condition in where:
        query = query.where(condition)
        count = count.where(condition)
    rows = await query.order_by(Question.created_at).order_by(Question.id).limit(PAGE).offset((page - 1) * PAGE)
    total = await count
    ids = [r["id"] for r in rows]
    leads = {a["question"]: a["agency_name"] for a in await Assignment.select(
        Assignment.question, Assignment.agency.short_name.as_alias("agency_name")).where(
        Assignment.question.is_in(ids or [0]) & (Assignment.active == True)
        & (Assignment.role == Assignment.Role.lead.value))}
    calendar = await working_calendar()
    duplicates = likely_duplicates([(fold(row["title"]), row["search_folded"]) for row in rows],
                                   [QUESTION.is_in("can_take_others", row["state"]) for row in rows])
    for row, duplicate in zip(rows, duplicates, strict=True):
        row["lead_agency"] = leads.get(row["id"], "")
        row["due"] = deadline(row, calendar, today)
        row["choosable"] = bool(QUESTION.allowed(row["state"]) & BULK_ACTIONS)
        # Only a question that can still be merged is marked: one merged already is settled.
        earlier = rows[duplicate[0]] if duplicate and QUESTION.allows(row["state"], "merge") else None
        row["duplicate_of"] = {"id": earlier["id"], "code": display_code(earlier["tracking_code"]),
                               "score": duplicate[1]} if earlier else None
    counts = await state_counts(conference_id)
    areas = await area_options(conference)
    return {"conference": conference, "rows": rows, "total": total, "page": page,
            "pages": max(1, -(-total // PAGE)), "counts": counts, "areas": areas,
            # the agency filter offers those that serve the conference's areas, as routing does
            "agencies": await agencies_serving({*await unit_path(conference["unit"]), *(a["id"] for a in areas)})}


async def questions_of(actor: Actor, conference_id: int, limit: int = 500) -> list[dict]:
    """The organiser's list of what arrived, oldest first."""
    conference = await get_conference(conference_id)
    require(actor, "organise", await scope_of_unit(conference["unit"]))
    return await Question.select(
        Question.id, Question.tracking_code, Question.title, Question.asker_kind, Question.state,
        Question.created_at, Question.answer_mode, Question.topic.name_vi.as_alias("topic_vi"),
        Question.topic.name_en.as_alias("topic_en"),
    ).where(Question.conference == conference_id).order_by(Question.created_at).limit(limit)


async def state_counts(conference_id: int) -> dict[str, int]:
    rows = await Question.raw(
        "SELECT state, COUNT(*) AS n FROM question WHERE conference = {} GROUP BY state", conference_id)
    return {row["state"]: row["n"] for row in rows}


PUBLIC_QUESTIONS_SQL = """SELECT q.id, q.tracking_code, q.title, q.public_summary, q.asker_kind, q.state,
 q.created_at, u.name AS unit_name, t.name_vi AS topic_vi, t.name_en AS topic_en
 FROM question q JOIN admin_unit u ON u.id = q.unit JOIN topic t ON t.id = q.topic
 WHERE q.conference = {{}} AND q.state IN ({}) AND q.public_consent
 ORDER BY q.created_at LIMIT {{}}""".format(", ".join(f"'{state}'" for state in STATES_OF["public"]))


async def public_questions(conference_id: int, limit: int = 200) -> list[dict]:
    """Questions the public may see: accepted, and the asker agreed. Never the asker's identity."""
    return await Question.raw(PUBLIC_QUESTIONS_SQL, conference_id, limit)


async def asked_like(conference: dict, heading: str, text: str, now: dt.datetime) -> list[dict]:
    """The questions already asked in public, of this conference and the unit's recent ones, that
    look like the matter a resident describes: the organiser's hint, for the public."""
    return [{**row, "code": display_code(row["tracking_code"])}
            for row in await similarity.similar_public(conference, heading, text, now)]


async def screening_page(actor: Actor, question_id: int, now: dt.datetime) -> dict:
    """Everything the organiser's page of one question shows of the question's own life. It names the
    asker: each opening is logged as a read of their personal data (one insert)."""
    question = await for_organiser(actor, question_id)
    if question["asker_name"] or question["organisation_name"]:  # what the page shows of the asker
        await log.record(actor, PERSONAL_DATA_VIEWED, "question", question_id, at=now,
                         details={"where": "organiser_question"})
    calendar = await working_calendar()
    default_lead = await default_agency(question)
    alike = await similar(question)
    return {
        "question": question, "code": display_code(question["tracking_code"]),
        "similar": alike, "main_proposed": main_proposed(question, alike),
        "assignments": await assignments_of(question_id, active_only=False),
        "agencies": await agencies_for(question), "default_lead": str(default_lead or ""),
        "due": deadline(question, calendar, local_today(now)),
        "forward_by": calendar.add_working_days(question["created_at"], FORWARD_DAYS),
        "history": await log.entries_for("question", question_id, leaving_out=(PERSONAL_DATA_VIEWED,)),
        "actions": QUESTION.allowed(question["state"]),
        "routed": QUESTION.is_in("with_agency", question["state"]),
    }


def main_proposed(question: dict, alike: list[dict]) -> str:
    """The main question the merge form proposes: the earliest of the similar questions of this
    conference that can take others. Not the most similar: that is often a later duplicate, or one
    already merged into this question (merged questions cannot take others)."""
    candidates = [row for row in alike if row["conference"] == question["conference"]
                  and QUESTION.is_in("can_take_others", row["state"])]
    earliest = min(candidates, key=lambda row: (row["created_at"], row["id"]), default=None)
    return display_code(earliest["tracking_code"]) if earliest else ""


async def labels(question_ids: list[int]) -> dict[int, dict]:
    """The tracking code and title of each question, to name them in a report (staff only)."""
    rows = await Question.select(Question.id, Question.tracking_code, Question.title).where(
        Question.id.is_in(question_ids or [0]))
    return {row["id"]: {"code": display_code(row["tracking_code"]), "title": row["title"]} for row in rows}
