"""Ending the session (which drafts the documents), editing the drafts, publishing them and
correcting a published one. Publishing is one transaction: the documents get their numbers and
frozen renderings, the conference is concluded, every task of the notice goes to the follow-up as
a commitment, and the askers whose questions were dealt with are told by e-mail."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from dataclasses import dataclass, field

from dialogue.agenda.queries import items_of, session_of
from dialogue.agenda.tables import ConferenceSession
from dialogue.commitments.machine import COMMITMENT
from dialogue.commitments.queries import by_question, of_conference
from dialogue.commitments.tables import Commitment, CommitmentAgency
from dialogue.conferences import commands as conference_commands
from dialogue.conferences.machine import CONFERENCE
from dialogue.conferences.queries import get_conference
from dialogue.core.calendar import local_today
from dialogue.core.db import serialise, unique_violation, write_transaction
from dialogue.core.errors import Conflict, InvalidInput
from dialogue.core.i18n import gettext as _
from dialogue.core.text import paragraphs, parse_day, parse_id, tidy
from dialogue.core.vocabulary import N_, declare_action
from dialogue.documents.drafting import SYMBOLS, draft_contents, issuing_unit
from dialogue.documents.machine import DOCUMENT
from dialogue.documents.queries import agency_names, document_row, latest_of
from dialogue.documents.rendering import Rendering, render_all, view
from dialogue.documents.tables import ConferenceDocument
from dialogue.machine import events, log
from dialogue.machine.actors import Actor, require
from dialogue.machine.transitions import transition
from dialogue.mail import outbox
from dialogue.mail.tables import OutboxMessage
from dialogue.questions.intake import (
    chosen_contact,
    display_code,
    manage_url,
    phone_notice,
    signed_manage_token,
    tracking_url,
)
from dialogue.questions.tables import Question
from dialogue.reference.tables import Agency
from dialogue.reference.units import scope_of_unit

K = ConferenceDocument.Kind
MAX_TEXT = 20_000
MAX_LINE = 2_000
MAX_TASKS = 200

declare_action("session_ended", N_("ended the session"))
declare_action("document_drafted", N_("drafted the minutes and the conclusions notice"))
declare_action("document_edited", N_("edited the document"))
declare_action("commitment_updated", N_("changed the commitment in the conclusions notice"))


class DocumentConflict(Conflict):
    """Someone saved the draft since this writer loaded it: `current` is the draft as saved now."""

    def __init__(self, current: dict) -> None:
        super().__init__(_("Someone else saved this while you were writing. Your text is kept below; "
                           "compare it with the saved one and save again."))
        self.current = current


# --- Ending the session: the drafts ----------------------------------------------------------

async def _insert_draft(conference: dict, kind: str, content: dict, now: dt.datetime, *, edition: int = 1,
                        supersedes: int | None = None, note: str = "") -> int:
    rows = await ConferenceDocument.insert(ConferenceDocument(
        conference=conference["id"], unit=conference["unit"], kind=kind, edition=edition,
        state=ConferenceDocument.State.draft.value, year=local_today(now).year, symbol=SYMBOLS[kind],
        content=json.dumps(content, ensure_ascii=False), correction_note=note, supersedes=supersedes, version=1,
        created_at=now, updated_at=now)).returning(ConferenceDocument.id)
    return rows[0]["id"]


async def end_session(actor: Actor, conference_id: int, now: dt.datetime) -> bool:
    """The end of the session, pressed on the console: the end time (and the start time, if none
    was taken) and the drafts of both documents from what was recorded. A second press changes
    nothing; the answer says whether this one did."""
    conference = await get_conference(conference_id)
    require(actor, "record_session", await scope_of_unit(conference["unit"]))
    if not CONFERENCE.is_in("recording", conference["state"]):
        raise Conflict(_("The session is not in progress."))
    changed = False
    session = await session_of(conference_id)
    if session["ended_at"] is None:
        async with write_transaction():
            if session["id"] is None:
                await ConferenceSession.insert(ConferenceSession(
                    conference=conference_id, co_organiser=conference["co_organiser"], updated_at=now))
            started = session["started_at"] or min(conference["starts_at"] or now, now)
            ended = await ConferenceSession.update({
                ConferenceSession.ended_at: now, ConferenceSession.started_at: started,
                ConferenceSession.updated_at: now,
            }).where((ConferenceSession.conference == conference_id) & ConferenceSession.ended_at.is_null()) \
                .returning(ConferenceSession.id)
            if ended:
                await log.record(actor, "session_ended", "conference", conference_id, at=now,
                                 details={"ended_at": now, "started_at": started})
                await events.record(now, [f"conference:{conference_id}"], "session_ended",
                                    {"entity": "conference", "id": conference_id})
                changed = True
    if not await ConferenceDocument.exists().where(ConferenceDocument.conference == conference_id):
        contents = await draft_contents(conference)  # read before the write lock is taken
        async with write_transaction():
            await serialise(f"documents:{conference_id}")  # two "end" presses at once draft once
            if not await ConferenceDocument.exists().where(ConferenceDocument.conference == conference_id):
                ids = [await _insert_draft(conference, kind, contents[kind], now) for kind in (K.minutes, K.notice)]
                await log.record(actor, "document_drafted", "conference", conference_id, at=now,
                                 details={"documents": ids})
                changed = True
    return changed


# --- Editing a draft ---------------------------------------------------------------------------

def _text(form: dict, name: str, errors: dict, limit: int = MAX_TEXT, *, multiline: bool = True) -> str:
    value = paragraphs(form.get(name)) if multiline else tidy(form.get(name))
    if len(value) > limit:
        errors[name] = _("Use at most %(count)s characters.", count=limit)
    return value


def _minutes_content(form: dict, stored: dict, errors: dict) -> dict:
    content = {name: _text(form, name, errors, multiline=name in ("participants", "conclusions"))
               for name in ("summary", "time_line", "place_line", "participants", "conclusions", "closing_line",
                            "left_signer_title", "left_signer_name", "right_signer_title", "right_signer_name")}
    if not content["summary"]:
        errors["summary"] = _("Give the document's summary line.")
    items = []
    for n, item in enumerate(stored.get("items", [])):
        items.append({"question_id": item.get("question_id"), **{
            name: _text(form, f"item-{n}-{name}", errors, multiline=name in ("question", "answer", "commitments"))
            for name in ("heading", "asker", "question", "answer", "outcome", "commitments")}})
    content["items"] = items
    return content


async def _notice_content(form: dict, stored: dict, errors: dict, now: dt.datetime) -> dict:
    content = {name: _text(form, name, errors, multiline=name in ("opening", "conclusions", "recipients"))
               for name in ("summary", "opening", "conclusions", "recipients", "signer_authority", "signer_position",
                            "signer_name")}
    if not content["summary"]:
        errors["summary"] = _("Give the document's summary line.")
    active = {row["id"] for row in await Agency.select(Agency.id).where(Agency.active == True)}
    known = stored.get("tasks", [])
    tasks = []
    for n in range(min(len(known) + 1, MAX_TASKS)):  # the rows shown, and the blank one to add a task
        prefix = f"task-{n}-"
        issue = _text(form, prefix + "issue", errors, MAX_LINE)
        output = _text(form, prefix + "expected_output", errors, MAX_LINE)
        lead = parse_id(form.get(prefix + "lead_agency"))
        cooperating = sorted({a for a in (parse_id(v) for v in (form.get(prefix + "cooperating") or "").split(","))
                              if a in active and a != lead})
        due_raw = tidy(form.get(prefix + "due_on"))
        if form.get(prefix + "remove") == "yes" or not (issue or output or lead or due_raw):
            continue  # removed, or the blank row left blank
        if not issue:
            errors[prefix + "issue"] = _("Say what is to be done.")
        if lead not in active:
            errors[prefix + "lead_agency"] = _("Choose the agency that leads the work.")
        due = parse_day(due_raw)
        if due is None:
            errors[prefix + "due_on"] = _("Enter a date as dd/mm/yyyy, for example 31/03/2027.")
        commitment_id = known[n].get("commitment_id") if n < len(known) else None
        tasks.append({"commitment_id": commitment_id, "issue": issue, "lead_agency": lead, "cooperating": cooperating,
                      "expected_output": output, "due_on": due.isoformat() if due else due_raw})
    content["tasks"] = tasks
    return content


async def save(actor: Actor, document_id: int, form: dict, now: dt.datetime) -> int:
    """Save a draft's content from its form. The form carries the draft's version: a save from an
    older one is a DocumentConflict (the page keeps what was typed and shows what is saved)."""
    doc = await document_row(document_id)
    conference = await get_conference(doc["conference"])
    require(actor, "organise", await scope_of_unit(conference["unit"]))
    if not DOCUMENT.is_in("editable", doc["state"]):
        raise Conflict(_("A published document does not change: make a correction instead."))
    errors: dict[str, str] = {}
    if doc["kind"] == K.notice.value:
        content = await _notice_content(form, doc["content"], errors, now)
    else:
        content = _minutes_content(form, doc["content"], errors)
    note = _text(form, "correction_note", errors, MAX_LINE, multiline=False) if doc["supersedes"] else ""
    if doc["supersedes"] and not note:
        errors["correction_note"] = _("Say why this version replaces the published one.")
    if errors:
        raise InvalidInput(errors)
    if form.get("version", "") != str(doc["version"]):
        raise DocumentConflict(doc)
    async with write_transaction():
        changed = await ConferenceDocument.update({
            ConferenceDocument.content: json.dumps(content, ensure_ascii=False),
            ConferenceDocument.correction_note: note, ConferenceDocument.version: doc["version"] + 1,
            ConferenceDocument.updated_at: now,
        }).where((ConferenceDocument.id == document_id) & (ConferenceDocument.version == doc["version"])
                 & (ConferenceDocument.state == doc["state"])).returning(ConferenceDocument.id)
        if not changed:
            raise DocumentConflict(await document_row(document_id))
        await log.record(actor, "document_edited", "document", document_id, at=now,
                         details={"conference": doc["conference"], "kind": doc["kind"]})
    return doc["version"] + 1


# --- Publishing --------------------------------------------------------------------------------

@dataclass
class PublishResult:
    published: list[dict] = field(default_factory=list)  # {"id", "kind", "number", "symbol"}
    concluded: bool = False
    commitments_created: int = 0
    commitments_updated: int = 0
    mails: int = 0

    @property
    def nothing_to_do(self) -> bool:
        return not self.published


class _NumberTaken(Exception):
    """Another publication took the number this one rendered: render again with the next."""


async def _next_number(unit_id: int, year: int, kind: str) -> int:
    rows = await ConferenceDocument.select(ConferenceDocument.number).where(
        (ConferenceDocument.unit == unit_id) & (ConferenceDocument.year == year) & (ConferenceDocument.kind == kind)
        & ConferenceDocument.number.is_not_null()).order_by(ConferenceDocument.number, ascending=False).limit(1)
    return (rows[0]["number"] if rows else 0) + 1


def _check_tasks(doc: dict) -> None:
    problems = {}
    for n, task in enumerate(doc["content"].get("tasks", [])):
        if not task.get("issue") or not task.get("lead_agency") or parse_day(task.get("due_on")) is None:
            problems[f"task-{n}-issue"] = _("Task %(n)s lacks its lead agency or its deadline: complete it first.",
                                            n=n + 1)
    if problems:
        raise InvalidInput(problems)


async def _hand_over_tasks(actor: Actor, conference: dict, doc: dict, now: dt.datetime,
                           result: PublishResult) -> dict:
    """Every task of the notice as a commitment to follow up: a task drafted from a commitment
    changes that commitment where the notice changed it; a new task becomes a new commitment.
    Returns the content with each task's commitment id."""
    content = json.loads(json.dumps(doc["content"]))
    existing = {row["id"]: row for row in await of_conference(conference["id"])}
    for task in content.get("tasks", []):
        values = {"text": task["issue"], "lead_agency": task["lead_agency"],
                  "due_on": dt.date.fromisoformat(task["due_on"]), "expected_output": task.get("expected_output", "")}
        cooperating = sorted(task.get("cooperating", []))
        row = existing.get(task.get("commitment_id"))
        if row is not None:
            before = {"text": row["text"], "lead_agency": row["lead_agency"], "due_on": row["due_on"],
                      "expected_output": row["expected_output"], "cooperating": sorted(row["cooperating_ids"])}
            diff = log.changes(before, {**values, "cooperating": cooperating})
            if not diff:
                continue
            await Commitment.update({**{getattr(Commitment, k): v for k, v in values.items()},
                                     Commitment.due_working_days: None if "due_on" in diff else row["due_working_days"],
                                     Commitment.version: row["version"] + 1, Commitment.updated_at: now}) \
                .where(Commitment.id == row["id"])
            if "cooperating" in diff:
                await CommitmentAgency.delete().where(CommitmentAgency.commitment == row["id"])
                if cooperating:
                    await CommitmentAgency.insert(*[CommitmentAgency(commitment=row["id"], agency=a)
                                                    for a in cooperating])
            await log.record(actor, "commitment_updated", "commitment", row["id"], at=now,
                             details={**diff, "document": doc["id"]})
            result.commitments_updated += 1
            continue
        state = COMMITMENT.target_of("", "record")
        rows = await Commitment.insert(Commitment(
            conference=conference["id"], question=None, state=state, version=1, created_by=actor.staff_id,
            origin=Commitment.Origin.notice.value, created_at=now, updated_at=now, **values)).returning(Commitment.id)
        commitment_id = rows[0]["id"]
        if cooperating:
            await CommitmentAgency.insert(*[CommitmentAgency(commitment=commitment_id, agency=a) for a in cooperating])
        logged_as = COMMITMENT.logged_as("record")
        await log.record(actor, logged_as, "commitment", commitment_id, at=now, to_state=state, details={
            "conference": conference["id"], "document": doc["id"], "lead_agency": values["lead_agency"],
            "cooperating": cooperating, "due_on": values["due_on"], "origin": Commitment.Origin.notice.value})
        await events.record(now, [f"commitment:{commitment_id}", f"conference:{conference['id']}"], logged_as,
                            {"entity": "commitment", "id": commitment_id, "from": "", "to": state, "question": None})
        task["commitment_id"] = commitment_id
        result.commitments_created += 1
    return content


