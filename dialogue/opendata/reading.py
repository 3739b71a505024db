"""The public record as pages of typed records (records.py), for the JSON API and the Open311 view.

What the public may see is decided by the rules the pages use: a conference once it is no longer a
draft (CONFERENCE "public"), a question while it is public (accepted and its asker agreed, in a
public conference), an answer once published, a commitment as the follow-up shows it
(commitments.queries.public_view). Lists are read in the order of their ids with a cursor (the last
id of the page, opaque to the caller): a row added while someone pages through comes after what they
have read, so nothing is skipped or read twice. A question made public late keeps its early id: a
copy is kept up to date by `updated_since`.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from dialogue.accountability.agencies import agency_page
from dialogue.answers.machine import ANSWER
from dialogue.answers.queries import published_answers
from dialogue.answers.tables import Answer
from dialogue.commitments.queries import LISTED_COLUMNS, public_view
from dialogue.commitments.tables import Commitment, CommitmentAgency
from dialogue.conferences.machine import CONFERENCE
from dialogue.conferences.tables import Conference, ConferenceTopic
from dialogue.core.errors import InvalidInput, NotFound
from dialogue.core.i18n import gettext as _
from dialogue.core.text import valid_id
from dialogue.opendata import records
from dialogue.questions.intake import CODE_LENGTH, display_code, normalise_code
from dialogue.questions.machine import QUESTION
from dialogue.questions.tables import Assignment, Question
from dialogue.reference.tables import AdminUnit, Agency, Topic

MAX_LIMIT = 100
DEFAULT_LIMIT = 50
PUBLIC_CONFERENCE_STATES = sorted(CONFERENCE.sets["public"])
PUBLIC_QUESTION_STATES = sorted(QUESTION.sets["public"])
PUBLISHED = sorted(ANSWER.sets["published"])
COMMITMENT_STATES = sorted(s.value for s in Commitment.State)
UNIT_LEVELS = sorted(level.value for level in AdminUnit.Level)


@dataclass(frozen=True)
class Links:
    """The public pages' addresses, given by the web layer (nothing here knows the routes)."""

    conference: Callable[[int], str]
    question: Callable[[str], str]  # by tracking code
    answer_file: Callable[[int], str]
    commitment: Callable[[int, int], str]  # conference, commitment
    evidence_file: Callable[[int], str]
    agency: Callable[[int], str]


# --- Cursors ---------------------------------------------------------------------------------------

def cursor_of(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"v1:{last_id}".encode()).decode().rstrip("=")


def after_cursor(cursor: str) -> int:
    """The last id a cursor stands for (0 for none); a cursor we did not give is refused politely."""
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        prefix, _sep, number = text.partition(":")
        last = int(number)
        if prefix != "v1" or not valid_id(last):
            raise ValueError
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput({"cursor": _("This cursor is not one we gave. Start again without it.")}) from None
    return last


def _page(rows: list, limit: int) -> tuple[list, str | None]:
    """The first `limit` rows (read limit + 1) and the cursor after them, if there are more."""
    if len(rows) > limit:
        return rows[:limit], cursor_of(rows[limit - 1]["id"])
    return rows, None


def _choice(value: str, allowed: list[str], field: str) -> str:
    if value and value not in allowed:
        raise InvalidInput({field: _("Use one of: %(choices)s.", choices=", ".join(allowed))})
    return value


# --- Conferences -----------------------------------------------------------------------------------

def _conference(row: dict, topics: list[int], links: Links) -> records.Conference:
    return records.Conference(
        id=row["id"], title=row["title"], kind=row["kind"], state=row["state"], unit=row["unit"],
        unit_name=row["unit_name"], starts_at=row["starts_at"], ends_at=row["ends_at"], venue=row["venue"],
        online_url=row["online_url"], description=row["description"], questions_open_at=row["questions_open_at"],
        questions_close_at=row["questions_close_at"], topics=topics, url=links.conference(row["id"]))


CONFERENCE_COLUMNS = (
    Conference.id, Conference.title, Conference.kind, Conference.state, Conference.unit,
    Conference.unit.name.as_alias("unit_name"), Conference.starts_at, Conference.ends_at, Conference.venue,
    Conference.online_url, Conference.description, Conference.questions_open_at, Conference.questions_close_at,
)


