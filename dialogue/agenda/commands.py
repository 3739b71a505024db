"""Building the agenda (organisers) and recording the session on the console (secretary, chair,
organisers). Every entry is saved when made, written to the action log and announced on the
conference's live channel; an outcome or the conclusions saved from an older version is a conflict
that keeps the writer's text."""

from __future__ import annotations

import datetime as dt
import re

from dialogue.agenda.queries import session_of
from dialogue.agenda.tables import AgendaItem, ConferenceSession, SessionAttendee
from dialogue.answers.release import change_conference_state as change_state_releasing
from dialogue.commitments import commands as commitments
from dialogue.conferences.machine import BY_PUBLISHING, CONFERENCE
from dialogue.conferences.queries import get_conference
from dialogue.core.calendar import TZ, local_today
from dialogue.core.db import write_transaction
from dialogue.core.errors import Conflict, InvalidInput, NotFound
from dialogue.core.i18n import gettext as _
from dialogue.core.text import paragraphs, parse_day, parse_id, tidy
from dialogue.core.vocabulary import N_, declare, declare_action
from dialogue.machine import events, log
from dialogue.machine.actors import Actor, require
from dialogue.questions.floor import record_floor_question
from dialogue.questions.intake import NOTIFY_CHOICES
from dialogue.questions.machine import QUESTION
from dialogue.questions.tables import Question
from dialogue.reference.tables import Agency
from dialogue.reference.units import scope_of_unit

OUTCOME = AgendaItem.Outcome
MAX_ITEMS = 200
MAX_SUMMARY = 5000

declare_action("agenda_changed", N_("changed the agenda"))
declare_action("agenda_current", N_("showed an item on the screen"))
declare_action("agenda_outcome", N_("recorded the outcome at the conference"))
declare_action("session_attendance", N_("recorded the attendance"))
declare_action("session_conclusions", N_("recorded the chair's conclusions"))
declare("agenda_outcome", {
    OUTCOME.none.value: N_("Not dealt with yet"), OUTCOME.answered.value: N_("Answered on the spot"),
    OUTCOME.writing.value: N_("To be answered in writing"), OUTCOME.commitments.value: N_("Commitments made"),
})


class SessionConflict(Conflict):
    """Someone saved the same entry since this writer loaded it: `current` is what is saved now."""

    def __init__(self, current: dict | None) -> None:
        super().__init__(_("Someone else saved this while you were writing. Your text is kept below; "
                           "compare it with the saved one and save again."))
        self.current = current


async def _conference(actor: Actor, conference_id: int, permission: str, states: str) -> dict:
    """The conference, if the actor may `permission` on it and its state is in the machine's set."""
    conference = await get_conference(conference_id)
    require(actor, permission, await scope_of_unit(conference["unit"]))
    if not CONFERENCE.is_in(states, conference["state"]):
        if states == "recording":
            raise Conflict(_("The session has not started: start it from the conference page first."))
        raise Conflict(_("The agenda can no longer be changed."))
    return conference


async def _announce(actor: Actor, conference_id: int, action: str, now: dt.datetime, *,
                    object_ref: tuple[str, int] | None = None, details: dict | None = None,
                    payload: dict | None = None) -> None:
    """The log entry and the live event of one change (inside its transaction)."""
    object_type, object_id = object_ref or ("conference", conference_id)
    await log.record(actor, action, object_type, object_id, at=now, details=details)
    channels = [f"conference:{conference_id}"]
    if object_type != "conference":
        channels.append(f"{object_type}:{object_id}")
    await events.record(now, channels, action, {"entity": "agenda", "conference": conference_id, **(payload or {})})


async def _item(conference_id: int, item_id: int | None) -> dict:
    row = await AgendaItem.select().where(
        (AgendaItem.id == (item_id or 0)) & (AgendaItem.conference == conference_id)).first() if item_id else None
    if row is None:
        raise NotFound(_("This item is not on the agenda."))
    return row


async def _ordered_ids(conference_id: int) -> list[int]:
    rows = await AgendaItem.select(AgendaItem.id).where(AgendaItem.conference == conference_id) \
        .order_by(AgendaItem.position).order_by(AgendaItem.id)
    return [row["id"] for row in rows]


