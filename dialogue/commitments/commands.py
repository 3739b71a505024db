"""Recording a commitment at the session: what will be done, the lead and cooperating agencies and
the due date (a date, or working days counted with the holiday calendar)."""

from __future__ import annotations

import datetime as dt

from dialogue.commitments.machine import COMMITMENT
from dialogue.commitments.tables import Commitment, CommitmentAgency
from dialogue.core.calendar import local_today
from dialogue.core.db import write_transaction
from dialogue.core.errors import InvalidInput
from dialogue.core.i18n import gettext as _
from dialogue.core.text import paragraphs, parse_day, parse_id, tidy
from dialogue.machine import events, log
from dialogue.machine.actors import Actor, ObjectScope, require
from dialogue.reference.calendar import working_calendar
from dialogue.reference.tables import Agency
from dialogue.reference.units import scope_of_unit

MAX_TEXT = 2000
MAX_DAYS = 365
# The latest due date a commitment may be given: a promise further off is no promise to follow up
# (and a date like 31/12/9999 is a typing slip). Used by the session's form, answers' promises and extensions.
MAX_YEARS_AHEAD = 3


def too_far_ahead(due: dt.date, now: dt.datetime) -> str | None:
    """The field message for a due date beyond MAX_YEARS_AHEAD years from today, else None."""
    today = local_today(now)
    leap_day = (today.month, today.day) == (2, 29)
    latest = today.replace(year=today.year + MAX_YEARS_AHEAD, day=28 if leap_day else today.day)
    if due <= latest:
        return None
    return _("A due date can be at most %(years)s years ahead: %(day)s at the latest.",
             years=MAX_YEARS_AHEAD, day=latest.strftime("%d/%m/%Y"))


async def validate(form: dict, now: dt.datetime, past_ok: bool = False) -> dict:
    """The commitment's values from its form; InvalidInput with every problem at once. `past_ok`: a
    date already checked when it was written (a promise in an answer published later) may have passed;
    no due date may lie more than MAX_YEARS_AHEAD years ahead."""
    errors: dict[str, str] = {}
    text = paragraphs(form.get("commitment_text"))
    if not text:
        errors["commitment_text"] = _("Say what will be done.")
    elif len(text) > MAX_TEXT:
        errors["commitment_text"] = _("Use at most %(count)s characters.", count=MAX_TEXT)
    lead = parse_id(form.get("lead_agency"))
    cooperating = {a for a in (parse_id(v) for v in (form.get("cooperating") or "").split(",")) if a and a != lead}
    known = {row["id"] for row in await Agency.select(Agency.id).where(
        Agency.id.is_in(list({lead, *cooperating} - {None}) or [0]) & (Agency.active == True))}
    if lead is None or lead not in known:
        errors["lead_agency"] = _("Choose the agency that leads the work.")
    day_raw, days_raw = tidy(form.get("due_on")), tidy(form.get("due_days"))
    due_on, due_days = None, None
    if days_raw:
        if not (days_raw.isascii() and days_raw.isdigit() and 1 <= int(days_raw) <= MAX_DAYS):
            errors["due_days"] = _("Enter a number of working days from 1 to %(count)s.", count=MAX_DAYS)
        else:
            due_days = int(days_raw)
            due_on = (await working_calendar()).add_working_days(now, due_days)
    elif day_raw:
        due_on = parse_day(day_raw)
        if due_on is None:
            errors["due_on"] = _("Enter a date as dd/mm/yyyy, for example 31/03/2027.")
        elif due_on < local_today(now) and not past_ok:
            errors["due_on"] = _("The due date cannot be in the past.")
        elif message := too_far_ahead(due_on, now):
            errors["due_on"] = message
    else:
        errors["due_on"] = _("Give a due date or a number of working days.")
    expected_output = paragraphs(form.get("expected_output"))
    if len(expected_output) > MAX_TEXT:
        errors["expected_output"] = _("Use at most %(count)s characters.", count=MAX_TEXT)
    if errors:
        raise InvalidInput(errors)
    return {"text": text, "expected_output": expected_output,
            "lead_agency": lead, "cooperating": sorted(cooperating & known), "due_on": due_on,
            "due_working_days": due_days}


async def record(actor: Actor, conference: dict, question_id: int | None, form: dict, now: dt.datetime,
                 origin: str = Commitment.Origin.session.value, permission: str = "record_session",
                 scope: ObjectScope | None = None, past_ok: bool = False) -> int:
    """A commitment made at the session (or entered by the organisers afterwards, or promised in a
    published answer), for a question or (question None) for the chair's conclusions. It starts
    open; the follow-up takes it from there. `scope`: where the actor's permission is checked, the
    conference's unit unless given (an answer's: its unit and the answering agency)."""
    require(actor, permission, scope or await scope_of_unit(conference["unit"]))
    state = COMMITMENT.target_of("", "record")
    values = await validate(form, now, past_ok)
    cooperating = values.pop("cooperating")
    async with write_transaction():
        rows = await Commitment.insert(Commitment(
            conference=conference["id"], question=question_id, state=state, origin=origin, version=1,
            created_by=actor.staff_id,
            created_at=now, updated_at=now, **values)).returning(Commitment.id)
        commitment_id = rows[0]["id"]
        if cooperating:
            await CommitmentAgency.insert(*[CommitmentAgency(commitment=commitment_id, agency=a) for a in cooperating])
        logged_as = COMMITMENT.logged_as("record")
        await log.record(actor, logged_as, "commitment", commitment_id, at=now, to_state=state, details={
            "conference": conference["id"], "question": question_id, "lead_agency": values["lead_agency"],
            "cooperating": cooperating, "due_on": values["due_on"], "origin": origin})
        channels = [f"commitment:{commitment_id}", f"conference:{conference['id']}"]
        if question_id is not None:
            channels.append(f"question:{question_id}")
        await events.record(now, channels, logged_as, {"entity": "commitment", "id": commitment_id, "from": "",
                                                       "to": state, "question": question_id})
    return commitment_id
