"""Routing: a question goes to one lead agency (and any contributing agencies) with the answer's due
date; the lead agency may send it back ("not ours"). The assignments and the question's state change
together, in one transaction."""

from __future__ import annotations

import datetime as dt

from dialogue.conferences.queries import get_conference
from dialogue.core.calendar import WorkingCalendar
from dialogue.core.db import write_transaction
from dialogue.core.errors import Conflict, InvalidInput
from dialogue.core.i18n import gettext as _
from dialogue.core.text import parse_id, tidy
from dialogue.machine.actors import Actor, ObjectScope, require
from dialogue.questions.machine import QUESTION
from dialogue.questions.screening import BulkResult, change, for_each, for_organiser, get_question
from dialogue.questions.tables import Assignment
from dialogue.reference.calendar import working_calendar
from dialogue.reference.tables import Agency, Topic
from dialogue.reference.units import agencies_serving, unit_path

ACTIVE = Assignment.active == True


async def _deactivate_assignments(question_id: int, returned_reason: str = "") -> None:
    values = {Assignment.active: False}
    if returned_reason:
        values[Assignment.returned_reason] = returned_reason
    await Assignment.update(values).where((Assignment.question == question_id) & ACTIVE)


async def agencies_for(question: dict) -> list[dict]:
    """The agencies a question may be routed to: those of its area and of the units above it (a
    province's agencies serve its communes), never another commune's."""
    return await agencies_serving(await unit_path(question["unit"]))


async def assign(actor: Actor, question_id: int, form: dict, now: dt.datetime, base_url: str,
                 lists: dict[str, list[str]] | None = None, news: str = "") -> None:
    """Route to one lead agency (and contributors), with the conference's answer deadline."""
    question = await for_organiser(actor, question_id)
    QUESTION.target_of(question["state"], "assign")
    lead = parse_id(form.get("lead_agency"))
    contributors = {parse_id(v) for v in (lists or {}).get("contributing", []) if v} - {lead}
    # Whatever ids are posted: an agency of another unit would see the question and write its answer.
    serving = {agency["id"] for agency in await agencies_for(question)}
    errors = {}
    if lead not in serving:
        known = lead is not None and await Agency.exists().where((Agency.id == lead) & (Agency.active == True))
        errors["lead_agency"] = _not_serving() if known else _("Choose the agency that will answer.")
    if contributors - serving:
        errors["contributing"] = _not_serving()
    if errors:
        raise InvalidInput(errors)
    contributing = sorted(contributors)
    conference = await get_conference(question["conference"])
    due = (await working_calendar()).add_working_days(now, conference["answer_days"] or 10)

    async def swap_assignments(_current: dict) -> None:
        await _deactivate_assignments(question_id)
        await Assignment.insert(
            Assignment(question=question_id, agency=lead, role=Assignment.Role.lead.value, assigned_at=now,
                       due_on=due, active=True),
            *[Assignment(question=question_id, agency=a, role=Assignment.Role.contributing.value, assigned_at=now,
                         due_on=due, active=True) for a in contributing],
        )

    await change(actor, question, "assign", now, base_url, updates={"answer_due_on": due, "returned_by_agency": False},
                 details={"lead": lead, "contributing": contributing, "due_on": due.isoformat()},
                 notify=not QUESTION.is_in("with_agency", question["state"]), also=swap_assignments, news=news)


def _not_serving() -> str:
    return _("This agency does not serve the area of the question: choose agencies from the list.")


async def default_agency(question: dict) -> int | None:
    """The topic's usual agency, if it serves this question (a topic's agency may belong to another
    unit: a topic of another area taken before topics had units, or an agency moved since)."""
    topic = await Topic.select(Topic.default_agency).where(Topic.id == question["topic"]).first()
    agency = topic["default_agency"] if topic else None
    return agency if agency in {a["id"] for a in await agencies_for(question)} else None


def bulk_routable(state: str) -> bool:
    """What "accept and route to the topic's agency" can take: new or accepted, not yet routed."""
    return QUESTION.allows(state, "accept") or (QUESTION.allows(state, "assign")
                                                and not QUESTION.is_in("with_agency", state))


