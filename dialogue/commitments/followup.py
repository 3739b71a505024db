"""A commitment's life after the conference: the lead agency starts the work, posts progress and
reports it done; the organisers verify it (with its outcome), extend its date, cancel it, or
dispute the report, which reopens the work. Every step goes through `transition()` (permission on
the commitment itself, version check, log entry, live event, e-mails in one transaction), and every
public step tells the asker and the question's followers once.

Overdue is derived here, from the due date and the working-day calendar; it is never stored."""

from __future__ import annotations

import datetime as dt

from dialogue.commitments.commands import too_far_ahead
from dialogue.commitments.machine import COMMITMENT, EVIDENCE, INSPECTORS, LEAD, ORGANISERS, PARTNERS, PROGRESS, WHO
from dialogue.commitments.queries import overdue_days  # noqa: F401  (re-exported: the follow-up's rule)
from dialogue.commitments.tables import Commitment, CommitmentAgency, CommitmentFile, CommitmentUpdate
from dialogue.core import uploads
from dialogue.core.calendar import local_today
from dialogue.core.db import write_transaction
from dialogue.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from dialogue.core.i18n import gettext as _
from dialogue.core.text import paragraphs, parse_day, tidy, valid_id
from dialogue.machine import events, log
from dialogue.machine.actors import Actor, ObjectScope, may
from dialogue.machine.transitions import transition
from dialogue.mail import outbox
from dialogue.questions.intake import display_code
from dialogue.questions.screening import get_question
from dialogue.questions.tracking import update_mails
from dialogue.reference.units import unit_path

MAX_NOTE = 2000
MAX_REASON = 1000
OUTCOMES = tuple(o.value for o in Commitment.Outcome)


# --- Reading ------------------------------------------------------------------------------------------------

async def get_commitment(commitment_id: int) -> dict:
    """A commitment with its lead agency's name, its conference's unit and title, and its cooperating agencies."""
    row = await Commitment.select(
        Commitment.all_columns(), Commitment.lead_agency.name.as_alias("lead_agency_name"),
        Commitment.conference.unit.as_alias("conference_unit"),
        Commitment.conference.title.as_alias("conference_title"),
    ).where(Commitment.id == commitment_id).first() if valid_id(commitment_id) else None
    if row is None:
        raise NotFound(_("There is no such commitment."))
    partners = await CommitmentAgency.select(
        CommitmentAgency.agency, CommitmentAgency.agency.name.as_alias("agency_name"),
    ).where(CommitmentAgency.commitment == row["id"]).order_by(CommitmentAgency.id)
    row["cooperating_ids"] = [p["agency"] for p in partners]
    row["cooperating"] = [p["agency_name"] for p in partners]
    return row


async def scopes_of(commitment: dict) -> dict[str, ObjectScope]:
    """Where the commitment belongs, for each kind of actor of WHO."""
    path = await unit_path(commitment["conference_unit"])
    return {
        LEAD: ObjectScope(unit_path=path, agency_ids=frozenset({commitment["lead_agency"]})),
        PARTNERS: ObjectScope(unit_path=path,
                              agency_ids=frozenset({commitment["lead_agency"], *commitment["cooperating_ids"]})),
        ORGANISERS: ObjectScope(unit_path=path),
        INSPECTORS: ObjectScope(unit_path=path),
    }


PERMISSION = {LEAD: "work_on_commitment", PARTNERS: "work_on_commitment", ORGANISERS: "organise",
              INSPECTORS: "inspect"}


def _permitted(actor: Actor, action: str, scopes: dict[str, ObjectScope]) -> tuple[str, ObjectScope] | None:
    """The permission and scope under which the actor may take this step, or None."""
    for who in sorted(WHO[action]):
        if may(actor, PERMISSION[who], scopes[who]):
            return PERMISSION[who], scopes[who]
    return None


async def allowed_actions(actor: Actor, commitment: dict) -> frozenset[str]:
    """What this actor may do to this commitment now: the machine allows it from the present state
    and the actor may act on it. The pages show a form for each, and only for these."""
    scopes = await scopes_of(commitment)
    possible = set(COMMITMENT.allowed(commitment["state"])) - {"record"}
    if COMMITMENT.is_in("takes_progress", commitment["state"]):
        possible.add("progress")
    return frozenset(a for a in possible if _permitted(actor, a, scopes) is not None)


