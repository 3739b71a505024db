"""Screening and routing: the organisers' decisions on questions, agencies' returns, due dates.

Every decision is allowed only from the states in TRANSITIONS, is made by one function here,
writes the action log and e-mails the asker (and followers, and askers of merged questions)
in the same transaction.
"""

from __future__ import annotations

import datetime as dt

from rapidfuzz import fuzz, process

from dialogue.core.calendar import WorkingCalendar, local_today
from dialogue.core.db import write_transaction
from dialogue.core.errors import Conflict, InvalidInput, NotFound
from dialogue.core.i18n import gettext as _
from dialogue.machine import log as audit
from dialogue.questions import intake as questions
from dialogue.machine.actors import Actor
from dialogue.conferences.service import get_conference, state_counts
from dialogue.reference.calendar import working_calendar
from dialogue.machine.actors import ObjectScope, require
from dialogue.reference.units import scope_of_unit
from dialogue.reference.tables import Agency
from dialogue.answers.tables import Answer
from dialogue.questions.tables import Assignment, Question
from dialogue.core.text import fold, paragraphs, parse_id, tidy

TRANSITIONS = questions.TRANSITIONS
REJECTION_CATEGORIES = ("complaint", "denunciation", "abusive", "not_question")
PAGE = 50


def _check(question: dict, action: str) -> str | None:
    sources, target = TRANSITIONS[action]
    if question["state"] not in sources:
        raise Conflict(_("This question cannot take that step from its present state."))
    return target


async def get_question(question_id: int) -> dict:
    row = await Question.select(
        Question.all_columns(), Question.topic.name_vi.as_alias("topic_vi"), Question.topic.name_en.as_alias("topic_en"),
        Question.unit.name.as_alias("unit_name"), Question.conference.title.as_alias("conference_title"),
        Question.conference.unit.as_alias("conference_unit"),
    ).where(Question.id == question_id).first() if 0 < question_id <= 2**31 - 1 else None
    if row is None:
        raise NotFound(_("There is no such question."))
    return row


async def for_organiser(actor: Actor, question_id: int) -> dict:
    question = await get_question(question_id)
    require(actor, "organise", await scope_of_unit(question["conference_unit"]))
    return question


async def _change(
    actor: Actor, question: dict, action: str, now: dt.datetime, base_url: str, *, updates: dict,
    reason: str = "", target: str | None = None, notify: bool = True, details: dict | None = None,
) -> None:
    """Move one question (compare-and-set on its state), log it and tell the people concerned."""
    target = target or TRANSITIONS[action][1]
    async with write_transaction():
        changed = await Question.update({
            Question.state: target, Question.updated_at: now, **{getattr(Question, k): v for k, v in updates.items()},
        }).where((Question.id == question["id"]) & (Question.state == question["state"])).returning(Question.id)
        if not changed:
            raise Conflict(_("Someone else changed this question at the same time. Reload the page."))
        await audit.record(actor, action if action != "return" else "returned", "question", question["id"], at=now,
                           from_state=question["state"], to_state=target, reason=reason, details=details)
        if notify:
            updated = {**question, **updates, "state": target}
            await questions.notify(updated, "question_update", lambda: _(
                "News of your question %(code)s", code=questions.display_code(question["tracking_code"])),
                now, base_url, reason=reason)


async def decide(actor: Actor, question_id: int, action: str, form: dict, now: dt.datetime, base_url: str) -> None:
    """Accept, reject or forward, each with the reason the asker reads."""
    question = await for_organiser(actor, question_id)
    if action not in ("accept", "reject", "forward"):
        raise NotFound(_("This action does not exist."))
    _check(question, action)
    reason = tidy(form.get("reason"))[:2000]
    updates: dict = {"decision_reason": reason}
    errors = {}
    if action == "reject":
        category = form.get("category", "")
        if category not in REJECTION_CATEGORIES:
            errors["category"] = _("Choose why the question is not accepted.")
        updates["decision_category"] = category
        if not reason:
            errors["reason"] = _("Write the reason the asker will read.")
    if action == "forward":
        body = tidy(form.get("forwarded_to"))[:250]
        if not body:
            errors["forwarded_to"] = _("Name the body the question is sent to.")
        updates["forwarded_to"] = body
        if not reason:
            errors["reason"] = _("Write the reason the asker will read.")
    if errors:
        raise InvalidInput(errors)
    await _change(actor, question, action, now, base_url, updates=updates, reason=reason,
                  details={k: v for k, v in updates.items() if k != "decision_reason"})


