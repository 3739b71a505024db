"""What is read of a conference's agenda and session: the organiser's agenda page, the console, and
the public agenda (typed views without personal data)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dialogue.agenda.tables import AgendaItem, ConferenceSession, SessionAttendee
from dialogue.answers.queries import published_for_conference
from dialogue.commitments import queries as commitments
from dialogue.conferences.machine import CONFERENCE
from dialogue.conferences.queries import get_conference
from dialogue.core.db import Prepared
from dialogue.core.errors import NotFound
from dialogue.core.i18n import gettext as _
from dialogue.core.i18n import local
from dialogue.machine import events
from dialogue.machine.actors import Actor, may, require
from dialogue.questions.intake import display_code
from dialogue.questions.machine import QUESTION
from dialogue.questions.tables import Question
from dialogue.questions.tracking import PublicQuestion, public_view
from dialogue.reference.units import scope_of_unit

Q = AgendaItem.question
ASKER_KINDS = tuple(kind.value for kind in Question.AskerKind)
ITEM_COLUMNS = (
    AgendaItem.all_columns(),
    Q.tracking_code.as_alias("tracking_code"), Q.title.as_alias("title"), Q.body.as_alias("body"),
    Q.public_summary.as_alias("public_summary"), Q.public_text.as_alias("public_text"),
    Q.asker_kind.as_alias("asker_kind"), Q.answer_mode.as_alias("answer_mode"), Q.origin.as_alias("origin"),
    Q.state.as_alias("state"), Q.public_consent.as_alias("public_consent"), Q.merged_into.as_alias("merged_into"),
    Q.created_at.as_alias("created_at"), Q.screening_due_on.as_alias("screening_due_on"),
    Q.conference.as_alias("question_conference"), Q.topic.as_alias("topic"),
    Q.topic.name_vi.as_alias("topic_vi"), Q.topic.name_en.as_alias("topic_en"), Q.unit.name.as_alias("unit_name"),
    AgendaItem.answered_by_agency.name.as_alias("answered_by_agency_name"),
)

# What a tracking page reads of the question's agenda item: on every view of it, so only these.
OUTCOME_COLUMNS = (
    AgendaItem.outcome, AgendaItem.answered_by_position, AgendaItem.summary, AgendaItem.written_due_on,
    AgendaItem.answered_by_agency.name.as_alias("answered_by_agency_name"),
    AgendaItem.conference.state.as_alias("conference_state"),
)

AGENDA = Prepared(AgendaItem, lambda conference: AgendaItem.select(*ITEM_COLUMNS).where(
    AgendaItem.conference == conference).order_by(AgendaItem.position).order_by(AgendaItem.id))
OUTCOME = Prepared(AgendaItem, lambda question: AgendaItem.select(*OUTCOME_COLUMNS).where(
    AgendaItem.question == question))


def in_writing(item: dict) -> bool:
    return item["answer_mode"] == Question.AnswerMode.writing.value


async def items_of(conference_id: int) -> list[dict]:
    """The agenda in order, each item with its question, its planned start (minutes from the
    opening) and whether it is to be answered in writing."""
    rows = await AGENDA.rows(conference_id)
    start = 0
    previous_topic = None
    for row in rows:
        row["code"] = display_code(row["tracking_code"])
        row["starts_after"] = start
        start += row["minutes"]
        row["in_writing"] = in_writing(row)
        row["new_topic"] = row["topic"] != previous_topic  # a heading where a topic's group begins
        previous_topic = row["topic"]
        row["has_outcome"] = bool(row["outcome"])
        row["is_floor"] = row["origin"] == Question.Origin.floor.value
    return rows


def counts(items: list[dict]) -> dict:
    """How many items residents, businesses and organisations asked, and the time they take."""
    by_kind = {kind.value: 0 for kind in Question.AskerKind}
    for item in items:
        by_kind[item["asker_kind"]] = by_kind.get(item["asker_kind"], 0) + 1
    return {**by_kind, "total": len(items), "minutes": sum(item["minutes"] for item in items),
            "in_writing": sum(1 for item in items if item["in_writing"])}


async def candidates(conference_id: int) -> list[dict]:
    """The conference's questions the agenda may take and does not have yet."""
    rows = await Question.select(
        Question.id, Question.tracking_code, Question.title, Question.asker_kind, Question.answer_mode,
        Question.state, Question.origin, Question.topic.name_vi.as_alias("topic_vi"),
        Question.topic.name_en.as_alias("topic_en"), Question.unit.name.as_alias("unit_name"),
    ).where((Question.conference == conference_id) & Question.state.is_in(sorted(QUESTION.sets["agenda"]))
            & Question.id.not_in(AgendaItem.select(AgendaItem.question).where(AgendaItem.conference == conference_id))
            ).order_by(Question.topic).order_by(Question.created_at)
    for row in rows:
        row["code"] = display_code(row["tracking_code"])
        row["in_writing"] = in_writing(row)
    return rows


