"""Conferences: the organiser's editing and life cycle, and what the public sees of them."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from dialogue.core.clock import as_utc
from dialogue.core.db import write_transaction
from dialogue.core.errors import Conflict, InvalidInput, NotFound
from dialogue.core.i18n import gettext as _
from dialogue.machine import log as audit
from dialogue.reference.admin import parse_day
from dialogue.machine.actors import Actor
from dialogue.machine.actors import may, require
from dialogue.reference.units import scope_of_unit
from dialogue.reference.tables import AdminUnit, Topic
from dialogue.conferences.tables import Conference, ConferenceTopic
from dialogue.questions.tables import Question
from dialogue.core.text import fold, parse_id, tidy

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
S = Conference.State
PUBLIC_STATES = [s.value for s in S if s is not S.draft]

# The life cycle: action -> (states it may start from, state it leads to). The only place for it.
TRANSITIONS: dict[str, tuple[set[str], str]] = {
    "open": ({S.draft.value, S.closed.value}, S.open.value),
    "close": ({S.open.value}, S.closed.value),
    "start": ({S.open.value, S.closed.value}, S.in_session.value),
    "conclude": ({S.in_session.value}, S.concluded.value),
    "follow_up": ({S.concluded.value}, S.followed_up.value),
}
CONFERENCE_COLUMNS = (
    Conference.all_columns(),
    Conference.unit.name.as_alias("unit_name"), Conference.unit.code.as_alias("unit_code"),
    Conference.unit.parent.name.as_alias("province_name"),
)


# The reads of every question submission are written as SQL: building them with Piccolo's
# query builder cost more CPU than running them (see the note of the benchmark issue).
CONFERENCE_SQL = """SELECT c.*, u.name AS unit_name, u.code AS unit_code, p.name AS province_name
 FROM conference c JOIN admin_unit u ON u.id = c.unit LEFT JOIN admin_unit p ON p.id = u.parent WHERE c.id = {}"""
TOPICS_SQL = """SELECT t.id, t.code, t.name_vi, t.name_en, t.default_agency FROM topic t
 WHERE t.id IN (SELECT topic FROM conference_topic WHERE conference = {}) AND t.active ORDER BY t.position"""
AREAS_SQL = """SELECT id, name, code FROM admin_unit WHERE (id = {} OR parent = {}) AND valid_to IS NULL
 ORDER BY code"""


async def get_conference(conference_id: int) -> dict:
    rows = await Conference.raw(CONFERENCE_SQL, conference_id) if 0 < conference_id <= 2**31 - 1 else []
    if not rows:
        raise NotFound(_("There is no such conference."))
    return rows[0]


async def get_public_conference(conference_id: int) -> dict:
    conference = await get_conference(conference_id)
    if conference["state"] == S.draft.value:
        raise NotFound(_("There is no such conference."))
    return conference


def accepting_questions(conference: dict, now: dt.datetime) -> bool:
    """Open for questions and within its window."""
    opens, closes = conference["questions_open_at"], conference["questions_close_at"]
    return (conference["state"] == S.open.value and opens is not None and closes is not None
            and as_utc(opens) <= now < as_utc(closes))


async def conference_topics(conference_id: int) -> list[dict]:
    return await Topic.raw(TOPICS_SQL, conference_id)


async def area_options(conference: dict) -> list[dict]:
    """The areas a question may concern: the conference's unit, and its communes if it is a province."""
    return await AdminUnit.raw(AREAS_SQL, conference["unit"], conference["unit"])


# --- Public listing ------------------------------------------------------------------------

async def upcoming_public_conferences(limit: int = 10) -> list[dict]:
    """Conferences that are not drafts and not over, soonest first."""
    rows = await Conference.select(*CONFERENCE_COLUMNS).where(
        Conference.state.is_in([S.open.value, S.closed.value, S.in_session.value])
    ).order_by(Conference.starts_at).limit(limit)
    return rows


async def search_public_conferences(
    search: str = "", unit_code: str = "", kind: str = "", page: int = 1, per_page: int = 20,
) -> tuple[list[dict], int]:
    """Public conferences, newest first, filtered; search ignores diacritics."""
    query = Conference.select(*CONFERENCE_COLUMNS).where(Conference.state.is_in(PUBLIC_STATES))
    count = Conference.count().where(Conference.state.is_in(PUBLIC_STATES))
    conditions = []
    for word in fold(search).split()[:10]:  # every word, in any order, accents optional
        conditions.append(Conference.title_folded.like(f"%{word[:50]}%"))
    if unit_code:
        conditions.append((Conference.unit.code == unit_code[:10]) | (Conference.unit.parent.code == unit_code[:10]))
    if kind in {k.value for k in Conference.Kind}:
        conditions.append(Conference.kind == kind)
    for condition in conditions:
        query = query.where(condition)
        count = count.where(condition)
    rows = await query.order_by(Conference.starts_at, ascending=False).limit(per_page).offset((page - 1) * per_page)
    return rows, await count


