"""What is read of conferences: one conference, its topics and areas, the public lists, the .ics."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from icalendar import Calendar, Event

from dialogue.conferences.machine import CONFERENCE
from dialogue.conferences.tables import Conference, ConferenceTopic
from dialogue.core.clock import as_utc
from dialogue.core.db import Prepared
from dialogue.core.errors import NotFound
from dialogue.core.i18n import gettext as _
from dialogue.core.text import fold, valid_id
from dialogue.machine.actors import Actor, require
from dialogue.machine.log import ActionLog
from dialogue.reference.tables import AdminUnit, Topic
from dialogue.reference.units import scope_of_unit, topics_serving

S = Conference.State
PUBLIC_STATES = sorted(CONFERENCE.sets["public"])
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


def with_flags(row: dict) -> dict:
    """The conference row with what pages need to know of its state, from the machine's sets."""
    state = row["state"]
    return {**row, **{f"is_{name}": CONFERENCE.is_in(name, state) for name in CONFERENCE.sets}}


async def get_conference(conference_id: int) -> dict:
    rows = await Conference.raw(CONFERENCE_SQL, conference_id) if valid_id(conference_id) else []
    if not rows:
        raise NotFound(_("There is no such conference."))
    return with_flags(rows[0])


async def for_organiser(actor: Actor, conference_id: int) -> dict:
    """The conference, for those who may organise it."""
    conference = await get_conference(conference_id)
    require(actor, "organise", await scope_of_unit(conference["unit"]))
    return conference


async def titles(conference_ids: list[int]) -> dict[int, str]:
    """Conferences' titles by id (for the action log)."""
    rows = await Conference.select(Conference.id, Conference.title).where(Conference.id.is_in(conference_ids or [0]))
    return {row["id"]: row["title"] for row in rows}


async def get_public_conference(conference_id: int) -> dict:
    conference = await get_conference(conference_id)
    if not CONFERENCE.is_in("public", conference["state"]):
        raise NotFound(_("There is no such conference."))
    return conference


def accepting_questions(conference: dict, now: dt.datetime) -> bool:
    """Open for questions and within its window."""
    opens, closes = conference["questions_open_at"], conference["questions_close_at"]
    return (CONFERENCE.is_in("taking_questions", conference["state"]) and opens is not None and closes is not None
            and as_utc(opens) <= now < as_utc(closes))


@dataclass(frozen=True)
class QuestionWindow:
    """Where a conference stands for someone who wants to ask: taking questions, not yet (and from
    when), or no longer (and since when: the end of its window, or the organisers' earlier step)."""

    accepting: bool
    opens_at: dt.datetime | None  # set when questions are still to open
    stopped_at: dt.datetime | None  # set when questions have stopped (None if it is not known)


async def question_window(conference: dict, now: dt.datetime) -> QuestionWindow:
    if accepting_questions(conference, now):
        return QuestionWindow(True, None, None)
    opens, closes = conference["questions_open_at"], conference["questions_close_at"]
    if CONFERENCE.is_in("before_questions_close", conference["state"]) and opens and as_utc(opens) > now:
        return QuestionWindow(False, as_utc(opens), None)
    moments = [as_utc(closes)] if closes and as_utc(closes) <= now else []
    stopped = await ActionLog.select(ActionLog.at).where(
        (ActionLog.object_type == "conference") & (ActionLog.object_id == str(conference["id"]))
        & ActionLog.action.is_in([CONFERENCE.logged_as("close"), CONFERENCE.logged_as("start")])
    ).order_by(ActionLog.id, ascending=False).first()
    if stopped:
        moments.append(as_utc(stopped["at"]))
    return QuestionWindow(False, None, min(moments) if moments else None)


async def conference_topics(conference_id: int) -> list[dict]:
    return await Topic.raw(TOPICS_SQL, conference_id)


async def topic_choices(unit_id: int | None, conference_id: int | None = None) -> list[dict]:
    """The topics a conference of this unit may take (see topics_serving), with any it already has;
    every active topic while no unit is chosen (an admin's new conference)."""
    if unit_id is None:
        return await Topic.select(Topic.all_columns(), Topic.unit.name.as_alias("unit_name")).where(
            Topic.active == True).order_by(Topic.position).order_by(Topic.id)
    choices = await topics_serving(unit_id)
    if conference_id is not None:
        offered = {t["id"] for t in choices}
        choices += [t for t in await Topic.select(Topic.all_columns(), Topic.unit.name.as_alias("unit_name")).where(
            Topic.id.is_in(ConferenceTopic.select(ConferenceTopic.topic).where(
                ConferenceTopic.conference == conference_id))) if t["id"] not in offered]
    return choices


async def area_options(conference: dict) -> list[dict]:
    """The areas a question may concern: the conference's unit, and its communes if it is a province."""
    return await AdminUnit.raw(AREAS_SQL, conference["unit"], conference["unit"])


# --- Public listing ------------------------------------------------------------------------

UPCOMING = Prepared(Conference, lambda: Conference.select(*CONFERENCE_COLUMNS).where(  # the home page's
    Conference.state.is_in([S.open.value, S.closed.value, S.in_session.value])
).order_by(Conference.starts_at).limit(10))


async def upcoming_public_conferences() -> list[dict]:
    """The ten soonest conferences that are not drafts and not over."""
    return [with_flags(row) for row in await UPCOMING.rows()]


async def search_public_conferences(
    search: str = "", unit_code: str = "", kind: str = "", page: int = 1, per_page: int = 20,
    taking_questions_at: dt.datetime | None = None,
) -> tuple[list[dict], int]:
    """Public conferences, newest first, filtered; search ignores diacritics. With a moment: only
    those taking questions then."""
    query = Conference.select(*CONFERENCE_COLUMNS).where(Conference.state.is_in(PUBLIC_STATES))
    count = Conference.count().where(Conference.state.is_in(PUBLIC_STATES))
    conditions = []
    for word in fold(search).split()[:10]:  # every word, in any order, accents optional
        conditions.append(Conference.title_folded.like(f"%{word[:50]}%"))
    if unit_code:
        conditions.append((Conference.unit.code == unit_code[:10]) | (Conference.unit.parent.code == unit_code[:10]))
    if kind in {k.value for k in Conference.Kind}:
        conditions.append(Conference.kind == kind)
    if taking_questions_at is not None:
        conditions.append(Conference.state.is_in(sorted(CONFERENCE.sets["taking_questions"]))
                          & (Conference.questions_open_at <= taking_questions_at)
                          & (Conference.questions_close_at > taking_questions_at))
    for condition in conditions:
        query = query.where(condition)
        count = count.where(condition)
    rows = await query.order_by(Conference.starts_at, ascending=False).limit(per_page).offset((page - 1) * per_page)
    return [with_flags(row) for row in rows], await count


async def units_with_conferences() -> list[dict]:
    return await AdminUnit.select(AdminUnit.code, AdminUnit.name).where(
        AdminUnit.id.is_in(Conference.select(Conference.unit).where(Conference.state.is_in(PUBLIC_STATES)))
    ).order_by(AdminUnit.name)


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


async def conferences_in_units(unit_ids: list[int] | None, limit: int = 50) -> list[dict]:
    """Conferences of these units (None: all), newest first, drafts included: for staff."""
    query = Conference.select(*CONFERENCE_COLUMNS).order_by(Conference.starts_at, ascending=False).limit(limit)
    if unit_ids is not None:
        query = query.where(Conference.unit.is_in(unit_ids or [0]) | Conference.unit.parent.is_in(unit_ids or [0]))
    return [with_flags(row) for row in await query]