async def session_of(conference_id: int) -> dict:
    """The session's record, or its defaults before anything was recorded."""
    row = await ConferenceSession.select().where(ConferenceSession.conference == conference_id).first()
    if row:
        for field in ("started", "ended"):  # what the attendance form shows: hh:mm, local time
            moment = row[f"{field}_at"]
            row[f"{field}_clock"] = local(moment).strftime("%H:%M") if moment else ""
    return row or {"started_clock": "", "ended_clock": "", "id": None,
                   "conference": conference_id, "current_item": None, "conclusions": "",
                   "conclusions_version": 1, "residents": 0, "businesses": 0, "organisations": 0, "chair": "",
                   "secretary": "", "co_organiser": "", "started_at": None, "ended_at": None}


async def attendees_of(conference_id: int) -> list[dict]:
    return await SessionAttendee.select(
        SessionAttendee.all_columns(), SessionAttendee.agency.name.as_alias("agency_name"),
    ).where(SessionAttendee.conference == conference_id).order_by(SessionAttendee.id)


async def agenda_page(actor: Actor, conference_id: int) -> dict:
    """The organiser's agenda: its items, what may still be added, counts and time."""
    conference = await get_conference(conference_id)
    require(actor, "organise", await scope_of_unit(conference["unit"]))
    items = await items_of(conference_id)
    answers = await published_for_conference(conference_id)
    for item in items:
        item["answer"] = answers.get(item["question"])
    return {"conference": conference, "items": items, "candidates": await candidates(conference_id),
            "counts": counts(items), "editable": CONFERENCE.is_in("agenda_editable", conference["state"])}


async def console_page(actor: Actor, conference_id: int, focus: int | None = None) -> dict:
    """Everything the console shows: the item on the screen, the next ones, the item being
    recorded (`focus`, or the current one), commitments, attendance and conclusions."""
    conference = await get_conference(conference_id)
    scope = await scope_of_unit(conference["unit"])
    require(actor, "record_session", scope)
    last_change = await events.latest(live_channel(conference_id))  # first: a change after it is streamed
    items = await items_of(conference_id)
    session = await session_of(conference_id)
    answers = await published_for_conference(conference_id)
    for item in items:
        item["answer"] = answers.get(item["question"])
    current = next((item for item in items if item["id"] == session["current_item"]), None)
    upcoming = [item for item in items if current is None or item["position"] > current["position"]]
    focused = next((item for item in items if item["id"] == focus), None) or current or (items[0] if items else None)
    rows = await commitments.of_conference(conference_id)
    return {
        "conference": conference, "items": items, "session": session, "current": current,
        "upcoming": [item for item in upcoming if item is not current][:3], "focused": focused,
        "commitments": commitments.by_question(rows), "attendees": await attendees_of(conference_id),
        "counts": counts(items), "recording": CONFERENCE.is_in("recording", conference["state"]),
        "can_start": may(actor, "organise", scope) and CONFERENCE.allows(conference["state"], "start"),
        "can_organise": may(actor, "organise", scope),
        # The hall screen and the live page exist for public conferences, whose stream the console follows.
        "follows_live": CONFERENCE.is_in("public", conference["state"]), "last_change": last_change,
    }