async def may_read(actor: Actor, commitment: dict) -> bool:
    scopes = await scopes_of(commitment)
    return may(actor, "read", scopes[PARTNERS])


# --- Steps --------------------------------------------------------------------------------------------------

async def _checked(actor: Actor, commitment_id: int, action: str) -> tuple[dict, tuple[str, ObjectScope]]:
    """The commitment, if this actor may take this step on it and its state allows the step now:
    asked before the form is read, so that no one learns anything from a form they may not use."""
    commitment = await get_commitment(commitment_id)
    permitted = _permitted(actor, action, await scopes_of(commitment))
    if permitted is None:
        raise Forbidden(_("You do not have permission to do this."))
    allowed = COMMITMENT.is_in("takes_progress", commitment["state"]) if action == "progress" \
        else COMMITMENT.allows(commitment["state"], action)
    if not allowed:
        raise Conflict(_("This cannot be done from the present state. Reload the page to see what changed."))
    return commitment, permitted


async def _step(actor: Actor, checked: tuple[dict, tuple[str, ObjectScope]], action: str, now: dt.datetime,
                base_url: str, *, updates: dict | None = None, reason: str = "", details: dict | None = None,
                mail_context: dict | None = None) -> dict:
    commitment, (permission, scope) = checked

    async def mails(current: dict):
        return await commitment_mails(current, action, now, base_url, reason=reason, **(mail_context or {}))

    return await transition(
        COMMITMENT, actor, commitment, action, now=now, permission=permission, scope=scope,
        updates={"updated_at": now, "version": commitment["version"] + 1, **(updates or {})},
        expect={"version": commitment["version"]}, reason=reason, details=details, mails=mails,
        channels=_channels(commitment))


def _channels(commitment: dict) -> list[str]:
    channels = [f"conference:{commitment['conference']}"]
    if commitment["question"] is not None:
        channels.append(f"question:{commitment['question']}")
    return channels


def _reason(form: dict, key: str, missing: str) -> str:
    reason = paragraphs(form.get(key))
    if not reason:
        raise InvalidInput({key: missing})
    if len(reason) > MAX_REASON:
        raise InvalidInput({key: _("Use at most %(count)s characters.", count=MAX_REASON)})
    return reason


async def start(actor: Actor, commitment_id: int, now: dt.datetime, base_url: str) -> dict:
    return await _step(actor, await _checked(actor, commitment_id, "start"), "start", now, base_url)


async def resume(actor: Actor, commitment_id: int, now: dt.datetime, base_url: str) -> dict:
    return await _step(actor, await _checked(actor, commitment_id, "resume"), "resume", now, base_url)


async def report_done(actor: Actor, commitment_id: int, form: dict, now: dt.datetime, base_url: str) -> dict:
    """The lead agency says the work is done and what was done; the organisers then verify it."""
    checked = await _checked(actor, commitment_id, "report_done")
    summary = paragraphs(form.get("summary"))
    if not summary:
        raise InvalidInput({"summary": _("Say what was done.")})
    if len(summary) > MAX_NOTE:
        raise InvalidInput({"summary": _("Use at most %(count)s characters.", count=MAX_NOTE)})
    return await _step(actor, checked, "report_done", now, base_url, reason=summary,
                       updates={"done_summary": summary, "progress": 100})


async def verify(actor: Actor, commitment_id: int, form: dict, now: dt.datetime, base_url: str) -> dict:
    """The organisers check the report and record the outcome: kept, partly kept or not kept."""
    checked = await _checked(actor, commitment_id, "verify")
    outcome = tidy(form.get("outcome"))
    if outcome not in OUTCOMES:
        raise InvalidInput({"outcome": _("Choose whether the commitment was kept, partly kept or not kept.")})
    note = paragraphs(form.get("note"))[:MAX_REASON]
    return await _step(actor, checked, "verify", now, base_url, reason=note, details={"outcome": outcome},
                       updates={"outcome": outcome, "closed_at": now}, mail_context={"outcome": outcome})