async def units_with_conferences() -> list[dict]:
    return await AdminUnit.select(AdminUnit.code, AdminUnit.name).where(
        AdminUnit.id.is_in(Conference.select(Conference.unit).where(Conference.state.is_in(PUBLIC_STATES)))
    ).order_by(AdminUnit.name)


PUBLIC_QUESTIONS_SQL = """SELECT q.id, q.tracking_code, q.title, q.public_summary, q.asker_kind, q.state,
 q.created_at, u.name AS unit_name, t.name_vi AS topic_vi, t.name_en AS topic_en
 FROM question q JOIN admin_unit u ON u.id = q.unit JOIN topic t ON t.id = q.topic
 WHERE q.conference = {} AND q.state IN ('accepted', 'assigned', 'answered') AND q.public_consent
 ORDER BY q.created_at LIMIT {}"""


async def public_questions(conference_id: int, limit: int = 200) -> list[dict]:
    """Questions the public may see: accepted, and the asker agreed. Never the asker's identity."""
    return await Question.raw(PUBLIC_QUESTIONS_SQL, conference_id, limit)


def calendar_file(conference: dict, base_url: str) -> bytes:
    """The conference as an iCalendar event, to add to a phone's calendar."""
    calendar = Calendar()
    calendar.add("prodid", "-//Dialogue//Doi thoai//VI")
    calendar.add("version", "2.0")
    event = Event()
    host = re.sub(r"^https?://", "", base_url).split("/")[0].split(":")[0] or "dialogue.local"
    event.add("uid", f"conference-{conference['id']}@{host}")
    event.add("summary", conference["title"])
    start = as_utc(conference["starts_at"])
    event.add("dtstart", start)
    event.add("dtend", as_utc(conference["ends_at"]) if conference["ends_at"] else start + dt.timedelta(hours=3))
    event.add("dtstamp", as_utc(conference["created_at"]))
    if conference["venue"]:
        event.add("location", conference["venue"])
    event.add("description", (conference["description"] or "") + f"\n\n{base_url}/conferences/{conference['id']}")
    event.add("url", f"{base_url}/conferences/{conference['id']}")
    calendar.add_component(event)
    return calendar.to_ical()


# --- The organiser's editing -----------------------------------------------------------------

def _moment(day_raw: str | None, time_raw: str | None) -> dt.datetime | None:
    day = parse_day(day_raw)
    match = re.fullmatch(r"([01]?[0-9]|2[0-3])[:hH.]([0-5][0-9])", (time_raw or "").strip())
    if day is None or match is None:
        return None
    return dt.datetime.combine(day, dt.time(int(match.group(1)), int(match.group(2))), TZ).astimezone(dt.timezone.utc)


async def _validate(form: dict, actor: Actor) -> tuple[dict, list[int]]:
    errors: dict[str, str] = {}
    title = tidy(form.get("title"))
    if len(title) < 10:
        errors["title"] = _("Give the conference a title of at least 10 characters.")
    elif len(title) > 250:
        errors["title"] = _("Use at most %(count)s characters.", count=250)
    kind = form.get("kind", "")
    if kind not in {k.value for k in Conference.Kind}:
        errors["kind"] = _("Choose the kind of conference.")
    unit_code = tidy(form.get("unit"))
    unit = await AdminUnit.select(AdminUnit.id).where(
        (AdminUnit.code == unit_code[:10]) & AdminUnit.valid_to.is_null()).first() if unit_code else None
    if unit is None:
        errors["unit"] = _("Enter the official code of an administrative unit, for example 00235.")
    elif not errors.get("unit"):
        if not may(actor, "organise", await scope_of_unit(unit["id"])):
            errors["unit"] = _("You can organise conferences only in your own area.")
    values = {"title": title, "title_folded": fold(title), "kind": kind, "unit": unit["id"] if unit else None}
    for field, limit in (("co_organiser", 250), ("venue", 300), ("description", 5000)):
        values[field] = tidy(form.get(field)) if field != "description" else (form.get(field) or "").strip()
        if len(values[field]) > limit:
            errors[field] = _("Use at most %(count)s characters.", count=limit)
    url = tidy(form.get("online_url"))
    if url and (not re.fullmatch(r"https?://[^\s<>\"']+", url) or len(url) > 500):
        errors["online_url"] = _("Enter a web address starting with https://")
    values["online_url"] = url
    policy = form.get("release_policy", "")
    if policy not in {p.value for p in Conference.ReleasePolicy}:
        errors["release_policy"] = _("Choose when answers are published.")
    values["release_policy"] = policy
    days = (form.get("answer_days") or "10").strip()
    if not (days.isascii() and days.isdigit() and 1 <= int(days) <= 60):
        errors["answer_days"] = _("Enter a number of working days from 1 to 60.")
    else:
        values["answer_days"] = int(days)

    for prefix, label in (("starts", "start"), ("ends", "end"), ("questions_open", "open"),
                          ("questions_close", "close")):
        day, time = form.get(f"{prefix}_day"), form.get(f"{prefix}_time")
        moment = _moment(day, time) if (day or time) else None
        if (day or time) and moment is None:
            errors[f"{prefix}_day"] = _("Enter a date as dd/mm/yyyy and a time as hh:mm, for example 18/12/2026 and 08:00.")
        values[f"{prefix}_at"] = moment
    if values["starts_at"] and values["ends_at"] and values["ends_at"] <= values["starts_at"]:
        errors["ends_day"] = _("The conference must end after it starts.")
    if values["questions_open_at"] and values["questions_close_at"]:
        if values["questions_close_at"] <= values["questions_open_at"]:
            errors["questions_close_day"] = _("Questions must close after they open.")
        elif values["starts_at"] and values["questions_close_at"] > values["starts_at"]:
            errors["questions_close_day"] = _("Questions must close before the conference starts.")

    topic_ids = []
    for raw in form.get("topics", "").split(","):
        topic_id = parse_id(raw)
        if topic_id is not None:
            topic_ids.append(topic_id)
    known = {row["id"] for row in await Topic.select(Topic.id).where(Topic.id.is_in(topic_ids or [0]))}
    if set(topic_ids) - known:
        errors["topics"] = _("Choose topics from the list.")
    if errors:
        raise InvalidInput(errors)
    return values, sorted(known)