async def _topics_of(conference_ids: list[int]) -> dict[int, list[int]]:
    rows = await ConferenceTopic.select(ConferenceTopic.conference, ConferenceTopic.topic).where(
        ConferenceTopic.conference.is_in(conference_ids or [0])).order_by(ConferenceTopic.id)
    found: dict[int, list[int]] = {}
    for row in rows:
        found.setdefault(row["conference"], []).append(row["topic"])
    return found


async def conferences(links: Links, *, unit: int | None = None, state: str = "", cursor: str = "",
                      limit: int = DEFAULT_LIMIT) -> records.ConferencePage:
    query = Conference.select(*CONFERENCE_COLUMNS).where(
        Conference.state.is_in(PUBLIC_CONFERENCE_STATES) & (Conference.id > after_cursor(cursor)))
    if unit:
        query = query.where((Conference.unit == unit) | (Conference.unit.parent == unit))
    if _choice(state, PUBLIC_CONFERENCE_STATES, "state"):
        query = query.where(Conference.state == state)
    rows, after = _page(await query.order_by(Conference.id).limit(limit + 1), limit)
    topics = await _topics_of([row["id"] for row in rows])
    return records.ConferencePage([_conference(row, topics.get(row["id"], []), links) for row in rows], after)


async def conference(links: Links, conference_id: int) -> records.Conference:
    row = await Conference.select(*CONFERENCE_COLUMNS).where(
        (Conference.id == conference_id) & Conference.state.is_in(PUBLIC_CONFERENCE_STATES)).first() \
        if valid_id(conference_id) else None
    if row is None:
        raise NotFound(_("There is no such conference."))
    return _conference(row, (await _topics_of([conference_id])).get(conference_id, []), links)


# --- Questions -------------------------------------------------------------------------------------

def public_question():
    return (Question.state.is_in(PUBLIC_QUESTION_STATES) & (Question.public_consent == True)
            & Question.conference.state.is_in(PUBLIC_CONFERENCE_STATES))


QUESTION_COLUMNS = (
    Question.id, Question.tracking_code, Question.conference, Question.unit, Question.unit.name.as_alias("unit_name"),
    Question.topic, Question.topic.name_vi.as_alias("topic_vi"), Question.topic.name_en.as_alias("topic_en"),
    Question.asker_kind, Question.state, Question.title, Question.public_summary, Question.public_text,
    Question.body, Question.created_at, Question.updated_at,
)


async def _questions(rows: list[dict], links: Links) -> list[records.Question]:
    ids = [row["id"] for row in rows] or [0]
    leads = {row["question"]: row["agency"] for row in await Assignment.select(
        Assignment.question, Assignment.agency).where(
        Assignment.question.is_in(ids) & (Assignment.role == Assignment.Role.lead.value) & (Assignment.active == True))}
    answered = {row["question"] for row in await Answer.select(Answer.question).where(
        Answer.question.is_in(ids) & Answer.state.is_in(PUBLISHED))}
    return [records.Question(
        code=display_code(row["tracking_code"]), conference=row["conference"], unit=row["unit"],
        unit_name=row["unit_name"], topic=row["topic"], topic_vi=row["topic_vi"], topic_en=row["topic_en"],
        asker_kind=row["asker_kind"], state=row["state"], heading=row["public_summary"] or row["title"],
        text=row["public_text"] or row["body"], created_at=row["created_at"], updated_at=row["updated_at"],
        lead_agency=leads.get(row["id"]), answered=row["id"] in answered,
        url=links.question(display_code(row["tracking_code"]))) for row in rows]


async def questions(links: Links, *, conference: int | None = None, unit: int | None = None,
                    topic: int | None = None, agency: int | None = None, state: str = "",
                    updated_since: dt.datetime | None = None, cursor: str = "",
                    limit: int = DEFAULT_LIMIT) -> records.QuestionPage:
    """The public questions, oldest first; `agency`: those it was asked to answer (lead or
    contributing); `unit`: asked about that commune, or any commune of that province."""
    query = Question.select(*QUESTION_COLUMNS).where(public_question() & (Question.id > after_cursor(cursor)))
    if conference:
        query = query.where(Question.conference == conference)
    if unit:
        query = query.where((Question.unit == unit) | (Question.unit.parent == unit))
    if topic:
        query = query.where(Question.topic == topic)
    if agency:
        query = query.where(Question.id.is_in(Assignment.select(Assignment.question).where(
            (Assignment.agency == agency) & (Assignment.active == True))))
    if _choice(state, PUBLIC_QUESTION_STATES, "state"):
        query = query.where(Question.state == state)
    if updated_since is not None:
        query = query.where(Question.updated_at >= updated_since)
    rows, after = _page(await query.order_by(Question.id).limit(limit + 1), limit)
    return records.QuestionPage(await _questions(rows, links), after)