async def _renumber(ids: list[int]) -> None:
    for position, item_id in enumerate(ids, start=1):
        await AgendaItem.update({AgendaItem.position: position}).where(AgendaItem.id == item_id)


# --- The agenda ------------------------------------------------------------------------------

async def add_items(actor: Actor, conference_id: int, question_ids: list[int], now: dt.datetime,
                    minutes: int = 5) -> int:
    """Put the picked questions at the end of the agenda. Only accepted questions of this
    conference (routed or answered too); never merged, withdrawn, rejected or forwarded ones."""
    await _conference(actor, conference_id, "organise", "agenda_editable")
    rows = await Question.select(Question.id).where(
        (Question.conference == conference_id) & Question.id.is_in(list(question_ids)[:MAX_ITEMS] or [0])
        & Question.state.is_in(sorted(QUESTION.sets["agenda"]))).order_by(Question.id)
    wanted = [row["id"] for row in rows]
    async with write_transaction():
        present = {row["question"] for row in await AgendaItem.select(AgendaItem.question)
                   .where(AgendaItem.conference == conference_id)}
        new = [q for q in wanted if q not in present]
        if not new:
            return 0
        ids = await _ordered_ids(conference_id)
        await AgendaItem.insert(*[AgendaItem(conference=conference_id, question=q, position=len(ids) + n,
                                             minutes=minutes, updated_at=now) for n, q in enumerate(new, start=1)])
        await _announce(actor, conference_id, "agenda_changed", now, details={"added": new},
                        payload={"added": new})
    return len(new)


async def remove_item(actor: Actor, conference_id: int, item_id: int, now: dt.datetime) -> None:
    await _conference(actor, conference_id, "organise", "agenda_editable")
    item = await _item(conference_id, item_id)
    if item["outcome"]:
        raise Conflict(_("An item whose outcome was recorded stays on the agenda."))
    async with write_transaction():
        await ConferenceSession.update({ConferenceSession.current_item: None}).where(
            ConferenceSession.current_item == item_id)
        await AgendaItem.delete().where(AgendaItem.id == item_id)
        await _renumber(await _ordered_ids(conference_id))
        await _announce(actor, conference_id, "agenda_changed", now, details={"removed": item["question"]},
                        payload={"removed": item["question"]})


async def move_item(actor: Actor, conference_id: int, item_id: int, direction: str, now: dt.datetime) -> None:
    """One place up or down."""
    await _conference(actor, conference_id, "organise", "agenda_editable")
    await _item(conference_id, item_id)
    if direction not in ("up", "down"):
        raise NotFound(_("This action does not exist."))
    async with write_transaction():
        ids = await _ordered_ids(conference_id)
        index = ids.index(item_id)
        other = index - 1 if direction == "up" else index + 1
        if 0 <= other < len(ids):
            ids[index], ids[other] = ids[other], ids[index]
            await _renumber(ids)
            await _announce(actor, conference_id, "agenda_changed", now, details={"moved": item_id, "to": other + 1},
                            payload={"moved": item_id})


async def group_by_topic(actor: Actor, conference_id: int, now: dt.datetime) -> None:
    """Bring the items of each topic together, topics in the order they first appear."""
    await _conference(actor, conference_id, "organise", "agenda_editable")
    async with write_transaction():
        rows = await AgendaItem.select(AgendaItem.id, AgendaItem.question.topic.as_alias("topic")).where(
            AgendaItem.conference == conference_id).order_by(AgendaItem.position).order_by(AgendaItem.id)
        first_seen: dict[int, int] = {}
        for n, row in enumerate(rows):
            first_seen.setdefault(row["topic"], n)
        ordered = [row["id"] for row in sorted(rows, key=lambda row: first_seen[row["topic"]])]
        await _renumber(ordered)
        await _announce(actor, conference_id, "agenda_changed", now, details={"grouped": True},
                        payload={"grouped": True})


async def set_minutes(actor: Actor, conference_id: int, item_id: int, raw: str, now: dt.datetime) -> None:
    await _conference(actor, conference_id, "organise", "agenda_editable")
    item = await _item(conference_id, item_id)
    raw = tidy(raw)
    if not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= 120):
        raise InvalidInput({f"minutes-{item_id}": _("Enter a number of minutes from 1 to 120.")})
    async with write_transaction():
        await AgendaItem.update({AgendaItem.minutes: int(raw)}).where(AgendaItem.id == item_id)
        await _announce(actor, conference_id, "agenda_changed", now,
                        details={"item": item_id, "minutes": [item["minutes"], int(raw)]}, payload={"item": item_id})