async def save_conference(actor: Actor, form: dict, now: dt.datetime, conference_id: int | None = None) -> int:
    if conference_id is not None:
        before = await get_conference(conference_id)
        require(actor, "organise", await scope_of_unit(before["unit"]))
    values, topic_ids = await _validate(form, actor)
    if conference_id is not None and before["state"] == S.open.value:
        problems = _opening_problems(values, topic_ids)
        if problems:
            raise InvalidInput(problems)
    async with write_transaction():
        if conference_id is None:
            rows = await Conference.insert(Conference(**values, state=S.draft.value, created_at=now)) \
                .returning(Conference.id)
            conference_id = rows[0]["id"]
            await audit.record(actor, "conference_created", "conference", conference_id, at=now, to_state="draft",
                               details={"title": values["title"]})
        else:
            diff = audit.changes(before, values)
            if diff:
                await Conference.update({getattr(Conference, k): v for k, v in values.items()}) \
                    .where(Conference.id == conference_id)
            old_topics = sorted(t["id"] for t in await conference_topics(conference_id))
            if old_topics != topic_ids:
                diff["topics"] = [old_topics, topic_ids]
            if diff:
                await audit.record(actor, "conference_updated", "conference", conference_id, at=now,
                                   details={k: v for k, v in diff.items() if k != "title_folded"})
        await ConferenceTopic.delete().where(ConferenceTopic.conference == conference_id)
        if topic_ids:
            await ConferenceTopic.insert(*[ConferenceTopic(conference=conference_id, topic=t) for t in topic_ids])
    return conference_id


def _opening_problems(values: dict, topic_ids: list[int]) -> dict[str, str]:
    problems = {}
    if not values.get("starts_at"):
        problems["starts_day"] = _("Set the date and time of the conference before opening it.")
    if not values.get("questions_open_at") or not values.get("questions_close_at"):
        problems["questions_open_day"] = _("Set when questions open and close before opening the conference.")
    if not topic_ids:
        problems["topics"] = _("Choose at least one topic before opening the conference.")
    return problems


async def change_state(actor: Actor, conference_id: int, action: str, now: dt.datetime, reason: str = "",
                       base_url: str = "") -> str:
    conference = await get_conference(conference_id)
    require(actor, "organise", await scope_of_unit(conference["unit"]))
    if action not in TRANSITIONS:
        raise NotFound(_("This action does not exist."))
    sources, target = TRANSITIONS[action]
    if conference["state"] not in sources:
        raise Conflict(_("This conference cannot make that step from its present state."))
    if action == "open":
        problems = _opening_problems(conference, [t["id"] for t in await conference_topics(conference_id)])
        if problems:
            raise InvalidInput(problems)
    async with write_transaction():
        changed = await Conference.update({Conference.state: target}).where(
            (Conference.id == conference_id) & (Conference.state == conference["state"])).returning(Conference.id)
        if not changed:
            raise Conflict(_("Someone else changed this conference at the same time. Reload the page."))
        await audit.record(actor, f"conference_{action}", "conference", conference_id, at=now,
                           from_state=conference["state"], to_state=target, reason=tidy(reason)[:500])
    if action == "start" and conference["release_policy"] == Conference.ReleasePolicy.at_session.value:
        # Answers held for the session are published when it starts. Imported here: answers
        # builds on this module.
        from dialogue.answers.service import release_held

        await release_held(actor, conference_id, now, base_url)
    return target


async def conferences_in_units(unit_ids: list[int] | None, limit: int = 50) -> list[dict]:
    """Conferences of these units (None: all), newest first, drafts included: for staff."""
    query = Conference.select(*CONFERENCE_COLUMNS).order_by(Conference.starts_at, ascending=False).limit(limit)
    if unit_ids is not None:
        query = query.where(Conference.unit.is_in(unit_ids or [0]) | Conference.unit.parent.is_in(unit_ids or [0]))
    return await query


async def questions_of(actor: Actor, conference_id: int, limit: int = 500) -> list[dict]:
    """The organiser's list of what arrived, oldest first (screening comes with its own issue)."""
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