def document_url(base_url: str, conference_id: int, document_id: int, fmt: str) -> str:
    return f"{base_url}/conferences/{conference_id}/documents/{document_id}/{fmt}"


async def _asker_mails(conference: dict, documents: list[dict], now: dt.datetime, base_url: str) -> list[OutboxMessage]:
    """One e-mail to each asker (with an address) whose question the session dealt with: what was
    said and what was promised, with links to the question and the documents. In their language.
    An asker who chose SMS or Zalo gets a short message with the link to their question instead."""
    items = [item for item in await items_of(conference["id"]) if item["outcome"]]
    if not items:
        return []
    # What was promised, as the notice now says it (its edits reach the commitments in the same transaction).
    tasks = {task["commitment_id"]: task for doc in documents for task in doc["content"].get("tasks", [])
             if task.get("commitment_id")}
    names = await agency_names()
    rows = []
    for row in await of_conference(conference["id"]):
        task = tasks.get(row["id"])
        if task is not None:
            row = {**row, "text": task["issue"], "lead_agency_name": names.get(task["lead_agency"], ""),
                   "due_on": dt.date.fromisoformat(task["due_on"])}
        rows.append(row)
    promised = by_question(rows)
    askers = {row["id"]: row for row in await Question.select(
        Question.id, Question.asker_email, Question.asker_phone, Question.notify_by, Question.language).where(
        Question.id.is_in([item["question"] for item in items]))}
    links = [{"kind": doc["kind"], "number": f"{doc['number']}/{doc['symbol']}",
              "url": document_url(base_url, conference["id"], doc["id"], "pdf")} for doc in documents]
    messages, told = [], set()
    for item in items:
        asker = askers.get(item["question"])
        contact = chosen_contact(asker) if asker else None
        if not contact or (contact[1].casefold(), item["question"]) in told:
            continue
        told.add((contact[1].casefold(), item["question"]))
        code = item["tracking_code"]
        if contact[0] != "email":
            messages.append(phone_notice(
                *contact, code, template="conference_outcome", language_code=asker["language"],
                subject=lambda code=code: _("What the conference said about your question %(code)s",
                                            code=display_code(code)),
                now=now, conference=conference, base_url=base_url))
            continue
        messages.append(outbox.prepare(
            to=asker["asker_email"], template="conference_outcome", language_code=asker["language"],
            subject=lambda code=code: _("What the conference said about your question %(code)s",
                                        code=display_code(code)),
            kind="conference_outcome", now=now, unit_id=conference["unit"], conference=conference, item=item,
            code=display_code(code), commitments=promised.get(item["question"], []),
            tracking_url=tracking_url(base_url, code), documents=links,
            private_url=manage_url(base_url, code, signed_manage_token(code))))
    return messages