async def question_id(raw_code: str) -> int:
    """The id of the public question with this tracking code; not found for any other."""
    code = normalise_code(raw_code)
    row = await Question.select(Question.id).where(
        (Question.tracking_code == code) & public_question()).first() if len(code) == CODE_LENGTH else None
    if row is None:
        raise NotFound(_("No public question has this tracking code."))
    return row["id"]


async def question(links: Links, raw_code: str) -> records.Question:
    row = await Question.select(*QUESTION_COLUMNS).where(Question.id == await question_id(raw_code)).first()
    return (await _questions([row], links))[0]


# --- Answers ---------------------------------------------------------------------------------------

ANSWER_COLUMNS = (
    Answer.id, Answer.question, Answer.question.tracking_code.as_alias("code"),
    Answer.question.conference.as_alias("conference"), Answer.agency, Answer.agency.name.as_alias("agency_name"),
    Answer.approved_by.role.as_alias("approver_role"), Answer.body, Answer.legal_basis, Answer.published_at,
)


def _published():
    return (Answer.state.is_in(PUBLISHED) & Answer.question.state.is_in(PUBLIC_QUESTION_STATES)
            & (Answer.question.public_consent == True)
            & Answer.question.conference.state.is_in(PUBLIC_CONFERENCE_STATES))


async def _answers(rows: list[dict], links: Links) -> list[records.Answer]:
    public = await published_answers(rows)
    out = []
    for row in rows:
        answer = public[row["question"]]
        out.append(records.Answer(
            question=display_code(row["code"]), conference=row["conference"], agency=row["agency"],
            agency_name=answer.agency_name, body=answer.body, legal_basis=answer.legal_basis,
            approver_role=answer.approver_role, published_at=answer.published_at,
            parts=[records.AnswerPart(part.agency_name, part.body) for part in answer.parts],
            attachments=[records.Attachment(f.id, f.filename, f.size, links.answer_file(f.id)) for f in answer.files],
            promises=[records.Promise(p.text, p.due_on, p.expected_output) for p in answer.promises],
            url=links.question(display_code(row["code"]))))
    return out


async def answers(links: Links, *, conference: int | None = None, agency: int | None = None,
                  published_since: dt.datetime | None = None, cursor: str = "",
                  limit: int = DEFAULT_LIMIT) -> records.AnswerPage:
    query = Answer.select(*ANSWER_COLUMNS).where(_published() & (Answer.id > after_cursor(cursor)))
    if conference:
        query = query.where(Answer.question.conference == conference)
    if agency:
        query = query.where(Answer.agency == agency)
    if published_since is not None:
        query = query.where(Answer.published_at >= published_since)
    rows, after = _page(await query.order_by(Answer.id).limit(limit + 1), limit)
    return records.AnswerPage(await _answers(rows, links), after)


async def answer(links: Links, raw_code: str) -> records.Answer:
    question = await question_id(raw_code)
    rows = await Answer.select(*ANSWER_COLUMNS).where(_published() & (Answer.question == question))
    if not rows:
        raise NotFound(_("This question has no published answer yet."))
    return (await _answers(rows, links))[0]


# --- Commitments -----------------------------------------------------------------------------------

async def commitment_records(rows: list[dict], now: dt.datetime, links: Links) -> list[records.Commitment]:
    order = {row["id"]: n for n, row in enumerate(rows)}
    views = sorted(await public_view(rows, now), key=lambda view: order[view.id])  # by id, as paged
    return [records.Commitment(
        id=v.id, conference=v.conference, question=v.question_code or None, text=v.text,
        lead_agency=v.lead_agency_id, lead_agency_name=v.lead_agency, cooperating=list(v.cooperating),
        state=v.status, due_on=v.due_on, original_due_on=v.original_due_on, overdue=v.overdue, progress=v.progress,
        outcome=v.outcome, from_answer=v.from_answer, updated_at=v.updated_at,
        history=[records.CommitmentEvent(e.at, e.action, e.reason, e.from_due_on, e.to_due_on, e.percent)
                 for e in v.timeline],
        evidence=[records.Evidence(f.id, f.filename, f.content_type, f.size, f.agency, f.at,
                                   links.evidence_file(f.id)) for f in v.evidence],
        url=links.commitment(v.conference, v.id)) for v in views]