async def edit_public_text(actor: Actor, question_id: int, form: dict, now: dt.datetime) -> None:
    """The organisers' public summary and redacted text; the original stays as the asker wrote it."""
    question = await for_organiser(actor, question_id)
    summary = tidy(form.get("public_summary"))[:300]
    text = paragraphs(form.get("public_text"))[:4000]
    if text == question["body"]:
        text = ""
    diff = audit.changes(question, {"public_summary": summary, "public_text": text})
    if not diff:
        return
    async with write_transaction():
        await Question.update({Question.public_summary: summary, Question.public_text: text, Question.updated_at: now}) \
            .where(Question.id == question_id)
        await audit.record(actor, "public_text_edited", "question", question_id, at=now, details=diff)


# --- Merging --------------------------------------------------------------------------------

async def merge(actor: Actor, question_id: int, main_raw: str, reason: str, now: dt.datetime, base_url: str) -> None:
    question = await for_organiser(actor, question_id)
    _check(question, "merge")
    main_id = parse_id(main_raw)
    if main_id is None:
        code = questions.normalise_code(main_raw)
        row = await Question.select(Question.id).where(Question.tracking_code == code).first() if code else None
        main_id = row["id"] if row else None
    main = await get_question(main_id) if main_id else None
    if main is None or main["conference"] != question["conference"] or main["id"] == question["id"]:
        raise InvalidInput({"main": _("Choose another question of the same conference.")})
    if main["state"] in ("merged", "withdrawn", "rejected"):
        raise InvalidInput({"main": _("That question cannot take others: it is itself merged, withdrawn or rejected.")})
    await _change(actor, question, "merge", now, base_url, updates={"merged_into": main["id"]},
                  reason=tidy(reason)[:2000] or _("It is the same matter as question %(code)s.",
                                                  code=questions.display_code(main["tracking_code"])),
                  details={"merged_into": main["id"]})


async def unmerge(actor: Actor, question_id: int, now: dt.datetime, base_url: str) -> None:
    question = await for_organiser(actor, question_id)
    _check(question, "unmerge")
    entry = await audit.ActionLog.select(audit.ActionLog.from_state).where(
        (audit.ActionLog.object_type == "question") & (audit.ActionLog.object_id == str(question_id))
        & (audit.ActionLog.action == "merge")).order_by(audit.ActionLog.id, ascending=False).first()
    previous = entry["from_state"] if entry else "accepted"
    await _change(actor, question, "unmerge", now, base_url, updates={"merged_into": None}, target=previous,
                  reason=_("The question is handled on its own again."))


async def similar(question: dict, limit: int = 5, minimum: float = 60.0) -> list[dict]:
    """The most similar questions of the same conference and of the same unit's recent conferences,
    by a word-order-tolerant score on diacritics-folded text (rapidfuzz token_set_ratio)."""
    conference = await get_conference(question["conference"])
    since = (question["created_at"] - dt.timedelta(days=730))
    # Score on the folded text only, then fetch the few winners' details.
    candidates = await Question.raw(
        "SELECT q.id, q.search_folded FROM question q JOIN conference c ON c.id = q.conference "
        "WHERE q.id != {} AND q.state != 'withdrawn' AND (q.conference = {} OR (c.unit = {} AND q.created_at > {}))",
        question["id"], question["conference"], conference["unit"], since)
    if not candidates:
        return []
    target = question["search_folded"] or fold(question["title"] + " " + question["body"])
    matches = process.extract(target, [c["search_folded"] for c in candidates], scorer=fuzz.token_set_ratio,
                              limit=limit, score_cutoff=minimum)
    scores = {candidates[index]["id"]: round(score) for _text, score, index in matches}
    details = {row["id"]: row for row in await Question.select(
        Question.id, Question.tracking_code, Question.title, Question.state, Question.conference,
        Question.conference.title.as_alias("conference_title"),
    ).where(Question.id.is_in(list(scores) or [0]))}
    return [{**details[question_id], "score": score} for question_id, score in scores.items() if question_id in details]


# --- Routing --------------------------------------------------------------------------------