async def dispute(actor: Actor, commitment_id: int, form: dict, now: dt.datetime, base_url: str) -> dict:
    """The asker or an inspection says it was not done: the organisers record why; the work reopens."""
    checked = await _checked(actor, commitment_id, "dispute")
    reason = _reason(form, "reason", _("Say why the report is disputed."))
    # Disputed after verification: the recorded outcome no longer holds.
    return await _step(actor, checked, "dispute", now, base_url, reason=reason,
                       updates={"outcome": None, "closed_at": None})


async def cancel(actor: Actor, commitment_id: int, form: dict, now: dt.datetime, base_url: str) -> dict:
    checked = await _checked(actor, commitment_id, "cancel")
    reason = _reason(form, "reason", _("Give the public reason for cancelling."))
    return await _step(actor, checked, "cancel", now, base_url, reason=reason, updates={"closed_at": now})


async def extend(actor: Actor, commitment_id: int, form: dict, now: dt.datetime, base_url: str) -> dict:
    """A new due date with a public reason. The first due date is kept and shown with the new one:
    an extension is not a failure, but it is not hidden either."""
    checked = await _checked(actor, commitment_id, "extend")
    commitment = checked[0]
    errors = {}
    new_due = parse_day(form.get("due_on"))
    if new_due is None:
        errors["due_on"] = _("Enter a date as dd/mm/yyyy, for example 31/03/2027.")
    elif new_due <= commitment["due_on"] or new_due < local_today(now):
        errors["due_on"] = _("The new date must be after the present due date and not in the past.")
    elif message := too_far_ahead(new_due, now):
        errors["due_on"] = message
    reason = paragraphs(form.get("reason"))
    if not reason:
        errors["reason"] = _("Give the public reason for the extension.")
    elif len(reason) > MAX_REASON:
        errors["reason"] = _("Use at most %(count)s characters.", count=MAX_REASON)
    if errors:
        raise InvalidInput(errors)
    return await _step(
        actor, checked, "extend", now, base_url, reason=reason,
        details={"from_due_on": commitment["due_on"].isoformat(), "to_due_on": new_due.isoformat()},
        updates={"due_on": new_due, "original_due_on": commitment["original_due_on"] or commitment["due_on"]},
        mail_context={"previous_due_on": commitment["due_on"]})


async def post_progress(actor: Actor, commitment_id: int, form: dict, now: dt.datetime, base_url: str) -> int:
    """A progress note by the lead or a cooperating agency: public, on the timeline; the lead's
    percentage becomes the commitment's. Not a change of state, but logged and told like one."""
    commitment, _permission = await _checked(actor, commitment_id, "progress")
    errors = {}
    note = paragraphs(form.get("note"))
    if not note:
        errors["note"] = _("Write what has been done so far.")
    elif len(note) > MAX_NOTE:
        errors["note"] = _("Use at most %(count)s characters.", count=MAX_NOTE)
    raw_percent = tidy(form.get("percent"))
    percent = None
    if raw_percent:
        if raw_percent.isascii() and raw_percent.isdigit() and int(raw_percent) <= 100:
            percent = int(raw_percent)
        else:
            errors["percent"] = _("Enter a whole number from 0 to 100.")
    if errors:
        raise InvalidInput(errors)
    agency = actor.agency_id if actor.agency_id is not None else commitment["lead_agency"]
    async with write_transaction():
        changed = await Commitment.update({
            Commitment.updated_at: now, Commitment.version: commitment["version"] + 1,
            **({Commitment.progress: percent} if percent is not None and agency == commitment["lead_agency"] else {}),
        }).where((Commitment.id == commitment["id"]) & (Commitment.version == commitment["version"])
                 & (Commitment.state == commitment["state"])).returning(Commitment.id)
        if not changed:
            raise Conflict(_("Someone else changed this at the same time. Reload the page to see what changed."))
        rows = await CommitmentUpdate.insert(CommitmentUpdate(
            commitment=commitment["id"], agency=agency, note=note, percent=percent, author=actor.staff_id, at=now,
        )).returning(CommitmentUpdate.id)
        await log.record(actor, PROGRESS, "commitment", commitment["id"], at=now, reason=note,
                         details={"percent": percent, "agency": agency, "update": rows[0]["id"]})
        await outbox.add(*await commitment_mails(commitment, "progress", now, base_url, note=note, percent=percent))
        await events.record(now, [f"commitment:{commitment['id']}", *_channels(commitment)], PROGRESS,
                            {"entity": "commitment", "id": commitment["id"]})
    return rows[0]["id"]


