"""Reminders about commitments, run by the same job as the questions' deadline reminders:

- to the lead agency's head, DUE_SOON_DAYS working days before the due date;
- to the organisers of the conference's unit once the commitment is overdue;
- to the unit's leadership (its viewers) once it is overdue by more than the escalation threshold
  (COMMITMENT_ESCALATION_DAYS working days);
- to the question's asker, CONFIRMATION_DAYS calendar days after each report of "done": was it really
  done? (commitments/confirmation.py; once per report, claimed by the unique report of its request).

Each is sent once per commitment, threshold and due date (a unique key in commitment_reminder: of
two workers only one inserts it, and only that one sends, in the same transaction). An extension
gives the new date its own reminders. Each person gets one e-mail per run and unit listing their
commitments, never one per commitment.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from dialogue.accounts.tables import StaffUser
from dialogue.commitments import confirmation
from dialogue.commitments.machine import COMMITMENT
from dialogue.commitments.queries import overdue_days
from dialogue.commitments.tables import Commitment, CommitmentReminder
from dialogue.core.calendar import local_today
from dialogue.core.db import write_transaction
from dialogue.core.i18n import ngettext
from dialogue.machine.actors import Role
from dialogue.mail import outbox
from dialogue.reference.calendar import working_calendar
from dialogue.reference.tables import AdminUnit

DUE_SOON_DAYS = 5  # working days before the due date


async def _claim(commitment: dict, kind: str, now: dt.datetime) -> bool:
    """True for the one caller that records this reminder first."""
    key = f"{commitment['id']}:{kind}:{commitment['due_on'].isoformat()}"
    rows = await CommitmentReminder.insert(
        CommitmentReminder(key=key, commitment=commitment["id"], kind=kind, sent_at=now)
    ).on_conflict(action="DO NOTHING").returning(CommitmentReminder.id)
    return bool(rows)


SUBJECTS = {
    "commitment_due_soon": lambda n: ngettext("A commitment of your agency falls due soon",
                                              "%(num)s commitments of your agency fall due soon", n),
    "commitment_overdue": lambda n: ngettext("A commitment is overdue", "%(num)s commitments are overdue", n),
    "commitment_escalated": lambda n: ngettext("A commitment is long overdue", "%(num)s commitments are long overdue",
                                               n),
}


async def tick(now: dt.datetime, base_url: str, escalation_days: int = 10, confirmation_days: int = 7,
               confirmation_link_days: int = 30) -> dict[str, int]:
    """One run. Returns how many e-mails it queued of each kind."""
    today = local_today(now)
    calendar = await working_calendar()
    items = await Commitment.select(
        Commitment.id, Commitment.text, Commitment.due_on, Commitment.state, Commitment.lead_agency,
        Commitment.lead_agency.name.as_alias("agency_name"), Commitment.conference.unit.as_alias("unit"),
        Commitment.conference.title.as_alias("conference_title"),
    ).where(Commitment.state.is_in(sorted(COMMITMENT.sets["live"])))
    sent = dict.fromkeys(SUBJECTS, 0)
    async with write_transaction():
        due_soon, overdue, escalated = defaultdict(list), defaultdict(list), defaultdict(list)
        for item in items:
            late = overdue_days(item, today, calendar)
            if late > escalation_days and await _claim(item, "escalated", now):
                escalated[item["unit"]].append({**item, "late": late})
            if late > 0:
                if await _claim(item, "overdue", now):
                    overdue[item["unit"]].append({**item, "late": late})
            elif today <= item["due_on"] and calendar.working_days_left(today, item["due_on"]) <= DUE_SOON_DAYS \
                    and await _claim(item, "due_soon", now):
                due_soon[item["lead_agency"], item["unit"]].append({**item, "late": 0})
        for (agency_id, unit_id), agency_items in due_soon.items():
            heads = await StaffUser.select(StaffUser.email, StaffUser.language).where(
                (StaffUser.agency == agency_id) & (StaffUser.role == Role.agency_head.value)
                & (StaffUser.active == True))
            sent["commitment_due_soon"] += await _send(heads, "commitment_due_soon", agency_items, unit_id, now,
                                                       base_url)
        for kind, by_unit, role in (("commitment_overdue", overdue, Role.organiser),
                                    ("commitment_escalated", escalated, Role.viewer)):
            for unit_id, unit_items in by_unit.items():
                people = await StaffUser.select(StaffUser.email, StaffUser.language).where(
                    (StaffUser.unit == unit_id) & (StaffUser.role == role.value) & (StaffUser.active == True))
                sent[kind] += await _send(people, kind, unit_items, unit_id, now, base_url)
        sent["commitment_confirm"] = await confirmation.send_requests(now, base_url, confirmation_days,
                                                                      confirmation_link_days)
    return sent


async def _send(people: list[dict], kind: str, items: list[dict], unit_id: int, now: dt.datetime,
                base_url: str) -> int:
    unit = await AdminUnit.select(AdminUnit.name).where(AdminUnit.id == unit_id).first()
    for person in people:
        await outbox.enqueue(
            to=person["email"], template="commitment_reminder", language_code=person["language"],
            subject=lambda n=len(items): SUBJECTS[kind](n), kind=kind, now=now, unit_id=unit_id,
            reminder=kind, items=items, base_url=base_url, conference={"unit_name": unit["name"] if unit else ""})
    return len(people)
