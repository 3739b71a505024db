"""An agency's public record: its published answers, the public questions still waiting for its
answer, the commitments it leads, and figures worked out from those same lists, each with the count
behind it and one plain sentence of how it is counted, so that anyone can recount it from the page.

Only what is public elsewhere is read: questions in the `public` set whose asker agreed, answers
once published, commitments of public conferences (as the follow-up shows them)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from babel.numbers import format_decimal

from dialogue.answers.machine import ANSWER
from dialogue.answers.tables import Answer
from dialogue.commitments.machine import COMMITMENT
from dialogue.commitments.queries import overdue_days
from dialogue.commitments.tables import Commitment
from dialogue.conferences.machine import CONFERENCE
from dialogue.core.calendar import local_today
from dialogue.core.errors import NotFound
from dialogue.core.i18n import current_language, local
from dialogue.core.i18n import gettext as _
from dialogue.core.text import valid_id
from dialogue.inspections import queries as inspections
from dialogue.inspections.tables import InspectionItem
from dialogue.questions.intake import display_code
from dialogue.questions.machine import QUESTION
from dialogue.questions.tables import Assignment, Question
from dialogue.ratings.queries import satisfaction_by_agency
from dialogue.reference.calendar import working_calendar
from dialogue.reference.tables import Agency

OUTCOME = Commitment.Outcome
FINDING = InspectionItem.Finding


@dataclass(frozen=True)
class Figure:
    """One figure of an agency's page: what it is, its value, the count it is worked out from, and
    how, in one plain sentence. More figures (re-inspections, satisfaction) are added to the list
    `figures()` returns; `shown` is False for one whose count is too small to say anything."""

    key: str
    label: str
    value: str
    count: int
    method: str
    shown: bool = True


async def agency_list() -> list[dict]:
    """Every agency, by area then name, for the public list."""
    return await Agency.select(
        Agency.id, Agency.name, Agency.short_name, Agency.unit.name.as_alias("unit_name"),
    ).order_by(Agency.unit.name).order_by(Agency.name)


async def public_agency(agency_id: int) -> dict:
    row = await Agency.select(Agency.id, Agency.name, Agency.short_name, Agency.unit.name.as_alias("unit_name")) \
        .where(Agency.id == agency_id).first() if valid_id(agency_id) else None
    if row is None:
        raise NotFound(_("There is no such agency."))
    return row


def _is_public(question):
    """The question (`Question`, or a join to it) is public, and so is its conference."""
    return question.state.is_in(sorted(QUESTION.sets["public"])) & (question.public_consent == True) \
        & question.conference.state.is_in(sorted(CONFERENCE.sets["public"]))


async def published_answers(agency_id: int) -> list[dict]:
    """The agency's published answers to public questions, newest first; `on_time` is True or False
    when the question had an answer due date, None when it had none. The agency answered when its
    head approved the answer: the organisers may hold answers for the session and publish them later,
    which is not the agency's delay."""
    rows = await Answer.select(
        Answer.question, Answer.body, Answer.published_at, Answer.approved_at,
        Answer.question.tracking_code.as_alias("tracking_code"), Answer.question.title.as_alias("title"),
        Answer.question.public_summary.as_alias("public_summary"),
        Answer.question.answer_due_on.as_alias("due_on"), Answer.question.conference.as_alias("conference"),
        Answer.question.conference.title.as_alias("conference_title"),
    ).where((Answer.agency == agency_id) & Answer.state.is_in(sorted(ANSWER.sets["published"]))
            & _is_public(Answer.question)).order_by(Answer.published_at, ascending=False).order_by(Answer.id)
    for row in rows:
        row["code"] = display_code(row["tracking_code"])
        row["heading"] = row["public_summary"] or row["title"]
        row["published_on"] = local(row["published_at"]).date() if row["published_at"] else None
        answered = row["approved_at"] or row["published_at"]
        row["answered_on"] = local(answered).date() if answered else None
        row["on_time"] = None if row["due_on"] is None or row["answered_on"] is None \
            else row["answered_on"] <= row["due_on"]
    return rows


async def waiting_answers(agency_id: int, now: dt.datetime) -> list[dict]:
    """Public questions the agency leads whose answer is not published yet, soonest due first;
    `late` once their answer due date has passed."""
    led = [a["question"] for a in await Assignment.select(Assignment.question).where(
        (Assignment.agency == agency_id) & (Assignment.role == Assignment.Role.lead.value)
        & (Assignment.active == True))]
    published = [a["question"] for a in await Answer.select(Answer.question).where(
        Answer.question.is_in(led or [0]) & Answer.state.is_in(sorted(ANSWER.sets["published"])))]
    rows = await Question.select(
        Question.id, Question.tracking_code, Question.title, Question.public_summary,
        Question.answer_due_on.as_alias("due_on"), Question.conference,
        Question.conference.title.as_alias("conference_title"),
    ).where(Question.id.is_in(led or [0]) & Question.id.not_in(published or [0]) & _is_public(Question)
            ).order_by(Question.answer_due_on).order_by(Question.id)
    today = local_today(now)
    for row in rows:
        row["code"] = display_code(row["tracking_code"])
        row["heading"] = row["public_summary"] or row["title"]
        row["late"] = row["due_on"] is not None and row["due_on"] < today
    return rows