# --- The console -----------------------------------------------------------------------------

async def _ensure_session(conference: dict, now: dt.datetime) -> None:
    """The session's row, made on the first entry (inside the caller's transaction)."""
    if not await ConferenceSession.exists().where(ConferenceSession.conference == conference["id"]):
        await ConferenceSession.insert(ConferenceSession(
            conference=conference["id"], co_organiser=conference["co_organiser"], updated_at=now))


async def show_item(actor: Actor, conference_id: int, item_id: int, now: dt.datetime) -> None:
    """Make the item the current one: the one on the screen in the hall."""
    conference = await _conference(actor, conference_id, "record_session", "recording")
    item = await _item(conference_id, item_id)
    async with write_transaction():
        await _ensure_session(conference, now)
        await ConferenceSession.update({ConferenceSession.current_item: item_id, ConferenceSession.updated_at: now}) \
            .where(ConferenceSession.conference == conference_id)
        await _announce(actor, conference_id, "agenda_current", now, details={"item": item_id,
                                                                              "question": item["question"]},
                        payload={"item": item_id, "question": item["question"]})


def _outcome_values(kind: str, form: dict, now: dt.datetime) -> dict:
    errors: dict[str, str] = {}
    values: dict = {"outcome": kind}
    if kind == OUTCOME.answered.value:
        agency = parse_id(form.get("answered_by_agency"))
        position = tidy(form.get("answered_by_position"))[:150]
        summary = paragraphs(form.get("summary"))
        if agency is None:
            errors["answered_by_agency"] = _("Choose the agency that answered.")
        if not position:
            errors["answered_by_position"] = _("Give the position of the person who answered.")
        if not summary:
            errors["summary"] = _("Summarise the answer given.")
        elif len(summary) > MAX_SUMMARY:
            errors["summary"] = _("Use at most %(count)s characters.", count=MAX_SUMMARY)
        values.update(answered_by_agency=agency, answered_by_position=position, summary=summary)
    elif kind == OUTCOME.writing.value:
        due = parse_day(form.get("written_due_on"))
        if due is None:
            errors["written_due_on"] = _("Enter a date as dd/mm/yyyy, for example 31/03/2027.")
        elif due < local_today(now):
            errors["written_due_on"] = _("The due date cannot be in the past.")
        values["written_due_on"] = due
    else:
        raise NotFound(_("This action does not exist."))
    if errors:
        raise InvalidInput(errors)
    return values


async def save_outcome(actor: Actor, conference_id: int, item_id: int, kind: str, form: dict,
                       now: dt.datetime) -> int:
    """Answered on the spot (agency, position, summary) or to be answered in writing (a date).
    The form carries the item's version: a save from an older one is a SessionConflict."""
    await _conference(actor, conference_id, "record_session", "recording")
    item = await _item(conference_id, item_id)
    values = _outcome_values(kind, form, now)
    if values.get("answered_by_agency") and not await Agency.exists().where(
            (Agency.id == values["answered_by_agency"]) & (Agency.active == True)):
        raise InvalidInput({"answered_by_agency": _("Choose the agency that answered.")})
    if form.get("version", "") != str(item["version"]):
        raise SessionConflict(item)
    version = item["version"] + 1
    async with write_transaction():
        changed = await AgendaItem.update({
            **{getattr(AgendaItem, key): value for key, value in values.items()},
            AgendaItem.version: version, AgendaItem.updated_by: actor.staff_id, AgendaItem.updated_at: now,
        }).where((AgendaItem.id == item_id) & (AgendaItem.version == item["version"])).returning(AgendaItem.id)
        if not changed:
            raise SessionConflict(await _item(conference_id, item_id))
        await _announce(actor, conference_id, "agenda_outcome", now, object_ref=("question", item["question"]),
                        details={key: value for key, value in values.items() if key != "summary"},
                        payload={"item": item_id, "outcome": kind})
    return version


