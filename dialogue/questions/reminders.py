"""Deadline reminders: agency heads before their items fall due, organisers once they are overdue.

Each item is reminded once per threshold (a unique key in reminder_sent: of two workers only one
inserts it, and only that one sends, in the same transaction), and each person gets one e-mail per
run and unit listing their items, never one per item; each e-mail is filed under that one unit.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from dialogue.accounts.tables import StaffUser
from dialogue.conferences.tables import Conference
from dialogue.core.calendar import local_today
from dialogue.core.db import write_transaction
from dialogue.core.i18n import gettext as _
from dialogue.machine.actors import Role
from dialogue.mail import outbox
from dialogue.questions.intake import display_code
from dialogue.questions.machine import QUESTION
from dialogue.questions.tables import Assignment, ReminderSent
from dialogue.reference.calendar import working_calendar

DUE_SOON_DAYS = 2  # working days before the due date


async def _claim(assignment_id: int, kind: str, now: dt.datetime) -> bool:
    """True for the one caller that records this reminder first."""
    rows = await ReminderSent.insert(
        ReminderSent(key=f"{assignment_id}:{kind}", assignment=assignment_id, kind=kind, sent_at=now)
    ).on_conflict(action="DO NOTHING").returning(ReminderSent.id)
    return bool(rows)


async def tick(now: dt.datetime, base_url: str) -> dict[str, int]:
    """One run of the reminder job. Returns how many e-mails it queued of each kind."""
    today = local_today(now)
    calendar = await working_calendar()
    items = await Assignment.select(
        Assignment.id, Assignment.agency, Assignment.due_on, Assignment.question.id.as_alias("question_id"),
        Assignment.question.title.as_alias("title"), Assignment.question.tracking_code.as_alias("code"),
        Assignment.question.conference.as_alias("conference"), Assignment.agency.name.as_alias("agency_name"),
        Assignment.question.conference.unit.as_alias("unit"),
    ).where((Assignment.active == True) & (Assignment.role == Assignment.Role.lead.value)
            & Assignment.question.state.is_in(sorted(QUESTION.sets["with_agency"])) & Assignment.due_on.is_not_null())
    sent = {"due_soon": 0, "overdue": 0}
    # Recording a reminder and queuing its e-mail are one transaction: a crash between them can
    # neither lose a reminder (recorded, never sent) nor send one twice.
    async with write_transaction():
        due_soon, overdue = defaultdict(list), defaultdict(list)
        for item in items:
            left = calendar.working_days_left(today, item["due_on"])
            if today > item["due_on"]:
                if await _claim(item["id"], "overdue", now):
                    overdue[item["unit"]].append(item)
            elif left <= DUE_SOON_DAYS and await _claim(item["id"], "due_soon", now):
                # Per agency and unit: a province's agency serves several communes, and each e-mail
                # is filed under one unit, whose organisers read it in their mail view.
                due_soon[item["agency"], item["unit"]].append(item)
        for (agency_id, unit_id), agency_items in due_soon.items():
            heads = await StaffUser.select(StaffUser.email, StaffUser.language).where(
                (StaffUser.agency == agency_id) & (StaffUser.role == Role.agency_head.value)
                & (StaffUser.active == True))
            for head in heads:
                await outbox.enqueue(
                    to=head["email"], template="reminder_due_soon", language_code=head["language"],
                    subject=lambda n=len(agency_items): _("%(n)s questions for your agency fall due soon", n=n),
                    kind="reminder_due_soon", now=now, unit_id=unit_id,
                    items=[{**i, "code": display_code(i["code"])} for i in agency_items], base_url=base_url,
                    conference={"unit_name": agency_items[0]["agency_name"]})
                sent["due_soon"] += 1
        for unit_id, unit_items in overdue.items():
            organisers = await StaffUser.select(StaffUser.email, StaffUser.language).where(
                (StaffUser.unit == unit_id) & (StaffUser.role == Role.organiser.value) & (StaffUser.active == True))
            unit = await Conference.select(Conference.unit.name.as_alias("unit_name")).where(
                Conference.unit == unit_id).first()
            for organiser in organisers:
                await outbox.enqueue(
                    to=organiser["email"], template="reminder_overdue", language_code=organiser["language"],
                    subject=lambda n=len(unit_items): _("%(n)s questions are overdue at their agencies", n=n),
                    kind="reminder_overdue", now=now, unit_id=unit_id,
                    items=[{**i, "code": display_code(i["code"])} for i in unit_items], base_url=base_url,
                    conference={"unit_name": unit["unit_name"] if unit else ""})
                sent["overdue"] += 1
    return sent