async def floor_slip(actor: Actor, conference_id: int, question_id: int) -> dict:
    """What the printed slip tells the person who asked in the hall: the tracking code."""
    conference = await get_conference(conference_id)
    require(actor, "record_session", await scope_of_unit(conference["unit"]))
    row = await Question.select(Question.id, Question.tracking_code, Question.title, Question.origin).where(
        (Question.id == question_id) & (Question.conference == conference_id)).first()
    if row is None or row["origin"] != Question.Origin.floor.value:
        raise NotFound(_("There is no such question."))
    return {"conference": conference, "code": display_code(row["tracking_code"]), "title": row["title"]}


# --- The public agenda, the live page and the hall screen ------------------------------------------

@dataclass(frozen=True)
class PublicAnswerText:
    agency_name: str
    body: str


@dataclass(frozen=True)
class PublicCommitment:
    """A commitment made at the session: what, by which agency (and with which), by when."""

    text: str
    lead_agency: str
    cooperating: tuple[str, ...]
    due_on: dt.date


@dataclass(frozen=True)
class PublicOutcome:
    """What the session recorded for an item, as the public sees it: answered on the spot (the
    agency and the position of who answered, never their name), to be answered in writing by a
    date, and any commitments made. `kind` "" means nothing recorded yet."""

    kind: str
    agency_name: str = ""
    position: str = ""
    summary: str = ""
    written_due_on: dt.date | None = None
    commitments: tuple[PublicCommitment, ...] = ()


@dataclass(frozen=True)
class PublicAgendaItem:
    """An agenda item as the public sees it: the question's public view (never who asked), its
    place and time, what the session recorded, and the published answer (of a question to be
    answered in writing, or released for the session)."""

    position: int
    minutes: int
    starts_after: int
    in_writing: bool
    is_current: bool
    new_topic: bool
    outcome: PublicOutcome
    question: PublicQuestion
    answer: PublicAnswerText | None


def _public_commitments(rows: list[dict]) -> tuple[PublicCommitment, ...]:
    return tuple(PublicCommitment(text=row["text"], lead_agency=row["lead_agency_name"],
                                  cooperating=tuple(row["cooperating"]), due_on=row["due_on"]) for row in rows)


def _public_items(conference: dict, items: list[dict], session: dict, answers: dict[int, dict],
                  commitments_by_question: dict[int | None, list[dict]]) -> list[PublicAgendaItem]:
    # The item on the screen is "being discussed" only while the session runs, not once it is over.
    current_item = session["current_item"] if CONFERENCE.is_in("live", conference["state"]) else None
    result = []
    for item in items:
        question = public_view({**item, "id": item["question"], "conference": item["question_conference"],
                                "conference_title": conference["title"]})
        answer = answers.get(item["question"]) if question.is_public else None
        outcome = PublicOutcome(
            kind=item["outcome"] or "", agency_name=item["answered_by_agency_name"] or "",
            # The spot answer's summary restates the question: shown only if the asker let it be public.
            position=item["answered_by_position"], summary=item["summary"] if question.is_public else "",
            written_due_on=item["written_due_on"],
            commitments=_public_commitments(commitments_by_question.get(item["question"], [])))
        result.append(PublicAgendaItem(
            position=item["position"], minutes=item["minutes"], starts_after=item["starts_after"],
            in_writing=item["in_writing"], is_current=current_item is not None and item["id"] == current_item,
            new_topic=item["new_topic"], outcome=outcome, question=question,
            answer=PublicAnswerText(answer["agency_name"], answer["body"]) if answer else None))
    return result