async def add_commitment(actor: Actor, conference_id: int, item_id: int | None, form: dict,
                         now: dt.datetime) -> int:
    """A commitment for an item's question, or (no item) for the chair's conclusions. An item with
    no outcome yet gets "commitments made"; an answer on the spot keeps its outcome."""
    conference = await _conference(actor, conference_id, "record_session", "recording")
    item = await _item(conference_id, item_id) if item_id is not None else None
    async with write_transaction():
        commitment_id = await commitments.record(actor, conference, item["question"] if item else None, form, now)
        if item is not None and not item["outcome"]:
            await AgendaItem.update({AgendaItem.outcome: OUTCOME.commitments.value,
                                     AgendaItem.version: item["version"] + 1,
                                     AgendaItem.updated_by: actor.staff_id, AgendaItem.updated_at: now}) \
                .where(AgendaItem.id == item["id"])
            await _announce(actor, conference_id, "agenda_outcome", now, object_ref=("question", item["question"]),
                            details={"outcome": OUTCOME.commitments.value},
                            payload={"item": item["id"], "outcome": OUTCOME.commitments.value})
    return commitment_id


async def save_conclusions(actor: Actor, conference_id: int, form: dict, now: dt.datetime) -> int:
    conference = await _conference(actor, conference_id, "record_session", "recording")
    text = paragraphs(form.get("conclusions"))
    if len(text) > 20_000:
        raise InvalidInput({"conclusions": _("Use at most %(count)s characters.", count=20_000)})
    session = await session_of(conference_id)
    if form.get("version", "") != str(session["conclusions_version"]):
        raise SessionConflict(session)
    version = session["conclusions_version"] + 1
    async with write_transaction():
        await _ensure_session(conference, now)
        changed = await ConferenceSession.update({
            ConferenceSession.conclusions: text, ConferenceSession.conclusions_version: version,
            ConferenceSession.updated_at: now,
        }).where((ConferenceSession.conference == conference_id)
                 & (ConferenceSession.conclusions_version == session["conclusions_version"])
                 ).returning(ConferenceSession.id)
        if not changed:
            raise SessionConflict(await session_of(conference_id))
        await _announce(actor, conference_id, "session_conclusions", now, payload={"version": version})
    return version


def _clock_time(held_on: dt.datetime, raw: str | None, field: str, errors: dict) -> dt.datetime | None:
    """hh:mm on the day the session was held."""
    raw = tidy(raw)
    if not raw:
        return None
    match = re.fullmatch(r"([01]?[0-9]|2[0-3])[:hH.]([0-5][0-9])", raw)
    if match is None:
        errors[field] = _("Enter a time as hh:mm, for example 08:00.")
        return None
    day = held_on.astimezone(TZ).date()
    return dt.datetime.combine(day, dt.time(int(match.group(1)), int(match.group(2))), TZ).astimezone(dt.UTC)


async def save_attendance(actor: Actor, conference_id: int, form: dict, now: dt.datetime) -> None:
    """Participants by kind, the chair, the secretary, the co-organiser, and the session's times."""
    conference = await _conference(actor, conference_id, "record_session", "recording")
    errors: dict[str, str] = {}
    values: dict = {}
    for field in ("residents", "businesses", "organisations"):
        raw = tidy(form.get(field)) or "0"
        if not (raw.isascii() and raw.isdigit() and int(raw) <= 100_000):
            errors[field] = _("Enter a whole number.")
        else:
            values[field] = int(raw)
    for field, limit in (("chair", 150), ("secretary", 150), ("co_organiser", 250)):
        values[field] = tidy(form.get(field))
        if len(values[field]) > limit:
            errors[field] = _("Use at most %(count)s characters.", count=limit)
    # The day the session was actually started (taken when it starts), else the planned one.
    held_on = (await session_of(conference_id))["started_at"] or conference["starts_at"] or now
    values["started_at"] = _clock_time(held_on, form.get("started_at"), "started_at", errors)
    values["ended_at"] = _clock_time(held_on, form.get("ended_at"), "ended_at", errors)
    if values["started_at"] and values["ended_at"] and values["ended_at"] <= values["started_at"]:
        errors["ended_at"] = _("The session must end after it starts.")
    if errors:
        raise InvalidInput(errors)
    async with write_transaction():
        await _ensure_session(conference, now)
        before = await session_of(conference_id)
        await ConferenceSession.update({**{getattr(ConferenceSession, k): v for k, v in values.items()},
                                        ConferenceSession.updated_at: now}) \
            .where(ConferenceSession.conference == conference_id)
        await _announce(actor, conference_id, "session_attendance", now, details=log.changes(before, values))