async def publish(actor: Actor, conference_id: int, now: dt.datetime, base_url: str) -> PublishResult:
    """Publish the conference's drafts (both documents, or a correction). Idempotent: with no draft
    left, nothing happens and the result says so."""
    conference = await get_conference(conference_id)
    scope = await scope_of_unit(conference["unit"])
    require(actor, "organise", scope)
    for _attempt in range(5):
        drafts = [doc for doc in await latest_of(conference_id) if DOCUMENT.is_in("editable", doc["state"])]
        if not drafts:
            return PublishResult()
        for doc in drafts:
            if doc["kind"] == K.notice.value:
                _check_tasks(doc)
        # Numbers, renderings and e-mails are made before the write lock is taken (a PDF takes about a
        # second); inside, the numbers and versions are checked again.
        unit = await issuing_unit(conference["unit"])
        agencies = await agency_names()
        today = local_today(now)
        planned: list[tuple[dict, int, Rendering]] = []
        for doc in drafts:
            number = await _next_number(conference["unit"], today.year, doc["kind"])
            replaced = await document_row(doc["supersedes"]) if doc["supersedes"] else None
            frozen = {**doc, "number": number, "year": today.year, "issued_on": today}
            # In a thread: a PDF takes about a second, and the event loop serves everyone else meanwhile
            # (the hall screens and live pages included).
            rendering = await asyncio.to_thread(render_all, view(frozen, unit, agencies, today, replaced))
            planned.append((doc, number, rendering))
        first_publication = all(doc["edition"] == 1 for doc in drafts)
        numbered = [{**doc, "number": number} for doc, number, _r in planned]
        mails = await _asker_mails(conference, numbered, now, base_url) if first_publication else []
        result = PublishResult()
        try:
            async with write_transaction():
                # Another publication of this unit's documents waits here until this one commits,
                # and then finds its numbers taken (a unique key backs this up).
                await serialise(f"document-numbers:{conference['unit']}:{today.year}")
                for doc, number, rendering in planned:
                    if await _next_number(conference["unit"], today.year, doc["kind"]) != number:
                        raise _NumberTaken
                    content = doc["content"]
                    if doc["kind"] == K.notice.value:
                        content = await _hand_over_tasks(actor, conference, doc, now, result)
                    await transition(
                        DOCUMENT, actor, doc, "publish", now=now, permission="organise", scope=scope,
                        expect={"version": doc["version"]}, channels=[f"conference:{conference_id}"],
                        details={"number": f"{number}/{doc['symbol']}", "kind": doc["kind"]},
                        updates={"number": number, "year": today.year, "issued_on": today,
                                 "number_key": f"{conference['unit']}:{today.year}:{doc['kind']}:{number}",
                                 "html": rendering.html, "docx": rendering.docx, "pdf": rendering.pdf,
                                 "content": json.dumps(content, ensure_ascii=False), "published_at": now,
                                 "published_by": actor.staff_id, "updated_at": now})
                    result.published.append({"id": doc["id"], "kind": doc["kind"], "number": number,
                                             "symbol": doc["symbol"]})
                current = await get_conference(conference_id)
                if CONFERENCE.allows(current["state"], "conclude"):
                    await conference_commands.change_state(actor, conference_id, "conclude", now)
                    result.concluded = True
                await outbox.add(*mails)
                result.mails = len(mails)
        except _NumberTaken:
            continue
        except Exception as error:
            if unique_violation(error):  # the unique number key: taken after all; number again
                continue
            raise
        except Conflict:
            # Someone published (or saved) these drafts meanwhile: if nothing is left to publish, that
            # publication is the one that counts and this one has nothing more to do.
            if not [d for d in await latest_of(conference_id) if DOCUMENT.is_in("editable", d["state"])]:
                return PublishResult()
            raise
        return result
    raise Conflict(_("Other documents were being numbered at the same time. Publish again."))