async def led_commitments(agency_id: int, now: dt.datetime) -> list[dict]:
    """The commitments of public conferences the agency leads, soonest due first, with what the
    public sees of each and its overdue working days (worked out, never stored)."""
    rows = await Commitment.select(
        Commitment.id, Commitment.text, Commitment.state, Commitment.outcome, Commitment.progress,
        Commitment.due_on, Commitment.original_due_on, Commitment.conference,
        Commitment.conference.title.as_alias("conference_title"),
    ).where((Commitment.lead_agency == agency_id)
            & Commitment.conference.state.is_in(sorted(CONFERENCE.sets["public"]))
            ).order_by(Commitment.due_on).order_by(Commitment.id)
    today, calendar = local_today(now), await working_calendar()
    for row in rows:
        row["overdue_days"] = overdue_days(row, today, calendar)
        row["outcome"] = row["outcome"] or ""
        row["extended"] = row["original_due_on"] is not None
    return rows


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)} %" if whole else "—"


def figures(answers: list[dict], waiting: list[dict], commitments: list[dict], findings: list[dict],
            satisfaction: dict) -> list[Figure]:
    """The agency's figures, each recounted from the lists the page shows beside them, but for the
    satisfaction average: single ratings are never listed (they could single out an asker)."""
    answered_due = [a for a in answers if a["on_time"] is not None]
    on_time = sum(1 for a in answered_due if a["on_time"])
    late_waiting = sum(1 for w in waiting if w["late"])
    due = len(answered_due) + late_waiting
    verified = [c for c in commitments if c["outcome"]]
    kept = sum(1 for c in verified if c["outcome"] == OUTCOME.kept.value)
    partly = sum(1 for c in verified if c["outcome"] == OUTCOME.partly_kept.value)
    not_kept = sum(1 for c in verified if c["outcome"] == OUTCOME.not_kept.value)
    live = [c for c in commitments if COMMITMENT.is_in("live", c["state"])]
    overdue = sum(1 for c in live if c["overdue_days"] > 0)
    disputed = sum(1 for c in commitments if COMMITMENT.is_in("disputed", c["state"]))
    found = {f.value: sum(1 for row in findings if row["finding"] == f.value) for f in FINDING}
    extended = sum(1 for c in commitments if c["extended"])
    return [
        Figure("on_time", _("Answers on time"), f"{on_time}/{due} ({_percent(on_time, due)})", due,
               _("Answers the agency gave (approved by its head) on or before their due date, out of the "
                 "answers that were due: those published with a due date, and the questions below whose due "
                 "date has passed without an answer. An answer held for the session counts from its approval.")),
        Figure("kept", _("Commitments kept"), f"{kept}/{len(verified)}", len(verified),
               _("Commitments the organisers verified as kept, out of all the verified commitments below.")),
        Figure("partly_kept", _("Commitments partly kept"), f"{partly}/{len(verified)}", len(verified),
               _("Commitments the organisers verified as only partly kept, out of all the verified commitments "
                 "below.")),
        Figure("not_kept", _("Commitments not kept"), f"{not_kept}/{len(verified)}", len(verified),
               _("Commitments the organisers verified as not kept, out of all the verified commitments below.")),
        Figure("overdue", _("Commitments overdue now"), f"{overdue}/{len(live)}", len(live),
               _("Commitments still to be done whose due date has passed (in working days), out of all those "
                 "still to be done.")),
        Figure("disputed", _("Commitments disputed now"), f"{disputed}/{len(commitments)}", len(commitments),
               _("Commitments whose report of completion was disputed and not yet taken up again, out of all "
                 "the commitments below.")),
        Figure("extended", _("Commitments extended"), f"{extended}/{len(commitments)}", len(commitments),
               _("Commitments whose due date was moved at least once (the first date is shown beside the new "
                 "one), out of all the commitments below.")),
        Figure("inspected", _("Found done by surprise inspections"),
               f"{found[FINDING.done.value]}/{len(findings)}", len(findings),
               _("Of its commitments that surprise inspections checked on the ground (closed rounds, listed "
                 "below), those found done; %(partly)s were found partly done and %(not_done)s not done.",
                 partly=found[FINDING.partly.value], not_done=found[FINDING.not_done.value])),
        _satisfaction_figure(satisfaction),
    ]


def _satisfaction_figure(satisfaction: dict) -> Figure:
    if satisfaction["shown"]:
        value = _("%(score)s out of 5", score=format_decimal(satisfaction["overall"], "0.0",
                                                             locale=current_language()))
    else:
        value = _("Not shown: fewer than %(minimum)s ratings", minimum=satisfaction["minimum"])
    return Figure("satisfaction", _("Average satisfaction"), value, satisfaction["count"],
                  _("The average of the overall scores, from 1 (very dissatisfied) to 5 (very satisfied), that "
                    "askers gave its answers and verified commitments; shown only from %(minimum)s ratings, and "
                    "single ratings are never listed, so that no asker's score can be read off.",
                    minimum=satisfaction["minimum"]))


async def agency_page(agency_id: int, now: dt.datetime, rating_minimum: int) -> dict:
    """What the agency's public page shows: the agency, its lists and the figures from them."""
    agency = await public_agency(agency_id)
    answers = await published_answers(agency_id)
    waiting = await waiting_answers(agency_id, now)
    commitments = await led_commitments(agency_id, now)
    findings = await inspections.public_findings_of_agency(agency_id)
    satisfaction = (await satisfaction_by_agency([agency_id], minimum=rating_minimum))[agency_id]
    return {"agency": agency, "answers": answers, "waiting": waiting, "commitments": commitments,
            "findings": findings, "figures": figures(answers, waiting, commitments, findings, satisfaction),
            "is_empty": not (answers or waiting or commitments or findings or satisfaction["count"])}