async def add_attendee(actor: Actor, conference_id: int, form: dict, now: dt.datetime) -> None:
    """An agency present and its representative (name and position)."""
    await _conference(actor, conference_id, "record_session", "recording")
    errors = {}
    agency = parse_id(form.get("agency"))
    if agency is None or not await Agency.exists().where((Agency.id == agency) & (Agency.active == True)):
        errors["agency"] = _("Choose the agency.")
    name, position = tidy(form.get("name"))[:100], tidy(form.get("position"))[:150]
    if not name:
        errors["name"] = _("Enter the representative's name.")
    if errors:
        raise InvalidInput(errors)
    async with write_transaction():
        await SessionAttendee.insert(SessionAttendee(conference=conference_id, agency=agency, name=name,
                                                     position=position))
        await _announce(actor, conference_id, "session_attendance", now,
                        details={"agency": agency, "name": name, "position": position})


async def remove_attendee(actor: Actor, conference_id: int, attendee_id: int, now: dt.datetime) -> None:
    await _conference(actor, conference_id, "record_session", "recording")
    async with write_transaction():
        removed = await SessionAttendee.delete().where(
            (SessionAttendee.id == attendee_id) & (SessionAttendee.conference == conference_id)
        ).returning(SessionAttendee.id)
        if not removed:
            raise NotFound(_("This item no longer exists."))
        await _announce(actor, conference_id, "session_attendance", now, details={"removed": attendee_id})


async def record_floor(actor: Actor, conference_id: int, form: dict, now: dt.datetime,
                       channels: tuple[str, ...] = NOTIFY_CHOICES) -> dict:
    """A question asked in the hall: recorded as an accepted question and put on the agenda right
    after the current item (or made the current item, if asked). `channels`: intake.offered_channels."""
    conference = await _conference(actor, conference_id, "record_session", "recording")
    async with write_transaction():
        question = await record_floor_question(actor, conference, form, now, channels)
        if await AgendaItem.exists().where(AgendaItem.question == question["id"]):
            return question  # the same form sent twice
        session = await session_of(conference_id)
        ids = await _ordered_ids(conference_id)
        after = ids.index(session["current_item"]) + 1 if session["current_item"] in ids else 0
        rows = await AgendaItem.insert(AgendaItem(conference=conference_id, question=question["id"],
                                                  position=after + 1, updated_at=now)).returning(AgendaItem.id)
        ids.insert(after, rows[0]["id"])
        await _renumber(ids)
        await _announce(actor, conference_id, "agenda_changed", now, details={"added": [question["id"]],
                                                                             "floor": True},
                        payload={"added": [question["id"]]})
        if form.get("show_now") == "yes":
            await _ensure_session(conference, now)
            await ConferenceSession.update({ConferenceSession.current_item: rows[0]["id"]}) \
                .where(ConferenceSession.conference == conference_id)
            await _announce(actor, conference_id, "agenda_current", now, details={"item": rows[0]["id"]},
                            payload={"item": rows[0]["id"], "question": question["id"]})
    return question


# --- The conference's life cycle, with the session's times ------------------------------------

async def change_conference_state(actor: Actor, conference_id: int, action: str, now: dt.datetime,
                                  reason: str = "", base_url: str = "") -> str:
    """A step of the conference's life cycle (answers.release.change_conference_state); starting
    the session also records its start, unless the console set it by hand. Concluding is not a step
    of its own: publishing the documents concludes (BY_PUBLISHING), and ending the session on the
    console (documents.commands.end_session) records the end."""
    if action in BY_PUBLISHING:
        raise Conflict(_("A conference is concluded by publishing its minutes and conclusions notice: end the "
                         "session on the console, then publish them from the conference's documents page."))
    if action != "start":
        return await change_state_releasing(actor, conference_id, action, now, reason, base_url)

    async def session_time(_current: dict) -> None:
        await _ensure_session(await get_conference(conference_id), now)
        await ConferenceSession.update({ConferenceSession.started_at: now, ConferenceSession.updated_at: now}) \
            .where((ConferenceSession.conference == conference_id) & ConferenceSession.started_at.is_null())

    return await change_state_releasing(actor, conference_id, action, now, reason, base_url, also=session_time)