# --- Correcting a published document ---------------------------------------------------------

async def correct(actor: Actor, document_id: int, now: dt.datetime) -> int:
    """Begin a correction: a new draft version with the published one's content, which replaces it
    once published (the published one stays as it is). A correction already begun is returned."""
    doc = await document_row(document_id)
    conference = await get_conference(doc["conference"])
    scope = await scope_of_unit(conference["unit"])
    require(actor, "organise", scope)
    # The latest version first, then the correction begun: read the other way round, a correction
    # another organiser commits in between would be missed by the first read and make this document
    # look outdated to the second.
    latest = {row["kind"]: row for row in await latest_of(doc["conference"])}
    newer = await ConferenceDocument.select(ConferenceDocument.id, ConferenceDocument.state).where(
        ConferenceDocument.supersedes == document_id).first()
    if newer is not None and DOCUMENT.is_in("editable", newer["state"]):
        return newer["id"]  # the correction begun already (a second press, or a second organiser)
    if latest[doc["kind"]]["id"] != document_id:
        raise Conflict(_("Only the latest version of a document can be corrected."))
    created: list[int] = []

    async def also(_current: dict) -> None:
        await serialise(f"documents:{conference['id']}")
        begun = await ConferenceDocument.select(ConferenceDocument.id).where(
            ConferenceDocument.supersedes == document_id).first()
        if begun is not None:  # another organiser began it a moment ago: theirs is the one
            raise _AlreadyCorrected(begun["id"])
        created.append(await _insert_draft(conference, doc["kind"], doc["content"], now, edition=doc["edition"] + 1,
                                           supersedes=document_id))

    try:
        await transition(DOCUMENT, actor, doc, "correct", now=now, permission="organise", scope=scope, also=also,
                         channels=[f"conference:{conference['id']}"])
    except _AlreadyCorrected as begun:
        return begun.document_id
    return created[0]


class _AlreadyCorrected(Exception):
    def __init__(self, document_id: int) -> None:
        super().__init__(document_id)
        self.document_id = document_id