async def accept_and_route(actor: Actor, question_ids: list[int], now: dt.datetime, base_url: str,
                           conference_id: int | None = None) -> BulkResult:
    """The common case in bulk: accept each new question and route it to its topic's agency. For
    each question it is one step: both changes or neither, and one e-mail that says both."""
    if conference_id is not None and not question_ids:
        raise InvalidInput({"questions": _("Choose at least one question in the list.")})

    async def one(question: dict) -> None:
        if not bulk_routable(question["state"]):
            raise Conflict(_("It is not waiting to be accepted or routed."))
        agency = await default_agency(question)
        accepting = QUESTION.allows(question["state"], "accept")
        if agency is None:  # accepted, and left for the organisers to route by hand
            if accepting:
                await change(actor, question, "accept", now, base_url, updates={"decision_reason": ""})
            raise Conflict(_("Its topic has no usual agency for its area: route it from its own page.")
                           if not accepting else
                           _("Accepted, but its topic has no usual agency for its area: route it from its own page."))
        async with write_transaction():
            if accepting:
                await change(actor, question, "accept", now, base_url, updates={"decision_reason": ""}, notify=False)
            await assign(actor, question["id"], {"lead_agency": str(agency)}, now, base_url,
                         news="accept_and_assign" if accepting else "")

    return await for_each(actor, conference_id, question_ids, one)


async def assignments_of(question_id: int, active_only: bool = True) -> list[dict]:
    query = Assignment.select(Assignment.all_columns(), Assignment.agency.short_name.as_alias("agency_name"),
                              Assignment.agency.name.as_alias("agency_full_name"))
    if active_only:
        return await query.where((Assignment.question == question_id) & ACTIVE)
    return await query.where(Assignment.question == question_id).order_by(Assignment.id, ascending=False)


def lead_of(assignments: list[dict], agency_id: int | None) -> dict | None:
    """The lead assignment, if it is this agency's: the one rule for "is this the lead agency"."""
    return next((a for a in assignments if a["role"] == Assignment.Role.lead.value and a["active"]
                 and agency_id is not None and a["agency"] == agency_id), None)


def contributes(assignments: list[dict], agency_id: int | None) -> bool:
    return any(a["role"] == Assignment.Role.contributing.value and a["active"] and a["agency"] == agency_id
               for a in assignments)


async def agency_question(actor: Actor, question_id: int) -> tuple[dict, list[dict]]:
    """A question as an agency sees it: only if assigned to the actor's agency (lead or contributing)."""
    question = await get_question(question_id)
    assignments = await assignments_of(question_id)
    require(actor, "answer", ObjectScope(agency_ids=frozenset(a["agency"] for a in assignments)))
    return question, assignments


async def return_to_organisers(actor: Actor, question_id: int, reason: str, now: dt.datetime, base_url: str) -> None:
    """'Not ours': the lead agency sends the question back to screening, with its reason."""
    question, assignments = await agency_question(actor, question_id)
    if lead_of(assignments, actor.agency_id) is None:
        raise Conflict(_("Only the lead agency can return a question."))
    reason = tidy(reason)[:2000]
    if not reason:
        raise InvalidInput({"reason": _("Say why this is not for your agency, so the organisers can route it.")})
    QUESTION.target_of(question["state"], "return")
    await change(actor, question, "return", now, base_url, updates={"returned_by_agency": True, "answer_due_on": None},
                 reason=reason, notify=False, permission="answer",
                 scope=ObjectScope(agency_ids=frozenset(a["agency"] for a in assignments)),
                 also=lambda _current: _deactivate_assignments(question_id, reason))


def deadline(row: dict, calendar: WorkingCalendar, today: dt.date) -> dict | None:
    """The deadline that matters now: screening for a new question, the answer once routed."""
    if QUESTION.is_in("screening", row["state"]):
        due = row["screening_due_on"]
    elif QUESTION.is_in("with_agency", row["state"]):
        due = row["answer_due_on"]
    else:
        return None
    return due_status(due, calendar, today)


def due_status(due: dt.date | None, calendar: WorkingCalendar, today: dt.date) -> dict | None:
    if due is None:
        return None
    return {"on": due, "left": calendar.working_days_left(today, due), "overdue": today > due}