async def commitments(links: Links, now: dt.datetime, *, conference: int | None = None,
                      agency: int | None = None, state: str = "", updated_since: dt.datetime | None = None,
                      cursor: str = "", limit: int = DEFAULT_LIMIT) -> records.CommitmentPage:
    """The commitments of public conferences; `agency`: those it leads or cooperates on."""
    query = Commitment.select(*LISTED_COLUMNS).where(
        Commitment.conference.state.is_in(PUBLIC_CONFERENCE_STATES) & (Commitment.id > after_cursor(cursor)))
    if conference:
        query = query.where(Commitment.conference == conference)
    if agency:
        query = query.where((Commitment.lead_agency == agency) | Commitment.id.is_in(
            CommitmentAgency.select(CommitmentAgency.commitment).where(CommitmentAgency.agency == agency)))
    if _choice(state, COMMITMENT_STATES, "state"):
        query = query.where(Commitment.state == state)
    if updated_since is not None:
        query = query.where(Commitment.updated_at >= updated_since)
    rows, after = _page(await query.order_by(Commitment.id).limit(limit + 1), limit)
    return records.CommitmentPage(await commitment_records(rows, now, links), after)


async def commitment(links: Links, now: dt.datetime, commitment_id: int) -> records.Commitment:
    rows = await Commitment.select(*LISTED_COLUMNS).where(
        (Commitment.id == commitment_id) & Commitment.conference.state.is_in(PUBLIC_CONFERENCE_STATES)) \
        if valid_id(commitment_id) else []
    if not rows:
        raise NotFound(_("There is no such commitment."))
    return (await commitment_records(rows, now, links))[0]


# --- Agencies, units, topics -----------------------------------------------------------------------

AGENCY_COLUMNS = (Agency.id, Agency.name, Agency.short_name, Agency.unit, Agency.unit.name.as_alias("unit_name"))


async def agencies(links: Links, *, unit: int | None = None, cursor: str = "",
                   limit: int = DEFAULT_LIMIT) -> records.AgencyPage:
    query = Agency.select(*AGENCY_COLUMNS).where(Agency.id > after_cursor(cursor))
    if unit:
        query = query.where((Agency.unit == unit) | (Agency.unit.parent == unit))
    rows, after = _page(await query.order_by(Agency.id).limit(limit + 1), limit)
    return records.AgencyPage([records.Agency(**row, url=links.agency(row["id"])) for row in rows], after)


async def agency(links: Links, now: dt.datetime, agency_id: int, rating_minimum: int) -> records.AgencyWithFigures:
    """The agency with the figures its public page shows, worked out the same way."""
    row = await Agency.select(*AGENCY_COLUMNS).where(Agency.id == agency_id).first() if valid_id(agency_id) else None
    if row is None:
        raise NotFound(_("There is no such agency."))
    page = await agency_page(agency_id, now, rating_minimum)
    return records.AgencyWithFigures(
        **row, url=links.agency(agency_id),
        figures=[records.Figure(f.key, f.label, f.value, f.count, f.method, f.shown) for f in page["figures"]])


async def units(*, level: str = "", parent: int | None = None, current: bool = True, cursor: str = "",
                limit: int = DEFAULT_LIMIT) -> records.UnitPage:
    """The administrative map; `current`: only the units that exist today (the map of July 2025)."""
    query = AdminUnit.select(AdminUnit.id, AdminUnit.code, AdminUnit.name, AdminUnit.kind, AdminUnit.level,
                             AdminUnit.parent, AdminUnit.valid_to).where(AdminUnit.id > after_cursor(cursor))
    if _choice(level, UNIT_LEVELS, "level"):
        query = query.where(AdminUnit.level == level)
    if parent:
        query = query.where(AdminUnit.parent == parent)
    if current:
        query = query.where(AdminUnit.valid_to.is_null())
    rows, after = _page(await query.order_by(AdminUnit.id).limit(limit + 1), limit)
    return records.UnitPage([records.Unit(**row) for row in rows], after)


async def topics(*, cursor: str = "", limit: int = DEFAULT_LIMIT) -> records.TopicPage:
    query = Topic.select(Topic.id, Topic.code, Topic.name_vi, Topic.name_en, Topic.unit).where(
        (Topic.active == True) & (Topic.id > after_cursor(cursor)))
    rows, after = _page(await query.order_by(Topic.id).limit(limit + 1), limit)
    return records.TopicPage([records.Topic(**row) for row in rows], after)
