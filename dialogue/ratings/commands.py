"""The asker rates the answer to their question and each commitment made for it, once each.

Who may rate: only the holder of the question's secret manage link (`/q/<code>/manage/<token>`),
which is e-mailed to the asker alone at intake and whose token is stored only as a hash. The public
tracking code is not enough: followers and anyone the asker told it to know it, and a rating must
be the asker's own. The e-mails that invite a rating therefore send the asker to that private link.

What may be rated, and when: the answer once it is published (or, for a question dealt with at the
session, once it was answered on the spot there and the conference is concluded, its minutes
published); a commitment once it is verified (cancelled ones are not: nothing was delivered to rate).
Each is rated once per question: a unique key refuses a second rating, even one sent from two tabs
at the same moment. The raw scores are kept; the action log records, on the conference, that a
rating was given, of what kind and for which agency: never the scores, nor which question or who
(the log's time next to a question would tie a comment to its asker)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dialogue.agenda.tables import AgendaItem
from dialogue.answers.machine import ANSWER
from dialogue.answers.queries import answer_of
from dialogue.commitments.tables import Commitment
from dialogue.conferences.machine import CONFERENCE
from dialogue.core.db import unique_violation, write_transaction
from dialogue.core.errors import Conflict, InvalidInput, NotFound
from dialogue.core.i18n import gettext as _
from dialogue.core.text import paragraphs, tidy
from dialogue.core.vocabulary import N_, declare, declare_action
from dialogue.machine import log
from dialogue.machine.actors import Actor
from dialogue.questions.tracking import get_for_asker
from dialogue.ratings.tables import Rating

DIMENSIONS = ("information", "procedure", "attitude", "result", "feedback")  # the SIPAS survey's, in its order
SCORES = ("1", "2", "3", "4", "5")
NOT_APPLICABLE = "na"
MAX_COMMENT = 1000
RATED = "rating_given"  # staff history only: the public timeline never says that or how the asker rated

declare("rating_dimension", {
    "information": N_("Access to information"),
    "procedure": N_("The procedure"),
    "attitude": N_("The officials' attitude"),
    "result": N_("The quality and timeliness of the result"),
    "feedback": N_("How feedback was handled"),
    "overall": N_("Overall"),
})
declare("rating_score", {
    "1": N_("1 – very dissatisfied"), "2": N_("2 – dissatisfied"), "3": N_("3 – neither satisfied nor dissatisfied"),
    "4": N_("4 – satisfied"), "5": N_("5 – very satisfied"), NOT_APPLICABLE: N_("Not applicable"),
})
declare("rating_subject", {"answer": N_("the answer"), "commitment": N_("a commitment")})
declare_action(RATED, N_("rated the answer or a commitment (the scores stay anonymous)"))


@dataclass(frozen=True)
class Subject:
    """Something the asker may rate now: the answer, or one verified commitment; with their rating if given."""

    name: str  # "answer" or "commitment-<id>": the form's field and the page's anchor
    key: str  # the unique key of its rating
    kind: str  # Rating.Subject
    commitment_id: int | None
    agency_id: int
    agency_name: str
    text: str  # the commitment's text ("" for the answer)
    rating: dict | None  # the rating given, if any


async def _answering_agency(question: dict) -> tuple[int, str] | None:
    """Who answered, once the answer is out: a published written answer (the main question's, for
    one merged into it), or an answer given on the spot at a session whose minutes are published."""
    answer = await answer_of(question["merged_into"] or question["id"])
    if answer and ANSWER.is_in("published", answer["state"]):
        return answer["agency"], answer["agency_name"]
    item = await AgendaItem.select(
        AgendaItem.answered_by_agency, AgendaItem.answered_by_agency.name.as_alias("agency_name"),
        AgendaItem.conference.state.as_alias("conference_state"),
    ).where((AgendaItem.question == question["id"]) & (AgendaItem.outcome == AgendaItem.Outcome.answered.value)
            & AgendaItem.answered_by_agency.is_not_null()).first()
    if item and CONFERENCE.is_in("after_the_session", item["conference_state"]):
        return item["answered_by_agency"], item["agency_name"]
    return None


async def subjects_of(question: dict) -> list[Subject]:
    """What the asker of this question may rate now (or has rated), answer first, then the verified
    commitments in the order they were made."""
    given = {r["subject_key"]: r for r in await Rating.select().where(Rating.question == question["id"])}
    subjects = []
    answering = await _answering_agency(question)
    if answering:
        key = f"question:{question['id']}:answer"
        subjects.append(Subject("answer", key, Rating.Subject.answer.value, None, answering[0], answering[1], "",
                                given.get(key)))
    rows = await Commitment.select(
        Commitment.id, Commitment.text, Commitment.lead_agency, Commitment.lead_agency.name.as_alias("agency_name"),
    ).where((Commitment.question == (question["merged_into"] or question["id"]))
            & (Commitment.state == Commitment.State.verified.value)).order_by(Commitment.id)
    for row in rows:
        key = f"question:{question['id']}:commitment:{row['id']}"
        subjects.append(Subject(f"commitment-{row['id']}", key, Rating.Subject.commitment.value, row["id"],
                                row["lead_agency"], row["agency_name"], row["text"], given.get(key)))
    # a commitment rated while verified and since disputed keeps its rating, and stays listed with it
    listed = {s.key for s in subjects}
    for key, rating in given.items():
        if key not in listed and rating["commitment"] is not None:
            text = await Commitment.select(Commitment.text).where(Commitment.id == rating["commitment"]).first()
            subjects.append(Subject(f"commitment-{rating['commitment']}", key, rating["subject"],
                                    rating["commitment"], rating["agency"], "", text["text"] if text else "", rating))
    return subjects


def _score(form: dict, name: str, required: bool, errors: dict) -> int | None:
    raw = tidy(form.get(name))
    if raw in SCORES:
        return int(raw)
    if not raw or raw == NOT_APPLICABLE:
        if required:
            errors[name] = _("Choose your overall satisfaction, from 1 to 5.")
        return None
    errors[name] = _("Choose a score from 1 to 5.") if required else \
        _("Choose a score from 1 to 5, or “not applicable”.")
    return None


def check_form(form: dict) -> dict:
    """The scores and comment of a rating form, or InvalidInput with a message per field."""
    errors: dict[str, str] = {}
    scores = {name: _score(form, name, False, errors) for name in DIMENSIONS}
    scores["overall"] = _score(form, "overall", True, errors)
    comment = paragraphs(form.get("comment"))
    if len(comment) > MAX_COMMENT:
        errors["comment"] = _("Use at most %(count)s characters.", count=MAX_COMMENT)
    if errors:
        raise InvalidInput(errors)
    return {**scores, "comment": comment}


async def rate(raw_code: str, token: str, subject_name: str, form: dict, now: dt.datetime) -> dict:
    """Record the asker's rating of one subject; refused politely if it was rated already."""
    question = await get_for_asker(raw_code, token)
    subject = next((s for s in await subjects_of(question) if s.name == subject_name), None)
    if subject is None:
        raise NotFound(_("This cannot be rated yet: the answer must be published, or the commitment verified."))
    if subject.rating is not None:
        raise Conflict(_("You have already rated this. Thank you: each answer and each commitment is rated once."))
    values = check_form(form)
    try:
        async with write_transaction():
            rows = await Rating.insert(Rating(
                subject_key=subject.key, question=question["id"], subject=subject.kind,
                commitment=subject.commitment_id, agency=subject.agency_id, conference=question["conference"],
                created_at=now, **values,
            )).returning(Rating.id)
            # the log says that a rating was given and of what kind, on the conference: never the
            # scores, the question, the commitment or the asker (no tracking code as the actor)
            await log.record(Actor.public(""), RATED, "conference", question["conference"], at=now,
                             details={"subject": subject.kind, "agency": subject.agency_id})
    except Exception as error:
        if unique_violation(error):  # the same form sent from another tab a moment earlier
            raise Conflict(_("You have already rated this. Thank you: each answer and each commitment is rated "
                             "once.")) from None
        raise
    return await Rating.select().where(Rating.id == rows[0]["id"]).first()
