"""What is read of commitments: those of a conference, with their agencies' names; the follow-up's
lists for agencies and organisers; the public view with its timeline; overdue, derived."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from dialogue.commitments.machine import COMMITMENT
from dialogue.commitments.tables import Commitment, CommitmentAgency, CommitmentFile, CommitmentUpdate
from dialogue.core.calendar import WorkingCalendar, local_today
from dialogue.core.db import Prepared
from dialogue.core.errors import NotFound
from dialogue.core.i18n import gettext as _
from dialogue.core.text import parse_id, valid_id
from dialogue.core.vocabulary import is_public_action, shows_reason_publicly
from dialogue.machine.actors import Actor, require
from dialogue.machine.log import ActionLog
from dialogue.questions.intake import display_code
from dialogue.questions.machine import QUESTION
from dialogue.questions.tables import Question
from dialogue.reference.calendar import working_calendar
from dialogue.reference.units import scope_of_unit


async def of_conference(conference_id: int) -> list[dict]:
    """Every commitment of the conference, oldest first, with `cooperating` (agency names) and
    `cooperating_ids`."""
    rows = await Commitment.select(
        Commitment.all_columns(), Commitment.lead_agency.name.as_alias("lead_agency_name"),
        Commitment.lead_agency.short_name.as_alias("lead_agency_short"),
    ).where(Commitment.conference == conference_id).order_by(Commitment.id)
    partners = await CommitmentAgency.select(
        CommitmentAgency.commitment, CommitmentAgency.agency, CommitmentAgency.agency.name.as_alias("agency_name"),
    ).where(CommitmentAgency.commitment.is_in([r["id"] for r in rows] or [0])).order_by(CommitmentAgency.id)
    for row in rows:
        row["cooperating"] = [p["agency_name"] for p in partners if p["commitment"] == row["id"]]
        row["cooperating_ids"] = [p["agency"] for p in partners if p["commitment"] == row["id"]]
    return rows


def by_question(rows: list[dict]) -> dict[int | None, list[dict]]:
    """The commitments grouped by their question (None: the chair's conclusions)."""
    grouped: dict[int | None, list[dict]] = {}
    for row in rows:
        grouped.setdefault(row["question"], []).append(row)
    return grouped


# --- The follow-up: lists for the agencies and the organisers, the public view --------------------------------

def due_of(row: dict, today: dt.date, calendar: WorkingCalendar) -> dict | None:
    """What _partials/due.html shows: the due date, working days left (negative: overdue) and
    whether it is overdue; None once the commitment is settled or reported done."""
    if not COMMITMENT.is_in("live", row["state"]):
        return None
    late = overdue_days(row, today, calendar)
    if late:
        left = -late
    elif row["due_on"] >= today:
        left = calendar.working_days_left(today, row["due_on"])
    else:
        left = 0  # past the date, but no working day yet (a weekend or a holiday after it)
    return {"on": row["due_on"], "left": left, "overdue": late > 0}


def overdue_days(commitment: dict, today: dt.date, calendar: WorkingCalendar) -> int:
    """Working days past the due date (0: not overdue) of a commitment still to be done. Weekends,
    holidays (Tết) and swapped working days count as the calendar says. Never stored."""
    if not COMMITMENT.is_in("live", commitment["state"]) or today <= commitment["due_on"]:
        return 0
    return max(0, -calendar.working_days_left(today, commitment["due_on"]))


LISTED_COLUMNS = (
    Commitment.all_columns(), Commitment.lead_agency.name.as_alias("lead_agency_name"),
    Commitment.lead_agency.short_name.as_alias("lead_agency_short"),
    Commitment.conference.title.as_alias("conference_title"),
    Commitment.question.tracking_code.as_alias("question_code"),
    Commitment.question.title.as_alias("question_title"),
)
# The public pages' reads (every view of a conference or a tracking page), built once.
OF_CONFERENCE = Prepared(Commitment, lambda conference: Commitment.select(*LISTED_COLUMNS).where(
    Commitment.conference == conference).order_by(Commitment.due_on).order_by(Commitment.id))
OF_QUESTION = Prepared(Commitment, lambda question: Commitment.select(*LISTED_COLUMNS).where(
    Commitment.question == question).order_by(Commitment.due_on).order_by(Commitment.id))


async def _listed(condition, now: dt.datetime, rows: list[dict] | None = None) -> list[dict]:
    """The commitments matching condition (or the rows given, read by a prepared query), shaped for lists."""
    if rows is None:
        rows = await Commitment.select(*LISTED_COLUMNS).where(condition).order_by(Commitment.due_on) \
            .order_by(Commitment.id)
    if not rows:
        return []  # most public pages have no commitments (yet): no calendar to read
    today, calendar = local_today(now), await working_calendar()
    for row in rows:
        row["due"] = due_of(row, today, calendar)
        row["overdue"] = bool(row["due"] and row["due"]["overdue"])
        row["role"] = ""  # the agency's role, in an agency's list
        row["disputed"] = COMMITMENT.is_in("disputed", row["state"])
    # disputed first (the asker or an inspection says it is not done: it needs someone now), then by due date
    return sorted(rows, key=lambda row: not row["disputed"])


async def for_agency(actor: Actor, now: dt.datetime) -> list[dict]:
    """The commitments the actor's agency leads or cooperates on, soonest due first; `role` lead or cooperating."""
    if actor.agency_id is None:
        return []
    partnered = [r["commitment"] for r in await CommitmentAgency.select(CommitmentAgency.commitment)
                 .where(CommitmentAgency.agency == actor.agency_id)]
    rows = await _listed((Commitment.lead_agency == actor.agency_id) | Commitment.id.is_in(partnered or [0]), now)
    for row in rows:
        row["role"] = "lead" if row["lead_agency"] == actor.agency_id else "cooperating"
    return rows


COMMITMENT_FILTERS = ("state", "agency", "overdue")


async def for_conference(actor: Actor, conference: dict, filters: dict, now: dt.datetime) -> list[dict]:
    """The conference's commitments for its organisers, filtered by state, lead agency and overdue."""
    require(actor, "read", await scope_of_unit(conference["unit"]))
    condition = Commitment.conference == conference["id"]
    if filters.get("state") in COMMITMENT.states:
        condition &= Commitment.state == filters["state"]
    agency = parse_id(filters.get("agency"))
    if agency is not None:
        condition &= Commitment.lead_agency == agency
    rows = await _listed(condition, now)
    if filters.get("overdue"):
        rows = [r for r in rows if r["overdue"]]
    return rows


@dataclass(frozen=True)
class PublicCommitmentEvent:
    """One step of a commitment's public timeline: what happened and when, never who among the staff."""

    at: dt.datetime
    action: str
    reason: str
    from_due_on: dt.date | None = None  # an extension: the date before it …
    to_due_on: dt.date | None = None  # … and after it
    percent: int | None = None  # a progress note's
    inspection_round: int | None = None  # a surprise inspection's finding: the round whose public report tells it
    visited_on: dt.date | None = None  # … and the day of the visit
    by_asker: bool = False  # a dispute by the asker, through their confirmation link (not by an inspection)


@dataclass(frozen=True)
class PublicEvidence:
    """A document or photo on a commitment's timeline (photos without their metadata)."""

    id: int
    filename: str
    content_type: str
    size: int
    agency: str
    at: dt.datetime


@dataclass(frozen=True)
class PublicFollowUp:
    """A commitment as the public sees it after the conference: what, which agencies, the due date
    (and the first one, if extended), where it stands, its outcome and its timeline."""

    id: int
    conference: int
    text: str
    lead_agency_id: int
    lead_agency: str
    cooperating: tuple[str, ...]
    status: str  # the state's code, for word("commitment_state", …)
    due_on: dt.date
    original_due_on: dt.date | None
    overdue: bool
    progress: int
    outcome: str
    question_code: str  # the tracking code of the public question it serves ("" otherwise)
    serves_question: bool  # False: a commitment of the chair's conclusions
    from_answer: bool = False  # promised in the question's written answer
    updated_at: dt.datetime | None = None
    timeline: tuple[PublicCommitmentEvent, ...] = ()
    evidence: tuple[PublicEvidence, ...] = ()


DISPUTE = COMMITMENT.logged_as("dispute")


async def public_timeline(commitment_ids: list[int]) -> dict[int, tuple[PublicCommitmentEvent, ...]]:
    rows = await ActionLog.select(ActionLog.object_id, ActionLog.at, ActionLog.action, ActionLog.reason,
                                  ActionLog.details, ActionLog.actor_kind).where(
        (ActionLog.object_type == "commitment") & ActionLog.object_id.is_in([str(i) for i in commitment_ids] or ["0"])
    ).order_by(ActionLog.id)
    result: dict[int, list[PublicCommitmentEvent]] = {}
    for row in rows:
        if not is_public_action(row["action"]):
            continue
        details = row["details"] if isinstance(row["details"], dict) else json.loads(row["details"] or "{}")
        result.setdefault(int(row["object_id"]), []).append(PublicCommitmentEvent(
            at=row["at"], action=row["action"],
            reason=row["reason"] if shows_reason_publicly(row["action"]) else "",
            from_due_on=_day(details.get("from_due_on")), to_due_on=_day(details.get("to_due_on")),
            percent=details.get("percent") if isinstance(details.get("percent"), int) else None,
            inspection_round=details.get("inspection_round") if isinstance(details.get("inspection_round"), int)
            else None, visited_on=_day(details.get("visited_on")),
            by_asker=row["action"] == DISPUTE and row["actor_kind"] == ActionLog.ActorKind.public.value))
    return {key: tuple(value) for key, value in result.items()}


def _day(raw) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        return None


async def public_follow_up(now: dt.datetime, *, conference_id: int | None = None,
                           question_id: int | None = None) -> list[PublicFollowUp]:
    """The public view of a conference's (or one question's) commitments, with their timelines."""
    found = await (OF_CONFERENCE.rows(conference_id) if question_id is None else OF_QUESTION.rows(question_id))
    return await public_view(found, now)


async def public_view(found: list[dict], now: dt.datetime) -> list[PublicFollowUp]:
    """The public view of commitment rows read with LISTED_COLUMNS (disputed first, then as given)."""
    rows = await _listed(None, now, found)
    if not rows:
        return []  # nothing to follow: the four reads below would find nothing
    partners = await CommitmentAgency.select(
        CommitmentAgency.commitment, CommitmentAgency.agency.name.as_alias("agency_name"),
    ).where(CommitmentAgency.commitment.is_in([r["id"] for r in rows] or [0])).order_by(CommitmentAgency.id)
    timelines = await public_timeline([r["id"] for r in rows])
    files = await evidence_of([r["id"] for r in rows])
    # the question is linked only when it is public itself (accepted, and its asker agreed)
    public_questions = {q["id"] for q in await Question.select(Question.id).where(
        Question.id.is_in([r["question"] for r in rows if r["question"]] or [0])
        & Question.state.is_in(sorted(QUESTION.sets["public"])) & (Question.public_consent == True))}
    return [PublicFollowUp(
        id=r["id"], conference=r["conference"], text=r["text"], lead_agency_id=r["lead_agency"],
        lead_agency=r["lead_agency_name"],
        cooperating=tuple(p["agency_name"] for p in partners if p["commitment"] == r["id"]), status=r["state"],
        due_on=r["due_on"], original_due_on=r["original_due_on"], overdue=r["overdue"], progress=r["progress"],
        outcome=r["outcome"] or "",
        question_code=display_code(r["question_code"]) if r["question"] in public_questions else "",
        serves_question=r["question"] is not None, from_answer=r["origin"] == Commitment.Origin.answer.value,
        updated_at=r["updated_at"], timeline=timelines.get(r["id"], ()),
        evidence=tuple(PublicEvidence(id=f["id"], filename=f["filename"], content_type=f["content_type"],
                                      size=f["size"], agency=f["agency_name"], at=f["created_at"])
                       for f in files.get(r["id"], []))) for r in rows]


async def progress_notes(commitment_id: int) -> list[dict]:
    """The progress notes of a commitment, with the agency that posted each (staff pages)."""
    return await CommitmentUpdate.select(
        CommitmentUpdate.all_columns(), CommitmentUpdate.agency.name.as_alias("agency_name"),
        CommitmentUpdate.author.full_name.as_alias("author_name"),
    ).where(CommitmentUpdate.commitment == commitment_id).order_by(CommitmentUpdate.id)


async def questions_to_commit_on(conference_id: int) -> list[dict]:
    """The conference's questions a commitment may serve: those its agenda could take (staff form)."""
    rows = await Question.select(Question.id, Question.tracking_code, Question.title, Question.public_summary).where(
        (Question.conference == conference_id) & Question.state.is_in(sorted(QUESTION.sets["agenda"]))
    ).order_by(Question.id)
    return [{**row, "code": display_code(row["tracking_code"])} for row in rows]


async def evidence_of(commitment_ids: list[int]) -> dict[int, list[dict]]:
    """The evidence files of these commitments (without their bytes), oldest first, with the agency
    that attached each."""
    rows = await CommitmentFile.select(
        CommitmentFile.id, CommitmentFile.commitment, CommitmentFile.filename, CommitmentFile.content_type,
        CommitmentFile.size, CommitmentFile.created_at, CommitmentFile.agency.name.as_alias("agency_name"),
    ).where(CommitmentFile.commitment.is_in(commitment_ids or [0])).order_by(CommitmentFile.id)
    grouped: dict[int, list[dict]] = {}
    for row in rows:
        grouped.setdefault(row["commitment"], []).append(row)
    return grouped


async def evidence_file(file_id: int) -> dict:
    """An evidence file with its bytes: public, like the timeline it belongs to."""
    row = await CommitmentFile.select().where(CommitmentFile.id == file_id).first() if valid_id(file_id) else None
    if row is None:
        raise NotFound(_("This item no longer exists."))
    return row