async def assign(actor: Actor, question_id: int, form: dict, now: dt.datetime, base_url: str,
                 lists: dict[str, list[str]] | None = None) -> None:
    """Route to one lead agency (and contributors), with the conference's answer deadline."""
    question = await for_organiser(actor, question_id)
    _check(question, "assign")
    lead = parse_id(form.get("lead_agency"))
    contributors = {a for a in (parse_id(v) for v in (lists or {}).get("contributing", [])) if a and a != lead}
    known = {row["id"] for row in await Agency.select(Agency.id).where(
        Agency.id.is_in(list({lead, *contributors} - {None}) or [0]) & (Agency.active == True))}  # noqa: E712
    if lead is None or lead not in known:
        raise InvalidInput({"lead_agency": _("Choose the agency that will answer.")})
    conference = await get_conference(question["conference"])
    due = (await working_calendar()).add_working_days(now, conference["answer_days"] or 10)
    async with write_transaction():
        await Assignment.update({Assignment.active: False}).where(
            (Assignment.question == question_id) & (Assignment.active == True))  # noqa: E712
        await Assignment.insert(
            Assignment(question=question_id, agency=lead, role="lead", assigned_at=now, due_on=due, active=True),
            *[Assignment(question=question_id, agency=a, role="contributing", assigned_at=now, due_on=due, active=True)
              for a in sorted(contributors & known)],
        )
    await _change(actor, question, "assign", now, base_url,
                  updates={"answer_due_on": due, "returned_by_agency": False},
                  details={"lead": lead, "contributing": sorted(contributors & known), "due_on": due.isoformat()},
                  notify=question["state"] != "assigned")


async def accept_and_route(actor: Actor, question_ids: list[int], now: dt.datetime, base_url: str) -> int:
    """The common case in bulk: accept each submitted question and route it to its topic's agency."""
    done = 0
    for question_id in question_ids[:200]:
        question = await for_organiser(actor, question_id)
        if question["state"] == "submitted":
            await _change(actor, question, "accept", now, base_url, updates={"decision_reason": ""})
            question = await get_question(question_id)
        if question["state"] == "accepted":
            topic = await Question.select(Question.topic.default_agency.as_alias("agency")) \
                .where(Question.id == question_id).first()
            if topic["agency"]:
                await assign(actor, question_id, {"lead_agency": str(topic["agency"])}, now, base_url)
                done += 1
    return done


async def agency_question(actor: Actor, question_id: int) -> tuple[dict, list[dict]]:
    """A question as an agency sees it: only if assigned to the actor's agency (lead or contributing)."""
    question = await get_question(question_id)
    assignments = await Assignment.select(Assignment.all_columns(), Assignment.agency.short_name.as_alias("agency_name")) \
        .where((Assignment.question == question_id) & (Assignment.active == True))  # noqa: E712
    require(actor, "answer", ObjectScope(agency_ids=frozenset(a["agency"] for a in assignments)))
    return question, assignments


async def return_to_organisers(actor: Actor, question_id: int, reason: str, now: dt.datetime, base_url: str) -> None:
    """'Not ours': the lead agency sends the question back to screening, with its reason."""
    question, assignments = await agency_question(actor, question_id)
    lead = [a for a in assignments if a["role"] == "lead" and a["agency"] == actor.agency_id]
    if not lead:
        raise Conflict(_("Only the lead agency can return a question."))
    reason = tidy(reason)[:2000]
    if not reason:
        raise InvalidInput({"reason": _("Say why this is not for your agency, so the organisers can route it.")})
    _check(question, "return")
    async with write_transaction():
        await Assignment.update({Assignment.active: False, Assignment.returned_reason: reason}) \
            .where((Assignment.question == question_id) & (Assignment.active == True))  # noqa: E712
    await _change(actor, question, "return", now, base_url, updates={"returned_by_agency": True, "answer_due_on": None},
                  reason=reason, notify=False)


# --- Lists ----------------------------------------------------------------------------------