async def public_agenda(conference: dict, answers: dict[int, dict] | None = None) -> list[PublicAgendaItem]:
    """The agenda as the public sees it. The conference page passes the conference and its published
    answers, which it has read already: this is on every view of that page."""
    if not CONFERENCE.is_in("public", conference["state"]):
        return []
    items = await items_of(conference["id"])
    if not items:
        return []
    session = await session_of(conference["id"])
    if answers is None:
        answers = await published_for_conference(conference["id"])
    return _public_items(conference, items, session, answers,
                         commitments.by_question(await commitments.of_conference(conference["id"])))


def live_channel(conference_id: int) -> str:
    """The live channel the hall screen, the live page and the console follow."""
    return f"conference:{conference_id}"


@dataclass(frozen=True)
class LivePage:
    """The public live page: the agenda with the item being discussed and what was recorded, the
    chair's conclusions and their commitments, and the newest change it shows (to follow on from)."""

    agenda: list[PublicAgendaItem]
    current: PublicAgendaItem | None
    conclusions: str
    general_commitments: tuple[PublicCommitment, ...]
    last_change: int


async def live_page(conference: dict) -> LivePage:
    """What the live page shows of a public conference (the caller checked that it is public)."""
    last_change = await events.latest(live_channel(conference["id"]))  # first: a change after it is streamed
    items = await items_of(conference["id"])
    session = await session_of(conference["id"])
    answers = await published_for_conference(conference["id"]) if items else {}
    grouped = commitments.by_question(await commitments.of_conference(conference["id"]))
    agenda = _public_items(conference, items, session, answers, grouped)
    return LivePage(agenda=agenda, current=next((item for item in agenda if item.is_current), None),
                    conclusions=session["conclusions"], general_commitments=_public_commitments(grouped.get(None, [])),
                    last_change=last_change)


@dataclass(frozen=True)
class HallScreen:
    """The screen in the hall: the item being discussed (its question's public view, its place among
    the items, the answer once released), or nothing current, and the newest change it shows."""

    current: PublicAgendaItem | None
    total: int
    last_change: int


async def hall_screen(conference: dict) -> HallScreen:
    """What the hall screen shows of a public conference (the caller checked that it is public)."""
    last_change = await events.latest(live_channel(conference["id"]))
    session = await session_of(conference["id"])
    items = await items_of(conference["id"])
    showing = session["current_item"] if CONFERENCE.is_in("live", conference["state"]) else None
    current = [item for item in items if item["id"] == showing]
    answers = await published_for_conference(conference["id"]) if current else {}
    shown = _public_items(conference, current, session, answers, {})
    return HallScreen(current=shown[0] if shown else None, total=len(items), last_change=last_change)


async def public_changes(conference_id: int, after_id: int, limit: int = 50) -> list[dict]:
    """The changes of a conference after a given one, for its public stream: each change's id and
    kind only (what changed is read by the page itself, through its public views)."""
    return [{"id": row["id"], "kind": row["kind"]}
            for row in await events.since(live_channel(conference_id), after_id, limit)]


async def question_outcome(question: PublicQuestion, for_asker: bool = False) -> PublicOutcome | None:
    """What the session recorded for this question, for its tracking pages: answered on the spot (by
    which agency and position), or to be answered in writing by a date. The commitments are told by
    the follow-up beside it. The summary restates the question: shown to the public only if the
    question is public, always to its asker."""
    item = await OUTCOME.first(question.id)
    if item is None or not item["outcome"] or not CONFERENCE.is_in("public", item["conference_state"]):
        return None
    return PublicOutcome(
        kind=item["outcome"], agency_name=item["answered_by_agency_name"] or "", position=item["answered_by_position"],
        summary=item["summary"] if question.is_public or for_asker else "", written_due_on=item["written_due_on"])
