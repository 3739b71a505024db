"""A conference's public results: every public question with its published answer and its
commitments, filtered by topic, agency, commitment state and words (accents optional), and the
same rows as a CSV file.

What the public may see is decided where it always is: a question is shown only while it is public
(`tracking.is_public`: accepted and its asker agreed), an answer only once published, a commitment
as the follow-up shows it (`commitments.queries`). Nothing here reads who asked."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from dialogue.answers.machine import ANSWER
from dialogue.answers.tables import Answer
from dialogue.commitments.machine import COMMITMENT
from dialogue.commitments.queries import PublicFollowUp, of_conference, overdue_days, public_follow_up
from dialogue.conferences.queries import conference_topics
from dialogue.core.calendar import local_today
from dialogue.core.errors import NotFound
from dialogue.core.i18n import current_language, format_day
from dialogue.core.i18n import gettext as _
from dialogue.core.text import fold, parse_id, tidy
from dialogue.core.vocabulary import word
from dialogue.questions.intake import display_code
from dialogue.questions.machine import QUESTION
from dialogue.questions.tables import Question
from dialogue.reference.calendar import working_calendar
from dialogue.reference.tables import Agency

PAGE_SIZE = 25
SEARCH_MAX = 200  # characters of a search kept; more is cut, and the page says so
OVERDUE = "overdue"  # the state filter's choice beside the machine's states: worked out, never stored


@dataclass(frozen=True)
class ResultAnswer:
    agency_id: int
    agency_name: str
    body: str
    published_at: dt.datetime


@dataclass(frozen=True)
class ResultCommitment:
    """A commitment as the follow-up shows it to the public: no staff, overdue worked out."""

    id: int
    text: str
    lead_agency_id: int
    lead_agency: str
    cooperating_ids: tuple[int, ...]
    cooperating: tuple[str, ...]
    state: str
    outcome: str
    progress: int
    due_on: dt.date
    original_due_on: dt.date | None
    overdue_days: int  # working days past the due date; 0: not overdue (or no longer to be done)


@dataclass(frozen=True)
class ResultItem:
    """One question of the conference (or the chair's conclusions) with what came of it. `code` and
    `heading` are empty when the question is not public: then only its topic is shown."""

    question_id: int | None
    code: str
    heading: str
    text: str
    is_public: bool
    topic_id: int | None
    topic_vi: str
    topic_en: str
    answer: ResultAnswer | None
    commitments: tuple[ResultCommitment, ...]

    @property
    def is_conclusions(self) -> bool:
        return self.question_id is None

    def topic(self) -> str:
        return self.topic_vi if current_language() == "vi" else self.topic_en


@dataclass
class ResultFilters:
    """The filters read from the page's address: anything unusable is dropped with a notice."""

    topic: int | None = None
    agency: int | None = None
    state: str = ""
    q: str = ""
    page: int = 1
    notices: list[str] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return bool(self.topic or self.agency or self.state or self.q)

    def query(self, **changes) -> dict[str, str]:
        """The filters as address parameters (for the CSV link and the pages)."""
        values = {"topic": self.topic or "", "agency": self.agency or "", "state": self.state, "q": self.q,
                  "page": self.page if self.page > 1 else ""} | changes
        return {key: str(value) for key, value in values.items() if value not in ("", None)}


def state_choices() -> list[tuple[str, str]]:
    """The state filter's choices: the machine's states with their words, and overdue."""
    return [(OVERDUE, _("Overdue"))] + [(code, word("commitment_state", code)) for code in COMMITMENT.states]


def read_filters(raw: dict[str, str], topics: list[dict], agencies: list[dict]) -> ResultFilters:
    """The filters from the address, each checked against what the conference has: an unknown or
    malformed value is ignored and the page says so, it never fails."""
    filters = ResultFilters()
    topic_raw, agency_raw = raw.get("topic", "").strip(), raw.get("agency", "").strip()
    if topic_raw:
        topic = parse_id(topic_raw)
        if topic in {t["id"] for t in topics}:
            filters.topic = topic
        else:
            filters.notices.append(_("That topic is not one of this conference's: all topics are shown."))
    if agency_raw:
        agency = parse_id(agency_raw)
        if agency in {a["id"] for a in agencies}:
            filters.agency = agency
        else:
            filters.notices.append(_("That agency has nothing in this conference: all agencies are shown."))
    state = raw.get("state", "").strip()
    if state:
        if state in dict(state_choices()):
            filters.state = state
        else:
            filters.notices.append(_("That state is not one a commitment can be in: all states are shown."))
    q = tidy(raw.get("q", ""))
    if len(q) > SEARCH_MAX:
        q = q[:SEARCH_MAX].strip()
        filters.notices.append(_("The search was too long: only its first %(count)s characters were used.",
                                 count=SEARCH_MAX))
    filters.q = q
    page = raw.get("page", "").strip()
    if page:
        number = parse_id(page)
        if number is None:
            filters.notices.append(_("That page number is not valid: the first page is shown."))
        filters.page = number or 1
    return filters


async def conference_results(conference_id: int, now: dt.datetime) -> list[ResultItem]:
    """Every public question of the conference in the order they were asked, each with its published
    answer and its commitments; then the commitments of questions not made public (topic only) and
    of the chair's conclusions."""
    public_states = sorted(QUESTION.sets["public"])
    questions = await Question.select(
        Question.id, Question.tracking_code, Question.title, Question.public_summary, Question.public_text,
        Question.body, Question.topic, Question.topic.name_vi.as_alias("topic_vi"),
        Question.topic.name_en.as_alias("topic_en"),
    ).where((Question.conference == conference_id) & Question.state.is_in(public_states)
            & (Question.public_consent == True)).order_by(Question.created_at).order_by(Question.id)
    public_ids = [q["id"] for q in questions]
    answers = {a["question"]: ResultAnswer(a["agency"], a["agency_name"], a["body"], a["published_at"])
               for a in await Answer.select(
                   Answer.question, Answer.agency, Answer.agency.name.as_alias("agency_name"), Answer.body,
                   Answer.published_at,
               ).where(Answer.question.is_in(public_ids or [0])
                       & Answer.state.is_in(sorted(ANSWER.sets["published"])))}
    today, calendar = local_today(now), await working_calendar()
    commitments: dict[int | None, list[ResultCommitment]] = {}
    rows = await of_conference(conference_id)
    for row in rows:
        commitments.setdefault(row["question"], []).append(ResultCommitment(
            id=row["id"], text=row["text"], lead_agency_id=row["lead_agency"], lead_agency=row["lead_agency_name"],
            cooperating_ids=tuple(row["cooperating_ids"]), cooperating=tuple(row["cooperating"]),
            state=row["state"], outcome=row["outcome"] or "", progress=row["progress"], due_on=row["due_on"],
            original_due_on=row["original_due_on"], overdue_days=overdue_days(row, today, calendar)))
    items = [ResultItem(
        question_id=q["id"], code=display_code(q["tracking_code"]), heading=q["public_summary"] or q["title"],
        text=q["public_text"] or q["body"], is_public=True, topic_id=q["topic"], topic_vi=q["topic_vi"],
        topic_en=q["topic_en"], answer=answers.get(q["id"]), commitments=tuple(commitments.get(q["id"], ())),
    ) for q in questions]
    hidden_ids = [key for key in commitments if key is not None and key not in set(public_ids)]
    hidden = await Question.select(
        Question.id, Question.topic, Question.topic.name_vi.as_alias("topic_vi"),
        Question.topic.name_en.as_alias("topic_en"),
    ).where(Question.id.is_in(hidden_ids or [0])).order_by(Question.id)
    items += [ResultItem(question_id=q["id"], code="", heading="", text="", is_public=False, topic_id=q["topic"],
                         topic_vi=q["topic_vi"], topic_en=q["topic_en"], answer=None,
                         commitments=tuple(commitments[q["id"]])) for q in hidden]
    if None in commitments:
        items.append(ResultItem(question_id=None, code="", heading="", text="", is_public=False, topic_id=None,
                                topic_vi="", topic_en="", answer=None, commitments=tuple(commitments[None])))
    return items


def agencies_in(items: list[ResultItem], agencies: dict[int, str]) -> list[dict]:
    """The agencies that answered or lead a commitment in these results (the agency filter's choices)."""
    ids = {i.answer.agency_id for i in items if i.answer} | {c.lead_agency_id for i in items for c in i.commitments}
    return sorted(({"id": a, "name": agencies.get(a, "")} for a in ids), key=lambda a: fold(a["name"]))


async def agency_names() -> dict[int, str]:
    return {a["id"]: a["name"] for a in await Agency.select(Agency.id, Agency.name)}


def _matches_state(commitment: ResultCommitment, state: str) -> bool:
    return commitment.overdue_days > 0 if state == OVERDUE else commitment.state == state


def _searchable(item: ResultItem) -> str:
    parts = [item.heading, item.text, item.topic_vi, item.topic_en, item.code,
             item.answer.body if item.answer else "", item.answer.agency_name if item.answer else ""]
    parts += [c.text for c in item.commitments] + [c.lead_agency for c in item.commitments]
    return fold(" ".join(parts))


def apply_filters(items: list[ResultItem], filters: ResultFilters) -> list[ResultItem]:
    """The items the filters keep. The agency filter keeps a question its agency answered, or one with a
    commitment it leads (then only those commitments are kept); the state filter keeps the commitments
    in that state; words are looked for, without accents, in everything the item shows."""
    words = fold(filters.q).split()
    kept = []
    for item in items:
        if filters.topic and item.topic_id != filters.topic:
            continue
        if words:
            text = _searchable(item)
            if not all(w in text for w in words):
                continue
        commitments = item.commitments
        if filters.agency:
            commitments = tuple(c for c in commitments if c.lead_agency_id == filters.agency)
            answered = item.answer is not None and item.answer.agency_id == filters.agency
            if not commitments and not answered:
                continue
        if filters.state:
            commitments = tuple(c for c in commitments if _matches_state(c, filters.state))
            if not commitments:
                continue
        kept.append(item if commitments == item.commitments else _with(item, commitments))
    return kept


def _with(item: ResultItem, commitments: tuple[ResultCommitment, ...]) -> ResultItem:
    return ResultItem(**{**item.__dict__, "commitments": commitments})


def page_of(items: list[ResultItem], page: int) -> tuple[list[ResultItem], int, int]:
    """One page of the items, the page number (within range) and the number of pages."""
    pages = max(1, -(-len(items) // PAGE_SIZE))
    page = min(max(page, 1), pages)
    return items[(page - 1) * PAGE_SIZE: page * PAGE_SIZE], page, pages


# --- CSV ------------------------------------------------------------------------------------------------

BOM = "\ufeff"  # Excel reads a CSV file as UTF-8 only when it starts with this


def csv_header() -> list[str]:
    return [_("Code"), _("Topic"), _("Question"), _("Answering agency"), _("Answered on"), _("Commitment"),
            _("Lead agency"), _("State"), _("Progress (%)"), _("Due date"), _("Original due date"),
            _("Working days overdue")]


def neutralised(value: str) -> str:
    """A cell a spreadsheet would take for a formula (= + - @, or a tab or carriage return before one)
    is given a leading apostrophe, so that it is shown as text and never run."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _question_cell(item: ResultItem) -> str:
    if item.is_conclusions:
        return _("The chair's conclusions")
    return item.heading if item.is_public else _("A question not made public")


def csv_rows(items: list[ResultItem]) -> list[list[str]]:
    """One row per commitment; a question without commitments is one row with those cells empty."""
    rows = []
    for item in items:
        answer = item.answer
        base = [item.code, item.topic(), _question_cell(item), answer.agency_name if answer else "",
                format_day(answer.published_at) if answer else ""]
        if not item.commitments:
            rows.append(base + [""] * 7)
        for c in item.commitments:
            state = word("commitment_state", c.state)
            if c.outcome:
                state += f" ({word('commitment_outcome', c.outcome)})"
            rows.append(base + [c.text, c.lead_agency, state, str(c.progress), format_day(c.due_on),
                                format_day(c.original_due_on), str(c.overdue_days) if c.overdue_days else ""])
    return rows


def csv_file(items: list[ResultItem]) -> bytes:
    """The results as a CSV file: UTF-8 with a BOM, a header row in the reader's language."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(csv_header())
    writer.writerows([[neutralised(cell) for cell in row] for row in csv_rows(items)])
    return (BOM + out.getvalue()).encode("utf-8")


async def results_page(conference_id: int, raw: dict[str, str], now: dt.datetime) -> dict:
    """Everything the results page (and its CSV) shows: the filters with their choices and notices,
    the kept items and one page of them."""
    topics = await conference_topics(conference_id)
    items = await conference_results(conference_id, now)
    agencies = agencies_in(items, await agency_names())
    filters = read_filters(raw, topics, agencies)
    kept = apply_filters(items, filters)
    shown, page, pages = page_of(kept, filters.page)
    filters.page = page
    return {"filters": filters, "topics": topics, "agencies": agencies, "states": state_choices(),
            "items": kept, "shown": shown, "page": page, "pages": pages, "total": len(items)}


async def public_commitment(conference_id: int, commitment_id: int, now: dt.datetime) -> PublicFollowUp:
    """One commitment of a public conference as the follow-up shows it, with its whole timeline and
    evidence (the public page each result links to)."""
    for commitment in await public_follow_up(now, conference_id=conference_id):
        if commitment.id == commitment_id:
            return commitment
    raise NotFound(_("This item no longer exists."))