async def record_by_organiser(actor: Actor, conference: dict, question_id: int | None, form: dict,
                              now: dt.datetime) -> int:
    """A commitment the organisers enter by hand after the conference, for one of its questions."""
    from dialogue.commitments.commands import record

    if question_id is not None:
        question = await get_question(question_id)
        if question["conference"] != conference["id"]:
            raise NotFound(_("There is no such question."))
    return await record(actor, conference, question_id, form, now, origin=Commitment.Origin.organiser.value,
                        permission="organise")


# --- Evidence: documents and photos on the public timeline -----------------------------------------------------

MAX_EVIDENCE = 20  # files per commitment


async def attach_evidence(actor: Actor, commitment_id: int, filename: str, data: bytes, now: dt.datetime,
                          base_url: str) -> int:
    """A document or photo showing the work, by the lead or a cooperating agency: the answers' upload
    rules (type from the content, size), and a photo's metadata (EXIF, with where it was taken)
    removed before it is stored, since the public sees it."""
    commitment, _permission = await _checked(actor, commitment_id, "progress")
    name, content_type, cleaned = uploads.public_file(filename, data)
    if await CommitmentFile.count().where(CommitmentFile.commitment == commitment["id"]) >= MAX_EVIDENCE:
        raise InvalidInput({"file": _("A commitment can have at most %(n)s files.", n=MAX_EVIDENCE)})
    agency = actor.agency_id if actor.agency_id is not None else commitment["lead_agency"]
    async with write_transaction():
        rows = await CommitmentFile.insert(CommitmentFile(
            commitment=commitment["id"], agency=agency, filename=name, content_type=content_type, size=len(cleaned),
            data=cleaned, uploaded_by=actor.staff_id, created_at=now,
        )).returning(CommitmentFile.id)
        await log.record(actor, EVIDENCE, "commitment", commitment["id"], at=now, reason=name,
                         details={"file": rows[0]["id"], "bytes": len(cleaned), "agency": agency})
        await events.record(now, [f"commitment:{commitment['id']}", *_channels(commitment)], EVIDENCE,
                            {"entity": "commitment", "id": commitment["id"]})
    return rows[0]["id"]


# --- E-mails ------------------------------------------------------------------------------------------------

SUBJECTS = {
    "start": lambda code: _("Work has started on a commitment for your question %(code)s", code=code),
    "progress": lambda code: _("Progress on a commitment for your question %(code)s", code=code),
    "report_done": lambda code: _("A commitment for your question %(code)s is reported done", code=code),
    "verify": lambda code: _("A commitment for your question %(code)s has been verified", code=code),
    "dispute": lambda code: _("The report on a commitment for your question %(code)s is disputed", code=code),
    "resume": lambda code: _("Work has resumed on a commitment for your question %(code)s", code=code),
    "extend": lambda code: _("A commitment for your question %(code)s has a new due date", code=code),
    "cancel": lambda code: _("A commitment for your question %(code)s has been cancelled", code=code),
}


async def commitment_mails(commitment: dict, event: str, now: dt.datetime, base_url: str, **context) -> list:
    """One e-mail per person for this event: the asker (if they gave an address) and the question's
    confirmed followers. A commitment of the chair's general conclusions has no asker to tell."""
    if commitment["question"] is None or event not in SUBJECTS:
        return []
    question = await get_question(commitment["question"])
    code = display_code(question["tracking_code"])
    return await update_mails(question, "commitment_update", lambda: SUBJECTS[event](code), now, base_url,
                              commitment=commitment, event=event, **{"reason": "", **context})