async def queue(actor: Actor, conference_id: int, filters: dict, now: dt.datetime, page: int = 1) -> dict:
    """The screening queue of one conference: filtered, searched, oldest first, paginated."""
    conference = await get_conference(conference_id)
    require(actor, "organise", await scope_of_unit(conference["unit"]))
    today = local_today(now)
    where = [Question.conference == conference_id]
    if filters.get("state") in {s.value for s in Question.State}:
        where.append(Question.state == filters["state"])
    if filters.get("returned") == "yes":
        where.append(Question.returned_by_agency == True)  # noqa: E712
    for key, column in (("topic", Question.topic), ("unit", Question.unit)):
        value = parse_id(filters.get(key))
        if value:
            where.append(column == value)
    if filters.get("asker_kind") in {k.value for k in Question.AskerKind}:
        where.append(Question.asker_kind == filters["asker_kind"])
    agency = parse_id(filters.get("agency"))
    if agency:
        where.append(Question.id.is_in(Assignment.select(Assignment.question).where(
            (Assignment.agency == agency) & (Assignment.active == True))))  # noqa: E712
    if filters.get("overdue") == "yes":
        where.append(((Question.state == "submitted") & (Question.screening_due_on < today))
                     | ((Question.state == "assigned") & (Question.answer_due_on < today)))
    for word in fold(filters.get("q", "")).split()[:8]:
        where.append(Question.search_folded.like(f"%{word[:50]}%"))

    query = Question.select(
        Question.id, Question.tracking_code, Question.title, Question.asker_kind, Question.state, Question.created_at,
        Question.screening_due_on, Question.answer_due_on, Question.returned_by_agency,
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
        Assignment.question.is_in(ids or [0]) & (Assignment.active == True) & (Assignment.role == "lead"))}  # noqa: E712
    calendar = await working_calendar()
    for row in rows:
        row["lead_agency"] = leads.get(row["id"], "")
        row["due"] = deadline(row, calendar, today)
    counts = await state_counts(conference_id)
    return {"conference": conference, "rows": rows, "total": total, "page": page,
            "pages": max(1, -(-total // PAGE)), "counts": counts}


def deadline(row: dict, calendar: WorkingCalendar, today: dt.date) -> dict | None:
    """The deadline that matters now: screening for a new question, the answer once routed."""
    due = row["screening_due_on"] if row["state"] == "submitted" else row["answer_due_on"] \
        if row["state"] == "assigned" else None
    if due is None:
        return None
    return {"on": due, "left": calendar.working_days_left(today, due), "overdue": today > due}


async def agency_inbox(actor: Actor, now: dt.datetime, state: str = "") -> list[dict]:
    """The actor's agency's active assignments, soonest due first. Only ever their own agency's."""
    if actor.agency_id is None:
        return []
    query = Assignment.select(
        Assignment.role, Assignment.due_on, Assignment.assigned_at, Assignment.question.id.as_alias("id"),
        Assignment.question.id.as_alias("question_id"),
        Assignment.question.tracking_code.as_alias("tracking_code"), Assignment.question.title.as_alias("title"),
        Assignment.question.state.as_alias("state"), Assignment.question.answer_mode.as_alias("answer_mode"),
        Assignment.question.topic.name_vi.as_alias("topic_vi"), Assignment.question.topic.name_en.as_alias("topic_en"),
    ).where((Assignment.agency == actor.agency_id) & (Assignment.active == True))  # noqa: E712
    if state in ("lead", "contributing"):
        query = query.where(Assignment.role == state)
    rows = await query.order_by(Assignment.due_on)
    states = {a["question"]: a["state"] for a in await Answer.select(Answer.question, Answer.state).where(
        Answer.question.is_in([r["id"] for r in rows] or [0]))}
    calendar, today = await working_calendar(), local_today(now)
    for row in rows:
        row["answer_state"] = states.get(row["id"], "")
        row["due"] = {"on": row["due_on"], "left": calendar.working_days_left(today, row["due_on"]),
                      "overdue": today > row["due_on"]} if row["due_on"] else None
    return rows


def inbox_counts(items: list[dict]) -> dict[str, int]:
    """The agency's dashboard figures, from its inbox."""
    return {
        "total": len(items),
        "overdue": sum(1 for i in items if i["due"] and i["due"]["overdue"]),
        "due_soon": sum(1 for i in items if i["due"] and not i["due"]["overdue"] and i["due"]["left"] <= 2),
        "to_approve": sum(1 for i in items if i["answer_state"] == "submitted" and i["role"] == "lead"),
        "not_started": sum(1 for i in items if not i["answer_state"] and i["role"] == "lead"),
    }
